# Relations between Go types: identity, field/method lookup through
# embedding, method sets and interface satisfaction, comparability and
# conversion rules.  Pure functions of types; no AST, no errors reported.
#
# Invariants:
# - Type identity is ``==``: unnamed types compare structurally, Named by
#   identity (see lang/types.py).
# - ``lookup`` follows Go's depth rule: the shallowest match wins and two
#   matches at the same depth are ambiguous.
from __future__ import annotations

from lang import types as T
from lang.records import record


def identical(a: T.Type, b: T.Type) -> bool:
    return a is b or a == b


@record
class LookupResult:
    """A field or method found by ``lookup``.

    path: field indices of the embedded fields walked, then (for a field)
    the field's own index.  derefs[i]: a pointer is dereferenced before
    step i.  recv_ptr: for a method, the receiver reached at the end of
    the path is a pointer.  For an interface method ``iface`` is set."""

    kind: str  # 'field' | 'method' | 'iface'
    path: tuple[int, ...]
    derefs: tuple[bool, ...]
    type: T.Type  # field type or method signature
    method: T.MethodInfo | None = None
    recv_ptr: bool = False


Lookup = LookupResult | None | str  # str: "ambiguous"


def lookup(t: T.Type, name: str) -> Lookup:
    """Field or method ``name`` of a value of type t (t may be a pointer to
    a named struct).  Returns None when absent, 'ambiguous' for a clash."""
    is_ptr = False
    base = t
    if isinstance(t, T.Pointer):
        base, is_ptr = t.elem, True
    elif isinstance(t, T.Named) and isinstance(t.underlying, T.Pointer):
        return None  # a named pointer type has no methods or promoted fields
    # Interfaces: direct method lookup only.
    ub = T.underlying(base)
    if isinstance(ub, T.Interface):
        if is_ptr:
            return None
        m = ub.lookup(name)
        if m is None:
            return None
        return LookupResult("iface", (), (), m.sig)
    current: list[tuple[T.Type, tuple[int, ...], tuple[bool, ...], bool]] = [(base, (), (), is_ptr)]
    seen: set[int] = set()
    while current:
        found: list[LookupResult] = []
        nxt: list[tuple[T.Type, tuple[int, ...], tuple[bool, ...], bool]] = []
        for typ, path, derefs, ptr in current:
            if isinstance(typ, T.Named):
                if id(typ) in seen:
                    continue
                seen.add(id(typ))
                mi = typ.methods.get(name)
                if mi is not None:
                    found.append(LookupResult("method", path, derefs, mi.sig, mi, ptr))
                    continue
            u = T.underlying(typ)
            if isinstance(u, T.Struct):
                for i, f in enumerate(u.fields):
                    if f.name == name:
                        found.append(LookupResult("field", path + (i,), derefs + (ptr,), f.type))
                    if f.embedded:
                        ft = f.type
                        fptr = False
                        if isinstance(ft, T.Pointer):
                            ft, fptr = ft.elem, True
                        nxt.append((ft, path + (i,), derefs + (ptr,), fptr))
            elif isinstance(u, T.Interface) and path:
                m = u.lookup(name)
                if m is not None:
                    # Promoted through an embedded interface field.
                    found.append(LookupResult("iface", path, derefs, m.sig, None, ptr))
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            return "ambiguous"
        current = nxt
    return None


def in_method_set(r: LookupResult, recv_is_ptr: bool) -> bool:
    """Whether a method found by lookup belongs to the method set of the
    looked-up type (pointer receivers need a pointer somewhere)."""
    if r.method is None or not r.method.ptr_recv:
        return True
    return recv_is_ptr or r.recv_ptr or any(r.derefs[1:])


def method_desc(name: str, sig: T.Signature) -> str:
    from lang.check_base import sig_tail

    return name + sig_tail(sig)


def missing_method(v: T.Type, iface: T.Interface) -> str | None:
    """None when v implements iface, else Go's parenthesised reason."""
    vu = T.underlying(v)
    for m in iface.methods:
        if isinstance(vu, T.Interface):
            vm = vu.lookup(m.name)
            if vm is None:
                return f"(missing {m.name} method)"
            if vm.sig != m.sig:
                return (
                    f"(wrong type for {m.name} method)\n\t\thave {method_desc(m.name, vm.sig)}"
                    f"\n\t\twant {method_desc(m.name, m.sig)}"
                )
            continue
        r = lookup(v, m.name)
        if not isinstance(r, LookupResult) or r.kind == "field":
            return f"(missing {m.name} method)"
        sig = r.type
        if sig != m.sig:
            assert isinstance(sig, T.Signature)
            have = method_desc(m.name, sig)
            decl = r.method.decl if r.method is not None else None
            if decl is not None and hasattr(decl, "type"):
                from lang.check_exprstr import expr_string

                have = m.name + expr_string(decl.type)[len("func") :]
            return (
                f"(wrong type for {m.name} method)\n\t\thave {have}"
                f"\n\t\twant {method_desc(m.name, m.sig)}"
            )
        if not in_method_set(r, isinstance(v, T.Pointer)):
            return f"({m.name} method has pointer receiver)"
    return None


def has_nil(t: T.Type) -> bool:
    u = T.underlying(t)
    return isinstance(u, (T.Pointer, T.Slice, T.Map, T.Chan, T.Signature, T.Interface))


def is_bytes_or_runes(t: T.Type) -> bool:
    u = T.underlying(t)
    if not isinstance(u, T.Slice):
        return False
    e = T.underlying(u.elem)
    return isinstance(e, T.Basic) and e.kind in (T.Kind.UINT8, T.Kind.INT32)


def convertible_types(v: T.Type, t: T.Type) -> bool:
    """Non-constant conversion rules of the Go spec (assignability is
    checked by the caller first)."""
    vu, tu = T.underlying(v), T.underlying(t)
    if identical(vu, tu):
        return True
    if isinstance(v, T.Pointer) and isinstance(t, T.Pointer):
        if identical(T.underlying(v.elem), T.underlying(t.elem)):
            return True
    if T.is_numeric(vu) and T.is_numeric(tu):
        return True
    if T.is_string(tu) and (T.is_integer(vu) or is_bytes_or_runes(vu)):
        return True
    if T.is_string(vu) and is_bytes_or_runes(tu):
        return True
    return False


def deref_struct(t: T.Type) -> T.Struct | None:
    u = T.underlying(t)
    if isinstance(u, T.Pointer):
        u = T.underlying(u.elem)
    return u if isinstance(u, T.Struct) else None
