"""Compile-time diagnostics: errors as values carrying source spans.

Invariants:
- Every error found before running (syntax or type) is a ``Diagnostic``;
  only the CLI prints them, through ``format_diagnostic``.
- Diagnostics are reported sorted by position, at most ``MAX_ERRORS`` of
  them followed by ``too many errors``, as Go's compiler does.
"""

from __future__ import annotations

from lang.ast import Span
from lang.records import record

MAX_ERRORS = 10


@record(frozen=True)
class Diagnostic:
    filename: str
    span: Span
    message: str

    def header(self) -> str:
        """``prog.csp:3:5: message``, the line Go prints."""
        return f"{self.filename}:{self.span.line}:{self.span.col}: {self.message}"


def format_diagnostic(d: Diagnostic, source: str, caret: bool = True) -> str:
    """The Go-style header line, then (with caret) the source line and a
    caret under the column, as Rust and Elm do; Go prints only the header."""
    out = d.header()
    if not caret:
        return out
    lines = source.splitlines()
    if 1 <= d.span.line <= len(lines):
        text = lines[d.span.line - 1]
        # Keep tabs so the caret lines up under the same indentation.
        pad = "".join("\t" if ch == "\t" else " " for ch in text[: max(d.span.col - 1, 0)])
        out += f"\n    {text}\n    {pad}^"
    return out


def sort_and_limit(diags: list[Diagnostic]) -> tuple[list[Diagnostic], bool]:
    """Sort by position; return at most MAX_ERRORS and whether more exist."""
    ds = sorted(diags, key=lambda d: (d.span.line, d.span.col))
    # Go reports one error per line at most.
    seen: set[int] = set()
    uniq = []
    for d in ds:
        if d.span.line in seen:
            continue
        seen.add(d.span.line)
        uniq.append(d)
    return uniq[:MAX_ERRORS], len(uniq) > MAX_ERRORS
