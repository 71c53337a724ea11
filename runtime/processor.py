"""A simulated processor (Go's P) and the virtual-time cost model.

A Processor owns a clock, a bounded local run queue and a ``runnext``
slot, as Go's p (runtime2.go, proc.go runqput/runqget/runqgrab):
- ``runnext``: a goroutine readied or created by the goroutine running on
  this P runs next, ahead of the queue (it inherits the rest of the time
  slice in Go; here: it is simply picked first).  Putting a goroutine in
  runnext kicks the previous occupant to the tail of the local queue.
- ``runq``: FIFO, at most RUNQ_MAX goroutines; on overflow half of it plus
  the new goroutine move to the global queue (Go's runqputslow).
- Stealing takes half (rounded up) of a victim's queue, oldest first; the
  thief runs the last stolen one and queues the rest (Go's runqsteal).
  runnext is not stolen while the victim runs a goroutine, unless it has
  waited there STEAL_RUNNEXT_NS (Go's 3 µs usleep before stealing it).

Clock invariants: ``now`` only grows; a P adopts a goroutine at
``max(now, g.ready_at)`` (causality).  An idle P's clock is frozen until
work wakes it, at that work's ready time.

The cost model (virtual nanoseconds), chosen to be Go-like in proportion:
- INSTR_NS per VM instruction unit: the VM charges units at backward jumps
  (loop body length: one unit per instruction of an iteration) and at
  calls (runtime/vm.py's CALL_COST, 4 units; CALL_UNITS documents the
  intended 5) -- 1 ns per unit.  Straight-line code between those points
  is not charged, so the figures are per loop iteration / call.
- CHAN_OP_NS per completed channel operation or select: the VM subtracts
  CHAN_OP_UNITS from the slice budget when a send, receive (RECV, RECV_OK,
  RANGE_RECV, RECV_BACK), CLOSE or SELECT completes (a blocked operation
  is charged once, when it completes; the article's "~50-100 ns per
  operation").
- SPAWN_NS per ``go`` statement (Go: ~200-300 ns), charged to the spawner.
- SWITCH_NS per goroutine switch on a P (schedule + gogo, ~100-200 ns).
- SLICE_UNITS: the budget of one ``vm.run`` call (about 2 µs of virtual
  time), and the length of a P's turn (runtime/scheduler.py): causality
  between Ps holds within one such slice.
- TIME_SLICE_NS: a goroutine running this long is preempted (sysmon's
  forcePreemptNS, 10 ms).
CPU work thus costs virtual time on the P that does it, so 4 Ps finish
parallel work in about a quarter of the time of 1 P, while a sleep costs
no CPU: 100 concurrent 100 ms sleeps take about 100 ms.
"""

from __future__ import annotations

from collections import deque
from typing import Any

RUNQ_MAX = 256
INSTR_NS = 1
CALL_UNITS = 5
CHAN_OP_UNITS = 50
CHAN_OP_NS = CHAN_OP_UNITS * INSTR_NS
SPAWN_NS = 300
SWITCH_NS = 150
SLICE_UNITS = 2000
TIME_SLICE_NS = 10_000_000
STEAL_RUNNEXT_NS = 3_000


class Processor:
    """One P.  ``cur`` is the goroutine it is running (kept between slices
    while that goroutine stays runnable); ``in_heap`` says whether the
    scheduler's heap of Ps with work holds it; ``idle`` whether it sits in
    the idle list; ``spinning`` whether it was woken to look for work.
    ``slice_start`` is when p's current time slice began: a goroutine run
    from ``runnext`` inherits the slice (Go's inheritTime), so two
    goroutines handing work to each other share one 10 ms slice and cannot
    starve p's run queue."""

    __slots__ = ("id", "now", "runq", "runnext", "runnext_at", "cur", "schedtick",
                 "in_heap", "idle", "spinning", "slice_start")

    def __init__(self, pid: int) -> None:
        self.id = pid
        self.now = 0
        self.runq: deque[Any] = deque()
        self.runnext: Any = None
        self.runnext_at = 0
        self.cur: Any = None
        self.schedtick = 0
        self.in_heap = False
        self.idle = False
        self.spinning = False
        self.slice_start = 0

    def __repr__(self) -> str:
        nxt = getattr(self.runnext, "id", None)
        cur = getattr(self.cur, "id", None)
        return f"P{self.id}(now={self.now}, runq={len(self.runq)}, runnext={nxt}, cur={cur})"

    def has_local_work(self) -> bool:
        return self.cur is not None or self.runnext is not None or bool(self.runq)

    def runqput(self, g: Any, next_: bool, globq: deque[Any]) -> None:
        """Queue g on this P; next_: into runnext (kicking the old one)."""
        if next_:
            old = self.runnext
            self.runnext = g
            self.runnext_at = self.now
            if old is None:
                return
            g = old
        runq = self.runq
        if len(runq) < RUNQ_MAX:
            runq.append(g)
            return
        # runqputslow: move half the local queue, then g, to the global queue.
        for _ in range(len(runq) // 2):
            globq.append(runq.popleft())
        globq.append(g)

    def runqget(self) -> Any:
        """runnext first, then the head of the local queue; None if empty."""
        g = self.runnext
        if g is not None:
            self.runnext = None
            return g
        if self.runq:
            return self.runq.popleft()
        return None

    def steal_from(self, victim: Processor) -> Any:
        """Take half of victim's queue (rounded up); return one to run now
        and queue the others here.  None if there is nothing to steal."""
        vq = victim.runq
        n = len(vq)
        if n == 0:
            g = victim.runnext
            if (g is not None and victim.cur is not None
                    and victim.now - victim.runnext_at >= STEAL_RUNNEXT_NS):
                victim.runnext = None
                # It waited the 3 µs Go waits before taking runnext.
                at = victim.runnext_at + STEAL_RUNNEXT_NS
                if g.ready_at < at:
                    g.ready_at = at
                return g
            return None
        take = n - n // 2
        mine = self.runq
        for _ in range(take - 1):
            mine.append(vq.popleft())
        return vq.popleft()

    def check_invariants(self) -> None:
        assert len(self.runq) <= RUNQ_MAX, "local run queue over capacity"
        assert not (self.idle and self.in_heap), "idle P in the run heap"
        for g in self.runq:
            assert g is not self.runnext, "goroutine both in runq and runnext"
