"""Package os: Exit, Args, Stdout, Stderr.

Invariants:
- ``*os.File`` is the type of os.Stdout/os.Stderr; a File value is the
  struct ``[fd]`` and the two variables hold pointers to two distinct
  files (fd 1 and 2), so ``os.Stdout == os.Stdout`` and ``!= os.Stderr``.
- ``IO_WRITER`` is Go's ``io.Writer`` interface (the parameter type of
  fmt.Fprint*); ``*os.File`` and ``*strings.Builder`` implement it.
- ``write_to(ctx, w, text)`` writes a Go string to any io.Writer value:
  files go straight to ctx.write_stdout / write_stderr, other writers
  get their Write method called with a []byte.
- os.Exit raises GoExit: no deferred calls run.
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from runtime.errors import GoExit
from runtime.values import Iface, Pointer, Slice, str_bytes, str_len
from stdlib.registry import Package, register

BYTES = T.Slice(T.BYTE)
WRITE_SIG = T.Signature((BYTES,), (T.INT, T.ERROR))

IO_WRITER = T.Named("Writer", "io", T.Interface((T.Method("Write", WRITE_SIG),)))

FILE = T.Named("File", "os", T.Struct((T.StructField("fd", T.INT),)))
FILE_PTR = T.Pointer(FILE)

STDOUT = Pointer([[1]], 0)
STDERR = Pointer([[2]], 0)


def _write_fd(ctx: Any, fd: int, text: str) -> None:
    if fd == 2:
        ctx.write_stderr(text)
    else:
        ctx.write_stdout(text)


def _file_write(ctx: Any, recv: Pointer, b: Any) -> tuple[int, Any]:
    data = bytes(b.items()) if isinstance(b, Slice) else b""
    _write_fd(ctx, recv.load()[0], data.decode("utf-8", "surrogateescape"))
    return len(data), None


def _file_write_string(ctx: Any, recv: Pointer, s: str) -> tuple[int, Any]:
    _write_fd(ctx, recv.load()[0], s)
    return str_len(s), None


FILE.methods["Write"] = T.MethodInfo("Write", WRITE_SIG, True, impl=_file_write)
FILE.methods["WriteString"] = T.MethodInfo(
    "WriteString", T.Signature((T.STRING,), (T.INT, T.ERROR)), True, impl=_file_write_string)


def write_to(ctx: Any, w: Any, text: str) -> tuple[int, Any]:
    """Write text to the io.Writer interface value w; returns (n, err)."""
    if w is None:
        from runtime.errors import GoPanic
        from runtime.values import runtime_error
        raise GoPanic(runtime_error("invalid memory address or nil pointer dereference"))
    typ, value = (w.type, w.value) if isinstance(w, Iface) else (FILE_PTR, w)
    if typ == FILE_PTR:
        return _file_write_string(ctx, value, text)
    from stdlib.fmtcore import find_method, is_native_method
    m = find_method(typ, "WriteString")
    if m is not None and is_native_method(m):
        n, err = m.impl(ctx, value, text)
        return n, err
    data = list(str_bytes(text))
    arg = Slice(data, 0, len(data), len(data))
    m = find_method(typ, "Write")
    if m is not None and is_native_method(m):
        n, err = m.impl(ctx, value, arg)
        return n, err
    results = ctx.call_method(value, typ, "Write", arg)
    if len(results) >= 2:
        return results[0], results[1]
    return len(data), None


def _exit(ctx: Any, code: int) -> None:
    raise GoExit(code)


ARGS_CELL_DEFAULT = ["/tmp/go-build/exe/main"]

pkg = Package("os", "os")
pkg.func("Exit", T.Signature((T.INT,), ()), _exit)
pkg.var("Args", T.Slice(T.STRING), Slice(list(ARGS_CELL_DEFAULT), 0, 1, 1))
pkg.var("Stdout", FILE_PTR, STDOUT)
pkg.var("Stderr", FILE_PTR, STDERR)
pkg.type("File", FILE)
register(pkg)


def set_args(args: list[str]) -> None:
    """Called by the CLI: os.Args = [program] + arguments."""
    member = pkg.members["Args"]
    assert hasattr(member, "cell")
    member.cell[0] = Slice(list(args), 0, len(args), len(args))
