"""The conformance corpus's concurrent programs (conc_*, time_*, fail_*,
race_*) compiled and run in-process on the G-M-P Scheduler: stdout must
match Go's, and the exit code / stderr fragments the case names."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from conftest import CONFORMANCE_CASES, needs_shared

import stdlib
from lang.pipeline import load
from runtime.scheduler import Scheduler

stdlib.load_all()

CASES = sorted(p for p in CONFORMANCE_CASES.glob("*.csp")
               if p.stem.split("_")[0] in ("conc", "time", "fail", "race")) \
    if CONFORMANCE_CASES.is_dir() else []


@needs_shared
@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_case_on_scheduler(path: Path) -> None:
    res = load(str(path))
    assert res.program is not None, res.diagnostics
    out, err = io.StringIO(), io.StringIO()
    code = Scheduler(out, err, procs=4, seed=1).run(res.program.entry)
    assert out.getvalue() == path.with_suffix(".out").read_text()
    spec_path = path.with_suffix(".json")
    spec = json.loads(spec_path.read_text()) if spec_path.exists() else {}
    if "-race" in spec.get("args", []):
        return  # the race detector is not part of the scheduler
    assert code == spec.get("exit", 0), err.getvalue()
    for fragment in spec.get("stderr_contains", []):
        assert fragment in err.getvalue()
