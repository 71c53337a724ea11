"""Golden tests of `csp test` (csp/testcmd.py, stdlib/testing.py).

tests/golden_test/cases.txt lists each case: name | exit status | arguments,
run in-process with tests/golden_test as the working directory; NAME.out is
the exact expected output (durations are virtual time, so deterministic).
tests/golden_test/go/*.txt hold real `go test` (Go 1.19) outputs for the same
programs: the shape checks below compare them after normalising durations,
package paths, file suffixes and runtime stack frames.
Regenerate the .out files with CSP_UPDATE_GOLDEN=1.
"""

from __future__ import annotations

import io
import os
import re
import shlex
from pathlib import Path

import pytest

from csp.testcmd import format_duration, parse_duration, run_test_command
from stdlib.testing import matches, split_pattern
from stdlib.testing_bench import pretty

HERE = Path(__file__).parent / "golden_test"


def _cases() -> list[tuple[str, int, str]]:
    out = []
    for line in (HERE / "cases.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, code, args = (part.strip() for part in line.split("|"))
        out.append((name, int(code), args))
    return out


def _run(args: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.chdir(HERE)
    out = io.StringIO()
    code = run_test_command(shlex.split(args), out)
    return code, out.getvalue()


@pytest.mark.parametrize("name,code,args", _cases(), ids=[c[0] for c in _cases()])
def test_golden(name: str, code: int, args: str, monkeypatch: pytest.MonkeyPatch) -> None:
    got_code, got = _run(args, monkeypatch)
    expected_path = HERE / f"{name}.out"
    if os.environ.get("CSP_UPDATE_GOLDEN"):
        expected_path.write_text(got, encoding="utf-8")
    assert got == expected_path.read_text(encoding="utf-8")
    assert got_code == code


# -- shapes against real go test output ---------------------------------------------


def _normalise(text: str) -> list[str]:
    text = re.sub(r"\(\d+\.\d+s\)", "(D)", text)
    text = re.sub(r"\t\d+\.\d+s", "\tT", text)
    text = text.replace("example.com/m/", "").replace("example.com/m", "fail")
    text = text.replace("a_test.go", "fail_test.csp")
    return text.splitlines()


def _go(name: str) -> str:
    return (HERE / "go" / f"{name}.txt").read_text(encoding="utf-8")


def test_fail_matches_go_test(monkeypatch: pytest.MonkeyPatch) -> None:
    _, got = _run("fail_test.csp", monkeypatch)
    assert _normalise(got) == _normalise(_go("fail"))


def test_fail_verbose_matches_go_test(monkeypatch: pytest.MonkeyPatch) -> None:
    _, got = _run("-v fail_test.csp", monkeypatch)
    assert _normalise(got) == _normalise(_go("fail_v"))


def test_panic_shape_matches_go_test(monkeypatch: pytest.MonkeyPatch) -> None:
    _, got = _run("panic_test.csp", monkeypatch)
    go = _go("panic").splitlines()
    mine = got.splitlines()
    # Same header and trailer; the goroutine dump's frames differ (Go's
    # testing internals vs the csp driver).
    assert mine[:4] == go[:4]
    assert mine[4].startswith("goroutine ") and mine[4].endswith("[running]:")
    assert _normalise("\n".join(mine[-2:]))[0].startswith("FAIL\tpanic\t")
    assert go[-2].startswith("FAIL\t") and mine[-1] == go[-1] == "FAIL"


def test_timeout_shape_matches_go_test(monkeypatch: pytest.MonkeyPatch) -> None:
    _, got = _run("-timeout 1s timeout_test.csp", monkeypatch)
    go = _go("timeout").splitlines()
    mine = got.splitlines()
    assert mine[:2] == go[:2] == ["panic: test timed out after 1s", ""]
    assert any(line.startswith("goroutine ") and "[sleep]:" in line for line in mine)
    assert mine[-2] == "FAIL\ttimeout\t1.000s" and mine[-1] == go[-1] == "FAIL"


def test_bench_line_shape_matches_go_test(monkeypatch: pytest.MonkeyPatch) -> None:
    _, got = _run("-run XXX -bench Sleep bench_test.csp", monkeypatch)
    shape = re.compile(r"^(Benchmark\S+) +\t +(\d+)\t +[\d.]+ ns/op$")
    go_line = next(line for line in _go("bench").splitlines() if line.startswith("BenchmarkSleep"))
    mine = next(line for line in got.splitlines() if line.startswith("BenchmarkSleep"))
    gm, mm = shape.match(go_line), shape.match(mine)
    assert gm is not None and mm is not None
    # Same column layout: name padded to the same width, tab, %8d, tab, ns/op.
    assert len(go_line.split("\t")[0]) == len(mine.split("\t")[0])
    assert [len(p) for p in go_line.split("\t")[1:2]] == [len(p) for p in mine.split("\t")[1:2]]
    assert got.splitlines()[:3] == ["goos: csp", "goarch: vm", "pkg: bench"]
    assert got.endswith("PASS\nok  \tbench\t" + got.rsplit("\t", 1)[1])


def test_no_tests_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    _, got = _run("-run XXX pass_test.csp", monkeypatch)
    assert got.endswith(" [no tests to run]\n")
    assert _go("no_tests").endswith(" [no tests to run]\n")


# -- behaviour ---------------------------------------------------------------------


def test_schedules_catch_a_seed_dependent_failure(monkeypatch: pytest.MonkeyPatch) -> None:
    code, default = _run("flaky_test.csp", monkeypatch)
    assert code == 0 and default.startswith("ok  \tflaky\t")
    code, out = _run("-schedules 50 flaky_test.csp", monkeypatch)
    assert code == 1
    m = re.search(r"TestFirstReady failed under (\d+) of 50 schedules: seeds (\d+)", out)
    assert m is not None and 0 < int(m.group(1)) < 50
    assert "TestStable" not in out.split("FAIL\n")[-1]
    replay = re.search(r"csp test -run '\^TestFirstReady\$' -seed (\d+) ", out)
    assert replay is not None
    code, again = _run(f"-run '^TestFirstReady$' -seed {replay.group(1)} flaky_test.csp",
                       monkeypatch)
    assert code == 1 and "--- FAIL: TestFirstReady" in again


def test_fetch_example_benchmarks_in_article_proportions(
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.StringIO()
    monkeypatch.chdir(HERE.parent.parent)
    code = run_test_command(["-leaks", "-bench", ".", "examples/testing/fetch_test.csp"], out)
    text = out.getvalue()
    assert code == 0, text
    per_op = {m.group(1): float(m.group(2)) for m in re.finditer(
        r"^Benchmark(\w+)-4 +\t *\d+\t *([\d.]+) ns/op$", text, re.M)}
    assert 9.9e9 <= per_op["Sequential"] <= 10.1e9
    assert 0.99e8 <= per_op["Concurrent"] <= 1.05e8
    assert 0.99e9 <= per_op["WorkerPool"] <= 1.05e9


def test_helpers() -> None:
    assert split_pattern("TestA/sub[/x]") == ["TestA", "sub[/x]"]
    assert matches(["Table", "b"], "TestTable/b_c")
    assert not matches(["Table", "^a$"], "TestTable/b_c")
    assert matches(["Table"], "TestTable/anything")
    assert parse_duration("1m30s") == 90 * 10**9
    assert parse_duration("250ms") == 250 * 10**6
    assert format_duration(600 * 10**9) == "10m0s"
    assert format_duration(1_500_000_000) == "1.5s"
    assert pretty(1000150.0, "ns/op") == "   1000150 ns/op"
    assert pretty(4.0, "ns/op") == "         4.000 ns/op"


def test_bad_flags_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert run_test_command(["-timeout", "soon"], io.StringIO()) == 2
    assert "invalid duration" in capsys.readouterr().err


def test_benchmem_columns_match_go_shape(monkeypatch: pytest.MonkeyPatch) -> None:
    _, got = _run("-bench . -benchmem allocs_test.csp", monkeypatch)
    mem = re.compile(r"\t( *\d+) B/op\t( *\d+) allocs/op$")
    go_line = next(line for line in _go("bench").splitlines() if "B/op" in line)
    gm = mem.search(go_line)
    assert gm is not None
    lines = {line.split("-")[0]: line for line in got.splitlines() if "B/op" in line}
    # make([]int, 10): one 80-byte allocation; appending 5 ints to a nil
    # slice grows it 4 times (cap 1, 2, 4, 8): 120 bytes, as in Go.
    for name, expected in (("BenchmarkAlloc", ("80", "1")), ("BenchmarkAppend", ("120", "4"))):
        m = mem.search(lines[name])
        assert m is not None
        assert (m.group(1).strip(), m.group(2).strip()) == expected
        assert (len(m.group(1)), len(m.group(2))) == (len(gm.group(1)), len(gm.group(2)))


def test_cli_dispatches_test(monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    from csp.cli import main
    monkeypatch.chdir(HERE)
    assert main(["test", "calc_test.csp"]) == 1
    out = capsys.readouterr().out
    assert out.startswith("--- FAIL: TestAdd (0.00s)\n    calc_test.csp:7: ")
    assert main(["help", "test"]) == 0
    assert "usage: csp test" in capsys.readouterr().out
    # `csp test calc.csp` means the tests of calc.csp.
    assert main(["test", "calc.csp"]) == 1
    assert "--- FAIL: TestAdd" in capsys.readouterr().out
