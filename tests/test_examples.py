"""The article examples in examples/ demonstrate what examples/CLAIMS.md says.

Each test runs one example through the real command line
(`python -m csp run [flags] examples/NAME.csp`, in a subprocess with a 60 s
limit) and checks the article's claim in its output. Assertions are strict
where Go's semantics fix the output (the expected text is what Go 1.19
prints) and tolerant (ranges, orderings) where the number comes from the
simulated machine's cost model (virtual CPU time per instruction, spawn
and switch costs). Programs whose output is schedule-dependent are only
checked on their schedule-independent lines.

These tests need the concurrency runtime (virtual time, --procs,
--preempt, -race); until it lands they fail, on purpose.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import NamedTuple

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = REPO_ROOT / "examples"
TIMEOUT_SECONDS = 60
DEADLOCK = "fatal error: all goroutines are asleep - deadlock!"


class Run(NamedTuple):
    code: int
    out: str
    err: str


def csp_run(name: str, *flags: str) -> Run:
    result = subprocess.run(
        [sys.executable, "-m", "csp", "run", *flags, str(EXAMPLES / name)],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, check=False,
    )
    return Run(result.returncode, result.stdout, result.stderr)


def lines(text: str) -> list[str]:
    return text.splitlines()


def value_after(out: str, prefix: str) -> str:
    """The rest of the first stdout line that starts with `prefix`."""
    for line in lines(out):
        if line.startswith(prefix):
            return line[len(prefix):].strip()
    raise AssertionError(f"no line starting with {prefix!r} in:\n{out}")


def ratio_after(out: str, prefix: str) -> float:
    match = re.match(r"([0-9.]+|\+Inf)x", value_after(out, prefix))
    assert match is not None, out
    return float("inf") if match.group(1) == "+Inf" else float(match.group(1))


def assert_clean_exit(run: Run) -> None:
    assert run.code == 0, run.err
    assert "Traceback" not in run.err


def assert_deadlock(run: Run, wait_reason: str) -> None:
    assert run.code == 2
    assert lines(run.err)[0] == DEADLOCK
    assert f"goroutine 1 [{wait_reason}]:" in run.err
    assert "Traceback" not in run.err


# --- goroutines -----------------------------------------------------------


def test_goroutine_basics() -> None:
    run = csp_run("goroutine_basics.csp")
    assert_clean_exit(run)
    assert run.out == (
        "main: spawned 3 goroutines\n"
        "goroutine 0: hello from the same address space\n"
        "goroutine 1: hello from the same address space\n"
        "goroutine 2: hello from the same address space\n"
        "main: carries on without waiting\n"
        "main: received: computed in a goroutine\n"
    )


def test_goroutines_many_all_alive_at_once() -> None:
    run = csp_run("goroutines_many.csp")
    assert_clean_exit(run)
    assert value_after(run.out, "alive at once:") == "100001"
    assert value_after(run.out, "total:") == "4999950000"
    # The spawn cost is the simulated machine's; only its presence and sign are fixed.
    assert re.fullmatch(r"[0-9.]+(ns|µs|ms)", value_after(run.out, "average spawn cost:"))


def test_goroutine_stacks_grow() -> None:
    run = csp_run("goroutine_stack_growth.csp")
    assert_clean_exit(run)
    expected = [f"goroutine {g}: depth 100000 reached" for g in range(10)] + ["all done"]
    assert lines(run.out) == expected


def test_cpu_bound_no_speedup_on_one_processor() -> None:
    run = csp_run("cpu_bound_speedup.csp", "--procs", "1")
    assert_clean_exit(run)
    assert value_after(run.out, "GOMAXPROCS:") == "1"
    assert value_after(run.out, "same result:") == "true 5600000"
    assert 0.7 <= ratio_after(run.out, "speed-up:") <= 1.3


def test_cpu_bound_speedup_on_four_processors() -> None:
    run = csp_run("cpu_bound_speedup.csp", "--procs", "4")
    assert_clean_exit(run)
    assert value_after(run.out, "GOMAXPROCS:") == "4"
    assert value_after(run.out, "same result:") == "true 5600000"
    # 8 equal chunks on 4 processors: ideally 4x; work stealing must spread them.
    assert 2.5 <= ratio_after(run.out, "speed-up:") <= 4.4


# --- scheduling: starvation and preemption ---------------------------------


def test_cpuhog_starves_others_under_cooperative_scheduling() -> None:
    run = csp_run("starvation_cpuhog.csp", "--procs", "1", "--preempt=cooperative")
    assert_clean_exit(run)
    assert value_after(run.out, "GOMAXPROCS:") == "1"
    assert value_after(run.out, "greedy hog:") == (
        "other goroutine ran 0 times while it computed -> STARVED"
    )
    assert value_after(run.out, "polite hog:").endswith("-> shared the CPU")


def test_cpuhog_is_preempted_under_async_preemption() -> None:
    run = csp_run("starvation_cpuhog.csp", "--procs", "1", "--preempt=async")
    assert_clean_exit(run)
    assert value_after(run.out, "greedy hog:").endswith("-> shared the CPU")
    assert value_after(run.out, "polite hog:").endswith("-> shared the CPU")


def test_cpuhog_default_is_async() -> None:
    run = csp_run("starvation_cpuhog.csp", "--procs", "1")
    assert_clean_exit(run)
    assert value_after(run.out, "greedy hog:").endswith("-> shared the CPU")


# --- channels -------------------------------------------------------------


def test_unbuffered_channel_is_a_rendezvous() -> None:
    run = csp_run("unbuffered_rendezvous.csp")
    assert_clean_exit(run)
    assert run.out == (
        "A: send completed after 300ms\n"
        "B: received 42\n"
        "receiver waited 200ms for the late sender\n"
        "worker: doing step 1\n"
        "main: step 1 done, worker is waiting for me\n"
        "worker: doing step 2\n"
        "main: worker finished step 2\n"
    )


def test_buffered_channel_decouples() -> None:
    run = csp_run("buffered_decoupling.csp")
    assert_clean_exit(run)
    expected = [f"send {i} ok: len={i} cap=10" for i in range(1, 11)] + [
        "send 11 would block: buffer full",
        "1 2 3 4 5 6 7 8 9 10 (FIFO order)",
        "producer done after 0s",
        "consumer done after 500ms sum 10",
    ]
    assert lines(run.out) == expected


def test_buffer_masks_deadlock_until_load_exceeds_it() -> None:
    run = csp_run("buffered_masks_deadlock.csp")
    assert run.out == (
        "load 3: ok, 3 results buffered, first is a square: true\n"
        "load 10: ok, 10 results buffered, first is a square: true\n"
    )
    assert_deadlock(run, "sync.WaitGroup.Wait")


def test_fanout_workers() -> None:
    run = csp_run("fanout_workers.csp")
    assert_clean_exit(run)
    assert value_after(run.out, "processed") == "100 jobs, sum of squares 338350"
    assert 2 <= int(value_after(run.out, "workers used:")) <= 10
    assert value_after(run.out, "more than one worker:") == "true"


def test_fanin_merge() -> None:
    run = csp_run("fanin_merge.csp")
    assert_clean_exit(run)
    assert run.out == (
        "[1 2 3 4 5 6 7 8 9]\ncount 9, sum 45\nmerged channel closed: range loop ended\n"
    )


def test_pipeline_squares() -> None:
    run = csp_run("pipeline_squares.csp")
    assert_clean_exit(run)
    assert run.out == "1\n4\n9\n16\n"


def test_select_timeout() -> None:
    run = csp_run("select_timeout.csp")
    assert_clean_exit(run)
    assert run.out == (
        "fetch 50ms: got result\n"
        "fetch 300ms: timeout after 100ms\n"
        "received 1\nreceived 2\nreceived 3\n"
        "no value for 100ms, giving up\n"
    )


# --- leaks ----------------------------------------------------------------


def test_leak_blocked_receiver_is_counted() -> None:
    run = csp_run("leak_blocked_receiver.csp")
    assert_clean_exit(run)
    assert run.out == "before: 1\nafter: 6\nGoroutine leak: 1 before, 6 after\n"


def test_leak_fixed_with_done_and_context() -> None:
    run = csp_run("leak_fixed_done.csp")
    assert_clean_exit(run)
    assert run.out == (
        "exited: done closed\n"
        "done channel: 1 before, 1 after -> no leak\n"
        "exited: context canceled\n"
        "context: 1 before, 1 after -> no leak\n"
    )


def test_unbounded_spawning_accumulates() -> None:
    run = csp_run("leak_unbounded_spawn.csp")
    assert_clean_exit(run)
    unbounded = re.fullmatch(r"handled 200, peak goroutines (\d+)",
                             value_after(run.out, "unbounded:"))
    bounded = re.fullmatch(r"handled 200, peak goroutines (\d+)",
                           value_after(run.out, "bounded(10):"))
    assert unbounded is not None and bounded is not None, run.out
    assert 90 <= int(unbounded.group(1)) <= 105  # ~100ms of 1ms arrivals in flight
    assert int(bounded.group(1)) <= 11
    assert value_after(run.out, "unbounded peak above 50:") == "true"
    assert value_after(run.out, "bounded peak at most 11:") == "true"


# --- deadlocks ------------------------------------------------------------


def test_self_deadlock_on_unbuffered_send() -> None:
    run = csp_run("deadlock_unbuffered_send.csp")
    assert run.out == "about to send\n"
    assert_deadlock(run, "chan send")
    assert "main.selfDeadlock()" in run.err
    assert "deadlock_unbuffered_send.csp:" in run.err


def test_circular_deadlock_is_silent_until_main_waits() -> None:
    run = csp_run("deadlock_circular.csp")
    assert run.out == "deadlock() returned; main goes on\nwaiting for both goroutines...\n"
    assert_deadlock(run, "sync.WaitGroup.Wait")
    assert "[chan receive]:" in run.err


def test_deadlock_detected_only_when_nothing_can_progress() -> None:
    run = csp_run("deadlock_undetected.csp")
    expected = ["main: waiting on a channel nobody sends to"]
    expected += [f"heartbeat {i}" for i in range(1, 6)]
    expected += ["heartbeat goroutine exits"]
    assert lines(run.out) == expected
    assert_deadlock(run, "chan receive")


# --- data races -----------------------------------------------------------


def test_race_counter_is_reported_by_the_race_detector() -> None:
    run = csp_run("race_counter.csp", "-race")
    assert run.code == 66
    assert "WARNING: DATA RACE" in run.err
    assert "race_counter.csp:" in run.err


def test_race_counter_prints_at_most_1000() -> None:
    run = csp_run("race_counter.csp")
    assert_clean_exit(run)
    assert 1 <= int(run.out.strip()) <= 1000


def test_race_lost_update_loses_updates() -> None:
    run = csp_run("race_lost_update.csp")
    assert_clean_exit(run)
    match = re.fullmatch(r"counter = (\d+) \(expected 1000\)", lines(run.out)[0])
    assert match is not None, run.out
    assert 1 <= int(match.group(1)) < 1000
    assert lines(run.out)[1] == "lost updates: true"


def test_race_lost_update_is_reported_by_the_race_detector() -> None:
    run = csp_run("race_lost_update.csp", "-race")
    assert run.code == 66
    assert "WARNING: DATA RACE" in run.err


def test_race_fixes_count_exactly() -> None:
    run = csp_run("race_counter_fixes.csp")
    assert_clean_exit(run)
    assert run.out == "mutex: 1000\natomic: 1000\nchannel: 1000\n"


def test_race_fixes_are_race_free() -> None:
    run = csp_run("race_counter_fixes.csp", "-race")
    assert run.code == 0, run.err
    assert "WARNING: DATA RACE" not in run.err
    assert run.out == "mutex: 1000\natomic: 1000\nchannel: 1000\n"


# --- context --------------------------------------------------------------


def test_context_cancel_ignored_by_bad_worker() -> None:
    run = csp_run("context_cancel_ignored.csp")
    assert_clean_exit(run)
    assert run.out == (
        "cancelled: context canceled\n"
        "goodWorker: returned after cancel: true\n"
        "goodWorker kept working after cancel: false\n"
        "badWorker kept working after cancel: true\n"
    )


def test_context_checked_periodically() -> None:
    run = csp_run("context_check_periodically.csp")
    assert_clean_exit(run)
    assert run.out == (
        "goodWorker: context deadline exceeded\n"
        "stopped early: true\n"
        "stopped at a multiple of 1000: true\n"
        "elapsed under 200ms: true\n"
    )


def test_context_timeout_and_propagation() -> None:
    run = csp_run("context_timeout.csp")
    assert_clean_exit(run)
    assert run.out == (
        "fast (50ms): done\n"
        "slow (500ms): context deadline exceeded after 200ms\n"
        "child 0: context canceled\n"
        "child 1: context canceled\n"
        "child 2: context canceled\n"
        "parent: context canceled\n"
    )


# --- when concurrency hurts -------------------------------------------------


def test_worker_pool_sized_to_gomaxprocs() -> None:
    run = csp_run("worker_pool_numcpu.csp", "--procs", "4")
    assert_clean_exit(run)
    assert value_after(run.out, "workers:") == "4"
    assert value_after(run.out, "same checksum:") == "true"
    value_after(run.out, "10,000 goroutines:")
    value_after(run.out, "pool of GOMAXPROCS:")


def test_channel_overhead_dominates_fine_grained_work() -> None:
    run = csp_run("channel_overhead_sum.csp")
    assert_clean_exit(run)
    assert value_after(run.out, "sumViaChan:") == "199990000"
    assert value_after(run.out, "sumDirect:") == "199990000"
    assert value_after(run.out, "channel version slower:") == "true"
    assert ratio_after(run.out, "ratio:") >= 2.0


def test_false_sharing_pattern_counts_correctly() -> None:
    run = csp_run("false_sharing.csp", "--procs", "2")
    assert_clean_exit(run)
    assert value_after(run.out, "adjacent fields:") == "a=200000 b=200000"
    assert value_after(run.out, "padded fields:") == "a=200000 b=200000"
    # csp has no caches: both layouts cost about the same virtual time.
    assert 0.5 <= ratio_after(run.out, "adjacent/padded:") <= 2.0


def test_fetch_benchmark_virtual_times() -> None:
    run = csp_run("fetch_benchmark.csp")
    assert_clean_exit(run)
    assert lines(run.out)[:4] == [
        "sequential: 10s",
        "concurrent: 100ms",
        "worker pool (10): 1s",
        "worker pool (100): 100ms",
    ]
    assert 50 <= ratio_after(run.out, "concurrent vs sequential:") <= 101
    assert 9 <= ratio_after(run.out, "pool(10) vs sequential:") <= 10.1


def test_every_article_example_is_tested() -> None:
    # hello.csp and closures.csp belong to the CLI examples (test_cli_examples.py).
    others = {"hello.csp", "closures.csp"}
    source = Path(__file__).read_text(encoding="utf-8")
    untested = [
        p.name for p in sorted(EXAMPLES.glob("*.csp"))
        if p.name not in others and f'"{p.name}"' not in source
    ]
    assert untested == []


# hello.csp and closures.csp are CLI examples, not article examples.
@pytest.mark.parametrize("name", sorted(p.name for p in EXAMPLES.glob("*.csp")
                                        if p.name not in {"hello.csp", "closures.csp"}))
def test_example_is_in_claims_table(name: str) -> None:
    claims = (EXAMPLES / "CLAIMS.md").read_text(encoding="utf-8")
    assert name in claims
