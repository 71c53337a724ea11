# Type expressions: turning AST type syntax into lang.types values.
#
# Invariants:
# - Every node that denotes a type is recorded in info.type_exprs.
# - Named types are created by the declaration pass before any type
#   expression is resolved, so self-reference (``type L struct{next *L}``)
#   needs no special case here.
from __future__ import annotations

from typing import Any

from lang import ast
from lang import info as I
from lang import types as T
from lang.check_base import CheckerBase, Mode, describe, tstr
from lang.types import comparable


class TypeExprMixin(CheckerBase):
    def typexpr(self, e: Any) -> T.Type:
        t = self._typexpr(e)
        if t is not T.INVALID:
            self.info.type_exprs[e] = t
        return t

    def _typexpr(self, e: Any) -> T.Type:
        if isinstance(e, ast.Ident):
            obj = self.scope.lookup(e.name)
            if obj is None:
                self.error(e, f"undefined: {e.name}")
                return T.INVALID
            self.info.uses[e] = obj
            if isinstance(obj, I.TypeName):
                self.resolve_global(obj)
                return obj.type
            x = self.raw_expr(e, allow_type=True)
            if not x.invalid:
                self.error(e, f"{describe(x)} is not a type")
            return T.INVALID
        if isinstance(e, ast.ParenExpr):
            return self.typexpr(e.x)
        if isinstance(e, ast.Selector):
            x = self.raw_expr(e, allow_type=True)
            if x.invalid:
                return T.INVALID
            if x.mode is not Mode.TYPEXPR:
                self.error(e, f"{describe(x)} is not a type")
                return T.INVALID
            return x.type
        if isinstance(e, ast.Star):
            elem = self.typexpr(e.x)
            return T.INVALID if elem is T.INVALID else T.Pointer(elem)
        if isinstance(e, ast.ArrayType):
            elem = self.typexpr(e.elem)
            if e.len is None:
                return T.INVALID if elem is T.INVALID else T.Slice(elem)
            if isinstance(e.len, ast.Ellipsis):
                self.error(e.len, "invalid use of [...] array (outside a composite literal)")
                return T.INVALID
            n = self.array_length(e.len)
            if n is None or elem is T.INVALID:
                return T.INVALID
            return T.Array(n, elem)
        if isinstance(e, ast.MapType):
            k = self.typexpr(e.key)
            v = self.typexpr(e.value)
            if k is T.INVALID or v is T.INVALID:
                return T.INVALID
            if not isinstance(k, T.Named) or k.underlying is not T.INVALID:
                if not comparable(k):
                    self.error(e.key, f"invalid map key type {tstr(k)}")
                    return T.INVALID
            return T.Map(k, v)
        if isinstance(e, ast.ChanType):
            v = self.typexpr(e.value)
            if v is T.INVALID:
                return T.INVALID
            return T.Chan(T.ChanDir(e.dir), v)
        if isinstance(e, ast.FuncType):
            return self.signature(e)
        if isinstance(e, ast.StructType):
            return self.struct_type(e)
        if isinstance(e, ast.InterfaceType):
            return self.interface_type(e)
        if isinstance(e, ast.Ellipsis):
            self.error(e, "invalid use of ...")
            return T.INVALID
        x = self.raw_expr(e)
        if not x.invalid:
            self.error(e, f"{describe(x)} is not a type")
        return T.INVALID

    def array_length(self, e: Any) -> int | None:
        if isinstance(e, ast.Ident) and isinstance(self.scope.lookup(e.name), I.Var):
            self.error(e, f"invalid array length {e.name}")
            return None
        x = self.expr(e)
        if x.invalid:
            return None
        if x.mode is not Mode.CONSTANT:
            self.error(e, f"array length {describe(x)} must be constant")
            return None
        if T.is_untyped(x.type):
            self.convert_untyped(x, T.INT)
            if x.invalid:
                return None
        elif not T.is_integer(x.type):
            self.error(e, f"array length {describe(x)} must be integer")
            return None
        n = int(x.val) if x.val is not None and not isinstance(x.val, (str, bool)) else -1
        if n < 0:
            self.error(e, f"invalid array length {describe(x)}")
            return None
        return n

    def signature(self, ft: ast.FuncType) -> T.Signature:
        params: list[T.Type] = []
        variadic = False
        for i, f in enumerate(ft.params):
            te = f.type
            if isinstance(te, ast.Ellipsis):
                if i != len(ft.params) - 1 or len(f.names) > 1:
                    self.error(te, "can only use ... with final parameter in list")
                variadic = True
                elem = self.typexpr(te.elt) if te.elt is not None else T.INVALID
                t: T.Type = T.Slice(elem)
            else:
                t = self.typexpr(te)
            params.extend([t] * max(1, len(f.names)))
        results: list[T.Type] = []
        for f in ft.results:
            t = self.typexpr(f.type)
            results.extend([t] * max(1, len(f.names)))
        return T.Signature(tuple(params), tuple(results), variadic)

    def struct_type(self, st: ast.StructType) -> T.Type:
        fields: list[T.StructField] = []
        seen: dict[str, ast.Ident | Any] = {}
        for f in st.fields:
            t = self.typexpr(f.type)
            if f.names:
                for n in f.names:
                    if n.name != "_" and n.name in seen:
                        self.error(n, f"{n.name} redeclared")
                    seen[n.name] = n
                    fields.append(T.StructField(n.name, t))
            else:
                base = f.type.x if isinstance(f.type, ast.Star) else f.type
                name = (
                    base.sel.name if isinstance(base, ast.Selector) else getattr(base, "name", "?")
                )
                if name in seen:
                    self.error(f, f"{name} redeclared")
                seen[name] = f
                fields.append(T.StructField(name, t, embedded=True))
        return T.Struct(tuple(fields))

    def interface_type(self, it: ast.InterfaceType) -> T.Type:
        methods: dict[str, T.Method] = {}
        for m in it.methods:
            if not m.names or not isinstance(m.type, ast.FuncType):
                continue
            name = m.names[0].name
            if name in methods:
                self.error(m.names[0], f"duplicate method {name}")
            methods[name] = T.Method(name, self.signature(m.type))
        for emb in it.embeds:
            t = self.typexpr(emb)
            if t is T.INVALID:
                continue
            if isinstance(t, T.Named):
                self.resolve_global_type(t)
            u = T.underlying(t)
            if not isinstance(u, T.Interface):
                self.error(emb, "interface contains type constraints")
                continue
            for em in u.methods:
                methods.setdefault(em.name, em)
        if not methods:
            return T.Interface(())
        return T.Interface(tuple(sorted(methods.values(), key=lambda mm: mm.name)))

    def resolve_global_type(self, t: T.Named) -> None:
        """Make sure a package-level Named's underlying type is set (an
        embedded interface may be declared later in the file)."""
        obj = self.pkg_scope.names.get(t.name)
        if isinstance(obj, I.TypeName) and obj.type is t:
            self.resolve_global(obj)
