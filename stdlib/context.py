"""Package context: cancellation trees on the simulated machine.

Invariants:
- A context is a runtime ``Ctx`` object inside an interface value whose
  dynamic type is one of Go's (``*context.emptyCtx``, ``*context.cancelCtx``,
  ``*context.timerCtx``, ``*context.valueCtx``); all share one method set
  (Deadline, Done, Err, Value, String) taking the Ctx as receiver.
- Cancellation flows from parent to children, never upwards: a cancelable
  context registers in its nearest cancelable ancestor's ``children``;
  cancel sets ``err`` once, closes ``done`` (waking every receiver through
  the channel's park contract), cancels the children, unregisters from
  the parent and stops its deadline timer.  Cancelling twice is a no-op.
- Background/TODO have a nil Done channel and never cancel.
- WithTimeout/WithDeadline arm a timer on the machine's TimerHeap that
  cancels with DeadlineExceeded at the deadline (virtual time); a deadline
  already past cancels at once.
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from runtime.channel import Channel
from runtime.timers import Timer, func_timer
from runtime.values import Iface
from stdlib.errors import new_error
from stdlib.registry import Package, register
from stdlib.time import DURATION, EPOCH_UNIX_NS, TIME

CANCELED = new_error("context canceled")
DEADLINE_EXCEEDED = new_error("context deadline exceeded")

EMPTY_STRUCT = T.Struct(())
DONE_CHAN = T.Chan(T.ChanDir.RECV, EMPTY_STRUCT)
CONTEXT = T.Named("Context", "context", T.Interface((
    T.Method("Deadline", T.Signature((), (TIME, T.BOOL))),
    T.Method("Done", T.Signature((), (DONE_CHAN,))),
    T.Method("Err", T.Signature((), (T.ERROR,))),
    T.Method("Value", T.Signature((T.ANY,), (T.ANY,))),
)))
CANCEL_FUNC = T.Named("CancelFunc", "context", T.Signature((), ()))


class Ctx:
    """One node of the context tree."""

    __slots__ = ("parent", "kind", "done", "err", "deadline", "key", "val", "children",
                 "timer", "machine", "name")

    def __init__(self, parent: Ctx | None, kind: str, name: str) -> None:
        self.parent = parent
        self.kind = kind  # "empty", "cancel", "timer", "value"
        self.done: Channel | None = None
        self.err: Any = None
        self.deadline: int | None = None  # virtual ns
        self.key: Any = None
        self.val: Any = None
        self.children: list[Ctx] = []
        self.timer: Timer | None = None
        self.machine: Any = None
        self.name = name

    def cancelable(self) -> bool:
        return self.kind in ("cancel", "timer")

    def get_done(self) -> Channel | None:
        c: Ctx | None = self
        while c is not None and not c.cancelable():
            c = c.parent
        return None if c is None else c.done

    def get_err(self) -> Any:
        c: Ctx | None = self
        while c is not None and not c.cancelable():
            c = c.parent
        return None if c is None else c.err

    def get_deadline(self) -> int | None:
        c: Ctx | None = self
        while c is not None:
            if c.deadline is not None:
                return c.deadline
            c = c.parent
        return None

    def cancel(self, err: Any, remove_from_parent: bool = True) -> None:
        if self.err is not None:
            return
        self.err = err
        if self.done is not None:
            self.done.close()
        children, self.children = self.children, []
        for child in children:
            child.cancel(err, False)
        if remove_from_parent:
            p = _cancelable_ancestor(self.parent)
            if p is not None and self in p.children:
                p.children.remove(self)
        if self.timer is not None and self.machine is not None:
            self.machine.timers.stop(self.timer)
            self.timer = None


def _cancelable_ancestor(c: Ctx | None) -> Ctx | None:
    while c is not None and not c.cancelable():
        c = c.parent
    return c


def _types() -> dict[str, T.Named]:
    out: dict[str, T.Named] = {}
    for kind, tname in [("empty", "emptyCtx"), ("cancel", "cancelCtx"),
                        ("timer", "timerCtx"), ("value", "valueCtx")]:
        out[kind] = T.Named(tname, "context", T.Struct(()))
    return out


_NAMED = _types()
_PTR = {kind: T.Pointer(named) for kind, named in _NAMED.items()}


def _deadline(g: Any, c: Ctx) -> tuple[list[int], bool]:
    dl = c.get_deadline()
    if dl is None:
        return [0, -1], False
    return [EPOCH_UNIX_NS + dl, dl], True


def _value(g: Any, c: Ctx, key: Any) -> Any:
    n: Ctx | None = c
    while n is not None:
        if n.kind == "value" and n.key == key:
            return n.val
        n = n.parent
    return None


_METHODS: list[tuple[str, T.Signature, Any]] = [
    ("Deadline", T.Signature((), (TIME, T.BOOL)), _deadline),
    ("Done", T.Signature((), (DONE_CHAN,)), lambda g, c: c.get_done()),
    ("Err", T.Signature((), (T.ERROR,)), lambda g, c: c.get_err()),
    ("Value", T.Signature((T.ANY,), (T.ANY,)), _value),
    ("String", T.Signature((), (T.STRING,)), lambda g, c: c.name),
]
for _named in _NAMED.values():
    for _mname, _msig, _impl in _METHODS:
        _named.methods[_mname] = T.MethodInfo(_mname, _msig, True, impl=_impl)


def _box(c: Ctx) -> Iface:
    return Iface(_PTR[c.kind], c)


def _unbox(v: Any) -> Ctx:
    if isinstance(v, Iface) and isinstance(v.value, Ctx):
        return v.value
    from runtime.errors import GoPanic
    raise GoPanic(Iface(T.STRING, "cannot create context from nil parent"))


_BACKGROUND = Ctx(None, "empty", "context.Background")
_TODO = Ctx(None, "empty", "context.TODO")


def _new_cancel(g: Any, parent: Ctx, kind: str, name: str) -> Ctx:
    c = Ctx(parent, kind, name)
    c.done = Channel(0, [])
    m = getattr(g, "machine", None)
    c.machine = m if hasattr(m, "timers") else None
    anc = _cancelable_ancestor(parent)
    if anc is not None:
        if anc.err is not None:
            c.cancel(anc.err, False)
        else:
            anc.children.append(c)
    return c


def _race_cancel(g: Any, c: Ctx) -> None:
    """-race: cancelling closes Done channels; the close (by g) happens
    before every receive that sees it (runtime/race.py)."""
    race = getattr(getattr(g, "machine", None), "race", None)
    if race is None:
        return
    todo = [c]
    while todo:
        x = todo.pop()
        if x.err is None:
            race.close_native(g, x.done)
            todo.extend(x.children)


def _cancel_func(c: Ctx) -> Any:
    def cancel(g: Any) -> None:
        _race_cancel(g, c)
        c.cancel(CANCELED)
    return cancel


def _with_cancel(g: Any, parent: Any) -> tuple[Iface, Any]:
    p = _unbox(parent)
    c = _new_cancel(g, p, "cancel", p.name + ".WithCancel")
    return _box(c), _cancel_func(c)


def _with_deadline_at(g: Any, p: Ctx, when: int) -> tuple[Iface, Any]:
    pdl = p.get_deadline()
    if pdl is not None and pdl <= when:
        return _with_cancel(g, _box(p))
    c = _new_cancel(g, p, "timer", f"{p.name}.WithDeadline")
    c.deadline = when
    m = c.machine
    now = m.now(g) if m is not None else 0
    if when <= now:
        c.cancel(DEADLINE_EXCEEDED)
    elif c.err is None and m is not None:
        c.timer = func_timer(0, lambda at: c.cancel(DEADLINE_EXCEEDED))
        m.timers.add(c.timer, when)
    return _box(c), _cancel_func(c)


def _with_timeout(g: Any, parent: Any, d: int) -> tuple[Iface, Any]:
    m = getattr(g, "machine", None)
    now = m.now(g) if m is not None and hasattr(m, "timers") else 0
    return _with_deadline_at(g, _unbox(parent), now + d)


def _with_deadline(g: Any, parent: Any, t: list[int]) -> tuple[Iface, Any]:
    return _with_deadline_at(g, _unbox(parent), t[0] - EPOCH_UNIX_NS)


def _with_value(g: Any, parent: Any, key: Any, val: Any) -> Iface:
    p = _unbox(parent)
    c = Ctx(p, "value", f"{p.name}.WithValue")
    c.key = key
    c.val = val
    return _box(c)


pkg = Package("context", "context")
pkg.type("Context", CONTEXT)
pkg.type("CancelFunc", CANCEL_FUNC)
pkg.var("Canceled", T.ERROR, CANCELED)
pkg.var("DeadlineExceeded", T.ERROR, DEADLINE_EXCEEDED)
pkg.func("Background", T.Signature((), (CONTEXT,)), lambda g: _box(_BACKGROUND))
pkg.func("TODO", T.Signature((), (CONTEXT,)), lambda g: _box(_TODO))
pkg.func("WithCancel", T.Signature((CONTEXT,), (CONTEXT, CANCEL_FUNC)), _with_cancel)
pkg.func("WithTimeout", T.Signature((CONTEXT, DURATION), (CONTEXT, CANCEL_FUNC)), _with_timeout)
pkg.func("WithDeadline", T.Signature((CONTEXT, TIME), (CONTEXT, CANCEL_FUNC)), _with_deadline)
pkg.func("WithValue", T.Signature((CONTEXT, T.ANY, T.ANY), (CONTEXT,)), _with_value)
register(pkg)
