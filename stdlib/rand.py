"""Package math/rand (imported as "math/rand", used as rand).

Invariants:
- Every number comes from ``ctx.rand()``, the run's seeded
  random.Random, so output is reproducible under ``--seed`` (the
  sequences differ from Go's own generator; programs must not depend on
  particular values).
- ``rand.Seed`` is accepted and ignored: reseeding the run's shared
  generator would also change scheduling decisions.
- Shuffle and Perm follow Go's algorithms (Fisher-Yates from the top,
  Perm's inside-out shuffle), calling swap through ctx.call.
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Iface, Slice
from stdlib.registry import Package, register


def _panic(msg: str) -> GoPanic:
    return GoPanic(Iface(T.STRING, msg))


def _intn(ctx: Any, n: int) -> int:
    if n <= 0:
        raise _panic("invalid argument to Intn")
    return int(ctx.rand().randrange(n))


def _int63n(ctx: Any, n: int) -> int:
    if n <= 0:
        raise _panic("invalid argument to Int63n")
    return int(ctx.rand().randrange(n))


def _int31n(ctx: Any, n: int) -> int:
    if n <= 0:
        raise _panic("invalid argument to Int31n")
    return int(ctx.rand().randrange(n))


def _shuffle(ctx: Any, n: int, swap: Any) -> None:
    if n < 0:
        raise _panic("invalid argument to Shuffle")
    rng = ctx.rand()
    for i in range(n - 1, 0, -1):
        j = rng.randrange(i + 1)
        ctx.call(swap, [i, j])


def _perm(ctx: Any, n: int) -> Slice:
    if n < 0:
        raise _panic("invalid argument to Perm")
    rng = ctx.rand()
    m = [0] * n
    for i in range(n):
        j = rng.randrange(i + 1)
        m[i] = m[j]
        m[j] = i
    return Slice(m, 0, n, n)


def _sig(params: tuple[T.Type, ...], results: tuple[T.Type, ...]) -> T.Signature:
    return T.Signature(params, results)


pkg = Package("math/rand", "rand")
pkg.func("Seed", _sig((T.INT64,), ()), lambda ctx, seed: None)
pkg.func("Intn", _sig((T.INT,), (T.INT,)), _intn)
pkg.func("Int63n", _sig((T.INT64,), (T.INT64,)), _int63n)
pkg.func("Int31n", _sig((T.INT32,), (T.INT32,)), _int31n)
pkg.func("Int", _sig((), (T.INT,)), lambda ctx: int(ctx.rand().getrandbits(63)))
pkg.func("Int63", _sig((), (T.INT64,)), lambda ctx: int(ctx.rand().getrandbits(63)))
pkg.func("Int31", _sig((), (T.INT32,)), lambda ctx: int(ctx.rand().getrandbits(31)))
pkg.func("Uint32", _sig((), (T.UINT32,)), lambda ctx: int(ctx.rand().getrandbits(32)))
pkg.func("Uint64", _sig((), (T.UINT64,)), lambda ctx: int(ctx.rand().getrandbits(64)))
pkg.func("Float64", _sig((), (T.FLOAT64,)), lambda ctx: float(ctx.rand().random()))
pkg.func("Shuffle", _sig((T.INT, T.Signature((T.INT, T.INT), ())), ()), _shuffle)
pkg.func("Perm", _sig((T.INT,), (T.Slice(T.INT),)), _perm)
register(pkg)
