"""The Jupyter kernel: csp's REPL session behind ipykernel's wrapper kernel.

``csp kernel install [--user | --prefix DIR]`` writes a kernelspec named
``csp`` whose argv runs ``python -m csp.kernel -f {connection_file}``.

Invariants:
- A cell is split into complete entries (brackets balanced, as the REPL's
  Enter key decides) and they run in order in one session
  (csp/session.py); the first failing entry stops the cell, which then
  replies ``status: error``.
- Output streams as it is printed, from the entry and from goroutines left
  running between cells (they print into the latest cell's output).
- ``:goroutines`` and the other commands work in cells.
- An interrupt (SIGINT, the kernelspec's interrupt mode) stops the running
  entry; the session goes on.
"""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from typing import Any

from ipykernel.kernelbase import Kernel

from csp import __version__

KERNEL_NAME = "csp"


class _IopubStream:
    """A text stream that sends every write to the notebook at once."""

    def __init__(self, kernel: CspKernel, name: str) -> None:
        self.kernel = kernel
        self.name = name

    def write(self, s: str) -> int:
        if s:
            self.kernel.send_response(  # type: ignore[no-untyped-call]
                self.kernel.iopub_socket, "stream", {"name": self.name, "text": s})
        return len(s)

    def flush(self) -> None:
        pass


class CspKernel(Kernel):
    implementation = "csp"
    implementation_version = __version__
    language = "go"
    language_version = "1.19"
    language_info = {  # noqa: RUF012 - ipykernel's class attribute
        "name": "go",
        "mimetype": "text/x-go",
        "file_extension": ".csp",
        "pygments_lexer": "csp",
        "codemirror_mode": "go",
    }
    banner = f"csp {__version__}: Go with goroutines you can watch (:help for commands)"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)  # type: ignore[no-untyped-call]
        from csp.session import Session
        out, err = _IopubStream(self, "stdout"), _IopubStream(self, "stderr")
        self.csp = Session(lambda: out, lambda: err)  # type: ignore[arg-type,return-value]

    async def do_execute(
            self, code: str, silent: bool, store_history: bool = True,
            user_expressions: Any = None, allow_stdin: bool = False,
            **kwargs: Any) -> dict[str, Any]:
        from csp.session import split_entries
        ok = True
        for entry in split_entries(code):
            if not self.csp.execute(entry):
                ok = False
                break
            if self.csp.exit_code is not None:
                break
        if self.csp.exit_code is not None:
            code_ = self.csp.exit_code
            self.csp.reset()
            self.csp.err.write(f"exit status {code_}; the session restarted\n")
        if ok:
            return {"status": "ok", "execution_count": self.execution_count,
                    "payload": [], "user_expressions": {}}
        return {"status": "error", "execution_count": self.execution_count,
                "ename": "CspError", "evalue": "the entry failed", "traceback": []}

    async def do_complete(self, code: str, cursor_pos: int) -> dict[str, Any]:
        from prompt_toolkit.completion import CompleteEvent
        from prompt_toolkit.document import Document

        from csp.repl import CspCompleter
        doc = Document(code, cursor_pos)
        found = list(CspCompleter(self.csp).get_completions(doc, CompleteEvent()))
        start = cursor_pos + (found[0].start_position if found else 0)
        return {"status": "ok", "matches": [c.text for c in found],
                "cursor_start": start, "cursor_end": cursor_pos, "metadata": {}}

    async def do_shutdown(self, restart: bool) -> dict[str, Any]:
        self.csp.close()
        return {"status": "ok", "restart": restart}


def kernel_spec() -> dict[str, Any]:
    return {
        "argv": [sys.executable, "-m", "csp.kernel", "-f", "{connection_file}"],
        "display_name": "csp (Go subset)",
        "language": "go",
        "interrupt_mode": "signal",
    }


def install(user: bool = False, prefix: str | None = None) -> str:
    """Install the kernelspec; the directory it went to."""
    from jupyter_client.kernelspec import KernelSpecManager
    tmp = tempfile.mkdtemp(prefix="csp-kernel-")
    try:
        with open(os.path.join(tmp, "kernel.json"), "w", encoding="utf-8") as fh:
            json.dump(kernel_spec(), fh, indent=1)
        dest: str = KernelSpecManager().install_kernel_spec(
            tmp, KERNEL_NAME, user=user, prefix=prefix)
        return dest
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def cli(args: list[str]) -> int:
    """``csp kernel install [--user | --prefix DIR]``."""
    import argparse
    p = argparse.ArgumentParser(prog="csp kernel", description="Jupyter kernel for csp")
    sub = p.add_subparsers(dest="action", required=True)
    ins = sub.add_parser("install", help="install the kernelspec named csp")
    where = ins.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for this user only")
    where.add_argument("--prefix", help="install under PREFIX/share/jupyter/kernels")
    ns = p.parse_args(args)
    try:
        dest = install(user=ns.user, prefix=ns.prefix)
    except (OSError, ImportError) as e:
        sys.stderr.write(f"csp kernel install: {e}\n")
        return 2
    sys.stdout.write(f"installed kernelspec {KERNEL_NAME} in {dest}\n")
    return 0


def main() -> None:
    from ipykernel.kernelapp import IPKernelApp
    IPKernelApp.launch_instance(kernel_class=CspKernel)


if __name__ == "__main__":
    main()
