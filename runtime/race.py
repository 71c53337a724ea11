"""The -race data race detector: happens-before with vector clocks.

The VM calls ``RaceDetector.access`` for every ``RACE`` instruction that
lang/compile_race.py placed before a memory access or a channel operation
(and after each SELECT); ``Scheduler.spawn`` calls ``go``; the sync, atomic,
time and context natives call ``acquire``/``release`` when the machine has
a detector (``machine.race`` is None otherwise, so a plain run pays nothing).

Model (FastTrack-style, after Flanagan & Freund 2009, and Go's memory model):
- Each goroutine has a vector clock ``{goroutine id: clock}``; its own entry
  is its current epoch.  ``release`` joins the goroutine's clock into a sync
  object's clock and then advances its own epoch; ``acquire`` joins the sync
  object's clock into the goroutine's.
- A memory location is ``(id(container), index)``: a package variable is
  ``(globals, i)``, a cell ``(cell, 0)``, a struct field ``(struct, i)``, a
  slice element ``(backing array, off + i)``; a map is one location
  ``(dict, MAP)`` as in Go (any write races with any unsynchronised access).
  The detector keeps every container it has seen alive, so ids never alias.
- Shadow cell: the last write as an epoch (goroutine, clock, site) and the
  reads since then as ``{goroutine: (clock, site)}``.  An access races with
  a previous access of another goroutine whose epoch is not <= the current
  goroutine's entry for it (at least one of the two being a write).
- Edges: ``go`` (parent's clock copied to the child); unbuffered channel
  handoff exchanges both clocks (send happens before the receive completes
  and the receive before the send completes); buffered channels keep one
  clock per slot, so the k-th receive happens before the (k+C)-th send
  completes; close happens before a receive that sees the close; Mutex
  Unlock -> Lock, RWMutex Unlock -> RLock/Lock and RUnlock -> Lock,
  WaitGroup Add/Done -> Wait, Once's f -> every Do return, atomics
  (release + acquire on the address), Cond, time.AfterFunc start -> f.
- Channel effects are predicted from the channel's queues right before the
  operation runs (the RACE instruction precedes it and nothing else runs in
  between); the goroutine completing a rendezvous applies the edges for
  both sides, so a parked goroutine needs no hook when it resumes.
- Each pair of source locations is reported once; ``count`` is the number
  of reports, and runtime/run.py prints ``Found N data race(s)`` and makes
  the exit status 66 when the program would otherwise exit 0.
"""

from __future__ import annotations

from typing import Any, TextIO

from lang.opcodes import ITER_MAP, ITER_MAP_FROZEN, Op
from runtime.deadlock import qualify
from runtime.values import Pointer, Slice

_LOAD_GLOBAL = int(Op.LOAD_GLOBAL)
_STORE_GLOBAL = int(Op.STORE_GLOBAL)
_LOAD_CELL = int(Op.LOAD_CELL)
_STORE_CELL = int(Op.STORE_CELL)
_INDEX_SLICE = int(Op.INDEX_SLICE)
_INDEX_LIST = int(Op.INDEX_LIST)
_SET_SLICE = int(Op.SET_SLICE)
_SET_LIST = int(Op.SET_LIST)
_MAP_GET = int(Op.MAP_GET)
_MAP_GET_OK = int(Op.MAP_GET_OK)
_MAP_SET = int(Op.MAP_SET)
_MAP_DELETE = int(Op.MAP_DELETE)
_GETFIELD = int(Op.GETFIELD)
_SETFIELD = int(Op.SETFIELD)
_DEREF = int(Op.DEREF)
_STORE_PTR = int(Op.STORE_PTR)
_APPEND1 = int(Op.APPEND1)
_APPEND_SLICE = int(Op.APPEND_SLICE)
_COPY_SLICE = int(Op.COPY_SLICE)
_ITER_INIT = int(Op.ITER_INIT)
_SEND = int(Op.SEND)
_RECV = int(Op.RECV)
_RECV_OK = int(Op.RECV_OK)
_RANGE_RECV = int(Op.RANGE_RECV)
_RECV_BACK = int(Op.RECV_BACK)
_CLOSE = int(Op.CLOSE)
_SELECT = int(Op.SELECT)

MAP = -1  # index of the single location standing for a whole map
_BASE_ADDR = 0x00C000010000
_RANGE_LIMIT = 4096  # elements checked per copy/append (bounds the cost)

Clock = dict[int, int]


def join(into: Clock, other: Clock) -> None:
    """into := into joined with other (pointwise maximum)."""
    get = into.get
    for k, v in other.items():
        if v > get(k, 0):
            into[k] = v


class _Shadow:
    """What the detector remembers about one memory location."""

    __slots__ = ("wg", "wc", "wfn", "wpc", "wouter", "reads", "addr")

    def __init__(self, addr: int) -> None:
        self.wg = 0          # goroutine of the last write (0: none yet)
        self.wc = 0          # its epoch
        self.wfn: Any = None  # the writing Function and pc (for the report)
        self.wpc = 0
        self.wouter: tuple[tuple[Any, int], ...] = ()  # its callers (fn, return pc)
        self.reads: dict[int, tuple[int, Any, int, Any]] | None = None
        self.addr = addr


class _ChanState:
    __slots__ = ("sends", "recvs", "slots", "closed")

    def __init__(self, cap: int) -> None:
        self.sends = 0
        self.recvs = 0
        self.slots: list[Clock] = [{} for _ in range(max(cap, 1))]
        self.closed: Clock = {}


class RaceDetector:
    """One per -race run; attached as ``machine.race``."""

    def __init__(self, stderr: TextIO) -> None:
        self.stderr = stderr
        self.clocks: dict[int, Clock] = {}
        self.goroutines: dict[int, Any] = {}
        self.shadow: dict[tuple[int, int], _Shadow] = {}
        self.keep: dict[int, Any] = {}
        self.syncs: dict[Any, Clock] = {}
        self.chans: dict[int, _ChanState] = {}
        self.pending_timers: dict[int, Clock] = {}
        self.select_plans: dict[int, list[Any] | None] = {}
        self.reported: set[tuple[Any, ...]] = set()
        self.count = 0

    # -- clocks ----------------------------------------------------------
    def clock(self, g: Any) -> Clock:
        gid: int = g.id
        vc = self.clocks.get(gid)
        if vc is None:
            vc = self.clocks[gid] = {gid: 1}
            self.goroutines[gid] = g
        return vc

    def go(self, parent: Any, child: Any, fn: Any = None) -> None:
        """``go`` statement: everything the parent did happens before the
        child starts.  A timer-started goroutine (parent None) inherits
        the clock its time.AfterFunc call left for fn."""
        cid: int = child.id
        if parent is not None:
            pvc = self.clock(parent)
            vc = dict(pvc)
            pvc[parent.id] += 1
        else:
            vc = {}
            pending = self.pending_timers.get(id(fn)) if fn is not None else None
            if pending is not None:
                join(vc, pending)
        vc[cid] = 1
        self.clocks[cid] = vc
        self.goroutines[cid] = child

    def _sync_clock(self, obj: Any) -> Clock:
        key = id(obj)
        c = self.syncs.get(key)
        if c is None:
            c = self.syncs[key] = {}
            self.keep[key] = obj
        return c

    def release(self, g: Any, obj: Any) -> None:
        """g's history so far happens before a later acquire of obj."""
        vc = self.clock(g)
        join(self._sync_clock(obj), vc)
        vc[g.id] += 1

    def acquire(self, g: Any, obj: Any) -> None:
        """Every release of obj so far happens before g's next step."""
        c = self.syncs.get(id(obj))
        if c:
            join(self.clock(g), c)

    def acq_rel(self, g: Any, obj: Any) -> None:
        """An atomic read-modify-write: acquire then release."""
        self.acquire(g, obj)
        self.release(g, obj)

    def atomic(self, g: Any, ref: Any, idx: int) -> None:
        """A sync/atomic operation on ref[idx]: acquire + release there
        (Go's atomics are sequentially consistent synchronising operations)."""
        key = (id(ref), idx)
        c = self.syncs.get(key)
        if c is None:
            c = self.syncs[key] = {}
            self.keep[id(ref)] = ref
        vc = self.clock(g)
        join(vc, c)
        c.update(vc)
        vc[g.id] += 1

    def timer_start(self, g: Any, fn: Any) -> None:
        """time.AfterFunc(d, fn) by g: the call happens before fn starts."""
        vc = self.clock(g)
        self.keep[id(fn)] = fn
        self.pending_timers[id(fn)] = dict(vc)
        vc[g.id] += 1

    # -- memory ------------------------------------------------------------
    def access(self, g: Any, fn: Any, regs: list[Any], pc: int, phase: int) -> None:
        """The VM's RACE instruction: pc indexes the instruction after the
        RACE (the access itself when phase is 0)."""
        code = fn.code
        if phase:
            self._select_done(g, regs, code[pc - 2])
            return
        op, a, b, c = code[pc]
        if op == _LOAD_CELL:
            self.read(g, regs[b], 0, fn, pc)
        elif op == _STORE_CELL:
            self.write(g, regs[a], 0, fn, pc)
        elif op == _GETFIELD:
            s = regs[b]
            if s is not None:
                self.read(g, s, c, fn, pc)
        elif op == _SETFIELD:
            s = regs[a]
            if s is not None:
                self.write(g, s, b, fn, pc)
        elif op == _LOAD_GLOBAL:
            self.read(g, fn.globals, b, fn, pc)
        elif op == _STORE_GLOBAL:
            self.write(g, fn.globals, a, fn, pc)
        elif op == _INDEX_SLICE:
            s = regs[b]
            i = regs[c]
            if type(s) is Slice and 0 <= i < s.len:
                self.read(g, s.arr, s.off + i, fn, pc)
        elif op == _SET_SLICE:
            s = regs[a]
            i = regs[b]
            if type(s) is Slice and 0 <= i < s.len:
                self.write(g, s.arr, s.off + i, fn, pc)
        elif op == _INDEX_LIST:
            arr = regs[b]
            i = regs[c]
            if type(arr) is list and 0 <= i < len(arr):
                self.read(g, arr, i, fn, pc)
        elif op == _SET_LIST:
            arr = regs[a]
            i = regs[b]
            if type(arr) is list and 0 <= i < len(arr):
                self.write(g, arr, i, fn, pc)
        elif op == _DEREF:
            p = regs[b]
            if type(p) is Pointer:
                self.read(g, p.ref, p.idx, fn, pc)
        elif op == _STORE_PTR:
            p = regs[a]
            if type(p) is Pointer:
                self.write(g, p.ref, p.idx, fn, pc)
        elif op == _MAP_GET or op == _MAP_GET_OK:
            m = regs[b]
            if m is not None:
                self.read(g, m, MAP, fn, pc)
        elif op == _MAP_SET or op == _MAP_DELETE:
            m = regs[a]
            if m is not None:
                self.write(g, m, MAP, fn, pc)
        elif op == _ITER_INIT:
            if c == ITER_MAP or c == ITER_MAP_FROZEN:
                m = regs[b]
                if m is not None:
                    self.read(g, m, MAP, fn, pc)
        elif op == _APPEND1:
            s = regs[b]
            if type(s) is Slice and s.len < s.cap:
                self.write(g, s.arr, s.off + s.len, fn, pc)
        elif op == _APPEND_SLICE:
            s = regs[b]
            t = regs[c & 0xFFFF]  # c packs the source register and a size
            n = t.len if type(t) is Slice else len(t) if type(t) is list else 0
            if type(s) is Slice and s.len + n <= s.cap:
                for k in range(s.off + s.len, s.off + s.len + min(n, _RANGE_LIMIT)):
                    self.write(g, s.arr, k, fn, pc)
            if type(t) is Slice:
                for k in range(t.off, t.off + min(n, _RANGE_LIMIT)):
                    self.read(g, t.arr, k, fn, pc)
        elif op == _COPY_SLICE:
            dst = regs[b]
            src = regs[c]
            if type(dst) is Slice:
                n = min(dst.len, src.len if type(src) is Slice else dst.len, _RANGE_LIMIT)
                if type(src) is Slice:
                    for k in range(n):
                        self.read(g, src.arr, src.off + k, fn, pc)
                for k in range(n):
                    self.write(g, dst.arr, dst.off + k, fn, pc)
        elif op == _RECV or op == _RECV_OK or op == _RANGE_RECV or op == _RECV_BACK:
            ch = regs[b]
            if ch is not None:
                self._recv(g, ch)
        elif op == _SEND:
            ch = regs[a]
            if ch is not None:
                self._send(g, ch)
        elif op == _CLOSE:
            ch = regs[a]
            if ch is not None and not ch.closed:
                self._close(g, ch)
        elif op == _SELECT:
            self._select_plan(g, regs, b)

    def _cell(self, obj: Any, idx: int) -> _Shadow:
        key = (id(obj), idx)
        cell = self.shadow.get(key)
        if cell is None:
            cell = self.shadow[key] = _Shadow(_BASE_ADDR + 8 * len(self.shadow))
            self.keep[key[0]] = obj
        return cell

    def read(self, g: Any, obj: Any, idx: int, fn: Any, pc: int) -> None:
        gid: int = g.id
        vc = self.clocks.get(gid) or self.clock(g)
        cell = self._cell(obj, idx)
        wg = cell.wg
        if wg and wg != gid and cell.wc > vc.get(wg, 0):
            self._report(g, "Read", fn, pc, wg, "write", cell.wfn, cell.wpc, cell.wouter,
                         cell.addr)
        reads = cell.reads
        if reads is None:
            cell.reads = {gid: (vc[gid], fn, pc, _outer(g))}
        else:
            reads[gid] = (vc[gid], fn, pc, _outer(g))

    def write(self, g: Any, obj: Any, idx: int, fn: Any, pc: int) -> None:
        gid: int = g.id
        vc = self.clocks.get(gid) or self.clock(g)
        cell = self._cell(obj, idx)
        wg = cell.wg
        if wg and wg != gid and cell.wc > vc.get(wg, 0):
            self._report(g, "Write", fn, pc, wg, "write", cell.wfn, cell.wpc, cell.wouter,
                         cell.addr)
        reads = cell.reads
        if reads is not None:
            for rg, (rc, rfn, rpc, router) in reads.items():
                if rg != gid and rc > vc.get(rg, 0):
                    self._report(g, "Write", fn, pc, rg, "read", rfn, rpc, router, cell.addr)
            cell.reads = None
        cell.wg = gid
        cell.wc = vc[gid]
        cell.wfn = fn
        cell.wpc = pc
        cell.wouter = _outer(g)

    # -- channels ----------------------------------------------------------
    def _chan(self, ch: Any) -> _ChanState:
        st = self.chans.get(id(ch))
        if st is None:
            st = self.chans[id(ch)] = _ChanState(ch.cap)
            self.keep[id(ch)] = ch
        return st

    def _slot(self, g: Any, slot: Clock) -> None:
        """Acquire and release on one buffer slot (Go's racereleaseacquire)."""
        vc = self.clock(g)
        join(vc, slot)
        slot.update(vc)  # vc >= slot pointwise now, so update is the join
        vc[g.id] += 1

    def _buffered_send(self, g: Any, ch: Any) -> None:
        st = self._chan(ch)
        self._slot(g, st.slots[st.sends % len(st.slots)])
        st.sends += 1

    def _buffered_recv(self, g: Any, ch: Any) -> None:
        st = self._chan(ch)
        self._slot(g, st.slots[st.recvs % len(st.slots)])
        st.recvs += 1

    def _handoff(self, sender: Any, receiver: Any, ch: Any) -> None:
        if ch.cap:
            self._buffered_send(sender, ch)
            self._buffered_recv(receiver, ch)
            return
        svc = self.clock(sender)
        rvc = self.clock(receiver)
        join(svc, rvc)
        rvc.update(svc)  # svc >= rvc pointwise now
        svc[sender.id] += 1
        rvc[receiver.id] += 1

    def _send(self, g: Any, ch: Any) -> None:
        if ch.closed:
            return
        if ch.recvq:
            self._handoff(g, ch.recvq[0].g, ch)
        elif len(ch.buf) < ch.cap:
            self._buffered_send(g, ch)

    def _recv(self, g: Any, ch: Any) -> None:
        if ch.buf:
            self._buffered_recv(g, ch)
            if ch.sendq:
                self._buffered_send(ch.sendq[0].g, ch)
        elif ch.sendq:
            self._handoff(ch.sendq[0].g, g, ch)
        elif ch.closed:
            st = self.chans.get(id(ch))
            if st is not None:
                join(self.clock(g), st.closed)

    def _close(self, g: Any, ch: Any) -> None:
        st = self._chan(ch)
        vc = self.clock(g)
        join(st.closed, vc)
        vc[g.id] += 1
        for w in ch.recvq:
            join(self.clock(w.g), st.closed)

    def close_native(self, g: Any, ch: Any) -> None:
        """A native (context cancel) is about to close ch on g's behalf."""
        if ch is not None and not ch.closed:
            self._close(g, ch)

    def _select_plan(self, g: Any, regs: list[Any], table_reg: int) -> None:
        """Before a SELECT: the channel effect of each case that is ready
        now (one of them runs at once; if none is ready the select parks
        and its waker applies the edges)."""
        table = regs[table_reg]
        plan: list[Any] | None = None
        for i, (is_send, r) in enumerate(zip(table.dirs, table.chan_regs, strict=True)):
            ch = regs[r]
            if ch is None:
                continue
            if is_send:
                ready = ch.closed or ch.recvq or len(ch.buf) < ch.cap
            else:
                ready = ch.buf or ch.sendq or ch.closed
            if ready:
                if plan is None:
                    plan = [None] * len(table.dirs)
                plan[i] = self._effect(g, ch, is_send)
        self.select_plans[g.id] = plan

    def _effect(self, g: Any, ch: Any, is_send: bool) -> Any:
        """What _send/_recv would do now, frozen for later application."""
        if is_send:
            if ch.closed:
                return None
            if ch.recvq:
                other = ch.recvq[0].g
                return lambda: self._handoff(g, other, ch)
            return lambda: self._buffered_send(g, ch)
        if ch.buf:
            sender = ch.sendq[0].g if ch.sendq else None

            def take() -> None:
                self._buffered_recv(g, ch)
                if sender is not None:
                    self._buffered_send(sender, ch)
            return take
        if ch.sendq:
            other = ch.sendq[0].g
            return lambda: self._handoff(other, g, ch)
        st = self._chan(ch)
        return lambda: join(self.clock(g), st.closed)

    def _select_done(self, g: Any, regs: list[Any], sel: tuple[int, int, int, int]) -> None:
        plan = self.select_plans.pop(g.id, None)
        if plan is None:
            return  # parked (or default): wakers applied the edges
        i = regs[sel[1]]
        if 0 <= i < len(plan) and plan[i] is not None:
            plan[i]()

    def finish(self, code: int) -> int:
        """At exit: Go's summary line, and status 66 instead of 0."""
        if not self.count:
            return code
        self.stderr.write(summary(self.count))
        return 66 if code == 0 else code

    # -- reports -------------------------------------------------------------
    def _report(self, g: Any, kind: str, fn: Any, pc: int, other: int, other_kind: str,
                ofn: Any, opc: int, oouter: tuple[tuple[Any, int], ...], addr: int) -> None:
        here = (fn.filename, _line(fn, pc))
        there = (getattr(ofn, "filename", "?"), _line(ofn, opc))
        key = (min(here, there), max(here, there))
        if key in self.reported:
            return
        self.reported.add(key)
        self.count += 1
        out = ["==================", "WARNING: DATA RACE"]
        out.append(f"{kind} at 0x{addr:012x} by {_who(g.id)}:")
        out.extend(_stack_lines(g, fn, pc))
        out.append("")
        out.append(f"Previous {other_kind} at 0x{addr:012x} by {_who(other)}:")
        if ofn is not None:
            out.append(f"  {qualify(ofn.name)}()")
            out.append(f"      {ofn.filename}:{_line(ofn, opc)}")
        for cfn, cpc in oouter:
            out.append(f"  {qualify(cfn.name)}()")
            out.append(f"      {cfn.filename}:{_line(cfn, cpc - 1)}")
        for gid, state in ((g.id, "running"), (other, None)):
            if gid == 1:
                continue
            gr = self.goroutines.get(gid)
            if gr is None:
                continue
            if state is None:
                status = getattr(getattr(gr, "status", None), "value", "")
                state = "finished" if status == "dead" else "running"
            out.append("")
            out.append(f"Goroutine {gid} ({state}) created at:")
            created = getattr(gr, "created_by", None)
            site = getattr(gr, "go_site", None)
            if created is not None and site is not None:
                out.append(f"  {qualify(created[0])}()")
                out.append(f"      {site[0]}:{site[1]}")
        out.append("==================")
        self.stderr.write("\n".join(out) + "\n")


def _outer(g: Any) -> tuple[tuple[Any, int], ...]:
    """The callers of g's running function: (Function, return pc) pairs,
    innermost first, runtime frames left out (kept for the report of a
    later race against this access)."""
    frames = g.frames
    if len(frames) < 2:
        return ()
    return tuple((f.fn, f.pc) for f in reversed(frames[:-1])
                 if f.fn.filename != "<runtime>" and not f.fn.name.startswith("runtime."))


def _line(fn: Any, pc: int) -> int:
    if fn is None:
        return 0
    lines = fn.lines
    return int(lines[pc]) if 0 <= pc < len(lines) else int(fn.line)


def _who(gid: int) -> str:
    return "main goroutine" if gid == 1 else f"goroutine {gid}"


def _stack_lines(g: Any, fn: Any, pc: int) -> list[str]:
    """The current goroutine's stack, innermost first; the top frame is
    the VM's live one (its pc is in a local, so fn/pc are passed in)."""
    out = [f"  {qualify(fn.name)}()", f"      {fn.filename}:{_line(fn, pc)}"]
    frames = getattr(g, "frames", None) or []
    for f in reversed(frames[:-1]):
        ffn = f.fn
        if ffn.filename == "<runtime>" or ffn.name.startswith("runtime."):
            continue
        out.append(f"  {qualify(ffn.name)}()")
        out.append(f"      {ffn.filename}:{f.line()}")
    return out


def summary(count: int) -> str:
    """The line Go prints at exit when races were found."""
    return f"Found {count} data race(s)\n"
