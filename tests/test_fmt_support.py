"""Test helpers for the stdlib tests: a fake NativeContext and builders
for hand-made Go values (the VM is built in parallel)."""

from __future__ import annotations

import random
from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Iface, Slice, runtime_error


class FakeCtx:
    """A NativeContext: collects output, calls Python stand-ins for Go
    functions (plain callables) and user methods (MethodInfo.impl called
    with the receiver, as the VM would)."""

    def __init__(self, seed: int = 1) -> None:
        self.stdout: list[str] = []
        self.stderr: list[str] = []
        self._rng = random.Random(seed)
        self.calls = 0

    def write_stdout(self, data: str) -> None:
        self.stdout.append(data)

    def write_stderr(self, data: str) -> None:
        self.stderr.append(data)

    def call(self, fn: Any, args: list[Any]) -> list[Any]:
        self.calls += 1
        result = fn(*args)
        return list(result) if isinstance(result, tuple) else [result]

    def call_method(self, value: Any, typ: T.Type, name: str, *args: Any) -> list[Any]:
        named = typ.elem if isinstance(typ, T.Pointer) else typ
        assert isinstance(named, T.Named)
        m = named.methods[name]
        recv = value
        if isinstance(typ, T.Pointer) and not m.ptr_recv:
            if value is None:
                raise GoPanic(runtime_error("invalid memory address or nil pointer dereference"))
            recv = value.load()
        result = m.impl(self, recv, *args)
        return list(result) if isinstance(result, tuple) else [result]

    def rand(self) -> random.Random:
        return self._rng

    def out(self) -> str:
        return "".join(self.stdout)


def user_method(named: T.Named, name: str, sig: T.Signature, impl: Any,
                ptr_recv: bool = False) -> None:
    """Attach a 'user' method (decl set, so fmt goes through call_method)."""
    named.methods[name] = T.MethodInfo(name, sig, ptr_recv, decl=object(), impl=impl)


def sl(items: list[Any]) -> Slice:
    return Slice(list(items), 0, len(items), len(items))


def anys(*pairs: Any) -> Slice:
    """A packed ...any argument from (type, value) pairs or None."""
    return sl([None if p is None else Iface(p[0], p[1]) for p in pairs])


def struct_type(name: str, *fields: tuple[str, T.Type]) -> T.Named:
    return T.Named(name, "main", T.Struct(tuple(T.StructField(n, t) for n, t in fields)))
