"""Compiler end to end: small Go programs through parse, check, compile and
the VM, checked against what Go prints; plus the disassembler's shape."""

from __future__ import annotations

import io
import re

import pytest

from lang.dis import disassemble
from lang.pipeline import load
from runtime.run import RunOptions, run_program


def run_src(src: str) -> tuple[str, str, int]:
    result = load("prog.csp", src)
    assert result.program is not None, [d.header() for d in result.diagnostics]
    out, err = io.StringIO(), io.StringIO()
    code = run_program(result.program, RunOptions(stdout=out, stderr=err))
    return out.getvalue(), err.getvalue(), code


CASES = [
    # Go 1.22 per-iteration loop variables.
    ("""package main
import "fmt"
func main() {
	var fs []func() int
	for i := 0; i < 3; i++ {
		fs = append(fs, func() int { return i })
	}
	for _, f := range fs {
		fmt.Print(f(), " ")
	}
	fmt.Println()
}
""", "0 1 2 \n"),
    # Interfaces, dynamic dispatch, type switches and assertions.
    ("""package main
import "fmt"
type Shape interface{ Area() float64 }
type Sq struct{ s float64 }
type Circ struct{ r float64 }
func (q Sq) Area() float64 { return q.s * q.s }
func (c *Circ) Area() float64 { return 3 * c.r * c.r }
func kind(x any) string {
	switch v := x.(type) {
	case nil:
		return "nil"
	case int:
		return fmt.Sprint("int ", v+1)
	case string, bool:
		return fmt.Sprint("string or bool ", v)
	case Shape:
		return fmt.Sprint("shape ", v.Area())
	}
	return "other"
}
func main() {
	shapes := []Shape{Sq{2}, &Circ{1}}
	total := 0.0
	for _, s := range shapes {
		total += s.Area()
	}
	fmt.Println(total)
	fmt.Println(kind(nil), kind(4), kind("x"), kind(Sq{3}), kind(2.5))
	var x any = 7
	n, ok := x.(int)
	s, ok2 := x.(string)
	fmt.Println(n, ok, s == "", ok2)
}
""", "7\nnil int 5 string or bool x shape 9 other\n7 true true false\n"),
    # Named results modified by a deferred closure, recover re-panic rules.
    ("""package main
import "fmt"
func f() (n int) {
	defer func() {
		if r := recover(); r != nil {
			n = -1
		}
	}()
	var a []int
	return a[3]
}
func g() {
	defer func() { recover() }()
	func() {
		r := recover()
		fmt.Println("not deferred:", r)
	}()
	panic("boom")
}
func main() {
	fmt.Println(f())
	g()
	fmt.Println("after")
}
""", "-1\nnot deferred: <nil>\nafter\n"),
    # Method values bind a copy (value receiver) or the pointer.
    ("""package main
import "fmt"
type C struct{ n int }
func (c C) Get() int { return c.n }
func (c *C) Inc() { c.n++ }
func main() {
	c := C{1}
	get := c.Get
	inc := c.Inc
	inc()
	inc()
	fmt.Println(get(), c.Get(), c.n)
}
""", "1 3 3\n"),
    # Arrays copy, maps with struct keys, append aliasing.
    ("""package main
import "fmt"
type P struct{ X, Y int }
func main() {
	a := [2]P{{1, 2}, {3, 4}}
	b := a
	b[0].X = 9
	m := map[P]int{{1, 2}: 5}
	m[P{1, 2}]++
	s := make([]int, 2, 3)
	t := append(s, 7)
	u := append(s, 8)
	fmt.Println(a[0].X, b[0].X, m[P{1, 2}], t[2], u[2], len(m))
	for k, v := range m {
		fmt.Println(k.X, k.Y, v)
	}
}
""", "1 9 6 8 8 1\n1 2 6\n"),
    # Integer wrap for narrow types and string iteration.
    ("""package main
import "fmt"
func main() {
	var x uint8 = 250
	x += 10
	var y int32 = 1 << 30
	y *= 4
	for i, r := range "aé" {
		fmt.Print(i, ":", string(r), " ")
	}
	fmt.Println(x, y, -7/2, -7%2, 1<<3>>1)
}
""", "0:a 1:é 4 0 -3 -1 4\n"),
]


@pytest.mark.parametrize("src,want", CASES)
def test_program_output(src: str, want: str) -> None:
    out, err, code = run_src(src)
    assert (out, code) == (want, 0), err


def test_panic_report_shape() -> None:
    src = """package main

type E struct{ msg string }

func (e *E) Error() string { return "E: " + e.msg }

func f() {
	panic(&E{"bad"})
}

func main() {
	defer println("deferred")
	f()
}
"""
    out, err, code = run_src(src)
    assert code == 2
    lines = err.splitlines()
    assert lines[0] == "deferred"
    assert lines[1] == "panic: E: bad"
    assert "goroutine 1 [running]:" in lines
    i = lines.index("goroutine 1 [running]:")
    assert lines[i + 1:i + 5] == ["main.f(...)", "\tprog.csp:8", "main.main(...)", "\tprog.csp:13"]


def test_println_goes_to_stderr_in_go_format() -> None:
    out, err, code = run_src("package main\nfunc main() { println(1, true, \"s\", 1.5) }\n")
    assert out == ""
    assert err == "1 true s +1.500000e+000\n"


def test_nil_map_and_nil_pointer_panics() -> None:
    _, err, code = run_src("package main\nfunc main() { var m map[int]int; m[1] = 2 }\n")
    assert code == 2 and err.startswith("panic: assignment to entry in nil map\n")
    _, err, code = run_src(
        "package main\ntype T struct{ x int }\nfunc main() { var p *T; p.x = 1 }\n")
    assert code == 2
    assert err.splitlines()[:2] == [
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]"]


def test_disassembly_format() -> None:
    src = """package main

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	println(fib(10))
}
"""
    result = load("prog.csp", src)
    assert result.program is not None
    text = disassemble(result.program)
    assert "== main.fib (prog.csp:3) ==" in text
    assert "JGE" in text and "-> " in text
    assert "k" in text and "<func main.fib>" in text
    fib_lines = text.split("== main.main")[0].splitlines()
    assert fib_lines[1].split()[0] in ("3", "4")


RANGE_CHAN = """package main

import "fmt"

func main() {
	ch := make(chan int, 3)
	ch <- 1
	ch <- 2
	ch <- 3
	close(ch)
	for v := range ch {
		fmt.Print(v, " ")
	}
	done := make(chan int, 2)
	done <- 4
	done <- 5
	close(done)
	sum := 0
	for v := range done {
		f := func() int { return v * 10 }
		sum += v + f()
	}
	fmt.Println(sum)
}
"""


def test_range_over_channel_receives_into_the_loop_variable() -> None:
    out, err, code = run_src(RANGE_CHAN)
    assert (out, err, code) == ("1 2 3 99\n", "", 0)
    result = load("prog.csp", RANGE_CHAN)
    assert result.program is not None
    ops = re.findall(r"^\s*(?:\d+|\|)\s+\d+\s+([A-Z_]+)", disassemble(result.program),
                     re.MULTILINE)
    ranges = [i for i, op in enumerate(ops) if op == "RANGE_RECV"]
    assert len(ranges) == 2
    # The first loop's v lives in a register: no MOVE after the receive.
    # The second's v is captured, so it goes through a fresh cell.
    assert ops[ranges[0] + 1] != "MOVE"
    assert ops[ranges[1] + 1] == "NEW_CELL"


# Go 1.19 prints "66 6 true true".  Select operands that are plain local
# variables are read from their own registers; a variable set to nil in a
# clause must be seen as nil by the next select; a received value captured
# by a closure keeps its own cell.
SELECT_NIL = """package main

import "fmt"

func main() {
	a := make(chan int)
	b := make(chan int)
	go func() {
		for i := 1; i <= 3; i++ {
			a <- i
		}
		close(a)
	}()
	go func() {
		for i := 10; i <= 30; i += 10 {
			b <- i
		}
		close(b)
	}()
	sum, n := 0, 0
	var fs []func() int
	for a != nil || b != nil {
		select {
		case v, ok := <-a:
			if !ok {
				a = nil
				continue
			}
			sum += v
			n++
		case v, ok := <-b:
			if !ok {
				b = nil
				continue
			}
			fs = append(fs, func() int { return v })
			n++
		}
	}
	for _, f := range fs {
		sum += f()
	}
	fmt.Println(sum, n, a == nil, b == nil)
}
"""


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_select_reads_reassigned_channel_variables(seed: int) -> None:
    result = load("prog.csp", SELECT_NIL)
    assert result.program is not None
    out, err = io.StringIO(), io.StringIO()
    code = run_program(result.program, RunOptions(stdout=out, stderr=err, seed=seed))
    assert (out.getvalue(), err.getvalue(), code) == ("66 6 true true\n", "", 0)
