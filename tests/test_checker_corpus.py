"""The conformance corpus through the checker: every program checks clean
except the compile_* cases, whose first diagnostic sits exactly where Go
reports it.  Programs importing packages that are not registered yet are
skipped (the stdlib fills in over time)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lang.checker import check
from lang.parser import parse

CORPUS = Path("/work/shared/conformance/cases")
CASES = sorted(CORPUS.glob("*.csp")) if CORPUS.exists() else []


def _missing_packages(diags: list[str]) -> bool:
    return any("is not in std" in d for d in diags)


@pytest.mark.skipif(not CASES, reason="conformance corpus not available")
@pytest.mark.parametrize("path", CASES, ids=lambda p: p.stem)
def test_corpus_program(path: Path) -> None:
    f, perrs = parse(path.name, path.read_text())
    assert f is not None and not perrs, [d.header() for d in perrs]
    info, diags = check(f)
    headers = [d.header() for d in diags]
    if _missing_packages(headers):
        pytest.skip("imports a package not registered yet")
    if path.stem.startswith("compile_"):
        want = json.loads(path.with_suffix(".json").read_text())["stderr_contains"]
        assert headers, "expected a compile error"
        assert headers[0].startswith(want[0] + ":"), headers
        assert info is None
    else:
        assert headers == []
        assert info is not None
