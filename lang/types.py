"""Go types of the subset, shared by checker, compiler, VM and stdlib.

Invariants:
- Unnamed (composite) types are frozen records compared structurally,
  so ``Slice(INT) == Slice(INT)`` is Go's type identity for them.
- ``Named`` types are compared by identity: two declarations of ``type T``
  are different types even with the same underlying type.  A Named's
  ``underlying`` is filled in once, right after creation (declarations may
  refer to themselves), and never changed after checking.
- Basic types are singletons (``INT``, ``STRING``, ...); ``byte`` is
  ``UINT8`` and ``rune`` is ``INT32`` (aliases, as in Go), but keep the
  spelling for messages through ``Basic.name``.
- ``str(t)`` is Go's spelling of the type as ``%T`` and compile errors
  show it: ``[]int``, ``map[string]int``, ``*main.Point`` (named types of
  package main print qualified with ``%T``; use ``type_string(t, qualify=False)``
  for compile-error messages, which Go prints unqualified for the local package).
"""

from __future__ import annotations

import enum
from typing import Any, Callable, Optional, Union

from lang.records import field, record


class Kind(enum.IntEnum):
    """Kinds of basic types.  UNTYPED_* are the types of untyped constants."""

    INVALID = 0
    BOOL = enum.auto()
    INT = enum.auto()
    INT8 = enum.auto()
    INT16 = enum.auto()
    INT32 = enum.auto()
    INT64 = enum.auto()
    UINT = enum.auto()
    UINT8 = enum.auto()
    UINT16 = enum.auto()
    UINT32 = enum.auto()
    UINT64 = enum.auto()
    UINTPTR = enum.auto()
    FLOAT32 = enum.auto()
    FLOAT64 = enum.auto()
    STRING = enum.auto()
    UNSAFE_POINTER = enum.auto()
    UNTYPED_BOOL = enum.auto()
    UNTYPED_INT = enum.auto()
    UNTYPED_RUNE = enum.auto()
    UNTYPED_FLOAT = enum.auto()
    UNTYPED_STRING = enum.auto()
    UNTYPED_NIL = enum.auto()


@record(frozen=True)
class Basic:
    kind: Kind
    name: str

    def __str__(self) -> str:
        return self.name


INVALID = Basic(Kind.INVALID, "invalid type")
BOOL = Basic(Kind.BOOL, "bool")
INT = Basic(Kind.INT, "int")
INT8 = Basic(Kind.INT8, "int8")
INT16 = Basic(Kind.INT16, "int16")
INT32 = Basic(Kind.INT32, "int32")
INT64 = Basic(Kind.INT64, "int64")
UINT = Basic(Kind.UINT, "uint")
UINT8 = Basic(Kind.UINT8, "uint8")
UINT16 = Basic(Kind.UINT16, "uint16")
UINT32 = Basic(Kind.UINT32, "uint32")
UINT64 = Basic(Kind.UINT64, "uint64")
UINTPTR = Basic(Kind.UINTPTR, "uintptr")
FLOAT32 = Basic(Kind.FLOAT32, "float32")
FLOAT64 = Basic(Kind.FLOAT64, "float64")
STRING = Basic(Kind.STRING, "string")
UNTYPED_BOOL = Basic(Kind.UNTYPED_BOOL, "untyped bool")
UNTYPED_INT = Basic(Kind.UNTYPED_INT, "untyped int")
UNTYPED_RUNE = Basic(Kind.UNTYPED_RUNE, "untyped rune")
UNTYPED_FLOAT = Basic(Kind.UNTYPED_FLOAT, "untyped float")
UNTYPED_STRING = Basic(Kind.UNTYPED_STRING, "untyped string")
UNTYPED_NIL = Basic(Kind.UNTYPED_NIL, "untyped nil")

# byte and rune are aliases: identical to uint8 / int32 (Go prints uint8 and
# int32 for them in %T and in most messages).
BYTE = UINT8
RUNE = INT32

INTEGER_KINDS = frozenset({
    Kind.INT, Kind.INT8, Kind.INT16, Kind.INT32, Kind.INT64,
    Kind.UINT, Kind.UINT8, Kind.UINT16, Kind.UINT32, Kind.UINT64, Kind.UINTPTR,
    Kind.UNTYPED_INT, Kind.UNTYPED_RUNE,
})
UNSIGNED_KINDS = frozenset({
    Kind.UINT, Kind.UINT8, Kind.UINT16, Kind.UINT32, Kind.UINT64, Kind.UINTPTR,
})
FLOAT_KINDS = frozenset({Kind.FLOAT32, Kind.FLOAT64, Kind.UNTYPED_FLOAT})
UNTYPED_KINDS = frozenset({
    Kind.UNTYPED_BOOL, Kind.UNTYPED_INT, Kind.UNTYPED_RUNE, Kind.UNTYPED_FLOAT,
    Kind.UNTYPED_STRING, Kind.UNTYPED_NIL,
})

# Bit width and signedness of each sized integer kind (int/uint are 64-bit).
INT_WIDTH: dict[Kind, tuple[int, bool]] = {
    Kind.INT: (64, True), Kind.INT8: (8, True), Kind.INT16: (16, True),
    Kind.INT32: (32, True), Kind.INT64: (64, True),
    Kind.UINT: (64, False), Kind.UINT8: (8, False), Kind.UINT16: (16, False),
    Kind.UINT32: (32, False), Kind.UINT64: (64, False), Kind.UINTPTR: (64, False),
}


@record(frozen=True)
class Pointer:
    elem: Type

    def __str__(self) -> str:
        return "*" + str(self.elem)


@record(frozen=True)
class Slice:
    elem: Type

    def __str__(self) -> str:
        return "[]" + str(self.elem)


@record(frozen=True)
class Array:
    length: int
    elem: Type

    def __str__(self) -> str:
        return f"[{self.length}]{self.elem}"


@record(frozen=True)
class Map:
    key: Type
    value: Type

    def __str__(self) -> str:
        return f"map[{self.key}]{self.value}"


class ChanDir(enum.Enum):
    BOTH = "both"
    SEND = "send"
    RECV = "recv"


@record(frozen=True)
class Chan:
    dir: ChanDir
    elem: Type

    def __str__(self) -> str:
        if self.dir is ChanDir.SEND:
            return f"chan<- {self.elem}"
        if self.dir is ChanDir.RECV:
            return f"<-chan {self.elem}"
        # chan (<-chan T) needs parentheses to stay unambiguous.
        if isinstance(self.elem, Chan) and self.elem.dir is ChanDir.RECV:
            return f"chan ({self.elem})"
        return f"chan {self.elem}"


@record(frozen=True)
class Signature:
    """A function type.  For a variadic signature the last param is a
    Slice (``...T`` is ``[]T`` inside the function)."""

    params: tuple[Type, ...]
    results: tuple[Type, ...]
    variadic: bool = False

    def __str__(self) -> str:
        return "func" + signature_tail(self)


@record(frozen=True)
class StructField:
    name: str
    type: Type
    embedded: bool = False


@record(frozen=True)
class Struct:
    fields: tuple[StructField, ...]

    def field_index(self, name: str) -> int:
        for i, f in enumerate(self.fields):
            if f.name == name:
                return i
        return -1

    def __str__(self) -> str:
        if not self.fields:
            return "struct {}"
        parts = []
        for f in self.fields:
            parts.append(str(f.type) if f.embedded else f"{f.name} {f.type}")
        return "struct { " + "; ".join(parts) + " }"


@record(frozen=True)
class Method:
    name: str
    sig: Signature


@record(frozen=True)
class Interface:
    """Method set sorted by name (embedded interfaces already flattened).
    The empty interface is ``any``."""

    methods: tuple[Method, ...]

    def lookup(self, name: str) -> Optional[Method]:
        for m in self.methods:
            if m.name == name:
                return m
        return None

    def __str__(self) -> str:
        if not self.methods:
            return "interface {}"
        return "interface { " + "; ".join(
            m.name + signature_tail(m.sig) for m in self.methods) + " }"


@record(frozen=True)
class Tuple:
    """The type of a multi-value call result; never the type of a variable."""

    types: tuple[Type, ...]

    def __str__(self) -> str:
        return "(" + ", ".join(str(t) for t in self.types) + ")"


@record(eq=False)
class Named:
    """A defined type.  pkg is the package path ('main' for user types,
    'time', 'sync', ... for stdlib types, '' for the predeclared ``error``).

    methods maps name -> MethodInfo for methods declared on T or *T.
    Invariant: a method name appears once; ptr_recv tells which receiver.
    """

    name: str
    pkg: str
    underlying: Type = field(default_factory=lambda: INVALID)
    methods: dict[str, MethodInfo] = field(default_factory=dict)

    def __str__(self) -> str:
        return f"{self.pkg}.{self.name}" if self.pkg else self.name

    def __hash__(self) -> int:
        return id(self)


@record(eq=False)
class MethodInfo:
    """A method of a Named type.  impl is filled in by whoever implements it:
    the compiler stores the compiled function for user methods, stdlib
    modules store a native callable for library types."""

    name: str
    sig: Signature
    ptr_recv: bool
    decl: Any = None
    impl: Any = None


Type = Union[Basic, Pointer, Slice, Array, Map, Chan, Signature, Struct,
             Interface, Tuple, Named]


ANY = Interface(())
ERROR = Named("error", "", Interface((Method("Error", Signature((), (STRING,))),)))


def signature_tail(sig: Signature, spell: Callable[[Type], str] = str) -> str:
    """``(int, string) (bool, error)``: the part of a func type after ``func``,
    each type written by ``spell`` (``str`` gives %T's spelling)."""
    ps = []
    for i, p in enumerate(sig.params):
        if sig.variadic and i == len(sig.params) - 1 and isinstance(p, Slice):
            ps.append("..." + spell(p.elem))
        else:
            ps.append(spell(p))
    s = "(" + ", ".join(ps) + ")"
    if len(sig.results) == 1:
        s += " " + spell(sig.results[0])
    elif sig.results:
        s += " (" + ", ".join(spell(r) for r in sig.results) + ")"
    return s


def comparable(t: Type) -> bool:
    """Go's comparability: == and != are defined (slices, maps and funcs
    are not comparable, structs and arrays when their parts are)."""
    u = underlying(t)
    if isinstance(u, (Slice, Map, Signature)):
        return False
    if isinstance(u, Struct):
        return all(comparable(f.type) for f in u.fields)
    if isinstance(u, Array):
        return comparable(u.elem)
    return True


def underlying(t: Type) -> Type:
    """The underlying type: itself for unnamed types."""
    while isinstance(t, Named):
        t = t.underlying
    return t


def is_untyped(t: Type) -> bool:
    return isinstance(t, Basic) and t.kind in UNTYPED_KINDS


def is_integer(t: Type) -> bool:
    u = underlying(t)
    return isinstance(u, Basic) and u.kind in INTEGER_KINDS


def is_unsigned(t: Type) -> bool:
    u = underlying(t)
    return isinstance(u, Basic) and u.kind in UNSIGNED_KINDS


def is_float(t: Type) -> bool:
    u = underlying(t)
    return isinstance(u, Basic) and u.kind in FLOAT_KINDS


def is_numeric(t: Type) -> bool:
    return is_integer(t) or is_float(t)


def is_string(t: Type) -> bool:
    u = underlying(t)
    return isinstance(u, Basic) and u.kind in (Kind.STRING, Kind.UNTYPED_STRING)


def is_boolean(t: Type) -> bool:
    u = underlying(t)
    return isinstance(u, Basic) and u.kind in (Kind.BOOL, Kind.UNTYPED_BOOL)


def is_interface(t: Type) -> bool:
    return isinstance(underlying(t), Interface)


def default_type(t: Type) -> Type:
    """The type an untyped constant gets where no type is implied."""
    if isinstance(t, Basic):
        k = t.kind
        if k is Kind.UNTYPED_BOOL:
            return BOOL
        if k is Kind.UNTYPED_INT:
            return INT
        if k is Kind.UNTYPED_RUNE:
            return RUNE
        if k is Kind.UNTYPED_FLOAT:
            return FLOAT64
        if k is Kind.UNTYPED_STRING:
            return STRING
    return t


def type_string(t: Type, qualify: bool = True) -> str:
    """Go's spelling of t; with qualify False, types of package main print
    bare (``Point`` rather than ``main.Point``), as compile errors show them."""
    if qualify:
        return str(t)
    s = str(t)
    return s.replace("main.", "")
