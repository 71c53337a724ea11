"""The sequential examples (examples/hello.csp, closures.csp) run and print
what examples/README.md promises.  The concurrency demos in the same folder
are tested by their own area.

Expected outputs are Go's (Go 1.22 loop-variable semantics), written here
rather than produced by csp.
"""

from __future__ import annotations

import pytest
from conftest import REPO_ROOT, run_csp

EXAMPLES = REPO_ROOT / "examples"

EXPECTED = {
    "hello.csp": "hello, gopher\n1 squared is 1\n2 squared is 4\n3 squared is 9\n",
    "closures.csp": (
        "1 2 3 1\n[10 20 30]\n[100 200 300]\n0 1 2 \n"
        "deferred calls run when main returns, the last deferred first:\n"
        "  defer 2\n  defer 1\n  defer 0\n"
    ),
}


def test_examples_exist() -> None:
    assert all((EXAMPLES / name).is_file() for name in EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_output(name: str) -> None:
    code, out, err = run_csp(["run", str(EXAMPLES / name)])
    assert (code, err) == (0, "")
    assert out == EXPECTED[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_checks_clean(name: str) -> None:
    assert tuple(run_csp(["check", str(EXAMPLES / name)])) == (0, "", "")
