"""Scheduler observation: the observer hooks and the trace recorder.

The scheduler (runtime/scheduler.py) and channels (runtime/channel.py) call
a ``SchedObserver`` only when a run has one (``if obs is not None``), so a
run without ``--trace``/``--timeline`` pays one ``None`` test per hook site.

``TraceRecorder`` turns the hook calls into compact records and, when the
run is over, into either
- Chrome Trace Event JSON (``write_chrome_trace``) for Perfetto or
  chrome://tracing: one track per processor with an ``X`` slice for each
  stretch a goroutine ran, instants for park/wake/preempt/steal, ``s``/``f``
  flow pairs from each channel send to the receive that got the value, and
  ``C`` counters (run queue lengths, number of goroutines); or
- the data of the HTML timeline (``timeline_data``, see runtime/timeline.py).

Invariants the recorder keeps (tests/test_trace.py checks the output):
- Times are virtual nanoseconds (each P's clock); the JSON writes µs.
- On one P, stretches never overlap: a stretch opens when the P adopts a
  goroutine and closes when that goroutine leaves the P, and the P's clock
  only grows.
- Values in a buffered channel leave in the order they entered, so a FIFO
  of send points per channel pairs each receive with its send.  Every value
  entering a buffer goes through ``on_chan_put`` (also a parked sender whose
  value moves into the buffer), every value leaving it through
  ``on_chan_get``; a direct hand-off is ``on_chan_pass``.
- A flow starts inside a slice of the sender (the running slice, or the
  last nanosecond of the slice in which a parked sender parked) and ends
  inside a slice of the receiver (now, or the start of the next stretch of
  a receiver that was parked).
- Per goroutine, state changes are clamped to be monotone in time (Ps'
  clocks agree only within one scheduling slice).
"""

from __future__ import annotations

import json
from collections import deque
from collections.abc import Iterator
from typing import Any

from runtime.machine import StopReason
from runtime.park import WAITING

# Goroutine lane states (the timeline's codes).
RUNNABLE_STATE = 0
RUNNING_STATE = 1
BLOCKED_STATE = 2
DEAD_STATE = 3

_BUDGET = StopReason.BUDGET
_BUDGET_CALL: Any = getattr(StopReason, "BUDGET_CALL", None)
_BLOCKED = StopReason.BLOCKED
_EXITED = StopReason.EXITED
_YIELDED = StopReason.YIELDED

INSTANT_PARK = 0
INSTANT_WAKE = 1
INSTANT_PREEMPT = 2
INSTANT_STEAL = 3

TRACE_PID = 1  # the events below hard-code it as "pid":1
TIMER_TID = 0  # the "timers" track: wakes made by a timer, not by a P


class SchedObserver:
    """Hooks called by the scheduler and channels of an observed run.
    Every method is a no-op here; ``t`` is virtual ns."""

    def on_run_start(self, p: Any, g: Any, t: int) -> None:
        """P p adopts goroutine g (a new stretch begins)."""

    def on_slice_end(self, p: Any, reason: StopReason, t: int) -> None:
        """p's goroutine ran one slice and stopped with reason; ``p.cur is
        None`` now means it left the P (parked, exited, preempted, yielded)."""

    def on_go(self, parent: Any, child: Any, t: int) -> None:
        """``go`` created child (parent None: created by the runtime)."""

    def on_ready(self, g: Any, t: int) -> None:
        """Parked g became runnable (by the running goroutine, or a timer)."""

    def on_steal(self, p: Any, victim: Any, n: int, t: int) -> None:
        """p stole n goroutines from victim's queue."""

    def on_chan_put(self, ch: Any, sender: Any) -> None:
        """A value from sender (None: a timer) entered ch's buffer."""

    def on_chan_get(self, ch: Any) -> None:
        """The running goroutine took the oldest value of ch's buffer."""

    def on_chan_pass(self, ch: Any, sender: Any, receiver: Any) -> None:
        """A value went straight from sender to receiver (one may be parked;
        receiver None: the running goroutine)."""

    def on_chan_close(self, ch: Any) -> None:
        """close(ch)."""


def _fn_name(g: Any) -> str:
    frames = getattr(g, "frames", None)
    if frames:
        return str(frames[0].fn.name)
    return "?"


class TraceRecorder(SchedObserver):
    """Records an observed run; see the module docstring.

    Records are flat lists of ints (strings go through ``intern``): a long
    run makes millions of them, and tuples would make the cyclic garbage
    collector rescan them all, again and again."""

    def __init__(self, machine: Any, timeline: bool = False) -> None:
        self.m = machine
        self.timeline = timeline
        nprocs = len(machine.procs)
        self.nprocs = nprocs
        self.strings: list[str] = [""]
        self.string_index: dict[str, int] = {"": 0}
        self.names: dict[int, str] = {}
        self.created: dict[int, int] = {}
        # SLICE stride: P id, goroutine id, start, end, stop string
        self.slices: list[int] = []
        self.open: list[tuple[Any, int] | None] = [None] * nprocs
        self.stop_p: dict[int, int] = {}  # where each goroutine last stopped
        self.stop_t: dict[int, int] = {}
        self.states: dict[int, list[int]] = {}  # [t, state, string, ...]
        # INSTANT stride: kind, tid (P id + 1, or TIMER_TID), t, a, b
        self.instants: list[int] = []
        # FLOW stride: send P, send t, send g, recv P, recv t, recv g, chan
        self.flows: list[int] = []
        self.pending: dict[int, tuple[int, int, int, int]] = {}
        self.chan_index: dict[int, int] = {}
        self.chans: list[Any] = []  # keeps channels alive: ids stay unique
        # per channel: the send point (P id, t, goroutine id) of each
        # buffered value, oldest first (short-lived tuples: a buffer is small)
        self.chan_fifo: list[deque[tuple[int, int, int]]] = []
        # per channel: flat [t, len, closed, sent, received, ...] (timeline)
        self.chan_ops: list[list[int]] = []
        self.chan_counts: list[list[int]] = []
        # counter stride: t, global queue, goroutines, then one per P
        self.counters: list[int] = []
        self.last_counter: tuple[tuple[int, ...], int, int] | None = None
        self.end = 0

    # -- helpers ------------------------------------------------------------
    def intern(self, text: str) -> int:
        i = self.string_index.get(text)
        if i is None:
            i = self.string_index[text] = len(self.strings)
            self.strings.append(text)
        return i

    def _state(self, g: Any, t: int, code: int, reason: int = 0) -> None:
        if not self.timeline:
            return  # goroutine lanes are drawn by the timeline only
        gid = g.id
        st = self.states.get(gid)
        if st is None:
            st = self.states[gid] = []
            if gid not in self.names:
                self.names[gid] = _fn_name(g)
        elif st[-3] > t:
            t = st[-3]
        st += (t, code, reason)

    def _now(self) -> tuple[int, int]:
        """(track id, virtual ns) of the running goroutine, or the timers."""
        p = self.m.cur_p
        if p is not None:
            return p.id + 1, p.now
        return TIMER_TID, self.m.fire_time

    def _point(self, g: Any) -> tuple[int, int, int]:
        """Where g's side of a channel transfer happens, inside a slice;
        P id -1: nowhere (a timer)."""
        if g is None:
            return (-1, 0, 0)
        p = self.m.cur_p
        if p is not None and p.cur is g:
            return (p.id, p.now, g.id)
        gid = g.id
        pid = self.stop_p.get(gid)
        if pid is not None:
            return (pid, self.stop_t[gid], gid)
        return (-1, 0, 0)

    def _chan(self, ch: Any) -> int:
        idx = self.chan_index.get(id(ch))
        if idx is None:
            idx = self.chan_index[id(ch)] = len(self.chans)
            self.chans.append(ch)
            self.chan_fifo.append(deque())
            self.chan_ops.append([])
            self.chan_counts.append([0, 0])
        return idx

    def _chan_snapshot(self, idx: int, ch: Any, t: int) -> None:
        counts = self.chan_counts[idx]
        self.chan_ops[idx] += (t, len(ch.buf), 1 if ch.closed else 0, counts[0], counts[1])

    # -- scheduler hooks ----------------------------------------------------
    def on_run_start(self, p: Any, g: Any, t: int) -> None:
        self.open[p.id] = (g, t)
        if g.id not in self.names:
            self.names[g.id] = _fn_name(g)
        self._state(g, t, RUNNING_STATE)
        if self.pending:
            pend = self.pending.pop(g.id, None)
            if pend is not None and pend[0] >= 0:
                self.flows += (pend[0], pend[1], pend[2], p.id, t, g.id, pend[3])

    def on_slice_end(self, p: Any, reason: StopReason, t: int) -> None:
        if p.cur is None:
            opened = self.open[p.id]
            if opened is not None:
                self._stretch_end(p, opened, reason, t)
        m = self.m
        runqs = tuple([len(q.runq) + (q.runnext is not None) for q in m.procs])
        now = (runqs, len(m.globq), len(m.allgs))
        if now != self.last_counter:
            self.last_counter = now
            self.counters += (t, now[1], now[2], *runqs)

    def _stretch_end(self, p: Any, opened: tuple[Any, int], reason: StopReason,
                     t: int) -> None:
        self.open[p.id] = None
        g, start = opened
        gid = g.id
        tid = p.id + 1
        if reason is _BLOCKED:
            if g.status is WAITING:
                why = self.intern(str(g.wait_reason))
                stop = self.intern("blocked: " + self.strings[why])
                self._state(g, t, BLOCKED_STATE, why)
                self.instants += (INSTANT_PARK, tid, t, gid, why)
            else:
                stop = self.intern("yielded")
                self._state(g, t, RUNNABLE_STATE)
        elif reason is _EXITED:
            stop = self.intern("exited")
            self._state(g, t, DEAD_STATE)
        elif reason is _YIELDED:
            stop = self.intern("yielded")
            self._state(g, t, RUNNABLE_STATE)
        elif reason is _BUDGET or reason is _BUDGET_CALL:
            stop = self.intern("preempted")
            self._state(g, t, RUNNABLE_STATE)
            self.instants += (INSTANT_PREEMPT, tid, t, gid, 0)
        else:
            stop = self.intern(str(reason))
        self.slices += (p.id, gid, start, t, stop)
        self.stop_p[gid] = p.id
        self.stop_t[gid] = t - 1 if t > start else start

    def on_go(self, parent: Any, child: Any, t: int) -> None:
        self.created[child.id] = t
        self._state(child, t, RUNNABLE_STATE)

    def on_ready(self, g: Any, t: int) -> None:
        self._state(g, t, RUNNABLE_STATE)
        p = self.m.cur_p
        if p is not None:
            by = p.cur.id if p.cur is not None else 0
            self.instants += (INSTANT_WAKE, p.id + 1, t, g.id, by)
        else:
            self.instants += (INSTANT_WAKE, TIMER_TID, t, g.id, 0)

    def on_steal(self, p: Any, victim: Any, n: int, t: int) -> None:
        self.instants += (INSTANT_STEAL, p.id + 1, t, victim.id, n)

    # -- channel hooks ------------------------------------------------------
    def on_chan_put(self, ch: Any, sender: Any) -> None:
        idx = self.chan_index.get(id(ch))
        if idx is None:
            idx = self._chan(ch)
        p = self.m.cur_p
        if sender is not None and p is not None and p.cur is sender:
            self.chan_fifo[idx].append((p.id, p.now, sender.id))
        else:
            self.chan_fifo[idx].append(self._point(sender))
        if self.timeline:
            self.chan_counts[idx][0] += 1
            self._chan_snapshot(idx, ch, self._now()[1])

    def on_chan_get(self, ch: Any) -> None:
        idx = self.chan_index.get(id(ch))
        if idx is None:
            idx = self._chan(ch)
        fifo = self.chan_fifo[idx]
        p = self.m.cur_p
        if fifo:
            sp, st, sg = fifo.popleft()
            if sp >= 0 and p is not None and p.cur is not None:
                self.flows += (sp, st, sg, p.id, p.now, p.cur.id, idx)
        if self.timeline and p is not None:
            self.chan_counts[idx][1] += 1
            self._chan_snapshot(idx, ch, p.now)

    def on_chan_pass(self, ch: Any, sender: Any, receiver: Any) -> None:
        idx = self.chan_index.get(id(ch))
        if idx is None:
            idx = self._chan(ch)
        src = self._point(sender)
        p = self.m.cur_p
        running = p.cur if p is not None else None
        if receiver is None or receiver is running:
            # The running goroutine received (receiver None: from take()).
            if src[0] >= 0 and p is not None and running is not None:
                self.flows += (*src, p.id, p.now, running.id, idx)
        else:
            self.pending[receiver.id] = (*src, idx)
        if self.timeline:
            counts = self.chan_counts[idx]
            counts[0] += 1
            counts[1] += 1
            self._chan_snapshot(idx, ch, self._now()[1])

    def on_chan_close(self, ch: Any) -> None:
        idx = self._chan(ch)
        if self.timeline:
            self._chan_snapshot(idx, ch, self._now()[1])

    # -- the end ------------------------------------------------------------
    def finish(self) -> None:
        """Close what is still open (the run ended by main returning, a
        panic, a deadlock or the instruction limit)."""
        m = self.m
        self.end = max([p.now for p in m.procs] + [m.fire_time])
        stop = self.intern("program ended")
        for pid, opened in enumerate(self.open):
            if opened is not None:
                g, start = opened
                self.slices += (pid, g.id, start, m.procs[pid].now, stop)
                self.open[pid] = None

    def chan_name(self, idx: int) -> str:
        return f"chan#{idx + 1} (cap {self.chans[idx].cap})"


# -- Chrome Trace Event JSON ------------------------------------------------

_INSTANT_NAMES = ("park", "wake", "preempt", "steal")
_FLOW_CHUNK = 4096
_FLOW_PAIR = ('{"ph":"s","id":%d,"pid":1,"tid":%d,"ts":%de-3,%s,\n'
              '{"ph":"f","bp":"e","id":%d,"pid":1,"tid":%d,"ts":%de-3,%s')


def chrome_trace_lines(rec: TraceRecorder) -> Iterator[str]:
    """The trace's events, one JSON object per string.  Timestamps are
    written as integer virtual ns with an ``e-3`` exponent: exact µs, and
    much cheaper to format than floats."""
    yield f'{{"ph":"M","pid":{TRACE_PID},"name":"process_name","args":{{"name":"csp machine"}}}}'
    yield (f'{{"ph":"M","pid":{TRACE_PID},"tid":{TIMER_TID},"name":"thread_name",'
           '"args":{"name":"timers"}}')
    yield (f'{{"ph":"M","pid":{TRACE_PID},"tid":{TIMER_TID},"name":"thread_sort_index",'
           f'"args":{{"sort_index":{rec.nprocs}}}}}')
    for i in range(rec.nprocs):
        yield (f'{{"ph":"M","pid":{TRACE_PID},"tid":{i + 1},"name":"thread_name",'
               f'"args":{{"name":"P{i}"}}}}')
        yield (f'{{"ph":"M","pid":{TRACE_PID},"tid":{i + 1},"name":"thread_sort_index",'
               f'"args":{{"sort_index":{i}}}}}')
    strings = [json.dumps(s) for s in rec.strings]
    quoted: dict[int, str] = {}
    it = iter(rec.slices)
    for pid, gid, start, end, stop in zip(it, it, it, it, it, strict=True):
        q = quoted.get(gid)
        if q is None:
            fn = rec.names.get(gid, "?")
            q = quoted[gid] = (f'"name":{json.dumps(f"G{gid} {fn}")},"args":{{"goroutine":{gid},'
                               f'"function":{json.dumps(fn)},"stop":')
        yield (f'{{"ph":"X","pid":1,"tid":{pid + 1},"ts":{start}e-3,'
               f'"dur":{end - start}e-3,{q}{strings[stop]}}}}}')
    it = iter(rec.instants)
    for kind, tid, t, a, b in zip(it, it, it, it, it, strict=True):
        head = (f'{{"ph":"i","s":"t","pid":1,"tid":{tid},"ts":{t}e-3,'
                f'"name":"{_INSTANT_NAMES[kind]}","args":')
        if kind == INSTANT_PARK:
            yield f'{head}{{"goroutine":{a},"reason":{strings[b]}}}}}'
        elif kind == INSTANT_WAKE:
            yield f'{head}{{"goroutine":{a},"by":{b}}}}}'
        elif kind == INSTANT_PREEMPT:
            yield f'{head}{{"goroutine":{a}}}}}'
        else:
            yield f'{head}{{"victim":"P{a}","n":{b}}}}}'
    # Flow ends pair by (id, cat, name); the tail is the same per channel.
    # Flows are most of a trace: format them in chunks with one %-format
    # per chunk (the per-event work then happens in C).
    tails = [f'"cat":"chan","name":{json.dumps(rec.chan_name(i))}}}'
             for i in range(len(rec.chans))]
    fl = rec.flows
    total = len(fl) // 7
    for first in range(0, total, _FLOW_CHUNK):
        count = min(_FLOW_CHUNK, total - first)
        part = fl[first * 7:(first + count) * 7]
        args: list[Any] = [None] * (8 * count)
        ids = range(first + 1, first + count + 1)
        chan_tails = [tails[c] for c in part[6::7]]
        args[0::8] = ids
        args[1::8] = [x + 1 for x in part[0::7]]
        args[2::8] = part[1::7]
        args[3::8] = chan_tails
        args[4::8] = ids
        args[5::8] = [x + 1 for x in part[3::7]]
        args[6::8] = part[4::7]
        args[7::8] = chan_tails
        yield ((_FLOW_PAIR + ",\n") * (count - 1) + _FLOW_PAIR) % tuple(args)
    stride = 3 + rec.nprocs
    cs = rec.counters
    for k in range(0, len(cs), stride):
        ts = cs[k]
        queues = ",".join(f'"P{i}":{cs[k + 3 + i]}' for i in range(rec.nprocs))
        yield (f'{{"ph":"C","pid":1,"name":"runqueue","ts":{ts}e-3,'
               f'"args":{{{queues},"global":{cs[k + 1]}}}}},\n'
               f'{{"ph":"C","pid":1,"name":"goroutines","ts":{ts}e-3,'
               f'"args":{{"count":{cs[k + 2]}}}}}')


def write_chrome_trace(rec: TraceRecorder, path: str) -> None:
    """Write the trace as {"traceEvents": [...]}, one event per line,
    streamed in chunks (a long run has millions of events)."""
    with open(path, "w", encoding="utf-8") as f:
        # No "displayTimeUnit": some importers read it as the unit of ts.
        f.write('{"otherData":{"clock":"virtual","unit":"us","procs":')
        f.write(f'{rec.nprocs}}},\n"traceEvents":[\n')
        chunk: list[str] = []
        size = 0
        sep = ""
        for line in chrome_trace_lines(rec):
            chunk.append(line)
            size += len(line)
            if size >= 1 << 20:
                f.write(sep + ",\n".join(chunk))
                sep = ",\n"
                chunk = []
                size = 0
        if chunk:
            f.write(sep + ",\n".join(chunk))
        f.write("\n]}\n")


# -- attaching to a run -----------------------------------------------------

def attach(machine: Any, timeline: bool = False) -> TraceRecorder:
    """Observe machine (a runtime.scheduler.Scheduler) and its channels;
    timeline: also record what only the HTML timeline shows."""
    from runtime import channel
    rec = TraceRecorder(machine, timeline)
    machine.obs = rec
    channel.set_observer(rec)
    return rec


def detach(machine: Any) -> None:
    from runtime import channel
    machine.obs = None
    channel.set_observer(None)


def save_outputs(machine: Any, rec: TraceRecorder, trace_path: str | None,
                 timeline_path: str | None, stderr: Any) -> None:
    """Stop observing and write the requested files.  A file that cannot be
    written is reported on stderr (the program's exit code stands)."""
    detach(machine)
    rec.finish()
    if trace_path:
        try:
            write_chrome_trace(rec, trace_path)
        except OSError as e:
            stderr.write(f"csp: cannot write trace {trace_path}: {e.strerror or e}\n")
    if timeline_path:
        from runtime.timeline import write_timeline
        try:
            write_timeline(rec, timeline_path)
        except OSError as e:
            stderr.write(f"csp: cannot write timeline {timeline_path}: {e.strerror or e}\n")


__all__ = ["SchedObserver", "TraceRecorder", "attach", "chrome_trace_lines", "detach",
           "save_outputs", "write_chrome_trace"]
