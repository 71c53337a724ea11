"""Package math: float functions and the numeric limit constants.

Invariants:
- Functions follow Go's special cases (NaN/Inf in, NaN/Inf out, never a
  Python exception): Sqrt(-1) is NaN, Log(0) is -Inf, Pow follows IEEE
  pow as Go does.
- Constants are untyped with exact values (MaxUint64 is the integer
  2**64-1; Pi is the float closest to π, as Go's constant converts).
"""

from __future__ import annotations

import math
import sys
from collections.abc import Callable
from typing import Any

from lang import types as T
from stdlib.registry import Package, register

F = T.FLOAT64
F1 = T.Signature((F,), (F,))
F2 = T.Signature((F, F), (F,))

INF = math.inf
NAN = math.nan


def _safe1(fn: Callable[[float], float], domain_nan: bool = True) -> Callable[[Any, float], float]:
    def impl(ctx: Any, x: float) -> float:
        try:
            return fn(x)
        except (ValueError, OverflowError):
            return NAN if domain_nan else INF
    return impl


def _sqrt(ctx: Any, x: float) -> float:
    if x < 0 or x != x:
        return NAN
    return math.sqrt(x)


def _log_base(fn: Callable[[float], float]) -> Callable[[Any, float], float]:
    def impl(ctx: Any, x: float) -> float:
        if x != x or x < 0:
            return NAN
        if x == 0:
            return -INF
        if x == INF:
            return INF
        return fn(x)
    return impl


def _exp(ctx: Any, x: float) -> float:
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def _pow(ctx: Any, x: float, y: float) -> float:
    try:
        return math.pow(x, y)
    except ZeroDivisionError:
        # 0 ** negative: -Inf only for -0 and an odd integer exponent.
        odd = y.is_integer() and int(y) % 2 == 1
        return -INF if odd and math.copysign(1, x) < 0 else INF
    except (ValueError, OverflowError):
        if x != x or y != y:
            return NAN
        if x < 0 and not y.is_integer():
            return NAN
        # Overflow: the sign follows x for odd integer y.
        neg = x < 0 and y.is_integer() and int(y) % 2 == 1
        return -INF if neg else INF


def _max(ctx: Any, x: float, y: float) -> float:
    if math.isinf(x) and x > 0 or math.isinf(y) and y > 0:
        return INF
    if x != x or y != y:
        return NAN
    if x == 0 and y == 0:
        return y if math.copysign(1, x) < 0 else x
    return x if x > y else y


def _min(ctx: Any, x: float, y: float) -> float:
    if math.isinf(x) and x < 0 or math.isinf(y) and y < 0:
        return -INF
    if x != x or y != y:
        return NAN
    if x == 0 and y == 0:
        return x if math.copysign(1, x) < 0 else y
    return x if x < y else y


def _round(ctx: Any, x: float) -> float:
    """Half away from zero (Go's Round), exact for all floats."""
    if x != x or math.isinf(x):
        return x
    t = float(math.trunc(x))
    if abs(x - t) >= 0.5:
        t += math.copysign(1.0, x)
    return math.copysign(t, x)


def _round_even(ctx: Any, x: float) -> float:
    if x != x or math.isinf(x):
        return x
    return math.copysign(float(round(x)), x)


def _keep(fn: Callable[[float], Any]) -> Callable[[Any, float], float]:
    """floor/ceil/trunc: NaN and ±Inf pass through; -0 stays -0."""
    def impl(ctx: Any, x: float) -> float:
        if x != x or math.isinf(x):
            return x
        return math.copysign(float(fn(x)), x)
    return impl


def _mod(ctx: Any, x: float, y: float) -> float:
    if y == 0 or math.isinf(x) or x != x or y != y:
        return NAN
    return math.fmod(x, y)


def _inf(ctx: Any, sign: int) -> float:
    return INF if sign >= 0 else -INF


def _is_inf(ctx: Any, f: float, sign: int) -> bool:
    return (sign >= 0 and f == INF) or (sign <= 0 and f == -INF)


def _float64bits(ctx: Any, f: float) -> int:
    import struct
    return int(struct.unpack("<Q", struct.pack("<d", f))[0])


def _float64frombits(ctx: Any, b: int) -> float:
    import struct
    return float(struct.unpack("<d", struct.pack("<Q", b & (2**64 - 1)))[0])



pkg = Package("math", "math")
pkg.func("Sqrt", F1, _sqrt)
pkg.func("Cbrt", F1, lambda ctx, x: math.cbrt(x))
pkg.func("Abs", F1, lambda ctx, x: abs(x))
pkg.func("Floor", F1, _keep(math.floor))
pkg.func("Ceil", F1, _keep(math.ceil))
pkg.func("Trunc", F1, _keep(math.trunc))
pkg.func("Round", F1, _round)
pkg.func("RoundToEven", F1, _round_even)
pkg.func("Max", F2, _max)
pkg.func("Min", F2, _min)
pkg.func("Pow", F2, _pow)
pkg.func("Mod", F2, _mod)
pkg.func("Hypot", F2, lambda ctx, x, y: math.hypot(x, y))
pkg.func("Log", F1, _log_base(math.log))
pkg.func("Log2", F1, _log_base(math.log2))
pkg.func("Log10", F1, _log_base(math.log10))
pkg.func("Log1p", F1, _safe1(math.log1p))
pkg.func("Exp", F1, _exp)
pkg.func("Exp2", F1, lambda ctx, x: _pow(ctx, 2.0, x))
pkg.func("Sin", F1, _safe1(math.sin))
pkg.func("Cos", F1, _safe1(math.cos))
pkg.func("Tan", F1, _safe1(math.tan))
pkg.func("Asin", F1, _safe1(math.asin))
pkg.func("Acos", F1, _safe1(math.acos))
pkg.func("Atan", F1, _safe1(math.atan))
pkg.func("Atan2", F2, lambda ctx, y, x: math.atan2(y, x))
pkg.func("Sinh", F1, _safe1(math.sinh, False))
pkg.func("Cosh", F1, _safe1(math.cosh, False))
pkg.func("Tanh", F1, _safe1(math.tanh))
pkg.func("Inf", T.Signature((T.INT,), (F,)), _inf)
pkg.func("IsInf", T.Signature((F, T.INT), (T.BOOL,)), _is_inf)
pkg.func("IsNaN", T.Signature((F,), (T.BOOL,)), lambda ctx, f: f != f)
pkg.func("NaN", T.Signature((), (F,)), lambda ctx: NAN)
pkg.func("Signbit", T.Signature((F,), (T.BOOL,)), lambda ctx, f: math.copysign(1.0, f) < 0)
pkg.func("Copysign", F2, lambda ctx, x, y: math.copysign(x, y))
pkg.func("Float64bits", T.Signature((F,), (T.UINT64,)), _float64bits)
pkg.func("Float64frombits", T.Signature((T.UINT64,), (F,)), _float64frombits)

_UI = T.UNTYPED_INT
_UF = T.UNTYPED_FLOAT
for bits in (8, 16, 32, 64):
    pkg.const(f"MaxInt{bits}", _UI, (1 << (bits - 1)) - 1)
    pkg.const(f"MinInt{bits}", _UI, -(1 << (bits - 1)))
    pkg.const(f"MaxUint{bits}", _UI, (1 << bits) - 1)
pkg.const("MaxInt", _UI, (1 << 63) - 1)
pkg.const("MinInt", _UI, -(1 << 63))
pkg.const("MaxUint", _UI, (1 << 64) - 1)
pkg.const("MaxFloat64", _UF, sys.float_info.max)
pkg.const("SmallestNonzeroFloat64", _UF, 5e-324)
pkg.const("MaxFloat32", _UF, 3.4028234663852886e+38)
pkg.const("SmallestNonzeroFloat32", _UF, 1.401298464324817e-45)
pkg.const("Pi", _UF, math.pi)
pkg.const("E", _UF, math.e)
pkg.const("Sqrt2", _UF, math.sqrt(2))
pkg.const("Ln2", _UF, math.log(2))
pkg.const("Phi", _UF, (1 + math.sqrt(5)) / 2)
register(pkg)
