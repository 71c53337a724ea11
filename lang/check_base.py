# Shared state of the type checker: operands, scopes, the universe, error
# reporting and the recording of results into TypeInfo.
#
# Invariants:
# - An ``Operand`` is the result of checking one expression (go/types'
#   operand): its mode says what it is (constant, addressable variable,
#   map index, plain value, type, builtin, no value); mode INVALID means an
#   error was already reported for it, and every consumer stays silent for
#   invalid operands so one mistake yields one message.
# - Expressions whose type is still untyped live in ``untyped`` until the
#   context gives them a type (``update_expr_type``) or the check ends
#   (default type); only then are they written to ``info.types``.
# - Exact constant values are collected in ``const_vals`` and converted to
#   their final type's representation when the check finishes.
from __future__ import annotations

import enum
from typing import Any

from lang import ast
from lang import info as I
from lang import types as T
from lang.constants import ConstValue, format_value
from lang.diagnostics import Diagnostic
from lang.records import field, record


class Mode(enum.Enum):
    INVALID = "invalid"
    NOVALUE = "no value"
    BUILTIN = "built-in"
    TYPEXPR = "type"
    CONSTANT = "constant"
    VARIABLE = "variable"
    MAPINDEX = "map index expression"
    VALUE = "value"
    COMMAOK = "comma, ok expression"
    PKGNAME = "package"


@record
class Operand:
    mode: Mode
    expr: Any
    type: T.Type = T.INVALID
    val: ConstValue | None = None
    builtin: str = ""

    @property
    def invalid(self) -> bool:
        return self.mode is Mode.INVALID


def tstr(t: T.Type) -> str:
    """A type as compile errors spell it (package main unqualified,
    ``struct{a int}`` without the spaces %T uses)."""
    if t is T.BYTE:
        return "byte"  # Go spells uint8 as byte in the common case
    if isinstance(t, T.Named):
        return t.name if t.pkg in ("main", "") else f"{t.pkg}.{t.name}"
    if isinstance(t, T.Pointer):
        return "*" + tstr(t.elem)
    if isinstance(t, T.Slice):
        return "[]" + tstr(t.elem)
    if isinstance(t, T.Array):
        return f"[{t.length}]{tstr(t.elem)}"
    if isinstance(t, T.Map):
        return f"map[{tstr(t.key)}]{tstr(t.value)}"
    if isinstance(t, T.Chan):
        pre = {T.ChanDir.SEND: "chan<- ", T.ChanDir.RECV: "<-chan "}.get(t.dir, "chan ")
        inner = tstr(t.elem)
        if t.dir is T.ChanDir.BOTH and isinstance(t.elem, T.Chan) and t.elem.dir is T.ChanDir.RECV:
            inner = f"({inner})"
        return pre + inner
    if isinstance(t, T.Signature):
        return "func" + sig_tail(t)
    if isinstance(t, T.Struct):
        return (
            "struct{"
            + "; ".join(
                tstr(f.type) if f.embedded else f"{f.name} {tstr(f.type)}" for f in t.fields
            )
            + "}"
        )
    if isinstance(t, T.Interface):
        if not t.methods:
            return "any" if t is T.ANY else "interface{}"
        return "interface{" + "; ".join(m.name + sig_tail(m.sig) for m in t.methods) + "}"
    if isinstance(t, T.Tuple):
        return "(" + ", ".join(tstr(x) for x in t.types) + ")"
    return str(t)


def sig_tail(sig: T.Signature) -> str:
    """A signature's tail with types spelled as compile errors show them."""
    return T.signature_tail(sig, tstr)


def describe(x: Operand) -> str:
    """Go's operand description: ``x (variable of type int)``."""
    from lang.check_exprstr import expr_string

    es = expr_string(x.expr) if x.expr is not None else ""
    if x.mode is Mode.BUILTIN:
        return f"{es} (built-in function {x.builtin})"
    if x.mode is Mode.TYPEXPR:
        return f"{es} (type)"
    if x.mode is Mode.NOVALUE:
        return f"{es} (no value)"
    if isinstance(x.type, T.Basic) and x.type.kind is T.Kind.UNTYPED_NIL:
        return "nil"
    untyped = T.is_untyped(x.type)
    if x.mode is Mode.CONSTANT and x.val is not None:
        vs = format_value(x.val)
        if untyped:
            extra = "" if vs == es else " " + vs
            return f"{es} ({x.type} constant{extra})"
        if vs == es:
            return f"{es} (constant of type {tstr(x.type)})"
        return f"{es} (constant {vs} of type {tstr(x.type)})"
    if untyped:
        return f"{es} ({x.type} value)"
    return f"{es} ({x.mode.value} of type {tstr(x.type)})"


class Scope:
    __slots__ = ("parent", "names")

    def __init__(self, parent: Scope | None, func: Any = None) -> None:
        self.parent = parent
        self.names: dict[str, I.Object] = {}

    def lookup(self, name: str) -> I.Object | None:
        s: Scope | None = self
        while s is not None:
            obj = s.names.get(name)
            if obj is not None:
                return obj
            s = s.parent
        return None


BUILTIN_NAMES = (
    "len",
    "cap",
    "append",
    "make",
    "new",
    "copy",
    "delete",
    "close",
    "panic",
    "recover",
    "print",
    "println",
)


def make_universe() -> Scope:
    u = Scope(None)
    for t in (
        T.BOOL,
        T.INT,
        T.INT8,
        T.INT16,
        T.INT32,
        T.INT64,
        T.UINT,
        T.UINT8,
        T.UINT16,
        T.UINT32,
        T.UINT64,
        T.UINTPTR,
        T.FLOAT32,
        T.FLOAT64,
        T.STRING,
    ):
        u.names[t.name] = I.TypeName(t.name, t, None)
    u.names["byte"] = I.TypeName("byte", T.BYTE, None)
    u.names["rune"] = I.TypeName("rune", T.RUNE, None)
    u.names["error"] = I.TypeName("error", T.ERROR, None)
    u.names["any"] = I.TypeName("any", T.ANY, None)
    u.names["true"] = I.Const("true", T.UNTYPED_BOOL, True, None)
    u.names["false"] = I.Const("false", T.UNTYPED_BOOL, False, None)
    u.names["iota"] = I.Const("iota", T.UNTYPED_INT, 0, None)
    u.names["nil"] = I.Nil()
    for b in BUILTIN_NAMES:
        u.names[b] = I.Builtin(b)
    return u


UNIVERSE = make_universe()


@record
class FuncCtx:
    """The function whose body is being checked."""

    node: Any  # FuncDecl or FuncLit
    sig: T.Signature
    parent: FuncCtx | None
    result_vars: list[I.Var] = field(default_factory=list)
    named_results: bool = False


class CheckerBase:
    """State shared by the checker mixins."""

    filename: str
    info: I.TypeInfo
    diags: list[Diagnostic]
    untyped: dict[Any, T.Type]
    const_vals: dict[Any, ConstValue]
    pkg_scope: Scope
    scope: Scope
    fctx: FuncCtx | None
    var_owner: dict[int, Any]  # id(Var) -> FuncDecl/FuncLit declaring it
    free_seen: dict[Any, set[int]]
    iota: int | None
    cur_deps: set[Any] | None

    def error(self, at: Any, msg: str) -> None:
        span = at if isinstance(at, ast.Span) else getattr(at, "span", ast.NO_SPAN)
        self.diags.append(Diagnostic(self.filename, span, msg))

    def error_op(self, x: Operand, msg: str) -> None:
        self.error(x.expr, msg)

    # -- recording --------------------------------------------------------

    def record(self, x: Operand) -> None:
        e = x.expr
        if e is None or x.mode is Mode.INVALID:
            return
        if x.mode is Mode.TYPEXPR:
            self.info.type_exprs[e] = x.type
            return
        if x.mode in (Mode.BUILTIN, Mode.PKGNAME):
            return
        if x.mode is Mode.CONSTANT and x.val is not None:
            self.const_vals[e] = x.val
        if T.is_untyped(x.type):
            self.untyped[e] = x.type
        else:
            self.info.types[e] = x.type

    def declare_var(self, v: I.Var, ident: ast.Ident | None) -> None:
        if ident is not None:
            self.info.defs[ident] = v
            if ident.name != "_":
                self.scope.names[ident.name] = v
        if self.fctx is not None:
            self.var_owner[id(v)] = self.fctx.node
            self.info.func_vars.setdefault(self.fctx.node, []).append(v)

    def use_var(self, v: I.Var) -> None:
        """A read of v: mark it used and captured when read from a nested
        function literal."""
        v.used = True
        self.note_capture(v)

    def note_capture(self, v: I.Var) -> None:
        owner = self.var_owner.get(id(v))
        if owner is None or self.fctx is None or self.fctx.node is owner:
            return
        f: FuncCtx | None = self.fctx
        while f is not None and f.node is not owner:
            if isinstance(f.node, ast.FuncLit):
                seen = self.free_seen.setdefault(f.node, set())
                if id(v) not in seen:
                    seen.add(id(v))
                    self.info.free_vars.setdefault(f.node, []).append(v)
            f = f.parent
        v.captured = True

    # -- cross-mixin entry points (implemented in the mixins) -------------

    def expr(self, e: Any, hint: T.Type | None = None) -> Operand:
        raise NotImplementedError

    def raw_expr(
        self,
        e: Any,
        hint: T.Type | None = None,
        allow_multi: bool = False,
        allow_type: bool = False,
    ) -> Operand:
        raise NotImplementedError

    def typexpr(self, e: Any) -> T.Type:
        raise NotImplementedError

    def func_body(
        self,
        node: Any,
        sig: T.Signature,
        ftype: ast.FuncType,
        recv: ast.Field | None,
        body: ast.Block,
    ) -> None:
        raise NotImplementedError

    def assignment(self, x: Operand, t: T.Type, context: str) -> bool:
        raise NotImplementedError

    def convert_untyped(self, x: Operand, target: T.Type) -> None:
        raise NotImplementedError

    def call(self, e: ast.Call, hint: T.Type | None) -> Operand:
        raise NotImplementedError

    def builtin_call(self, e: ast.Call, name: str) -> Operand:
        raise NotImplementedError

    def use_exprs(self, es: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def const_decl_value(self, obj: I.Const) -> None:
        raise NotImplementedError

    def resolve_global(self, obj: I.Object) -> None:
        raise NotImplementedError

    def note_dep(self, obj: I.Object) -> None:
        raise NotImplementedError

    def default_untyped(self, x: Operand) -> None:
        raise NotImplementedError

    def check_index(self, e: Any, length: int) -> int | None:
        raise NotImplementedError

    def check_assertable(self, at: Any, xt: T.Type, xu: T.Interface, t: T.Type, e: Any) -> None:
        raise NotImplementedError

    def local_decl(self, d: ast.GenDecl) -> None:
        raise NotImplementedError

    def binary_of(self, e: ast.Binary, x: Operand) -> Operand:
        raise NotImplementedError

    def match_types(self, x: Operand, y: Operand) -> None:
        raise NotImplementedError

    def assignable(self, x: Operand, t: T.Type) -> tuple[bool, str]:
        raise NotImplementedError

    def rhs_operands(
        self, lhs_n: int, rhs: tuple[Any, ...], hints: list[T.Type | None]
    ) -> list[Operand] | None:
        raise NotImplementedError

    def redeclared_check(self, n: ast.Ident) -> bool:
        raise NotImplementedError

    def set_untyped(self, x: Operand, t: T.Type) -> None:
        raise NotImplementedError

    def is_terminating_list(self, stmts: tuple[Any, ...]) -> bool:
        raise NotImplementedError

    def range_stmt(self, s: ast.RangeStmt, label: str | None) -> None:
        raise NotImplementedError

    def switch_stmt(self, s: ast.SwitchStmt, label: str | None) -> None:
        raise NotImplementedError

    def type_switch_stmt(self, s: ast.TypeSwitchStmt, label: str | None) -> None:
        raise NotImplementedError

    def select_stmt(self, s: ast.SelectStmt, label: str | None) -> None:
        raise NotImplementedError

    def declare_local(self, v: I.Var, n: ast.Ident) -> None:
        raise NotImplementedError

    def composite(self, e: ast.CompositeLit, hint: T.Type | None) -> Operand:
        raise NotImplementedError

    def selector(self, e: ast.Selector) -> Operand:
        raise NotImplementedError

    def index(self, e: ast.Index) -> Operand:
        raise NotImplementedError

    def slice_expr(self, e: ast.SliceExpr) -> Operand:
        raise NotImplementedError

    def type_assert(self, e: ast.TypeAssert) -> Operand:
        raise NotImplementedError

    def star(self, e: ast.Star) -> Operand:
        raise NotImplementedError

    def mark_addressed(self, e: Any) -> None:
        raise NotImplementedError
