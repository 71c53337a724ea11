"""Controlled scheduling for ``csp explore`` and ``csp run --replay``:
a scheduler step hook that decides which goroutine runs next.

Two ways to decide, both deterministic given their parameters:
- PCT (Burckhardt et al., "A randomized scheduler with probabilistic
  guarantees of finding bugs", ASPLOS 2010): every goroutine gets a random
  priority >= depth when first seen; the highest-priority runnable
  goroutine always runs; at the depth-1 given change points (step numbers)
  the goroutine that just ran drops to priority i < depth (the i-th point).
  A bug of depth d is found with probability >= 1/(n k^(d-1)).
- Forced switches: at step s run goroutine g instead of the default (the
  current goroutine while it can run, else the scheduler's own pick).
  ``csp explore --strategy exhaustive`` enumerates such switch lists.

A step is one scheduler slice; with ``--slice 1`` that is one loop
iteration, call, or channel operation.  The hook needs a single P
(procs=1): it reorders that P's queues between slices and returns True so
the scheduler re-reads ``p.cur`` (runtime/scheduler.py).

Invariants: the hook only moves goroutines between the P's ``cur``,
``runnext``, ``runq`` and the global queue; it never wakes or parks one.
Priorities come from a private Random seeded from the run's seed, so the
scheduler's own RNG stream (select, math/rand) is the same as without it.
"""

from __future__ import annotations

import random
from typing import Any, Optional

from lang.records import field, record


@record(slots=False)
class StepRecord:
    """What the hook saw at one step: the goroutine that kept running (or
    None if it blocked/exited), the runnable ids and the chosen one."""
    step: int
    cur: Optional[int]
    runnable: tuple[int, ...]
    chosen: int


@record(slots=False)
class ScheduleHook:
    seed: int = 0
    depth: int = 0                                 # PCT depth; 0: no PCT
    change_points: tuple[int, ...] = ()            # PCT priority-change steps
    switches: dict[int, int] = field(default_factory=dict)  # step -> goroutine id
    record: bool = False                           # keep a StepRecord per step
    steps: int = 0
    trace: list[StepRecord] = field(default_factory=list)
    _prio: dict[int, float] = field(default_factory=dict)
    _rng: random.Random = field(default_factory=random.Random)
    _last: Any = None

    def attach(self, machine: Any) -> None:
        if len(machine.procs) != 1:
            raise ValueError("schedule hooks need --procs 1")
        self._rng = random.Random(self.seed * 1_000_003 + 17)
        self._points = {s: i for i, s in enumerate(self.change_points)}
        previous = machine.step_hook

        def hook(m: Any) -> bool:
            if previous is not None:
                previous(m)
            return self._step(m)
        machine.step_hook = hook

    def _priority(self, g: Any) -> float:
        pr = self._prio.get(g.id)
        if pr is None:
            pr = self.depth + self._rng.random()
            self._prio[g.id] = pr
        return pr

    def _step(self, machine: Any) -> bool:
        self.steps += 1
        step = self.steps
        p = machine.procs[0]
        # Normalise: the global queue joins the local one, so the default
        # pick is runnext, then the runq head (no tick-based global check).
        globq = machine.globq
        while globq:
            p.runq.append(globq.popleft())
        cur = p.cur
        queued: list[Any] = []
        if p.runnext is not None:
            queued.append(p.runnext)
        queued.extend(p.runq)
        runnable = ([cur] if cur is not None else []) + queued
        if not runnable:
            return False
        default = runnable[0]
        chosen = default
        if self.depth > 0:
            if step in self._points and self._last is not None:
                self._prio[self._last.id] = float(self._points[step])
            chosen = max(runnable, key=self._priority)
        want = self.switches.get(step)
        if want is not None:
            for g in runnable:
                if g.id == want:
                    chosen = g
                    break
        if self.record:
            self.trace.append(StepRecord(step, cur.id if cur is not None else None,
                                         tuple(g.id for g in runnable), chosen.id))
        self._last = chosen
        if chosen is default:
            return False
        # Move chosen into runnext; the current goroutine (if any) queues.
        if cur is not None:
            cur.ready_at = p.now
            p.runq.append(cur)
            p.cur = None
        if p.runnext is chosen:
            return True
        p.runq.remove(chosen)
        if p.runnext is not None:
            p.runq.appendleft(p.runnext)
        p.runnext = chosen
        p.runnext_at = p.now
        return True
