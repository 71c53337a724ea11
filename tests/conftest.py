"""Shared test helpers: run the csp command line in-process, find ../shared.

Invariants:
- ``run_csp(args, stdin=None) -> CspRun`` calls ``csp.cli.main(args)``
  with sys.stdin/stdout/stderr replaced by byte-backed text streams (they
  have ``.buffer``, as real streams do, for writers that emit raw Go
  bytes) and restores them afterwards, whatever happens.
- ``SHARED_DIR`` is the repository's sibling ``shared/`` folder, found
  from this file's location, never from a fixed absolute path: CI clones
  the repository elsewhere with a copy of shared/ beside it.
- Tests that need it are marked ``@pytest.mark.needs_shared`` (or use
  ``needs_shared`` below) and are skipped, not failed, when it is absent.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NamedTuple

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED_DIR = REPO_ROOT.parent / "shared"
CONFORMANCE_CASES = SHARED_DIR / "conformance" / "cases"

needs_shared = pytest.mark.skipif(
    not SHARED_DIR.is_dir(), reason=f"{SHARED_DIR} (the shared corpus) is not present"
)


class CspRun(NamedTuple):
    """The outcome of one in-process csp invocation; unpacks as
    ``code, out, err = run_csp([...])``."""

    code: int
    out: str
    err: str


def _byte_stream(initial: bytes = b"") -> io.TextIOWrapper:
    return io.TextIOWrapper(
        io.BytesIO(initial), encoding="utf-8", errors="surrogateescape", write_through=True
    )


def _drain(stream: io.TextIOWrapper) -> str:
    stream.flush()
    raw = stream.buffer
    assert isinstance(raw, io.BytesIO)
    return raw.getvalue().decode("utf-8", "replace")


def run_csp(args: Sequence[str], stdin: str | bytes | None = None) -> CspRun:
    """Run ``csp ARGS`` in this process and capture what it prints."""
    from csp.cli import main

    data = stdin.encode("utf-8") if isinstance(stdin, str) else (stdin or b"")
    fake_in, fake_out, fake_err = _byte_stream(data), _byte_stream(), _byte_stream()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = fake_in, fake_out, fake_err
    try:
        code = main(list(args))
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return CspRun(code, _drain(fake_out), _drain(fake_err))


@pytest.fixture(name="run_csp")
def run_csp_fixture() -> Callable[..., CspRun]:
    """The in-process runner as a fixture: ``run_csp(["run", path])``."""
    return run_csp


@pytest.fixture
def write_csp(tmp_path: Path) -> Callable[[str, str], Path]:
    """Write a program into the test's temporary folder and return its path."""

    def write(text: str, name: str = "prog.csp") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return path

    return write


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip tests marked ``needs_shared`` when ../shared is absent."""
    if SHARED_DIR.is_dir():
        return
    skip = pytest.mark.skip(reason=f"{SHARED_DIR} (the shared corpus) is not present")
    for item in items:
        if item.get_closest_marker("needs_shared") is not None:
            item.add_marker(skip)
