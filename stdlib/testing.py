"""Package testing: T, B, TB and the hooks `csp test`'s generated driver calls.

Invariants:
- ``testing.T`` is a Named struct ``{state any}`` and ``testing.B`` is
  ``{N int; state any}``; ``state`` holds a ``TestState`` (created by the
  driver hooks, never by user code: a zero ``testing.T`` has no state and
  its methods panic with a nil dereference).
- Every method has a pointer receiver: impl(g, recv: Pointer, ...).
- Blocking natives (T.Run, T.Parallel, the finish hook, the benchmark
  driver) follow the park contract: they return PARKED and are executed
  again when woken, so each keeps its progress in the TestState (a phase or
  a pending object) and is idempotent up to the point where it parked.
  The waits use runtime WaitGroups as one-shot events.
- One test binary runs at a time in a process; ``SESSION`` is its Session
  (set by csp/testcmd.py before the run, read back afterwards).
- Output follows go test: buffered per test and flushed to the parent's
  buffer (indented by 4 per level) on completion, unless -v, where log
  lines stream with ``=== CONT`` markers (Go's chattyPrinter).
"""

from __future__ import annotations

import os
import re
from typing import Any

from lang import types as T
from lang.records import field, record
from runtime.errors import GoPanic
from runtime.panics import NIL_DEREF
from runtime.park import PARKED, WAITING
from runtime.sync_objects import WaitGroup
from runtime.values import Iface, Pointer, runtime_error
from stdlib import fmtcore
from stdlib.registry import Package, register
from stdlib.runtime_pkg import GoExitGoroutine

_STATE = T.StructField("state", T.ANY)
T_TYPE = T.Named("T", "testing", T.Struct((_STATE,)))
B_TYPE = T.Named("B", "testing", T.Struct((T.StructField("N", T.INT), _STATE)))
T_PTR = T.Pointer(T_TYPE)
B_PTR = T.Pointer(B_TYPE)
ANYS = T.Slice(T.ANY)
TEST_FUNC = T.Signature((T_PTR,), ())
BENCH_FUNC = T.Signature((B_PTR,), ())

LEAK_RETRIES = 20           # goleak's default number of retries


@record(slots=False)
class Config:
    """The flags of one `csp test` run that the binary itself honours."""

    verbose: bool = False
    run: list[str] = field(default_factory=list)    # -run, split at '/'
    bench: list[str] | None = None                  # -bench, None: no benchmarks
    leaks: bool = False
    benchtime_ns: int = 1_000_000_000
    benchtime_n: int = 0                            # -benchtime Nx
    procs: int = 4
    pkg: str = ""
    short: bool = False
    benchmem: bool = False
    parallel: int = 4


@record(slots=False)
class Session:
    config: Config
    runner: Any = None            # the driver's tRunner function value
    brunner: Any = None           # the driver's bench runner
    last_name: str = ""           # chatty printer: whose output came last
    failed: bool = False
    ran_tests: int = 0
    ran_benches: int = 0
    top_results: dict[str, bool] = field(default_factory=dict)  # name -> failed
    bench_header: bool = False
    bench_maxlen: int = 0
    bench_names: list[str] = field(default_factory=list)
    pending_bench: Any = None
    test_gids: set[int] = field(default_factory=set)
    par_running: int = 1          # -parallel slots taken (the main test holds one)
    par_waiters: list[WaitGroup] = field(default_factory=list)
    allocs: Any = None            # testing_bench.AllocCounter while benchmarks may run


SESSION: Session | None = None


def session() -> Session:
    """The running binary's Session (a Go panic outside `csp test`)."""
    if SESSION is None:
        raise GoPanic(Iface(T.STRING, "testing: only available under csp test"))
    return SESSION


def _event() -> WaitGroup:
    wg = WaitGroup()
    wg.add(1)
    return wg


class TestState:
    """One test or benchmark (Go's testing.common)."""

    def __init__(self, name: str, parent: TestState | None, bench: bool = False) -> None:
        self.name = name
        self.parent = parent
        self.depth: int = 0 if parent is None else parent.depth + 1
        self.bench = bench
        self.output: list[str] = []
        self.failed: bool = False
        self.skipped: bool = False
        self.finished = False
        self.helpers: set[Any] = set()
        self.cleanups: list[Any] = []
        self.start = 0
        self.duration = 0
        self.signal = _event()          # done (or paused by Parallel)
        self.barrier = _event()         # released when this test's function returned
        self.par_wg = WaitGroup()       # parallel subtests still running
        self.parallel = False
        self.pending_run: TestState | None = None
        self.pending_bench: Any = None   # testing_bench.BenchRun of a running b.Run
        self.phase = 0
        self.retries = 0
        self.sleeping = False
        self.races_at_start = 0
        self.par_phase = 0              # t.Parallel's progress (0: not inside it)
        self.par_subs = 0               # subtests that called t.Parallel
        self.slot_event: WaitGroup | None = None
        self.completed = False          # reported: later logs go to an ancestor
        self.sub_names: dict[str, int] = {}
        self.g: Any = None
        self.known_gids: set[int] = set()
        self.func_frames = 0
        # Benchmarks.
        self.n = 0
        self.timer_on = False
        self.timer_start = 0
        self.has_sub = False
        self.report_allocs = False
        self.mem_start = (0, 0)
        self.mem_bytes = 0
        self.mem_allocs = 0
        self.instr_at_start = 0

    # -- names ---------------------------------------------------------------
    def unique_sub(self, sub: str) -> str:
        """Go's matcher.unique: an empty or repeated name gets #NN."""
        base = rewrite(sub)
        if not self.name:  # the root: top-level names are not made unique
            return base
        name = f"{self.name}/{base}"
        empty = base == ""
        while True:
            count = self.sub_names.get(name)
            if not empty and count is None:
                self.sub_names[name] = 1
                return name
            self.sub_names[name] = (count or 0) + 1
            name = f"{name}#{count or 0:02d}"
            empty = False


def rewrite(name: str) -> str:
    """Go's subtest name rewriting: spaces become underscores, other
    unprintable runes are quoted."""
    out = []
    for c in name:
        if c.isspace():
            out.append("_")
        elif not c.isprintable():
            out.append(repr(c)[1:-1])
        else:
            out.append(c)
    return "".join(out)


def split_pattern(pattern: str) -> list[str]:
    """Split a -run/-bench pattern at '/' outside brackets and parens."""
    if not pattern:
        return []
    parts: list[str] = []
    depth = 0
    cur: list[str] = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            cur.append(pattern[i:i + 2])
            i += 2
            continue
        if c in "[(":
            depth += 1
        elif c in "])":
            depth = max(0, depth - 1)
        if c == "/" and depth == 0:
            parts.append("".join(cur))
            cur = []
        else:
            cur.append(c)
        i += 1
    parts.append("".join(cur))
    return parts


def matches(patterns: list[str], full_name: str) -> bool:
    """Go's matcher: element i of the slash-separated name must match
    pattern element i (unanchored); missing elements match anything."""
    elems = full_name.split("/")
    for pat, elem in zip(patterns, elems, strict=False):
        if pat and re.search(pat, elem) is None:
            return False
    return True


# -- state access ------------------------------------------------------------

def tstate(recv: Pointer | None) -> TestState:
    if recv is None:
        raise GoPanic(runtime_error(NIL_DEREF))
    fields: list[Any] = recv.load()
    st = fields[-1]
    if not isinstance(st, TestState):
        raise GoPanic(runtime_error(NIL_DEREF))
    return st


def new_t(st: TestState) -> Pointer:
    return Pointer([[st]], 0)


def new_b(st: TestState, n: int) -> Pointer:
    return Pointer([[n, st]], 0)


# -- output ------------------------------------------------------------------

def write(g: Any, text: str) -> None:
    g.write_stdout(text)


def _chatty_print(g: Any, name: str, text: str) -> None:
    """Go's chattyPrinter.Printf: a `=== CONT` line when someone else
    printed last."""
    s = session()
    if s.last_name != name:
        write(g, f"=== CONT  {name}\n")
        s.last_name = name
    write(g, text)


def _chatty_update(g: Any, name: str, text: str) -> None:
    s = session()
    s.last_name = name
    write(g, text)


def _caller_site(g: Any, st: TestState) -> tuple[str, int]:
    """file:line of the first frame outside t.Helper functions."""
    frames = getattr(g, "frames", [])
    helpers: set[Any] = set()
    t: TestState | None = st
    while t is not None:
        helpers |= t.helpers
        t = t.parent
    chosen = None
    for f in reversed(frames):
        if f.fn.filename == "<runtime>" or f.fn.name.startswith("testing."):
            continue
        chosen = f
        if f.fn not in helpers:
            break
    if chosen is None:
        return ("???", 1)
    return (os.path.basename(chosen.fn.filename), chosen.line())


def decorate(msg: str, site: tuple[str, int]) -> str:
    lines = msg.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return f"    {site[0]}:{site[1]}: " + "\n        ".join(lines) + "\n"


def _log(g: Any, st: TestState, msg: str) -> None:
    text = decorate(msg, _caller_site(g, st))
    if st.completed:
        # A goroutine the test left behind logs after the report: Go hands
        # the line to the nearest ancestor still running (the root drops it).
        parent = st.parent
        while parent is not None and parent.depth > 0 and parent.completed:
            parent = parent.parent
        if parent is not None and parent.depth > 0:
            parent.output.append(text)
        return
    s = session()
    if s.config.verbose and not st.bench:
        _chatty_print(g, st.name, text)
    else:
        st.output.append(text)


def indent(text: str) -> str:
    return "".join("    " + line + "\n" for line in text.splitlines())


def fmt_duration(ns: int) -> str:
    return f"{ns / 1e9:.2f}s"


def flush_to_parent(g: Any, st: TestState, header: str) -> None:
    """Go's flushToParent: the report header plus the buffered output goes
    to the parent's writer (stdout for top level, else its buffer)."""
    text = header + "".join(st.output)
    st.output = []
    parent = st.parent
    if parent is None or parent.depth == 0:
        if session().config.verbose:
            _chatty_update(g, st.name, text)
        else:
            write(g, text)
    else:
        parent.output.append(indent(text))


def report(g: Any, st: TestState) -> None:
    s = session()
    if st.depth == 1:
        s.top_results[st.name] = st.failed
    if st.failed:
        flush_to_parent(g, st, f"--- FAIL: {st.name} ({fmt_duration(st.duration)})\n")
    elif s.config.verbose:
        word = "SKIP" if st.skipped else "PASS"
        flush_to_parent(g, st, f"--- {word}: {st.name} ({fmt_duration(st.duration)})\n")


def now(g: Any) -> int:
    return int(g.machine.now(g))


# -- common methods (T and B) -------------------------------------------------

def _fmt_args(g: Any, a: Any) -> str:
    text = fmtcore.sprintln(g, fmtcore.args_of(a))
    return text[:-1] if text.endswith("\n") else text


def fail(st: TestState) -> None:
    st.failed = True
    t = st.parent
    while t is not None and t.depth > 0:
        t.failed = True
        t = t.parent
    session().failed = True


def _m_log(g: Any, r: Pointer | None, a: Any) -> None:
    _log(g, tstate(r), _fmt_args(g, a))


def _m_logf(g: Any, r: Pointer | None, f: str, a: Any) -> None:
    _log(g, tstate(r), fmtcore.sprintf(g, f, fmtcore.args_of(a)))


def _m_error(g: Any, r: Pointer | None, a: Any) -> None:
    st = tstate(r)
    _log(g, st, _fmt_args(g, a))
    fail(st)


def _m_errorf(g: Any, r: Pointer | None, f: str, a: Any) -> None:
    st = tstate(r)
    _log(g, st, fmtcore.sprintf(g, f, fmtcore.args_of(a)))
    fail(st)


def _m_fail(g: Any, r: Pointer | None) -> None:
    fail(tstate(r))


def _m_failnow(g: Any, r: Pointer | None) -> None:
    st = tstate(r)
    fail(st)
    st.finished = True
    raise GoExitGoroutine()


def _m_fatal(g: Any, r: Pointer | None, a: Any) -> None:
    _m_error(g, r, a)
    _m_failnow(g, r)


def _m_fatalf(g: Any, r: Pointer | None, f: str, a: Any) -> None:
    _m_errorf(g, r, f, a)
    _m_failnow(g, r)


def _m_skipnow(g: Any, r: Pointer | None) -> None:
    st = tstate(r)
    st.skipped = True
    st.finished = True
    raise GoExitGoroutine()


def _m_skip(g: Any, r: Pointer | None, a: Any) -> None:
    _m_log(g, r, a)
    _m_skipnow(g, r)


def _m_skipf(g: Any, r: Pointer | None, f: str, a: Any) -> None:
    _m_logf(g, r, f, a)
    _m_skipnow(g, r)


def _m_helper(g: Any, r: Pointer | None) -> None:
    st = tstate(r)
    frames = getattr(g, "frames", [])
    if frames:
        st.helpers.add(frames[-1].fn)


def _m_cleanup(g: Any, r: Pointer | None, f: Any) -> None:
    tstate(r).cleanups.append(f)


def _m_tempdir(g: Any, r: Pointer | None) -> str:
    st = tstate(r)
    return f"/tmp/{rewrite(st.name).replace('/', '_')}001"


_COMMON: list[tuple[str, tuple[T.Type, ...], tuple[T.Type, ...], bool, Any]] = [
    ("Log", (ANYS,), (), True, _m_log),
    ("Logf", (T.STRING, ANYS), (), True, _m_logf),
    ("Error", (ANYS,), (), True, _m_error),
    ("Errorf", (T.STRING, ANYS), (), True, _m_errorf),
    ("Fatal", (ANYS,), (), True, _m_fatal),
    ("Fatalf", (T.STRING, ANYS), (), True, _m_fatalf),
    ("Skip", (ANYS,), (), True, _m_skip),
    ("Skipf", (T.STRING, ANYS), (), True, _m_skipf),
    ("Fail", (), (), False, _m_fail),
    ("FailNow", (), (), False, _m_failnow),
    ("SkipNow", (), (), False, _m_skipnow),
    ("Failed", (), (T.BOOL,), False, lambda g, r: tstate(r).failed),
    ("Skipped", (), (T.BOOL,), False, lambda g, r: tstate(r).skipped),
    ("Name", (), (T.STRING,), False, lambda g, r: tstate(r).name),
    ("Helper", (), (), False, _m_helper),
    ("Cleanup", (T.Signature((), ()),), (), False, _m_cleanup),
    ("TempDir", (), (T.STRING,), False, _m_tempdir),
]


def method(t: T.Named, name: str, params: tuple[T.Type, ...], results: tuple[T.Type, ...],
            variadic: bool, impl: Any) -> None:
    t.methods[name] = T.MethodInfo(name, T.Signature(params, results, variadic), True, impl=impl)


for _name, _params, _results, _variadic, _impl in _COMMON:
    method(T_TYPE, _name, _params, _results, _variadic, _impl)
    method(B_TYPE, _name, _params, _results, _variadic, _impl)

TB_TYPE = T.Named("TB", "testing", T.Interface(tuple(
    T.Method(n, T.Signature(p, r, v)) for n, p, r, v, _ in _COMMON if n != "TempDir")))


# -- running tests --------------------------------------------------------------

def spawn(g: Any, fn: Any, args: list[Any]) -> Any:
    frames = getattr(g, "frames", [])
    site = (frames[-1].fn.filename, frames[-1].line()) if frames else None
    return g.machine.spawn(fn, args, g, site)


def _t_run(g: Any, r: Pointer | None, name: str, f: Any) -> Any:
    """t.Run: start the subtest in a fresh goroutine and wait until it
    finishes or calls t.Parallel."""
    st = tstate(r)
    s = session()
    sub = st.pending_run
    if sub is None:
        full = st.unique_sub(name)
        if not matches(s.config.run, full):
            return True
        sub = TestState(full, st)
        st.pending_run = sub
        if s.config.verbose:
            _chatty_update(g, full, f"=== RUN   {full}\n")
        sub.known_gids = set(g.machine.allgs)
        sub.g = spawn(g, s.runner, [new_t(sub), f])
        s.test_gids.add(sub.g.id)
        if sub.depth == 1:
            s.ran_tests += 1
    res = sub.signal.wait(g)
    if res is PARKED:
        return PARKED
    st.pending_run = None
    return not sub.failed


def _wait_parallel(g: Any, st: TestState) -> Any:
    """Go's testContext.waitParallel: take one of the -parallel slots, or
    queue for one (a releasing test hands its slot over)."""
    s = session()
    if st.slot_event is None:
        if s.par_running < s.config.parallel:
            s.par_running += 1
            return None
        st.slot_event = _event()
        s.par_waiters.append(st.slot_event)
    if st.slot_event.wait(g) is PARKED:
        return PARKED
    st.slot_event = None
    return None


def _release_parallel() -> None:
    s = session()
    if s.par_waiters:
        s.par_waiters.pop(0).done()
    else:
        s.par_running -= 1


def _t_parallel(g: Any, r: Pointer | None) -> Any:
    """t.Parallel: let the parent go on, wait until its function returned,
    then for a -parallel slot (Go 1.19's order)."""
    st = tstate(r)
    parent = st.parent
    s = session()
    if parent is None:
        return None
    if st.par_phase == 0:
        if st.parallel:
            raise GoPanic(Iface(T.STRING, "testing: t.Parallel called multiple times"))
        st.parallel = True
        st.par_phase = 1
        if s.config.verbose:
            _chatty_update(g, st.name, f"=== PAUSE {st.name}\n")
        st.duration += now(g) - st.start
        parent.par_wg.add(1)
        parent.par_subs += 1
        st.signal.done()
    if st.par_phase == 1:
        if parent.barrier.wait(g) is PARKED:
            return PARKED
        st.par_phase = 2
    if st.par_phase == 2:
        if _wait_parallel(g, st) is PARKED:
            return PARKED
        st.par_phase = 0
        if s.config.verbose:
            _chatty_update(g, st.name, f"=== CONT  {st.name}\n")
        st.start = now(g)
    return None


def _race_count(g: Any) -> int:
    race = getattr(g.machine, "race", None)
    return int(getattr(race, "count", 0)) if race is not None else 0


def _start(g: Any, r: Pointer | None) -> None:
    st = tstate(r)
    st.start = now(g)
    st.g = g
    st.races_at_start = _race_count(g)


def _leaked(g: Any, st: TestState) -> list[Any]:
    s = session()
    out = []
    for gid, other in list(g.machine.allgs.items()):
        if gid in st.known_gids or other is g or gid in s.test_gids or gid == 1:
            continue
        out.append(other)
    return out


def _finish(g: Any, r: Pointer | None, panicked: bool) -> Any:
    """The deferred part of tRunner.  Returns True when the driver must
    re-panic (the test panicked), else False; PARKED while it waits."""
    st = tstate(r)
    s = session()
    if panicked:
        st.duration += now(g) - st.start
        fail(st)
        t: TestState | None = st
        while t is not None and t.depth > 0:
            report(g, t)
            t = t.parent
        return True
    if st.phase == 0:
        st.phase = 1
        st.finished = True
        # Go measures before waiting for parallel subtests (and adds cleanups).
        st.duration += now(g) - st.start
        if st.par_subs:
            _release_parallel()
        st.barrier.done()
    if st.phase == 1:
        if st.par_wg.wait(g) is PARKED:
            return PARKED
        st.phase = 2 if not st.par_subs or st.parallel else 5
    if st.phase == 5:
        # A sequential test takes its slot back after its parallel subtests.
        if _wait_parallel(g, st) is PARKED:
            return PARKED
        st.phase = 2
    if st.phase == 2:
        if st.sleeping:
            if g.machine.sleep(g, 1) is PARKED:
                return PARKED
            st.sleeping = False
        if s.config.leaks:
            # goleak: retry with growing sleeps while unexpected goroutines
            # remain, then report the survivors (usually blocked forever).
            leaked = _leaked(g, st)
            while leaked and st.retries < LEAK_RETRIES:
                st.retries += 1
                st.sleeping = True
                if g.machine.sleep(g, min(1000 << st.retries, 100_000_000)) is PARKED:
                    return PARKED
                st.sleeping = False
                leaked = _leaked(g, st)
            if leaked:
                from runtime.deadlock import goroutine_text, state_of
                dumps = "\n".join(goroutine_text(o, state_of(o)) for o in leaked)
                st.output.append("    leak check: found unexpected goroutines:\n"
                                 + "".join("        " + line + "\n"
                                           for line in dumps.splitlines()))
                fail(st)
        st.phase = 3
    if st.phase == 3:
        st.phase = 4
        cleanup_start = now(g)
        if _race_count(g) > st.races_at_start:
            # go test -race: a race during the test fails it.
            st.output.append("    testing.go:1312: race detected during execution of test\n")
            fail(st)
        for fn in reversed(st.cleanups):
            g.call(fn, [])
        st.duration += now(g) - cleanup_start
        report(g, st)
        st.completed = True
        if st.parallel and st.parent is not None:
            _release_parallel()
            st.parent.par_wg.done()
        else:
            st.signal.done()
    return False


def _root(g: Any, runner: Any, brunner: Any) -> Pointer:
    s = session()
    s.runner = runner
    s.brunner = brunner
    return new_t(TestState("", None))


def _root_done(g: Any, r: Pointer | None) -> Any:
    st = tstate(r)
    if st.phase == 0:
        st.phase = 1
        if st.par_subs:
            _release_parallel()
        st.barrier.done()
    return st.par_wg.wait(g)


method(T_TYPE, "Run", (T.STRING, TEST_FUNC), (T.BOOL,), False, _t_run)
method(T_TYPE, "Parallel", (), (), False, _t_parallel)


# -- the -timeout alarm -------------------------------------------------------------

def arm_timeout(g: Any, timeout_ns: int, text: str) -> None:
    """Go's startAlarm: after timeout_ns of virtual time print the panic
    and a dump of every goroutine, and end the binary with status 2."""
    from runtime.deadlock import goroutine_text, state_of
    from runtime.scheduler import ProgramExit
    from runtime.timers import func_timer
    machine = g.machine

    def fire(at: int) -> None:
        parts = []
        for other in list(machine.allgs.values()):
            state = "running" if other.status is not WAITING else state_of(other)
            parts.append(goroutine_text(other, state))
        machine.stdout.write(f"panic: test timed out after {text}\n\n" + "\n".join(parts))
        raise ProgramExit(2)

    machine.timers.add(func_timer(timeout_ns, fire), machine.now(g) + timeout_ns)


def _arm(g: Any, ns: int, text: str) -> None:
    if ns > 0:
        arm_timeout(g, ns, text)


pkg = Package("testing", "testing")
pkg.type("T", T_TYPE)
pkg.type("B", B_TYPE)
pkg.type("TB", TB_TYPE)
pkg.func("Short", T.Signature((), (T.BOOL,)), lambda g: session().config.short)
pkg.func("Verbose", T.Signature((), (T.BOOL,)), lambda g: session().config.verbose)
# Hooks for the driver `csp test` generates (not part of Go's API).
pkg.func("CspRoot", T.Signature((T.Signature((T_PTR, TEST_FUNC), ()),
                                 T.Signature((B_PTR, BENCH_FUNC), ())), (T_PTR,)), _root)
pkg.func("CspRootDone", T.Signature((T_PTR,), ()), _root_done)
pkg.func("CspStart", T.Signature((T_PTR,), ()), _start)
pkg.func("CspFinish", T.Signature((T_PTR, T.BOOL), (T.BOOL,)), _finish)
pkg.func("CspAlarm", T.Signature((T.INT, T.STRING), ()), _arm)
register(pkg)

# Benchmarks live in their own module; importing it adds B's methods and
# the benchmark hooks to this package (it needs the definitions above).
from stdlib import testing_bench  # noqa: E402,F401
