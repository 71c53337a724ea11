"""A fake VM for testing the concurrency runtime without the compiler.

A fake goroutine runs a Python generator that yields operation tuples; the
fake ``run_slice`` executes them against the real channels, select,
timers, sync objects and scheduler, following the same park contract as
runtime/vm.py (a blocking operation is re-executed on wake and finds its
Waiter with take_wake).  Operations:

  ("send", ch, v)            ("recv", ch) -> v       ("recv_ok", ch) -> (v, ok)
  ("close", ch)              ("select", dirs, chans, vals, has_default) -> (i, v, ok)
  ("work", units)            ("sleep", ns)           ("now",) -> ns
  ("go", body, *args)        ("yield",)              ("print", text)
  ("lock", mu) ("unlock", mu) ("rlock", rw) ("runlock", rw) ("wlock", rw) ("wunlock", rw)
  ("wg_add", wg, n) ("wg_wait", wg) ("cond_wait", c) ("signal", c) ("broadcast", c)
"""

from __future__ import annotations

import io
from collections.abc import Callable, Generator
from typing import Any

from runtime.channel import Channel, close_nil, recv_nil, send_nil
from runtime.errors import GoPanic
from runtime.goroutine import GStatus
from runtime.machine import StopReason
from runtime.park import PARKED, take_wake
from runtime.scheduler import Scheduler
from runtime.select import select, select_resume

Body = Callable[..., Generator[Any, Any, None]]


class FakeG:
    """The goroutine fields the runtime uses, plus a generator body."""

    def __init__(self, gid: int, machine: Any, body: Body, args: list[Any]) -> None:
        self.id = gid
        self.machine = machine
        self.status = GStatus.RUNNABLE
        self.wait_reason: Any = None
        self.transfer: Any = None
        self.ready_at = 0
        self.run_start = 0
        self.instructions = 0
        # (created_by, go_site): the scheduler assigns it on spawn.
        self.origin: Any = (None, ("fake.csp", 1))
        self.name = "main." + body.__name__
        self.gen = body(*args)
        self.pending: Any = None
        self.value_in: Any = None
        self.panic_text: Any = None
        self.panics: list[Any] = []
        self.exit_panic: Any = None
        self.wakes = 0  # how many times this goroutine was readied
        self.parks = 0  # how many times it parked

    @property
    def created_by(self) -> Any:
        return self.origin[0]

    @property
    def go_site(self) -> Any:
        return self.origin[1]

    def stack(self) -> list[tuple[str, str, int]]:
        return [(self.name, "fake.csp", 10 + self.id)]


def new_fake(machine: Any, gid: int, fn: Any, args: list[Any]) -> FakeG:
    g = FakeG(gid, machine, fn, args)
    created = getattr(machine, "created", None)
    if created is not None:
        created.append(g)
    return g


def _exec(m: Scheduler, g: FakeG, op: tuple[Any, ...]) -> Any:
    """Run one op; returns its result or PARKED."""
    kind = op[0]
    if kind in ("send", "recv", "recv_ok", "select"):
        w = take_wake(g)
        if w is not None:
            if kind == "send":
                if not w.ok:
                    raise GoPanic("send on closed channel")
                return None
            if kind == "recv":
                return w.elem
            if kind == "recv_ok":
                return (w.elem, w.ok)
            g.transfer = w
            return select_resume(g, op[1])
        if kind == "send":
            ch = op[1]
            return send_nil(g) if ch is None else ch.send(g, op[2])
        if kind == "recv":
            ch = op[1]
            return recv_nil(g) if ch is None else ch.recv(g)
        if kind == "recv_ok":
            ch = op[1]
            return recv_nil(g) if ch is None else ch.recv_ok(g)
        return select(g, m.rng, op[1], op[2], op[3], op[4])
    if kind == "close":
        if op[1] is None:
            close_nil()
        op[1].close()
        return None
    if kind == "sleep":
        return m.sleep(g, op[1])
    if kind == "now":
        return m.now(g)
    if kind == "go":
        m.spawn(op[1], list(op[2:]), g, ("fake.csp", 99))
        return None
    if kind == "print":
        m.stdout.write(op[1])
        return None
    if kind == "lock":
        return op[1].lock(g)
    if kind == "unlock":
        op[1].unlock()
        return None
    if kind == "wlock":
        return op[1].lock(g)
    if kind == "wunlock":
        op[1].unlock()
        return None
    if kind == "rlock":
        return op[1].rlock(g)
    if kind == "runlock":
        op[1].runlock()
        return None
    if kind == "wg_add":
        op[1].add(op[2])
        return None
    if kind == "wg_wait":
        return op[1].wait(g)
    if kind == "cond_wait":
        return op[1].wait(g)
    if kind == "signal":
        op[1].signal()
        return None
    if kind == "broadcast":
        op[1].broadcast()
        return None
    raise AssertionError(f"unknown fake op {op!r}")


def fake_run(m: Any, g: FakeG, budget: int) -> StopReason:
    """The fake VM's ``run(machine, g, budget)``."""
    g.status = GStatus.RUNNING
    used = 0
    while True:
        op = g.pending
        if op is None:
            try:
                op = g.gen.send(g.value_in)
            except StopIteration:
                g.status = GStatus.DEAD
                return StopReason.EXITED
            g.value_in = None
        if op[0] == "work":
            n = op[1]
            step = min(n, budget - used)
            used += step
            g.instructions += step
            g.pending = ("work", n - step) if n > step else None
            if used >= budget:
                g.status = GStatus.RUNNABLE
                return StopReason.BUDGET
            continue
        if op[0] == "yield":
            g.pending = None
            g.status = GStatus.RUNNABLE
            return StopReason.YIELDED
        try:
            res = _exec(m, g, op)
        except GoPanic as e:
            g.panic_text = f"panic: {e.value}\n\ngoroutine {g.id} [running]:\n"
            return StopReason.PANICKED
        if res is PARKED:
            g.parks += 1
            g.pending = op
            return StopReason.BLOCKED
        g.pending = None
        g.value_in = res
        used += 1
        g.instructions += 1


class CountingScheduler(Scheduler):
    """A Scheduler that counts wakes per goroutine (exactly-once checks)."""

    created: list[FakeG]

    def ready(self, g: Any) -> None:
        g.wakes += 1
        super().ready(g)


def make_machine(procs: int = 4, seed: int = 1, check: bool = False,
                 **kw: Any) -> tuple[CountingScheduler, io.StringIO, io.StringIO]:
    out, err = io.StringIO(), io.StringIO()
    m = CountingScheduler(out, err, procs=procs, seed=seed, run_slice=fake_run,
                          new_goroutine=new_fake, **kw)
    m.created = []
    if check:
        m.step_hook = lambda s: s.check_invariants()
    return m, out, err


def run_prog(body: Body, *args: Any, procs: int = 4, seed: int = 1, check: bool = True,
             **kw: Any) -> tuple[int, str, str, CountingScheduler]:
    m, out, err = make_machine(procs, seed, check, **kw)
    code = m.run(body, list(args))
    return code, out.getvalue(), err.getvalue(), m


def chan(cap: int = 0, zero: Any = 0) -> Channel:
    return Channel(cap, zero)


# -- the harness itself --------------------------------------------------

def test_harness_runs_a_trivial_program() -> None:
    def main() -> Generator[Any, Any, None]:
        yield ("print", "hi\n")
    code, out, err, _ = run_prog(main)
    assert (code, out, err) == (0, "hi\n", "")
