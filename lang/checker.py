# The type checker's entry point: ``check(file) -> (TypeInfo | None,
# diagnostics)``.  The work is split by idea across the check_* mixins
# (expressions, calls/builtins, type expressions, statements, control
# flow, declarations); this module wires them and runs the passes:
#
#   1. collect package-level objects and imports (forward references);
#   2. resolve type declarations, then attach methods to named types;
#   3. resolve function signatures, constants and variables in source order;
#   4. check function bodies in source order;
#   5. report unused imports, compute the var initialization order, and
#      give every still-untyped expression its default type.
#
# Invariants:
# - TypeInfo is returned only when there are no diagnostics.
# - No Python exception escapes: an internal failure becomes a diagnostic.
from __future__ import annotations

import os
from typing import Any

from lang import ast
from lang import constants as C
from lang import info as I
from lang import types as T
from lang.check_access import AccessMixin
from lang.check_base import UNIVERSE, Scope
from lang.check_call import CallMixin
from lang.check_complit import CompositeMixin
from lang.check_control import ControlMixin
from lang.check_decl import DeclMixin
from lang.check_expr import ExprMixin
from lang.check_stmt import BodyCtx
from lang.check_typexpr import TypeExprMixin
from lang.diagnostics import Diagnostic
from lang.reassign import mark_reassigned

_stdlib_loaded = False


def _load_stdlib() -> None:
    """Register the stdlib packages once per process."""
    global _stdlib_loaded
    if _stdlib_loaded:
        return
    _stdlib_loaded = True
    try:
        import stdlib
    except ImportError:
        return
    loader = getattr(stdlib, "load_all", None)
    if callable(loader):
        try:
            loader()
        except Exception:  # a broken package module must not break checking
            pass


class Checker(
    ControlMixin, DeclMixin, CallMixin, CompositeMixin, AccessMixin, ExprMixin, TypeExprMixin
):
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.info = I.TypeInfo()
        self.diags = []
        self.untyped = {}
        self.const_vals = {}
        self.pkg_scope = Scope(UNIVERSE)
        self.scope = self.pkg_scope
        self.fctx = None
        self.var_owner = {}
        self.free_seen = {}
        self.iota = None
        self.body_ctx = BodyCtx()
        self.fallthrough_ok = None
        self.pending = {}
        self.resolving = set()
        self.cur_deps = None
        self.deps = {}
        self.obj_spec = {}

    def run(self, f: ast.File) -> None:
        funcs = self.collect(f)
        # Types first, so that method sets are complete before any
        # expression is looked at.
        for _name, obj in list(self.pkg_scope.names.items()):
            if isinstance(obj, I.TypeName):
                self.resolve_global(obj)
        for d in funcs:
            if d.recv is not None:
                self.attach_method(d)
        for d in f.decls:
            if isinstance(d, ast.FuncDecl):
                if d.recv is None:
                    fobj = self.info.defs.get(d.name)
                    if fobj is not None:
                        self.resolve_global(fobj)
            elif d.tok in ("var", "const"):
                for spec in d.specs:
                    if isinstance(spec, ast.ValueSpec):
                        for n in spec.names:
                            o = self.info.defs.get(n)
                            if o is not None:
                                self.resolve_global(o)
        for d in funcs:
            if d.body is None:
                continue
            fn = self.info.defs.get(d.name)
            if not isinstance(fn, I.Func):
                continue
            self.cur_deps = self.deps.setdefault(d, set())
            self.func_body(d, fn.sig, d.type, d.recv, d.body)
            self.cur_deps = None
        for obj in self.pkg_scope.names.values():
            if isinstance(obj, I.PkgName) and not obj.used and obj.decl is not None:
                if obj.decl.name is not None:
                    msg = f'imported and not used: "{obj.path}" as {obj.name}'
                else:
                    msg = f'imported and not used: "{obj.path}"'
                self.error(obj.decl, msg)
        if "main" not in self.pkg_scope.names and not self.diags:
            self.error(f.span, "function main is undeclared in the main package")
        self.compute_init_order()
        self.finish()

    def finish(self) -> None:
        """Default types for untyped leftovers; exact constants to values."""
        for e, t in list(self.untyped.items()):
            self.info.types[e] = T.default_type(t)
            if e in self.const_vals:
                v, _ = C.represent(self.const_vals[e], self.info.types[e])
                if v is not None:
                    self.const_vals[e] = v
        self.untyped.clear()
        types = self.info.types
        for e, v in self.const_vals.items():
            final = types.get(e)
            if final is None:
                continue
            self.info.consts[e] = C.final_value(v, final)

    # DeclMixin / StmtMixin hooks implemented by other mixins are found by MRO.


# What the REPL (csp/session.py) forgives: a session's variables and
# implicit imports need not be used, and an expression statement is echoed.
_REPL_FORGIVEN = ("declared but not used", "imported and not used", "is not used")


def check(file: ast.File, *, repl: bool = False) -> tuple[I.TypeInfo | None, list[Diagnostic]]:
    """Type-check a parsed file.  Returns the TypeInfo (None if there are
    errors) and the diagnostics sorted by position, at most 10 (Go's limit;
    the caller adds ``too many errors``).  ``repl=True`` drops the unused
    variable/import/value errors (the REPL's semantics)."""
    _load_stdlib()
    ck = Checker(file.filename)
    try:
        ck.run(file)
    except RecursionError:
        ck.error(file.span, "internal error: program too deeply nested")
    except Exception as exc:  # never let a traceback reach the user
        if os.environ.get("CSP_CHECKER_DEBUG"):
            raise
        ck.error(file.span, f"internal error in type checker: {type(exc).__name__}: {exc}")
    if repl:
        ck.diags = [d for d in ck.diags
                    if not any(f in d.message for f in _REPL_FORGIVEN)]
    if ck.diags:
        diags = sorted(ck.diags, key=lambda d: (d.span.line, d.span.col))
        return None, diags
    mark_reassigned(file, ck.info)
    return ck.info, []


def _unused(_: Any) -> None:
    return None
