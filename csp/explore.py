"""``csp explore FILE.csp``: run a program under many schedules and
summarise the distinct outcomes, each with a command that reproduces it.

A schedule is fixed by the scheduler's settings: ``--seed`` (every random
choice of the run: work stealing, select, math/rand), ``--procs``,
``--slice`` (how many instruction units a processor runs before the others
catch up: small slices interleave goroutines finely, which is what exposes
lock-order deadlocks and check-then-act bugs) and ``--preempt``.  Run k
(0-based) uses seed ``first + k`` and cycles through the procs, slice and
preempt lists, so every outcome is reproduced exactly by the ``csp run
--seed S --procs P --slice N --preempt M FILE`` line printed for it (replay
is simply running with those flags: the simulated machine is deterministic).

Invariants:
- Each run compiles the program afresh (package variables live in the
  compiled Program, so runs never share state) and runs in-process with
  its own output buffers; ``-j N`` spreads runs over N worker processes.
  The summary is the same whatever ``-j`` is.
- An outcome is (exit status, stdout, the headline of stderr: the panic
  line, the fatal error, a data race, a leak warning); outcomes are listed
  most frequent first, ties by first seed.
- Exit status: 0 when every run ended well (status 0, no race, no leak),
  1 when some outcome is a failure, 2 on usage or compile errors.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Optional, TextIO

from csp.replay import RunSchedule
from lang.records import field, record

DEFAULT_RUNS = 100
DEFAULT_PROCS = (1, 2, 4, 8)
DEFAULT_SLICES = (2000, 100, 10, 1)
DEFAULT_SLICE = 2000  # runtime/processor.py SLICE_UNITS
DEFAULT_STRATEGY = "mix"


@record(frozen=True, slots=False)
class Schedule:
    seed: int
    procs: int
    preempt: str
    slice: int = DEFAULT_SLICE
    # PCT depth and priority-change steps, forced switches (runtime/pct.py);
    # a schedule with either runs on one P under a ScheduleHook.
    depth: int = 0
    points: tuple[int, ...] = ()
    switches: tuple[tuple[int, int], ...] = ()

    def run_schedule(self, race: bool) -> RunSchedule:
        return RunSchedule(self.seed, self.procs,
                           self.slice if self.slice != DEFAULT_SLICE else 0,
                           self.preempt, self.depth, self.points, self.switches, race)

    def schedule_string(self, race: bool) -> str:
        """The ``csp run --replay`` string of this schedule."""
        return self.run_schedule(race).encode()

    def command(self, path: str, race: bool) -> str:
        if self.depth or self.switches:
            return f"csp run --replay {self.schedule_string(race)} {path}"
        flags = f"--seed {self.seed} --procs {self.procs}"
        if self.slice != DEFAULT_SLICE:
            flags += f" --slice {self.slice}"
        if self.preempt != "async":
            flags += f" --preempt {self.preempt}"
        if race:
            flags += " -race"
        return f"csp run {flags} {path}"


@record(frozen=True, slots=False)
class RunResult:
    code: int
    stdout: str
    headline: str   # what kind of ending; "" for a clean run

    @property
    def failed(self) -> bool:
        return self.code != 0 or bool(self.headline)


@record(slots=False)
class Outcome:
    result: RunResult
    schedules: list[Schedule] = field(default_factory=list)


def classify(code: int, stderr: str) -> str:
    """The headline of a run's stderr: what went wrong, in one line."""
    lines = stderr.splitlines()
    if "WARNING: DATA RACE" in lines:
        return "data race"
    for line in lines:
        if line.startswith("fatal error: "):
            return line
        if line.startswith("panic: "):
            return line.removesuffix(" [recovered]")
        if line.startswith("csp: warning: ") and "leaked" in line:
            return line.removeprefix("csp: warning: ").split(" (")[0]
        if line.startswith("csp: program exceeded") or line.startswith("csp: "):
            return line
    return ""


def run_once(path: str, source: str, sched: Schedule, race: bool, leaks: str,
             max_steps: Optional[int], timeout: Optional[float],
             hook: Any = None) -> RunResult:
    """Compile and run one schedule in this process (``hook``: a
    runtime/pct.py ScheduleHook to use instead of the schedule's own)."""
    from lang.pipeline import load
    from runtime.run import InstructionLimitExceeded, RunOptions, run_program

    res = load(path, source)
    if res.program is None:
        return RunResult(1, "", "compile error")
    out, err = io.StringIO(), io.StringIO()
    opts = RunOptions(stdout=out, stderr=err, seed=sched.seed, procs=sched.procs,
                      preempt=sched.preempt, race=race, leaks=leaks,
                      slice_units=sched.slice if sched.slice != DEFAULT_SLICE else 0,
                      max_instructions=max_steps, timeout=timeout,
                      strategy=hook if hook is not None
                      else sched.run_schedule(race).hook())
    try:
        code = run_program(res.program, opts)
    except InstructionLimitExceeded:
        code = 2
        err.write(f"csp: program exceeded {max_steps} steps\n")
    return RunResult(code, out.getvalue(), classify(code, err.getvalue()))


def _run_job(args: tuple[str, str, Schedule, bool, str, Optional[int], Optional[float]]
             ) -> RunResult:
    import stdlib
    load_all = getattr(stdlib, "load_all", None)
    if load_all is not None:
        load_all()
    return run_once(*args)


def schedules(runs: int, first_seed: int, procs: Sequence[int], preempts: Sequence[str],
              slices: Sequence[int] = (DEFAULT_SLICE,)) -> list[Schedule]:
    """Run k: seed first+k; procs vary fastest, then slices, then preempt."""
    np, ns = len(procs), len(slices)
    return [Schedule(first_seed + k, procs[k % np],
                     preempts[(k // (np * ns)) % len(preempts)],
                     slices[(k // np) % ns]) for k in range(runs)]


def explore(path: str, source: str, scheds: list[Schedule], race: bool = False,
            leaks: str = "warn", jobs: int = 1, max_steps: Optional[int] = None,
            timeout: Optional[float] = None,
            progress: Optional[TextIO] = None) -> list[Outcome]:
    """Run every schedule; the distinct outcomes, most frequent first.
    With ``progress`` (a terminal), a one-line counter is kept up to date."""
    jobs_args = [(path, source, s, race, leaks, max_steps, timeout) for s in scheds]
    results: list[RunResult] = []

    def collect(it: Iterable[RunResult]) -> None:
        failures = 0
        for r in it:
            results.append(r)
            failures += r.failed
            if progress is not None:
                progress.write(f"\rcsp explore: {len(results)}/{len(scheds)} runs, "
                               f"{failures} failed")
                progress.flush()
        if progress is not None:
            progress.write("\r\033[K")
            progress.flush()

    if jobs > 1 and len(scheds) > 1:
        with ProcessPoolExecutor(max_workers=jobs) as pool:
            collect(pool.map(_run_job, jobs_args, chunksize=4))
    else:
        collect(_run_job(a) for a in jobs_args)
    by_result: dict[RunResult, Outcome] = {}
    for sched, result in zip(scheds, results, strict=True):
        by_result.setdefault(result, Outcome(result)).schedules.append(sched)
    return sorted(by_result.values(),
                  key=lambda o: (-len(o.schedules), o.schedules[0].seed))


def _show_stdout(stdout: str) -> str:
    lines = stdout.splitlines()
    if not lines:
        return "        (no output)"
    if len(lines) <= 6:
        return "\n".join("        | " + ln for ln in lines)
    shown = lines[:3] + [f"... ({len(lines) - 5} more lines)"] + lines[-2:]
    return "\n".join("        | " + ln for ln in shown)


def summary(path: str, outcomes: list[Outcome], total: int, race: bool) -> str:
    n = len(outcomes)
    out = [f"csp explore: {total} runs of {path}: {n} distinct outcome{'s' if n != 1 else ''}",
           ""]
    for i, o in enumerate(outcomes, 1):
        r = o.result
        count = len(o.schedules)
        what = r.headline or "ok"
        out.append(f"  #{i}  {count} run{'s' if count != 1 else ''} "
                   f"({100.0 * count / total:.1f}%): exit {r.code}, {what}")
        out.append("      stdout:")
        out.append(_show_stdout(r.stdout))
        out.append(f"      schedule: {o.schedules[0].schedule_string(race)}")
        out.append(f"      reproduce: {o.schedules[0].command(path, race)}")
        if count > 1:
            seeds = ", ".join(str(s.seed) for s in o.schedules[1:6])
            more = ", ..." if count > 6 else ""
            out.append(f"      also seeds: {seeds}{more}")
        out.append("")
    return "\n".join(out)


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="csp explore", usage="csp explore [flags] FILE.csp",
        description="Explore runs a program under many schedules (seeds, processor "
                    "counts, preemption modes) and lists the distinct outcomes: output, "
                    "exit status, panics, deadlocks, races (-race) and leaks, each with "
                    "how often it happened and a csp run command that reproduces it.",
        allow_abbrev=False)
    p.add_argument("-runs", "--runs", type=int, default=DEFAULT_RUNS, metavar="N",
                   help=f"number of runs (default {DEFAULT_RUNS})")
    p.add_argument("-seed", "--seed", type=int, default=1, metavar="S",
                   help="seed of the first run; run k uses S+k (default 1)")
    p.add_argument("-procs", "--procs", default=",".join(map(str, DEFAULT_PROCS)),
                   metavar="LIST", help="processor counts to cycle through (default 1,2,4,8)")
    p.add_argument("-slice", "--slice", default=",".join(map(str, DEFAULT_SLICES)),
                   metavar="LIST", help="time-slice lengths to cycle through, in instruction "
                   "units (default 2000,100,10,1)")
    p.add_argument("-preempt", "--preempt", default="async,cooperative", metavar="LIST",
                   help="preemption modes to cycle through (default async,cooperative)")
    p.add_argument("-race", "--race", action="store_true", help="run with the race detector")
    p.add_argument("-leaks", "--leaks", choices=("off", "warn", "error"), default="warn",
                   help="report goroutines leaked at exit as an outcome (default warn)")
    p.add_argument("-j", type=int, default=1, metavar="N", help="parallel worker processes")
    p.add_argument("-max-steps", "--max-steps", dest="max_steps", type=int,
                   default=50_000_000, metavar="N",
                   help="per-run instruction limit (default 50000000)")
    p.add_argument("-timeout", "--timeout", type=float, default=30.0, metavar="SEC",
                   help="per-run wall-clock limit in seconds (default 30)")
    p.add_argument("-strategy", "--strategy", choices=("random", "pct", "exhaustive", "mix"),
                   default=DEFAULT_STRATEGY,
                   help="random: seeds x procs x slices; pct: probabilistic concurrency "
                   "testing on one P; exhaustive: every schedule with at most "
                   "--max-preemptions switches (capped at --runs); mix: half random, "
                   f"half pct (default {DEFAULT_STRATEGY})")
    p.add_argument("-depth", "--depth", type=int, default=3, metavar="D",
                   help="PCT bug depth: D-1 priority-change points (default 3)")
    p.add_argument("-max-preemptions", "--max-preemptions", dest="max_preemptions",
                   type=int, default=2, metavar="K",
                   help="exhaustive: at most K forced switches per run (default 2)")
    p.add_argument("file", metavar="FILE.csp")
    return p


def run_explore_command(argv: Sequence[str]) -> int:
    """Entry point from csp/cli.py; returns the exit status."""
    p = build_parser()
    try:
        ns = p.parse_args(list(argv))
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        procs = [int(x) for x in ns.procs.split(",") if x]
        slices = [int(x) for x in ns.slice.split(",") if x]
        preempts = [x for x in ns.preempt.split(",") if x]
    except ValueError:
        sys.stderr.write("csp explore: --procs and --slice take lists like 1,2,4\n")
        return 2
    if not procs or any(n < 1 for n in procs + slices) or ns.runs < 1 or not slices or \
            any(m not in ("async", "cooperative") for m in preempts) or not preempts:
        sys.stderr.write("csp explore: bad --runs, --procs or --preempt\n")
        return 2
    try:
        with open(ns.file, encoding="utf-8", errors="surrogateescape") as f:
            source = f.read()
    except OSError as e:
        sys.stderr.write(f"csp explore: {e.strerror or e}: {ns.file}\n")
        return 2
    from lang.pipeline import load
    first = load(ns.file, source)
    if first.program is None:
        for d in first.diagnostics:
            sys.stderr.write(f"{d.filename}:{d.span.line}:{d.span.col}: {d.message}\n")
        return 1
    tty = sys.stderr if sys.stderr.isatty() and ns.runs >= 20 else None
    if ns.depth < 1 or ns.max_preemptions < 0:
        sys.stderr.write("csp explore: --depth must be >= 1, --max-preemptions >= 0\n")
        return 2
    from csp import strategies
    if ns.strategy == "exhaustive":
        outcomes = strategies.explore_exhaustive(
            ns.file, source, ns.runs, ns.max_preemptions, ns.seed, ns.race, ns.leaks,
            ns.max_steps, ns.timeout, progress=tty)
        sys.stdout.write(summary(ns.file, outcomes,
                                 sum(len(o.schedules) for o in outcomes), ns.race))
        return 1 if any(o.result.failed for o in outcomes) else 0
    scheds = strategies.plan(ns.strategy, ns.file, source, ns.runs, ns.seed, procs,
                             preempts, slices, ns.depth, ns.race, ns.leaks, ns.max_steps,
                             ns.timeout)
    outcomes = explore(ns.file, source, scheds, race=ns.race, leaks=ns.leaks, jobs=ns.j,
                       max_steps=ns.max_steps, timeout=ns.timeout, progress=tty)
    sys.stdout.write(summary(ns.file, outcomes, len(scheds), ns.race))
    return 1 if any(o.result.failed for o in outcomes) else 0
