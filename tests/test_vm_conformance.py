"""The sequential conformance corpus run in-process through
lang.pipeline.load and runtime.run.run_program: stdout, exit code and the
expected stderr lines must match what Go produced."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import pytest

from lang.pipeline import load
from runtime.run import RunOptions, run_program

CASES = Path("/work/shared/conformance/cases")
FAIL_CASES = ["fail_divide_zero", "fail_index_range", "fail_nil_map", "fail_nil_pointer",
              "fail_os_exit", "fail_panic_error", "fail_panic_string"]


def case_names() -> list[str]:
    if not CASES.is_dir():
        return []
    seq = sorted(p.stem for p in CASES.glob("seq_*.csp"))
    return seq + [n for n in FAIL_CASES if (CASES / f"{n}.csp").exists()]


@pytest.mark.skipif(not CASES.is_dir(), reason="shared conformance corpus not present")
@pytest.mark.parametrize("name", case_names())
def test_conformance_case(name: str) -> None:
    src = CASES / f"{name}.csp"
    expected_out = (CASES / f"{name}.out").read_text()
    meta_path = CASES / f"{name}.json"
    meta = json.loads(meta_path.read_text()) if os.path.exists(meta_path) else {}
    result = load(str(src))
    assert result.program is not None, [d.header() for d in result.diagnostics]
    out, err = io.StringIO(), io.StringIO()
    code = run_program(result.program, RunOptions(stdout=out, stderr=err))
    assert out.getvalue() == expected_out
    assert code == meta.get("exit", 0), err.getvalue()
    for line in meta.get("stderr_contains", []):
        assert line in err.getvalue()
    if code == 2:
        first = err.getvalue().splitlines()[0]
        assert first.startswith("panic: ")
        assert "goroutine 1 [running]:" in err.getvalue()
