"""Go runtime-style printing (not fmt): the builtin print/println layout
and the text of an unrecovered panic value (Go's printpanicval), for the
VM's panic reports.

Invariant: floats print as the Go runtime does (``+1.500000e+000``),
never with fmt's shortest layout.
"""

from __future__ import annotations

import math
from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from stdlib import fmtnum
from stdlib.fmtvalues import address_of, call_method0, error_method, fake_address, string_method


def runtime_float_string(v: float) -> str:
    """Go runtime printfloat: +1.500000e+000 (builtin print, panics)."""
    if v != v:
        return "NaN"
    if v + v == v and v > 0:
        return "+Inf"
    if v + v == v and v < 0:
        return "-Inf"
    n = 7
    sign = "+"
    e = 0
    if v == 0:
        if math.copysign(1.0, v) < 0:
            sign = "-"
    else:
        if v < 0:
            v = -v
            sign = "-"
        while v >= 10:
            e += 1
            v /= 10
        while v < 1:
            e -= 1
            v *= 10
        h = 5.0
        for _ in range(n):
            h /= 10
        v += h
        if v >= 10:
            e += 1
            v /= 10
    digits = []
    for _ in range(n):
        s = int(v)
        digits.append(chr(s + 48))
        v -= s
        v *= 10
    esign = "+"
    if e < 0:
        e = -e
        esign = "-"
    return f"{sign}{digits[0]}.{''.join(digits[1:])}e{esign}{e // 100}{e // 10 % 10}{e % 10}"


def runtime_print_string(value: Any, typ: T.Type) -> str:
    """How the builtin print/println writes one operand."""
    u = T.underlying(typ)
    if isinstance(u, T.Basic):
        if u.kind in T.FLOAT_KINDS:
            return runtime_float_string(value)
        if u.kind in (T.Kind.BOOL, T.Kind.UNTYPED_BOOL):
            return "true" if value else "false"
        if u.kind is T.Kind.UNTYPED_NIL:
            return "nil"
        return str(value)
    if isinstance(u, T.Interface):
        if value is None:
            return "(0x0,0x0)"
        data = address_of(value.value) or fake_address(value)
        return f"(0x{fake_address(value.type):x},0x{data:x})"
    if isinstance(u, T.Slice):
        if value is None:
            return "[0/0]0x0"
        return f"[{value.len}/{value.cap}]0x{address_of(value):x}"
    return f"0x{address_of(value):x}"


def panic_value_string(ctx: Any, value: Any) -> str:
    """Go's text after ``panic: `` for a boxed panic value: Error() or
    String() when the dynamic type has one, plain basic values (strings
    unquoted, floats in runtime layout), ``main.T(5)`` for named basic
    types, and ``(T) 0xADDR`` for other types."""
    if value is None:
        return "nil"
    typ, v = value.type, value.value
    m = error_method(typ)
    name = "Error"
    if m is None:
        m = string_method(typ)
        name = "String"
    if m is not None:
        try:
            text = call_method0(ctx, v, typ, name, m)
        except GoPanic:
            text = None
        if isinstance(text, str):
            return text
    u = T.underlying(typ)
    if isinstance(u, T.Basic):
        if u.kind in T.FLOAT_KINDS:
            text = runtime_float_string(v)
        elif u.kind in (T.Kind.BOOL, T.Kind.UNTYPED_BOOL):
            text = "true" if v else "false"
        else:
            text = str(v)
        if isinstance(typ, T.Named):
            if u.kind in (T.Kind.STRING, T.Kind.UNTYPED_STRING):
                text = fmtnum.quote(v)
            return f"{typ}({text})"
        return text
    return f"({typ}) 0x{address_of(v) or fake_address(value):x}"
