#!/usr/bin/env python3
# Regenerates the golden expectations of tests/golden/ from real Go.
#
# Purpose: every `<area>/<behaviour>.csp` program is a Go program; its
# expected behaviour is whatever the real Go toolchain does with it. This
# script rebuilds the expectation files next to each program:
#   .stdout    exact stdout of the built binary (always written for programs
#              that compile)
#   .exitcode  the binary's exit code, only when it is not 0
#   .stderr    the FIRST line of the binary's stderr, only when non-empty
#   .errors    LINE:COL of each compile error, one per line (when the build
#              fails); the other three files are removed in that case
# Invariants: programs carrying the hand-written marker (Go 1.22 semantics
# Go 1.19 cannot produce) are never touched; the script refuses to run
# without `go` on PATH; it is not run by the test-suite (tests never need Go).
# We build with `go build` and run the binary ourselves because `go run`
# reports exit status 1 for every failure, hiding panics' exit code 2.
#
# Usage: python tests/golden/regen.py [AREA | AREA/BEHAVIOUR ...]
# Without arguments it regenerates the sequential areas listed in
# DEFAULT_AREAS only: other areas (the concurrency corpus) belong to other
# authors and may carry expectations Go alone cannot reproduce; name them
# explicitly to regenerate them.

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

GOLDEN_DIR = Path(__file__).resolve().parent
HAND_WRITTEN_MARKER = "// expected output written by hand"
RUN_TIMEOUT_SECONDS = 30
ERROR_POSITION = re.compile(r"^\./prog\.go:(\d+):(\d+):", re.MULTILINE)
DEFAULT_AREAS = (
    "lexing", "decls", "types", "values", "stmts", "funcs", "fmt", "stdlib", "panics",
    "compile", "iface",
)


def is_hand_written(source: str) -> bool:
    return HAND_WRITTEN_MARKER in source


def write_or_remove(path: Path, content: str | None) -> None:
    if content is None:
        path.unlink(missing_ok=True)
    else:
        path.write_text(content, encoding="utf-8", errors="surrogateescape")


def regenerate(program: Path, workdir: Path) -> str:
    """Rebuilds the expectation files of one program; returns a summary line."""
    source = program.read_text(encoding="utf-8")
    if is_hand_written(source):
        return "hand-written, skipped"
    go_file = workdir / "prog.go"
    binary = workdir / "prog"
    go_file.write_text(source, encoding="utf-8")
    binary.unlink(missing_ok=True)
    build = subprocess.run(
        ["go", "build", "-o", str(binary), "prog.go"],
        cwd=workdir, capture_output=True, text=True, check=False,
    )
    stem = program.with_suffix("")
    if build.returncode != 0:
        positions = [f"{line}:{col}" for line, col in ERROR_POSITION.findall(build.stderr)]
        if not positions:
            raise RuntimeError(f"{program}: build failed without positions:\n{build.stderr}")
        write_or_remove(stem.with_suffix(".errors"), "\n".join(positions) + "\n")
        for suffix in (".stdout", ".exitcode", ".stderr"):
            write_or_remove(stem.with_suffix(suffix), None)
        note = "" if program.parent.name == "compile" else "  WARNING: not in compile/"
        return f"compile errors {positions}{note}"
    run = subprocess.run(
        [str(binary)], cwd=workdir, capture_output=True, timeout=RUN_TIMEOUT_SECONDS,
        check=False,
    )
    stdout = run.stdout.decode("utf-8", errors="surrogateescape")
    stderr = run.stderr.decode("utf-8", errors="surrogateescape")
    first_stderr_line = stderr.splitlines()[0] if stderr.strip() else None
    write_or_remove(stem.with_suffix(".stdout"), stdout)
    write_or_remove(stem.with_suffix(".exitcode"),
                    f"{run.returncode}\n" if run.returncode != 0 else None)
    write_or_remove(stem.with_suffix(".stderr"),
                    first_stderr_line + "\n" if first_stderr_line is not None else None)
    write_or_remove(stem.with_suffix(".errors"), None)
    note = "  WARNING: compiles but is in compile/" if program.parent.name == "compile" else ""
    return f"exit {run.returncode}{note}"


def select_programs(names: list[str]) -> list[Path]:
    """Programs named by area or area/behaviour; the default areas when none."""
    programs: list[Path] = []
    for name in names or list(DEFAULT_AREAS):
        target = GOLDEN_DIR / name.removesuffix(".csp")
        if target.is_dir():
            programs.extend(sorted(target.glob("*.csp")))
        elif target.with_suffix(".csp").is_file():
            programs.append(target.with_suffix(".csp"))
        else:
            raise SystemExit(f"regen.py: no area or program named {name!r}")
    return programs


def main(argv: list[str]) -> int:
    if shutil.which("go") is None:
        print("regen.py: `go` is not on PATH; expectations must come from real Go",
              file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="csp-golden-") as tmp:
        workdir = Path(tmp)
        for program in select_programs(argv):
            summary = regenerate(program, workdir)
            print(f"{program.parent.name}/{program.stem}: {summary}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
