"""Schedule strings (csp/replay.py), csp run --record/--replay, and the
PCT / exhaustive strategies of csp explore (runtime/pct.py,
csp/strategies.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_csp

from csp.explore import Schedule, explore, run_once
from csp.replay import RunSchedule, ScheduleError, decode
from csp.strategies import explore_exhaustive, pct_schedules

BUGS = Path(__file__).parent / "explore_bugs"

THREE = """package main

import (
	"fmt"
	"sync"
)

func main() {
	var wg sync.WaitGroup
	for i := 0; i < 3; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			for j := 0; j < 3; j++ {
				fmt.Println(i, j)
			}
		}(i)
	}
	wg.Wait()
}
"""


def test_schedule_strings_round_trip() -> None:
    s = RunSchedule(7, 1, 1, "cooperative", 3, (12, 40), ((5, 6), (9, 7)), True)
    text = s.encode()
    assert text == "v1:seed=7:procs=1:slice=1:preempt=cooperative:pct=3/12,40:sw=5.6,9.7:race"
    assert decode(text) == s
    assert decode("v1:seed=3:procs=2") == RunSchedule(3, 2)


@pytest.mark.parametrize("bad", ["v2:seed=1", "v1:seed=x", "v1:bogus=1",
                                 "v1:procs=2:pct=3/1,2", "v1:procs=1:sw=12"])
def test_bad_schedule_strings_are_refused(bad: str) -> None:
    with pytest.raises(ScheduleError):
        decode(bad)


def test_record_then_replay_reproduces_a_pct_run(tmp_path: Path) -> None:
    prog = tmp_path / "three.csp"
    prog.write_text(THREE)
    sched = "v1:seed=4:procs=1:slice=1:pct=3/6,14"
    first = run_csp(["run", "--replay", sched, "--record", str(prog)])
    assert first.code == 0
    assert first.err.strip() == f"csp: schedule: {sched}"
    out_file = tmp_path / "sched.txt"
    again = run_csp(["run", "--replay", sched, f"--record={out_file}", str(prog)])
    assert again.out == first.out
    assert out_file.read_text().strip() == sched
    third = run_csp(["run", "--replay", f"@{out_file}", str(prog)])
    assert third.out == first.out
    # The PCT run interleaves differently from the plain one-P run.
    plain = run_csp(["run", "--procs", "1", str(prog)])
    assert sorted(plain.out.splitlines()) == sorted(first.out.splitlines())
    assert plain.out != first.out


def test_record_of_a_plain_run_and_bad_replay(tmp_path: Path) -> None:
    prog = tmp_path / "three.csp"
    prog.write_text(THREE)
    r = run_csp(["run", "--seed", "9", "--procs", "2", "--record", str(prog)])
    assert "csp: schedule: v1:seed=9:procs=2" in r.err
    bad = run_csp(["run", "--replay", "v9:x", str(prog)])
    assert bad.code == 2 and "schedule must start with v1" in bad.err


def test_pct_and_exhaustive_find_the_interleavings(tmp_path: Path) -> None:
    prog = tmp_path / "three.csp"
    prog.write_text(THREE)
    pct = explore(str(prog), THREE, pct_schedules(20, 1, 3, 60))
    assert len(pct) > 3
    ex = explore_exhaustive(str(prog), THREE, 30, 1, 1, False, "warn", None, None)
    assert len(ex) > 3
    for outcome in pct[:3] + ex[:3]:
        s = outcome.schedules[0]
        r = run_csp(["run", "--replay", s.schedule_string(False), str(prog)])
        assert (r.code, r.out) == (outcome.result.code, outcome.result.stdout)


def test_explore_cli_prints_replayable_schedules(tmp_path: Path) -> None:
    prog = BUGS / "lock_inversion.csp"
    r = run_csp(["explore", "--strategy", "exhaustive", "--runs", "60", str(prog)])
    assert r.code == 1
    assert "fatal error: all goroutines are asleep - deadlock!" in r.out
    lines = r.out.splitlines()
    for i, line in enumerate(lines):
        if "deadlock" in line and line.startswith("  #"):
            sched = next(ln for ln in lines[i:] if ln.startswith("      schedule: "))
            text = sched.removeprefix("      schedule: ")
            rep = run_csp(["run", "--replay", text, str(prog)])
            assert rep.code == 2
            assert rep.err.startswith("fatal error: all goroutines are asleep")
            break
    else:
        raise AssertionError("no deadlock outcome listed")


def test_schedule_command_uses_replay_for_hooked_runs() -> None:
    s = Schedule(3, 1, "async", 1, depth=2, points=(7,))
    assert s.command("p.csp", False) == "csp run --replay v1:seed=3:procs=1:slice=1:pct=2/7 p.csp"
    r = run_once(str(BUGS / "lost_update.csp"), (BUGS / "lost_update.csp").read_text(), s,
                 False, "warn", None, None)
    assert r.code in (0, 2)
