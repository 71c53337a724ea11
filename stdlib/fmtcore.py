"""The fmt formatting engine: Go's fmt/print.go and fmt/format.go over csp
values.  fmt, errors, strconv, the VM's panic printer and the REPL all
format through here.

Public API (ctx is the calling goroutine's NativeContext; it is only
needed to call String()/Error() methods of user types):
- ``sprint(ctx, args)``, ``sprintln(ctx, args)``, ``sprintf(ctx, fmt, args)``:
  args is a Python list of operands as fmt receives them, each an
  ``Iface`` (dynamic type, value) or None for a nil interface.
- ``format_value(ctx, value, typ, verb="v", plus=False, sharp=False)``:
  one value of static type typ, as ``Sprintf("%v")`` (or %+v, %#v, ...)
  would print it when passed as an ``any``.
- ``panic_value_string`` / ``runtime_print_string`` (re-exported from
  stdlib/fmtruntime.py): panic text and builtin print layout.
- ``find_method`` / ``call_method0`` (re-exported from stdlib/fmtvalues.py):
  method lookup on a dynamic type and a zero-argument method call.

Invariants:
- Operands are walked with their static type structure: Named types via
  ``types.underlying``, struct field names from ``types.Struct``; a value
  of interface type is ``Iface`` or None and is printed by its dynamic type.
- Methods: String()/Error() are honoured at every depth for values reached
  through exported fields only (Go's CanInterface), never while printing a
  bad-verb report (Go's ``erroring``).  A panic inside such a method prints
  ``<nil>`` for a nil pointer receiver, else ``%!v(PANIC=String method: ...)``.
- Pointers other than a top-level pointer to struct/array/slice/map print
  as fake, stable addresses (0xc000010000 upward): real addresses would
  make runs irreproducible.
"""

from __future__ import annotations

from typing import Any

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Iface, Slice, str_bytes, thaw
from stdlib import fmtnum
from stdlib.fmtruntime import panic_value_string, runtime_float_string, runtime_print_string
from stdlib.fmtvalues import (
    address_of,
    call_method0,
    error_method,
    fake_address,
    find_method,
    has_sig,
    is_native_method,
    sorted_map_items,
    string_method,
)

__all__ = [
    "Printer", "sprint", "sprintln", "sprintf", "format_value", "args_of",
    "panic_value_string", "runtime_float_string", "runtime_print_string",
    "call_method0", "error_method", "fake_address", "find_method",
    "is_native_method", "string_method",
]

# ------------------------------------------------------------ the printer

_INT_BASES = {"d": 10, "v": 10, "b": 2, "o": 8, "O": 8, "x": 16, "X": 16}


class Printer:
    """One formatting operation (Go's pp + fmt).  Flags are reset per verb."""

    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx
        self.buf: list[str] = []
        self.erroring = False
        self.wrap_errs = False
        self.wrapped: Any = None
        self.cur_value: Any = None
        self.cur_type: T.Type | None = None
        self.clear_flags()

    def clear_flags(self) -> None:
        self.minus = self.plus = self.sharp = self.space = self.zero = False
        self.plus_v = self.sharp_v = False
        self.wid = self.prec = 0
        self.wid_present = self.prec_present = False

    def text(self) -> str:
        return "".join(self.buf)

    # -- padding -------------------------------------------------------

    def write_padding(self, n: int) -> None:
        if n > 0:
            self.buf.append(("0" if self.zero else " ") * n)

    def pad(self, s: str) -> None:
        if not self.wid_present or self.wid == 0:
            self.buf.append(s)
            return
        width = self.wid - len(s)
        if not self.minus:
            self.write_padding(width)
            self.buf.append(s)
        else:
            self.buf.append(s)
            self.write_padding(width)

    # -- top level -----------------------------------------------------

    def print_arg(self, arg: Any, verb: str) -> None:
        """One operand (Iface or None) for one verb."""
        self.cur_value, self.cur_type = None, None
        if arg is None:
            if verb in "Tv":
                self.pad("<nil>")
            else:
                self.bad_verb(verb)
            return
        typ, value = arg.type, arg.value
        if verb == "T":
            self.fmt_s(str(_concrete(typ)))
            return
        if verb == "p":
            self.fmt_pointer(value, typ, "p")
            return
        self.print_value(value, typ, verb, 0, True)

    def print_value(self, value: Any, typ: T.Type, verb: str, depth: int,
                    can_iface: bool) -> None:
        if can_iface and not self.erroring and self.handle_methods(value, typ, verb):
            return
        self.cur_value, self.cur_type = value, typ
        u = T.underlying(typ)
        if isinstance(u, T.Basic):
            k = u.kind
            if k in T.INTEGER_KINDS:
                self.fmt_integer(value, k not in T.UNSIGNED_KINDS, verb)
            elif k in T.FLOAT_KINDS:
                self.fmt_float(value, 32 if k is T.Kind.FLOAT32 else 64, verb)
            elif k in (T.Kind.STRING, T.Kind.UNTYPED_STRING):
                self.fmt_string(value, verb)
            elif k in (T.Kind.BOOL, T.Kind.UNTYPED_BOOL):
                self.fmt_bool(value, verb)
            elif k is T.Kind.UNTYPED_NIL:
                self.pad("<nil>")
            else:
                self.bad_verb(verb)
        elif isinstance(u, T.Interface):
            if value is None:
                if self.sharp_v:
                    self.buf.append(str(typ) + "(nil)")
                else:
                    self.buf.append("<nil>")
            else:
                self.print_value(value.value, value.type, verb, depth + 1, can_iface)
        elif isinstance(u, T.Struct):
            self.print_struct(value, typ, u, verb, depth, can_iface)
        elif isinstance(u, T.Map):
            self.print_map(value, typ, u, verb, depth, can_iface)
        elif isinstance(u, (T.Slice, T.Array)):
            self.print_list(value, typ, u, verb, depth, can_iface)
        elif isinstance(u, T.Pointer):
            if depth == 0 and value is not None:
                elem_u = T.underlying(u.elem)
                if isinstance(elem_u, (T.Array, T.Slice, T.Struct, T.Map)):
                    self.buf.append("&")
                    self.print_value(value.load(), u.elem, verb, depth + 1, can_iface)
                    return
            self.fmt_pointer(value, typ, verb)
        elif isinstance(u, (T.Chan, T.Signature)):
            self.fmt_pointer(value, typ, verb)
        else:
            self.buf.append("?")

    def handle_methods(self, value: Any, typ: T.Type, verb: str) -> bool:
        if verb == "w":
            if not self.wrap_errs or error_method(typ) is None or self.wrapped is not None:
                self.wrapped = None
                self.wrap_errs = False
                self.cur_value, self.cur_type = value, typ
                self.bad_verb(verb)
                return True
            self.wrapped = Iface(typ, value)
            verb = "v"
        if self.sharp_v:
            m = find_method(typ, "GoString")
            if m is not None and has_sig(m, (), (T.STRING,)):
                self.call_and_print(value, typ, m, "GoString", verb)
                return True
            return False
        if verb not in "vsxXq":
            return False
        m = error_method(typ)
        name = "Error"
        if m is None:
            m = string_method(typ)
            name = "String"
        if m is None:
            return False
        self.call_and_print(value, typ, m, name, verb)
        return True

    def call_and_print(self, value: Any, typ: T.Type, m: T.MethodInfo, name: str,
                       verb: str) -> None:
        try:
            text = call_method0(self.ctx, value, typ, name, m)
        except GoPanic as p:
            if isinstance(T.underlying(typ), T.Pointer) and value is None:
                self.buf.append("<nil>")
                return
            old = self.save_flags()
            self.clear_flags()
            self.buf.append(f"%!{verb}(PANIC={name} method: ")
            self.erroring = True
            self.print_arg(p.value, "v")
            self.erroring = False
            self.buf.append(")")
            self.restore_flags(old)
            return
        if verb == "v" and self.sharp_v:
            self.buf.append(text)
        else:
            self.fmt_string(text, verb)

    def save_flags(self) -> tuple[Any, ...]:
        return (self.minus, self.plus, self.sharp, self.space, self.zero, self.plus_v,
                self.sharp_v, self.wid, self.prec, self.wid_present, self.prec_present)

    def restore_flags(self, f: tuple[Any, ...]) -> None:
        (self.minus, self.plus, self.sharp, self.space, self.zero, self.plus_v,
         self.sharp_v, self.wid, self.prec, self.wid_present, self.prec_present) = f

    def bad_verb(self, verb: str) -> None:
        self.erroring = True
        self.buf.append("%!" + verb + "(")
        if self.cur_type is not None:
            value, typ = self.cur_value, self.cur_type
            self.buf.append(str(typ) + "=")
            self.print_value(value, typ, "v", 0, False)
        else:
            self.buf.append("<nil>")
        self.buf.append(")")
        self.erroring = False

    # -- composites ----------------------------------------------------

    def print_struct(self, value: list[Any], typ: T.Type, u: T.Struct, verb: str,
                     depth: int, can_iface: bool) -> None:
        if self.sharp_v:
            self.buf.append(str(typ))
        self.buf.append("{")
        for i, f in enumerate(u.fields):
            if i > 0:
                self.buf.append(", " if self.sharp_v else " ")
            if self.plus_v or self.sharp_v:
                self.buf.append(f.name + ":")
            fv, ft = value[i], f.type
            if isinstance(fv, Iface) and T.is_interface(ft):
                fv, ft = fv.value, fv.type
            self.print_value(fv, ft, verb, depth + 1, can_iface and _exported(f))
        self.buf.append("}")

    def print_map(self, value: dict[Any, Any] | None, typ: T.Type, u: T.Map, verb: str,
                  depth: int, can_iface: bool) -> None:
        if self.sharp_v:
            self.buf.append(str(typ))
            if value is None:
                self.buf.append("(nil)")
                return
            self.buf.append("{")
        else:
            self.buf.append("map[")
        for i, (k, v) in enumerate(sorted_map_items(value or {}, u.key)):
            if i > 0:
                self.buf.append(", " if self.sharp_v else " ")
            self.print_value(thaw(k), u.key, verb, depth + 1, can_iface)
            self.buf.append(":")
            self.print_value(v, u.value, verb, depth + 1, can_iface)
        self.buf.append("}" if self.sharp_v else "]")

    def print_list(self, value: Any, typ: T.Type, u: T.Slice | T.Array, verb: str,
                   depth: int, can_iface: bool) -> None:
        items = value.items() if isinstance(value, Slice) else (value or [])
        elem_u = T.underlying(u.elem)
        if verb in "sqxX" and isinstance(elem_u, T.Basic) and elem_u.kind is T.Kind.UINT8:
            self.fmt_bytes(bytes(items), verb)
            return
        if self.sharp_v:
            self.buf.append(str(typ))
            if isinstance(u, T.Slice) and value is None:
                self.buf.append("(nil)")
                return
            self.buf.append("{")
            for i, x in enumerate(items):
                if i > 0:
                    self.buf.append(", ")
                self.print_value(x, u.elem, verb, depth + 1, can_iface)
            self.buf.append("}")
            return
        self.buf.append("[")
        for i, x in enumerate(items):
            if i > 0:
                self.buf.append(" ")
            self.print_value(x, u.elem, verb, depth + 1, can_iface)
        self.buf.append("]")

    def fmt_pointer(self, value: Any, typ: T.Type, verb: str) -> None:
        u = T.underlying(typ)
        if not isinstance(u, (T.Pointer, T.Chan, T.Signature, T.Map, T.Slice)):
            self.cur_value, self.cur_type = value, typ
            self.bad_verb(verb)
            return
        addr = address_of(value)
        if verb == "v":
            if self.sharp_v:
                self.buf.append("(" + str(typ) + ")(")
                self.buf.append("nil" if addr == 0 else f"0x{addr:x}")
                self.buf.append(")")
            elif addr == 0:
                self.pad("<nil>")
            else:
                self.fmt_0x64(addr, not self.sharp)
        elif verb == "p":
            self.fmt_0x64(addr, not self.sharp)
        elif verb in "bodxX":
            self.fmt_unsigned(addr, verb)
        else:
            self.cur_value, self.cur_type = value, typ
            self.bad_verb(verb)

    # -- basic kinds ---------------------------------------------------

    def fmt_bool(self, v: bool, verb: str) -> None:
        if verb in "tv":
            self.pad("true" if v else "false")
        else:
            self.bad_verb(verb)

    def fmt_0x64(self, v: int, leading0x: bool) -> None:
        sharp = self.sharp
        self.sharp = leading0x
        self.fmt_int_base(v, 16, False, "v", False)
        self.sharp = sharp

    def fmt_unsigned(self, v: int, verb: str) -> None:
        self.fmt_int_base(v, _INT_BASES[verb], False, verb, verb == "X")

    def fmt_integer(self, v: int, signed: bool, verb: str) -> None:
        if verb == "v":
            if self.sharp_v and not signed:
                self.fmt_0x64(v, True)
            else:
                self.fmt_int_base(v, 10, signed, verb, False)
        elif verb in _INT_BASES:
            self.fmt_int_base(v, _INT_BASES[verb], signed, verb, verb == "X")
        elif verb == "c":
            self.pad(chr(_valid_rune(v)))
        elif verb == "q":
            self.pad(fmtnum.quote_rune(_valid_rune(v), self.plus))
        elif verb == "U":
            self.fmt_unicode(v)
        else:
            self.bad_verb(verb)

    def fmt_int_base(self, v: int, base: int, signed: bool, verb: str, upper: bool) -> None:
        """Go's fmt.fmtInteger: precision, zero padding, sign and prefix."""
        negative = signed and v < 0
        u = -v if negative else v
        if not signed and u < 0:
            u &= (1 << 64) - 1
        prec = 0
        if self.prec_present:
            prec = self.prec
            if prec == 0 and u == 0:
                zero = self.zero
                self.zero = False
                self.write_padding(self.wid)
                self.zero = zero
                return
        elif self.zero and self.wid_present:
            prec = self.wid
            if negative or self.plus or self.space:
                prec -= 1
        digits = fmtnum.format_int(u, base, upper)
        if len(digits) < prec:
            digits = "0" * (prec - len(digits)) + digits
        if self.sharp:
            if base == 2:
                digits = "0b" + digits
            elif base == 8 and digits[0] != "0":
                digits = "0" + digits
            elif base == 16:
                digits = ("0X" if upper else "0x") + digits
        if verb == "O":
            digits = "0o" + digits
        if negative:
            digits = "-" + digits
        elif self.plus:
            digits = "+" + digits
        elif self.space:
            digits = " " + digits
        zero = self.zero
        self.zero = False
        self.pad(digits)
        self.zero = zero

    def fmt_unicode(self, v: int) -> None:
        u = v & ((1 << 64) - 1)
        prec = 4
        if self.prec_present and self.prec > 4:
            prec = self.prec
        s = "U+" + f"{u:X}".rjust(prec, "0")
        if self.sharp and u <= fmtnum.MAX_RUNE and fmtnum.is_print(u):
            s += " '" + chr(u) + "'"
        zero = self.zero
        self.zero = False
        self.pad(s)
        self.zero = zero

    def fmt_float(self, v: float, size: int, verb: str) -> None:
        if verb == "v":
            self.fmt_float_text(v, size, "g", -1)
        elif verb in "bgGxX":
            self.fmt_float_text(v, size, verb, -1)
        elif verb in "feEF":
            self.fmt_float_text(v, size, "f" if verb == "F" else verb, 6)
        else:
            self.bad_verb(verb)

    def fmt_float_text(self, v: float, size: int, verb: str, prec: int) -> None:
        """Go's fmt.fmtFloat: sign, Inf/NaN padding, '#' and zero padding."""
        if self.prec_present:
            prec = self.prec
        num = fmtnum.format_float(v, verb, prec, size)
        if num[0] in "+-":
            sign, body = num[0], num[1:]
        else:
            sign, body = "+", num
        if self.space and sign == "+" and not self.plus:
            sign = " "
        if body[0] in "IN":
            zero = self.zero
            self.zero = False
            if body[0] == "N" and not self.space and not self.plus:
                self.pad(body)
            else:
                self.pad(sign + body)
            self.zero = zero
            return
        if self.sharp and verb != "b":
            body = _sharp_float(body, verb, prec)
        if self.plus or sign != "+":
            num = sign + body
            if self.zero and self.wid_present and self.wid > len(num):
                self.buf.append(sign)
                self.write_padding(self.wid - len(num))
                self.buf.append(body)
                return
            self.pad(num)
            return
        self.pad(body)

    def fmt_string(self, v: str, verb: str) -> None:
        if verb == "v":
            if self.sharp_v:
                self.fmt_q(v)
            else:
                self.fmt_s(v)
        elif verb == "s":
            self.fmt_s(v)
        elif verb in "xX":
            self.fmt_sbx(str_bytes(v), verb == "X")
        elif verb == "q":
            self.fmt_q(v)
        else:
            self.bad_verb(verb)

    def truncate(self, s: str) -> str:
        if self.prec_present and self.prec < len(s):
            return s[:self.prec]
        return s

    def fmt_s(self, s: str) -> None:
        self.pad(self.truncate(s))

    def fmt_q(self, s: str) -> None:
        s = self.truncate(s)
        if self.sharp and fmtnum.can_backquote(s):
            self.pad("`" + s + "`")
        else:
            self.pad(fmtnum.quote(s, self.plus))

    def fmt_bytes(self, b: bytes, verb: str) -> None:
        if verb == "s":
            self.fmt_s(b.decode("utf-8", "surrogateescape"))
        elif verb == "q":
            self.fmt_q(b.decode("utf-8", "surrogateescape"))
        else:
            self.fmt_sbx(b, verb == "X")

    def fmt_sbx(self, b: bytes, upper: bool) -> None:
        """Hex of a byte string: % x separates bytes, # adds 0x."""
        length = len(b)
        if self.prec_present and self.prec < length:
            length = self.prec
        width = 2 * length
        if width > 0:
            if self.space:
                if self.sharp:
                    width *= 2
                width += length - 1
            elif self.sharp:
                width += 2
        else:
            if self.wid_present:
                self.write_padding(self.wid)
            return
        if self.wid_present and self.wid > width and not self.minus:
            self.write_padding(self.wid - width)
        prefix = "0X" if upper else "0x"
        out = []
        if self.sharp:
            out.append(prefix)
        for i in range(length):
            if self.space and i > 0:
                out.append(" ")
                if self.sharp:
                    out.append(prefix)
            out.append(f"{b[i]:02X}" if upper else f"{b[i]:02x}")
        self.buf.append("".join(out))
        if self.wid_present and self.wid > width and self.minus:
            self.write_padding(self.wid - width)

    # -- Printf --------------------------------------------------------

    def do_printf(self, fmt: str, args: list[Any]) -> None:
        end = len(fmt)
        arg_num = 0
        after_index = False
        self.reordered = False
        i = 0
        while i < end:
            self.good_arg_num = True
            last = i
            i = fmt.find("%", i)
            if i < 0:
                i = end
            if i > last:
                self.buf.append(fmt[last:i])
            if i >= end:
                break
            i += 1
            self.clear_flags()
            simple = False
            while i < end:
                c = fmt[i]
                if c == "#":
                    self.sharp = True
                elif c == "0":
                    self.zero = not self.minus
                elif c == "+":
                    self.plus = True
                elif c == "-":
                    self.minus = True
                    self.zero = False
                elif c == " ":
                    self.space = True
                else:
                    if "a" <= c <= "z" and arg_num < len(args):
                        if c == "v":
                            self.sharp_v, self.sharp = self.sharp, False
                            self.plus_v, self.plus = self.plus, False
                        self.print_arg(args[arg_num], c)
                        arg_num += 1
                        i += 1
                        simple = True
                    break
                i += 1
            if simple:
                continue

            arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))
            if i < end and fmt[i] == "*":
                i += 1
                self.wid, self.wid_present, arg_num = _int_from_arg(args, arg_num)
                if not self.wid_present:
                    self.buf.append("%!(BADWIDTH)")
                if self.wid < 0:
                    self.wid = -self.wid
                    self.minus = True
                    self.zero = False
                after_index = False
            else:
                self.wid, self.wid_present, i = _parse_num(fmt, i, end)
                if after_index and self.wid_present:
                    self.good_arg_num = False

            if i + 1 < end and fmt[i] == ".":
                i += 1
                if after_index:
                    self.good_arg_num = False
                arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))
                if i < end and fmt[i] == "*":
                    i += 1
                    self.prec, self.prec_present, arg_num = _int_from_arg(args, arg_num)
                    if self.prec < 0:
                        self.prec = 0
                        self.prec_present = False
                    if not self.prec_present:
                        self.buf.append("%!(BADPREC)")
                    after_index = False
                else:
                    self.prec, self.prec_present, i = _parse_num(fmt, i, end)
                    if not self.prec_present:
                        self.prec, self.prec_present = 0, True

            if not after_index:
                arg_num, i, after_index = self.arg_number(arg_num, fmt, i, len(args))

            if i >= end:
                self.buf.append("%!(NOVERB)")
                break
            verb = fmt[i]
            if fmtnum.is_invalid_byte(verb):
                verb = "\ufffd"
            i += 1
            if verb == "%":
                self.buf.append("%")
            elif not self.good_arg_num:
                self.buf.append(f"%!{verb}(BADINDEX)")
            elif arg_num >= len(args):
                self.buf.append(f"%!{verb}(MISSING)")
            else:
                if verb == "v":
                    self.sharp_v, self.sharp = self.sharp, False
                    self.plus_v, self.plus = self.plus, False
                self.print_arg(args[arg_num], verb)
                arg_num += 1

        if not self.reordered and arg_num < len(args):
            self.clear_flags()
            self.buf.append("%!(EXTRA ")
            for n, arg in enumerate(args[arg_num:]):
                if n > 0:
                    self.buf.append(", ")
                if arg is None:
                    self.buf.append("<nil>")
                else:
                    self.buf.append(str(_concrete(arg.type)) + "=")
                    self.print_arg(arg, "v")
            self.buf.append(")")

    def arg_number(self, arg_num: int, fmt: str, i: int, num_args: int) -> tuple[int, int, bool]:
        if i >= len(fmt) or fmt[i] != "[":
            return arg_num, i, False
        self.reordered = True
        index, wid, ok = _parse_arg_number(fmt[i:])
        if ok and 0 <= index < num_args:
            return index, i + wid, True
        self.good_arg_num = False
        return arg_num, i + wid, ok

    def do_print(self, args: list[Any]) -> None:
        prev_string = False
        for n, arg in enumerate(args):
            is_string = arg is not None and T.is_string(arg.type)
            if n > 0 and not is_string and not prev_string:
                self.buf.append(" ")
            self.print_arg(arg, "v")
            prev_string = is_string

    def do_println(self, args: list[Any]) -> None:
        for n, arg in enumerate(args):
            if n > 0:
                self.buf.append(" ")
            self.print_arg(arg, "v")
        self.buf.append("\n")


# ------------------------------------------------------------ helpers

def _concrete(t: T.Type) -> T.Type:
    return T.default_type(t)


def _exported(f: T.StructField) -> bool:
    name = f.name
    if f.embedded:
        name = name.lstrip("*").rsplit(".", 1)[-1]
    return bool(name) and name[0].isupper()


def _valid_rune(v: int) -> int:
    if v < 0 or v > fmtnum.MAX_RUNE or 0xD800 <= v <= 0xDFFF:
        return fmtnum.RUNE_ERROR
    return v


def _too_large(n: int) -> bool:
    return n > 1_000_000 or n < -1_000_000


def _parse_num(s: str, start: int, end: int) -> tuple[int, bool, int]:
    if start >= end:
        return 0, False, end
    num = 0
    isnum = False
    i = start
    while i < end and "0" <= s[i] <= "9":
        if _too_large(num):
            return 0, False, end
        num = num * 10 + ord(s[i]) - 48
        isnum = True
        i += 1
    return num, isnum, i


def _parse_arg_number(s: str) -> tuple[int, int, bool]:
    if len(s) < 3:
        return 0, 1, False
    for i in range(1, len(s)):
        if s[i] == "]":
            width, ok, newi = _parse_num(s, 1, i)
            if not ok or newi != i:
                return 0, i + 1, False
            return width - 1, i + 1, True
    return 0, 1, False


def _int_from_arg(args: list[Any], arg_num: int) -> tuple[int, bool, int]:
    if arg_num >= len(args):
        return 0, False, arg_num
    arg = args[arg_num]
    num, ok = 0, False
    if arg is not None and T.is_integer(arg.type) and isinstance(arg.value, int):
        num, ok = arg.value, True
        if not -(1 << 63) <= num < (1 << 63):
            num, ok = 0, False
    if _too_large(num):
        num, ok = 0, False
    return num, ok, arg_num + 1


def _sharp_float(body: str, verb: str, prec: int) -> str:
    """The '#' flag on floats: always a decimal point; %g keeps zeros."""
    digits = 0
    if verb in "vgGx":
        digits = 6 if prec == -1 else prec
    tail = ""
    has_point = False
    saw_nonzero = False
    num = body
    i = 0
    while i < len(num):
        c = num[i]
        if c == ".":
            has_point = True
        elif c in "pP":
            tail, num = num[i:], num[:i]
            break
        elif c in "eE" and verb not in "xX":
            tail, num = num[i:], num[:i]
            break
        else:
            if c != "0":
                saw_nonzero = True
            if saw_nonzero:
                digits -= 1
        i += 1
    if not has_point:
        if num == "0":
            digits -= 1
        num += "."
    if digits > 0:
        num += "0" * digits
    return num + tail


# ------------------------------------------------------------ public API

def sprint(ctx: Any, args: list[Any]) -> str:
    """fmt.Sprint over operands (each Iface or None)."""
    p = Printer(ctx)
    p.do_print(args)
    return p.text()


def sprintln(ctx: Any, args: list[Any]) -> str:
    p = Printer(ctx)
    p.do_println(args)
    return p.text()


def sprintf(ctx: Any, fmt: str, args: list[Any]) -> str:
    p = Printer(ctx)
    p.do_printf(fmt, args)
    return p.text()


def format_value(ctx: Any, value: Any, typ: T.Type, verb: str = "v",
                 plus: bool = False, sharp: bool = False) -> str:
    """One value of static type typ as fmt prints it for %v (%+v with
    plus, %#v with sharp, or another verb)."""
    p = Printer(ctx)
    if verb == "v":
        p.plus_v, p.sharp_v = plus, sharp
    else:
        p.plus, p.sharp = plus, sharp
    if T.is_interface(typ):
        p.print_arg(value, verb)
    else:
        p.print_arg(Iface(typ, value), verb)
    return p.text()


def args_of(packed: Any) -> list[Any]:
    """The operand list of a variadic ...any parameter (Slice or None)."""
    if packed is None:
        return []
    if isinstance(packed, Slice):
        return packed.items()
    return list(packed)
