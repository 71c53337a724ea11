# Completion for the language server: names in scope, keywords and
# predeclared names, package members after `pkg.`, and fields and methods
# after `x.` when x's type is known.
#
# Invariants:
# - Works on text that does not parse (the usual state while typing
#   `fmt.`): the text before the cursor decides what is asked, and the
#   types come from the document with the `.partial` selector removed, or
#   from the last analysis that parsed.
# - Never raises; an unknown situation yields keywords and names only.
from __future__ import annotations

import re
from typing import Any

from lsprotocol import types as lsp

from csp.lsp_analysis import Analysis, analyze, contains
from lang import ast
from lang import info as I
from lang import keywords as K
from lang import types as T
from lang.ast import walk

_SELECTOR_BEFORE = re.compile(r"([A-Za-z_]\w*)?(\)|\])?\s*\.\s*([A-Za-z_][A-Za-z_0-9]*)?$")
_IMPORT_PATH = re.compile(r'^\s*(?:import\s+)?(?:([A-Za-z_]\w*)\s+)?"([\w/]+)"', re.M)


def _registry() -> dict[str, Any]:
    import stdlib
    from stdlib.registry import PACKAGES

    load_all = getattr(stdlib, "load_all", None)
    if callable(load_all):
        load_all()
    return dict(PACKAGES)


def _package_paths(a: Analysis) -> dict[str, str]:
    """Local package name -> import path for the file's imports (read from
    the AST when it parsed, else from the text)."""
    names: dict[str, str] = {}
    if a.file is not None:
        for imp in a.file.imports:
            local = imp.name.name if imp.name is not None else imp.path.rsplit("/", 1)[-1]
            names[local] = imp.path
    else:
        for m in _IMPORT_PATH.finditer(a.source):
            path = m.group(2)
            names[m.group(1) or path.rsplit("/", 1)[-1]] = path
    return names


def _member_item(name: str, member: Any) -> lsp.CompletionItem:
    from stdlib import registry as R

    kind = lsp.CompletionItemKind.Variable
    detail = ""
    if isinstance(member, R.NativeFunc):
        kind = lsp.CompletionItemKind.Function
        detail = "func" + T.signature_tail(member.sig)
    elif isinstance(member, R.ConstMember):
        kind = lsp.CompletionItemKind.Constant
        detail = f"const {T.type_string(member.type)}"
    elif isinstance(member, R.VarMember):
        detail = f"var {T.type_string(member.type)}"
    elif isinstance(member, R.TypeMember):
        kind = lsp.CompletionItemKind.Struct if isinstance(
            T.underlying(member.type), T.Struct) else lsp.CompletionItemKind.Class
        detail = f"type {T.type_string(T.underlying(member.type))}"
    return lsp.CompletionItem(label=name, kind=kind, detail=detail or None)


def package_members(path: str) -> list[lsp.CompletionItem]:
    pkg = _registry().get(path)
    if pkg is None:
        return []
    return [_member_item(n, m) for n, m in sorted(pkg.members.items()) if n[:1].isupper()]


def _fields_and_methods(t: T.Type) -> list[lsp.CompletionItem]:
    """Fields (with promoted ones) and methods of t, *t or an interface."""
    items: dict[str, lsp.CompletionItem] = {}
    base = t.elem if isinstance(t, T.Pointer) else t

    def add_struct(st: T.Type, depth: int) -> None:
        st = T.underlying(st.elem if isinstance(st, T.Pointer) else st)
        if not isinstance(st, T.Struct) or depth > 3:
            return
        for f in st.fields:
            items.setdefault(f.name, lsp.CompletionItem(
                label=f.name, kind=lsp.CompletionItemKind.Field,
                detail=T.type_string(f.type, qualify=False)))
        for f in st.fields:
            if f.embedded:
                add_struct(f.type, depth + 1)
                inner = f.type.elem if isinstance(f.type, T.Pointer) else f.type
                if isinstance(inner, T.Named):
                    add_methods(inner)

    def add_methods(named: T.Named) -> None:
        for name, m in sorted(named.methods.items()):
            items.setdefault(name, lsp.CompletionItem(
                label=name, kind=lsp.CompletionItemKind.Method,
                detail=("func" + T.signature_tail(m.sig)).replace("main.", "")))

    if isinstance(base, T.Named):
        add_methods(base)
    under = T.underlying(base)
    if isinstance(under, T.Interface):
        for m in under.methods:
            items.setdefault(m.name, lsp.CompletionItem(
                label=m.name, kind=lsp.CompletionItemKind.Method,
                detail=("func" + T.signature_tail(m.sig)).replace("main.", "")))
    add_struct(base, 0)
    return list(items.values())


def _scope_nodes(node: Any) -> bool:
    return isinstance(node, (ast.FuncDecl, ast.FuncLit, ast.Block, ast.IfStmt, ast.ForStmt,
                             ast.RangeStmt, ast.SwitchStmt, ast.TypeSwitchStmt,
                             ast.CaseClause, ast.CommClause))


def visible_objects(a: Analysis, line: int, col: int) -> dict[str, I.Object]:
    """Names visible at (line, byte col): package-level objects and the
    locals whose declaring scope encloses the position and that are
    declared before it (inner scopes shadow outer ones)."""
    out: dict[str, I.Object] = {}
    if a.file is None or a.info is None:
        return out
    scopes = [n for n in walk(a.file) if _scope_nodes(n)]
    top_level: set[int] = set()
    for d in a.file.decls:
        if isinstance(d, ast.FuncDecl):
            if d.recv is None:
                top_level.add(id(d.name))
        else:
            for spec in d.specs:
                if isinstance(spec, ast.TypeSpec):
                    top_level.add(id(spec.name))
                elif isinstance(spec, ast.ValueSpec):
                    top_level.update(id(n) for n in spec.names)
    ranked: list[tuple[int, str, I.Object]] = []
    for ident, obj in a.info.defs.items():
        if ident.name == "_":
            continue
        if id(ident) in top_level:
            ranked.append((0, ident.name, obj))
            continue
        inner = None
        for s in scopes:
            if contains(s.span, ident.span.line, ident.span.col) and (
                inner is None or contains(inner.span, s.span.line, s.span.col)
            ):
                inner = s
        if inner is None or not contains(inner.span, line, col):
            continue
        if (ident.span.line, ident.span.col) >= (line, col):
            continue
        depth = sum(1 for s in scopes if contains(s.span, inner.span.line, inner.span.col))
        ranked.append((depth, ident.name, obj))
    for _depth, name, obj in sorted(ranked, key=lambda r: r[0]):
        out[name] = obj
    for local, path in _package_paths(a).items():
        out.setdefault(local, I.PkgName(local, path, None))
    return out


_KIND_OF: dict[type, lsp.CompletionItemKind] = {
    I.Var: lsp.CompletionItemKind.Variable,
    I.Const: lsp.CompletionItemKind.Constant,
    I.TypeName: lsp.CompletionItemKind.Class,
    I.Func: lsp.CompletionItemKind.Function,
    I.PkgName: lsp.CompletionItemKind.Module,
}


def _scope_items(a: Analysis | None, line: int, col: int) -> list[lsp.CompletionItem]:
    from csp.lsp_analysis import describe

    items: dict[str, lsp.CompletionItem] = {}
    if a is not None:
        for name, obj in visible_objects(a, line, col).items():
            items[name] = lsp.CompletionItem(
                label=name, kind=_KIND_OF.get(type(obj), lsp.CompletionItemKind.Text),
                detail=describe(obj), sort_text="0" + name)
    for w in K.KEYWORDS:
        items.setdefault(w, lsp.CompletionItem(
            label=w, kind=lsp.CompletionItemKind.Keyword, sort_text="2" + w))
    for w in K.PREDECLARED_TYPES:
        items.setdefault(w, lsp.CompletionItem(
            label=w, kind=lsp.CompletionItemKind.Class, detail="predeclared type",
            sort_text="1" + w))
    for w in K.BUILTIN_FUNCTIONS:
        items.setdefault(w, lsp.CompletionItem(
            label=w, kind=lsp.CompletionItemKind.Function, detail="builtin function",
            sort_text="1" + w))
    for w in K.BUILTIN_CONSTANTS:
        items.setdefault(w, lsp.CompletionItem(
            label=w, kind=lsp.CompletionItemKind.Constant, detail="predeclared",
            sort_text="1" + w))
    return list(items.values())


def _type_before_dot(a: Analysis, line: int, dot_col: int) -> T.Type | None:
    """Type of the outermost expression that ends right before the dot."""
    if a.file is None or a.info is None:
        return None
    best: Any = None
    for n in walk(a.file):
        s = getattr(n, "span", None)
        if s is None or (s.end_line, s.end_col) != (line, dot_col) or n not in a.info.types:
            continue
        if best is None or (s.line, s.col) < (best.span.line, best.span.col):
            best = n
    return a.info.types.get(best) if best is not None else None


def completion(a: Analysis, last_good: Analysis | None,
               pos: lsp.Position) -> lsp.CompletionList:
    line, col = a.index.from_lsp(pos)
    text = a.index.line_text(pos.line)
    raw = text.encode("utf-8", "surrogateescape")
    before = raw[: col - 1].decode("utf-8", "replace")
    m = _SELECTOR_BEFORE.search(before)
    if m is None or (m.group(1) is None and m.group(2) is None):
        return lsp.CompletionList(is_incomplete=False,
                                  items=_scope_items(_usable(a, last_good), line, col))
    partial = m.group(3) or ""
    dot_index = len(before) - len(partial)
    while dot_index > 0 and before[dot_index - 1] != ".":
        dot_index -= 1
    dot_col = len(before[: dot_index - 1].rstrip().encode("utf-8", "surrogateescape")) + 1
    name = m.group(1)
    if m.group(2) is None and name is not None:
        scope = _usable(a, last_good)
        visible = visible_objects(scope, line, col) if scope is not None else {}
        obj = visible.get(name)
        paths = _package_paths(a)
        if isinstance(obj, I.PkgName) or (obj is None and name in paths):
            path = obj.path if isinstance(obj, I.PkgName) else paths[name]
            return lsp.CompletionList(is_incomplete=False, items=package_members(path))
        if obj is None:
            for path, pkg in _registry().items():
                if pkg.name == name:
                    return lsp.CompletionList(is_incomplete=False, items=package_members(path))
    t = _selector_base_type(a, line, col, dot_col, dot_index, before, text)
    if t is None and name is not None and last_good is not None:
        obj = visible_objects(last_good, line, col).get(name)
        if isinstance(obj, I.Var):
            t = obj.type
    items = _fields_and_methods(t) if t is not None else []
    return lsp.CompletionList(is_incomplete=False, items=items)


def _usable(a: Analysis, last_good: Analysis | None) -> Analysis | None:
    return a if a.info is not None else last_good


def _selector_base_type(a: Analysis, line: int, col: int, dot_col: int, dot_index: int,
                        before: str, text: str) -> T.Type | None:
    if a.syntax_ok:
        t = _type_before_dot(a, line, dot_col)
        if t is not None:
            return t
    # Remove `.partial` so the line parses (`p.` alone is a syntax error),
    # re-check, and ask for the type of what precedes the dot.
    after = text[len(before):]
    end = 0
    while end < len(after) and (after[end].isalnum() or after[end] == "_"):
        end += 1
    patched_line = before[: dot_index - 1].rstrip() + after[end:]
    lines = a.source.split("\n")
    if not 0 <= line - 1 < len(lines):
        return None
    lines[line - 1] = patched_line
    patched = analyze(a.filename, "\n".join(lines))
    return _type_before_dot(patched, line, dot_col)
