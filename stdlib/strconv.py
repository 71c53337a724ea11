"""Package strconv: Itoa, Atoi, Format/Parse for ints, floats and bools,
Quote and friends.

Invariants:
- Parse errors are ``*strconv.NumError`` values whose Error() reads like
  Go's: ``strconv.Atoi: parsing "x": invalid syntax``; ``NumError.Err`` is
  one of the sentinel errors ErrSyntax / ErrRange (errors.Is sees them).
- Out-of-range results are clamped as Go does (ParseInt returns the
  nearest bound, ParseFloat returns ±Inf) together with ErrRange.
"""

from __future__ import annotations

import math
import re
from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Iface, Pointer, Slice, str_bytes
from stdlib import fmtnum
from stdlib.errors import new_error
from stdlib.registry import Package, register

S = T.STRING
I = T.INT

ERR_SYNTAX = new_error("invalid syntax")
ERR_RANGE = new_error("value out of range")

NUM_ERROR = T.Named("NumError", "strconv", T.Struct((
    T.StructField("Func", S), T.StructField("Num", S), T.StructField("Err", T.ERROR))))


def _num_error_text(ctx: Any, recv: Pointer) -> str:
    from stdlib.fmtcore import call_method0
    func, num, err = recv.load()
    inner = "<nil>" if err is None else call_method0(ctx, err.value, err.type, "Error")
    return f"strconv.{func}: parsing {fmtnum.quote(num)}: {inner}"


NUM_ERROR.methods["Error"] = T.MethodInfo(
    "Error", T.Signature((), (S,)), True, impl=_num_error_text)
NUM_ERROR.methods["Unwrap"] = T.MethodInfo(
    "Unwrap", T.Signature((), (T.ERROR,)), True, impl=lambda ctx, recv: recv.load()[2])
NUM_ERROR_PTR = T.Pointer(NUM_ERROR)


def num_error(func: str, num: str, err: Iface) -> Iface:
    return Iface(NUM_ERROR_PTR, Pointer([[func, num, err]], 0))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _parse_uint_text(s: str, base: int) -> int | None:
    """Digits (with Go's base prefixes and underscores for base 0) to int,
    or None for a syntax error."""
    if s == "":
        return None
    base0 = base == 0
    if base0:
        base = 10
        low = s.lower()
        if s[0] == "0":
            if len(s) >= 3 and low[1] == "b":
                base, s = 2, s[2:]
            elif len(s) >= 3 and low[1] == "o":
                base, s = 8, s[2:]
            elif len(s) >= 3 and low[1] == "x":
                base, s = 16, s[2:]
            else:
                base, s = 8, s[1:] or "0"
        if "_" in s:
            if s.startswith("_") or s.endswith("_") or "__" in s:
                return None
            s = s.replace("_", "")
    n = 0
    for c in s.lower():
        d = _DIGITS.find(c)
        if d < 0 or d >= base:
            return None
        n = n * base + d
    return n


def parse_int(func: str, s: str, base: int, bit_size: int) -> tuple[int, Any]:
    if s == "":
        return 0, num_error(func, s, ERR_SYNTAX)
    if not (base == 0 or 2 <= base <= 36):
        return 0, num_error(func, s, new_error(f"invalid base {base}"))
    if bit_size == 0:
        bit_size = 64
    neg = s[0] == "-"
    body = s[1:] if s[0] in "+-" else s
    n = _parse_uint_text(body, base)
    if n is None:
        return 0, num_error(func, s, ERR_SYNTAX)
    if neg:
        n = -n
    lo, hi = -(1 << (bit_size - 1)), (1 << (bit_size - 1)) - 1
    if n > hi:
        return hi, num_error(func, s, ERR_RANGE)
    if n < lo:
        return lo, num_error(func, s, ERR_RANGE)
    return n, None


def parse_uint(s: str, base: int, bit_size: int) -> tuple[int, Any]:
    if s == "":
        return 0, num_error("ParseUint", s, ERR_SYNTAX)
    if bit_size == 0:
        bit_size = 64
    n = _parse_uint_text(s, base)
    if n is None:
        return 0, num_error("ParseUint", s, ERR_SYNTAX)
    hi = (1 << bit_size) - 1
    if n > hi:
        return hi, num_error("ParseUint", s, ERR_RANGE)
    return n, None


def _atoi(ctx: Any, s: str) -> tuple[int, Any]:
    return parse_int("Atoi", s, 10, 64)


_FLOAT_RE = re.compile(r"[+-]?(\d[\d_]*\.?[\d_]*|\.\d[\d_]*)([eE][+-]?\d+)?$")
_HEX_FLOAT_RE = re.compile(r"[+-]?0[xX]([0-9a-fA-F_]*\.?[0-9a-fA-F_]*)[pP][+-]?\d+$")


def parse_float(ctx: Any, s: str, bit_size: int) -> tuple[float, Any]:
    low = s.lower()
    sign = -1.0 if low.startswith("-") else 1.0
    bare = low.lstrip("+-")
    if len(low) - len(bare) <= 1 and bare in ("inf", "infinity"):
        return sign * math.inf, None
    if len(low) - len(bare) == 0 and bare == "nan":
        return math.nan, None
    try:
        if _FLOAT_RE.match(s):
            v = float(s.replace("_", ""))
        elif _HEX_FLOAT_RE.match(s):
            v = float.fromhex(s.replace("_", ""))
        else:
            return 0.0, num_error("ParseFloat", s, ERR_SYNTAX)
    except (ValueError, OverflowError):
        return 0.0, num_error("ParseFloat", s, ERR_SYNTAX)
    if bit_size == 32:
        v = fmtnum.to_float32(v)
    if math.isinf(v):
        return v, num_error("ParseFloat", s, ERR_RANGE)
    return v, None


def _parse_bool(ctx: Any, s: str) -> tuple[bool, Any]:
    if s in ("1", "t", "T", "TRUE", "true", "True"):
        return True, None
    if s in ("0", "f", "F", "FALSE", "false", "False"):
        return False, None
    return False, num_error("ParseBool", s, ERR_SYNTAX)


def _check_base(base: int) -> None:
    if not 2 <= base <= 36:
        raise GoPanic(Iface(S, "strconv: illegal AppendInt/FormatInt base"))


def _format_int(ctx: Any, v: int, base: int) -> str:
    _check_base(base)
    return fmtnum.format_int(v, base)


def _format_float(ctx: Any, f: float, fmt: int, prec: int, bit_size: int) -> str:
    c = chr(fmt)
    if c not in "eEfgGbxX":
        return "%" + c
    return fmtnum.format_float(f, c, prec, bit_size)


def _unquote(ctx: Any, s: str) -> tuple[str, Any]:
    if len(s) < 2 or s[0] != s[-1] or s[0] not in "\"'`":
        return "", ERR_SYNTAX
    body = s[1:-1]
    if s[0] == "`":
        if "`" in body:
            return "", ERR_SYNTAX
        return body.replace("\r", ""), None
    if "\n" in body:
        return "", ERR_SYNTAX
    try:
        raw = str_bytes(body)
        decoded = _decode_escapes(raw, s[0])
    except ValueError:
        return "", ERR_SYNTAX
    if s[0] == "'" and len(decoded) != 1:
        return "", ERR_SYNTAX
    return decoded, None


_SIMPLE = {ord("a"): 7, ord("b"): 8, ord("f"): 12, ord("n"): 10, ord("r"): 13,
           ord("t"): 9, ord("v"): 11, ord("\\"): 92, ord("'"): 39, ord('"'): 34}


def _decode_escapes(raw: bytes, quote: str) -> str:
    out = bytearray()
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == ord(quote) and quote != "`":
            raise ValueError
        if c != 92:
            out.append(c)
            i += 1
            continue
        if i + 1 >= len(raw):
            raise ValueError
        e = raw[i + 1]
        if e in _SIMPLE:
            if (e == ord("'") and quote == '"') or (e == ord('"') and quote == "'"):
                raise ValueError
            out.append(_SIMPLE[e])
            i += 2
        elif e in b"xuU":
            n = {ord("x"): 2, ord("u"): 4, ord("U"): 8}[e]
            v = int(raw[i + 2:i + 2 + n].decode("ascii"), 16)
            if len(raw[i + 2:i + 2 + n]) != n:
                raise ValueError
            if e == ord("x"):
                out.append(v)
            else:
                out += chr(v).encode("utf-8")
            i += 2 + n
        elif 48 <= e <= 55:
            v = int(raw[i + 1:i + 4].decode("ascii"), 8)
            if v > 255:
                raise ValueError
            out.append(v)
            i += 4
        else:
            raise ValueError
    return out.decode("utf-8", "surrogateescape")


def _append_int(ctx: Any, dst: Slice | None, v: int, base: int) -> Slice:
    _check_base(base)
    data = (dst.items() if dst is not None else []) + list(str_bytes(fmtnum.format_int(v, base)))
    return Slice(data, 0, len(data), len(data))


def _sig(params: tuple[T.Type, ...], results: tuple[T.Type, ...]) -> T.Signature:
    return T.Signature(params, results)


pkg = Package("strconv", "strconv")
pkg.type("NumError", NUM_ERROR)
pkg.var("ErrSyntax", T.ERROR, ERR_SYNTAX)
pkg.var("ErrRange", T.ERROR, ERR_RANGE)
pkg.const("IntSize", T.UNTYPED_INT, 64)
pkg.func("Itoa", _sig((I,), (S,)), lambda ctx, v: str(v))
pkg.func("Atoi", _sig((S,), (I, T.ERROR)), _atoi)
pkg.func("FormatInt", _sig((T.INT64, I), (S,)), _format_int)
pkg.func("FormatUint", _sig((T.UINT64, I), (S,)), _format_int)
pkg.func("ParseInt", _sig((S, I, I), (T.INT64, T.ERROR)),
         lambda ctx, s, base, bits: parse_int("ParseInt", s, base, bits))
pkg.func("ParseUint", _sig((S, I, I), (T.UINT64, T.ERROR)),
         lambda ctx, s, base, bits: parse_uint(s, base, bits))
pkg.func("ParseFloat", _sig((S, I), (T.FLOAT64, T.ERROR)), parse_float)
pkg.func("ParseBool", _sig((S,), (T.BOOL, T.ERROR)), _parse_bool)
pkg.func("FormatFloat", _sig((T.FLOAT64, T.BYTE, I, I), (S,)), _format_float)
pkg.func("FormatBool", _sig((T.BOOL,), (S,)), lambda ctx, b: "true" if b else "false")
pkg.func("Quote", _sig((S,), (S,)), lambda ctx, s: fmtnum.quote(s))
pkg.func("QuoteToASCII", _sig((S,), (S,)), lambda ctx, s: fmtnum.quote(s, True))
pkg.func("QuoteRune", _sig((T.RUNE,), (S,)), lambda ctx, r: fmtnum.quote_rune(r))
pkg.func("QuoteRuneToASCII", _sig((T.RUNE,), (S,)), lambda ctx, r: fmtnum.quote_rune(r, True))
pkg.func("Unquote", _sig((S,), (S, T.ERROR)), _unquote)
pkg.func("AppendInt", _sig((T.Slice(T.BYTE), T.INT64, I), (T.Slice(T.BYTE),)), _append_int)
register(pkg)
