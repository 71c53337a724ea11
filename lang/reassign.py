"""Which captured variables are ever assigned after their declaration.

A variable that a function literal captures normally lives in a heap cell
shared by the declaring function and the closure (Go's closures capture
variables, not values).  When the variable is never assigned again after
its declaration, and its address is never taken, every reader sees the
value it was declared with, so the closure may hold that value itself: no
cell, no LOAD_CELL on every read (a goroutine's `for v := range jobs`
loop over a captured channel reads it once per iteration).

``mark_reassigned(file, info)`` sets ``Var.reassigned`` on every local
variable that may change after its declaration:
- the target of ``=``, ``op=``, ``++``/``--``, or of ``:=`` where the
  name already existed (a redeclaration assigns);
- loop variables (three-clause ``for`` init and ``range`` with ``:=``):
  the loop itself assigns them;
- named results (``return x`` assigns them).
Invariant: a Var with ``captured and not reassigned and not addressed``
holds the same value from its declaration on, so copying it into a
closure at creation time is indistinguishable from sharing it.
"""

from __future__ import annotations

from typing import Any

from lang import ast
from lang import info as I


def mark_reassigned(file: ast.File, info: I.TypeInfo) -> None:
    """Set ``reassigned`` on the variables of ``file`` that may change."""
    uses = info.uses
    defs = info.defs

    def mark(e: Any, table: dict[Any, Any]) -> None:
        while isinstance(e, ast.ParenExpr):
            e = e.x
        if isinstance(e, ast.Ident):
            obj = table.get(e)
            if isinstance(obj, I.Var):
                obj.reassigned = True

    for node in ast.walk(file):
        if isinstance(node, ast.AssignStmt):
            for e in node.lhs:
                mark(e, uses)
        elif isinstance(node, ast.IncDecStmt):
            mark(node.x, uses)
        elif isinstance(node, ast.RangeStmt):
            for target in (node.key, node.value):
                if target is not None:
                    mark(target, uses)
                    mark(target, defs)
        elif isinstance(node, ast.ForStmt):
            init = node.init
            if isinstance(init, ast.AssignStmt):
                for e in init.lhs:
                    mark(e, defs)
        elif isinstance(node, ast.FuncType):
            for f in node.results:
                for name in f.names:
                    mark(name, defs)
