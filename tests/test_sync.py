"""sync objects: Mutex, RWMutex, WaitGroup, Once, Cond."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

import pytest
from test_channel import setup
from test_sched_harness import run_prog

from runtime.errors import GoFatal, GoPanic
from runtime.park import PARKED
from runtime.sync_objects import Cond, Mutex, Once, RWMutex, WaitGroup
from runtime.waitreason import WaitReason

Gen = Generator[Any, Any, None]


def test_unlock_of_unlocked_mutex_is_fatal() -> None:
    with pytest.raises(GoFatal) as e:
        Mutex().unlock()
    assert e.value.message == "sync: unlock of unlocked mutex"
    with pytest.raises(GoFatal):
        RWMutex().unlock()
    with pytest.raises(GoFatal):
        RWMutex().runlock()


def test_mutex_wakes_one_waiter_which_retries() -> None:
    m, (a, b, c) = setup()
    mu = Mutex()
    assert mu.lock(a) is None
    assert mu.lock(b) is PARKED and b.wait_reason is WaitReason.SYNC_MUTEX_LOCK
    assert mu.lock(c) is PARKED
    mu.unlock()
    assert m.readied == [b] and mu.woken and not mu.locked
    mu.check_invariants()
    assert mu.lock(a) is None  # barging: a takes it again first
    b.status = b.status.RUNNING
    assert mu.lock(b) is PARKED  # b lost: back to the front of the queue
    assert mu.waiters[0].g is b
    mu.unlock()
    b.status = b.status.RUNNING
    assert mu.lock(b) is None
    mu.check_invariants()


def test_mutex_counter_with_contention() -> None:
    def bump(mu: Mutex, box: list[int], wg: WaitGroup) -> Gen:
        for _ in range(200):
            yield ("lock", mu)
            v = box[0]
            yield ("work", 30)
            box[0] = v + 1
            yield ("unlock", mu)
        yield ("wg_add", wg, -1)

    def main(box: list[int]) -> Gen:
        mu, wg = Mutex(), WaitGroup()
        for _ in range(8):
            yield ("wg_add", wg, 1)
            yield ("go", bump, mu, box, wg)
        yield ("wg_wait", wg)

    box = [0]
    code, _, _, _ = run_prog(main, box, slice_units=100)
    assert code == 0 and box[0] == 1600


def test_waitgroup_negative_counter_panics() -> None:
    wg = WaitGroup()
    wg.add(1)
    wg.done()
    with pytest.raises(GoPanic) as e:
        wg.done()
    assert e.value.value.value == "sync: negative WaitGroup counter"


def test_waitgroup_wait_wakes_all() -> None:
    m, (a, b, c) = setup()
    wg = WaitGroup()
    assert wg.wait(a) is None
    wg.add(2)
    assert wg.wait(a) is PARKED and wg.wait(b) is PARKED
    assert a.wait_reason is WaitReason.SYNC_WAITGROUP_WAIT
    wg.done()
    assert m.readied == []
    wg.done()
    assert m.readied == [a, b]
    wg.check_invariants()
    a.status = a.status.RUNNING
    assert wg.wait(a) is None  # re-execution after the wake completes


def test_rwmutex_writer_preference() -> None:
    m, (r1, w, r2) = setup()
    rw = RWMutex()
    assert rw.rlock(r1) is None
    assert rw.lock(w) is PARKED and w.wait_reason is WaitReason.SYNC_RWMUTEX_LOCK
    assert rw.rlock(r2) is PARKED and r2.wait_reason is WaitReason.SYNC_RWMUTEX_RLOCK
    rw.check_invariants()
    rw.runlock()
    assert m.readied == [w] and rw.writer
    rw.unlock()
    assert m.readied == [w, r2] and rw.readers == 1
    rw.check_invariants()


def test_once() -> None:
    o = Once()
    assert o.begin() and not o.begin()


def test_cond_signal_and_broadcast() -> None:
    log: list[str] = []

    def waiter(k: int, mu: Mutex, c: Cond, ready: list[int]) -> Gen:
        yield ("lock", mu)
        while not ready[0]:
            yield ("cond_wait", c)
        log.append(f"w{k}")
        yield ("unlock", mu)

    def main() -> Gen:
        mu = Mutex()
        c = Cond(mu)
        ready = [0]
        for k in range(3):
            yield ("go", waiter, k, mu, c, ready)
        yield ("sleep", 1000)
        yield ("lock", mu)
        ready[0] = 1
        yield ("signal", c)
        yield ("unlock", mu)
        yield ("sleep", 1000)
        log.append("signalled")
        yield ("lock", mu)
        yield ("broadcast", c)
        yield ("unlock", mu)
        yield ("sleep", 1000)

    assert run_prog(main)[0] == 0
    assert log[1] == "signalled" and sorted(log) == ["signalled", "w0", "w1", "w2"]


def test_cond_wait_without_lock_is_fatal() -> None:
    _, (a, _, _) = setup()
    with pytest.raises(GoFatal):
        Cond(Mutex()).wait(a)
