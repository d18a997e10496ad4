"""Whether a pool's ``with`` block waits for every future it creates before its end (so
that the wait of ``shutdown(wait=True)`` there has nothing left to do): the condition under
which TL102 may drop the block for a shared pool."""

from __future__ import annotations

from typing import Iterator, List, Optional, Set, Tuple

import libcst as cst

from timeoutlint.analysis.callargs import argument, has_star_args, has_star_kwargs
from timeoutlint.rules.executors._pools import (
    ALL_COMPLETED,
    AS_COMPLETED,
    EXHAUSTING,
    WAIT,
    BodyIndex,
    PoolFutures,
    Resolve,
    is_none,
    method_call,
    receiver_name,
    walk,
)

_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp)


class Consumption:
    """Whether every future a ``with`` block creates is waited for inside the block, so that
    the wait at the block's end (``shutdown(wait=True)``) has nothing left to do. Waits that
    end in an exception (a timeout) count: the rewrite is meant to stop waiting there."""

    def __init__(self, index: BodyIndex, futures: PoolFutures, resolve: Resolve) -> None:
        self.index = index
        self.futures = futures
        self.resolve = resolve

    def all_consumed(self) -> bool:
        index, block = self.index, self.futures.block
        if any(isinstance(node, cst.Yield) for node in walk(block.body)):
            return False
        for load in index.occurrences(self.futures.name, "load"):
            if not index.is_within(load, block.body):
                return False
            call = method_call(index, load, ("submit", "map"))
            if call is not None:
                method = call.func.attr.value  # type: ignore[attr-defined]
                consumed = self._future_consumed(call) if method == "submit" else self._iterator_consumed(call)
            else:
                consumed = self._awaited_in_executor(load)
            if not consumed:
                return False
        return True

    def _awaited_in_executor(self, load: cst.Name) -> bool:
        """``await loop.run_in_executor(<pool>, ...)``."""
        call = run_in_executor_call(self.index, load)
        return call is not None and isinstance(self.index.parent.get(call), cst.Await)

    def _future_consumed(self, submit: cst.Call) -> bool:
        index = self.index
        parent = index.parent.get(submit)
        if isinstance(parent, cst.Attribute) and parent.attr.value in ("result", "exception"):
            return isinstance(index.parent.get(parent), cst.Call)
        if isinstance(parent, cst.AssignTarget):
            return False
        holder = parent
        if isinstance(parent, cst.Assign) and len(parent.targets) == 1 and isinstance(parent.targets[0].target, cst.Name):
            name = parent.targets[0].target.value
            if not index.is_local_only(name) or len(index.occurrences(name, "store")) != 1:
                return False
            return any(
                self._after(submit, call) and self._unconditional(call, _statement_of(index, submit, call))
                for call in self._waits_on(name)
            )
        # into a collection: a comprehension bound to a name, or ``futures.append(...)``
        if isinstance(holder, (cst.ListComp, cst.SetComp, cst.DictComp)):
            holder_parent = index.parent.get(holder)
            assign = holder_parent if isinstance(holder_parent, cst.Assign) else None
            if assign is None or len(assign.targets) != 1 or not isinstance(assign.targets[0].target, cst.Name):
                return False
            return self._collection_consumed(assign.targets[0].target.value, submit)
        if isinstance(holder, cst.Index):
            element = index.parent.get(holder)  # Index -> SubscriptElement -> Subscript
            subscript = index.parent.get(element) if element is not None else None
            if isinstance(subscript, cst.Subscript) and isinstance(subscript.value, cst.Name):
                return self._collection_consumed(subscript.value.value, submit)
            return False
        if isinstance(holder, cst.Arg):
            call = index.parent.get(holder)
            if isinstance(call, cst.Call):
                for method in ("append", "add"):
                    owner = receiver_name(call, method)
                    if owner is not None:
                        return self._collection_consumed(owner, submit)
        return False

    def _waits_on(self, name: str) -> Iterator[cst.Call]:
        for load in self.index.occurrences(name, "load"):
            call = method_call(self.index, load, ("result", "exception"))
            if call is not None:
                yield call

    def _collection_consumed(self, name: str, submit: cst.Call) -> bool:
        futures = self.futures
        if futures.collection_additions(name) is None:
            return False
        for load in self.index.occurrences(name, "load"):
            if self._consumes_collection(load) and self._after(submit, load):
                if self._unconditional(load, _statement_of(self.index, submit, load)):
                    return True
        return False

    def _consumes_collection(self, load: cst.Name) -> bool:
        index = self.index
        parent = index.parent.get(load)
        if isinstance(parent, cst.Arg) and parent.keyword is None:
            call = index.parent.get(parent)
            if isinstance(call, cst.Call) and call.args and call.args[0] is parent:
                qualname = self.resolve(call.func)
                if qualname == WAIT:
                    return self._waits_for_all(call)
                if qualname == AS_COMPLETED:
                    return self._iterator_consumed(call)
            return False
        if isinstance(parent, (cst.For, cst.CompFor)) and load is parent.iter and isinstance(parent.target, cst.Name):
            variable = parent.target.value
            if isinstance(parent, cst.For):
                if _exits_early(parent.body) or parent.orelse is not None:
                    return False
                return any(
                    index.is_within(call, parent.body) and unconditional(index, call, parent.body)
                    for call in self._waits_on(variable)
                )
            comprehension = index.parent.get(parent)
            if not isinstance(comprehension, _COMPREHENSIONS) or parent.ifs or parent.inner_for_in is not None:
                return False
            element = comprehension.elt if not isinstance(comprehension, cst.DictComp) else comprehension.value
            return any(
                index.is_within(call, element) and unconditional(index, call, element)
                for call in self._waits_on(variable)
            )
        return False

    def _waits_for_all(self, wait: cst.Call) -> bool:
        """``wait(fs)`` with no timeout and ``return_when=ALL_COMPLETED`` (a timeout here does
        not raise: the block would go on, and its end would wait for the rest)."""
        if has_star_args(wait) or has_star_kwargs(wait):
            return False
        timeout = argument(wait, "timeout", 1)
        if timeout is not None and not is_none(timeout.value):
            return False
        when = argument(wait, "return_when", 2)
        if when is None:
            return True
        value = when.value
        if isinstance(value, cst.SimpleString):
            return value.evaluated_value == "ALL_COMPLETED"
        return self.resolve(value) == ALL_COMPLETED

    def _iterator_consumed(self, call: cst.Call) -> bool:
        """The iterator of ``<pool>.map(...)`` / ``as_completed(...)`` is exhausted at once."""
        index = self.index
        parent = index.parent.get(call)
        if isinstance(parent, cst.Arg) and parent.keyword is None and not parent.star:
            outer = index.parent.get(parent)
            return (
                isinstance(outer, cst.Call)
                and len(outer.args) == 1
                and self.resolve(outer.func) in EXHAUSTING
            )
        if isinstance(parent, cst.For) and call is parent.iter:
            return not _exits_early(parent.body) and parent.orelse is None
        if isinstance(parent, cst.CompFor) and call is parent.iter:
            return isinstance(index.parent.get(parent), _COMPREHENSIONS)
        return False

    # -- order and conditions -------------------------------------------------------------

    def _after(self, first: cst.CSTNode, then: cst.CSTNode) -> bool:
        """``then`` runs in a later statement of the block that holds both, and nothing from
        ``first``'s statement to ``then`` can leave the block early (``return``, or a
        ``break``/``continue`` of a loop around them): only an exception skips ``then``."""
        block, a, b = _common_block(self.index, first, then)
        if block is None or a is None or b is None:
            return False
        statements = list(block.body)
        start, end = statements.index(a), statements.index(b)
        if start >= end:
            return False
        keep = {id(node) for node in self.index.ancestors(then)}
        return not any(_leaves_early(statement, keep) for statement in statements[start : end + 1])

    def _unconditional(self, node: cst.CSTNode, top: Optional[cst.CSTNode]) -> bool:
        return top is not None and unconditional(self.index, node, top)


def _statement_of(index: BodyIndex, first: cst.CSTNode, then: cst.CSTNode) -> Optional[cst.CSTNode]:
    """The statement of the block holding both nodes that contains ``then``."""
    _, _, statement = _common_block(index, first, then)
    return statement


def _common_block(
    index: BodyIndex, first: cst.CSTNode, then: cst.CSTNode
) -> Tuple[Optional[cst.BaseSuite], Optional[cst.CSTNode], Optional[cst.CSTNode]]:
    first_path = [first, *index.ancestors(first)]
    positions = {id(node): n for n, node in enumerate(first_path)}
    child: cst.CSTNode = then
    for node in [then, *index.ancestors(then)]:
        if id(node) in positions and isinstance(node, (cst.IndentedBlock, cst.Module)):
            n = positions[id(node)]
            return node, first_path[n - 1] if n > 0 else None, child  # type: ignore[return-value]
        child = node
    return None, None, None


def unconditional(index: BodyIndex, node: cst.CSTNode, top: cst.CSTNode) -> bool:
    """Once the statement (or expression) ``top`` runs, ``node`` inside it runs too — unless
    an exception ends it first: no branch, loop body, handler or nested function on the way."""
    child = node
    for parent in index.ancestors(node):
        if child is top:
            return True
        if isinstance(parent, (cst.If, cst.While)) and child is not parent.test:
            return False
        if isinstance(parent, cst.IfExp) and child is not parent.test:
            return False
        if isinstance(parent, cst.BooleanOperation) and child is parent.right:
            return False
        if isinstance(parent, (cst.For, cst.CompFor)) and child is not parent.iter:
            return False
        if isinstance(parent, (cst.ExceptHandler, cst.Else, cst.Lambda, cst.FunctionDef, cst.ClassDef)):
            return False
        if isinstance(parent, (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)) and child is not parent.for_in:
            return False
        if isinstance(parent, cst.Try) and child is not parent.body and child is not parent.finalbody:
            return False
        child = parent
    return child is top


def _leaves_early(statement: cst.CSTNode, allowed: Set[int]) -> bool:
    """A ``return`` (other than one of ``allowed``), or a ``break``/``continue`` of a loop
    outside ``statement``, somewhere in it."""
    stack: List[Tuple[cst.CSTNode, bool]] = [(statement, False)]
    while stack:
        node, in_loop = stack.pop()
        if isinstance(node, cst.Return) and id(node) not in allowed:
            return True
        if isinstance(node, (cst.Break, cst.Continue)) and not in_loop:
            return True
        if isinstance(node, _SCOPES):
            continue
        inner = in_loop or isinstance(node, (cst.For, cst.While))
        stack.extend((child, inner) for child in node.children)
    return False


def _exits_early(body: cst.CSTNode) -> bool:
    """A ``break`` of this loop or a ``return`` inside the loop body."""
    stack: List[Tuple[cst.CSTNode, bool]] = [(body, False)]
    while stack:
        node, in_inner_loop = stack.pop()
        if isinstance(node, cst.Return) or (isinstance(node, cst.Break) and not in_inner_loop):
            return True
        if isinstance(node, _SCOPES):
            continue
        inner = in_inner_loop or isinstance(node, (cst.For, cst.While))
        stack.extend((child, inner) for child in node.children)
    return False


def run_in_executor_call(index: BodyIndex, load: cst.Name) -> Optional[cst.Call]:
    """The ``loop.run_in_executor(<load>, ...)`` call whose executor argument is ``load``."""
    arg = index.parent.get(load)
    call = index.parent.get(arg) if isinstance(arg, cst.Arg) else None
    if (
        isinstance(call, cst.Call)
        and isinstance(call.func, cst.Attribute)
        and call.func.attr.value == "run_in_executor"
        and bool(call.args)
        and call.args[0] is arg
    ):
        return call
    return None
