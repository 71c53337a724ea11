"""The simulated G-M-P machine: processors, run queues, virtual time.

This is the real ``Machine`` (runtime/machine.py's Protocol) that the VM
runs under.  It follows /work/shared/MACHINE-MODEL.md and Go's proc.go:

- GOMAXPROCS processors (runtime/processor.py), each with its own clock,
  a bounded local run queue and a runnext slot; one global run queue.
- **The P with the lowest clock runs next** (a heap of Ps that have work,
  keyed by (clock, P id)) for one *turn*: it runs goroutines in slices of
  at most SLICE_UNITS instruction units via ``vm.run`` (its clock advancing
  by each slice's cost), switching to the next local goroutine when one
  blocks, until its clock has advanced by one slice's worth (SLICE_UNITS
  ns) or it runs dry; then the lowest clock is chosen again.  Every event
  at a virtual time earlier than the turn's start has therefore already
  happened when a goroutine acts (causality within one slice's length,
  the bound MACHINE-MODEL.md asks for), and a channel hop between two
  goroutines of one P costs no P switch.  ``--slice 1`` (csp explore,
  csp step) makes every turn one slice long.
- A goroutine readied by the running goroutine goes to that P's runnext
  (Go's ready() -> runqput(next=true)); ``go`` puts the new goroutine in
  runnext too.  It carries ``ready_at`` = the readier's clock, and a P
  that adopts it first sets ``now = max(now, ready_at)``.
- findrunnable: every 61st schedule tick the global queue first (fairness),
  then runnext / local queue, then the global queue, then stealing half of
  a random victim's queue (victim order from the run's RNG).  A P that
  finds nothing goes idle; its clock freezes.  wakep() brings one idle P
  back (at the time the work appeared) when stealable work exists and no
  P is already spinning; a spinning P that finds work wakes the next one
  (Go's resetspinning), so busy Ps fan out over all processors.
- Preemption: a goroutine that has run TIME_SLICE_NS (10 ms) since its
  time slice began is moved to the global queue.  A goroutine run from
  runnext inherits the slice of the one before it (Go's inheritTime); when
  that shared slice is used up the runnext goroutine goes to the global
  queue instead, so a pair that keeps readying each other cannot starve
  the local run queue.  ``preempt='async'`` does this
  at any budget stop; ``'cooperative'`` only at a budget stop at a call
  (StopReason.BUDGET_CALL when the VM reports it) or runtime.Gosched
  (YIELDED), never in a call-free loop (Go < 1.14).
- Timers (runtime/timers.py): due timers fire when the lowest clock has
  reached them; when no P has work the clock jumps to the next deadline
  (``clock='real'``: the host sleeps until then).  Goroutines woken by a
  timer go to the global queue at the timer's deadline.
- Deadlock: no P has work, no timer is live, main has not returned:
  Go's fatal error and a dump of every goroutine, exit code 2.
- main returning ends the program (exit 0) whatever else is running.
- One ``random.Random(seed)`` per run drives every choice (stealing
  order, select), so a run is reproducible from (program, input, seed).

Goroutine fields used here besides the park contract's (runtime/park.py):
``ready_at`` (int), ``run_start`` (virtual time it was last scheduled),
``origin`` (``(created_by, go_site)``, one tuple interned per creator and
go statement; ``created_by`` is (creator function name, creator id) or
None, ``go_site`` the (file, line) of the go statement; dumps read them
through properties of those names), ``instructions`` (the VM
adds the units it executed), ``frames``/``stack()`` for dumps.
"""

from __future__ import annotations

import heapq
import random
import time as _host_time
from collections import deque
from collections.abc import Callable
from typing import Any, NoReturn, TextIO

from runtime.deadlock import deadlock_report, fatal_report
from runtime.errors import GoExit, GoFatal
from runtime.goroutine import Goroutine
from runtime.machine import StopReason
from runtime.park import DEAD, PARKED, RUNNABLE, WAITING, Waiter, _Parked, take_wake
from runtime.processor import (
    INSTR_NS,
    SLICE_UNITS,
    SPAWN_NS,
    SWITCH_NS,
    TIME_SLICE_NS,
    Processor,
)
from runtime.timers import NEVER, TimerHeap
from runtime.waitreason import WaitReason

GLOBAL_CHECK_TICKS = 61
GOSCHED_TAG = -7
FIRST_USER_GOID = 6  # Go's runtime goroutines take 2-5; the first `go` is 6

assert INSTR_NS == 1  # the run loop adds instruction units to clocks as ns
_BUDGET = StopReason.BUDGET
_BLOCKED = StopReason.BLOCKED
_YIELDED = StopReason.YIELDED
_EXITED = StopReason.EXITED
_PANICKED = StopReason.PANICKED
# A budget stop at a call (cooperative preemption point), if the VM has it.
_BUDGET_CALL: Any = getattr(StopReason, "BUDGET_CALL", None)

RunSlice = Callable[[Any, Any, int], StopReason]


class ProgramExit(Exception):
    """Internal: the run is over with this exit code."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


def _default_run_slice() -> RunSlice:
    from runtime import vm
    return vm.run


_start_goroutine: Any = None


def _default_new_goroutine(machine: Scheduler, gid: int, fn: Any, args: list[Any]) -> Any:
    global _start_goroutine
    if _start_goroutine is None:
        # Imported on first use (runtime.vm imports the stdlib), then kept:
        # this runs for every `go` statement.
        from runtime import vm
        _start_goroutine = vm.start_goroutine
    g = Goroutine(gid, machine)
    _start_goroutine(g, fn, args)
    return g


class Scheduler:
    """The G-M-P machine.  Construct, then ``run(main_fn)`` -> exit code."""

    def __init__(self, stdout: TextIO, stderr: TextIO, *, procs: int = 4, seed: int = 0,
                 preempt: str = "async", clock: str = "virtual", schedtrace_ms: int = 0,
                 run_slice: RunSlice | None = None,
                 new_goroutine: Callable[[Scheduler, int, Any, list[Any]], Any] | None = None,
                 slice_units: int = SLICE_UNITS, max_instructions: int | None = None) -> None:
        if procs < 1:
            raise ValueError("procs must be >= 1")
        self.stdout = stdout
        self.stderr = stderr
        self.rng = random.Random(seed)
        self.seed = seed
        self.procs = [Processor(i) for i in range(procs)]
        self.globq: deque[Any] = deque()
        self.heap: list[tuple[int, int, Processor]] = []
        self.idle: list[Processor] = []
        self.nspinning = 0
        self.timers = TimerHeap()
        self.cur_p: Processor | None = None
        self.fire_time = 0
        self.async_preempt = preempt == "async"
        self.real_clock = clock == "real"
        self.host_start = 0.0
        # Unix ns of virtual instant 0 for time.Now (None: the Playground's
        # 2009-11-10 23:00:00 UTC); set to the host's time with clock='real'.
        self.wall_epoch_ns: int | None = None
        self.schedtrace_ns = schedtrace_ms * 1_000_000
        self.next_trace = 0 if schedtrace_ms > 0 else NEVER
        self.run_slice = run_slice or _default_run_slice()
        # csp's own VM takes a handoff callback (see _handoff); a test's
        # stand-in run_slice does not.
        self.vm_handoff = run_slice is None
        self.turn_end = 0
        self.new_goroutine = new_goroutine or _default_new_goroutine
        self.slice_units = slice_units
        self.instr_left = max_instructions if max_instructions is not None else NEVER
        self.max_instructions = max_instructions
        self.allgs: dict[int, Any] = {}
        self.interned: dict[Any, Any] = {}
        self.next_goid = FIRST_USER_GOID
        self.main: Any = None
        # The -race detector (runtime/race.py) or None; set by runtime/run.py.
        self.race: Any = None
        # runtime/leaks.py LeakWatcher (partial deadlocks while timers keep
        # the program alive) or None; called only when every P is idle.
        self.leak_watch: Any = None
        self.main_goexit = False
        self.switches = 0
        # Called after every slice (tests: check_invariants); None in runs.
        self.step_hook: Callable[[Scheduler], bool | None] | None = None
        # runtime/limits.py: the watchdog takes over instr_left (a countdown
        # to its next checkpoint) and spawn refuses past max_goroutines.
        self.watchdog: Any = None
        self.max_goroutines = NEVER
        # A runtime.trace.SchedObserver when the run is traced; else None.
        self.obs: Any = None

    # -- Machine protocol ------------------------------------------------
    def now(self, g: Any = None) -> int:
        """Virtual ns as seen by the running goroutine (its P's clock).
        With ``clock='real'`` the host's elapsed time when it is ahead (the
        interpreter is slower than the cost model), so time.Now/Since read
        the wall clock and a Sleep lasts its real duration."""
        p = self.cur_p
        v = p.now if p is not None else self.fire_time
        if self.real_clock:
            host = int((_host_time.monotonic() - self.host_start) * 1e9)
            if host > v:
                return host
        return v

    def ready(self, g: Any) -> None:
        """Wake parked goroutine g (exactly once per park)."""
        if g.status is not WAITING:
            raise AssertionError(f"goroutine {g.id} readied while {g.status}")
        g.status = RUNNABLE
        g.wait_reason = None
        p = self.cur_p
        if self.obs is not None:
            self.obs.on_ready(g, p.now if p is not None else self.fire_time)
        if p is not None:
            # runqput(p, g, next=true), inlined: this is every wake-up.
            now = p.now
            g.ready_at = now
            old = p.runnext
            p.runnext = g
            p.runnext_at = now
            if old is not None:
                p.runqput(old, False, self.globq)
                if self.idle and not self.nspinning:
                    self._wakep(now)
        else:
            at = self.fire_time
            g.ready_at = at
            self.globq.append(g)
            if self.idle and not self.nspinning:
                self._wakep(at)

    def spawn(self, fn: Any, args: list[Any], parent: Any = None,
              go_site: tuple[str, int] | None = None) -> Any:
        """``go fn(args)``: a new goroutine in the spawner's runnext."""
        if len(self.allgs) >= self.max_goroutines:
            from runtime.limits import LimitExceeded
            raise LimitExceeded("max-goroutines", str(self.max_goroutines))
        gid = self.next_goid
        self.next_goid = gid + 1
        g = self.new_goroutine(self, gid, fn, args)
        # A shared (interned) tuple: 100,000 goroutines started by one go
        # statement should not each carry their own copy.
        origin = (_creator(parent), go_site)
        g.origin = self.interned.setdefault(origin, origin)
        if self.race is not None:
            self.race.go(parent, g, fn)
        g.run_start = 0
        g.status = RUNNABLE
        self.allgs[gid] = g
        p = self.cur_p
        if p is not None:
            p.now += SPAWN_NS
            g.ready_at = p.now
            p.runqput(g, True, self.globq)
            if self.idle and p.runq and not self.nspinning:
                self._wakep(p.now)
        else:
            g.ready_at = self.fire_time
            self.globq.append(g)
            if self.idle and not self.nspinning:
                self._wakep(self.fire_time)
        if self.obs is not None:
            self.obs.on_go(parent, g, g.ready_at)
        return g

    # -- services for natives -------------------------------------------
    def sleep(self, g: Any, d: int) -> _Parked | None:
        """time.Sleep(d): park g on the timer heap; None if d <= 0 or when
        g re-executes the Sleep call after its timer fired."""
        if take_wake(g) is not None or d <= 0:
            return None
        return self.timers.sleep(g, self.now(g) + d)

    def gosched(self, g: Any) -> _Parked | None:
        """runtime.Gosched(): g goes to the back of the global queue.  It
        parks (so the VM stops it) but is already queued as runnable; the
        re-executed call finds its Waiter and returns."""
        if take_wake(g) is not None:
            return None
        g.transfer = Waiter(g, None, GOSCHED_TAG)
        g.status = RUNNABLE
        p = self.cur_p
        g.ready_at = p.now if p is not None else self.fire_time
        self.globq.append(g)
        if self.idle and not self.nspinning:
            self._wakep(g.ready_at)
        return PARKED

    def num_goroutine(self) -> int:
        return len(self.allgs)

    def gomaxprocs(self) -> int:
        return len(self.procs)

    # -- processors -------------------------------------------------------
    def _wakep(self, at: int) -> None:
        """Bring one idle P back, spinning, at virtual time ``at``."""
        p = self.idle.pop()
        p.idle = False
        p.spinning = True
        self.nspinning += 1
        if p.now < at:
            p.now = at
        p.in_heap = True
        heapq.heappush(self.heap, (p.now, p.id, p))

    def _go_idle(self, p: Processor) -> None:
        if p.spinning:
            p.spinning = False
            self.nspinning -= 1
        p.idle = True
        self.idle.append(p)

    def _findrunnable(self, p: Processor) -> Any:
        """The next goroutine for p (Go's findRunnable, minus the parking)."""
        p.schedtick += 1
        globq = self.globq
        if globq and p.schedtick % GLOBAL_CHECK_TICKS == 0:
            return globq.popleft()
        g = p.runqget()
        if g is not None:
            return g
        if globq:
            # globrunqget: a fair share of the global queue, one to run.
            n = min(len(globq), len(globq) // len(self.procs) + 1, 128)
            g = globq.popleft()
            runq = p.runq
            for _ in range(n - 1):
                runq.append(globq.popleft())
            return g
        procs = self.procs
        np = len(procs)
        if np > 1:
            # _randbelow(n) is what randrange(n) returns for n > 0 (same
            # stream), without randrange's argument checks: every steal uses it.
            start = self.rng._randbelow(np)  # type: ignore[attr-defined]
            for k in range(np):
                victim = procs[(start + k) % np]
                if victim is not p and (victim.runq or victim.runnext is not None):
                    g = p.steal_from(victim)
                    if g is not None:
                        if self.obs is not None:
                            self.obs.on_steal(p, victim, len(p.runq) + 1, p.now)
                        return g
        return None

    # -- the run loop -------------------------------------------------------
    def run(self, main_fn: Any, args: list[Any] | None = None) -> int:
        """Run main_fn as goroutine 1 until main returns, the program
        panics, exits or deadlocks.  Returns the process exit code."""
        g = self.new_goroutine(self, 1, main_fn, args or [])
        g.origin = (None, None)  # main: no go statement, no creator
        g.run_start = 0
        g.ready_at = 0
        g.status = RUNNABLE
        self.main = g
        self.allgs[1] = g
        p0 = self.procs[0]
        p0.runnext = g
        p0.in_heap = True
        self.heap.append((0, 0, p0))
        for p in reversed(self.procs[1:]):
            p.idle = True
            self.idle.append(p)
        self.host_start = _host_time.monotonic()
        if self.real_clock:
            # time.Now() = wall_epoch_ns + now(): the real date and time.
            self.wall_epoch_ns = _host_time.time_ns()
        try:
            self._loop()
        except ProgramExit as e:
            return e.code
        except GoExit as e:
            return e.code
        return 0

    def _loop(self) -> None:
        heap = self.heap
        timers = self.timers
        theap = timers.heap
        run_slice = self.run_slice
        obs = self.obs
        slice_units = self.slice_units
        turn_ns = slice_units * INSTR_NS
        switch_ns = SWITCH_NS
        # The VM may switch goroutines itself when one blocks (_handoff),
        # but only when nothing watches each slice: no observer, no race
        # detector, no step hook (checked per turn below).
        # The same function as run_slice, typed for its 4-argument form.
        vm_run: Callable[..., StopReason] = run_slice
        handoff = (self._handoff if self.vm_handoff and obs is None and self.race is None
                   else None)
        while True:
            if not heap:
                self._idle_machine()
                continue
            _, _, p = heapq.heappop(heap)
            p.in_heap = False
            self.cur_p = p
            g = p.cur
            # p's turn: it keeps running goroutines (one after another when
            # they block) until its clock passes turn_end; only then may a
            # P with a lower clock take over.  The turn is as long as one
            # slice, so causality holds within one slice's length, as with
            # a single slice, without a P switch after every channel hop.
            turn_end = p.now + turn_ns
            # Only _schedtrace moves next_trace; the hook is set before runs.
            next_trace = self.next_trace
            step_hook = self.step_hook
            self.turn_end = turn_end
            hand = handoff if step_hook is None else None
            while True:
                if theap and theap[0][0] <= p.now:
                    self._fire_timers(p.now)
                if p.now >= next_trace:
                    self._schedtrace(p.now)
                    next_trace = self.next_trace
                if g is None:
                    g = p.runnext
                    inherit = False
                    if g is not None and not (self.globq and
                                              (p.schedtick + 1) % GLOBAL_CHECK_TICKS == 0):
                        # Fast path of findrunnable: runnext, in p's slice.
                        # _handoff repeats these tests inline (this is the
                        # hot path); tests/test_handoff.py keeps them equal.
                        p.runnext = None
                        p.schedtick += 1
                        if p.now - p.slice_start < TIME_SLICE_NS:
                            inherit = True
                        else:
                            # The shared slice is used up: sysmon preempts
                            # the pair, which goes to the global queue, and
                            # p's run queue gets its turn.
                            self.globq.append(g)
                            g = self._findrunnable(p)
                    else:
                        g = self._findrunnable(p)
                    if g is None:
                        self.cur_p = None
                        self._go_idle(p)
                        break
                    if p.spinning:
                        p.spinning = False
                        self.nspinning -= 1
                        if self.idle and not self.nspinning:
                            self._wakep(p.now)
                    now = g.ready_at
                    if now < p.now:
                        now = p.now
                    # ready_at is dead until the next wake: share one int
                    # (a parked goroutine then holds one, not two).
                    p.now = g.ready_at = now = now + switch_ns
                    if inherit:
                        g.run_start = p.slice_start
                    else:
                        g.run_start = p.slice_start = now
                    p.cur = g
                    self.switches += 1
                    if obs is not None:
                        obs.on_run_start(p, g, now)
                try:
                    if hand is not None:
                        reason = vm_run(self, g, slice_units, hand)
                        g = p.cur  # the goroutine that ran last (after handoffs)
                    else:
                        reason = run_slice(self, g, slice_units)
                except GoFatal as e:
                    self._fatal(fatal_report(e.message, p.cur))
                # g.instructions is 0 when a slice starts: the VM adds the
                # units it ran, and they are accounted for here and reset
                # (a parked goroutine holds the shared small int 0).
                used = g.instructions
                g.instructions = 0
                p.now += used  # INSTR_NS == 1: a unit is a virtual ns
                left = self.instr_left - used
                self.instr_left = left
                if left <= 0:
                    if self.watchdog is None:
                        from runtime.run import InstructionLimitExceeded
                        raise InstructionLimitExceeded(self.max_instructions or 0)
                    self.instr_left = self.watchdog.checkpoint(self, g)
                if reason is _BLOCKED:  # the commonest stop in channel code
                    p.cur = g = None
                elif reason is _BUDGET or reason is _BUDGET_CALL:
                    g.status = RUNNABLE
                    if (p.now - g.run_start >= TIME_SLICE_NS
                            and (self.async_preempt or reason is _BUDGET_CALL)):
                        self.globq.append(g)
                        g.ready_at = p.now
                        p.cur = g = None
                    elif p.runnext is not None and self.idle and not self.nspinning:
                        self._wakep(p.now)
                elif reason is _EXITED:
                    self._exited(g)
                    p.cur = g = None
                elif reason is _YIELDED:
                    g.status = RUNNABLE
                    g.ready_at = p.now
                    self.globq.append(g)
                    p.cur = g = None
                elif reason is _PANICKED:
                    self._panicked(g)
                else:
                    raise AssertionError(f"unknown stop reason {reason}")
                if obs is not None:
                    obs.on_slice_end(p, reason, p.now)
                if step_hook is not None and step_hook(self):
                    # The hook (runtime/pct.py, csp explore) rearranged p's
                    # queues and chose what p runs next.
                    g = p.cur
                # Keep going on p during its turn, and after it while it
                # still has the lowest clock.
                if heap and p.now >= turn_end:
                    top = heap[0]
                    if top[0] < p.now or (top[0] == p.now and top[1] < p.id):
                        self.cur_p = None
                        p.in_heap = True
                        heapq.heappush(heap, (p.now, p.id, p))
                        break

    def _handoff(self, used: int) -> Any:
        """The VM's question when the goroutine running on cur_p blocked
        after ``used`` units: which goroutine runs next on this P?

        Exactly what _loop would do next, when that is simply "account for
        the slice, then run p.runnext": p's turn goes on, no timer is due,
        no schedtrace line, no instruction limit reached, runnext is set and
        the global queue's fairness tick is not due.  Then the state changes
        _loop would make are made here and the goroutine is returned (the
        VM runs it at once); otherwise nothing changes and None is returned
        (the VM returns BLOCKED and _loop decides).  Same schedule either
        way: only the trip through the loop is saved."""
        p = self.cur_p
        assert p is not None  # set while the VM runs
        g = p.runnext
        if g is None or p.spinning:
            return None
        now = p.now + used
        left = self.instr_left - used
        if (left <= 0 or now >= self.next_trace
                or now - p.slice_start >= TIME_SLICE_NS):
            return None  # (the last: the loop preempts the pair, see _loop)
        heap = self.heap
        if heap and now >= self.turn_end:
            top = heap[0]
            if top[0] < now or (top[0] == now and top[1] < p.id):
                return None
        theap = self.timers.heap
        if theap and theap[0][0] <= now:
            return None
        tick = p.schedtick + 1
        if self.globq and tick % GLOBAL_CHECK_TICKS == 0:
            return None
        self.instr_left = left
        p.runnext = None
        p.schedtick = tick
        start = g.ready_at
        if start < now:
            start = now
        p.now = g.ready_at = start + SWITCH_NS
        g.run_start = p.slice_start
        p.cur = g
        self.switches += 1
        return g

    def _exited(self, g: Any) -> None:
        g.status = DEAD
        self.allgs.pop(g.id, None)
        if g is self.main:
            if getattr(g, "goexit", False):
                self.main_goexit = True
                return
            raise ProgramExit(0)

    def _panicked(self, g: Any) -> None:
        text = getattr(g, "panic_text", None)
        if text is None:
            from runtime.panics import panic_report
            rec = g.exit_panic
            chain = list(g.panics) or ([rec] if rec is not None else [])
            text = panic_report(g, chain, g.stack())
        self.stderr.write(text)
        raise ProgramExit(2)

    def _fatal(self, text: str) -> NoReturn:
        self.stderr.write(text)
        raise ProgramExit(2)

    def _fire_timers(self, now: int) -> None:
        saved = self.cur_p
        self.cur_p = None
        timers = self.timers
        theap = timers.heap
        while theap and theap[0][0] <= now:
            self.fire_time = theap[0][0]
            timers.fire_due(self.fire_time)
        self.cur_p = saved

    def _idle_machine(self) -> None:
        """No P has work: jump to the next timer, or report deadlock."""
        if self.globq and self.idle:
            self._wakep(self.fire_time)
            return
        when = self.timers.next_deadline()
        if when == NEVER:
            blocked = [g for g in self.allgs.values() if g.status is WAITING]
            self._fatal(deadlock_report(blocked))
        if self.leak_watch is not None:
            self.leak_watch(self, when)
        if self.real_clock:
            delay = self.host_start + when / 1e9 - _host_time.monotonic()
            if delay > 0:
                _host_time.sleep(delay)
        if when >= self.next_trace:
            self._schedtrace(when)
        self._fire_timers(when)
        if not self.heap:
            # Everything woken went to the global queue: wake a P for it.
            if self.globq and self.idle:
                self._wakep(when)

    # -- observability -------------------------------------------------------
    def _schedtrace(self, now: int) -> None:
        """Go's GODEBUG=schedtrace lines: one per period up to ``now``."""
        n = len(self.procs)
        while self.next_trace <= now:
            t = self.next_trace
            self.next_trace += self.schedtrace_ns
            queues = " ".join(str(len(p.runq)) for p in self.procs)
            self.stderr.write(
                f"SCHED {t // 1_000_000}ms: gomaxprocs={n} idleprocs={len(self.idle)} "
                f"threads={n + 1} spinningthreads={self.nspinning} "
                f"idlethreads={len(self.idle)} runqueue={len(self.globq)} [{queues}]\n")

    def check_invariants(self) -> None:
        """Scheduler-wide invariants (tests call this between steps)."""
        seen: set[int] = set()
        for p in self.procs:
            p.check_invariants()
            for g in [p.cur, p.runnext, *p.runq]:
                if g is None:
                    continue
                assert g.status is not WAITING, f"parked goroutine {g.id} in a run queue"
                assert id(g) not in seen or g is p.cur, f"goroutine {g.id} queued twice"
                seen.add(id(g))
        for g in self.globq:
            assert id(g) not in seen, f"goroutine {g.id} queued twice"
            seen.add(id(g))
        assert self.nspinning == sum(1 for p in self.procs if p.spinning)
        assert len(self.idle) == sum(1 for p in self.procs if p.idle)
        self.timers.check_invariants()


def _creator(parent: Any) -> tuple[str, int] | None:
    """(creator function name, creator goroutine id) for `created by`."""
    if parent is None:
        return None
    frames = getattr(parent, "frames", None)
    if frames:
        return (frames[-1].fn.name, parent.id)
    stack = getattr(parent, "stack", None)
    if stack is not None:
        st = stack()
        if st:
            return (st[0][0], parent.id)
    return ("main.main", parent.id)


__all__ = ["FIRST_USER_GOID", "PARKED", "ProgramExit", "Scheduler", "WaitReason"]
