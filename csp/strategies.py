"""Schedule strategies of ``csp explore`` beyond random seeds.

- ``pct``: PCT with depth d (runtime/pct.py).  The change points are drawn
  uniformly over the expected number of steps, measured once by a
  calibration run on the same settings (one P, ``--slice 1``).  Run k uses
  seed first+k, and Random(seed) draws its d-1 change points, so every run
  is one ``--replay`` string.
- ``exhaustive``: systematic enumeration of forced switches with at most k
  of them (``--max-preemptions k``), breadth first (all schedules with one
  switch before any with two), capped at ``--runs`` runs.  A switch is any
  step at which another runnable goroutine runs instead of the default
  one: a preemption when the current goroutine could have continued, a
  different pick when it blocked.  Limitation: the bound counts both kinds,
  and runs are not deduplicated by state, so only small programs are
  covered completely within the cap.

Invariant: every Schedule produced here replays with ``csp run --replay``
(its schedule string holds seed, depth, change points and switches).
"""

from __future__ import annotations

import random
from collections import deque
from typing import Optional, TextIO

from csp.explore import Outcome, RunResult, Schedule, run_once

PCT_SLICE = 1


def calibrate(path: str, source: str, seed: int, race: bool, leaks: str,
              max_steps: Optional[int], timeout: Optional[float]) -> int:
    """Steps of one run on one P with --slice 1 (at least 1)."""
    from runtime.pct import ScheduleHook
    hook = ScheduleHook(seed=seed)
    run_once(path, source, Schedule(seed, 1, "async", PCT_SLICE), race, leaks,
             max_steps, timeout, hook=hook)
    return max(hook.steps, 1)


def pct_schedules(runs: int, first_seed: int, depth: int, steps: int) -> list[Schedule]:
    out = []
    for k in range(runs):
        seed = first_seed + k
        rng = random.Random(seed)
        points = tuple(sorted(rng.randint(1, steps) for _ in range(depth - 1)))
        out.append(Schedule(seed, 1, "async", PCT_SLICE, depth=depth, points=points))
    return out


def explore_exhaustive(path: str, source: str, runs: int, max_switches: int, seed: int,
                       race: bool, leaks: str, max_steps: Optional[int],
                       timeout: Optional[float],
                       progress: Optional[TextIO] = None) -> list[Outcome]:
    """Breadth-first enumeration of switch lists; see the module comment."""
    from runtime.pct import ScheduleHook
    queue: deque[tuple[tuple[int, int], ...]] = deque([()])
    seen: set[tuple[tuple[int, int], ...]] = {()}
    by_result: dict[RunResult, Outcome] = {}
    done = failures = 0
    while queue and done < runs:
        switches = queue.popleft()
        sched = Schedule(seed, 1, "async", PCT_SLICE, switches=switches)
        hook = ScheduleHook(seed=seed, switches=dict(switches), record=True)
        result = run_once(path, source, sched, race, leaks, max_steps, timeout, hook=hook)
        done += 1
        failures += result.failed
        by_result.setdefault(result, Outcome(result)).schedules.append(sched)
        if progress is not None:
            progress.write(f"\rcsp explore: {done}/{runs} runs, {failures} failed")
            progress.flush()
        if len(switches) >= max_switches:
            continue
        last = switches[-1][0] if switches else 0
        for rec in hook.trace:
            if rec.step <= last:
                continue
            for gid in rec.runnable:
                if gid != rec.chosen:
                    child = switches + ((rec.step, gid),)
                    if child not in seen:
                        seen.add(child)
                        queue.append(child)
    if progress is not None:
        progress.write("\r\033[K")
        progress.flush()
    return sorted(by_result.values(), key=lambda o: -len(o.schedules))


def plan(strategy: str, path: str, source: str, runs: int, first_seed: int,
         procs: list[int], preempts: list[str], slices: list[int], depth: int,
         race: bool, leaks: str, max_steps: Optional[int],
         timeout: Optional[float]) -> list[Schedule]:
    """The schedules of a random, pct or mix exploration (mix: even runs
    random, odd runs PCT, seeds still first+k)."""
    from csp.explore import schedules
    if strategy == "random":
        return schedules(runs, first_seed, procs, preempts, slices)
    steps = calibrate(path, source, first_seed, race, leaks, max_steps, timeout)
    if strategy == "pct":
        return pct_schedules(runs, first_seed, depth, steps)
    rand = schedules((runs + 1) // 2, first_seed, procs, preempts, slices)
    pct = pct_schedules(runs // 2, first_seed + len(rand), depth, steps)
    return rand + pct
