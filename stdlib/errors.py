"""Package errors: New, Is, As, Unwrap.

Invariants:
- ``errors.New(s)`` returns ``Iface(*errors.errorString, Pointer)`` to a
  fresh struct ``[s]``: %T prints ``*errors.errorString`` and two errors
  made from the same text are different (pointer identity), as in Go.
- Is/As walk the Unwrap chain: a value's ``Unwrap() error`` method, native
  (fmt's *wrapError) or user-defined (called through ctx.call_method).
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Iface, Pointer
from stdlib.fmtcore import call_method0, find_method, is_native_method
from stdlib.registry import Package, register

ERROR_SIG = T.Signature((), (T.STRING,))
UNWRAP_SIG = T.Signature((), (T.ERROR,))

ERROR_STRING = T.Named("errorString", "errors", T.Struct((T.StructField("s", T.STRING),)))
ERROR_STRING.methods["Error"] = T.MethodInfo(
    "Error", ERROR_SIG, True, impl=lambda ctx, recv: recv.load()[0])
ERROR_STRING_PTR = T.Pointer(ERROR_STRING)


def new_error(msg: str) -> Iface:
    """A fresh ``*errors.errorString`` error value with text msg."""
    return Iface(ERROR_STRING_PTR, Pointer([[msg]], 0))


def _panic_string(msg: str) -> GoPanic:
    return GoPanic(Iface(T.STRING, msg))


def unwrap(ctx: Any, err: Any) -> Any:
    """errors.Unwrap: the result of err's Unwrap() error method, or nil."""
    if not isinstance(err, Iface):
        return None
    m = find_method(err.type, "Unwrap")
    if m is None or m.sig != UNWRAP_SIG:
        return None
    return call_method0(ctx, err.value, err.type, "Unwrap", m)




def _call_is(ctx: Any, err: Iface, target: Any) -> bool:
    m = find_method(err.type, "Is")
    if m is None or m.sig != T.Signature((T.ERROR,), (T.BOOL,)):
        return False
    if is_native_method(m):
        recv = err.value
        if isinstance(err.type, T.Pointer) and not m.ptr_recv:
            recv = recv.load()
        return bool(m.impl(ctx, recv, target))
    return bool(ctx.call_method(err.value, err.type, "Is", target)[0])


def is_(ctx: Any, err: Any, target: Any) -> bool:
    if target is None:
        return err is None
    is_comparable = T.comparable(target.type)
    while err is not None:
        if is_comparable and err == target:
            return True
        if _call_is(ctx, err, target):
            return True
        err = unwrap(ctx, err)
    return False


def implements(typ: T.Type, iface: T.Interface) -> bool:
    """Does dynamic type typ have every method of iface (names and
    signatures)?"""
    for meth in iface.methods:
        m = find_method(typ, meth.name)
        if m is None or m.sig != meth.sig:
            return False
    return True


def as_(ctx: Any, err: Any, target: Any) -> bool:
    if target is None:
        raise _panic_string("errors: target cannot be nil")
    ttype, tval = target.type, target.value
    if not isinstance(T.underlying(ttype), T.Pointer) or tval is None:
        raise _panic_string("errors: target must be a non-nil pointer")
    ptr_type = T.underlying(ttype)
    assert isinstance(ptr_type, T.Pointer)
    want = ptr_type.elem
    want_iface = T.underlying(want)
    if not isinstance(want_iface, T.Interface) and error_impl(want) is None:
        raise _panic_string("errors: *target must be interface or implement error")
    while err is not None:
        if isinstance(want_iface, T.Interface):
            if implements(err.type, want_iface):
                tval.store(err)
                return True
        elif err.type == want:
            from runtime.values import copy_value
            tval.store(copy_value(err.value))
            return True
        err = unwrap(ctx, err)
    return False


def error_impl(t: T.Type) -> T.MethodInfo | None:
    m = find_method(t, "Error")
    return m if m is not None and m.sig == ERROR_SIG else None


def _new(ctx: Any, msg: str) -> Iface:
    return new_error(msg)



pkg = Package("errors", "errors")
pkg.func("New", T.Signature((T.STRING,), (T.ERROR,)), _new)
pkg.func("Is", T.Signature((T.ERROR, T.ERROR), (T.BOOL,)), is_)
pkg.func("As", T.Signature((T.ERROR, T.ANY), (T.BOOL,)), as_)
pkg.func("Unwrap", T.Signature((T.ERROR,), (T.ERROR,)), unwrap)
register(pkg)
