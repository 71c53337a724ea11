"""csp step (csp/step.py), driven headless through prompt-toolkit's pipe
input: the student steps two goroutines into a lock-order deadlock."""

from __future__ import annotations

import io
from pathlib import Path

from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from csp.step import announce, run_to, step_loop

DEADLOCK = """package main

import (
	"fmt"
	"sync"
)

func main() {
	var a, b sync.Mutex
	var wg sync.WaitGroup
	wg.Add(2)
	go func() {
		defer wg.Done()
		a.Lock()
		b.Lock()
		b.Unlock()
		a.Unlock()
	}()
	go func() {
		defer wg.Done()
		b.Lock()
		a.Lock()
		a.Unlock()
		b.Unlock()
	}()
	wg.Wait()
	fmt.Println("done")
}
"""


def drive(path: Path, keys: str) -> tuple[int, str]:
    out = io.StringIO()
    with create_pipe_input() as inp:
        inp.send_text(keys)
        code = step_loop(str(path), DEADLOCK, inp=inp, output=DummyOutput(), out=out)
    return code, out.getvalue()


def test_student_drives_two_goroutines_into_a_deadlock(tmp_path: Path) -> None:
    prog = tmp_path / "dl.csp"
    prog.write_text(DEADLOCK)
    # main spawns both; 6 takes a; 7 takes b and blocks on a; 6 blocks on b.
    code, text = drive(prog, "s\ns\n6\n7\n7\n6\nq\n")
    assert code == 1
    assert "goroutine 6 [runnable] main.main.func1 line 13: defer wg.Done()" in text
    assert "goroutine 7 [waiting: sync.Mutex.Lock] main.main.func2 line 22: a.Lock()" in text
    assert "fatal error: all goroutines are asleep - deadlock!" in text
    assert "DEADLOCK reached" in text and "(after 6 steps" in text


def test_undo_and_scheduler_pick_avoid_the_deadlock(tmp_path: Path) -> None:
    prog = tmp_path / "dl.csp"
    prog.write_text(DEADLOCK)
    # Reach the deadlock, undo three steps, then let goroutine 6 go first.
    code, text = drive(prog, "s\ns\n6\n7\n7\n6\nu\nu\nu\n9\n6\n6\n6\n6\n6\n"
                       "s\ns\ns\ns\ns\ns\ns\ns\ns\ns\ns\ns\nq\n")
    assert "not a runnable goroutine: '9'" in text
    after_undo = text.split("DEADLOCK reached", 1)[1]
    assert "--- step 3 ---" in after_undo and "DEADLOCK" not in after_undo
    assert "the program finished (exit status 0)" in after_undo
    assert "done" in text
    assert code == 0


def test_run_to_is_deterministic_and_announces_panics(tmp_path: Path) -> None:
    prog = tmp_path / "p.csp"
    src = 'package main\n\nfunc main() {\n\tpanic("boom")\n}\n'
    prog.write_text(src)
    state = run_to(str(prog), src, [None], 1, False)
    assert state.finished and announce(state) == "PANIC reached: panic: boom"
    a = run_to(str(prog), DEADLOCK, [None, None, 7], 1, False)
    b = run_to(str(prog), DEADLOCK, [None, None, 7], 1, False)
    assert a == b and a.runnable == [7, 6]
