"""A REPL session: Go entries checked, compiled and run one after another.

The session keeps its declarations (funcs, methods, types, consts) as source
text and its variables as package-level ``var NAME TYPE`` lines; each entry
is compiled inside a synthetic file::

    package main; import __csp_fmt "fmt"; ... func main() { <entry line 1>
    <entry line 2 ...>
    }
    var x int                      <- session variables
    func f() { ... }               <- session declarations

so that the entry's line numbers are the file's (errors and panics point at
what the user typed).  A statement entry is checked twice: first as typed
(pass A, to learn the types of its top-level ``:=``/``var`` variables and of
its expression statements), then rewritten (pass B): top-level variables
become assignments to new session variables, and an expression statement
with a value ``E`` becomes ``{ v := E; Printf("%v (T)\\n", v) }`` -- the echo
format is ``VALUE (TYPE)``, e.g. ``6 (int)``, ``[1 2] ([]int)``, and a
multi-value call shows ``12 <nil> (int, error)``.  Calls of fmt's Print
functions are not echoed (their output is what the user wants to see).

An entry that parses as declarations (func, method, type, const) replaces
session declarations of the same names; ``package main`` and imports are
ignored; a lone ``func main`` runs its body; a pasted mixture is cut into
complete chunks (``split_entries``) that run one by one.

Invariants:
- Package variables live in one list shared by every compilation
  (``compile_file(shared_globals=..., global_slot=...)``); a name declared
  by an entry gets a fresh slot, so goroutines of earlier entries keep the
  variable they had, as Go closures would.
- Imports are implicit: a supported package is imported when its name is
  followed by ``.`` somewhere and does not name a session object.
- Unused variables, imports and values are not errors (checker repl mode).
- Nothing the user types raises out of ``execute``: errors are printed the
  way ``csp run`` prints them and the session goes on.
"""

from __future__ import annotations

import os
import re
import signal
import threading
from collections.abc import Callable
from typing import Any, TextIO

from csp.replmachine import (
    ENTRY_EXIT,
    ENTRY_INTERRUPTED,
    LiveStream,
    ReplMachine,
)
from lang import ast
from lang import info as I
from lang import types as T
from lang.diagnostics import Diagnostic, format_diagnostic, sort_and_limit
from lang.records import record, replace

FILENAME = "<input>"
ECHO_FMT = "__csp_fmt"

HELP = """\
Type Go statements, declarations and expressions; an expression's value is
echoed as VALUE (TYPE).  Packages are imported implicitly.  Goroutines keep
running between entries (real clock).
Commands:
  :goroutines    every goroutine: id, state, wait reason, line
  :channels      channels held by session variables
  :sched         processors, their run queues, the global queue
  :dis NAME      bytecode of function NAME
  :vars          session variables and their types
  :procs N       restart the machine with N processors (GOMAXPROCS)
  :seed N        reseed the scheduler's random choices
  :reset         forget everything (declarations, variables, goroutines)
  :load FILE     load a file's declarations and run its main body
  :help          this text
Ctrl-C cancels the input or interrupts a running entry; Ctrl-D exits.
"""


@record(slots=False)
class SessionDecl:
    keys: tuple[str, ...]
    text: str


@record(slots=False)
class SessionVar:
    type: T.Type
    source: str  # the type as Go source in the synthetic file
    slot: int


def type_source(t: T.Type) -> str:
    """The type as the synthetic file spells it (main.T is just T)."""
    return re.sub(r"\bmain\.", "", str(t))


def _offsets(text: str) -> list[int]:
    starts = [0]
    for i, ch in enumerate(text):
        if ch == "\n":
            starts.append(i + 1)
    return starts


class Session:
    """One interactive session; ``execute(text)`` runs an entry or command."""

    def __init__(self, stdout: Callable[[], TextIO] | None = None,
                 stderr: Callable[[], TextIO] | None = None, *,
                 procs: int = 4, seed: int = 1) -> None:
        import sys

        import stdlib
        from lang.parser import get_parser
        stdlib.load_all()
        get_parser()  # build the parser now, not in the first entry
        self.interrupt_requested = False
        self.out = LiveStream(stdout or (lambda: sys.stdout))
        self.err = LiveStream(stderr or (lambda: sys.stderr))
        self.procs = procs
        self.seed = seed
        self._fresh()

    def _fresh(self) -> None:
        self.decls: list[SessionDecl] = []
        self.vars: dict[str, SessionVar] = {}
        self.globals: list[Any] = []
        self.program: Any = None
        self.decl_types: dict[str, T.Type] = {}
        self.machine = ReplMachine(self.out, self.err, procs=self.procs, seed=self.seed)

    @property
    def exit_code(self) -> int | None:
        return self.machine.exit_code

    def close(self) -> None:
        self.machine.close()

    # -- entry points ------------------------------------------------------
    def execute(self, text: str) -> bool:
        """Run one entry or ``:command``; False when it failed."""
        stripped = text.strip()
        if not stripped:
            return True
        self.interrupt_requested = False
        if stripped.startswith(":"):
            from csp.session_commands import run_command
            return run_command(self, stripped)
        # Ctrl-C (SIGINT) interrupts the entry through a flag the machine
        # polls: a KeyboardInterrupt raised inside lock code could leave the
        # machine's lock held.
        restore = None
        if threading.current_thread() is threading.main_thread():
            try:
                restore = signal.signal(signal.SIGINT, lambda _s, _f: self._sigint())
            except ValueError:
                restore = None
        try:
            return self._execute(text)
        except RecursionError:
            self.err.write("csp: entry too deeply nested\n")
            return False
        finally:
            if restore is not None:
                signal.signal(signal.SIGINT, restore)

    def interrupt(self) -> None:
        self.machine.interrupt()

    def _sigint(self) -> None:
        # Ctrl-C while the entry is still being compiled must not be lost.
        self.interrupt_requested = True
        self.machine.interrupt()

    def reset(self) -> None:
        self.machine.close()
        self._fresh()

    # -- classification -------------------------------------------------------
    def _execute(self, text: str) -> bool:
        from lang.parser import parse
        if re.match(r"\s*package\s+main\s*(;|$)", text):
            text = re.sub(r"^\s*package\s+main\s*;?", "", text, count=1)
            if not text.strip():
                return True
        probe, diags = parse(FILENAME, "package main; " + text)
        if probe is not None and not diags and probe.decls and not any(
                isinstance(d, ast.GenDecl) and d.tok == "var" for d in probe.decls):
            main = [d for d in probe.decls if isinstance(d, ast.FuncDecl)
                    and d.recv is None and d.name.name == "main" and d.body is not None]
            if len(probe.decls) == 1 and main and main[0].body is not None:
                # A pasted func main: run its body, whose variables stay.
                b = main[0].body
                return self._statements(_slice("package main; " + text, ast.Span(
                    b.span.line, b.span.col + 1, b.rbrace.line, b.rbrace.col)))
            return self._declare(text, probe)
        chunks = split_entries(text)
        if len(chunks) > 1:
            # A pasted mixture of declarations and statements: one by one.
            for chunk in chunks:
                if not self._execute(chunk) or self.exit_code is not None:
                    return False
            return True
        return self._statements(text)

    # -- synthetic files -------------------------------------------------------
    def _imports(self, *texts: str) -> str:
        from stdlib.registry import PACKAGES
        body = "\n".join(texts)
        taken = set(self.vars) | {k for d in self.decls for k in d.keys}
        parts = [f'import {ECHO_FMT} "fmt";']
        for path, pkg in sorted(PACKAGES.items()):
            if pkg.name in taken:
                continue
            if re.search(r"(?<![\w.])" + re.escape(pkg.name) + r"\s*\.", body):
                parts.append(f'import "{path}";')
        return "package main; " + " ".join(parts) + " "

    def _rest(self, skip: set[str] | None = None) -> str:
        lines = [f"var {n} {v.source}" for n, v in self.vars.items()
                 if skip is None or n not in skip]
        lines += [d.text for d in self.decls]
        return "\n".join(lines) + "\n"

    def _report(self, diags: list[Diagnostic], prefix: str, text: str) -> None:
        shown, more = sort_and_limit(list(diags))
        nlines = text.count("\n") + 1
        for d in shown:
            if d.span.line <= nlines:
                if d.span.line == 1:
                    col = max(d.span.col - len(prefix), 1)
                    d = replace(d, span=replace(d.span, col=col))
                self.err.write(format_diagnostic(replace(d, filename=FILENAME), text) + "\n")
            else:
                self.err.write(f"<session>: {d.message}\n")
        if more:
            self.err.write("too many errors\n")

    def _check(self, source: str) -> tuple[ast.File | None, I.TypeInfo | None,
                                          list[Diagnostic]]:
        from lang.checker import check
        from lang.parser import parse
        f, diags = parse(FILENAME, source)
        if f is None or diags:
            return None, None, list(diags)
        info, diags = check(f, repl=True)
        return f, info, list(diags)

    def _compile(self, f: ast.File, info: I.TypeInfo, fresh: set[str]) -> Any:
        from lang.compile_base import CompileError, zero_value
        from lang.compiler import compile_file
        from runtime.values import copy_value

        new_slots: dict[str, int] = {}

        def slot(v: I.Var) -> int:
            old = self.vars.get(v.name)
            if old is not None and v.name not in fresh:
                return old.slot
            self.globals.append(copy_value(zero_value(v.type)))
            new_slots[v.name] = len(self.globals) - 1
            return new_slots[v.name]

        try:
            program = compile_file(f, info, shared_globals=self.globals, global_slot=slot)
        except CompileError as e:
            span = getattr(e.node, "span", None)
            if not isinstance(span, ast.Span):
                span = ast.NO_SPAN
            return [Diagnostic(FILENAME, span, e.message)]
        self.program = program
        return program, new_slots

    # -- declarations ------------------------------------------------------------
    def _declare(self, text: str, probe: ast.File) -> bool:
        keys: list[str] = []
        body = text
        starts = _offsets("package main; " + text)
        for d in probe.decls:
            if isinstance(d, ast.GenDecl) and d.tok == "import":
                # Imports are implicit: blank the explicit ones out.
                a = starts[d.span.line - 1] + d.span.col - 1 - len("package main; ")
                b = starts[d.span.end_line - 1] + d.span.end_col - 1 - len("package main; ")
                body = body[:a] + re.sub(r"[^\n]", " ", body[a:b]) + body[b:]
                continue
            keys.extend(_decl_keys(d, "package main; " + text))
        if not keys:
            return True
        if "main" in keys or "init" in keys:
            self.err.write(f"{FILENAME}: main and init cannot be declared in the REPL\n")
            return False
        kept = [d for d in self.decls if not set(d.keys) & set(keys)]
        old_decls = self.decls
        self.decls = kept
        prefix = self._imports(body, self._rest(set(keys)))
        source = prefix + body + "\nfunc main() {}\n" + self._rest(set(keys))
        self.decls = old_decls
        f, info, diags = self._check(source)
        if f is None or info is None or diags:
            self._report(diags, prefix, body)
            return False
        result = self._compile(f, info, set())
        if isinstance(result, list):
            self._report(result, prefix, body)
            return False
        self.decls = [*kept, SessionDecl(tuple(keys), body.strip("\n"))]
        for k in keys:
            self.vars.pop(k, None)
        self._note_types(info)
        return True

    def _note_types(self, info: I.TypeInfo) -> None:
        for ident, obj in info.defs.items():
            if isinstance(obj, I.TypeName):
                self.decl_types[ident.name] = obj.type

    # -- statements ----------------------------------------------------------------
    def _statements(self, text: str) -> bool:
        prefix = self._imports(text, self._rest())
        head = prefix + "func main() { "
        source = head + text + "\n}\n" + self._rest()
        f, info, diags = self._check(source)
        if f is None or info is None or diags:
            self._report(diags, head, text)
            return False
        main = next(d for d in f.decls if isinstance(d, ast.FuncDecl) and d.name.name == "main")
        assert main.body is not None
        hoisted: dict[str, T.Type] = {}
        edits: list[tuple[ast.Span, str]] = []
        echo_count = 0
        for st in main.body.stmts:
            if isinstance(st, ast.AssignStmt) and st.op == ":=":
                for e in st.lhs:
                    v = info.defs.get(e) if isinstance(e, ast.Ident) else None
                    if isinstance(v, I.Var) and v.name != "_":
                        hoisted[v.name] = v.type
                edits.append((st.op_span, "="))
            elif isinstance(st, ast.DeclStmt) and st.decl.tok == "var":
                assigns = []
                for spec in st.decl.specs:
                    if not isinstance(spec, ast.ValueSpec):
                        continue
                    for n in spec.names:
                        v = info.defs.get(n)
                        if isinstance(v, I.Var) and n.name != "_":
                            hoisted[n.name] = v.type
                    if spec.values:
                        names = ", ".join(n.name for n in spec.names)
                        first, last = spec.values[0].span, spec.values[-1].span
                        span = ast.Span(first.line, first.col, last.end_line, last.end_col)
                        assigns.append(f"{names} = {_slice(source, span)}")
                edits.append((st.span, "; ".join(assigns)))
            elif isinstance(st, ast.ExprStmt):
                if _is_print_call(st.x):
                    continue  # fmt.Println(...) shows its output, not (n, err)
                t = info.types.get(st.x)
                types = list(t.types) if isinstance(t, T.Tuple) else ([t] if t else [])
                if not types:
                    continue
                temps = [f"__csp_e{echo_count}_{i}" for i in range(len(types))]
                echo_count += 1
                shown = ", ".join(type_source(x) for x in types)
                fmt = " ".join(["%v"] * len(types)) + f" ({shown})"
                fmt = fmt.replace("\\", "\\\\").replace('"', '\\"')
                edits.append((st.span, "{ " + ", ".join(temps) + " := " + _slice(source, st.span)
                              + f'; {ECHO_FMT}.Printf("{fmt}\\n", ' + ", ".join(temps) + ") }"))
        for name, t in hoisted.items():
            if isinstance(t, T.Named) and t.pkg == "main" and t.name not in {
                    k for d in self.decls for k in d.keys}:
                self.err.write(f"{FILENAME}: {name}: a variable of a type declared inside "
                               "an entry cannot outlive it; declare the type on its own\n")
                return False
        rewritten = _apply(source, edits)
        rewritten = rewritten[:len(rewritten) - len(self._rest())]
        new_vars = "".join(f"var {n} {type_source(t)}\n" for n, t in hoisted.items())
        source_b = rewritten + new_vars + self._rest(set(hoisted))
        f2, info2, diags2 = self._check(source_b)
        if f2 is None or info2 is None or diags2:
            self._report(diags2, head, text)
            return False
        result = self._compile(f2, info2, set(hoisted))
        if isinstance(result, list):
            self._report(result, head, text)
            return False
        program, new_slots = result
        for name, t in hoisted.items():
            self.vars.pop(name, None)
            self.vars[name] = SessionVar(t, type_source(t), new_slots[name])
        if self.interrupt_requested:
            self.err.write("interrupted\n")
            return False
        outcome = self.machine.run_entry(program.entry)
        self.out.flush()
        if outcome == ENTRY_INTERRUPTED:
            self.err.write("interrupted\n")
        if outcome == ENTRY_EXIT:
            return True
        return outcome == "ok"

    # -- introspection for completion ---------------------------------------------
    def names(self) -> list[str]:
        """Session variables, declarations and package names."""
        from stdlib.registry import PACKAGES
        out = list(self.vars)
        for d in self.decls:
            out.extend(k for k in d.keys if not k.startswith("("))
        out.extend(p.name for p in PACKAGES.values())
        return sorted(set(out))

    def members(self, name: str) -> list[str]:
        """What may follow ``name.``: package members, fields and methods."""
        from stdlib.registry import PACKAGES
        if name not in self.vars:
            for p in PACKAGES.values():
                if p.name == name:
                    return sorted(m for m in p.members if m[:1].isupper())
        v = self.vars.get(name)
        if v is None:
            return []
        t: Any = v.type
        if isinstance(t, T.Pointer):
            t = t.elem
        out: list[str] = []
        if isinstance(t, T.Named):
            out.extend(t.methods)
            t = t.underlying
        if isinstance(t, T.Struct):
            out.extend(f.name for f in t.fields)
        return sorted(set(out))


_OPEN = "([{"
_CLOSE = ")]}"


def input_complete(text: str) -> bool:
    """True when every bracket is closed and no string or comment is open
    (the input is then handed to the session; a syntax error is its job)."""
    depth = 0
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch == "`":
            j = text.find("`", i + 1)
            if j < 0:
                return False
            i = j + 1
            continue
        if text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return False
            i = j + 2
            continue
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth -= 1
        i += 1
    return depth <= 0


def split_entries(text: str) -> list[str]:
    """Text cut into entries: a line ends an entry when every bracket is
    closed (as Enter does at the prompt); a trailing unclosed part is one
    more entry (its syntax error is then reported)."""
    entries: list[str] = []
    pending = ""
    for line in text.splitlines(keepends=True):
        pending += line
        if input_complete(pending):
            if pending.strip():
                entries.append(pending)
            pending = ""
    if pending.strip():
        entries.append(pending)
    return entries


def _is_print_call(x: Any) -> bool:
    return (isinstance(x, ast.Call) and isinstance(x.fun, ast.Selector)
            and isinstance(x.fun.x, ast.Ident) and x.fun.x.name == "fmt"
            and "Print" in x.fun.sel.name)


def _slice(source: str, span: ast.Span) -> str:
    starts = _offsets(source)
    a = starts[span.line - 1] + span.col - 1
    b = starts[span.end_line - 1] + span.end_col - 1
    return source[a:b]


def _apply(source: str, edits: list[tuple[ast.Span, str]]) -> str:
    """Replace each span's text, last first so earlier offsets hold."""
    starts = _offsets(source)
    ranges = []
    for span, new in edits:
        a = starts[span.line - 1] + span.col - 1
        b = starts[span.end_line - 1] + span.end_col - 1
        ranges.append((a, b, new))
    for a, b, new in sorted(ranges, reverse=True):
        # Keep the line structure: line numbers must not move.
        newlines = source[a:b].count("\n") - new.count("\n")
        source = source[:a] + new + "\n" * max(newlines, 0) + source[b:]
    return source


def _decl_keys(d: Any, source: str) -> list[str]:
    if isinstance(d, ast.FuncDecl):
        if d.recv is None:
            return [d.name.name]
        recv = _slice(source, d.recv.type.span).lstrip("*").strip()
        return [f"({recv}).{d.name.name}"]
    keys: list[str] = []
    if isinstance(d, ast.GenDecl):
        for spec in d.specs:
            if isinstance(spec, ast.TypeSpec):
                keys.append(spec.name.name)
            elif isinstance(spec, ast.ValueSpec):
                keys.extend(n.name for n in spec.names)
    return keys


def history_path() -> str:
    return os.environ.get("CSP_HISTORY") or os.path.expanduser("~/.csp_history")
