# Statements and function bodies: scopes and shadowing, assignments and
# short variable declarations, control flow (if/for/range/switch/type
# switch/select), branch targets, returns, go/defer, and Go's
# "declared but not used" and "missing return" rules.
#
# Invariants:
# - Each block gets a fresh Scope; the function's parameters share the
#   scope of the body's top level, as in Go.
# - A variable counts as used only when its value is read; assigning to
#   it does not use it (go/types' rule).
# - ``missing return`` is reported at the closing brace of a body whose
#   last statement is not terminating per the Go spec.
from __future__ import annotations

from typing import Any

from lang import ast
from lang import info as I
from lang import types as T
from lang.check_base import CheckerBase, FuncCtx, Mode, Operand, Scope, describe, tstr
from lang.check_exprstr import expr_string
from lang.records import field, record


def unparen(e: Any) -> Any:
    while isinstance(e, ast.ParenExpr):
        e = e.x
    return e


@record
class Target:
    """An enclosing statement a break/continue may refer to."""

    kind: str  # 'for' | 'switch' | 'select'
    label: str | None


@record
class BodyCtx:
    targets: list[Target] = field(default_factory=list)
    labels: dict[str, ast.Ident] = field(default_factory=dict)
    used_labels: set[str] = field(default_factory=set)


class StmtMixin(CheckerBase):
    body_ctx: BodyCtx

    # -- function bodies --------------------------------------------------

    def func_body(
        self,
        node: Any,
        sig: T.Signature,
        ftype: ast.FuncType,
        recv: ast.Field | None,
        body: ast.Block,
    ) -> None:
        saved = (self.scope, self.fctx, self.body_ctx, self.iota)
        self.fctx = FuncCtx(node, sig, self.fctx)
        self.info.func_vars.setdefault(node, [])
        self.scope = Scope(self.scope, node)
        self.body_ctx = BodyCtx()
        self.iota = None
        fctx = self.fctx
        pi = 0
        if recv is not None:
            rt = self.info.type_exprs.get(recv.type, T.INVALID)
            self.declare_param(recv, rt, I.VarKind.PARAM)
        for f in ftype.params:
            for _ in range(max(1, len(f.names))):
                t = sig.params[pi] if pi < len(sig.params) else T.INVALID
                pi += 1
            self.declare_param(f, t, I.VarKind.PARAM)
        ri = 0
        for f in ftype.results:
            for _ in range(max(1, len(f.names))):
                t = sig.results[ri] if ri < len(sig.results) else T.INVALID
                ri += 1
            vs = self.declare_param(f, t, I.VarKind.RESULT)
            fctx.result_vars.extend(vs)
            if f.names:
                fctx.named_results = True
        self.stmt_list(body.stmts)
        if sig.results and not self.is_terminating_list(body.stmts):
            self.error(body.rbrace, "missing return")
        for label, ident in self.body_ctx.labels.items():
            if label not in self.body_ctx.used_labels:
                self.error(ident, f"label {label} defined and not used")
        self.report_unused(node)
        self.scope, self.fctx, self.body_ctx, self.iota = saved

    def declare_param(self, f: ast.Field, t: T.Type, kind: I.VarKind) -> list[I.Var]:
        out = []
        if not f.names:
            v = I.Var("", t, kind, None, used=True)
            self.info.implicit_objs[f] = v
            self.declare_var(v, None)
            return [v]
        for n in f.names:
            v = I.Var(n.name, t, kind, n, used=True)
            self.declare_local(v, n)
            out.append(v)
        return out

    def report_unused(self, node: Any) -> None:
        for v in self.info.func_vars.get(node, []):
            if v.kind is I.VarKind.LOCAL and not v.used and v.decl is not None and v.name != "_":
                self.error(v.decl, f"{v.name} declared but not used")

    def redeclared_check(self, n: ast.Ident) -> bool:
        """Report n redeclared in the current block; True if it was."""
        if n.name != "_" and n.name in self.scope.names:
            prev = self.scope.names[n.name]
            where = ""
            decl = getattr(prev, "decl", None)
            if isinstance(decl, ast.Ident):
                where = f"\n\t{self.filename}:{decl.span}: other declaration of {n.name}"
            self.error(n, f"{n.name} redeclared in this block{where}")
            return True
        return False

    def new_local(self, n: ast.Ident, t: T.Type) -> I.Var:
        v = I.Var(n.name, t, I.VarKind.LOCAL, n)
        self.declare_local(v, n)
        return v

    def declare_local(self, v: I.Var, n: ast.Ident) -> None:
        """Declare a local; a redeclaration is reported and the old
        object stays visible (so its uses still count)."""
        if self.redeclared_check(n):
            v.used = True
            self.info.defs[n] = v
            if self.fctx is not None:
                self.var_owner[id(v)] = self.fctx.node
                self.info.func_vars.setdefault(self.fctx.node, []).append(v)
            return
        self.declare_var(v, n)

    # -- statement lists ----------------------------------------------------

    def stmt_list(self, stmts: tuple[Any, ...]) -> None:
        for s in stmts:
            self.stmt(s)

    def open_scope(self) -> Scope:
        old = self.scope
        self.scope = Scope(old)
        return old

    def stmt(self, s: Any, label: str | None = None) -> None:
        if isinstance(s, ast.ExprStmt):
            self.expr_stmt(s)
        elif isinstance(s, ast.AssignStmt):
            self.assign_stmt(s)
        elif isinstance(s, ast.IfStmt):
            old = self.open_scope()
            if s.init is not None:
                self.stmt(s.init)
            self.condition(s.cond, "if statement")
            self.block(s.body)
            if s.else_ is not None:
                if isinstance(s.else_, ast.Block):
                    self.block(s.else_)
                else:
                    self.stmt(s.else_)
            self.scope = old
        elif isinstance(s, ast.ForStmt):
            old = self.open_scope()
            if s.init is not None:
                self.stmt(s.init)
            if s.cond is not None:
                self.condition(s.cond, "for statement")
            if s.post is not None:
                self.stmt(s.post)
            self.loop_body(s.body, "for", label)
            self.scope = old
        elif isinstance(s, ast.RangeStmt):
            self.range_stmt(s, label)
        elif isinstance(s, ast.Block):
            self.block(s)
        elif isinstance(s, ast.ReturnStmt):
            self.return_stmt(s)
        elif isinstance(s, ast.IncDecStmt):
            x = self.expr(s.x)
            if not x.invalid:
                if not T.is_numeric(x.type):
                    self.error(
                        s.x,
                        f"invalid operation: {expr_string(s.x)}{s.op} "
                        f"(non-numeric type {tstr(x.type)})",
                    )
                else:
                    self.check_assignable_lhs(x)
        elif isinstance(s, ast.SendStmt):
            self.send_stmt(s)
        elif isinstance(s, ast.DeclStmt):
            self.local_decl(s.decl)
        elif isinstance(s, ast.SwitchStmt):
            self.switch_stmt(s, label)
        elif isinstance(s, ast.TypeSwitchStmt):
            self.type_switch_stmt(s, label)
        elif isinstance(s, ast.SelectStmt):
            self.select_stmt(s, label)
        elif isinstance(s, ast.BranchStmt):
            self.branch_stmt(s)
        elif isinstance(s, (ast.GoStmt, ast.DeferStmt)):
            self.go_defer(s)
        elif isinstance(s, ast.LabeledStmt):
            name = s.label.name
            if name != "_":
                if name in self.body_ctx.labels:
                    self.error(s.label, f"label {name} already defined")
                self.body_ctx.labels[name] = s.label
            self.stmt(s.stmt, name)
        # EmptyStmt, BadStmt: nothing to check.

    def block(self, b: ast.Block) -> None:
        old = self.open_scope()
        self.stmt_list(b.stmts)
        self.scope = old

    def loop_body(self, b: ast.Block, kind: str, label: str | None) -> None:
        self.body_ctx.targets.append(Target(kind, label))
        self.block(b)
        self.body_ctx.targets.pop()

    def condition(self, e: Any, what: str) -> None:
        x = self.expr(e)
        if x.invalid:
            return
        if not T.is_boolean(x.type):
            self.error(e, f"non-boolean condition in {what}")
            return
        self.default_untyped(x)

    # -- simple statements --------------------------------------------------

    def expr_stmt(self, s: ast.ExprStmt) -> None:
        e = unparen(s.x)
        x = self.raw_expr(s.x, allow_multi=True)
        if x.invalid:
            return
        if isinstance(e, ast.Call):
            kind = self.info.call_kinds.get(e)
            if kind is I.CallKind.CALL:
                return
            if kind is I.CallKind.BUILTIN and x.mode is Mode.NOVALUE:
                return
            if (
                kind is I.CallKind.BUILTIN
                and isinstance(e.fun, ast.Ident)
                and e.fun.name in ("copy", "recover")
            ):
                return
        elif isinstance(e, ast.Unary) and e.op == "<-":
            return
        self.error(s.x, f"{describe(x)} is not used")

    def send_stmt(self, s: ast.SendStmt) -> None:
        ch = self.expr(s.chan)
        v = self.expr(s.value)
        if ch.invalid or v.invalid:
            return
        u = T.underlying(ch.type)
        if not isinstance(u, T.Chan):
            self.error(s, f"invalid operation: cannot send to non-channel {describe(ch)}")
            return
        if u.dir is T.ChanDir.RECV:
            self.error(s, f"invalid operation: cannot send to receive-only channel {describe(ch)}")
            return
        self.assignment(v, u.elem, "send")

    def go_defer(self, s: Any) -> None:
        what = "go" if isinstance(s, ast.GoStmt) else "defer"
        e = unparen(s.call)
        if not isinstance(e, ast.Call):
            self.use_exprs((s.call,))
            self.error(s.call, f"expression in {what} must be function call")
            return
        x = self.raw_expr(e, allow_multi=True)
        if x.invalid:
            return
        kind = self.info.call_kinds.get(e)
        if kind is I.CallKind.CONVERSION:
            self.error(s.call, f"{what} requires function call, not conversion {describe(x)}")
        elif (
            kind is I.CallKind.BUILTIN
            and x.mode is not Mode.NOVALUE
            and not (isinstance(e.fun, ast.Ident) and e.fun.name in ("copy", "recover"))
        ):
            self.error(s.call, f"{what} discards result of {expr_string(e)}")

    def check_assignable_lhs(self, x: Operand) -> bool:
        if x.mode in (Mode.VARIABLE, Mode.MAPINDEX):
            return True
        e = unparen(x.expr)
        if isinstance(e, ast.Selector) and e in self.info.selections:
            base = unparen(e.x)
            if isinstance(base, ast.Index) and isinstance(
                T.underlying(self.info.types.get(base.x, T.INVALID)), T.Map
            ):
                self.error(x.expr, f"cannot assign to struct field {expr_string(e)} in map")
                return False
        self.error(x.expr, f"cannot assign to {describe(x)}")
        return False

    def lhs_expr(self, e: Any) -> Operand:
        """Check an assignment target without counting it as a use."""
        ue = unparen(e)
        if isinstance(ue, ast.Ident) and ue.name != "_":
            obj = self.scope.lookup(ue.name)
            if isinstance(obj, I.Var):
                was = obj.used
                x = self.expr(e)
                obj.used = was
                return x
        return self.expr(e)

    def assign_var(self, lhs: Any, x: Operand, context: str = "assignment") -> None:
        """lhs = x for one pair."""
        if isinstance(lhs, ast.Ident) and lhs.name == "_":
            blank = I.Var("_", T.INVALID, I.VarKind.LOCAL, lhs, used=True)
            self.info.defs[lhs] = blank
            if x.invalid:
                return
            if isinstance(x.type, T.Basic) and x.type.kind is T.Kind.UNTYPED_NIL:
                self.error(x.expr, f"use of untyped nil in {context}")
                return
            self.default_untyped(x)
            blank.type = x.type
            return
        y = self.lhs_expr(lhs)
        if y.invalid:
            return
        if not self.check_assignable_lhs(y):
            return
        self.assignment(x, y.type, context)

    def rhs_operands(
        self, lhs_n: int, rhs: tuple[Any, ...], hints: list[T.Type | None]
    ) -> list[Operand] | None:
        """Evaluate the right-hand side for lhs_n targets; expands a
        multi-value call and the comma-ok forms.  None after an error."""
        if len(rhs) == 1 and lhs_n == 2:
            x = self.raw_expr(rhs[0], hints[0] if hints else None, allow_multi=True)
            if x.invalid:
                return None
            if x.mode in (Mode.COMMAOK, Mode.MAPINDEX):
                self.info.types[rhs[0]] = T.Tuple((x.type, T.BOOL))
                return [Operand(Mode.VALUE, rhs[0], x.type), Operand(Mode.VALUE, rhs[0], T.BOOL)]
            if isinstance(x.type, T.Tuple) and len(x.type.types) == 2:
                return [Operand(Mode.VALUE, rhs[0], t) for t in x.type.types]
            self.mismatch(lhs_n, rhs, x)
            return None
        if len(rhs) == 1 and lhs_n != 1:
            x = self.raw_expr(rhs[0], allow_multi=True)
            if x.invalid:
                return None
            if isinstance(x.type, T.Tuple) and len(x.type.types) == lhs_n:
                return [Operand(Mode.VALUE, rhs[0], t) for t in x.type.types]
            self.mismatch(lhs_n, rhs, x)
            return None
        if len(rhs) != lhs_n:
            for e in rhs:
                self.raw_expr(e, allow_multi=True)
            self.error(
                rhs[0],
                f"assignment mismatch: {lhs_n} variable{'s' if lhs_n != 1 else ''} "
                f"but {len(rhs)} value{'s' if len(rhs) != 1 else ''}",
            )
            return None
        out = []
        for i, e in enumerate(rhs):
            if lhs_n == 1 and len(rhs) == 1:
                x = self.raw_expr(e, hints[i] if i < len(hints) else None, allow_multi=True)
                if isinstance(x.type, T.Tuple) and not x.invalid:
                    self.mismatch(1, rhs, x)
                    return None
                if x.mode is Mode.NOVALUE:
                    self.error(e, f"{expr_string(e)} (no value) used as value")
                    return None
                if x.mode is Mode.BUILTIN:
                    self.error(e, f"{x.builtin} (built-in function {x.builtin}) must be called")
                    return None
            else:
                x = self.expr(e, hints[i] if i < len(hints) else None)
            out.append(x)
        return out

    def mismatch(self, lhs_n: int, rhs: tuple[Any, ...], x: Operand) -> None:
        vs = f"{lhs_n} variable{'s' if lhs_n != 1 else ''}"
        e = unparen(rhs[0])
        if x.mode is Mode.NOVALUE:
            self.error(rhs[0], f"{expr_string(rhs[0])} (no value) used as value")
            return None
        if isinstance(e, ast.Call) and self.info.call_kinds.get(e) is I.CallKind.CALL:
            n = len(x.type.types) if isinstance(x.type, T.Tuple) else 1
            self.error(
                rhs[0],
                f"assignment mismatch: {vs} but {expr_string(e.fun)} returns "
                f"{n} value{'s' if n != 1 else ''}",
            )
        else:
            self.error(rhs[0], f"assignment mismatch: {vs} but 1 value")
        return None

    def assign_stmt(self, s: ast.AssignStmt) -> None:
        op = s.op
        if op == ":=":
            self.short_var_decl(s)
            return
        if op != "=":
            # x op= y: x is read too, so it counts as a use.
            if len(s.lhs) != 1 or len(s.rhs) != 1:
                self.error(s, f"assignment operation {op} requires single-valued expressions")
                return
            x = self.expr(s.lhs[0])
            bop = op[:-1]
            fake = ast.Binary(s.span, bop, s.lhs[0], s.rhs[0], s.op_span)
            r = self.binary_of(fake, x)
            if x.invalid or r.invalid:
                return
            if not self.check_assignable_lhs(x):
                return
            r.expr = s.rhs[0] if T.is_untyped(r.type) else r.expr
            self.assignment(r, x.type, "assignment")
            return
        hints: list[T.Type | None] = []
        rhs = self.rhs_operands(len(s.lhs), s.rhs, hints)
        if rhs is None:
            for lh in s.lhs:
                if not (isinstance(lh, ast.Ident) and lh.name == "_"):
                    self.lhs_expr(lh)
            return
        for lh, x in zip(s.lhs, rhs, strict=False):
            self.assign_var(lh, x)

    def short_var_decl(self, s: ast.AssignStmt) -> None:
        new_idents: list[ast.Ident | None] = []
        ok = True
        seen: set[str] = set()
        any_new = False
        for lh in s.lhs:
            if not isinstance(lh, ast.Ident):
                self.error(lh, f"non-name {expr_string(lh)} on left side of :=")
                ok = False
                new_idents.append(None)
                continue
            if lh.name != "_" and lh.name in seen:
                self.error(lh, f"{lh.name} repeated on left side of :=")
                ok = False
            seen.add(lh.name)
            if lh.name == "_" or lh.name not in self.scope.names:
                new_idents.append(lh)
                if lh.name != "_":
                    any_new = True
            else:
                new_idents.append(None)
        if not any_new and ok:
            self.error(s.op_span, "no new variables on left side of :=")
        rhs = self.rhs_operands(len(s.lhs), s.rhs, [])
        pending: list[tuple[ast.Ident, T.Type]] = []
        for i, lh in enumerate(s.lhs):
            x = rhs[i] if rhs is not None else None
            nid = new_idents[i]
            if nid is not None:
                t: T.Type = T.INVALID
                if x is not None and not x.invalid:
                    if isinstance(x.type, T.Basic) and x.type.kind is T.Kind.UNTYPED_NIL:
                        self.error(x.expr, "use of untyped nil in assignment")
                    elif x.mode is Mode.CONSTANT and T.is_untyped(x.type):
                        if self.assignment(x, T.default_type(x.type), "assignment"):
                            t = x.type
                    else:
                        self.default_untyped(x)
                        t = x.type
                pending.append((nid, t))
            elif isinstance(lh, ast.Ident):
                if x is None:
                    self.lhs_expr(lh)
                else:
                    self.assign_var(lh, x)
        for nid, t in pending:
            if nid.name == "_":
                self.info.defs[nid] = I.Var("_", t, I.VarKind.LOCAL, nid, used=True)
                continue
            v = I.Var(nid.name, t, I.VarKind.LOCAL, nid)
            if t is T.INVALID:
                v.used = True  # do not pile "declared but not used" on an error
            self.declare_var(v, nid)

    def return_stmt(self, s: ast.ReturnStmt) -> None:
        assert self.fctx is not None
        want = self.fctx.sig.results
        if not s.results:
            if want and not self.fctx.named_results:
                self.error(s, f"not enough return values\n\thave ()\n\twant {self.tuple_str(want)}")
            return
        if not want:
            xs = [self.raw_expr(e, allow_multi=True) for e in s.results]
            if any(x.invalid for x in xs):
                return
            self.error(
                s.results[0],
                "too many return values\n\thave "
                f"({', '.join(self.summary(x) for x in xs)})\n\twant ()",
            )
            return
        if len(s.results) == 1 and len(want) > 1:
            x = self.raw_expr(s.results[0], allow_multi=True)
            if x.invalid:
                return
            if isinstance(x.type, T.Tuple) and len(x.type.types) == len(want):
                for t, w in zip(x.type.types, want, strict=False):
                    self.assignment(Operand(Mode.VALUE, s.results[0], t), w, "return statement")
                return
            self.error(
                s.results[0],
                f"not enough return values\n\thave ({self.summary(x)})\n\t"
                f"want {self.tuple_str(want)}",
            )
            return
        xs = [self.expr(e, want[i] if i < len(want) else None) for i, e in enumerate(s.results)]
        if any(x.invalid for x in xs):
            return
        if len(xs) != len(want):
            q = "not enough" if len(xs) < len(want) else "too many"
            at = s.results[len(want)] if len(xs) > len(want) else s.results[0]
            self.error(
                at,
                f"{q} return values\n\thave ({', '.join(self.summary(x) for x in xs)})"
                f"\n\twant {self.tuple_str(want)}",
            )
            return
        for x, w in zip(xs, want, strict=False):
            self.assignment(x, w, "return statement")

    @staticmethod
    def summary(x: Operand) -> str:
        from lang.check_call import summary_type

        if isinstance(x.type, T.Tuple):
            return ", ".join(summary_type(t) for t in x.type.types)
        return summary_type(x.type)

    @staticmethod
    def tuple_str(ts: tuple[T.Type, ...]) -> str:
        return "(" + ", ".join(tstr(t) for t in ts) + ")"

    def branch_stmt(self, s: ast.BranchStmt) -> None:
        ctx = self.body_ctx
        if s.tok == "goto":
            self.error(s, "goto is not supported")
            return
        if s.tok == "fallthrough":
            if getattr(self, "fallthrough_ok", None) is not s:
                self.error(s, "fallthrough statement out of place")
            return
        if s.label is not None:
            name = s.label.name
            ctx.used_labels.add(name)
            for t in reversed(ctx.targets):
                if t.label == name:
                    if s.tok == "continue" and t.kind != "for":
                        self.error(s.label, f"invalid continue label {name}")
                    return
            if name in ctx.labels:
                self.error(s.label, f"invalid {s.tok} label {name}")
            else:
                self.error(s.label, f"{s.tok} label not defined: {name}")
            return
        if s.tok == "break":
            if not ctx.targets:
                self.error(s, "break is not in a loop, switch, or select")
            return
        if not any(t.kind == "for" for t in ctx.targets):
            self.error(s, "continue is not in a loop")
