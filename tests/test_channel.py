"""Channel operations with fake goroutines, checking chan.go's invariants."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.channel import Channel, make_channel, recv_nil, send_nil
from runtime.errors import GoPanic
from runtime.goroutine import GStatus
from runtime.park import PARKED, take_wake
from runtime.waitreason import WaitReason


class Machine:
    def __init__(self) -> None:
        self.readied: list[Any] = []

    def ready(self, g: Any) -> None:
        assert g.status is GStatus.WAITING, "woken twice"
        g.status = GStatus.RUNNABLE
        self.readied.append(g)

    def now(self, g: Any) -> int:
        return 0


class G:
    def __init__(self, gid: int, m: Machine) -> None:
        self.id = gid
        self.machine = m
        self.status = GStatus.RUNNING
        self.wait_reason: Any = None
        self.transfer: Any = None


def setup(n: int = 3) -> tuple[Machine, list[G]]:
    m = Machine()
    return m, [G(i + 1, m) for i in range(n)]


def panic_text(e: pytest.ExceptionInfo[GoPanic]) -> str:
    return str(e.value.value.value)


def test_unbuffered_rendezvous_receiver_first() -> None:
    m, (a, b, _) = setup()
    ch = Channel(0, 0)
    assert ch.recv(a) is PARKED
    assert a.status is GStatus.WAITING and a.wait_reason is WaitReason.CHAN_RECEIVE
    ch.check_invariants()
    assert ch.send(b, 42) is None
    assert m.readied == [a]
    w = take_wake(a)
    assert w is not None and w.elem == 42 and w.ok
    ch.check_invariants()


def test_unbuffered_rendezvous_sender_first() -> None:
    m, (a, b, _) = setup()
    ch = Channel(0, 0)
    assert ch.send(a, "x") is PARKED and a.wait_reason is WaitReason.CHAN_SEND
    assert ch.recv_ok(b) == ("x", True)
    assert m.readied == [a]
    w = take_wake(a)
    assert w is not None and w.ok


def test_buffered_fifo_and_full_sender_moves_into_buffer() -> None:
    m, (a, b, c) = setup()
    ch = Channel(2, 0)
    assert ch.send(a, 1) is None and ch.send(a, 2) is None
    assert len(ch) == 2
    assert ch.send(a, 3) is PARKED
    ch.check_invariants()
    assert ch.recv(b) == 1
    assert m.readied == [a] and list(ch.buf) == [2, 3]
    ch.check_invariants()
    assert ch.recv(b) == 2 and ch.recv(b) == 3
    assert ch.recv(c) is PARKED
    ch.check_invariants()


def test_waiters_are_served_in_fifo_order() -> None:
    m, gs = setup(3)
    ch = Channel(0, 0)
    for g in gs:
        assert ch.recv(g) is PARKED
    sender = G(9, m)
    for v in range(3):
        ch.send(sender, v)
    assert m.readied == gs
    assert [g.transfer.elem for g in gs] == [0, 1, 2]


def test_close_wakes_receivers_with_zero_and_senders_to_panic() -> None:
    m, (a, b, _) = setup()
    ch = Channel(0, [0, ""])  # struct zero value: copied per receiver
    assert ch.recv_ok(a) is PARKED and ch.recv_ok(b) is PARKED
    ch.close()
    wa, wb = take_wake(a), take_wake(b)
    assert wa is not None and wb is not None
    assert (wa.elem, wa.ok) == ([0, ""], False) and wa.elem is not wb.elem
    ch.check_invariants()
    s = Channel(0, 0)
    assert s.send(a, 1) is PARKED
    s.close()
    w = take_wake(a)
    assert w is not None and not w.ok  # the VM turns this into the panic


def test_receive_from_closed_buffered_drains_first() -> None:
    _, (a, _, _) = setup()
    ch = Channel(3, 0)
    ch.send(a, 7)
    ch.close()
    assert ch.recv_ok(a) == (7, True)
    assert ch.recv_ok(a) == (0, False)
    assert ch.recv(a) == 0


def test_panics() -> None:
    _, (a, _, _) = setup()
    ch = Channel(1, 0)
    ch.close()
    with pytest.raises(GoPanic) as e:
        ch.send(a, 1)
    assert panic_text(e) == "send on closed channel"
    assert e.value.value.type.name == "plainError"
    with pytest.raises(GoPanic) as e:
        ch.close()
    assert panic_text(e) == "close of closed channel"
    with pytest.raises(GoPanic) as e:
        make_channel(-1, 0)
    assert panic_text(e) == "makechan: size out of range"


def test_nil_channel_blocks_forever() -> None:
    _, (a, b, _) = setup()
    assert recv_nil(a) is PARKED and a.wait_reason is WaitReason.CHAN_RECEIVE_NIL
    assert send_nil(b) is PARKED and b.wait_reason is WaitReason.CHAN_SEND_NIL
    assert str(a.wait_reason) == "chan receive (nil chan)"


def test_offer_never_blocks() -> None:
    m, (a, _, _) = setup()
    ch = Channel(1, 0)
    assert ch.offer(1) and not ch.offer(2)
    assert ch.recv(a) == 1
    assert ch.recv(a) is PARKED
    assert ch.offer(5) and m.readied == [a] and a.transfer.elem == 5
