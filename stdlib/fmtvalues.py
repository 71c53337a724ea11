"""What fmt needs to know about csp values beyond their layout: method
sets of dynamic types (String/Error/Unwrap lookup and calls), stable fake
addresses for references, and Go's map-key printing order
(internal/fmtsort).

Invariants:
- ``find_method`` follows Go's method sets: T has its value-receiver
  methods, *T has all methods of T.
- Native (library) methods carry a Python callable and no declaration and
  are called directly as ``impl(ctx, receiver, *args)``; user methods go
  through ``ctx.call_method``.
- ``fake_address`` keeps every object it numbers alive, so an id is never
  reused and an address never changes during a run.
"""

from __future__ import annotations

import functools
import math
from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Pointer, Slice, str_bytes

# ------------------------------------------------------------ methods


def find_method(typ: T.Type, name: str) -> T.MethodInfo | None:
    """The method ``name`` in the method set of dynamic type typ: value
    receiver methods of T, all methods of *T."""
    if isinstance(typ, T.Named):
        m = typ.methods.get(name)
        return m if m is not None and not m.ptr_recv else None
    if isinstance(typ, T.Pointer) and isinstance(typ.elem, T.Named):
        return typ.elem.methods.get(name)
    return None


def is_native_method(m: T.MethodInfo) -> bool:
    """Library methods carry a Python callable and no declaration."""
    return m.decl is None and callable(m.impl)


def call_method0(ctx: Any, value: Any, typ: T.Type, name: str,
                 m: T.MethodInfo | None = None) -> Any:
    """Call a method without arguments and return its first result.
    Native methods are called directly (dereferencing a pointer for a
    value receiver); user methods go through ``ctx.call_method``."""
    if m is None:
        m = find_method(typ, name)
        if m is None:
            raise KeyError(name)
    if is_native_method(m):
        recv = value
        if isinstance(typ, T.Pointer) and not m.ptr_recv:
            if value is None:
                raise GoPanic(_nil_deref())
            recv = value.load()
        return m.impl(ctx, recv)
    results = ctx.call_method(value, typ, name)
    return results[0] if results else None


def _nil_deref() -> Any:
    from runtime.values import runtime_error
    return runtime_error("invalid memory address or nil pointer dereference")


def has_sig(m: T.MethodInfo, params: tuple[T.Type, ...], results: tuple[T.Type, ...]) -> bool:
    return m.sig.params == params and m.sig.results == results and not m.sig.variadic


def error_method(typ: T.Type) -> T.MethodInfo | None:
    m = find_method(typ, "Error")
    return m if m is not None and has_sig(m, (), (T.STRING,)) else None


def string_method(typ: T.Type) -> T.MethodInfo | None:
    m = find_method(typ, "String")
    return m if m is not None and has_sig(m, (), (T.STRING,)) else None


# ------------------------------------------------------------ addresses

_ADDR_BASE = 0xC000010000
_addresses: dict[int, tuple[Any, int]] = {}
_next_addr = [_ADDR_BASE]


def fake_address(obj: Any, index: int = 0) -> int:
    """A stable pseudo address for a Go reference (pointer target list,
    slice backing array, map, channel, func).  The object is kept alive so
    its id is never reused for another object."""
    if obj is None:
        return 0
    entry = _addresses.get(id(obj))
    if entry is None or entry[0] is not obj:
        size = len(obj) * 8 if isinstance(obj, list) else 8
        base = _next_addr[0]
        _next_addr[0] += (size + 15) // 16 * 16 + 16
        entry = (obj, base)
        _addresses[id(obj)] = entry
    return entry[1] + 8 * index


def address_of(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, Pointer):
        return fake_address(value.ref, value.idx)
    if isinstance(value, Slice):
        return fake_address(value.arr, value.off)
    return fake_address(value)


# ------------------------------------------------------------ map key order

def _type_rank(t: T.Type) -> tuple[int, str]:
    u = T.underlying(t)
    kind = int(u.kind) if isinstance(u, T.Basic) else 100
    return (kind, str(t))


def _cmp(a: Any, b: Any) -> int:
    return -1 if a < b else (1 if a > b else 0)


def compare_keys(a: Any, b: Any, typ: T.Type) -> int:
    """Go's internal/fmtsort order for map keys of type typ."""
    u = T.underlying(typ)
    if isinstance(u, T.Basic):
        if u.kind in T.FLOAT_KINDS:
            if a < b:
                return -1
            if a > b:
                return 1
            if a == b:
                return 0
            an, bn = math.isnan(a), math.isnan(b)
            return -1 if an and not bn else (1 if bn and not an else 0)
        if u.kind in (T.Kind.STRING, T.Kind.UNTYPED_STRING):
            if a.isascii() and b.isascii():
                return _cmp(a, b)
            return _cmp(str_bytes(a), str_bytes(b))
        return _cmp(a, b)
    if isinstance(u, T.Struct):
        for f, x, y in zip(u.fields, a, b, strict=False):
            c = compare_keys(x, y, f.type)
            if c:
                return c
        return 0
    if isinstance(u, T.Array):
        for x, y in zip(a, b, strict=False):
            c = compare_keys(x, y, u.elem)
            if c:
                return c
        return 0
    if isinstance(u, T.Interface):
        if a is None or b is None:
            return 0 if a is b else (-1 if a is None else 1)
        if a.type != b.type:
            return _cmp(_type_rank(a.type), _type_rank(b.type))
        return compare_keys(a.value, b.value, a.type)
    return _cmp(address_of(a), address_of(b))


def sorted_map_items(m: dict[Any, Any], key_type: T.Type) -> list[tuple[Any, Any]]:
    """The entries of map m in Go's printing order."""
    def order(x: tuple[Any, Any], y: tuple[Any, Any]) -> int:
        return compare_keys(x[0], y[0], key_type)
    return sorted(m.items(), key=functools.cmp_to_key(order))
