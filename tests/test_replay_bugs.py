"""The bug corpus tests/explore_bugs/: each program's deadlock or panic is
rare under plain ``csp run --seed S`` (verified at 0/100 seeds when the
corpus was written; checked here on 20 seeds), ``csp explore`` finds it
with its default budget and strategy, and ``csp run --replay`` of every
failing outcome reproduces it (stdout, exit code, first stderr line)."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_csp

from csp import strategies
from csp.explore import Schedule, build_parser, classify, explore, run_once

BUGS = Path(__file__).parent / "explore_bugs"
PROGRAMS = sorted(BUGS.glob("*.csp"))


def test_corpus_has_ten_programs() -> None:
    assert len(PROGRAMS) >= 10


@pytest.mark.parametrize("prog", PROGRAMS, ids=lambda p: p.stem)
def test_bug_is_rare_plainly_found_by_explore_and_replayed(prog: Path) -> None:
    source = prog.read_text()
    path = str(prog)
    plain_failures = sum(
        run_once(path, source, Schedule(seed, 4, "async"), False, "warn", None, 30).failed
        for seed in range(1, 21))
    assert plain_failures == 0

    ns = build_parser().parse_args([path])  # the default budget and strategy
    scheds = strategies.plan(ns.strategy, path, source, ns.runs, ns.seed,
                             [int(x) for x in ns.procs.split(",")],
                             ns.preempt.split(","), [int(x) for x in ns.slice.split(",")],
                             ns.depth, False, ns.leaks, ns.max_steps, ns.timeout)
    outcomes = explore(path, source, scheds, max_steps=ns.max_steps, timeout=ns.timeout)
    failing = [o for o in outcomes if o.result.failed]
    assert failing, f"explore found no failure in {prog.name}"
    for o in failing:
        text = o.schedules[0].schedule_string(False)
        first = run_csp(["run", "--replay", text, path])
        assert first.code == o.result.code
        assert first.out == o.result.stdout
        assert classify(first.code, first.err) == o.result.headline
        again = run_csp(["run", "--replay", text, path])
        assert (again.code, again.out) == (first.code, first.out)
        assert again.err.splitlines()[:1] == first.err.splitlines()[:1]
