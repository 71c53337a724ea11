"""Go's strconv text layouts for numbers and quoted strings, shared by fmt
and strconv.

Mirrors Go's strconv/ftoa.go and strconv/quote.go:
- ``format_float(f, fmt, prec, bitsize)`` is ``strconv.FormatFloat``:
  ``prec < 0`` means the shortest digits that round-trip (Python's repr
  for float64, a search for float32), exponents have at least two digits
  (``1e+06``), and 'g' switches to exponent form when exp < -4 or
  exp >= precision (6 when shortest).
- ``quote`` / ``quote_rune`` are ``strconv.Quote`` / ``QuoteRune`` (and the
  ASCII-only variants): Go strings are bytes, held here decoded as UTF-8
  with surrogateescape, so a lone surrogate U+DC80..U+DCFF is one invalid
  byte and is written as ``\\xHH``.

Invariant: every function is pure and returns Go's exact text.
"""

from __future__ import annotations

import math
import re
import struct

MAX_RUNE = 0x10FFFF
RUNE_ERROR = 0xFFFD

_REPR_RE = re.compile(r"(\d+)(?:\.(\d*))?(?:e([+-]\d+))?$")


def _digits_of(text: str) -> tuple[str, int]:
    """Decimal digits and decimal-point position of a non-negative number
    written by Python (``123.5``, ``1e-07``): value = 0.DIGITS * 10**dp.
    Leading and trailing zeros are removed (Go's ``trim``)."""
    m = _REPR_RE.match(text)
    assert m is not None, text
    whole, frac, exp = m.group(1), m.group(2) or "", m.group(3)
    digits = whole + frac
    dp = len(whole) + (int(exp) if exp else 0)
    stripped = digits.lstrip("0")
    dp -= len(digits) - len(stripped)
    stripped = stripped.rstrip("0")
    if not stripped:
        return "", 0
    return stripped, dp


def to_float32(f: float) -> float:
    """f rounded to single precision (overflow gives an infinity)."""
    try:
        return float(struct.unpack("<f", struct.pack("<f", f))[0])
    except OverflowError:
        return math.copysign(math.inf, f)


def _shortest(f: float, bitsize: int) -> tuple[str, int]:
    """Shortest digits that read back as f (f >= 0, finite)."""
    if f == 0:
        return "", 0
    if bitsize == 32:
        for n in range(1, 10):
            text = f"{f:.{n - 1}e}"
            if to_float32(float(text)) == f:
                return _digits_of(text)
    return _digits_of(repr(f))


def _significant(f: float, n: int) -> tuple[str, int]:
    """f (>= 0, finite) correctly rounded to n significant digits."""
    if f == 0:
        return "", 0
    return _digits_of(f"{f:.{n - 1}e}")


def _fmt_e(digits: str, dp: int, prec: int, letter: str) -> str:
    out = [digits[0] if digits else "0"]
    if prec > 0:
        out.append(".")
        tail = digits[1:prec + 1]
        out.append(tail + "0" * (prec - len(tail)))
    exp = dp - 1 if digits else 0
    sign = "-" if exp < 0 else "+"
    out.append(f"{letter}{sign}{abs(exp):02d}")
    return "".join(out)


def _fmt_f(digits: str, dp: int, prec: int) -> str:
    if dp > 0:
        whole = digits[:dp] + "0" * max(0, dp - len(digits))
    else:
        whole = "0"
    if prec <= 0:
        return whole
    frac = []
    for i in range(prec):
        j = dp + i
        frac.append(digits[j] if 0 <= j < len(digits) else "0")
    return whole + "." + "".join(frac)


def _fmt_b(f: float, bitsize: int) -> str:
    mant_bits, min_exp = (23, -149) if bitsize == 32 else (52, -1074)
    if f == 0:
        return f"0p{min_exp}"
    m, e = math.frexp(f)
    mant = int(m * (1 << (mant_bits + 1)))
    exp = e - mant_bits - 1
    if exp < min_exp:
        mant >>= min_exp - exp
        exp = min_exp
    return f"{mant}p{'+' if exp >= 0 else '-'}{abs(exp)}"


def _fmt_x(f: float, prec: int, upper: bool) -> str:
    """%x of a float: 0x1.8p+01 (shortest mantissa; prec rounds it)."""
    if f == 0:
        mant, exp = "0", 0
        lead = "0"
    else:
        m, e = math.frexp(f)          # f = m * 2**e, 0.5 <= m < 1
        bits = int(m * (1 << 53))     # 53-bit integer mantissa
        exp = e - 1
        frac = bits - (1 << 52)       # 52 fraction bits = 13 hex digits
        lead = "1"
        if prec >= 0 and prec < 13:
            shift = (13 - prec) * 4
            q, r = divmod(frac, 1 << shift)
            half = 1 << (shift - 1)
            if r > half or (r == half and q & 1):
                q += 1
            if q >> (prec * 4):
                q = 0
                exp += 1
            mant = f"{q:0{prec}x}" if prec > 0 else ""
        else:
            mant = f"{frac:013x}".rstrip("0")
            if prec > 13:
                mant = mant + "0" * (prec - len(mant))
    if f == 0 and prec > 0:
        mant = "0" * prec
    elif f == 0:
        mant = ""
    text = "0x" + lead + ("." + mant if mant else "") + \
        f"p{'+' if exp >= 0 else '-'}{abs(exp):02d}"
    return text.upper() if upper else text


def format_float(f: float, fmt: str, prec: int, bitsize: int = 64) -> str:
    """strconv.FormatFloat(f, fmt, prec, bitsize) for fmt in
    'e' 'E' 'f' 'g' 'G' 'b' 'x' 'X'."""
    if math.isnan(f):
        return "NaN"
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    neg = math.copysign(1.0, f) < 0
    sign = "-" if neg else ""
    a = abs(f)
    if bitsize == 32:
        a = to_float32(a)
        if math.isinf(a):
            return "-Inf" if neg else "+Inf"
    if fmt == "b":
        return sign + _fmt_b(a, bitsize)
    if fmt in "xX":
        return sign + _fmt_x(a, prec, fmt == "X")
    shortest = prec < 0
    if fmt == "f" and not shortest:
        return sign + f"{a:.{prec}f}"
    if shortest:
        digits, dp = _shortest(a, bitsize)
    elif fmt in "eE":
        digits, dp = _significant(a, prec + 1)
    else:
        if prec == 0:
            prec = 1
        digits, dp = _significant(a, prec)
    nd = len(digits)
    if fmt in "eE":
        return sign + _fmt_e(digits, dp, nd - 1 if shortest else prec, "e" if fmt == "e" else "E")
    if fmt == "f":
        return sign + _fmt_f(digits, dp, max(nd - dp, 0))
    # 'g' / 'G'
    if shortest:
        eprec = 6
        prec = nd
    else:
        eprec = prec
        if eprec > nd and nd >= dp:
            eprec = nd
    exp = dp - 1
    if digits and (exp < -4 or exp >= eprec):
        if prec > nd:
            prec = nd
        return sign + _fmt_e(digits, dp, prec - 1, "e" if fmt == "g" else "E")
    if prec > dp:
        prec = nd
    return sign + _fmt_f(digits, dp, max(prec - dp, 0))


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def format_int(v: int, base: int, upper: bool = False) -> str:
    """strconv.FormatInt(v, base) for 2 <= base <= 36."""
    if v == 0:
        return "0"
    neg = v < 0
    v = abs(v)
    alphabet = _DIGITS.upper() if upper else _DIGITS
    out = []
    while v:
        v, r = divmod(v, base)
        out.append(alphabet[r])
    if neg:
        out.append("-")
    return "".join(reversed(out))


# ---------------------------------------------------------------- quoting

def is_print(r: int) -> bool:
    """strconv.IsPrint: letters, marks, numbers, punctuation, symbols and
    the ASCII space."""
    if r < 0 or r > MAX_RUNE or 0xD800 <= r <= 0xDFFF:
        return False
    return chr(r).isprintable()


def is_invalid_byte(c: str) -> bool:
    """Is c a surrogateescape stand-in for an invalid UTF-8 byte?"""
    return "\udc80" <= c <= "\udcff"


def _escape_rune(r: int, quote: str, ascii_only: bool, out: list[str]) -> None:
    ch = chr(r)
    if ch == quote or ch == "\\":
        out.append("\\" + ch)
        return
    if ascii_only:
        if r < 0x80 and is_print(r):
            out.append(ch)
            return
    elif is_print(r):
        out.append(ch)
        return
    special = _SPECIAL_ESCAPES.get(ch)
    if special is not None:
        out.append(special)
    elif r < 0x20 or r == 0x7F:
        out.append(f"\\x{r:02x}")
    elif r < 0x10000:
        out.append(f"\\u{r:04x}")
    else:
        out.append(f"\\U{r:08x}")


_SPECIAL_ESCAPES = {"\a": "\\a", "\b": "\\b", "\f": "\\f", "\n": "\\n",
                    "\r": "\\r", "\t": "\\t", "\v": "\\v"}


def quote(s: str, ascii_only: bool = False) -> str:
    """strconv.Quote (QuoteToASCII with ascii_only)."""
    out = ['"']
    for c in s:
        if is_invalid_byte(c):
            out.append(f"\\x{ord(c) - 0xDC00:02x}")
        else:
            _escape_rune(ord(c), '"', ascii_only, out)
    out.append('"')
    return "".join(out)


def quote_rune(r: int, ascii_only: bool = False) -> str:
    """strconv.QuoteRune: invalid code points become U+FFFD."""
    if r < 0 or r > MAX_RUNE or 0xD800 <= r <= 0xDFFF:
        r = RUNE_ERROR
    out = ["'"]
    _escape_rune(r, "'", ascii_only, out)
    out.append("'")
    return "".join(out)


def can_backquote(s: str) -> bool:
    """strconv.CanBackquote: a raw string literal can hold s."""
    for c in s:
        if is_invalid_byte(c) or c == "\ufeff":
            return False
        if c == "`" or (c != "\t" and (ord(c) < 0x20 or c == "\x7f")):
            return False
    return True
