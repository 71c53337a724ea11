"""Go-shaped text for panics: the panic value line(s) and goroutine dumps.

Mirrors Go's runtime ``printpanics`` / ``printpanicval`` (runtime/panic.go,
runtime/error.go): an error value prints its ``Error()``, a Stringer its
``String()``, basic values print as ``print`` would, named basic types as
``main.T(5)``, anything else as ``(main.T) 0xc000010000`` (csp has no
addresses, so a fixed fake one).  A chain of panics (a deferred call
panicked while an earlier panic unwound) prints oldest first, later ones
indented with a tab, recovered ones marked `` [recovered]``.

Also defines the runtime's "plain" error type: Go's ``plainError`` (used
for ``assignment to entry in nil map``) and ``TypeAssertionError``, whose
``Error()`` has no ``runtime error: `` prefix.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from lang import types as T
from runtime.values import Iface

if TYPE_CHECKING:
    from runtime.goroutine import Goroutine, PanicRecord

PLAIN_ERROR = T.Named("plainError", "runtime", T.STRING)
PLAIN_ERROR.methods["Error"] = T.MethodInfo(
    "Error", T.Signature((), (T.STRING,)), False, impl=lambda ctx, recv: recv)

SIGSEGV_LINE = "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x0]"
NIL_DEREF = "invalid memory address or nil pointer dereference"


def plain_error(msg: str) -> Iface:
    """A runtime panic value printed without the ``runtime error:`` prefix."""
    return Iface(PLAIN_ERROR, msg)


def print_float(f: float) -> str:
    """Go's builtin print format for floats: ``+1.500000e+000``."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    s = f"{f:+.6e}"
    mant, exp = s.split("e")
    sign = exp[0]
    digits = exp[1:].rjust(3, "0")
    return f"{mant}e{sign}{digits}"


def print_value(v: Any) -> str:
    """How the builtin print/println shows a value."""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return print_float(v)
    if isinstance(v, str):
        return v
    if v is None:
        return "nil"
    if isinstance(v, Iface):
        return "(0x4b6f40,0xc000012345)"
    return "0xc000012345"


def has_method(t: T.Type, name: str) -> bool:
    if isinstance(t, T.Named):
        m = t.methods.get(name)
        return m is not None and not m.ptr_recv
    if isinstance(t, T.Pointer) and isinstance(t.elem, T.Named):
        return name in t.elem.methods
    return False


def panic_value_text(g: Goroutine, v: Any) -> str:
    """The text after ``panic: `` for panic value v (an interface value)."""
    if v is None:
        return "nil"
    if not isinstance(v, Iface):
        return print_value(v)
    t = v.type
    if has_method(t, "Error"):
        try:
            return str(g.call_method(v.value, t, "Error")[0])
        except Exception:  # noqa: BLE001 - a failing Error() must not hide the panic
            return "(error)"
    if has_method(t, "String"):
        try:
            return str(g.call_method(v.value, t, "String")[0])
        except Exception:  # noqa: BLE001
            return "(stringer)"
    u = T.underlying(t)
    if isinstance(u, T.Basic):
        text = print_value(v.value)
        if isinstance(t, T.Named):
            if u.kind == T.Kind.STRING:
                return f'{t}("{text}")'
            return f"{t}({text})"
        if u.kind == T.Kind.STRING:
            return text
        return text
    return f"({t}) 0xc000012345"


def panic_report(g: Goroutine, chain: list[PanicRecord],
                 stack: list[tuple[str, str, int]]) -> str:
    """The full stderr text of an unrecovered panic, ending with a newline."""
    out = []
    for i, p in enumerate(chain):
        line = ("\t" if i else "") + "panic: " + panic_value_text(g, p.value)
        if p.recovered:
            line += " [recovered]"
        out.append(line)
    text = "\n".join(out) + "\n"
    last = chain[-1].value if chain else None
    if isinstance(last, Iface) and last.value == NIL_DEREF:
        text += SIGSEGV_LINE + "\n"
    text += "\n" + goroutine_dump(g.id, "running", stack)
    return text


def goroutine_dump(gid: int, state: str, stack: list[tuple[str, str, int]]) -> str:
    """``goroutine 1 [running]:`` and the frames, innermost first."""
    lines = [f"goroutine {gid} [{state}]:"]
    for name, filename, line in stack:
        lines.append(f"{name}(...)")
        lines.append(f"\t{filename}:{line}")
    return "\n".join(lines) + "\n"
