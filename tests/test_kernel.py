"""The Jupyter kernel (csp/kernel.py), driven by jupyter_client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("ipykernel")
jupyter_manager = pytest.importorskip("jupyter_client.manager")


@pytest.fixture(scope="module")
def kernel(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from csp.kernel import install
    prefix = tmp_path_factory.mktemp("jupyter")
    install(prefix=str(prefix))
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_PATH", str(prefix / "share" / "jupyter"))
    km, kc = jupyter_manager.start_new_kernel(kernel_name="csp", startup_timeout=60)
    try:
        yield kc
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        mp.undo()


def run_cell(kc: Any, code: str) -> tuple[str, dict[str, str]]:
    """Execute a cell; its reply status and the text of its streams."""
    streams: dict[str, str] = {"stdout": "", "stderr": ""}

    def collect(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            streams[msg["content"]["name"]] += msg["content"]["text"]

    reply = kc.execute_interactive(code, timeout=60, output_hook=collect)
    return reply["content"]["status"], streams


def test_kernelspec_is_installed(tmp_path: Path) -> None:
    import json

    from csp.kernel import install
    dest = Path(install(prefix=str(tmp_path)))
    spec = json.loads((dest / "kernel.json").read_text())
    assert dest.name == "csp"
    assert spec["argv"][1:3] == ["-m", "csp.kernel"]
    assert spec["language"] == "go"


def test_print_and_echo(kernel: Any) -> None:
    status, out = run_cell(kernel, 'fmt.Println("hello")\nx := 20\nx + 1')
    assert status == "ok"
    assert out["stdout"] == "hello\n21 (int)\n"


def test_error_cell(kernel: Any) -> None:
    status, out = run_cell(kernel, "y := nothing")
    assert status == "error"
    assert "undefined: nothing" in out["stderr"]
    status, out = run_cell(kernel, "2 * 3")
    assert status == "ok" and out["stdout"] == "6 (int)\n"


def test_goroutine_and_channel_across_cells(kernel: Any) -> None:
    status, _ = run_cell(kernel, "ch := make(chan string)\ngo func() {\n\tch <- \"ping\"\n}()")
    assert status == "ok"
    status, out = run_cell(kernel, ":goroutines")
    assert "[chan send]" in out["stdout"]
    status, out = run_cell(kernel, "<-ch")
    assert status == "ok" and out["stdout"] == "ping (string)\n"


def test_interrupt_stops_an_endless_loop(kernel: Any) -> None:
    import threading
    import time

    from jupyter_client.manager import KernelManager
    km = getattr(kernel, "parent", None)
    if not isinstance(km, KernelManager):
        pytest.skip("no kernel manager to interrupt through")
    threading.Timer(1.0, km.interrupt_kernel).start()
    start = time.monotonic()
    status, out = run_cell(kernel, "n := 0\nfor { n++ }")
    assert status == "error"
    assert "interrupted" in out["stderr"]
    assert time.monotonic() - start < 30
    status, out = run_cell(kernel, "n > 0")
    assert out["stdout"] == "true (bool)\n"
