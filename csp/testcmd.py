"""``csp test``: Go-style tests and benchmarks for .csp programs.

Which files form a test binary (the rule differs from go test on purpose:
an examples directory holds many independent programs, not one package):
- every ``NAME_test.csp`` under a PATH (a file or a directory; default .)
  is one test binary, compiled together with ``NAME.csp`` when that file
  exists in the same directory, else on its own;
- the two parsed Files are merged into one ast.File (declarations
  concatenated, imports de-duplicated), the program's own ``main`` is
  renamed away, and a generated driver (``_testmain.csp``, source below) is
  merged in as well: its ``main`` runs every ``TestXxx`` in source order via
  ``t.Run`` on a root T, then every ``BenchmarkXxx`` matched by -bench.
- PKG in the ``ok``/``FAIL`` lines is the test file's path without
  ``_test.csp``.

Invariants:
- Everything the binary prints (test output, panics, timeouts) goes to
  stdout in order, as go test merges the binary's streams.
- Durations are virtual time (the simulated machine's clock).
- ``run_test_command(argv) -> int``: 0 when every binary passed, 1 when a
  test failed, a binary did not build or panicked, 2 for bad usage.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import sys
from typing import Any, Optional, TextIO

from lang import ast, records
from lang.records import record

DRIVER_FILE = "_testmain.csp"
RACE_EXIT = 66  # what a -race binary exits with after reporting races

_RUNNERS = """\
package main

import cspTesting "testing"

func cspTRunner(t *cspTesting.T, f func(*cspTesting.T)) {
	defer func() {
		r := recover()
		if cspTesting.CspFinish(t, r != nil) {
			panic(r)
		}
	}()
	cspTesting.CspStart(t)
	f(t)
}

func cspBRunner(b *cspTesting.B, f func(*cspTesting.B)) {
	defer func() {
		r := recover()
		if cspTesting.CspBenchFinish(b, r != nil) {
			panic(r)
		}
	}()
	cspTesting.CspBenchStart(b)
	f(b)
}
"""

# Compiled driver functions get testing's names, as in Go's stack traces,
# and are skipped when t.Errorf looks for its caller.
_RENAMES = {"cspTRunner": "testing.tRunner", "cspBRunner": "testing.runN", "main": "main.main"}

_TEST_RE = re.compile(r"^Test($|[^a-z])")
_BENCH_RE = re.compile(r"^Benchmark($|[^a-z])")


@record(slots=False)
class TestOptions:
    verbose: bool = False
    run: str = ""
    bench: Optional[str] = None
    benchtime: str = "1s"
    benchmem: bool = False
    count: int = 1
    seed: int = 1
    procs: int = 4
    timeout: str = "10m"
    leaks: bool = False
    schedules: int = 0
    race: bool = False
    short: bool = False
    parallel: int = 0
    paths: list[str] = records.field(default_factory=list)


# -- durations ---------------------------------------------------------------

_UNITS = {"ns": 1, "us": 1_000, "µs": 1_000, "ms": 1_000_000, "s": 1_000_000_000,
          "m": 60_000_000_000, "h": 3_600_000_000_000}


def parse_duration(text: str) -> int:
    """Go's time.ParseDuration (subset): '1s', '1.5s', '10m', '1h30m', '0'."""
    if text == "0":
        return 0
    total = 0.0
    pos = 0
    pat = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")
    while pos < len(text):
        m = pat.match(text, pos)
        if m is None:
            raise ValueError(f"invalid duration {text!r}")
        total += float(m.group(1)) * _UNITS[m.group(2)]
        pos = m.end()
    if not text:
        raise ValueError("invalid duration ''")
    return int(total)


def format_duration(ns: int) -> str:
    """Go's time.Duration.String for whole-ish values: 1s, 10m0s, 1.5s, 500ms."""
    if ns == 0:
        return "0s"
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return _trim(ns / size) + unit
    h, rest = divmod(ns, 3_600_000_000_000)
    m, rest = divmod(rest, 60_000_000_000)
    s = _trim(rest / 1e9) + "s"
    if h:
        return f"{h}h{m}m{s}"
    if m:
        return f"{m}m{s}"
    return s


def _trim(x: float) -> str:
    text = f"{x:.9f}".rstrip("0").rstrip(".")
    return text or "0"


# -- discovery and merging -------------------------------------------------------

def find_test_files(paths: list[str]) -> list[str]:
    out: list[str] = []
    for p in paths or ["."]:
        if os.path.isdir(p):
            for name in sorted(os.listdir(p)):
                if name.endswith("_test.csp"):
                    out.append(os.path.join(p, name))
        elif p.endswith(".csp") and not p.endswith("_test.csp"):
            # `csp test prog.csp` means the tests of prog.csp.
            out.append(p[: -len(".csp")] + "_test.csp")
        else:
            out.append(p)
    return out


def companion(test_path: str) -> Optional[str]:
    base = test_path[: -len("_test.csp")] + ".csp" if test_path.endswith("_test.csp") else None
    if base is not None and os.path.isfile(base):
        return base
    return None


def pkg_name(test_path: str) -> str:
    return test_path[: -len("_test.csp")] if test_path.endswith("_test.csp") else test_path


def _is_named_ptr(expr: Any, pkg_names: set[str], name: str) -> bool:
    return (isinstance(expr, ast.Star) and isinstance(expr.x, ast.Selector)
            and isinstance(expr.x.x, ast.Ident) and expr.x.x.name in pkg_names
            and expr.x.sel.name == name)


def _testing_names(f: ast.File) -> set[str]:
    return {(imp.name.name if imp.name else "testing") for imp in f.imports
            if imp.path == "testing"}


def discover(f: ast.File) -> tuple[list[str], list[str]]:
    """Names of TestXxx(t *testing.T) and BenchmarkXxx(b *testing.B), in
    source order."""
    names = _testing_names(f)
    tests: list[str] = []
    benches: list[str] = []
    for d in f.decls:
        if not isinstance(d, ast.FuncDecl) or d.recv is not None:
            continue
        params = d.type.params
        if len(params) != 1 or len(params[0].names) > 1 or d.type.results:
            continue
        typ = params[0].type
        if _TEST_RE.match(d.name.name) and _is_named_ptr(typ, names, "T"):
            tests.append(d.name.name)
        elif _BENCH_RE.match(d.name.name) and _is_named_ptr(typ, names, "B"):
            benches.append(d.name.name)
    return tests, benches


def _rename_main(decls: tuple[ast.Decl, ...]) -> list[ast.Decl]:
    out: list[ast.Decl] = []
    for d in decls:
        if isinstance(d, ast.FuncDecl) and d.recv is None and d.name.name == "main":
            d = records.replace(d, name=ast.Ident(d.name.span, "cspProgramMain"))
        out.append(d)
    return out


def merge(files: list[ast.File], filename: str) -> ast.File:
    imports: list[ast.ImportSpec] = []
    seen: set[tuple[str, str]] = set()
    decls: list[ast.Decl] = []
    for f in files:
        for imp in f.imports:
            key = (imp.name.name if imp.name else "", imp.path)
            if key not in seen:
                seen.add(key)
                imports.append(imp)
        for d in (f.decls if f.filename == DRIVER_FILE else _rename_main(f.decls)):
            if isinstance(d, ast.GenDecl) and d.tok == "import":
                continue
            decls.append(d)
    first = files[0]
    return ast.File(first.span, filename, first.package, tuple(imports), tuple(decls))


def driver_source(tests: list[str], benches: list[str], opts: TestOptions,
                  timeout_ns: int) -> str:
    lines = [_RUNNERS, "func main() {"]
    lines.append(f'\tcspTesting.CspAlarm({timeout_ns}, "{format_duration(timeout_ns)}")')
    lines.append(f"\tfor round := 0; round < {opts.count}; round++ {{")
    lines.append("\t\tt := cspTesting.CspRoot(cspTRunner, cspBRunner)")
    for name in tests:
        lines.append(f'\t\tt.Run("{name}", {name})')
    lines.append("\t\tcspTesting.CspRootDone(t)")
    lines.append("\t}")
    if benches:
        lines.append(f"\tfor round := 0; round < {opts.count}; round++ {{")
        for name in benches:
            lines.append(f'\t\tcspTesting.CspBench("{name}", {name})')
        lines.append("\t}")
    lines.append("}")
    return "\n".join(lines) + "\n"


# -- building one binary -----------------------------------------------------------

@record(slots=False)
class Built:
    program: Any
    tests: list[str]
    benches: list[str]


def _format_diags(diags: list[Any], filename: str | None = None) -> str:
    """Go's build-failure lines (``file:line:col: message``), at most 10;
    filename overrides the diagnostics' own (they name the merged File)."""
    out = []
    for d in diags[:10]:
        path = filename or d.filename
        out.append(f"{path}:{d.span.line}:{d.span.col}: {d.message}")
    return "\n".join(out) + "\n"


def build(test_path: str, opts: TestOptions, timeout_ns: int) -> tuple[Optional[Built], str]:
    """Parse, merge, check and compile; (None, error text) on failure."""
    import stdlib
    from lang.checker import check
    from lang.compile_base import CompileError
    from lang.compiler import compile_file
    from lang.parser import parse

    stdlib.load_all()
    sources: dict[str, str] = {}
    parsed: list[ast.File] = []
    paths = [p for p in (companion(test_path), test_path) if p is not None]
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as fh:
                sources[path] = fh.read()
        except OSError as e:
            return None, f"open {path}: {e.strerror}\n"
        f, diags = parse(path, sources[path])
        if f is None or diags:
            return None, _format_diags(list(diags))
        parsed.append(f)
    test_file = parsed[-1]
    tests, benches = discover(test_file)
    bench_pats = None
    if opts.bench is not None:
        from stdlib.testing import split_pattern
        bench_pats = split_pattern(opts.bench)
        from stdlib.testing import matches
        benches = [b for b in benches if matches(bench_pats, b)]
    else:
        benches = []
    drv_src = driver_source(tests, benches, opts, timeout_ns)
    drv, diags = parse(DRIVER_FILE, drv_src)
    if drv is None or diags:
        return None, _format_diags(list(diags))
    if len(parsed) == 2:
        # Errors in NAME.csp are reported against NAME.csp: check it alone
        # first (a library-only NAME.csp may lack main).
        _, own = check(parsed[0])
        own = [d for d in own if "function main is undeclared" not in d.message]
        if own:
            return None, _format_diags(list(own))
    merged = merge(parsed + [drv], test_path)
    info, diags = check(merged)
    if info is None or diags:
        return None, _format_diags(list(diags))
    try:
        program = compile_file(merged, info)
    except CompileError as e:
        span = getattr(e.node, "span", None)
        line = getattr(span, "line", 0)
        return None, f"{test_path}:{line}: {e.message}\n"
    _fix_function_files(program, parsed, drv)
    return Built(program, tests, benches), ""


def _fix_function_files(program: Any, parsed: list[ast.File], drv: ast.File) -> None:
    """The merged File has one filename: give functions declared in the
    companion file or the driver their own file name back."""
    owner: dict[str, str] = {}
    for f in parsed[:-1]:
        for d in _rename_main(f.decls):
            if isinstance(d, ast.FuncDecl) and d.recv is None:
                owner[d.name.name] = f.filename
    for d in drv.decls:
        if isinstance(d, ast.FuncDecl):
            owner[d.name.name] = DRIVER_FILE
    for fn in program.functions:
        parts = fn.name.split(".")
        base = parts[1] if parts[0] == "main" and len(parts) > 1 else parts[0]
        if base in owner:
            fn.filename = owner[base]
            prefix = "main." + base
            if owner[base] == DRIVER_FILE and base in _RENAMES and fn.name.startswith(prefix):
                fn.name = _RENAMES[base] + fn.name[len(prefix):]


# -- running --------------------------------------------------------------------

@record(slots=False)
class RunResult:
    code: int
    output: str
    elapsed_ns: int
    session: Any


def run_binary(built: Built, opts: TestOptions, seed: int, pkg: str,
               run_pattern: str) -> RunResult:
    import stdlib.testing as testing
    from runtime.run import InstructionLimitExceeded
    from runtime.scheduler import Scheduler
    from stdlib.testing_bench import bench_name

    out = io.StringIO()
    benchtime_ns, benchtime_n = 1_000_000_000, 0
    if opts.benchtime.endswith("x"):
        benchtime_n = int(opts.benchtime[:-1])
    else:
        benchtime_ns = parse_duration(opts.benchtime)
    cfg = testing.Config(verbose=opts.verbose, run=testing.split_pattern(run_pattern),
                         bench=testing.split_pattern(opts.bench) if opts.bench is not None
                         else None,
                         leaks=opts.leaks, benchtime_ns=benchtime_ns,
                         benchtime_n=benchtime_n, procs=opts.procs, pkg=pkg,
                         short=opts.short, benchmem=opts.benchmem,
                         parallel=opts.parallel or opts.procs)
    session = testing.Session(cfg)
    ext = len(bench_name("", opts.procs))
    for name in built.benches:
        session.bench_maxlen = max(session.bench_maxlen,
                                   len(bench_name(name, opts.procs)) + ext + 1)
    testing.SESSION = session
    previous_meter = None
    if built.benches:
        from runtime import limits
        from stdlib.testing_bench import AllocCounter
        session.allocs = AllocCounter(limits._active_meter)
        previous_meter = limits.set_meter(session.allocs)
    machine = Scheduler(out, out, procs=opts.procs, seed=seed)
    if opts.race:
        from lang.compile_race import instrument
        from runtime.race import RaceDetector
        instrument(built.program)  # idempotent: a function is instrumented once
        machine.race = RaceDetector(out)
    try:
        code = machine.run(built.program.entry)
        if getattr(machine, "race", None) is not None:
            code = machine.race.finish(code)
    except InstructionLimitExceeded as e:
        out.write(f"csp: {e}\n")
        code = 2
    finally:
        testing.SESSION = None
        if session.allocs is not None:
            from runtime import limits
            limits.set_meter(previous_meter)
    elapsed = max([p.now for p in machine.procs] + [machine.fire_time])
    return RunResult(code, out.getvalue(), elapsed, session)


def summary(res: RunResult, pkg: str, opts: TestOptions) -> tuple[str, bool]:
    """The binary's closing lines and go test's package line; (text, failed)."""
    s = res.session
    secs = f"{res.elapsed_ns / 1e9:.3f}s"
    if res.code != 0 and res.code != RACE_EXIT:
        return f"FAIL\t{pkg}\t{secs}\n", True
    if res.code == RACE_EXIT and not s.failed:
        # A race outside any test (e.g. in init): the binary fails.
        return f"FAIL\nFAIL\t{pkg}\t{secs}\n", True
    if s.failed:
        return f"FAIL\nFAIL\t{pkg}\t{secs}\n", True
    text = ""
    no_tests = s.ran_tests == 0 and s.ran_benches == 0
    if opts.verbose and no_tests:
        text += "testing: warning: no tests to run\n"
    if opts.verbose or s.ran_benches or s.bench_header:
        text += "PASS\n"
    text += f"ok  \t{pkg}\t{secs}" + (" [no tests to run]" if no_tests else "") + "\n"
    return text, False


def test_one(path: str, opts: TestOptions, out: TextIO) -> bool:
    """Build and run one test binary; True when it failed."""
    pkg = pkg_name(path)
    if not os.path.isfile(path) and os.path.isfile(pkg + ".csp"):
        out.write(f"?   \t{pkg}\t[no test files]\n")
        return False
    timeout_ns = parse_duration(opts.timeout)
    built, err = build(path, opts, timeout_ns)
    if built is None:
        out.write(f"# {pkg}\n{err}FAIL\t{pkg} [build failed]\n")
        return True
    if opts.schedules > 0:
        return _schedules(built, opts, pkg, out)
    res = run_binary(built, opts, opts.seed, pkg, opts.run)
    out.write(res.output)
    text, failed = summary(res, pkg, opts)
    out.write(text)
    return failed


def _schedules(built: Built, opts: TestOptions, pkg: str, out: TextIO) -> bool:
    """Run the binary under seeds seed..seed+K-1; report the seeds that
    fail, per test, and how to replay one."""
    failures: dict[str, list[int]] = {}
    first_fail: Optional[RunResult] = None
    first_ok: Optional[RunResult] = None
    for seed in range(opts.seed, opts.seed + opts.schedules):
        res = run_binary(built, opts, seed, pkg, opts.run)
        failed_tests = [n for n, f in res.session.top_results.items() if f]
        if res.code != 0 and not failed_tests:
            failed_tests = ["(binary)"]
        for name in failed_tests:
            failures.setdefault(name, []).append(seed)
        if failed_tests and first_fail is None:
            first_fail = res
        if not failed_tests and first_ok is None:
            first_ok = res
    shown = first_fail or first_ok
    assert shown is not None
    out.write(shown.output)
    text, _ = summary(shown, pkg, opts)
    out.write(text)
    k = opts.schedules
    if not failures:
        out.write(f"csp: all {k} schedules passed (seeds {opts.seed}..{opts.seed + k - 1})\n")
        return False
    for name, seeds in failures.items():
        listed = ", ".join(str(s) for s in seeds[:20]) + (", ..." if len(seeds) > 20 else "")
        out.write(f"csp: {name} failed under {len(seeds)} of {k} schedules: seeds {listed}\n")
    name, seeds = next(iter(failures.items()))
    target = f"-run '^{name}$' " if name != "(binary)" else ""
    out.write(f"csp: replay one with: csp test {target}-seed {seeds[0]} {pkg}_test.csp\n")
    return True


# -- command line ------------------------------------------------------------------

def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="csp test", allow_abbrev=False,
                                usage="csp test [flags] [PATH ...]",
                                description="Run the TestXxx and BenchmarkXxx functions of "
                                            "NAME_test.csp files (with NAME.csp when present).")

    def flag(name: str, **kw: Any) -> None:
        p.add_argument(f"-{name}", f"--{name}", **kw)

    flag("v", action="store_true", dest="verbose", help="verbose: log every test")
    flag("run", default="", metavar="REGEXP", help="run only tests matching REGEXP")
    flag("bench", default=None, metavar="REGEXP", help="run benchmarks matching REGEXP")
    flag("benchtime", default="1s", metavar="D", help="virtual time per benchmark, or Nx")
    flag("benchmem", action="store_true", help="print B/op and allocs/op (slice allocations only)")
    flag("count", type=int, default=1, metavar="N", help="run each test N times")
    flag("seed", type=int, default=1, metavar="N", help="scheduler seed (default 1)")
    flag("procs", type=int, default=4, metavar="N", help="simulated processors (default 4)")
    flag("timeout", default="10m", metavar="D", help="panic after D of virtual time (0: none)")
    flag("leaks", action="store_true", help="fail tests that leave goroutines blocked")
    flag("schedules", type=int, default=0, metavar="K",
         help="run each binary under K seeds and report the failing seeds")
    flag("parallel", type=int, default=0, metavar="N",
         help="at most N parallel tests at once (default: -procs)")
    flag("short", action="store_true", help="testing.Short() reports true")
    flag("race", action="store_true", help="detect data races (when the runtime supports it)")
    p.add_argument("paths", nargs="*", metavar="PATH")
    return p


def run_test_command(argv: list[str], out: Optional[TextIO] = None) -> int:
    stream = out or sys.stdout
    parser = build_parser()
    try:
        ns = parser.parse_args(argv)
    except SystemExit as e:
        return 2 if e.code else 0
    opts = TestOptions(verbose=ns.verbose, run=ns.run, bench=ns.bench,
                       benchtime=ns.benchtime, benchmem=ns.benchmem, count=ns.count,
                       seed=ns.seed, procs=ns.procs, timeout=ns.timeout, leaks=ns.leaks,
                       schedules=ns.schedules, race=ns.race, short=ns.short,
                       parallel=ns.parallel,
                       paths=ns.paths)
    try:
        parse_duration(opts.timeout)
        if not opts.benchtime.endswith("x"):
            parse_duration(opts.benchtime)
        for pat in (opts.run, opts.bench or ""):
            re.compile(pat.replace("/", "|"))
    except (ValueError, re.error) as e:
        sys.stderr.write(f"csp test: {e}\n")
        return 2
    files = find_test_files(opts.paths)
    if not files:
        stream.write(f"?   \t{' '.join(opts.paths) or '.'}\t[no test files]\n")
        return 0
    any_failed = False
    for path in files:
        if test_one(path, opts, stream):
            any_failed = True
    if any_failed:
        stream.write("FAIL\n")
    return 1 if any_failed else 0
