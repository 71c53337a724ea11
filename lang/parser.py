"""Parse csp source text into ``lang.ast`` nodes (LALR tables + lang/lexer.py).

Public API: ``parse(filename, source) -> (ast.File | None, [Diagnostic])``.
Either a File and no diagnostics, or None and at least one diagnostic (the
first scanner error, else the first syntax error, as Go reports them).
``parse`` never raises.

How it works: ``lang/lexer.py`` turns the text into tokens (semicolons
inserted); lang/lalr.py runs the LALR(1) tables built from ``grammar.lark``
(lang/parse_tables.py) and calls the ``_Builder`` methods below as it
reduces (no intermediate parse tree); every callback sees its punctuation.

Spans: a node's span runs from the start of its first token to the end of
its last one (keywords and brackets included: an IfStmt starts at ``if``, a
Call ends after ``)``, a Block spans its braces).  ``Block.rbrace``,
``Call.rparen``, ``CompositeLit.rbrace``, ``Binary.op_span`` and
``AssignStmt.op_span`` are the spans of those single tokens.  Columns are
byte columns, as Go counts them.

File contents: ``File.imports`` lists every ImportSpec in source order, and
the import GenDecls are *also* kept in ``File.decls`` (in source order with
the other declarations), so tools that walk decls see them.  A const group's
ValueSpecs carry ``iota`` = their index in the group (0 for an ungrouped
spec); a spec without type and values keeps ``type=None, values=()`` for the
checker to fill from the previous spec.

Parameters: Go's grouping rule is applied here: ``(a, b int, c string)``
becomes Fields ``[a b] int`` and ``[c] string``; ``(int, string)`` gives two
anonymous Fields.  A variadic ``...T`` parameter has an ``Ellipsis`` type.

Type switches: ``switch x := y.(type)`` becomes a TypeSwitchStmt; any other
``.(type)`` stays a TypeAssert with ``type=None`` for the checker to reject.
``<-chan T`` written in an expression becomes a ``ChanType('recv')``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from lang import ast
from lang.ast import _node as _record
from lang.diagnostics import Diagnostic
from lang.lalr import Parser, UnexpectedToken
from lang.lexer import Token, tokenize
from lang.syntax_errors import describe_unexpected


class SyntaxProblem(Exception):
    """Raised by a builder callback for an error the grammar cannot see."""

    def __init__(self, span: ast.Span, message: str) -> None:
        super().__init__(message)
        self.span = span
        self.message = message


# ---------------------------------------------------------------- spans


def tok_span(t: Token) -> ast.Span:
    # Our lexer always sets every position field; `or 0` only satisfies typing.
    return ast.Span(t.line or 0, t.column or 0, t.end_line or 0, t.end_column or 0)


def _start(x: Any) -> tuple[int, int] | None:
    if x is None:
        return None
    if isinstance(x, Token):
        return (x.line or 0, x.column or 0)
    span: ast.Span = x.span
    return (span.line, span.col)


def _end(x: Any) -> tuple[int, int] | None:
    if x is None:
        return None
    if isinstance(x, Token):
        return (x.end_line or 0, x.end_column or 0)
    span: ast.Span = x.span
    return (span.end_line, span.end_col)


def span_of(children: Sequence[Any]) -> ast.Span:
    """From the first present child's start to the last one's end."""
    start = next((s for s in map(_start, children) if s is not None), None)
    end = next((e for e in map(_end, reversed(children)) if e is not None), None)
    if start is None or end is None:
        return ast.NO_SPAN
    return ast.Span(start[0], start[1], end[0], end[1])


def join(a: Any, b: Any) -> ast.Span:
    return span_of([a, b])


def _nodes(children: Sequence[Any]) -> list[Any]:
    """Children that are nodes (not tokens, not absent optionals)."""
    return [c for c in children if c is not None and not isinstance(c, Token)]


def _has(children: Sequence[Any], text: str) -> bool:
    return any(isinstance(c, Token) and c.value == text for c in children)


# ---------------------------------------------------- intermediate values
# Records built like the AST nodes (lang/ast.py ``_node``: frozen, slotted,
# identity equality); nothing compares them by value.


@_record
class _List:
    """expr_list / ident_list."""

    span: ast.Span
    items: tuple[Any, ...]


@_record
class _Param:
    span: ast.Span
    name: ast.Ident | None
    type: ast.Expr


@_record
class _Params:
    span: ast.Span
    fields: tuple[ast.Field, ...]


@_record
class _Signature:
    span: ast.Span
    params: tuple[ast.Field, ...]
    results: tuple[ast.Field, ...]


@_record
class _Suffix:
    """A postfix operation waiting for its operand (``.x``, ``[i]``, ``(...)``)."""

    span: ast.Span
    kind: str
    parts: tuple[Any, ...]
    last: Token


@_record
class _LitValue:
    span: ast.Span
    elts: tuple[ast.Expr, ...]
    rbrace: ast.Span


@_record
class _Spec:
    """A const spec before its group index is known."""

    span: ast.Span
    names: tuple[ast.Ident, ...]
    type: ast.Expr | None
    values: tuple[ast.Expr, ...]


def _group_params(span: ast.Span, entries: list[_Param]) -> _Params:
    """Go's rule: if any entry is ``name type``, lone entries are names that
    share the type of the next named entry."""
    if not any(e.name is not None for e in entries):
        return _Params(span, tuple(ast.Field(e.span, (), e.type) for e in entries))
    fields: list[ast.Field] = []
    pending: list[ast.Ident] = []
    for e in entries:
        if e.name is None:
            if not isinstance(e.type, ast.Ident):
                raise SyntaxProblem(e.span, "syntax error: mixed named and unnamed parameters")
            pending.append(e.type)
            continue
        names = (*pending, e.name)
        fields.append(ast.Field(span_of([names[0], e]), names, e.type))
        pending = []
    if pending:
        raise SyntaxProblem(pending[-1].span, "syntax error: mixed named and unnamed parameters")
    return _Params(span, tuple(fields))


def _body(children: Sequence[Any]) -> tuple[ast.Stmt, ...]:
    return tuple(_nodes(children))


class _Builder:
    """Reduction callbacks: one method per rule name or alias in grammar.lark.

    Each receives the rule's children (tokens kept, absent optionals None)."""

    # ---- file and declarations

    def start(self, c: list[Any]) -> ast.File:
        package: ast.Ident | None = None
        imports: list[ast.ImportSpec] = []
        decls: list[ast.Decl] = []
        for x in _nodes(c):
            if isinstance(x, ast.Ident):
                package = x
            elif isinstance(x, ast.GenDecl) and x.tok == "import":
                imports.extend(s for s in x.specs if isinstance(s, ast.ImportSpec))
                decls.append(x)
            else:
                decls.append(x)
        return ast.File(span_of(c), "", package, tuple(imports), tuple(decls))

    def package_clause(self, c: list[Any]) -> ast.Ident:
        return self.ident([c[1]])

    def _gen_decl(self, c: list[Any]) -> ast.GenDecl:
        specs = _nodes(c)
        return ast.GenDecl(span_of(c), c[0].value, tuple(specs))

    import_decl = _gen_decl
    var_decl = _gen_decl
    type_decl = _gen_decl

    def const_decl(self, c: list[Any]) -> ast.GenDecl:
        specs = [
            ast.ValueSpec(s.span, s.names, s.type, s.values, i)
            for i, s in enumerate(_nodes(c))
        ]
        return ast.GenDecl(span_of(c), "const", tuple(specs))

    def import_spec(self, c: list[Any]) -> ast.ImportSpec:
        path_tok = c[-1]
        name: ast.Ident | None = None
        if c[0] is not None and c[0] is not path_tok:
            name = ast.Ident(tok_span(c[0]), c[0].value)
        raw = path_tok.value
        path = raw[1:-1]
        return ast.ImportSpec(span_of(c), name, path)

    def const_spec(self, c: list[Any]) -> _Spec:
        names: _List = c[0]
        typ = c[1] if len(c) > 1 and not isinstance(c[1], Token) else None
        values: _List | None = c[-1] if isinstance(c[-1], _List) and c[-1] is not names else None
        return _Spec(span_of(c), names.items, typ, values.items if values else ())

    def var_spec(self, c: list[Any]) -> ast.ValueSpec:
        names: _List = c[0]
        typ = c[1] if not isinstance(c[1], Token) else None
        values: _List | None = c[-1] if isinstance(c[-1], _List) and c[-1] is not names else None
        return ast.ValueSpec(span_of(c), names.items, typ, values.items if values else (), 0)

    def type_spec(self, c: list[Any]) -> ast.TypeSpec:
        return ast.TypeSpec(span_of(c), self.ident([c[0]]), c[-1], _has(c, "="))

    def func_decl(self, c: list[Any]) -> ast.FuncDecl:
        # "func" [params] NAME signature [block]
        recv_params: _Params | None = c[1]
        recv: ast.Field | None = None
        if recv_params is not None:
            if len(recv_params.fields) != 1 or len(recv_params.fields[0].names) > 1:
                msg = "method has no receiver"
                if recv_params.fields:
                    msg = "method has multiple receivers"
                raise SyntaxProblem(recv_params.span, msg)
            recv = recv_params.fields[0]
        name = self.ident([c[2]])
        sig: _Signature = c[3]
        body: ast.Block | None = c[4]
        ftype = ast.FuncType(join(c[0], sig), sig.params, sig.results)
        return ast.FuncDecl(span_of(c), recv, name, ftype, body)

    # ---- types

    def type_name(self, c: list[Any]) -> ast.Expr:
        first = self.ident([c[0]])
        if len(c) == 1:
            return first
        return ast.Selector(span_of(c), first, self.ident([c[2]]))

    def paren_type(self, c: list[Any]) -> ast.Expr:
        inner: ast.Expr = c[1]
        return inner

    def pointer_type(self, c: list[Any]) -> ast.Star:
        return ast.Star(span_of(c), c[1])

    def array_type(self, c: list[Any]) -> ast.ArrayType:
        length = c[1]
        if isinstance(length, Token):  # [...]T
            length = ast.Ellipsis(tok_span(length), None)
        return ast.ArrayType(span_of(c), length, c[3])

    def slice_type(self, c: list[Any]) -> ast.ArrayType:
        return ast.ArrayType(span_of(c), None, c[2])

    def map_type(self, c: list[Any]) -> ast.MapType:
        return ast.MapType(span_of(c), c[2], c[4])

    def chan_type(self, c: list[Any]) -> ast.ChanType:
        if c[0].value == "<-":
            direction = "recv"
        elif len(c) == 3:
            direction = "send"
        else:
            direction = "both"
        return ast.ChanType(span_of(c), direction, c[-1])

    def func_type(self, c: list[Any]) -> ast.FuncType:
        sig: _Signature = c[1]
        return ast.FuncType(span_of(c), sig.params, sig.results)

    def struct_type(self, c: list[Any]) -> ast.StructType:
        return ast.StructType(span_of(c), tuple(_nodes(c)))

    def field_decl(self, c: list[Any]) -> ast.Field:
        names: _List = c[0]
        return ast.Field(span_of(c), names.items, c[1])

    def embedded_field(self, c: list[Any]) -> ast.Field:
        typ = c[1]
        if c[0] is not None:
            typ = ast.Star(join(c[0], typ), typ)
        return ast.Field(span_of(c), (), typ)

    def interface_type(self, c: list[Any]) -> ast.InterfaceType:
        methods = [x for x in _nodes(c) if isinstance(x, ast.Field)]
        embeds = [x for x in _nodes(c) if not isinstance(x, ast.Field)]
        return ast.InterfaceType(span_of(c), tuple(methods), tuple(embeds))

    def iface_method(self, c: list[Any]) -> ast.Field:
        sig: _Signature = c[1]
        ftype = ast.FuncType(sig.span, sig.params, sig.results)
        return ast.Field(span_of(c), (self.ident([c[0]]),), ftype)

    def signature(self, c: list[Any]) -> _Signature:
        params: _Params = c[0]
        result = c[1]
        if result is None:
            results: tuple[ast.Field, ...] = ()
        elif isinstance(result, _Params):
            results = result.fields
        else:
            results = (ast.Field(result.span, (), result),)
        return _Signature(span_of(c), params.fields, results)

    def params(self, c: list[Any]) -> _Params:
        entries = [x for x in _nodes(c) if isinstance(x, _Param)]
        return _group_params(span_of(c), entries)

    def param(self, c: list[Any]) -> _Param:
        return _Param(span_of(c), None, c[0])

    def named_param(self, c: list[Any]) -> _Param:
        return _Param(span_of(c), self.ident([c[0]]), c[1])

    def variadic_param(self, c: list[Any]) -> _Param:
        return _Param(span_of(c), None, ast.Ellipsis(span_of(c), c[1]))

    def named_variadic_param(self, c: list[Any]) -> _Param:
        return _Param(span_of(c), self.ident([c[0]]), ast.Ellipsis(join(c[1], c[2]), c[2]))

    def ident_list(self, c: list[Any]) -> _List:
        return _List(span_of(c), tuple(self.ident([t]) for t in c if t.type == "NAME"))

    # ---- statements

    def block(self, c: list[Any]) -> ast.Block:
        return ast.Block(span_of(c), _body(c), tok_span(c[-1]))

    def decl_stmt(self, c: list[Any]) -> ast.DeclStmt:
        return ast.DeclStmt(span_of(c), c[0])

    def labeled_stmt(self, c: list[Any]) -> ast.LabeledStmt:
        stmt = c[2] if c[2] is not None else ast.EmptyStmt(tok_span(c[1]))
        return ast.LabeledStmt(span_of(c), self.ident([c[0]]), stmt)

    def go_stmt(self, c: list[Any]) -> ast.GoStmt:
        return ast.GoStmt(span_of(c), c[1])

    def defer_stmt(self, c: list[Any]) -> ast.DeferStmt:
        return ast.DeferStmt(span_of(c), c[1])

    def return_stmt(self, c: list[Any]) -> ast.ReturnStmt:
        results: _List | None = c[1]
        return ast.ReturnStmt(span_of(c), results.items if results else ())

    def _branch(self, c: list[Any]) -> ast.BranchStmt:
        label = self.ident([c[1]]) if len(c) > 1 and c[1] is not None else None
        return ast.BranchStmt(span_of(c), c[0].value, label)

    break_stmt = _branch
    continue_stmt = _branch
    goto_stmt = _branch
    fallthrough_stmt = _branch

    def expr_stmt(self, c: list[Any]) -> ast.ExprStmt:
        return ast.ExprStmt(span_of(c), c[0])

    def send_stmt(self, c: list[Any]) -> ast.SendStmt:
        return ast.SendStmt(span_of(c), c[0], c[2])

    def incdec_stmt(self, c: list[Any]) -> ast.IncDecStmt:
        return ast.IncDecStmt(span_of(c), c[0], c[1].value)

    def assign_stmt(self, c: list[Any]) -> ast.AssignStmt:
        lhs: _List = c[0]
        op: Token = c[1]
        rhs: _List = c[2]
        if op.value == ":=":
            for x in lhs.items:
                if not isinstance(x, ast.Ident):
                    raise SyntaxProblem(x.span, f"non-name {_short(x)} on left side of :=")
        elif op.value != "=" and (len(lhs.items) > 1 or len(rhs.items) > 1):
            raise SyntaxProblem(
                tok_span(op), f"syntax error: unexpected {op.value}, expected := or = or comma"
            )
        return ast.AssignStmt(span_of(c), lhs.items, op.value, rhs.items, tok_span(op))

    def if_stmt(self, c: list[Any]) -> ast.IfStmt:
        nodes = _nodes(c)
        init = nodes.pop(0) if _has(c, ";") else None
        cond = nodes[0]
        if isinstance(cond, _List):
            cond = cond.items[0]
        body: ast.Block = nodes[1]
        else_ = nodes[2] if len(nodes) > 2 else None
        return ast.IfStmt(span_of(c), init, cond, body, else_)

    def switch_stmt(self, c: list[Any]) -> ast.Stmt:
        lbrace = next(i for i, t in enumerate(c) if isinstance(t, Token) and t.value == "{")
        header = c[1:lbrace]
        clauses = tuple(x for x in c[lbrace:] if isinstance(x, ast.CaseClause))
        init: ast.Stmt | None = None
        tag_stmt: ast.Stmt | None
        if len(header) == 3:  # init ; tag
            init, tag_stmt = header[0], header[2]
        else:
            tag_stmt = header[0]
        span = span_of(c)
        if tag_stmt is None:
            return ast.SwitchStmt(span, init, None, clauses)
        if isinstance(tag_stmt, ast.ExprStmt):
            x = tag_stmt.x
            if isinstance(x, ast.TypeAssert) and x.type is None:
                return ast.TypeSwitchStmt(span, init, None, x.x, clauses)
            return ast.SwitchStmt(span, init, x, clauses)
        if (
            isinstance(tag_stmt, ast.AssignStmt)
            and tag_stmt.op == ":="
            and len(tag_stmt.lhs) == 1
            and len(tag_stmt.rhs) == 1
            and isinstance(tag_stmt.rhs[0], ast.TypeAssert)
            and tag_stmt.rhs[0].type is None
            and isinstance(tag_stmt.lhs[0], ast.Ident)
        ):
            guard = tag_stmt.rhs[0]
            return ast.TypeSwitchStmt(span, init, tag_stmt.lhs[0], guard.x, clauses)
        raise SyntaxProblem(tag_stmt.span, "syntax error: switch expression must be an expression")

    def case_clause(self, c: list[Any]) -> ast.CaseClause:
        exprs: tuple[ast.Expr, ...] | None = None
        if c[0].value == "case":
            exprs = c[1].items
            body = c[3:]
        else:
            body = c[2:]
        return ast.CaseClause(span_of(c), exprs, _body(body))

    def select_stmt(self, c: list[Any]) -> ast.SelectStmt:
        return ast.SelectStmt(span_of(c), tuple(_nodes(c)))

    def comm_clause(self, c: list[Any]) -> ast.CommClause:
        comm: ast.Stmt | None = None
        if c[0].value == "case":
            comm = c[1]
            body = c[3:]
            if not _is_comm(comm):
                raise SyntaxProblem(
                    comm.span, "syntax error: select case must be receive, send or assign recv"
                )
        else:
            body = c[2:]
        return ast.CommClause(span_of(c), comm, _body(body))

    def for_ever(self, c: list[Any]) -> ast.ForStmt:
        return ast.ForStmt(span_of(c), None, None, None, c[1])

    def for_cond(self, c: list[Any]) -> ast.ForStmt:
        return ast.ForStmt(span_of(c), None, c[1], None, c[2])

    def for_three(self, c: list[Any]) -> ast.ForStmt:
        # "for" [init] ";" [cond] ";" [post] block
        post = c[5]
        if isinstance(post, ast.AssignStmt) and post.op == ":=":
            raise SyntaxProblem(
                post.span, "syntax error: cannot declare in post statement of for loop"
            )
        return ast.ForStmt(span_of(c), c[1], c[3], post, c[6])

    def for_range(self, c: list[Any]) -> ast.RangeStmt:
        # "for" [lhs op] "range" x block
        key = value = None
        tok: str | None = None
        if c[1] is not None:
            lhs: _List = c[1]
            tok = c[2].value
            if len(lhs.items) > 2:
                raise SyntaxProblem(
                    lhs.items[2].span,
                    "syntax error: range clause permits at most two iteration variables",
                )
            key = lhs.items[0]
            value = lhs.items[1] if len(lhs.items) > 1 else None
        return ast.RangeStmt(span_of(c), key, value, tok, c[-2], c[-1])

    # ---- expressions

    def expr_list(self, c: list[Any]) -> _List:
        return _List(span_of(c), tuple(_nodes(c)))

    expr_list_nb = expr_list

    def binary(self, c: list[Any]) -> ast.Binary:
        op: Token = c[1]
        return ast.Binary(span_of(c), op.value, c[0], c[2], tok_span(op))

    def unary(self, c: list[Any]) -> ast.Expr:
        op: Token = c[0]
        x = c[1]
        span = span_of(c)
        if op.value == "*":
            return ast.Star(span, x)
        if op.value == "<-" and isinstance(x, ast.ChanType) and x.dir == "both":
            return ast.ChanType(span, "recv", x.value)
        return ast.Unary(span, op.value, x)

    def composite_lit(self, c: list[Any]) -> ast.CompositeLit:
        typ = c[0]
        lit: _LitValue = c[1]
        return ast.CompositeLit(span_of(c), typ, lit.elts, lit.rbrace)

    def lit_value(self, c: list[Any]) -> _LitValue:
        elts = tuple(_elt(x) for x in _nodes(c))
        return _LitValue(span_of(c), elts, tok_span(c[-1]))

    def key_value(self, c: list[Any]) -> ast.KeyValue:
        return ast.KeyValue(span_of(c), _elt(c[0]), _elt(c[2]))

    def postfix(self, c: list[Any]) -> ast.Expr:
        x = c[0]
        s: _Suffix = c[1]
        span = join(x, s)
        p = s.parts
        if s.kind == "sel":
            return ast.Selector(span, x, p[0])
        if s.kind == "assert":
            return ast.TypeAssert(span, x, p[0])
        if s.kind == "index":
            return ast.Index(span, x, p[0])
        if s.kind == "slice":
            return ast.SliceExpr(span, x, p[0], p[1], p[2], len(p) == 4)
        return ast.Call(span, x, p, s.kind == "call...", tok_span(s.last))

    def sel(self, c: list[Any]) -> _Suffix:
        return _Suffix(span_of(c), "sel", (self.ident([c[1]]),), c[-1])

    def type_assert(self, c: list[Any]) -> _Suffix:
        return _Suffix(span_of(c), "assert", (c[2],), c[-1])

    def type_guard(self, c: list[Any]) -> _Suffix:
        return _Suffix(span_of(c), "assert", (None,), c[-1])

    def index(self, c: list[Any]) -> _Suffix:
        return _Suffix(span_of(c), "index", (c[1],), c[-1])

    def slice2(self, c: list[Any]) -> _Suffix:
        return _Suffix(span_of(c), "slice", (c[1], c[3], None), c[-1])

    def slice3(self, c: list[Any]) -> _Suffix:
        # "[" [lo] ":" hi ":" max "]"; the 4th part marks slice3
        return _Suffix(span_of(c), "slice", (c[1], c[3], c[5], True), c[-1])

    def call(self, c: list[Any]) -> _Suffix:
        args = tuple(_nodes(c))
        kind = "call..." if _has(c, "...") else "call"
        return _Suffix(span_of(c), kind, args, c[-1])

    def ident(self, c: list[Any]) -> ast.Ident:
        t: Token = c[0]
        return ast.Ident(tok_span(t), t.value)

    def int_lit(self, c: list[Any]) -> ast.BasicLit:
        return ast.BasicLit(tok_span(c[0]), "INT", c[0].value)

    def float_lit(self, c: list[Any]) -> ast.BasicLit:
        return ast.BasicLit(tok_span(c[0]), "FLOAT", c[0].value)

    def char_lit(self, c: list[Any]) -> ast.BasicLit:
        return ast.BasicLit(tok_span(c[0]), "CHAR", c[0].value)

    def string_lit(self, c: list[Any]) -> ast.BasicLit:
        return ast.BasicLit(tok_span(c[0]), "STRING", c[0].value)

    def paren(self, c: list[Any]) -> ast.ParenExpr:
        return ast.ParenExpr(span_of(c), c[1])

    def func_lit(self, c: list[Any]) -> ast.FuncLit:
        sig: _Signature = c[1]
        ftype = ast.FuncType(join(c[0], sig), sig.params, sig.results)
        return ast.FuncLit(span_of(c), ftype, c[2])


def _short(x: ast.Expr) -> str:
    """A short source-like rendering for messages (names and selectors)."""
    if isinstance(x, ast.Ident):
        return x.name
    if isinstance(x, ast.Selector):
        return f"{_short(x.x)}.{x.sel.name}"
    if isinstance(x, ast.Star):
        return f"*{_short(x.x)}"
    if isinstance(x, ast.Index):
        return f"{_short(x.x)}[{_short(x.index)}]"
    if isinstance(x, ast.BasicLit):
        return x.value
    return "expression"


def _elt(x: Any) -> ast.Expr:
    """A composite-literal element; a bare ``{...}`` has an elided type."""
    if isinstance(x, _LitValue):
        return ast.CompositeLit(x.span, None, x.elts, x.rbrace)
    e: ast.Expr = x
    return e


def _is_recv(x: ast.Expr) -> bool:
    while isinstance(x, ast.ParenExpr):
        x = x.x
    return isinstance(x, ast.Unary) and x.op == "<-"


def _is_comm(s: ast.Stmt) -> bool:
    if isinstance(s, ast.SendStmt):
        return True
    if isinstance(s, ast.ExprStmt):
        return _is_recv(s.x)
    if isinstance(s, ast.AssignStmt):
        return s.op in ("=", ":=") and len(s.rhs) == 1 and _is_recv(s.rhs[0])
    return False


# ------------------------------------------------------------ the parser


_PARSER: Parser | None = None


def get_parser() -> tuple[Parser, dict[str, str]]:
    """Build (once) the parser and the literal-text -> terminal map."""
    global _PARSER
    if _PARSER is None:
        _PARSER = Parser(_Builder())
    return _PARSER, _PARSER.terminals


def parse(filename: str, source: str) -> tuple[ast.File | None, list[Diagnostic]]:
    """Parse one source file; see the module header for the contract."""
    try:
        return _parse(filename, source)
    except Exception as exc:  # noqa: BLE001 - a crash must become a diagnostic
        return None, [Diagnostic(filename, ast.Span(1, 1, 1, 1), f"internal parser error: {exc}")]




def _eof_span(source: str) -> ast.Span:
    """Go's position of EOF: just past the last character."""
    line = source.count("\n") + 1
    last = source[source.rfind("\n") + 1 :]
    col = len(last.encode("utf-8", "surrogatepass")) + 1
    return ast.Span(line, col, line, col)


def _parse(filename: str, source: str) -> tuple[ast.File | None, list[Diagnostic]]:
    parser, terminals = get_parser()
    if source.startswith("\ufeff"):
        source = source[1:]
    tokens, lex_errors = tokenize(source, terminals)
    if lex_errors:
        e = lex_errors[0]
        return None, [Diagnostic(filename, ast.Span(e.line, e.col, e.line, e.col), e.message)]
    try:
        result: Any = parser.parse(tokens)
    except SyntaxProblem as p:
        return None, [Diagnostic(filename, p.span, p.message)]
    except UnexpectedToken as u:
        span, msg = describe_unexpected(u, tokens, terminals, _eof_span(source))
        return None, [Diagnostic(filename, span, msg)]
    file: ast.File = result
    end_pos = _end(tokens[-1]) if tokens else None
    end = ast.Span(1, 1, end_pos[0], end_pos[1]) if end_pos else ast.Span(1, 1, 1, 1)
    return ast.File(end, filename, file.package, file.imports, file.decls), []
