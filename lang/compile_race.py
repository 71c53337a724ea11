"""Race-mode instrumentation: a post-pass over compiled functions.

``instrument(program)`` rewrites every function of a compiled Program so
that each instruction touching memory another goroutine could see (package
variables, cells of captured/addressed variables, struct fields, array and
slice elements, map entries, values behind pointers) and each channel
operation is preceded by ``RACE 0``, and each SELECT is followed by
``RACE 1``.  The VM hands a RACE to ``runtime/race.py``, which decodes the
neighbouring instruction itself; so RACE needs no operands of its own.

Why a post-pass instead of compiler changes: the compiler stays untouched
and pays nothing when -race is off (no RACE instruction ever exists then).

Invariants after the pass:
- Every jump target (JTABLE's constant list included), ``Function.epilogue``
  and the line table are remapped;
  a jump to an instrumented instruction lands on its RACE, so the check
  always runs right before the access.
- A RACE 0 is immediately followed by the instruction it describes; a
  RACE 1 immediately follows its SELECT.  A parked channel op re-executes
  itself (frame.pc rewinds to the op, not to the RACE), so the RACE 0 of a
  blocking operation runs exactly once.
- Instrumenting twice is a no-op (functions already holding RACE are skipped).
"""

from __future__ import annotations

from lang.chunk import Function
from lang.opcodes import Op, jump_operand
from runtime.program import Program

RACE = int(Op.RACE)
SELECT = int(Op.SELECT)
JTABLE = int(Op.JTABLE)

# Instructions whose memory or channel effect the detector must see.
ACCESS_OPS: frozenset[int] = frozenset(int(o) for o in (
    Op.LOAD_GLOBAL, Op.STORE_GLOBAL, Op.LOAD_CELL, Op.STORE_CELL,
    Op.INDEX_SLICE, Op.INDEX_LIST, Op.SET_SLICE, Op.SET_LIST,
    Op.MAP_GET, Op.MAP_GET_OK, Op.MAP_SET, Op.MAP_DELETE,
    Op.GETFIELD, Op.SETFIELD, Op.DEREF, Op.STORE_PTR,
    Op.APPEND1, Op.APPEND_SLICE, Op.COPY_SLICE, Op.ITER_INIT,
    Op.SEND, Op.RECV, Op.RECV_OK, Op.RANGE_RECV, Op.RECV_BACK, Op.CLOSE, Op.SELECT,
))

_JUMP_INDEX: dict[int, int] = {int(o): jump_operand(o) for o in Op}


def instrument_function(fn: Function) -> None:
    """Insert RACE instructions into fn in place (see the module header)."""
    code = fn.code
    if any(ins[0] == RACE for ins in code):
        return
    lines = fn.lines
    new_code: list[tuple[int, int, int, int]] = []
    new_lines: list[int] = []
    where: list[int] = []  # old pc -> new pc
    for i, ins in enumerate(code):
        where.append(len(new_code))
        line = lines[i] if i < len(lines) else fn.line
        op = ins[0]
        if op in ACCESS_OPS:
            new_code.append((RACE, 0, 0, 0))
            new_lines.append(line)
        new_code.append(ins)
        new_lines.append(line)
        if op == SELECT:
            new_code.append((RACE, 1, 0, 0))
            new_lines.append(line)
    where.append(len(new_code))

    def remap(target: int) -> int:
        return where[target] if 0 <= target < len(where) else target

    for k, ins in enumerate(new_code):
        if ins[0] == JTABLE:
            # The targets live in a constant list (the compiler's jump table).
            table = fn.template[ins[2]]
            table[:] = [remap(t) for t in table]
            continue
        j = _JUMP_INDEX.get(ins[0], 0)
        if j:
            ops = list(ins)
            ops[j] = remap(ops[j])
            new_code[k] = (ops[0], ops[1], ops[2], ops[3])
    fn.code = new_code
    fn.lines = new_lines
    if fn.epilogue >= 0:
        fn.epilogue = remap(fn.epilogue)


def instrument(program: Program) -> Program:
    """Instrument every function of program (entry included); returns it."""
    seen: set[int] = set()
    for fn in [*program.functions, program.entry]:
        if id(fn) not in seen:
            seen.add(id(fn))
            instrument_function(fn)
    return program
