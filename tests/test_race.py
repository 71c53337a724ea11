"""The -race detector (runtime/race.py + lang/compile_race.py): racy
programs are reported in Go's format with exit status 66, correct programs
using every synchronisation edge stay silent, and a run without -race
contains no RACE instruction at all."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from conftest import CONFORMANCE_CASES, needs_shared

import stdlib
from lang.opcodes import Op
from lang.pipeline import load
from runtime.run import RunOptions, run_program

stdlib.load_all()

PROGRAMS = Path(__file__).resolve().parent / "test_race_programs"


def run_race(path: str, source: str | None = None, race: bool = True,
             seed: int = 1) -> tuple[int, str, str]:
    res = load(path, source)
    assert res.program is not None, res.diagnostics
    out, err = io.StringIO(), io.StringIO()
    code = run_program(res.program, RunOptions(stdout=out, stderr=err, race=race,
                                               seed=seed, leaks="off"))
    return code, out.getvalue(), err.getvalue()


RACY = {
    "global_var.csp": ("Read", "global_var.csp:8"),
    "map_ww.csp": ("Write", "map_ww.csp:15"),
    "slice_elem.csp": ("Write", "slice_elem.csp:"),
    "field_ptr.csp": ("Read", "field_ptr.csp:14"),
}


@pytest.mark.parametrize("name", sorted(RACY))
def test_racy_program_is_reported(name: str) -> None:
    code, _, err = run_race(str(PROGRAMS / name))
    kind, where = RACY[name]
    assert code == 66
    assert err.startswith("==================\nWARNING: DATA RACE\n")
    assert f"{kind} at 0x" in err
    assert "Previous write at 0x" in err or "Previous read at 0x" in err
    assert where in err
    assert err.endswith("Found 1 data race(s)\n")


@pytest.mark.parametrize("name", ["clean_chan.csp", "clean_misc.csp"])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_correct_programs_are_silent(name: str, seed: int) -> None:
    code, out, err = run_race(str(PROGRAMS / name), seed=seed)
    assert (code, err) == (0, "")
    assert out


def test_report_layout_matches_go() -> None:
    src = """package main

import "fmt"

func main() {
	message := "unset"
	done := make(chan bool)
	go func() {
		message = "hi"
		done <- true
	}()
	fmt.Println(message)
	<-done
}
"""
    code, out, err = run_race("prog.csp", src)
    assert code == 66
    assert out == "unset\n" or out == "hi\n"
    blocks = err.split("\n\n")
    assert len(blocks) == 3
    assert blocks[0].splitlines()[:2] == ["==================", "WARNING: DATA RACE"]
    assert blocks[1].startswith("Previous ")
    # Whichever ran first: main's read of line 12 and the write of line 9.
    text = "\n".join(blocks[:2])
    assert "by main goroutine:\n  main.main()\n      prog.csp:12" in text
    assert "by goroutine 6:\n  main.main.func1()\n      prog.csp:9" in text
    assert blocks[2].splitlines()[0] in ("Goroutine 6 (running) created at:",
                                         "Goroutine 6 (finished) created at:")
    assert blocks[2].splitlines()[1:3] == ["  main.main()", "      prog.csp:8"]
    assert err.endswith("==================\nFound 1 data race(s)\n")


def test_each_location_pair_is_reported_once() -> None:
    src = """package main

import "sync"

func main() {
	n := 0
	var wg sync.WaitGroup
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := 0; j < 50; j++ {
				n++
			}
		}()
	}
	wg.Wait()
}
"""
    code, _, err = run_race("prog.csp", src)
    assert code == 66
    assert err.count("WARNING: DATA RACE") == 1


def test_mutex_counter_is_silent_and_unsynced_is_not() -> None:
    template = """package main

import (
	"fmt"
	"sync"
)

func main() {
	var mu sync.Mutex
	var wg sync.WaitGroup
	n := 0
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			BEGIN
			n++
			UNLOCK
		}()
	}
	wg.Wait()
	fmt.Println(n)
}
"""
    locked = template.replace("BEGIN", "mu.Lock()").replace("UNLOCK", "mu.Unlock()")
    assert run_race("prog.csp", locked) == (0, "4\n", "")
    unlocked = template.replace("UNLOCK", "_ = &mu").replace("BEGIN", "")
    code, out, err = run_race("prog.csp", unlocked)
    assert (code, out) == (66, "4\n")
    assert "WARNING: DATA RACE" in err


def test_once_edge_and_panicking_program_keeps_its_exit_code() -> None:
    src = """package main

var x int

func main() {
	go func() { x = 1 }()
	x = 2
	panic("boom")
}
"""
    code, _, err = run_race("prog.csp", src)
    assert code == 2
    assert "panic: boom" in err


def test_without_race_no_instrumentation() -> None:
    res = load(str(PROGRAMS / "global_var.csp"))
    assert res.program is not None
    assert all(ins[0] != Op.RACE for fn in res.program.functions for ins in fn.code)
    code, out, err = run_race(str(PROGRAMS / "global_var.csp"), race=False)
    assert (code, out, err) == (0, "ok\n", "")


def test_instrumentation_keeps_jumps_and_lines_consistent() -> None:
    from lang.compile_race import instrument
    res = load(str(PROGRAMS / "clean_chan.csp"))
    assert res.program is not None
    before = {fn.name: list(fn.code) for fn in res.program.functions}
    instrument(res.program)
    instrument(res.program)  # idempotent
    for fn in res.program.functions:
        assert len(fn.code) == len(fn.lines)
        plain = [ins for ins in fn.code if ins[0] != Op.RACE]
        assert len(plain) == len(before[fn.name])
        for k, ins in enumerate(fn.code):
            if ins[0] == Op.RACE and ins[1] == 0:
                assert fn.code[k + 1][0] != Op.RACE
            if ins[0] == Op.RACE and ins[1] == 1:
                assert fn.code[k - 1][0] == Op.SELECT


RACE_CASES = sorted(CONFORMANCE_CASES.glob("race_*.csp")) if CONFORMANCE_CASES.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", RACE_CASES, ids=[p.stem for p in RACE_CASES])
def test_conformance_race_cases(path: Path) -> None:
    import json
    code, out, err = run_race(str(path))
    assert out == path.with_suffix(".out").read_text()
    spec_path = path.with_suffix(".json")
    spec = json.loads(spec_path.read_text()) if spec_path.exists() else {}
    assert code == spec.get("exit", 0), err
    for fragment in spec.get("stderr_contains", []):
        assert fragment in err
    if code == 0:
        assert err == ""


RLOCK_WRITERS = """package main

import (
	"fmt"
	"sync"
)

func main() {
	var rw sync.RWMutex
	var wg sync.WaitGroup
	hits := 0
	for i := 0; i < 2; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rw.RLock()
			hits++ // a write under a read lock: readers do not exclude each other
			rw.RUnlock()
		}()
	}
	wg.Wait()
	fmt.Println(hits)
}
"""


def test_writes_under_read_lock_race_but_under_write_lock_do_not() -> None:
    code, out, err = run_race("prog.csp", RLOCK_WRITERS)
    assert (code, out) == (66, "2\n")
    assert "prog.csp:17" in err
    fixed = RLOCK_WRITERS.replace("rw.RLock()", "rw.Lock()").replace("rw.RUnlock()", "rw.Unlock()")
    assert run_race("prog.csp", fixed) == (0, "2\n", "")


def test_write_after_afterfunc_races_with_f() -> None:
    src = """package main

import (
	"fmt"
	"time"
)

func main() {
	v := 1
	time.AfterFunc(time.Millisecond, func() {
		fmt.Println(v)
	})
	v = 2
	time.Sleep(10 * time.Millisecond)
}
"""
    code, out, err = run_race("prog.csp", src)
    assert (code, out) == (66, "2\n")
    assert "prog.csp:13" in err and "prog.csp:11" in err


def test_buffered_channel_capacity_edge() -> None:
    # A channel of capacity 1 used as a semaphore orders the critical
    # sections (the k-th receive happens before the (k+1)-th send completes);
    # capacity 2 lets two goroutines in at once, which is a race.
    template = """package main

import "fmt"

func main() {
	sem := make(chan bool, CAP)
	done := make(chan bool)
	n := 0
	for i := 0; i < 3; i++ {
		go func() {
			sem <- true
			n++
			<-sem
			done <- true
		}()
	}
	for i := 0; i < 3; i++ {
		<-done
	}
	fmt.Println(n)
}
"""
    assert run_race("prog.csp", template.replace("CAP", "1")) == (0, "3\n", "")
    code, _, err = run_race("prog.csp", template.replace("CAP", "2"))
    assert code == 66 and "prog.csp:12" in err
