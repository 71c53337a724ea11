"""The REPL session's semantics, without a terminal (csp/session.py)."""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from csp.session import Session


class Captured:
    def __init__(self) -> None:
        self.out = io.StringIO()
        self.err = io.StringIO()
        self.session = Session(lambda: self.out, lambda: self.err)

    def run(self, text: str) -> str:
        """Execute text; what it printed on stdout."""
        start = len(self.out.getvalue())
        self.session.execute(text)
        return self.out.getvalue()[start:]

    def errors(self) -> str:
        return self.err.getvalue()


@pytest.fixture
def s() -> Iterator[Captured]:
    c = Captured()
    yield c
    c.session.close()


def test_expression_echoes_value_and_type(s: Captured) -> None:
    s.run("x := 5")
    assert s.run("x + 1") == "6 (int)\n"
    assert s.run('"a" + "b"') == "ab (string)\n"
    assert s.run("[]int{1, 2}") == "[1 2] ([]int)\n"
    assert s.run('strconv.Atoi("12")') == "12 <nil> (int, error)\n"
    assert s.run('fmt.Println("hi")') == "hi\n"


def test_variables_functions_and_types_persist(s: Captured) -> None:
    s.run("func add(a, b int) int {\n\treturn a + b\n}")
    s.run("type Point struct{ X, Y int }")
    s.run("p := Point{1, 2}")
    s.run("p.X = add(p.X, 10)")
    assert s.run("p") == "{11 2} (Point)\n"
    s.run("var total float64 = 1.5")
    assert s.run("total * 2") == "3 (float64)\n"
    assert s.errors() == ""


def test_method_and_redefinition(s: Captured) -> None:
    s.run("type C struct{ n int }")
    s.run("func (c *C) Inc() { c.n++ }")
    s.run("c := &C{}")
    s.run("c.Inc(); c.Inc()")
    assert s.run("c.n") == "2 (int)\n"
    s.run("func f() int { return 1 }")
    s.run("func f() int { return 2 }")
    assert s.run("f()") == "2 (int)\n"


def test_unused_variables_and_imports_are_fine(s: Captured) -> None:
    assert s.run("func g() {\n\tunused := 3\n}") == ""
    assert s.run('import "strings"') == ""
    assert s.errors() == ""


def test_goroutine_and_channel_across_entries(s: Captured) -> None:
    s.run("ch := make(chan int)")
    s.run("go func() { ch <- 42 }()")
    assert s.run("<-ch") == "42 (int)\n"


def test_goroutines_keep_running_between_entries(s: Captured) -> None:
    s.run("done := make(chan bool, 1)")
    s.run("go func() { time.Sleep(50 * time.Millisecond); fmt.Println(\"tick\"); done <- true }()")
    deadline = time.monotonic() + 5
    while "tick" not in s.out.getvalue() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert "tick\n" in s.out.getvalue()  # printed with no entry running
    assert s.run("<-done") == "true (bool)\n"


def test_compile_error_then_good_entry(s: Captured) -> None:
    assert s.session.execute("y := undefinedThing") is False
    assert "<input>:1:6: undefined: undefinedThing" in s.errors()
    assert s.run("1 + 2") == "3 (int)\n"


def test_panic_prints_go_text_and_session_goes_on(s: Captured) -> None:
    s.run("xs := []int{1}")
    assert s.session.execute("xs[5]") is False
    assert "panic: runtime error: index out of range [5] with length 1" in s.errors()
    assert "goroutine 1 [running]" in s.errors()
    assert s.run("len(xs)") == "1 (int)\n"


def test_deadlock_ends_only_the_entry(s: Captured) -> None:
    s.run("c := make(chan int)")
    assert s.session.execute("<-c") is False
    assert "fatal error: all goroutines are asleep - deadlock!" in s.errors()
    # The abandoned receive does not steal the next value.
    s.run("go func() { c <- 7 }()")
    assert s.run("<-c") == "7 (int)\n"


def test_interrupt_stops_an_endless_loop(s: Captured) -> None:
    s.run("n := 0")
    threading.Timer(0.3, s.session.interrupt).start()
    assert s.session.execute("for { n++ }") is False
    assert "interrupted" in s.errors()
    assert s.run("n > 0") == "true (bool)\n"


def test_os_exit_ends_the_session(s: Captured) -> None:
    s.run("os.Exit(3)")
    assert s.session.exit_code == 3


def test_commands(s: Captured, tmp_path: Path) -> None:
    s.run("ch := make(chan int, 2)")
    s.run("ch <- 1")
    s.run("go func() { time.Sleep(time.Hour) }()")
    gs = s.run(":goroutines")
    assert "[sleep]" in gs and "main.main.func1" in gs
    assert "ch chan int: len 1 cap 2" in s.run(":channels")
    sched = s.run(":sched")
    assert sched.startswith("P0 ") and "global runq=[]" in sched
    s.run("func sq(n int) int { return n * n }")
    assert "== main.sq" in s.run(":dis sq")
    assert "ch chan int" in s.run(":vars")
    assert ":goroutines" in s.run(":help")
    assert "GOMAXPROCS=2" in s.run(":procs 2")
    assert s.run("runtime.GOMAXPROCS(0)") == "2 (int)\n"
    assert s.session.execute(":seed 5")
    prog = tmp_path / "p.csp"
    prog.write_text('package main\n\nimport "fmt"\n\nfunc double(n int) int { return 2 * n }\n\n'
                    'func main() {\n\tv := double(21)\n\tfmt.Println(v)\n}\n')
    assert s.run(f":load {prog}") == "42\n"
    assert s.run("v + double(1)") == "44 (int)\n"
    assert s.run(":reset") == "session reset\n"
    assert s.session.execute("v") is False
    assert s.session.execute(":nope") is False


def test_completion_data(s: Captured) -> None:
    s.run("type P struct{ Name string }")
    s.run("p := P{}")
    assert "Name" in s.session.members("p")
    assert "ToUpper" in s.session.members("strings")
    assert {"p", "P", "fmt"} <= set(s.session.names())


def test_pasted_program_runs_piece_by_piece(s: Captured) -> None:
    program = ('package main\n\nimport "fmt"\n\ntype T struct{ n int }\n\n'
               'func (t T) Twice() int { return 2 * t.n }\n\n'
               'func main() {\n\tt := T{4}\n\tfmt.Println(t.Twice())\n}\n')
    assert s.session.execute(program)
    assert s.out.getvalue() == "8\n"
    assert s.run("t.n") == "4 (int)\n"
