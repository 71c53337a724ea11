"""Random well-formed programs under tiny limits: every run ends with normal
completion, a Go runtime error or a limit message; never a traceback, an
internal error or a hang.

Programs come from a small grammar of statements (loops, endless loops,
goroutines, channel operations, appends, recursion, output) over package
variables, so every generated program compiles.  Runs are in-process with
--timeout as the hang guard (its SIGALRM backstop included).
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from conftest import run_csp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.limits import EXIT_CODES

LIMIT_FLAGS = ["--timeout", "3s", "--max-steps", "20000", "--max-goroutines", "30",
               "--max-memory", "48MiB", "--max-output", "4096"]
HANG_GUARD_SECONDS = 10.0

LEAVES = [
    "n++",
    "s = append(s, n)",
    "s = append(s, s...)",
    "fmt.Println(n, len(s))",
    "go worker(n)",
    "select {\ncase ch <- n:\ndefault:\n}",
    "select {\ncase v := <-ch:\nn += v\ndefault:\n}",
    "ch <- n",
    "n += <-ch",
    "n = rec(n % 50)",
    "n = rec(n)",
    "if len(s) > 0 {\nn += s[n%len(s)]\n}",
    "if n < 100 {\nn = s[n%(len(s)+1)]\n}",
    "runtime.Gosched()",
    "time.Sleep(time.Millisecond)",
    "mu.Lock()\nn++\nmu.Unlock()",
    "str += str + \"x\"",
    "n = n / (n % 3)",
]


def statements(depth: int) -> st.SearchStrategy[str]:
    leaf = st.sampled_from(LEAVES)
    if depth == 0:
        return leaf

    def block(body: list[str]) -> str:
        return "\n".join(body)

    inner = st.lists(statements(depth - 1), min_size=1, max_size=3).map(block)
    return st.one_of(
        leaf,
        inner.map(lambda b: f"for i := 0; i < 5; i++ {{\n{b}\n}}"),
        inner.map(lambda b: f"for {{\n{b}\n}}"),
        inner.map(lambda b: f"if n%2 == 0 {{\n{b}\n}} else {{\nn--\n}}"),
        inner.map(lambda b: f"go func() {{\n{b}\n}}()"),
    )


@st.composite
def programs(draw: st.DrawFn) -> str:
    worker = "\n".join(draw(st.lists(statements(1), min_size=1, max_size=3)))
    main = "\n".join(draw(st.lists(statements(2), min_size=1, max_size=5)))
    buffered = draw(st.sampled_from([0, 1, 4]))
    return f"""package main

import (
\t"fmt"
\t"runtime"
\t"sync"
\t"time"
)

var (
\tn   int
\ts   []int
\tstr string
\tmu  sync.Mutex
\tch  = make(chan int, {buffered})
)

func rec(d int) int {{
\tif d == 0 {{
\t\treturn 0
\t}}
\treturn rec(d-1) + 1
}}

func worker(k int) {{
\tn += k
{worker}
}}

func main() {{
\tfmt.Println("start")
{main}
\tfmt.Println("end", n, len(s), len(str))
\t_ = runtime.NumGoroutine()
\t_ = time.Now()
}}
"""


@pytest.fixture(scope="module")
def prog_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("limits_fuzz") / "prog.csp"


def assert_clean_end(source: str, code: int, out: str, err: str) -> None:
    context = f"exit {code}\n--- program\n{source}\n--- stderr\n{err[:2000]}"
    assert "Traceback" not in err and "internal error" not in err, context
    if code == 0:
        assert out.startswith("start\n") and "\nend " in out, context
    elif code == 2:
        assert err.startswith(("panic: ", "fatal error: ", "runtime: goroutine stack exceeds")), \
            context
    elif code in EXIT_CODES.values():
        flag = next(f for f, c in EXIT_CODES.items() if c == code)
        assert err.startswith(f"csp: program exceeded --{flag}="), context
    else:
        raise AssertionError(f"unexpected exit status\n{context}")


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(source=programs())
def test_random_programs_end_cleanly_under_tiny_limits(prog_path: Path, source: str) -> None:
    prog_path.write_text(source, encoding="utf-8")
    start = time.monotonic()
    code, out, err = run_csp(["run", *LIMIT_FLAGS, str(prog_path)])
    assert time.monotonic() - start < HANG_GUARD_SECONDS, source
    assert code != 1, f"the grammar produced a program that does not compile:\n{source}\n{err}"
    assert_clean_end(source, code, out, err)
