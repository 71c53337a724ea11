"""Package fmt: the Print/Sprint/Fprint families and Errorf.

The formatting itself lives in stdlib/fmtcore.py; this module declares
Go's exact signatures and moves the text to its destination.

Invariants:
- Every ``...any`` parameter arrives as one Slice of operands (Iface or
  None) or None when no variadic arguments were passed.
- Print*/Fprint* return (bytes written, nil error) like Go.
- ``Errorf`` without %w returns a ``*errors.errorString``; with one valid
  %w it returns a ``*fmt.wrapError`` whose Unwrap gives the wrapped error.
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from runtime.values import Iface, Pointer, str_len
from stdlib import fmtcore
from stdlib.errors import new_error
from stdlib.fmtcore import Printer, args_of
from stdlib.os import IO_WRITER, write_to
from stdlib.registry import Package, register

ANYS = T.Slice(T.ANY)
PRINT_SIG = T.Signature((ANYS,), (T.INT, T.ERROR), variadic=True)
PRINTF_SIG = T.Signature((T.STRING, ANYS), (T.INT, T.ERROR), variadic=True)
SPRINT_SIG = T.Signature((ANYS,), (T.STRING,), variadic=True)
SPRINTF_SIG = T.Signature((T.STRING, ANYS), (T.STRING,), variadic=True)
FPRINT_SIG = T.Signature((IO_WRITER, ANYS), (T.INT, T.ERROR), variadic=True)
FPRINTF_SIG = T.Signature((IO_WRITER, T.STRING, ANYS), (T.INT, T.ERROR), variadic=True)
ERRORF_SIG = T.Signature((T.STRING, ANYS), (T.ERROR,), variadic=True)

WRAP_ERROR = T.Named("wrapError", "fmt", T.Struct((
    T.StructField("msg", T.STRING), T.StructField("err", T.ERROR))))
WRAP_ERROR.methods["Error"] = T.MethodInfo(
    "Error", T.Signature((), (T.STRING,)), True, impl=lambda ctx, recv: recv.load()[0])
WRAP_ERROR.methods["Unwrap"] = T.MethodInfo(
    "Unwrap", T.Signature((), (T.ERROR,)), True, impl=lambda ctx, recv: recv.load()[1])
WRAP_ERROR_PTR = T.Pointer(WRAP_ERROR)

STRINGER = T.Named("Stringer", "fmt", T.Interface((
    T.Method("String", T.Signature((), (T.STRING,))),)))


def _out(ctx: Any, text: str) -> tuple[int, Any]:
    ctx.write_stdout(text)
    return str_len(text), None


def _print(ctx: Any, a: Any) -> tuple[int, Any]:
    return _out(ctx, fmtcore.sprint(ctx, args_of(a)))


def _println(ctx: Any, a: Any) -> tuple[int, Any]:
    return _out(ctx, fmtcore.sprintln(ctx, args_of(a)))


def _printf(ctx: Any, fmt: str, a: Any) -> tuple[int, Any]:
    return _out(ctx, fmtcore.sprintf(ctx, fmt, args_of(a)))


def _sprint(ctx: Any, a: Any) -> str:
    return fmtcore.sprint(ctx, args_of(a))


def _sprintln(ctx: Any, a: Any) -> str:
    return fmtcore.sprintln(ctx, args_of(a))


def _sprintf(ctx: Any, fmt: str, a: Any) -> str:
    return fmtcore.sprintf(ctx, fmt, args_of(a))


def _fprint(ctx: Any, w: Any, a: Any) -> tuple[int, Any]:
    return write_to(ctx, w, fmtcore.sprint(ctx, args_of(a)))


def _fprintln(ctx: Any, w: Any, a: Any) -> tuple[int, Any]:
    return write_to(ctx, w, fmtcore.sprintln(ctx, args_of(a)))


def _fprintf(ctx: Any, w: Any, fmt: str, a: Any) -> tuple[int, Any]:
    return write_to(ctx, w, fmtcore.sprintf(ctx, fmt, args_of(a)))


def errorf(ctx: Any, fmt: str, a: Any) -> Iface:
    """fmt.Errorf: %w (once, on an error operand) makes a wrapping error."""
    p = Printer(ctx)
    p.wrap_errs = True
    p.do_printf(fmt, args_of(a))
    text = p.text()
    if p.wrapped is None:
        return new_error(text)
    return Iface(WRAP_ERROR_PTR, Pointer([[text, p.wrapped]], 0))


pkg = Package("fmt", "fmt")
pkg.func("Print", PRINT_SIG, _print)
pkg.func("Println", PRINT_SIG, _println)
pkg.func("Printf", PRINTF_SIG, _printf)
pkg.func("Sprint", SPRINT_SIG, _sprint)
pkg.func("Sprintln", SPRINT_SIG, _sprintln)
pkg.func("Sprintf", SPRINTF_SIG, _sprintf)
pkg.func("Fprint", FPRINT_SIG, _fprint)
pkg.func("Fprintln", FPRINT_SIG, _fprintln)
pkg.func("Fprintf", FPRINTF_SIG, _fprintf)
pkg.func("Errorf", ERRORF_SIG, errorf)
pkg.type("Stringer", STRINGER)
register(pkg)
