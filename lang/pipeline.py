"""Source text to runnable Program: parse, check, compile.

``load(path, source=None) -> LoadResult``: reads the file when source is
None.  On success ``result.program`` is set; otherwise
``result.diagnostics`` holds the errors (syntax, type, or constructs the
compiler does not support), and ``result.source`` the text for carets.
"""

from __future__ import annotations

from typing import Optional

from lang.ast import NO_SPAN, Span
from lang.diagnostics import Diagnostic
from lang.records import field, record
from runtime.program import Program


@record(slots=False)
class LoadResult:
    source: str
    program: Optional[Program] = None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.program is not None


def load(path: str, source: Optional[str] = None, race: bool = False) -> LoadResult:
    import stdlib
    from lang.checker import check
    from lang.compile_base import CompileError
    from lang.compiler import compile_file
    from lang.parser import parse

    if source is None:
        with open(path, encoding="utf-8", errors="surrogateescape") as f:
            source = f.read()
    load_all = getattr(stdlib, "load_all", None)
    if load_all is not None:
        load_all()
    file, diags = parse(path, source)
    if file is None or diags:
        return LoadResult(source, None, list(diags))
    info, diags = check(file)
    if info is None or diags:
        return LoadResult(source, None, list(diags))
    try:
        program = compile_file(file, info)
    except CompileError as e:
        span = getattr(e.node, "span", None)
        if not isinstance(span, Span):
            span = NO_SPAN
        return LoadResult(source, None, [Diagnostic(path, span, e.message)])
    if race:
        from lang.compile_race import instrument
        instrument(program)  # -race: RACE checks before shared accesses
    return LoadResult(source, program, [])
