"""Per-function code generation state: registers, constants, emission,
jump patching and the type helpers every part of the compiler needs.

Invariants:
- Registers are numbered from 0: parameters first (receiver first for a
  method), then a closure's captured cells, then locals and temporaries
  from one counter ``top``.  Temporaries live until the end of the
  statement that allocated them; locals are never reused.
- A constant is referred to during compilation as ``CONST_FLAG + k``;
  ``finish`` renumbers it to ``nregs + k`` (after the last register), using
  the operand kinds in ``lang.opcodes.OPCODES``, and builds the template.
- The compiler never writes into a register it did not allocate as a
  destination: ``expr`` may return a local's or a constant's register.
"""

from __future__ import annotations

from typing import Any, Optional

from lang import ast
from lang import info as I
from lang import types as T
from lang.chunk import Function
from lang.opcodes import OPCODES, Op, jump_operand
from lang.records import field, record

CONST_FLAG = 0x4000
PACKED_OPS = (Op.APPEND1, Op.APPEND_SLICE)


class CompileError(Exception):
    """A construct csp cannot compile (reported as a diagnostic)."""

    def __init__(self, node: Any, message: str) -> None:
        super().__init__(message)
        self.node = node
        self.message = message


@record(slots=False)
class Breakable:
    """A loop, switch or select that break (and, for loops, continue) target."""

    kind: str                    # "loop", "switch", "select"
    label: Optional[str]
    breaks: list[int] = field(default_factory=list)
    continues: list[int] = field(default_factory=list)


class ProgramState:
    """What all functions of one program share while compiling."""

    def __init__(self, info: I.TypeInfo, filename: str) -> None:
        self.info = info
        self.filename = filename
        self.globals: list[Any] = []
        self.global_index: dict[I.Var, int] = {}
        self.funcs: dict[I.Func, Function] = {}
        self.functions: list[Function] = []
        self.lit_counts: dict[str, int] = {}


class FuncState:
    """Registers, constants and code of the function being compiled."""

    def __init__(self, prog: ProgramState, fn: Function, parent: Optional[FuncState]) -> None:
        self.prog = prog
        self.info = prog.info
        self.fn = fn
        self.parent = parent
        self.code: list[tuple[int, int, int, int]] = []
        self.lines: list[int] = []
        self.consts: list[Any] = []
        self.const_keys: dict[Any, int] = {}
        self.top = 0
        self.max_top = 0
        self.local_mark = 0
        self.vars: dict[I.Var, int] = {}
        self.cells: set[I.Var] = set()
        self.line = fn.line
        self.breakables: list[Breakable] = []
        self.pending_label: Optional[str] = None
        self.has_defer = False
        self.result_regs: list[int] = []
        self.result_vars: list[Optional[I.Var]] = []
        self.epilogue_jumps: list[int] = []
        self.sig: Optional[T.Signature] = None

    # -- registers ---------------------------------------------------------
    def alloc(self, n: int = 1) -> int:
        r = self.top
        self.top += n
        if self.top > self.max_top:
            self.max_top = self.top
        if self.top >= CONST_FLAG:
            raise CompileError(None, "function too large")
        return r

    def alloc_local(self) -> int:
        r = self.alloc()
        self.local_mark = self.top
        return r

    def end_statement(self) -> None:
        self.top = self.local_mark

    def const(self, value: Any) -> int:
        """Register holding constant value (deduplicated when hashable)."""
        try:
            key: Any = (type(value), value)
            hash(key)
        except TypeError:
            key = None
        if isinstance(value, float) and value == 0.0:
            key = (float, str(value))
        if key is not None and key in self.const_keys:
            return CONST_FLAG + self.const_keys[key]
        k = len(self.consts)
        self.consts.append(value)
        if key is not None:
            self.const_keys[key] = k
        return CONST_FLAG + k

    def const_obj(self, value: Any) -> int:
        """Register holding an object constant, deduplicated by identity."""
        key = ("obj", id(value))
        if key in self.const_keys:
            return CONST_FLAG + self.const_keys[key]
        k = len(self.consts)
        self.consts.append(value)
        self.const_keys[key] = k
        return CONST_FLAG + k

    # -- emission ------------------------------------------------------------
    def emit(self, op: Op, a: int = 0, b: int = 0, c: int = 0) -> int:
        self.code.append((int(op), a, b, c))
        self.lines.append(self.line)
        return len(self.code) - 1

    def here(self) -> int:
        return len(self.code)

    def patch(self, at: int, target: int) -> None:
        op, a, b, c = self.code[at]
        kinds = OPCODES[Op(op)].kinds
        j = kinds.index("J")
        ops = [a, b, c]
        ops[j] = target
        self.code[at] = (op, ops[0], ops[1], ops[2])

    def set_line(self, node: Any) -> None:
        span = getattr(node, "span", None)
        if span is not None and span.line > 0:
            self.line = span.line

    # -- finishing ----------------------------------------------------------
    def finish(self) -> Function:
        nregs = self.max_top
        fn = self.fn

        def fix(x: int) -> int:
            return nregs + (x - CONST_FLAG) if x >= CONST_FLAG else x

        out = []
        for op, a, b, c in self.code:
            o = Op(op)
            kinds = OPCODES[o].kinds
            if kinds[0] == "R":
                a = fix(a)
            if kinds[1] == "R":
                b = fix(b)
            if kinds[2] == "R":
                if o in PACKED_OPS:
                    c = fix(c & 0xFFFF) | (c >> 16) << 16
                else:
                    c = fix(c)
            out.append((op, a, b, c))
        _thread_jumps(out, self.consts, nregs)
        lines = list(self.lines)
        _fuse_receive_back_edges(out, lines)
        fn.code = out
        fn.lines = lines
        fn.nregs = nregs + len(self.consts)
        fn.const_base = nregs
        fn.template = [None] * nregs + list(self.consts)
        fn.globals = self.prog.globals
        return fn


_JMP = int(Op.JMP)
_RECV = int(Op.RECV)
_RECV_BACK = int(Op.RECV_BACK)
_JTABLE = int(Op.JTABLE)
_JUMP_AT: dict[int, int] = {int(o): jump_operand(o) for o in Op if jump_operand(o)}
# Jumps the VM charges to the slice budget when they go backward (its
# preemption points).  Others (JTABLE, ITER_NEXT) are only
# threaded to forward targets, so every loop keeps a charged back edge.
_CHARGED_BACKWARD = frozenset(int(o) for o in (
    Op.JMP, Op.JTRUE, Op.JFALSE, Op.JLT, Op.JLE, Op.JGT, Op.JGE, Op.JEQ, Op.JNE,
    Op.FORLOOP, Op.RANGE_RECV, Op.RECV_BACK))


def _thread_jumps(code: list[tuple[int, int, int, int]], consts: list[Any],
                  const_base: int) -> None:
    """Jump threading: a jump whose target is an unconditional JMP goes
    straight to that JMP's destination (a `continue` or the end of a select
    clause inside a loop otherwise costs two jumps per iteration).  Chains
    are followed; a cycle of JMPs (an empty `for {}`) is left alone."""

    def final(t: int) -> int:
        seen = {t}
        while 0 <= t < len(code) and code[t][0] == _JMP:
            nxt = code[t][1]
            if nxt in seen:
                return t
            seen.add(nxt)
            t = nxt
        return t

    def threaded(op: int, at: int, target: int) -> int:
        """Where the jump op at pc ``at`` to ``target`` may go instead."""
        t = final(target)
        return t if t > at or op in _CHARGED_BACKWARD else target

    for k, ins in enumerate(code):
        op = ins[0]
        j = _JUMP_AT.get(op)
        if j is not None:
            ops = list(ins)
            t = threaded(op, k, ops[j])
            if t != ops[j]:
                ops[j] = t
                code[k] = (ops[0], ops[1], ops[2], ops[3])
        elif op == _JTABLE:
            table = consts[ins[2] - const_base]
            table[:] = [threaded(op, k, t) for t in table]


def _fuse_receive_back_edges(code: list[tuple[int, int, int, int]], lines: list[int]) -> None:
    """A backward JMP onto a RECV becomes RECV_BACK: the receive done at
    the jump, then on to the instruction after the RECV.  `for { v := <-ch
    ... }` then costs one dispatch per iteration fewer.  RECV_BACK charges
    the back edge and tests for preemption after the receive, as a rotated
    range loop's RANGE_RECV does.  It takes the receive's line: a goroutine
    blocked there shows the receive's line, as Go does."""
    for k, (op, a, _, _) in enumerate(code):
        if op == _JMP and a < k and code[a][0] == _RECV:
            _, dst, ch, _ = code[a]
            code[k] = (_RECV_BACK, dst, ch, a + 1)
            lines[k] = lines[a]


# -- type helpers -------------------------------------------------------------

def is_value_aggregate(t: T.Type) -> bool:
    """Struct and array values are lists that must be copied when Go copies."""
    return isinstance(T.underlying(t), (T.Struct, T.Array))


def zero_value(t: T.Type) -> Any:
    u = T.underlying(t)
    if isinstance(u, T.Basic):
        k = u.kind
        if k in (T.Kind.BOOL, T.Kind.UNTYPED_BOOL):
            return False
        if k in (T.Kind.STRING, T.Kind.UNTYPED_STRING):
            return ""
        if k in T.FLOAT_KINDS:
            return 0.0
        if k in T.INTEGER_KINDS:
            return 0
        return None
    if isinstance(u, T.Struct):
        return [zero_value(f.type) for f in u.fields]
    if isinstance(u, T.Array):
        z = zero_value(u.elem)
        if isinstance(z, list):
            return [zero_value(u.elem) for _ in range(u.length)]
        return [z] * u.length
    return None


def width_code(t: T.Type) -> int:
    """bits << 1 | signed for an integer type (64-bit signed by default)."""
    u = T.underlying(t)
    if isinstance(u, T.Basic) and u.kind in T.INT_WIDTH:
        bits, signed = T.INT_WIDTH[u.kind]
        return bits << 1 | int(signed)
    return 64 << 1 | 1


def is_int64(t: T.Type) -> bool:
    u = T.underlying(t)
    return isinstance(u, T.Basic) and u.kind in (T.Kind.INT, T.Kind.INT64,
                                                 T.Kind.UNTYPED_INT, T.Kind.UNTYPED_RUNE)


def elem_size(t: T.Type) -> int:
    """Approximate Go memory size of a value of type t (for append growth)."""
    u = T.underlying(t)
    if isinstance(u, T.Basic):
        if u.kind in T.INT_WIDTH:
            return T.INT_WIDTH[u.kind][0] // 8
        if u.kind == T.Kind.FLOAT32:
            return 4
        if u.kind == T.Kind.BOOL:
            return 1
        if u.kind == T.Kind.STRING:
            return 16
        return 8
    if isinstance(u, T.Slice):
        return 24
    if isinstance(u, T.Interface):
        return 16
    if isinstance(u, T.Array):
        return u.length * elem_size(u.elem)
    if isinstance(u, T.Struct):
        size = 0
        align = 1
        for f in u.fields:
            s = elem_size(f.type)
            a = min(8, s) if s else 1
            a = 8 if a > 4 else (4 if a > 2 else a)
            align = max(align, a)
            size = (size + a - 1) // a * a + s
        return (size + align - 1) // align * align
    return 8


def span_line(node: Any) -> int:
    span = getattr(node, "span", None)
    return span.line if isinstance(span, ast.Span) else 0
