# ruff: noqa: E501
"""fmt engine against real Go output (Go 1.19, `go run`).

Each test quotes the Go statement it mirrors; the expected strings are
what Go printed.  Values are hand-built (the VM is developed in parallel).
"""

from __future__ import annotations

import math
from typing import Any

import pytest
from test_fmt_support import FakeCtx, sl, struct_type, user_method

from lang import types as T
from runtime.errors import GoPanic
from runtime.values import Iface, Pointer
from stdlib import errors as errors_pkg
from stdlib import fmt as fmt_pkg
from stdlib.fmtcore import format_value, panic_value_string, runtime_float_string, sprintf

I, F, S, B = T.INT, T.FLOAT64, T.STRING, T.BOOL
P = struct_type("P", ("X", I), ("Y", I))
STR_SIG = T.Signature((), (S,))

# type S string; func (s S) String() string { return "S(" + string(s) + ")" }
NS = T.Named("S", "main", S)
user_method(NS, "String", STR_SIG, lambda ctx, s: "S(" + s + ")")
# type V struct{ n int }; func (v V) String() string { return "V" + strconv.Itoa(v.n) }
V = struct_type("V", ("n", I))
user_method(V, "String", STR_SIG, lambda ctx, v: "V" + str(v[0]))
# type E struct{ msg string }; func (e *E) Error() string { return e.msg }
E = struct_type("E", ("msg", S))


def _e_error(ctx: Any, p: Any) -> str:
    if p is None:
        raise GoPanic(Iface(S, "nil deref"))
    return str(p.load()[0])


user_method(E, "Error", STR_SIG, _e_error, ptr_recv=True)
# type Bad struct{}; func (b Bad) String() string { panic("boom") }
BAD = struct_type("Bad")


def _boom(ctx: Any, v: Any) -> str:
    raise GoPanic(Iface(S, "boom"))


user_method(BAD, "String", STR_SIG, _boom)
# type W struct { A S; b S; E error }
W = struct_type("W", ("A", NS), ("b", NS), ("E", T.ERROR))


def f(fmt: str, *args: Any) -> str:
    return sprintf(FakeCtx(), fmt, [None if a is None else Iface(a[0], a[1]) for a in args])


def i(v: int) -> tuple[T.Type, int]:
    return (I, v)


def fl(v: float) -> tuple[T.Type, float]:
    return (F, v)


def s(v: str) -> tuple[T.Type, str]:
    return (S, v)


CASES: list[tuple[str, str]] = [
    # fmt.Println(1e20, 1e21, 123456.0, 1234567.0, 0.0001, 0.00001, float32(0.1), float32(1e7), -0.0, math.Copysign(0, -1))
    (f("%v %v %v %v %v %v %v %v %v %v", fl(1e20), fl(1e21), fl(123456.0), fl(1234567.0),
       fl(0.0001), fl(0.00001), (T.FLOAT32, 0.10000000149011612), (T.FLOAT32, 1e7),
       fl(0.0), fl(-0.0)),
     "1e+20 1e+21 123456 1.234567e+06 0.0001 1e-05 0.1 1e+07 0 -0"),
    (f("%v %g %e %.3g %.10g %G %E", fl(1e20), fl(1e20), fl(1e20), fl(1234.0), fl(123.0),
       fl(1e-10), fl(12345.678)),
     "1e+20 1e+20 1.000000e+20 1.23e+03 123 1E-10 1.234568E+04"),
    (f("|%6.2v|%+d|% d|%+.2e|%x|%X|%#x|%#o|%O|%b|", fl(3.14159), i(5), i(5), fl(1234.5),
       fl(3.5), fl(-1.0), i(255), i(8), i(8), fl(2.0)),
     "|   3.1|+5| 5|+1.23e+03|0x1.cp+01|-0X1P+00|0xff|010|0o10|4503599627370496p-51|"),
    (f("|%08.3f|%-08.3f|%+08.3f|%08v|%8v|%-8v|", fl(-3.14159), fl(3.14159), fl(3.14159),
       fl(math.inf), fl(math.nan), fl(-1.5)),
     "|-003.142|3.142   |+003.142|    +Inf|     NaN|-1.5    |"),
    (f("|%q|%+q|%#q|%q|%x|% x|%#x|%X|", s("héllo\n\x01"), s("héllo"), s("back`tick"),
       (T.RUNE, ord("é")), s("héllo"), s("abc"), s("abc"), (T.Slice(T.BYTE), sl([104, 105]))),
     '|"héllo\\n\\x01"|"h\\u00e9llo"|"back`tick"|\'é\'|68c3a96c6c6f|61 62 63|0x616263|6869|'),
    (f("|%U|%#U|%c|%q|%q|", i(0x1F600), (T.RUNE, ord("x")), i(0x1F600), i(0x7F), i(-1)),
     "|U+1F600|U+0078 'x'|😀|'\\x7f'|'�'|"),
    (f("|%5.1s|%.2s|%.0d|%5.3d|%-+5d|%x|", s("hello"), s("日本語"), i(0), i(7), i(3), i(-1)),
     "|    h|日本||  007|+3   |-1|"),
    (f("%v %s %d", (NS, "a"), (NS, "b"), (NS, "c")), "S(a) S(b) %!d(main.S=c)"),
    (f("%v|%+v", (W, ["x", "y", None]), (W, ["x", "y", errors_pkg.new_error("e")])),
     "{S(x) y <nil>}|{A:S(x) b:y E:e}"),
    (f("%#v %#v %#v %#v", (T.Slice(S), sl(["a"])), (T.Array(2, B), [False, False]),
       (T.Map(I, B), {2: True, 1: False}),
       (T.Struct((T.StructField("A", I), T.StructField("B", S))), [1, "x"])),
     '[]string{"a"} [2]bool{false, false} map[int]bool{1:false, 2:true} '
     'struct { A int; B string }{A:1, B:"x"}'),
    (f("%#v %#v %#v %#v %#v", (T.Pointer(I), None), None, (T.Slice(I), None),
       (T.Map(S, I), None), (T.RUNE, 120)),
     "(*int)(nil) <nil> []int(nil) map[string]int(nil) 120"),
    (f("%d %s %v", (T.Slice(S), sl(["a"])), (T.Slice(I), sl([1])),
       (T.Slice(T.Slice(T.BYTE)), sl([sl([97, 98])]))),
     "[%!d(string=a)] [%!s(int=1)] [[97 98]]"),
    (f("%s %x %v %q", *[(T.Slice(T.BYTE), sl(list(b"hey")))] * 4),
     'hey 686579 [104 101 121] "hey"'),
    (f("%!%z %d", i(1), i(2)), "%!!(int=1)%!z(int=2) %!d(MISSING)"),
    (f("%*d|%-*d|%.*f|", i(5), i(1), i(4), i(2), i(2), fl(3.14159)), "    1|2   |3.14|"),
    (f("%d%%"), "%!d(MISSING)%"),
    (f("%t %v %d", i(1), (B, True), (B, True)), "%!t(int=1) true %!d(bool=true)"),
    (f("%s", None), "%!s(<nil>)"),
    (f("%v %v", (T.Map(F, I), {math.nan: 1, 2.0: 2, -1.0: 3, -math.inf: 4}),
       (T.Map(B, I), {True: 1, False: 0})),
     "map[NaN:1 -Inf:4 -1:3 2:2] map[false:0 true:1]"),
    (f("%v %v", (T.Map(T.ANY, I), {Iface(S, "b"): 1, Iface(I, 2): 2, Iface(I, 1): 3,
                                   Iface(S, "a"): 4, Iface(B, True): 5}),
       (T.Map(P, S), {(2, 1): "a", (1, 2): "b"})),
     "map[true:5 1:3 2:2 a:4 b:1] map[{1 2}:b {2 1}:a]"),
    (f("%x %X % X %#x", s("hello"), *[(T.Slice(T.BYTE), sl([1, 171]))] * 3),
     "68656c6c6f 01AB 01 AB 0x01ab"),
    (f("%6.2f%%|%e|%.0f|%.0f|%.0f", fl(99.5), fl(0.0), fl(0.5), fl(1.5), fl(2.5)),
     " 99.50%|0.000000e+00|0|2|2"),
    (f("%v %v %v", (T.INT8, -128), (T.UINT8, 255), (T.UINT64, 18446744073709551615)),
     "-128 255 18446744073709551615"),
    (f("%c|%c|%v", i(65), i(0x10FFFF + 1), (T.RUNE, 97)), "A|�|97"),
    (f("%08.3d|%-08d|%+08d|% 08d", i(5), i(5), i(5), i(5)),
     "     005|5       |+0000005| 0000005"),
    (f("%#b %#X %#08x %x", i(5), i(255), i(255), (T.UINT8, 200)), "0b101 0XFF 0x000000ff c8"),
    (f("%10.4v|%-10v|", s("abcdefgh"), (T.Slice(I), sl([1, 2]))),
     "      abcd|[1          2         ]|"),
    (f("%5v|%05d|%5v", (T.Slice(I), sl([1, 22])), (T.Slice(I), sl([1, 22])), (P, [1, 2])),
     "[    1    22]|[00001 00022]|{    1     2}"),
    (f("%v %.2f %5.1f", (T.Slice(F), sl([1.0, 2.5])), (T.Slice(F), sl([1.0, 2.5])),
       (T.Array(2, F), [1.0, 2.5])),
     "[1 2.5] [1.00 2.50] [  1.0   2.5]"),
    (f("%q %v %s", (T.Slice(T.ANY), sl([Iface(S, "a"), Iface(I, 1)])),
       (T.Slice(T.ERROR), sl([errors_pkg.new_error("x"), None])), errors_pkg.new_error("q")
       and (errors_pkg.ERROR_STRING_PTR, Pointer([["q"]], 0))),
     "[\"a\" '\\x01'] [x <nil>] q"),
    (f("%s %v %d", (B, True), (T.Struct(()), []),
       (T.Struct((T.StructField("a", I), T.StructField("b", S))), [1, "x"])),
     "%!s(bool=true) {} {1 %!d(string=x)}"),
    # b.go
    (f("%#v %#v %#v %#v %#v", fl(1.0), fl(1e21), fl(1e6), fl(2.5), (T.FLOAT32, 0.10000000149011612)),
     "1 1e+21 1e+06 2.5 0.1"),
    (f("%#v %#v %#v", (T.Slice(T.ANY), sl([Iface(I, 1), Iface(S, "a"), None])),
       (T.Slice(T.Pointer(P)), sl([None])), (T.UINT8, 7)),
     '[]interface {}{1, "a", interface {}(nil)} []*main.P{(*main.P)(nil)} 0x7'),
    (f("%05s|%-05s|%.1q|%#q|%+q", s("ab"), s("ab"), s("xyz"), s("a\tb"), s("日")),
     '000ab|ab   |"x"|`a\tb`|"\\u65e5"'),
    (f("%v|%s", (T.Pointer(E), None), (V, [3])), "<nil>|V3"),
    (f("%v|%v|%d", (T.Pointer(V), None), (BAD, []), (V, [2])),
     "<nil>|%!v(PANIC=String method: boom)|{2}"),
    (f("%[2]d %[1]d %d|%[5]d|%[x]d|%.[2]d", i(1), i(2)),
     "2 1 2|%!d(BADINDEX)|%!d(BADINDEX)|2"),
    (f("%!"), "%!!(MISSING)"),
    (f("%"), "%!(NOVERB)"),
    (f("%-*d|%.*d|", i(-5), i(1), i(-1), i(2)), "1    |%!(BADPREC)2|"),
    (f("%*d|", s("x"), i(1)), "%!(BADWIDTH)1|"),
    (f("%s|%v", (T.Slice(T.ERROR), sl([errors_pkg.new_error("a")])),
       (T.Struct((T.StructField("E", T.ERROR),)), [errors_pkg.new_error("b")])),
     "[a]|{b}"),
    (f("%6.2f|%-10.3e|%+.1g|%.0e|%g|%g", fl(1e10), fl(123456.789), fl(0.000012345), fl(5.5),
       fl(1e-5), fl(123456789012.0)),
     "10000000000.00|1.235e+05 |+1e-05|6e+00|1e-05|1.23456789012e+11"),
    (f("%.3v|%10.2v|%.0g", fl(3.14159), fl(1234.5), fl(0.0)), "3.14|   1.2e+03|0"),
    (f("%v|%.2f|%g", (T.FLOAT32, 3.141590118408203), (T.FLOAT32, 2.674999952316284),
       (T.FLOAT32, 16777216.0)),
     "3.14159|2.67|1.6777216e+07"),
    (f("%x|%#v|%q", i(-255), s("a\x00b"), s("\udcff")), '-ff|"a\\x00b"|"\\xff"'),
    (f("%v|%+v|%#v|%s|%d", *[(T.Pointer(P), None)] * 5),
     "<nil>|<nil>|(*main.P)(nil)|%!s(*main.P=<nil>)|0"),
    (f("%v %d", (T.Pointer(T.Slice(I)), Pointer([sl([1])], 0)),
       (T.Pointer(T.Map(S, I)), Pointer([{"a": 1}], 0))),
     "&[1] &map[%!d(string=a):1]"),
    (f("%t|%s", s("x"), fl(2.5)), "%!t(string=x)|%!s(float64=2.5)"),
]


@pytest.mark.parametrize("got,want", CASES)
def test_matches_go(got: str, want: str) -> None:
    assert got == want


def test_print_spacing_with_errors_and_nil() -> None:
    # fmt.Print("a", 1, 2, "b", errors.New("c"), 3, nil, 4, "\n")
    ctx = FakeCtx()
    fmt_pkg._print(ctx, sl([Iface(S, "a"), Iface(I, 1), Iface(I, 2), Iface(S, "b"),
                            errors_pkg.new_error("c"), Iface(I, 3), None, Iface(I, 4),
                            Iface(S, "\n")]))
    assert ctx.out() == "a1 2bc 3 <nil> 4\n"


def test_nested_pointers_print_as_stable_addresses() -> None:
    # fmt.Printf("%v %v\n", []*P{{1, 2}}, map[string]*P{"a": nil}) -> [0xc0000ae030] map[a:<nil>]
    p = Pointer([[1, 2]], 0)
    out = f("%v %v", (T.Slice(T.Pointer(P)), sl([p])), (T.Map(S, T.Pointer(P)), {"a": None}))
    assert out.startswith("[0xc") and out.endswith("] map[a:<nil>]")
    assert out == f("%v %v", (T.Slice(T.Pointer(P)), sl([p])),
                    (T.Map(S, T.Pointer(P)), {"a": None}))
    assert f("%p", (T.Pointer(P), p)) == out[1:out.index("]")]
    assert f("%p", (T.Pointer(P), None)) == "0x0"


def test_errorf_wraps_with_w() -> None:
    # w := fmt.Errorf("wrap: %w", os.ErrNotExist); fmt.Println(w, errors.Unwrap(w) == os.ErrNotExist)
    ctx = FakeCtx()
    base = errors_pkg.new_error("file does not exist")
    w = fmt_pkg.errorf(ctx, "wrap: %w", sl([base]))
    assert format_value(ctx, w, T.ERROR) == "wrap: file does not exist"
    assert errors_pkg.unwrap(ctx, w) == base
    assert errors_pkg.is_(ctx, w, base)
    assert f("%T %T", (w.type, w.value), (base.type, base.value)) == \
        "*fmt.wrapError *errors.errorString"
    plain = fmt_pkg.errorf(ctx, "x %d", sl([Iface(I, 1)]))
    assert str(plain.type) == "*errors.errorString"
    assert errors_pkg.unwrap(ctx, plain) is None
    # fmt.Println(fmt.Errorf("%w", 3), fmt.Sprintf("%w", errors.New("z")))
    bad = fmt_pkg.errorf(ctx, "%w", sl([Iface(I, 3)]))
    assert format_value(ctx, bad, T.ERROR) == "%!w(int=3)"
    assert fmt_pkg._sprintf(ctx, "%w", sl([errors_pkg.new_error("z")])) == \
        "%!w(*errors.errorString=&{z})"


def test_sprint_of_no_args_and_sprintln() -> None:
    ctx = FakeCtx()
    assert fmt_pkg._sprint(ctx, None) == ""
    assert fmt_pkg._sprintln(ctx, None) == "\n"
    n, err = fmt_pkg._println(ctx, sl([Iface(S, "héllo")]))
    assert (n, err) == (7, None)


def test_format_value_for_repl_and_panics() -> None:
    ctx = FakeCtx()
    assert format_value(ctx, [1, 2], P) == "{1 2}"
    assert format_value(ctx, [1, 2], P, plus=True) == "{X:1 Y:2}"
    assert format_value(ctx, [1, 2], P, sharp=True) == "main.P{X:1, Y:2}"
    assert format_value(ctx, Iface(I, 3), T.ANY) == "3"
    assert format_value(ctx, None, T.ERROR) == "<nil>"
    # panic(errors.New("x")) -> panic: x ; panic(fmt.Sprintf(..)) -> text unquoted
    assert panic_value_string(ctx, errors_pkg.new_error("x")) == "x"
    assert panic_value_string(ctx, Iface(S, "boom")) == "boom"
    assert panic_value_string(ctx, Iface(I, 42)) == "42"
    # type MyInt int; panic(MyInt(5)) -> panic: main.MyInt(5)
    assert panic_value_string(ctx, Iface(T.Named("MyInt", "main", I), 5)) == "main.MyInt(5)"
    # panic(1.5) -> panic: +1.500000e+000
    assert panic_value_string(ctx, Iface(F, 1.5)) == "+1.500000e+000"
    assert runtime_float_string(-0.1) == "-1.000000e-001"
    assert runtime_float_string(1e300) == "+1.000000e+300"
