#!/usr/bin/env python3
# Regenerates the expectations of the concurrency golden corpus
# (tests/golden/conc/ and tests/golden/timectx/) from real Go.
#
# Purpose: each `<name>.csp` is a complete Go 1.19 program whose output must
# not depend on scheduling. Its expectations are what the real toolchain
# does, written next to it with the conventions of tests/golden/regen.py:
#   .stdout    exact stdout of the built binary
#   .exitcode  the binary's exit status, only when it is not 0
#   .stderr    the FIRST line of stderr, only when stderr is non-empty
# Invariants:
# - refuses to run without `go` on PATH; the test-suite never runs it;
# - `go build` + running the binary (not `go run`, which turns every failure
#   into exit status 1 and hides the 2 of panics and deadlocks);
# - every program runs RUNS_PER_SETTING times under each GOMAXPROCS in
#   GOMAXPROCS_SETTINGS; expectations are written only when every run
#   produced the same (stdout, exit status, first stderr line). Unstable
#   programs are reported, their old expectation files are left alone, and
#   the script exits 1, so a flaky program can never slip into the corpus;
# - programs that gofmt would change are reported (the corpus is gofmt-clean).
#
# Usage: python tests/golden/conc/regen.py [-j N] [NAME ...]
#   NAME is `conc/x`, `timectx/y` or a path to a .csp; default: all programs.

from __future__ import annotations

import argparse
import concurrent.futures
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import NamedTuple

GOLDEN_DIR = Path(__file__).resolve().parent.parent
AREAS = ("conc", "timectx")
RUNS_PER_SETTING = 10
GOMAXPROCS_SETTINGS = ("1", "4")
RUN_TIMEOUT_SECONDS = 30


class Outcome(NamedTuple):
    stdout: str
    exit_code: int
    first_stderr_line: str | None


def build(program: Path, workdir: Path) -> Path:
    go_file = workdir / "prog.go"
    go_file.write_text(program.read_text(encoding="utf-8"), encoding="utf-8")
    binary = workdir / "prog"
    result = subprocess.run(
        ["go", "build", "-o", str(binary), "prog.go"],
        cwd=workdir, capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"{program}: go build failed:\n{result.stderr}")
    return binary


def run_once(binary: Path, gomaxprocs: str) -> Outcome:
    env = dict(os.environ, GOMAXPROCS=gomaxprocs)
    result = subprocess.run(
        [str(binary)], cwd=binary.parent, capture_output=True, env=env,
        timeout=RUN_TIMEOUT_SECONDS, check=False,
    )
    stderr = result.stderr.decode("utf-8", errors="surrogateescape")
    first = stderr.splitlines()[0] if stderr.strip() else None
    return Outcome(result.stdout.decode("utf-8", errors="surrogateescape"),
                   result.returncode, first)


def gofmt_clean(program: Path) -> bool:
    result = subprocess.run(["gofmt", "-l", str(program)], capture_output=True, text=True,
                            check=False)
    return result.returncode == 0 and not result.stdout.strip()


def write_or_remove(path: Path, content: str | None) -> None:
    if content is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogateescape")


def regenerate(program: Path) -> tuple[bool, str]:
    """Runs one program under every setting; writes its expectations if stable."""
    with tempfile.TemporaryDirectory(prefix="csp-conc-golden-") as tmp:
        try:
            binary = build(program, Path(tmp))
        except RuntimeError as err:
            return False, str(err)
        outcomes: dict[Outcome, list[str]] = {}
        for setting in GOMAXPROCS_SETTINGS:
            for _ in range(RUNS_PER_SETTING):
                try:
                    outcome = run_once(binary, setting)
                except subprocess.TimeoutExpired:
                    return False, f"timed out with GOMAXPROCS={setting}"
                outcomes.setdefault(outcome, []).append(setting)
    if len(outcomes) != 1:
        kinds = "; ".join(
            f"exit {o.exit_code}, stdout {o.stdout[:60]!r} x{len(s)}" for o, s in outcomes.items()
        )
        return False, f"UNSTABLE ({len(outcomes)} different outcomes: {kinds})"
    (outcome,) = outcomes
    stem = program.with_suffix("")
    write_or_remove(stem.with_suffix(".stdout"), outcome.stdout)
    write_or_remove(stem.with_suffix(".exitcode"),
                    f"{outcome.exit_code}\n" if outcome.exit_code != 0 else None)
    write_or_remove(stem.with_suffix(".stderr"),
                    outcome.first_stderr_line + "\n"
                    if outcome.first_stderr_line is not None else None)
    note = "" if gofmt_clean(program) else "  WARNING: not gofmt-formatted"
    return True, f"exit {outcome.exit_code}{note}"


def select_programs(names: list[str]) -> list[Path]:
    if not names:
        return sorted(p for area in AREAS for p in (GOLDEN_DIR / area).glob("*.csp"))
    programs = []
    for name in names:
        path = Path(name)
        if not path.suffix:
            path = GOLDEN_DIR / f"{name}.csp"
        programs.append(path.resolve())
    return programs


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("-j", type=int, default=os.cpu_count() or 2, help="parallel programs")
    parser.add_argument("names", nargs="*")
    args = parser.parse_args(argv)
    if shutil.which("go") is None:
        print("regen.py: `go` is not on PATH; expectations must come from real Go",
              file=sys.stderr)
        return 2
    programs = select_programs(args.names)
    all_stable = True
    with concurrent.futures.ThreadPoolExecutor(max_workers=args.j) as pool:
        summaries = pool.map(regenerate, programs)
        for program, (stable, summary) in zip(programs, summaries, strict=True):
            all_stable = all_stable and stable
            print(f"{program.parent.name}/{program.stem}: {summary}")
    return 0 if all_stable else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
