"""Expression code generation: values, addresses, calls and builtins.

Invariants:
- ``expr(e, dst)`` leaves e's value in a register and returns it; with
  ``dst`` the value ends in dst.  Without dst the register may belong to
  a local or a constant and must not be written.  Struct/array values
  come back uncopied (the list itself): whoever stores them copies
  (``value``), following DESIGN.md's copy-on-store rule.
- ``value(e, to)`` is e converted for storing into a location of type
  ``to``: copied when it is an aggregate that is not freshly built, boxed
  into an ``Iface`` when ``to`` is an interface and e's type is not.
- Calls place their callee-independent argument block in fresh
  consecutive registers ``base..``; results come back at ``base..``.
"""

from __future__ import annotations

from typing import Any, Optional

from lang import ast
from lang import info as I
from lang import opcodes as O
from lang import types as T
from lang.chunk import Function
from lang.compile_base import (
    CompileError,
    FuncState,
    elem_size,
    is_int64,
    is_value_aggregate,
    width_code,
    zero_value,
)
from lang.opcodes import Op
from runtime.errors import GoPanic

CMP_OPS = {"==": Op.EQ, "!=": Op.NE, "<": Op.LT, "<=": Op.LE, ">": Op.GT, ">=": Op.GE}
JUMP_OPS = {"==": Op.JEQ, "!=": Op.JNE, "<": Op.JLT, "<=": Op.JLE, ">": Op.JGT, ">=": Op.JGE}
NEGATED = {"==": "!=", "!=": "==", "<": ">=", "<=": ">", ">": "<=", ">=": "<"}


def unparen(e: Any) -> Any:
    while isinstance(e, ast.ParenExpr):
        e = e.x
    return e


def _close_native(ctx: Any, ch: Any) -> None:
    from runtime import channel
    if ch is None:
        channel.close_nil()
    ch.close()


def _panic_native(ctx: Any, v: Any) -> None:
    raise GoPanic(v)


def _print_native(ctx: Any, *args: Any) -> None:
    from runtime.panics import print_value
    ctx.write_stderr("".join(print_value(a) for a in args))


def _println_native(ctx: Any, *args: Any) -> None:
    from runtime.panics import print_value
    ctx.write_stderr(" ".join(print_value(a) for a in args) + "\n")


def _recover_native(ctx: Any) -> None:
    # recover() deferred directly is not called *by* a deferred function: nil.
    return None


class ExprCompiler(FuncState):
    """Expression half of the function compiler (statements subclass it)."""

    # Set by the statement compiler: compiles a nested function literal.
    def compile_func_lit(self, e: ast.FuncLit) -> tuple[Function, list[I.Var]]:
        raise NotImplementedError

    # -- types ---------------------------------------------------------------
    def typeof(self, e: Any) -> T.Type:
        t = self.info.types.get(e)
        if t is None:
            u = unparen(e)
            t = self.info.types.get(u)
            if t is None:
                t = self.info.type_exprs.get(u)
            if t is None:
                raise CompileError(e, "csp: internal: expression has no recorded type")
        if isinstance(t, T.Basic) and t.kind in T.UNTYPED_KINDS and t.kind != T.Kind.UNTYPED_NIL:
            return T.default_type(t)
        return t

    def target(self, dst: Optional[int]) -> int:
        return self.alloc() if dst is None else dst

    def move(self, r: int, dst: Optional[int]) -> int:
        if dst is None or dst == r:
            return r
        self.emit(Op.MOVE, dst, r)
        return dst

    def is_fresh(self, e: Any) -> bool:
        u = unparen(e)
        if isinstance(u, (ast.CompositeLit, ast.FuncLit, ast.Binary)):
            return True
        if isinstance(u, ast.Call):
            return self.info.call_kinds.get(u) is I.CallKind.CALL
        return False

    # -- values ----------------------------------------------------------------
    def convert_for(self, r: int, from_t: T.Type, to_t: Optional[T.Type], fresh: bool,
                    dst: Optional[int] = None) -> int:
        if to_t is not None and T.is_interface(to_t) and not T.is_interface(from_t):
            d = self.target(dst)
            if isinstance(from_t, T.Basic) and from_t.kind == T.Kind.UNTYPED_NIL:
                return self.move(self.const(None), d)
            if is_value_aggregate(from_t) and not fresh:
                t = self.alloc()
                self.emit(Op.COPY, t, r)
                r = t
            self.emit(Op.BOX, d, r, self.const_obj(T.default_type(from_t)))
            return d
        if is_value_aggregate(from_t) and not fresh:
            d = self.target(dst)
            self.emit(Op.COPY, d, r)
            return d
        return self.move(r, dst)

    def value(self, e: Any, to_t: Optional[T.Type] = None, dst: Optional[int] = None) -> int:
        from_t = self.typeof(e)
        needs_conv = (to_t is not None and T.is_interface(to_t) and not T.is_interface(from_t)) \
            or (is_value_aggregate(from_t) and not self.is_fresh(e))
        if not needs_conv:
            return self.expr(e, dst)
        r = self.expr(e)
        return self.convert_for(r, from_t, to_t, self.is_fresh(e), dst)

    # -- expressions -----------------------------------------------------------
    def expr(self, e: Any, dst: Optional[int] = None) -> int:
        if e in self.info.consts:
            v = self.info.consts[e]
            t = self.info.types.get(e)
            if t is not None and T.is_float(t) and isinstance(v, int):
                v = float(v)
            return self.move(self.const(v), dst)
        if isinstance(e, ast.ParenExpr):
            return self.expr(e.x, dst)
        if isinstance(e, ast.Ident):
            return self.ident(e, dst)
        if isinstance(e, ast.Binary):
            return self.binary(e, dst)
        if isinstance(e, ast.Unary):
            return self.unary(e, dst)
        if isinstance(e, ast.Call):
            return self.call_value(e, dst)
        if isinstance(e, ast.Selector):
            return self.selector(e, dst)
        if isinstance(e, ast.Index):
            return self.index(e, dst)
        if isinstance(e, ast.Star):
            p = self.expr(e.x)
            d = self.target(dst)
            self.emit(Op.DEREF, d, p)
            return d
        if isinstance(e, ast.CompositeLit):
            r = self.composite(e)
            return self.move(r, dst)
        if isinstance(e, ast.FuncLit):
            return self.func_lit(e, dst)
        if isinstance(e, ast.SliceExpr):
            return self.slice_expr(e, dst)
        if isinstance(e, ast.TypeAssert):
            x = self.expr(e.x)
            assert e.type is not None
            tt = self.info.type_exprs[e.type] if e.type in self.info.type_exprs \
                else self.typeof(e)
            d = self.target(dst)
            self.emit(Op.TYPE_ASSERT, d, x, self.const_obj((tt, self.typeof(e.x))))
            return d
        if isinstance(e, ast.BasicLit):
            raise CompileError(e, "csp: internal: literal without constant value")
        raise CompileError(e, f"csp: cannot compile expression {type(e).__name__}")

    def var_reg(self, v: I.Var) -> int:
        r = self.vars.get(v)
        if r is None:
            raise CompileError(v.decl, f"csp: internal: variable {v.name} has no register")
        return r

    def ident(self, e: ast.Ident, dst: Optional[int]) -> int:
        obj = self.info.uses.get(e) or self.info.defs.get(e)
        if isinstance(obj, I.Var):
            if obj.kind is I.VarKind.GLOBAL:
                d = self.target(dst)
                self.emit(Op.LOAD_GLOBAL, d, self.prog.global_index[obj])
                return d
            r = self.var_reg(obj)
            if obj in self.cells:
                d = self.target(dst)
                self.emit(Op.LOAD_CELL, d, r)
                return d
            return self.move(r, dst)
        if isinstance(obj, I.Const):
            return self.move(self.const(obj.value), dst)
        if isinstance(obj, I.Func):
            return self.move(self.const_obj(self.prog.funcs[obj]), dst)
        if isinstance(obj, I.Nil) or e.name == "nil":
            return self.move(self.const(None), dst)
        if e.name in ("true", "false"):
            return self.move(self.const(e.name == "true"), dst)
        raise CompileError(e, f"csp: cannot use {e.name} as a value")

    # -- operators -------------------------------------------------------------
    def binary(self, e: ast.Binary, dst: Optional[int]) -> int:
        op = e.op
        if op in ("&&", "||"):
            d = self.target(dst)
            self.expr(e.x, d)
            j = self.emit(Op.JFALSE if op == "&&" else Op.JTRUE, d, 0)
            self.expr(e.y, d)
            self.patch(j, self.here())
            return d
        if op in CMP_OPS:
            rx, ry = self.compare_operands(e)
            d = self.target(dst)
            self.emit(CMP_OPS[op], d, rx, ry)
            return d
        t = self.typeof(e)
        rx = self.expr(e.x)
        if op in ("+", "-") and is_int64(t) and e.y in self.info.consts:
            k = self.info.consts[e.y]
            if isinstance(k, int) and not isinstance(k, bool) and -(1 << 30) < k < (1 << 30):
                d = self.target(dst)
                self.emit(Op.ADDI, d, rx, k if op == "+" else -k)
                return d
        ry = self.expr(e.y)
        d = self.target(dst)
        self.arith(op, t, d, rx, ry)
        return d

    def compare_operands(self, e: ast.Binary) -> tuple[int, int]:
        xt = self.typeof(e.x)
        yt = self.typeof(e.y)
        xi = T.is_interface(xt)
        yi = T.is_interface(yt)
        if xi and not yi:
            return self.expr(e.x), self.value(e.y, xt)
        if yi and not xi:
            return self.value(e.x, yt), self.expr(e.y)
        return self.expr(e.x), self.expr(e.y)

    def arith(self, op: str, t: T.Type, d: int, rx: int, ry: int) -> None:
        if T.is_integer(t):
            wide = is_int64(t)
            if op == "+":
                self.emit(Op.ADD_INT if wide else Op.ADD, d, rx, ry)
            elif op == "-":
                self.emit(Op.SUB_INT if wide else Op.SUB, d, rx, ry)
            elif op == "*":
                self.emit(Op.MUL_INT if wide else Op.MUL, d, rx, ry)
            elif op == "/":
                self.emit(Op.DIV_INT, d, rx, ry)
            elif op == "%":
                self.emit(Op.MOD_INT, d, rx, ry)
            elif op == "&":
                self.emit(Op.AND, d, rx, ry)
            elif op == "|":
                self.emit(Op.OR, d, rx, ry)
            elif op == "^":
                self.emit(Op.XOR, d, rx, ry)
            elif op == "&^":
                self.emit(Op.ANDNOT, d, rx, ry)
            elif op == "<<":
                self.emit(Op.SHL, d, rx, ry)
                self.emit(Op.WRAP, d, width_code(t))
                return
            elif op == ">>":
                self.emit(Op.SHR, d, rx, ry)
                return
            else:
                raise CompileError(None, f"csp: bad integer operator {op}")
            if not wide and op in ("+", "-", "*", "/"):
                self.emit(Op.WRAP, d, width_code(t))
            return
        if T.is_float(t):
            f32 = T.underlying(t) == T.FLOAT32
            opc = {"+": Op.ADD, "-": Op.SUB, "*": Op.MUL, "/": Op.DIV_FLOAT}[op]
            self.emit(opc, d, rx, ry)
            if f32:
                self.emit(Op.F32, d, d)
            return
        if op == "+":
            self.emit(Op.ADD, d, rx, ry)
            return
        raise CompileError(None, f"csp: unsupported operator {op} on {t}")

    def unary(self, e: ast.Unary, dst: Optional[int]) -> int:
        op = e.op
        if op == "&":
            return self.address_of(e.x, dst)
        if op == "<-":
            ch = self.expr(e.x)
            d = self.target(dst)
            self.emit(Op.RECV, d, ch)
            return d
        if op == "+":
            return self.expr(e.x, dst)
        x = self.expr(e.x)
        d = self.target(dst)
        t = self.typeof(e)
        if op == "-":
            self.emit(Op.NEG, d, x)
            if T.is_integer(t):
                self.emit(Op.WRAP, d, width_code(t))
            elif T.underlying(t) == T.FLOAT32:
                self.emit(Op.F32, d, d)
        elif op == "!":
            self.emit(Op.NOT, d, x)
        elif op == "^":
            self.emit(Op.BITNOT, d, x)
            if T.is_unsigned(t):
                self.emit(Op.WRAP, d, width_code(t))
        else:
            raise CompileError(e, f"csp: unsupported unary operator {op}")
        return d

    # -- branches ----------------------------------------------------------------
    def branch(self, e: Any, when: bool) -> list[int]:
        """Emit a jump taken when e evaluates to ``when``; return the
        instructions to patch with the target."""
        e = unparen(e)
        if e not in self.info.consts:
            if isinstance(e, ast.Unary) and e.op == "!":
                return self.branch(e.x, not when)
            if isinstance(e, ast.Binary) and e.op in ("&&", "||"):
                if (e.op == "&&") == when:
                    # both must hold (&&, jump when true) / both fail (||, jump when false)
                    skip = self.branch(e.x, not when)
                    jumps = self.branch(e.y, when)
                    for j in skip:
                        self.patch(j, self.here())
                    return jumps
                return self.branch(e.x, when) + self.branch(e.y, when)
            if isinstance(e, ast.Binary) and e.op in JUMP_OPS:
                xt = self.typeof(e.x)
                if T.is_numeric(xt) or T.is_string(xt) or e.op in ("==", "!="):
                    rx, ry = self.compare_operands(e)
                    op = e.op if when else NEGATED[e.op]
                    if not when and T.is_float(xt) and op not in ("==", "!="):
                        # NaN: !(x < y) is not x >= y; use compare then jump.
                        d = self.alloc()
                        self.emit(CMP_OPS[e.op], d, rx, ry)
                        return [self.emit(Op.JFALSE, d, 0)]
                    return [self.emit(JUMP_OPS[op], rx, ry, 0)]
        r = self.expr(e)
        return [self.emit(Op.JTRUE if when else Op.JFALSE, r, 0)]

    # -- selectors, indexing -------------------------------------------------------
    def walk_path(self, base: int, path: tuple[int, ...], derefs: tuple[bool, ...],
                  upto: int) -> int:
        """Follow path[:upto] from register base (no copies)."""
        r = base
        for i in range(upto):
            if i < len(derefs) and derefs[i]:
                t = self.alloc()
                self.emit(Op.DEREF, t, r)
                r = t
            t = self.alloc()
            self.emit(Op.GETFIELD, t, r, path[i])
            r = t
        return r

    def field_container(self, e: ast.Selector, sel: I.Selection) -> tuple[int, int]:
        """(register of the struct list holding the field, field index)."""
        base = self.expr(e.x)
        n = len(sel.path)
        r = self.walk_path(base, sel.path, sel.derefs, n - 1)
        if n - 1 < len(sel.derefs) and sel.derefs[n - 1]:
            t = self.alloc()
            self.emit(Op.DEREF, t, r)
            r = t
        return r, sel.path[n - 1]

    def selector(self, e: ast.Selector, dst: Optional[int]) -> int:
        sel = self.info.selections.get(e)
        if sel is None:
            raise CompileError(e, "csp: internal: unresolved selector")
        if sel.kind is I.SelKind.PKG_MEMBER:
            return self.pkg_member(e, sel.member, dst)
        if sel.kind is I.SelKind.FIELD:
            cont, idx = self.field_container(e, sel)
            d = self.target(dst)
            self.emit(Op.GETFIELD, d, cont, idx)
            return d
        if sel.kind is I.SelKind.METHOD:
            assert sel.method is not None
            recv = self.receiver(e, sel)
            d = self.target(dst)
            self.emit(Op.BIND, d, self.const_obj(self.method_impl(sel.method)), recv)
            return d
        # IFACE_METHOD value
        x = self.expr(e.x)
        d = self.target(dst)
        self.emit(Op.BIND_IFACE, d, x, self.const(e.sel.name))
        return d

    def pkg_member(self, e: Any, member: Any, dst: Optional[int]) -> int:
        from stdlib import registry as R
        if isinstance(member, R.NativeFunc):
            return self.move(self.const_obj(member.impl), dst)
        if isinstance(member, R.ConstMember):
            return self.move(self.const(member.value), dst)
        if isinstance(member, R.VarMember):
            d = self.target(dst)
            self.emit(Op.LOAD_CELL, d, self.const_obj(member.cell))
            return d
        raise CompileError(e, "csp: cannot use package member as a value")

    def method_impl(self, m: T.MethodInfo) -> Any:
        if m.impl is None:
            raise CompileError(None, f"csp: method {m.name} has no implementation")
        return m.impl

    def receiver(self, e: ast.Selector, sel: I.Selection) -> int:
        """The receiver argument for method selection e (address taken,
        pointer dereferenced or value copied as the method requires)."""
        assert sel.method is not None
        n = len(sel.path)
        if n:
            base = self.expr(e.x)
            r = self.walk_path(base, sel.path, sel.derefs, n - 1)
            if n - 1 < len(sel.derefs) and sel.derefs[n - 1]:
                t = self.alloc()
                self.emit(Op.DEREF, t, r)
                r = t
            d = self.alloc()
            if sel.recv_addr:
                self.emit(Op.ADDR, d, r, sel.path[n - 1])
                return d
            self.emit(Op.GETFIELD, d, r, sel.path[n - 1])
            if sel.recv_deref:
                t = self.alloc()
                self.emit(Op.DEREF, t, d)
                d = t
            if not sel.method.ptr_recv:
                t = self.alloc()
                self.emit(Op.COPY, t, d)
                d = t
            return d
        if sel.recv_addr:
            return self.address_of(e.x, None)
        if sel.recv_deref:
            p = self.expr(e.x)
            d = self.alloc()
            self.emit(Op.DEREF, d, p)
            self.emit(Op.COPY, d, d)
            return d
        if sel.method.ptr_recv:
            return self.expr(e.x)
        return self.value(e.x)

    def index(self, e: ast.Index, dst: Optional[int]) -> int:
        xt = T.underlying(self.typeof(e.x))
        if isinstance(xt, T.Map):
            m = self.expr(e.x)
            k = self.map_key(e.index, xt)
            d = self.alloc()
            self.load_zero(xt.value, d)
            self.emit(Op.MAP_GET, d, m, k)
            return self.move(d, dst)
        x = self.expr(e.x)
        i = self.expr(e.index)
        if isinstance(xt, T.Pointer):
            t = self.alloc()
            self.emit(Op.DEREF, t, x)
            x = t
            xt = T.underlying(xt.elem)
        d = self.target(dst)
        if isinstance(xt, T.Slice):
            self.emit(Op.INDEX_SLICE, d, x, i)
        elif isinstance(xt, T.Array):
            self.emit(Op.INDEX_LIST, d, x, i)
        elif T.is_string(xt):
            self.emit(Op.INDEX_STR, d, x, i)
        else:
            raise CompileError(e, f"csp: cannot index {xt}")
        return d

    def map_key(self, k: Any, mt: T.Map) -> int:
        r = self.value(k, mt.key)
        if is_value_aggregate(mt.key):
            t = self.alloc()
            self.emit(Op.FREEZE, t, r)
            return t
        return r

    def load_zero(self, t: T.Type, d: int) -> None:
        z = zero_value(t)
        if isinstance(z, list):
            self.emit(Op.COPY, d, self.const_obj(z))
        else:
            self.emit(Op.MOVE, d, self.const(z))

    def slice_expr(self, e: ast.SliceExpr, dst: Optional[int]) -> int:
        xt = T.underlying(self.typeof(e.x))
        x = self.expr(e.x)
        if isinstance(xt, T.Pointer):
            t = self.alloc()
            self.emit(Op.DEREF, t, x)
            x = t
            xt = T.underlying(xt.elem)
        b = self.alloc(3)
        for j, part in enumerate((e.lo, e.hi, e.max)):
            if part is None:
                self.emit(Op.MOVE, b + j, self.const(None))
            else:
                self.expr(part, b + j)
        d = self.target(dst)
        if isinstance(xt, T.Slice):
            self.emit(Op.SLICE_SLICE, d, x, b)
        elif isinstance(xt, T.Array):
            self.emit(Op.SLICE_LIST, d, x, b)
        else:
            self.emit(Op.SLICE_STR, d, x, b)
        return d

    # -- addresses ---------------------------------------------------------------
    def address_of(self, x: Any, dst: Optional[int]) -> int:
        x = unparen(x)
        if isinstance(x, ast.Ident):
            obj = self.info.uses.get(x) or self.info.defs.get(x)
            if isinstance(obj, I.Var):
                d = self.target(dst)
                if obj.kind is I.VarKind.GLOBAL:
                    self.emit(Op.ADDR, d, self.const_obj(self.prog.globals),
                              self.prog.global_index[obj])
                    return d
                r = self.var_reg(obj)
                if obj in self.cells:
                    self.emit(Op.ADDR, d, r, 0)
                else:
                    t = self.alloc()
                    self.emit(Op.NEW_CELL, t, r)
                    self.emit(Op.ADDR, d, t, 0)
                return d
        if isinstance(x, ast.Selector):
            sel = self.info.selections.get(x)
            if sel is not None and sel.kind is I.SelKind.FIELD:
                cont, idx = self.field_container(x, sel)
                d = self.target(dst)
                self.emit(Op.ADDR, d, cont, idx)
                return d
            if sel is not None and sel.kind is I.SelKind.PKG_MEMBER:
                from stdlib import registry as R
                if isinstance(sel.member, R.VarMember):
                    d = self.target(dst)
                    self.emit(Op.ADDR, d, self.const_obj(sel.member.cell), 0)
                    return d
        if isinstance(x, ast.Index):
            xt = T.underlying(self.typeof(x.x))
            base = self.expr(x.x)
            i = self.expr(x.index)
            if isinstance(xt, T.Pointer):
                t = self.alloc()
                self.emit(Op.DEREF, t, base)
                base = t
                xt = T.underlying(xt.elem)
            d = self.target(dst)
            self.emit(Op.ADDR_SLICE_ELEM if isinstance(xt, T.Slice) else Op.ADDR_INDEX,
                      d, base, i)
            return d
        if isinstance(x, ast.Star):
            return self.expr(x.x, dst)
        # &T{...} and anything else addressable by value: a fresh cell.
        v = self.value(x)
        t = self.alloc()
        self.emit(Op.NEW_CELL, t, v)
        d = self.target(dst)
        self.emit(Op.ADDR, d, t, 0)
        return d

    # -- composite literals ----------------------------------------------------------
    def composite(self, e: ast.CompositeLit) -> int:
        t = self.typeof(e)
        if isinstance(T.underlying(t), T.Pointer):
            inner = T.underlying(t)
            assert isinstance(inner, T.Pointer)
            v = self.composite_of(e, inner.elem)
            c = self.alloc()
            self.emit(Op.NEW_CELL, c, v)
            d = self.alloc()
            self.emit(Op.ADDR, d, c, 0)
            return d
        return self.composite_of(e, t)

    def elt_value(self, elt: Any, t: T.Type) -> int:
        if isinstance(elt, ast.CompositeLit) and elt.type is None and elt not in self.info.types:
            return self.composite_of(elt, t)
        return self.value(elt, t)

    def composite_of(self, e: ast.CompositeLit, t: T.Type) -> int:
        u = T.underlying(t)
        d = self.alloc()
        if isinstance(u, T.Struct):
            if len(e.elts) == len(u.fields) and not any(
                    isinstance(x, ast.KeyValue) for x in e.elts):
                b = self.alloc(len(e.elts))
                for i, elt in enumerate(e.elts):
                    self.move(self.elt_value(elt, u.fields[i].type), b + i)
                self.emit(Op.LIST, d, b, len(e.elts))
                return d
            self.load_zero(t, d)
            for i, elt in enumerate(e.elts):
                if isinstance(elt, ast.KeyValue):
                    assert isinstance(elt.key, ast.Ident)
                    idx = u.field_index(elt.key.name)
                    v = self.elt_value(elt.value, u.fields[idx].type)
                else:
                    idx = i
                    v = self.elt_value(elt, u.fields[i].type)
                self.emit(Op.SETFIELD, d, idx, v)
            return d
        if isinstance(u, (T.Array, T.Slice)):
            elem = u.elem
            positions: list[tuple[int, Any]] = []
            nxt = 0
            for elt in e.elts:
                if isinstance(elt, ast.KeyValue):
                    nxt = int(self.info.consts[elt.key])
                    positions.append((nxt, elt.value))
                else:
                    positions.append((nxt, elt))
                nxt += 1
            length = max((p for p, _ in positions), default=-1) + 1
            if isinstance(u, T.Array):
                length = u.length
            dense = all(p == i for i, (p, _) in enumerate(positions)) and \
                len(positions) == length
            if dense and length:
                b = self.alloc(length)
                for i, (_, elt) in enumerate(positions):
                    self.move(self.elt_value(elt, elem), b + i)
                self.emit(Op.LIST, d, b, length)
            else:
                z = zero_value(elem)
                if isinstance(z, list):
                    self.emit(Op.COPY, d, self.const_obj([zero_value(elem) for _ in range(length)]))
                else:
                    self.emit(Op.COPY, d, self.const_obj([z] * length))
                for p, elt in positions:
                    v = self.elt_value(elt, elem)
                    self.emit(Op.SETFIELD, d, p, v)
            if isinstance(u, T.Slice):
                self.emit(Op.SLICE_WRAP, d, d)
            return d
        if isinstance(u, T.Map):
            self.emit(Op.NEW_MAP, d)
            for elt in e.elts:
                assert isinstance(elt, ast.KeyValue)
                k = self.map_key_elt(elt.key, u)
                v = self.elt_value(elt.value, u.value)
                self.emit(Op.MAP_SET, d, k, v)
            return d
        raise CompileError(e, f"csp: cannot build composite literal of {t}")

    def map_key_elt(self, k: Any, mt: T.Map) -> int:
        if isinstance(k, ast.CompositeLit) and k.type is None and k not in self.info.types:
            r = self.composite_of(k, mt.key)
        else:
            r = self.value(k, mt.key)
        if is_value_aggregate(mt.key):
            t = self.alloc()
            self.emit(Op.FREEZE, t, r)
            return t
        return r

    def func_lit(self, e: ast.FuncLit, dst: Optional[int]) -> int:
        fn, free = self.compile_func_lit(e)
        if not free:
            return self.move(self.const_obj(fn), dst)
        b = self.alloc(len(free))
        for i, v in enumerate(free):
            self.emit(Op.MOVE, b + i, self.var_reg(v))
        d = self.target(dst)
        self.emit(Op.CLOSURE, d, self.const_obj(fn), b)
        return d

    # -- calls --------------------------------------------------------------------
    def call_value(self, e: ast.Call, dst: Optional[int]) -> int:
        kind = self.info.call_kinds.get(e)
        if kind is I.CallKind.CONVERSION:
            return self.conversion(e, dst)
        if kind is I.CallKind.BUILTIN:
            r = self.builtin(e, dst)
            return r
        base = self.call(e)
        return self.move(base, dst)

    def signature_of(self, fun: Any) -> T.Signature:
        t = T.underlying(self.typeof(fun))
        if not isinstance(t, T.Signature):
            raise CompileError(fun, f"csp: cannot call non-function {t}")
        return t

    def call(self, e: ast.Call) -> int:
        """Compile a function or method call; results at the returned base."""
        fun = unparen(e.fun)
        sig = self.signature_of(fun)
        nres = len(sig.results)
        sel = self.info.selections.get(fun) if isinstance(fun, ast.Selector) else None
        if sel is not None and sel.kind is I.SelKind.METHOD:
            assert sel.method is not None and isinstance(fun, ast.Selector)
            callee = self.const_obj(self.method_impl(sel.method))
            recv = self.receiver(fun, sel)
            nparams = len(sig.params)
            base = self.alloc(1 + max(nparams, nres - 1, 0))
            self.emit(Op.MOVE, base, recv)
            self.args(e, sig, base + 1)
            self.emit(Op.CALL, callee, base, (nparams + 1) | nres << 8)
            return base
        if sel is not None and sel.kind is I.SelKind.IFACE_METHOD:
            assert isinstance(fun, ast.Selector)
            x = self.expr(fun.x)
            nparams = len(sig.params)
            base = self.alloc(1 + max(nparams, nres - 1, 0))
            self.emit(Op.MOVE, base, x)
            self.args(e, sig, base + 1)
            self.emit(Op.CALL_IFACE, self.const(fun.sel.name), base, nparams | nres << 8)
            return base
        f = self.expr(fun)
        nparams = len(sig.params)
        base = self.alloc(max(nparams, nres, 1))
        self.args(e, sig, base)
        self.emit(Op.CALL, f, base, nparams | nres << 8)
        return base

    def args(self, e: ast.Call, sig: T.Signature, base: int) -> None:
        params = sig.params
        args = e.args
        if len(args) == 1 and len(params) > 1 or (
                len(args) == 1 and isinstance(self.info.types.get(args[0]), T.Tuple)):
            at = self.info.types.get(args[0])
            if isinstance(at, T.Tuple):
                inner = unparen(args[0])
                rb = self.call(inner)
                types = at.types
                if sig.variadic and not e.has_ellipsis:
                    fixed = len(params) - 1
                    for i in range(fixed):
                        self.convert_for(rb + i, types[i], params[i], True, base + i)
                    last = params[-1]
                    assert isinstance(last, T.Slice)
                    n = len(types) - fixed
                    tb = self.alloc(max(n, 1))
                    for j in range(n):
                        self.convert_for(rb + fixed + j, types[fixed + j], last.elem, True, tb + j)
                    self.pack(tb, n, base + fixed)
                else:
                    for i, pt in enumerate(params):
                        self.convert_for(rb + i, types[i], pt, True, base + i)
                return
        if sig.variadic and not e.has_ellipsis:
            fixed = len(params) - 1
            for i in range(fixed):
                self.value(args[i], params[i], base + i)
            last = params[-1]
            assert isinstance(last, T.Slice)
            extras = args[fixed:]
            if not extras:
                self.emit(Op.MOVE, base + fixed, self.const(None))
                return
            tb = self.alloc(len(extras))
            for j, a in enumerate(extras):
                self.value(a, last.elem, tb + j)
            self.pack(tb, len(extras), base + fixed)
            return
        for i, a in enumerate(args):
            self.value(a, params[i], base + i)

    def pack(self, b: int, n: int, dst: int) -> None:
        if n == 0:
            self.emit(Op.MOVE, dst, self.const(None))
            return
        self.emit(Op.LIST, dst, b, n)
        self.emit(Op.SLICE_WRAP, dst, dst)

    # -- conversions ----------------------------------------------------------------
    def conversion(self, e: ast.Call, dst: Optional[int]) -> int:
        to = self.info.type_exprs.get(unparen(e.fun)) or self.typeof(e)
        x = e.args[0]
        ft = self.typeof(x)
        if T.is_interface(to):
            return self.value(x, to, dst)
        r = self.expr(x)
        tu = T.underlying(to)
        fu = T.underlying(ft)
        if T.is_integer(to):
            if T.is_float(ft):
                d = self.target(dst)
                self.emit(Op.CONVERT, d, r, O.CONV_FLOAT_TO_INT)
                self.emit(Op.WRAP, d, width_code(to))
                return d
            if width_code(to) != width_code(ft) or not T.is_integer(ft):
                d = self.target(dst)
                self.emit(Op.MOVE, d, r)
                self.emit(Op.WRAP, d, width_code(to))
                return d
            return self.move(r, dst)
        if T.is_float(to):
            if T.is_integer(ft):
                d = self.target(dst)
                self.emit(Op.CONVERT, d, r, O.CONV_INT_TO_FLOAT)
                if tu == T.FLOAT32:
                    self.emit(Op.F32, d, d)
                return d
            if tu == T.FLOAT32 and fu != T.FLOAT32:
                d = self.target(dst)
                self.emit(Op.F32, d, r)
                return d
            return self.move(r, dst)
        if T.is_string(to):
            if T.is_integer(ft):
                d = self.target(dst)
                self.emit(Op.CONVERT, d, r, O.CONV_RUNE_TO_STR)
                return d
            if isinstance(fu, T.Slice):
                d = self.target(dst)
                eu = T.underlying(fu.elem)
                code = O.CONV_BYTES_TO_STR if eu == T.UINT8 else O.CONV_RUNES_TO_STR
                self.emit(Op.CONVERT, d, r, code)
                return d
            return self.move(r, dst)
        if isinstance(tu, T.Slice) and T.is_string(ft):
            d = self.target(dst)
            eu = T.underlying(tu.elem)
            code = O.CONV_STR_TO_BYTES if eu == T.UINT8 else O.CONV_STR_TO_RUNES
            self.emit(Op.CONVERT, d, r, code)
            return d
        if is_value_aggregate(to) and not self.is_fresh(x):
            d = self.target(dst)
            self.emit(Op.COPY, d, r)
            return d
        return self.move(r, dst)

    # -- builtins ----------------------------------------------------------------------
    def builtin(self, e: ast.Call, dst: Optional[int]) -> int:
        fun = unparen(e.fun)
        obj = self.info.uses.get(fun) if isinstance(fun, ast.Ident) else None
        name = obj.name if isinstance(obj, I.Builtin) else getattr(fun, "name", "")
        args = e.args
        if name in ("len", "cap"):
            xt = T.underlying(self.typeof(args[0]))
            if isinstance(xt, T.Pointer):
                xt = T.underlying(xt.elem)
            if isinstance(xt, T.Array):
                return self.move(self.const(xt.length), dst)
            x = self.expr(args[0])
            d = self.target(dst)
            if isinstance(xt, T.Slice):
                kind = 0
            elif T.is_string(xt):
                kind = 1
            elif isinstance(xt, T.Chan):
                kind = 3
            else:
                kind = 2
            self.emit(Op.LEN if name == "len" else Op.CAP, d, x, kind)
            return d
        if name == "append":
            st = self.typeof(e)
            su = T.underlying(st)
            assert isinstance(su, T.Slice)
            s = self.expr(args[0])
            size = elem_size(su.elem)
            if e.has_ellipsis:
                src = self.expr(args[1])
                d = self.target(dst)
                self.emit(Op.APPEND_SLICE, d, s, src | size << 16)
                return d
            extras = args[1:]
            if not extras:
                return self.move(s, dst)
            if len(extras) == 1:
                v = self.value(extras[0], su.elem)
                d = self.target(dst)
                self.emit(Op.APPEND1, d, s, v | size << 16)
                return d
            tb = self.alloc(len(extras))
            for j, a in enumerate(extras):
                self.value(a, su.elem, tb + j)
            lst = self.alloc()
            self.pack(tb, len(extras), lst)
            d = self.target(dst)
            self.emit(Op.APPEND_SLICE, d, s, lst | size << 16)
            return d
        if name == "copy":
            dst_reg = self.expr(args[0])
            src_reg = self.expr(args[1])
            d = self.target(dst)
            self.emit(Op.COPY_SLICE, d, dst_reg, src_reg)
            return d
        if name == "delete":
            mt = T.underlying(self.typeof(args[0]))
            assert isinstance(mt, T.Map)
            m = self.expr(args[0])
            k = self.map_key(args[1], mt)
            self.emit(Op.MAP_DELETE, m, k)
            return self.const(None)
        if name == "make":
            t = self.info.type_exprs.get(args[0]) or self.typeof(e)
            u = T.underlying(t)
            d = self.target(dst)
            if isinstance(u, T.Slice):
                b = self.alloc(3)
                self.expr(args[1], b)
                if len(args) > 2:
                    self.expr(args[2], b + 1)
                else:
                    self.emit(Op.MOVE, b + 1, self.const(None))
                z = zero_value(u.elem)
                self.emit(Op.MOVE, b + 2, self.const_obj(z) if isinstance(z, list)
                          else self.const(z))
                self.emit(Op.MAKE_SLICE, d, b)
            elif isinstance(u, T.Map):
                self.emit(Op.NEW_MAP, d)
            elif isinstance(u, T.Chan):
                n = self.expr(args[1]) if len(args) > 1 else self.const(0)
                z = zero_value(u.elem)
                self.emit(Op.MAKE_CHAN, d, n, self.const_obj(z) if isinstance(z, list)
                          else self.const(z))
            else:
                raise CompileError(e, f"csp: cannot make {t}")
            return d
        if name == "new":
            nt = self.info.type_exprs.get(args[0])
            if nt is None:
                pt = T.underlying(self.typeof(e))
                assert isinstance(pt, T.Pointer)
                nt = pt.elem
            c = self.alloc()
            self.load_zero(nt, c)
            self.emit(Op.NEW_CELL, c, c)
            d = self.target(dst)
            self.emit(Op.ADDR, d, c, 0)
            return d
        if name == "panic":
            v = self.value(args[0], T.ANY)
            self.emit(Op.PANIC, v)
            return self.const(None)
        if name == "recover":
            d = self.target(dst)
            self.emit(Op.RECOVER, d)
            return d
        if name in ("print", "println"):
            b = self.alloc(max(len(args), 1))
            for j, a in enumerate(args):
                self.expr(a, b + j)
            self.emit(Op.PRINT, 1 if name == "println" else 0, b, len(args))
            return self.const(None)
        if name == "close":
            ch = self.expr(args[0])
            self.emit(Op.CLOSE, ch)
            return self.const(None)
        raise CompileError(e, f"csp: unsupported builtin {name}")

    def builtin_native(self, name: str) -> Any:
        """A Python callable standing for a builtin in defer/go statements."""
        if name == "close":
            return _close_native
        if name == "panic":
            return _panic_native
        if name == "print":
            return _print_native
        if name == "println":
            return _println_native
        if name == "recover":
            return _recover_native
        return None
