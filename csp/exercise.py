"""``csp exercise``: classroom exercises graded by a concurrency-aware checker.

An exercise is a folder of data under ``exercises/`` (no Python needed to
add one): ``README.md`` (the task), ``starter.csp`` (with a
``// exercise: NAME`` marker line), ``check.toml`` (the hidden checks),
``hints.md`` (hints separated by ``---`` lines), ``solution.csp`` and
``wrong/*.csp`` (used only by the project's tests).  The folder name is
``NN-NAME``; NN orders the course.

Grading runs the student's program in-process once per (seed, procs)
configuration with every detector the checks ask for switched on (-race,
--leaks=error, --max-goroutines, --max-steps), records what it printed and
the virtual time of every write, then evaluates each check against every
run.  The first failing run of a check is reported with the seed and the
``csp run`` command that replays it.

Invariants: a student's program can never crash the grader (compile errors
and internal errors become a failed "compiles"/"runs" check); every run is
bounded by a wall-clock timeout and a step budget.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import re
import shutil
import sys
import tomllib
from pathlib import Path
from typing import Any, Optional

from lang.records import record

STATE_FILE = ".csp-exercise.json"
MARKER_RE = re.compile(r"^\s*//\s*exercise:\s*([A-Za-z0-9_-]+)", re.MULTILINE)
EXIT_PANIC, EXIT_TIMEOUT, EXIT_STEPS, EXIT_GOROUTINES = 2, 3, 4, 5
EXIT_LEAKS, EXIT_RACE = 8, 66
DEFAULT_STEPS = 3_000_000
DEFAULT_TIMEOUT = 10.0  # wall-clock seconds per run


# ------------------------------------------------------------ exercises


def exercises_root() -> Path:
    """The exercises folder: $CSP_EXERCISES, else exercises/ beside the csp
    package (the repository root of an editable install)."""
    env = os.environ.get("CSP_EXERCISES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "exercises"


@record(slots=False)
class Exercise:
    name: str
    folder: Path
    order: int
    title: str
    config: dict[str, Any]

    def hints(self) -> list[str]:
        path = self.folder / "hints.md"
        if not path.exists():
            return []
        text = path.read_text(encoding="utf-8")
        parts = re.split(r"^---\s*$", text, flags=re.MULTILINE)
        return [p.strip() for p in parts if p.strip()]


class ExerciseError(Exception):
    """A user-facing problem (unknown exercise, missing folder, bad file)."""


def load_exercises(root: Optional[Path] = None) -> list[Exercise]:
    base = root or exercises_root()
    if not base.is_dir():
        raise ExerciseError(f"no exercises folder at {base} (set CSP_EXERCISES)")
    found: list[Exercise] = []
    for folder in sorted(base.iterdir()):
        check = folder / "check.toml"
        if not folder.is_dir() or not check.exists():
            continue
        m = re.match(r"^(\d+)-(.+)$", folder.name)
        order, name = (int(m.group(1)), m.group(2)) if m else (999, folder.name)
        try:
            config = tomllib.loads(check.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as err:
            raise ExerciseError(f"{check}: {err}") from None
        title = name
        readme = folder / "README.md"
        if readme.exists():
            first = readme.read_text(encoding="utf-8").splitlines()[:1]
            if first:
                title = first[0].lstrip("# ").strip()
        found.append(Exercise(name, folder, order, title, config))
    found.sort(key=lambda e: (e.order, e.name))
    return found


def find_exercise(name: str, root: Optional[Path] = None) -> Exercise:
    for ex in load_exercises(root):
        if ex.name == name or ex.folder.name == name:
            return ex
    raise ExerciseError(f"unknown exercise {name!r} (see: csp exercise list)")


# ------------------------------------------------------------ running


class _TimedOutput(io.StringIO):
    """stdout that remembers the virtual time of every write."""

    def __init__(self) -> None:
        super().__init__()
        self.machine: Any = None
        self.writes: list[tuple[int, str]] = []

    def write(self, s: str) -> int:
        now = self.machine.now() if self.machine is not None else 0
        self.writes.append((now, s))
        return super().write(s)


@record(slots=False)
class RunResult:
    seed: int
    procs: int
    code: int
    stdout: str
    stderr: str
    virtual_ns: int
    writes: list[tuple[int, str]]
    command: str

    def line_time_ns(self, needle: str) -> Optional[int]:
        """Virtual time at which output containing needle was written."""
        text = ""
        for when, chunk in self.writes:
            text += chunk
            if needle in text:
                return when
        return None


@record(slots=False)
class RunPlan:
    seeds: list[int]
    procs: list[int]
    preempt: str
    race: bool
    leaks: bool
    max_steps: int
    max_goroutines: Optional[int]
    timeout: float
    slice_units: int = 0  # >0: finer interleaving, as csp explore does


def plan_for(config: dict[str, Any], seeds: Optional[int] = None) -> RunPlan:
    checks = config.get("check", [])
    kinds = {c.get("kind") for c in checks}
    steps = [int(c["max"]) for c in checks if c.get("kind") == "steps"]
    gor = [int(c["max"]) for c in checks if c.get("kind") == "max_goroutines"]
    count = seeds if seeds is not None else int(config.get("seeds", 4))
    first = int(config.get("first_seed", 1))
    return RunPlan(
        seeds=list(range(first, first + count)),
        procs=[int(p) for p in config.get("procs", [1, 4])],
        preempt=str(config.get("preempt", "async")),
        race="race" in kinds, leaks="leaks" in kinds,
        max_steps=min(steps) if steps else int(config.get("max_steps", DEFAULT_STEPS)),
        max_goroutines=min(gor) if gor else None,
        timeout=float(config.get("timeout", DEFAULT_TIMEOUT)),
        slice_units=int(config.get("slice", 0)))


def replay_command(path: str, plan: RunPlan, seed: int, procs: int) -> str:
    """The ``csp run --replay SCHEDULE ...`` command that reproduces one
    graded run exactly (the schedule string is csp.replay's format)."""
    from csp.replay import RunSchedule

    schedule = RunSchedule(seed=seed, procs=procs, slice=max(plan.slice_units, 0),
                           preempt=plan.preempt, race=plan.race).encode()
    flags = [f"--replay {schedule}"]
    if plan.leaks:
        flags.append("--leaks=error")
    flags.append(f"--max-steps {plan.max_steps}")
    if plan.max_goroutines is not None:
        flags.append(f"--max-goroutines {plan.max_goroutines}")
    return "csp run " + " ".join(flags) + " " + path


def run_once(path: str, source: str, plan: RunPlan, seed: int, procs: int) -> RunResult:
    from lang.pipeline import load
    from runtime.run import RunOptions, run_program

    cmd = replay_command(path, plan, seed, procs)
    loaded = load(path, source)
    if loaded.program is None or loaded.diagnostics:
        from lang.diagnostics import format_diagnostic
        msgs = "\n".join(format_diagnostic(d, loaded.source or source)
                         for d in loaded.diagnostics)
        return RunResult(seed, procs, 1, "", msgs, 0, [], f"csp check {path}")
    out = _TimedOutput()
    err = io.StringIO()
    box: list[Any] = []

    def keep(machine: Any) -> None:
        box.append(machine)
        out.machine = machine

    options = RunOptions(stdout=out, stderr=err, seed=seed, procs=procs,
                         preempt=plan.preempt, race=plan.race,
                         leaks="error" if plan.leaks else "off",
                         max_instructions=plan.max_steps, timeout=plan.timeout,
                         slice_units=plan.slice_units, on_machine=keep)
    if plan.max_goroutines is not None:
        options.max_goroutines = plan.max_goroutines
    try:
        code = run_program(loaded.program, options)
    except Exception as exc:  # noqa: BLE001 - a student's program must not crash grading
        code = EXIT_STEPS if type(exc).__name__ == "InstructionLimitExceeded" else 70
        err.write(f"csp: internal error: {exc}\n")
    virtual = 0
    if box:
        machine = box[0]
        virtual = max([p.now for p in machine.procs] + [machine.fire_time])
    return RunResult(seed, procs, code, out.getvalue(), err.getvalue(), virtual,
                     out.writes, cmd)


# ------------------------------------------------------------ checks


@record(slots=False)
class CheckResult:
    name: str
    ok: bool
    message: str = ""
    seed: Optional[int] = None
    procs: Optional[int] = None
    replay: Optional[str] = None

    def as_json(self) -> dict[str, Any]:
        return {"check": self.name, "passed": self.ok, "message": self.message,
                "seed": self.seed, "procs": self.procs, "replay": self.replay}


def _fail(name: str, message: str, run: RunResult) -> CheckResult:
    return CheckResult(name, False, message, run.seed, run.procs, run.command)


def _first_lines(text: str, n: int = 6) -> str:
    lines = text.strip().splitlines()
    more = "\n    ..." if len(lines) > n else ""
    return "\n".join("    " + ln for ln in lines[:n]) + more


def _check_runs_cleanly(runs: list[RunResult], has_steps_check: bool = False) -> CheckResult:
    """The program compiles, does not deadlock, panic, time out or loop."""
    for r in runs:
        if r.code == 1 and not r.stdout and r.virtual_ns == 0:
            return CheckResult("compiles", False, "the program does not compile:\n"
                               + _first_lines(r.stderr, 12) + f"\n({r.command} shows every error)")
        if r.code == EXIT_PANIC:
            what = "deadlock" if "deadlock" in r.stderr else "panic"
            return _fail(f"no {what}", f"the program stopped with a {what}:\n"
                         + _first_lines(r.stderr), r)
        if r.code == EXIT_TIMEOUT:
            return _fail("finishes", "the program did not finish in time (a hang, or a "
                         "goroutine starved by a busy loop?)", r)
        if r.code == EXIT_STEPS and not has_steps_check:
            return _fail("finishes", "the program ran too many instructions without "
                         "finishing (an endless loop, or work that is never stopped?)", r)
        if r.code == 70:
            return _fail("runs", "the interpreter failed:\n" + _first_lines(r.stderr), r)
    return CheckResult("no deadlock or panic", True)


def _check_output(spec: dict[str, Any], runs: list[RunResult]) -> CheckResult:
    name = str(spec.get("name", "output"))
    for r in runs:
        got = r.stdout
        if "exact" in spec:
            want = str(spec["exact"])
            if spec.get("sorted"):
                ok = sorted(got.splitlines()) == sorted(want.splitlines())
            else:
                ok = got == want
            if not ok:
                return _fail(name, "wrong output: expected\n" + _first_lines(want)
                             + "\n  got\n" + _first_lines(got or "(nothing)"), r)
        if "regex" in spec:
            if re.fullmatch(str(spec["regex"]), got, flags=re.DOTALL) is None:
                return _fail(name, f"output does not match /{spec['regex']}/; got\n"
                             + _first_lines(got or "(nothing)"), r)
        for needle in spec.get("contains", []):
            if str(needle) not in got:
                return _fail(name, f"output lacks {needle!r}; got\n"
                             + _first_lines(got or "(nothing)"), r)
    return CheckResult(name, True)


def _check_exit(code: int, name: str, message: str, runs: list[RunResult]) -> CheckResult:
    for r in runs:
        if r.code == code:
            return _fail(name, message + "\n" + _first_lines(r.stderr, 10), r)
    return CheckResult(name, True)


def _check_virtual_time(spec: dict[str, Any], runs: list[RunResult]) -> CheckResult:
    limit_ms = float(spec.get("max_ms", 1e18))
    floor_ms = float(spec.get("min_ms", 0))
    procs = int(spec.get("procs", max(r.procs for r in runs)))
    name = str(spec.get("name", "parallel speed-up"))
    for r in runs:
        if r.procs != procs:
            continue
        took = r.virtual_ns / 1e6
        if took < floor_ms:
            why = spec.get("why", "finished too early")
            return _fail(name, f"took {took:.1f}ms of virtual time on {procs} processors; "
                         f"must take at least {floor_ms:g}ms ({why})", r)
        if took > limit_ms:
            why = spec.get("why", "the work does not run in parallel")
            return _fail(name, f"took {took:.1f}ms of virtual time on {procs} processors; "
                         f"must finish within {limit_ms:g}ms ({why})", r)
    return CheckResult(name, True)


def _check_cancel(spec: dict[str, Any], runs: list[RunResult]) -> CheckResult:
    message = str(spec["message"])
    limit_ms = float(spec["within_ms"])
    name = str(spec.get("name", "cancellation honoured"))
    for r in runs:
        when = r.line_time_ns(message)
        if when is None:
            return _fail(name, f"the program never printed {message!r} (cancellation "
                         "not noticed?)", r)
        if when / 1e6 > limit_ms:
            why = spec.get("why", "cancellation noticed too late")
            return _fail(name, f"{message!r} printed at {when / 1e6:.1f}ms of virtual "
                         f"time; must be within {limit_ms:g}ms ({why})", r)
    return CheckResult(name, True)


def evaluate(config: dict[str, Any], runs: list[RunResult]) -> list[CheckResult]:
    kinds = {spec.get("kind") for spec in config.get("check", [])}
    results = [_check_runs_cleanly(runs, "steps" in kinds)]
    for spec in config.get("check", []):
        kind = spec.get("kind")
        if kind == "output":
            results.append(_check_output(spec, runs))
        elif kind == "race":
            results.append(_check_exit(EXIT_RACE, "no data race",
                                       "a data race was detected (-race):", runs))
        elif kind == "leaks":
            results.append(_check_exit(EXIT_LEAKS, "no goroutine leak",
                                       "goroutines were still blocked when main returned:",
                                       runs))
        elif kind == "steps":
            results.append(_check_exit(
                EXIT_STEPS, "no busy waiting",
                f"the program executed more than {spec['max']} instructions "
                "(busy waiting or an endless loop?)", runs))
        elif kind == "max_goroutines":
            results.append(_check_exit(
                EXIT_GOROUTINES, "bounded goroutines",
                f"the program had more than {spec['max']} live goroutines at once", runs))
        elif kind == "virtual_time":
            results.append(_check_virtual_time(spec, runs))
        elif kind == "cancel":
            results.append(_check_cancel(spec, runs))
        else:
            results.append(CheckResult(f"check {kind!r}", False,
                                       "unknown check kind in check.toml"))
    # A limit hit makes later checks meaningless; keep the first failure's
    # cause visible by not hiding it behind a run that stopped early.
    return results


def check_file(path: str, exercise: Optional[Exercise] = None,
               seeds: Optional[int] = None) -> tuple[Exercise, list[CheckResult]]:
    try:
        source = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise ExerciseError(f"cannot read {path}: {err.strerror}") from None
    if exercise is None:
        m = MARKER_RE.search(source)
        if m is None:
            raise ExerciseError(f"{path}: no '// exercise: NAME' line; "
                                "name the exercise with --exercise NAME")
        exercise = find_exercise(m.group(1))
    plan = plan_for(exercise.config, seeds)
    runs: list[RunResult] = []
    for procs in plan.procs:
        for seed in plan.seeds:
            r = run_once(path, source, plan, seed, procs)
            runs.append(r)
            if r.code == 1 and r.virtual_ns == 0 and not r.stdout:
                return exercise, [_check_runs_cleanly([r])]
            if r.code == EXIT_TIMEOUT:  # a hang: more runs would only cost time
                return exercise, evaluate(exercise.config, runs)
    return exercise, evaluate(exercise.config, runs)


# ------------------------------------------------------------ commands


def _load_state() -> dict[str, Any]:
    try:
        data = json.loads(Path(STATE_FILE).read_text(encoding="utf-8"))
        return data if isinstance(data, dict) else {}
    except (OSError, ValueError):
        return {}


def _save_state(state: dict[str, Any]) -> None:
    Path(STATE_FILE).write_text(json.dumps(state, indent=2) + "\n", encoding="utf-8")


def cmd_list(out: Any) -> int:
    for ex in load_exercises():
        out.write(f"{ex.order:02d}  {ex.name:<24} {ex.title}\n")
    return 0


def cmd_start(name: str, out: Any) -> int:
    ex = find_exercise(name)
    target = Path(f"{ex.name}.csp")
    if target.exists():
        out.write(f"{target} already exists; not overwritten\n")
    else:
        shutil.copyfile(ex.folder / "starter.csp", target)
    shutil.copyfile(ex.folder / "README.md", Path(f"{ex.name}.README.md"))
    state = _load_state()
    state["current"] = ex.name
    _save_state(state)
    out.write(f"started {ex.name}: edit {target} (task: {ex.name}.README.md), then run\n"
              f"  csp exercise check {target}\n")
    return 0


def cmd_hint(name: Optional[str], out: Any) -> int:
    state = _load_state()
    name = name or state.get("current")
    if not name:
        raise ExerciseError("which exercise? csp exercise hint NAME")
    ex = find_exercise(str(name))
    hints = ex.hints()
    given = state.setdefault("hints", {})
    n = int(given.get(ex.name, 0))
    if not hints:
        out.write(f"{ex.name} has no hints\n")
        return 0
    if n >= len(hints):
        out.write(f"no more hints for {ex.name} (all {len(hints)} shown); the last one:\n\n")
        n = len(hints) - 1
    out.write(f"hint {n + 1}/{len(hints)} for {ex.name}:\n\n{hints[n]}\n")
    given[ex.name] = min(n + 1, len(hints))
    state["current"] = ex.name
    _save_state(state)
    return 0


def _find_default_file() -> str:
    state = _load_state()
    current = state.get("current")
    if current and Path(f"{current}.csp").exists():
        return f"{current}.csp"
    marked = [p for p in sorted(Path(".").glob("*.csp"))
              if MARKER_RE.search(p.read_text(encoding="utf-8", errors="replace"))]
    if len(marked) == 1:
        return str(marked[0])
    raise ExerciseError("which file? csp exercise check FILE.csp")


def cmd_check(ns: argparse.Namespace, out: Any) -> int:
    path = ns.file or _find_default_file()
    exercise = find_exercise(ns.exercise) if ns.exercise else None
    ex, results = check_file(path, exercise, ns.seeds)
    passed = all(r.ok for r in results)
    if ns.json:
        out.write(json.dumps({"exercise": ex.name, "file": path, "passed": passed,
                              "checks": [r.as_json() for r in results]}, indent=2) + "\n")
        return 0 if passed else 1
    out.write(f"exercise {ex.name}: {path}\n")
    for r in results:
        mark = "\u2713" if r.ok else "\u2717"
        out.write(f"  {mark} {r.name}\n")
        if not r.ok:
            for line in r.message.splitlines():
                out.write(f"      {line}\n")
            if r.seed is not None:
                out.write(f"      failed with seed {r.seed} on {r.procs} processor(s); "
                          f"replay it with:\n        {r.replay}\n")
    out.write("PASS: all checks passed\n" if passed else
              "FAIL: fix the first \u2717 above (csp exercise hint gives a hint)\n")
    return 0 if passed else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csp exercise", description="Classroom exercises with a concurrency-aware "
        "autograder: list, start NAME, check [FILE] [--json], hint [NAME].")
    sub = parser.add_subparsers(dest="action", required=True)
    sub.add_parser("list", help="list the exercises in course order")
    start = sub.add_parser("start", help="copy an exercise's starter and README here")
    start.add_argument("name")
    check = sub.add_parser("check", help="grade a solution")
    check.add_argument("file", nargs="?")
    check.add_argument("--json", action="store_true", help="machine-readable results")
    check.add_argument("--exercise", help="the exercise (default: the file's marker)")
    check.add_argument("--seeds", type=int, help="schedules per processor count")
    hint = sub.add_parser("hint", help="show the next hint")
    hint.add_argument("name", nargs="?")
    return parser


def run_exercise_command(argv: list[str], out: Any = None) -> int:
    stream = out or sys.stdout
    parser = build_parser()
    try:
        ns = parser.parse_args(argv)
    except SystemExit as stop:
        return int(stop.code or 0) and 2
    try:
        if ns.action == "list":
            return cmd_list(stream)
        if ns.action == "start":
            return cmd_start(ns.name, stream)
        if ns.action == "hint":
            return cmd_hint(ns.name, stream)
        return cmd_check(ns, stream)
    except ExerciseError as err:
        sys.stderr.write(f"csp exercise: {err}\n")
        return 2
