"""Captured variables that never change are copied into closures
(lang/reassign.py): semantics stay Go's (expected output below was printed
by Go 1.19), and such captures cost no cell."""

from __future__ import annotations

import io

from lang import info as I
from lang.checker import check
from lang.dis import disassemble
from lang.parser import parse
from lang.pipeline import load
from runtime.run import RunOptions, run_program

PROGRAM = """package main

import "fmt"

func counter() func() int {
	n := 0
	return func() int {
		n++
		return n
	}
}

func main() {
	x := 1
	f := func() int { return x }
	x = 2
	fmt.Println(f())

	a, err := 1, "e1"
	g := func() string { return err }
	b, err := 2, "e2"
	fmt.Println(a, b, g())

	c := counter()
	c()
	fmt.Println(c())

	arr := [3]int{1, 2, 3}
	h := func() int { return arr[0] }
	arr[0] = 9
	fmt.Println(h())

	type pt struct{ x int }
	p := pt{1}
	k := func() int { return p.x }
	p.x = 5
	fmt.Println(k())

	m := map[string]int{}
	put := func() { m["a"] = 1 }
	put()
	fmt.Println(len(m))

	s := "fixed"
	done := make(chan string)
	go func() { done <- s }()
	fmt.Println(<-done)

	y := 0
	inc := func() { y += 10 }
	inc()
	inc()
	fmt.Println(y)

	var z int
	read := func() int { return z }
	z++
	fmt.Println(read())
}
"""

GO_OUTPUT = "2\n1 2 e2\n2\n9\n5\n1\nfixed\n20\n1\n"


def test_closures_see_what_go_shows() -> None:
    result = load("prog.csp", PROGRAM)
    assert result.program is not None
    out, err = io.StringIO(), io.StringIO()
    code = run_program(result.program, RunOptions(stdout=out, stderr=err))
    assert (code, out.getvalue(), err.getvalue()) == (0, GO_OUTPUT, "")


def test_which_captured_variables_live_in_cells() -> None:
    import stdlib
    stdlib.load_all()
    file, diags = parse("prog.csp", PROGRAM)
    assert file is not None and not diags
    info, diags = check(file)
    assert info is not None and not diags
    by_name: dict[str, list[I.Var]] = {}
    for v in info.defs.values():
        if isinstance(v, I.Var):
            by_name.setdefault(v.name, []).append(v)
    cells = {"x": True, "err": True, "n": True, "y": True, "z": True,
             "arr": False, "p": False, "m": False, "s": False}
    for name, in_cell in cells.items():
        [v] = by_name[name]
        assert v.captured, name
        assert v.in_cell is in_cell, name


def test_a_never_reassigned_capture_is_read_without_a_cell() -> None:
    src = """package main

func main() {
	ch := make(chan int, 1)
	done := make(chan bool)
	go func() {
		for v := range ch {
			_ = v
		}
		done <- true
	}()
	ch <- 1
	close(ch)
	<-done
}
"""
    result = load("prog.csp", src)
    assert result.program is not None
    text = disassemble(result.program)
    assert "LOAD_CELL" not in text and "NEW_CELL" not in text
