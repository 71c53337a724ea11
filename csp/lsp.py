# The csp language server (`csp lsp`): LSP over stdio on pygls.  Features:
# diagnostics from the parser and checker as you type, hover (type and doc
# comment), go to definition, document symbols, completion.  The analysis
# itself lives in csp/lsp_analysis.py and csp/lsp_complete.py.
#
# Invariants:
# - Documents are analysed on open and on every change (full sync); the
#   diagnostics published for a URI always describe its latest text, and an
#   empty list is published when the last error is fixed.
# - The last analysis that parsed is kept per URI, so completion and hover
#   still work while the current text has a syntax error.
# - A handler never lets an exception reach the client: the editor gets an
#   empty answer and the server keeps running.
# - `csp fmt` does not exist, so no formatting provider is announced.
from __future__ import annotations

import sys
from typing import Any

try:
    from lsprotocol import types as lsp
    from pygls.lsp.server import LanguageServer
except ImportError:  # pragma: no cover - depends on the environment
    lsp = None  # type: ignore[assignment]
    LanguageServer = None  # type: ignore[assignment,misc]

SERVER_NAME = "csp-lsp"


def _version() -> str:
    try:
        from csp import __version__

        return str(__version__)
    except ImportError:
        return "0"


def build_server() -> Any:
    """A LanguageServer with every csp feature registered."""
    from csp.lsp_analysis import (
        Analysis,
        analyze,
        definition,
        document_symbols,
        hover,
        lsp_diagnostics,
    )
    from csp.lsp_complete import completion

    server = LanguageServer(SERVER_NAME, _version(),
                            text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
    current: dict[str, Analysis] = {}
    last_good: dict[str, Analysis] = {}

    def filename_of(uri: str) -> str:
        # Diagnostics messages never show it, but the parser wants one.
        return uri.rsplit("/", 1)[-1] or "prog.csp"

    def refresh(ls: Any, uri: str) -> None:
        doc = ls.workspace.get_text_document(uri)
        a = analyze(filename_of(uri), doc.source)
        current[uri] = a
        if a.syntax_ok and a.info is not None:
            last_good[uri] = a
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=doc.version,
                                         diagnostics=lsp_diagnostics(a))
        )

    def analysis(ls: Any, uri: str) -> Analysis:
        a = current.get(uri)
        if a is None:
            doc = ls.workspace.get_text_document(uri)
            a = analyze(filename_of(uri), doc.source)
            current[uri] = a
        return a

    def for_lookup(ls: Any, uri: str) -> Analysis:
        """The current analysis when it has type information, else the last
        one that parsed (positions may be slightly stale while typing)."""
        a = analysis(ls, uri)
        if a.info is None and uri in last_good:
            return last_good[uri]
        return a

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: Any, params: lsp.DidOpenTextDocumentParams) -> None:
        refresh(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: Any, params: lsp.DidChangeTextDocumentParams) -> None:
        refresh(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: Any, params: lsp.DidSaveTextDocumentParams) -> None:
        refresh(ls, params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: Any, params: lsp.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        current.pop(uri, None)
        last_good.pop(uri, None)
        ls.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def on_hover(ls: Any, params: lsp.HoverParams) -> lsp.Hover | None:
        try:
            return hover(for_lookup(ls, params.text_document.uri), params.position)
        except Exception:
            return None

    @server.feature(lsp.TEXT_DOCUMENT_DEFINITION)
    def on_definition(ls: Any, params: lsp.DefinitionParams) -> lsp.Location | None:
        uri = params.text_document.uri
        try:
            return definition(for_lookup(ls, uri), uri, params.position)
        except Exception:
            return None

    @server.feature(lsp.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
    def on_symbols(ls: Any, params: lsp.DocumentSymbolParams) -> list[lsp.DocumentSymbol]:
        uri = params.text_document.uri
        try:
            a = analysis(ls, uri)
            return document_symbols(a if a.file is not None else last_good.get(uri, a))
        except Exception:
            return []

    @server.feature(lsp.TEXT_DOCUMENT_COMPLETION,
                    lsp.CompletionOptions(trigger_characters=["."]))
    def on_completion(ls: Any, params: lsp.CompletionParams) -> lsp.CompletionList:
        uri = params.text_document.uri
        try:
            return completion(analysis(ls, uri), last_good.get(uri), params.position)
        except Exception:
            return lsp.CompletionList(is_incomplete=False, items=[])

    return server


def main() -> int:
    """Serve LSP over stdin/stdout until the client says exit."""
    if LanguageServer is None:
        print("csp lsp: the language server needs pygls (pip install pygls)", file=sys.stderr)
        return 1
    build_server().start_io()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
