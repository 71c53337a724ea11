"""Goroutine leak reports: goroutines blocked forever when main returns.

``check_leaks(machine, code, mode, stderr) -> code`` runs after the
program ended (runtime/run.py).  When main returned normally (status 0) and
some goroutines are still parked, it decides which of them can never run
again, like Go 1.26's goroutine-leak profile: reachability over the VM's
objects.

- Roots: package variables, pending timers (their channels and callbacks),
  and the frames of every goroutine that can still run (runnable, or
  sleeping on the timer heap).
- A parked goroutine waits on wait objects (channels, mutexes, wait
  groups, conds): the objects whose queues hold its waiters.  If any of them
  is reachable from the roots, something that can run could still wake it,
  so it joins the roots (its frames are traversed too); repeat to a fixed
  point.  What stays parked is leaked: nothing that can run holds what it
  waits on.  Nil-channel waits and ``select {}`` are leaked by definition.
- The report (stderr only; stdout is untouched, so a program's output and
  the conformance corpus are unaffected) lists each leaked goroutine in
  Go's dump shape, followed by a wait-for explanation: what it waits on,
  where that channel was made (traced statically from a frame holding it,
  or from the CLOSURE that captured it; omitted when it cannot be told),
  and the blocked goroutines that still hold the object, if any.

Modes: ``off`` (no check), ``warn`` (default: report, keep the status),
``error`` (report and exit with LEAK_EXIT_CODE = 8 when the status was 0).
The check costs nothing during the run; at exit it walks the heap once per
fixed-point round (only when some goroutine is parked).
"""

from __future__ import annotations

from collections import deque
from typing import Any, TextIO

from lang.opcodes import Op
from runtime.channel import Channel
from runtime.deadlock import goroutine_text, state_of
from runtime.goroutine import Goroutine, GStatus
from runtime.park import Waiter
from runtime.sync_objects import Cond, Mutex, RWMutex, WaitGroup
from runtime.waitreason import WaitReason

LEAK_EXIT_CODE = 8
MAX_OBJECTS = 2_000_000  # a bound on the heap walk (very large heaps are truncated)

_FOREVER = (WaitReason.CHAN_SEND_NIL, WaitReason.CHAN_RECEIVE_NIL,
            WaitReason.SELECT_NO_CASES)
_ATOMS = (str, int, float, bool, bytes, complex, type(None))


def _queues(obj: Any) -> list[tuple[deque[Waiter], str]]:
    """The wait queues of a wait object, each with what its waiters do."""
    if isinstance(obj, Channel):
        return [(obj.recvq, "waits to receive on"), (obj.sendq, "waits to send on")]
    if isinstance(obj, Mutex):
        return [(obj.waiters, "waits to lock")]
    if isinstance(obj, RWMutex):
        return [(obj.wq, "waits to lock"), (obj.rq, "waits to read-lock")]
    if isinstance(obj, WaitGroup):
        return [(obj.waiters, "waits on")]
    if isinstance(obj, Cond):
        return [(obj.waiters, "waits to be signalled by")]
    return []


class _Walker:
    """Reachability over Python objects standing for Go values.  Other
    goroutines, waiters and the machine are never entered: holding a
    goroutine does not let it run."""

    def __init__(self, machine: Any) -> None:
        self.seen: set[int] = {id(machine)}
        self.wait_objects: dict[int, Any] = {}
        self.budget = MAX_OBJECTS

    def walk(self, roots: list[Any]) -> set[int]:
        """Ids of the wait objects reachable from roots (newly seen ones)."""
        found: set[int] = set()
        stack = list(roots)
        seen = self.seen
        while stack and self.budget > 0:
            x = stack.pop()
            if isinstance(x, _ATOMS) or id(x) in seen:
                continue
            seen.add(id(x))
            self.budget -= 1
            if isinstance(x, (Goroutine, Waiter)):
                continue
            if isinstance(x, (Channel, Mutex, RWMutex, WaitGroup, Cond)):
                self.wait_objects[id(x)] = x
                found.add(id(x))
                if isinstance(x, Channel):
                    stack.extend(x.buf)
                elif isinstance(x, Cond):
                    stack.append(x.L)
                continue
            if isinstance(x, (list, tuple, set, frozenset, deque)):
                stack.extend(x)
            elif isinstance(x, dict):
                stack.extend(x.keys())
                stack.extend(x.values())
            elif callable(x) and hasattr(x, "__closure__"):
                for cell in x.__closure__ or ():
                    try:
                        stack.append(cell.cell_contents)
                    except ValueError:
                        pass
            else:
                stack.extend(_fields(x))
        return found


def _fields(x: Any) -> list[Any]:
    out: list[Any] = []
    d = getattr(x, "__dict__", None)
    if isinstance(d, dict):
        out.extend(d.values())
    for cls in type(x).__mro__:
        for name in getattr(cls, "__slots__", ()):
            if name in ("fn",) and type(x).__name__ == "Frame":
                continue  # code and constants hold no Go values worth walking
            v = getattr(x, name, None)
            if v is not None:
                out.append(v)
    return out


def _frames_roots(g: Any) -> list[Any]:
    roots: list[Any] = []
    for f in getattr(g, "frames", []):
        roots.append(f.regs)
        if f.defers is not None:
            roots.append(f.defers)
    roots.append(getattr(g, "panics", None))
    return roots


def find_leaks(machine: Any) -> list[tuple[Any, list[tuple[Any, str]]]]:
    """The goroutines that can never run again, each with what it waits on
    ((wait object, verb) pairs; empty for nil channels and ``select {}``)."""
    gs = [g for g in machine.allgs.values() if g.status is not GStatus.DEAD]
    parked = [g for g in gs if g.status is GStatus.WAITING]
    if not parked:
        return []
    walker = _Walker(machine)
    # Every wait object any goroutine can see, to map goroutines to waits.
    everything: list[Any] = [getattr(machine, "timers", None)]
    for g in gs:
        everything.extend(_frames_roots(g))
    for fn in _program_globals(machine):
        everything.append(fn)
    scout = _Walker(machine)
    scout.walk(everything)
    waits: dict[int, list[tuple[Any, str]]] = {}
    for obj in scout.wait_objects.values():
        for q, verb in _queues(obj):
            for w in q:
                waits.setdefault(w.g.id, []).append((obj, verb))
    live: list[Any] = []
    blocked: list[Any] = []
    for g in gs:
        if g.status is GStatus.WAITING and (g.id in waits or g.wait_reason in _FOREVER):
            blocked.append(g)
        else:
            live.append(g)
    roots: list[Any] = [getattr(machine, "timers", None), *_program_globals(machine)]
    for g in live:
        roots.extend(_frames_roots(g))
    # A blocked goroutine whose wait object a live one can reach may yet
    # be woken: it is live too, and what its frames reach counts.  A work
    # list over newly reached wait objects makes this linear (a chain of
    # goroutines, like the prime sieve's filters, is found in one pass).
    waiters: dict[int, list[Any]] = {}
    for g in blocked:
        for obj, _ in waits.get(g.id, []):
            waiters.setdefault(id(obj), []).append(g)
    still = {g.id: g for g in blocked}
    todo = list(walker.walk(roots))
    while todo:
        for g in waiters.pop(todo.pop(), ()):
            if still.pop(g.id, None) is not None:
                todo.extend(walker.walk(_frames_roots(g)))
    return [(g, waits.get(g.id, [])) for g in sorted(still.values(), key=lambda g: g.id)]


def _program_globals(machine: Any) -> list[Any]:
    """Package variables: every Function's ``globals`` is the same list;
    find it through any goroutine's frames."""
    for g in list(machine.allgs.values()) + [getattr(machine, "main", None)]:
        for f in getattr(g, "frames", None) or []:
            glob = getattr(f.fn, "globals", None)
            if glob:
                return [glob]
    return []


_MAKE_CHAN = int(Op.MAKE_CHAN)
_NEW_CELL = int(Op.NEW_CELL)
_MOVE = int(Op.MOVE)
_CLOSURE = int(Op.CLOSURE)


def _trace_make(fn: Any, pc: int, reg: int) -> int:
    """Follow register reg backwards from pc (straight-line, through
    MOVE and NEW_CELL) to the MAKE_CHAN that produced it: its line, or 0."""
    code = fn.code
    for i in range(min(pc, len(code)) - 1, -1, -1):
        op, a, b, _ = code[i]
        if a != reg or op not in (_MAKE_CHAN, _NEW_CELL, _MOVE):
            continue
        if op == _MAKE_CHAN:
            return int(fn.lines[i])
        reg = b  # MOVE a, b / NEW_CELL a, b: the value came from b
    return 0


def make_site(ch: Any, goroutines: list[Any], functions: list[Any]) -> str:
    """Where channel ch was made (``file:line``), found statically from a
    frame that holds it or, for a captured variable, from the CLOSURE
    that captured it; "" when that cannot be told."""
    for g in goroutines:
        for f in getattr(g, "frames", None) or []:
            fn = f.fn
            regs = f.regs
            for r in range(min(len(regs), getattr(fn, "const_base", len(regs)))):
                v = regs[r]
                if v is ch or (type(v) is list and len(v) == 1 and v[0] is ch):
                    line = _trace_make(fn, f.pc + 1, r)
                    if not line and r >= fn.nparams and r < fn.nparams + fn.nfree:
                        line, fn2 = _captured_make(fn, r - fn.nparams, functions)
                        if line:
                            return f"{fn2.filename}:{line}"
                    if line:
                        return f"{fn.filename}:{line}"
    return ""


def _captured_make(fn: Any, k: int, functions: list[Any]) -> tuple[int, Any]:
    """Free variable k of closure fn: trace it in the function that built
    the closure (a CLOSURE whose constant operand is fn)."""
    for parent in functions:
        template = parent.template
        for i, (op, _a, b, c) in enumerate(parent.code):
            if op == _CLOSURE and b < len(template) and template[b] is fn:
                line = _trace_make(parent, i, c + k)
                if line:
                    return line, parent
    return 0, None


def _describe(obj: Any) -> str:
    if isinstance(obj, Channel):
        if obj.cap == 0:
            return "an unbuffered channel"
        return f"a channel (buffer {len(obj.buf)}/{obj.cap})"
    return "a sync." + type(obj).__name__


def _holders(machine: Any, leaked: list[Any]) -> dict[int, list[int]]:
    """For each wait object: the leaked goroutines whose frames reach it."""
    out: dict[int, list[int]] = {}
    for g in leaked:
        w = _Walker(machine)
        w.walk(_frames_roots(g))
        for oid in w.wait_objects:
            out.setdefault(oid, []).append(g.id)
    return out


def leak_report(machine: Any, leaks: list[tuple[Any, list[tuple[Any, str]]]],
                head: str = "", functions: list[Any] | None = None) -> str:
    n = len(leaks)
    head = head or (f"csp: warning: {n} goroutine{'s' if n != 1 else ''} leaked "
                    "(blocked forever when main returned):\n")
    holders = _holders(machine, [g for g, _ in leaks]) if n <= 200 else {}
    parts = [head]
    for g, waits in leaks:
        text = goroutine_text(g, state_of(g))
        if not waits:
            why = (f"goroutine {g.id} waits on a nil channel or an empty select: "
                   "nothing can ever wake it")
        else:
            obj, verb = waits[0]
            what = _describe(obj) if len(waits) == 1 else \
                f"{len(waits)} channels (select)"
            if len(waits) == 1 and isinstance(obj, Channel):
                site = make_site(obj, list(machine.allgs.values()), functions or [])
                if site:
                    what += f" (made at {site})"
            others = [h for h in holders.get(id(obj), []) if h != g.id]
            if others:
                held = ", ".join(str(h) for h in others)
                who = f"goroutines {held} do" if len(others) > 1 else f"goroutine {held} does"
                tail = f"no goroutine that can still run holds it; only blocked {who}"
            else:
                tail = "no goroutine that can still run holds it"
            why = f"goroutine {g.id} {verb} {what}; {tail}"
        parts.append(f"\n{text}    {why}\n")
    return "".join(parts)


class LeakWatcher:
    """Partial deadlocks while the program still runs: called by the
    scheduler when every processor is idle and it is about to jump to the
    next timer (so some goroutine only sleeps, and Go's deadlock detector
    would stay silent).  The first check comes after ``period_ns`` (10 s)
    of virtual time -- a stall that short-lived programs outgrow is not
    announced (if it ends in a global deadlock, that report says it all) --
    then the period doubles after each check (the cost stays bounded in
    long sleepy programs); each goroutine is reported once."""

    def __init__(self, stderr: TextIO, period_ns: int = 10_000_000_000,
                 functions: list[Any] | None = None) -> None:
        self.stderr = stderr
        self.functions = functions or []
        self.period = period_ns
        self.next_check = period_ns
        self.reported: set[int] = set()

    def __call__(self, machine: Any, when: int) -> None:
        if when < self.next_check:
            return
        self.next_check = when + self.period
        self.period *= 2
        new = [(g, w) for g, w in find_leaks(machine) if g.id not in self.reported]
        if not new:
            return
        self.reported.update(g.id for g, _ in new)
        n = len(new)
        note = " including main, so the program can never finish" \
            if any(g.id == 1 for g, _ in new) else ""
        head = (f"csp: warning: partial deadlock at {when / 1e9:g}s (virtual time): "
                f"{n} goroutine{'s' if n != 1 else ''} can never run again{note}:\n")
        self.stderr.write(leak_report(machine, new, head, self.functions))


def check_leaks(machine: Any, code: int, mode: str, stderr: TextIO,
                functions: list[Any] | None = None) -> int:
    """After the run: report leaked goroutines per mode; returns the status."""
    if mode == "off" or code != 0 or getattr(machine, "allgs", None) is None:
        return code
    main = getattr(machine, "main", None)
    if main is not None and getattr(main, "goexit", False):
        return code
    watch = getattr(machine, "leak_watch", None)
    seen = watch.reported if isinstance(watch, LeakWatcher) else set()
    leaks = [(g, w) for g, w in find_leaks(machine) if g.id not in seen]
    if not leaks:
        return code
    stderr.write(leak_report(machine, leaks, functions=functions))
    return LEAK_EXIT_CODE if mode == "error" else code
