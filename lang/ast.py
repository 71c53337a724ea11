"""Abstract syntax tree of the Go subset, with a source span on every node.

Invariants:
- Nodes are immutable, slotted records (lang/records.py) compared and
  hashed by identity, so checker and compiler can key side tables by node.
  ``records.replace`` copies one with changes; assigning or deleting an
  attribute raises ``FrozenInstanceError``.
- Every node carries ``span``: 1-based line and column of its first byte and
  of the byte just past its end, as Go's ``token.Position`` reports them.
- The tree is purely syntactic: the parser never resolves names or decides
  whether ``T(x)`` is a call or a conversion; the checker does.
- Sequences are tuples.  ``None`` marks an optional part that is absent.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Optional, TypeVar, Union, dataclass_transform

from lang.records import record

_NodeT = TypeVar("_NodeT")


@dataclass_transform(eq_default=False, frozen_default=True)
def _node(cls: type[_NodeT]) -> type[_NodeT]:
    """A syntax node class: a frozen, slotted record compared by identity."""
    built: type[_NodeT] = record(frozen=True, eq=False)(cls)
    return built


@record(frozen=True)
class Span:
    """Source range: (line, col) of the first character, (end_line, end_col)
    just past the last.  Lines and columns are 1-based."""

    line: int
    col: int
    end_line: int
    end_col: int

    def __str__(self) -> str:
        return f"{self.line}:{self.col}"


NO_SPAN = Span(0, 0, 0, 0)


# --------------------------------------------------------------------------
# Expressions (type expressions are expressions too, as in go/ast)


@_node
class Ident:
    span: Span
    name: str


@_node
class BasicLit:
    """kind is one of 'INT', 'FLOAT', 'CHAR', 'STRING'; value is the literal's
    source text exactly as written (quotes, escapes, underscores, prefixes)."""

    span: Span
    kind: str
    value: str


@_node
class KeyValue:
    span: Span
    key: Expr
    value: Expr


@_node
class CompositeLit:
    """``T{elts}``.  type is None for an elided type inside an outer literal
    (``[]Point{{1, 2}}``); elts are expressions or KeyValue."""

    span: Span
    type: Optional[Expr]
    elts: tuple[Expr, ...]
    rbrace: Span


@_node
class FuncLit:
    span: Span
    type: FuncType
    body: Block


@_node
class ParenExpr:
    span: Span
    x: Expr


@_node
class Selector:
    """``x.sel``: field, method, or package member (decided by the checker)."""

    span: Span
    x: Expr
    sel: Ident


@_node
class Index:
    span: Span
    x: Expr
    index: Expr


@_node
class SliceExpr:
    """``x[lo:hi]`` or ``x[lo:hi:max]`` (slice3 True)."""

    span: Span
    x: Expr
    lo: Optional[Expr]
    hi: Optional[Expr]
    max: Optional[Expr]
    slice3: bool


@_node
class TypeAssert:
    """``x.(T)``; type is None for ``x.(type)`` in a type switch."""

    span: Span
    x: Expr
    type: Optional[Expr]


@_node
class Call:
    """``fun(args)``; has_ellipsis for ``f(xs...)``.  May be a conversion or
    a builtin call: the checker decides."""

    span: Span
    fun: Expr
    args: tuple[Expr, ...]
    has_ellipsis: bool
    rparen: Span


@_node
class Star:
    """``*x``: pointer dereference, or pointer type in a type context."""

    span: Span
    x: Expr


@_node
class Unary:
    """op is one of '+', '-', '!', '^', '&', '<-'."""

    span: Span
    op: str
    x: Expr


@_node
class Binary:
    """op is a Go binary operator: || && == != < <= > >= + - | ^ * / % << >> & &^.
    op_span is the operator's own position (Go reports some errors there)."""

    span: Span
    op: str
    x: Expr
    y: Expr
    op_span: Span


@_node
class ArrayType:
    """``[len]elem``; len is None for a slice type ``[]elem`` and an
    Ellipsis node for ``[...]elem``."""

    span: Span
    len: Optional[Expr]
    elem: Expr


@_node
class Ellipsis:
    """``...T`` in a variadic parameter, or the ``...`` of ``[...]T``
    (elt None)."""

    span: Span
    elt: Optional[Expr]


@_node
class MapType:
    span: Span
    key: Expr
    value: Expr


@_node
class ChanType:
    """dir: 'both' (chan T), 'send' (chan<- T), 'recv' (<-chan T)."""

    span: Span
    dir: str
    value: Expr


@_node
class Field:
    """A struct field group, parameter group, result group or interface
    method.  names is empty for an anonymous parameter/result or an
    embedded field; type is a FuncType for an interface method."""

    span: Span
    names: tuple[Ident, ...]
    type: Expr


@_node
class FuncType:
    span: Span
    params: tuple[Field, ...]
    results: tuple[Field, ...]


@_node
class StructType:
    span: Span
    fields: tuple[Field, ...]


@_node
class InterfaceType:
    """methods: Fields with one name and a FuncType; embeds: embedded
    interface names (``error``, ``fmt.Stringer``)."""

    span: Span
    methods: tuple[Field, ...]
    embeds: tuple[Expr, ...]


Expr = Union[
    Ident, BasicLit, CompositeLit, FuncLit, ParenExpr, Selector, Index,
    SliceExpr, TypeAssert, Call, Star, Unary, Binary, KeyValue,
    ArrayType, Ellipsis, MapType, ChanType, FuncType, StructType, InterfaceType,
]


# --------------------------------------------------------------------------
# Statements


@_node
class BadStmt:
    """Placeholder the parser leaves where it recovered from a syntax error."""

    span: Span


@_node
class DeclStmt:
    span: Span
    decl: GenDecl


@_node
class EmptyStmt:
    span: Span


@_node
class LabeledStmt:
    span: Span
    label: Ident
    stmt: Stmt


@_node
class ExprStmt:
    span: Span
    x: Expr


@_node
class SendStmt:
    span: Span
    chan: Expr
    value: Expr


@_node
class IncDecStmt:
    """op is '++' or '--'."""

    span: Span
    x: Expr
    op: str


@_node
class AssignStmt:
    """op is '=', ':=' or an op-assignment ('+=', '<<=', '&^=', ...)."""

    span: Span
    lhs: tuple[Expr, ...]
    op: str
    rhs: tuple[Expr, ...]
    op_span: Span


@_node
class GoStmt:
    span: Span
    call: Expr


@_node
class DeferStmt:
    span: Span
    call: Expr


@_node
class ReturnStmt:
    span: Span
    results: tuple[Expr, ...]


@_node
class BranchStmt:
    """tok is 'break', 'continue', 'fallthrough' or 'goto'."""

    span: Span
    tok: str
    label: Optional[Ident]


@_node
class Block:
    """A braced block; rbrace is the closing brace (Go reports 'missing
    return' there)."""

    span: Span
    stmts: tuple[Stmt, ...]
    rbrace: Span


@_node
class IfStmt:
    """else_ is None, a Block or another IfStmt."""

    span: Span
    init: Optional[Stmt]
    cond: Expr
    body: Block
    else_: Optional[Union[Block, IfStmt]]


@_node
class CaseClause:
    """exprs is None for ``default:``.  In a type switch the exprs are types
    (``nil`` allowed)."""

    span: Span
    exprs: Optional[tuple[Expr, ...]]
    body: tuple[Stmt, ...]


@_node
class SwitchStmt:
    span: Span
    init: Optional[Stmt]
    tag: Optional[Expr]
    clauses: tuple[CaseClause, ...]


@_node
class TypeSwitchStmt:
    """``switch [init;] [bind :=] x.(type) {...}``; bind is the declared
    name or None."""

    span: Span
    init: Optional[Stmt]
    bind: Optional[Ident]
    x: Expr
    clauses: tuple[CaseClause, ...]


@_node
class CommClause:
    """comm is None for ``default:``, else a SendStmt, an ExprStmt holding a
    receive, or an AssignStmt (``v := <-ch``, ``v, ok = <-ch``)."""

    span: Span
    comm: Optional[Stmt]
    body: tuple[Stmt, ...]


@_node
class SelectStmt:
    span: Span
    clauses: tuple[CommClause, ...]


@_node
class ForStmt:
    """Three-clause, condition-only (init/post None) or infinite (all None)."""

    span: Span
    init: Optional[Stmt]
    cond: Optional[Expr]
    post: Optional[Stmt]
    body: Block


@_node
class RangeStmt:
    """``for key, value := range x``.  tok is ':=', '=' or None (``for range
    x``); key/value None when absent."""

    span: Span
    key: Optional[Expr]
    value: Optional[Expr]
    tok: Optional[str]
    x: Expr
    body: Block


Stmt = Union[
    BadStmt, DeclStmt, EmptyStmt, LabeledStmt, ExprStmt, SendStmt, IncDecStmt,
    AssignStmt, GoStmt, DeferStmt, ReturnStmt, BranchStmt, Block, IfStmt,
    SwitchStmt, TypeSwitchStmt, SelectStmt, ForStmt, RangeStmt,
]


# --------------------------------------------------------------------------
# Declarations


@_node
class ImportSpec:
    """path is the unquoted import path; name is an explicit local name."""

    span: Span
    name: Optional[Ident]
    path: str


@_node
class ValueSpec:
    """One line of a var or const declaration.  For a const spec with no
    type and no values (implicit repetition) the checker reuses the previous
    spec's type and values; iota is this spec's index in its group."""

    span: Span
    names: tuple[Ident, ...]
    type: Optional[Expr]
    values: tuple[Expr, ...]
    iota: int


@_node
class TypeSpec:
    """``type Name T`` (alias False) or ``type Name = T`` (alias True)."""

    span: Span
    name: Ident
    type: Expr
    alias: bool


Spec = Union[ImportSpec, ValueSpec, TypeSpec]


@_node
class GenDecl:
    """tok is 'import', 'const', 'type' or 'var'."""

    span: Span
    tok: str
    specs: tuple[Spec, ...]


@_node
class FuncDecl:
    """A function or, with recv, a method.  body None for a declaration
    without body (an error in this subset, reported by the checker)."""

    span: Span
    recv: Optional[Field]
    name: Ident
    type: FuncType
    body: Optional[Block]


Decl = Union[GenDecl, FuncDecl]


@_node
class File:
    """A source file.  package is None when ``package main`` was omitted."""

    span: Span
    filename: str
    package: Optional[Ident]
    imports: tuple[ImportSpec, ...]
    decls: tuple[Decl, ...]


Node = Union[Expr, Stmt, Spec, Decl, Field, CaseClause, CommClause, File]


def children(node: Any) -> Iterator[Any]:
    """The nodes directly inside node, in field order (a Span is not a
    node: nodes are what carries a ``span``)."""
    for name in getattr(type(node), "__match_args__", ()):
        value = getattr(node, name)
        if type(value) is tuple:
            for item in value:
                if hasattr(item, "span"):
                    yield item
        elif hasattr(value, "span"):
            yield value


def walk(node: Any) -> Iterator[Any]:
    """node and every node below it, parents before children, in source
    (field) order."""
    stack = [node]
    while stack:
        n = stack.pop()
        yield n
        stack.extend(reversed(list(children(n))))
