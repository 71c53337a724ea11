"""The timer heap and time-driven scheduling."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from test_sched_harness import run_prog

from runtime.channel import Channel
from runtime.timers import NEVER, Timer, TimerHeap, channel_timer, func_timer

Gen = Generator[Any, Any, None]
MS = 1_000_000


def _rec(log: list[tuple[str, int]], name: str) -> Timer:
    return Timer(0, 0, lambda t, when: log.append((name, when)))


def test_fires_in_deadline_then_creation_order() -> None:
    h = TimerHeap()
    log: list[tuple[str, int]] = []
    for name, when in [("c", 30), ("a", 10), ("b", 10), ("d", 40)]:
        h.add(_rec(log, name), when)
    assert h.next_deadline() == 10
    assert h.fire_due(30) == 3
    assert log == [("a", 10), ("b", 10), ("c", 30)]
    assert h.active_count == 1
    h.check_invariants()


def test_stop_and_reset_results_as_go() -> None:
    h = TimerHeap()
    log: list[tuple[str, int]] = []
    t = _rec(log, "t")
    h.add(t, 100)
    assert h.stop(t) is True and h.stop(t) is False
    assert h.next_deadline() == NEVER and h.active_count == 0
    assert h.reset(t, 50) is False
    assert h.reset(t, 70) is True  # moves it: the entry at 50 is stale
    h.fire_due(60)
    assert log == []
    h.fire_due(70)
    assert log == [("t", 70)]
    h.check_invariants()


def test_ticker_rearms_and_drops_ticks_when_channel_full() -> None:
    h = TimerHeap()
    ch = Channel(1, None)
    tk = channel_timer(10, 10, ch, lambda at: at)
    h.add(tk, 10)
    h.fire_due(35)  # ticks at 10, 20, 30: only the first fits
    assert list(ch.buf) == [10]
    assert h.next_deadline() == 40 and h.active_count == 1
    h.stop(tk)
    assert h.next_deadline() == NEVER


def test_func_timer_calls_start() -> None:
    h = TimerHeap()
    got: list[int] = []
    h.add(func_timer(5, got.append), 5)
    h.fire_due(5)
    assert got == [5]


def test_time_after_style_timeout_in_select() -> None:
    out: list[str] = []

    def slow(c: Channel) -> Gen:
        yield ("sleep", 400 * MS)
        yield ("send", c, "slow")

    def main(m_box: list[Any]) -> Gen:
        m = m_box[0]
        c = Channel(1, "")
        yield ("go", slow, c)
        timeout = Channel(1, None)
        m.timers.add(channel_timer(0, 0, timeout, lambda at: at), m.now() + 50 * MS)
        i, v, _ = yield ("select", (False, False), [c, timeout], [None, None], False)
        t = yield ("now",)
        out.append(f"case {i} at {v // MS}ms now {t // MS}ms")

    box: list[Any] = []
    from test_sched_harness import make_machine
    m, _, _ = make_machine(check=True)
    box.append(m)
    assert m.run(main, [box]) == 0
    assert out == ["case 1 at 50ms now 50ms"]


def test_afterfunc_spawns_goroutine_at_deadline() -> None:
    seen: list[int] = []

    def fn(m: Any) -> Gen:
        seen.append(m.now())
        yield ("print", "")

    def main(box: list[Any]) -> Gen:
        m = box[0]
        m.timers.add(func_timer(0, lambda at: m.spawn(fn, [m], None, None)), 30 * MS)
        yield ("sleep", 100 * MS)

    from test_sched_harness import make_machine
    m, _, _ = make_machine(check=True)
    assert m.run(main, [[m]]) == 0
    assert len(seen) == 1 and 30 * MS <= seen[0] < 31 * MS


def test_many_sleepers_wake_in_deadline_order() -> None:
    order: list[int] = []

    def sleeper(k: int) -> Gen:
        yield ("sleep", (10 - k) * MS)
        order.append(k)

    def main() -> Gen:
        for k in range(10):
            yield ("go", sleeper, k)
        yield ("sleep", 20 * MS)

    assert run_prog(main, procs=1)[0] == 0
    assert order == list(range(9, -1, -1))


def test_real_clock_sleeps_the_host() -> None:
    import time

    def main() -> Gen:
        yield ("sleep", 30 * MS)

    t0 = time.monotonic()
    assert run_prog(main, clock="real")[0] == 0
    assert time.monotonic() - t0 >= 0.028
