"""Package time on the simulated machine's virtual clock.

Invariants:
- Virtual time starts at the Go Playground's epoch, 2009-11-10 23:00:00
  UTC; ``Now()`` is that epoch plus the running goroutine's processor
  clock (``g.machine.now(g)``, virtual ns since the program started).
- Duration is a Named int64 (nanoseconds) whose String() is Go's.
- Time is a Named struct ``{ns int64, mono int64}``: ns is Unix
  nanoseconds, mono the monotonic reading (ns since start; -1 = none, as
  for times not from Now).  Sub/Before/After compare ns.  The zero Time is
  ``[0, -1]`` (year 1 is not modelled: it prints as 1970).
- Sleep, and receiving from the channels of After/Tick/NewTimer/NewTicker,
  park per runtime/park.py; timers live in the Scheduler's TimerHeap
  (runtime/timers.py).  Timer and Ticker are Named structs ``{C <-chan
  Time, r any}`` with r the runtime Timer; their channels are 1-buffered
  and a tick that finds the buffer full is dropped, as in Go 1.19.
- AfterFunc spawns a goroutine running f when the timer fires.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from lang import types as T
from runtime.channel import Channel
from runtime.errors import GoFatal, GoPanic
from runtime.panics import NIL_DEREF
from runtime.timers import Timer, channel_timer, func_timer
from runtime.values import Iface, Pointer, runtime_error
from stdlib.registry import Package, register

EPOCH_UNIX_NS = 1257894000 * 1_000_000_000  # 2009-11-10 23:00:00 UTC

NANOSECOND = 1
MICROSECOND = 1000
MILLISECOND = 1000 * MICROSECOND
SECOND = 1000 * MILLISECOND
MINUTE = 60 * SECOND
HOUR = 60 * MINUTE

DURATION = T.Named("Duration", "time", T.INT64)
TIME = T.Named("Time", "time", T.Struct((T.StructField("ns", T.INT64),
                                         T.StructField("mono", T.INT64))))
MONTH = T.Named("Month", "time", T.INT)
WEEKDAY = T.Named("Weekday", "time", T.INT)
TIME_CHAN = T.Chan(T.ChanDir.RECV, TIME)
TIMER = T.Named("Timer", "time", T.Struct((T.StructField("C", TIME_CHAN),
                                           T.StructField("r", T.ANY))))
TICKER = T.Named("Ticker", "time", T.Struct((T.StructField("C", TIME_CHAN),
                                             T.StructField("r", T.ANY))))
TIMER_PTR = T.Pointer(TIMER)
TICKER_PTR = T.Pointer(TICKER)


# ------------------------------------------------------------ Duration

def _frac(u: int, prec: int) -> tuple[str, int]:
    """Go's fmtFrac: the fraction of u/10**prec without trailing zeros."""
    digits = ""
    printed = False
    for _ in range(prec):
        digit = u % 10
        printed = printed or digit != 0
        if printed:
            digits = str(digit) + digits
        u //= 10
    return ("." + digits if printed else ""), u


def duration_string(d: int) -> str:
    """Duration.String, exactly as Go formats it."""
    if d == 0:
        return "0s"
    neg = d < 0
    u = -d if neg else d
    if u < SECOND:
        if u < MICROSECOND:
            frac, u, unit = "", u, "ns"
        elif u < MILLISECOND:
            frac, u = _frac(u, 3)
            unit = "µs"
        else:
            frac, u = _frac(u, 6)
            unit = "ms"
        text = f"{u}{frac}{unit}"
    else:
        frac, u = _frac(u, 9)
        text = f"{u % 60}{frac}s"
        u //= 60
        if u > 0:
            text = f"{u % 60}m{text}"
            u //= 60
            if u > 0:
                text = f"{u}h{text}"
    return "-" + text if neg else text


def _trunc_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return -q if (a < 0) != (b < 0) else q


def _float_units(d: int, unit: int) -> float:
    whole = _trunc_div(d, unit)
    return whole + (d - whole * unit) / unit


def _round(d: int, m: int) -> int:
    if m <= 0:
        return d
    r = abs(d) % m
    if d < 0:
        r = -r
        if r + r > -m:
            return d - r
        return d - r - m
    if r + r < m:
        return d - r
    return d + m - r


def _truncate(d: int, m: int) -> int:
    if m <= 0:
        return d
    return d - (abs(d) % m) * (1 if d >= 0 else -1)


def _dmethod(name: str, params: tuple[T.Type, ...], results: tuple[T.Type, ...],
             impl: Any) -> None:
    DURATION.methods[name] = T.MethodInfo(name, T.Signature(params, results), False, impl=impl)


_dmethod("String", (), (T.STRING,), lambda g, d: duration_string(d))
_dmethod("Nanoseconds", (), (T.INT64,), lambda g, d: d)
_dmethod("Microseconds", (), (T.INT64,), lambda g, d: _trunc_div(d, MICROSECOND))
_dmethod("Milliseconds", (), (T.INT64,), lambda g, d: _trunc_div(d, MILLISECOND))
_dmethod("Seconds", (), (T.FLOAT64,), lambda g, d: _float_units(d, SECOND))
_dmethod("Minutes", (), (T.FLOAT64,), lambda g, d: _float_units(d, MINUTE))
_dmethod("Hours", (), (T.FLOAT64,), lambda g, d: _float_units(d, HOUR))
_dmethod("Round", (DURATION,), (DURATION,), lambda g, d, m: _round(d, m))
_dmethod("Truncate", (DURATION,), (DURATION,), lambda g, d, m: _truncate(d, m))
_dmethod("Abs", (), (DURATION,), lambda g, d: abs(d))


# ------------------------------------------------------------ Time

def _machine(g: Any) -> Any:
    """The Scheduler running g.  Timers need it (runtime/scheduler.py);
    any other machine gets a clean fatal error, never a traceback."""
    m = getattr(g, "machine", None)
    if m is None or not hasattr(m, "timers"):
        raise GoFatal("csp: timers and sleep need the G-M-P scheduler")
    return m


def _virtual_now(g: Any) -> int:
    m = getattr(g, "machine", None)
    return int(m.now(g)) if m is not None else 0


def make_time(virtual_ns: int) -> list[int]:
    """The Time value for virtual instant virtual_ns (with monotonic reading)."""
    return [EPOCH_UNIX_NS + virtual_ns, virtual_ns]


def time_string(t: list[int]) -> str:
    ns, mono = t[0], t[1]
    sec, frac_ns = divmod(ns, SECOND)
    stamp = _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=sec)
    frac, _ = _frac(frac_ns, 9)
    text = stamp.strftime("%Y-%m-%d %H:%M:%S") + frac + " +0000 UTC"
    if mono >= 0:
        msec, mfrac = divmod(mono, SECOND)
        text += f" m=+{msec}.{mfrac:09d}"
    return text


_LAYOUT = [("2006", "%Y"), ("January", "%B"), ("Jan", "%b"), ("Monday", "%A"), ("Mon", "%a"),
           ("01", "%m"), ("02", "%d"), ("15", "%H"), ("03", "%I"), ("04", "%M"),
           ("05", "%S"), ("PM", "%p"), ("MST", "UTC"), ("-0700", "+0000"),
           ("Z07:00", "Z"), ("_2", "%e")]


def time_format(t: list[int], layout: str) -> str:
    """Time.Format for the common layout elements (UTC only)."""
    sec, frac_ns = divmod(t[0], SECOND)
    stamp = _dt.datetime(1970, 1, 1) + _dt.timedelta(seconds=sec)
    out = []
    i = 0
    while i < len(layout):
        if layout.startswith((".000", ".999"), i):
            j = i + 1
            while j < len(layout) and layout[j] == layout[i + 1]:
                j += 1
            n = j - i - 1
            digits = f"{frac_ns:09d}"[:n]
            if layout[i + 1] == "9":
                digits = digits.rstrip("0")
                out.append("." + digits if digits else "")
            else:
                out.append("." + digits)
            i = j
            continue
        for token, fmt in _LAYOUT:
            if layout.startswith(token, i):
                out.append(stamp.strftime(fmt) if "%" in fmt else fmt)
                i += len(token)
                break
        else:
            out.append(layout[i])
            i += 1
    return "".join(out)


def _tmethod(name: str, params: tuple[T.Type, ...], results: tuple[T.Type, ...],
             impl: Any) -> None:
    TIME.methods[name] = T.MethodInfo(name, T.Signature(params, results), False, impl=impl)


_tmethod("String", (), (T.STRING,), lambda g, t: time_string(t))
_tmethod("Sub", (TIME,), (DURATION,), lambda g, t, u: t[0] - u[0])
_tmethod("Add", (DURATION,), (TIME,),
         lambda g, t, d: [t[0] + d, t[1] + d if t[1] >= 0 else -1])
_tmethod("Before", (TIME,), (T.BOOL,), lambda g, t, u: t[0] < u[0])
_tmethod("After", (TIME,), (T.BOOL,), lambda g, t, u: t[0] > u[0])
_tmethod("Equal", (TIME,), (T.BOOL,), lambda g, t, u: t[0] == u[0])
_tmethod("IsZero", (), (T.BOOL,), lambda g, t: t[0] == 0)
_tmethod("Unix", (), (T.INT64,), lambda g, t: t[0] // SECOND)
_tmethod("UnixMilli", (), (T.INT64,), lambda g, t: t[0] // MILLISECOND)
_tmethod("UnixMicro", (), (T.INT64,), lambda g, t: t[0] // MICROSECOND)
_tmethod("UnixNano", (), (T.INT64,), lambda g, t: t[0])
_tmethod("Format", (T.STRING,), (T.STRING,), lambda g, t, layout: time_format(t, layout))
_tmethod("Round", (DURATION,), (TIME,), lambda g, t, d: [_round(t[0], d), -1])
_tmethod("Truncate", (DURATION,), (TIME,), lambda g, t, d: [_truncate(t[0], d), -1])
_tmethod("Nanosecond", (), (T.INT,), lambda g, t: t[0] % SECOND)
_tmethod("Second", (), (T.INT,), lambda g, t: (t[0] // SECOND) % 60)
_tmethod("Minute", (), (T.INT,), lambda g, t: (t[0] // MINUTE) % 60)
_tmethod("Hour", (), (T.INT,), lambda g, t: (t[0] // HOUR) % 24)


# ------------------------------------------------------------ functions

def _epoch(g: Any) -> int:
    """Unix ns of the machine's instant 0: the host's start time with
    --clock=real (so Now reads the wall clock), else the Playground's."""
    epoch = getattr(getattr(g, "machine", None), "wall_epoch_ns", None)
    return EPOCH_UNIX_NS if epoch is None else int(epoch)


def _now(g: Any) -> list[int]:
    v = _virtual_now(g)
    return [_epoch(g) + v, v]


def _since(g: Any, t: list[int]) -> int:
    return int(_epoch(g) + _virtual_now(g) - t[0])


def _until(g: Any, t: list[int]) -> int:
    return int(t[0] - _epoch(g) - _virtual_now(g))


def _sleep(g: Any, d: int) -> Any:
    return _machine(g).sleep(g, d)


def _arm_channel_timer(g: Any, d: int, period: int) -> tuple[Channel, Timer]:
    m = _machine(g)
    ch = Channel(1, [0, -1])
    epoch = _epoch(g)
    if epoch == EPOCH_UNIX_NS:
        t = channel_timer(0, period, ch, make_time)
    else:  # --clock=real: the fire time on the host's calendar
        t = channel_timer(0, period, ch, lambda at: [epoch + at, at])
    m.timers.add(t, m.now(g) + max(d, 0))
    return ch, t


def _after(g: Any, d: int) -> Channel:
    return _arm_channel_timer(g, d, 0)[0]


def _new_timer(g: Any, d: int) -> Pointer:
    ch, t = _arm_channel_timer(g, d, 0)
    return Pointer([[ch, t]], 0)


def _tick(g: Any, d: int) -> Channel | None:
    if d <= 0:
        return None
    return _arm_channel_timer(g, d, d)[0]


def _new_ticker(g: Any, d: int) -> Pointer:
    if d <= 0:
        raise GoPanic(Iface(T.STRING, "non-positive interval for NewTicker"))
    ch, t = _arm_channel_timer(g, d, d)
    return Pointer([[ch, t]], 0)


def _after_func(g: Any, d: int, f: Any) -> Pointer:
    m = _machine(g)
    race = getattr(m, "race", None)
    if race is not None:
        race.timer_start(g, f)  # -race: AfterFunc happens before f starts
    t = func_timer(0, lambda at: m.spawn(f, [], None, None))
    m.timers.add(t, m.now(g) + max(d, 0))
    return Pointer([[None, t]], 0)


def _runtime_timer(recv: Pointer | None) -> Timer:
    if recv is None:
        raise GoPanic(runtime_error(NIL_DEREF))
    t = recv.load()[1]
    if not isinstance(t, Timer):
        raise GoPanic(Iface(T.STRING, "time: Stop called on uninitialized Timer"))
    return t


def _timer_stop(g: Any, recv: Pointer | None) -> bool:
    return bool(_machine(g).timers.stop(_runtime_timer(recv)))


def _timer_reset(g: Any, recv: Pointer | None, d: int) -> bool:
    m = _machine(g)
    return bool(m.timers.reset(_runtime_timer(recv), m.now(g) + max(d, 0)))


def _ticker_stop(g: Any, recv: Pointer | None) -> None:
    _machine(g).timers.stop(_runtime_timer(recv))


def _ticker_reset(g: Any, recv: Pointer | None, d: int) -> None:
    if d <= 0:
        raise GoPanic(Iface(T.STRING, "non-positive interval for Ticker.Reset"))
    m = _machine(g)
    t = _runtime_timer(recv)
    t.period = d
    m.timers.reset(t, m.now(g) + d)


TIMER.methods["Stop"] = T.MethodInfo("Stop", T.Signature((), (T.BOOL,)), True, impl=_timer_stop)
TIMER.methods["Reset"] = T.MethodInfo("Reset", T.Signature((DURATION,), (T.BOOL,)), True,
                                      impl=_timer_reset)
TICKER.methods["Stop"] = T.MethodInfo("Stop", T.Signature((), ()), True, impl=_ticker_stop)
TICKER.methods["Reset"] = T.MethodInfo("Reset", T.Signature((DURATION,), ()), True,
                                       impl=_ticker_reset)


def _unix(g: Any, sec: int, nsec: int) -> list[int]:
    return [sec * SECOND + nsec, -1]


def _unix_milli(g: Any, ms: int) -> list[int]:
    return [ms * MILLISECOND, -1]


def _parse_duration(g: Any, s: str) -> tuple[int, Any]:
    import re

    from stdlib.errors import new_error
    units = {"ns": 1, "us": MICROSECOND, "µs": MICROSECOND, "μs": MICROSECOND,
             "ms": MILLISECOND, "s": SECOND, "m": MINUTE, "h": HOUR}
    text = s
    neg = text.startswith("-")
    if text[:1] in "+-":
        text = text[1:]
    if text == "0":
        return 0, None
    parts = re.findall(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)", text)
    if not text or "".join(a + b for a, b in parts) != text:
        return 0, new_error(f'time: invalid duration "{s}"')
    total = 0.0
    for num, unit in parts:
        total += float(num) * units[unit]
    d = int(round(total))
    return (-d if neg else d), None


pkg = Package("time", "time")
pkg.type("Duration", DURATION)
pkg.type("Time", TIME)
pkg.type("Timer", TIMER)
pkg.type("Ticker", TICKER)
pkg.type("Month", MONTH)
pkg.type("Weekday", WEEKDAY)
for _name, _value in [("Nanosecond", NANOSECOND), ("Microsecond", MICROSECOND),
                      ("Millisecond", MILLISECOND), ("Second", SECOND), ("Minute", MINUTE),
                      ("Hour", HOUR)]:
    pkg.const(_name, DURATION, _value)
for _lname, _layout in [("RFC3339", "2006-01-02T15:04:05Z07:00"), ("Kitchen", "3:04PM"),
                        ("DateTime", "2006-01-02 15:04:05"), ("DateOnly", "2006-01-02"),
                        ("TimeOnly", "15:04:05"), ("StampMilli", "Jan _2 15:04:05.000")]:
    pkg.const(_lname, T.UNTYPED_STRING, _layout)
pkg.func("Now", T.Signature((), (TIME,)), _now)
pkg.func("Since", T.Signature((TIME,), (DURATION,)), _since)
pkg.func("Until", T.Signature((TIME,), (DURATION,)), _until)
pkg.func("Sleep", T.Signature((DURATION,), ()), _sleep)
pkg.func("After", T.Signature((DURATION,), (TIME_CHAN,)), _after)
pkg.func("Tick", T.Signature((DURATION,), (TIME_CHAN,)), _tick)
pkg.func("NewTimer", T.Signature((DURATION,), (TIMER_PTR,)), _new_timer)
pkg.func("NewTicker", T.Signature((DURATION,), (TICKER_PTR,)), _new_ticker)
pkg.func("AfterFunc", T.Signature((DURATION, T.Signature((), ())), (TIMER_PTR,)), _after_func)
pkg.func("Unix", T.Signature((T.INT64, T.INT64), (TIME,)), _unix)
pkg.func("UnixMilli", T.Signature((T.INT64,), (TIME,)), _unix_milli)
pkg.func("ParseDuration", T.Signature((T.STRING,), (DURATION, T.ERROR)), _parse_duration)
register(pkg)
