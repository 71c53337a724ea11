"""The runtime state behind package sync: Mutex, RWMutex, WaitGroup, Once,
Cond.  Semantics after Go's sync package and runtime/sema.go.

Every blocking method follows the park contract (runtime/park.py): it
returns PARKED after queueing one Waiter, and the VM re-executes the call
when the goroutine is woken; the method then finds its Waiter with
``take_wake(g)`` and completes.  ``Waiter.index`` tags whose waiter it is
(Cond.Wait can be woken by its Cond and then by its Locker).

Mutex (Go's normal mode, with starvation mode):
- Unlock of an unlocked mutex: ``fatal error: sync: unlock of unlocked
  mutex`` (GoFatal: not recoverable).
- Normal mode: Unlock releases the lock and wakes the oldest waiter, which
  must compete with running goroutines ("barging": the unlocker may take
  the lock again first).  At most one woken waiter is in flight.  A woken
  waiter that loses goes back to the *front* of the queue.
- Starvation: a waiter that has waited more than 1 ms (virtual) switches
  the mutex to handoff mode: Unlock passes ownership directly to the
  oldest waiter (``ok == True`` on its Waiter) until the queue drains.
Invariants: waiters non-empty implies locked or a woken waiter is in
flight; ``woken`` implies that one waiter is out of the queue, runnable.

RWMutex (writer preference, with direct handoff): a pending writer blocks
new readers; RUnlock of the last reader hands the lock to the oldest
writer; Unlock admits every reader that queued meanwhile, else the next
writer.  Invariant: writer and readers > 0 never hold it together.

WaitGroup: Add may not drive the counter negative (``panic: sync:
negative WaitGroup counter``); reaching zero wakes every waiter.

Once: ``done`` is set before the function runs (Go sets it in a defer,
so a panicking f also counts as done).  The function is a Go closure; the
native runs it through ``ctx.call`` (call_sync), so it must not block --
true of every Once in practice (the goroutines racing on Do are serialised
by the simulation anyway: a call_sync runs to completion in one slice).

Cond: Wait unlocks L, parks on the notify list, and when signalled
re-acquires L before returning (Signal wakes the oldest waiter, Broadcast
all).  L is a Mutex or an RWMutex (its write side).

sync/atomic needs no runtime object: the host runs one goroutine at a
time and an operation never yields, so atomics are plain reads/writes.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from lang import types as T
from runtime.errors import GoFatal, GoPanic
from runtime.park import Waiter, _Parked, dequeue, park, take_wake, wake
from runtime.values import Iface
from runtime.waitreason import WaitReason

# Enum members looked up once (enum attribute access is slow in 3.11).
_WR_SYNC_COND_WAIT = WaitReason.SYNC_COND_WAIT
_WR_SYNC_MUTEX_LOCK = WaitReason.SYNC_MUTEX_LOCK
_WR_SYNC_RWMUTEX_LOCK = WaitReason.SYNC_RWMUTEX_LOCK
_WR_SYNC_RWMUTEX_RLOCK = WaitReason.SYNC_RWMUTEX_RLOCK
_WR_SYNC_WAITGROUP_WAIT = WaitReason.SYNC_WAITGROUP_WAIT

MUTEX_TAG = -2
RW_TAG = -3
WG_TAG = -4
COND_TAG = -6
STARVATION_NS = 1_000_000


def _now(g: Any) -> int:
    m = getattr(g, "machine", None)
    return int(m.now(g)) if m is not None else 0


class Mutex:
    __slots__ = ("locked", "waiters", "woken", "starving")

    def __init__(self) -> None:
        self.locked = False
        self.waiters: deque[Waiter] = deque()
        self.woken = False
        self.starving = False

    def lock(self, g: Any) -> _Parked | None:
        w = take_wake(g)
        if w is not None:
            if w.ok:
                return None  # handed over (starvation mode): we own it
            self.woken = False
            if not self.locked:
                self.locked = True
                return None
            # Lost to a barging goroutine: wait again, at the front.
            if _now(g) - w.elem > STARVATION_NS:
                self.starving = True
            w.queue = self.waiters
            self.waiters.appendleft(w)
            return park(g, _WR_SYNC_MUTEX_LOCK, None)
        if not self.locked and not (self.starving and self.waiters):
            self.locked = True
            return None
        w = Waiter(g, _now(g), MUTEX_TAG)
        w.ok = False
        w.queue = self.waiters
        self.waiters.append(w)
        return park(g, _WR_SYNC_MUTEX_LOCK, None)

    def try_lock(self) -> bool:
        if self.locked or (self.starving and self.waiters):
            return False
        self.locked = True
        return True

    def unlock(self) -> None:
        if not self.locked:
            raise GoFatal("sync: unlock of unlocked mutex")
        q = self.waiters
        if self.starving and q:
            w = dequeue(q)
            w.ok = True  # ownership passes directly; locked stays True
            if not q:
                self.starving = False
            wake(w)
            return
        self.locked = False
        if q and not self.woken:
            w = dequeue(q)
            w.ok = False
            self.woken = True
            wake(w)

    def check_invariants(self) -> None:
        if self.waiters:
            assert self.locked or self.woken, "waiters on a free mutex with nobody woken"
        for w in self.waiters:
            assert w.queue is self.waiters


class RWMutex:
    __slots__ = ("writer", "readers", "wq", "rq")

    def __init__(self) -> None:
        self.writer = False
        self.readers = 0
        self.wq: deque[Waiter] = deque()
        self.rq: deque[Waiter] = deque()

    def lock(self, g: Any) -> _Parked | None:
        if take_wake(g) is not None:
            return None  # handed over
        if not self.writer and self.readers == 0 and not self.wq:
            self.writer = True
            return None
        w = Waiter(g, None, RW_TAG)
        w.queue = self.wq
        self.wq.append(w)
        return park(g, _WR_SYNC_RWMUTEX_LOCK, None)

    def unlock(self) -> None:
        if not self.writer:
            raise GoFatal("sync: Unlock of unlocked RWMutex")
        self.writer = False
        rq = self.rq
        if rq:
            while rq:
                self.readers += 1
                wake(dequeue(rq))
        elif self.wq:
            self.writer = True
            wake(dequeue(self.wq))

    def rlock(self, g: Any) -> _Parked | None:
        if take_wake(g) is not None:
            return None
        if not self.writer and not self.wq:
            self.readers += 1
            return None
        w = Waiter(g, None, RW_TAG)
        w.queue = self.rq
        self.rq.append(w)
        return park(g, _WR_SYNC_RWMUTEX_RLOCK, None)

    def runlock(self) -> None:
        if self.readers <= 0:
            raise GoFatal("sync: RUnlock of unlocked RWMutex")
        self.readers -= 1
        if self.readers == 0 and self.wq and not self.writer:
            self.writer = True
            wake(dequeue(self.wq))

    def try_lock(self) -> bool:
        if self.writer or self.readers or self.wq:
            return False
        self.writer = True
        return True

    def try_rlock(self) -> bool:
        if self.writer or self.wq:
            return False
        self.readers += 1
        return True

    def check_invariants(self) -> None:
        assert not (self.writer and self.readers), "writer and readers together"
        assert self.readers >= 0
        if self.rq:
            assert self.writer or self.wq, "readers wait for nothing"
        if self.wq:
            assert self.writer or self.readers, "writer waits for nothing"


class WaitGroup:
    __slots__ = ("count", "waiters")

    def __init__(self) -> None:
        self.count = 0
        self.waiters: deque[Waiter] = deque()

    def add(self, delta: int) -> None:
        n = self.count + delta
        if n < 0:
            raise GoPanic(Iface(T.STRING, "sync: negative WaitGroup counter"))
        self.count = n
        if n == 0:
            q = self.waiters
            while q:
                wake(dequeue(q))

    def done(self) -> None:
        self.add(-1)

    def wait(self, g: Any) -> _Parked | None:
        if take_wake(g) is not None or self.count == 0:
            return None
        w = Waiter(g, None, WG_TAG)
        w.queue = self.waiters
        self.waiters.append(w)
        return park(g, _WR_SYNC_WAITGROUP_WAIT, None)

    def check_invariants(self) -> None:
        assert self.count >= 0
        if self.count == 0:
            assert not self.waiters, "waiters on a zero WaitGroup"


class Once:
    __slots__ = ("done",)

    def __init__(self) -> None:
        self.done = False

    def begin(self) -> bool:
        """True if the caller must now run the function (first Do)."""
        if self.done:
            return False
        self.done = True
        return True


Locker = Mutex | RWMutex


class Cond:
    __slots__ = ("L", "waiters")

    def __init__(self, lock: Locker) -> None:
        self.L = lock
        self.waiters: deque[Waiter] = deque()

    def wait(self, g: Any) -> _Parked | None:
        w = take_wake(g)
        if w is None:
            # First execution: release L and wait for a signal.
            self.L.unlock()
            w = Waiter(g, None, COND_TAG)
            w.queue = self.waiters
            self.waiters.append(w)
            return park(g, _WR_SYNC_COND_WAIT, None)
        if w.index != COND_TAG:
            g.transfer = w  # a wake from L: let L's lock finish its protocol
        return self.L.lock(g)

    def signal(self) -> None:
        if self.waiters:
            wake(dequeue(self.waiters))

    def broadcast(self) -> None:
        q = self.waiters
        while q:
            wake(dequeue(q))
