# Expressions: identifiers, literals, operators, selectors, indexing,
# slicing, type assertions, composite and function literals, and the
# implicit conversion of untyped operands.
#
# Invariants:
# - ``raw_expr`` is the one entry point; it records the operand (types,
#   consts, type_exprs) after checking, so every checked node is recorded
#   exactly once.
# - Errors are reported at the start of the operand Go blames, with Go
#   1.19's wording; an invalid operand never produces a second error.
from __future__ import annotations

from fractions import Fraction
from typing import Any

from lang import ast
from lang import constants as C
from lang import info as I
from lang import types as T
from lang.check_base import CheckerBase, Mode, Operand, describe, tstr
from lang.check_exprstr import expr_string
from lang.check_types import has_nil, missing_method
from lang.types import comparable

COMPARISON = frozenset({"==", "!=", "<", "<=", ">", ">="})
UNTYPED_RANK = {T.Kind.UNTYPED_INT: 1, T.Kind.UNTYPED_RUNE: 2, T.Kind.UNTYPED_FLOAT: 3}


def _is_nil(x: Operand) -> bool:
    return isinstance(x.type, T.Basic) and x.type.kind is T.Kind.UNTYPED_NIL


def unparen(e: Any) -> Any:
    while isinstance(e, ast.ParenExpr):
        e = e.x
    return e


class ExprMixin(CheckerBase):
    # -- entry points -----------------------------------------------------

    def raw_expr(
        self,
        e: Any,
        hint: T.Type | None = None,
        allow_multi: bool = False,
        allow_type: bool = False,
    ) -> Operand:
        x = self._expr(e, hint)
        if x.type is T.INVALID and x.mode in (
            Mode.VALUE,
            Mode.VARIABLE,
            Mode.CONSTANT,
            Mode.MAPINDEX,
            Mode.COMMAOK,
        ):
            x = Operand(Mode.INVALID, e)  # built from an invalid type: already reported
        if x.mode is Mode.TYPEXPR and not allow_type:
            self.error(e, f"{expr_string(e)} (type) is not an expression")
            x = Operand(Mode.INVALID, e)
        elif x.mode is Mode.PKGNAME and not allow_type:
            self.error(e, f"use of package {expr_string(e)} not in selector")
            x = Operand(Mode.INVALID, e)
        elif isinstance(x.type, T.Tuple) and not allow_multi and x.mode is not Mode.INVALID:
            self.record(x)
            self.error(
                e,
                f"multiple-value {expr_string(e)} (value of type {tstr(x.type)}) "
                "in single-value context",
            )
            return Operand(Mode.INVALID, e)
        self.record(x)
        return x

    def expr(self, e: Any, hint: T.Type | None = None) -> Operand:
        """A single value (not a type, not a no-value call)."""
        x = self.raw_expr(e, hint)
        if x.mode is Mode.NOVALUE:
            self.error(e, f"{expr_string(e)} (no value) used as value")
            return Operand(Mode.INVALID, e)
        if x.mode is Mode.BUILTIN:
            self.error(e, f"{x.builtin} (built-in function {x.builtin}) must be called")
            return Operand(Mode.INVALID, e)
        return x

    def use_exprs(self, es: tuple[Any, ...]) -> None:
        for e in es:
            if e is not None:
                self.raw_expr(e, allow_multi=True)

    def _expr(self, e: Any, hint: T.Type | None) -> Operand:
        if isinstance(e, ast.Ident):
            return self.ident(e)
        if isinstance(e, ast.BasicLit):
            v = C.parse_literal(e.kind, e.value)
            if v is None:
                self.error(e, f"invalid literal {e.value}")
                return Operand(Mode.INVALID, e)
            t = {
                "INT": T.UNTYPED_INT,
                "FLOAT": T.UNTYPED_FLOAT,
                "CHAR": T.UNTYPED_RUNE,
                "STRING": T.UNTYPED_STRING,
            }[e.kind]
            return Operand(Mode.CONSTANT, e, t, v)
        if isinstance(e, ast.Binary):
            return self.binary(e)
        if isinstance(e, ast.Call):
            return self.call(e, hint)
        if isinstance(e, ast.Selector):
            return self.selector(e)
        if isinstance(e, ast.ParenExpr):
            x = self.raw_expr(e.x, hint, allow_multi=False, allow_type=True)
            return Operand(x.mode, e, x.type, x.val, x.builtin)
        if isinstance(e, ast.Unary):
            return self.unary(e, hint)
        if isinstance(e, ast.Index):
            return self.index(e)
        if isinstance(e, ast.CompositeLit):
            return self.composite(e, hint)
        if isinstance(e, ast.FuncLit):
            sig = self.signature_of(e.type)
            self.func_body(e, sig, e.type, None, e.body)
            return Operand(Mode.VALUE, e, sig)
        if isinstance(e, ast.Star):
            return self.star(e)
        if isinstance(e, ast.SliceExpr):
            return self.slice_expr(e)
        if isinstance(e, ast.TypeAssert):
            return self.type_assert(e)
        if isinstance(
            e,
            (
                ast.ArrayType,
                ast.MapType,
                ast.ChanType,
                ast.FuncType,
                ast.StructType,
                ast.InterfaceType,
            ),
        ):
            tt = self.typexpr(e)
            return Operand(Mode.TYPEXPR if tt is not T.INVALID else Mode.INVALID, e, tt)
        if isinstance(e, ast.KeyValue):
            self.error(e, "unexpected key:value expression")
            return Operand(Mode.INVALID, e)
        self.error(e, f"{expr_string(e)} is not an expression")
        return Operand(Mode.INVALID, e)

    def signature_of(self, ft: ast.FuncType) -> T.Signature:
        t = self.typexpr(ft)
        return t if isinstance(t, T.Signature) else T.Signature((), ())

    # -- identifiers ------------------------------------------------------

    def ident(self, e: ast.Ident) -> Operand:
        if e.name == "_":
            self.error(e, "cannot use _ as value")
            return Operand(Mode.INVALID, e)
        obj = self.scope.lookup(e.name)
        if obj is None:
            self.error(e, f"undefined: {e.name}")
            return Operand(Mode.INVALID, e)
        self.info.uses[e] = obj
        if isinstance(obj, I.Var):
            if obj.kind is I.VarKind.GLOBAL:
                self.resolve_global(obj)
                self.note_dep(obj)
            self.use_var(obj)
            if obj.type is T.INVALID:
                return Operand(Mode.INVALID, e)
            return Operand(Mode.VARIABLE, e, obj.type)
        if isinstance(obj, I.Const):
            if obj.name == "iota" and obj.decl is None:
                if self.iota is None:
                    self.error(e, "cannot use iota outside constant declaration")
                    return Operand(Mode.INVALID, e)
                return Operand(Mode.CONSTANT, e, T.UNTYPED_INT, self.iota)
            self.resolve_global(obj)
            if obj.type is T.INVALID:
                return Operand(Mode.INVALID, e)
            return Operand(Mode.CONSTANT, e, obj.type, obj.value)
        if isinstance(obj, I.TypeName):
            self.resolve_global(obj)
            if obj.type is T.INVALID:
                return Operand(Mode.INVALID, e)
            return Operand(Mode.TYPEXPR, e, obj.type)
        if isinstance(obj, I.Func):
            self.resolve_global(obj)
            self.note_dep(obj)
            return Operand(Mode.VALUE, e, obj.sig)
        if isinstance(obj, I.PkgName):
            return Operand(Mode.PKGNAME, e)  # used only through a selector
        if isinstance(obj, I.Builtin):
            return Operand(Mode.BUILTIN, e, T.INVALID, None, obj.name)
        return Operand(Mode.VALUE, e, T.UNTYPED_NIL)

    # -- untyped conversion -----------------------------------------------

    def implicit_type(self, x: Operand, target: T.Type) -> tuple[T.Type | None, str]:
        """The type untyped x takes in a context of type target, or
        (None, reason) when it cannot (reason: 'overflows', 'truncated',
        or '' for a kind mismatch)."""
        if T.is_untyped(target):
            if T.is_numeric(x.type) and T.is_numeric(target):
                xr = UNTYPED_RANK.get(x.type.kind, 0) if isinstance(x.type, T.Basic) else 0
                tr = UNTYPED_RANK.get(target.kind, 0) if isinstance(target, T.Basic) else 0
                return (target if tr >= xr else x.type), ""
            if x.type == target:
                return target, ""
            return None, ""
        u = T.underlying(target)
        if isinstance(u, T.Basic):
            if _is_nil(x):
                return None, ""
            if x.mode is Mode.CONSTANT and x.val is not None:
                v, reason = C.represent(x.val, target)
                if v is None:
                    return None, reason
                return target, ""
            if T.is_boolean(x.type) != T.is_boolean(target):
                return None, ""
            if T.is_string(x.type) != T.is_string(target):
                return None, ""
            if T.is_numeric(x.type) and not T.is_numeric(target):
                return None, ""
            return target, ""
        if isinstance(u, T.Interface):
            if _is_nil(x):
                return target, ""
            if u.methods:
                return T.default_type(x.type), ""
            return T.default_type(x.type), ""
        if _is_nil(x) and has_nil(target):
            return target, ""
        return None, ""

    def convert_untyped(self, x: Operand, target: T.Type) -> None:
        """Give untyped operand x the type target implies, or report
        'cannot convert' / overflow and invalidate x."""
        if x.invalid or not T.is_untyped(x.type) or target is T.INVALID:
            return
        t, reason = self.implicit_type(x, target)
        if t is None:
            if reason == "overflows":
                self.error(x.expr, f"{describe(x)} overflows {tstr(target)}")
            elif reason == "truncated":
                self.error(x.expr, f"{describe(x)} truncated to {tstr(target)}")
            else:
                self.error(x.expr, f"cannot convert {describe(x)} to {tstr(target)}")
            x.mode = Mode.INVALID
            return
        self.set_untyped(x, t)

    def set_untyped(self, x: Operand, t: T.Type) -> None:
        if x.mode is Mode.CONSTANT and x.val is not None and not T.is_untyped(t):
            v, _ = C.represent(x.val, t)
            if v is not None:
                x.val = v
        x.type = t
        self.update_expr_type(x.expr, t)

    def update_expr_type(self, e: Any, t: T.Type) -> None:
        old = self.untyped.get(e)
        if old is None:
            return
        if isinstance(e, ast.ParenExpr):
            self.update_expr_type(e.x, t)
        elif isinstance(e, ast.Unary):
            self.update_expr_type(e.x, t)
        elif isinstance(e, ast.Binary):
            if e.op in COMPARISON:
                pass  # operands keep their own (default) types
            elif e.op in ("<<", ">>"):
                if not T.is_untyped(t) and not T.is_integer(t) and e not in self.const_vals:
                    self.error(
                        e,
                        f"invalid operation: shifted operand {expr_string(e.x)} "
                        f"(type {tstr(t)}) must be integer",
                    )
                self.update_expr_type(e.x, t)
            else:
                self.update_expr_type(e.x, t)
                self.update_expr_type(e.y, t)
        if T.is_untyped(t):
            self.untyped[e] = t
            return
        del self.untyped[e]
        if e in self.const_vals:
            v, _ = C.represent(self.const_vals[e], t)
            if v is not None:
                self.const_vals[e] = v
        self.info.types[e] = t

    def default_untyped(self, x: Operand) -> None:
        if not x.invalid and T.is_untyped(x.type) and not _is_nil(x):
            self.set_untyped(x, T.default_type(x.type))

    # -- assignability ----------------------------------------------------

    def assignable(self, x: Operand, t: T.Type) -> tuple[bool, str]:
        v = x.type
        if v == t:
            return True, ""
        vu, tu = T.underlying(v), T.underlying(t)
        if (
            vu == tu
            and (not isinstance(v, T.Named) or not isinstance(t, T.Named))
            and not isinstance(vu, T.Basic)
        ):
            return True, ""
        if _is_nil(x):
            return has_nil(t), ""
        if isinstance(tu, T.Interface):
            why = missing_method(v, tu)
            if why is None:
                return True, ""
            return False, f"{tstr(v)} does not implement {tstr(t)} {why}"
        if (
            isinstance(vu, T.Chan)
            and vu.dir is T.ChanDir.BOTH
            and isinstance(tu, T.Chan)
            and vu.elem == tu.elem
            and (not isinstance(v, T.Named) or not isinstance(t, T.Named))
        ):
            return True, ""
        if _is_nil(x) and has_nil(t):
            return True, ""
        return False, ""

    def assignment(self, x: Operand, t: T.Type, context: str) -> bool:
        """Check that x can be assigned to a variable of type t; converts
        untyped x.  Reports Go's 'cannot use' errors."""
        if x.invalid or t is T.INVALID:
            return False
        if T.is_untyped(x.type):
            target = t
            if _is_nil(x):
                if not has_nil(t):
                    self.error(x.expr, f"cannot use nil as {tstr(t)} value in {context}")
                    x.mode = Mode.INVALID
                    return False
                self.set_untyped(x, t)
                return True
            nt, reason = self.implicit_type(x, target)
            if nt is None:
                suffix = f" ({reason})" if reason else ""
                self.error(
                    x.expr, f"cannot use {describe(x)} as {tstr(t)} value in {context}{suffix}"
                )
                x.mode = Mode.INVALID
                return False
            self.set_untyped(x, nt)
        ok, reason = self.assignable(x, t)
        if not ok:
            if reason:
                self.error(
                    x.expr, f"cannot use {describe(x)} as type {tstr(t)} in {context}:\n\t{reason}"
                )
            else:
                self.error(x.expr, f"cannot use {describe(x)} as type {tstr(t)} in {context}")
            return False
        return True

    # -- operators ---------------------------------------------------------

    def unary(self, e: ast.Unary, hint: T.Type | None) -> Operand:
        op = e.op
        if op == "&":
            inner = unparen(e.x)
            if isinstance(inner, ast.CompositeLit):
                h = hint.elem if isinstance(hint, T.Pointer) else None
                x = self.expr(e.x, h)
                if x.invalid:
                    return x
                return Operand(Mode.VALUE, e, T.Pointer(x.type))
            x = self.expr(e.x)
            if x.invalid:
                return x
            if x.mode is not Mode.VARIABLE:
                self.error(e.x, f"invalid operation: cannot take address of {describe(x)}")
                return Operand(Mode.INVALID, e)
            self.mark_addressed(e.x)
            return Operand(Mode.VALUE, e, T.Pointer(x.type))
        if op == "<-":
            x = self.expr(e.x)
            if x.invalid:
                return x
            u = T.underlying(x.type)
            if not isinstance(u, T.Chan):
                self.error(e.x, f"invalid operation: cannot receive from non-channel {describe(x)}")
                return Operand(Mode.INVALID, e)
            if u.dir is T.ChanDir.SEND:
                self.error(
                    e.x, f"invalid operation: cannot receive from send-only channel {describe(x)}"
                )
                return Operand(Mode.INVALID, e)
            return Operand(Mode.COMMAOK, e, u.elem)
        x = self.expr(e.x)
        if x.invalid:
            return x
        ok = {"+": T.is_numeric, "-": T.is_numeric, "!": T.is_boolean, "^": T.is_integer}[op](
            x.type
        )
        if not ok:
            self.error(e.x, f"invalid operation: operator {op} not defined on {describe(x)}")
            return Operand(Mode.INVALID, e)
        if x.mode is Mode.CONSTANT and x.val is not None:
            v = C.unary(op, x.val, x.type)
            r = Operand(Mode.CONSTANT, e, x.type, v)
            return self.check_const_overflow(r)
        return Operand(Mode.VALUE, e, x.type)

    def check_const_overflow(self, x: Operand) -> Operand:
        if x.val is None or T.is_untyped(x.type):
            return x
        v, reason = C.represent(x.val, x.type)
        if v is None:
            if reason == "truncated":
                self.error(x.expr, f"{describe(x)} truncated to {tstr(x.type)}")
            else:
                self.error(x.expr, f"{describe(x)} overflows {tstr(x.type)}")
            return Operand(Mode.INVALID, x.expr)
        x.val = v
        return x

    def match_types(self, x: Operand, y: Operand) -> None:
        """Implicitly convert an untyped operand to the other's type."""
        xu, yu = T.is_untyped(x.type), T.is_untyped(y.type)
        if not xu and not yu:
            return
        if T.is_boolean(x.type) != T.is_boolean(y.type) or T.is_string(x.type) != T.is_string(
            y.type
        ):
            return
        if _is_nil(x) and not has_nil(y.type) and not _is_nil(y):
            return
        if _is_nil(y) and not has_nil(x.type) and not _is_nil(x):
            return
        if xu and not _is_nil(x):
            if isinstance(T.underlying(y.type), (T.Pointer,)):
                return
        # A nil operand keeps its untyped nil type (comparisons ask "is it
        # nil?") but is recorded with the other operand's type.
        if _is_nil(x) or _is_nil(y):
            if _is_nil(x) and not yu:
                self.update_expr_type(x.expr, y.type)
            if _is_nil(y) and not xu:
                self.update_expr_type(y.expr, x.type)
            return
        if xu:
            self.convert_untyped(x, y.type)
            if x.invalid:
                return
        if yu:
            self.convert_untyped(y, x.type)

    def binary(self, e: ast.Binary) -> Operand:
        x = self.expr(e.x)
        return self.binary_of(e, x)

    def binary_of(self, e: ast.Binary, x: Operand) -> Operand:
        """e with its left operand already checked (also used for x op= y)."""
        y = self.expr(e.y)
        if x.invalid or y.invalid:
            return Operand(Mode.INVALID, e)
        op = e.op
        if op in ("<<", ">>"):
            return self.shift(e, x, y)
        self.match_types(x, y)
        if x.invalid or y.invalid:
            return Operand(Mode.INVALID, e)
        if op in COMPARISON:
            return self.comparison(e, x, y)
        if x.type != y.type:
            self.error(
                e.x,
                f"invalid operation: {expr_string(e)} (mismatched types "
                f"{tstr(x.type)} and {tstr(y.type)})",
            )
            return Operand(Mode.INVALID, e)
        t = x.type
        if op in ("&&", "||"):
            ok = T.is_boolean(t)
        elif op == "+":
            ok = T.is_numeric(t) or T.is_string(t)
        elif op in ("-", "*", "/"):
            ok = T.is_numeric(t)
        else:
            ok = T.is_integer(t)
        if not ok:
            self.error(e.x, f"invalid operation: operator {op} not defined on {describe(x)}")
            return Operand(Mode.INVALID, e)
        if (
            op in ("/", "%")
            and y.mode is Mode.CONSTANT
            and y.val is not None
            and (x.mode is Mode.CONSTANT or T.is_integer(t))
            and y.val == 0
        ):
            self.error(e.y, "invalid operation: division by zero")
            return Operand(Mode.INVALID, e)
        if (
            x.mode is Mode.CONSTANT
            and y.mode is Mode.CONSTANT
            and x.val is not None
            and y.val is not None
        ):
            try:
                v = C.binary(op, x.val, y.val, T.is_integer(t))
            except C.ConstError:
                self.error(e.y, "invalid operation: division by zero")
                return Operand(Mode.INVALID, e)
            if isinstance(v, Fraction) and v.denominator == 1 and T.is_integer(t):
                v = int(v)
            return self.check_const_overflow(Operand(Mode.CONSTANT, e, t, v))
        return Operand(Mode.VALUE, e, t)

    def comparison(self, e: ast.Binary, x: Operand, y: Operand) -> Operand:
        op = e.op
        err_op = x
        cause = ""
        ok = x.type == y.type or self.assignable(x, y.type)[0] or self.assignable(y, x.type)[0]
        if not ok:
            err_op = y
            cause = f"mismatched types {tstr(x.type)} and {tstr(y.type)}"
        elif op in ("==", "!="):
            if _is_nil(x) or _is_nil(y):
                typ = y.type if _is_nil(x) else x.type
                if not has_nil(typ):
                    ok, err_op = False, y
            elif not comparable(x.type):
                ok, err_op, cause = False, x, self.incomparable_cause(x.type)
            elif not comparable(y.type):
                ok, err_op, cause = False, y, self.incomparable_cause(y.type)
        else:
            for o in (x, y):
                if not (T.is_numeric(o.type) or T.is_string(o.type)):
                    ok, err_op = False, o
                    break
        if not ok:
            if not cause:
                cause = f"operator {op} not defined on {self.kind_string(err_op.type)}"
            self.error(err_op.expr, f"invalid operation: {expr_string(e)} ({cause})")
            return Operand(Mode.INVALID, e)
        if (
            x.mode is Mode.CONSTANT
            and y.mode is Mode.CONSTANT
            and x.val is not None
            and y.val is not None
        ):
            return Operand(Mode.CONSTANT, e, T.UNTYPED_BOOL, C.compare(op, x.val, y.val))
        self.default_untyped(x)
        self.default_untyped(y)
        return Operand(Mode.VALUE, e, T.UNTYPED_BOOL)

    @staticmethod
    def incomparable_cause(t: T.Type) -> str:
        u = T.underlying(t)
        for cls, name in ((T.Slice, "slice"), (T.Map, "map"), (T.Signature, "func")):
            if isinstance(u, cls):
                return f"{name} can only be compared to nil"
        if isinstance(u, T.Struct):
            for f in u.fields:
                if not comparable(f.type):
                    return f"struct containing {tstr(f.type)} cannot be compared"
        return f"operator == not defined on {tstr(t)}"

    @staticmethod
    def kind_string(t: T.Type) -> str:
        u = T.underlying(t)
        if isinstance(u, T.Basic):
            return u.name if T.is_untyped(u) else tstr(t)
        for cls, name in (
            (T.Slice, "slice"),
            (T.Map, "map"),
            (T.Signature, "func"),
            (T.Chan, "chan"),
            (T.Struct, "struct"),
            (T.Pointer, "pointer"),
            (T.Interface, "interface"),
            (T.Array, "array"),
        ):
            if isinstance(u, cls):
                return name
        return tstr(t)

    def shift(self, e: ast.Binary, x: Operand, y: Operand) -> Operand:
        # Shift count: an integer, or an untyped constant representable as uint.
        if y.mode is Mode.CONSTANT and y.val is not None and T.is_untyped(y.type):
            v, _ = C.represent(y.val, T.UNTYPED_INT)
            if v is None:
                self.error(e.y, f"invalid operation: shift count {describe(y)} must be integer")
                return Operand(Mode.INVALID, e)
            y.val = v
            if isinstance(v, int) and v < 0:
                self.error(e.y, f"invalid operation: negative shift count {describe(y)}")
                return Operand(Mode.INVALID, e)
            if x.mode is not Mode.CONSTANT:
                self.set_untyped(y, T.UINT)
        elif not T.is_integer(y.type):
            self.error(e.y, f"invalid operation: shift count {describe(y)} must be integer")
            return Operand(Mode.INVALID, e)
        elif y.mode is Mode.CONSTANT and isinstance(y.val, int) and y.val < 0:
            self.error(e.y, f"invalid operation: negative shift count {describe(y)}")
            return Operand(Mode.INVALID, e)
        if x.mode is Mode.CONSTANT and x.val is not None:
            if T.is_untyped(x.type):
                v, _ = C.represent(x.val, T.UNTYPED_INT)
                if v is None:
                    self.error(
                        e.x, f"invalid operation: shifted operand {describe(x)} must be integer"
                    )
                    return Operand(Mode.INVALID, e)
                if y.mode is Mode.CONSTANT:
                    x.val = v
                    if x.type == T.UNTYPED_FLOAT:
                        self.set_untyped(x, T.UNTYPED_INT)
            elif not T.is_integer(x.type):
                self.error(e.x, f"invalid operation: shifted operand {describe(x)} must be integer")
                return Operand(Mode.INVALID, e)
            if y.mode is Mode.CONSTANT and isinstance(y.val, int) and isinstance(x.val, int):
                if y.val > 10000:
                    self.error(e.y, f"invalid shift count {describe(y)}")
                    return Operand(Mode.INVALID, e)
                v2 = C.shift(e.op, x.val, y.val)
                return self.check_const_overflow(Operand(Mode.CONSTANT, e, x.type, v2))
            if T.is_untyped(x.type):
                # Non-constant shift of an untyped constant: typed by context.
                return Operand(Mode.VALUE, e, T.UNTYPED_INT)
            return Operand(Mode.VALUE, e, x.type)
        if not T.is_integer(x.type):
            self.error(e.x, f"invalid operation: shifted operand {describe(x)} must be integer")
            return Operand(Mode.INVALID, e)
        return Operand(Mode.VALUE, e, x.type)
