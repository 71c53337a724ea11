"""Resource limits for a run: wall clock, steps, goroutines, memory, output,
and the goroutine stack cap.  What stops a runaway program, and how.

Invariants:
- Limits never slow the hot path: the VM is not touched per instruction.
  The scheduler already counts down ``instr_left`` once per slice; when it
  reaches zero it calls ``Watchdog.checkpoint``, which checks the wall
  clock, the step count, the memory estimate and the running goroutine's
  depth, and hands out the next countdown (at most ``CHECK_UNITS``).
  Goroutines are counted in ``spawn``; output bytes in ``LimitedWriter``;
  memory is charged where slices grow (``charge``), only on growth.
- Hitting a limit raises ``LimitExceeded`` (a BaseException, so no
  ``except Exception`` in a native can swallow it); ``runtime.run``
  catches it, flushes stdout, prints ``reason_line()`` and a goroutine
  dump to stderr, and exits with the limit's own code (``EXIT_CODES``).
- Deep recursion raises ``StackOverflow`` and ends like Go's
  ``fatal error: stack overflow`` (exit 2): MAX_FRAMES frames per
  goroutine stand for Go's 1 GB stack (1000 bytes a frame).
- The memory estimate is the growth of the interpreter's resident set
  since the run began (Linux: /proc/self/statm; elsewhere the peak RSS),
  measured when the program has allocated another limit's worth of slice
  storage since the last measurement, and every MEMORY_PERIOD seconds at a
  checkpoint; an allocation that alone would pass the limit fails before
  it is made.  Python objects are larger than Go's, so a program needs
  roughly 2-8x the memory it needs under Go.
"""

from __future__ import annotations

import itertools
import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import Any, TextIO

EXIT_TIMEOUT = 3
EXIT_STEPS = 4
EXIT_GOROUTINES = 5
EXIT_MEMORY = 6
EXIT_OUTPUT = 7
EXIT_STACK_OVERFLOW = 2  # a Go fatal error, like Go
EXIT_INTERRUPTED = 130   # 128 + SIGINT

EXIT_CODES: dict[str, int] = {
    "timeout": EXIT_TIMEOUT,
    "max-steps": EXIT_STEPS,
    "max-goroutines": EXIT_GOROUTINES,
    "max-memory": EXIT_MEMORY,
    "max-output": EXIT_OUTPUT,
}

DEFAULT_MAX_GOROUTINES = 1_000_000
DEFAULT_MAX_MEMORY = 1 << 30
MAX_FRAMES = 1_000_000
STACK_LIMIT_BYTES = 1_000_000_000
CHECK_UNITS = 10_000      # instruction units between two checkpoints
MEMORY_PERIOD = 0.05      # seconds between two resident-set measurements
DUMP_GOROUTINES = 10      # goroutines shown in a limit's dump
DUMP_FRAMES = 100         # frames per goroutine, as Go's traceback prints


class LimitExceeded(BaseException):
    """The program passed one of the run's limits (``flag`` without dashes)."""

    def __init__(self, flag: str, shown: str) -> None:
        super().__init__(flag, shown)
        self.flag = flag
        self.shown = shown
        self.exit_code = EXIT_CODES[flag]

    def reason_line(self) -> str:
        return (f"csp: program exceeded --{self.flag}={self.shown} "
                f"(raise it with --{self.flag})\n")


class StackOverflow(BaseException):
    """A goroutine passed MAX_FRAMES frames (Go: 1 GB of stack)."""

    def __init__(self, g: Any) -> None:
        super().__init__(getattr(g, "id", 0))
        self.g = g


# ---------------------------------------------------------------- flag values

_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3,
                   "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)")
_SIZE = re.compile(r"(\d+(?:\.\d*)?)\s*([kmgt]?)(i?)(b?)", re.IGNORECASE)
_SIZE_POWERS = {"": 0, "k": 1, "m": 2, "g": 3, "t": 4}


def parse_duration(text: str) -> float:
    """Seconds in Go's time.ParseDuration syntax ("2s", "1m30s", "500ms");
    a bare number means seconds.  Raises ValueError."""
    s = text.strip()
    if not s:
        raise ValueError("empty duration")
    try:
        value = float(s)
    except ValueError:
        pos = 0
        value = 0.0
        for m in _DURATION_PART.finditer(s):
            if m.start() != pos:
                break
            value += float(m.group(1)) * _DURATION_UNITS[m.group(2)]
            pos = m.end()
        if pos != len(s):
            raise ValueError(f"invalid duration {text!r}") from None
    if value <= 0:
        raise ValueError(f"duration must be positive, got {text!r}")
    return value


def parse_size(text: str) -> int:
    """Bytes from "1GiB", "100MB", "512k", "4096" (k/M/G/T: powers of 1000,
    Ki/Mi/Gi/Ti: powers of 1024; a bare k/m/g/t also means 1024).  Raises
    ValueError."""
    m = _SIZE.fullmatch(text.strip())
    if m is None:
        raise ValueError(f"invalid size {text!r}")
    number, prefix, binary, _ = m.groups()
    power = _SIZE_POWERS[prefix.lower()]
    base = 1000 if (prefix and not binary and m.group(4)) else 1024
    value = int(float(number) * base ** power)
    if value <= 0:
        raise ValueError(f"size must be positive, got {text!r}")
    return value


# ---------------------------------------------------------------- memory


def _statm_rss() -> int | None:
    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * _PAGE
    except (OSError, ValueError, IndexError):
        return None


def _peak_rss() -> int:
    try:
        import resource
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    except (ImportError, OSError):
        return 0
    return int(peak) if sys.platform == "darwin" else int(peak) * 1024


def _page_size() -> int:
    try:
        import os
        return int(os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return 4096


_PAGE = _page_size()


def resident_bytes() -> int:
    """The interpreter's resident memory now (peak where /proc is missing)."""
    rss = _statm_rss()
    return rss if rss is not None else _peak_rss()


class MemoryMeter:
    """The --max-memory estimate: see the module header."""

    def __init__(self, limit: int, shown: str,
                 measure: Callable[[], int] = resident_bytes) -> None:
        self.limit = limit
        self.shown = shown
        self.measure = measure
        self.base = measure()
        self.estimate = 0   # live bytes at the last measurement + charged since
        self.last_measured = time.monotonic()

    def charge(self, nbytes: int) -> None:
        """The program is about to allocate nbytes of slice storage."""
        self.estimate += nbytes
        if self.estimate > self.limit:
            self.check(nbytes)

    def check(self, pending: int = 0) -> None:
        """Measure; raise LimitExceeded when live + pending passes the limit."""
        live = max(0, self.measure() - self.base)
        self.last_measured = time.monotonic()
        if live + pending > self.limit:
            raise LimitExceeded("max-memory", self.shown)
        self.estimate = live + pending


_active_meter: MemoryMeter | None = None


def charge(nbytes: int) -> None:
    """Called by the VM's allocation slow paths (slice growth, make)."""
    meter = _active_meter
    if meter is not None:
        meter.charge(nbytes)


def set_meter(meter: MemoryMeter | None) -> MemoryMeter | None:
    """Install the meter of the run starting now; returns the previous one."""
    global _active_meter
    previous = _active_meter
    _active_meter = meter
    return previous


# ---------------------------------------------------------------- output


class LimitedWriter:
    """A text stream that passes at most ``limit`` bytes (UTF-8, as Go's
    bytes) to ``inner``; the write that would pass the limit writes what
    fits, then raises LimitExceeded."""

    def __init__(self, inner: TextIO, limit: int, shown: str) -> None:
        self.inner = inner
        self.limit = limit
        self.shown = shown
        self.written = 0

    def write(self, text: str) -> int:
        n = len(text) if text.isascii() else len(text.encode("utf-8", "surrogateescape"))
        if self.written + n <= self.limit:
            self.written += n
            return self.inner.write(text)
        room = self.limit - self.written
        data = text.encode("utf-8", "surrogateescape")[:room]
        self.inner.write(data.decode("utf-8", "ignore"))
        self.written = self.limit
        self.flush()
        raise LimitExceeded("max-output", self.shown)

    def flush(self) -> None:
        self.inner.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


# ---------------------------------------------------------------- the watchdog


class Watchdog:
    """Checks the clock, steps, memory and stack depth at checkpoints."""

    def __init__(self, *, timeout: float | None = None, timeout_shown: str = "",
                 max_steps: int | None = None, meter: MemoryMeter | None = None,
                 max_frames: int = MAX_FRAMES,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.timeout = timeout
        self.timeout_shown = timeout_shown
        self.max_steps = max_steps
        self.meter = meter
        self.max_frames = max_frames
        self.clock = clock
        self.start = clock()
        self.deadline = self.start + timeout if timeout is not None else float("inf")
        self.steps = 0
        self.granted = 0

    def grant(self) -> int:
        """The next countdown for the scheduler's instr_left."""
        n = CHECK_UNITS
        if self.max_steps is not None:
            n = max(1, min(n, self.max_steps - self.steps))
        self.granted = n
        return n

    def checkpoint(self, machine: Any, g: Any) -> int:
        """Called by the scheduler when instr_left ran out after g's slice."""
        self.steps += self.granted - machine.instr_left
        if self.max_steps is not None and self.steps >= self.max_steps:
            raise LimitExceeded("max-steps", str(self.max_steps))
        now = self.clock()
        if now >= self.deadline:
            raise LimitExceeded("timeout", self.timeout_shown)
        frames = getattr(g, "frames", None)
        if frames is not None and len(frames) > self.max_frames:
            raise StackOverflow(g)
        meter = self.meter
        if meter is not None and now - meter.last_measured >= MEMORY_PERIOD:
            meter.check()
        return self.grant()

    def check_clock(self) -> None:
        if self.clock() >= self.deadline:
            raise LimitExceeded("timeout", self.timeout_shown)


# ---------------------------------------------------------------- reports


def format_duration(seconds: float) -> str:
    """Go's Duration.String() shape for flag values: 2s, 500ms, 1m30s."""
    ns = round(seconds * 1e9)
    if ns < 1_000_000_000:
        for unit, size in (("ms", 1_000_000), ("us", 1000)):
            if ns >= size and ns % size == 0:
                return f"{ns // size}{unit}"
        return f"{ns}ns"
    h, rest = divmod(ns, 3_600_000_000_000)
    m, rest = divmod(rest, 60_000_000_000)
    secs = f"{rest / 1e9:.9f}".rstrip("0").rstrip(".")
    out = f"{h}h" if h else ""
    if h or m:
        out += f"{m}m"
    return out + f"{secs}s"


def format_size(n: int) -> str:
    """The shortest exact spelling: 1GiB, 100MB, 512KiB, 10000 (bytes)."""
    for suffix, size in (("TiB", 1 << 40), ("GiB", 1 << 30), ("MiB", 1 << 20),
                         ("TB", 10 ** 12), ("GB", 10 ** 9), ("MB", 10 ** 6),
                         ("KiB", 1 << 10)):
        if n >= size and n % size == 0:
            return f"{n // size}{suffix}"
    return str(n)


def _frames_text(g: Any, limit: int) -> list[str]:
    from runtime.deadlock import qualify

    lines: list[str] = []
    frames = getattr(g, "frames", None)
    if frames is None:
        for name, filename, line in itertools.islice(g.stack(), limit):
            lines += [f"{qualify(name)}()", f"\t{filename}:{line}"]
        return lines
    # A goroutine stopped between instructions (budget, park) has pc at the
    # next instruction; one stopped mid-instruction (by a limit raised in a
    # native) has pc just past it.
    between = getattr(getattr(g, "status", None), "value", None) != "running"
    shown = 0
    for f in reversed(frames):
        fn = f.fn
        if fn.filename == "<runtime>" or fn.name.startswith("runtime."):
            continue
        if shown == limit:
            lines.append("...additional frames elided...")
            break
        line = fn.lines[f.pc] if shown == 0 and between and f.pc < len(fn.lines) else f.line()
        lines += [f"{qualify(fn.name)}()", f"\t{fn.filename}:{line}"]
        shown += 1
    return lines


def goroutine_dump(g: Any, state: str) -> str:
    """One goroutine in Go's traceback shape, at most DUMP_FRAMES frames."""
    from runtime.deadlock import qualify

    lines = [f"goroutine {g.id} [{state}]:", *_frames_text(g, DUMP_FRAMES)]
    created = getattr(g, "created_by", None)
    site = getattr(g, "go_site", None)
    if created is not None and site is not None:
        lines.append(f"created by {qualify(created[0])} in goroutine {created[1]}")
        lines.append(f"\t{site[0]}:{site[1]}")
    return "\n".join(lines) + "\n"


def _state(g: Any, running: Any) -> str:
    if g is running:
        return "running"
    from runtime.deadlock import state_of
    return state_of(g)


def dump_all(goroutines: Iterable[Any], running: Any = None) -> str:
    """The dump printed after a limit: the running goroutine first, then the
    others in creation order, at most DUMP_GOROUTINES of them."""
    gs = list(goroutines)
    if running is not None and running in gs:
        gs.remove(running)
        gs.insert(0, running)
    parts = [goroutine_dump(g, _state(g, running)) for g in gs[:DUMP_GOROUTINES]]
    text = "\n".join(parts)
    if len(gs) > DUMP_GOROUTINES:
        text += f"\n...{len(gs) - DUMP_GOROUTINES} more goroutines not shown...\n"
    return text


def stack_overflow_report(g: Any) -> str:
    """Go's report for a goroutine that outgrew its stack."""
    return (f"runtime: goroutine stack exceeds {STACK_LIMIT_BYTES}-byte limit\n"
            "fatal error: stack overflow\n\n" + goroutine_dump(g, "running"))



# ---------------------------------------------------------------- supervising a run


class RunLimits:
    """The limits of one run, as runtime.run.RunOptions carries them."""

    def __init__(self, *, timeout: float | None = None, max_steps: int | None = None,
                 max_goroutines: int | None = DEFAULT_MAX_GOROUTINES,
                 max_memory: int | None = DEFAULT_MAX_MEMORY,
                 max_output: int | None = None, max_frames: int = MAX_FRAMES,
                 debug: bool = False) -> None:
        self.timeout = timeout
        self.max_steps = max_steps
        self.max_goroutines = max_goroutines
        self.max_memory = max_memory
        self.max_output = max_output
        self.max_frames = max_frames
        self.debug = debug


def _flush(stream: Any) -> None:
    try:
        stream.flush()
    except (OSError, ValueError, AttributeError):
        pass


def _running(machine: Any) -> Any:
    p = getattr(machine, "cur_p", None)
    return getattr(p, "cur", None) if p is not None else None


class _Backstop:
    """SIGALRM a little after the timeout, for the rare stretch that never
    reaches a checkpoint (a native running long, a callback loop, a real-
    clock sleep).  Only in the main thread, where signals are delivered."""

    def __init__(self, timeout: float | None, shown: str) -> None:
        self.armed = False
        self.previous: Any = None
        if timeout is None:
            return
        import signal
        import threading
        if not hasattr(signal, "setitimer") or \
                threading.current_thread() is not threading.main_thread():
            return

        def on_alarm(signum: int, frame: Any) -> None:
            raise LimitExceeded("timeout", shown)

        self.previous = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, timeout + max(0.25, timeout / 10))
        self.armed = True

    def disarm(self) -> None:
        if self.armed:
            import signal
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self.previous)
            self.armed = False


class _AddressSpaceCap:
    """A hard backstop for --max-memory: RLIMIT_AS a generous margin above
    the limit, so that an allocation the meter cannot see (a string doubled
    in a loop) ends in MemoryError, reported as the limit, instead of the
    host running out of memory.  Restored after the run (in-process runs
    share the process)."""

    def __init__(self, max_memory: int | None) -> None:
        self.previous: tuple[int, int] | None = None
        if max_memory is None:
            return
        try:
            import resource
            with open("/proc/self/statm", "rb") as fh:
                virtual = int(fh.read().split()[0]) * _PAGE
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            cap = virtual + 2 * max_memory + (512 << 20)
            if hard != resource.RLIM_INFINITY:
                cap = min(cap, hard)
            if soft != resource.RLIM_INFINITY and soft <= cap:
                return
            resource.setrlimit(resource.RLIMIT_AS, (cap, hard))
            self.previous = (soft, hard)
        except (ImportError, OSError, ValueError, IndexError):
            self.previous = None

    def restore(self) -> None:
        if self.previous is not None:
            import resource
            try:
                resource.setrlimit(resource.RLIMIT_AS, self.previous)
            except (OSError, ValueError):
                pass
            self.previous = None


def supervise(machine: Any, limits: RunLimits, body: Callable[[], int]) -> int:
    """Run ``body`` (the machine's run) under ``limits``; return the exit
    code, reporting a limit, a stack overflow or an interrupt on the
    machine's stderr after flushing what the program printed."""
    timeout_shown = format_duration(limits.timeout) if limits.timeout is not None else ""
    meter = (MemoryMeter(limits.max_memory, format_size(limits.max_memory))
             if limits.max_memory is not None else None)
    watchdog = Watchdog(timeout=limits.timeout, timeout_shown=timeout_shown,
                        max_steps=limits.max_steps, meter=meter,
                        max_frames=limits.max_frames)
    machine.watchdog = watchdog
    machine.instr_left = watchdog.grant()
    if limits.max_goroutines is not None:
        machine.max_goroutines = limits.max_goroutines
    program_stdout = machine.stdout
    if limits.max_output is not None:
        machine.stdout = LimitedWriter(program_stdout, limits.max_output,
                                       format_size(limits.max_output))
    previous_meter = set_meter(meter)
    backstop = _Backstop(limits.timeout, timeout_shown)
    address_cap = _AddressSpaceCap(limits.max_memory)
    try:
        try:
            return body()
        finally:
            address_cap.restore()
            backstop.disarm()
            set_meter(previous_meter)
    except LimitExceeded as e:
        return _report(machine, program_stdout, e.reason_line(),
                       dump_all(_goroutines(machine), _running(machine)), e.exit_code)
    except StackOverflow as e:
        return _report(machine, program_stdout, "", stack_overflow_report(e.g),
                       EXIT_STACK_OVERFLOW)
    except RecursionError:
        g = _running(machine)
        text = stack_overflow_report(g) if g is not None else (
            "runtime: goroutine stack exceeds 1000000000-byte limit\n"
            "fatal error: stack overflow\n")
        return _report(machine, program_stdout, "", text, EXIT_STACK_OVERFLOW)
    except MemoryError:
        if meter is not None:
            limit = LimitExceeded("max-memory", meter.shown)
            return _report(machine, program_stdout, limit.reason_line(),
                           dump_all(_goroutines(machine), _running(machine)), limit.exit_code)
        return _report(machine, program_stdout, "fatal error: runtime: out of memory\n",
                       "\n" + dump_all(_goroutines(machine), _running(machine)),
                       EXIT_STACK_OVERFLOW)
    except KeyboardInterrupt:
        dump = dump_all(_goroutines(machine), _running(machine)) if limits.debug else ""
        return _report(machine, program_stdout, "signal: interrupt\n", dump, EXIT_INTERRUPTED)



def _goroutines(machine: Any) -> list[Any]:
    allgs = getattr(machine, "allgs", None)
    return list(allgs.values()) if allgs else []


def _report(machine: Any, program_stdout: Any, reason: str, dump: str, code: int) -> int:
    _flush(program_stdout)
    err = machine.stderr
    err.write(reason)
    if dump:
        if reason and not dump.startswith("\n"):
            err.write("\n")
        err.write(dump)
    _flush(err)
    return code


__all__ = [
    "CHECK_UNITS", "DEFAULT_MAX_GOROUTINES", "DEFAULT_MAX_MEMORY", "EXIT_CODES",
    "EXIT_GOROUTINES", "EXIT_MEMORY", "EXIT_OUTPUT", "EXIT_STACK_OVERFLOW", "EXIT_STEPS",
    "EXIT_INTERRUPTED", "EXIT_TIMEOUT", "LimitExceeded", "LimitedWriter", "MAX_FRAMES",
    "MemoryMeter", "RunLimits",
    "StackOverflow", "Watchdog", "charge", "dump_all", "goroutine_dump", "parse_duration",
    "parse_size", "resident_bytes", "set_meter", "stack_overflow_report", "supervise",
]
