"""The VM entry points of runtime/channel.py: make_channel and chan_op,
including the rewind-and-re-execute resume protocol."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from test_channel import G, Machine

from lang.opcodes import Op
from runtime.channel import chan_op, make_channel
from runtime.errors import GoPanic
from runtime.goroutine import GStatus
from runtime.machine import StopReason
from runtime.select import SelectTable

RECV, RECV_OK, SEND, CLOSE, SELECT = (Op.RECV.value, Op.RECV_OK.value, Op.SEND.value,
                                      Op.CLOSE.value, Op.SELECT.value)


class VMMachine(Machine):
    def __init__(self) -> None:
        super().__init__()
        self.rng = random.Random(3)


class Frame:
    def __init__(self, nregs: int = 8) -> None:
        self.regs: list[Any] = [None] * nregs
        self.pc = 1  # the VM has already stepped past the instruction at 0


def run_op(m: Any, g: Any, fr: Frame, op: int, a: int, b: int, c: int = 0) -> Any:
    """What vm.py does: frame.pc = pc (past the op), then chan_op."""
    fr.pc = 1
    g.status = GStatus.RUNNING
    return chan_op(m, g, fr, op, a, b, c)


def test_recv_parks_rewinds_and_resumes_with_value() -> None:
    m = VMMachine()
    a, b = G(1, m), G(2, m)
    ch = make_channel(0, 0)
    fa, fb = Frame(), Frame()
    fa.regs[1] = ch
    fb.regs[0], fb.regs[1] = ch, 99
    assert run_op(m, a, fa, RECV, 0, 1) is StopReason.BLOCKED
    assert fa.pc == 0  # rewound onto the RECV
    assert run_op(m, b, fb, SEND, 0, 1) is None
    assert m.readied == [a]
    # a runs again: the VM re-executes the RECV at pc 0
    assert chan_op(m, a, fa, RECV, 0, 1, 0) is None
    assert fa.regs[0] == 99 and a.transfer is None


def test_recv_ok_after_close_and_send_panics_on_resume() -> None:
    m = VMMachine()
    a, b = G(1, m), G(2, m)
    ch = make_channel(0, "")
    fa = Frame()
    fa.regs[2] = ch
    assert run_op(m, a, fa, RECV_OK, 0, 2) is StopReason.BLOCKED
    fc = Frame()
    fc.regs[0] = ch
    assert run_op(m, b, fc, CLOSE, 0, 0) is None
    assert chan_op(m, a, fa, RECV_OK, 0, 2, 0) is None
    assert fa.regs[0:2] == ["", False]

    ch2 = make_channel(0, 0)
    fs = Frame()
    fs.regs[0], fs.regs[1] = ch2, 5
    assert run_op(m, a, fs, SEND, 0, 1) is StopReason.BLOCKED
    fc.regs[0] = ch2
    run_op(m, b, fc, CLOSE, 0, 0)
    with pytest.raises(GoPanic):
        chan_op(m, a, fs, SEND, 0, 1, 0)


def test_nil_channel_ops() -> None:
    m = VMMachine()
    a = G(1, m)
    fr = Frame()
    assert run_op(m, a, fr, RECV, 0, 1) is StopReason.BLOCKED
    assert str(a.wait_reason) == "chan receive (nil chan)"
    with pytest.raises(GoPanic) as e:
        run_op(m, a, fr, CLOSE, 1, 0)
    assert e.value.value.value == "close of nil channel"


def test_select_table_default_and_park_resume() -> None:
    m = VMMachine()
    a, b = G(1, m), G(2, m)
    c1, c2 = make_channel(0, 0), make_channel(1, 0)
    fr = Frame(10)
    fr.regs[5], fr.regs[6], fr.regs[7] = c1, c2, "sent"
    fr.regs[4] = SelectTable((False, True), (5, 6), (-1, 7))
    # c2 has room: the send case is ready
    assert run_op(m, a, fr, SELECT, 0, 4, 1) is None
    assert fr.regs[0:3] == [1, None, False] and list(c2.buf) == ["sent"]
    # now nothing is ready: default
    assert run_op(m, a, fr, SELECT, 0, 4, 1) is None
    assert fr.regs[0] == -1
    # no default: park on both, woken by a sender on c1
    assert run_op(m, a, fr, SELECT, 0, 4, 0) is StopReason.BLOCKED
    assert fr.pc == 0
    fb = Frame()
    fb.regs[0], fb.regs[1] = c1, 11
    assert run_op(m, b, fb, SEND, 0, 1) is None
    assert not c2.sendq
    assert chan_op(m, a, fr, SELECT, 0, 4, 0) is None
    assert fr.regs[0:3] == [0, 11, True]


def test_make_channel_len_cap() -> None:
    ch = make_channel(3, 0)
    assert (ch.length(), ch.capacity()) == (0, 3)
    assert make_channel(None, 0).capacity() == 0


# -- the VM's inlined send / receive paths ------------------------------------

GOLDEN_CONC = Path(__file__).resolve().parent / "golden" / "conc"
CHANNEL_PROGRAMS = sorted(p for p in GOLDEN_CONC.glob("*.csp")
                          if "chan" in p.read_text() and p.with_suffix(".stdout").exists()
                          and not p.with_suffix(".exitcode").exists())


@pytest.mark.parametrize("procs", [1, 4])
@pytest.mark.parametrize("path", CHANNEL_PROGRAMS, ids=lambda p: p.stem)
def test_inlined_channel_paths_keep_the_invariants(path: Path, procs: int,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """runtime/vm.py does SEND / RECV / RANGE_RECV's hand-over, buffering
    and parking itself: after every scheduler step, every channel the
    program made satisfies chan.go's invariants, and the program prints
    what Go prints; the waiters it queues have every field set."""
    import io
    import sys

    import stdlib
    from lang.pipeline import load
    from runtime import vm
    from runtime.park import Waiter
    from runtime.scheduler import Scheduler
    stdlib.load_all()
    made: list[Any] = []
    real_make = vm._make_channel

    def recording_make(elem_zero: Any, cap: Any) -> Any:
        ch = real_make(elem_zero, cap)
        made.append(ch)
        return ch

    monkeypatch.setattr(vm, "_make_channel", recording_make)
    steps = 0

    def check(_: Any) -> bool:
        nonlocal steps
        steps += 1
        # Drop channels only this list still holds (a program that makes a
        # channel per loop iteration would make every check slower).
        made[:] = [ch for ch in made if sys.getrefcount(ch) > 3]
        for ch in made:
            ch.check_invariants()
            for w in (*ch.sendq, *ch.recvq):
                # The VM builds these field by field: every field is set.
                assert all(hasattr(w, f) for f in Waiter.__slots__), w
        return False

    result = load(path.name, path.read_text())
    assert result.program is not None
    out = io.StringIO()
    sched = Scheduler(out, io.StringIO(), procs=procs, seed=2)
    sched.step_hook = check
    sched.run(result.program.entry)
    check(sched)  # programs of one goroutine never end a slice early
    assert out.getvalue() == path.with_suffix(".stdout").read_text()
    assert steps > 0
