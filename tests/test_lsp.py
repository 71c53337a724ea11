# The language server end to end: a real `csp.lsp` subprocess driven over
# stdio by pygls's own LanguageClient, as an editor would drive it.
# Each test starts one server, opens a document, and checks what comes back
# (diagnostics with exact ranges, hover, definition, symbols, completion).
from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls")

from lsprotocol import types as lsp  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
URI = "file:///tmp/lsp_test/prog.csp"

TWO_ERRORS = """package main

import "fmt"

func main() {
\tvar n int = "hello"
\tfmt.Println(n, undefinedName)
}
"""

ONE_ERROR = TWO_ERRORS.replace('"hello"', "42")
NO_ERROR = ONE_ERROR.replace("undefinedName", "n")

PROGRAM = """package main

import (
\t"fmt"
\t"strings"
)

// Counter counts things, safely.
type Counter struct {
\tcount int
\tname  string
}

// Inc adds one to the counter.
func (c *Counter) Inc() { c.count++ }

const limit = 3

var total int

// double returns twice x.
func double(x int) int { return 2 * x }

func main() {
\tc := &Counter{name: "hits"}
\tc.Inc()
\tworkers := double(limit)
\tfmt.Println(c.count, workers, strings.ToUpper(c.name), total)
}
"""


class Session:
    """One server process plus the diagnostics it has published."""

    def __init__(self, client: LanguageClient) -> None:
        self.client = client
        self.diagnostics: asyncio.Queue[lsp.PublishDiagnosticsParams] = asyncio.Queue()
        self.version = 0

    async def next_diagnostics(self) -> list[lsp.Diagnostic]:
        params = await asyncio.wait_for(self.diagnostics.get(), timeout=30)
        assert params.uri == URI
        return list(params.diagnostics)

    def open(self, text: str) -> None:
        self.version = 1
        self.client.text_document_did_open(lsp.DidOpenTextDocumentParams(
            text_document=lsp.TextDocumentItem(uri=URI, language_id="csp", version=1, text=text)))

    def change(self, text: str) -> None:
        self.version += 1
        self.client.text_document_did_change(lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=URI, version=self.version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)]))

    def doc(self) -> lsp.TextDocumentIdentifier:
        return lsp.TextDocumentIdentifier(uri=URI)


def run_session(body: Callable[[Session], Awaitable[None]]) -> None:
    async def main() -> None:
        client = LanguageClient("csp-test-client", "1")
        session = Session(client)

        @client.feature(lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def on_diagnostics(ls: Any, params: lsp.PublishDiagnosticsParams) -> None:
            session.diagnostics.put_nowait(params)

        await client.start_io(sys.executable, "-c", "from csp.lsp import main; main()",
                              cwd=str(ROOT))
        try:
            result = await asyncio.wait_for(client.initialize_async(lsp.InitializeParams(
                capabilities=lsp.ClientCapabilities(), root_uri="file:///tmp/lsp_test")),
                timeout=60)
            caps = result.capabilities
            assert caps.hover_provider
            assert caps.definition_provider
            assert caps.document_symbol_provider
            assert caps.completion_provider is not None
            assert caps.document_formatting_provider is None  # no `csp fmt` yet
            client.initialized(lsp.InitializedParams())
            await body(session)
        finally:
            try:
                await asyncio.wait_for(client.shutdown_async(None), timeout=10)
                client.exit(None)
            finally:
                await asyncio.wait_for(client.stop(), timeout=10)  # type: ignore[no-untyped-call]

    asyncio.run(main())


def rng(l1: int, c1: int, l2: int, c2: int) -> lsp.Range:
    return lsp.Range(start=lsp.Position(line=l1, character=c1),
                     end=lsp.Position(line=l2, character=c2))


def test_diagnostics_follow_the_edits() -> None:
    async def body(s: Session) -> None:
        s.open(TWO_ERRORS)
        diags = await s.next_diagnostics()
        assert [d.message for d in diags] == [
            'cannot use "hello" (untyped string constant) as int value in variable declaration',
            "undefined: undefinedName",
        ]
        # Line 6 is `\tvar n int = "hello"`: the literal spans columns 13-20
        # (0-based, end exclusive); line 7's name spans 16-29.
        assert diags[0].range == rng(5, 13, 5, 20)
        assert diags[1].range == rng(6, 16, 6, 29)
        assert all(d.severity == lsp.DiagnosticSeverity.Error for d in diags)
        assert all(d.source == "csp" for d in diags)

        s.change(ONE_ERROR)
        diags = await s.next_diagnostics()
        assert [(d.message, d.range) for d in diags] == [
            ("undefined: undefinedName", rng(6, 16, 6, 29))]

        s.change(NO_ERROR)
        assert await s.next_diagnostics() == []

        # A syntax error points at a position (here the end of line 7, where
        # the newline is unexpected); the range still covers something
        # visible: the last character of the line.
        s.change(NO_ERROR.replace("fmt.Println(n, n)", "fmt.Println(n, n"))
        diags = await s.next_diagnostics()
        assert [d.message for d in diags] == [
            "syntax error: unexpected newline in argument list; possibly missing comma or )"]
        width = len("\tfmt.Println(n, n")
        assert diags[0].range == rng(6, width - 1, 6, width)

    run_session(body)


def test_diagnostic_columns_are_utf16_units() -> None:
    source = 'package main\n\nfunc main() {\n\ts := "héllo😀"; x := y\n\t_, _ = s, x\n}\n'

    async def body(s: Session) -> None:
        s.open(source)
        diags = await s.next_diagnostics()
        assert [d.message for d in diags] == ["undefined: y"]
        # `\ts := "héllo😀"; x := y`: é is one UTF-16 unit, 😀 two.
        line = source.splitlines()[3]
        start = len(line[: line.index("y")].encode("utf-16-le")) // 2
        assert diags[0].range == rng(3, start, 3, start + 1)

    run_session(body)


def test_hover_definition_symbols() -> None:
    lines = PROGRAM.splitlines()

    def pos(line_text: str, word: str, nth: int = 0) -> lsp.Position:
        row = next(i for i, t in enumerate(lines) if line_text in t)
        col = -1
        for _ in range(nth + 1):
            col = lines[row].index(word, col + 1)
        return lsp.Position(line=row, character=col + 1)

    async def hover(s: Session, p: lsp.Position) -> str:
        h = await s.client.text_document_hover_async(
            lsp.HoverParams(text_document=s.doc(), position=p))
        assert h is not None
        assert isinstance(h.contents, lsp.MarkupContent)
        return h.contents.value

    async def definition(s: Session, p: lsp.Position) -> lsp.Range:
        loc = await s.client.text_document_definition_async(
            lsp.DefinitionParams(text_document=s.doc(), position=p))
        assert isinstance(loc, lsp.Location)
        assert loc.uri == URI
        return loc.range

    async def body(s: Session) -> None:
        s.open(PROGRAM)
        assert await s.next_diagnostics() == []

        text = await hover(s, pos("workers := double", "workers"))
        assert "var workers int" in text
        text = await hover(s, pos("workers := double", "double"))
        assert "func double(int) int" in text
        assert "double returns twice x." in text
        text = await hover(s, pos("c := &Counter", "c"))
        assert "var c *Counter" in text
        text = await hover(s, pos("c.Inc()", "Inc"))
        assert "func Inc()" in text and "Inc adds one to the counter." in text
        text = await hover(s, pos("fmt.Println(c.count", "Println"))
        assert "func fmt.Println" in text
        text = await hover(s, pos("fmt.Println(c.count", "count"))
        assert "field count int" in text
        text = await hover(s, pos("workers := double(limit)", "limit"))
        assert "const limit untyped int = 3" in text

        def decl(line_text: str, word: str) -> lsp.Range:
            p = pos(line_text, word)
            return rng(p.line, p.character - 1, p.line, p.character - 1 + len(word))

        assert await definition(s, pos("workers := double", "double")) == \
            decl("func double", "double")
        assert await definition(s, pos("fmt.Println(c.count, workers", "workers")) == \
            decl("workers := double", "workers")
        assert await definition(s, pos("c.Inc()", "Inc")) == decl("func (c *Counter) Inc", "Inc")
        assert await definition(s, pos("fmt.Println(c.count", "count")) == \
            decl("\tcount int", "count")
        assert await definition(s, pos("c := &Counter", "Counter")) == \
            decl("type Counter struct", "Counter")

        symbols = await s.client.text_document_document_symbol_async(
            lsp.DocumentSymbolParams(text_document=s.doc()))
        assert symbols is not None
        found = {(sym.name, sym.kind) for sym in symbols if isinstance(sym, lsp.DocumentSymbol)}
        assert found == {
            ("Counter", lsp.SymbolKind.Struct),
            ("(*Counter).Inc", lsp.SymbolKind.Method),
            ("limit", lsp.SymbolKind.Constant),
            ("total", lsp.SymbolKind.Variable),
            ("double", lsp.SymbolKind.Function),
            ("main", lsp.SymbolKind.Function),
        }
        counter = next(sym for sym in symbols
                       if isinstance(sym, lsp.DocumentSymbol) and sym.name == "Counter")
        assert [f.name for f in counter.children or []] == ["count", "name"]

    run_session(body)


def test_completion_members_fields_and_names() -> None:
    async def complete(s: Session, line: int, character: int) -> list[lsp.CompletionItem]:
        result = await s.client.text_document_completion_async(lsp.CompletionParams(
            text_document=s.doc(), position=lsp.Position(line=line, character=character)))
        assert isinstance(result, lsp.CompletionList)
        return list(result.items)

    async def body(s: Session) -> None:
        s.open(PROGRAM)
        assert await s.next_diagnostics() == []
        lines = PROGRAM.splitlines()
        row = next(i for i, t in enumerate(lines) if "workers := double" in t)

        # The user types `fmt.` on a new line: the text is in error (here
        # `fmt.` runs into the next line's `fmt`: undefined: fmt.fmt).
        typing = lines[:]
        typing.insert(row + 1, "\tfmt.")
        s.change("\n".join(typing) + "\n")
        assert await s.next_diagnostics() != []
        items = await complete(s, row + 1, len("\tfmt."))
        labels = {i.label for i in items}
        assert {"Println", "Printf", "Sprintf", "Errorf"} <= labels
        println = next(i for i in items if i.label == "Println")
        assert println.kind == lsp.CompletionItemKind.Function
        assert "keyword" not in labels and "main" not in labels

        typing[row + 1] = "\tstrings.To"
        s.change("\n".join(typing) + "\n")
        await s.next_diagnostics()
        labels = {i.label for i in await complete(s, row + 1, len("\tstrings.To"))}
        assert {"ToUpper", "ToLower", "Join"} <= labels

        # Fields and methods of a struct pointer variable.
        typing[row + 1] = "\tc."
        s.change("\n".join(typing) + "\n")
        await s.next_diagnostics()
        items = await complete(s, row + 1, len("\tc."))
        kinds = {i.label: i.kind for i in items}
        assert kinds == {"count": lsp.CompletionItemKind.Field,
                         "name": lsp.CompletionItemKind.Field,
                         "Inc": lsp.CompletionItemKind.Method}

        # At the end of the function `c.` does not parse at all; the
        # completion comes from the text with `.` removed.
        at_end = lines[:]
        at_end.insert(len(lines) - 1, "\tc.")
        s.change("\n".join(at_end) + "\n")
        diags = await s.next_diagnostics()
        assert diags[0].message.startswith("syntax error")
        items = await complete(s, len(lines) - 1, len("\tc."))
        assert {i.label for i in items} == {"count", "name", "Inc"}

        # Names in scope at the start of an empty line inside main.
        typing[row + 1] = "\t"
        s.change("\n".join(typing) + "\n")
        await s.next_diagnostics()
        items = await complete(s, row + 1, 1)
        labels = {i.label for i in items}
        assert {"c", "workers", "double", "limit", "total", "Counter", "fmt", "strings"} <= labels
        assert {"go", "select", "chan", "defer", "len", "make", "int", "nil"} <= labels
        assert "x" not in labels  # double's parameter is not in scope in main
        kinds = {i.label: i.kind for i in items}
        assert kinds["workers"] == lsp.CompletionItemKind.Variable
        assert kinds["double"] == lsp.CompletionItemKind.Function
        assert kinds["go"] == lsp.CompletionItemKind.Keyword

    run_session(body)
