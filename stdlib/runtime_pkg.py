"""Package runtime: NumGoroutine, Gosched, GOMAXPROCS, NumCPU, Goexit.

Invariants:
- Everything reads the simulated machine (``g.machine``, the Scheduler):
  NumCPU and GOMAXPROCS report ``--procs``; GOMAXPROCS(n) returns the
  current value and does not change it (the processors are fixed per run).
- Gosched parks through the Scheduler (park contract): the goroutine goes
  to the back of the global run queue and the VM stops it.
- Goexit needs the VM (deferred calls run, then the goroutine ends): it
  raises ``GoExitGoroutine`` for the VM to handle.
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from stdlib.registry import Package, register


class GoExitGoroutine(Exception):
    """runtime.Goexit(): the VM runs the goroutine's deferred calls, sets
    ``g.goexit = True`` and returns StopReason.EXITED."""


def _machine_int(g: Any, name: str, default: int) -> int:
    m = getattr(g, "machine", None)
    f = getattr(m, name, None)
    return int(f()) if f is not None else default


def _num_goroutine(g: Any) -> int:
    return _machine_int(g, "num_goroutine", 1)


def _gomaxprocs(g: Any, n: int) -> int:
    return _machine_int(g, "gomaxprocs", 1)


def _num_cpu(g: Any) -> int:
    return _machine_int(g, "gomaxprocs", 1)


def _gosched(g: Any) -> Any:
    f = getattr(getattr(g, "machine", None), "gosched", None)
    return f(g) if f is not None else None


def _goexit(g: Any) -> None:
    raise GoExitGoroutine()


pkg = Package("runtime", "runtime")
pkg.func("NumGoroutine", T.Signature((), (T.INT,)), _num_goroutine)
pkg.func("GOMAXPROCS", T.Signature((T.INT,), (T.INT,)), _gomaxprocs)
pkg.func("NumCPU", T.Signature((), (T.INT,)), _num_cpu)
pkg.func("Gosched", T.Signature((), ()), _gosched)
pkg.func("Goexit", T.Signature((), ()), _goexit)
register(pkg)
