# Exact constant arithmetic for Go constant expressions.
#
# Invariants:
# - A constant value is a Python ``bool``, ``str`` (Go bytes decoded as
#   UTF-8 with surrogateescape, as at run time), ``int`` (all integer and
#   rune constants, unbounded) or ``Fraction`` (float constants, exact).
#   Typed float constants are kept as the Fraction of the rounded IEEE value,
#   so later arithmetic on them stays exact as in Go.
# - ``represent`` is the single place that decides whether a value fits a
#   type; it returns the converted value or a reason string Go prints
#   ("overflows", "truncated").
# - ``final_value`` turns an exact value into what TypeInfo.consts stores
#   (int / float / str / bool) for the expression's final type.
from __future__ import annotations

import math
import struct
from fractions import Fraction

from lang import types as T

ConstValue = bool | str | int | Fraction

FLOAT64_MAX = Fraction(2) ** 1023 * (2 - Fraction(1, 2**52))
FLOAT32_MAX = Fraction(2) ** 127 * (2 - Fraction(1, 2**23))


def int_range(kind: T.Kind) -> tuple[int, int]:
    bits, signed = T.INT_WIDTH[kind]
    if signed:
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return 0, (1 << bits) - 1


def round_float64(v: Fraction) -> Fraction | None:
    """v rounded to the nearest float64, or None when it overflows."""
    if abs(v) > FLOAT64_MAX:
        return None
    try:
        return Fraction(float(v))
    except OverflowError:
        return None


def round_float32(v: Fraction) -> Fraction | None:
    if abs(v) > FLOAT32_MAX:
        return None
    f = float(v)
    try:
        packed = struct.pack("<f", f)
    except OverflowError:
        return None
    return Fraction(struct.unpack("<f", packed)[0])


def represent(v: ConstValue, typ: T.Type) -> tuple[ConstValue | None, str]:
    """Convert constant v to basic type typ (its underlying).  Returns
    (value, "") when representable, else (None, reason) where reason is
    "overflows", "truncated" or "" (wrong kind entirely)."""
    u = T.underlying(typ)
    if not isinstance(u, T.Basic):
        return None, ""
    k = u.kind
    if k in (T.Kind.BOOL, T.Kind.UNTYPED_BOOL):
        return (v, "") if isinstance(v, bool) else (None, "")
    if k in (T.Kind.STRING, T.Kind.UNTYPED_STRING):
        return (v, "") if isinstance(v, str) else (None, "")
    if isinstance(v, (bool, str)):
        return None, ""
    if k in T.INTEGER_KINDS:
        if isinstance(v, Fraction):
            if v.denominator != 1:
                return None, "truncated"
            v = int(v)
        if k in (T.Kind.UNTYPED_INT, T.Kind.UNTYPED_RUNE):
            return v, ""
        lo, hi = int_range(k)
        if not lo <= v <= hi:
            return None, "overflows"
        return v, ""
    if k in T.FLOAT_KINDS:
        fv = Fraction(v)
        if k is T.Kind.UNTYPED_FLOAT:
            return fv, ""
        r = round_float32(fv) if k is T.Kind.FLOAT32 else round_float64(fv)
        if r is None:
            return None, "overflows"
        return r, ""
    return None, ""


def final_value(v: ConstValue, typ: T.Type) -> object:
    """The Python value the compiler emits for constant v of type typ."""
    if isinstance(v, Fraction):
        if T.is_integer(typ):
            return int(v)
        return float(v)
    if isinstance(v, int) and not isinstance(v, bool) and T.is_float(typ):
        return float(v)
    return v


def go_string_len(s: str) -> int:
    if s.isascii():
        return len(s)
    return len(s.encode("utf-8", "surrogateescape"))


def format_value(v: ConstValue) -> str:
    """Go's spelling of a constant in messages (``1.5``, ``"a"``, ``true``)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return go_quote(v)
    if isinstance(v, int):
        return str(v)
    if v.denominator == 1:
        n = v.numerator
        if abs(n) < 10**21:
            return str(n)
        return _float_e(float(v))
    f = float(v)
    if f != 0 and (abs(f) < 1e-4 or abs(f) >= 1e21):
        return _float_e(f)
    r = repr(f)
    return r


def _float_e(f: float) -> str:
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    s = f"{f:e}"
    mant, exp = s.split("e")
    mant = mant.rstrip("0").rstrip(".")
    sign = exp[0]
    digits = exp[1:].lstrip("0") or "0"
    if len(digits) < 2:
        digits = "0" + digits
    return f"{mant}e{sign}{digits}"


def go_quote(s: str) -> str:
    out = ['"']
    for ch in s:
        o = ord(ch)
        if ch == '"':
            out.append('\\"')
        elif ch == "\\":
            out.append("\\\\")
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif ch == "\r":
            out.append("\\r")
        elif 0xDC80 <= o <= 0xDCFF:
            out.append(f"\\x{o - 0xDC00:02x}")
        elif o < 0x20 or o == 0x7F:
            out.append(f"\\x{o:02x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


# --------------------------------------------------------------------------
# Operations.  Each returns the exact result or raises ConstError.


class ConstError(Exception):
    """A constant operation Go rejects (division by zero)."""


def unary(op: str, v: ConstValue, typ: T.Type) -> ConstValue:
    if op == "+":
        return v
    if op == "-":
        assert not isinstance(v, (bool, str))
        return -v
    if op == "!":
        return not v
    if op == "^":
        assert isinstance(v, int)
        u = T.underlying(typ)
        if isinstance(u, T.Basic) and u.kind in T.UNSIGNED_KINDS:
            bits, _ = T.INT_WIDTH[u.kind]
            return v ^ ((1 << bits) - 1)
        return ~v
    raise ConstError(op)


def binary(op: str, a: ConstValue, b: ConstValue, integer: bool) -> ConstValue:
    """a op b for non-shift, non-comparison operators; integer selects
    truncating division."""
    if op == "&&":
        return bool(a) and bool(b)
    if op == "||":
        return bool(a) or bool(b)
    if isinstance(a, str) and isinstance(b, str):
        if op == "+":
            return a + b
        raise ConstError(op)
    assert not isinstance(a, (str, bool)) and not isinstance(b, (str, bool))
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b
    if op == "/":
        if b == 0:
            raise ConstError("division by zero")
        if integer:
            ia, ib = int(a), int(b)
            q = abs(ia) // abs(ib)
            return q if (ia >= 0) == (ib >= 0) else -q
        return Fraction(a) / Fraction(b)
    ia, ib = int(a), int(b)
    if op == "%":
        if ib == 0:
            raise ConstError("division by zero")
        r = abs(ia) % abs(ib)
        return r if ia >= 0 else -r
    if op == "&":
        return ia & ib
    if op == "|":
        return ia | ib
    if op == "^":
        return ia ^ ib
    if op == "&^":
        return ia & ~ib
    raise ConstError(op)


def shift(op: str, a: int, s: int) -> int:
    return a << s if op == "<<" else a >> s


def compare(op: str, a: ConstValue, b: ConstValue) -> bool:
    if op == "==":
        return a == b
    if op == "!=":
        return a != b
    if isinstance(a, str) and isinstance(b, str):
        ab, bb = a.encode("utf-8", "surrogateescape"), b.encode("utf-8", "surrogateescape")
        return _order(op, ab, bb)
    assert not isinstance(a, (str, bool)) and not isinstance(b, (str, bool))
    return _order(op, Fraction(a), Fraction(b))


def _order(op: str, a: object, b: object) -> bool:
    x: bool
    if op == "<":
        x = a < b  # type: ignore[operator]
    elif op == "<=":
        x = a <= b  # type: ignore[operator]
    elif op == ">":
        x = a > b  # type: ignore[operator]
    else:
        x = a >= b  # type: ignore[operator]
    return x


# --------------------------------------------------------------------------
# Literals


_SIMPLE_ESC = {
    "a": 7,
    "b": 8,
    "f": 12,
    "n": 10,
    "r": 13,
    "t": 9,
    "v": 11,
    "\\": 92,
    "'": 39,
    '"': 34,
}


def _unescape(body: str) -> tuple[bytes, bool]:
    """Bytes of a Go string/rune literal body; ok False on a bad escape."""
    out = bytearray()
    i, n = 0, len(body)
    while i < n:
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8", "surrogateescape")
            i += 1
            continue
        if i + 1 >= n:
            return bytes(out), False
        c = body[i + 1]
        if c in _SIMPLE_ESC:
            out.append(_SIMPLE_ESC[c])
            i += 2
        elif c == "x":
            out.append(int(body[i + 2 : i + 4], 16))
            i += 4
        elif c in "01234567":
            out.append(int(body[i + 1 : i + 4], 8) & 0xFF)
            i += 4
        elif c in "uU":
            width = 4 if c == "u" else 8
            out += chr(int(body[i + 2 : i + 2 + width], 16)).encode("utf-8", "surrogatepass")
            i += 2 + width
        else:
            return bytes(out), False
    return bytes(out), True


def parse_literal(kind: str, text: str) -> ConstValue | None:
    """The exact value of a Go literal; None if malformed."""
    try:
        if kind == "INT":
            t = text.replace("_", "")
            if len(t) > 1 and t[0] == "0" and t[1] in "0123456789":
                return int(t, 8)
            return int(t, 0)
        if kind == "FLOAT":
            t = text.replace("_", "").lower()
            if t.startswith("0x"):
                mant, _, exp = t[2:].partition("p")
                ip, _, fp = mant.partition(".")
                num = int((ip + fp) or "0", 16)
                return Fraction(num, 16 ** len(fp)) * Fraction(2) ** int(exp or "0")
            mant, _, exp = t.partition("e")
            return Fraction(mant) * Fraction(10) ** int(exp or "0")
        if kind == "CHAR":
            body = text[1:-1]
            if body.startswith("\\"):
                c = body[1]
                if c in _SIMPLE_ESC:
                    return _SIMPLE_ESC[c]
                if c == "x":
                    return int(body[2:], 16)
                if c in "uU":
                    return int(body[2:], 16)
                return int(body[1:], 8)
            return ord(body)
        if kind == "STRING":
            if text.startswith("`"):
                return text[1:-1].replace("\r", "")
            raw, ok = _unescape(text[1:-1])
            if not ok:
                return None
            return raw.decode("utf-8", "surrogateescape")
    except (ValueError, IndexError, ZeroDivisionError):
        return None
    return None
