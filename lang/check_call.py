# Calls: ordinary calls (argument count and types, variadic and
# multi-value forwarding), conversions ``T(x)`` and the builtins.
#
# Invariants:
# - Every ast.Call gets exactly one entry in info.call_kinds.
# - Argument-count errors use Go 1.19's multi-line form with ``have`` and
#   ``want`` lines; untyped numeric arguments show as ``number``.
from __future__ import annotations

from fractions import Fraction
from typing import Any

from lang import ast
from lang import constants as C
from lang import info as I
from lang import types as T
from lang.check_base import CheckerBase, Mode, Operand, describe, sig_tail, tstr
from lang.check_exprstr import expr_string
from lang.check_types import convertible_types, is_bytes_or_runes
from lang.types import comparable


def summary_type(t: T.Type) -> str:
    if T.is_untyped(t):
        assert isinstance(t, T.Basic)
        if T.is_numeric(t):
            return "number"
        return t.name.replace("untyped ", "")
    return tstr(t)


def has_call_or_recv(e: Any) -> bool:
    if isinstance(e, (ast.Call,)):
        return True
    if isinstance(e, ast.Unary) and e.op == "<-":
        return True
    for name in ("x", "y", "index", "lo", "hi", "max"):
        sub = getattr(e, name, None)
        if sub is not None and not isinstance(sub, (str, ast.Ident)) and has_call_or_recv(sub):
            return True
    return False


class CallMixin(CheckerBase):
    def call(self, e: ast.Call, hint: T.Type | None) -> Operand:
        f = self.raw_expr(e.fun, allow_type=True)
        if f.invalid:
            self.info.call_kinds[e] = I.CallKind.CALL
            self.use_exprs(e.args)
            return Operand(Mode.INVALID, e)
        if f.mode is Mode.TYPEXPR:
            self.info.call_kinds[e] = I.CallKind.CONVERSION
            return self.conversion_call(e, f.type)
        if f.mode is Mode.BUILTIN:
            self.info.call_kinds[e] = I.CallKind.BUILTIN
            return self.builtin_call(e, f.builtin)
        self.info.call_kinds[e] = I.CallKind.CALL
        if f.mode is Mode.NOVALUE:
            self.error(e.fun, f"{expr_string(e.fun)} (no value) used as value")
            self.use_exprs(e.args)
            return Operand(Mode.INVALID, e)
        sig = T.underlying(f.type)
        if not isinstance(sig, T.Signature):
            self.error(e.fun, f"invalid operation: cannot call non-function {describe(f)}")
            self.use_exprs(e.args)
            return Operand(Mode.INVALID, e)
        args = self.call_args(e.args)
        self.check_args(e, sig, args, expr_string(e.fun))
        if not sig.results:
            return Operand(Mode.NOVALUE, e, T.Tuple(()))
        if len(sig.results) == 1:
            return Operand(Mode.VALUE, e, sig.results[0])
        return Operand(Mode.VALUE, e, T.Tuple(sig.results))

    def call_args(self, args: tuple[Any, ...]) -> list[Operand] | None:
        """Operands of the arguments; a single multi-value call expands."""
        if len(args) == 1:
            x = self.raw_expr(args[0], allow_multi=True)
            if x.mode is Mode.NOVALUE:
                self.error(args[0], f"{expr_string(args[0])} (no value) used as value")
                return None
            if x.invalid:
                return None
            if isinstance(x.type, T.Tuple):
                return [Operand(Mode.VALUE, args[0], t) for t in x.type.types]
            return [x]
        out = []
        ok = True
        for a in args:
            x = self.expr(a)
            ok = ok and not x.invalid
            out.append(x)
        return out if ok else None

    def check_args(
        self, e: ast.Call, sig: T.Signature, args: list[Operand] | None, fname: str
    ) -> None:
        if args is None:
            return
        params = list(sig.params)
        nargs, npars = len(args), len(params)
        if e.has_ellipsis:
            if not sig.variadic:
                self.error(
                    e.args[-1] if e.args else e,
                    f"have (...) but function is not variadic: {fname}"
                    if False
                    else f"cannot use ... in call to non-variadic {fname}",
                )
                return
            if len(e.args) == 1 and nargs > 1:
                self.error(e.args[0], f"cannot use ... with multi-valued {expr_string(e.args[0])}")
                return
        elif sig.variadic:
            if nargs >= npars - 1:
                last = params[-1]
                assert isinstance(last, T.Slice)
                params = params[:-1] + [last.elem] * (nargs - npars + 1)
                npars = len(params)
        if nargs != npars:
            at: Any = e
            qual = "not enough"
            if nargs > npars:
                at = args[npars].expr
                qual = "too many"
            elif nargs > 0:
                at = args[-1].expr
            have = "(" + ", ".join(summary_type(a.type) for a in args) + ")"
            want = sig_tail(T.Signature(sig.params, (), sig.variadic))
            self.error(at, f"{qual} arguments in call to {fname}\n\thave {have}\n\twant {want}")
            return
        ctx = f"argument to {fname}"
        for a, p in zip(args, params, strict=False):
            self.assignment(a, p, ctx)

    # -- conversions -----------------------------------------------------------

    def conversion_call(self, e: ast.Call, t: T.Type) -> Operand:
        if len(e.args) != 1 or e.has_ellipsis:
            if not e.args:
                self.error(e.rparen, f"missing argument in conversion to {tstr(t)}")
            else:
                self.error(e.args[-1], f"too many arguments in conversion to {tstr(t)}")
            self.use_exprs(e.args)
            return Operand(Mode.INVALID, e)
        x = self.expr(e.args[0])
        if x.invalid:
            return Operand(Mode.INVALID, e)
        return self.conversion(x, t, e)

    def conversion(self, x: Operand, t: T.Type, e: Any) -> Operand:
        tu = T.underlying(t)
        const_arg = x.mode is Mode.CONSTANT and x.val is not None
        if const_arg and isinstance(tu, T.Basic):
            assert x.val is not None
            if T.is_string(tu) and T.is_integer(x.type) and isinstance(x.val, int):
                v: Any = (
                    chr(x.val)
                    if 0 <= x.val <= 0x10FFFF and not 0xD800 <= x.val <= 0xDFFF
                    else "\ufffd"
                )
                self.default_untyped(x)
                return Operand(Mode.CONSTANT, e, t, v)
            if (
                T.is_untyped(x.type)
                or (T.is_numeric(x.type) and T.is_numeric(tu))
                or (T.is_string(x.type) and T.is_string(tu))
                or (T.is_boolean(x.type) and T.is_boolean(tu))
            ):
                v2, _ = C.represent(x.val, t)
                if v2 is not None:
                    if T.is_untyped(x.type):
                        self.set_untyped(x, t)
                    if isinstance(v2, Fraction) and T.is_integer(t):
                        v2 = int(v2)
                    return Operand(Mode.CONSTANT, e, t, v2)
            self.error(x.expr, f"cannot convert {describe(x)} to type {tstr(t)}")
            return Operand(Mode.INVALID, e)
        if T.is_untyped(x.type):
            if isinstance(x.type, T.Basic) and x.type.kind is T.Kind.UNTYPED_NIL:
                if not (
                    isinstance(tu, (T.Pointer, T.Slice, T.Map, T.Chan, T.Signature, T.Interface))
                ):
                    self.error(x.expr, f"cannot convert {describe(x)} to type {tstr(t)}")
                    return Operand(Mode.INVALID, e)
                self.set_untyped(x, t)
                return Operand(Mode.VALUE, e, t)
            if isinstance(tu, T.Basic) and not (T.is_string(tu) and T.is_integer(x.type)):
                self.convert_untyped(x, t)
                if x.invalid:
                    return Operand(Mode.INVALID, e)
            else:
                self.default_untyped(x)
        ok = x.type == t or self.assignable(x, t)[0] or convertible_types(x.type, t)
        if not ok:
            self.error(x.expr, f"cannot convert {describe(x)} to type {tstr(t)}")
            return Operand(Mode.INVALID, e)
        return Operand(Mode.VALUE, e, t)

    # -- builtins --------------------------------------------------------------

    def nargs_error(self, e: ast.Call, name: str, want: int, more: bool = False) -> None:
        n = len(e.args)
        if n < want:
            at: Any = e.rparen if not e.args else e.args[-1]
            self.error(
                at if e.args else e,
                f"invalid operation: not enough arguments for {expr_string(e)} "
                f"(expected {want}, found {n})",
            )
        else:
            self.error(
                e.args[want],
                f"invalid operation: too many arguments for {expr_string(e)} "
                f"(expected {want}, found {n})",
            )

    def builtin_call(self, e: ast.Call, name: str) -> Operand:
        args = e.args
        n = len(args)
        if e.has_ellipsis and name != "append":
            self.error(e, f"invalid operation: invalid use of ... with built-in {name}")
            self.use_exprs(args)
            return Operand(Mode.INVALID, e)
        if name in ("len", "cap"):
            if n != 1:
                self.nargs_error(e, name, 1)
                self.use_exprs(args)
                return Operand(Mode.INVALID, e)
            x = self.expr(args[0])
            if x.invalid:
                return Operand(Mode.INVALID, e)
            u = T.underlying(x.type)
            if isinstance(u, T.Pointer) and isinstance(T.underlying(u.elem), T.Array):
                u = T.underlying(u.elem)
            if T.is_string(u) and name == "len":
                if isinstance(x.val, str):
                    self.default_untyped(x)
                    return Operand(Mode.CONSTANT, e, T.INT, C.go_string_len(x.val))
                self.default_untyped(x)
                return Operand(Mode.VALUE, e, T.INT)
            if isinstance(u, T.Array):
                if not has_call_or_recv(args[0]):
                    return Operand(Mode.CONSTANT, e, T.INT, u.length)
                return Operand(Mode.VALUE, e, T.INT)
            if isinstance(u, (T.Slice, T.Chan)) or (isinstance(u, T.Map) and name == "len"):
                return Operand(Mode.VALUE, e, T.INT)
            self.error(args[0], f"invalid argument: {describe(x)} for {name}")
            return Operand(Mode.INVALID, e)
        if name == "append":
            return self.builtin_append(e)
        if name == "make":
            return self.builtin_make(e)
        if name == "new":
            if n != 1:
                self.nargs_error(e, name, 1)
                return Operand(Mode.INVALID, e)
            t = self.typexpr(args[0])
            if t is T.INVALID:
                return Operand(Mode.INVALID, e)
            return Operand(Mode.VALUE, e, T.Pointer(t))
        if name == "copy":
            if n != 2:
                self.nargs_error(e, name, 2)
                self.use_exprs(args)
                return Operand(Mode.INVALID, e)
            d, s = self.expr(args[0]), self.expr(args[1])
            if d.invalid or s.invalid:
                return Operand(Mode.INVALID, e)
            du, su = T.underlying(d.type), T.underlying(s.type)
            if not isinstance(du, T.Slice):
                self.error(
                    args[0],
                    f"invalid argument: copy expects slice arguments; found {describe(d)} "
                    f"and {describe(s)}",
                )
                return Operand(Mode.INVALID, e)
            if T.is_string(su) and T.underlying(du.elem) == T.BYTE:
                self.default_untyped(s)
            elif not isinstance(su, T.Slice):
                self.error(
                    args[0],
                    f"invalid argument: copy expects slice arguments; found {describe(d)} "
                    f"and {describe(s)}",
                )
                return Operand(Mode.INVALID, e)
            elif su.elem != du.elem:
                self.error(
                    e,
                    f"invalid argument: arguments to copy {describe(d)} and {describe(s)} "
                    f"have different element types {tstr(du.elem)} and {tstr(su.elem)}",
                )
                return Operand(Mode.INVALID, e)
            return Operand(Mode.VALUE, e, T.INT)
        if name == "delete":
            if n != 2:
                self.nargs_error(e, name, 2)
                self.use_exprs(args)
                return Operand(Mode.INVALID, e)
            m = self.expr(args[0])
            k = self.expr(args[1])
            if m.invalid or k.invalid:
                return Operand(Mode.NOVALUE, e, T.Tuple(()))
            mu = T.underlying(m.type)
            if not isinstance(mu, T.Map):
                self.error(args[0], f"invalid argument: {describe(m)} is not a map")
                return Operand(Mode.INVALID, e)
            self.assignment(k, mu.key, "argument to delete")
            return Operand(Mode.NOVALUE, e, T.Tuple(()))
        if name == "close":
            if n != 1:
                self.nargs_error(e, name, 1)
                self.use_exprs(args)
                return Operand(Mode.INVALID, e)
            c = self.expr(args[0])
            if c.invalid:
                return Operand(Mode.INVALID, e)
            cu = T.underlying(c.type)
            if not isinstance(cu, T.Chan):
                self.error(args[0], f"invalid operation: cannot close non-channel {describe(c)}")
                return Operand(Mode.INVALID, e)
            if cu.dir is T.ChanDir.RECV:
                self.error(
                    args[0], f"invalid operation: cannot close receive-only channel {describe(c)}"
                )
                return Operand(Mode.INVALID, e)
            return Operand(Mode.NOVALUE, e, T.Tuple(()))
        if name == "panic":
            if n != 1:
                self.nargs_error(e, name, 1)
                self.use_exprs(args)
                return Operand(Mode.INVALID, e)
            x = self.expr(args[0])
            self.assignment(x, T.ANY, "argument to panic")
            return Operand(Mode.NOVALUE, e, T.Tuple(()))
        if name == "recover":
            if n != 0:
                self.nargs_error(e, name, 0)
                self.use_exprs(args)
                return Operand(Mode.INVALID, e)
            return Operand(Mode.VALUE, e, T.ANY)
        # print / println
        for a in args:
            x = self.expr(a)
            if _nil(x):
                self.error(a, "use of untyped nil in argument to " + name)
                continue
            self.default_untyped(x)
        return Operand(Mode.NOVALUE, e, T.Tuple(()))

    def builtin_append(self, e: ast.Call) -> Operand:
        args = e.args
        if not args:
            self.error(e.rparen, "not enough arguments for append() (expected 1, found 0)")
            return Operand(Mode.INVALID, e)
        s = self.expr(args[0])
        if s.invalid:
            self.use_exprs(args[1:])
            return Operand(Mode.INVALID, e)
        su = T.underlying(s.type)
        if not isinstance(su, T.Slice):
            if _nil(s):
                self.error(
                    args[0], "first argument to append must be a typed slice; have untyped nil"
                )
            else:
                self.error(args[0], f"first argument to append must be a slice; have {describe(s)}")
            self.use_exprs(args[1:])
            return Operand(Mode.INVALID, e)
        if e.has_ellipsis:
            if len(args) != 2:
                self.error(e, "can only use ... with final argument in list")
                self.use_exprs(args[1:])
                return Operand(Mode.INVALID, e)
            x = self.expr(args[1])
            if x.invalid:
                return Operand(Mode.INVALID, e)
            if T.underlying(su.elem) == T.BYTE and T.is_string(x.type):
                self.default_untyped(x)
                return Operand(Mode.VALUE, e, s.type)
            self.assignment(
                x,
                T.Slice(su.elem) if not isinstance(s.type, T.Named) else s.type,
                "argument to append",
            )
            return Operand(Mode.VALUE, e, s.type)
        for a in args[1:]:
            x = self.expr(a)
            self.assignment(x, su.elem, "argument to append")
        return Operand(Mode.VALUE, e, s.type)

    def builtin_make(self, e: ast.Call) -> Operand:
        args = e.args
        if not args:
            self.error(e.rparen, "not enough arguments for make() (expected 1, found 0)")
            return Operand(Mode.INVALID, e)
        t = self.typexpr(args[0])
        if t is T.INVALID:
            self.use_exprs(args[1:])
            return Operand(Mode.INVALID, e)
        u = T.underlying(t)
        if isinstance(u, T.Slice):
            lo, hi = 2, 3
        elif isinstance(u, (T.Map, T.Chan)):
            lo, hi = 1, 2
        else:
            self.error(
                args[0],
                f"invalid argument: cannot make {expr_string(args[0])}; type must be "
                f"slice, map, or channel",
            )
            self.use_exprs(args[1:])
            return Operand(Mode.INVALID, e)
        if not lo <= len(args) <= hi:
            self.error(
                e,
                f"invalid operation: {expr_string(e)} expects {lo} or {hi} arguments; "
                f"found {len(args)}",
            )
            self.use_exprs(args[1:])
            return Operand(Mode.INVALID, e)
        sizes: list[int] = []
        for a in args[1:]:
            x = self.expr(a)
            if x.invalid:
                continue
            if T.is_untyped(x.type) and x.mode is Mode.CONSTANT:
                self.convert_untyped(x, T.INT)
                if x.invalid:
                    continue
            if not T.is_integer(x.type):
                self.error(a, f"cannot convert {describe(x)} to type int")
                continue
            if x.mode is Mode.CONSTANT and isinstance(x.val, int):
                if x.val < 0:
                    self.error(a, f"invalid argument: index {describe(x)} must not be negative")
                sizes.append(x.val)
            self.default_untyped(x)
        if len(sizes) == 2 and sizes[0] > sizes[1]:
            self.error(args[1], "invalid argument: length and capacity swapped")
        return Operand(Mode.VALUE, e, t)


def _nil(x: Operand) -> bool:
    return isinstance(x.type, T.Basic) and x.type.kind is T.Kind.UNTYPED_NIL


__all__ = ["CallMixin", "comparable", "is_bytes_or_runes"]
