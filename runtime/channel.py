"""Go channels: unbuffered rendezvous and buffered FIFO, with close.

Mirrors runtime/chan.go.  Invariants (checked by ``check_invariants``):
- At least one of ``sendq`` and ``recvq`` is empty (a sender and a receiver
  never both wait: whichever arrives second completes the pair) -- except
  for one select that has both a send and a receive case on the channel.
- Unbuffered (cap == 0): ``buf`` is always empty.
- Buffered: recvq non-empty implies buf empty; sendq non-empty implies
  buf full (len(buf) == cap).
- closed implies recvq and sendq are empty (close wakes them all) --
  except that nobody may be added after close: a send panics, a receive
  completes at once.
- Every Waiter in a queue belongs to a goroutine whose status is WAITING
  and whose ``transfer`` is that waiter (or, for select, a sibling).

Operation results (see runtime/park.py for the whole contract):
- ``send(g, v)`` -> None (done) or PARKED; raises GoPanic on a closed channel.
- ``recv(g)`` -> value or PARKED.
- ``recv_ok(g)`` -> (value, ok) or PARKED.
- ``offer(v)`` -> bool: a non-blocking send that never parks (timer
  channels: ``select { case c <- now: default: }``).
The VM (runtime/vm.py: SEND, and the receives RECV / RANGE_RECV /
RECV_BACK) repeats send's and recv's hand-over, buffer and park steps
inline when no observer is set:
a change to those steps here must be made there too (tests/test_channel_vm.py
checks these invariants after every step of the channel goldens run
through that path).
Nil channels are None in registers; the VM calls ``send_nil``/``recv_nil``
(park forever) and ``close_nil`` (panic) for them.

Panics are Go's plain runtime errors (``runtime.plainError``): recover()
yields a runtime.Error whose Error() has no "runtime error: " prefix, and
an unrecovered one prints ``panic: send on closed channel``.
"""

from __future__ import annotations

from collections import deque
from typing import Any

from lang.opcodes import Op
from runtime.errors import GoPanic
from runtime.machine import StopReason
from runtime.panics import plain_error
from runtime.park import PARKED, WAITING, Waiter, _Parked, dequeue, park, unlink_siblings
from runtime.select import SelectTable, select, select_resume
from runtime.values import copy_value
from runtime.waitreason import WaitReason

_CHAN_SEND = WaitReason.CHAN_SEND
_CHAN_RECEIVE = WaitReason.CHAN_RECEIVE

# The run's runtime.trace.SchedObserver (csp run --trace/--timeline), else
# None: every hook below is one global None test when nobody observes.
_obs: Any = None


def set_observer(obs: Any) -> None:
    """Install (or with None remove) the observer of channel transfers."""
    global _obs
    _obs = obs


class Channel:
    """A channel value.  Waking a waiter calls ``w.g.machine.ready(w.g)``:
    the channel needs no machine of its own, and the fast paths (buffer
    has room / data, nobody to wake) touch no machine at all."""

    __slots__ = ("cap", "buf", "recvq", "sendq", "closed", "zero", "zero_is_list")

    def __init__(self, cap: int, zero: Any) -> None:
        self.cap = cap
        self.buf: deque[Any] = deque()
        self.recvq: deque[Waiter] = deque()
        self.sendq: deque[Waiter] = deque()
        self.closed = False
        self.zero = zero
        self.zero_is_list = isinstance(zero, list)

    def __repr__(self) -> str:
        return (f"Channel(cap={self.cap}, len={len(self.buf)}, closed={self.closed}, "
                f"recvq={len(self.recvq)}, sendq={len(self.sendq)})")

    def zero_value(self) -> Any:
        return copy_value(self.zero) if self.zero_is_list else self.zero

    # -- send ----------------------------------------------------------
    def send(self, g: Any, v: Any) -> _Parked | None:
        """ch <- v by goroutine g."""
        if self.closed:
            raise GoPanic(plain_error("send on closed channel"))
        rq = self.recvq
        if rq:
            # A receiver waits: hand v over directly (buffer is empty).
            w = rq.popleft()
            w.queue = None
            if w.siblings is not None:
                unlink_siblings(w)
            w.elem = v
            wg = w.g
            wg.transfer = w
            if _obs is not None:
                _obs.on_chan_pass(self, g, wg)
            wg.machine.ready(wg)
            return None
        buf = self.buf
        if len(buf) < self.cap:
            buf.append(v)
            if _obs is not None:
                _obs.on_chan_put(self, g)
            return None
        sq = self.sendq
        w = Waiter(g, v, -1, sq)
        sq.append(w)
        return park(g, _CHAN_SEND, w)

    def offer(self, v: Any) -> bool:
        """Non-blocking send; False if it would block.  Panics if closed."""
        if self.closed:
            raise GoPanic(plain_error("send on closed channel"))
        if self.recvq or len(self.buf) < self.cap:
            self.send(None, v)
            return True
        return False

    def can_send(self) -> bool:
        """A send would not block (closed counts: it completes by panicking)."""
        return self.closed or bool(self.recvq) or len(self.buf) < self.cap

    # -- receive -------------------------------------------------------
    def take(self) -> Any:
        """Precondition: buf or sendq non-empty.  Returns the next value."""
        buf = self.buf
        sq = self.sendq
        if buf:
            v = buf.popleft()
            if _obs is not None:
                _obs.on_chan_get(self)
            if sq:
                # The buffer was full and a sender waits: its value joins
                # the tail, it continues.
                w = dequeue(sq)
                buf.append(w.elem)
                wg = w.g
                wg.transfer = w
                if _obs is not None:
                    _obs.on_chan_put(self, wg)
                wg.machine.ready(wg)
            return v
        w = sq.popleft()
        w.queue = None
        if w.siblings is not None:
            unlink_siblings(w)
        v = w.elem
        wg = w.g
        wg.transfer = w
        if _obs is not None:
            _obs.on_chan_pass(self, wg, None)
        wg.machine.ready(wg)
        return v

    def recv(self, g: Any) -> Any:
        """<-ch by goroutine g: the value, or PARKED."""
        if self.buf or self.sendq:
            return self.take()
        if self.closed:
            return self.zero_value()
        rq = self.recvq
        w = Waiter(g, None, -1, rq)
        rq.append(w)
        return park(g, _CHAN_RECEIVE, w)

    def recv_ok(self, g: Any) -> Any:
        """v, ok := <-ch by goroutine g: a (value, ok) tuple, or PARKED."""
        if self.buf or self.sendq:
            return (self.take(), True)
        if self.closed:
            return (self.zero_value(), False)
        rq = self.recvq
        w = Waiter(g, None, -1, rq)
        rq.append(w)
        return park(g, _CHAN_RECEIVE, w)

    def can_recv(self) -> bool:
        """A receive would not block."""
        return bool(self.buf) or bool(self.sendq) or self.closed

    # -- close ---------------------------------------------------------
    def close(self) -> None:
        """close(ch): wake every receiver (zero value, ok=false) then every
        sender (they panic when they resume), in queue order."""
        if self.closed:
            raise GoPanic(plain_error("close of closed channel"))
        self.closed = True
        if _obs is not None:
            _obs.on_chan_close(self)
        rq = self.recvq
        while rq:
            w = dequeue(rq)
            w.elem = self.zero_value()
            w.ok = False
            wg = w.g
            wg.transfer = w
            wg.machine.ready(wg)
        sq = self.sendq
        while sq:
            w = dequeue(sq)
            w.ok = False
            wg = w.g
            wg.transfer = w
            wg.machine.ready(wg)

    def __len__(self) -> int:
        return len(self.buf)

    def length(self) -> int:
        """len(ch): values buffered."""
        return len(self.buf)

    def capacity(self) -> int:
        """cap(ch)."""
        return self.cap

    # -- checking ------------------------------------------------------
    def check_invariants(self) -> None:
        """Assert chan.go's invariants (tests call this after every step)."""
        if self.recvq and self.sendq:
            # Only one select with a send and a receive case on this same
            # channel may sit on both sides (it cannot pair with itself).
            sibs = {id(w.siblings) for q in (self.recvq, self.sendq) for w in q}
            assert len(sibs) == 1 and self.recvq[0].siblings is not None, \
                "both sendq and recvq non-empty"
        assert len(self.buf) <= self.cap, "buffer over capacity"
        if self.cap == 0:
            assert not self.buf, "unbuffered channel holds a value"
        else:
            assert not self.recvq or not self.buf, "receivers wait on a non-empty buffer"
            assert not self.sendq or len(self.buf) == self.cap, \
                "senders wait on a buffer with room"
        if self.closed:
            assert not self.recvq and not self.sendq, "closed channel has waiters"
        for q in (self.recvq, self.sendq):
            for w in q:
                assert w.queue is q, "waiter does not know its queue"
                assert w.g.status is WAITING, f"queued goroutine {w.g.id} is not waiting"


def chan_len(ch: Channel | None) -> int:
    return 0 if ch is None else len(ch.buf)


def chan_cap(ch: Channel | None) -> int:
    return 0 if ch is None else ch.cap


def send_nil(g: Any) -> _Parked:
    """Send on a nil channel: block forever (owned by nobody)."""
    return park(g, WaitReason.CHAN_SEND_NIL, None)


def recv_nil(g: Any) -> _Parked:
    """Receive from a nil channel: block forever (owned by nobody)."""
    return park(g, WaitReason.CHAN_RECEIVE_NIL, None)


def close_nil() -> None:
    raise GoPanic(plain_error("close of nil channel"))




# -- the VM's entry points ------------------------------------------------
#
# runtime/vm.py delegates MAKE_CHAN and the channel opcodes here.  A
# blocking operation parks g and *rewinds* frame.pc to the instruction, so
# that when g runs again the same instruction executes once more; this
# time g.transfer holds the Waiter the waker filled in, and the second
# execution only copies the delivered result into the destination
# registers (or raises the send-on-closed panic).  The VM therefore needs
# no resume logic of its own.

_SEND = Op.SEND.value
_RECV = Op.RECV.value
_RECV_OK = Op.RECV_OK.value
_RANGE_RECV = Op.RANGE_RECV.value
_RECV_BACK = Op.RECV_BACK.value
_CLOSE = Op.CLOSE.value
_SELECT = Op.SELECT.value

_MAX_CAP = 1 << 31
_BLOCKED = StopReason.BLOCKED


def make_channel(cap: Any, zero: Any) -> Channel:
    """make(chan T, cap); zero is T's zero value."""
    if cap is None:
        cap = 0
    if cap < 0 or cap > _MAX_CAP:
        raise GoPanic(plain_error("makechan: size out of range"))
    return Channel(cap, zero)


def _resume(g: Any, w: Waiter, regs: list[Any], op: int, a: int, b: int) -> None:
    """Finish a re-executed instruction whose wait ended (g.transfer was w)."""
    if op == _RECV:
        regs[a] = w.elem
    elif op == _RECV_OK:
        regs[a] = w.elem
        regs[a + 1] = w.ok
    elif op == _SEND:
        if not w.ok:
            raise GoPanic(plain_error("send on closed channel"))
    elif op == _SELECT:
        g.transfer = w
        i, v, ok = select_resume(g, regs[b].dirs)
        regs[a] = i
        regs[a + 1] = v
        regs[a + 2] = ok
    else:
        raise AssertionError(f"resume of opcode {op}")


def chan_op(machine: Any, g: Any, frame: Any, op: int, a: int, b: int,
            c: int) -> StopReason | None:
    """Execute one channel instruction for g (frame.pc already points past
    it).  Returns None when done, StopReason.BLOCKED when g parked."""
    regs = frame.regs
    t = g.transfer
    if t is not None and type(t) is Waiter:
        g.transfer = None
        if op == _RECV:
            regs[a] = t.elem
            return None
        _resume(g, t, regs, op, a, b)
        return None
    if op == _RECV:
        ch = regs[b]
        v = recv_nil(g) if ch is None else ch.recv(g)
        if v is PARKED:
            frame.pc -= 1
            return _BLOCKED
        regs[a] = v
        return None
    if op == _SEND:
        ch = regs[a]
        r = send_nil(g) if ch is None else ch.send(g, regs[b])
        if r is PARKED:
            frame.pc -= 1
            return _BLOCKED
        return None
    if op == _RANGE_RECV or op == _RECV_BACK:
        # The VM handles a non-nil channel itself (these jump); here only
        # a nil channel (`for v := range nilChan`, `for { <-nilChan }`):
        # block forever.
        if regs[b] is None:
            recv_nil(g)
            frame.pc -= 1
            return _BLOCKED
        raise AssertionError(f"chan_op: looping receive {op} on a non-nil channel")
    if op == _RECV_OK:
        ch = regs[b]
        r = recv_nil(g) if ch is None else ch.recv_ok(g)
        if r is PARKED:
            frame.pc -= 1
            return _BLOCKED
        regs[a], regs[a + 1] = r  # type: ignore[misc]
        return None
    if op == _CLOSE:
        ch = regs[a]
        if ch is None:
            close_nil()
        ch.close()
        return None
    if op == _SELECT:
        table: SelectTable = regs[b]
        get = regs.__getitem__
        chans = list(map(get, table.chan_regs))
        # Values matter only for send cases; a receive-only select passes
        # the (ignored) register numbers instead of building a list.
        vals: Any = ([regs[r] if r >= 0 else None for r in table.val_regs]
                     if table.has_send else table.val_regs)
        res = select(g, machine.rng, table.dirs, chans, vals, bool(c))
        if res is PARKED:
            frame.pc -= 1
            return _BLOCKED
        assert isinstance(res, tuple)
        regs[a], regs[a + 1], regs[a + 2] = res
        return None
    raise AssertionError(f"chan_op: opcode {op}")
