"""Goroutines and their explicit call frames.

A goroutine owns a stack of ``Frame`` objects; the VM never recurses in
Python per Go call, so any goroutine can stop at any instruction, be
resumed later by a scheduler, and show its stack.

Invariants:
- ``frames[-1]`` is the running frame; its ``pc`` is saved only when the
  VM leaves its loop or switches frames (the loop keeps pc in a local).
- A frame's results go to ``caller.regs[ret_base...]``; ``ret_base == -1``
  discards them (deferred calls, goroutine entry frames).
- ``defers`` holds the frame's pending deferred calls as a singly linked
  stack of ``DeferRecord`` (top: the last deferred, which runs first; None
  when there are none): a goroutine parked with one pending defer holds one
  small record, not a record and a list.
- ``panics`` is the chain of panics in flight (innermost last); a
  ``PanicRecord`` is recovered at most once, by a deferred call that the
  unwinding of that panic started (its frame's ``special``).
- ``Frame.special`` marks frames whose return takes the slow path: a
  goroutine's entry frame, a native's callback frame (``call``: when it
  returns the nested VM loop returns to the native), or a deferred call
  started by panic unwinding.
- The goroutine is the ``NativeContext`` natives receive.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING, Any

from lang.chunk import Function

if TYPE_CHECKING:
    from runtime.machine import Machine


class GStatus(enum.Enum):
    RUNNABLE = "runnable"
    RUNNING = "running"
    WAITING = "waiting"
    DEAD = "dead"


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


# Looked up once: enum attribute access is slow in 3.11 (every `go` uses it).
_RUNNABLE = GStatus.RUNNABLE

BOTTOM = _Marker("BOTTOM")
# Shared initial value of Goroutine.panic_stack / callback_results: both
# are always replaced by assignment, never appended to.
_NO_STACK: list[Any] = []
BOUNDARY = _Marker("BOUNDARY")
_NO_ORIGIN: tuple[None, None] = (None, None)


class DeferRecord:
    """A deferred call: function value, its already evaluated arguments and
    the frame's previously deferred call (``next``: runs after this one)."""

    __slots__ = ("fn", "args", "next")

    def __init__(self, fn: Any, args: list[Any], next: DeferRecord | None) -> None:
        self.fn = fn
        self.args = args
        self.next = next


class PanicRecord:
    """One panic in flight.  recovered: a deferred call recovered it;
    aborted: a newer panic started while its defers were running."""

    __slots__ = ("value", "recovered", "aborted", "goexit")

    def __init__(self, value: Any, goexit: bool = False) -> None:
        self.value = value
        self.recovered = False
        self.aborted = False
        # runtime.Goexit unwinds like a panic that recover cannot stop.
        self.goexit = goexit


class Frame:
    """One activation of a compiled function.

    special is None for an ordinary call; otherwise it marks a frame whose
    return needs the slow path: BOTTOM (a goroutine's entry frame),
    BOUNDARY (a native's callback into Go) or the PanicRecord whose
    unwinding started this deferred call (the only frame that may recover
    that panic)."""

    __slots__ = ("fn", "regs", "pc", "ret_base", "defers", "special")

    def __init__(self, fn: Function, regs: list[Any], ret_base: int) -> None:
        self.fn = fn
        self.regs = regs
        self.pc = 0
        self.ret_base = ret_base
        self.defers: DeferRecord | None = None
        self.special: Any = None

    def line(self) -> int:
        pc = self.pc - 1 if self.pc > 0 else 0
        lines = self.fn.lines
        if pc < len(lines):
            return lines[pc]
        return self.fn.line


class Goroutine:
    """A goroutine: frames, panic state, scheduling fields.

    ``__slots__`` keeps a parked goroutine small (the bench's ``parked``
    target is < 1 KB each) and attribute access fast.  Panic and callback
    state is rare, so it is not a slot: the class attributes below are the
    defaults every goroutine shares, and assigning one puts it in the
    instance ``__dict__`` (allocated only then; tools may hang extra
    per-goroutine state there too).  The shared default lists are never
    mutated: the VM always assigns a new list."""

    __slots__ = ("id", "machine", "frames", "status", "wait_reason", "transfer",
                 "origin", "instructions", "ready_at", "run_start", "__dict__")

    # The chain of panics in flight (replaced, never appended to in place).
    panics: list[PanicRecord] = _NO_STACK
    exit_panic: PanicRecord | None = None
    panic_text: str = ""
    # runtime.Goexit finished this goroutine.
    goexit: bool = False
    panic_stack: list[tuple[str, str, int]] = _NO_STACK
    # Results of a native's callback into Go (see runtime.vm.call_sync).
    callback_results: list[Any] = _NO_STACK

    def __init__(self, gid: int, machine: Machine) -> None:
        self.id = gid
        self.machine = machine
        self.frames: list[Frame] = []
        self.status = _RUNNABLE
        self.wait_reason: Any = None
        # Filled by whoever wakes a parked goroutine (channel handoff).
        self.transfer: Any = None
        # (created_by, go_site), see the properties below: one slot holding
        # a tuple the scheduler interns per (creator, go statement).
        self.origin: tuple[tuple[str, int] | None, tuple[str, int] | None] = _NO_ORIGIN
        self.instructions = 0
        # Scheduler fields (runtime/scheduler.py): virtual time it became
        # runnable / was last scheduled; (creator function, creator id).
        self.ready_at = 0
        self.run_start = 0

    @property
    def created_by(self) -> tuple[str, int] | None:
        """(creator function name, creator goroutine id); None for main."""
        return self.origin[0]

    @created_by.setter
    def created_by(self, value: tuple[str, int] | None) -> None:
        self.origin = (value, self.origin[1])

    @property
    def go_site(self) -> tuple[str, int] | None:
        """(file, line) of the go statement that started this goroutine."""
        return self.origin[1]

    @go_site.setter
    def go_site(self, value: tuple[str, int] | None) -> None:
        self.origin = (self.origin[0], value)

    # -- NativeContext -------------------------------------------------
    def write_stdout(self, data: str) -> None:
        self.machine.stdout.write(data)

    def write_stderr(self, data: str) -> None:
        self.machine.stderr.write(data)

    def call(self, fn: Any, args: list[Any]) -> list[Any]:
        from runtime.vm import call_sync
        return call_sync(self, fn, args)

    def call_method(self, value: Any, typ: Any, name: str, *args: Any) -> list[Any]:
        from runtime.vm import call_method_sync
        return call_method_sync(self, value, typ, name, list(args))

    def rand(self) -> Any:
        return self.machine.rng

    # -- stacks ----------------------------------------------------------
    def stack(self) -> list[tuple[str, str, int]]:
        """(function name, file, line) innermost first."""
        out = []
        for f in reversed(self.frames):
            if f.fn.name.startswith("runtime."):
                continue
            out.append((f.fn.name, f.fn.filename, f.line()))
        return out
