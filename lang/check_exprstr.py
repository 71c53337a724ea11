# Go's short spelling of an expression in compile errors (go/types
# ExprString): composite literal and function bodies elide to ``…``.
from __future__ import annotations

from typing import Any

from lang import ast


def expr_string(e: Any) -> str:
    out: list[str] = []
    _write(out, e)
    return "".join(out)


def _fields(out: list[str], fields: tuple[ast.Field, ...], sep: str) -> None:
    for i, f in enumerate(fields):
        if i:
            out.append(sep)
        if f.names:
            out.append(", ".join(n.name for n in f.names))
            out.append(" ")
        _write(out, f.type)


def _sig(out: list[str], ft: ast.FuncType) -> None:
    out.append("(")
    _fields(out, ft.params, ", ")
    out.append(")")
    if not ft.results:
        return
    out.append(" ")
    if len(ft.results) == 1 and not ft.results[0].names:
        _write(out, ft.results[0].type)
        return
    out.append("(")
    _fields(out, ft.results, ", ")
    out.append(")")


def _write(out: list[str], e: Any) -> None:
    if isinstance(e, ast.Ident):
        out.append(e.name)
    elif isinstance(e, ast.BasicLit):
        out.append(e.value)
    elif isinstance(e, ast.ParenExpr):
        out.append("(")
        _write(out, e.x)
        out.append(")")
    elif isinstance(e, ast.Selector):
        _write(out, e.x)
        out.append("." + e.sel.name)
    elif isinstance(e, ast.Index):
        _write(out, e.x)
        out.append("[")
        _write(out, e.index)
        out.append("]")
    elif isinstance(e, ast.SliceExpr):
        _write(out, e.x)
        out.append("[")
        if e.lo is not None:
            _write(out, e.lo)
        out.append(":")
        if e.hi is not None:
            _write(out, e.hi)
        if e.slice3:
            out.append(":")
            if e.max is not None:
                _write(out, e.max)
        out.append("]")
    elif isinstance(e, ast.TypeAssert):
        _write(out, e.x)
        out.append(".(")
        if e.type is None:
            out.append("type")
        else:
            _write(out, e.type)
        out.append(")")
    elif isinstance(e, ast.Call):
        _write(out, e.fun)
        out.append("(")
        for i, a in enumerate(e.args):
            if i:
                out.append(", ")
            _write(out, a)
        if e.has_ellipsis:
            out.append("...")
        out.append(")")
    elif isinstance(e, ast.Star):
        out.append("*")
        _write(out, e.x)
    elif isinstance(e, ast.Unary):
        out.append(e.op)
        _write(out, e.x)
    elif isinstance(e, ast.Binary):
        _write(out, e.x)
        out.append(f" {e.op} ")
        _write(out, e.y)
    elif isinstance(e, ast.KeyValue):
        _write(out, e.key)
        out.append(": ")
        _write(out, e.value)
    elif isinstance(e, ast.CompositeLit):
        if e.type is not None:
            _write(out, e.type)
        out.append("{…}" if e.elts else "{}")
    elif isinstance(e, ast.FuncLit):
        out.append("func")
        _sig(out, e.type)
        out.append(" {…}")
    elif isinstance(e, ast.ArrayType):
        out.append("[")
        if e.len is not None:
            _write(out, e.len)
        out.append("]")
        _write(out, e.elem)
    elif isinstance(e, ast.Ellipsis):
        out.append("...")
        if e.elt is not None:
            _write(out, e.elt)
    elif isinstance(e, ast.MapType):
        out.append("map[")
        _write(out, e.key)
        out.append("]")
        _write(out, e.value)
    elif isinstance(e, ast.ChanType):
        out.append({"both": "chan ", "send": "chan<- ", "recv": "<-chan "}[e.dir])
        _write(out, e.value)
    elif isinstance(e, ast.FuncType):
        out.append("func")
        _sig(out, e)
    elif isinstance(e, ast.StructType):
        out.append("struct{")
        _fields(out, e.fields, "; ")
        out.append("}")
    elif isinstance(e, ast.InterfaceType):
        out.append("interface{")
        parts: list[str] = [expr_string(x) for x in e.embeds]
        for m in e.methods:
            sub: list[str] = [m.names[0].name if m.names else ""]
            if isinstance(m.type, ast.FuncType):
                _sig(sub, m.type)
            parts.append("".join(sub))
        out.append("; ".join(parts))
        out.append("}")
    else:
        out.append("?")
