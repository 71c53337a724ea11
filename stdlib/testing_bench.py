"""Benchmarks for package testing: B's methods and the driver's hooks.

Invariants (see stdlib/testing.py for the package's):
- A benchmark is calibrated as Go 1.19's B.launch does: run b.N = 1, then
  predict N from the measured virtual time (x1.2, at most x100 per step,
  at least +1, at most 1e9) until a run takes >= -benchtime; ``-benchtime
  Nx`` runs exactly N.  Each run is a fresh goroutine (the driver's
  runN function) that the caller waits for (park contract: progress is
  kept in a BenchRun, so the waiting native can be executed again).
- Host-time guard: calibration also stops when the next run is predicted
  to push the benchmark past BENCH_UNIT_CAP VM instruction units; a very
  cheap operation therefore reports a smaller N than Go would (its ns/op
  is still the measured virtual time per operation).
- The timer (Start/Stop/ResetTimer) reads the virtual clock of the
  benchmark goroutine's processor.
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from runtime.park import PARKED
from runtime.values import Pointer
from stdlib.testing import (
    B_PTR,
    B_TYPE,
    BENCH_FUNC,
    Config,
    TestState,
    fail,
    matches,
    method,
    new_b,
    now,
    pkg,
    session,
    spawn,
    tstate,
    write,
)

BENCH_UNIT_CAP = 4_000_000  # VM instruction units one benchmark may use


class AllocCounter:
    """Counts allocations for -benchmem / b.ReportAllocs.  Installed as
    runtime.limits' meter for the run (``charge`` is what the VM calls
    where slices are made or grow), it forwards to the meter it replaced.
    Only slice storage is seen: maps, new(T) and composite literals of
    structs are not counted, so B/op and allocs/op are lower bounds."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.bytes = 0
        self.allocs = 0

    def charge(self, nbytes: int) -> None:
        self.bytes += nbytes
        self.allocs += 1
        if self.inner is not None:
            self.inner.charge(nbytes)


def _mem(g: Any) -> tuple[int, int]:
    counter = session().allocs
    return (counter.bytes, counter.allocs) if counter is not None else (0, 0)


class BenchRun:
    """One benchmark's calibration: runs of increasing N until the
    measured time reaches -benchtime (Go 1.19's launch())."""

    def __init__(self, name: str, f: Any, parent: TestState | None) -> None:
        self.name = name
        self.f = f
        self.parent = parent
        self.b: TestState | None = None
        self.n = 1
        self.rounds = 0
        self.units = 0
        self.n_total = 0


def bench_name(name: str, procs: int) -> str:
    return f"{name}-{procs}" if procs != 1 else name


def pretty(x: float, unit: str) -> str:
    y = abs(x)
    if y == 0 or y >= 999.95:
        return f"{x:10.0f} {unit}"
    if y >= 99.995:
        return f"{x:12.1f} {unit}"
    if y >= 9.9995:
        return f"{x:13.2f} {unit}"
    if y >= 0.99995:
        return f"{x:14.3f} {unit}"
    if y >= 0.099995:
        return f"{x:15.4f} {unit}"
    if y >= 0.0099995:
        return f"{x:16.5f} {unit}"
    if y >= 0.00099995:
        return f"{x:17.6f} {unit}"
    return f"{x:18.7f} {unit}"


def _bench_header(g: Any) -> None:
    s = session()
    if not s.bench_header:
        s.bench_header = True
        write(g, f"goos: csp\ngoarch: vm\npkg: {s.config.pkg}\ncpu: csp simulated processor\n")


def _next_n(run: BenchRun, b: TestState, cfg: Config) -> int:
    """0 when calibration is complete, else the next N (Go 1.19)."""
    if b.failed or b.has_sub:
        return 0
    if cfg.benchtime_n:
        return cfg.benchtime_n if run.rounds == 1 and cfg.benchtime_n > 1 else 0
    d = cfg.benchtime_ns
    last = b.n
    if b.duration >= d or last >= 1_000_000_000:
        return 0
    prevns = b.duration if b.duration > 0 else 1
    n = d * last // prevns
    n += n // 5
    n = min(n, 100 * last)
    n = max(n, last + 1)
    n = min(n, 1_000_000_000)
    per_op_units = run.units / max(1, run.n_total)
    if run.units + per_op_units * n > BENCH_UNIT_CAP:
        return 0
    return n


def _instr_used(g: Any) -> int:
    m = g.machine
    left = getattr(m, "instr_left", 0)
    return -int(left)


def bench_step(g: Any, run: BenchRun) -> Any:
    s = session()
    cfg = s.config
    while True:
        b = run.b
        if b is not None:
            if b.signal.wait(g) is PARKED:
                return PARKED
            run.units += _instr_used(g) - b.instr_at_start
            run.n_total += b.n
            run.rounds += 1
            if run.rounds == 1 and not _after_run1(g, b):
                return None
            n = _next_n(run, b, cfg)
            if n == 0:
                _bench_report(g, run, b)
                return None
            run.n = n
        b = TestState(run.name, run.parent, bench=True)
        b.n = run.n
        b.instr_at_start = _instr_used(g)
        b.known_gids = set(g.machine.allgs)
        run.b = b
        b.g = spawn(g, s.brunner, [new_b(b, run.n), run.f])
        s.test_gids.add(b.g.id)


def _after_run1(g: Any, b: TestState) -> bool:
    """Go's run1 epilogue: False when the benchmark stops after N=1 (it
    failed, or it only ran sub-benchmarks)."""
    s = session()
    if b.failed:
        write(g, f"--- FAIL: {b.name}\n" + "".join(b.output))
        return False
    if b.has_sub:
        if s.config.verbose and b.output:
            write(g, f"--- BENCH: {b.name}\n" + "".join(b.output))
        return False
    _bench_header(g)
    return True


def _bench_report(g: Any, run: BenchRun, b: TestState) -> None:
    """Go's processBench: the result line, then any failure or output."""
    s = session()
    s.ran_benches += 1
    full = bench_name(b.name, s.config.procs)
    line = f"{full.ljust(s.bench_maxlen)}\t{b.n:8d}"
    ns = b.duration / b.n if b.n else 0
    if ns != 0:
        line += "\t" + pretty(ns, "ns/op")
    if s.config.benchmem or b.report_allocs:
        n = max(1, b.n)
        line += f"\t{b.mem_bytes // n:8d} B/op\t{b.mem_allocs // n:8d} allocs/op"
    write(g, line + "\n")
    if b.failed:
        write(g, f"--- FAIL: {full}\n" + "".join(b.output))
    elif b.output:
        write(g, f"--- BENCH: {full}\n" + "".join(b.output))


def _bench(g: Any, name: str, f: Any) -> Any:
    s = session()
    run = s.pending_bench
    if run is None:
        if s.config.verbose:
            _bench_header(g)
            write(g, name + "\n")
        run = s.pending_bench = BenchRun(name, f, None)
    res = bench_step(g, run)
    if res is PARKED:
        return PARKED
    s.pending_bench = None
    return None


def _b_run(g: Any, r: Pointer | None, name: str, f: Any) -> Any:
    st = tstate(r)
    s = session()
    run = st.pending_bench
    if run is None:
        st.has_sub = True
        full = st.unique_sub(name)
        if s.config.bench is not None and not matches(s.config.bench, full):
            return True
        ext = len(bench_name("", s.config.procs))
        if len(full) + ext + 1 > s.bench_maxlen:
            s.bench_maxlen = len(full) + ext + 1 + 8
        if s.config.verbose:
            write(g, full + "\n")
        # A sub-benchmark is timed on its own: pause the parent's timer.
        _timer_stop(g, st)
        run = st.pending_bench = BenchRun(full, f, st)
    res = bench_step(g, run)
    if res is PARKED:
        return PARKED
    st.pending_bench = None
    return not (run.b is not None and run.b.failed)


def _timer_start(g: Any, b: TestState) -> None:
    if not b.timer_on:
        b.timer_start = now(g)
        b.mem_start = _mem(g)
        b.timer_on = True


def _timer_stop(g: Any, b: TestState) -> None:
    if b.timer_on:
        b.duration += now(g) - b.timer_start
        nbytes, nallocs = _mem(g)
        b.mem_bytes += nbytes - b.mem_start[0]
        b.mem_allocs += nallocs - b.mem_start[1]
        b.timer_on = False


def _timer_reset(g: Any, b: TestState) -> None:
    if b.timer_on:
        b.timer_start = now(g)
        b.mem_start = _mem(g)
    b.duration = 0
    b.mem_bytes = b.mem_allocs = 0


def _report_allocs(g: Any, r: Pointer | None) -> None:
    tstate(r).report_allocs = True


def _bench_begin(g: Any, r: Pointer | None) -> None:
    b = tstate(r)
    b.g = g
    _timer_start(g, b)


def _bench_end(g: Any, r: Pointer | None, panicked: bool) -> bool:
    b = tstate(r)
    _timer_stop(g, b)
    if panicked:
        fail(b)
        write(g, f"--- FAIL: {b.name}\n" + "".join(b.output))
        return True
    b.finished = True
    for fn in reversed(b.cleanups):
        g.call(fn, [])
    b.signal.done()
    return False


method(B_TYPE, "ResetTimer", (), (), False, lambda g, r: _timer_reset(g, tstate(r)))
method(B_TYPE, "StartTimer", (), (), False, lambda g, r: _timer_start(g, tstate(r)))
method(B_TYPE, "StopTimer", (), (), False, lambda g, r: _timer_stop(g, tstate(r)))
method(B_TYPE, "ReportAllocs", (), (), False, _report_allocs)
method(B_TYPE, "Run", (T.STRING, BENCH_FUNC), (T.BOOL,), False, _b_run)
method(B_TYPE, "SetParallelism", (T.INT,), (), False, lambda g, r, n: None)


pkg.func("CspBench", T.Signature((T.STRING, BENCH_FUNC), ()), _bench)
pkg.func("CspBenchStart", T.Signature((B_PTR,), ()), _bench_begin)
pkg.func("CspBenchFinish", T.Signature((B_PTR, T.BOOL), (T.BOOL,)), _bench_end)
