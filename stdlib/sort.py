"""Package sort: Ints, Strings, Float64s, Slice, SliceStable, Search*,
*AreSorted.

Invariants:
- Sorting permutes the slice's backing elements in place
  (``arr[off:off+len]``), so every alias of the slice sees the result.
- sort.Slice / SliceStable call the Go ``less(i, j)`` closure through
  ctx.call with indexes into the *unsorted* slice: all comparisons happen
  before the permutation is written back, so less always reads the
  elements the indexes name.  The order is stable; Go's sort.Slice is only
  stable for n <= 12 (insertion sort), so ties in longer slices may be
  ordered differently than in Go (programs must not rely on that).
- Strings compare as Go bytes; Float64s puts NaNs first as Go does.
"""

from __future__ import annotations

import math
from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Iface, Slice, str_bytes
from stdlib.registry import Package, register


def _write_back(s: Slice, items: list[Any]) -> None:
    s.arr[s.off:s.off + s.len] = items


def _ints(ctx: Any, s: Slice | None) -> None:
    if s is not None:
        _write_back(s, sorted(s.items()))


def _string_key(items: list[str]) -> Any:
    if all(x.isascii() for x in items):
        return None
    return str_bytes


def _strings(ctx: Any, s: Slice | None) -> None:
    if s is not None:
        items = s.items()
        _write_back(s, sorted(items, key=_string_key(items)))


def _float_key(f: float) -> tuple[bool, float]:
    return (not math.isnan(f), 0.0 if math.isnan(f) else f)


def _float64s(ctx: Any, s: Slice | None) -> None:
    if s is not None:
        _write_back(s, sorted(s.items(), key=_float_key))


class _Index:
    """An index whose ``<`` is the Go less function."""

    __slots__ = ("i", "ctx", "less")

    def __init__(self, i: int, ctx: Any, less: Any) -> None:
        self.i = i
        self.ctx = ctx
        self.less = less

    def __lt__(self, other: _Index) -> bool:
        return bool(self.ctx.call(self.less, [self.i, other.i])[0])


def _slice_of(x: Any) -> Slice | None:
    if x is None:
        raise GoPanic(Iface(T.STRING, "reflect: call of Swapper on zero Value"))
    if not isinstance(T.underlying(x.type), T.Slice):
        raise GoPanic(Iface(T.STRING, f"reflect: call of Swapper on {x.type} Value"))
    v = x.value
    return v if isinstance(v, Slice) else None


def _sort_slice(ctx: Any, x: Any, less: Any) -> None:
    s = _slice_of(x)
    if s is None or s.len < 2:
        return
    order = sorted(_Index(i, ctx, less) for i in range(s.len))
    items = s.items()
    _write_back(s, [items[k.i] for k in order])


def _slice_is_sorted(ctx: Any, x: Any, less: Any) -> bool:
    s = _slice_of(x)
    if s is None:
        return True
    for i in range(s.len - 1, 0, -1):
        if ctx.call(less, [i, i - 1])[0]:
            return False
    return True


def _search(ctx: Any, n: int, f: Any) -> int:
    lo, hi = 0, n
    while lo < hi:
        h = (lo + hi) // 2
        if not ctx.call(f, [h])[0]:
            lo = h + 1
        else:
            hi = h
    return lo


def _search_values(s: Slice | None, x: Any) -> int:
    items = s.items() if s is not None else []
    lo, hi = 0, len(items)
    while lo < hi:
        h = (lo + hi) // 2
        if items[h] < x:
            lo = h + 1
        else:
            hi = h
    return lo


def _is_sorted(s: Slice | None, key: Any = None) -> bool:
    items = s.items() if s is not None else []
    if key is not None:
        items = [key(v) for v in items]
    return all(not items[i] < items[i - 1] for i in range(1, len(items)))


LESS = T.Signature((T.INT, T.INT), (T.BOOL,))
INTS = T.Slice(T.INT)
STRS = T.Slice(T.STRING)
FLOATS = T.Slice(T.FLOAT64)

pkg = Package("sort", "sort")
pkg.func("Ints", T.Signature((INTS,), ()), _ints)
pkg.func("Strings", T.Signature((STRS,), ()), _strings)
pkg.func("Float64s", T.Signature((FLOATS,), ()), _float64s)
pkg.func("Slice", T.Signature((T.ANY, LESS), ()), _sort_slice)
pkg.func("SliceStable", T.Signature((T.ANY, LESS), ()), _sort_slice)
pkg.func("SliceIsSorted", T.Signature((T.ANY, LESS), (T.BOOL,)), _slice_is_sorted)
pkg.func("Search", T.Signature((T.INT, T.Signature((T.INT,), (T.BOOL,))), (T.INT,)), _search)
pkg.func("SearchInts", T.Signature((INTS, T.INT), (T.INT,)), lambda ctx, s, x: _search_values(s, x))
pkg.func("SearchStrings", T.Signature((STRS, T.STRING), (T.INT,)),
         lambda ctx, s, x: _search_values(s, x))
pkg.func("IntsAreSorted", T.Signature((INTS,), (T.BOOL,)), lambda ctx, s: _is_sorted(s))
pkg.func("StringsAreSorted", T.Signature((STRS,), (T.BOOL,)),
         lambda ctx, s: _is_sorted(s, str_bytes))
pkg.func("Float64sAreSorted", T.Signature((FLOATS,), (T.BOOL,)),
         lambda ctx, s: _is_sorted(s, _float_key))
register(pkg)
