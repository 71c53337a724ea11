"""Running a compiled program to completion on the simulated G-M-P machine.

``run_program(program, options) -> int`` is the entry point the CLI calls:
it runs ``program.entry`` as goroutine 1 on ``runtime.scheduler.Scheduler``
and returns the process exit code (0 when main returns, 2 after an
unrecovered panic, a fatal error or a deadlock, n after ``os.Exit(n)``).
Reports go to ``options.stderr`` in Go's shape.  Limits (--timeout,
--max-steps = ``max_instructions``, --max-goroutines, --max-memory,
--max-output, the stack cap) are enforced by runtime/limits.py: hitting
one prints ``csp: program exceeded --FLAG=VALUE (raise it with --FLAG)``
and a goroutine dump, and returns the limit's exit code (3-7); a stack
overflow is Go's fatal error (2); Ctrl-C returns 130.
``InstructionLimitExceeded`` is only raised by a bare Scheduler.
"""
from __future__ import annotations

import sys
from typing import Any, Callable, Optional, TextIO

from lang.records import field, record
from runtime.limits import DEFAULT_MAX_GOROUTINES, DEFAULT_MAX_MEMORY, MAX_FRAMES
from runtime.program import Program


class InstructionLimitExceeded(Exception):
    """The program ran longer than options.max_instructions."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"csp: instruction limit of {limit} exceeded")
        self.limit = limit


@record(slots=False)
class RunOptions:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    max_instructions: Optional[int] = None
    seed: int = 1
    procs: int = 4
    preempt: str = "async"
    clock: str = "virtual"
    schedtrace_ms: int = 0
    # Limits (runtime/limits.py; None: no limit).  Hitting one prints the
    # reason and a goroutine dump and returns the limit's exit code.
    timeout: Optional[float] = None          # wall-clock seconds
    max_goroutines: Optional[int] = DEFAULT_MAX_GOROUTINES
    max_memory: Optional[int] = DEFAULT_MAX_MEMORY  # bytes, estimated
    max_output: Optional[int] = None         # bytes of stdout
    max_frames: int = MAX_FRAMES             # per goroutine: stack overflow
    debug: bool = False                      # goroutine dump on Ctrl-C
    race: bool = False                       # -race: runtime/race.py
    leaks: str = "warn"                      # off|warn|error: runtime/leaks.py
    slice_units: int = 0                     # --slice: vm.run budget (0: default)
    # csp run --trace / --timeline: files written when the run ends
    # (runtime/trace.py, runtime/timeline.py).
    trace_path: Optional[str] = None
    timeline_path: Optional[str] = None
    # Called with the Scheduler right after it is built (csp/exercise.py
    # reads virtual time and instruction counts from it after the run).
    on_machine: Optional[Callable[[Any], None]] = None
    # A schedule strategy (runtime/pct.py ScheduleHook: PCT priorities or
    # forced switches) attached to the machine; None: the plain scheduler.
    strategy: Any = None


def run_program(program: Program, options: Optional[RunOptions] = None) -> int:
    """Run program on the simulated machine; return the exit code."""
    from runtime.limits import RunLimits, supervise
    from runtime.scheduler import Scheduler
    opts = options or RunOptions()
    machine = Scheduler(opts.stdout, opts.stderr, procs=opts.procs, seed=opts.seed,
                        preempt=opts.preempt, clock=opts.clock,
                        schedtrace_ms=opts.schedtrace_ms,
                        max_instructions=opts.max_instructions)
    limits = RunLimits(timeout=opts.timeout, max_steps=opts.max_instructions,
                       max_goroutines=opts.max_goroutines, max_memory=opts.max_memory,
                       max_output=opts.max_output, max_frames=opts.max_frames,
                       debug=opts.debug)
    if opts.leaks != "off":
        from runtime.leaks import LeakWatcher
        machine.leak_watch = LeakWatcher(opts.stderr, functions=program.functions)
    if opts.on_machine is not None:
        opts.on_machine(machine)
    if opts.slice_units > 0:
        machine.slice_units = opts.slice_units  # finer interleaving (csp explore)
    if opts.strategy is not None:
        opts.strategy.attach(machine)
    if opts.race:
        from lang.compile_race import instrument
        from runtime.race import RaceDetector
        instrument(program)
        machine.race = RaceDetector(opts.stderr)
    recorder = None
    if opts.trace_path or opts.timeline_path:
        from runtime.trace import attach
        recorder = attach(machine, timeline=bool(opts.timeline_path))
    try:
        code = supervise(machine, limits, lambda: machine.run(program.entry))
        if opts.leaks != "off":
            from runtime.leaks import check_leaks
            code = check_leaks(machine, code, opts.leaks, opts.stderr, program.functions)
        if machine.race is not None:
            code = machine.race.finish(code)
        return code
    finally:
        if recorder is not None:
            from runtime.trace import save_outputs
            save_outputs(machine, recorder, opts.trace_path, opts.timeline_path, opts.stderr)
        flush = getattr(opts.stdout, "flush", None)
        if flush is not None:
            flush()
