"""How Go values are represented as Python objects (see DESIGN.md, "Values").

Invariants:
- bool -> bool; every integer type -> int, always inside its type's range
  (the compiler wraps after arithmetic that may overflow); float64 -> float.
- string -> str.  A Go string is a byte sequence: it is stored decoded as
  UTF-8 with ``surrogateescape``, so any byte sequence round-trips.  Go's
  byte length and byte indexing go through ``str_bytes``.
- array [N]T -> list of N values; struct -> list of its field values in
  declaration order.  Both are values: whoever copies a Go value of such a
  type copies the list (deeply for nested arrays/structs, see ``copy_value``).
- slice -> ``Slice``; nil slice -> None.
- map -> dict; nil map -> None.  Keys of struct/array type are stored as
  tuples (``freeze``); interface keys are ``Iface`` (hashable).
- pointer -> ``Pointer(ref, idx)``: the pointee is ``ref[idx]``.  A
  pointer to a variable points into the variable's one-element cell, to a
  field into the struct's list, to an element into the array/backing list.
  nil pointer -> None.
- interface -> None for a nil interface, else ``Iface(type, value)``
  holding the dynamic type and a value of that type.
- chan, func -> runtime objects (channel, closure); nil -> None.
"""

from __future__ import annotations

from typing import Any

from lang import types as T


class Slice:
    """A slice header: ``arr[off : off+len]`` with capacity ``cap``.
    Invariant: 0 <= len <= cap and off + cap <= len(arr)."""

    __slots__ = ("arr", "off", "len", "cap")

    def __init__(self, arr: list[Any], off: int, length: int, cap: int) -> None:
        self.arr = arr
        self.off = off
        self.len = length
        self.cap = cap

    def items(self) -> list[Any]:
        """A fresh list of the elements (no copy of element values)."""
        return self.arr[self.off:self.off + self.len]

    def __repr__(self) -> str:
        return f"Slice({self.items()!r}, cap={self.cap})"


class Pointer:
    """A pointer to ``ref[idx]``.  Two pointers are equal when they
    designate the same location: same ref object, same index."""

    __slots__ = ("ref", "idx")

    def __init__(self, ref: list[Any], idx: int) -> None:
        self.ref = ref
        self.idx = idx

    def load(self) -> Any:
        return self.ref[self.idx]

    def store(self, v: Any) -> None:
        self.ref[self.idx] = v

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Pointer) and self.ref is other.ref
                and self.idx == other.idx)

    def __hash__(self) -> int:
        return hash((id(self.ref), self.idx))

    def __repr__(self) -> str:
        return f"Pointer(0x{id(self.ref):x}+{self.idx})"


class Iface:
    """A non-nil interface value: dynamic type and value.  Equality is Go's
    interface comparison (identical dynamic types and equal values)."""

    __slots__ = ("type", "value")

    def __init__(self, typ: T.Type, value: Any) -> None:
        self.type = typ
        self.value = value

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, Iface) and self.type == other.type
                and freeze(self.value) == freeze(other.value))

    def __hash__(self) -> int:
        return hash((self.type, freeze(self.value)))

    def __repr__(self) -> str:
        return f"Iface({self.type}, {self.value!r})"


def freeze(v: Any) -> Any:
    """A hashable stand-in for a value used as a map key or compared:
    lists (structs, arrays) become tuples, recursively."""
    if isinstance(v, list):
        return tuple(freeze(x) for x in v)
    return v


def thaw(v: Any) -> Any:
    """Inverse of freeze, for keys read back out of a map."""
    if isinstance(v, tuple):
        return [thaw(x) for x in v]
    return v


def str_bytes(s: str) -> bytes:
    """The Go bytes of a string value."""
    return s.encode("utf-8", "surrogateescape")


def bytes_str(b: bytes) -> str:
    """The string value holding Go bytes b."""
    return b.decode("utf-8", "surrogateescape")


def str_len(s: str) -> int:
    """len(s) in Go: bytes, not code points."""
    if s.isascii():
        return len(s)
    return len(str_bytes(s))


def copy_value(v: Any) -> Any:
    """Deep copy of an array/struct value (lists), leaving reference-typed
    parts (slices, maps, pointers, channels, funcs) shared, as Go copies."""
    if isinstance(v, list):
        return [copy_value(x) if isinstance(x, list) else x for x in v]
    return v


# The dynamic type of runtime errors (``recover()`` returns one).  Go's
# concrete types vary (runtime.boundsError, runtime.Error...); their Error()
# text is what programs observe.
RUNTIME_ERROR = T.Named("Error", "runtime", T.STRING)
RUNTIME_ERROR.methods["Error"] = T.MethodInfo(
    "Error", T.Signature((), (T.STRING,)), False, impl=lambda ctx, recv: "runtime error: " + recv)


def runtime_error(msg: str) -> Iface:
    """The panic value of a Go runtime error; ``msg`` is the text after
    ``runtime error: ``, e.g. ``integer divide by zero``."""
    return Iface(RUNTIME_ERROR, msg)
