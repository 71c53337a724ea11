"""Runtime faults raised inside the VM and natives.

Invariants:
- ``GoPanic`` carries the Go panic value exactly as ``recover()`` returns it
  (a runtime error is an ``Iface`` of type ``runtime.Error``; ``panic("x")``
  carries the boxed string).  The VM turns it into Go's unwinding: deferred
  calls run, ``recover`` may stop it, otherwise Go's report is printed and
  the program exits 2.
- ``GoFatal`` is an unrecoverable fatal error (``fatal error: ...``):
  deferred calls do not run and recover cannot stop it.
- ``GoExit`` is ``os.Exit(code)``: the program ends at once, no defers.
"""

from __future__ import annotations

from typing import Any


class GoPanic(Exception):
    """A Go panic in flight.  value is the boxed panic value (Iface)."""

    def __init__(self, value: Any) -> None:
        super().__init__(value)
        self.value = value


class GoFatal(Exception):
    """``fatal error: <message>``: not recoverable."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class GoExit(Exception):
    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code
