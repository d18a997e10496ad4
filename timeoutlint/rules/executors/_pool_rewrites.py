"""The two rewrites of a pool made for one call (TL102, TL103) to the managed executor.

- ``run_with_timeout``: a ``with ThreadPoolExecutor(...) as ex:`` block that runs one task
  and waits for it with a timeout becomes ``run_with_timeout(fn, *args, timeout=T)``.
- ``shared_executor``: a pool whose block waits for every future it creates becomes a
  process-wide pool (``ex = shared_executor("<function>", max_workers=N)``), the block's
  body dedented; a pool bound by a plain assignment gets the call swapped.

Both rules ask for the same rewrite of the same block, so the fix loop sees identical
edits (applied once) whichever rule's fix comes first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Union

import libcst as cst

from timeoutlint.analysis.callargs import argument, has_star_args, has_star_kwargs, with_keyword
from timeoutlint.context import FileContext, ImportNeed, PendingFix
from timeoutlint.ftypes import Applicability
from timeoutlint.rules.executors._pool_waits import Consumption, run_in_executor_call, unconditional
from timeoutlint.rules.executors._pools import (
    BodyIndex,
    PoolFutures,
    Resolve,
    constructor_size,
    is_none,
    method_call,
    pool_kind,
    submit_parts,
    timeout_argument,
)

RUN_WITH_TIMEOUT_TITLE = "Call `run_with_timeout(fn, ..., timeout=...)` instead of a pool for one task"
SHARED_EXECUTOR_TITLE = "Use `shared_executor(...)`, one pool for the process"

_Replacement = Union[cst.CSTNode, cst.RemovalSentinel]


class _Replace(cst.CSTTransformer):
    """Replace (or remove) several original nodes in one pass."""

    def __init__(
        self,
        replacements: Dict[cst.CSTNode, _Replacement],
        leading_lines: Optional[Dict[cst.CSTNode, Sequence[cst.EmptyLine]]] = None,
    ) -> None:
        super().__init__()
        self.replacements = replacements
        self.leading_lines = leading_lines or {}

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> _Replacement:  # type: ignore[override]
        if original_node in self.leading_lines:
            updated_node = updated_node.with_changes(leading_lines=self.leading_lines[original_node])
        return self.replacements.get(original_node, updated_node)


def _statements(block: cst.With) -> Optional[List[cst.BaseStatement]]:
    body = block.body
    if isinstance(body, cst.IndentedBlock):
        if any(line.comment is not None for line in body.footer):
            return None  # a comment at the end of the block would have no place to go
        return list(body.body)
    if isinstance(body, cst.SimpleStatementSuite):
        return [cst.SimpleStatementLine(body=body.body, trailing_whitespace=body.trailing_whitespace)]
    return None


def _flattened(block: cst.With, first: List[cst.BaseStatement], keep_header: bool) -> cst.FlattenSentinel:
    """The statements that replace the block; comments above it (and, unless the first
    statement takes it as its own line's comment, the one after its colon) stay above."""
    lead = list(block.leading_lines)
    header = block.body.header if isinstance(block.body, cst.IndentedBlock) else None
    if not keep_header and header is not None and header.comment is not None:
        lead.append(cst.EmptyLine(indent=True, comment=header.comment))
    head = first[0]
    first[0] = head.with_changes(leading_lines=[*lead, *head.leading_lines])  # type: ignore[attr-defined]
    return cst.FlattenSentinel(first)


def _reference(ctx: FileContext, name: str, imports: List[ImportNeed]) -> Optional[cst.BaseExpression]:
    found = ctx.reference(ctx.settings.executor_import, name)
    if found is None:
        return None
    expression, need = found
    if need is not None:
        imports.append(need)
    return expression


# -- run_with_timeout -----------------------------------------------------------------------------


@dataclass
class SingleTask:
    """``with ThreadPoolExecutor(...) as ex:`` running one task, waited for with a timeout:
    ``ex.submit(fn, ...).result(timeout=T)``, or ``fut = ex.submit(fn, ...)`` immediately
    followed by a statement that starts with ``fut.result(timeout=T)``."""

    block: cst.With
    submit: cst.Call
    wait: cst.Call
    timeout: cst.BaseExpression
    bound: Optional[cst.SimpleStatementLine]  # the ``fut = ex.submit(...)`` statement
    follower: Optional[cst.BaseStatement]  # the statement after it
    cancels: List[cst.Expr] = field(default_factory=list)  # ``fut.cancel()`` in its handlers


def single_task(index: BodyIndex, block: cst.With, resolve: Resolve) -> Optional[SingleTask]:
    if len(block.items) != 1 or block.asynchronous is not None:
        return None
    item = block.items[0]
    ctor = item.item
    if not isinstance(ctor, cst.Call) or pool_kind(resolve, ctor) != "thread":
        return None
    if has_star_args(ctor) or has_star_kwargs(ctor):
        return None
    allowed = (argument(ctor, "max_workers", 0), argument(ctor, "thread_name_prefix", 1))
    if any(arg not in allowed for arg in ctor.args):
        return None  # an initializer must run before the task: keep the pool
    if item.asname is None or not isinstance(item.asname.name, cst.Name):
        return None
    name = item.asname.name.value
    if not index.is_local_only(name) or index.occurrences(name, "store") != [item.asname.name]:
        return None
    loads = index.occurrences(name, "load")
    if len(loads) != 1 or not index.is_within(loads[0], block.body):
        return None
    submit = method_call(index, loads[0], ("submit",))
    if submit is None or submit_parts(submit) is None or _statements(block) is None:
        return None
    parent = index.parent.get(submit)
    if isinstance(parent, cst.Attribute) and parent.attr.value == "result":
        wait = index.parent.get(parent)
        if isinstance(wait, cst.Call) and wait.func is parent:
            return _with_timeout(SingleTask(block, submit, wait, wait, None, None))
        return None
    return _named_future(index, block, submit, parent)


def _with_timeout(task: SingleTask) -> Optional[SingleTask]:
    found = timeout_argument(task.wait)
    if found is None or is_none(found.value):
        return None
    task.timeout = found.value
    return task


def _named_future(index: BodyIndex, block: cst.With, submit: cst.Call, parent: Optional[cst.CSTNode]) -> Optional[SingleTask]:
    if not isinstance(parent, cst.Assign) or len(parent.targets) != 1:
        return None
    target = parent.targets[0].target
    statement = index.parent.get(parent)
    suite = index.parent.get(statement) if statement is not None else None
    if not isinstance(target, cst.Name) or not isinstance(statement, cst.SimpleStatementLine):
        return None
    if len(statement.body) != 1 or statement.trailing_whitespace.comment is not None:
        return None
    if not isinstance(suite, cst.IndentedBlock) or not index.is_within(suite, block.body):
        return None
    future = target.value
    if not index.is_local_only(future) or len(index.occurrences(future, "store")) != 1:
        return None
    loads = index.occurrences(future, "load")
    waits = [call for call in (method_call(index, load, ("result",)) for load in loads) if call is not None]
    position = list(suite.body).index(statement)
    if len(waits) != 1 or position + 1 >= len(suite.body):
        return None
    wait = waits[0]
    follower = suite.body[position + 1]
    first: cst.CSTNode = follower
    if isinstance(follower, cst.Try) and follower.body.body:
        first = follower.body.body[0]
    if not isinstance(first, cst.SimpleStatementLine) or not index.is_within(wait, first):
        return None
    if not unconditional(index, wait, first):
        return None
    cancels = [_handler_cancel(index, follower, load) for load in loads if not index.is_within(load, wait)]
    if any(cancel is None for cancel in cancels):
        return None
    task = SingleTask(block, submit, wait, wait, statement, follower)
    task.cancels = [cancel for cancel in cancels if cancel is not None]
    return _with_timeout(task)


def _handler_cancel(index: BodyIndex, follower: cst.BaseStatement, load: cst.Name) -> Optional[cst.Expr]:
    """``fut.cancel()`` as a statement of a handler of the ``try`` that waits: on a timeout
    ``run_with_timeout`` cancels the future itself, and otherwise the future is done (a
    cancel does nothing), so the statement can go."""
    call = method_call(index, load, ("cancel",))
    statement = index.parent.get(call) if call is not None else None
    if call is None or call.args or not isinstance(statement, cst.Expr) or not isinstance(follower, cst.Try):
        return None
    if not any(index.is_within(statement, handler.body) for handler in follower.handlers):
        return None
    return statement


def run_with_timeout_fix(ctx: FileContext, task: SingleTask) -> Optional[PendingFix]:
    imports: List[ImportNeed] = []
    function = _reference(ctx, "run_with_timeout", imports)
    if function is None:
        return None
    args = submit_parts(task.submit)
    assert args is not None
    call = cst.Call(
        func=function,
        args=list(args),
        whitespace_before_args=task.submit.whitespace_before_args,
        lpar=task.wait.lpar,
        rpar=task.wait.rpar,
    )
    call = with_keyword(call, "timeout", task.timeout)
    replacements: Dict[cst.CSTNode, _Replacement] = {task.wait: call}
    leading: Dict[cst.CSTNode, Sequence[cst.EmptyLine]] = {}
    if task.bound is not None and task.follower is not None:
        # the statement that bound the future goes; its comments move to the next one
        replacements[task.bound] = cst.RemovalSentinel.REMOVE
        leading[task.follower] = [*task.bound.leading_lines, *task.follower.leading_lines]  # type: ignore[attr-defined]
    for cancel in task.cancels:
        replacements.update(_dropped(task, cancel))
    body = task.block.body.visit(_Replace(replacements, leading))
    statements = _statements(task.block.with_changes(body=body))
    if not statements:
        return None
    return PendingFix(
        RUN_WITH_TIMEOUT_TITLE,
        Applicability.UNSAFE,
        [(task.block, _flattened(task.block, statements, keep_header=False))],  # type: ignore[list-item]
        imports,
    )


def _dropped(task: SingleTask, cancel: cst.Expr) -> Dict[cst.CSTNode, _Replacement]:
    """Remove a handler's ``fut.cancel()``: from its line when the line has other
    statements; the line when the handler keeps others and it carries no comment; else
    it becomes ``pass``."""
    assert isinstance(task.follower, cst.Try)
    for handler in task.follower.handlers:
        body = handler.body
        if isinstance(body, cst.SimpleStatementSuite) and cancel in body.body:
            return {body: _without(body, cancel)} if len(body.body) > 1 else {cancel: cst.Pass()}
        lines = list(body.body)
        for line in lines:
            if not isinstance(line, cst.SimpleStatementLine) or cancel not in line.body:
                continue
            if len(line.body) > 1:
                return {line: _without(line, cancel)}
            commented = line.trailing_whitespace.comment is not None or any(
                empty.comment is not None for empty in line.leading_lines
            )
            if len(lines) > 1 and not commented:
                return {line: cst.RemovalSentinel.REMOVE}
            return {cancel: cst.Pass()}
    return {}


def _without(
    node: Union[cst.SimpleStatementLine, cst.SimpleStatementSuite], cancel: cst.Expr
) -> Union[cst.SimpleStatementLine, cst.SimpleStatementSuite]:
    kept = [small for small in node.body if small is not cancel]
    kept[-1] = kept[-1].with_changes(semicolon=cst.MaybeSentinel.DEFAULT)
    return node.with_changes(body=kept)


# -- shared_executor ------------------------------------------------------------------------------


def _shared_call(
    ctx: FileContext, ctor: cst.Call, kind: str, pool_name: str, imports: List[ImportNeed]
) -> Optional[cst.Call]:
    ok, size = constructor_size(ctor)
    if not ok:
        return None
    function = _reference(ctx, "shared_executor", imports)
    if function is None:
        return None
    args = [cst.Arg(cst.SimpleString(_quoted(pool_name)))]
    equal = cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace(""))
    if size is not None:
        args.append(cst.Arg(size, keyword=cst.Name("max_workers"), equal=equal))
    if kind == "process":
        args.append(cst.Arg(cst.SimpleString('"process"'), keyword=cst.Name("kind"), equal=equal))
    spaced = [arg.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))) for arg in args[:-1]]
    return cst.Call(func=function, args=[*spaced, args[-1]])


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def shared_with_fix(
    ctx: FileContext, index: BodyIndex, block: cst.With, pool_name: str, resolve: Resolve
) -> Optional[PendingFix]:
    """``with Pool(...) as ex: body`` -> ``ex = shared_executor(...)`` + body, when the body
    waits for every future it creates (then the block's end had nothing left to wait for)."""
    if len(block.items) != 1 or block.asynchronous is not None:
        return None
    item = block.items[0]
    ctor = item.item
    kind = pool_kind(resolve, ctor)
    if kind not in ("thread", "process") or not isinstance(ctor, cst.Call):
        return None
    if item.asname is None or not isinstance(item.asname.name, cst.Name):
        return None
    name = item.asname.name.value
    if not index.is_local_only(name) or index.occurrences(name, "store") != [item.asname.name]:
        return None
    if not Consumption(index, PoolFutures(index, block, name), resolve).all_consumed():
        return None
    statements = _statements(block)
    if statements is None:
        return None
    imports: List[ImportNeed] = []
    call = _shared_call(ctx, ctor, kind, pool_name, imports)
    if call is None:
        return None
    header = block.body.header if isinstance(block.body, cst.IndentedBlock) else cst.TrailingWhitespace()
    assign = cst.SimpleStatementLine(
        body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=call)],
        trailing_whitespace=header,
    )
    return PendingFix(
        SHARED_EXECUTOR_TITLE,
        Applicability.UNSAFE,
        [(block, _flattened(block, [assign, *statements], keep_header=True))],  # type: ignore[list-item]
        imports,
    )


def shared_assign_fix(
    ctx: FileContext, index: BodyIndex, ctor: cst.Call, name: str, pool_name: str, resolve: Resolve
) -> Optional[PendingFix]:
    """``ex = Pool(...)`` used only to submit and map (never shut down, entered or passed
    on) -> ``ex = shared_executor(...)``: the pool was never waited for, nor is the new one."""
    kind = pool_kind(resolve, ctor)
    if kind not in ("thread", "process") or not index.is_local_only(name):
        return None
    stores = index.occurrences(name, "store")
    if len(stores) != 1 or index.binding_value(stores[0]) is not ctor:
        return None
    for load in index.occurrences(name, "load"):
        if method_call(index, load, ("submit", "map")) is None and run_in_executor_call(index, load) is None:
            return None
    imports: List[ImportNeed] = []
    call = _shared_call(ctx, ctor, kind, pool_name, imports)
    if call is None:
        return None
    return PendingFix(SHARED_EXECUTOR_TITLE, Applicability.UNSAFE, [(ctor, call)], imports)
