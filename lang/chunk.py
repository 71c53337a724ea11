"""A compiled function (its code, register template and line table) and the
runtime shapes of Go function values built from it.

Invariants:
- ``code[i]`` is a 4-tuple of ints ``(op, a, b, c)``; ``lines[i]`` is the
  source line of instruction i.
- ``template`` has exactly ``nregs`` entries: registers below
  ``const_base`` start as None (params, locals, temporaries), registers
  from ``const_base`` on hold constants.  A frame's registers are a fresh
  copy of the template with the arguments stored into ``0..nparams-1``;
  a closure's captured cells follow at ``nparams..nparams+nfree-1``.
- Constants are immutable Python values or shared read-only templates
  (zero values of struct/array type are only ever read through COPY).
- ``epilogue`` is the pc of the function's RUN_DEFERS/RET sequence (where a
  recovered panic resumes), or -1 when the function has no defer.
"""

from __future__ import annotations

from typing import Any


class Function:
    """A compiled Go function or method (also a Go func value of a
    top-level function, which captures nothing)."""

    __slots__ = ("name", "filename", "line", "code", "lines", "template", "nregs",
                 "const_base", "nparams", "nfree", "nresults", "epilogue", "globals")

    def __init__(self, name: str, filename: str, line: int) -> None:
        self.name = name
        self.filename = filename
        self.line = line
        self.code: list[tuple[int, int, int, int]] = []
        self.lines: list[int] = []
        self.template: list[Any] = []
        self.nregs = 0
        self.const_base = 0
        self.nparams = 0
        self.nfree = 0
        self.nresults = 0
        self.epilogue = -1
        self.globals: list[Any] = []

    def __repr__(self) -> str:
        return f"<func {self.name}>"


class Closure:
    """A function literal's value: its code and the captured cells."""

    __slots__ = ("fn", "cells")

    def __init__(self, fn: Function, cells: list[Any]) -> None:
        self.fn = fn
        self.cells = cells

    def __repr__(self) -> str:
        return f"<closure {self.fn.name}>"


class BoundMethod:
    """A method value ``x.M``: the method (a Function or a native callable
    taking ``(ctx, recv, *args)``) and the receiver, bound when evaluated."""

    __slots__ = ("fn", "recv")

    def __init__(self, fn: Any, recv: Any) -> None:
        self.fn = fn
        self.recv = recv

    def __repr__(self) -> str:
        return f"<method {self.fn!r}>"
