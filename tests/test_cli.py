"""The csp command line: usage, exit statuses, error reports.

Most tests replace the pipeline (lang.pipeline / runtime.run) with small
fakes so that they pin down what the CLI itself does: argument handling,
formatting, exit codes, the internal-error guard.  The end-to-end tests at
the bottom run the real compiler and VM.
"""

from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import REPO_ROOT, CspRun, run_csp

from csp import __version__
from lang.ast import Span
from lang.diagnostics import Diagnostic
from lang.records import record

Writer = Callable[..., Path]

HELLO = 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hello")\n}\n'


# ---------------------------------------------------------------- fakes


@record(slots=False)
class FakeLoadResult:
    program: object | None
    diagnostics: list[Diagnostic]
    source: str


@record(slots=False)
class FakeRunOptions:
    seed: int = 0
    procs: int = 1
    max_instructions: int | None = None


class FakeLimitExceeded(Exception):
    pass


def fake_pipeline(
    monkeypatch: pytest.MonkeyPatch, load: Callable[..., FakeLoadResult]
) -> None:
    module = types.ModuleType("lang.pipeline")
    module.load = load  # type: ignore[attr-defined]
    module.LoadResult = FakeLoadResult  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "lang.pipeline", module)


def fake_runtime(
    monkeypatch: pytest.MonkeyPatch, run_program: Callable[[object, FakeRunOptions], int]
) -> None:
    module = types.ModuleType("runtime.run")
    module.run_program = run_program  # type: ignore[attr-defined]
    module.RunOptions = FakeRunOptions  # type: ignore[attr-defined]
    module.InstructionLimitExceeded = FakeLimitExceeded  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "runtime.run", module)


def loads_ok(path: str, source: str | None = None) -> FakeLoadResult:
    return FakeLoadResult(program="PROGRAM", diagnostics=[], source=source or "")


def program_args() -> list[str]:
    """os.Args as the CLI last set it for the program."""
    from stdlib import os as go_os
    from stdlib.registry import VarMember

    member = go_os.pkg.members["Args"]
    assert isinstance(member, VarMember)
    return list(member.cell[0].items())


def diag(path: str, line: int, col: int, message: str) -> Diagnostic:
    return Diagnostic(path, Span(line, col, line, col + 1), message)


# ---------------------------------------------------------------- usage


def test_version_prints_package_version() -> None:
    code, out, err = run_csp(["version"])
    assert code == 0
    assert out.startswith(f"csp version {__version__} ")
    assert err == ""
    assert run_csp(["--version"]).out == out


def test_help_lists_commands_and_run_flags() -> None:
    code, out, _ = run_csp(["help"])
    assert code == 0
    for command in ("run", "check", "dis", "version", "repl"):
        assert f"\t{command} " in out
    code, out, _ = run_csp(["help", "run"])
    assert code == 0
    for flag in ("--seed", "--procs", "--max-steps", "-race", "--preempt", "--clock", "--debug"):
        assert flag in out
    assert run_csp(["run", "-h"]).out == out


@pytest.mark.parametrize("argv", [[], ["repl"]])
def test_repl_runs_piped_entries(argv: list[str]) -> None:
    # stdin is not a terminal here: the REPL runs the entries it reads.
    code, out, err = run_csp(argv, stdin="x := 20\nx + 1\n")
    assert code == 0, err
    assert out == "21 (int)\n"


def test_unknown_command() -> None:
    code, _, err = run_csp(["frobnicate"])
    assert code == 2
    assert "csp frobnicate: unknown command" in err


@pytest.mark.parametrize(
    "argv, complaint",
    [
        (["run"], "no .csp file given"),
        (["run", "--bogus", "x.csp"], "--bogus"),
        (["run", "--procs", "0", "x.csp"], "must be at least 1"),
        (["run", "--seed", "many", "x.csp"], "invalid integer"),
        (["run", "--max-steps", "0", "x.csp"], "must be at least 1"),
        (["run", "--preempt", "sometimes", "x.csp"], "invalid choice"),
        (["check"], "required"),
        (["dis"], "no .csp file given"),
    ],
)
def test_bad_command_lines_print_usage_and_exit_2(argv: list[str], complaint: str) -> None:
    code, out, err = run_csp(argv)
    assert code == 2
    assert out == ""
    assert complaint in err
    assert f"usage: csp {argv[0]} [flags] FILE.csp" in err
    assert "Traceback" not in err


def test_missing_file_prints_usage_and_exits_2(tmp_path: Path) -> None:
    missing = str(tmp_path / "nope.csp")
    code, _, err = run_csp(["run", missing])
    assert code == 2
    assert f"open {missing}: no such file or directory" in err
    assert "usage: csp run [flags] FILE.csp" in err


def test_check_reports_unreadable_files_and_goes_on(
    monkeypatch: pytest.MonkeyPatch, write_csp: Writer, tmp_path: Path
) -> None:
    fake_pipeline(monkeypatch, loads_ok)
    good = write_csp(HELLO)
    code, out, err = run_csp(["check", str(tmp_path / "nope.csp"), str(good)])
    assert code == 2
    assert "no such file or directory" in err
    assert out == ""


# ---------------------------------------------------------------- compile errors


def test_compile_errors_use_typed_path_with_caret(
    monkeypatch: pytest.MonkeyPatch, write_csp: Writer, tmp_path: Path
) -> None:
    source = "package main\n\nfunc main() {\n\tx := 1\n}\n"
    path = write_csp(source)

    def load(p: str, src: str | None = None) -> FakeLoadResult:
        # The pipeline may name the file differently (absolute, say):
        # the CLI still prints the path the user typed.
        return FakeLoadResult(None, [diag("/elsewhere/prog.csp", 4, 2, "declared and not used: x")],
                              src or "")

    fake_pipeline(monkeypatch, load)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_csp(["run", "prog.csp"])
    assert code == 1
    assert out == ""
    assert err == "prog.csp:4:2: declared and not used: x\n    \tx := 1\n    \t^\n"
    assert run_csp(["check", "prog.csp"]) == CspRun(1, "", err)
    assert path.exists()


def test_at_most_ten_errors_then_too_many(
    monkeypatch: pytest.MonkeyPatch, write_csp: Writer
) -> None:
    source = "".join(f"line {i}\n" for i in range(1, 21))
    path = str(write_csp(source))

    def load(p: str, src: str | None = None) -> FakeLoadResult:
        diags = [diag(p, line, 1, f"error on {line}") for line in range(20, 0, -1)]
        return FakeLoadResult(None, diags, src or "")

    fake_pipeline(monkeypatch, load)
    code, _, err = run_csp(["check", path])
    assert code == 1
    headers = [ln for ln in err.splitlines() if ln.startswith(path)]
    assert headers == [f"{path}:{n}:1: error on {n}" for n in range(1, 11)]
    assert err.endswith("too many errors\n")


def test_check_is_silent_on_success(monkeypatch: pytest.MonkeyPatch, write_csp: Writer) -> None:
    fake_pipeline(monkeypatch, loads_ok)
    assert run_csp(["check", str(write_csp(HELLO))]) == CspRun(0, "", "")


def test_invalid_utf8_is_a_compile_error_at_the_bad_byte(write_csp: Writer) -> None:
    path = write_csp("")
    path.write_bytes(b"package main\n\nfunc main() {\n\tx := \"\xff\"\n}\n")
    code, out, err = run_csp(["check", str(path)])
    assert code == 1
    assert err.startswith(f"{path}:4:8: invalid UTF-8 encoding\n")
    assert run_csp(["run", str(path)]).code == 1


def test_byte_order_mark_is_ignored(monkeypatch: pytest.MonkeyPatch, write_csp: Writer) -> None:
    seen: list[str] = []

    def load(p: str, src: str | None = None) -> FakeLoadResult:
        seen.append(src or "")
        return loads_ok(p, src)

    fake_pipeline(monkeypatch, load)
    path = write_csp("")
    path.write_bytes(b"\xef\xbb\xbf" + HELLO.encode())
    assert run_csp(["check", str(path)]).code == 0
    assert seen == [HELLO]


# ---------------------------------------------------------------- running


def test_run_passes_flags_args_and_exit_status(
    monkeypatch: pytest.MonkeyPatch, write_csp: Writer
) -> None:
    got: list[FakeRunOptions] = []

    def run_program(program: object, options: FakeRunOptions) -> int:
        assert program == "PROGRAM"
        got.append(options)
        print("program output")
        return 7

    fake_pipeline(monkeypatch, loads_ok)
    fake_runtime(monkeypatch, run_program)
    path = str(write_csp(HELLO))
    code, out, err = run_csp(["run", "-seed", "9", "--procs=2", "--max-steps", "100", path,
                              "--", "a", "-b"])
    assert (code, out, err) == (7, "program output\n", "")
    assert got == [FakeRunOptions(seed=9, procs=2, max_instructions=100)]
    assert program_args() == ["/tmp/go-build/exe/prog", "a", "-b"]


def test_run_defaults(monkeypatch: pytest.MonkeyPatch, write_csp: Writer) -> None:
    got: list[FakeRunOptions] = []

    def run_program(program: object, options: FakeRunOptions) -> int:
        got.append(options)
        return 0

    fake_pipeline(monkeypatch, loads_ok)
    fake_runtime(monkeypatch, run_program)
    path = str(write_csp(HELLO))
    assert run_csp(["run", path, "x", "--seed", "3"]).code == 0
    assert got == [FakeRunOptions(seed=1, procs=4, max_instructions=None)]
    # Flags after the file belong to the program, as with go run.
    assert program_args()[1:] == ["x", "--seed", "3"]


def test_step_limit_message(monkeypatch: pytest.MonkeyPatch, write_csp: Writer) -> None:
    def run_program(program: object, options: FakeRunOptions) -> int:
        print("partial output")
        raise FakeLimitExceeded()

    fake_pipeline(monkeypatch, loads_ok)
    fake_runtime(monkeypatch, run_program)
    code, out, err = run_csp(["run", "--max-steps", "50", str(write_csp(HELLO))])
    assert (code, out) == (4, "partial output\n")
    assert err == "csp: program exceeded --max-steps=50 (raise it with --max-steps)\n"


def test_unsupported_runtime_flags_are_announced(
    monkeypatch: pytest.MonkeyPatch, write_csp: Writer
) -> None:
    fake_pipeline(monkeypatch, loads_ok)
    fake_runtime(monkeypatch, lambda program, options: 0)
    path = str(write_csp(HELLO))
    code, _, err = run_csp(["run", "-race", "--clock=real", "--preempt", "cooperative", path])
    assert code == 0
    assert "-race is not yet supported" in err
    assert "--clock=real is not yet supported" in err
    assert "--preempt=cooperative is not yet supported" in err
    # Defaults are not announced.
    assert run_csp(["run", "--clock", "virtual", path]).err == ""


# ---------------------------------------------------------------- the no-traceback guarantee


def test_internal_error_is_reported_without_traceback(
    monkeypatch: pytest.MonkeyPatch, write_csp: Writer
) -> None:
    def load(p: str, src: str | None = None) -> FakeLoadResult:
        raise ValueError("the compiler tripped")

    fake_pipeline(monkeypatch, load)
    path = str(write_csp(HELLO))
    code, out, err = run_csp(["run", path])
    assert code == 2
    assert err.startswith("csp: internal error: ValueError: the compiler tripped\n")
    assert f"csp run --debug {path}" in err
    assert "Traceback" not in err

    code, _, err = run_csp(["run", "--debug", path])
    assert code == 2
    assert "csp: internal error: ValueError: the compiler tripped" in err
    assert "Traceback (most recent call last)" in err
    assert 'raise ValueError("the compiler tripped")' in err


def test_debug_from_environment(monkeypatch: pytest.MonkeyPatch, write_csp: Writer) -> None:
    def load(p: str, src: str | None = None) -> FakeLoadResult:
        raise KeyError("k")

    fake_pipeline(monkeypatch, load)
    monkeypatch.setenv("CSP_DEBUG", "1")
    err = run_csp(["check", str(write_csp(HELLO))]).err
    assert "internal error: KeyError" in err
    assert "Traceback" in err


def test_recursion_error_is_an_internal_error(
    monkeypatch: pytest.MonkeyPatch, write_csp: Writer
) -> None:
    def load(p: str, src: str | None = None) -> FakeLoadResult:
        return load(p, src)

    fake_pipeline(monkeypatch, load)
    code, _, err = run_csp(["check", str(write_csp(HELLO))])
    assert code == 2
    assert "csp: internal error: RecursionError" in err
    assert "Traceback" not in err


def test_keyboard_interrupt_exits_130(monkeypatch: pytest.MonkeyPatch, write_csp: Writer) -> None:
    def run_program(program: object, options: FakeRunOptions) -> int:
        raise KeyboardInterrupt

    fake_pipeline(monkeypatch, loads_ok)
    fake_runtime(monkeypatch, run_program)
    code, _, err = run_csp(["run", str(write_csp(HELLO))])
    assert code == 130
    assert "Traceback" not in err


def test_broken_pipe_exits_quietly(write_csp: Writer) -> None:
    """``csp run loud.csp | head -1``: no BrokenPipeError text, status 141."""
    path = write_csp('package main\n\nimport "fmt"\n\nfunc main() {\n'
                     '\tfor i := 0; i < 1000000; i++ {\n\t\tfmt.Println("line", i)\n\t}\n}\n')
    proc = subprocess.Popen(
        [sys.executable, "-m", "csp", "run", str(path)], cwd=REPO_ROOT,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline() == b"line 0\n"
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141
    assert err == ""


def test_python_dash_m_entry_point() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "csp", "version"], cwd=REPO_ROOT, capture_output=True,
        text=True, timeout=60,
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("csp version ")


def test_lsp_subcommand_answers_initialize() -> None:
    """``csp lsp --stdio`` (as VS Code's language client starts it) speaks LSP."""
    messages = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"processId": None, "rootUri": None, "capabilities": {}}},
        {"jsonrpc": "2.0", "method": "exit"},
    ]
    data = b""
    for message in messages:
        body = json.dumps(message).encode()
        data += b"Content-Length: %d\r\n\r\n" % len(body) + body
    proc = subprocess.run(
        [sys.executable, "-m", "csp", "lsp", "--stdio"], input=data, cwd=REPO_ROOT,
        capture_output=True, timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    header, _, body = proc.stdout.partition(b"\r\n\r\n")
    assert header.startswith(b"Content-Length: ")
    reply = json.loads(body[: int(header.split(b"\r\n")[0].split(b":")[1])])
    assert reply["id"] == 1
    assert "capabilities" in reply["result"]


# ---------------------------------------------------------------- end to end (real pipeline)


def test_e2e_hello(write_csp: Writer) -> None:
    assert run_csp(["run", str(write_csp(HELLO))]) == CspRun(0, "hello\n", "")


def test_e2e_compile_error_position(write_csp: Writer, tmp_path: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    write_csp('package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println(y)\n}\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run_csp(["run", "prog.csp"])
    assert code == 1
    assert out == ""
    first = err.splitlines()[0]
    assert first.startswith("prog.csp:6:14: ")
    assert "undefined: y" in first
    assert err.splitlines()[1:3] == ["    \tfmt.Println(y)", "    \t            ^"]


def test_e2e_panic_exits_2(write_csp: Writer) -> None:
    code, out, err = run_csp(["run", str(write_csp(
        'package main\n\nfunc main() {\n\tvar m map[string]int\n\tm["a"] = 1\n}\n'))])
    assert code == 2
    assert out == ""
    assert err.startswith("panic: assignment to entry in nil map")
    assert "Traceback" not in err


def test_e2e_os_exit_status(write_csp: Writer) -> None:
    code, _, _ = run_csp(["run", str(write_csp(
        'package main\n\nimport "os"\n\nfunc main() {\n\tos.Exit(3)\n}\n'))])
    assert code == 3


def test_e2e_max_steps_stops_endless_loop(write_csp: Writer) -> None:
    path = str(write_csp("package main\n\nfunc main() {\n\tfor {\n\t}\n}\n"))
    code, out, err = run_csp(["run", "--max-steps", "5000", path])
    assert code == 4
    assert "csp: program exceeded --max-steps=5000 (raise it with --max-steps)" in err


def test_e2e_program_args(write_csp: Writer) -> None:
    path = str(write_csp(
        'package main\n\nimport (\n\t"fmt"\n\t"os"\n)\n\n'
        'func main() {\n\tfmt.Println(len(os.Args), os.Args[1:])\n}\n'))
    assert run_csp(["run", path, "--", "a", "b"]).out == "3 [a b]\n"


def test_e2e_dis_lists_bytecode(write_csp: Writer) -> None:
    code, out, err = run_csp(["dis", str(write_csp(HELLO))])
    assert code == 0
    assert err == ""
    assert "main" in out
