"""The REPL's ``:commands`` (shared by the terminal REPL and the Jupyter
kernel): looking at the live machine, and managing the session.

Invariant: every look at the scheduler happens under
``machine.paused()``, so the worker thread is stopped at a safe point.
"""

from __future__ import annotations

import os
import shlex
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from csp.session import Session

COMMANDS = (":goroutines", ":channels", ":sched", ":dis", ":vars", ":procs", ":seed",
            ":reset", ":load", ":help")


def run_command(session: Session, line: str) -> bool:
    try:
        words = shlex.split(line)
    except ValueError as e:
        session.err.write(f"{line}: {e}\n")
        return False
    name, args = words[0], words[1:]
    matches = [c for c in COMMANDS if c.startswith(name)]
    if name in COMMANDS:
        matches = [name]
    if len(matches) != 1:
        session.err.write(f"unknown command {name}; try :help\n")
        return False
    handler = _HANDLERS[matches[0]]
    return handler(session, args)


def _help(session: Session, args: list[str]) -> bool:
    from csp.session import HELP
    session.out.write(HELP)
    return True


def _where(g: Any) -> str:
    from runtime.deadlock import qualify, stack_frames
    frames = stack_frames(g)
    if not frames:
        return ""
    name, filename, line = frames[0]
    return f"{qualify(name)} at {filename}:{line}"


def _goroutines(session: Session, args: list[str]) -> bool:
    from runtime.deadlock import state_of
    with session.machine.paused() as sched:
        rows = []
        for gid, g in sorted(sched.allgs.items()):
            status = getattr(g.status, "value", str(g.status))
            reason = g.wait_reason
            state = state_of(g) if reason is not None else status
            rows.append(f"goroutine {gid} [{state}] {_where(g)}".rstrip())
    session.out.write("\n".join(rows) + "\n" if rows else "no goroutines\n")
    return True


def _channels(session: Session, args: list[str]) -> bool:
    from runtime.channel import Channel
    rows = []
    with session.machine.paused():
        for name, var in session.vars.items():
            value = session.globals[var.slot]
            if isinstance(value, Channel):
                state = " closed" if value.closed else ""
                rows.append(
                    f"{name} {var.source}: len {len(value.buf)} cap {value.cap}{state}, "
                    f"{len(value.recvq)} receivers waiting, {len(value.sendq)} senders waiting")
    session.out.write("\n".join(rows) + "\n" if rows else "no channels in session variables\n")
    return True


def _gid(g: Any) -> str:
    return "-" if g is None else str(g.id)


def _sched(session: Session, args: list[str]) -> bool:
    rows = []
    with session.machine.paused() as sched:
        for p in sched.procs:
            state = "idle" if p.idle else ("spinning" if p.spinning else "running")
            queue = " ".join(str(g.id) for g in p.runq)
            rows.append(f"P{p.id} {state:<8} now={p.now / 1e6:.3f}ms cur={_gid(p.cur)} "
                        f"runnext={_gid(p.runnext)} runq=[{queue}]")
        gq = " ".join(str(g.id) for g in sched.globq)
        rows.append(f"global runq=[{gq}] timers={len(sched.timers.heap)} "
                    f"goroutines={len(sched.allgs)}")
    session.out.write("\n".join(rows) + "\n")
    return True


def _dis(session: Session, args: list[str]) -> bool:
    from lang.dis import disassemble_function
    program = session.program
    if not args:
        session.err.write(":dis NAME: which function?\n")
        return False
    if program is None:
        session.err.write(f":dis: no function {args[0]}\n")
        return False
    want = args[0]
    for fn in program.functions:
        if fn.name in (want, f"main.{want}") or fn.name.endswith(f".{want}"):
            session.out.write(disassemble_function(fn))
            return True
    session.err.write(f":dis: no function {want}\n")
    return False


def _vars(session: Session, args: list[str]) -> bool:
    rows = [f"{name} {var.source}" for name, var in session.vars.items()]
    session.out.write("\n".join(rows) + "\n" if rows else "no variables\n")
    return True


def _number(session: Session, args: list[str], command: str, minimum: int) -> int | None:
    try:
        n = int(args[0], 0)
    except (IndexError, ValueError):
        n = minimum - 1
    if n < minimum:
        session.err.write(f"{command} N: N must be an integer >= {minimum}\n")
        return None
    return n


def _procs(session: Session, args: list[str]) -> bool:
    n = _number(session, args, ":procs", 1)
    if n is None:
        return False
    with session.machine.paused() as sched:
        running = len(sched.allgs)
    session.machine.close()
    session.procs = n
    from csp.replmachine import ReplMachine
    session.machine = ReplMachine(session.out, session.err, procs=n, seed=session.seed)
    note = f" ({running} goroutines dropped)" if running else ""
    session.out.write(f"GOMAXPROCS={n}; the machine restarted{note}\n")
    return True


def _seed(session: Session, args: list[str]) -> bool:
    n = _number(session, args, ":seed", -(1 << 63))
    if n is None:
        return False
    import random
    with session.machine.paused() as sched:
        sched.rng = random.Random(n)
        sched.seed = n
    session.seed = n
    return True


def _reset(session: Session, args: list[str]) -> bool:
    session.reset()
    session.out.write("session reset\n")
    return True


def _load(session: Session, args: list[str]) -> bool:
    """Declarations go in one by one; var declarations and the body of main
    run as entries (so main's variables become session variables)."""
    from lang import ast
    from lang.parser import parse
    if len(args) != 1:
        session.err.write(":load FILE\n")
        return False
    path = os.path.expanduser(args[0])
    try:
        with open(path, encoding="utf-8") as fh:
            source = fh.read()
    except OSError as e:
        session.err.write(f":load: {e.strerror or e}: {path}\n")
        return False
    f, diags = parse(path, source)
    if f is None or diags:
        from lang.diagnostics import format_diagnostic
        for diag in diags:
            session.err.write(format_diagnostic(diag, source) + "\n")
        return False
    from csp.session import _slice
    main_body = None
    for d in f.decls:
        if isinstance(d, ast.GenDecl) and d.tok == "import":
            continue
        if isinstance(d, ast.FuncDecl) and d.recv is None and d.name.name in ("main", "init"):
            if d.name.name == "main" and d.body is not None:
                b = d.body
                main_body = _slice(source, ast.Span(b.span.line, b.span.col + 1,
                                                    b.rbrace.line, b.rbrace.col))
            continue
        if not session.execute(_slice(source, d.span)):
            return False
    if main_body is not None:
        return session.execute(main_body)
    return True


_HANDLERS = {
    ":goroutines": _goroutines,
    ":channels": _channels,
    ":sched": _sched,
    ":dis": _dis,
    ":vars": _vars,
    ":procs": _procs,
    ":seed": _seed,
    ":reset": _reset,
    ":load": _load,
    ":help": _help,
}
