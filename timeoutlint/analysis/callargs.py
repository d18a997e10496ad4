"""Reading and extending call arguments: the shared matchers behind every "is a timeout
passed?" question and every fix that inserts ``timeout=...``."""

from __future__ import annotations

import math
from typing import Optional

import libcst as cst


def keyword(call: cst.Call, name: str) -> Optional[cst.Arg]:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def has_star_kwargs(call: cst.Call) -> bool:
    """``f(**options)`` may carry any keyword: nothing is known about it."""
    return any(arg.star == "**" for arg in call.args)


def has_star_args(call: cst.Call) -> bool:
    return any(arg.star == "*" for arg in call.args)


def positional(call: cst.Call) -> list[cst.Arg]:
    return [arg for arg in call.args if arg.keyword is None and not arg.star]


def argument(call: cst.Call, name: str, position: Optional[int]) -> Optional[cst.Arg]:
    """The argument bound to parameter ``name`` (keyword, or positional at ``position``)."""
    found = keyword(call, name)
    if found is not None:
        return found
    if position is not None:
        index = 0
        for arg in call.args:
            if arg.keyword is not None or arg.star == "**":
                break
            if arg.star:
                return None  # ``f(*args, x)``: which parameter x binds is not known
            if index == position:
                return arg
            index += 1
    return None


def may_pass(call: cst.Call, name: str, position: Optional[int]) -> bool:
    """True when the call passes ``name``, or might (``*args``/``**kwargs``)."""
    if argument(call, name, position) is not None or has_star_kwargs(call):
        return True
    return position is not None and has_star_args(call)


def format_seconds(value: float) -> str:
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    return repr(value)


def with_keyword(call: cst.Call, name: str, value: cst.BaseExpression) -> cst.Call:
    """``call`` with ``name=value`` appended, following the call's own layout: a trailing
    comma and one-argument-per-line formatting are kept."""
    new_arg = cst.Arg(
        keyword=cst.Name(name),
        value=value,
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    args = list(call.args)
    if not args:
        before = call.whitespace_before_args
        if isinstance(before, cst.ParenthesizedWhitespace):
            # ``f(  # comment`` with ``)`` on a line of its own: the argument goes on a line
            # of its own, one level deeper, and the parenthesis keeps its place.
            inside = before.with_changes(last_line=cst.SimpleWhitespace(before.last_line.value + "    "))
            closing = before.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
            comma = cst.Comma(whitespace_after=closing)
            return call.with_changes(whitespace_before_args=inside, args=[new_arg.with_changes(comma=comma)])
        return call.with_changes(args=[new_arg])
    last = args[-1]
    tail = last.comma.whitespace_after if isinstance(last.comma, cst.Comma) else last.whitespace_after_arg
    if isinstance(tail, cst.ParenthesizedWhitespace):
        # The closing parenthesis is on a line of its own: the new argument gets a line of
        # its own, indented like the others; a comment after the old last argument stays
        # on its line, and the closing parenthesis keeps its place.
        if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
            template = args[-2].comma.whitespace_after
        else:
            template = call.whitespace_before_args
        if isinstance(template, cst.ParenthesizedWhitespace):
            indent, last_line = template.indent, template.last_line
        else:
            indent, last_line = tail.indent, cst.SimpleWhitespace(tail.last_line.value + "    ")
        between = tail.with_changes(indent=indent, last_line=last_line)
        closing = tail.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
        if isinstance(last.comma, cst.Comma):
            args[-1] = last.with_changes(comma=last.comma.with_changes(whitespace_after=between))
            args.append(new_arg.with_changes(comma=last.comma.with_changes(whitespace_after=closing)))
        else:
            args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=between), whitespace_after_arg=cst.SimpleWhitespace(""))
            args.append(new_arg.with_changes(whitespace_after_arg=closing))
        return call.with_changes(args=args)
    if isinstance(last.comma, cst.Comma):
        # A trailing comma: the new argument takes it, the old last one gets a comma
        # followed by the same whitespace that separates the arguments before it.
        if len(args) >= 2 and isinstance(args[-2].comma, cst.Comma):
            separator = args[-2].comma.whitespace_after
        else:
            separator = call.whitespace_before_args
        if isinstance(separator, cst.SimpleWhitespace) and not separator.value:
            separator = cst.SimpleWhitespace(" ")
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_before=last.comma.whitespace_before, whitespace_after=separator))
        args.append(new_arg.with_changes(comma=last.comma))
    else:
        args[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        args.append(new_arg)
    return call.with_changes(args=args)
