"""``csp step prog.csp``: the student is the scheduler (as in the Deadlock
Empire game).  Each turn shows every goroutine with its state and the
source line it will run next; the student types a goroutine id to run it
for one step, ``s`` to let the scheduler pick, ``u`` to undo, ``q`` to quit.
A deadlock, a panic, a fatal error or (with -race) a data race is
announced when reached.

Design: the state after n steps is obtained by re-running the program
from the start on one P with ``--slice 1`` under a runtime/pct.py
ScheduleHook that forces the recorded choices, and stopping at step n.
Runs are deterministic, so this is exact, and undo is just dropping the
last choice.  A step is one scheduler slice: up to the next loop
iteration, call or channel/lock operation.  The line shown is the
statement a goroutine stopped in; a call there (a Lock, a send) may
already have taken effect -- a limitation of slice-level steps.

Invariant: the choices list only holds goroutine ids that were runnable
when chosen (or None: the scheduler's own pick), so every prefix replays.
"""

from __future__ import annotations

import argparse
import io
import sys
from typing import Any, Optional, TextIO

from lang.records import field, record
from runtime.pct import ScheduleHook


class _Stop(BaseException):
    """Raised by the hook at the wanted step (a BaseException so that no
    runtime layer mistakes it for a program error)."""


@record(slots=False)
class GoroutineView:
    gid: int
    state: str
    func: str
    line: int


@record(slots=False)
class StepState:
    goroutines: list[GoroutineView] = field(default_factory=list)
    runnable: list[int] = field(default_factory=list)
    stdout: str = ""
    stderr: str = ""
    finished: bool = False
    code: int = 0


class _StepHook(ScheduleHook):
    limit: int = 0
    state: Optional[StepState] = None

    def _step(self, machine: Any) -> bool:
        if self.steps >= self.limit:
            state = _snapshot(machine)
            if state.runnable:
                self.state = state
                raise _Stop()
            # Nobody can run: let the scheduler report the deadlock (or
            # fire a timer; the next step then stops).
        return super()._step(machine)


def _snapshot(machine: Any) -> StepState:
    p = machine.procs[0]
    runnable = ([p.cur] if p.cur is not None else []) + \
        ([p.runnext] if p.runnext is not None else []) + list(p.runq) + list(machine.globq)
    ids = {g.id for g in runnable}
    views = []
    for gid in sorted(machine.allgs):
        g = machine.allgs[gid]
        stack = g.stack()
        func, line = (stack[0][0], stack[0][2]) if stack else ("?", 0)
        if g is p.cur:
            state = "running"
        elif gid in ids:
            state = "runnable"
        else:
            reason = g.wait_reason
            state = f"waiting: {reason}" if reason else "waiting"
        views.append(GoroutineView(gid, state, func, line))
    return StepState(views, [g.id for g in runnable])


def run_to(program_path: str, source: str, choices: list[Optional[int]], seed: int,
           race: bool) -> StepState:
    """The state after len(choices) steps (or the finished run)."""
    from lang.pipeline import load
    from runtime.run import RunOptions, run_program

    res = load(program_path, source)
    if res.program is None:
        return StepState(stderr="compile error\n", finished=True, code=2)
    hook = _StepHook(seed=seed, switches={k + 1: c for k, c in enumerate(choices)
                                          if c is not None})
    hook.limit = len(choices)
    out, err = io.StringIO(), io.StringIO()
    opts = RunOptions(stdout=out, stderr=err, seed=seed, procs=1, slice_units=1,
                      race=race, leaks="warn", max_instructions=10_000_000, strategy=hook)
    try:
        code = run_program(res.program, opts)
    except _Stop:
        state = hook.state or StepState()
        state.stdout, state.stderr = out.getvalue(), err.getvalue()
        return state
    return StepState(stdout=out.getvalue(), stderr=err.getvalue(), finished=True, code=code)


def announce(state: StepState) -> Optional[str]:
    err = state.stderr
    if "WARNING: DATA RACE" in err:
        return "DATA RACE reached!"
    if "all goroutines are asleep - deadlock!" in err:
        return "DEADLOCK reached: all goroutines are asleep!"
    for line in err.splitlines():
        if line.startswith("panic: "):
            return f"PANIC reached: {line}"
        if line.startswith("fatal error: "):
            return f"FATAL ERROR reached: {line}"
    if state.finished:
        return f"the program finished (exit status {state.code})"
    return None


def render(state: StepState, lines: list[str], nsteps: int) -> str:
    out = [f"--- step {nsteps} ---"]
    for v in state.goroutines:
        text = lines[v.line - 1].strip() if 0 < v.line <= len(lines) else ""
        out.append(f"  goroutine {v.gid} [{v.state}] {v.func} line {v.line}: {text}")
    if state.stdout:
        out.append("  output so far: " + state.stdout.rstrip("\n").replace("\n", " | "))
    return "\n".join(out)


def step_loop(path: str, source: str, inp: Any = None, output: Any = None,
              out: TextIO = sys.stdout, seed: int = 1, race: bool = False) -> int:
    """The interactive loop; returns 0, or 1 when a bug was reached."""
    from prompt_toolkit import PromptSession

    session: PromptSession[str] = PromptSession(input=inp, output=output)
    lines = source.splitlines()
    choices: list[Optional[int]] = []
    out.write("csp step: you are the scheduler. Type a goroutine id to run it one step, "
              "s: scheduler's pick, u: undo, q: quit.\n")
    while True:
        state = run_to(path, source, choices, seed, race)
        news = announce(state)
        if news is not None:
            if state.stdout:
                out.write("output:\n" + state.stdout)
            if state.stderr:
                out.write(state.stderr.splitlines()[0] + "\n")
            out.write(news + f" (after {len(choices)} steps; u: undo, q: quit)\n")
        else:
            out.write(render(state, lines, len(choices)) + "\n")
            out.write("  runnable: " + ", ".join(map(str, state.runnable)) + "\n")
        out.flush()
        try:
            cmd = session.prompt("step> ").strip()
        except (EOFError, KeyboardInterrupt):
            return 1 if news and "finished" not in news else 0
        if cmd == "q":
            return 1 if news and "finished" not in news else 0
        if cmd == "u":
            if choices:
                choices.pop()
            continue
        if news is not None:
            out.write("the run is over: u to undo, q to quit\n")
            continue
        if cmd in ("s", ""):
            choices.append(None)
        elif cmd.isdigit() and int(cmd) in state.runnable:
            choices.append(int(cmd))
        else:
            out.write(f"not a runnable goroutine: {cmd!r}\n")


def run_step_command(argv: list[str]) -> int:
    """Entry point from csp/cli.py."""
    p = argparse.ArgumentParser(prog="csp step", usage="csp step [-race] FILE.csp")
    p.add_argument("-race", "--race", action="store_true")
    p.add_argument("-seed", "--seed", type=int, default=1)
    p.add_argument("file")
    try:
        ns = p.parse_args(argv)
    except SystemExit as e:
        return 0 if e.code == 0 else 2
    try:
        with open(ns.file, encoding="utf-8") as f:
            source = f.read()
    except OSError as e:
        sys.stderr.write(f"csp step: {e.strerror}: {ns.file}\n")
        return 2
    return step_loop(ns.file, source, seed=ns.seed, race=ns.race)
