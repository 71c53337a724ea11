"""Property tests: random programs of channel, select, mutex, sleep and
CPU operations run by several fake goroutines through the real scheduler,
with every invariant checked after every slice."""

from __future__ import annotations

from collections import Counter
from collections.abc import Generator
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sched_harness import make_machine

from runtime.channel import Channel
from runtime.goroutine import GStatus
from runtime.sync_objects import Mutex, WaitGroup

Gen = Generator[Any, Any, None]
NCHAN = 3

op_strategy = st.one_of(
    st.tuples(st.just("send"), st.integers(0, NCHAN - 1)),
    st.tuples(st.just("recv"), st.integers(0, NCHAN - 1)),
    st.tuples(st.just("select"),
              st.lists(st.tuples(st.booleans(), st.integers(0, NCHAN - 1)),
                       min_size=0, max_size=3),
              st.booleans()),
    st.tuples(st.just("locked"), st.integers(1, 300)),
    st.tuples(st.just("work"), st.integers(1, 3000)),
    st.tuples(st.just("sleep"), st.integers(1, 5000)),
    st.tuples(st.just("yield")),
)

program_strategy = st.tuples(
    st.lists(st.integers(0, 2), min_size=NCHAN, max_size=NCHAN),        # capacities
    st.lists(st.lists(op_strategy, max_size=12), min_size=1, max_size=5),  # goroutines
    st.integers(1, 4),                                                   # procs
    st.integers(0, 2**32),                                               # seed
)


def run_random(caps: list[int], bodies: list[list[Any]], procs: int,
               seed: int) -> tuple[int, str, Any, Counter[int], Counter[int], list[Channel]]:
    chans = [Channel(c, 0) for c in caps]
    mu = Mutex()
    sent: Counter[int] = Counter()
    received: Counter[int] = Counter()

    def worker(k: int, ops: list[Any], wg: WaitGroup) -> Gen:
        for i, op in enumerate(ops):
            val = k * 1000 + i
            kind = op[0]
            if kind == "send":
                yield ("send", chans[op[1]], val)
                sent[val] += 1
            elif kind == "recv":
                v = yield ("recv", chans[op[1]])
                received[v] += 1
            elif kind == "select":
                cases = op[1]
                dirs = tuple(d for d, _ in cases)
                cs = [chans[c] for _, c in cases]
                vals = [val if d else None for d, _ in cases]
                idx, v, ok = yield ("select", dirs, cs, vals, op[2])
                if idx >= 0:
                    if dirs[idx]:
                        sent[val] += 1
                    else:
                        assert ok
                        received[v] += 1
            elif kind == "locked":
                yield ("lock", mu)
                yield ("work", op[1])
                yield ("unlock", mu)
            elif kind == "work":
                yield ("work", op[1])
            elif kind == "sleep":
                yield ("sleep", op[1])
            else:
                yield ("yield",)
        yield ("wg_add", wg, -1)

    def main() -> Gen:
        wg = WaitGroup()
        for k, ops in enumerate(bodies):
            yield ("wg_add", wg, 1)
            yield ("go", worker, k, ops, wg)
        yield ("wg_wait", wg)

    m, _, err = make_machine(procs=procs, seed=seed, slice_units=500)

    def check(s: Any) -> None:
        s.check_invariants()
        mu.check_invariants()
        for c in chans:
            c.check_invariants()
    m.step_hook = check
    code = m.run(main)
    return code, err.getvalue(), m, sent, received, chans


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(program_strategy)
def test_random_programs_keep_invariants(prog: Any) -> None:
    caps, bodies, procs, seed = prog
    code, err, m, sent, received, chans = run_random(caps, bodies, procs, seed)
    for g in m.created:
        # Exactly one wake per park, except a final park that never ends.
        assert g.wakes == g.parks or (code == 2 and g.wakes == g.parks - 1)
    if code == 0:
        buffered: Counter[int] = Counter()
        for c in chans:
            buffered.update(c.buf)
        assert sent == received + buffered, "a value was lost or duplicated"
        for c in chans:
            assert not c.recvq and not c.sendq
    else:
        assert code == 2
        assert err.startswith("fatal error: all goroutines are asleep - deadlock!")
        for g in m.allgs.values():
            assert g.status is GStatus.WAITING, "a runnable goroutine was lost"
            assert f"goroutine {g.id} [" in err


@settings(max_examples=40, deadline=None)
@given(program_strategy)
def test_same_seed_same_run(prog: Any) -> None:
    caps, bodies, procs, seed = prog
    a = run_random(caps, bodies, procs, seed)
    b = run_random(caps, bodies, procs, seed)
    assert a[0] == b[0] and a[1] == b[1] and a[3] == b[3] and a[4] == b[4]
    assert a[2].switches == b[2].switches
