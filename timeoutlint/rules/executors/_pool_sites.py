"""Where a pool made in a function lives (TL102): the function that makes it, whether
that function runs once (an entry point, test code), and whether the pool outlives the
call (returned, stored, handed out) or stays in it."""

from __future__ import annotations

from typing import Iterator, List, Optional, Tuple

import libcst as cst

from timeoutlint.rules.executors._pools import BodyIndex, Resolve, walk

_SCOPES = (cst.FunctionDef, cst.Lambda, cst.ClassDef)
ENTRY_DECORATORS = frozenset({"click.command", "click.group", "pytest.fixture"})
ENTRY_DECORATOR_ATTRS = frozenset({"command", "group"})
ENTRY_NAMES = frozenset({"main", "_main"})


def scopes_outwards(stack: List[cst.CSTNode]) -> Iterator[Tuple[cst.CSTNode, cst.CSTNode]]:
    """The functions, lambdas and classes whose body holds the current node, innermost
    first, each with its child on the way (a default, decorator or base is evaluated where
    the definition runs, so that scope is skipped)."""
    for position in range(len(stack) - 2, -1, -1):
        node, child = stack[position], stack[position + 1]
        if isinstance(node, _SCOPES) and child is node.body:
            yield node, child


def site(index: BodyIndex, ctor: cst.Call, resolve: Resolve) -> Optional[Tuple[str, Optional[str]]]:
    """How the pool is held: ("with", name), ("assign", name), ("bound", name) when the
    value is not only the pool, ("inline", None); None when it is handed out (returned,
    yielded, stored in an attribute or container, passed on)."""
    child: cst.CSTNode = ctor
    parent = index.parent.get(ctor)
    while True:
        if isinstance(parent, (cst.IfExp, cst.BooleanOperation)) and getattr(parent, "test", None) is not child:
            child, parent = parent, index.parent.get(parent)
            continue
        call = index.parent.get(parent) if isinstance(parent, cst.Arg) else None
        if isinstance(call, cst.Call) and len(call.args) == 1 and resolve(call.func) == "contextlib.closing":
            child, parent = call, index.parent.get(call)  # ``with closing(Pool(n)) as p:``
            continue
        break
    direct = child is ctor
    if isinstance(parent, cst.WithItem):
        if parent.asname is None:
            return ("inline", None)
        target = parent.asname.name
        if not isinstance(target, cst.Name):
            return None
        return ("with" if direct else "bound", target.value)
    if isinstance(parent, cst.Assign):
        targets = [t.target for t in parent.targets]
        if len(targets) == 1 and isinstance(targets[0], cst.Name):
            return ("assign" if direct else "bound", targets[0].value)
        return None
    if isinstance(parent, (cst.AnnAssign, cst.NamedExpr)) and isinstance(parent.target, cst.Name):
        return ("bound", parent.target.value)
    if isinstance(parent, (cst.Attribute, cst.Expr)) and direct:
        return ("inline", None)  # ``ThreadPoolExecutor().submit(...)``
    if isinstance(parent, cst.Arg) and direct:
        call = index.parent.get(parent)
        if isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute) and call.func.attr.value == "run_in_executor":
            return ("inline", None)
    return None


def stays_local(index: BodyIndex, name: str) -> bool:
    """Every read of the pool's name uses it here: no return, yield, store elsewhere or
    call argument (bar ``loop.run_in_executor(pool, ...)``), no closure, no global."""
    if not index.is_local_only(name):
        return False
    return all(local_use(index, load, name) for load in index.occurrences(name, "load"))


def local_use(index: BodyIndex, load: cst.Name, name: str) -> bool:
    parent = index.parent.get(load)
    if isinstance(parent, cst.Attribute):
        # a method called here; ``yield ex.map`` hands the pool out with its bound method
        call = index.parent.get(parent)
        return isinstance(call, cst.Call) and call.func is parent
    if isinstance(parent, cst.WithItem):
        return True
    if isinstance(parent, cst.Arg) and parent.keyword is None:
        call = index.parent.get(parent)
        return (
            isinstance(call, cst.Call)
            and isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "run_in_executor"
            and call.args[0] is parent
        )
    child: cst.CSTNode = load
    while isinstance(parent, (cst.BooleanOperation, cst.UnaryOperation)):
        child, parent = parent, index.parent.get(parent)
    if isinstance(parent, (cst.If, cst.While, cst.IfExp, cst.Assert)):
        return child is parent.test
    if isinstance(parent, (cst.Comparison, cst.ComparisonTarget)):
        return True
    if isinstance(parent, cst.Assign):  # ``pool = pool or ThreadPoolExecutor()``
        return all(isinstance(t.target, cst.Name) and t.target.value == name for t in parent.targets)
    return False


def mentions(node: cst.CSTNode, name: str) -> bool:
    return any(isinstance(inner, cst.Name) and inner.value == name for inner in walk(node))


def main_block_calls(module: cst.Module) -> Iterator[str]:
    """Names of the functions called under ``if __name__ == "__main__":``."""
    for statement in module.body:
        if isinstance(statement, cst.If) and is_main_test(statement.test):
            for node in walk(statement.body):
                if isinstance(node, cst.Call) and isinstance(node.func, cst.Name):
                    yield node.func.value


def is_main_test(test: cst.BaseExpression) -> bool:
    if not isinstance(test, cst.Comparison) or len(test.comparisons) != 1:
        return False
    sides = [test.left, test.comparisons[0].comparator]
    names = [side.value for side in sides if isinstance(side, cst.Name)]
    strings = [side.evaluated_value for side in sides if isinstance(side, cst.SimpleString)]
    return isinstance(test.comparisons[0].operator, cst.Equal) and names == ["__name__"] and strings == ["__main__"]


def is_module_level(stack: List[cst.CSTNode], function: cst.FunctionDef) -> bool:
    return not any(isinstance(node, _SCOPES) for node in stack[: stack.index(function)])
