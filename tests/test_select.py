"""select: the three passes, sibling removal, determinism."""

from __future__ import annotations

import random

import pytest
from test_channel import G, setup

from runtime.channel import Channel
from runtime.errors import GoPanic
from runtime.goroutine import GStatus
from runtime.park import PARKED
from runtime.select import select, select_resume
from runtime.waitreason import WaitReason

RECV2 = (False, False)


def test_ready_case_is_taken_and_default_otherwise() -> None:
    _, (a, b, _) = setup()
    c1, c2 = Channel(1, 0), Channel(0, 0)
    rng = random.Random(1)
    assert select(a, rng, RECV2, [c1, c2], [None, None], True) == (-1, None, False)
    c1.send(b, 5)
    assert select(a, rng, RECV2, [c1, c2], [None, None], True) == (0, 5, True)
    assert select(a, rng, (True,), [c1], [9], False) == (0, None, False)
    assert list(c1.buf) == [9]


def test_parks_on_all_and_wake_removes_siblings() -> None:
    m, (a, b, _) = setup()
    c1, c2, c3 = Channel(0, 0), Channel(0, 0), Channel(0, 0)
    r = select(a, random.Random(1), (False, True, False), [c1, c2, c3], [None, 4, None], False)
    assert r is PARKED and a.wait_reason is WaitReason.SELECT
    assert len(c1.recvq) == len(c2.sendq) == len(c3.recvq) == 1
    c3.send(b, "v")
    assert m.readied == [a]
    assert not c1.recvq and not c2.sendq and not c3.recvq
    assert select_resume(a, (False, True, False)) == (2, "v", True)
    for c in (c1, c2, c3):
        c.check_invariants()


def test_send_case_woken_by_receiver_and_by_close() -> None:
    m, (a, b, _) = setup()
    c = Channel(0, 0)
    assert select(a, random.Random(1), (True,), [c], [3], False) is PARKED
    assert c.recv(b) == 3
    assert select_resume(a, (True,)) == (0, None, False)
    a.status = GStatus.RUNNING
    assert select(a, random.Random(1), (True,), [c], [3], False) is PARKED
    c.close()
    with pytest.raises(GoPanic):
        select_resume(a, (True,))


def test_nil_cases_are_ignored_and_empty_select_blocks_forever() -> None:
    _, (a, b, _) = setup()
    c = Channel(1, 0)
    c.send(b, 1)
    assert select(a, random.Random(1), RECV2, [None, c], [None, None], False) == (1, 1, True)
    assert select(a, random.Random(1), RECV2, [None, None], [None, None], False) is PARKED
    assert a.wait_reason is WaitReason.SELECT
    g = G(5, a.machine)
    assert select(g, random.Random(1), (), [], [], False) is PARKED
    assert g.wait_reason is WaitReason.SELECT_NO_CASES


def test_closed_channel_case_is_ready() -> None:
    _, (a, _, _) = setup()
    c = Channel(0, "")
    c.close()
    assert select(a, random.Random(1), (False,), [c], [None], False) == (0, "", False)


def test_uniform_choice_among_ready_cases() -> None:
    m, (a, b, _) = setup()
    rng = random.Random(42)
    counts = [0, 0, 0]
    chans = [Channel(1000, 0) for _ in range(3)]
    for c in chans:
        for _ in range(1000):
            c.send(b, 1)
    for _ in range(1500):
        r = select(a, rng, (False,) * 3, chans, [None] * 3, False)
        assert isinstance(r, tuple)
        counts[r[0]] += 1
    assert all(400 < n < 600 for n in counts), counts


def test_same_channel_twice_in_one_select() -> None:
    m, (a, b, _) = setup()
    c = Channel(0, 0)
    assert select(a, random.Random(1), (False, True), [c, c], [None, 1], False) is PARKED
    # a sits in both queues of c, which breaks "one of sendq/recvq empty"
    # only transiently for the same goroutine; a receiver takes the send.
    assert c.recv(b) == 1
    assert not c.recvq and not c.sendq
    assert select_resume(a, (False, True)) == (1, None, False)
