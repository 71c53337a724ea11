"""Timers: one heap of pending deadlines on the virtual clock.

Time is virtual nanoseconds since the program started (the scheduler's
processors each carry their own clock; see runtime/scheduler.py).  A timer
fires when the lowest processor clock reaches its deadline, or, when no
processor has work, the scheduler jumps the clock to the earliest deadline
(``--clock=real``: it sleeps the host until then instead).

Invariants:
- The heap holds entries ``(when, seq, timer)`` ordered by (deadline,
  sequence number): equal deadlines fire in creation order, so firing is
  deterministic.
- A timer is live when ``timer.active`` and ``timer.seq == entry seq``;
  Stop and Reset leave the old entry in the heap (lazy deletion) and bump
  ``seq``/clear ``active``; stale entries are dropped when they surface.
- ``active_count`` counts live timers; the scheduler reports deadlock only
  when it is 0 ("sleeping is not deadlock").
- A sleeping goroutine is owned by its timer: exactly one fire readies it.

Kinds of timers (Go's runtime timers): ``sleep`` (ready a goroutine),
channel timers (time.After/NewTimer/Tick/NewTicker: a non-blocking send
of the fire time on a 1-buffered channel, as Go 1.19's sendTime does),
``func`` timers (time.AfterFunc: spawn a goroutine).  All are one class
with a ``fire`` callback taking the deadline; periodic timers (tickers)
re-arm themselves at ``when + period``.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from typing import Any

from runtime.park import PARKED, WAITING, Waiter, _Parked, wake
from runtime.waitreason import WaitReason

# Enum members looked up once (enum attribute access is slow in 3.11).
_WR_SLEEP = WaitReason.SLEEP

NEVER = 1 << 62  # "no deadline": later than any reachable virtual time
SLEEP_TAG = -5    # Waiter.index of a sleeper's wake record


class Timer:
    """A runtime timer.  fire(when) runs when the clock reaches ``when``."""

    __slots__ = ("when", "period", "seq", "active", "fire", "arg")

    def __init__(self, when: int, period: int, fire: Callable[[Timer, int], None],
                 arg: Any = None) -> None:
        self.when = when
        self.period = period
        self.seq = -1
        self.active = False
        self.fire = fire
        self.arg = arg

    def __repr__(self) -> str:
        return f"Timer(when={self.when}, period={self.period}, active={self.active})"


class TimerHeap:
    """All pending timers of one run."""

    __slots__ = ("heap", "next_seq", "active_count")

    def __init__(self) -> None:
        self.heap: list[tuple[int, int, Timer]] = []
        self.next_seq = 0
        self.active_count = 0

    # -- arming --------------------------------------------------------
    def add(self, t: Timer, when: int) -> None:
        """Arm t to fire at ``when`` (re-arming an active timer moves it)."""
        if t.active:
            self.active_count -= 1
        t.when = when
        t.seq = seq = self.next_seq
        self.next_seq = seq + 1
        t.active = True
        self.active_count += 1
        heapq.heappush(self.heap, (when, seq, t))

    def stop(self, t: Timer) -> bool:
        """Disarm t.  True if it was pending (Go's Timer.Stop result)."""
        if not t.active:
            return False
        t.active = False
        self.active_count -= 1
        return True

    def reset(self, t: Timer, when: int) -> bool:
        """Re-arm t at ``when``; True if it was pending (Go's Reset result)."""
        was = t.active
        self.add(t, when)
        return was

    # -- sleeping ------------------------------------------------------
    def sleep(self, g: Any, when: int) -> _Parked:
        """Park g until ``when`` (time.Sleep).  Owned by the heap until then."""
        t = Timer(when, 0, self._wake_sleeper, Waiter(g, None, SLEEP_TAG))
        self.add(t, when)
        g.status = WAITING
        g.wait_reason = _WR_SLEEP
        g.transfer = None
        return PARKED

    # -- firing --------------------------------------------------------
    def next_deadline(self) -> int:
        """The earliest live deadline, or NEVER.  Drops stale entries."""
        heap = self.heap
        while heap:
            when, seq, t = heap[0]
            if t.active and t.seq == seq:
                return when
            heapq.heappop(heap)
        return NEVER

    def fire_due(self, now: int) -> int:
        """Fire every live timer with deadline <= now, in (deadline, seq)
        order.  A callback may arm timers; those due by ``now`` fire too.
        Returns the number fired."""
        heap = self.heap
        fired = 0
        while heap:
            when, seq, t = heap[0]
            if when > now:
                break
            heapq.heappop(heap)
            if not t.active or t.seq != seq:
                continue
            t.active = False
            self.active_count -= 1
            if t.period > 0:
                self.add(t, when + t.period)
            t.fire(t, when)
            fired += 1
        return fired

    def _wake_sleeper(self, t: Timer, when: int) -> None:
        wake(t.arg)

    def check_invariants(self) -> None:
        live = sum(1 for when, seq, t in self.heap if t.active and t.seq == seq)
        assert live == self.active_count, f"active_count {self.active_count} != live {live}"


def channel_timer(when: int, period: int, ch: Any,
                  make_value: Callable[[int], Any]) -> Timer:
    """A timer that offers ``make_value(when)`` on ch when it fires (the
    C of time.Timer / time.Ticker; ch is a 1-buffered Channel).  If the
    buffer is full the tick is dropped, as in Go."""
    def fire(t: Timer, at: int) -> None:
        ch.offer(make_value(at))
    return Timer(when, period, fire, ch)


def func_timer(when: int, start: Callable[[int], None]) -> Timer:
    """A timer that calls ``start(when)`` (time.AfterFunc: it spawns the
    goroutine running the function)."""
    def fire(t: Timer, at: int) -> None:
        start(at)
    return Timer(when, 0, fire, None)
