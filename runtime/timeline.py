"""The HTML timeline: runtime/timeline_template.html plus the run's data.

``write_timeline(rec, path)`` writes ONE self-contained file: the template
(inline CSS and JS, no network access, no external scripts) with the data
of a ``runtime.trace.TraceRecorder`` embedded as JSON in a
``<script type="application/json" id="csp-data">`` element.

The data is columnar and flat (numbers in arrays, strings in tables) so
that a program with 10,000 goroutines stays a few MB and the page's
canvas renderer can binary-search it:
- ``procs``: number of Ps; ``end``: last virtual ns.
- ``strings``: string table (wait reasons, stop reasons).
- ``goroutines``: ``[id, name, created ns]``, sorted by id; a goroutine's
  index in this list is its lane.
- ``states[i]``: flat ``[t, state, string index, ...]`` for lane i, state
  0 runnable, 1 running, 2 blocked (string = wait reason), 3 dead.
- ``slices[p]``: flat ``[start, end, lane, stop string index, ...]``.
- ``flows``: flat ``[send P, send ns, send lane, recv P, recv ns,
  recv lane, channel, ...]``.
- ``chans``: ``[name, cap, flat [t, len, closed, sent, received, ...]]``
  with snapshots sorted by time.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from runtime.trace import TraceRecorder

PLACEHOLDER = "/*CSP_TIMELINE_DATA*/null"


def timeline_data(rec: TraceRecorder) -> dict[str, Any]:
    gids = sorted(set(rec.states) | set(rec.names))
    lane = {gid: i for i, gid in enumerate(gids)}
    goroutines = [[gid, rec.names.get(gid, "?"), rec.created.get(gid, 0)] for gid in gids]
    states = [rec.states.get(gid, []) for gid in gids]
    per_p: list[list[tuple[int, int, int, int]]] = [[] for _ in range(rec.nprocs)]
    sl = rec.slices
    for k in range(0, len(sl), 5):
        per_p[sl[k]].append((sl[k + 2], sl[k + 3], lane[sl[k + 1]], sl[k + 4]))
    slices: list[list[int]] = []
    for rows in per_p:
        rows.sort()
        slices.append([x for r in rows for x in r])
    flows: list[int] = []
    fl = rec.flows
    for k in range(0, len(fl), 7):
        sg, rg = fl[k + 2], fl[k + 5]
        if sg in lane and rg in lane:
            flows += (fl[k], fl[k + 1], lane[sg], fl[k + 3], fl[k + 4], lane[rg], fl[k + 6])
    chans: list[list[Any]] = []
    for idx, ops in enumerate(rec.chan_ops):
        recs = sorted(ops[k:k + 5] for k in range(0, len(ops), 5))
        chans.append([rec.chan_name(idx), rec.chans[idx].cap, [x for r in recs for x in r]])
    return {"procs": rec.nprocs, "end": rec.end, "strings": rec.strings,
            "goroutines": goroutines, "states": states, "slices": slices,
            "flows": flows, "chans": chans}


def template() -> str:
    return (resources.files("runtime") / "timeline_template.html").read_text(encoding="utf-8")


def render_timeline(rec: TraceRecorder) -> str:
    data = json.dumps(timeline_data(rec), separators=(",", ":"))
    # Inside <script>, "</" could close the element: escape it.
    data = data.replace("</", "<\\/")
    page = template()
    if PLACEHOLDER not in page:
        raise AssertionError("timeline template lost its data placeholder")
    return page.replace(PLACEHOLDER, data, 1)


def write_timeline(rec: TraceRecorder, path: str) -> None:
    text = render_timeline(rec)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


__all__ = ["render_timeline", "timeline_data", "write_timeline"]
