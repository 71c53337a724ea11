# Composite literals: struct (keyed and positional), array (incl.
# ``[...]T``), slice and map literals, with elided element types.
#
# Invariants:
# - An elided inner literal is checked with the element type as its type;
#   for a pointer element type ``*T`` it denotes ``&T{...}`` and is
#   recorded with type ``*T``.
# - Element values are checked with Go's assignability rules in the
#   contexts Go names ("struct literal", "array or slice literal",
#   "map literal").
from __future__ import annotations

from typing import Any

from lang import ast
from lang import types as T
from lang.check_base import CheckerBase, Mode, Operand, tstr
from lang.check_exprstr import expr_string


def unparen(e: Any) -> Any:
    while isinstance(e, ast.ParenExpr):
        e = e.x
    return e


class CompositeMixin(CheckerBase):
    def composite(self, e: ast.CompositeLit, hint: T.Type | None) -> Operand:
        typ: T.Type
        if e.type is not None:
            if isinstance(e.type, ast.ArrayType) and isinstance(e.type.len, ast.Ellipsis):
                elem = self.typexpr(e.type.elem)
                if elem is T.INVALID:
                    self.use_exprs(tuple(self._elt_values(e)))
                    return Operand(Mode.INVALID, e)
                n = self.indexed_elts(e, elem, -1)
                typ = T.Array(n, elem)
                self.info.type_exprs[e.type] = typ
                return Operand(Mode.VALUE, e, typ)
            typ = self.typexpr(e.type)
        elif hint is not None:
            typ = hint
        else:
            self.error(e, "invalid composite literal type: missing type")
            return Operand(Mode.INVALID, e)
        if typ is T.INVALID:
            self.use_exprs(tuple(self._elt_values(e)))
            return Operand(Mode.INVALID, e)
        base = typ
        if e.type is None and isinstance(typ, T.Pointer):
            base = typ.elem
        u = T.underlying(base)
        if isinstance(u, T.Struct):
            self.struct_lit(e, base, u)
        elif isinstance(u, T.Array):
            self.indexed_elts(e, u.elem, u.length)
        elif isinstance(u, T.Slice):
            self.indexed_elts(e, u.elem, -1)
        elif isinstance(u, T.Map):
            self.map_lit(e, u)
        else:
            self.error(e, f"invalid composite literal type {tstr(typ)}")
            self.use_exprs(tuple(self._elt_values(e)))
            return Operand(Mode.INVALID, e)
        return Operand(Mode.VALUE, e, typ)

    @staticmethod
    def _elt_values(e: ast.CompositeLit) -> list[Any]:
        return [x.value if isinstance(x, ast.KeyValue) else x for x in e.elts]

    def elem_value(self, v: Any, t: T.Type, context: str) -> None:
        x = self.expr(v, t if isinstance(unparen(v), ast.CompositeLit) else None)
        if isinstance(v, ast.CompositeLit) and v.type is None:
            return
        self.assignment(x, t, context)

    def struct_lit(self, e: ast.CompositeLit, typ: T.Type, st: T.Struct) -> None:
        if not e.elts:
            return
        if isinstance(e.elts[0], ast.KeyValue):
            seen: set[str] = set()
            for kv in e.elts:
                if not isinstance(kv, ast.KeyValue):
                    self.error(kv, "mixture of field:value and value elements in struct literal")
                    self.use_exprs((kv,))
                    continue
                key = kv.key
                if not isinstance(key, ast.Ident):
                    self.error(key, f"invalid field name {expr_string(key)} in struct literal")
                    self.use_exprs((kv.value,))
                    continue
                i = st.field_index(key.name)
                if i < 0:
                    self.error(
                        key, f"unknown field '{key.name}' in struct literal of type {tstr(typ)}"
                    )
                    self.use_exprs((kv.value,))
                    continue
                if key.name in seen:
                    self.error(key, f"duplicate field name {key.name} in struct literal")
                seen.add(key.name)
                self.elem_value(kv.value, st.fields[i].type, "struct literal")
            return
        for i, v in enumerate(e.elts):
            if isinstance(v, ast.KeyValue):
                self.error(v, "mixture of field:value and value elements in struct literal")
                self.use_exprs((v.value,))
                continue
            if i >= len(st.fields):
                self.error(v, f"too many values in {expr_string(e)}")
                self.use_exprs(e.elts[i:])
                return
            self.elem_value(v, st.fields[i].type, "struct literal")
        if len(e.elts) < len(st.fields):
            self.error(e.rbrace, f"too few values in {expr_string(e)}")

    def indexed_elts(self, e: ast.CompositeLit, elem: T.Type, length: int) -> int:
        idx = 0
        max_idx = 0
        seen: set[int] = set()
        for v in e.elts:
            if isinstance(v, ast.KeyValue):
                k = self.expr(v.key)
                if not k.invalid:
                    if k.mode is Mode.CONSTANT and isinstance(k.val, int) and T.is_integer(k.type):
                        self.convert_untyped(k, T.INT)
                        idx = k.val if isinstance(k.val, int) else idx
                        if idx < 0:
                            self.error(
                                v.key,
                                f"index {expr_string(v.key)} must be non-negative integer constant",
                            )
                    else:
                        self.error(v.key, f"index {expr_string(v.key)} must be integer constant")
                val = v.value
            else:
                val = v
            if 0 <= length <= idx:
                self.error(val, f"index {idx} out of bounds [0:{length}]")
            elif idx in seen:
                self.error(
                    v.key if isinstance(v, ast.KeyValue) else v,
                    f"duplicate index {idx} in array or slice literal",
                )
            seen.add(idx)
            self.elem_value(val, elem, "array or slice literal")
            idx += 1
            max_idx = max(max_idx, idx)
        return max_idx

    def map_lit(self, e: ast.CompositeLit, m: T.Map) -> None:
        seen: set[Any] = set()
        for v in e.elts:
            if not isinstance(v, ast.KeyValue):
                self.error(v, "missing key in map literal")
                self.use_exprs((v,))
                continue
            k = self.expr(v.key, m.key if isinstance(unparen(v.key), ast.CompositeLit) else None)
            if not (isinstance(v.key, ast.CompositeLit) and v.key.type is None):
                if self.assignment(k, m.key, "map literal") and k.mode is Mode.CONSTANT:
                    key = (type(k.val), k.val)
                    if key in seen:
                        self.error(v.key, f"duplicate key {expr_string(v.key)} in map literal")
                    seen.add(key)
            self.elem_value(v.value, m.value, "map literal")
