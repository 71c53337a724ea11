"""`csp run --timeline FILE` opened in a real browser.

Debian's chromium (/usr/bin/chromium, installed by .ci/install-browser.sh)
driven by the `playwright` Python package with ``executable_path`` set --
``playwright install`` (a downloaded browser build) is never used.  The
page is opened from a file:// URL with networking disabled, so a page that
needed the network would show it as console errors or a blank timeline.

Skips (with the reason) only when chromium or playwright is absent.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, run_csp

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = REPO_ROOT / "artifacts"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]

if not Path(CHROMIUM).exists():
    pytest.skip(f"{CHROMIUM} is absent (install it with .ci/install-browser.sh)",
                allow_module_level=True)
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is absent (pip install -e '.[dev]')")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield b
        finally:
            b.close()


class Page:
    """A timeline page plus every console error and uncaught exception."""

    def __init__(self, browser: Any, html: Path) -> None:
        self.errors: list[str] = []
        self.page = browser.new_page(viewport={"width": 1400, "height": 800})
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.requests: list[str] = []
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(html.as_uri())
        self.page.wait_for_selector("body[data-ready='1']", timeout=30_000)

    def js(self, expr: str) -> Any:
        return self.page.evaluate(expr)


def _timeline(tmp_path: Path, program: Path, *flags: str) -> Path:
    html = tmp_path / "timeline.html"
    code, _, err = run_csp(["run", "--timeline", str(html), *flags, str(program)])
    assert code == 0, err
    return html


def test_worker_pool_timeline_in_chromium(browser: Any, tmp_path: Path) -> None:
    html = _timeline(tmp_path, REPO_ROOT / "examples" / "fanout_workers.csp")
    page = Page(browser, html)
    api = page.js("({p: cspTimeline.processorCount, l: cspTimeline.goroutineLaneCount,"
                  " c: cspTimeline.channelCount, f: cspTimeline.flowCount})")
    # --procs 4 (the default); main plus the 10 workers; jobs and results.
    assert api == {"p": 4, "l": 11, "c": 2, "f": 200}
    canvas = page.page.locator("#csp-canvas")
    assert canvas.get_attribute("data-processors") == "4"
    assert canvas.get_attribute("data-lanes") == "11"

    # Hover a blocked interval of a goroutine lane: the tooltip names the
    # wait reason (workers sleep in process(); main waits on results).
    spot = page.js("cspTimeline.findBlocked()")
    assert spot is not None
    page.page.mouse.move(spot["x"], spot["y"])
    tip = page.page.locator("#csp-tooltip")
    assert tip.is_visible()
    text = tip.inner_text()
    assert "blocked" in text
    assert f"wait reason: {spot['reason']}" in text
    assert spot["reason"] in ("sleep", "chan receive")
    # The side panel shows the state of goroutines and channels there.
    side = page.page.locator("#csp-side").inner_text()
    assert "G1 " in side and "chan#1 (cap 100)" in side

    # Zoom in with the wheel, pan with a drag: the view changes.
    before = page.js("[cspTimeline.view.t0, cspTimeline.view.t1]")
    page.page.mouse.wheel(0, -600)
    zoomed = page.js("[cspTimeline.view.t0, cspTimeline.view.t1]")
    assert zoomed[1] - zoomed[0] < before[1] - before[0]
    page.page.mouse.move(700, 100)
    page.page.mouse.down()
    page.page.mouse.move(500, 100)
    page.page.mouse.up()
    panned = page.js("[cspTimeline.view.t0, cspTimeline.view.t1]")
    assert panned[0] > zoomed[0]

    page.page.dblclick("#csp-canvas", position={"x": 400, "y": 300})
    page.page.mouse.move(spot["x"], spot["y"])
    ARTIFACTS.mkdir(exist_ok=True)
    page.page.screenshot(path=str(ARTIFACTS / "timeline.png"))
    assert (ARTIFACTS / "timeline.png").stat().st_size > 10_000
    assert page.errors == []
    # Self-contained: the only request is the page itself.
    assert all(u.startswith("file://") or u.startswith("data:") for u in page.requests)


def test_ten_thousand_goroutines_stay_usable(browser: Any, tmp_path: Path,
                                             write_csp: Any) -> None:
    prog = write_csp("""package main

import (
	"fmt"
	"sync"
)

func main() {
	gate := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 10000; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-gate
		}()
	}
	close(gate)
	wg.Wait()
	fmt.Println("done")
}
""")
    html = _timeline(tmp_path, prog)
    page = Page(browser, html)
    assert page.js("cspTimeline.goroutineLaneCount") == 10001
    # One full redraw (visible lanes only, sub-pixel intervals merged).
    started = time.monotonic()
    ms = page.js("(() => { const t = performance.now(); cspTimeline.redraw();"
                 " return performance.now() - t; })()")
    assert ms < 500, f"a redraw took {ms:.0f} ms"
    spot = page.js("cspTimeline.findBlocked()")
    page.page.mouse.move(spot["x"], spot["y"])
    assert "wait reason: " in page.page.locator("#csp-tooltip").inner_text()
    assert time.monotonic() - started < 30
    assert page.errors == []


def test_chromium_is_debians() -> None:
    assert shutil.which("chromium") == CHROMIUM or Path(CHROMIUM).exists()
