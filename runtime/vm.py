"""The dispatch loop: runs one goroutine for a budget of instruction units.

Design (see DESIGN.md "Bytecode and VM"):
- ``run(machine, g, budget)`` executes ``g`` until it exits, panics out,
  blocks, or spends ``budget``; it returns a ``StopReason``.  The loop keeps
  ``code``, ``regs`` and ``pc`` in locals and writes ``pc`` back to the
  frame only when it switches frames or leaves.
- The if/elif chain is ordered by how often opcodes run in typical
  programs (moves, int arithmetic, compare-and-branch, calls first).
- The budget is charged only at backward jumps (by the jump distance,
  i.e. the instructions of one loop iteration) and at calls, so
  straight-line code pays no bookkeeping.
- Go calls push a ``Frame`` on ``g.frames``; no Python recursion, except
  when a native calls back into Go (``call_sync``), which runs a nested
  loop bounded by a boundary frame.
- Panics are Python ``GoPanic`` exceptions raised by handlers and natives;
  the loop catches them and unwinds Go-style (deferred calls run, a
  deferred call may ``recover``); an unrecovered panic stops the goroutine
  with ``PANICKED`` and ``g.exit_panic`` / ``g.panic_text`` set.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lang.chunk import BoundMethod, Closure, Function
from lang.opcodes import Op
from runtime import channel as _chan_mod
from runtime import vmops
from runtime.channel import chan_op as _channel_chan_op
from runtime.channel import make_channel as _make_channel
from runtime.errors import GoPanic
from runtime.goroutine import BOTTOM, BOUNDARY, DeferRecord, Frame, Goroutine, GStatus, PanicRecord
from runtime.machine import Machine, StopReason
from runtime.panics import panic_report, plain_error, print_value
from runtime.park import PARKED, Waiter
from runtime.park import unlink_siblings as _unlink_siblings
from runtime.processor import CHAN_OP_UNITS
from runtime.values import Iface, Pointer, Slice, copy_value, freeze, thaw
from runtime.waitreason import WaitReason
from stdlib.runtime_pkg import GoExitGoroutine

# Enum members as module constants: ``GStatus.RUNNING`` is a class
# attribute lookup through the enum machinery (hundreds of ns in 3.11),
# and run() uses these on every slice and every park.
_GS_RUNNABLE = GStatus.RUNNABLE
_GS_RUNNING = GStatus.RUNNING
_GS_DEAD = GStatus.DEAD
_GS_WAITING = GStatus.WAITING
_WR_CHAN_SEND = WaitReason.CHAN_SEND
_WR_CHAN_RECEIVE = WaitReason.CHAN_RECEIVE
_SR_BLOCKED = StopReason.BLOCKED
_SR_BUDGET = StopReason.BUDGET
_SR_BUDGET_CALL = StopReason.BUDGET_CALL
_SR_EXITED = StopReason.EXITED
_SR_PANICKED = StopReason.PANICKED

MIN64 = -(1 << 63)
MAX64 = (1 << 63) - 1

MOVE = Op.MOVE.value
COPY = Op.COPY.value
LOAD_GLOBAL = Op.LOAD_GLOBAL.value
STORE_GLOBAL = Op.STORE_GLOBAL.value
LOAD_CELL = Op.LOAD_CELL.value
STORE_CELL = Op.STORE_CELL.value
NEW_CELL = Op.NEW_CELL.value
RECELL = Op.RECELL.value
ADD_INT = Op.ADD_INT.value
SUB_INT = Op.SUB_INT.value
MUL_INT = Op.MUL_INT.value
ADDI = Op.ADDI.value
ADD = Op.ADD.value
SUB = Op.SUB.value
MUL = Op.MUL.value
DIV_FLOAT = Op.DIV_FLOAT.value
DIV_INT = Op.DIV_INT.value
MOD_INT = Op.MOD_INT.value
WRAP = Op.WRAP.value
NEG = Op.NEG.value
NOT = Op.NOT.value
BITNOT = Op.BITNOT.value
AND = Op.AND.value
OR = Op.OR.value
XOR = Op.XOR.value
ANDNOT = Op.ANDNOT.value
SHL = Op.SHL.value
SHR = Op.SHR.value
F32 = Op.F32.value
EQ = Op.EQ.value
NE = Op.NE.value
LT = Op.LT.value
LE = Op.LE.value
GT = Op.GT.value
GE = Op.GE.value
JMP = Op.JMP.value
JTABLE = Op.JTABLE.value
JTRUE = Op.JTRUE.value
JFALSE = Op.JFALSE.value
JLT = Op.JLT.value
JLE = Op.JLE.value
JGT = Op.JGT.value
JGE = Op.JGE.value
JEQ = Op.JEQ.value
JNE = Op.JNE.value
FORLOOP = Op.FORLOOP.value
LEN = Op.LEN.value
CAP = Op.CAP.value
INDEX_SLICE = Op.INDEX_SLICE.value
INDEX_LIST = Op.INDEX_LIST.value
INDEX_STR = Op.INDEX_STR.value
MAP_GET = Op.MAP_GET.value
MAP_GET_OK = Op.MAP_GET_OK.value
SET_SLICE = Op.SET_SLICE.value
SET_LIST = Op.SET_LIST.value
MAP_SET = Op.MAP_SET.value
MAP_DELETE = Op.MAP_DELETE.value
GETFIELD = Op.GETFIELD.value
SETFIELD = Op.SETFIELD.value
DEREF = Op.DEREF.value
STORE_PTR = Op.STORE_PTR.value
ADDR = Op.ADDR.value
ADDR_INDEX = Op.ADDR_INDEX.value
ADDR_SLICE_ELEM = Op.ADDR_SLICE_ELEM.value
NEW_MAP = Op.NEW_MAP.value
LIST = Op.LIST.value
MAKE_SLICE = Op.MAKE_SLICE.value
SLICE_WRAP = Op.SLICE_WRAP.value
SLICE_SLICE = Op.SLICE_SLICE.value
SLICE_LIST = Op.SLICE_LIST.value
SLICE_STR = Op.SLICE_STR.value
APPEND1 = Op.APPEND1.value
APPEND_SLICE = Op.APPEND_SLICE.value
COPY_SLICE = Op.COPY_SLICE.value
FREEZE = Op.FREEZE.value
THAW = Op.THAW.value
CONVERT = Op.CONVERT.value
BOX = Op.BOX.value
TYPE_ASSERT = Op.TYPE_ASSERT.value
TYPE_ASSERT_OK = Op.TYPE_ASSERT_OK.value
TYPE_IS = Op.TYPE_IS.value
CLOSURE = Op.CLOSURE.value
BIND = Op.BIND.value
BIND_IFACE = Op.BIND_IFACE.value
CALL = Op.CALL.value
CALL_IFACE = Op.CALL_IFACE.value
RET = Op.RET.value
RUN_DEFERS = Op.RUN_DEFERS.value
DEFER = Op.DEFER.value
GO = Op.GO.value
PANIC = Op.PANIC.value
RECOVER = Op.RECOVER.value
PRINT = Op.PRINT.value
ITER_INIT = Op.ITER_INIT.value
ITER_NEXT = Op.ITER_NEXT.value
MAKE_CHAN = Op.MAKE_CHAN.value
SEND = Op.SEND.value
RECV = Op.RECV.value
RECV_OK = Op.RECV_OK.value
RANGE_RECV = Op.RANGE_RECV.value
RECV_BACK = Op.RECV_BACK.value
CLOSE = Op.CLOSE.value
SELECT = Op.SELECT.value
# The channel branch of run() dispatches with range tests.
assert (SEND, RECV, RANGE_RECV, RECV_BACK, RECV_OK, CLOSE, SELECT) == tuple(range(SEND, SEND + 7))
RACE = Op.RACE.value
assert RACE == SELECT + 1  # RACE shares the channel ops' range test in run()
assert JNE + 1 == SEND  # so `op <= RACE` after `op <= JNE` is the channel group

CALL_COST = 4
# Waiter construction without the call to its __init__ (one per park on the
# inlined channel paths; runtime/park.py lists the fields, all set there).
_new_waiter = object.__new__
# Shared argument list of deferred calls without arguments (never mutated).
_NO_ARGS: list[Any] = []


class CallReturned(Exception):
    """Internal: the boundary frame of a native callback returned."""


def start_goroutine(g: Goroutine, fn: Any, args: list[Any]) -> None:
    """Make fn(*args) the entry frame of goroutine g."""
    fr = push_call(g, fn, args, -1)
    if fr is None:
        # A native entry function (go fmt.Println(...)) ran at once: nothing to do.
        g.frames.append(_exit_frame())
    else:
        fr.special = BOTTOM
        if len(g.frames) == 1:
            # An exact-size stack: append() over-allocates, and a goroutine
            # that only parks never grows it (bench `parked`: < 1 KB each).
            g.frames = [fr]


def _exit_frame() -> Frame:
    fn = Function("runtime.goexit", "<runtime>", 0)
    fn.code = [(RET, 0, 0, 0)]
    fn.lines = [0]
    fr = Frame(fn, [], -1)
    fr.special = BOTTOM
    return fr


def push_call(g: Goroutine, fn: Any, args: list[Any], ret_base: int) -> Frame | None:
    """Push a frame calling Go function value fn with args (used for
    goroutine entry, deferred calls and callbacks).  A native fn is called
    at once and None is returned."""
    if type(fn) is Function:
        regs = fn.template[:]
        regs[:len(args)] = args
        fr = Frame(fn, regs, ret_base)
    elif type(fn) is Closure:
        f = fn.fn
        regs = f.template[:]
        regs[:len(args)] = args
        n = f.nparams
        regs[n:n + f.nfree] = fn.cells
        fr = Frame(f, regs, ret_base)
    elif type(fn) is BoundMethod:
        m = fn.fn
        if type(m) is Function:
            regs = m.template[:]
            regs[0] = fn.recv
            regs[1:1 + len(args)] = args
            fr = Frame(m, regs, ret_base)
        else:
            m(g, fn.recv, *args)
            return None
    elif fn is None:
        raise vmops.nil_deref()
    else:
        fn(g, *args)
        return None
    if not g.frames:
        fr.special = BOTTOM
    g.frames.append(fr)
    return fr


def _store_native_result(regs: list[Any], base: int, nres: int, res: Any) -> None:
    if nres == 1:
        regs[base] = res
    elif nres > 1:
        regs[base:base + nres] = res


def run(machine: Machine, g: Goroutine, budget: int,
        handoff: Callable[[int], Goroutine | None] | None = None) -> StopReason:
    """Run goroutine g for about budget instruction units.

    ``handoff`` (from the scheduler's loop, when nothing observes the run)
    is asked, each time the running goroutine blocks, for the goroutine to
    run next on the same processor; run then carries on with it and a new
    budget, so that a channel hop costs no trip through the scheduler's
    loop.  It returns None when the loop must decide (turn over, a timer
    due, ...): run returns BLOCKED as without it."""
    slice_budget = budget
    min64 = MIN64
    max64 = MAX64
    # The channel observer (csp run --trace) is installed before the run
    # starts and never changes during a slice: read it once.
    chan_obs = _chan_mod._obs
    # Every goroutine this run wakes belongs to this machine (g.machine).
    ready = machine.ready
    while True:  # one goroutine per pass: more only through handoff
        frames = g.frames
        frame = frames[-1]
        code = frame.fn.code
        regs = frame.regs
        pc = frame.pc
        g.status = _GS_RUNNING
        start_budget = budget
        t = g.transfer
        if t is not None and type(t) is Waiter:
            # g resumes after a channel wake: the waker already did the
            # operation and left its outcome in the Waiter (runtime/park.py).
            # Finish the instruction g parked on here, before dispatch, rather
            # than re-executing it.  A send (or a select's send case) woken by
            # close is re-executed: chan_op panics.
            op, a, b, c = code[pc]
            if op == RECV:
                regs[a] = t.elem
                pc += 1
            elif op == RANGE_RECV or op == RECV_BACK:
                if t.ok or op == RECV_BACK:
                    # Back into the loop: the back edge is charged; the
                    # budget is fresh, so no preemption test.
                    regs[a] = t.elem
                    budget -= pc + 1 - c
                    pc = c
                else:
                    pc += 1  # closed and drained: fall out of the loop
            elif op == RECV_OK:
                regs[a] = t.elem
                regs[a + 1] = t.ok
                pc += 1
            elif op == SEND and t.ok:
                pc += 1
            elif op == SELECT and (t.ok or not regs[b].dirs[t.index]):
                # The case that won (runtime/select.py select_resume).
                i = t.index
                regs[a] = i
                if regs[b].dirs[i]:
                    regs[a + 1] = None
                    regs[a + 2] = False
                else:
                    regs[a + 1] = t.elem
                    regs[a + 2] = t.ok
                pc += 1
            else:
                t = None
            if t is not None:
                g.transfer = None
                budget -= CHAN_OP_UNITS
        while True:
            try:
                while True:
                    op, a, b, c = code[pc]
                    pc += 1
                    if op <= JGE:
                        if op == MOVE:
                            regs[a] = regs[b]
                        elif op == FORLOOP:
                            v = regs[a] + 1
                            regs[a] = v
                            if v < regs[b]:
                                budget -= pc - c
                                if budget <= 0:
                                    frame.pc = c
                                    g.instructions += start_budget - budget
                                    g.status = _GS_RUNNABLE
                                    return _SR_BUDGET
                                pc = c
                        elif op == JMP:
                            if a < pc:
                                budget -= pc - a
                                if budget <= 0:
                                    frame.pc = a
                                    g.instructions += start_budget - budget
                                    g.status = _GS_RUNNABLE
                                    return _SR_BUDGET
                            pc = a
                        elif op == ADD_INT:
                            v = regs[b] + regs[c]
                            if min64 <= v <= max64:
                                regs[a] = v
                            else:
                                regs[a] = vmops.wrap64(v)
                        elif op == JLT:
                            if regs[a] < regs[b]:
                                if c < pc:
                                    budget -= pc - c
                                    if budget <= 0:
                                        frame.pc = c
                                        g.instructions += start_budget - budget
                                        g.status = _GS_RUNNABLE
                                        return _SR_BUDGET
                                pc = c
                        elif op == JFALSE:
                            if not regs[a]:
                                if b < pc:
                                    # The back edge of `for cond {...}`: a
                                    # preemption point like every other loop's.
                                    budget -= pc - b
                                    if budget <= 0:
                                        frame.pc = b
                                        g.instructions += start_budget - budget
                                        g.status = _GS_RUNNABLE
                                        return _SR_BUDGET
                                pc = b
                        elif op == ADDI:
                            v = regs[b] + c
                            if min64 <= v <= max64:
                                regs[a] = v
                            else:
                                regs[a] = vmops.wrap64(v)
                        elif op == JGE:
                            if regs[a] >= regs[b]:
                                if c < pc:
                                    budget -= pc - c
                                    if budget <= 0:
                                        frame.pc = c
                                        g.instructions += start_budget - budget
                                        g.status = _GS_RUNNABLE
                                        return _SR_BUDGET
                                pc = c
                        else:
                            raise AssertionError(f"opcode {op} outside its dispatch group")
                    elif op <= JNE:
                        if op == MUL_INT:
                            v = regs[b] * regs[c]
                            if min64 <= v <= max64:
                                regs[a] = v
                            else:
                                regs[a] = vmops.wrap64(v)
                        elif op == MOD_INT:
                            x = regs[b]
                            y = regs[c]
                            if x >= 0 and y > 0:
                                regs[a] = x % y
                            else:
                                regs[a] = vmops.mod_int(x, y)
                        elif op == SUB_INT:
                            v = regs[b] - regs[c]
                            if min64 <= v <= max64:
                                regs[a] = v
                            else:
                                regs[a] = vmops.wrap64(v)
                        elif op == JEQ:
                            if regs[a] == regs[b]:
                                if c < pc:
                                    budget -= pc - c
                                    if budget <= 0:
                                        frame.pc = c
                                        g.instructions += start_budget - budget
                                        g.status = _GS_RUNNABLE
                                        return _SR_BUDGET
                                pc = c
                        elif op == JNE:
                            if regs[a] != regs[b]:
                                if c < pc:
                                    budget -= pc - c
                                    if budget <= 0:
                                        frame.pc = c
                                        g.instructions += start_budget - budget
                                        g.status = _GS_RUNNABLE
                                        return _SR_BUDGET
                                pc = c
                        elif op == JTRUE:
                            if regs[a]:
                                if b < pc:
                                    # The back edge of `for cond {...}`: a
                                    # preemption point like every other loop's.
                                    budget -= pc - b
                                    if budget <= 0:
                                        frame.pc = b
                                        g.instructions += start_budget - budget
                                        g.status = _GS_RUNNABLE
                                        return _SR_BUDGET
                                pc = b
                        elif op == JLE:
                            if regs[a] <= regs[b]:
                                if c < pc:
                                    budget -= pc - c
                                    if budget <= 0:
                                        frame.pc = c
                                        g.instructions += start_budget - budget
                                        g.status = _GS_RUNNABLE
                                        return _SR_BUDGET
                                pc = c
                        elif op == JGT:
                            if regs[a] > regs[b]:
                                if c < pc:
                                    budget -= pc - c
                                    if budget <= 0:
                                        frame.pc = c
                                        g.instructions += start_budget - budget
                                        g.status = _GS_RUNNABLE
                                        return _SR_BUDGET
                                pc = c
                        else:
                            raise AssertionError(f"opcode {op} outside its dispatch group")
                    elif op <= RACE:  # range group SEND..RACE (op > JNE here)
                        # Channel ops are contiguous opcodes (one range test).
                        # Fast paths (first execution, non-nil channel, no
                        # observer): SEND, RECV and RANGE_RECV do Channel.send /
                        # recv's work inline (hand-over to a waiting peer, the
                        # buffer, or parking: three Python calls fewer per
                        # rendezvous); RECV_OK and closed channels call the
                        # Channel; re-execution after a wake, nil channels,
                        # close and select go through chan_op.
                        if g.transfer is None:
                            if op == SEND:
                                ch = regs[a]
                                if ch is not None:
                                    if chan_obs is None and not ch.closed:
                                        # Channel.send's three outcomes, inlined
                                        # (same order, same effects, no observer).
                                        rq = ch.recvq
                                        if rq:
                                            # A receiver waits: hand the value over.
                                            w = rq.popleft()
                                            w.queue = None
                                            if w.siblings is not None:
                                                _unlink_siblings(w)
                                            w.elem = regs[b]
                                            wg = w.g
                                            wg.transfer = w
                                            ready(wg)
                                            budget -= CHAN_OP_UNITS
                                            continue
                                        buf = ch.buf
                                        if len(buf) < ch.cap:
                                            buf.append(regs[b])
                                            budget -= CHAN_OP_UNITS
                                            continue
                                        # Park on the send queue (park contract).
                                        sq = ch.sendq
                                        w = _new_waiter(Waiter)
                                        w.g = g
                                        w.elem = regs[b]
                                        w.ok = True
                                        w.index = -1
                                        w.queue = sq
                                        w.siblings = None
                                        sq.append(w)
                                        g.status = _GS_WAITING
                                        g.wait_reason = _WR_CHAN_SEND
                                        g.transfer = w
                                        frame.pc = pc - 1
                                        break
                                    frame.pc = pc
                                    if ch.send(g, regs[b]) is PARKED:
                                        frame.pc = pc - 1
                                        break
                                    budget -= CHAN_OP_UNITS
                                    continue
                            elif op <= RECV_BACK:  # RECV, RANGE_RECV, RECV_BACK
                                ch = regs[b]
                                if ch is not None:
                                    buf = ch.buf
                                    sq = ch.sendq
                                    if (chan_obs is not None or (buf and sq)
                                            or (not buf and not sq and ch.closed)):
                                        # An observer, a full buffer with a
                                        # sender waiting, or a closed channel.
                                        v = ch.recv_ok(g)
                                        if v is PARKED:
                                            frame.pc = pc - 1
                                            break
                                        if not v[1] and op == RANGE_RECV:
                                            budget -= CHAN_OP_UNITS
                                            continue  # closed and drained: out of the loop
                                        regs[a] = v[0]
                                    elif buf:
                                        # A buffered value, no sender waiting.
                                        regs[a] = buf.popleft()
                                    elif sq:
                                        # Unbuffered, a sender waits: take its
                                        # value (Channel.take, inlined).
                                        w = sq.popleft()
                                        w.queue = None
                                        if w.siblings is not None:
                                            _unlink_siblings(w)
                                        regs[a] = w.elem
                                        wg = w.g
                                        wg.transfer = w
                                        ready(wg)
                                    else:
                                        # Park on the receive queue.
                                        rq = ch.recvq
                                        w = _new_waiter(Waiter)
                                        w.g = g
                                        w.elem = None
                                        w.ok = True
                                        w.index = -1
                                        w.queue = rq
                                        w.siblings = None
                                        rq.append(w)
                                        g.status = _GS_WAITING
                                        g.wait_reason = _WR_CHAN_RECEIVE
                                        g.transfer = w
                                        frame.pc = pc - 1
                                        break
                                    budget -= CHAN_OP_UNITS
                                    if op != RECV:
                                        # A loop's back edge (RANGE_RECV at the
                                        # bottom of a rotated range loop, or
                                        # RECV_BACK: lang/compile_base.py): a
                                        # JMP's charge and preemption test.
                                        budget -= pc - c
                                        pc = c
                                        if budget <= 0:
                                            frame.pc = c
                                            g.instructions += start_budget - budget
                                            g.status = _GS_RUNNABLE
                                            return _SR_BUDGET
                                    continue
                            elif op == RECV_OK:
                                ch = regs[b]
                                if ch is not None:
                                    buf = ch.buf
                                    if buf and chan_obs is None and not ch.sendq:
                                        regs[a] = buf.popleft()
                                        regs[a + 1] = True
                                        budget -= CHAN_OP_UNITS
                                        continue
                                    v = ch.recv_ok(g)
                                    if v is PARKED:
                                        frame.pc = pc - 1
                                        break
                                    regs[a], regs[a + 1] = v
                                    budget -= CHAN_OP_UNITS
                                    continue
                            elif op == RACE:
                                # -race only: lang/compile_race.py emits RACE (the
                                # opcode after SELECT, so it shares this range
                                # test); a plain run never meets one.  Never the
                                # first instruction after a wake, so transfer is
                                # None here.
                                machine.race.access(g, frame.fn, regs, pc, a)  # type: ignore[attr-defined]
                                continue
                        # Re-executions (a close-woken send: see the top of
                        # run), nil channels, close and select.
                        frame.pc = pc
                        if _channel_chan_op(machine, g, frame, op, a, b, c) is not None:
                            break  # parked (chan_op returns BLOCKED or None)
                        budget -= CHAN_OP_UNITS
                    elif op <= STORE_GLOBAL:
                        if op == CALL:
                            f = regs[a]
                            t = type(f)
                            if t is Function:
                                nregs = f.template[:]
                                n = f.nparams
                                if n == 1:
                                    nregs[0] = regs[b]
                                else:
                                    nregs[:n] = regs[b:b + n]
                                frame.pc = pc
                                frame = Frame(f, nregs, b)
                                frames.append(frame)
                                code = f.code
                                regs = nregs
                                pc = 0
                            elif t is Closure:
                                fn = f.fn
                                nregs = fn.template[:]
                                n = fn.nparams
                                nregs[:n] = regs[b:b + n]
                                nregs[n:n + fn.nfree] = f.cells
                                frame.pc = pc
                                frame = Frame(fn, nregs, b)
                                frames.append(frame)
                                code = fn.code
                                regs = nregs
                                pc = 0
                            elif t is BoundMethod:
                                m = f.fn
                                if type(m) is Function:
                                    nregs = m.template[:]
                                    n = m.nparams
                                    nregs[0] = f.recv
                                    nregs[1:n] = regs[b:b + n - 1]
                                    frame.pc = pc
                                    frame = Frame(m, nregs, b)
                                    frames.append(frame)
                                    code = m.code
                                    regs = nregs
                                    pc = 0
                                else:
                                    frame.pc = pc
                                    res = m(g, f.recv, *regs[b:b + (c & 255)])
                                    if res is PARKED:
                                        frame.pc = pc - 1
                                        break
                                    _store_native_result(regs, b, c >> 8, res)
                            elif f is None:
                                raise vmops.nil_deref()
                            else:
                                frame.pc = pc
                                res = f(g, *regs[b:b + (c & 255)])
                                if res is PARKED:
                                    frame.pc = pc - 1
                                    break
                                nres = c >> 8
                                if nres == 1:
                                    regs[b] = res
                                elif nres:
                                    regs[b:b + nres] = res
                            budget -= CALL_COST
                            if budget <= 0:
                                frame.pc = pc
                                g.instructions += start_budget - budget
                                g.status = _GS_RUNNABLE
                                return _SR_BUDGET_CALL
                        elif op == RET:
                            rb = frame.ret_base
                            frames.pop()
                            if frame.special is not None:
                                frame.pc = pc
                                stop = _ret_slow(g, frame, regs[a:a + b])
                                if stop is not None:
                                    g.instructions += start_budget - budget
                                    return stop
                                frame = frames[-1]
                                code = frame.fn.code
                                regs = frame.regs
                                pc = frame.pc
                                continue
                            caller = frames[-1]
                            if rb >= 0:
                                if b == 1:
                                    caller.regs[rb] = regs[a]
                                elif b:
                                    caller.regs[rb:rb + b] = regs[a:a + b]
                            frame = caller
                            code = frame.fn.code
                            regs = frame.regs
                            pc = frame.pc
                        elif op == LOAD_CELL:
                            regs[a] = regs[b][0]
                        elif op == INDEX_LIST:
                            lst = regs[b]
                            i = regs[c]
                            if 0 <= i < len(lst):
                                regs[a] = lst[i]
                            else:
                                raise vmops.index_error(i, len(lst))
                        elif op == SET_LIST:
                            lst = regs[a]
                            i = regs[b]
                            if 0 <= i < len(lst):
                                lst[i] = regs[c]
                            else:
                                raise vmops.index_error(i, len(lst))
                        elif op == LOAD_GLOBAL:
                            regs[a] = frame.fn.globals[b]
                        elif op == STORE_CELL:
                            regs[a][0] = regs[b]
                        elif op == STORE_GLOBAL:
                            frame.fn.globals[a] = regs[b]
                        else:
                            raise AssertionError(f"opcode {op} outside its dispatch group")
                    else:
                        if op == JTABLE:
                            # After SELECT: straight to the chosen clause (forward).
                            pc = regs[b][regs[a] + 1]
                        elif op == LT:
                            regs[a] = regs[b] < regs[c]
                        elif op == INDEX_SLICE:
                            s = regs[b]
                            i = regs[c]
                            if s is not None and 0 <= i < s.len:
                                regs[a] = s.arr[s.off + i]
                            else:
                                raise vmops.index_error(i, 0 if s is None else s.len)
                        elif op == GETFIELD:
                            regs[a] = regs[b][c]
                        elif op == SETFIELD:
                            regs[a][b] = regs[c]
                        elif op == EQ:
                            regs[a] = regs[b] == regs[c]
                        elif op == NE:
                            regs[a] = regs[b] != regs[c]
                        elif op == LE:
                            regs[a] = regs[b] <= regs[c]
                        elif op == GT:
                            regs[a] = regs[b] > regs[c]
                        elif op == GE:
                            regs[a] = regs[b] >= regs[c]
                        elif op == ADD:
                            regs[a] = regs[b] + regs[c]
                        elif op == SUB:
                            regs[a] = regs[b] - regs[c]
                        elif op == MUL:
                            regs[a] = regs[b] * regs[c]
                        elif op == WRAP:
                            regs[a] = vmops.wrap(regs[a], b)
                        elif op == DIV_INT:
                            x = regs[b]
                            y = regs[c]
                            if x >= 0 and y > 0:
                                regs[a] = x // y
                            else:
                                regs[a] = vmops.wrap64(vmops.div_int(x, y))
                        elif op == SET_SLICE:
                            s = regs[a]
                            i = regs[b]
                            if s is not None and 0 <= i < s.len:
                                s.arr[s.off + i] = regs[c]
                            else:
                                raise vmops.index_error(i, 0 if s is None else s.len)
                        elif op == LEN:
                            if c == 0:
                                s = regs[b]
                                regs[a] = 0 if s is None else s.len
                            else:
                                regs[a] = vmops.length(regs[b], c)
                        elif op == COPY:
                            regs[a] = copy_value(regs[b])
                        elif op == DEREF:
                            p = regs[b]
                            if p is None:
                                raise vmops.nil_deref()
                            regs[a] = p.ref[p.idx]
                        elif op == STORE_PTR:
                            p = regs[a]
                            if p is None:
                                raise vmops.nil_deref()
                            p.ref[p.idx] = regs[b]
                        elif op == MAP_GET:
                            m = regs[b]
                            if m is not None:
                                k = regs[c]
                                if k in m:
                                    regs[a] = m[k]
                        elif op == MAP_SET:
                            m = regs[a]
                            if m is None:
                                raise GoPanic(plain_error("assignment to entry in nil map"))
                            m[regs[b]] = regs[c]
                        elif op == APPEND1:
                            s = regs[b]
                            v = regs[c & 0xFFFF]
                            if s is not None and s.len < s.cap:
                                ln = s.len
                                s.arr[s.off + ln] = v
                                regs[a] = Slice(s.arr, s.off, ln + 1, s.cap)
                            else:
                                regs[a] = vmops.append1(s, v, c >> 16)
                        elif op == INDEX_STR:
                            regs[a] = vmops.index_str(regs[b], regs[c])
                        elif op == NOT:
                            regs[a] = not regs[b]
                        elif op == NEG:
                            regs[a] = -regs[b]
                        elif op == BOX:
                            regs[a] = Iface(regs[c], regs[b])
                        elif op == ITER_NEXT:
                            nxt = next(regs[a], None)
                            if nxt is None:
                                pc = c
                            else:
                                regs[b] = nxt[0]
                                regs[b + 1] = nxt[1]
                        elif op == CALL_IFACE:
                            recv = regs[b]
                            if recv is None:
                                raise vmops.nil_deref()
                            impl, mode = vmops.lookup_method(recv.type, regs[a])
                            rv = vmops.method_receiver(recv.value, mode)
                            if type(impl) is Function:
                                nregs = impl.template[:]
                                n = impl.nparams
                                nregs[0] = rv
                                nregs[1:n] = regs[b + 1:b + n]
                                frame.pc = pc
                                frame = Frame(impl, nregs, b)
                                frames.append(frame)
                                code = impl.code
                                regs = nregs
                                pc = 0
                            else:
                                frame.pc = pc
                                res = impl(g, rv, *regs[b + 1:b + 1 + (c & 255)])
                                if res is PARKED:
                                    frame.pc = pc - 1
                                    break
                                _store_native_result(regs, b, c >> 8, res)
                            budget -= CALL_COST
                        elif op == RUN_DEFERS:
                            d = frame.defers
                            if d is not None:
                                frame.defers = d.next
                                pc -= 1
                                frame.pc = pc
                                fr = push_call(g, d.fn, d.args, -1)
                                if fr is not None:
                                    frame = fr
                                    code = fr.fn.code
                                    regs = fr.regs
                                    pc = 0
                        elif op == DIV_FLOAT:
                            y = regs[c]
                            if y:
                                regs[a] = regs[b] / y
                            else:
                                regs[a] = vmops.div_float(regs[b], y)
                        elif op == AND:
                            regs[a] = regs[b] & regs[c]
                        elif op == OR:
                            regs[a] = regs[b] | regs[c]
                        elif op == XOR:
                            regs[a] = regs[b] ^ regs[c]
                        elif op == ANDNOT:
                            regs[a] = regs[b] & ~regs[c]
                        elif op == BITNOT:
                            regs[a] = ~regs[b]
                        elif op == SHL:
                            regs[a] = vmops.shl(regs[b], regs[c])
                        elif op == SHR:
                            regs[a] = vmops.shr(regs[b], regs[c])
                        elif op == F32:
                            regs[a] = _f32(regs[b])
                        elif op == NEW_CELL:
                            regs[a] = [regs[b]]
                        elif op == RECELL:
                            regs[a] = [regs[a][0]]
                        elif op == CAP:
                            regs[a] = vmops.capacity(regs[b], c)
                        elif op == MAP_GET_OK:
                            m = regs[b]
                            k = regs[c]
                            if m is not None and k in m:
                                regs[a] = m[k]
                                regs[a + 1] = True
                            else:
                                regs[a + 1] = False
                        elif op == MAP_DELETE:
                            m = regs[a]
                            if m is not None:
                                m.pop(regs[b], None)
                        elif op == ADDR:
                            regs[a] = Pointer(regs[b], c)
                        elif op == ADDR_INDEX:
                            lst = regs[b]
                            i = regs[c]
                            if not 0 <= i < len(lst):
                                raise vmops.index_error(i, len(lst))
                            regs[a] = Pointer(lst, i)
                        elif op == ADDR_SLICE_ELEM:
                            s = regs[b]
                            i = regs[c]
                            if s is None or not 0 <= i < s.len:
                                raise vmops.index_error(i, 0 if s is None else s.len)
                            regs[a] = Pointer(s.arr, s.off + i)
                        elif op == NEW_MAP:
                            regs[a] = {}
                        elif op == LIST:
                            regs[a] = regs[b:b + c]
                        elif op == MAKE_SLICE:
                            regs[a] = vmops.make_slice(regs[b], regs[b + 1], regs[b + 2])
                        elif op == SLICE_WRAP:
                            lst = regs[b]
                            regs[a] = Slice(lst, 0, len(lst), len(lst))
                        elif op == SLICE_SLICE:
                            regs[a] = vmops.slice_slice(regs[b], regs[c], regs[c + 1], regs[c + 2])
                        elif op == SLICE_LIST:
                            regs[a] = vmops.slice_list(regs[b], regs[c], regs[c + 1], regs[c + 2])
                        elif op == SLICE_STR:
                            regs[a] = vmops.slice_str(regs[b], regs[c], regs[c + 1])
                        elif op == APPEND_SLICE:
                            regs[a] = vmops.append_slice(regs[b], regs[c & 0xFFFF], c >> 16)
                        elif op == COPY_SLICE:
                            regs[a] = vmops.copy_slice(regs[b], regs[c])
                        elif op == FREEZE:
                            regs[a] = freeze(regs[b])
                        elif op == THAW:
                            regs[a] = thaw(regs[b])
                        elif op == CONVERT:
                            regs[a] = vmops.convert(regs[b], c)
                        elif op == TYPE_ASSERT:
                            tt = regs[c]
                            regs[a] = vmops.type_assert(regs[b], tt[0], tt[1])
                        elif op == TYPE_ASSERT_OK:
                            tt = regs[c]
                            v = regs[b]
                            if vmops.type_matches(v, tt[0]):
                                regs[a] = v if tt[2] else v.value
                                regs[a + 1] = True
                            else:
                                regs[a] = copy_value(tt[3])
                                regs[a + 1] = False
                        elif op == TYPE_IS:
                            regs[a] = vmops.type_matches(regs[b], regs[c])
                        elif op == CLOSURE:
                            fn = regs[b]
                            regs[a] = Closure(fn, regs[c:c + fn.nfree])
                        elif op == BIND:
                            regs[a] = BoundMethod(regs[b], regs[c])
                        elif op == BIND_IFACE:
                            recv = regs[b]
                            if recv is None:
                                raise vmops.nil_deref()
                            impl, mode = vmops.lookup_method(recv.type, regs[c])
                            regs[a] = BoundMethod(impl, vmops.method_receiver(recv.value, mode))
                        elif op == DEFER:
                            frame.defers = DeferRecord(regs[a], regs[b:b + c] if c else _NO_ARGS,
                                                       frame.defers)
                        elif op == GO:
                            frame.pc = pc
                            machine.spawn(regs[a], regs[b:b + c], g,
                                          (frame.fn.filename, frame.fn.lines[pc - 1]))
                        elif op == PANIC:
                            v = regs[a]
                            if v is None:
                                v = Iface(_PANIC_NIL_TYPE, "panic called with nil argument (use "
                                          "runtime.PanicNilError)")
                            raise GoPanic(v)
                        elif op == RECOVER:
                            pr = frame.special
                            if (type(pr) is PanicRecord
                                    and not (pr.recovered or pr.goexit or pr.aborted)
                                    and g.panics and g.panics[-1] is pr):
                                pr.recovered = True
                                regs[a] = pr.value
                            else:
                                regs[a] = None
                        elif op == PRINT:
                            parts = [print_value(v) for v in regs[b:b + c]]
                            text = (" ".join(parts) + "\n") if a else "".join(parts)
                            machine.stderr.write(text)
                        elif op == ITER_INIT:
                            regs[a] = _make_iter(regs[b], c)
                        elif op == MAKE_CHAN:
                            regs[a] = _make_channel(regs[b], regs[c])
                        else:
                            raise AssertionError(f"unknown opcode {op}")
                break  # the dispatch loop breaks only when g blocked
            except GoExitGoroutine:
                frame.pc = pc
                stop = start_panic(g, None, goexit=True)
                if stop is not None:
                    g.instructions += start_budget - budget
                    return stop
                frame = frames[-1]
                code = frame.fn.code
                regs = frame.regs
                pc = frame.pc
            except GoPanic as e:
                frame.pc = pc
                stop = start_panic(g, e.value)
                if stop is not None:
                    g.instructions += start_budget - budget
                    return stop
                frame = frames[-1]
                code = frame.fn.code
                regs = frame.regs
                pc = frame.pc
        # g blocked (frame.pc is at the blocking instruction).
        used = start_budget - budget
        if handoff is not None:
            nxt = handoff(used)
            if nxt is not None:
                g = nxt
                budget = slice_budget
                continue
        g.instructions += used
        return _SR_BLOCKED


def _f32(x: float) -> float:
    import struct
    try:
        return float(struct.unpack("f", struct.pack("f", x))[0])
    except OverflowError:
        return float("inf") if x > 0 else float("-inf")


_PANIC_NIL_TYPE = plain_error("").type


def _make_iter(v: Any, kind: int) -> Any:
    if kind == 1:
        return iter(vmops.string_runes(v))
    m = v if v is not None else {}
    keys = list(m.keys())
    frozen = kind == 3

    def gen() -> Any:
        for k in keys:
            if k in m:
                yield (thaw(k) if frozen else k, m[k])
    return gen()


# -- returns and panics (slow paths) ---------------------------------------

def _ret_slow(g: Goroutine, frame: Frame, results: list[Any]) -> StopReason | None:
    """A return that needs care: the last frame, a native-callback boundary,
    or a deferred call started by panic unwinding."""
    if frame.special is BOUNDARY:
        g.callback_results = results
        raise CallReturned()
    pr = frame.special
    if type(pr) is PanicRecord:
        if pr.recovered:
            g.panics = [p for p in g.panics if p is not pr and not p.aborted]
            caller = g.frames[-1]
            caller.pc = caller.fn.epilogue
            return None
        return continue_unwind(g)
    if frame.special is BOTTOM or not g.frames:
        g.status = _GS_DEAD
        return _SR_EXITED
    caller = g.frames[-1]
    rb = frame.ret_base
    if rb >= 0:
        caller.regs[rb:rb + len(results)] = results
    return None


def start_panic(g: Goroutine, value: Any, goexit: bool = False) -> StopReason | None:
    """Begin unwinding g for a new panic (or runtime.Goexit); None means
    continue running g.frames[-1] (a deferred call was pushed)."""
    rec = PanicRecord(value, goexit)
    rec_stack = g.stack()
    # A new list: a goroutine starts with a shared empty chain.
    g.panics = [*g.panics, rec]
    g.panic_stack = rec_stack
    return continue_unwind(g)


def continue_unwind(g: Goroutine) -> StopReason | None:
    pr = g.panics[-1]
    while g.frames:
        f = g.frames[-1]
        d = f.defers
        if d is not None:
            f.defers = d.next
            try:
                fr = push_call(g, d.fn, d.args, -1)
            except GoPanic as e:
                return start_panic(g, e.value)
            if fr is not None:
                fr.special = pr
                return None
            continue
        if f.special is BOUNDARY:
            g.frames.pop()
            g.panics.remove(pr)
            raise GoPanic(pr.value)
        g.frames.pop()
        if type(f.special) is PanicRecord and f.special is not pr:
            f.special.aborted = True
    g.status = _GS_DEAD
    if pr.goexit:
        g.panics.remove(pr)
        g.goexit = True
        return _SR_EXITED
    g.exit_panic = pr
    g.panic_text = panic_report(g, g.panics, g.panic_stack)
    return _SR_PANICKED


# -- calls from natives back into Go ----------------------------------------

def call_sync(g: Goroutine, fn: Any, args: list[Any]) -> list[Any]:
    """Run Go function value fn(*args) to completion on g's stack and
    return its results (natives: sort.Slice's less, fmt's String())."""
    if not isinstance(fn, (Function, Closure, BoundMethod)) or (
            isinstance(fn, BoundMethod) and not isinstance(fn.fn, Function)):
        if isinstance(fn, BoundMethod):
            res = fn.fn(g, fn.recv, *args)
        else:
            res = fn(g, *args)
        if res is None:
            return []
        if isinstance(res, tuple):
            return list(res)
        return [res]
    depth = len(g.frames)
    fr = push_call(g, fn, args, -1)
    assert fr is not None
    fr.special = BOUNDARY
    try:
        stop = run(g.machine, g, 1 << 62)
    except CallReturned:
        out: list[Any] = g.callback_results
        g.callback_results = []
        del g.frames[depth:]
        return out
    raise GoPanic(plain_error(f"csp: callback stopped unexpectedly ({stop.value})"))


def call_method_sync(g: Goroutine, value: Any, typ: Any, name: str,
                     args: list[Any] | None = None) -> list[Any]:
    impl, mode = vmops.lookup_method(typ, name)
    recv = vmops.method_receiver(value, mode)
    return call_sync(g, BoundMethod(impl, recv), args or [])
