"""What the checker learns about a file, handed to the compiler.

Invariants:
- The checker fills a ``TypeInfo`` only for a file that type-checks; the
  compiler never sees a file with errors, so every lookup it makes for a
  node of a checked file succeeds.
- Every ``Object`` is created once per declaration; identifiers that
  declare it map through ``defs``, identifiers that use it through ``uses``.
- ``Var.captured`` is True when a function literal nested in the declaring
  function refers to the variable; ``Var.addressed`` when ``&v`` is taken
  (explicitly, or implicitly by calling a pointer method on ``v`` or by
  slicing an array variable).  ``Var.in_cell`` says whether it lives in a
  heap cell rather than directly in a register: addressed, or captured and
  ``reassigned`` after its declaration (lang/reassign.py).
"""

from __future__ import annotations

import enum
from typing import Any, Optional, Union

from lang import ast
from lang import types as T
from lang.records import field, record


class VarKind(enum.Enum):
    GLOBAL = "global"      # package-level var
    LOCAL = "local"        # declared in a function body (incl. range/switch binds)
    PARAM = "param"        # function parameter, incl. the method receiver
    RESULT = "result"      # named (or unnamed) result parameter


@record(eq=False)
class Var:
    name: str
    type: T.Type
    kind: VarKind
    decl: Optional[ast.Ident]          # None for unnamed params/results
    captured: bool = False
    addressed: bool = False
    used: bool = False
    # Assigned again after its declaration (lang/reassign.py); a captured
    # variable that is not needs no cell: closures copy its value.
    reassigned: bool = False

    @property
    def in_cell(self) -> bool:
        """The variable lives in a heap cell: its address is taken, or a
        closure captures it and it may change after the capture."""
        return self.addressed or (self.captured and self.reassigned)


@record(eq=False)
class Const:
    name: str
    type: T.Type           # may be untyped (UNTYPED_INT, ...)
    value: Any             # int | float | str | bool, exact
    decl: Optional[ast.Ident]


@record(eq=False)
class TypeName:
    name: str
    type: T.Type
    decl: Optional[ast.Ident]


@record(eq=False)
class Func:
    """A package-level function or a method (recv_type set)."""

    name: str
    sig: T.Signature
    decl: Optional[ast.FuncDecl]
    recv_type: Optional[T.Named] = None
    ptr_recv: bool = False


@record(eq=False)
class PkgName:
    name: str
    path: str               # import path, key of stdlib.registry.PACKAGES
    decl: Optional[ast.ImportSpec]
    used: bool = False


@record(eq=False)
class Builtin:
    """len, cap, append, make, new, copy, delete, close, panic, recover,
    print, println."""

    name: str


@record(eq=False)
class Nil:
    pass


Object = Union[Var, Const, TypeName, Func, PkgName, Builtin, Nil]


class SelKind(enum.Enum):
    FIELD = "field"              # x.f, possibly through embedded fields / pointers
    METHOD = "method"            # x.m on a concrete type (call or method value)
    IFACE_METHOD = "iface_method"  # x.m where x has interface type
    PKG_MEMBER = "pkg_member"    # pkg.Name (see TypeInfo.uses for the member)


@record
class Selection:
    """Resolution of a Selector.

    FIELD: path is the field indices from x's struct (following embedded
    fields); derefs[i] is True when a pointer is dereferenced before step i
    (``p.X`` with p *Point has derefs (True,)).
    METHOD: method is the MethodInfo; recv_addr is True when Go takes the
    address of x implicitly (pointer method on an addressable value);
    recv_deref is True when Go dereferences x (value method via pointer).
    path/derefs lead to the embedded receiver for promoted methods.
    """

    kind: SelKind
    path: tuple[int, ...] = ()
    derefs: tuple[bool, ...] = ()
    method: Optional[T.MethodInfo] = None
    recv_addr: bool = False
    recv_deref: bool = False
    member: Any = None           # PKG_MEMBER: the stdlib.registry Member


class CallKind(enum.Enum):
    CALL = "call"                # ordinary call of a function value / method
    CONVERSION = "conversion"    # T(x)
    BUILTIN = "builtin"          # len(x), append(...), ...


@record
class TypeInfo:
    """Side tables keyed by AST node identity.

    types: the type of every value expression after untyped constants were
      given their final type by context (``var f float64 = 1`` records the
      literal ``1`` as float64; an untyped constant with no context gets its
      default type).  Multi-value calls record a ``T.Tuple``.
    consts: the exact value of every constant expression, already
      converted to the recorded type (int for integers, float for floats,
      str, bool).  The compiler emits a constant for any node found here.
    type_exprs: expressions that denote a type (in conversions, composite
      literals, make/new arguments, declarations) and the type they denote.
    defs / uses: identifier -> the Object it declares / refers to.
    selections: every Selector that is not a qualified type name.
    call_kinds: every Call.
    implicit_objs: objects declared without an identifier of their own:
      the per-clause variable of a type switch (keyed by the CaseClause)
      and unnamed results (keyed by the Field).
    func_vars: for each FuncDecl / FuncLit, the Vars declared in it
      (params first, in order; then results; then locals in source order),
      and for a FuncLit the outer Vars it captures (free_vars).
    init_order: package-level var specs in Go's initialization order.

    Checker decisions the compiler can rely on (added by the checker):
    - A CompositeLit's own type is in ``types`` (also when its type is
      elided inside an outer literal).  An elided literal whose element
      type is a pointer (``[]*P{{1, 2}}``) is recorded with that pointer
      type ``*P``: it stands for ``&P{1, 2}``.
    - A comma-ok expression (map index, type assertion, receive) used in a
      two-value assignment/definition has ``types[expr] = Tuple((T, bool))``;
      in single-value use it has type T.
    - ``nil`` is recorded with the type its context gives it (``*T``,
      ``[]int``, ``error``, the other operand of ``==``).
    - ``implicit_objs`` also holds unnamed parameters (keyed by their
      Field).  A type switch's bind identifier has no ``defs`` entry; each
      clause's Var is ``implicit_objs[clause]`` (typed as the clause's single
      type, else as the switched expression).
    - Package members: ``uses[sel_ident]`` holds a synthesized Func / Const /
      Var / TypeName describing the member; the registry member itself is
      ``selections[selector].member``; ``pkg.Type`` is in ``type_exprs``.
    - Method expressions ``T.M`` get a METHOD Selection; their type in
      ``types`` is the function type with the receiver as first parameter.
    - The receiver type expression of a method is in ``type_exprs`` (``*T``
      for a pointer receiver).
    - ``len``/``cap`` of an array (without calls or receives in the
      argument) and ``len`` of a constant string are constants in ``consts``.
    """

    types: dict[Any, T.Type] = field(default_factory=dict)
    consts: dict[Any, Any] = field(default_factory=dict)
    type_exprs: dict[Any, T.Type] = field(default_factory=dict)
    defs: dict[ast.Ident, Object] = field(default_factory=dict)
    uses: dict[ast.Ident, Object] = field(default_factory=dict)
    selections: dict[ast.Selector, Selection] = field(default_factory=dict)
    call_kinds: dict[ast.Call, CallKind] = field(default_factory=dict)
    implicit_objs: dict[Any, Var] = field(default_factory=dict)
    func_vars: dict[Any, list[Var]] = field(default_factory=dict)
    free_vars: dict[ast.FuncLit, list[Var]] = field(default_factory=dict)
    init_order: list[ast.ValueSpec] = field(default_factory=list)
