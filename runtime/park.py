"""The park/wake contract: how a goroutine blocks and how it is woken.

Every blocking operation in csp (channel send/receive, select, sleep,
WaitGroup.Wait, Mutex.Lock, Cond.Wait ...) follows one protocol, modelled
on Go's ``gopark``/``goready`` and ``sudog`` (runtime/proc.go, runtime2.go):

Park (done by the object the goroutine blocks on, never by the VM):
  1. The object allocates one ``Waiter`` (Go's sudog) naming the goroutine
     and, for a send, the value to send; it appends it to one of its FIFO
     wait queues (a ``collections.deque``; never a set: order is part of
     the semantics and of determinism).
  2. It sets ``g.status = WAITING``, ``g.wait_reason`` (a WaitReason) and
     ``g.transfer = waiter`` and returns the ``PARKED`` sentinel.
  3. The VM, seeing PARKED, leaves ``frame.pc`` pointing *at* the
     blocking instruction (channel ops rewind it themselves; for a native
     call the VM sets ``frame.pc = pc - 1``) and returns
     ``StopReason.BLOCKED``.  The goroutine is now owned by
     exactly one wait queue (select: by all of its cases' queues at once,
     as one unit) or by the timer heap, or by nobody (nil channel,
     ``select {}``: it never wakes).

Wake (done by whoever completes the operation: the other side of a
channel, close, Unlock, Done, a timer):
  1. It removes the waiter from the queue (select: and the waiter's
     siblings from every other queue, see ``Waiter.siblings``).
  2. It delivers the result into the waiter: ``elem`` (received value),
     ``ok`` (False: woken by close), ``index`` (select case).
     It sets ``g.transfer = waiter`` (for select: the winning case's waiter).
  3. It calls ``machine.ready(g)`` exactly once.  ready() moves the
     goroutine from WAITING to RUNNABLE and stamps ``g.ready_at``.

Resume (re-execution): when g runs again, the blocking instruction runs
a second time.  The operation (chan_op, or the native) first calls
``take_wake(g)``: a Waiter in ``g.transfer`` means "you were woken, here
is your result"; it copies ``elem``/``ok``/``index`` into the destination
registers (or raises the send-on-closed panic when a send's waiter has
``ok == False``, or, for a mutex that was not handed over, retries) and
clears ``g.transfer``.  So the VM needs no resume logic of its own, and a
parked goroutine's stack shows the line of the operation it waits in.

Invariants (asserted by the scheduler's ready() and by tests):
- A goroutine is woken at most once per park: ready() requires WAITING.
- A Waiter is in at most one queue, and a parked goroutine's waiters are
  all in queues or none is (select removes siblings at wake time, so no
  stale waiter is ever left behind for another goroutine to find).
"""

from __future__ import annotations

from collections import deque
from typing import Any, Final, Protocol

from runtime.goroutine import GStatus

RUNNABLE: Final = GStatus.RUNNABLE
RUNNING: Final = GStatus.RUNNING
WAITING: Final = GStatus.WAITING
DEAD: Final = GStatus.DEAD


class _Parked:
    """The type of the PARKED sentinel (a value no Go value can equal)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "PARKED"


PARKED: Final = _Parked()


class SchedG(Protocol):
    """The goroutine fields the concurrency runtime reads and writes.

    runtime/goroutine.py's Goroutine provides them (see
    /work/notes/concurrency-integration.md)."""

    id: int
    status: GStatus
    wait_reason: Any
    transfer: Any
    ready_at: int


class Readier(Protocol):
    """machine.ready: wake a parked goroutine (exactly once per park)."""

    def __call__(self, g: Any) -> None: ...


class Waiter:
    """One goroutine waiting in one queue (Go's sudog).

    g:        the parked goroutine.
    elem:     for a sender, the value to send; after a wake, the value
              received (receivers).
    ok:       set by the waker: True for a completed operation, False when
              the wake came from close (receiver got the zero value;
              sender must panic).
    index:    select case index (-1 outside select).
    queue:    the deque this waiter sits in (select unlinks siblings).
    siblings: the waiters of the same select (None outside select); the
              waker removes every other sibling from its queue.

    runtime/vm.py builds the waiters of its inlined channel paths field by
    field (``object.__new__`` and six stores: cheaper than a call to
    __init__); a new field must be set there too.
    """

    __slots__ = ("g", "elem", "ok", "index", "queue", "siblings")

    def __init__(self, g: Any, elem: Any, index: int = -1,
                 queue: deque[Waiter] | None = None) -> None:
        self.g = g
        self.elem = elem
        self.ok = True
        self.index = index
        self.queue = queue
        self.siblings: list[Waiter] | None = None

    def __repr__(self) -> str:
        return f"Waiter(g={getattr(self.g, 'id', '?')}, index={self.index})"


def unlink_siblings(w: Waiter) -> None:
    """w won its select: take every other case's waiter out of its queue.
    The common case is that the sibling is the newest entry (the selecting
    goroutine enqueued last), so try the right end before a scan."""
    sibs = w.siblings
    if sibs is None:
        return
    for s in sibs:
        if s is not w:
            q = s.queue
            if q is not None:
                if q and q[-1] is s:
                    q.pop()
                else:
                    q.remove(s)
                s.queue = None
    w.siblings = None


def park(g: Any, reason: Any, w: Waiter | None) -> _Parked:
    """Mark g parked with reason; the caller already queued w (or handed g
    to the timer heap / to nobody).  Returns PARKED for the VM."""
    g.status = WAITING
    g.wait_reason = reason
    g.transfer = w
    return PARKED


def wake(w: Waiter) -> None:
    """Deliver w (already filled in and out of its queue) to its goroutine
    and make that goroutine runnable."""
    g = w.g
    g.transfer = w
    g.machine.ready(g)


def take_wake(g: Any) -> Waiter | None:
    """If g is re-executing a blocking operation after a wake, return (and
    clear) the Waiter its waker delivered; else None (first execution)."""
    t = g.transfer
    if t is not None and type(t) is Waiter:
        g.transfer = None
        return t
    return None


def dequeue(q: deque[Waiter]) -> Waiter:
    """Pop the oldest waiter of a non-empty queue, removing its select
    siblings elsewhere."""
    w = q.popleft()
    w.queue = None
    if w.siblings is not None:
        unlink_siblings(w)
    return w
