"""Tests for ``csp exercise`` (csp/exercise.py) and the exercises/ folder.

Every exercise's reference solution must pass its hidden checks, and every
wrong solution must fail the check its ``// wrong: ... must fail "NAME"``
comment names.  Runs are in-process (csp.exercise.check_file), with the
exercises' own default seed budgets, so the suite also keeps those budgets
honest.
"""
from __future__ import annotations

import json
import re
import shlex
import time
from pathlib import Path

import pytest

from csp import exercise
from csp.cli import main as cli_main

EXERCISES = exercise.load_exercises()
WRONG_RE = re.compile(r'^// wrong: .*must fail "([^"]+)"', re.MULTILINE)


def _wrong_cases() -> list[tuple[str, Path]]:
    cases = []
    for ex in EXERCISES:
        for path in sorted((ex.folder / "wrong").glob("*.csp")):
            cases.append((ex.name, path))
    return cases


def test_course_has_at_least_15_complete_exercises() -> None:
    assert len(EXERCISES) >= 15
    for ex in EXERCISES:
        for part in ("README.md", "starter.csp", "check.toml", "hints.md", "solution.csp"):
            assert (ex.folder / part).exists(), f"{ex.folder.name} lacks {part}"
        assert len(list((ex.folder / "wrong").glob("*.csp"))) >= 2, ex.name
        assert ex.hints(), ex.name
        starter = (ex.folder / "starter.csp").read_text()
        assert exercise.MARKER_RE.search(starter).group(1) == ex.name  # type: ignore[union-attr]


def _solutions() -> list[Path]:
    found = []
    for ex in EXERCISES:
        found.append(ex.folder / "solution.csp")
        found.extend(sorted((ex.folder / "alt_solutions").glob("*.csp")))
    return found


@pytest.mark.parametrize("path", _solutions(),
                         ids=[f"{p.parent.name}/{p.stem}" for p in _solutions()])
def test_reference_solution_passes(path: Path) -> None:
    _, results = exercise.check_file(str(path))
    failed = [f"{r.name}: {r.message}" for r in results if not r.ok]
    assert not failed, failed


@pytest.mark.parametrize("name,path", _wrong_cases(),
                         ids=[f"{n}/{p.stem}" for n, p in _wrong_cases()])
def test_wrong_solution_fails_the_named_check(name: str, path: Path) -> None:
    source = path.read_text()
    m = WRONG_RE.search(source)
    assert m is not None, f"{path} must say which check catches it"
    started = time.monotonic()
    ex, results = exercise.check_file(str(path))
    assert ex.name == name
    assert time.monotonic() - started < 20
    failed = {r.name: r for r in results if not r.ok}
    assert m.group(1) in failed, (m.group(1), sorted(failed))
    bad = failed[m.group(1)]
    assert bad.message
    if bad.seed is not None:
        assert bad.replay is not None and f"--replay v1:seed={bad.seed}:" in bad.replay
        assert bad.replay.startswith("csp run ")


def _cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = cli_main(["exercise", *argv])
    return code, capsys.readouterr().out


def test_list_shows_course_order(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _cli(["list"], capsys)
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == len(EXERCISES)
    assert "hello-goroutines" in lines[0]
    assert "dining-philosophers" in lines[-1]


def test_start_check_hint_flow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    code, out = _cli(["start", "close-and-range"], capsys)
    assert code == 0
    assert (tmp_path / "close-and-range.csp").exists()
    assert (tmp_path / "close-and-range.README.md").exists()
    # The untouched starter deadlocks (the channel is never closed).
    code, out = _cli(["check"], capsys)
    assert code == 1
    assert "\u2717 no deadlock" in out and "csp run --replay v1:seed=" in out
    # The printed command reproduces the failure: the starter deadlocks.
    replay = next(line for line in out.splitlines() if "csp run --replay" in line)
    argv = shlex.split(replay[replay.index("csp run ") + len("csp "):])
    assert cli_main(argv) == 2
    assert "all goroutines are asleep" in capsys.readouterr().err
    # Hints come one at a time, then repeat the last.
    hints = exercise.find_exercise("close-and-range").hints()
    _, first = _cli(["hint"], capsys)
    assert f"hint 1/{len(hints)}" in first and hints[0] in first
    _, second = _cli(["hint"], capsys)
    assert f"hint 2/{len(hints)}" in second
    _, more = _cli(["hint"], capsys)
    assert "no more hints" in more
    state = json.loads((tmp_path / exercise.STATE_FILE).read_text())
    assert state["current"] == "close-and-range"
    # The reference solution, copied in, passes.
    solution = exercise.find_exercise("close-and-range").folder / "solution.csp"
    (tmp_path / "close-and-range.csp").write_text(solution.read_text())
    code, out = _cli(["check", "close-and-range.csp"], capsys)
    assert code == 0 and "PASS" in out and "\u2717" not in out


def test_json_output(capsys: pytest.CaptureFixture[str]) -> None:
    ex = exercise.find_exercise("hello-goroutines")
    code, out = _cli(["check", "--json", str(ex.folder / "wrong" / "sequential.csp")], capsys)
    assert code == 1
    data = json.loads(out)
    assert data["exercise"] == "hello-goroutines" and data["passed"] is False
    by_name = {c["check"]: c for c in data["checks"]}
    speed = by_name["parallel speed-up"]
    assert speed["passed"] is False and speed["seed"] == 1 and speed["procs"] == 1
    assert ":procs=1" in speed["replay"] and speed["replay"].startswith("csp run --replay v1:")
    assert by_name["output"]["passed"] is True


def test_errors_are_messages_not_tracebacks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli_main(["exercise", "start", "no-such-exercise"]) == 2
    assert "unknown exercise" in capsys.readouterr().err
    (tmp_path / "plain.csp").write_text("package main\n\nfunc main() {}\n")
    assert cli_main(["exercise", "check", "plain.csp"]) == 2
    assert "exercise:" in capsys.readouterr().err
    broken = "// exercise: ping-pong\npackage main\nfunc main() { x }\n"
    (tmp_path / "broken.csp").write_text(broken)
    code = cli_main(["exercise", "check", "broken.csp"])
    out = capsys.readouterr().out
    assert code == 1 and "\u2717 compiles" in out


def test_check_file_format_errors_are_reported(tmp_path: Path) -> None:
    bad = tmp_path / "01-bad"
    bad.mkdir()
    (bad / "check.toml").write_text("seeds = [")
    with pytest.raises(exercise.ExerciseError):
        exercise.load_exercises(tmp_path)
    missing = tmp_path / "none"
    with pytest.raises(exercise.ExerciseError):
        exercise.load_exercises(missing)


def test_timed_output_records_virtual_time() -> None:
    ex = exercise.find_exercise("buffered-queue")
    _, results = exercise.check_file(str(ex.folder / "wrong" / "too_small.csp"), seeds=1)
    bad = {r.name: r for r in results if not r.ok}["producer never waits"]
    assert "10.0ms" in bad.message and bad.seed == 1
