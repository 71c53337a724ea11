# Compound control statements: range, switch, type switch, select, and
# the spec's terminating-statement analysis behind "missing return".
#
# Invariants:
# - Every case clause body gets its own scope; a type switch binding is
#   one Var per clause (info.implicit_objs[clause]).
# - ``fallthrough`` is only accepted as the last statement of a
#   non-final expression-switch clause.
from __future__ import annotations

from typing import Any

from lang import ast
from lang import info as I
from lang import types as T
from lang.check_base import Mode, Operand, describe, tstr
from lang.check_exprstr import expr_string
from lang.check_stmt import StmtMixin, Target, unparen
from lang.check_types import missing_method
from lang.types import comparable


class ControlMixin(StmtMixin):
    fallthrough_ok: ast.BranchStmt | None

    # -- range ---------------------------------------------------------------

    def range_stmt(self, s: ast.RangeStmt, label: str | None) -> None:
        old = self.open_scope()
        x = self.expr(s.x)
        key_t: T.Type | None = None
        val_t: T.Type | None = None
        one_var = False
        if not x.invalid:
            u = T.underlying(x.type)
            if isinstance(u, T.Pointer) and isinstance(T.underlying(u.elem), T.Array):
                u = T.underlying(u.elem)
            if isinstance(u, T.Basic) and T.is_string(u):
                self.default_untyped(x)
                key_t, val_t = T.INT, T.RUNE
            elif isinstance(u, T.Basic) and T.is_integer(u):
                if T.is_untyped(u):
                    target: T.Type = T.INT
                    if s.key is not None and s.tok == "=":
                        k = (
                            self.lhs_expr(s.key)
                            if not (isinstance(s.key, ast.Ident) and s.key.name == "_")
                            else None
                        )
                        if k is not None and not k.invalid:
                            target = k.type
                    self.convert_untyped(x, target)
                key_t = x.type
                one_var = True
            elif isinstance(u, T.Array):
                key_t, val_t = T.INT, u.elem
            elif isinstance(u, T.Slice):
                key_t, val_t = T.INT, u.elem
            elif isinstance(u, T.Map):
                key_t, val_t = u.key, u.value
            elif isinstance(u, T.Chan):
                key_t = u.elem
                one_var = True
                if u.dir is T.ChanDir.SEND:
                    self.error(
                        s.x, f"cannot range over {describe(x)} (receive from send-only channel)"
                    )
                    key_t = None
            else:
                self.error(s.x, f"cannot range over {describe(x)}")
            if one_var and s.value is not None and key_t is not None:
                self.error(s.value, f"range over {describe(x)} permits only one iteration variable")
        for lhs, t in ((s.key, key_t), (s.value, val_t)):
            if lhs is None:
                continue
            if s.tok == ":=":
                if not isinstance(lhs, ast.Ident):
                    self.error(lhs, f"non-name {expr_string(lhs)} on left side of :=")
                    continue
                if lhs.name == "_":
                    self.info.defs[lhs] = I.Var(
                        "_", t or T.INVALID, I.VarKind.LOCAL, lhs, used=True
                    )
                    continue
                v = self.new_local(lhs, t if t is not None else T.INVALID)
                if t is None:
                    v.used = True
            elif s.tok == "=" and t is not None:
                self.assign_var(lhs, Operand(Mode.VALUE, lhs, t), "range clause")
            elif s.tok == "=":
                self.lhs_expr(lhs)
        self.loop_body(s.body, "for", label)
        self.scope = old

    # -- switch ---------------------------------------------------------------

    def switch_stmt(self, s: ast.SwitchStmt, label: str | None) -> None:
        old = self.open_scope()
        if s.init is not None:
            self.stmt(s.init)
        tag: Operand | None = None
        if s.tag is not None:
            tag = self.expr(s.tag)
            if not tag.invalid:
                self.default_untyped(tag)
                if not comparable(tag.type) and not (
                    isinstance(tag.type, T.Basic) and tag.type.kind is T.Kind.UNTYPED_NIL
                ):
                    self.error(s.tag, f"cannot switch on {describe(tag)}")
                    tag = None
            else:
                tag = None
        self.body_ctx.targets.append(Target("switch", label))
        default: ast.CaseClause | None = None
        seen_consts: dict[Any, Any] = {}
        for i, cl in enumerate(s.clauses):
            if cl.exprs is None:
                if default is not None:
                    self.error(cl, "multiple defaults in switch")
                default = cl
            else:
                for e in cl.exprs:
                    self.case_expr(e, s.tag, tag, seen_consts)
            old2 = self.open_scope()
            last = cl.body[-1] if cl.body else None
            saved = self.fallthrough_ok
            if isinstance(last, ast.BranchStmt) and last.tok == "fallthrough":
                if i == len(s.clauses) - 1:
                    self.error(last, "cannot fallthrough final case in switch")
                self.fallthrough_ok = last
            else:
                self.fallthrough_ok = None
            self.stmt_list(cl.body)
            self.fallthrough_ok = saved
            self.scope = old2
        self.body_ctx.targets.pop()
        self.scope = old

    def case_expr(self, e: Any, tag_expr: Any, tag: Operand | None, seen: dict[Any, Any]) -> None:
        y = self.expr(e)
        if y.invalid:
            return
        if tag_expr is None:
            if not T.is_boolean(y.type):
                self.error(
                    e,
                    f"invalid case {expr_string(e)} in switch (mismatched types "
                    f"{tstr(y.type)} and bool)",
                )
                return
            self.default_untyped(y)
            return
        if tag is None:
            return
        t = Operand(tag.mode, tag.expr, tag.type, tag.val)
        if T.is_untyped(y.type) and not T.is_untyped(t.type):
            self.convert_untyped(y, t.type)
        self.match_types(y, t)
        if y.invalid:
            return
        ok = y.type == t.type or self.assignable(y, t.type)[0] or self.assignable(t, y.type)[0]
        if not ok:
            self.error(
                e,
                f"invalid case {expr_string(e)} in switch on {expr_string(tag_expr)} "
                f"(mismatched types {tstr(y.type)} and {tstr(t.type)})",
            )
            return
        self.default_untyped(y)
        if y.mode is Mode.CONSTANT and y.val is not None:
            key = (type(y.val), y.val, str(y.type))
            if key in seen:
                prev = seen[key]
                self.error(
                    e,
                    f"duplicate case {describe(y)} in expression switch\n\t"
                    f"{self.filename}:{prev.span}: previous case",
                )
            seen[key] = e

    def type_switch_stmt(self, s: ast.TypeSwitchStmt, label: str | None) -> None:
        old = self.open_scope()
        if s.init is not None:
            self.stmt(s.init)
        x = self.expr(s.x)
        xi: T.Interface | None = None
        if not x.invalid:
            u = T.underlying(x.type)
            if isinstance(u, T.Interface):
                xi = u
            else:
                self.error(s.x, f"{describe(x)} is not an interface")
        self.body_ctx.targets.append(Target("switch", label))
        bind_vars: list[I.Var] = []
        default: ast.CaseClause | None = None
        for cl in s.clauses:
            case_types: list[T.Type | None] = []
            if cl.exprs is None:
                if default is not None:
                    self.error(cl, "multiple defaults in switch")
                default = cl
            else:
                for e in cl.exprs:
                    ue = unparen(e)
                    if (
                        isinstance(ue, ast.Ident)
                        and ue.name == "nil"
                        and isinstance(self.scope.lookup("nil"), I.Nil)
                    ):
                        self.info.uses[ue] = I.Nil()
                        self.info.types[e] = T.UNTYPED_NIL
                        case_types.append(None)
                        continue
                    t = self.typexpr(e)
                    if t is T.INVALID:
                        case_types.append(T.INVALID)
                        continue
                    if xi is not None and not isinstance(T.underlying(t), T.Interface):
                        why = missing_method(t, xi)
                        if why is not None:
                            self.error(
                                e,
                                f"impossible type switch case: {expr_string(e)}\n\t"
                                f"{describe(x)} cannot have dynamic type {tstr(t)} {why}",
                            )
                    case_types.append(t)
            old2 = self.open_scope()
            if s.bind is not None:
                vt: T.Type = x.type if not x.invalid else T.INVALID
                if len(case_types) == 1 and case_types[0] is not None:
                    vt = case_types[0]
                v = I.Var(s.bind.name, vt, I.VarKind.LOCAL, s.bind)
                self.info.implicit_objs[cl] = v
                self.declare_var(v, None)
                if s.bind.name != "_":
                    self.scope.names[s.bind.name] = v
                bind_vars.append(v)
            self.stmt_list(cl.body)
            self.scope = old2
        if s.bind is not None:
            if s.bind.name != "_" and not any(v.used for v in bind_vars):
                self.error(s.bind, f"{s.bind.name} declared but not used")
            for v in bind_vars:
                v.used = True
        self.body_ctx.targets.pop()
        self.scope = old

    # -- select ----------------------------------------------------------------

    def select_stmt(self, s: ast.SelectStmt, label: str | None) -> None:
        self.body_ctx.targets.append(Target("select", label))
        default = False
        for cl in s.clauses:
            old = self.open_scope()
            comm = cl.comm
            if comm is None:
                if default:
                    self.error(cl, "multiple defaults in select")
                default = True
            elif isinstance(comm, ast.SendStmt):
                self.send_stmt(comm)
            elif isinstance(comm, ast.ExprStmt) and _is_recv(comm.x):
                self.expr_stmt(comm)
            elif (
                isinstance(comm, ast.AssignStmt)
                and len(comm.rhs) == 1
                and _is_recv(comm.rhs[0])
                and comm.op in ("=", ":=")
            ):
                self.assign_stmt(comm)
            else:
                self.error(comm, "select case must be receive, send or assign recv")
            self.stmt_list(cl.body)
            self.scope = old
        self.body_ctx.targets.pop()

    # -- terminating statements --------------------------------------------------

    def is_terminating_list(self, stmts: tuple[Any, ...]) -> bool:
        i = len(stmts) - 1
        while i >= 0 and isinstance(stmts[i], ast.EmptyStmt):
            i -= 1
        return i >= 0 and self.is_terminating(stmts[i], None)

    def is_terminating(self, s: Any, label: str | None) -> bool:
        if isinstance(s, ast.ReturnStmt):
            return True
        if isinstance(s, ast.BranchStmt):
            return s.tok == "goto"
        if isinstance(s, ast.ExprStmt):
            e = unparen(s.x)
            return (
                isinstance(e, ast.Call)
                and isinstance(unparen(e.fun), ast.Ident)
                and self.info.call_kinds.get(e) is I.CallKind.BUILTIN
                and unparen(e.fun).name == "panic"
            )
        if isinstance(s, ast.Block):
            return self.is_terminating_list(s.stmts)
        if isinstance(s, ast.IfStmt):
            return (
                s.else_ is not None
                and self.is_terminating_list(s.body.stmts)
                and self.is_terminating(s.else_, None)
            )
        if isinstance(s, ast.LabeledStmt):
            return self.is_terminating(s.stmt, s.label.name)
        if isinstance(s, ast.ForStmt):
            return s.cond is None and not has_break(s.body.stmts, label, False)
        if isinstance(s, (ast.SwitchStmt, ast.TypeSwitchStmt)):
            has_default = False
            for cl in s.clauses:
                if cl.exprs is None:
                    has_default = True
                if has_break(cl.body, label, False):
                    return False
                body = cl.body
                j = len(body) - 1
                while j >= 0 and isinstance(body[j], ast.EmptyStmt):
                    j -= 1
                if j < 0:
                    return False
                last = body[j]
                if isinstance(last, ast.BranchStmt) and last.tok == "fallthrough":
                    continue
                if not self.is_terminating(last, None):
                    return False
            return has_default
        if isinstance(s, ast.SelectStmt):
            for cc in s.clauses:
                if has_break(cc.body, label, False) or not self.is_terminating_list(cc.body):
                    return False
            return True
        return False


def _is_recv(e: Any) -> bool:
    e = unparen(e)
    return isinstance(e, ast.Unary) and e.op == "<-"


def has_break(stmts: tuple[Any, ...], label: str | None, nested: bool) -> bool:
    """Whether stmts contain a break that leaves the statement owning them
    (unlabeled and not inside a nested breakable statement, or labeled)."""
    for s in stmts:
        if _stmt_has_break(s, label, nested):
            return True
    return False


def _stmt_has_break(s: Any, label: str | None, nested: bool) -> bool:
    if isinstance(s, ast.BranchStmt):
        if s.tok != "break":
            return False
        if s.label is None:
            return not nested
        return s.label.name == label
    if isinstance(s, ast.Block):
        return has_break(s.stmts, label, nested)
    if isinstance(s, ast.IfStmt):
        return has_break(s.body.stmts, label, nested) or (
            s.else_ is not None and _stmt_has_break(s.else_, label, nested)
        )
    if isinstance(s, ast.LabeledStmt):
        return _stmt_has_break(s.stmt, label, nested)
    if isinstance(s, (ast.ForStmt, ast.RangeStmt)):
        return has_break(s.body.stmts, label, True)
    if isinstance(s, (ast.SwitchStmt, ast.TypeSwitchStmt)):
        return any(has_break(cl.body, label, True) for cl in s.clauses)
    if isinstance(s, ast.SelectStmt):
        return any(has_break(cl.body, label, True) for cl in s.clauses)
    return False
