"""Running a compiled program to completion on the sequential machine.

``run_program(program, options) -> int`` is the entry point the CLI calls:
it runs ``program.entry`` as goroutine 1 and returns the process exit code
(0, 2 after an unrecovered panic, n after ``os.Exit(n)``).  Reports go to
``options.stderr`` in Go's shape.  Exceeding ``options.max_instructions``
raises ``InstructionLimitExceeded`` (the CLI prints it and exits 2).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Optional, TextIO

from runtime.errors import GoExit, GoFatal
from runtime.machine import SequentialMachine, StopReason
from runtime.program import Program

SLICE_BUDGET = 1 << 20


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
    seed: int = 0


def run_program(program: Program, options: Optional[RunOptions] = None) -> int:
    """Run program; return the exit code."""
    from runtime.vm import run, start_goroutine
    opts = options or RunOptions()
    machine = SequentialMachine(opts.stdout, opts.stderr, opts.seed)
    main_g = machine.new_goroutine()
    start_goroutine(main_g, program.entry, [])
    limit = opts.max_instructions
    used = 0
    g = main_g
    try:
        while True:
            budget = SLICE_BUDGET if limit is None else max(1, min(SLICE_BUDGET, limit - used))
            before = g.instructions
            stop = run(machine, g, budget)
            used += g.instructions - before
            if stop is StopReason.PANICKED:
                opts.stderr.write(g.panic_text)
                return 2
            if stop is StopReason.EXITED and g is main_g and not main_g.goexit:
                return 0
            if stop in (StopReason.BUDGET, StopReason.BUDGET_CALL, StopReason.YIELDED):
                machine.runq.append(g)
            if limit is not None and used >= limit:
                raise InstructionLimitExceeded(limit)
            nxt = machine.pop_runnable()
            if nxt is None and main_g.goexit:
                opts.stderr.write("fatal error: no goroutines (main called runtime.Goexit)"
                                  " - deadlock!\n")
                return 2
            if nxt is None:
                opts.stderr.write("fatal error: all goroutines are asleep - deadlock!\n\n"
                                  "goroutine 1 [chan receive]:\nmain.main()\n")
                return 2
            g = nxt
    except GoExit as e:
        return e.code
    except GoFatal as e:
        opts.stderr.write(f"fatal error: {e.message}\n")
        return 2
    finally:
        flush = getattr(opts.stdout, "flush", None)
        if flush is not None:
            flush()
