# What the language server knows about one document: parse and check it,
# then answer position questions (hover, definition, symbols, completion)
# with lsprotocol values.  csp/lsp.py only wires these to pygls.
#
# Invariants:
# - Never raises for any source text: parser and checker failures are
#   diagnostics, and a question about a broken document gets an empty
#   answer rather than an exception.
# - Spans from the front end are 1-based lines and 1-based *byte* columns
#   (Go's token.Position); LSP positions are 0-based lines and UTF-16 code
#   unit offsets.  LineIndex is the only place that converts between them.
# - A TypeInfo is kept even when the file has type errors (the checker's
#   partial tables), so hover and completion keep working while the user
#   types; it is used only for lookups, never for compiling.
from __future__ import annotations

import re
from typing import Any

from lsprotocol import types as lsp

from lang import ast
from lang import info as I
from lang import types as T
from lang.ast import walk
from lang.diagnostics import Diagnostic
from lang.records import field, record

# --------------------------------------------------------------------------
# Positions


class LineIndex:
    """Converts between front-end spans and LSP positions for one text."""

    def __init__(self, source: str) -> None:
        self.lines = [ln.rstrip("\r") for ln in source.split("\n")]

    def line_text(self, line0: int) -> str:
        return self.lines[line0] if 0 <= line0 < len(self.lines) else ""

    def to_lsp(self, line: int, col: int) -> lsp.Position:
        """1-based (line, byte column) -> LSP position (clamped)."""
        line0 = min(max(line - 1, 0), max(len(self.lines) - 1, 0))
        raw = self.line_text(line0).encode("utf-8", "surrogateescape")
        prefix = raw[: max(col - 1, 0)].decode("utf-8", "replace")
        return lsp.Position(line=line0, character=_utf16_len(prefix))

    def from_lsp(self, pos: lsp.Position) -> tuple[int, int]:
        """LSP position -> 1-based (line, byte column)."""
        text = self.line_text(pos.line)
        chars = 0
        units = 0
        for ch in text:
            if units >= pos.character:
                break
            units += 2 if ord(ch) > 0xFFFF else 1
            chars += 1
        return pos.line + 1, len(text[:chars].encode("utf-8", "surrogateescape")) + 1

    def span_range(self, span: ast.Span) -> lsp.Range:
        return lsp.Range(
            start=self.to_lsp(span.line, span.col),
            end=self.to_lsp(span.end_line, span.end_col),
        )


def _utf16_len(s: str) -> int:
    return sum(2 if ord(ch) > 0xFFFF else 1 for ch in s)


_TOKEN_AT = re.compile(r"[A-Za-z_0-9]+|\"(?:[^\"\\]|\\.)*\"?|'(?:[^'\\]|\\.)*'?|`[^`]*`?|\S")


def diagnostic_range(index: LineIndex, span: ast.Span) -> lsp.Range:
    """The range an editor underlines: the node's span, or, when the span
    is empty (syntax errors point at a position), the token there."""
    if span.line <= 0:
        return lsp.Range(start=lsp.Position(line=0, character=0),
                         end=lsp.Position(line=0, character=0))
    if (span.end_line, span.end_col) > (span.line, span.col):
        return index.span_range(span)
    start = index.to_lsp(span.line, span.col)
    text = index.line_text(start.line)
    # Convert the UTF-16 start back to a str index to scan the token.
    at = 0
    units = 0
    while at < len(text) and units < start.character:
        units += 2 if ord(text[at]) > 0xFFFF else 1
        at += 1
    m = _TOKEN_AT.match(text, at)
    if m is None or m.start() != at:
        # At the end of the line (unexpected newline): mark one column.
        width = 1 if at < len(text) else 0
        if width == 0 and at > 0:
            return lsp.Range(start=lsp.Position(line=start.line, character=start.character - 1),
                             end=start)
        end = lsp.Position(line=start.line, character=start.character + width)
        return lsp.Range(start=start, end=end)
    end = lsp.Position(line=start.line, character=start.character + _utf16_len(m.group(0)))
    return lsp.Range(start=start, end=end)


# --------------------------------------------------------------------------
# Positions inside spans (tree walking: lang.ast.walk)


def contains(span: ast.Span, line: int, col: int, inclusive_end: bool = True) -> bool:
    if (line, col) < (span.line, span.col):
        return False
    end = (span.end_line, span.end_col)
    return (line, col) <= end if inclusive_end else (line, col) < end


# --------------------------------------------------------------------------
# Analysis of one document


@record(slots=False)
class Analysis:
    filename: str
    source: str
    index: LineIndex
    file: ast.File | None = None
    info: I.TypeInfo | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    syntax_ok: bool = False

    def idents(self) -> list[ast.Ident]:
        if self.file is None:
            return []
        return [n for n in walk(self.file) if isinstance(n, ast.Ident)]


def _load_stdlib() -> None:
    import stdlib

    load_all = getattr(stdlib, "load_all", None)
    if callable(load_all):
        load_all()


def _partial_info(file: ast.File) -> I.TypeInfo | None:
    """The checker's tables for a file with type errors (check() returns
    None then); used only for editor lookups."""
    try:
        from lang import checker as checker_mod

        checker_cls = getattr(checker_mod, "Checker", None)
        if checker_cls is None:
            return None
        ck = checker_cls(file.filename)
        ck.run(file)
        info = ck.info
        return info if isinstance(info, I.TypeInfo) else None
    except Exception:
        return None


def analyze(filename: str, source: str) -> Analysis:
    """Parse and check source; never raises."""
    result = Analysis(filename, source, LineIndex(source))
    try:
        _load_stdlib()
        from lang.checker import check
        from lang.parser import parse

        file, diags = parse(filename, source)
        result.file = file
        if file is None or diags:
            result.diagnostics = list(diags)
            return result
        result.syntax_ok = True
        info, diags = check(file)
        result.diagnostics = list(diags)
        result.info = info if info is not None else _partial_info(file)
    except Exception as exc:  # the editor must keep working
        result.diagnostics.append(
            Diagnostic(filename, ast.Span(1, 1, 1, 1), f"internal error: {exc}")
        )
    return result


def lsp_diagnostics(a: Analysis) -> list[lsp.Diagnostic]:
    out: list[lsp.Diagnostic] = []
    for d in sorted(a.diagnostics, key=lambda d: (d.span.line, d.span.col)):
        out.append(
            lsp.Diagnostic(
                range=diagnostic_range(a.index, d.span),
                message=d.message,
                severity=lsp.DiagnosticSeverity.Error,
                source="csp",
            )
        )
    return out


# --------------------------------------------------------------------------
# Names and objects


def ident_at(a: Analysis, pos: lsp.Position) -> ast.Ident | None:
    line, col = a.index.from_lsp(pos)
    for ident in a.idents():
        if contains(ident.span, line, col):
            return ident
    return None


def _enclosing_selector(a: Analysis, ident: ast.Ident) -> ast.Selector | None:
    if a.file is None:
        return None
    for n in walk(a.file):
        if isinstance(n, ast.Selector) and n.sel is ident:
            return n
    return None


def object_of(a: Analysis, ident: ast.Ident) -> I.Object | None:
    if a.info is None:
        return None
    obj = a.info.defs.get(ident)
    if obj is None:
        obj = a.info.uses.get(ident)
    return obj


def type_str(t: T.Type) -> str:
    return T.type_string(t, qualify=False).replace("interface {}", "any")


def sig_tail(sig: T.Signature) -> str:
    """``(int, ...any) (int, error)`` as the user's code spells it."""
    return T.signature_tail(sig).replace("main.", "").replace("interface {}", "any")


def describe(obj: I.Object) -> str:
    """Go-like declaration text for an object (hover's code line)."""
    if isinstance(obj, I.Var):
        what = {I.VarKind.PARAM: "param", I.VarKind.RESULT: "result"}.get(obj.kind, "var")
        return f"{what} {obj.name} {type_str(obj.type)}"
    if isinstance(obj, I.Const):
        return f"const {obj.name} {type_str(obj.type)} = {_const_text(obj.value)}"
    if isinstance(obj, I.TypeName):
        under = T.underlying(obj.type)
        if isinstance(obj.type, T.Named):
            return f"type {obj.name} {type_str(under)}"
        return f"type {obj.name} = {type_str(obj.type)}" if obj.decl else f"type {obj.name}"
    if isinstance(obj, I.Func):
        tail = sig_tail(obj.sig)
        if obj.recv_type is not None:
            star = "*" if obj.ptr_recv else ""
            return f"func ({star}{obj.recv_type.name}) {obj.name}{tail}"
        return f"func {obj.name}{tail}"
    if isinstance(obj, I.PkgName):
        return f'package {obj.name} ("{obj.path}")'
    if isinstance(obj, I.Builtin):
        return f"func {obj.name}  // builtin"
    return "nil"


def _const_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return str(value)


def doc_comment(a: Analysis, line: int) -> str:
    """The `//` comment lines directly above 1-based line (Go's doc comment)."""
    out: list[str] = []
    i = line - 2
    while i >= 0:
        text = a.index.line_text(i).strip()
        if not text.startswith("//"):
            break
        out.append(text[2:].strip())
        i -= 1
    return "\n".join(reversed(out))


def _decl_line(obj: I.Object) -> int:
    decl: Any = getattr(obj, "decl", None)
    if isinstance(obj, I.Func) and isinstance(decl, ast.FuncDecl):
        return decl.span.line
    if decl is not None and hasattr(decl, "span"):
        return int(decl.span.line)
    return 0


def _decl_span(obj: I.Object) -> ast.Span | None:
    decl: Any = getattr(obj, "decl", None)
    if isinstance(decl, ast.FuncDecl):
        return decl.name.span
    if isinstance(decl, (ast.Ident, ast.ImportSpec)):
        return decl.span
    return None


def hover(a: Analysis, pos: lsp.Position) -> lsp.Hover | None:
    ident = ident_at(a, pos)
    if ident is None or a.info is None:
        return None
    text: str | None = None
    doc = ""
    obj = object_of(a, ident)
    sel = _enclosing_selector(a, ident)
    selection = a.info.selections.get(sel) if sel is not None else None
    if selection is not None and selection.kind is I.SelKind.FIELD and sel is not None:
        ftype = a.info.types.get(sel)
        text = f"field {ident.name} {type_str(ftype)}" if ftype is not None else None
        span = field_decl_span(a, sel)
        if span is not None:
            doc = doc_comment(a, span.line)
    elif selection is not None and selection.method is not None:
        m = selection.method
        tail = sig_tail(m.sig)
        text = f"func {ident.name}{tail}"
        if isinstance(m.decl, ast.FuncDecl):
            doc = doc_comment(a, m.decl.span.line)
    elif obj is not None:
        text = describe(obj)
        if selection is not None and selection.kind is I.SelKind.PKG_MEMBER and sel is not None:
            pkg = sel.x.name if isinstance(sel.x, ast.Ident) else ""
            text = text.replace(f"func {ident.name}", f"func {pkg}.{ident.name}", 1)
        line = _decl_line(obj)
        if line > 0 and not isinstance(obj, I.PkgName):
            doc = doc_comment(a, line)
    if text is None:
        t = a.info.types.get(ident)
        if t is None:
            return None
        text = f"{ident.name} {type_str(t)}"
    value = f"```go\n{text}\n```"
    if doc:
        value += "\n\n" + doc
    return lsp.Hover(
        contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=value),
        range=a.index.span_range(ident.span),
    )


def _deref(t: T.Type | None) -> T.Type | None:
    return t.elem if isinstance(t, T.Pointer) else t


def field_decl_span(a: Analysis, sel: ast.Selector) -> ast.Span | None:
    """The declaring identifier of the field sel selects, following the
    selection's path through (embedded) struct types declared in this file."""
    if a.info is None:
        return None
    selection = a.info.selections.get(sel)
    if selection is None or not selection.path:
        return None
    t = _deref(a.info.types.get(sel.x))
    owner: T.Type | None = None
    index = -1
    for index in selection.path:
        owner = t
        st = T.underlying(t) if t is not None else None
        if not isinstance(st, T.Struct) or not 0 <= index < len(st.fields):
            return None
        t = _deref(st.fields[index].type)
    if not isinstance(owner, T.Named):
        return None
    struct_node = _struct_node_of(a, owner)
    if struct_node is None:
        return None
    flat: list[ast.Span] = []
    for fld in struct_node.fields:
        if fld.names:
            flat.extend(n.span for n in fld.names)
        else:
            flat.append(fld.type.span)
    return flat[index] if 0 <= index < len(flat) else None


def _struct_node_of(a: Analysis, named: T.Named) -> ast.StructType | None:
    if a.file is None or a.info is None:
        return None
    for n in walk(a.file):
        if isinstance(n, ast.TypeSpec) and isinstance(n.type, ast.StructType):
            obj = a.info.defs.get(n.name)
            if isinstance(obj, I.TypeName) and obj.type is named:
                return n.type
    return None


def definition(a: Analysis, uri: str, pos: lsp.Position) -> lsp.Location | None:
    ident = ident_at(a, pos)
    if ident is None or a.info is None:
        return None
    span: ast.Span | None = None
    sel = _enclosing_selector(a, ident)
    selection = a.info.selections.get(sel) if sel is not None else None
    if selection is not None and sel is not None:
        if selection.kind is I.SelKind.FIELD:
            span = field_decl_span(a, sel)
        elif selection.method is not None and isinstance(selection.method.decl, ast.FuncDecl):
            span = selection.method.decl.name.span
    if span is None:
        obj = object_of(a, ident)
        if obj is not None:
            span = _decl_span(obj)
    if span is None:
        return None
    return lsp.Location(uri=uri, range=a.index.span_range(span))


# --------------------------------------------------------------------------
# Document symbols


def _symbol(a: Analysis, name: str, kind: lsp.SymbolKind, whole: ast.Span,
            name_span: ast.Span, detail: str = "",
            kids: list[lsp.DocumentSymbol] | None = None) -> lsp.DocumentSymbol:
    return lsp.DocumentSymbol(
        name=name, kind=kind, range=a.index.span_range(whole),
        selection_range=a.index.span_range(name_span), detail=detail or None,
        children=kids or None,
    )


def _expr_text(a: Analysis, e: Any) -> str:
    s = e.span
    if s.line != s.end_line:
        return ""
    raw = a.index.line_text(s.line - 1).encode("utf-8", "surrogateescape")
    return raw[s.col - 1: s.end_col - 1].decode("utf-8", "replace")


def document_symbols(a: Analysis) -> list[lsp.DocumentSymbol]:
    if a.file is None:
        return []
    out: list[lsp.DocumentSymbol] = []
    for d in a.file.decls:
        if isinstance(d, ast.FuncDecl):
            sig = _expr_text(a, d.type)
            if d.recv is not None:
                recv = _expr_text(a, d.recv.type)
                out.append(_symbol(a, f"({recv}).{d.name.name}", lsp.SymbolKind.Method,
                                   d.span, d.name.span, sig))
            else:
                out.append(_symbol(a, d.name.name, lsp.SymbolKind.Function, d.span,
                                   d.name.span, sig))
            continue
        for spec in d.specs:
            if isinstance(spec, ast.TypeSpec):
                kids: list[lsp.DocumentSymbol] = []
                kind = lsp.SymbolKind.Class
                if isinstance(spec.type, ast.StructType):
                    kind = lsp.SymbolKind.Struct
                    for fld in spec.type.fields:
                        for n in fld.names:
                            kids.append(_symbol(a, n.name, lsp.SymbolKind.Field, fld.span,
                                                n.span, _expr_text(a, fld.type)))
                elif isinstance(spec.type, ast.InterfaceType):
                    kind = lsp.SymbolKind.Interface
                    for m in spec.type.methods:
                        for n in m.names:
                            kids.append(_symbol(a, n.name, lsp.SymbolKind.Method, m.span,
                                                n.span))
                out.append(_symbol(a, spec.name.name, kind, spec.span, spec.name.span,
                                   _expr_text(a, spec.type), kids))
            elif isinstance(spec, ast.ValueSpec):
                kind = lsp.SymbolKind.Constant if d.tok == "const" else lsp.SymbolKind.Variable
                detail = _expr_text(a, spec.type) if spec.type is not None else ""
                for n in spec.names:
                    out.append(_symbol(a, n.name, kind, spec.span, n.span, detail))
    return out
