"""Statement code generation and the program driver: typed AST -> Program.

``compile_file(file, info) -> Program`` compiles every function and method
(user methods are stored into ``types.Named.methods[name].impl``), builds
the globals list and an entry function that initialises package variables
in ``info.init_order`` and then calls ``main.main``.

Invariants (beyond compile_expr's):
- A variable that is addressed, or captured and assigned after its
  declaration (``Var.in_cell``), lives in a cell register (a captured
  variable that never changes is copied into the closure instead, see
  lang/reassign.py); declaring it stores a fresh
  cell, so a ``:=`` inside a loop body makes a new variable per iteration,
  and three-clause loop variables are re-celled before the post statement
  (Go 1.22 per-iteration semantics).
- A function with a ``defer`` has an epilogue ``RUN_DEFERS; RET results``;
  every return stores into the result slots and jumps there, and a
  recovered panic resumes there (``Function.epilogue``).
"""

from __future__ import annotations

from typing import Any, Callable, Optional, Sequence

from lang import ast
from lang import info as I
from lang import opcodes as O
from lang import types as T
from lang.chunk import Function
from lang.compile_base import (
    Breakable,
    CompileError,
    ProgramState,
    is_int64,
    is_value_aggregate,
    zero_value,
)
from lang.compile_expr import ExprCompiler, unparen
from lang.opcodes import Op
from runtime.program import Program
from runtime.values import copy_value


class LValue:
    """A prepared assignment target (operands already evaluated)."""

    __slots__ = ("kind", "a", "b", "type")

    def __init__(self, kind: str, a: int, b: int, typ: Optional[T.Type]) -> None:
        self.kind = kind
        self.a = a
        self.b = b
        self.type = typ


def contains_defer(node: Any) -> bool:
    """Whether a function body has a defer statement (not in nested literals)."""
    if isinstance(node, ast.DeferStmt):
        return True
    if isinstance(node, ast.FuncLit):
        return False
    if isinstance(node, (tuple, list)):
        return any(contains_defer(x) for x in node)
    if hasattr(node, "__slots__") and not isinstance(node, (ast.Span, str)):
        for name in node.__slots__:
            if name == "span":
                continue
            v = getattr(node, name, None)
            if isinstance(v, (tuple, list)) or (v is not None and hasattr(v, "span")):
                if contains_defer(v):
                    return True
    return False


class FuncCompiler(ExprCompiler):
    """Compiles one function body."""

    def __init__(self, prog: ProgramState, fn: Function, parent: Optional[FuncCompiler]) -> None:
        super().__init__(prog, fn, parent)
        self.base_name = fn.name
        self.lit_count = 0

    # -- nested function literals ------------------------------------------------
    def compile_func_lit(self, e: ast.FuncLit) -> tuple[Function, list[I.Var]]:
        root: FuncCompiler = self
        while isinstance(root.parent, FuncCompiler):
            root = root.parent
        root.lit_count += 1
        name = f"{root.base_name}.func{root.lit_count}"
        fn = Function(name, self.prog.filename, e.span.line)
        free = list(self.info.free_vars.get(e, []))
        sig = self.typeof(e)
        assert isinstance(T.underlying(sig), T.Signature)
        sub = FuncCompiler(self.prog, fn, self)
        sub.lit_count = 0
        sub.compile_body(e.type, e.body, T.underlying(sig), None, free)  # type: ignore[arg-type]
        self.prog.functions.append(fn)
        return fn, free

    # -- function bodies --------------------------------------------------------------
    def param_vars(self, fields: tuple[ast.Field, ...]) -> list[Optional[I.Var]]:
        out: list[Optional[I.Var]] = []
        for f in fields:
            if not f.names:
                out.append(self.info.implicit_objs.get(f))
                continue
            for n in f.names:
                obj = self.info.defs.get(n)
                out.append(obj if isinstance(obj, I.Var) else None)
        return out

    def compile_body(self, ftype: ast.FuncType, body: ast.Block, sig: T.Signature,
                     recv: Optional[ast.Field], free: list[I.Var]) -> Function:
        self.sig = sig
        self.set_line(ftype)
        params = self.param_vars((recv,) if recv is not None else ()) + self.param_vars(
            ftype.params)
        for v in params:
            r = self.alloc_local()
            if v is not None:
                self.vars[v] = r
        self.fn.nparams = len(params)
        for v in free:
            r = self.alloc_local()
            self.vars[v] = r
            if v.in_cell:
                self.cells.add(v)
        self.fn.nfree = len(free)
        for v in params:
            if v is not None and v.in_cell:
                self.cells.add(v)
                r = self.vars[v]
                self.emit(Op.NEW_CELL, r, r)
        results = self.param_vars(ftype.results)
        if len(results) < len(sig.results):
            results += [None] * (len(sig.results) - len(results))
        self.fn.nresults = len(results)
        self.has_defer = contains_defer(body.stmts)
        for i, v in enumerate(results):
            r = self.alloc_local()
            self.result_regs.append(r)
            self.result_vars.append(v)
            rt = sig.results[i]
            if v is not None or self.has_defer:
                self.load_zero(rt, r)
            if v is not None:
                self.vars[v] = r
                if v.in_cell:
                    self.cells.add(v)
                    self.emit(Op.NEW_CELL, r, r)
        self.block(body.stmts)
        self.set_line(body.rbrace)
        self.end_statement()
        self.return_stmt(None)
        if self.has_defer:
            self.fn.epilogue = self.here()
            for j in self.epilogue_jumps:
                self.patch(j, self.here())
            self.emit(Op.RUN_DEFERS)
            self.emit_return_slots()
        return self.finish()

    def emit_return_slots(self) -> None:
        n = len(self.result_regs)
        if n == 0:
            self.emit(Op.RET, 0, 0)
            return
        if n == 1 and self.result_vars[0] not in self.cells:
            self.emit(Op.RET, self.result_regs[0], 1)
            return
        b = self.alloc(n)
        for i, r in enumerate(self.result_regs):
            v = self.result_vars[i]
            if v is not None and v in self.cells:
                self.emit(Op.LOAD_CELL, b + i, r)
            else:
                self.emit(Op.MOVE, b + i, r)
        self.emit(Op.RET, b, n)

    # -- statements -----------------------------------------------------------------
    def block(self, stmts: tuple[Any, ...]) -> None:
        for s in stmts:
            self.stmt(s)
            self.end_statement()

    def stmt(self, s: Any) -> None:
        self.set_line(s)
        if isinstance(s, ast.ExprStmt):
            x = unparen(s.x)
            if isinstance(x, ast.Call) and self.info.call_kinds.get(x) is I.CallKind.CALL:
                self.call(x)
            else:
                self.expr(x)
        elif isinstance(s, ast.AssignStmt):
            self.assign(s)
        elif isinstance(s, ast.IncDecStmt):
            self.incdec(s)
        elif isinstance(s, ast.DeclStmt):
            self.decl_stmt(s.decl)
        elif isinstance(s, ast.ReturnStmt):
            self.return_stmt(s)
        elif isinstance(s, ast.IfStmt):
            self.if_stmt(s)
        elif isinstance(s, ast.ForStmt):
            self.for_stmt(s)
        elif isinstance(s, ast.RangeStmt):
            self.range_stmt(s)
        elif isinstance(s, ast.Block):
            self.block(s.stmts)
        elif isinstance(s, ast.SwitchStmt):
            self.switch_stmt(s)
        elif isinstance(s, ast.TypeSwitchStmt):
            self.type_switch(s)
        elif isinstance(s, ast.BranchStmt):
            self.branch_stmt(s)
        elif isinstance(s, ast.LabeledStmt):
            self.pending_label = s.label.name
            self.stmt(s.stmt)
            self.pending_label = None
        elif isinstance(s, ast.DeferStmt):
            self.defer_or_go(s.call, Op.DEFER)
        elif isinstance(s, ast.GoStmt):
            self.defer_or_go(s.call, Op.GO)
        elif isinstance(s, ast.SendStmt):
            ct = T.underlying(self.typeof(s.chan))
            assert isinstance(ct, T.Chan)
            ch = self.expr(s.chan)
            v = self.value(s.value, ct.elem)
            self.emit(Op.SEND, ch, v)
        elif isinstance(s, ast.SelectStmt):
            self.select_stmt(s)
        elif isinstance(s, ast.EmptyStmt):
            pass
        else:
            raise CompileError(s, f"csp: cannot compile statement {type(s).__name__}")

    def take_label(self) -> Optional[str]:
        lab = self.pending_label
        self.pending_label = None
        return lab

    # -- variables and assignment --------------------------------------------------------
    def declare(self, v: I.Var) -> int:
        r = self.alloc_local()
        self.vars[v] = r
        if v.in_cell:
            self.cells.add(v)
        return r

    def store_var_new(self, v: I.Var, r: int, val: int) -> None:
        """Initialise freshly declared variable v (register r) with val."""
        if v in self.cells:
            self.emit(Op.NEW_CELL, r, val)
        elif r != val:
            self.emit(Op.MOVE, r, val)

    def lvalue(self, e: Any) -> LValue:
        e = unparen(e)
        if isinstance(e, ast.Ident):
            if e.name == "_":
                return LValue("blank", 0, 0, None)
            obj = self.info.uses.get(e) or self.info.defs.get(e)
            if isinstance(obj, I.Var):
                if obj.kind is I.VarKind.GLOBAL:
                    return LValue("global", self.prog.global_index[obj], 0, obj.type)
                r = self.var_reg(obj)
                if obj in self.cells:
                    return LValue("cell", r, 0, obj.type)
                return LValue("reg", r, 0, obj.type)
            raise CompileError(e, f"csp: cannot assign to {e.name}")
        t = self.typeof(e)
        if isinstance(e, ast.Index):
            xt = T.underlying(self.typeof(e.x))
            if isinstance(xt, T.Map):
                m = self.expr(e.x)
                k = self.map_key(e.index, xt)
                return LValue("map", m, k, t)
            base = self.expr(e.x)
            i = self.expr(e.index)
            if isinstance(xt, T.Pointer):
                d = self.alloc()
                self.emit(Op.DEREF, d, base)
                base = d
                xt = T.underlying(xt.elem)
            return LValue("slice" if isinstance(xt, T.Slice) else "list", base, i, t)
        if isinstance(e, ast.Selector):
            sel = self.info.selections.get(e)
            if sel is not None and sel.kind is I.SelKind.FIELD:
                cont, idx = self.field_container(e, sel)
                return LValue("field", cont, idx, t)
            if sel is not None and sel.kind is I.SelKind.PKG_MEMBER:
                from stdlib import registry as R
                if isinstance(sel.member, R.VarMember):
                    return LValue("cell", self.const_obj(sel.member.cell), 0, t)
        if isinstance(e, ast.Star):
            p = self.expr(e.x)
            return LValue("ptr", p, 0, t)
        raise CompileError(e, "csp: cannot assign to this expression")

    def snapshot(self, lv: LValue) -> LValue:
        """Copy an lvalue's operand registers into temporaries, so that
        earlier assignments of a tuple assignment cannot change them."""
        if lv.kind in ("list", "slice", "map", "field", "ptr"):
            a = self.alloc()
            self.emit(Op.MOVE, a, lv.a)
            b = lv.b
            if lv.kind in ("list", "slice", "map"):
                b = self.alloc()
                self.emit(Op.MOVE, b, lv.b)
            return LValue(lv.kind, a, b, lv.type)
        return lv

    def lv_load(self, lv: LValue) -> int:
        k = lv.kind
        if k == "reg":
            return lv.a
        d = self.alloc()
        if k == "cell":
            self.emit(Op.LOAD_CELL, d, lv.a)
        elif k == "global":
            self.emit(Op.LOAD_GLOBAL, d, lv.a)
        elif k == "field":
            self.emit(Op.GETFIELD, d, lv.a, lv.b)
        elif k == "list":
            self.emit(Op.INDEX_LIST, d, lv.a, lv.b)
        elif k == "slice":
            self.emit(Op.INDEX_SLICE, d, lv.a, lv.b)
        elif k == "map":
            assert lv.type is not None
            self.load_zero(lv.type, d)
            self.emit(Op.MAP_GET, d, lv.a, lv.b)
        elif k == "ptr":
            self.emit(Op.DEREF, d, lv.a)
        return d

    def lv_store(self, lv: LValue, v: int) -> None:
        k = lv.kind
        if k == "blank":
            return
        if k == "reg":
            if lv.a != v:
                self.emit(Op.MOVE, lv.a, v)
        elif k == "cell":
            self.emit(Op.STORE_CELL, lv.a, v)
        elif k == "global":
            self.emit(Op.STORE_GLOBAL, lv.a, v)
        elif k == "field":
            self.emit(Op.SETFIELD, lv.a, lv.b, v)
        elif k == "list":
            self.emit(Op.SET_LIST, lv.a, lv.b, v)
        elif k == "slice":
            self.emit(Op.SET_SLICE, lv.a, lv.b, v)
        elif k == "map":
            self.emit(Op.MAP_SET, lv.a, lv.b, v)
        elif k == "ptr":
            self.emit(Op.STORE_PTR, lv.a, v)

    def new_var_of(self, e: Any) -> Optional[I.Var]:
        """The variable a ``:=`` declares at e, or None (reuse / blank)."""
        if isinstance(e, ast.Ident) and e in self.info.defs:
            obj = self.info.defs[e]
            if isinstance(obj, I.Var):
                return obj
        return None

    def multi_values(self, rhs: Any, n: int) -> tuple[int, list[T.Type]]:
        """Evaluate a multi-value expression into n consecutive registers,
        as fresh values (no other variable, map entry or interface shares a
        struct or array among them: callers store them without a COPY)."""
        r = unparen(rhs)
        if isinstance(r, ast.Call) and self.info.call_kinds.get(r) is I.CallKind.CALL:
            base = self.call(r)
            tt = self.info.types.get(r)
            types = list(tt.types) if isinstance(tt, T.Tuple) else [self.typeof(r)]
            return base, types
        d = self.alloc(2)
        if isinstance(r, ast.Index):
            mt = T.underlying(self.typeof(r.x))
            assert isinstance(mt, T.Map)
            m = self.expr(r.x)
            k = self.map_key(r.index, mt)
            self.load_zero(mt.value, d)
            self.emit(Op.MAP_GET_OK, d, m, k)
            if is_value_aggregate(mt.value):
                # The map keeps its own struct/array: callers treat these
                # results as fresh values, so hand them a copy.
                self.emit(Op.COPY, d, d)
            return d, [mt.value, T.BOOL]
        if isinstance(r, ast.TypeAssert):
            x = self.expr(r.x)
            assert r.type is not None
            tt2 = self.info.type_exprs[r.type]
            is_if = T.is_interface(tt2)
            self.emit(Op.TYPE_ASSERT_OK, d, x,
                      self.const_obj((tt2, self.typeof(r.x), is_if, zero_value(tt2))))
            if is_value_aggregate(tt2):
                self.emit(Op.COPY, d, d)  # the interface keeps its own boxed copy
            return d, [tt2, T.BOOL]
        if isinstance(r, ast.Unary) and r.op == "<-":
            ct = T.underlying(self.typeof(r.x))
            assert isinstance(ct, T.Chan)
            ch = self.expr(r.x)
            self.emit(Op.RECV_OK, d, ch)
            return d, [ct.elem, T.BOOL]
        raise CompileError(rhs, "csp: unsupported multi-value expression")

    def assign(self, s: ast.AssignStmt) -> None:
        define = s.op == ":="
        if s.op not in (":=", "="):
            self.op_assign(s)
            return
        lhs, rhs = s.lhs, s.rhs
        if len(rhs) == 1 and len(lhs) > 1:
            base, types = self.multi_values(rhs[0], len(lhs))
            if define and self.adopt_results(lhs, base, types):
                return
            for i, target in enumerate(lhs):
                self.store_result(target, base + i, types[i], define)
            return
        if len(lhs) == 1:
            target = unparen(lhs[0])
            v = self.new_var_of(target) if define else None
            if v is not None:
                r = self.declare(v)
                if v in self.cells:
                    val = self.value(rhs[0], v.type)
                    self.emit(Op.NEW_CELL, r, val)
                else:
                    self.value(rhs[0], v.type, r)
                return
            lv = self.lvalue(target)
            if lv.kind == "blank":
                self.expr(rhs[0])
                return
            if lv.kind == "reg":
                self.value(rhs[0], lv.type, lv.a)
                return
            val = self.value(rhs[0], lv.type)
            self.lv_store(lv, val)
            return
        # Tuple assignment: evaluate every operand, then assign left to right.
        lvs: list[Optional[LValue]] = []
        for target in lhs:
            target = unparen(target)
            if define and self.new_var_of(target) is not None:
                lvs.append(None)
            else:
                lvs.append(self.snapshot(self.lvalue(target)))
        vals = []
        for i, e in enumerate(rhs):
            tlv = lvs[i]
            if tlv is not None:
                to = tlv.type
            else:
                nv = self.new_var_of(unparen(lhs[i]))
                to = nv.type if nv is not None else None
            t = self.alloc()
            self.value(e, to, t)
            vals.append(t)
        for i, target in enumerate(lhs):
            tlv = lvs[i]
            if tlv is None:
                v = self.new_var_of(unparen(target))
                assert v is not None
                r = self.declare(v)
                self.store_var_new(v, r, vals[i])
            else:
                self.lv_store(tlv, vals[i])

    def store_result(self, target: Any, reg: int, typ: T.Type, define: bool) -> None:
        target = unparen(target)
        v = self.new_var_of(target) if define else None
        if v is not None:
            r = self.declare(v)
            val = self.convert_for(reg, typ, v.type, True)
            self.store_var_new(v, r, val)
            return
        lv = self.lvalue(target)
        if lv.kind == "blank":
            return
        val = self.convert_for(reg, typ, lv.type, True)
        self.lv_store(lv, val)

    def select_operand(self, e: Any) -> int:
        """A register that holds channel operand e until SELECT runs: a
        local variable's own register when it is not in a cell (nothing
        can assign it while the other operands are evaluated: only a
        closure could, and a captured variable that is ever assigned lives
        in a cell), else a fresh local the value is evaluated into."""
        x = unparen(e)
        if isinstance(x, ast.Ident):
            obj = self.info.uses.get(x)
            if isinstance(obj, I.Var) and obj in self.vars and obj not in self.cells:
                return self.vars[obj]
        r = self.alloc_local()
        self.expr(e, r)
        return r

    def adopt_results(self, lhs: Sequence[Any], base: int, types: list[T.Type]) -> bool:
        """``a, b := f()`` (or ``<-ch``, ``m[k]``, ``x.(T)``) where every target
        is a new variable that lives in a register and needs no conversion:
        the variables take over the temporaries ``base...`` the values are
        already in, instead of getting fresh registers and a MOVE each.  The
        registers from ``local_mark`` up to them become locals (any dead
        temporary among them stays unused).  False: nothing was done."""
        if base < self.local_mark:
            return False
        new: list[I.Var] = []
        for i, target in enumerate(lhs):
            v = self.new_var_of(unparen(target))
            if v is None or v.in_cell:
                return False
            if T.is_interface(v.type) and not T.is_interface(types[i]):
                return False  # needs a BOX (store_result's convert_for)
            new.append(v)
        for i, v in enumerate(new):
            self.vars[v] = base + i
        self.local_mark = base + len(new)
        if self.top < self.local_mark:
            self.top = self.local_mark
        return True

    def bind_received(self, target: Any, reg: int, typ: T.Type, define: bool) -> None:
        """``v := <-ch`` (or ``v, ok :=``) in a select case: a new v that
        lives in a register simply takes over ``reg``, where SELECT left
        the value (v has its type; reg is this select's own and stays
        unused until the clause ends).  Anything else is a store."""
        v = self.new_var_of(unparen(target)) if define else None
        if v is not None and not v.in_cell:
            self.vars[v] = reg
            return
        self.store_result(target, reg, typ, define)

    def op_assign(self, s: ast.AssignStmt) -> None:
        op = s.op[:-1]
        lv = self.lvalue(s.lhs[0])
        assert lv.type is not None
        cur = self.lv_load(lv)
        if op in ("<<", ">>"):
            y = self.expr(s.rhs[0])
        else:
            y = self.value(s.rhs[0], lv.type)
        d = cur if lv.kind == "reg" else self.alloc()
        self.arith(op, lv.type, d, cur, y)
        self.lv_store(lv, d)

    def incdec(self, s: ast.IncDecStmt) -> None:
        lv = self.lvalue(s.x)
        assert lv.type is not None
        cur = self.lv_load(lv)
        d = cur if lv.kind == "reg" else self.alloc()
        t = lv.type
        from lang.compile_base import is_int64
        if is_int64(t):
            self.emit(Op.ADDI, d, cur, 1 if s.op == "++" else -1)
        else:
            one = self.const(1.0 if T.is_float(t) else 1)
            self.arith("+" if s.op == "++" else "-", t, d, cur, one)
        self.lv_store(lv, d)

    def decl_stmt(self, d: ast.GenDecl) -> None:
        if d.tok != "var":
            return
        for spec in d.specs:
            if not isinstance(spec, ast.ValueSpec):
                continue
            vars_ = [self.info.defs.get(n) for n in spec.names]
            if len(spec.values) == 1 and len(spec.names) > 1:
                base, types = self.multi_values(spec.values[0], len(spec.names))
                for i, v in enumerate(vars_):
                    if isinstance(v, I.Var):
                        r = self.declare(v)
                        self.store_var_new(v, r, self.convert_for(base + i, types[i], v.type, True))
                continue
            vals = []
            for i in range(len(spec.names)):
                v = vars_[i]
                vt = v.type if isinstance(v, I.Var) else None
                if spec.values:
                    vals.append(self.value(spec.values[i], vt, self.alloc()))
                else:
                    t = self.alloc()
                    assert vt is not None
                    self.load_zero(vt, t)
                    vals.append(t)
            for i, v in enumerate(vars_):
                if isinstance(v, I.Var):
                    r = self.declare(v)
                    self.store_var_new(v, r, vals[i])

    # -- return ----------------------------------------------------------------------------
    def return_stmt(self, s: Optional[ast.ReturnStmt]) -> None:
        assert self.sig is not None
        results = s.results if s is not None else ()
        n = len(self.result_regs)
        if not results:
            if self.has_defer:
                self.epilogue_jumps.append(self.emit(Op.JMP, 0))
            else:
                self.emit_return_slots()
            return
        rtypes = self.sig.results
        if len(results) == 1 and n > 1:
            base, types = self.multi_values(results[0], n)
            vals = [self.convert_for(base + i, types[i], rtypes[i], True) for i in range(n)]
        elif n == 1 and not self.has_defer:
            r = self.value(results[0], rtypes[0])
            self.emit(Op.RET, r, 1)
            return
        else:
            vals = []
            for i, e in enumerate(results):
                t = self.alloc()
                self.value(e, rtypes[i], t)
                vals.append(t)
        if self.has_defer:
            for i, r in enumerate(self.result_regs):
                v = self.result_vars[i]
                if v is not None and v in self.cells:
                    self.emit(Op.STORE_CELL, r, vals[i])
                else:
                    self.emit(Op.MOVE, r, vals[i])
            self.epilogue_jumps.append(self.emit(Op.JMP, 0))
            return
        b = self.alloc(n)
        for i in range(n):
            self.emit(Op.MOVE, b + i, vals[i])
        self.emit(Op.RET, b, n)

    # -- control flow ---------------------------------------------------------------------
    def if_stmt(self, s: ast.IfStmt) -> None:
        if s.init is not None:
            self.stmt(s.init)
            self.end_statement()
        self.set_line(s)
        jf = self.branch(s.cond, False)
        self.end_statement()
        self.block(s.body.stmts)
        if s.else_ is not None:
            jend = self.emit(Op.JMP, 0)
            for j in jf:
                self.patch(j, self.here())
            self.stmt(s.else_)
            self.patch(jend, self.here())
        else:
            for j in jf:
                self.patch(j, self.here())

    def loop_vars(self, init: Any) -> list[I.Var]:
        out = []
        if isinstance(init, ast.AssignStmt) and init.op == ":=":
            for e in init.lhs:
                v = self.new_var_of(unparen(e))
                if v is not None and v.in_cell:
                    out.append(v)
        return out

    def for_stmt(self, s: ast.ForStmt) -> None:
        br = Breakable("loop", self.take_label())
        if s.init is not None:
            self.stmt(s.init)
            self.end_statement()
        percell = self.loop_vars(s.init)
        counted = self.counting_loop(s) if not percell else None
        if counted is not None:
            self.for_counted(s, br, counted)
            return
        jcond = self.emit(Op.JMP, 0) if s.cond is not None else -1
        body = self.here()
        self.breakables.append(br)
        self.block(s.body.stmts)
        self.breakables.pop()
        cont = self.here()
        for v in percell:
            self.emit(Op.RECELL, self.vars[v])
        if s.post is not None:
            self.set_line(s.post)
            self.stmt(s.post)
            self.end_statement()
        if s.cond is not None:
            self.patch(jcond, self.here())
            self.set_line(s.cond)
            for j in self.branch(s.cond, True):
                self.patch(j, body)
            self.end_statement()
        else:
            self.emit(Op.JMP, body)
        end = self.here()
        for j in br.breaks:
            self.patch(j, end)
        for j in br.continues:
            self.patch(j, cont)

    def plain_int_reg(self, e: Any) -> Optional[int]:
        """The register of e when e is a constant or a register-resident
        int64 local (so reading the register is evaluating e)."""
        e = unparen(e)
        if e in self.info.consts:
            v = self.info.consts[e]
            if isinstance(v, int) and not isinstance(v, bool):
                return self.const(v)
            return None
        if isinstance(e, ast.Ident):
            obj = self.info.uses.get(e) or self.info.defs.get(e)
            if isinstance(obj, I.Var) and obj.kind is not I.VarKind.GLOBAL \
                    and obj not in self.cells and obj in self.vars and is_int64(obj.type):
                return self.vars[obj]
        return None

    def counting_loop(self, s: ast.ForStmt) -> Optional[tuple[int, int]]:
        """(i, n) registers when s is ``for ...; i < n; i++`` over plain
        int registers: compiled with the fused FORLOOP back edge."""
        post, cond = s.post, unparen(s.cond) if s.cond is not None else None
        if not (isinstance(post, ast.IncDecStmt) and post.op == "++"):
            return None
        if not (isinstance(cond, ast.Binary) and cond.op == "<"):
            return None
        px, cx = unparen(post.x), unparen(cond.x)
        if not (isinstance(px, ast.Ident) and isinstance(cx, ast.Ident)):
            return None
        po = self.info.uses.get(px) or self.info.defs.get(px)
        co = self.info.uses.get(cx) or self.info.defs.get(cx)
        if po is None or po is not co:
            return None
        i = self.plain_int_reg(px)
        n = self.plain_int_reg(cond.y)
        if i is None or n is None:
            return None
        return i, n

    def for_counted(self, s: ast.ForStmt, br: Breakable, regs: tuple[int, int]) -> None:
        i, n = regs
        assert s.cond is not None
        self.set_line(s.cond)
        jend = self.emit(Op.JGE, i, n, 0)
        body = self.here()
        self.breakables.append(br)
        self.block(s.body.stmts)
        self.breakables.pop()
        cont = self.here()
        self.set_line(s.post)
        self.emit(Op.FORLOOP, i, n, body)
        end = self.here()
        self.patch(jend, end)
        for j in br.breaks:
            self.patch(j, end)
        for j in br.continues:
            self.patch(j, cont)

    def range_assign(self, target: Optional[Any], reg: int, typ: T.Type, define: bool,
                     decl_regs: dict[Any, int]) -> None:
        if target is None:
            return
        target = unparen(target)
        if define:
            v = self.new_var_of(target)
            if v is None:
                return
            r = decl_regs[target]
            val = self.convert_for(reg, typ, v.type, True)
            self.store_var_new(v, r, val)
            return
        lv = self.lvalue(target)
        if lv.kind != "blank":
            self.lv_store(lv, self.convert_for(reg, typ, lv.type, True))

    def range_stmt(self, s: ast.RangeStmt) -> None:
        br = Breakable("loop", self.take_label())
        define = s.tok == ":="
        xt = T.underlying(self.typeof(s.x))
        decl_regs: dict[Any, int] = {}
        if define:
            for target in (s.key, s.value):
                if target is not None:
                    v = self.new_var_of(unparen(target))
                    if v is not None:
                        decl_regs[unparen(target)] = self.declare(v)
        value_used = s.value is not None and not (
            isinstance(s.value, ast.Ident) and s.value.name == "_")
        if isinstance(xt, T.Pointer):
            p = self.expr(s.x)
            x = self.alloc_local()
            self.emit(Op.DEREF, x, p)
            xt = T.underlying(xt.elem)
        elif isinstance(xt, T.Array) and value_used:
            x = self.alloc_local()
            self.value(s.x, None, x)
        elif isinstance(xt, (T.Chan,)) or T.is_integer(xt) or isinstance(xt, (T.Slice, T.Map)) \
                or T.is_string(xt) or isinstance(xt, T.Array):
            x = self.alloc_local()
            self.expr(s.x, x)
        else:
            raise CompileError(s, f"csp: cannot range over {xt}")
        self.local_mark = self.top
        if isinstance(xt, (T.Slice, T.Array)) or T.is_integer(xt):
            i = self.alloc_local()
            n = self.alloc_local()
            self.emit(Op.MOVE, i, self.const(0))
            if T.is_integer(xt):
                self.emit(Op.MOVE, n, x)
            elif isinstance(xt, T.Array):
                self.emit(Op.MOVE, n, self.const(xt.length))
            else:
                self.emit(Op.LEN, n, x, 0)
            jcond = self.emit(Op.JMP, 0)
            body = self.here()
            self.range_assign(s.key, i, T.INT if not T.is_integer(xt) else self.typeof(s.x),
                              define, decl_regs)
            if value_used:
                assert isinstance(xt, (T.Slice, T.Array))
                t = self.alloc()
                self.emit(Op.INDEX_SLICE if isinstance(xt, T.Slice) else Op.INDEX_LIST, t, x, i)
                if is_value_aggregate(xt.elem):
                    self.emit(Op.COPY, t, t)
                self.range_assign(s.value, t, xt.elem, define, decl_regs)
            self.end_statement()
            self.breakables.append(br)
            self.block(s.body.stmts)
            self.breakables.pop()
            cont = self.here()
            self.emit(Op.FORLOOP, i, n, body)
            self.patch(jcond, self.here())
            self.emit(Op.JLT, i, n, body)
        elif T.is_string(xt) or isinstance(xt, T.Map):
            it = self.alloc_local()
            kv = self.alloc_local()
            self.alloc_local()
            if isinstance(xt, T.Map):
                kind = O.ITER_MAP_FROZEN if is_value_aggregate(xt.key) else O.ITER_MAP
                ktype, vtype = xt.key, xt.value
            else:
                kind = O.ITER_STRING
                ktype, vtype = T.INT, T.RUNE
            self.emit(Op.ITER_INIT, it, x, kind)
            top = self.here()
            cont = top
            jdone = self.emit(Op.ITER_NEXT, it, kv, 0)
            self.range_assign(s.key, kv, ktype, define, decl_regs)
            if value_used:
                if is_value_aggregate(vtype):
                    self.emit(Op.COPY, kv + 1, kv + 1)
                self.range_assign(s.value, kv + 1, vtype, define, decl_regs)
            self.end_statement()
            self.breakables.append(br)
            self.block(s.body.stmts)
            self.breakables.pop()
            self.emit(Op.JMP, top)
            self.patch(jdone, self.here())
        else:
            assert isinstance(xt, T.Chan)
            d = self.alloc_local()
            self.alloc_local()
            # A rotated loop: entered by a jump to the receive at its
            # bottom, which jumps back into the body while the channel
            # delivers and falls out when it is closed and drained.  One
            # instruction per iteration fewer than a receive at the top
            # and a JMP back to it.
            jentry = self.emit(Op.JMP, 0)
            body = self.here()
            key = unparen(s.key) if define and s.key is not None else None
            var = self.new_var_of(key) if key is not None else None
            if var is not None and var not in self.cells:
                # `for v := range ch` with v in a register: receive straight
                # into v (v has the element type: nothing to convert).  On
                # close RANGE_RECV writes nothing, as before.
                dst = decl_regs[key]
            else:
                dst = d
                self.range_assign(s.key, d, xt.elem, define, decl_regs)
            self.end_statement()
            self.breakables.append(br)
            self.block(s.body.stmts)
            self.breakables.pop()
            cont = self.here()
            self.patch(jentry, cont)
            # A goroutine blocked here shows the `for` line, as in Go.
            self.set_line(s)
            self.emit(Op.RANGE_RECV, dst, x, body)
        end = self.here()
        for j in br.breaks:
            self.patch(j, end)
        for j in br.continues:
            self.patch(j, cont)

    def switch_stmt(self, s: ast.SwitchStmt) -> None:
        br = Breakable("switch", self.take_label())
        if s.init is not None:
            self.stmt(s.init)
            self.end_statement()
        tag: Optional[int] = None
        tag_t: Optional[T.Type] = None
        if s.tag is not None:
            tag_t = self.typeof(s.tag)
            tag = self.alloc_local()
            self.expr(s.tag, tag)
        body_jumps: list[list[int]] = []
        default_idx = -1
        for ci, cl in enumerate(s.clauses):
            jumps: list[int] = []
            if cl.exprs is None:
                default_idx = ci
            else:
                for ce in cl.exprs:
                    self.set_line(ce)
                    if tag is None:
                        jumps += self.branch(ce, True)
                    else:
                        assert tag_t is not None
                        ct = self.typeof(ce)
                        if T.is_interface(tag_t) and not T.is_interface(ct):
                            cv = self.value(ce, tag_t)
                        else:
                            cv = self.expr(ce)
                        jumps.append(self.emit(Op.JEQ, tag, cv, 0))
                    self.end_statement()
            body_jumps.append(jumps)
        jdefault = self.emit(Op.JMP, 0)
        ends = []
        self.breakables.append(br)
        for ci, cl in enumerate(s.clauses):
            for j in body_jumps[ci]:
                self.patch(j, self.here())
            if ci == default_idx:
                self.patch(jdefault, self.here())
            self.block(cl.body)
            last = cl.body[-1] if cl.body else None
            if not (isinstance(last, ast.BranchStmt) and last.tok == "fallthrough"):
                ends.append(self.emit(Op.JMP, 0))
        self.breakables.pop()
        end = self.here()
        if default_idx < 0:
            self.patch(jdefault, end)
        for j in ends + br.breaks:
            self.patch(j, end)

    def type_switch(self, s: ast.TypeSwitchStmt) -> None:
        br = Breakable("switch", self.take_label())
        if s.init is not None:
            self.stmt(s.init)
            self.end_statement()
        x = self.alloc_local()
        x_expr = unparen(s.x)
        inner = x_expr.x if isinstance(x_expr, ast.TypeAssert) else x_expr
        src_t = self.typeof(inner)
        self.expr(inner, x)
        body_jumps: list[list[int]] = []
        default_idx = -1
        for ci, cl in enumerate(s.clauses):
            jumps: list[int] = []
            if cl.exprs is None:
                default_idx = ci
            else:
                for te in cl.exprs:
                    tt = self.case_type(te)
                    d = self.alloc()
                    self.emit(Op.TYPE_IS, d, x, self.const_obj(tt) if tt is not None
                              else self.const(None))
                    jumps.append(self.emit(Op.JTRUE, d, 0))
                    self.end_statement()
            body_jumps.append(jumps)
        jdefault = self.emit(Op.JMP, 0)
        ends = []
        self.breakables.append(br)
        for ci, cl in enumerate(s.clauses):
            for j in body_jumps[ci]:
                self.patch(j, self.here())
            if ci == default_idx:
                self.patch(jdefault, self.here())
            v = self.info.implicit_objs.get(cl)
            if v is not None and s.bind is not None:
                r = self.declare(v)
                single = cl.exprs is not None and len(cl.exprs) == 1 and \
                    self.case_type(cl.exprs[0]) is not None
                if single and not T.is_interface(v.type):
                    t = self.alloc()
                    self.emit(Op.TYPE_ASSERT, t, x, self.const_obj((v.type, src_t)))
                    if is_value_aggregate(v.type):
                        # v is a copy: the interface keeps its own struct/array.
                        self.emit(Op.COPY, t, t)
                    self.store_var_new(v, r, t)
                else:
                    self.store_var_new(v, r, x)
                self.end_statement()
            self.block(cl.body)
            ends.append(self.emit(Op.JMP, 0))
        self.breakables.pop()
        end = self.here()
        if default_idx < 0:
            self.patch(jdefault, end)
        for j in ends + br.breaks:
            self.patch(j, end)

    def case_type(self, te: Any) -> Optional[T.Type]:
        te = unparen(te)
        if isinstance(te, ast.Ident) and te.name == "nil" and te not in self.info.type_exprs:
            return None
        t = self.info.type_exprs.get(te)
        if t is None:
            obj = self.info.uses.get(te) if isinstance(te, ast.Ident) else None
            if isinstance(obj, I.Nil):
                return None
            return self.typeof(te)
        return t

    def branch_stmt(self, s: ast.BranchStmt) -> None:
        if s.tok == "fallthrough":
            return
        label = s.label.name if s.label is not None else None
        for br in reversed(self.breakables):
            if label is not None and br.label != label:
                continue
            if s.tok == "continue" and br.kind != "loop":
                continue
            j = self.emit(Op.JMP, 0)
            (br.breaks if s.tok == "break" else br.continues).append(j)
            return
        raise CompileError(s, f"csp: {s.tok} outside loop")

    def select_stmt(self, s: ast.SelectStmt) -> None:
        """SELECT over a constant SelectTable (runtime/select.py); the
        chosen case index (-1: default), received value and ok land in
        three registers, then JTABLE jumps to the clause body."""
        from runtime.select import SelectTable
        br = Breakable("select", self.take_label())
        dirs: list[bool] = []
        chan_regs: list[int] = []
        val_regs: list[int] = []
        cases: list[tuple[int, ast.CommClause]] = []
        default: Optional[ast.CommClause] = None
        for cl in s.clauses:
            comm = cl.comm
            if comm is None:
                default = cl
                continue
            if isinstance(comm, ast.SendStmt):
                ct = T.underlying(self.typeof(comm.chan))
                assert isinstance(ct, T.Chan)
                cr = self.alloc_local()
                self.expr(comm.chan, cr)
                vr = self.alloc_local()
                self.value(comm.value, ct.elem, vr)
                dirs.append(True)
                chan_regs.append(cr)
                val_regs.append(vr)
            else:
                rx = comm.x if isinstance(comm, ast.ExprStmt) else (
                    comm.rhs[0] if isinstance(comm, ast.AssignStmt) else None)
                rx = unparen(rx)
                if not (isinstance(rx, ast.Unary) and rx.op == "<-"):
                    raise CompileError(comm, "csp: select case must be a send or receive")
                cr = self.select_operand(rx.x)
                dirs.append(False)
                chan_regs.append(cr)
                val_regs.append(-1)
            cases.append((len(dirs) - 1, cl))
        self.end_statement()
        d = self.alloc_local()
        self.alloc_local()
        self.alloc_local()
        table = SelectTable(dirs, chan_regs, val_regs)
        self.set_line(s)
        self.emit(Op.SELECT, d, self.const_obj(table), int(default is not None))
        # Jump table: entry i + 1 is case i's clause, entry 0 the default
        # (or the end).  Filled in as the clauses are emitted; a list, so
        # lang/compile_race.py can remap it in place.
        targets = [0] * (len(cases) + 1)
        self.emit(Op.JTABLE, d, self.const_obj(targets))
        ends = []
        self.breakables.append(br)
        for i, cl in cases:
            targets[i + 1] = self.here()
            comm = cl.comm
            if isinstance(comm, ast.AssignStmt):
                ct = T.underlying(self.typeof(unparen(comm.rhs[0]).x))
                assert isinstance(ct, T.Chan)
                define = comm.op == ":="
                self.bind_received(comm.lhs[0], d + 1, ct.elem, define)
                if len(comm.lhs) > 1:
                    self.bind_received(comm.lhs[1], d + 2, T.BOOL, define)
                self.end_statement()
            self.block(cl.body)
            ends.append(self.emit(Op.JMP, 0))
        targets[0] = self.here()
        if default is not None:
            self.block(default.body)
        self.breakables.pop()
        end = self.here()
        for j in ends + br.breaks:
            self.patch(j, end)

    def defer_or_go(self, call_e: Any, op: Op) -> None:
        if op is Op.DEFER:
            self.has_defer = True
        call = unparen(call_e)
        if not isinstance(call, ast.Call):
            raise CompileError(call_e, "csp: expression in defer/go must be a call")
        kind = self.info.call_kinds.get(call)
        if kind is I.CallKind.BUILTIN:
            fun = unparen(call.fun)
            name = getattr(fun, "name", "")
            native = self.builtin_native(name)
            if native is None:
                # Wrap other builtins in a native that performs them later.
                raise CompileError(call, f"csp: defer/go of builtin {name} is not supported")
            b = self.alloc(max(len(call.args), 1))
            for j, a in enumerate(call.args):
                self.value(a, T.ANY if name == "panic" else None, b + j)
            self.emit(op, self.const_obj(native), b, len(call.args))
            return
        fun = unparen(call.fun)
        sig = self.signature_of(fun)
        sel = self.info.selections.get(fun) if isinstance(fun, ast.Selector) else None
        if sel is not None and sel.kind is I.SelKind.METHOD:
            assert sel.method is not None and isinstance(fun, ast.Selector)
            recv = self.receiver(fun, sel)
            f = self.alloc()
            self.emit(Op.BIND, f, self.const_obj(self.method_impl(sel.method)), recv)
        elif sel is not None and sel.kind is I.SelKind.IFACE_METHOD:
            assert isinstance(fun, ast.Selector)
            x = self.expr(fun.x)
            f = self.alloc()
            self.emit(Op.BIND_IFACE, f, x, self.const(fun.sel.name))
        else:
            f = self.alloc()
            self.expr(fun, f)
        n = len(sig.params)
        b = self.alloc(max(n, 1))
        self.args(call, sig, b)
        self.emit(op, f, b, n)


# -- program driver -----------------------------------------------------------------

def method_name(named: T.Named, name: str, ptr: bool) -> str:
    if ptr:
        return f"{named.pkg}.(*{named.name}).{name}"
    return f"{named.pkg}.{named.name}.{name}"


def compile_file(file: ast.File, info: I.TypeInfo, *,
                 shared_globals: Optional[list[Any]] = None,
                 global_slot: Optional[Callable[[I.Var], int]] = None) -> Program:
    """Compile a checked file into a Program (raises CompileError for
    constructs csp does not support).

    The REPL (csp/session.py) compiles every entry into a new Program whose
    package variables live on in one list: ``shared_globals`` is that list
    and ``global_slot(var)`` gives (allocating if needed) a variable's index
    in it."""
    prog = ProgramState(info, file.filename)
    if shared_globals is not None:
        prog.globals = shared_globals
    # Globals.
    for d in file.decls:
        if isinstance(d, ast.GenDecl) and d.tok == "var":
            for spec in d.specs:
                if isinstance(spec, ast.ValueSpec):
                    for n in spec.names:
                        v = info.defs.get(n)
                        if isinstance(v, I.Var) and global_slot is not None:
                            prog.global_index[v] = global_slot(v)
                        elif isinstance(v, I.Var):
                            prog.global_index[v] = len(prog.globals)
                            prog.globals.append(copy_value(zero_value(v.type)))
    # Function objects first, so bodies can refer to any function.
    decls: list[tuple[ast.FuncDecl, Function, I.Func]] = []
    main_fn: Optional[Function] = None
    inits: list[Function] = []
    for d in file.decls:
        if isinstance(d, ast.FuncDecl):
            obj = info.defs.get(d.name)
            if d.recv is None and d.name.name == "init" and not isinstance(obj, I.Func):
                obj = I.Func("init", T.Signature((), ()), d)
            if not isinstance(obj, I.Func):
                continue
            if obj.recv_type is not None:
                name = method_name(obj.recv_type, d.name.name, obj.ptr_recv)
            else:
                name = f"main.{d.name.name}"
            fn = Function(name, file.filename, d.span.line)
            prog.funcs[obj] = fn
            if obj.recv_type is not None:
                m = obj.recv_type.methods.get(d.name.name)
                if m is not None:
                    m.impl = fn
            elif d.name.name == "main":
                main_fn = fn
            elif d.name.name == "init":
                fn.name = f"main.init.{len(inits)}"
                inits.append(fn)
            decls.append((d, fn, obj))
    for d, fn, obj in decls:
        if d.body is None:
            continue
        fc = FuncCompiler(prog, fn, None)
        fc.compile_body(d.type, d.body, obj.sig, d.recv, [])
        prog.functions.append(fn)
    # Entry: package variable initialisation, then main.main.
    entry = Function("runtime.main", file.filename, 1)
    ec = FuncCompiler(prog, entry, None)
    ec.base_name = "main.init"
    for spec in info.init_order:
        ec.set_line(spec)
        vars_ = [info.defs.get(n) for n in spec.names]
        if len(spec.values) == 1 and len(spec.names) > 1:
            base, types = ec.multi_values(spec.values[0], len(spec.names))
            for i, v in enumerate(vars_):
                if isinstance(v, I.Var):
                    val = ec.convert_for(base + i, types[i], v.type, True)
                    ec.emit(Op.STORE_GLOBAL, prog.global_index[v], val)
        else:
            for i, e in enumerate(spec.values):
                v = vars_[i]
                vt = v.type if isinstance(v, I.Var) else None
                val = ec.value(e, vt)
                if isinstance(v, I.Var):
                    ec.emit(Op.STORE_GLOBAL, prog.global_index[v], val)
        ec.end_statement()
    for init_fn in inits:
        b = ec.alloc()
        ec.emit(Op.CALL, ec.const_obj(init_fn), b, 0)
    if main_fn is not None:
        b = ec.alloc()
        ec.emit(Op.CALL, ec.const_obj(main_fn), b, 0)
    ec.emit(Op.RET, 0, 0)
    ec.sig = T.Signature((), ())
    ec.finish()
    return Program(prog.functions, prog.globals, entry, file.filename)
