"""The G-M-P scheduler driven by the fake VM (tests/test_sched_harness.py)."""

from __future__ import annotations

from collections.abc import Generator
from typing import Any

from test_sched_harness import chan, make_machine, run_prog

from runtime.processor import RUNQ_MAX, Processor
from runtime.sync_objects import WaitGroup

Gen = Generator[Any, Any, None]
MS = 1_000_000


def test_pingpong_and_close() -> None:
    ping, pong = chan(), chan()

    def echo() -> Gen:
        while True:
            v, ok = yield ("recv_ok", ping)
            if not ok:
                break
            yield ("send", pong, v + 1)
        yield ("close", pong)

    def main() -> Gen:
        yield ("go", echo)
        v = 0
        for _ in range(100):
            yield ("send", ping, v)
            v = (yield ("recv", pong)) + 1
        yield ("close", ping)
        r = yield ("recv_ok", pong)
        yield ("print", f"{v} {r}\n")

    code, out, err, m = run_prog(main)
    assert (code, out, err) == (0, "200 (0, False)\n", "")
    assert m.main.id == 1
    assert sorted(m.allgs) == []  # echo exited before main returned


def test_main_return_ends_program_with_goroutines_running() -> None:
    def spinner() -> Gen:
        while True:
            yield ("work", 1000)

    def main() -> Gen:
        yield ("go", spinner)
        yield ("go", spinner)
        yield ("work", 10_000)
        yield ("print", "done\n")

    code, out, _, m = run_prog(main)
    assert (code, out) == (0, "done\n")
    assert sorted(m.allgs) == [6, 7]  # Go numbers the first user goroutine 6


def test_deadlock_report() -> None:
    a, b = chan(), chan()

    def waiter(c: Any) -> Gen:
        yield ("recv", c)

    def main() -> Gen:
        yield ("go", waiter, a)
        yield ("go", waiter, b)
        yield ("print", "started\n")
        yield ("send", chan(), 1)

    code, out, err, _ = run_prog(main)
    assert code == 2 and out == "started\n"
    assert err == (
        "fatal error: all goroutines are asleep - deadlock!\n\n"
        "goroutine 1 [chan send]:\nmain.main()\n\tfake.csp:11\n\n"
        "goroutine 6 [chan receive]:\nmain.waiter()\n\tfake.csp:16\n"
        "created by main.main in goroutine 1\n\tfake.csp:99\n\n"
        "goroutine 7 [chan receive]:\nmain.waiter()\n\tfake.csp:17\n"
        "created by main.main in goroutine 1\n\tfake.csp:99\n")


def test_nil_channel_and_empty_select_reasons() -> None:
    def nilrecv() -> Gen:
        yield ("recv", None)

    def nilsend() -> Gen:
        yield ("send", None, 1)

    def main() -> Gen:
        yield ("go", nilrecv)
        yield ("go", nilsend)
        yield ("select", (), [], [], False)

    code, _, err, _ = run_prog(main)
    assert code == 2
    assert "goroutine 1 [select (no cases)]:" in err
    assert "goroutine 6 [chan receive (nil chan)]:" in err
    assert "goroutine 7 [chan send (nil chan)]:" in err


def test_sleeping_is_not_deadlock_and_sleeps_overlap() -> None:
    def sleeper(wg: WaitGroup) -> Gen:
        yield ("sleep", 100 * MS)
        yield ("wg_add", wg, -1)

    def main() -> Gen:
        wg = WaitGroup()
        t0 = yield ("now",)
        for _ in range(100):
            yield ("wg_add", wg, 1)
            yield ("go", sleeper, wg)
        yield ("wg_wait", wg)
        t1 = yield ("now",)
        yield ("print", f"{t1 - t0}\n")

    code, out, _, _ = run_prog(main)
    assert code == 0
    elapsed = int(out)
    assert 100 * MS <= elapsed < 101 * MS


def _parallel_elapsed(procs: int) -> int:
    def worker(wg: WaitGroup) -> Gen:
        for _ in range(50):
            yield ("work", 2000)  # 100 µs of CPU in all
        yield ("wg_add", wg, -1)

    def main() -> Gen:
        wg = WaitGroup()
        t0 = yield ("now",)
        for _ in range(8):
            yield ("wg_add", wg, 1)
            yield ("go", worker, wg)
        yield ("wg_wait", wg)
        t1 = yield ("now",)
        yield ("print", f"{t1 - t0}\n")

    code, out, _, _ = run_prog(main, procs=procs)
    assert code == 0
    return int(out)


def test_parallel_cpu_work_scales_with_processors() -> None:
    one = _parallel_elapsed(1)
    four = _parallel_elapsed(4)
    assert 800_000 <= one < 900_000  # 8 x 100 µs plus switches
    assert 0.2 < four / one < 0.32, (one, four)


def test_async_preemption_lets_others_run_on_one_p() -> None:
    def hog() -> Gen:
        while True:
            yield ("work", 1000)

    def main() -> Gen:
        yield ("go", hog)
        yield ("work", 1000)
        t0 = yield ("now",)
        yield ("yield",)  # Gosched: the hog runs until preempted
        t1 = yield ("now",)
        yield ("print", f"{t1 - t0}\n")

    code, out, _, _ = run_prog(main, procs=1)
    assert code == 0
    assert 10 * MS <= int(out) < 11 * MS  # one 10 ms time slice


def test_cooperative_hog_starves_main_on_one_p() -> None:
    def hog() -> Gen:
        for _ in range(20_000):
            yield ("work", 1000)  # a call-free loop: 20 ms, never preempted

    def main() -> Gen:
        yield ("go", hog)
        t0 = yield ("now",)
        yield ("yield",)
        t1 = yield ("now",)
        yield ("print", f"{t1 - t0}\n")

    code, out, _, _ = run_prog(main, procs=1, preempt="cooperative")
    assert code == 0
    assert int(out) >= 20 * MS


def test_runq_overflow_moves_half_to_global_queue() -> None:
    p = Processor(0)
    globq: Any = __import__("collections").deque()
    for i in range(RUNQ_MAX + 1):
        p.runqput(i, False, globq)
    assert len(p.runq) == RUNQ_MAX // 2
    assert list(globq) == [*range(RUNQ_MAX // 2), RUNQ_MAX]
    p.runqput("a", True, globq)
    p.runqput("b", True, globq)
    assert p.runnext == "b" and p.runq[-1] == "a"


def test_steal_takes_half_rounded_up() -> None:
    victim, thief = Processor(0), Processor(1)
    victim.runq.extend(range(5))
    got = thief.steal_from(victim)
    assert got == 2 and list(thief.runq) == [0, 1] and list(victim.runq) == [3, 4]


def test_spawn_many_goroutines_spreads_over_processors() -> None:
    ran_on: set[int] = set()

    def task(m: Any, wg: WaitGroup) -> Gen:
        ran_on.add(m.cur_p.id)
        yield ("work", 500)
        yield ("wg_add", wg, -1)

    machine, out, _ = make_machine(procs=4, seed=3, check=True)

    def main() -> Gen:
        wg = WaitGroup()
        for _ in range(600):
            yield ("wg_add", wg, 1)
            yield ("go", task, machine, wg)
        yield ("wg_wait", wg)
        yield ("print", "ok\n")

    assert machine.run(main) == 0 and out.getvalue() == "ok\n"
    assert ran_on == {0, 1, 2, 3}


def test_schedtrace_lines() -> None:
    def main() -> Gen:
        yield ("sleep", 25 * MS)

    code, _, err, _ = run_prog(main, procs=2, schedtrace_ms=10)
    lines = err.splitlines()
    assert code == 0
    assert lines[0] == ("SCHED 0ms: gomaxprocs=2 idleprocs=1 threads=3 spinningthreads=0 "
                        "idlethreads=1 runqueue=0 [0 0]")
    assert [ln.split(":")[0] for ln in lines] == ["SCHED 0ms", "SCHED 10ms", "SCHED 20ms"]


def _select_trace(seed: int) -> list[int]:
    chans = [chan(10) for _ in range(4)]
    picks: list[int] = []

    def main() -> Gen:
        for c in chans:
            for _ in range(10):
                yield ("send", c, 1)
        for _ in range(20):
            i, _v, _ok = yield ("select", (False,) * 4, chans, [None] * 4, False)
            picks.append(i)

    assert run_prog(main, seed=seed)[0] == 0
    return picks


def test_select_choices_are_deterministic_per_seed() -> None:
    assert _select_trace(7) == _select_trace(7)
    assert _select_trace(7) != _select_trace(8)
    assert set(_select_trace(7)) == {0, 1, 2, 3}


def test_panic_in_goroutine_exits_2() -> None:
    def bad() -> Gen:
        c = chan()
        yield ("close", c)
        yield ("send", c, 1)

    def main() -> Gen:
        yield ("go", bad)
        yield ("sleep", MS)

    code, _, err, _ = run_prog(main)
    assert code == 2 and err.startswith("panic: ")


def test_goroutine_woken_by_close_of_many_receivers_exactly_once() -> None:
    c = chan()
    wg = WaitGroup()

    def parked() -> Gen:
        yield ("recv_ok", c)
        yield ("wg_add", wg, -1)

    def main() -> Gen:
        for _ in range(300):
            yield ("wg_add", wg, 1)
            yield ("go", parked)
        yield ("sleep", MS)
        yield ("close", c)
        yield ("wg_wait", wg)

    code, _, _, m = run_prog(main)
    assert code == 0
