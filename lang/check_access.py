# Operand access: selectors (fields through embedding and pointers,
# methods with automatic & and *, package members, method expressions),
# indexing, slicing, type assertions and pointer dereference.
#
# Invariants:
# - Every Selector except a qualified type name gets a Selection.
# - Taking an address implicitly (pointer-method call, slicing an array
#   variable) marks the root variable ``addressed``, like explicit ``&v``.
from __future__ import annotations

from fractions import Fraction
from typing import Any

from lang import ast
from lang import constants as C
from lang import info as I
from lang import types as T
from lang.check_base import CheckerBase, Mode, Operand, describe, tstr
from lang.check_exprstr import expr_string
from lang.check_types import LookupResult, in_method_set, lookup, missing_method


def _is_nil(x: Operand) -> bool:
    return isinstance(x.type, T.Basic) and x.type.kind is T.Kind.UNTYPED_NIL


class AccessMixin(CheckerBase):
    # -- selectors -----------------------------------------------------------

    def selector(self, e: ast.Selector) -> Operand:
        sel = e.sel.name
        if isinstance(e.x, ast.Ident):
            obj = self.scope.lookup(e.x.name)
            if isinstance(obj, I.PkgName):
                return self.pkg_member(e, obj)
        x = self.raw_expr(e.x, allow_type=True)
        if x.invalid:
            return Operand(Mode.INVALID, e)
        if x.mode is Mode.NOVALUE:
            self.error(e.x, f"{expr_string(e.x)} (no value) used as value")
            return Operand(Mode.INVALID, e)
        if x.mode is Mode.TYPEXPR:
            return self.method_expr(e, x)
        r = lookup(x.type, sel)
        if r == "ambiguous":
            self.error(e.sel, f"ambiguous selector {expr_string(e)}")
            return Operand(Mode.INVALID, e)
        if not isinstance(r, LookupResult):
            what = "field or method"
            self.error(
                e.sel, f"{expr_string(e)} undefined (type {tstr(x.type)} has no {what} {sel})"
            )
            return Operand(Mode.INVALID, e)
        if r.kind == "field":
            self.info.selections[e] = I.Selection(I.SelKind.FIELD, r.path, r.derefs)
            mode = Mode.VARIABLE if (x.mode is Mode.VARIABLE or any(r.derefs)) else Mode.VALUE
            return Operand(mode, e, r.type)
        if r.kind == "iface":
            self.info.selections[e] = I.Selection(I.SelKind.IFACE_METHOD, r.path, r.derefs)
            return Operand(Mode.VALUE, e, r.type)
        assert r.method is not None
        recv_is_ptr = r.recv_ptr if r.path else isinstance(x.type, T.Pointer)
        recv_addr = False
        if r.method.ptr_recv and not recv_is_ptr:
            if x.mode is not Mode.VARIABLE and not any(r.derefs):
                self.error(e.sel, f"cannot call pointer method {sel} on {tstr(x.type)}")
                return Operand(Mode.INVALID, e)
            recv_addr = True
            if not any(r.derefs):
                self.mark_addressed(e.x)
        recv_deref = (not r.method.ptr_recv) and recv_is_ptr
        if r.method.decl is not None and self.cur_deps is not None:
            self.cur_deps.add(r.method.decl)
        self.info.selections[e] = I.Selection(
            I.SelKind.METHOD, r.path, r.derefs, r.method, recv_addr, recv_deref
        )
        return Operand(Mode.VALUE, e, r.type)

    def method_expr(self, e: ast.Selector, x: Operand) -> Operand:
        r = lookup(x.type, e.sel.name)
        if not isinstance(r, LookupResult) or r.kind == "field":
            self.error(
                e.sel,
                f"{expr_string(e)} undefined (type {tstr(x.type)} has no method {e.sel.name})",
            )
            return Operand(Mode.INVALID, e)
        sig = r.type
        assert isinstance(sig, T.Signature)
        if r.kind == "method" and not in_method_set(r, isinstance(x.type, T.Pointer)):
            self.error(
                e.sel,
                f"invalid method expression {expr_string(e)} (needs pointer "
                f"receiver (*{tstr(x.type)}).{e.sel.name})",
            )
            return Operand(Mode.INVALID, e)
        kind = I.SelKind.METHOD if r.kind == "method" else I.SelKind.IFACE_METHOD
        self.info.selections[e] = I.Selection(kind, r.path, r.derefs, r.method)
        ft = T.Signature((x.type,) + sig.params, sig.results, sig.variadic)
        return Operand(Mode.VALUE, e, ft)

    def pkg_member(self, e: ast.Selector, pkg: I.PkgName) -> Operand:
        from stdlib import registry

        pkg.used = True
        assert isinstance(e.x, ast.Ident)
        self.info.uses[e.x] = pkg
        p = registry.PACKAGES.get(pkg.path)
        if p is None:
            return Operand(Mode.INVALID, e)  # the import was already reported
        m = p.lookup(e.sel.name)
        if m is None or not e.sel.name[:1].isupper():
            self.error(e.sel, f"undefined: {e.x.name}.{e.sel.name}")
            return Operand(Mode.INVALID, e)
        if isinstance(m, registry.TypeMember):
            self.info.type_exprs[e] = m.type
            self.info.uses[e.sel] = I.TypeName(m.name, m.type, None)
            return Operand(Mode.TYPEXPR, e, m.type)
        self.info.selections[e] = I.Selection(I.SelKind.PKG_MEMBER, member=m)
        if isinstance(m, registry.NativeFunc):
            self.info.uses[e.sel] = I.Func(m.name, m.sig, None)
            return Operand(Mode.VALUE, e, m.sig)
        if isinstance(m, registry.ConstMember):
            self.info.uses[e.sel] = I.Const(m.name, m.type, m.value, None)
            val = m.value
            if isinstance(val, float):
                val = Fraction(val)
            return Operand(Mode.CONSTANT, e, m.type, val)
        self.info.uses[e.sel] = I.Var(m.name, m.type, I.VarKind.GLOBAL, None, used=True)
        return Operand(Mode.VARIABLE, e, m.type)

    def mark_addressed(self, e: Any) -> None:
        """&e was taken (explicitly or implicitly): flag the root variable."""
        while True:
            if isinstance(e, ast.ParenExpr):
                e = e.x
            elif isinstance(e, ast.Selector):
                s = self.info.selections.get(e)
                if s is None or s.kind is not I.SelKind.FIELD or any(s.derefs):
                    return
                e = e.x
            elif isinstance(e, ast.Index):
                if not isinstance(T.underlying(self.info.types.get(e.x, T.INVALID)), T.Array):
                    return
                e = e.x
            elif isinstance(e, ast.Ident):
                obj = self.info.uses.get(e)
                if isinstance(obj, I.Var):
                    obj.addressed = True
                    self.note_capture(obj)
                return
            else:
                return

    # -- indexing, slicing, assertions, dereference --------------------------

    def check_index(self, e: Any, length: int) -> int | None:
        """An index operand: integer, non-negative, below length (if >= 0)."""
        x = self.expr(e)
        if x.invalid:
            return None
        if T.is_untyped(x.type) and x.mode is Mode.CONSTANT:
            self.convert_untyped(x, T.INT)
            if x.invalid:
                return None
        if not T.is_integer(x.type):
            self.error(e, f"invalid argument: index {describe(x)} must be integer")
            return None
        if x.mode is Mode.CONSTANT and isinstance(x.val, int):
            if x.val < 0:
                self.error(e, f"invalid argument: index {describe(x)} must not be negative")
                return None
            if 0 <= length <= x.val:
                self.error(
                    e, f"invalid argument: index {expr_string(e)} out of bounds [0:{length}]"
                )
                return None
            return x.val
        self.default_untyped(x)
        return -1

    def index(self, e: ast.Index) -> Operand:
        x = self.expr(e.x)
        if x.invalid:
            self.use_exprs((e.index,))
            return Operand(Mode.INVALID, e)
        u = T.underlying(x.type)
        if isinstance(u, T.Pointer) and isinstance(T.underlying(u.elem), T.Array):
            u = T.underlying(u.elem)
            x = Operand(Mode.VARIABLE, e.x, u)
        if isinstance(u, T.Basic) and T.is_string(u):
            length = C.go_string_len(x.val) if isinstance(x.val, str) else -1
            i = self.check_index(e.index, length)
            if i is None:
                return Operand(Mode.INVALID, e)
            if isinstance(x.val, str) and i >= 0:
                b = x.val.encode("utf-8", "surrogateescape")[i]
                return Operand(Mode.CONSTANT, e, T.BYTE, b)
            return Operand(Mode.VALUE, e, T.BYTE)
        if isinstance(u, T.Slice):
            return (
                Operand(Mode.VARIABLE, e, u.elem)
                if self.check_index(e.index, -1) is not None
                else Operand(Mode.INVALID, e)
            )
        if isinstance(u, T.Array):
            if self.check_index(e.index, u.length) is None:
                return Operand(Mode.INVALID, e)
            return Operand(Mode.VARIABLE if x.mode is Mode.VARIABLE else Mode.VALUE, e, u.elem)
        if isinstance(u, T.Map):
            k = self.expr(e.index)
            self.assignment(k, u.key, "map index")
            return Operand(Mode.MAPINDEX, e, u.value)
        self.error(e.x, f"invalid operation: cannot index {describe(x)}")
        self.use_exprs((e.index,))
        return Operand(Mode.INVALID, e)

    def slice_expr(self, e: ast.SliceExpr) -> Operand:
        x = self.expr(e.x)
        if x.invalid:
            self.use_exprs((e.lo, e.hi, e.max))
            return Operand(Mode.INVALID, e)
        u = T.underlying(x.type)
        length = -1
        result: T.Type = T.INVALID
        if isinstance(u, T.Basic) and T.is_string(u):
            if e.slice3:
                self.error(e, "invalid operation: 3-index slice of string")
                return Operand(Mode.INVALID, e)
            result = T.STRING if T.is_untyped(u) else x.type
            if isinstance(x.val, str):
                length = C.go_string_len(x.val) + 1
        elif isinstance(u, T.Array):
            if x.mode is not Mode.VARIABLE:
                self.error(
                    e.x, f"invalid operation: {expr_string(e.x)} (slice of unaddressable value)"
                )
                return Operand(Mode.INVALID, e)
            self.mark_addressed(e.x)
            length = u.length + 1
            result = T.Slice(u.elem)
        elif isinstance(u, T.Pointer) and isinstance(T.underlying(u.elem), T.Array):
            au = T.underlying(u.elem)
            assert isinstance(au, T.Array)
            length = au.length + 1
            result = T.Slice(au.elem)
        elif isinstance(u, T.Slice):
            result = x.type
        else:
            self.error(e.x, f"cannot slice {describe(x)}")
            return Operand(Mode.INVALID, e)
        idx: list[int] = []
        for part in (e.lo, e.hi, e.max):
            if part is None:
                continue
            i = self.check_index(part, length)
            if i is None:
                return Operand(Mode.INVALID, e)
            if i >= 0:
                if idx and i < max(idx):
                    self.error(part, f"invalid slice indices: {i} < {max(idx)}")
                    return Operand(Mode.INVALID, e)
                idx.append(i)
        return Operand(Mode.VALUE, e, result)

    def type_assert(self, e: ast.TypeAssert) -> Operand:
        x = self.expr(e.x)
        if x.invalid:
            return Operand(Mode.INVALID, e)
        if e.type is None:
            self.error(e, "invalid syntax tree: use of .(type) outside type switch")
            return Operand(Mode.INVALID, e)
        xu = T.underlying(x.type)
        if not isinstance(xu, T.Interface):
            self.error(e.x, f"invalid operation: {describe(x)} is not an interface")
            return Operand(Mode.INVALID, e)
        t = self.typexpr(e.type)
        if t is T.INVALID:
            return Operand(Mode.INVALID, e)
        self.check_assertable(e, x.type, xu, t, e)
        return Operand(Mode.COMMAOK, e, t)

    def check_assertable(self, at: Any, xt: T.Type, xu: T.Interface, t: T.Type, e: Any) -> None:
        if isinstance(T.underlying(t), T.Interface):
            return
        why = missing_method(t, xu)
        if why is not None:
            self.error(
                at,
                f"impossible type assertion: {expr_string(e)}\n\t{tstr(t)} does not "
                f"implement {tstr(xt)} {why}",
            )

    def star(self, e: ast.Star) -> Operand:
        x = self.raw_expr(e.x, allow_type=True)
        if x.invalid:
            return Operand(Mode.INVALID, e)
        if x.mode is Mode.TYPEXPR:
            return Operand(Mode.TYPEXPR, e, T.Pointer(x.type))
        if _is_nil(x):
            self.error(e, "invalid operation: cannot indirect nil")
            return Operand(Mode.INVALID, e)
        u = T.underlying(x.type)
        if not isinstance(u, T.Pointer) or x.mode is Mode.NOVALUE:
            self.error(e.x, f"invalid operation: cannot indirect {describe(x)}")
            return Operand(Mode.INVALID, e)
        return Operand(Mode.VARIABLE, e, u.elem)
