"""Compiler end to end: small Go programs through parse, check, compile and
the VM, checked against what Go prints; plus the disassembler's shape."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest

from lang.dis import disassemble
from lang.opcodes import Op
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
    assert ops.count("RANGE_RECV") == 2
    main = next(f for f in result.program.functions if f.name == "main.main")
    recv = int(Op.RANGE_RECV)
    loops = [(pc, ins[3]) for pc, ins in enumerate(main.code) if ins[0] == recv]
    assert len(loops) == 2
    for pc, body in loops:
        # Rotated: the receive is at the bottom and jumps back into the body,
        # which a JMP right before the body enters at the receive.
        assert body < pc
        assert main.code[body - 1] == (int(Op.JMP), pc, 0, 0)
    # The first loop's v lives in a register: no MOVE after the receive.
    # The second's v is captured, so it goes through a fresh cell.
    assert main.code[loops[0][1]][0] != int(Op.MOVE)
    assert main.code[loops[1][1]][0] == int(Op.NEW_CELL)


# Go prints "main ran": the goroutine re-sending into its own buffered
# channel never blocks, and with one processor only (async) preemption at the
# loop's back edge lets main run again.  The back edge of a rotated range
# loop is its RANGE_RECV.
RANGE_SPIN = """package main

import (
	"fmt"
	"time"
)

func main() {
	ch := make(chan int, 1)
	ch <- 1
	go func() {
		for v := range ch {
			ch <- v
		}
	}()
	time.Sleep(time.Millisecond)
	fmt.Println("main ran")
}
"""


def test_a_range_loop_that_never_blocks_is_preempted_at_its_receive(tmp_path: Path) -> None:
    # In a subprocess: without the preemption test the VM never returns to
    # the scheduler (no instruction limit is checked inside a slice).
    prog = tmp_path / "spin.csp"
    prog.write_text(RANGE_SPIN)
    proc = subprocess.run([sys.executable, "-m", "csp", "run", "--procs", "1", str(prog)],
                          capture_output=True, text=True, timeout=120)
    assert (proc.stdout, proc.stderr, proc.returncode) == ("main ran\n", "", 0)


def test_a_back_edge_onto_a_receive_is_fused_into_recv_back() -> None:
    """`for { <-ch }`: the backward JMP onto the RECV becomes RECV_BACK
    (receive, then on after the RECV), carrying the receive's line; a
    goroutine blocked there is shown at that line, as Go shows it
    (tests/golden/conc/deadlock_nil_recv_loop.* hold Go's run)."""
    golden = Path(__file__).resolve().parent / "golden" / "conc"
    src = (golden / "deadlock_nil_recv_loop.csp").read_text()
    result = load("prog.csp", src)
    assert result.program is not None
    loop = next(f for f in result.program.functions if f.name == "main.main.func1")
    recv, back, jmp = int(Op.RECV), int(Op.RECV_BACK), int(Op.JMP)
    fused = [(pc, ins) for pc, ins in enumerate(loop.code) if ins[0] == back]
    assert len(fused) == 1
    pc, (_, dst, ch, target) = fused[0]
    assert target <= pc and loop.code[target - 1] == (recv, dst, ch, 0)
    assert loop.lines[pc] == loop.lines[target - 1] == 11
    assert not [ins for k, ins in enumerate(loop.code)
                if ins[0] == jmp and ins[1] < k and loop.code[ins[1]][0] == recv]
    out, err = io.StringIO(), io.StringIO()
    code = run_program(result.program, RunOptions(stdout=out, stderr=err))
    assert code == 2
    assert "[chan receive (nil chan)]:\nmain.main.func1()\n\tprog.csp:11\n" in err.getvalue()


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


# Go 1.19 prints the line below.  Comma-ok and multi-result `:=` whose
# targets are all new register variables take over the registers the
# values arrive in (no MOVE); a captured target (a cell), a redeclared
# one or a copy that must stay a copy still behave as in Go.
MULTI_DEFINE = """package main

import "fmt"

type shape interface{ area() int }

type sq struct{ s int }

func (q sq) area() int { return q.s * q.s }

func divmod(a, b int) (int, int) { return a / b, a % b }

func main() {
	ch := make(chan int, 1)
	ch <- 7
	v, ok := <-ch
	close(ch)
	w, ok2 := <-ch
	m := map[string]int{"a": 1}
	x, found := m["a"]
	y, found2 := m["b"]
	var s shape = sq{3}
	q, isSq := s.(sq)
	q.s = 4
	boxes := map[int]sq{1: {5}}
	b, _ := boxes[1]
	b.s = 6
	d, r := divmod(17, 5)
	var fs []func() int
	for i := 0; i < 2; i++ {
		a, b := divmod(i+10, 3)
		fs = append(fs, func() int { return a*10 + b })
	}
	err := 1
	e2, err := divmod(9, 2)
	fmt.Println(v, ok, w, ok2, x, found, y, found2, q.s, isSq, s.area(),
		b.s, boxes[1].s, d, r, fs[0](), fs[1](), e2, err)
}
"""


def test_multi_value_define_takes_over_the_result_registers() -> None:
    out, err, code = run_src(MULTI_DEFINE)
    assert (out, err, code) == ("7 true 0 false 1 true 0 false 4 true 9 6 5 3 2 31 32 4 1\n",
                                "", 0)
    result = load("prog.csp", MULTI_DEFINE)
    assert result.program is not None
    text = disassemble(result.program).split("== main.main (")[1]
    instrs = re.findall(r"^\s*(?:\d+|\|)\s+\d+\s+([A-Z_]+)\s*(.*)$", text, re.MULTILINE)
    multi = [i for i, (op, _) in enumerate(instrs)
             if op in ("RECV_OK", "MAP_GET_OK", "TYPE_ASSERT_OK")]
    assert len(multi) == 6
    # v/ok, w/ok2, x/found, y/found2, q/isSq are adopted: the values stay
    # where the instruction put them (`b, _` has a blank and is stored).
    for i in multi[:5]:
        d = int(instrs[i][1].split(",")[0].strip().lstrip("r"))
        result_regs = {f"r{d}", f"r{d + 1}"}
        for op, args in instrs[i + 1:i + 4]:
            if op == "MOVE":
                assert args.split(",")[1].strip() not in result_regs, (instrs[i], op, args)


# Go copies a struct or array out of a map entry, an interface (type
# assertion, comma-ok or a type switch's bound variable) and a channel:
# changing the copy leaves the original alone.  Go 1.19 prints these lines.
COPY_OUT_CASES = [
    ("""package main

import "fmt"

type sq struct{ s int }

func get() (sq, bool) { g := sq{8}; return g, true }

func main() {
	var s interface{} = sq{3}
	q := s.(sq)
	q.s = 4
	boxes := map[int]sq{1: {5}}
	b := boxes[1]
	b.s = 6
	arr := [2]int{1, 2}
	ai := map[int][2]int{1: arr}
	a2, _ := ai[1]
	a2[0] = 9
	c, _ := get()
	c.s = 1
	fmt.Println(q.s, s.(sq).s, b.s, boxes[1].s, a2[0], ai[1][0], c.s)
}
""", "4 3 6 5 9 1 1\n"),
    ("""package main

import "fmt"

type sq struct{ s int }

func main() {
	var s interface{} = sq{3}
	switch v := s.(type) {
	case sq:
		v.s = 7
	}
	m := map[int]sq{1: {5}}
	for _, v := range m {
		v.s = 8
	}
	xs := []sq{{1}}
	for _, v := range xs {
		v.s = 9
	}
	arr := [1]sq{{2}}
	for _, v := range arr {
		v.s = 9
	}
	p := &xs[0]
	y := *p
	y.s = 10
	select {
	case v, ok := <-func() chan sq { c := make(chan sq, 1); c <- xs[0]; return c }():
		v.s = 11
		_ = ok
	}
	fmt.Println(s.(sq).s, m[1].s, xs[0].s, arr[0].s)
}
""", "3 5 1 2\n"),
]


@pytest.mark.parametrize("src,want", COPY_OUT_CASES)
def test_values_taken_out_of_maps_and_interfaces_are_copies(src: str, want: str) -> None:
    assert run_src(src) == (want, "", 0)
