"""The contract between the VM and whatever schedules goroutines.

The VM never schedules: ``runtime.vm.run(machine, g, budget)`` runs one
goroutine and returns a ``StopReason``; everything involving other
goroutines goes through the ``Machine`` it was given.  ``SequentialMachine``
is the trivial machine for programs with one goroutine (it runs spawned
goroutines round-robin to completion, enough for tests of the sequential
language); the concurrency runtime supplies the real G-M-P machine.
"""

from __future__ import annotations

import enum
import random
from collections import deque
from typing import Any, Protocol, TextIO

from runtime.goroutine import Goroutine


class StopReason(enum.Enum):
    BUDGET = "budget"        # used up its instruction budget; still runnable
    BUDGET_CALL = "budget_call"  # budget ran out at a call (cooperative preemption point)
    BLOCKED = "blocked"      # parked (status WAITING); an owner will ready it
    YIELDED = "yielded"      # runtime.Gosched: runnable, wants to go to the back
    EXITED = "exited"        # the goroutine's entry function returned
    PANICKED = "panicked"    # unrecovered panic; g.exit_panic holds it


class Machine(Protocol):
    """What the VM may ask of the machine that runs it."""

    stdout: TextIO
    stderr: TextIO
    rng: random.Random

    def spawn(self, fn: Any, args: list[Any], parent: Goroutine,
              go_site: tuple[str, int]) -> Goroutine:
        """Create a goroutine running fn(*args) (``go`` statement)."""

    def ready(self, g: Goroutine) -> None:
        """Make a parked goroutine runnable again."""

    def now(self, g: Goroutine) -> int:
        """Virtual time in nanoseconds as seen by g."""


class SequentialMachine:
    """One goroutine at a time, run queue in FIFO order, no virtual time."""

    def __init__(self, stdout: TextIO, stderr: TextIO, seed: int = 0) -> None:
        self.stdout = stdout
        self.stderr = stderr
        self.rng = random.Random(seed)
        self.next_id = 1
        self.runq: deque[Goroutine] = deque()
        self.clock = 0

    def new_goroutine(self) -> Goroutine:
        g = Goroutine(self.next_id, self)
        self.next_id += 1
        return g

    def spawn(self, fn: Any, args: list[Any], parent: Goroutine,
              go_site: tuple[str, int]) -> Goroutine:
        from runtime.vm import start_goroutine
        g = self.new_goroutine()
        g.go_site = go_site
        start_goroutine(g, fn, args)
        self.runq.append(g)
        return g

    def ready(self, g: Goroutine) -> None:
        self.runq.append(g)

    def now(self, g: Goroutine) -> int:
        return self.clock

    def pop_runnable(self) -> Goroutine | None:
        return self.runq.popleft() if self.runq else None
