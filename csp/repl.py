"""``csp repl`` (and ``csp`` alone): the interactive prompt, on prompt-toolkit.

The semantics live in csp/session.py; this module is the terminal UI in the
manner of ptpython: syntax highlighting through lang/highlight.py's
Pygments lexer, multi-line input that goes on while brackets are open,
completion (keywords, session names, package members, struct fields and
methods, ``:commands``), a history file (``~/.csp_history``, or
``$CSP_HISTORY``) and suggestions from it.

Invariants:
- Ctrl-C at the prompt drops the input; during an entry it interrupts the
  entry (csp/replmachine.py) and the session goes on; Ctrl-D exits.
- Goroutine output printed while the prompt is shown appears above it
  (patch_stdout), never inside the line being edited.
- ``run_repl`` returns the exit status (0, or os.Exit's code) and never
  raises for anything typed.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any, TextIO

from prompt_toolkit import PromptSession
from prompt_toolkit.auto_suggest import AutoSuggestFromHistory
from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document
from prompt_toolkit.history import FileHistory
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent
from prompt_toolkit.lexers import PygmentsLexer
from prompt_toolkit.patch_stdout import patch_stdout

from csp.session import Session, history_path, input_complete, split_entries
from csp.session_commands import COMMANDS
from lang import keywords as K
from lang.highlight import CspLexer

BANNER = "csp {version} REPL: Go statements and expressions; :help for commands, Ctrl-D to exit.\n"
PROMPT = "csp> "
CONTINUATION = "...  "

class CspCompleter(Completer):
    """Keywords, predeclared names, session names, ``pkg.`` and ``var.``
    members, and ``:commands``."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def get_completions(self, document: Document,
                        complete_event: CompleteEvent) -> Iterable[Completion]:
        import re
        before = document.text_before_cursor
        if before.lstrip().startswith(":") and " " not in before.strip():
            word = before.strip()
            for c in COMMANDS:
                if c.startswith(word):
                    yield Completion(c, -len(word))
            return
        m = re.search(r"([A-Za-z_]\w*)\.(\w*)$", before)
        if m is not None:
            word = m.group(2)
            for name in self.session.members(m.group(1)):
                if name.startswith(word):
                    yield Completion(name, -len(word))
            return
        m = re.search(r"[A-Za-z_]\w*$", before)
        if m is None:
            return
        word = m.group(0)
        pool = set(self.session.names()) | set(K.KEYWORDS) | set(K.PREDECLARED_TYPES) \
            | set(K.BUILTIN_FUNCTIONS) | set(K.BUILTIN_CONSTANTS)
        for name in sorted(pool):
            if name.startswith(word) and name != word:
                yield Completion(name, -len(word))


def _bindings() -> KeyBindings:
    kb = KeyBindings()

    @kb.add("enter")
    @kb.add("c-j")
    def _enter(event: KeyPressEvent) -> None:
        buf = event.current_buffer
        if input_complete(buf.text) and buf.document.is_cursor_at_the_end:
            buf.validate_and_handle()
            return
        line = buf.document.current_line_before_cursor
        indent = line[: len(line) - len(line.lstrip())]
        if line.rstrip().endswith(("{", "(", "[")):
            indent += "\t"
        buf.insert_text("\n" + indent)

    @kb.add("escape", "enter")
    def _force(event: KeyPressEvent) -> None:
        event.current_buffer.validate_and_handle()

    return kb


def run_repl(*, input: Any = None, output: Any = None, stdout: TextIO | None = None,
             stderr: TextIO | None = None, procs: int = 4, seed: int = 1,
             banner: bool = True, session: Session | None = None) -> int:
    """The read-eval-print loop; the exit status.  ``input``/``output`` are
    prompt-toolkit's (tests pass a pipe input and a DummyOutput), ``stdout``
    and ``stderr`` where the session prints (default: sys's, at write time);
    ``session`` an existing session to use (and close at the end)."""
    from csp import __version__
    if session is None:
        session = Session((lambda: stdout) if stdout is not None else None,
                          (lambda: stderr) if stderr is not None else None,
                          procs=procs, seed=seed)
    prompt: PromptSession[str] = PromptSession(
        message=PROMPT,
        multiline=True,
        prompt_continuation=lambda width, line, wrap: CONTINUATION,
        lexer=PygmentsLexer(CspLexer),
        completer=CspCompleter(session),
        complete_while_typing=False,
        history=FileHistory(history_path()),
        auto_suggest=AutoSuggestFromHistory(),
        key_bindings=_bindings(),
        input=input,
        output=output,
        include_default_pygments_style=True,
    )
    if banner:
        session.out.write(BANNER.format(version=__version__))
    try:
        with patch_stdout(raw=True):
            return _loop(session, prompt)
    finally:
        session.close()


def _loop(session: Session, prompt: PromptSession[str]) -> int:
    while True:
        try:
            text = prompt.prompt()
        except KeyboardInterrupt:
            continue
        except EOFError:
            return 0
        try:
            session.execute(text)
        except KeyboardInterrupt:
            session.interrupt()
            session.err.write("interrupted\n")
        if session.exit_code is not None:
            return session.exit_code


def main() -> int:
    """Entry point for ``csp repl``: the interactive loop, or (input not a
    terminal) entries read from stdin, one per complete input."""
    if not sys.stdin.isatty():
        return run_script(sys.stdin.read())
    return run_repl()


def run_script(text: str) -> int:
    """Feed text to a session entry by entry (piped input, no prompt)."""
    session = Session()
    try:
        for entry in split_entries(text):
            session.execute(entry)
            if session.exit_code is not None:
                return session.exit_code
        return 0
    finally:
        session.close()
