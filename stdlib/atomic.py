"""Package sync/atomic: the Add/Load/Store/Swap/CompareAndSwap functions
on *int32/*int64/*uint32/*uint64 and the types Int32, Int64, Uint32,
Uint64, Bool.

Invariant: the host runs one goroutine at a time and an atomic operation
never yields, so each operation is a plain read-modify-write through the
Pointer; results wrap at the type's width like Go's integers.  The types
are Named structs ``{v T}`` with pointer-receiver methods.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.panics import NIL_DEREF
from runtime.values import Pointer, runtime_error
from runtime.vmops import wrap
from stdlib.registry import Package, register

_WIDTH = {"Int32": (32 << 1) | 1, "Int64": (64 << 1) | 1,
          "Uint32": 32 << 1, "Uint64": 64 << 1}
_TYPES: dict[str, T.Type] = {"Int32": T.INT32, "Int64": T.INT64,
                             "Uint32": T.UINT32, "Uint64": T.UINT64}


def _ptr(p: Pointer | None) -> Pointer:
    if p is None:
        raise GoPanic(runtime_error(NIL_DEREF))
    return p


def _sync(g: Any, q: Pointer) -> None:
    """-race: an atomic operation is a synchronising access (runtime/race.py)."""
    race = getattr(getattr(g, "machine", None), "race", None)
    if race is not None:
        race.atomic(g, q.ref, q.idx)


def _funcs(code: int) -> dict[str, Callable[..., Any]]:
    def add(g: Any, p: Pointer | None, d: int) -> int:
        q = _ptr(p)
        _sync(g, q)
        v = wrap(q.load() + d, code)
        q.store(v)
        return v

    def load(g: Any, p: Pointer | None) -> Any:
        q = _ptr(p)
        _sync(g, q)
        return q.load()

    def store(g: Any, p: Pointer | None, v: Any) -> None:
        q = _ptr(p)
        _sync(g, q)
        q.store(v)

    def swap(g: Any, p: Pointer | None, v: Any) -> Any:
        q = _ptr(p)
        _sync(g, q)
        old = q.load()
        q.store(v)
        return old

    def cas(g: Any, p: Pointer | None, old: Any, new: Any) -> bool:
        q = _ptr(p)
        _sync(g, q)
        if q.load() == old:
            q.store(new)
            return True
        return False

    return {"Add": add, "Load": load, "Store": store, "Swap": swap, "CompareAndSwap": cas}


pkg = Package("sync/atomic", "atomic")

for suffix, code in _WIDTH.items():
    t = _TYPES[suffix]
    pt = T.Pointer(t)
    fns = _funcs(code)
    pkg.func("Add" + suffix, T.Signature((pt, t), (t,)), fns["Add"])
    pkg.func("Load" + suffix, T.Signature((pt,), (t,)), fns["Load"])
    pkg.func("Store" + suffix, T.Signature((pt, t), ()), fns["Store"])
    pkg.func("Swap" + suffix, T.Signature((pt, t), (t,)), fns["Swap"])
    pkg.func("CompareAndSwap" + suffix, T.Signature((pt, t, t), (T.BOOL,)),
             fns["CompareAndSwap"])

    # The atomic.Int64 style types: struct {v T}, methods on *T.
    named = T.Named(suffix, "sync/atomic", T.Struct((T.StructField("v", t),)))

    def field(fn: Callable[..., Any]) -> Callable[..., Any]:
        def method(g: Any, recv: Pointer | None, *args: Any) -> Any:
            return fn(g, Pointer(_ptr(recv).load(), 0), *args)
        return method

    for name, sig in [("Add", T.Signature((t,), (t,))), ("Load", T.Signature((), (t,))),
                      ("Store", T.Signature((t,), ())), ("Swap", T.Signature((t,), (t,))),
                      ("CompareAndSwap", T.Signature((t, t), (T.BOOL,)))]:
        named.methods[name] = T.MethodInfo(name, sig, True, impl=field(fns[name]))
    pkg.type(suffix, named)

BOOL_T = T.Named("Bool", "sync/atomic", T.Struct((T.StructField("v", T.BOOL),)))
_bool_fns = _funcs(0)
for _name, _sig in [("Load", T.Signature((), (T.BOOL,))), ("Store", T.Signature((T.BOOL,), ())),
                    ("Swap", T.Signature((T.BOOL,), (T.BOOL,))),
                    ("CompareAndSwap", T.Signature((T.BOOL, T.BOOL), (T.BOOL,)))]:
    def _bool_method(fn: Callable[..., Any]) -> Callable[..., Any]:
        def method(g: Any, recv: Pointer | None, *args: Any) -> Any:
            return fn(g, Pointer(_ptr(recv).load(), 0), *args)
        return method
    BOOL_T.methods[_name] = T.MethodInfo(_name, _sig, True, impl=_bool_method(_bool_fns[_name]))
pkg.type("Bool", BOOL_T)

register(pkg)
