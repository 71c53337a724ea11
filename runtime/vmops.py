"""Value operations the VM loop delegates to: Go's container, conversion,
interface and arithmetic rules that are too big to inline in the dispatch.

Invariants:
- Every Go runtime error is raised as ``GoPanic`` with Go's exact text
  (``runtime_error`` for ``runtime error: ...`` panics, ``plain_error``
  where Go uses plainError / TypeAssertionError).
- ``append`` follows Go 1.19's growslice: double below 256 elements, then
  grow by (newcap + 768) / 4 until big enough, then round the byte size
  up to a malloc size class.
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.limits import charge  # --max-memory: charged where slices grow
from runtime.panics import NIL_DEREF, plain_error
from runtime.values import Pointer, Slice, bytes_str, copy_value, runtime_error, str_bytes

MIN64 = -(1 << 63)
MAX64 = (1 << 63) - 1
MASK64 = (1 << 64) - 1


def nil_deref() -> GoPanic:
    return GoPanic(runtime_error(NIL_DEREF))


def index_error(i: int, n: int) -> GoPanic:
    return GoPanic(runtime_error(f"index out of range [{i}] with length {n}"))


def wrap(v: int, code: int) -> int:
    """v wrapped to the integer type with width code (bits << 1 | signed)."""
    bits = code >> 1
    mask = (1 << bits) - 1
    v &= mask
    if code & 1 and v >> (bits - 1):
        v -= 1 << bits
    return v


def wrap64(v: int) -> int:
    v &= MASK64
    if v > MAX64:
        v -= 1 << 64
    return v


def div_int(x: int, y: int) -> int:
    if y == 0:
        raise GoPanic(runtime_error("integer divide by zero"))
    if x >= 0 and y > 0:
        return x // y
    q = abs(x) // abs(y)
    return -q if (x < 0) != (y < 0) else q


def mod_int(x: int, y: int) -> int:
    if y == 0:
        raise GoPanic(runtime_error("integer divide by zero"))
    if x >= 0 and y > 0:
        return x % y
    r = abs(x) % abs(y)
    return -r if x < 0 else r


def div_float(x: float, y: float) -> float:
    try:
        return x / y
    except ZeroDivisionError:
        if x != x or x == 0:
            return float("nan")
        neg = (x < 0) != (str(float(y))[0] == "-")
        return float("-inf") if neg else float("inf")


def shl(x: int, n: int) -> int:
    if n < 0:
        raise GoPanic(runtime_error("negative shift amount"))
    if n >= 64:
        return 0
    return x << n


def shr(x: int, n: int) -> int:
    if n < 0:
        raise GoPanic(runtime_error("negative shift amount"))
    if n >= 64:
        return -1 if x < 0 else 0
    return x >> n


# -- slices ---------------------------------------------------------------

SIZE_CLASSES = (
    0, 8, 16, 24, 32, 48, 64, 80, 96, 112, 128, 144, 160, 176, 192, 208, 224, 240, 256,
    288, 320, 352, 384, 416, 448, 480, 512, 576, 640, 704, 768, 896, 1024, 1152, 1280,
    1408, 1536, 1792, 2048, 2304, 2688, 3072, 3200, 3456, 4096, 4864, 5376, 6144, 6528,
    6784, 6912, 8192, 9472, 9728, 10240, 10880, 12288, 13568, 14336, 16384, 18432, 19072,
    20480, 21760, 24576, 27264, 28672, 32768,
)


def roundupsize(size: int) -> int:
    if size <= 32768:
        for s in SIZE_CLASSES:
            if s >= size:
                return s
    return (size + 8191) // 8192 * 8192


def grow_cap(old_cap: int, needed: int, elemsize: int) -> int:
    newcap = old_cap
    double = newcap + newcap
    if needed > double:
        newcap = needed
    elif old_cap < 256:
        newcap = double
    else:
        while 0 < newcap < needed:
            newcap += (newcap + 768) // 4
        if newcap <= 0:
            newcap = needed
    if elemsize <= 0:
        return newcap
    return roundupsize(newcap * elemsize) // elemsize


def append_values(s: Slice | None, vals: list[Any], elemsize: int) -> Slice | None:
    n = len(vals)
    if s is None:
        if n == 0:
            return None
        cap = grow_cap(0, n, elemsize)
        charge(cap * 8)
        arr = vals + [_zero_like(vals[0])] * 0
        arr.extend(_zeros(vals[0], cap - n))
        return Slice(arr, 0, n, cap)
    ln = s.len
    if ln + n <= s.cap:
        arr = s.arr
        start = s.off + ln
        arr[start:start + n] = vals
        return Slice(arr, s.off, ln + n, s.cap)
    cap = grow_cap(s.cap, ln + n, elemsize)
    charge(cap * 8)
    arr = s.arr[s.off:s.off + ln]
    arr.extend(vals)
    if ln + n < cap:
        filler = vals[0] if vals else (arr[0] if arr else 0)
        arr.extend(_zeros(filler, cap - ln - n))
    return Slice(arr, 0, ln + n, cap)


def _zero_like(v: Any) -> Any:
    if isinstance(v, bool):
        return False
    if isinstance(v, int):
        return 0
    if isinstance(v, float):
        return 0.0
    if isinstance(v, str):
        return ""
    if isinstance(v, list):
        return [_zero_like(x) for x in v]
    return None


def _zeros(like: Any, n: int) -> list[Any]:
    z = _zero_like(like)
    if isinstance(z, list):
        return [copy_value(z) for _ in range(n)]
    return [z] * n


def append1(s: Slice | None, v: Any, elemsize: int) -> Slice:
    if s is not None:
        ln = s.len
        if ln < s.cap:
            s.arr[s.off + ln] = v
            return Slice(s.arr, s.off, ln + 1, s.cap)
    r = append_values(s, [v], elemsize)
    assert r is not None
    return r


def append_slice(s: Slice | None, src: Any, elemsize: int) -> Slice | None:
    if src is None:
        vals: list[Any] = []
    elif isinstance(src, str):
        vals = list(str_bytes(src))
    else:
        vals = src.arr[src.off:src.off + src.len]
        if vals and isinstance(vals[0], list):
            vals = [copy_value(v) for v in vals]
    if not vals:
        return s
    return append_values(s, vals, elemsize)


def copy_slice(dst: Slice | None, src: Any) -> int:
    if dst is None or src is None:
        return 0
    if isinstance(src, str):
        vals: list[Any] = list(str_bytes(src))
    else:
        vals = src.arr[src.off:src.off + src.len]
    n = min(dst.len, len(vals))
    dst.arr[dst.off:dst.off + n] = [copy_value(v) for v in vals[:n]]
    return n


def make_slice(length: Any, cap: Any, zero: Any) -> Slice:
    if cap is None:
        cap = length
    if length < 0:
        raise GoPanic(runtime_error("makeslice: len out of range"))
    if cap < length:
        raise GoPanic(runtime_error("makeslice: cap out of range"))
    if isinstance(zero, list):
        charge(cap * (64 + 8 * len(zero)))
        arr = [copy_value(zero) for _ in range(cap)]
    else:
        charge(cap * 8)
        arr = [zero] * cap
    return Slice(arr, 0, length, cap)


def slice_slice(s: Slice | None, lo: Any, hi: Any, mx: Any) -> Slice | None:
    if s is None:
        cap = 0
        length = 0
    else:
        cap = s.cap
        length = s.len
    if lo is None:
        lo = 0
    if hi is None:
        hi = length
    if mx is None:
        mx = cap
    elif mx > cap:
        raise GoPanic(runtime_error(f"slice bounds out of range [::{mx}] with capacity {cap}"))
    if hi > mx:
        if mx == cap:
            raise GoPanic(runtime_error(f"slice bounds out of range [:{hi}] with capacity {cap}"))
        raise GoPanic(runtime_error(f"slice bounds out of range [:{hi}:{mx}]"))
    if lo > hi or lo < 0:
        raise GoPanic(runtime_error(f"slice bounds out of range [{lo}:{hi}]"))
    if s is None:
        return None
    return Slice(s.arr, s.off + lo, hi - lo, mx - lo)


def slice_list(arr: list[Any], lo: Any, hi: Any, mx: Any) -> Slice:
    n = len(arr)
    s = Slice(arr, 0, n, n)
    r = slice_slice(s, lo, hi, mx)
    assert r is not None
    return r


def slice_str(s: str, lo: Any, hi: Any) -> str:
    if s.isascii():
        n = len(s)
        b: Any = s
    else:
        b = str_bytes(s)
        n = len(b)
    if lo is None:
        lo = 0
    if hi is None:
        hi = n
    if hi > n:
        raise GoPanic(runtime_error(f"slice bounds out of range [:{hi}] with length {n}"))
    if lo > hi or lo < 0:
        raise GoPanic(runtime_error(f"slice bounds out of range [{lo}:{hi}]"))
    if isinstance(b, str):
        return b[lo:hi]
    return bytes_str(b[lo:hi])


def index_str(s: str, i: int) -> int:
    if s.isascii():
        n = len(s)
        if 0 <= i < n:
            return ord(s[i])
        raise index_error(i, n)
    b = str_bytes(s)
    if 0 <= i < len(b):
        return b[i]
    raise index_error(i, len(b))


def length(v: Any, kind: int) -> int:
    if v is None:
        return 0
    if kind == 0:
        return int(v.len)
    if kind == 1:
        return len(v) if v.isascii() else len(str_bytes(v))
    if kind == 3:
        return int(v.length())
    return len(v)


def capacity(v: Any, kind: int) -> int:
    if v is None:
        return 0
    if kind == 0:
        return int(v.cap)
    if kind == 3:
        return int(v.capacity())
    return len(v)


# -- conversions ----------------------------------------------------------

def convert(v: Any, code: int) -> Any:
    if code == 1:
        return float(v)
    if code == 2:
        if v != v or v in (float("inf"), float("-inf")):
            return MIN64
        return int(v)
    if code == 3:
        if 0 <= v <= 0x10FFFF and not 0xD800 <= v <= 0xDFFF:
            return chr(v)
        return "\ufffd"
    if code == 4:
        b = list(str_bytes(v))
        return Slice(b, 0, len(b), len(b))
    if code == 5:
        if v is None:
            return ""
        return bytes_str(bytes(v.arr[v.off:v.off + v.len]))
    if code == 6:
        rs = [ord(ch) if not 0xDC80 <= ord(ch) <= 0xDCFF else 0xFFFD for ch in v]
        return Slice(rs, 0, len(rs), len(rs))
    if code == 7:
        if v is None:
            return ""
        return "".join(convert(r, 3) for r in v.arr[v.off:v.off + v.len])
    raise AssertionError(f"bad conversion code {code}")


def string_runes(s: str) -> list[tuple[int, int]]:
    """(byte offset, rune) pairs of a string, as ``for i, r := range s``."""
    out = []
    if s.isascii():
        return [(i, ord(ch)) for i, ch in enumerate(s)]
    off = 0
    for ch in s:
        o = ord(ch)
        if 0xDC80 <= o <= 0xDCFF:
            out.append((off, 0xFFFD))
            off += 1
        else:
            out.append((off, o))
            off += len(ch.encode("utf-8", "surrogatepass"))
    return out


# -- interfaces -----------------------------------------------------------

_method_cache: dict[tuple[Any, str], tuple[Any, Any]] = {}


def _promoted(t: T.Type, name: str) -> tuple[T.MethodInfo, tuple[tuple[int, bool], ...]] | None:
    """Method name promoted through embedded fields of t's struct: the
    method and the path of (field index, field is a pointer) to reach the
    embedded value (breadth first, as Go's depth rule)."""
    base = t.elem if isinstance(t, T.Pointer) else t
    level: list[tuple[T.Type, tuple[tuple[int, bool], ...]]] = [(base, ())]
    for _ in range(8):
        nxt: list[tuple[T.Type, tuple[tuple[int, bool], ...]]] = []
        for typ, path in level:
            u = T.underlying(typ)
            if not isinstance(u, T.Struct):
                continue
            for i, f in enumerate(u.fields):
                if not f.embedded:
                    continue
                is_ptr = isinstance(f.type, T.Pointer)
                inner = f.type.elem if isinstance(f.type, T.Pointer) else f.type
                p = path + ((i, is_ptr),)
                if isinstance(inner, T.Named) and name in inner.methods:
                    return inner.methods[name], p
                nxt.append((inner, p))
        if not nxt:
            break
        level = nxt
    return None


def lookup_method(t: T.Type, name: str) -> tuple[Any, Any]:
    """(impl, mode) for calling method name on a value of dynamic type t.
    mode 0: pass the value; 1: pass a copy of the value; 2: dereference
    the pointer and pass a copy of the pointee; a tuple: a promoted method
    reached through embedded fields (see method_receiver)."""
    key = (t, name)
    hit = _method_cache.get(key)
    if hit is not None:
        return hit
    res: tuple[Any, Any]
    named = t.elem if isinstance(t, T.Pointer) else t
    m = named.methods.get(name) if isinstance(named, T.Named) else None
    if m is not None:
        if isinstance(t, T.Pointer):
            res = (m.impl, 0 if m.ptr_recv else 2)
        else:
            res = (m.impl, 1)
    else:
        found = _promoted(t, name)
        if found is None:
            raise GoPanic(runtime_error(f"method {name} not found on {t}"))
        pm, path = found
        res = (pm.impl, (isinstance(t, T.Pointer), path, pm.ptr_recv))
    _method_cache[key] = res
    return res


def method_receiver(value: Any, mode: Any) -> Any:
    if mode == 0:
        return value
    if mode == 1:
        return copy_value(value)
    if mode == 2:
        if value is None:
            raise nil_deref()
        return copy_value(value.ref[value.idx])
    is_ptr, path, ptr_recv = mode
    if is_ptr:
        if value is None:
            raise nil_deref()
        value = value.ref[value.idx]
    parent: Any = None
    last = 0
    last_ptr = False
    for idx, fptr in path:
        if last_ptr:
            if value is None:
                raise nil_deref()
            value = value.ref[value.idx]
        parent, last, last_ptr = value, idx, fptr
        value = value[idx]
    if ptr_recv:
        return value if last_ptr else Pointer(parent, last)
    if last_ptr:
        if value is None:
            raise nil_deref()
        return copy_value(value.ref[value.idx])
    return copy_value(value)


_implements_cache: dict[tuple[Any, Any], bool] = {}


def implements(t: T.Type, iface: T.Interface) -> bool:
    key = (t, iface)
    hit = _implements_cache.get(key)
    if hit is not None:
        return hit
    ok = True
    for m in iface.methods:
        if isinstance(t, T.Pointer) and isinstance(t.elem, T.Named):
            if m.name not in t.elem.methods and _promoted(t, m.name) is None:
                ok = False
        elif isinstance(t, T.Named):
            mi = t.methods.get(m.name)
            if mi is None:
                pr = _promoted(t, m.name)
                # A pointer method promoted through an embedded value is not
                # in a value's method set; through an embedded pointer it is.
                if pr is None or (pr[0].ptr_recv and not pr[1][-1][1]):
                    ok = False
            elif mi.ptr_recv:
                ok = False
        else:
            ok = False
    _implements_cache[key] = ok
    return ok


def type_matches(v: Any, t: Any) -> bool:
    """v (an interface value) holds dynamic type t (t None: v is nil)."""
    if t is None:
        return v is None
    if v is None:
        return False
    u = T.underlying(t)
    if isinstance(u, T.Interface) and not isinstance(t, T.Named) or (
            isinstance(t, T.Named) and isinstance(u, T.Interface)):
        return implements(v.type, u)
    return bool(v.type == t)


def type_assert(v: Any, t: Any, src: Any) -> Any:
    """x.(T): the unboxed value for concrete T, the interface for
    interface T; panics with Go's interface conversion text."""
    if type_matches(v, t):
        if isinstance(T.underlying(t), T.Interface):
            return v
        return v.value
    src_s = str(src) if src is not None else "interface {}"
    if v is None:
        raise GoPanic(plain_error(f"interface conversion: {src_s} is nil, not {t}"))
    u = T.underlying(t)
    if isinstance(u, T.Interface):
        missing = ""
        for m in u.methods:
            if not implements(v.type, T.Interface((m,))):
                missing = m.name
                break
        raise GoPanic(plain_error(
            f"interface conversion: {v.type} is not {t}: missing method {missing}"))
    raise GoPanic(plain_error(f"interface conversion: {src_s} is {v.type}, not {t}"))


def deref(p: Pointer | None) -> Any:
    if p is None:
        raise nil_deref()
    return p.ref[p.idx]
