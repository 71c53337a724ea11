"""`csp run --trace FILE`: Chrome Trace Event JSON checked against the
format's rules on several examples.

Rules checked (Trace Event Format, as Perfetto's JSON importer reads it):
- the file is {"traceEvents": [...]} and every event has ph and pid;
- every X slice has numeric ts >= 0 and dur >= 0, a name and a tid;
- slices on one track (pid, tid) never overlap;
- flow events: each ``s`` id has exactly one ``f`` with the same id, cat
  and name (``bp: "e"``), and each lies inside an X slice of its track;
- metadata names the process and every track that any event uses;
- counters have numeric args; instants have a scope.
Plus csp's own promises: one track per processor named P0..Pn, slices
named ``G<id> <function>`` with goroutine/function/stop args, flows for
channel transfers (including select), virtual time.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, run_csp

EXAMPLES = REPO_ROOT / "examples"
TRACED = ["fanout_workers.csp", "pipeline_squares.csp", "select_timeout.csp",
          "unbuffered_rendezvous.csp", "fanin_merge.csp"]


def _ns(us: float) -> int:
    return round(us * 1000)


def validate_trace(doc: Any) -> dict[str, Any]:
    """Assert the Trace Event Format rules; return a summary."""
    assert isinstance(doc, dict) and isinstance(doc.get("traceEvents"), list)
    events: list[dict[str, Any]] = doc["traceEvents"]
    thread_names: dict[tuple[int, int], str] = {}
    process_names: dict[int, str] = {}
    slices: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    used_tracks: set[tuple[int, int]] = set()
    flows_s: dict[Any, dict[str, Any]] = {}
    flows_f: dict[Any, dict[str, Any]] = {}
    for e in events:
        ph = e.get("ph")
        assert isinstance(ph, str) and "pid" in e, e
        if ph == "M":
            if e["name"] == "thread_name":
                thread_names[(e["pid"], e["tid"])] = e["args"]["name"]
            elif e["name"] == "process_name":
                process_names[e["pid"]] = e["args"]["name"]
            continue
        assert isinstance(e.get("ts"), (int, float)) and e["ts"] >= 0, e
        if ph == "C":
            assert e["args"] and all(isinstance(v, (int, float)) for v in e["args"].values())
            continue
        track = (e["pid"], e["tid"])
        used_tracks.add(track)
        if ph == "X":
            assert isinstance(e.get("dur"), (int, float)) and e["dur"] >= 0, e
            assert e.get("name"), e
            slices[track].append((_ns(e["ts"]), _ns(e["ts"]) + _ns(e["dur"])))
        elif ph == "i":
            assert e.get("s") in ("t", "p", "g"), e
        elif ph == "s":
            assert e["id"] not in flows_s, f"flow id {e['id']} started twice"
            flows_s[e["id"]] = e
        elif ph == "f":
            assert e["id"] not in flows_f, f"flow id {e['id']} finished twice"
            assert e.get("bp") == "e"
            flows_f[e["id"]] = e
        else:
            raise AssertionError(f"unexpected phase {ph}")
    for track, spans in slices.items():
        spans.sort()
        for (s0, e0), (s1, _) in zip(spans, spans[1:], strict=False):
            assert s1 >= e0, f"overlapping slices on {track}: {s0}-{e0} and {s1}"
    assert set(flows_s) == set(flows_f), "unpaired flow ids"

    def inside(e: dict[str, Any]) -> bool:
        t = _ns(e["ts"])
        for s0, e0 in slices.get((e["pid"], e["tid"]), []):
            if s0 <= t <= e0:
                return True
        return False

    for fid, s in flows_s.items():
        f = flows_f[fid]
        assert (s["cat"], s["name"]) == (f["cat"], f["name"])
        assert inside(s), f"flow start {s} not inside a slice"
        assert inside(f), f"flow end {f} not inside a slice"
    for track in used_tracks:
        assert track in thread_names, f"track {track} has no thread_name"
        assert track[0] in process_names
    return {"events": events, "threads": thread_names, "slices": slices,
            "flows": len(flows_s), "phases": Counter(e["ph"] for e in events)}


def _trace(tmp_path: Path, example: str, *flags: str) -> tuple[Any, str]:
    out = tmp_path / "trace.json"
    code, stdout, _ = run_csp(["run", "--trace", str(out), *flags, str(EXAMPLES / example)])
    assert out.is_file(), f"no trace written (exit {code})"
    return json.loads(out.read_text(encoding="utf-8")), stdout


@pytest.mark.parametrize("example", TRACED)
def test_trace_follows_format_rules(tmp_path: Path, example: str) -> None:
    doc, _ = _trace(tmp_path, example)
    summary = validate_trace(doc)
    names = sorted(n for n in summary["threads"].values() if n.startswith("P"))
    assert names == ["P0", "P1", "P2", "P3"]  # default --procs 4
    assert summary["phases"]["X"] > 0


def test_trace_tracks_follow_procs(tmp_path: Path) -> None:
    doc, _ = _trace(tmp_path, "fanout_workers.csp", "--procs", "2")
    summary = validate_trace(doc)
    assert sorted(n for n in summary["threads"].values() if n.startswith("P")) == ["P0", "P1"]


def test_trace_content_of_worker_pool(tmp_path: Path) -> None:
    doc, stdout = _trace(tmp_path, "fanout_workers.csp")
    assert "processed 100 jobs" in stdout  # tracing does not change the run
    summary = validate_trace(doc)
    xs = [e for e in summary["events"] if e["ph"] == "X"]
    workers = {e["args"]["goroutine"] for e in xs if e["args"]["function"] == "main.worker"}
    assert len(workers) == 10
    assert all(e["name"] == f"G{e['args']['goroutine']} {e['args']['function']}" for e in xs)
    stops = Counter(e["args"]["stop"] for e in xs)
    assert stops["blocked: sleep"] == 100  # one per processed job
    assert stops["exited"] >= 10
    # 100 jobs in and 100 results out: every transfer has an arrow.
    assert summary["flows"] == 200
    kinds = Counter(e["name"] for e in summary["events"] if e["ph"] == "i")
    assert kinds["park"] > 0 and kinds["wake"] > 0
    counters = {e["name"] for e in summary["events"] if e["ph"] == "C"}
    assert counters == {"runqueue", "goroutines"}
    # Virtual time: 100 jobs of 10 ms on 10 workers take about 100 ms.
    last = max(e["ts"] + e["dur"] for e in xs)
    assert 100_000 <= last < 110_000


def test_trace_flows_through_select(tmp_path: Path, write_csp: Any) -> None:
    prog = write_csp("""package main

import "fmt"

func main() {
	a := make(chan int)
	b := make(chan int)
	go func() { for i := 0; i < 5; i++ { a <- i } }()
	go func() { for i := 0; i < 5; i++ { b <- 10 + i } }()
	sum := 0
	for i := 0; i < 10; i++ {
		select {
		case v := <-a:
			sum += v
		case v := <-b:
			sum += v
		}
	}
	fmt.Println(sum)
}
""")
    out = tmp_path / "sel.json"
    code, stdout, _ = run_csp(["run", "--trace", str(out), str(prog)])
    assert (code, stdout) == (0, "70\n")
    summary = validate_trace(json.loads(out.read_text(encoding="utf-8")))
    assert summary["flows"] == 10
    flow_names = {e["name"] for e in summary["events"] if e["ph"] == "s"}
    assert flow_names == {"chan#1 (cap 0)", "chan#2 (cap 0)"}


def test_trace_written_on_deadlock(tmp_path: Path) -> None:
    doc, _ = _trace(tmp_path, "deadlock_circular.csp")
    summary = validate_trace(doc)
    assert summary["phases"]["X"] > 0


def test_trace_preemption_and_steal(tmp_path: Path, write_csp: Any,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    # Go preempts after 10 ms of virtual time; 20 µs keeps the test short.
    import runtime.scheduler
    monkeypatch.setattr(runtime.scheduler, "TIME_SLICE_NS", 20_000)
    prog = write_csp("""package main

import "fmt"

func spin(n int, out chan<- int) {
	s := 0
	for i := 0; i < n; i++ {
		s += i % 7
	}
	out <- s
}

func main() {
	out := make(chan int)
	for w := 0; w < 6; w++ {
		go spin(20000, out)
	}
	t := 0
	for w := 0; w < 6; w++ {
		t += <-out
	}
	fmt.Println(t)
}
""")
    out = tmp_path / "spin.json"
    code, _, _ = run_csp(["run", "--trace", str(out), "--procs", "2", str(prog)])
    assert code == 0
    summary = validate_trace(json.loads(out.read_text(encoding="utf-8")))
    kinds = Counter(e["name"] for e in summary["events"] if e["ph"] == "i")
    assert kinds["preempt"] > 0
    assert kinds["steal"] > 0


def test_unwritable_trace_is_reported(tmp_path: Path) -> None:
    bad = tmp_path / "missing-dir" / "t.json"
    code, stdout, stderr = run_csp(["run", "--trace", str(bad), str(EXAMPLES / "hello.csp")])
    assert code == 0 and stdout.startswith("hello, gopher")
    assert "csp: cannot write trace" in stderr and "Traceback" not in stderr


def test_observer_detached_after_traced_run(tmp_path: Path) -> None:
    from runtime import channel
    _trace(tmp_path, "fanout_workers.csp")
    assert channel._obs is None  # later runs in this process pay nothing


def test_trace_timestamps_are_exact_microseconds(tmp_path: Path) -> None:
    text_path = tmp_path / "trace.json"
    run_csp(["run", "--trace", str(text_path), str(EXAMPLES / "unbuffered_rendezvous.csp")])
    doc = json.loads(text_path.read_text(encoding="utf-8"))
    assert "displayTimeUnit" not in doc  # ts is µs for every importer
    xs = [e for e in doc["traceEvents"] if e["ph"] == "X"]
    # Virtual ns written as µs without rounding: ts * 1000 is an integer.
    assert all(abs(e["ts"] * 1000 - round(e["ts"] * 1000)) < 1e-6 for e in xs)
