"""Deadlock detection and Go-shaped goroutine dumps.

Go's checkdead (proc.go): when no goroutine can run, no timer is pending
and the program has not exited, the runtime throws
``fatal error: all goroutines are asleep - deadlock!`` and dumps every
goroutine; the exit code is 2.  If no goroutine is even waiting (main
called runtime.Goexit and everything else finished) the message is
``no goroutines (main called runtime.Goexit) - deadlock!``.

Dump shape (Go >= 1.21 wording; csp prints no hex offsets or arguments):

    goroutine 6 [chan receive]:
    main.main.func1()
        prog.csp:16
    created by main.main in goroutine 1
        prog.csp:14

Goroutines are listed in creation order, separated by blank lines.  The
scheduler decides *when* (detect); this module only builds the text and
never steers anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from runtime.waitreason import WaitReason

DEADLOCK = "all goroutines are asleep - deadlock!"
NO_GOROUTINES = "no goroutines (main called runtime.Goexit) - deadlock!"

# A parked goroutine's pc points *at* the blocking instruction (it
# re-executes on wake, see runtime/park.py), so its line is lines[pc].


def qualify(name: str) -> str:
    """Go prints package-qualified names: main.main, main.worker.func1."""
    return name if "." in name else "main." + name


def stack_frames(g: Any) -> list[tuple[str, str, int]]:
    """(function, file, line) innermost first for goroutine g.

    Works from ``g.frames`` (runtime/goroutine.py) when present, else from
    ``g.stack()`` (fakes and other machines)."""
    frames = getattr(g, "frames", None)
    if frames is None:
        out: list[tuple[str, str, int]] = list(g.stack())
        return out
    rewound = g.wait_reason is not None
    result: list[tuple[str, str, int]] = []
    depth = 0
    for f in reversed(frames):
        fn = f.fn
        if fn.filename == "<runtime>" or fn.name.startswith("runtime."):
            continue  # runtime.main / runtime.goexit: Go hides runtime frames
        if depth == 0 and rewound and f.pc < len(fn.lines):
            line = fn.lines[f.pc]
        else:
            line = f.line()
        result.append((fn.name, fn.filename, line))
        depth += 1
    return result


def goroutine_text(g: Any, state: str) -> str:
    """One goroutine's dump, ending with a newline."""
    lines = [f"goroutine {g.id} [{state}]:"]
    for name, filename, line in stack_frames(g):
        lines.append(f"{qualify(name)}()")
        lines.append(f"\t{filename}:{line}")
    created = getattr(g, "created_by", None)
    site = getattr(g, "go_site", None)
    if created is not None and site is not None:
        creator, parent_id = created
        lines.append(f"created by {qualify(creator)} in goroutine {parent_id}")
        lines.append(f"\t{site[0]}:{site[1]}")
    return "\n".join(lines) + "\n"


def state_of(g: Any) -> str:
    reason = g.wait_reason
    if isinstance(reason, WaitReason):
        return reason.value
    if reason:
        return str(reason)
    status = getattr(g, "status", None)
    return str(getattr(status, "value", status) or "waiting")


def deadlock_report(goroutines: Iterable[Any]) -> str:
    """The complete stderr text of a deadlock (ends with a newline)."""
    gs = list(goroutines)
    if not gs:
        return f"fatal error: {NO_GOROUTINES}\n"
    parts = [goroutine_text(g, state_of(g)) for g in gs]
    return f"fatal error: {DEADLOCK}\n\n" + "\n".join(parts)


def fatal_report(message: str, g: Any) -> str:
    """``fatal error: <message>`` for a throw in g (e.g. unlock of unlocked
    mutex): only the throwing goroutine is dumped, as Go does."""
    return f"fatal error: {message}\n\n" + goroutine_text(g, "running")
