"""The VM on hand-assembled functions: dispatch, calls, budget, panics."""

from __future__ import annotations

import io
from typing import Any

import pytest

from lang.chunk import Closure, Function
from lang.opcodes import Op
from runtime import vmops
from runtime.errors import GoPanic
from runtime.goroutine import Goroutine
from runtime.machine import SequentialMachine, StopReason
from runtime.values import Slice
from runtime.vm import run, start_goroutine


def make_fn(name: str, code: list[tuple[Op, int, int, int]], nregs: int,
            consts: list[Any], nparams: int = 0) -> Function:
    fn = Function(name, "t.csp", 1)
    fn.code = [(int(op), a, b, c) for op, a, b, c in code]
    fn.lines = [i + 1 for i in range(len(code))]
    fn.nregs = nregs + len(consts)
    fn.const_base = nregs
    fn.template = [None] * nregs + consts
    fn.nparams = nparams
    return fn


def new_g() -> tuple[SequentialMachine, Goroutine]:
    m = SequentialMachine(io.StringIO(), io.StringIO())
    return m, m.new_goroutine()


def test_counting_loop_and_return_value() -> None:
    # sum = 0; for i := 0; i < 10; i++ { sum += i }; return
    fn = make_fn("main.loop", [
        (Op.MOVE, 0, 2, 0),          # sum := 0
        (Op.MOVE, 1, 2, 0),          # i := 0
        (Op.JGE, 1, 3, 5),
        (Op.ADD_INT, 0, 0, 1),
        (Op.FORLOOP, 1, 3, 3),
        (Op.RET, 0, 1, 0),
    ], 2, [0, 10])
    m, g = new_g()
    start_goroutine(g, fn, [])
    assert run(m, g, 1 << 20) is StopReason.EXITED
    assert g.frames == []


def test_budget_is_charged_on_backward_jumps_and_resumes() -> None:
    fn = make_fn("main.spin", [
        (Op.MOVE, 0, 2, 0),
        (Op.ADDI, 0, 0, 1),
        (Op.JLT, 0, 1, 1),
        (Op.RET, 0, 0, 0),
    ], 2, [1000, 0])
    fn.template[1] = None
    fn.code[0] = (int(Op.MOVE), 0, 3, 0)
    fn.code[2] = (int(Op.JLT), 0, 2, 1)
    m, g = new_g()
    start_goroutine(g, fn, [])
    stops = []
    while True:
        r = run(m, g, 50)
        stops.append(r)
        if r is StopReason.EXITED:
            break
    assert stops.count(StopReason.BUDGET) >= 30
    assert stops[-1] is StopReason.EXITED


def test_calls_push_frames_and_results_come_back() -> None:
    # double(x) = x + x ; main: r = double(21); print(r)
    double = make_fn("main.double", [(Op.ADD_INT, 1, 0, 0), (Op.RET, 1, 1, 0)], 2, [], 1)
    main = make_fn("main.main", [
        (Op.MOVE, 0, 2, 0),
        (Op.CALL, 3, 0, 1 | 1 << 8),
        (Op.PRINT, 1, 0, 1),
        (Op.RET, 0, 0, 0),
    ], 2, [21, double])
    m, g = new_g()
    start_goroutine(g, main, [])
    assert run(m, g, 1 << 20) is StopReason.EXITED
    assert m.stderr.getvalue() == "42\n"  # type: ignore[attr-defined]


def test_closure_cells_are_shared() -> None:
    # inc := func() { n++ } with n in a cell; call twice; print n
    inc = make_fn("main.main.func1", [
        (Op.LOAD_CELL, 1, 0, 0), (Op.ADDI, 1, 1, 1), (Op.STORE_CELL, 0, 1, 0),
        (Op.RET, 0, 0, 0)], 2, [])
    inc.nfree = 1
    main = make_fn("main.main", [
        (Op.NEW_CELL, 0, 4, 0),
        (Op.CLOSURE, 1, 5, 0),
        (Op.CALL, 1, 2, 0),
        (Op.CALL, 1, 2, 0),
        (Op.LOAD_CELL, 3, 0, 0),
        (Op.PRINT, 1, 3, 1),
        (Op.RET, 0, 0, 0),
    ], 4, [5, inc])
    m, g = new_g()
    start_goroutine(g, main, [])
    assert run(m, g, 1 << 20) is StopReason.EXITED
    assert m.stderr.getvalue() == "7\n"  # type: ignore[attr-defined]
    assert isinstance(Closure(inc, [[0]]).cells, list)


def test_unrecovered_runtime_error_reports_go_text() -> None:
    main = make_fn("main.main", [(Op.DIV_INT, 0, 1, 2), (Op.RET, 0, 0, 0)], 1, [7, 0])
    m, g = new_g()
    start_goroutine(g, main, [])
    assert run(m, g, 1 << 20) is StopReason.PANICKED
    assert g.panic_text.startswith("panic: runtime error: integer divide by zero\n")
    assert "goroutine 1 [running]:\nmain.main(...)\n\tt.csp:1\n" in g.panic_text


def test_index_out_of_range_text() -> None:
    main = make_fn("main.main", [(Op.INDEX_SLICE, 0, 1, 2), (Op.RET, 0, 0, 0)], 1,
                   [Slice([1, 2, 3], 0, 3, 3), 5])
    m, g = new_g()
    start_goroutine(g, main, [])
    assert run(m, g, 1 << 20) is StopReason.PANICKED
    assert g.panic_text.splitlines()[0] == \
        "panic: runtime error: index out of range [5] with length 3"


@pytest.mark.parametrize("x,y,q,r", [(7, 2, 3, 1), (-7, 2, -3, -1), (7, -2, -3, 1),
                                     (-7, -2, 3, -1)])
def test_division_truncates_and_mod_takes_dividend_sign(x: int, y: int, q: int, r: int) -> None:
    assert vmops.div_int(x, y) == q
    assert vmops.mod_int(x, y) == r


def test_wrap_and_shifts() -> None:
    assert vmops.wrap(128, 8 << 1 | 1) == -128
    assert vmops.wrap(-1, 8 << 1) == 255
    assert vmops.wrap64(1 << 63) == -(1 << 63)
    assert vmops.shl(1, 70) == 0
    assert vmops.shr(-9, 1) == -5
    with pytest.raises(GoPanic):
        vmops.shl(1, -1)


def test_append_growth_matches_go() -> None:
    s = None
    caps: list[int] = []
    for i in range(20):
        s = vmops.append1(s, i, 8)
        if not caps or caps[-1] != s.cap:
            caps.append(s.cap)
    assert caps == [1, 2, 4, 8, 16, 32]
    # Go 1.19: appending 5 ints to an empty slice gives cap 6 (size class 48).
    t = vmops.append_values(None, [1, 2, 3, 4, 5], 8)
    assert t is not None and t.cap == 6
    # Past 256 elements growth slows to about 1.25x plus 192.
    assert vmops.grow_cap(512, 513, 8) == 848


def test_slice_bounds_text() -> None:
    s = Slice([0] * 5, 0, 3, 5)
    with pytest.raises(GoPanic) as e:
        vmops.slice_slice(s, None, 6, None)
    assert e.value.value.value == "slice bounds out of range [:6] with capacity 5"
