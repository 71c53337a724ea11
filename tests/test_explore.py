"""csp explore (csp/explore.py): distinct outcomes over many schedules,
each with a csp run command that reproduces it."""

from __future__ import annotations

from pathlib import Path

from conftest import run_csp

from csp.explore import Schedule, classify, explore, schedules

SELECT_TWO = """package main

import "fmt"

func main() {
	a := make(chan int, 1)
	b := make(chan int, 1)
	a <- 1
	b <- 2
	select {
	case v := <-a:
		fmt.Println("a", v)
	case v := <-b:
		fmt.Println("b", v)
	}
}
"""

MAYBE_DEADLOCK = """package main

import "fmt"

func main() {
	a := make(chan int, 1)
	b := make(chan int, 1)
	a <- 1
	b <- 2
	select {
	case <-a:
		fmt.Println("took a")
	case <-b:
		fmt.Println("took b")
		var never chan int
		<-never
	}
}
"""


def test_schedules_cycle_procs_and_preempt() -> None:
    s = schedules(5, 10, [1, 2], ["async", "cooperative"])
    assert s == [Schedule(10, 1, "async"), Schedule(11, 2, "async"),
                 Schedule(12, 1, "cooperative"), Schedule(13, 2, "cooperative"),
                 Schedule(14, 1, "async")]
    assert s[2].command("p.csp", True) == \
        "csp run --seed 12 --procs 1 --preempt cooperative -race p.csp"


def test_classify_headlines() -> None:
    assert classify(0, "") == ""
    assert classify(2, "panic: boom\n\ngoroutine 1 [running]:\n") == "panic: boom"
    assert classify(2, "fatal error: all goroutines are asleep - deadlock!\n") == \
        "fatal error: all goroutines are asleep - deadlock!"
    assert classify(66, "==================\nWARNING: DATA RACE\n") == "data race"
    assert classify(0, "csp: warning: 2 goroutines leaked (blocked forever ...):\n") == \
        "2 goroutines leaked"


def test_explore_finds_both_select_outcomes_and_replay_reproduces_them(
        tmp_path: Path) -> None:
    prog = tmp_path / "sel.csp"
    prog.write_text(SELECT_TWO)
    outcomes = explore(str(prog), SELECT_TWO, schedules(16, 1, [1, 2], ["async"]))
    outputs = {o.result.stdout for o in outcomes}
    assert outputs == {"a 1\n", "b 2\n"}
    assert sum(len(o.schedules) for o in outcomes) == 16
    for o in outcomes:
        s = o.schedules[0]
        code, out, _ = run_csp(["run", "--seed", str(s.seed), "--procs", str(s.procs),
                                str(prog)])
        assert (code, out) == (0, o.result.stdout)


def test_explore_command_reports_deadlock_with_reproducer(tmp_path: Path) -> None:
    prog = tmp_path / "dl.csp"
    prog.write_text(MAYBE_DEADLOCK)
    code, out, err = run_csp(["explore", "--runs", "16", "--procs", "1,2", str(prog)])
    assert code == 1, err
    assert "16 runs of" in out and "2 distinct outcomes" in out
    assert "exit 2, fatal error: all goroutines are asleep - deadlock!" in out
    assert "exit 0, ok" in out
    block = next(b for b in out.split("\n  #") if "deadlock!" in b)
    line = next(ln for ln in block.splitlines() if "reproduce: csp " in ln)
    argv = line.split("reproduce: csp ")[1].split()
    rcode, rout, rerr = run_csp(argv)
    assert rcode == 2 and "deadlock!" in rerr and rout == "took b\n"


def test_explore_clean_program_exits_0(tmp_path: Path) -> None:
    prog = tmp_path / "ok.csp"
    prog.write_text('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n')
    code, out, _ = run_csp(["explore", "--runs", "3", str(prog)])
    assert code == 0
    assert "1 distinct outcome" in out and "| hi" in out


LOCK_ORDER = """package main

import (
	"fmt"
	"sync"
)

var a, b sync.Mutex

func transfer(first, second *sync.Mutex, wg *sync.WaitGroup) {
	defer wg.Done()
	for i := 0; i < 3; i++ {
		first.Lock()
		second.Lock()
		second.Unlock()
		first.Unlock()
	}
}

func main() {
	var wg sync.WaitGroup
	wg.Add(2)
	go transfer(&a, &b, &wg)
	go transfer(&b, &a, &wg)
	wg.Wait()
	fmt.Println("done")
}
"""


def test_short_slices_expose_a_lock_order_deadlock_and_replay_reproduces_it(
        tmp_path: Path) -> None:
    prog = tmp_path / "locks.csp"
    prog.write_text(LOCK_ORDER)
    # The default machine never interleaves the two Lock calls...
    plain = explore(str(prog), LOCK_ORDER, schedules(8, 1, [1, 2, 4, 8], ["async"]))
    assert [o.result.stdout for o in plain] == ["done\n"]
    # ...short time slices on several processors do.
    outcomes = explore(str(prog), LOCK_ORDER,
                       schedules(8, 1, [1, 2], ["async"], [2000, 10, 1]))
    dead = [o for o in outcomes if "deadlock" in o.result.headline]
    assert dead and dead[0].result.code == 2
    cmd = dead[0].schedules[0].command(str(prog), False)
    assert "--slice" in cmd
    code, out, err = run_csp(cmd.split()[1:])
    assert code == 2 and "all goroutines are asleep - deadlock!" in err
    assert "[sync.Mutex.Lock]" in err


def test_progress_counter(tmp_path: Path) -> None:
    import io
    prog = tmp_path / "sel.csp"
    prog.write_text(SELECT_TWO)
    bar = io.StringIO()
    explore(str(prog), SELECT_TWO, schedules(3, 1, [1], ["async"]), progress=bar)
    assert "\rcsp explore: 1/3 runs, 0 failed" in bar.getvalue()
    assert "\rcsp explore: 3/3 runs, 0 failed" in bar.getvalue()
