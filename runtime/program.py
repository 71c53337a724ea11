"""A compiled program: its functions, globals and entry point.

Invariants:
- ``entry`` is a parameterless function that initialises package variables
  in Go's order and then calls ``main.main``; running it is running the
  program.
- ``globals`` is the one list every Function's ``globals`` refers to;
  ``Pointer(globals, i)`` designates package variable i.
"""

from __future__ import annotations

from typing import Any

from lang.chunk import Function


class Program:
    def __init__(self, functions: list[Function], globals_: list[Any], entry: Function,
                 filename: str) -> None:
        self.functions = functions
        self.globals = globals_
        self.entry = entry
        self.filename = filename
