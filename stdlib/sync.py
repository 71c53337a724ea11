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


# -race: happens-before edges for runtime/race.py.  ``_race(g)`` is None
# unless the run has a detector, so a plain run pays one attribute lookup.
def _race(g: Any) -> Any:
    try:
        return g.machine.race
    except AttributeError:
        return None


def _acquired(g: Any, res: Any, *keys: Any) -> Any:
    """res from a lock/wait: when it succeeded (not PARKED), acquire keys."""
    if res is None or res is True:
        race = _race(g)
        if race is not None:
            for k in keys:
                race.acquire(g, k)
    return res


def _released(g: Any, key: Any) -> None:
    race = _race(g)
    if race is not None:
        race.release(g, key)


def _mutex_lock(g: Any, r: Pointer | None) -> Any:
    st = _mutex(r)
    res = st.lock(g)
    if res is None:
        race = _race(g)
        if race is not None:
            race.acquire(g, st)
    return res


def _mutex_unlock(g: Any, r: Pointer | None) -> None:
    st = _mutex(r)
    race = _race(g)
    if race is not None:
        race.release(g, st)
    st.unlock()


def _rw_lock(g: Any, r: Pointer | None) -> Any:
    st = _rw(r)
    return _acquired(g, st.lock(g), st, st.rq)


def _rw_trylock(g: Any, r: Pointer | None) -> Any:
    st = _rw(r)
    return _acquired(g, st.try_lock(), st, st.rq)


def _rw_unlock(g: Any, r: Pointer | None) -> None:
    st = _rw(r)
    _released(g, st)
    st.unlock()


def _rw_runlock(g: Any, r: Pointer | None) -> None:
    st = _rw(r)
    _released(g, st.rq)  # the readers' side: RUnlock -> the next Lock
    st.runlock()


def _wg_done(g: Any, r: Pointer | None, n: int = -1) -> None:
    st = _wg(r)
    if n < 0:
        _released(g, st)
    st.add(n)


def _method(t: T.Named, name: str, params: tuple[T.Type, ...], results: tuple[T.Type, ...],
            impl: Callable[..., Any]) -> None:
    t.methods[name] = T.MethodInfo(name, T.Signature(params, results), True, impl=impl)


_method(MUTEX, "Lock", (), (), _mutex_lock)
_method(MUTEX, "Unlock", (), (), _mutex_unlock)
_method(MUTEX, "TryLock", (), (T.BOOL,),
        lambda g, r: _acquired(g, _mutex(r).try_lock(), _mutex(r)))

_method(RWMUTEX, "Lock", (), (), _rw_lock)
_method(RWMUTEX, "Unlock", (), (), _rw_unlock)
_method(RWMUTEX, "RLock", (), (), lambda g, r: _acquired(g, _rw(r).rlock(g), _rw(r)))
_method(RWMUTEX, "RUnlock", (), (), _rw_runlock)
_method(RWMUTEX, "TryLock", (), (T.BOOL,), _rw_trylock)
_method(RWMUTEX, "TryRLock", (), (T.BOOL,),
        lambda g, r: _acquired(g, _rw(r).try_rlock(), _rw(r)))

_method(WAITGROUP, "Add", (T.INT,), (), lambda g, r, n: _wg_done(g, r, n))
_method(WAITGROUP, "Done", (), (), _wg_done)
_method(WAITGROUP, "Wait", (), (), lambda g, r: _acquired(g, _wg(r).wait(g), _wg(r)))


def _once_do(g: Any, recv: Pointer | None, f: Any) -> None:
    st = _once(recv)
    if st.begin():
        g.call(f, [])
        _released(g, st)  # -race: f's effects happen before every Do returns
    else:
        _acquired(g, None, st)


def _cond_wait(g: Any, r: Pointer | None) -> Any:
    c = _cond(r)
    _released(g, c.L)  # -race: Wait unlocks L
    return _acquired(g, c.wait(g), c.L, c)


def _cond_wake(g: Any, r: Pointer | None, everyone: bool) -> None:
    c = _cond(r)
    _released(g, c)
    if everyone:
        c.broadcast()
    else:
        c.signal()


_method(ONCE, "Do", (T.Signature((), ()),), (), _once_do)

_method(COND, "Wait", (), (), _cond_wait)
_method(COND, "Signal", (), (), lambda g, r: _cond_wake(g, r, False))
_method(COND, "Broadcast", (), (), lambda g, r: _cond_wake(g, r, True))


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
