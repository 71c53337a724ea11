"""The instruction set of the csp register VM: one source of truth.

Invariants:
- Every instruction is a 4-tuple of ints ``(op, a, b, c)``; unused operands
  are 0.  Operand kinds say how ``a``, ``b``, ``c`` are read: a register
  number (``R``), an immediate int (``I``), a jump target (``J``), or
  unused (``_``).  Constants live in registers (the frame's template), so
  a constant operand is just a register read.
- ``OPCODES`` has exactly one ``OpInfo`` per ``Op``; the compiler, the VM
  and ``dis`` read it, and tests/test_opcodes.py checks that every opcode
  has one entry here and one handler in runtime/vm.py.
- Some operations need more than three operands; they read a run of
  consecutive registers starting at the named one (documented per opcode
  as ``R[b..]``), and calls pack ``nargs | nres << 8`` into ``c``.
"""

from __future__ import annotations

import enum

from lang.records import record


class Op(enum.IntEnum):
    # Numbered by dispatch group, hottest first: runtime/vm.py finds an
    # opcode's handler with one range test per group, then a short chain.
    # Dispatch group 1 (runtime/vm.py tests ``op <= JGE`` first): the
    # commonest register, loop and branch instructions.
    MOVE = enum.auto()
    JMP = enum.auto()
    JFALSE = enum.auto()
    FORLOOP = enum.auto()
    ADD_INT = enum.auto()
    ADDI = enum.auto()
    JLT = enum.auto()
    JGE = enum.auto()
    # Dispatch group 2 (``op <= JNE``): more integer arithmetic and branches.
    SUB_INT = enum.auto()
    MUL_INT = enum.auto()
    MOD_INT = enum.auto()
    JTRUE = enum.auto()
    JLE = enum.auto()
    JGT = enum.auto()
    JEQ = enum.auto()
    JNE = enum.auto()
    # Dispatch group 3 (``op <= RACE``): channels, delegated to the channel
    # object, and the race detector's access check (emitted only by
    # lang/compile_race.py under -race).  Contiguous: one range test.
    SEND = enum.auto()
    RECV = enum.auto()
    RANGE_RECV = enum.auto()
    RECV_BACK = enum.auto()  # RECV..RECV_BACK: one range test, one handler
    RECV_OK = enum.auto()
    CLOSE = enum.auto()
    SELECT = enum.auto()
    RACE = enum.auto()
    # Dispatch group 4 (``op <= STORE_GLOBAL``): calls and variable access.
    CALL = enum.auto()
    RET = enum.auto()
    LOAD_CELL = enum.auto()
    STORE_CELL = enum.auto()
    INDEX_LIST = enum.auto()
    SET_LIST = enum.auto()
    LOAD_GLOBAL = enum.auto()
    STORE_GLOBAL = enum.auto()
    # Everything else (dispatch group 5), in the order of the old semantic
    # groups: moves, arithmetic, comparisons, containers, interfaces,
    # functions, iteration, channel creation.
    JTABLE = enum.auto()
    COPY = enum.auto()
    NEW_CELL = enum.auto()
    RECELL = enum.auto()
    ADD = enum.auto()
    SUB = enum.auto()
    MUL = enum.auto()
    DIV_FLOAT = enum.auto()
    DIV_INT = enum.auto()
    WRAP = enum.auto()
    NEG = enum.auto()
    NOT = enum.auto()
    BITNOT = enum.auto()
    AND = enum.auto()
    OR = enum.auto()
    XOR = enum.auto()
    ANDNOT = enum.auto()
    SHL = enum.auto()
    SHR = enum.auto()
    F32 = enum.auto()
    EQ = enum.auto()
    NE = enum.auto()
    LT = enum.auto()
    LE = enum.auto()
    GT = enum.auto()
    GE = enum.auto()
    LEN = enum.auto()
    CAP = enum.auto()
    INDEX_SLICE = enum.auto()
    INDEX_STR = enum.auto()
    MAP_GET = enum.auto()
    MAP_GET_OK = enum.auto()
    SET_SLICE = enum.auto()
    MAP_SET = enum.auto()
    MAP_DELETE = enum.auto()
    GETFIELD = enum.auto()
    SETFIELD = enum.auto()
    DEREF = enum.auto()
    STORE_PTR = enum.auto()
    ADDR = enum.auto()
    ADDR_INDEX = enum.auto()
    ADDR_SLICE_ELEM = enum.auto()
    NEW_MAP = enum.auto()
    LIST = enum.auto()
    MAKE_SLICE = enum.auto()
    SLICE_WRAP = enum.auto()
    SLICE_SLICE = enum.auto()
    SLICE_LIST = enum.auto()
    SLICE_STR = enum.auto()
    APPEND1 = enum.auto()
    APPEND_SLICE = enum.auto()
    COPY_SLICE = enum.auto()
    FREEZE = enum.auto()
    THAW = enum.auto()
    CONVERT = enum.auto()
    BOX = enum.auto()
    TYPE_ASSERT = enum.auto()
    TYPE_ASSERT_OK = enum.auto()
    TYPE_IS = enum.auto()
    CLOSURE = enum.auto()
    BIND = enum.auto()
    BIND_IFACE = enum.auto()
    CALL_IFACE = enum.auto()
    RUN_DEFERS = enum.auto()
    DEFER = enum.auto()
    GO = enum.auto()
    PANIC = enum.auto()
    RECOVER = enum.auto()
    PRINT = enum.auto()
    ITER_INIT = enum.auto()
    ITER_NEXT = enum.auto()
    MAKE_CHAN = enum.auto()


@record(frozen=True)
class OpInfo:
    """kinds: operand kinds of a, b, c ('R' register, 'I' immediate,
    'J' jump target, '_' unused); doc: one-line semantics."""

    kinds: str
    doc: str


# Conversion codes for Op.CONVERT (operand c).
CONV_INT_TO_FLOAT = 1
CONV_FLOAT_TO_INT = 2
CONV_RUNE_TO_STR = 3
CONV_STR_TO_BYTES = 4
CONV_BYTES_TO_STR = 5
CONV_STR_TO_RUNES = 6
CONV_RUNES_TO_STR = 7

# Iterator kinds for Op.ITER_INIT (operand c).
ITER_STRING = 1
ITER_MAP = 2
ITER_MAP_FROZEN = 3


OPCODES: dict[Op, OpInfo] = {
    Op.MOVE: OpInfo("RR_", "R[a] := R[b]"),
    Op.COPY: OpInfo("RR_", "R[a] := copy_value(R[b])  (struct/array value copy)"),
    Op.LOAD_GLOBAL: OpInfo("RI_", "R[a] := G[b]"),
    Op.STORE_GLOBAL: OpInfo("IR_", "G[a] := R[b]"),
    Op.LOAD_CELL: OpInfo("RR_", "R[a] := R[b][0]"),
    Op.STORE_CELL: OpInfo("RR_", "R[a][0] := R[b]"),
    Op.NEW_CELL: OpInfo("RR_", "R[a] := [R[b]]  (fresh heap cell)"),
    Op.RECELL: OpInfo("R__", "R[a] := [R[a][0]]  (per-iteration loop variable)"),
    Op.ADD_INT: OpInfo("RRR", "R[a] := wrap64(R[b] + R[c])"),
    Op.SUB_INT: OpInfo("RRR", "R[a] := wrap64(R[b] - R[c])"),
    Op.MUL_INT: OpInfo("RRR", "R[a] := wrap64(R[b] * R[c])"),
    Op.ADDI: OpInfo("RRI", "R[a] := wrap64(R[b] + c)"),
    Op.ADD: OpInfo("RRR", "R[a] := R[b] + R[c]  (float, string, narrow int before WRAP)"),
    Op.SUB: OpInfo("RRR", "R[a] := R[b] - R[c]"),
    Op.MUL: OpInfo("RRR", "R[a] := R[b] * R[c]"),
    Op.DIV_FLOAT: OpInfo("RRR", "R[a] := R[b] / R[c]  (IEEE: x/0 is Inf or NaN)"),
    Op.DIV_INT: OpInfo("RRR", "R[a] := R[b] / R[c] truncated; panics on zero"),
    Op.MOD_INT: OpInfo("RRR", "R[a] := R[b] % R[c] with the dividend's sign; panics on zero"),
    Op.WRAP: OpInfo("RI_", "R[a] := R[a] wrapped to width code b (bits << 1 | signed)"),
    Op.NEG: OpInfo("RR_", "R[a] := -R[b]"),
    Op.NOT: OpInfo("RR_", "R[a] := not R[b]"),
    Op.BITNOT: OpInfo("RR_", "R[a] := ^R[b]"),
    Op.AND: OpInfo("RRR", "R[a] := R[b] & R[c]"),
    Op.OR: OpInfo("RRR", "R[a] := R[b] | R[c]"),
    Op.XOR: OpInfo("RRR", "R[a] := R[b] ^ R[c]"),
    Op.ANDNOT: OpInfo("RRR", "R[a] := R[b] &^ R[c]"),
    Op.SHL: OpInfo("RRR", "R[a] := R[b] << R[c]  (count >= 64 gives 0; negative panics)"),
    Op.SHR: OpInfo("RRR", "R[a] := R[b] >> R[c]  (arithmetic; negative count panics)"),
    Op.F32: OpInfo("RR_", "R[a] := float32(R[b])  (round to single precision)"),
    Op.EQ: OpInfo("RRR", "R[a] := R[b] == R[c]"),
    Op.NE: OpInfo("RRR", "R[a] := R[b] != R[c]"),
    Op.LT: OpInfo("RRR", "R[a] := R[b] < R[c]"),
    Op.LE: OpInfo("RRR", "R[a] := R[b] <= R[c]"),
    Op.GT: OpInfo("RRR", "R[a] := R[b] > R[c]"),
    Op.GE: OpInfo("RRR", "R[a] := R[b] >= R[c]"),
    Op.JMP: OpInfo("J__", "pc := a"),
    Op.JTABLE: OpInfo("RR_", "pc := R[b][R[a] + 1] (after SELECT: R[a] is the case, -1 default)"),
    Op.JTRUE: OpInfo("RJ_", "if R[a]: pc := b"),
    Op.JFALSE: OpInfo("RJ_", "if not R[a]: pc := b"),
    Op.JLT: OpInfo("RRJ", "if R[a] < R[b]: pc := c"),
    Op.JLE: OpInfo("RRJ", "if R[a] <= R[b]: pc := c"),
    Op.JGT: OpInfo("RRJ", "if R[a] > R[b]: pc := c"),
    Op.JGE: OpInfo("RRJ", "if R[a] >= R[b]: pc := c"),
    Op.JEQ: OpInfo("RRJ", "if R[a] == R[b]: pc := c"),
    Op.JNE: OpInfo("RRJ", "if R[a] != R[b]: pc := c"),
    Op.FORLOOP: OpInfo("RRJ", "R[a] += 1; if R[a] < R[b]: pc := c  (counting loop back edge)"),
    Op.LEN: OpInfo("RRI", "R[a] := len(R[b]); c: 0 slice, 1 string, 2 map/list, 3 chan"),
    Op.CAP: OpInfo("RRI", "R[a] := cap(R[b]); c: 0 slice, 2 list, 3 chan"),
    Op.INDEX_SLICE: OpInfo("RRR", "R[a] := R[b][R[c]]  (slice, bounds checked)"),
    Op.INDEX_LIST: OpInfo("RRR", "R[a] := R[b][R[c]]  (array, bounds checked)"),
    Op.INDEX_STR: OpInfo("RRR", "R[a] := byte R[c] of string R[b]"),
    Op.MAP_GET: OpInfo("RRR", "R[a] := R[b][R[c]] if present else R[a] (zero preloaded)"),
    Op.MAP_GET_OK: OpInfo("RRR", "R[a], R[a+1] := R[b][R[c]], present (zero preloaded)"),
    Op.SET_SLICE: OpInfo("RRR", "R[a][R[b]] := R[c]  (slice, bounds checked)"),
    Op.SET_LIST: OpInfo("RRR", "R[a][R[b]] := R[c]  (array, bounds checked)"),
    Op.MAP_SET: OpInfo("RRR", "R[a][R[b]] := R[c]  (nil map panics)"),
    Op.MAP_DELETE: OpInfo("RR_", "delete(R[a], R[b])"),
    Op.GETFIELD: OpInfo("RRI", "R[a] := R[b][c]  (struct field, no copy)"),
    Op.SETFIELD: OpInfo("RIR", "R[a][b] := R[c]"),
    Op.DEREF: OpInfo("RR_", "R[a] := *R[b]  (nil panics; no copy)"),
    Op.STORE_PTR: OpInfo("RR_", "*R[a] := R[b]  (nil panics)"),
    Op.ADDR: OpInfo("RRI", "R[a] := Pointer(R[b], c)"),
    Op.ADDR_INDEX: OpInfo("RRR", "R[a] := &R[b][R[c]]  (array list, bounds checked)"),
    Op.ADDR_SLICE_ELEM: OpInfo("RRR", "R[a] := &R[b][R[c]]  (slice, bounds checked)"),
    Op.NEW_MAP: OpInfo("R__", "R[a] := {}"),
    Op.LIST: OpInfo("RRI", "R[a] := [R[b], ..., R[b+c-1]]  (new list)"),
    Op.MAKE_SLICE: OpInfo("RR_", "R[a] := make([]T, R[b], R[b+1]) with zero element R[b+2]"),
    Op.SLICE_WRAP: OpInfo("RR_", "R[a] := Slice(R[b], 0, len, len)"),
    Op.SLICE_SLICE: OpInfo("RRR", "R[a] := R[b][R[c]:R[c+1]:R[c+2]]  (None = absent)"),
    Op.SLICE_LIST: OpInfo("RRR", "R[a] := array R[b][R[c]:R[c+1]:R[c+2]]"),
    Op.SLICE_STR: OpInfo("RRR", "R[a] := string R[b][R[c]:R[c+1]]  (bytes)"),
    Op.APPEND1: OpInfo("RRR", "R[a] := append(R[b], R[c])"),
    Op.APPEND_SLICE: OpInfo("RRR", "R[a] := append(R[b], R[c]...)"),
    Op.COPY_SLICE: OpInfo("RRR", "R[a] := copy(R[b], R[c])"),
    Op.FREEZE: OpInfo("RR_", "R[a] := freeze(R[b])  (struct/array map key)"),
    Op.THAW: OpInfo("RR_", "R[a] := thaw(R[b])"),
    Op.CONVERT: OpInfo("RRI", "R[a] := conversion c of R[b] (see CONV_*)"),
    Op.BOX: OpInfo("RRR", "R[a] := Iface(type R[c], R[b])"),
    Op.TYPE_ASSERT: OpInfo("RRR", "R[a] := R[b].(type R[c]); panics on mismatch"),
    Op.TYPE_ASSERT_OK: OpInfo("RRR", "R[a], R[a+1] := R[b].(type R[c]), ok"),
    Op.TYPE_IS: OpInfo("RRR", "R[a] := R[b] has dynamic type R[c] (None: nil case)"),
    Op.CLOSURE: OpInfo("RRR", "R[a] := Closure(R[b], cells R[c..c+nfree-1])"),
    Op.BIND: OpInfo("RRR", "R[a] := BoundMethod(R[b], receiver R[c])"),
    Op.BIND_IFACE: OpInfo("RRR", "R[a] := method named R[c] of interface R[b], bound"),
    Op.CALL: OpInfo("RRI", "R[b..] := R[a](R[b..b+nargs-1]); c = nargs | nres << 8"),
    Op.CALL_IFACE: OpInfo("RRI", "R[b..] := R[b].<R[a]>(R[b+1..]); c = nargs | nres << 8"),
    Op.RET: OpInfo("RI_", "return R[a..a+b-1]"),
    Op.RUN_DEFERS: OpInfo("___", "run the frame's deferred calls (LIFO), then continue"),
    Op.DEFER: OpInfo("RRI", "defer R[a](R[b..b+c-1])"),
    Op.GO: OpInfo("RRI", "go R[a](R[b..b+c-1])"),
    Op.PANIC: OpInfo("R__", "panic(R[a])"),
    Op.RECOVER: OpInfo("R__", "R[a] := recover()"),
    Op.PRINT: OpInfo("IRI", "print (a=0) / println (a=1) R[b..b+c-1] to stderr"),
    Op.ITER_INIT: OpInfo("RRI", "R[a] := iterator over R[b] of kind c (ITER_*)"),
    Op.ITER_NEXT: OpInfo("RRJ", "R[b], R[b+1] := next(R[a]), or pc := c when done"),
    Op.MAKE_CHAN: OpInfo("RRR", "R[a] := make(chan, cap R[b]), element zero R[c]"),
    Op.SEND: OpInfo("RR_", "R[a] <- R[b]"),
    Op.RECV: OpInfo("RR_", "R[a] := <-R[b]"),
    Op.RECV_OK: OpInfo("RR_", "R[a], R[a+1] := <-R[b]"),
    Op.RANGE_RECV: OpInfo("RRJ", "R[a], ok := <-R[b]; if ok: pc := c (the bottom of "
                          "`for v := range ch`, jumping back into the body)"),
    Op.RECV_BACK: OpInfo("RRJ", "R[a] := <-R[b]; pc := c (a loop's back edge onto a "
                         "receive: JMP x fused with the RECV at x, c = x + 1)"),
    Op.CLOSE: OpInfo("R__", "close(R[a])"),
    Op.SELECT: OpInfo("RRI", "R[a], R[a+1], R[a+2] := select over case table R[b]; c=has default"),
    Op.RACE: OpInfo("I__", "-race only: report the next instruction's access (a=0) or "
                    "the select just done (a=1) to runtime/race.py"),
}

JUMP_KINDS = "J"


def jump_operand(op: Op) -> int:
    """Index (1-3) of the jump-target operand of op, or 0 if none."""
    kinds = OPCODES[op].kinds
    i = kinds.find("J")
    return i + 1 if i >= 0 else 0
