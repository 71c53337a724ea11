# Golden tests: every tests/golden/<area>/<behaviour>.csp program must
# behave exactly as real Go 1.19 did when its expectations were recorded
# (tests/golden/regen.py; see tests/golden/README.md).
#
# Invariants:
# - One parametrized test per program, id `area/behaviour`; nothing is
#   xfail: a failure means csp differs from Go (or is not finished yet).
# - csp runs in this process (conftest's run_csp, full path as argument,
#   SIGALRM timeout of 30 s): the interpreter's start-up is paid once, which
#   keeps 400 programs fast on 2 cores.
# - Expectations: `.errors` (compile-error positions) selects `csp check`,
#   which must exit 1 and name every `NAME.csp:LINE:COL` on stderr;
#   otherwise `.stdout` must match byte for byte, the exit code must equal
#   `.exitcode` (0 when absent) and stderr must contain the line in
#   `.stderr` (Go's first stderr line) when present.
# - The tests never need Go.
# - CSP_GOLDEN_SUBPROCESS=1 runs `python -m csp run|check NAME.csp` as a
#   subprocess instead (cwd = the program's folder): slower, but it also
#   exercises the console entry point and survives a hard crash.

from __future__ import annotations

import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import pytest

GOLDEN_DIR = Path(__file__).resolve().parent / "golden"
REPO_ROOT = GOLDEN_DIR.parent.parent
TIMEOUT_SECONDS = 30


@dataclass(frozen=True)
class Outcome:
    """What one csp invocation did."""

    code: int
    stdout: str
    stderr: str


def _decode(data: bytes) -> str:
    # Go programs may print arbitrary bytes; keep them comparable exactly.
    return data.decode("utf-8", errors="surrogateescape")


def _read(path: Path) -> str:
    return _decode(path.read_bytes())


def _programs() -> list[Path]:
    return sorted(GOLDEN_DIR.glob("*/*.csp"))


def _program_id(program: Path) -> str:
    return f"{program.parent.name}/{program.stem}"


class GoldenTimeout(BaseException):
    """Raised by SIGALRM in in-process mode; a BaseException so that the
    CLI's internal-error handler (which catches Exception) lets it through."""


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    raise GoldenTimeout


def run_csp_in_process(command: str, program: Path) -> Outcome:
    from conftest import run_csp as run_csp_here

    previous = signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(TIMEOUT_SECONDS)
    try:
        code, out, err = run_csp_here([command, str(program)])
    except GoldenTimeout:
        pytest.fail(f"csp {command} {program.name} did not finish in {TIMEOUT_SECONDS} s")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)
    return Outcome(code, out, err)


def run_csp(command: str, program: Path) -> Outcome:
    """Run `python -m csp COMMAND NAME.csp` in the program's folder."""
    if os.environ.get("CSP_GOLDEN_SUBPROCESS") != "1":
        return run_csp_in_process(command, program)
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        part for part in (str(REPO_ROOT), env.get("PYTHONPATH", "")) if part
    )
    try:
        done = subprocess.run(
            [sys.executable, "-m", "csp", command, program.name],
            cwd=program.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired as timeout:
        stdout = _decode(timeout.stdout or b"")
        pytest.fail(
            f"csp {command} {program.name} did not finish in {TIMEOUT_SECONDS} s;"
            f" stdout so far:\n{stdout[-2000:]}"
        )
    return Outcome(done.returncode, _decode(done.stdout), _decode(done.stderr))


def check_compile_errors(program: Path, errors_file: Path) -> None:
    positions = [line.strip() for line in _read(errors_file).splitlines() if line.strip()]
    outcome = run_csp("check", program)
    assert outcome.code == 1, (
        f"expected compile errors at {positions}, csp check exited {outcome.code}\n"
        f"stderr:\n{outcome.stderr}"
    )
    missing = [pos for pos in positions if f"{program.name}:{pos}" not in outcome.stderr]
    assert not missing, (
        f"compile errors not reported at {missing} (as {program.name}:LINE:COL)\n"
        f"stderr:\n{outcome.stderr}"
    )


def check_run(program: Path) -> None:
    stem = program.with_suffix("")
    expected_stdout = _read(stem.with_suffix(".stdout"))
    exitcode_file = stem.with_suffix(".exitcode")
    expected_code = int(_read(exitcode_file).strip()) if exitcode_file.exists() else 0
    stderr_file = stem.with_suffix(".stderr")
    expected_stderr_line = _read(stderr_file).strip("\n") if stderr_file.exists() else None

    outcome = run_csp("run", program)
    assert outcome.stdout == expected_stdout, (
        f"stdout differs (exit {outcome.code}); stderr:\n{outcome.stderr[-3000:]}"
    )
    assert outcome.code == expected_code, (
        f"exit code {outcome.code}, Go exits {expected_code}; stderr:\n{outcome.stderr[-3000:]}"
    )
    if expected_stderr_line is not None:
        assert expected_stderr_line in outcome.stderr, (
            f"stderr lacks Go's first line {expected_stderr_line!r}; stderr:\n"
            f"{outcome.stderr[-3000:]}"
        )


@pytest.mark.parametrize("program", _programs(), ids=_program_id)
def test_golden(program: Path) -> None:
    errors_file = program.with_suffix(".errors")
    if errors_file.exists():
        check_compile_errors(program, errors_file)
    else:
        check_run(program)


def test_golden_corpus_is_well_formed() -> None:
    """Each program starts with `package main` and has its expectations;
    hand-written ones (Go 1.22 semantics) carry the marker comment."""
    programs = _programs()
    assert programs, f"no golden programs under {GOLDEN_DIR}"
    problems: list[str] = []
    for program in programs:
        text = _read(program)
        first_code_line = next(
            (line for line in text.splitlines() if line.strip() and not line.startswith("//")),
            "",
        )
        if first_code_line.strip() != "package main":
            problems.append(f"{_program_id(program)}: does not start with `package main`")
        has_errors = program.with_suffix(".errors").exists()
        has_stdout = program.with_suffix(".stdout").exists()
        if has_errors == has_stdout:
            problems.append(f"{_program_id(program)}: needs exactly one of .stdout / .errors")
        if program.parent.name == "compile" and not has_errors:
            problems.append(f"{_program_id(program)}: compile/ program without .errors")
    assert not problems, "\n".join(problems)
