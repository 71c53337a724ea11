"""Package strings: Builder and the common string functions.

Invariants:
- Go strings are bytes: indexes and lengths returned to Go code are byte
  offsets (``str_bytes``); ASCII strings take the fast path where the
  Python index already is the byte index.
- ``strings.Builder`` is a Named struct ``{parts []string}``: its zero
  value (``[None]``) is an empty builder; the pointer-receiver methods
  append pieces to a Slice of str and String() joins them (and keeps
  the joined text as the single piece), so building is linear.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Iface, Pointer, Slice, bytes_str, str_bytes, str_len
from stdlib.registry import Package, register

S = T.STRING
B = T.BOOL
I = T.INT
STRS = T.Slice(T.STRING)
BYTES = T.Slice(T.BYTE)

# Unicode white space as Go's unicode.IsSpace defines it.
_SPACE = "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006" \
         "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _strs(items: list[str]) -> Slice:
    return Slice(items, 0, len(items), len(items))


def _panic(msg: str) -> GoPanic:
    return GoPanic(Iface(T.STRING, msg))


def byte_index(s: str, sub: str) -> int:
    """strings.Index: byte offset of the first sub in s, or -1."""
    if s.isascii() and sub.isascii():
        return s.find(sub)
    return str_bytes(s).find(str_bytes(sub))


def byte_last_index(s: str, sub: str) -> int:
    if s.isascii() and sub.isascii():
        return s.rfind(sub)
    return str_bytes(s).rfind(str_bytes(sub))


def _explode(s: str, n: int) -> list[str]:
    """Split into UTF-8 sequences (one per rune; invalid bytes alone)."""
    chars = list(s)
    if 0 < n < len(chars):
        return chars[:n - 1] + ["".join(chars[n - 1:])]
    return chars


def _gen_split(s: str, sep: str, n: int) -> Slice:
    if n == 0:
        return None  # type: ignore[return-value]
    if sep == "":
        return _strs(_explode(s, n))
    if n < 0:
        return _strs(s.split(sep))
    return _strs(s.split(sep, n - 1))


def _split(ctx: Any, s: str, sep: str) -> Slice:
    return _gen_split(s, sep, -1)


def _splitn(ctx: Any, s: str, sep: str, n: int) -> Slice | None:
    return _gen_split(s, sep, n)


def _join(ctx: Any, elems: Slice | None, sep: str) -> str:
    return sep.join(elems.items()) if elems is not None else ""


def _repeat(ctx: Any, s: str, count: int) -> str:
    if count < 0:
        raise _panic("strings: negative Repeat count")
    return s * count


def _fields(ctx: Any, s: str) -> Slice:
    parts = [p for p in _split_space(s) if p]
    return _strs(parts)


def _split_space(s: str) -> list[str]:
    out: list[str] = []
    cur: list[str] = []
    for c in s:
        if c in _SPACE:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(c)
    out.append("".join(cur))
    return out


def _trim_space(ctx: Any, s: str) -> str:
    return s.strip(_SPACE)


def _to_upper(ctx: Any, s: str) -> str:
    if s.isascii():
        return s.upper()
    return "".join(c if len(c.upper()) != 1 else c.upper() for c in s)


def _to_lower(ctx: Any, s: str) -> str:
    if s.isascii():
        return s.lower()
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in s)


def _title(ctx: Any, s: str) -> str:
    out = []
    prev_letter = False
    for c in s:
        out.append(c if prev_letter else (c.upper() if len(c.upper()) == 1 else c))
        prev_letter = c.isalnum() or c == "_" or c == "'"
    return "".join(out)


def _replace(ctx: Any, s: str, old: str, new: str, n: int) -> str:
    if old == new or n == 0:
        return s
    if old == "":
        chars = list(s)
        limit = len(chars) + 1 if n < 0 else min(n, len(chars) + 1)
        out = []
        for i in range(len(chars) + 1):
            if i < limit:
                out.append(new)
            if i < len(chars):
                out.append(chars[i])
        return "".join(out)
    return s.replace(old, new, n if n >= 0 else -1)


def _replace_all(ctx: Any, s: str, old: str, new: str) -> str:
    return _replace(ctx, s, old, new, -1)


def _count(ctx: Any, s: str, sub: str) -> int:
    if sub == "":
        return len(s) + 1
    return s.count(sub)


def _index_byte(ctx: Any, s: str, c: int) -> int:
    return str_bytes(s).find(bytes([c]))


def _index_rune(ctx: Any, s: str, r: int) -> int:
    if r < 0 or r > 0x10FFFF or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    return byte_index(s, chr(r))


def _index_any(ctx: Any, s: str, chars: str) -> int:
    for i, c in enumerate(s):
        if c in chars:
            return str_len(s[:i])
    return -1


def _contains_any(ctx: Any, s: str, chars: str) -> bool:
    return any(c in chars for c in s)


def _equal_fold(ctx: Any, a: str, b: str) -> bool:
    return a.casefold() == b.casefold()


def _map(ctx: Any, mapping: Any, s: str) -> str:
    out = []
    for c in s:
        r = ctx.call(mapping, [ord(c)])[0]
        if r >= 0:
            out.append(chr(r) if r <= 0x10FFFF and not 0xD800 <= r <= 0xDFFF else "\ufffd")
    return "".join(out)


def _cut(ctx: Any, s: str, sep: str) -> tuple[str, str, bool]:
    i = s.find(sep)
    if i < 0:
        return s, "", False
    return s[:i], s[i + len(sep):], True


# ------------------------------------------------------------ Builder

BUILDER = T.Named("Builder", "strings", T.Struct((T.StructField("parts", STRS),)))
BUILDER_PTR = T.Pointer(BUILDER)


def _builder_parts(recv: Pointer) -> Slice:
    if recv is None:
        from runtime.values import runtime_error
        raise GoPanic(runtime_error("invalid memory address or nil pointer dereference"))
    b = recv.load()
    parts = b[0]
    if parts is None:
        parts = Slice([], 0, 0, 0)
        b[0] = parts
    assert isinstance(parts, Slice)
    return parts


def _builder_add(recv: Pointer, s: str) -> None:
    parts = _builder_parts(recv)
    parts.arr.append(s)
    parts.len = parts.cap = len(parts.arr)


def _b_write_string(ctx: Any, recv: Pointer, s: str) -> tuple[int, Any]:
    _builder_add(recv, s)
    return str_len(s), None


def _b_write_byte(ctx: Any, recv: Pointer, c: int) -> Any:
    _builder_add(recv, bytes_str(bytes([c])))
    return None


def _b_write_rune(ctx: Any, recv: Pointer, r: int) -> tuple[int, Any]:
    if r < 0 or r > 0x10FFFF or 0xD800 <= r <= 0xDFFF:
        r = 0xFFFD
    s = chr(r)
    _builder_add(recv, s)
    return str_len(s), None


def _b_write(ctx: Any, recv: Pointer, p: Slice | None) -> tuple[int, Any]:
    data = bytes(p.items()) if p is not None else b""
    _builder_add(recv, bytes_str(data))
    return len(data), None


def _b_string(ctx: Any, recv: Pointer) -> str:
    parts = _builder_parts(recv)
    text = "".join(parts.arr)
    # Adjacent invalid-byte pieces may now form a valid UTF-8 sequence.
    if any("\udc80" <= c <= "\udcff" for c in text):
        text = bytes_str(str_bytes(text))
    parts.arr[:] = [text] if text else []
    parts.len = parts.cap = len(parts.arr)
    return text


def _b_len(ctx: Any, recv: Pointer) -> int:
    return str_len(_b_string(ctx, recv))


def _b_reset(ctx: Any, recv: Pointer) -> None:
    recv.load()[0] = None


def _b_grow(ctx: Any, recv: Pointer, n: int) -> None:
    if n < 0:
        raise _panic("strings.Builder.Grow: negative count")


def _builder_method(name: str, params: tuple[T.Type, ...], results: tuple[T.Type, ...],
                    impl: Callable[..., Any]) -> None:
    BUILDER.methods[name] = T.MethodInfo(name, T.Signature(params, results), True, impl=impl)


_builder_method("WriteString", (S,), (I, T.ERROR), _b_write_string)
_builder_method("WriteByte", (T.BYTE,), (T.ERROR,), _b_write_byte)
_builder_method("WriteRune", (T.RUNE,), (I, T.ERROR), _b_write_rune)
_builder_method("Write", (BYTES,), (I, T.ERROR), _b_write)
_builder_method("String", (), (S,), _b_string)
_builder_method("Len", (), (I,), _b_len)
_builder_method("Cap", (), (I,), _b_len)
_builder_method("Reset", (), (), _b_reset)
_builder_method("Grow", (I,), (), _b_grow)


# ------------------------------------------------------------ registration

def _sig(params: tuple[T.Type, ...], results: tuple[T.Type, ...]) -> T.Signature:
    return T.Signature(params, results)


pkg = Package("strings", "strings")
pkg.type("Builder", BUILDER)
pkg.func("Join", _sig((STRS, S), (S,)), _join)
pkg.func("Split", _sig((S, S), (STRS,)), _split)
pkg.func("SplitN", _sig((S, S, I), (STRS,)), _splitn)
pkg.func("Repeat", _sig((S, I), (S,)), _repeat)
pkg.func("Contains", _sig((S, S), (B,)), lambda ctx, s, sub: byte_index(s, sub) >= 0)
pkg.func("ContainsRune", _sig((S, T.RUNE), (B,)), lambda ctx, s, r: _index_rune(ctx, s, r) >= 0)
pkg.func("ContainsAny", _sig((S, S), (B,)), _contains_any)
pkg.func("Fields", _sig((S,), (STRS,)), _fields)
pkg.func("ToUpper", _sig((S,), (S,)), _to_upper)
pkg.func("ToLower", _sig((S,), (S,)), _to_lower)
pkg.func("Title", _sig((S,), (S,)), _title)
pkg.func("TrimSpace", _sig((S,), (S,)), _trim_space)
pkg.func("Trim", _sig((S, S), (S,)), lambda ctx, s, cut: s.strip(cut) if cut else s)
pkg.func("TrimLeft", _sig((S, S), (S,)), lambda ctx, s, cut: s.lstrip(cut) if cut else s)
pkg.func("TrimRight", _sig((S, S), (S,)), lambda ctx, s, cut: s.rstrip(cut) if cut else s)
pkg.func("TrimPrefix", _sig((S, S), (S,)), lambda ctx, s, p: s.removeprefix(p))
pkg.func("TrimSuffix", _sig((S, S), (S,)), lambda ctx, s, p: s.removesuffix(p))
pkg.func("HasPrefix", _sig((S, S), (B,)), lambda ctx, s, p: s.startswith(p))
pkg.func("HasSuffix", _sig((S, S), (B,)), lambda ctx, s, p: s.endswith(p))
pkg.func("Index", _sig((S, S), (I,)), lambda ctx, s, sub: byte_index(s, sub))
pkg.func("IndexByte", _sig((S, T.BYTE), (I,)), _index_byte)
pkg.func("IndexRune", _sig((S, T.RUNE), (I,)), _index_rune)
pkg.func("IndexAny", _sig((S, S), (I,)), _index_any)
pkg.func("LastIndex", _sig((S, S), (I,)), lambda ctx, s, sub: byte_last_index(s, sub))
pkg.func("Replace", _sig((S, S, S, I), (S,)), _replace)
pkg.func("ReplaceAll", _sig((S, S, S), (S,)), _replace_all)
pkg.func("Count", _sig((S, S), (I,)), _count)
pkg.func("EqualFold", _sig((S, S), (B,)), _equal_fold)
pkg.func("Compare", _sig((S, S), (I,)),
         lambda ctx, a, b: (str_bytes(a) > str_bytes(b)) - (str_bytes(a) < str_bytes(b)))
pkg.func("Map", _sig((T.Signature((T.RUNE,), (T.RUNE,)), S), (S,)), _map)
pkg.func("Cut", _sig((S, S), (S, S, B)), _cut)
register(pkg)
