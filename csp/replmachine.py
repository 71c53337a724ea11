"""The REPL's machine: one G-M-P scheduler that lives for a whole session.

``ReplMachine`` runs the scheduler of runtime/scheduler.py in a worker
thread so that goroutines started by one entry keep running between
entries (with the real clock, as ``--clock=real``).  ``run_entry(fn)`` hands
an entry's compiled function to the worker, which runs it as the session's
main goroutine (id 1), and blocks until that goroutine returns, panics,
deadlocks or is interrupted.

Invariants:
- Only the worker thread touches the scheduler, except under ``paused()``
  (the worker is then parked at a slice boundary or idle) -- that is how
  ``:goroutines`` and friends read it.
- A panic in any goroutine prints Go's panic text and kills that goroutine
  only; the session goes on (a Go program would die).
- The main goroutine of an abandoned entry (deadlocked or interrupted while
  parked) stays parked under a fresh id: waking it later is harmless.
- ``os.Exit(n)`` ends the session: ``exit_code`` is set and the worker stops.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator
from typing import Any

from runtime.errors import GoExit
from runtime.park import DEAD, RUNNABLE, WAITING, Waiter
from runtime.scheduler import ProgramExit, Scheduler
from runtime.timers import NEVER

ENTRY_OK = "ok"
ENTRY_PANIC = "panic"
ENTRY_DEADLOCK = "deadlock"
ENTRY_INTERRUPTED = "interrupted"
ENTRY_EXIT = "exit"


class _EntryAbort(Exception):
    """Internal: the current entry's main goroutine is finished with."""

    def __init__(self, outcome: str) -> None:
        super().__init__(outcome)
        self.outcome = outcome


class LiveStream:
    """A text stream that writes to whatever ``target()`` returns at write
    time (prompt-toolkit swaps sys.stdout while the prompt is shown)."""

    def __init__(self, target: Any) -> None:
        self.target = target

    def write(self, s: str) -> int:
        out = self.target()
        out.write(s)
        flush = getattr(out, "flush", None)
        if flush is not None:
            flush()
        return len(s)

    def flush(self) -> None:
        flush = getattr(self.target(), "flush", None)
        if flush is not None:
            flush()


class _SessionScheduler(Scheduler):
    """The scheduler with the REPL's idea of ending, panicking and idling."""

    owner: ReplMachine

    def _exited(self, g: Any) -> None:
        g.status = DEAD
        self.allgs.pop(g.id, None)
        if g is self.main:
            self.main = None
            self.owner._entry_done(ENTRY_OK)

    def _panicked(self, g: Any) -> None:
        text = getattr(g, "panic_text", None)
        if not text:
            from runtime.panics import panic_report
            rec = g.exit_panic
            chain = list(g.panics) or ([rec] if rec is not None else [])
            text = panic_report(g, chain, g.stack())
        self.stderr.write(text)
        g.status = DEAD
        self.allgs.pop(g.id, None)
        raise _EntryAbort(ENTRY_PANIC if g is self.main else "")

    def _fatal(self, text: str) -> Any:
        self.stderr.write(text)
        p = self.cur_p
        if p is not None and p.cur is not None and p.cur is not self.main:
            p.cur.status = DEAD
            self.allgs.pop(p.cur.id, None)
        raise _EntryAbort(ENTRY_PANIC)

    def _idle_machine(self) -> None:
        if self.globq and self.idle:
            self._wakep(self.fire_time)
            return
        owner = self.owner
        when = self.timers.next_deadline()
        if when == NEVER:
            main = self.main
            if main is not None and main.status is WAITING:
                from runtime.deadlock import deadlock_report
                blocked = [g for g in self.allgs.values() if g.status is WAITING]
                self.stderr.write(deadlock_report(blocked))
                raise _EntryAbort(ENTRY_DEADLOCK)
            owner._wait_for_work(None)
            return
        delay = self.host_start + when / 1e9 - time.monotonic()
        if delay > 0 and not owner._wait_for_work(delay):
            return  # new work arrived before the timer: run it first
        self._fire_timers(when)
        if not self.heap and self.globq and self.idle:
            self._wakep(when)


class ReplMachine:
    """A persistent machine; see the module comment."""

    def __init__(self, stdout: Any, stderr: Any, *, procs: int = 4, seed: int = 1) -> None:
        # stdout/stderr: text streams (LiveStream in a session).
        self.sched = _SessionScheduler(stdout, stderr, procs=procs, seed=seed, clock="real")
        self.sched.owner = self
        self.sched.step_hook = self._step_hook
        self.sched.host_start = time.monotonic()
        self.sched.main = None
        for p in self.sched.procs:
            p.idle = True
            self.sched.idle.append(p)
        self.cond = threading.Condition()
        self.pending: Any = None
        self.interrupting = False
        self.outcome: str | None = None
        self.pause_requests = 0
        self.paused_now = False
        self.closing = False
        self.exit_code: int | None = None
        self.thread = threading.Thread(target=self._worker, name="csp-machine", daemon=True)
        self.thread.start()

    # -- the caller's side ------------------------------------------------
    def run_entry(self, fn: Any) -> str:
        """Run fn as the main goroutine; the entry's outcome (ENTRY_*).
        KeyboardInterrupt while waiting interrupts the entry, then returns."""
        with self.cond:
            if self.exit_code is not None:
                return ENTRY_EXIT
            self.outcome = None
            self.pending = fn
            self.cond.notify_all()
        try:
            return self._wait_outcome()
        except KeyboardInterrupt:
            self.interrupt()
            return self._wait_outcome()

    def _wait_outcome(self) -> str:
        with self.cond:
            while self.outcome is None:
                self.cond.wait(0.05)
            return self.outcome

    def interrupt(self) -> None:
        with self.cond:
            if self.outcome is None:
                self.interrupting = True
                self.cond.notify_all()

    @contextlib.contextmanager
    def paused(self) -> Iterator[Any]:
        """The scheduler, with the worker stopped at a safe point."""
        with self.cond:
            self.pause_requests += 1
            self.cond.notify_all()
            while not self.paused_now and self.thread.is_alive():
                self.cond.wait(0.05)
        try:
            yield self.sched
        finally:
            with self.cond:
                self.pause_requests -= 1
                self.cond.notify_all()

    def close(self) -> None:
        with self.cond:
            self.closing = True
            self.cond.notify_all()
        self.thread.join(timeout=1.0)

    # -- the worker's side ------------------------------------------------
    def _entry_done(self, outcome: str) -> None:
        with self.cond:
            self.outcome = outcome
            self.interrupting = False
            self.cond.notify_all()

    def _step_hook(self, sched: Scheduler) -> None:
        if self.pending is None and not self.interrupting and not self.pause_requests \
                and not self.closing:
            return
        self._safe_point()

    def _safe_point(self) -> None:
        """Between slices: take a new entry, honour interrupts and pauses."""
        with self.cond:
            if self.closing:
                raise ProgramExit(0)
            if self.pause_requests:
                self.paused_now = True
                self.cond.notify_all()
                while self.pause_requests and not self.closing:
                    self.cond.wait(0.05)
                self.paused_now = False
            interrupting = self.interrupting
            fn, self.pending = self.pending, None
        if interrupting and self.sched.main is not None:
            raise _EntryAbort(ENTRY_INTERRUPTED)
        if interrupting:
            self._entry_done(ENTRY_INTERRUPTED)
        if fn is not None:
            self._install(fn)

    def _wait_for_work(self, timeout: float | None) -> bool:
        """Idle: wait up to timeout (None: forever) for an entry.  True when
        the timeout passed with nothing to do."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self.cond:
            while True:
                if self.pending is not None or self.interrupting or self.pause_requests \
                        or self.closing:
                    break
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return True
                self.paused_now = True
                self.cond.wait(0.05 if left is None else min(left, 0.05))
                self.paused_now = False
        self._safe_point()
        return False

    def _install(self, fn: Any) -> None:
        """Start fn as goroutine 1 at the current real time."""
        sched = self.sched
        now = int((time.monotonic() - sched.host_start) * 1e9)
        at = max(now, sched.fire_time)
        sched.fire_time = at
        g = sched.new_goroutine(sched, 1, fn, [])
        g.origin = (None, None)  # main: no go statement, no creator
        g.run_start = 0
        g.ready_at = at
        g.status = RUNNABLE
        sched.main = g
        sched.allgs[1] = g
        sched.globq.append(g)
        if sched.idle:
            sched._wakep(at)

    def _worker(self) -> None:
        sched = self.sched
        while True:
            try:
                sched._loop()
            except _EntryAbort as e:
                self._recover(e.outcome)
            except (ProgramExit, GoExit) as e:
                if self.closing:
                    return
                self.exit_code = e.code
                with self.cond:
                    self.closing = True
                self._entry_done(ENTRY_EXIT)
                return
            except Exception as e:  # noqa: BLE001 - an internal error must not kill the prompt
                sched.stderr.write(f"csp: internal error: {type(e).__name__}: {e}\n")
                self._recover(ENTRY_PANIC)

    def _recover(self, outcome: str) -> None:
        """Make the scheduler consistent after _loop was left mid-slice."""
        sched = self.sched
        main = sched.main
        if main is not None and outcome:
            self._drop_main(main)
            sched.main = None
        import heapq
        for p in sched.procs:
            if p.cur is not None and p.cur.status is DEAD:
                p.cur = None
            if not p.in_heap and not p.idle:
                if p.cur is not None or p.runnext is not None or p.runq:
                    p.in_heap = True
                    heapq.heappush(sched.heap, (p.now, p.id, p))
                else:
                    sched._go_idle(p)
        sched.cur_p = None
        if outcome:
            self._entry_done(outcome)

    def _drop_main(self, g: Any) -> None:
        sched = self.sched
        sched.allgs.pop(g.id, None)
        if g.status is WAITING:
            w = g.transfer
            if isinstance(w, Waiter) and w.queue is not None:
                # Parked on channels: leave their queues, never to be woken.
                for x in [w, *(w.siblings or [])]:
                    q = x.queue
                    if q is not None and x in q:
                        q.remove(x)
                    x.queue = None
                g.status = DEAD
                return
            # On the timer heap or a sync object: whoever wakes it finds a
            # goroutine that just returns (the entry's code must not go on).
            from runtime.vm import _exit_frame
            g.frames.clear()
            g.frames.append(_exit_frame())
            g.id = sched.next_goid
            sched.next_goid += 1
            sched.allgs[g.id] = g
            return
        for p in sched.procs:
            if p.cur is g:
                p.cur = None
            if p.runnext is g:
                p.runnext = None
            if g in p.runq:
                p.runq.remove(g)
        if g in sched.globq:
            sched.globq.remove(g)
        g.status = DEAD
