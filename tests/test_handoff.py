"""The VM's in-slice handoff (Scheduler._handoff) never changes a schedule.

When a goroutine blocks, the VM may ask the scheduler for the next
goroutine and run it at once instead of returning to the scheduler's loop.
That is only a shortcut: every program here must print the same bytes, end
at the same virtual time and make the same number of switches with the
handoff as without it, on several seeds and processor counts, with a
--schedtrace line every millisecond as an extra witness of the timing.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest

import stdlib
from lang.pipeline import load
from runtime.scheduler import Scheduler

stdlib.load_all()

ROOT = Path(__file__).resolve().parent.parent
PROGRAMS = sorted((ROOT / "tests" / "golden" / "conc").glob("*.csp")) + sorted(
    (ROOT / "tests" / "golden" / "timectx").glob("*.csp"))


def _run(path: Path, seed: int, procs: int, handoff: bool,
         trace_ms: int) -> tuple[tuple[Any, ...], list[int]]:
    res = load(str(path))
    assert res.program is not None, res.diagnostics
    out, err = io.StringIO(), io.StringIO()
    machine = Scheduler(out, err, procs=procs, seed=seed, schedtrace_ms=trace_ms)
    calls = [0, 0]
    if handoff:
        real = machine._handoff

        def counting(used: int) -> Any:
            nxt = real(used)
            calls[0] += 1
            calls[1] += nxt is not None
            return nxt

        machine._handoff = counting  # type: ignore[method-assign]
    else:
        machine.vm_handoff = False
    code = machine.run(res.program.entry)
    clocks = tuple(p.now for p in machine.procs)
    return (code, out.getvalue(), err.getvalue(), clocks, machine.switches), calls


def test_there_are_programs() -> None:
    assert len(PROGRAMS) > 20


@pytest.mark.parametrize("path", PROGRAMS, ids=[p.stem for p in PROGRAMS])
def test_handoff_keeps_the_schedule(path: Path) -> None:
    for seed, procs, trace_ms in ((1, 4, 1), (2, 1, 0), (3, 2, 0)):
        with_handoff, _ = _run(path, seed, procs, True, trace_ms)
        without, _ = _run(path, seed, procs, False, trace_ms)
        assert with_handoff == without, (seed, procs, trace_ms)


PINGPONG = ROOT / "tests" / "golden" / "conc" / "ping_pong.csp"


def test_handoff_is_taken() -> None:
    """Not vacuous: on a ping-pong the VM does hand off, and most blocks do."""
    for procs in (1, 2):
        with_handoff, calls = _run(PINGPONG, 1, procs, True, 0)
        without, _ = _run(PINGPONG, 1, procs, False, 0)
        assert with_handoff == without
        asked, taken = calls
        assert taken > 0 and taken * 2 > asked, calls
