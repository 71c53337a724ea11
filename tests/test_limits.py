"""Run limits: every runaway program stops within its limit, keeps what it
printed, names the limit on stderr and exits with the limit's code.

Most runs go through ``csp.cli.main`` in-process (conftest.run_csp); the
100 MB output test and Ctrl-C run csp as a subprocess, as users do.
"""

from __future__ import annotations

import io
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO_ROOT, run_csp

from runtime import limits as L

Writer = Callable[..., Path]

ENDLESS = """package main

import "fmt"

func main() {
\tfmt.Println("before the loop")
\tx := 0
\tfor {
\t\tx++
\t}
}
"""

GOROUTINE_BOMB = """package main

import "fmt"

func f() {
\tselect {}
}

func main() {
\tfmt.Println("spawning")
\tfor {
\t\tgo f()
\t}
}
"""

ALLOCATION_BOMB = """package main

import "fmt"

func main() {
\ts := []int{1}
\tfor {
\t\ts = append(s, s...)
\t\tfmt.Println(len(s))
\t}
}
"""

STRING_BOMB = """package main

import "fmt"

func main() {
\ts := "ab"
\tfor {
\t\ts += s
\t\tfmt.Println(len(s))
\t}
}
"""

RECURSION = """package main

import "fmt"

func f(n int) int {
\treturn f(n+1) + 1
}

func main() {
\tfmt.Println("before")
\tfmt.Println(f(0))
}
"""

BIG_OUTPUT = """package main

import (
\t"fmt"
\t"strings"
)

func main() {
\tline := strings.Repeat("x", 999)
\tfor i := 0; i < 200000; i++ {
\t\tfmt.Println(line)
\t}
\tfmt.Println("unreachable under the limit")
}
"""


def reason(flag: str, shown: str) -> str:
    return f"csp: program exceeded --{flag}={shown} (raise it with --{flag})\n"


def test_exit_codes_are_distinct_and_documented() -> None:
    codes = L.EXIT_CODES
    assert codes == {"timeout": 3, "max-steps": 4, "max-goroutines": 5,
                     "max-memory": 6, "max-output": 7}
    help_text = run_csp(["help", "run"]).out
    for flag in codes:
        assert f"--{flag}" in help_text
    assert "3 timeout, 4 max-steps" in " ".join(help_text.split())
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    assert "## Limits and safety" in readme


def test_timeout_stops_an_endless_loop(write_csp: Writer) -> None:
    start = time.monotonic()
    code, out, err = run_csp(["run", "--timeout", "2", str(write_csp(ENDLESS))])
    elapsed = time.monotonic() - start
    assert code == L.EXIT_TIMEOUT
    assert out == "before the loop\n"
    assert err.startswith(reason("timeout", "2s") + "\ngoroutine 1 [running]:\nmain.main()\n")
    assert 2.0 <= elapsed < 4.0


def test_timeout_accepts_go_durations(write_csp: Writer) -> None:
    code, _, err = run_csp(["run", "--timeout=300ms", str(write_csp(ENDLESS))])
    assert code == L.EXIT_TIMEOUT
    assert err.startswith(reason("timeout", "300ms"))


def test_max_steps_stops_an_endless_loop(write_csp: Writer) -> None:
    code, out, err = run_csp(["run", "--max-steps", "20000", str(write_csp(ENDLESS))])
    assert code == L.EXIT_STEPS
    assert out == "before the loop\n"
    assert err.startswith(reason("max-steps", "20000") + "\ngoroutine 1 [running]:\n")
    assert "prog.csp:9" in err  # the loop body: where the program was


def test_goroutine_bomb(write_csp: Writer) -> None:
    code, out, err = run_csp(["run", "--max-goroutines", "500", str(write_csp(GOROUTINE_BOMB))])
    assert code == L.EXIT_GOROUTINES
    assert out == "spawning\n"
    assert err.startswith(reason("max-goroutines", "500"))
    assert "\ngoroutine 6 [" in err
    assert "more goroutines not shown" in err  # the dump is bounded


def test_goroutine_bomb_under_the_default_limit_is_caught_by_another(write_csp: Writer) -> None:
    # The default (1,000,000) is for benchmarks; a step limit still ends the bomb.
    code, _, err = run_csp(["run", "--max-steps", "30000", str(write_csp(GOROUTINE_BOMB))])
    assert code == L.EXIT_STEPS
    assert err.startswith(reason("max-steps", "30000"))


@pytest.mark.parametrize("source", [ALLOCATION_BOMB, STRING_BOMB], ids=["append", "string"])
def test_allocation_bomb(write_csp: Writer, source: str) -> None:
    code, out, err = run_csp(["run", "--max-memory", "64MiB", str(write_csp(source))])
    assert code == L.EXIT_MEMORY
    assert err.startswith(reason("max-memory", "64MiB"))
    lengths = [int(x) for x in out.split()]
    assert lengths[:3] == [2, 4, 8] if "append" in source else [4, 8, 16]  # kept
    if "append" in source:  # the meter sees slice growth: stopped near the limit
        assert lengths[-1] * 8 < 64 * 2 ** 20 * 4
    else:  # strings only meet the address-space backstop (2x the limit + 512MiB)
        assert lengths[-1] < 2 ** 31


def test_unbounded_recursion_is_a_go_stack_overflow(write_csp: Writer) -> None:
    code, out, err = run_csp(["run", str(write_csp(RECURSION))])
    assert code == 2
    assert out == "before\n"
    assert err.startswith(
        "runtime: goroutine stack exceeds 1000000000-byte limit\n"
        "fatal error: stack overflow\n\n"
        "goroutine 1 [running]:\nmain.f()\n")
    assert err.endswith("...additional frames elided...\n")
    assert err.count("main.f()") == L.DUMP_FRAMES
    assert "RecursionError" not in err and "Traceback" not in err


def test_frame_cap_is_configurable_in_run_options(write_csp: Writer) -> None:
    from lang.pipeline import load
    from runtime.run import RunOptions, run_program

    path = write_csp(RECURSION)
    result = load(str(path), path.read_text())
    assert result.program is not None
    out, err = io.StringIO(), io.StringIO()
    code = run_program(result.program, RunOptions(stdout=out, stderr=err, max_frames=5000))
    assert code == 2
    assert out.getvalue() == "before\n"
    assert "fatal error: stack overflow" in err.getvalue()


def test_deep_but_finite_recursion_still_works(write_csp: Writer) -> None:
    source = RECURSION.replace("\treturn f(n+1) + 1", "\tif n == 200000 {\n\t\treturn 0\n"
                                                     "\t}\n\treturn f(n+1) + 1")
    code, out, err = run_csp(["run", str(write_csp(source))])
    assert (code, out, err) == (0, "before\n200000\n", "")


def test_max_output_in_process(write_csp: Writer) -> None:
    code, out, err = run_csp(["run", "--max-output", "10000", str(write_csp(BIG_OUTPUT))])
    assert code == L.EXIT_OUTPUT
    assert len(out.encode()) == 10000
    assert out.startswith("x" * 999 + "\n")
    assert err.startswith(reason("max-output", "10000"))


def test_100_mb_of_output_stops_at_the_limit(tmp_path: Path) -> None:
    prog = tmp_path / "big.csp"
    prog.write_text(BIG_OUTPUT, encoding="utf-8")
    sink = tmp_path / "stdout.txt"
    with sink.open("wb") as fh:
        proc = subprocess.run(
            [sys.executable, "-m", "csp", "run", "--max-output", "100MB", str(prog)],
            stdout=fh, stderr=subprocess.PIPE, timeout=300, cwd=REPO_ROOT)
    assert proc.returncode == L.EXIT_OUTPUT
    assert sink.stat().st_size == 100_000_000
    err = proc.stderr.decode()
    assert err.startswith(reason("max-output", "100MB"))
    with sink.open("rb") as fh:
        fh.seek(100_000_000 - 1000)
        tail = fh.read()
    assert tail == (b"x" * 999 + b"\n")[-1000:]  # lines are 1000 bytes: a clean cut


def test_limits_do_not_touch_a_normal_program(write_csp: Writer) -> None:
    source = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n'
    code, out, err = run_csp(["run", "--timeout", "5s", "--max-steps", "1000000",
                              "--max-goroutines", "2", "--max-memory", "8MiB",
                              "--max-output", "3", str(write_csp(source))])
    assert (code, out, err) == (0, "hi\n", "")


@pytest.mark.parametrize("flag,value,message", [
    ("--timeout", "2x", "invalid duration"),
    ("--timeout", "0", "must be positive"),
    ("--max-memory", "lots", "invalid size"),
    ("--max-output", "0", "must be positive"),
    ("--max-goroutines", "0", "must be at least 1"),
])
def test_bad_limit_values_are_usage_errors(write_csp: Writer, flag: str, value: str,
                                           message: str) -> None:
    code, _, err = run_csp(["run", flag, value, str(write_csp(ENDLESS))])
    assert code == 2
    assert message in err


def test_parse_duration_and_size() -> None:
    assert L.parse_duration("2s") == 2.0
    assert L.parse_duration("1m30s") == 90.0
    assert L.parse_duration("500ms") == 0.5
    assert L.parse_duration("1.5") == 1.5
    assert L.format_duration(2.0) == "2s"
    assert L.format_duration(0.5) == "500ms"
    assert L.format_duration(90.0) == "1m30s"
    assert L.parse_size("1GiB") == 1 << 30
    assert L.parse_size("100MB") == 100_000_000
    assert L.parse_size("512k") == 512 * 1024
    assert L.parse_size("4096") == 4096
    for n in (1 << 30, 100_000_000, 4096, 12345):
        assert L.parse_size(L.format_size(n)) == n


def test_memory_meter_measures_before_it_fails() -> None:
    live = [0]
    meter = L.MemoryMeter(1000, "1000", measure=lambda: live[0])
    meter.charge(900)             # under the limit: no measurement needed
    meter.charge(900)             # estimate 1800 > 1000: measure; live is 0
    assert meter.estimate == 900
    live[0] = 800
    with pytest.raises(L.LimitExceeded) as info:
        meter.charge(300)         # 800 live + 300 pending
    assert info.value.exit_code == L.EXIT_MEMORY


def _sigint_run(args: list[str], program: Path) -> subprocess.CompletedProcess[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "csp", "run", *args, str(program)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=REPO_ROOT,
        # A shell's background jobs ignore SIGINT; a terminal's do not.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    assert proc.stdout is not None
    first = proc.stdout.readline()  # the program is running
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, first + out, err)


@pytest.mark.parametrize("debug", [False, True])
def test_ctrl_c_stops_like_go(tmp_path: Path, debug: bool) -> None:
    prog = tmp_path / "endless.csp"
    prog.write_text(ENDLESS, encoding="utf-8")
    res = _sigint_run(["--debug"] if debug else [], prog)
    assert res.returncode == 130
    assert res.stdout == b"before the loop\n"
    err = res.stderr.decode()
    assert err.startswith("signal: interrupt\n")
    assert ("goroutine 1 [running]:" in err) == debug
    assert "Traceback" not in err
