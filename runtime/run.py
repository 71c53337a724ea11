"""Running a compiled program to completion on the simulated G-M-P machine.

``run_program(program, options) -> int`` is the entry point the CLI calls:
it runs ``program.entry`` as goroutine 1 on ``runtime.scheduler.Scheduler``
and returns the process exit code (0 when main returns, 2 after an
unrecovered panic, a fatal error or a deadlock, n after ``os.Exit(n)``).
Reports go to ``options.stderr`` in Go's shape.  Exceeding
``options.max_instructions`` raises ``InstructionLimitExceeded`` (the CLI
prints it and exits 2).
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Optional, TextIO

from runtime.program import Program


class InstructionLimitExceeded(Exception):
    """The program ran longer than options.max_instructions."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"csp: instruction limit of {limit} exceeded")
        self.limit = limit


@dataclass
class RunOptions:
    stdout: TextIO = field(default_factory=lambda: sys.stdout)
    stderr: TextIO = field(default_factory=lambda: sys.stderr)
    max_instructions: Optional[int] = None
    seed: int = 1
    procs: int = 4
    preempt: str = "async"
    clock: str = "virtual"
    schedtrace_ms: int = 0


def run_program(program: Program, options: Optional[RunOptions] = None) -> int:
    """Run program on the simulated machine; return the exit code."""
    from runtime.scheduler import Scheduler
    opts = options or RunOptions()
    machine = Scheduler(opts.stdout, opts.stderr, procs=opts.procs, seed=opts.seed,
                        preempt=opts.preempt, clock=opts.clock,
                        schedtrace_ms=opts.schedtrace_ms,
                        max_instructions=opts.max_instructions)
    try:
        return machine.run(program.entry)
    finally:
        flush = getattr(opts.stdout, "flush", None)
        if flush is not None:
            flush()
