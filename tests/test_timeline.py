"""`csp run --timeline FILE` without a browser: the page is one
self-contained file (no network, no external scripts or styles), with the
run's data embedded and consistent.  tests/test_timeline_browser.py opens
it in chromium."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from conftest import REPO_ROOT, run_csp

from runtime.timeline import PLACEHOLDER, template

EXAMPLES = REPO_ROOT / "examples"


def _page(tmp_path: Path, example: str, *flags: str) -> tuple[str, dict[str, Any]]:
    html = tmp_path / "t.html"
    code, _, err = run_csp(["run", "--timeline", str(html), *flags, str(EXAMPLES / example)])
    assert code == 0, err
    text = html.read_text(encoding="utf-8")
    m = re.search(r'<script type="application/json" id="csp-data">(.*?)</script>', text, re.S)
    assert m is not None
    return text, json.loads(m.group(1))


def test_template_is_package_data() -> None:
    page = template()
    assert PLACEHOLDER in page and "<canvas" in page


def test_page_is_self_contained(tmp_path: Path) -> None:
    text, _ = _page(tmp_path, "fanout_workers.csp")
    assert PLACEHOLDER not in text
    assert not re.search(r'<script[^>]+src=', text)
    assert not re.search(r'<link[^>]+href="(?!data:)', text)
    assert not re.search(r'https?://', text), "the page must not reference the network"
    assert "@import" not in text


def test_embedded_data_of_worker_pool(tmp_path: Path) -> None:
    _, data = _page(tmp_path, "fanout_workers.csp", "--procs", "3")
    assert data["procs"] == 3 and len(data["slices"]) == 3
    names = [g[1] for g in data["goroutines"]]
    assert names.count("main.worker") == 10 and len(names) == 11
    lanes = len(data["goroutines"])
    assert len(data["states"]) == lanes
    reasons = set()
    for st in data["states"]:
        times = st[0::3]
        assert times == sorted(times), "lane states go back in time"
        assert set(st[1::3]) <= {0, 1, 2, 3}
        reasons |= {data["strings"][i] for s, i in zip(st[1::3], st[2::3], strict=True) if s == 2}
    assert {"sleep", "chan receive"} <= reasons
    for per_p in data["slices"]:
        spans = [(per_p[k], per_p[k + 1]) for k in range(0, len(per_p), 4)]
        assert all(a <= b for a, b in spans)
        assert all(b0 <= a1 for (_, b0), (a1, _) in zip(spans, spans[1:], strict=False))
        assert all(0 <= per_p[k + 2] < lanes for k in range(0, len(per_p), 4))
    assert len(data["flows"]) == 7 * 200
    assert [c[0] for c in data["chans"]] == ["chan#1 (cap 100)", "chan#2 (cap 100)"]
    jobs = data["chans"][0][2]
    # The last snapshot of jobs: closed, 100 sent, 100 received, empty.
    assert jobs[-5:][1:] == [0, 1, 100, 100]


def test_script_end_tag_in_names_is_escaped(tmp_path: Path, write_csp: Any) -> None:
    # Data can never close the <script> element early.
    from runtime.timeline import render_timeline
    from runtime.trace import TraceRecorder

    class FakeMachine:
        procs: list[Any] = []
        fire_time = 0

    rec = TraceRecorder(FakeMachine())
    rec.names[1] = "</script><b>x"
    rec.states[1] = [0, 1, 0]
    page = render_timeline(rec)
    assert "</script><b>" not in page
    assert page.count("</script>") == template().count("</script>")
