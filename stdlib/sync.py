"""Package sync: Mutex, RWMutex, WaitGroup, Once, Cond, Locker, NewCond.

Invariants:
- Each sync type is a Named struct whose last field ``state`` (type any,
  zero value nil) holds the runtime object (runtime/sync_objects.py),
  created on first use.  The zero value ``[None]`` is therefore a ready
  unlocked mutex / empty WaitGroup, and each variable gets its own state
  because zero values are copied per variable.  (Copying a *used* mutex
  shares its state; Go's vet forbids copying locks anyway.)
- Every method has a pointer receiver: impl(ctx, recv: Pointer, ...).
- Blocking methods (Lock, RLock, Wait, Cond.Wait) return PARKED per the
  park contract (runtime/park.py); the VM re-executes the call on wake.
- Cond's exported field ``L`` comes first: ``sync.Cond{L: &mu}`` and
  ``sync.NewCond(&mu)`` both work; L must be a *sync.Mutex or a
  *sync.RWMutex (its write side).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.panics import NIL_DEREF
from runtime.sync_objects import Cond, Mutex, Once, RWMutex, WaitGroup
from runtime.values import Iface, Pointer, runtime_error
from stdlib.registry import Package, register

_STATE = T.StructField("state", T.ANY)

MUTEX = T.Named("Mutex", "sync", T.Struct((_STATE,)))
RWMUTEX = T.Named("RWMutex", "sync", T.Struct((_STATE,)))
WAITGROUP = T.Named("WaitGroup", "sync", T.Struct((_STATE,)))
ONCE = T.Named("Once", "sync", T.Struct((_STATE,)))
LOCKER = T.Named("Locker", "sync", T.Interface((
    T.Method("Lock", T.Signature((), ())), T.Method("Unlock", T.Signature((), ())))))
COND = T.Named("Cond", "sync", T.Struct((T.StructField("L", LOCKER), _STATE)))
MUTEX_PTR = T.Pointer(MUTEX)
RWMUTEX_PTR = T.Pointer(RWMUTEX)
COND_PTR = T.Pointer(COND)


def _fields(recv: Pointer | None) -> list[Any]:
    if recv is None:
        raise GoPanic(runtime_error(NIL_DEREF))
    fields: list[Any] = recv.load()
    return fields


def _state(recv: Pointer | None, make: Callable[[], Any]) -> Any:
    fields = _fields(recv)
    st = fields[-1]
    if st is None:
        st = fields[-1] = make()
    return st


def _mutex(recv: Pointer | None) -> Mutex:
    st: Mutex = _state(recv, Mutex)
    return st


def _rw(recv: Pointer | None) -> RWMutex:
    st: RWMutex = _state(recv, RWMutex)
    return st


def _wg(recv: Pointer | None) -> WaitGroup:
    st: WaitGroup = _state(recv, WaitGroup)
    return st


def _once(recv: Pointer | None) -> Once:
    st: Once = _state(recv, Once)
    return st


def _locker_state(locker: Any) -> Mutex | RWMutex:
    """The runtime lock behind a Locker interface value."""
    if isinstance(locker, Iface):
        if locker.type == MUTEX_PTR:
            return _mutex(locker.value)
        if locker.type == RWMUTEX_PTR:
            return _rw(locker.value)
        raise GoPanic(Iface(T.STRING, f"csp: sync.Cond with a {locker.type} Locker "
                                      "is not supported (use *sync.Mutex or *sync.RWMutex)"))
    raise GoPanic(runtime_error(NIL_DEREF))


def _cond(recv: Pointer | None) -> Cond:
    fields = _fields(recv)
    st = fields[-1]
    if st is None:
        st = fields[-1] = Cond(_locker_state(fields[0]))
    assert isinstance(st, Cond)
    return st


def _method(t: T.Named, name: str, params: tuple[T.Type, ...], results: tuple[T.Type, ...],
            impl: Callable[..., Any]) -> None:
    t.methods[name] = T.MethodInfo(name, T.Signature(params, results), True, impl=impl)


_method(MUTEX, "Lock", (), (), lambda g, r: _mutex(r).lock(g))
_method(MUTEX, "Unlock", (), (), lambda g, r: _mutex(r).unlock())
_method(MUTEX, "TryLock", (), (T.BOOL,), lambda g, r: _mutex(r).try_lock())

_method(RWMUTEX, "Lock", (), (), lambda g, r: _rw(r).lock(g))
_method(RWMUTEX, "Unlock", (), (), lambda g, r: _rw(r).unlock())
_method(RWMUTEX, "RLock", (), (), lambda g, r: _rw(r).rlock(g))
_method(RWMUTEX, "RUnlock", (), (), lambda g, r: _rw(r).runlock())
_method(RWMUTEX, "TryLock", (), (T.BOOL,), lambda g, r: _rw(r).try_lock())
_method(RWMUTEX, "TryRLock", (), (T.BOOL,), lambda g, r: _rw(r).try_rlock())

_method(WAITGROUP, "Add", (T.INT,), (), lambda g, r, n: _wg(r).add(n))
_method(WAITGROUP, "Done", (), (), lambda g, r: _wg(r).done())
_method(WAITGROUP, "Wait", (), (), lambda g, r: _wg(r).wait(g))


def _once_do(g: Any, recv: Pointer | None, f: Any) -> None:
    if _once(recv).begin():
        g.call(f, [])


_method(ONCE, "Do", (T.Signature((), ()),), (), _once_do)

_method(COND, "Wait", (), (), lambda g, r: _cond(r).wait(g))
_method(COND, "Signal", (), (), lambda g, r: _cond(r).signal())
_method(COND, "Broadcast", (), (), lambda g, r: _cond(r).broadcast())


def _new_cond(g: Any, locker: Any) -> Pointer:
    return Pointer([[locker, None]], 0)


pkg = Package("sync", "sync")
pkg.type("Mutex", MUTEX)
pkg.type("RWMutex", RWMUTEX)
pkg.type("WaitGroup", WAITGROUP)
pkg.type("Once", ONCE)
pkg.type("Cond", COND)
pkg.type("Locker", LOCKER)
pkg.func("NewCond", T.Signature((LOCKER,), (COND_PTR,)), _new_cond)
register(pkg)
