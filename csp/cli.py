"""The csp command line: ``csp run | check | dis | version | help | repl | lsp``.

Invariants:
- ``main(argv)`` returns the exit status and never raises: the console
  script and ``python -m csp`` pass it to ``sys.exit``, tests call it
  in-process.  Everything is written to ``sys.stdout``/``sys.stderr`` as
  they are at call time, so tests can capture them.
- No Python traceback reaches the user.  An unexpected exception is
  reported as ``csp: internal error: <Type>: <message>`` with how to
  report it; ``--debug`` (or CSP_DEBUG=1) adds the traceback.
- Exit statuses, as Go tools and Go programs use them:
    0    success
    1    compile errors (``file:line:col: message``, at most 10)
    2    bad usage, unreadable file, Go panic / fatal error (deadlock,
         stack overflow), internal error
    3-7  a run limit (runtime/limits.py): 3 --timeout, 4 --max-steps,
         5 --max-goroutines, 6 --max-memory, 7 --max-output
    N    ``os.Exit(N)``; 66 when ``-race`` found a race
    8    ``--leaks=error`` found goroutines blocked forever at exit
    130  interrupted (Ctrl-C); 141 stdout closed early (broken pipe)
- Paths in messages are the paths the user typed (the conformance runner
  matches basenames, students recognise their own spelling).
- The compiler and the VM are imported lazily inside the commands, so
  ``csp version`` and ``csp help`` start fast and an import failure in a
  pipeline stage is an internal error like any other.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, NoReturn, TextIO

from csp import __version__
from lang import records
from lang.records import record

if TYPE_CHECKING:
    from lang.diagnostics import Diagnostic
    from runtime.program import Program
    from runtime.run import RunOptions

EXIT_OK = 0
EXIT_COMPILE = 1
EXIT_FAILURE = 2  # usage, panics, step budget, internal errors
EXIT_INTERRUPTED = 130  # 128 + SIGINT, what a shell shows for Ctrl-C
EXIT_STEP_LIMIT = 4  # --max-steps; the other limits: runtime/limits.py EXIT_CODES
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a Go program dies with

DEFAULT_SEED = 1
DEFAULT_PROCS = 4

TOP_USAGE = """\
csp is an educational interpreter for Go-style concurrency: it runs a
subset of Go on a simulated machine (processors, run queues, virtual time).

Usage:

\tcsp <command> [arguments]

The commands are:

\trun         compile and run a .csp program
\tcheck       report compile errors without running
\tdis         print the bytecode a program compiles to
\ttest        run TestXxx/BenchmarkXxx functions of NAME_test.csp files
\texplore     run a program under many schedules and list the outcomes
\tstep        be the scheduler: run goroutines one step at a time
\texercise    classroom exercises: list, start, check, hint
\tversion     print csp's version
\trepl        interactive prompt (also: csp with no arguments)
\tkernel      install the Jupyter kernel (csp kernel install)
\thelp        show help for a command

Use "csp help <command>" for more information about a command.
"""

RUN_DESCRIPTION = """\
Run compiles FILE.csp and runs it.  The program's standard output and
standard error pass through; arguments after the file (or after --) are the
program's os.Args[1:].

The exit status is the program's: 0, 2 after a panic or a fatal error such
as a deadlock or a stack overflow, the argument of os.Exit.  Compile errors
are printed as FILE:LINE:COL: message (with the source line and a caret)
and exit 1.

Limits: a program that passes --timeout, --max-steps, --max-goroutines,
--max-memory or --max-output stops; what it printed stays on stdout, then
stderr gets "csp: program exceeded --FLAG=VALUE (raise it with --FLAG)" and
a goroutine dump.  Exit status: 3 timeout, 4 max-steps, 5 max-goroutines,
6 max-memory, 7 max-output.  Recursion deeper than 1,000,000 frames is Go's
"fatal error: stack overflow" (exit 2).  Ctrl-C stops the program with
"signal: interrupt" and exit 130 (with --debug, plus a goroutine dump).

Every run is reproducible: the schedule, select choices and math/rand
depend only on the program, its input and --seed.
"""

RUN_EPILOG = """\
Not yet supported (they arrive with later issues; accepted now, with a note
on stderr when the runtime cannot honour them): -race, --preempt,
--clock=real.
"""


class UsageError(Exception):
    """A bad command line: printed with the command's usage line, exit 2."""

    def __init__(self, message: str, usage: str, command: str) -> None:
        super().__init__(message)
        self.message = message
        self.usage = usage
        self.command = command


class _ParserExit(Exception):
    """argparse asked to exit (after -h): carry the status out."""

    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser that raises instead of calling sys.exit, so that
    main() stays in control of the exit status and of what is printed."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage().strip(), self.prog)

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _ParserExit(status)


@record(slots=False)
class Session:
    """What the top-level error handlers need to know about this call."""

    debug: bool = False
    command: str = ""
    file: str | None = None  # the file being processed, for bug reports


# ---------------------------------------------------------------- argument types


def _int_flag(minimum: int | None) -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text, 0)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid integer {text!r}") from None
        if minimum is not None and value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    parse.__name__ = "integer"
    return parse


def _flag(parser: argparse.ArgumentParser, name: str, **kwargs: object) -> None:
    """Declare a flag under both spellings Go users type: -name and --name."""
    parser.add_argument(f"-{name}", f"--{name}", **kwargs)  # type: ignore[arg-type]


def _new_parser(command: str, usage: str, description: str, epilog: str | None = None) -> _Parser:
    return _Parser(
        prog=f"csp {command}",
        usage=usage,
        description=description,
        epilog=epilog,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )


def _debug_flag(parser: argparse.ArgumentParser) -> None:
    _flag(parser, "debug", action="store_true",
          help="show Python tracebacks for internal errors (for reporting csp bugs)")


def build_run_parser() -> _Parser:
    p = _new_parser("run", "csp run [flags] FILE.csp [-- args...]", RUN_DESCRIPTION, RUN_EPILOG)
    _flag(p, "seed", type=_int_flag(None), default=DEFAULT_SEED, metavar="N",
          help=f"seed for the scheduler, select and math/rand (default {DEFAULT_SEED})")
    _flag(p, "procs", type=_int_flag(1), default=DEFAULT_PROCS, metavar="N",
          help=f"number of simulated processors, GOMAXPROCS (default {DEFAULT_PROCS})")
    _flag(p, "max-steps", dest="max_steps", type=_int_flag(1), default=None, metavar="N",
          help="stop the program after about N VM instructions (exit 4; default: no limit)")
    _limit_flags(p)
    _flag(p, "race", action="store_true",
          help="detect data races, reporting WARNING: DATA RACE and exiting 66")
    _flag(p, "leaks", choices=("off", "warn", "error"), default="warn",
          help="goroutines blocked forever when main returns: warn lists them on "
               "stderr; error also exits 8 (default warn)")
    _flag(p, "slice", dest="slice_units", type=_int_flag(1), default=0, metavar="N",
          help="instruction units a processor runs before the others catch up "
               "(default 2000); small values interleave goroutines finely, as "
               "csp explore does")
    _flag(p, "preempt", choices=("async", "cooperative"), default="async",
          help="async: goroutines are preempted after a time slice (Go >= 1.14); "
               "cooperative: they switch only at calls, channel operations and "
               "runtime.Gosched (default async)")
    _flag(p, "clock", choices=("virtual", "real"), default="virtual",
          help="virtual: time.Sleep and timers advance a simulated clock instantly; "
               "real: sleeps and time.Now follow the wall clock (default virtual)")
    _flag(p, "schedtrace", dest="schedtrace", type=_int_flag(1), default=0, metavar="MS",
          help="print Go's SCHED line (GODEBUG=schedtrace) on stderr every MS "
               "milliseconds of virtual time")
    _flag(p, "trace", default=None, metavar="FILE",
          help="write a Chrome/Perfetto trace of the scheduler (open it in ui.perfetto.dev)")
    _flag(p, "timeline", default=None, metavar="FILE",
          help="write a self-contained HTML timeline of the scheduler")
    _flag(p, "record", nargs="?", const="-", default=None, metavar="FILE",
          help="print the run's schedule string (for --replay) on stderr at exit, "
               "or write it to FILE")
    _flag(p, "replay", default=None, metavar="SCHEDULE",
          help="rerun exactly the schedule printed by --record or csp explore "
               "(a string, or @FILE)")
    p.add_argument("-v", "--verbose", action="store_true",
                   help="print the seed and machine settings on stderr before running")
    _debug_flag(p)
    p.add_argument("file", metavar="FILE.csp", nargs="?", help="the program to run")
    p.add_argument("args", nargs=argparse.REMAINDER, help=argparse.SUPPRESS)
    return p


def _limit_flags(p: argparse.ArgumentParser) -> None:
    """The run limits of runtime/limits.py (see README "Limits and safety")."""
    from runtime import limits as L

    def typed(parse: Callable[[str], object], name: str) -> Callable[[str], object]:
        def convert(text: str) -> object:
            try:
                return parse(text)
            except ValueError as e:
                raise argparse.ArgumentTypeError(str(e)) from None
        convert.__name__ = name
        return convert

    _flag(p, "timeout", type=typed(L.parse_duration, "duration"), default=None,
          metavar="DURATION",
          help="stop the program after this much wall-clock time, Go syntax: 2s, "
               f"500ms, 1m30s; a bare number is seconds (exit {L.EXIT_TIMEOUT}; "
               "default: no limit)")
    _flag(p, "max-goroutines", dest="max_goroutines", type=_int_flag(1),
          default=L.DEFAULT_MAX_GOROUTINES, metavar="N",
          help=f"stop the program when it has N live goroutines and starts another "
               f"(exit {L.EXIT_GOROUTINES}; default {L.DEFAULT_MAX_GOROUTINES})")
    _flag(p, "max-memory", dest="max_memory", type=typed(L.parse_size, "size"),
          default=L.DEFAULT_MAX_MEMORY, metavar="SIZE",
          help="stop the program when the interpreter's memory has grown by SIZE "
               "since it started (an estimate, checked at slice growth and every "
               f"50ms; 512MiB, 2GB, ...; exit {L.EXIT_MEMORY}; default "
               f"{L.format_size(L.DEFAULT_MAX_MEMORY)})")
    _flag(p, "max-output", dest="max_output", type=typed(L.parse_size, "size"),
          default=None, metavar="SIZE",
          help="stop the program after SIZE bytes of standard output; what fits "
               f"is written (exit {L.EXIT_OUTPUT}; default: no limit)")


def build_check_parser() -> _Parser:
    p = _new_parser(
        "check", "csp check [flags] FILE.csp...",
        "Check compiles each file and prints its compile errors, as\n"
        "FILE:LINE:COL: message with the source line and a caret.\n"
        "It prints nothing and exits 0 when every file compiles; else it exits 1.")
    _debug_flag(p)
    p.add_argument("files", metavar="FILE.csp", nargs="+", help="programs to check")
    return p


def build_dis_parser() -> _Parser:
    p = _new_parser(
        "dis", "csp dis [flags] FILE.csp",
        "Dis compiles FILE.csp and prints its bytecode: every function's\n"
        "instructions with their operands and source lines.")
    _debug_flag(p)
    p.add_argument("file", metavar="FILE.csp", nargs="?", help="the program to disassemble")
    return p


def build_version_parser() -> _Parser:
    return _new_parser("version", "csp version", "Version prints csp's version.")


def build_repl_parser() -> _Parser:
    return _new_parser(
        "repl", "csp repl",
        "Repl starts an interactive prompt for Go statements, declarations and\n"
        "expressions (csp with no arguments does the same).  Goroutines keep\n"
        "running between entries; :help lists the commands.  With standard\n"
        "input not a terminal, it runs the entries read from it.")


def build_kernel_parser() -> _Parser:
    p = _new_parser(
        "kernel", "csp kernel install [--user | --prefix DIR]",
        "Kernel installs the Jupyter kernelspec named csp (needs the jupyter\n"
        "extra: pip install 'csp[jupyter]'); notebooks then run csp cells with\n"
        "the REPL's semantics.")
    p.add_argument("action", choices=("install",), help="what to do")
    where = p.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for this user only")
    where.add_argument("--prefix", metavar="DIR",
                       help="install under DIR/share/jupyter/kernels")
    return p


def build_lsp_parser() -> _Parser:
    p = _new_parser(
        "lsp", "csp lsp [--stdio]",
        "Lsp serves the Language Server Protocol on standard input and output,\n"
        "for editors (editors/vscode starts it): compile errors as you type,\n"
        "hover, go to definition, symbols, completion.")
    p.add_argument("--stdio", action="store_true",
                   help="accepted for language clients that pass it; stdio is the only transport")
    return p


PARSERS: dict[str, Callable[[], _Parser]] = {
    "run": build_run_parser,
    "check": build_check_parser,
    "dis": build_dis_parser,
    "version": build_version_parser,
    "repl": build_repl_parser,
    "lsp": build_lsp_parser,
    "kernel": build_kernel_parser,
}


# ---------------------------------------------------------------- loading programs


class _Unreadable(Exception):
    """The file named on the command line could not be read."""


def read_source(path: str) -> tuple[str, Diagnostic | None]:
    """The file's text, or (best-effort text, diagnostic) when it is not
    UTF-8, reported where the first bad byte is, as Go's compiler does."""
    from lang.ast import Span
    from lang.diagnostics import Diagnostic

    try:
        with open(path, "rb") as fh:
            data = fh.read()
    except OSError as e:
        reason = (e.strerror or str(e)).lower()
        raise _Unreadable(f"open {path}: {reason}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        col = e.start - (data.rfind(b"\n", 0, e.start) + 1) + 1
        span = Span(line, col, line, col + 1)
        return data.decode("utf-8", "replace"), Diagnostic(path, span, "invalid UTF-8 encoding")
    # Go ignores a byte order mark at the start of a file.
    return text.removeprefix("\ufeff"), None


def print_diagnostics(diags: Sequence[Diagnostic], source: str, path: str) -> None:
    """Go's order and limit (sorted, one per line, at most 10 then ``too
    many errors``), each with its source line and a caret."""
    from lang.diagnostics import format_diagnostic, sort_and_limit

    shown, more = sort_and_limit(list(diags))
    out = sys.stderr
    for d in shown:
        if d.filename != path:
            d = records.replace(d, filename=path)
        out.write(format_diagnostic(d, source) + "\n")
    if more:
        out.write("too many errors\n")


def load_program(path: str, session: Session) -> Program | int:
    """Compile ``path``: the program, or the exit status after printing
    why there is none."""
    session.file = path
    source, bad_encoding = read_source(path)
    if bad_encoding is not None:
        print_diagnostics([bad_encoding], source, path)
        return EXIT_COMPILE
    from lang.pipeline import load

    result = load(path, source)
    if result.diagnostics:
        print_diagnostics(result.diagnostics, result.source or source, path)
        return EXIT_COMPILE
    if result.program is None:
        raise RuntimeError("the pipeline returned neither a program nor diagnostics")
    return result.program


# ---------------------------------------------------------------- commands


def cmd_run(ns: argparse.Namespace, session: Session) -> int:
    program = load_program(ns.file, session)
    if isinstance(program, int):
        return program
    from csp.replay import ScheduleError, apply_replay, record_schedule
    from runtime.run import InstructionLimitExceeded, run_program
    try:
        schedule = apply_replay(ns)
    except ScheduleError as e:
        sys.stderr.write(f"csp run: {e}\n")
        return 2
    options = make_run_options(ns)
    if schedule is not None:
        options.strategy = schedule.hook()
    set_program_args(ns.file, ns.args)
    if ns.verbose:
        sys.stderr.write(
            f"csp: seed {ns.seed}, procs {ns.procs}, preempt {ns.preempt}, "
            f"clock {ns.clock}, max-steps {ns.max_steps or 'unlimited'}\n")
    _flush(sys.stderr)
    try:
        return run_program(program, options)
    except InstructionLimitExceeded:
        _flush(sys.stdout)
        sys.stderr.write(f"csp: program exceeded --max-steps={ns.max_steps} "
                         "(raise it with --max-steps)\n")
        return EXIT_STEP_LIMIT
    finally:
        _flush(sys.stdout)
        if getattr(ns, "record", None):
            record_schedule(ns, options)


# Flags whose runtime support arrives with later issues, with the value that
# needs no support (the behaviour of the sequential machine).
_PLANNED_SETTINGS: dict[str, object] = {
    "procs": DEFAULT_PROCS,
    "race": False,
    "preempt": "async",
    "clock": "virtual",
}


def make_run_options(ns: argparse.Namespace) -> RunOptions:
    """The runtime's options from the parsed flags.  A setting the runtime
    cannot take yet is announced on stderr when asked for, never faked."""
    from runtime.run import RunOptions

    wanted: dict[str, object] = {
        "stdout": sys.stdout,
        "stderr": sys.stderr,
        "seed": ns.seed,
        "max_instructions": ns.max_steps,
        "timeout": ns.timeout,
        "max_goroutines": ns.max_goroutines,
        "max_memory": ns.max_memory,
        "max_output": ns.max_output,
        "debug": bool(getattr(ns, "debug", False)) or _debug_requested([]),
        "procs": ns.procs,
        "race": ns.race,
        "leaks": getattr(ns, "leaks", "warn"),
        "slice_units": getattr(ns, "slice_units", 0),
        "preempt": ns.preempt,
        "clock": ns.clock,
        "schedtrace_ms": getattr(ns, "schedtrace", 0),
        "trace_path": getattr(ns, "trace", None),
        "timeline_path": getattr(ns, "timeline", None),
    }
    known = set(records.field_names(RunOptions))
    for name, harmless in _PLANNED_SETTINGS.items():
        value = wanted[name]
        if name not in known and value != harmless:
            flag = "-race" if name == "race" else f"--{name}={value}"
            sys.stderr.write(
                f"csp: {flag} is not yet supported (it arrives with a later issue); "
                "running without it\n")
    return RunOptions(**{k: v for k, v in wanted.items() if k in known})  # type: ignore[arg-type]


def set_program_args(path: str, args: Sequence[str]) -> None:
    """os.Args: like the binary go run builds, named after the file."""
    from stdlib import os as go_os

    stem = os.path.splitext(os.path.basename(path))[0] or "main"
    go_os.set_args([f"/tmp/go-build/exe/{stem}", *args])


def cmd_check(ns: argparse.Namespace, session: Session) -> int:
    status = EXIT_OK
    for path in ns.files:
        try:
            program = load_program(path, session)
        except _Unreadable as e:
            sys.stderr.write(f"csp check: {e}\n")
            status = EXIT_FAILURE
            continue
        if isinstance(program, int) and status == EXIT_OK:
            status = program
    return status


def cmd_dis(ns: argparse.Namespace, session: Session) -> int:
    program = load_program(ns.file, session)
    if isinstance(program, int):
        return program
    from lang.dis import disassemble

    listing = disassemble(program)
    sys.stdout.write(listing if listing.endswith("\n") else listing + "\n")
    return EXIT_OK


def cmd_version(ns: argparse.Namespace, session: Session) -> int:
    import platform  # lazily: only this command needs it (start-up time)

    sys.stdout.write(
        f"csp version {__version__} (Python {platform.python_version()}, "
        f"{sys.platform}/{platform.machine()})\n")
    return EXIT_OK


def cmd_repl(ns: argparse.Namespace, session: Session) -> int:
    from csp import repl

    return repl.main()


def cmd_kernel(ns: argparse.Namespace, session: Session) -> int:
    try:
        from csp import kernel
    except ImportError as e:
        sys.stderr.write(f"csp kernel: {e}; install the jupyter extra: "
                         "pip install 'csp[jupyter]'\n")
        return EXIT_FAILURE
    args = ["install"] + (["--user"] if ns.user else []) + (
        ["--prefix", ns.prefix] if ns.prefix else [])
    return kernel.cli(args)


def cmd_lsp(ns: argparse.Namespace, session: Session) -> int:
    from csp import lsp

    return lsp.main()


COMMANDS: dict[str, Callable[[argparse.Namespace, Session], int]] = {
    "run": cmd_run,
    "check": cmd_check,
    "dis": cmd_dis,
    "version": cmd_version,
    "repl": cmd_repl,
    "lsp": cmd_lsp,
    "kernel": cmd_kernel,
}


def cmd_help(topics: list[str]) -> int:
    if not topics:
        sys.stdout.write(TOP_USAGE)
        return EXIT_OK
    topic = topics[0]
    if topic == "test" and len(topics) == 1:
        from csp.testcmd import build_parser as build_test_parser
        sys.stdout.write(build_test_parser().format_help())
        return EXIT_OK
    if topic == "exercise" and len(topics) == 1:
        from csp.exercise import build_parser as build_exercise_parser
        sys.stdout.write(build_exercise_parser().format_help())
        return EXIT_OK
    if topic not in PARSERS or len(topics) > 1:
        sys.stderr.write(f"csp help {' '.join(topics)}: unknown help topic. "
                         "Run 'csp help'.\n")
        return EXIT_FAILURE
    sys.stdout.write(PARSERS[topic]().format_help())
    return EXIT_OK


# ---------------------------------------------------------------- top level


def _debug_requested(argv: Sequence[str]) -> bool:
    """--debug anywhere before the program's own arguments, or CSP_DEBUG=1."""
    if os.environ.get("CSP_DEBUG", "") not in ("", "0"):
        return True
    for arg in argv:
        if arg == "--":
            break
        if arg in ("-debug", "--debug"):
            return True
    return False


def dispatch(argv: list[str], session: Session) -> int:
    while argv and argv[0] in ("-debug", "--debug"):
        argv = argv[1:]
    if not argv:
        return cmd_repl(argparse.Namespace(), session)
    command, rest = argv[0], argv[1:]
    if command in ("help", "-h", "-help", "--help"):
        return cmd_help(rest)
    if command in ("-version", "--version"):
        command = "version"
    if command == "test":  # csp/testcmd.py owns its flags and output
        from csp.testcmd import run_test_command
        session.command = command
        return run_test_command(rest)
    if command == "exercise":  # csp/exercise.py owns its flags and output
        from csp.exercise import run_exercise_command
        session.command = command
        return run_exercise_command(rest)
    if command == "step":  # csp/step.py: the student is the scheduler
        from csp.step import run_step_command
        session.command = command
        return run_step_command(rest)
    if command == "explore":  # csp/explore.py owns its flags and output
        from csp.explore import run_explore_command
        session.command = command
        return run_explore_command(rest)
    if command not in COMMANDS:
        sys.stderr.write(f"csp {command}: unknown command\nRun 'csp help' for usage.\n")
        return EXIT_FAILURE
    session.command = command
    parser = PARSERS[command]()
    try:
        ns = parser.parse_args(rest)
        if command == "run":  # --record FILE.csp: the .csp is the program
            from csp.replay import untangle_record
            untangle_record(ns)
        if getattr(ns, "file", "") is None:
            parser.error("no .csp file given")
        return COMMANDS[command](ns, session)
    except _Unreadable as e:
        raise UsageError(str(e), parser.format_usage().strip(), parser.prog) from None
    except _ParserExit as e:
        return e.status


def _flush(stream: TextIO) -> None:
    try:
        stream.flush()
    except ValueError:  # closed by the program's environment: nothing to flush
        pass


def _silence_stdout() -> None:
    """After a broken pipe, point fd 1 at /dev/null so that the interpreter's
    own flush at exit does not print a second error."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def report_internal_error(exc: BaseException, session: Session) -> None:
    err = sys.stderr
    _flush(err)
    message = str(exc) or "(no message)"
    err.write(f"csp: internal error: {type(exc).__name__}: {message}\n")
    if session.debug:
        import traceback  # lazily: only --debug needs it (start-up time)

        err.write("".join(traceback.format_exception(exc)))
    else:
        subject = f"the file {session.file} and " if session.file else ""
        again = f"csp {session.command or 'run'} --debug {session.file or 'FILE.csp'}"
        err.write(
            "csp: this is a bug in csp, not in your program. Please report it with "
            f"{subject}the output of '{again}' (which shows the Python traceback).\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the csp command line with ``argv`` (default: sys.argv[1:]) and
    return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    session = Session(debug=_debug_requested(args))
    try:
        status = dispatch(args, session)
        _flush(sys.stdout)
        return status
    except UsageError as e:
        sys.stderr.write(f"{e.command}: {e.message}\n{e.usage}\n"
                         f"Run 'csp help {e.command.removeprefix('csp ')}' for details.\n")
        return EXIT_FAILURE
    except KeyboardInterrupt:
        _flush(sys.stdout)
        sys.stderr.write("signal: interrupt\n")
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except SystemExit as e:  # a library called sys.exit: keep its status
        return e.code if isinstance(e.code, int) else EXIT_FAILURE
    except Exception as e:  # noqa: BLE001 - the one place that turns bugs into reports
        report_internal_error(e, session)
        return EXIT_FAILURE
