"""Start-up hygiene of ``csp run``: it must not import what it never uses.

Benchmarks time whole processes, so every module ``csp run`` imports is
paid by every run.  These tests run a tiny program through
``csp.cli.main`` in a fresh interpreter and inspect ``sys.modules``
afterwards: the REPL, LSP, Jupyter kernel and their third-party
libraries, the other subcommands, modules only some commands need
(platform; Lark, since the parser runs pre-built tables), and the stdlib
packages the program does not import stay unimported.  No timing
assertions: those would be flaky.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

PROGRAM = """package main

import "fmt"

func main() {
\tch := make(chan int, 1)
\tgo func() { ch <- 41 }()
\tfmt.Println(<-ch + 1)
}
"""

# Run in a child so that modules other tests imported do not count.
CHILD = """
import io, json, sys
from contextlib import redirect_stdout
from csp.cli import main
out = io.StringIO()
with redirect_stdout(out):
    code = main(["run", sys.argv[1]])
print(json.dumps({"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}))
"""

NOT_FOR_RUN = (
    "prompt_toolkit", "pygls", "pygments", "lsprotocol", "regex", "lark",
    "csp.repl", "csp.replmachine", "csp.session", "csp.session_commands",
    "csp.lsp", "csp.lsp_analysis", "csp.lsp_complete", "csp.kernel",
    "csp.explore", "csp.exercise", "csp.step", "csp.testcmd", "csp.strategies",
    "lang.dis", "lang.highlight", "lang.compile_race", "lang.gen_tables",
    "runtime.race", "runtime.trace", "runtime.timeline", "runtime.pct",
    "platform",
    "dataclasses", "inspect",  # lang/records.py builds csp's record classes
    # stdlib packages the program does not import (stdlib.registry.PackageTable)
    "stdlib.sync", "stdlib.testing", "stdlib.strings", "stdlib.sort", "stdlib.strconv",
    "stdlib.context", "stdlib.math", "stdlib.rand", "stdlib.atomic",
)


def _run_child(tmp_path: Path) -> dict[str, object]:
    prog = tmp_path / "hello.csp"
    prog.write_text(PROGRAM, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-c", CHILD, str(prog)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.splitlines()[-1])
    return result


def test_csp_run_imports_only_what_it_needs(tmp_path: Path) -> None:
    result = _run_child(tmp_path)
    assert result["code"] == 0
    assert result["out"] == "42\n"
    modules = result["modules"]
    assert isinstance(modules, list)
    unwanted = [m for m in modules
                if any(m == name or m.startswith(name + ".") for name in NOT_FOR_RUN)]
    assert unwanted == []
    # What a run does need is really there (the check above is not vacuous).
    for needed in ("lang.lalr", "lang.parse_tables", "lang.parser", "lang.checker",
                   "runtime.scheduler", "stdlib.fmt"):
        assert needed in modules


def test_lazy_stdlib_still_looks_fully_loaded() -> None:
    code = ("import sys, stdlib\n"
            "from stdlib.registry import PACKAGES\n"
            "stdlib.load_all()\n"
            "assert 'stdlib.sync' not in sys.modules\n"
            "assert PACKAGES['sync'].name == 'sync' and 'stdlib.sync' in sys.modules\n"
            "assert PACKAGES.get('math/rand').name == 'rand'\n"
            "assert 'sync/atomic' in PACKAGES and PACKAGES.get('nope') is None\n"
            "assert 'nope' not in PACKAGES\n"
            "paths = sorted(PACKAGES)\n"
            "assert {'fmt', 'time', 'testing', 'context', 'runtime', 'os'} <= set(paths)\n"
            "assert len(PACKAGES) == len(paths) == len(dict(PACKAGES))\n"
            "assert all(p.path == k for k, p in PACKAGES.items())\n"
            "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_unknown_import_is_still_reported(tmp_path: Path) -> None:
    prog = tmp_path / "bad.csp"
    prog.write_text('package main\n\nimport "fmtx"\n\nfunc main() {}\n', encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "csp", "run", str(prog)],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 1
    assert 'bad.csp:3:8: package fmtx is not in std' in proc.stderr
