"""select: Go's selectgo (runtime/select.go) in three labelled passes.

A select statement is described by three parallel sequences:
  dirs[i]  True for a send case ``c <- v``, False for a receive case;
           static per statement (the compiler's case table);
  chans[i] the case's channel (None: a nil channel, that case is ignored);
  vals[i]  the value to send (send cases; ignored for receives);
and has_default.

Pass 1 (poll): find the cases that can proceed now and pick one uniformly
  with the run's RNG (Go polls in a random permutation and takes the first
  ready case, which is the same distribution).  Run it and return.
Pass 2 (default): nothing ready and there is a default: return index -1.
Pass 3 (park): enqueue one Waiter per non-nil case, all sharing one
  ``siblings`` list, and park with reason ``select``.  The goroutine that
  completes one case removes the other waiters from their queues (see
  runtime/park.py) before readying us, so a select is woken exactly once.
  No cases at all (``select {}``, or only nil channels and no default):
  park forever, owned by nobody.

Results: ``(index, value, ok)`` now, or PARKED; after a park the VM calls
``select_resume(g, dirs)`` for the same triple.  A send case completes
with value None and ok False (nothing is received).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from runtime.errors import GoPanic
from runtime.panics import plain_error
from runtime.park import PARKED, Waiter, _Parked, park
from runtime.waitreason import WaitReason

if TYPE_CHECKING:
    from runtime.channel import Channel

SelectResult = tuple[int, Any, bool]
# Enum members looked up once (enum attribute access is slow in 3.11).
_SELECT = WaitReason.SELECT
_SELECT_NO_CASES = WaitReason.SELECT_NO_CASES


class SelectTable:
    """The compiler's case table for one select statement (a constant).

    dirs[i]:      True for a send case, False for a receive case.
    chan_regs[i]: register holding case i's channel.
    val_regs[i]:  register holding the value to send (-1 for receives).
    Case order is source order; the default clause is not a case (the
    SELECT instruction's c operand says whether there is one) and is
    reported as index -1."""

    __slots__ = ("dirs", "chan_regs", "val_regs", "has_send")

    def __init__(self, dirs: Sequence[bool], chan_regs: Sequence[int],
                 val_regs: Sequence[int]) -> None:
        self.dirs = tuple(dirs)
        self.chan_regs = tuple(chan_regs)
        self.val_regs = tuple(val_regs)
        # Receive-only selects need no send values (chan_op skips them).
        self.has_send = any(self.dirs)

    def __repr__(self) -> str:
        cases = ", ".join(("send" if d else "recv") + f" r{c}"
                          for d, c in zip(self.dirs, self.chan_regs, strict=True))
        return f"SelectTable({cases})"


_NO_CASE: SelectResult = (-1, None, False)


def _complete(g: Any, i: int, is_send: bool, c: Channel, v: Any) -> SelectResult:
    """Run ready case i (pass 1).  Precondition: it cannot block."""
    if is_send:
        c.send(g, v)  # panics on a closed channel, as Go's select does
        return (i, None, False)
    if c.buf or c.sendq:
        return (i, c.take(), True)
    return (i, c.zero_value(), False)


def select(g: Any, rng: random.Random, dirs: Sequence[bool],
           chans: Sequence[Channel | None], vals: Sequence[Any],
           has_default: bool) -> SelectResult | _Parked:
    n = len(chans)
    # -- pass 1: poll every case; choose uniformly among the ready ones.
    first = -1
    more: list[int] | None = None
    for i in range(n):
        c = chans[i]
        if c is None:
            continue
        if dirs[i]:
            ready = c.closed or c.recvq or len(c.buf) < c.cap
        else:
            ready = c.buf or c.sendq or c.closed
        if ready:
            if first < 0:
                first = i
            elif more is None:
                more = [first, i]
            else:
                more.append(i)
    if first >= 0:
        if more is not None:
            # Same stream as rng.randrange(len(more)), minus its argument checks.
            first = more[rng._randbelow(len(more))]  # type: ignore[attr-defined]
        c = chans[first]
        assert c is not None
        return _complete(g, first, dirs[first], c, vals[first])

    # -- pass 2: default.
    if has_default:
        return _NO_CASE

    # -- pass 3: enqueue on every channel and park.
    sibs: list[Waiter] = []
    for i in range(n):
        c = chans[i]
        if c is None:
            continue
        if dirs[i]:
            w = Waiter(g, vals[i], i)
            q = c.sendq
        else:
            w = Waiter(g, None, i)
            q = c.recvq
        w.queue = q
        w.siblings = sibs
        q.append(w)
        sibs.append(w)
    if n == 0:
        return park(g, _SELECT_NO_CASES, None)
    return park(g, _SELECT, None)


def select_resume(g: Any, dirs: Sequence[bool]) -> SelectResult:
    """The result of a select that parked, once g runs again.  A send case
    woken by close panics here, in the sender, as in Go."""
    w: Waiter = g.transfer
    g.transfer = None
    i = w.index
    if dirs[i]:
        if not w.ok:
            raise GoPanic(plain_error("send on closed channel"))
        return (i, None, False)
    return (i, w.elem, w.ok)


def block_forever(g: Any) -> _Parked:
    """``select {}``."""
    return park(g, WaitReason.SELECT_NO_CASES, None)


__all__ = ["PARKED", "SelectResult", "SelectTable", "block_forever", "select", "select_resume"]
