# Declarations: imports, package-level objects with forward references
# (resolved lazily, on first use or in source order), methods attached to
# named types, local var/const/type declarations, and the package
# variable initialization order.
#
# Invariants:
# - Every package-level name is entered in the package scope before any
#   expression is checked; its type/value is computed by a pending thunk
#   run at most once (``resolve_global``), always in package scope.
# - Methods are attached to their Named type (``Named.methods``) before any
#   function body is checked, so method lookup never sees a partial set.
# - ``deps`` records, per package var spec and per function, the package
#   vars and functions it refers to; init_order is derived from it.
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lang import ast
from lang import info as I
from lang import types as T
from lang.check_base import CheckerBase, Mode, describe, tstr


class DeclMixin(CheckerBase):
    pending: dict[int, Callable[[], None]]
    resolving: set[int]
    cur_deps: set[Any] | None
    deps: dict[Any, set[Any]]
    obj_spec: dict[int, Any]

    # -- lazy resolution --------------------------------------------------------

    def resolve_global(self, obj: I.Object) -> None:
        k = id(obj)
        thunk = self.pending.pop(k, None)
        if thunk is None:
            if k in self.resolving and isinstance(obj, (I.Var, I.Const)) and obj.decl is not None:
                self.error(obj.decl, f"initialization cycle or refers to itself: {obj.name}")
                obj.type = T.INVALID
            return
        self.resolving.add(k)
        saved = (self.scope, self.fctx, self.iota, self.cur_deps)
        self.scope, self.fctx, self.iota = self.pkg_scope, None, None
        self.cur_deps = (
            self.deps.setdefault(self.obj_spec.get(k, obj), set())
            if isinstance(obj, I.Var)
            else None
        )
        try:
            thunk()
        finally:
            self.scope, self.fctx, self.iota, self.cur_deps = saved
            self.resolving.discard(k)

    def note_dep(self, obj: I.Object) -> None:
        if self.cur_deps is None:
            return
        if isinstance(obj, I.Var) and obj.kind is I.VarKind.GLOBAL and id(obj) in self.obj_spec:
            self.cur_deps.add(self.obj_spec[id(obj)])
        elif isinstance(obj, I.Func) and obj.decl is not None:
            self.cur_deps.add(obj.decl)

    # -- package level -------------------------------------------------------------

    def declare_global(self, ident: ast.Ident, obj: I.Object) -> None:
        self.info.defs[ident] = obj
        if ident.name == "_":
            return
        if ident.name in self.pkg_scope.names:
            prev = getattr(self.pkg_scope.names[ident.name], "decl", None)
            if isinstance(prev, ast.FuncDecl):
                prev = prev.name
            where = ""
            if isinstance(prev, ast.Ident):
                where = f"\n\t{self.filename}:{prev.span}: other declaration of {ident.name}"
            self.error(ident, f"{ident.name} redeclared in this block{where}")
            return
        self.pkg_scope.names[ident.name] = obj

    def collect(self, f: ast.File) -> list[Any]:
        """Enter every package-level object; returns the FuncDecls."""
        from stdlib import registry

        for imp in f.imports:
            p = registry.PACKAGES.get(imp.path)
            if p is None:
                self.error(imp, f"package {imp.path} is not in std")
            name = (
                imp.name.name
                if imp.name is not None
                else (p.name if p is not None else imp.path.rsplit("/", 1)[-1])
            )
            if name == "_":
                continue
            pn = I.PkgName(name, imp.path, imp, used=p is None)
            if imp.name is not None:
                self.info.defs[imp.name] = pn
            if name in self.pkg_scope.names:
                self.error(imp, f"{name} redeclared in this block")
                continue
            self.pkg_scope.names[name] = pn
        funcs: list[Any] = []
        for d in f.decls:
            if isinstance(d, ast.FuncDecl):
                funcs.append(d)
                if d.recv is None:
                    fn = I.Func(d.name.name, T.Signature((), ()), d)
                    if d.name.name in ("init", "main") and (d.type.params or d.type.results):
                        self.error(
                            d.name,
                            f"func {d.name.name} must have no arguments and no return values",
                        )
                    if d.name.name == "init":
                        self.info.defs[d.name] = fn
                    else:
                        self.declare_global(d.name, fn)
                    self.pending[id(fn)] = self._func_sig_thunk(fn, d)
                if d.body is None:
                    self.error(d.name, "missing function body")
                continue
            if d.tok == "type":
                for spec in d.specs:
                    assert isinstance(spec, ast.TypeSpec)
                    self.type_spec(spec, True)
            elif d.tok == "var":
                for spec in d.specs:
                    assert isinstance(spec, ast.ValueSpec)
                    objs = [
                        I.Var(n.name, T.INVALID, I.VarKind.GLOBAL, n, used=True) for n in spec.names
                    ]
                    thunk = self._var_spec_thunk(spec, objs)
                    self.info.init_order.append(spec)
                    for n, v in zip(spec.names, objs, strict=False):
                        self.declare_global(n, v)
                        self.pending[id(v)] = thunk
                        self.obj_spec[id(v)] = spec
            elif d.tok == "const":
                self.const_group(d, True)
        return funcs

    def _func_sig_thunk(self, fn: I.Func, d: ast.FuncDecl) -> Callable[[], None]:
        def thunk() -> None:
            t = self.typexpr(d.type)
            if isinstance(t, T.Signature):
                fn.sig = t

        return thunk

    def _var_spec_thunk(self, spec: ast.ValueSpec, objs: list[I.Var]) -> Callable[[], None]:
        def thunk() -> None:
            for v in objs:
                self.pending.pop(id(v), None)
                self.resolving.add(id(v))
            types = self.var_spec_types(spec)
            for v, t in zip(objs, types, strict=False):
                v.type = t
                self.resolving.discard(id(v))

        return thunk

    def var_spec_types(self, spec: ast.ValueSpec) -> list[T.Type]:
        """Check a var spec's type and initializers; the variables' types."""
        n = len(spec.names)
        t = self.typexpr(spec.type) if spec.type is not None else None
        if not spec.values:
            return [t if t is not None else T.INVALID] * n
        if len(spec.values) > 1 and len(spec.values) != n:
            for e in spec.values:
                self.raw_expr(e, allow_multi=True)
            if len(spec.values) > n:
                self.error(spec.values[n], f"extra init expr {_es(spec.values[n])}")
            else:
                self.error(
                    spec.names[len(spec.values)],
                    "assignment mismatch: "
                    f"{n} variable{'s' if n != 1 else ''} but {len(spec.values)} values",
                )
            return [t if t is not None else T.INVALID] * n
        xs = self.rhs_operands(n, spec.values, [t] * n if t is not None else [])
        if xs is None:
            return [t if t is not None else T.INVALID] * n
        out: list[T.Type] = []
        for x in xs:
            if t is not None:
                self.assignment(x, t, "variable declaration")
                out.append(t)
                continue
            if x.invalid:
                out.append(T.INVALID)
                continue
            if isinstance(x.type, T.Basic) and x.type.kind is T.Kind.UNTYPED_NIL:
                self.error(x.expr, "use of untyped nil in variable declaration")
                out.append(T.INVALID)
                continue
            if x.mode is Mode.CONSTANT and T.is_untyped(x.type):
                if not self.assignment(x, T.default_type(x.type), "variable declaration"):
                    out.append(T.INVALID)
                    continue
            self.default_untyped(x)
            out.append(x.type)
        return out

    def type_spec(self, spec: ast.TypeSpec, global_: bool) -> None:
        name = spec.name
        if spec.alias:
            tn = I.TypeName(name.name, T.INVALID, name)

            def alias_thunk() -> None:
                tn.type = self.typexpr(spec.type)

            if global_:
                self.declare_global(name, tn)
                self.pending[id(tn)] = alias_thunk
            else:
                alias_thunk()
                self.redeclared_check(name)
                self.info.defs[name] = tn
                self.scope.names[name.name] = tn
            return
        named = T.Named(name.name, "main")
        tn = I.TypeName(name.name, named, name)

        def thunk() -> None:
            t = self.typexpr(spec.type)
            if isinstance(t, T.Named):
                self.resolve_named(t)
            named.underlying = T.underlying(t)
            if named.underlying is T.INVALID:
                return
            if _contains_directly(named.underlying, named, set()):
                self.error(name, f"invalid recursive type {name.name}")
                named.underlying = T.INVALID

        if global_:
            self.declare_global(name, tn)
            self.pending[id(tn)] = thunk
        else:
            self.redeclared_check(name)
            self.info.defs[name] = tn
            if name.name != "_":
                self.scope.names[name.name] = tn
            thunk()

    def resolve_named(self, t: T.Named) -> None:
        if t.pkg != "main":
            return
        obj = self.pkg_scope.names.get(t.name)
        if isinstance(obj, I.TypeName) and obj.type is t:
            self.resolve_global(obj)

    def attach_method(self, d: ast.FuncDecl) -> None:
        assert d.recv is not None
        rt = d.recv.type
        ptr = False
        base = rt
        while isinstance(base, ast.ParenExpr):
            base = base.x
        if isinstance(base, ast.Star):
            ptr = True
            base = base.x
        if not isinstance(base, ast.Ident):
            self.error(rt, f"invalid receiver type {_es(rt)}")
            return
        obj = self.pkg_scope.lookup(base.name)
        if obj is None:
            self.error(base, f"undefined: {base.name}")
            return
        self.info.uses[base] = obj
        if (
            not isinstance(obj, I.TypeName)
            or not isinstance(obj.type, T.Named)
            or obj.type.pkg != "main"
        ):
            self.error(d.recv, f"cannot define new methods on non-local type {_es(base)}")
            return
        named = obj.type
        self.resolve_global(obj)
        if isinstance(named.underlying, (T.Pointer, T.Interface)):
            self.error(base, f"invalid receiver type {base.name} (pointer or interface type)")
            return
        recv_t: T.Type = T.Pointer(named) if ptr else named
        self.info.type_exprs[rt] = recv_t
        sig_t = self.typexpr(d.type)
        sig = sig_t if isinstance(sig_t, T.Signature) else T.Signature((), ())
        fn = I.Func(d.name.name, sig, d, named, ptr)
        self.info.defs[d.name] = fn
        mname = d.name.name
        if mname == "_":
            return
        if mname in named.methods:
            prev = named.methods[mname].decl
            where = (
                f"\n\t{self.filename}:{prev.name.span}: other declaration of {mname}"
                if isinstance(prev, ast.FuncDecl)
                else ""
            )
            self.error(d.name, f"{named.name}.{mname} redeclared in this block{where}")
            return
        st = named.underlying
        if isinstance(st, T.Struct) and st.field_index(mname) >= 0:
            self.error(d.name, f"field and method with the same name {mname}")
            return
        named.methods[mname] = T.MethodInfo(mname, sig, ptr, decl=d)

    # -- constants -------------------------------------------------------------------

    def const_group(self, d: ast.GenDecl, global_: bool) -> None:
        last_type: Any | None = None
        last_values: tuple[Any, ...] = ()
        for spec in d.specs:
            assert isinstance(spec, ast.ValueSpec)
            if spec.type is None and not spec.values:
                texpr, values = last_type, last_values
            else:
                texpr, values = spec.type, spec.values
                last_type, last_values = texpr, values
            for i, n in enumerate(spec.names):
                c = I.Const(n.name, T.INVALID, None, n)
                thunk = self._const_thunk(c, spec, i, texpr, values)
                if global_:
                    self.declare_global(n, c)
                    self.pending[id(c)] = thunk
                else:
                    thunk()
                    self.redeclared_check(n)
                    self.info.defs[n] = c
                    if n.name != "_":
                        self.scope.names[n.name] = c
            if values and len(values) > len(spec.names) and (spec.values or spec.type):
                self.error(
                    values[len(spec.names)], f"extra init expr {_es(values[len(spec.names)])}"
                )

    def _const_thunk(
        self, c: I.Const, spec: ast.ValueSpec, i: int, texpr: Any | None, values: tuple[Any, ...]
    ) -> Callable[[], None]:
        def thunk() -> None:
            saved = self.iota
            self.iota = spec.iota
            try:
                self.const_value(c, spec, i, texpr, values)
            finally:
                self.iota = saved

        return thunk

    def const_value(
        self, c: I.Const, spec: ast.ValueSpec, i: int, texpr: Any | None, values: tuple[Any, ...]
    ) -> None:
        t = self.typexpr(texpr) if texpr is not None else None
        if t is not None and t is not T.INVALID and not isinstance(T.underlying(t), T.Basic):
            self.error(texpr, f"invalid constant type {tstr(t)}")
            return
        if i >= len(values):
            if not values:
                self.error(spec.names[i], "missing init expr for const declaration")
            else:
                self.error(spec.names[i], "missing init expr for const declaration")
            return
        e = values[i]
        x = self.expr(e)
        if x.invalid:
            return
        if x.mode is not Mode.CONSTANT or x.val is None:
            self.error(e, f"{describe(x)} is not constant")
            return
        if t is not None:
            if t is T.INVALID or not self.assignment(x, t, "constant declaration"):
                return
        c.type = x.type
        c.value = x.val

    # -- local declarations ---------------------------------------------------------------

    def local_decl(self, d: ast.GenDecl) -> None:
        if d.tok == "var":
            for spec in d.specs:
                assert isinstance(spec, ast.ValueSpec)
                types = self.var_spec_types(spec)
                for n, t in zip(spec.names, types, strict=False):
                    if n.name == "_":
                        self.info.defs[n] = I.Var("_", t, I.VarKind.LOCAL, n, used=True)
                        continue
                    v = I.Var(n.name, t, I.VarKind.LOCAL, n)
                    if t is T.INVALID:
                        v.used = True
                    self.declare_local(v, n)
        elif d.tok == "const":
            self.const_group(d, False)
        elif d.tok == "type":
            for spec in d.specs:
                assert isinstance(spec, ast.TypeSpec)
                self.type_spec(spec, False)
        else:
            self.error(d, "imports must appear before other declarations")

    # -- initialization order ------------------------------------------------------------

    def compute_init_order(self) -> None:
        """Package vars in Go's order: each var after the vars its
        initializer depends on (directly or through functions), otherwise
        in declaration order."""
        specs = list(self.info.init_order)
        spec_set = set(map(id, specs))
        done: set[int] = set()
        order: list[ast.ValueSpec] = []

        def var_deps(node: Any, seen: set[int]) -> list[Any]:
            out: list[Any] = []
            for dep in self.deps.get(node, ()):
                if id(dep) in seen:
                    continue
                seen.add(id(dep))
                if id(dep) in spec_set:
                    out.append(dep)
                else:
                    out.extend(var_deps(dep, seen))
            return out

        position = {id(s): i for i, s in enumerate(specs)}

        def visit(s: ast.ValueSpec, stack: set[int]) -> None:
            if id(s) in done or id(s) in stack:
                return
            stack.add(id(s))
            for dep in sorted(var_deps(s, {id(s)}), key=lambda x: position[id(x)]):
                visit(dep, stack)
            stack.discard(id(s))
            done.add(id(s))
            order.append(s)

        for s in specs:
            visit(s, set())
        self.info.init_order = order


def _es(e: Any) -> str:
    from lang.check_exprstr import expr_string

    return expr_string(e)


def _contains_directly(t: T.Type, target: T.Named, seen: set[int]) -> bool:
    """Whether t embeds target by value (an infinitely sized type)."""
    if t is target:
        return True
    if isinstance(t, T.Named):
        if id(t) in seen:
            return False
        seen.add(id(t))
        return _contains_directly(t.underlying, target, seen)
    if isinstance(t, T.Struct):
        return any(_contains_directly(f.type, target, seen) for f in t.fields)
    if isinstance(t, T.Array):
        return _contains_directly(t.elem, target, seen)
    return False
