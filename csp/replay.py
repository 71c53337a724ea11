"""Schedule strings: ``csp run --record`` prints one, ``csp run --replay``
takes one back, ``csp explore`` prints one per outcome.

A run on the simulated machine is deterministic given the program, its
input and the scheduler's parameters, so the string simply encodes those
parameters:

    v1:seed=7:procs=1:slice=1:preempt=async:pct=3/120,450:sw=12.7,30.6:race

- ``seed``, ``procs``, ``slice`` (0: the default slice), ``preempt``;
- ``pct=D/P1,P2,...``: PCT depth D and its priority-change steps
  (runtime/pct.py);
- ``sw=S.G,...``: forced switches, run goroutine G at step S;
- ``race``: the run used -race.
Fields may come in any order; unknown fields are an error (a string from a
newer csp is refused rather than misread).  ``@FILE`` reads the string from
a file.
"""

from __future__ import annotations

from typing import Any, Optional

from lang.records import record

VERSION = "v1"


class ScheduleError(ValueError):
    """A schedule string that cannot be read."""


@record(frozen=True, slots=False)
class RunSchedule:
    seed: int = 1
    procs: int = 4
    slice: int = 0
    preempt: str = "async"
    depth: int = 0
    change_points: tuple[int, ...] = ()
    switches: tuple[tuple[int, int], ...] = ()
    race: bool = False

    def encode(self) -> str:
        parts = [VERSION, f"seed={self.seed}", f"procs={self.procs}"]
        if self.slice:
            parts.append(f"slice={self.slice}")
        if self.preempt != "async":
            parts.append(f"preempt={self.preempt}")
        if self.depth:
            parts.append(f"pct={self.depth}/" + ",".join(map(str, self.change_points)))
        if self.switches:
            parts.append("sw=" + ",".join(f"{s}.{g}" for s, g in self.switches))
        if self.race:
            parts.append("race")
        return ":".join(parts)

    def needs_hook(self) -> bool:
        return bool(self.depth or self.switches)

    def hook(self, record: bool = False) -> Any:
        """The runtime/pct.py hook for this schedule, or None."""
        if not self.needs_hook():
            return None
        from runtime.pct import ScheduleHook
        return ScheduleHook(seed=self.seed, depth=self.depth,
                            change_points=self.change_points,
                            switches=dict(self.switches), record=record)


def _int(key: str, text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise ScheduleError(f"bad {key} in schedule: {text!r}") from None


def decode(text: str) -> RunSchedule:
    text = text.strip()
    parts = text.split(":")
    if not parts or parts[0] != VERSION:
        raise ScheduleError(f"schedule must start with {VERSION}: (got {text[:40]!r})")
    seed, procs, slice_, preempt, depth, race = 1, 4, 0, "async", 0, False
    points: tuple[int, ...] = ()
    switches: tuple[tuple[int, int], ...] = ()
    for part in parts[1:]:
        key, _, value = part.partition("=")
        if key == "seed":
            seed = _int(key, value)
        elif key == "procs":
            procs = _int(key, value)
        elif key == "slice":
            slice_ = _int(key, value)
        elif key == "preempt":
            if value not in ("async", "cooperative"):
                raise ScheduleError(f"bad preempt in schedule: {value!r}")
            preempt = value
        elif key == "pct":
            d, _, pts = value.partition("/")
            depth = _int(key, d)
            points = tuple(_int(key, x) for x in pts.split(",") if x)
        elif key == "sw":
            pairs = []
            for item in value.split(","):
                s, dot, g = item.partition(".")
                if not dot:
                    raise ScheduleError(f"bad sw in schedule: {item!r}")
                pairs.append((_int(key, s), _int(key, g)))
            switches = tuple(pairs)
        elif key == "race" and not value:
            race = True
        else:
            raise ScheduleError(f"unknown field in schedule: {part!r}")
    if procs < 1 or slice_ < 0:
        raise ScheduleError("bad procs or slice in schedule")
    if (depth or switches) and procs != 1:
        raise ScheduleError("pct and sw schedules need procs=1")
    return RunSchedule(seed, procs, slice_, preempt, depth, points, switches, race)


def read_schedule(arg: str) -> RunSchedule:
    """``--replay`` argument: a schedule string or ``@FILE``."""
    if arg.startswith("@"):
        try:
            with open(arg[1:], encoding="utf-8") as f:
                arg = f.read()
        except OSError as e:
            raise ScheduleError(f"cannot read schedule file {arg[1:]}: {e.strerror}") from None
    return decode(arg)


def from_options(seed: int, procs: int, slice_units: int, preempt: str, race: bool,
                 hook: Optional[Any] = None) -> RunSchedule:
    """The schedule string of a plain (or hooked) run, for ``--record``."""
    if hook is not None:
        return RunSchedule(seed, procs, slice_units, preempt, hook.depth,
                           tuple(hook.change_points),
                           tuple(sorted(hook.switches.items())), race)
    return RunSchedule(seed, procs, slice_units, preempt, race=race)


def untangle_record(ns: Any) -> None:
    """``--record prog.csp``: argparse gave the program to --record."""
    rec = getattr(ns, "record", None)
    if rec is not None and rec != "-" and rec.endswith(".csp") and ns.file is None:
        ns.file, ns.record = rec, "-"


def apply_replay(ns: Any) -> Optional[RunSchedule]:
    """``csp run`` flags: fold ``--replay`` into the parsed namespace (seed,
    procs, slice, preempt, race) and return the schedule; also untangle
    ``--record FILE.csp`` (argparse takes the program for the record file)."""
    untangle_record(ns)
    arg = getattr(ns, "replay", None)
    if not arg:
        return None
    sched = read_schedule(arg)
    ns.seed, ns.procs, ns.slice_units, ns.preempt = (sched.seed, sched.procs, sched.slice,
                                                      sched.preempt)
    ns.race = ns.race or sched.race
    return sched


def record_schedule(ns: Any, options: Any) -> None:
    """``--record``: the run's schedule string on stderr, or into a file."""
    import sys
    hook = getattr(options, "strategy", None)
    text = from_options(options.seed, options.procs, options.slice_units, options.preempt,
                        bool(options.race), hook).encode()
    if ns.record == "-":
        sys.stderr.write(f"csp: schedule: {text}\n")
        return
    try:
        with open(ns.record, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    except OSError as e:
        sys.stderr.write(f"csp: cannot write schedule to {ns.record}: {e.strerror}\n")
