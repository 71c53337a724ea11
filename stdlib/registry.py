"""The table of Go packages csp provides: each member's Go type (for the
checker) and its implementation (for the VM).

Invariants:
- One ``Package`` per import path, built by the package's own module
  (``stdlib/fmt.py`` builds ``fmt``) and registered in ``PACKAGES`` when
  ``stdlib.load_all()`` runs; nothing else mutates a Package.  (Since
  load_all became lazy, a package module is imported when its path is
  first looked up, or when anything enumerates PACKAGES: PackageTable.)
- A ``NativeFunc`` implementation receives the ``NativeContext`` of the
  calling goroutine and the argument values already converted to the
  parameter types (variadic arguments arrive packed in one slice value,
  as Go passes them).  It returns None for no result, the value for one
  result, and a Python tuple for several.  It signals a Go panic by
  raising ``runtime.errors.GoPanic``.
- Values follow the runtime value representation (see DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Callable, Optional, Protocol, TypeVar, Union, overload

from lang import types as T
from lang.records import field, record

if TYPE_CHECKING:
    from _collections_abc import dict_items, dict_keys, dict_values

_T = TypeVar("_T")


class NativeContext(Protocol):
    """What a native function may ask of the goroutine that calls it."""

    def write_stdout(self, data: str) -> None:
        """Write program output (Go's os.Stdout)."""

    def write_stderr(self, data: str) -> None:
        """Write to Go's os.Stderr."""

    def call(self, fn: Any, args: list[Any]) -> list[Any]:
        """Call a Go function value (closure, bound method) synchronously
        and return its results.  Used by sort.Slice's less function and by
        fmt to call String()/Error() methods.  The callee must not block."""

    def call_method(self, value: Any, typ: T.Type, name: str, *args: Any) -> list[Any]:
        """Call method ``name`` on a value of dynamic type ``typ`` with
        arguments ``args`` (fmt.Fprint calls a user Writer's Write(p))."""

    def rand(self) -> Any:
        """The run's seeded random.Random (math/rand uses it)."""


NativeImpl = Callable[..., Any]


@record
class NativeFunc:
    """A package-level function implemented in Python.
    impl(ctx, *args) -> result (see the module invariants)."""

    name: str
    sig: T.Signature
    impl: NativeImpl


@record
class ConstMember:
    """A package constant.  value: int, float, str or bool (exact; untyped
    constants keep arbitrary-precision ints)."""

    name: str
    type: T.Type
    value: Any


@record
class VarMember:
    """A package variable (os.Args, os.Stdout, errors like
    context.Canceled): one shared cell, ``cell[0]`` is the value."""

    name: str
    type: T.Type
    cell: list[Any]


@record
class TypeMember:
    """A package type (strings.Builder, sync.WaitGroup, time.Duration)."""

    name: str
    type: T.Type


Member = Union[NativeFunc, ConstMember, VarMember, TypeMember]


@record
class Package:
    path: str                      # import path: "fmt", "sync/atomic"
    name: str                      # package name used in code: "atomic"
    members: dict[str, Member] = field(default_factory=dict)

    def func(self, name: str, sig: T.Signature, impl: NativeImpl) -> None:
        self.members[name] = NativeFunc(name, sig, impl)

    def const(self, name: str, typ: T.Type, value: Any) -> None:
        self.members[name] = ConstMember(name, typ, value)

    def var(self, name: str, typ: T.Type, value: Any) -> None:
        self.members[name] = VarMember(name, typ, [value])

    def type(self, name: str, typ: T.Type) -> None:
        self.members[name] = TypeMember(name, typ)

    def lookup(self, name: str) -> Optional[Member]:
        return self.members.get(name)


# Set by ``stdlib.load_all()``: imports the module of one import path, or
# (with None) every module.  See PackageTable.
PackageLoader = Callable[[Optional[str]], None]
_loader: Optional[PackageLoader] = None


def set_loader(loader: PackageLoader) -> None:
    global _loader
    _loader = loader


class PackageTable(dict[str, Package]):
    """The type of ``PACKAGES``: a dict whose packages are imported on
    demand once ``stdlib.load_all()`` has installed the loader.

    Looking one path up (``[]``, ``get``, ``in``) imports just that
    package's module, so ``csp run`` of a program importing fmt does not
    pay for importing the other packages (~20 ms of start-up).  Anything
    that enumerates the table (iteration, ``keys``/``values``/``items``,
    ``len``, ``dict(...)``) first imports every package, so it sees what an
    eager load would have registered."""

    def _want(self, path: str) -> None:
        if _loader is not None and not dict.__contains__(self, path):
            _loader(path)

    def _want_all(self) -> None:
        if _loader is not None:
            _loader(None)

    def __getitem__(self, path: str) -> Package:
        self._want(path)
        return dict.__getitem__(self, path)

    def __contains__(self, path: object) -> bool:
        if isinstance(path, str):
            self._want(path)
        return dict.__contains__(self, path)

    @overload
    def get(self, path: str, default: None = None, /) -> Optional[Package]: ...

    @overload
    def get(self, path: str, default: Package, /) -> Package: ...

    @overload
    def get(self, path: str, default: _T, /) -> Union[Package, _T]: ...

    def get(self, path: str, default: Any = None, /) -> Any:
        self._want(path)
        return dict.get(self, path, default)

    def __iter__(self) -> Iterator[str]:
        self._want_all()
        return dict.__iter__(self)

    def __len__(self) -> int:
        self._want_all()
        return dict.__len__(self)

    def keys(self) -> dict_keys[str, Package]:
        self._want_all()
        return dict.keys(self)

    def values(self) -> dict_values[str, Package]:
        self._want_all()
        return dict.values(self)

    def items(self) -> dict_items[str, Package]:
        self._want_all()
        return dict.items(self)

    def copy(self) -> dict[str, Package]:
        self._want_all()
        return dict(dict.items(self))


PACKAGES: dict[str, Package] = PackageTable()


def register(pkg: Package) -> Package:
    PACKAGES[pkg.path] = pkg
    return pkg
