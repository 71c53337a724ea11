"""Human-readable listing of compiled code, in the manner of clox's debug.c
and Python's dis: one function after another, one instruction per line.

Format per function: a header ``== main.fib (prog.csp:9) ==``, then per
instruction the source line (shown only when it changes, else ``|``), the
offset, the opcode name and the operands decoded by their kind from
``lang.opcodes.OPCODES``: registers as ``r3``, constant registers with
their value (``k0=2``), immediates as plain numbers, jump targets as
``-> 12``.  ``format_instruction`` is reusable for execution traces.
"""

from __future__ import annotations

from typing import Any

from lang.chunk import Function
from lang.opcodes import OPCODES, Op
from runtime.program import Program


def _const_repr(v: Any) -> str:
    if isinstance(v, Function):
        return f"<func {v.name}>"
    if callable(v) and not isinstance(v, type):
        name = getattr(v, "__qualname__", None) or getattr(v, "__name__", "native")
        return f"<native {name}>"
    r = repr(v)
    return r if len(r) <= 40 else r[:37] + "..."


def format_operand(fn: Function, kind: str, value: int) -> str:
    if kind == "R":
        if value >= fn.const_base and value < len(fn.template):
            return f"k{value - fn.const_base}={_const_repr(fn.template[value])}"
        return f"r{value}"
    if kind == "J":
        return f"-> {value}"
    return str(value)


def format_instruction(fn: Function, pc: int) -> str:
    op, a, b, c = fn.code[pc]
    o = Op(op)
    kinds = OPCODES[o].kinds
    parts = []
    for kind, value in zip(kinds, (a, b, c), strict=True):
        if kind == "_":
            continue
        if o in (Op.APPEND1, Op.APPEND_SLICE) and value is c:
            parts.append(format_operand(fn, "R", c & 0xFFFF) + f" size={c >> 16}")
            continue
        parts.append(format_operand(fn, kind, value))
    return f"{pc:4d} {o.name:<16} {', '.join(parts)}"


def disassemble_function(fn: Function) -> str:
    lines = [f"== {fn.name} ({fn.filename}:{fn.line}) =="]
    last = -1
    for pc in range(len(fn.code)):
        line = fn.lines[pc] if pc < len(fn.lines) else 0
        col = f"{line:4d}" if line != last else "   |"
        last = line
        lines.append(f"{col} {format_instruction(fn, pc)}")
    return "\n".join(lines) + "\n"


def disassemble(program: Program) -> str:
    """The whole program: every function, then the entry function."""
    out = [disassemble_function(fn) for fn in program.functions]
    out.append(disassemble_function(program.entry))
    return "\n".join(out)
