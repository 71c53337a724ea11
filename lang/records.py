"""Record classes: ``@record`` is ``@dataclass`` without its start-up cost.

``csp run`` defines about a hundred small classes (AST nodes, types, checker
and compiler records) before it runs a line of the program.  The
dataclasses module compiles four to six functions per class from generated
source text, and importing it pulls in ``inspect``: together about a third
of an empty program's start-up.  ``record`` builds the same classes from
shared closures instead, and never generates code.

What a record gets (the subset of dataclass csp uses):
- fields: the class's own annotations, in order, with defaults given as
  class attributes or ``field(default=..., default_factory=...)``;
- ``__init__`` taking fields positionally or by keyword, defaults filled
  in, TypeError on a wrong call, as a generated one would raise;
- ``__repr__``; with ``eq`` (the default) ``__eq__`` comparing the fields
  of two instances of the same class, and ``__hash__`` over the fields when
  also ``frozen`` (an eq record that is not frozen is unhashable); without
  ``eq``, identity equality and hashing;
- ``frozen``: assigning or deleting an attribute raises
  ``FrozenInstanceError``;
- ``slots`` (the default): the class is rebuilt with ``__slots__``; its
  instances pickle and copy;
- ``__match_args__``, and ``field_names``/``replace`` for callers.

Invariants: no inheritance between records (a record's fields are its own
annotations); a class body may not use ``ClassVar`` annotations.
"""

from __future__ import annotations

from collections.abc import Callable
from itertools import takewhile
from operator import attrgetter
from typing import Any, TypeVar, dataclass_transform, overload

_T = TypeVar("_T")
_Setter = Callable[[Any, Any], None]


class FrozenInstanceError(AttributeError):
    """Assignment to a field of a frozen record."""


class _Missing:
    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


_MISSING: Any = _Missing()
_ABSENT: Any = object()  # an __init__ parameter the caller did not pass positionally


class _Field:
    __slots__ = ("default", "factory")

    def __init__(self, default: Any, factory: Callable[[], Any] | None) -> None:
        self.default = default
        self.factory = factory


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] | None = None) -> Any:
    """A field's default: a value, or a factory called for each instance."""
    return _Field(default, default_factory)


def _frozen_setattr(self: object, name: str, value: object) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _bind(cls: type, names: tuple[str, ...], defaults: dict[str, _Field],
          args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[Any]:
    """Arguments in field order for a call that is not exactly one positional
    argument per field; TypeError as a generated ``__init__`` would raise."""
    where = f"{cls.__qualname__}.__init__()"
    if len(args) > len(names):
        raise TypeError(f"{where} takes {len(names) + 1} positional arguments "
                        f"but {len(args) + 1} were given")
    for name in names[:len(args)]:
        if name in kwargs:
            raise TypeError(f"{where} got multiple values for argument {name!r}")
    values = list(args)
    missing = []
    for name in names[len(args):]:
        if name in kwargs:
            values.append(kwargs.pop(name))
        elif name in defaults:
            d = defaults[name]
            values.append(d.factory() if d.factory is not None else d.default)
        else:
            missing.append(name)
    if kwargs:
        raise TypeError(f"{where} got an unexpected keyword argument {next(iter(kwargs))!r}")
    if missing:
        raise TypeError(f"{where} missing {len(missing)} required argument(s): "
                        + ", ".join(repr(name) for name in missing))
    return values


def _make_init(cls: type, names: tuple[str, ...], defaults: dict[str, _Field],
               setters: tuple[_Setter, ...]) -> Callable[..., None]:
    """A record's ``__init__``.  The parser and checker build thousands of
    records, so the usual call (one positional argument per field) stores
    each argument through its setter with no loop; anything else (keywords,
    defaults, a wrong count) goes through ``_bind``.  One fixed-arity body
    per field count, because generating code at run time is not allowed."""

    def general(self: Any, given: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
        given = tuple(takewhile(lambda arg: arg is not _ABSENT, given))
        values: Any = given
        if len(given) != len(names) or kwargs:
            values = _bind(cls, names, defaults, given, kwargs)
        for set_field, value in zip(setters, values, strict=True):
            set_field(self, value)

    arity = len(setters)
    if arity == 0:
        def init0(self: Any, **kw: Any) -> None:
            if kw:
                general(self, (), kw)
        return init0
    if arity == 1:
        (s0,) = setters

        def init1(self: Any, a0: Any = _ABSENT, **kw: Any) -> None:
            if kw or a0 is _ABSENT:
                return general(self, (a0,), kw)
            s0(self, a0)
        return init1
    if arity == 2:
        s0, s1 = setters

        def init2(self: Any, a0: Any = _ABSENT, a1: Any = _ABSENT, **kw: Any) -> None:
            if kw or a1 is _ABSENT:
                return general(self, (a0, a1), kw)
            s0(self, a0)
            s1(self, a1)
        return init2
    if arity == 3:
        s0, s1, s2 = setters

        def init3(self: Any, a0: Any = _ABSENT, a1: Any = _ABSENT, a2: Any = _ABSENT,
                  **kw: Any) -> None:
            if kw or a2 is _ABSENT:
                return general(self, (a0, a1, a2), kw)
            s0(self, a0)
            s1(self, a1)
            s2(self, a2)
        return init3
    if arity == 4:
        s0, s1, s2, s3 = setters

        def init4(self: Any, a0: Any = _ABSENT, a1: Any = _ABSENT, a2: Any = _ABSENT,
                  a3: Any = _ABSENT, **kw: Any) -> None:
            if kw or a3 is _ABSENT:
                return general(self, (a0, a1, a2, a3), kw)
            s0(self, a0)
            s1(self, a1)
            s2(self, a2)
            s3(self, a3)
        return init4
    if arity == 5:
        s0, s1, s2, s3, s4 = setters

        def init5(self: Any, a0: Any = _ABSENT, a1: Any = _ABSENT, a2: Any = _ABSENT,
                  a3: Any = _ABSENT, a4: Any = _ABSENT, **kw: Any) -> None:
            if kw or a4 is _ABSENT:
                return general(self, (a0, a1, a2, a3, a4), kw)
            s0(self, a0)
            s1(self, a1)
            s2(self, a2)
            s3(self, a3)
            s4(self, a4)
        return init5
    if arity == 6:
        s0, s1, s2, s3, s4, s5 = setters

        def init6(self: Any, a0: Any = _ABSENT, a1: Any = _ABSENT, a2: Any = _ABSENT,
                  a3: Any = _ABSENT, a4: Any = _ABSENT, a5: Any = _ABSENT,
                  **kw: Any) -> None:
            if kw or a5 is _ABSENT:
                return general(self, (a0, a1, a2, a3, a4, a5), kw)
            s0(self, a0)
            s1(self, a1)
            s2(self, a2)
            s3(self, a3)
            s4(self, a4)
            s5(self, a5)
        return init6

    def init_any(self: Any, *args: Any, **kw: Any) -> None:
        general(self, args, kw)
    return init_any


def _dict_setter(name: str) -> _Setter:
    def set_field(obj: Any, value: Any) -> None:
        obj.__dict__[name] = value
    return set_field


def _build(cls: type, frozen: bool, eq: bool, slots: bool) -> type:
    own = dict(cls.__dict__)  # what the class body defined itself
    annotations: dict[str, Any] = own.get("__annotations__", {})
    names = tuple(annotations)
    defaults: dict[str, _Field] = {}
    for name in names:
        if name in own:
            value = own[name]
            defaults[name] = value if isinstance(value, _Field) else _Field(value, None)
    if slots:
        ns = {k: v for k, v in own.items()
              if k not in names and k not in ("__dict__", "__weakref__")}
        ns["__slots__"] = names
        ns["__qualname__"] = cls.__qualname__
        cls = type(cls)(cls.__name__, cls.__bases__, ns)
        setters: tuple[_Setter, ...] = tuple(cls.__dict__[n].__set__ for n in names)
    else:
        for name, d in defaults.items():
            if d.factory is not None:
                delattr(cls, name)
            else:
                setattr(cls, name, d.default)
        setters = tuple(_dict_setter(n) for n in names)
    getters = tuple(attrgetter(n) for n in names)
    key: Callable[[Any], Any]
    if len(names) > 1:
        key = attrgetter(*names)
    elif names:
        key = getters[0]
    else:
        def key(obj: Any) -> Any:
            return ()

    def __repr__(self: Any) -> str:
        inner = ", ".join(f"{name}={get(self)!r}" for name, get in zip(names, getters, strict=True))
        return f"{type(self).__qualname__}({inner})"

    methods: dict[str, Any] = {
        "__init__": _make_init(cls, names, defaults, setters),
        "__repr__": __repr__,
    }
    forced: dict[str, Any] = {  # set even over what the class body wrote
        "__match_args__": names,
        "__record_fields__": names,
        "__record_getters__": getters,
    }
    if eq:
        def __eq__(self: Any, other: Any) -> Any:
            if type(other) is not type(self):
                return NotImplemented
            return bool(key(self) == key(other))

        methods["__eq__"] = __eq__
        # As dataclass: keep a __hash__ the body wrote; a body's __eq__
        # alone leaves __hash__ None, which does not count as written.
        explicit_hash = "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own)
        if not explicit_hash:
            if frozen:
                def __hash__(self: Any) -> int:
                    return hash(key(self))
                forced["__hash__"] = __hash__
            else:
                forced["__hash__"] = None
    if frozen:
        methods["__setattr__"] = _frozen_setattr
        methods["__delattr__"] = _frozen_delattr
    if slots:
        def __getstate__(self: Any) -> list[Any]:
            return [get(self) for get in getters]

        def __setstate__(self: Any, state: list[Any]) -> None:
            for set_field, value in zip(setters, state, strict=True):
                set_field(self, value)

        methods["__getstate__"] = __getstate__
        methods["__setstate__"] = __setstate__
    for name, method in methods.items():
        if name in own:
            continue  # the class body's own method wins, as with dataclass
        if method.__qualname__.startswith(("_build.", "_make_init.")):
            method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    for name, value in forced.items():
        setattr(cls, name, value)
    return cls


@overload
def record(cls: type[_T], /) -> type[_T]: ...


@overload
def record(*, frozen: bool = False, eq: bool = True,
           slots: bool = True) -> Callable[[type[_T]], type[_T]]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[_T] | None = None, /, *, frozen: bool = False, eq: bool = True,
           slots: bool = True) -> Any:
    """Make cls a record; see the module header."""
    def wrap(c: type[_T]) -> type[_T]:
        built: type[_T] = _build(c, frozen, eq, slots)
        return built
    return wrap if cls is None else wrap(cls)


def field_names(cls: type) -> tuple[str, ...]:
    """A record class's field names, in order."""
    names: tuple[str, ...] = cls.__record_fields__  # type: ignore[attr-defined]
    return names


def replace(obj: _T, **changes: Any) -> _T:
    """A copy of record obj with some fields changed."""
    cls = type(obj)
    getters = cls.__record_getters__  # type: ignore[attr-defined]
    values = {name: get(obj) for name, get in zip(field_names(cls), getters, strict=True)}
    unknown = set(changes) - set(values)
    if unknown:
        raise TypeError(f"{cls.__qualname__} has no field {sorted(unknown)[0]!r}")
    values.update(changes)
    return cls(**values)
