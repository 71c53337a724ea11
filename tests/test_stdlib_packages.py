# ruff: noqa: E501
"""strings, strconv, math, errors, sort, os and math/rand natives, called
as the VM calls them.  Expected values come from `go run` (Go 1.19) of the
statements quoted in each test."""

from __future__ import annotations

import math
from typing import Any

import pytest
from test_fmt_support import FakeCtx, sl, struct_type

import stdlib
from lang import types as T
from runtime.errors import GoExit, GoPanic
from runtime.values import Iface, Pointer, Slice
from stdlib.fmtcore import format_value
from stdlib.registry import PACKAGES, ConstMember, NativeFunc, VarMember

stdlib.load_all()
CTX = FakeCtx()


def call(path: str, name: str, *args: Any) -> Any:
    member = PACKAGES[path].members[name]
    assert isinstance(member, NativeFunc)
    return member.impl(CTX, *args)


def show(value: Any, typ: T.Type, verb: str = "v") -> str:
    return format_value(CTX, value, typ, verb)


STRS = T.Slice(T.STRING)


def test_every_package_registers_with_go_signatures() -> None:
    assert {"fmt", "errors", "strings", "strconv", "math", "sort", "os", "math/rand"} <= set(PACKAGES)
    println = PACKAGES["fmt"].members["Println"]
    assert isinstance(println, NativeFunc)
    assert str(println.sig) == "func(...interface {}) (int, error)"
    fprintf = PACKAGES["fmt"].members["Fprintf"]
    assert isinstance(fprintf, NativeFunc)
    assert str(fprintf.sig) == "func(io.Writer, string, ...interface {}) (int, error)"
    assert PACKAGES["math/rand"].name == "rand"


def test_strings_split_fields_index() -> None:
    # fmt.Printf("%q\n", strings.Split("a,b,,c", ","))  -> ["a" "b" "" "c"]
    assert show(call("strings", "Split", "a,b,,c", ","), STRS, "q") == '["a" "b" "" "c"]'
    assert show(call("strings", "Split", "héllo", ""), STRS, "q") == '["h" "é" "l" "l" "o"]'
    assert show(call("strings", "SplitN", "a,b,c,d", ",", 2), STRS, "q") == '["a" "b,c,d"]'
    assert show(call("strings", "Fields", "  foo bar\t baz \n"), STRS, "q") == \
        '["foo" "bar" "baz"]'
    # strings.Index("héllo wörld", "w"), LastIndex("go gopher", "go"), IndexByte("héllo", 'l')
    assert (call("strings", "Index", "héllo wörld", "w"),
            call("strings", "LastIndex", "go gopher", "go"),
            call("strings", "IndexByte", "héllo", ord("l"))) == (7, 3, 3)


def test_strings_transformations() -> None:
    assert call("strings", "Replace", "oink oink oink", "k", "ky", 2) == "oinky oinky oink"
    assert call("strings", "Replace", "abc", "", "-", -1) == "-a-b-c-"
    assert call("strings", "Count", "cheese", "e") == 3
    assert call("strings", "Count", "five", "") == 5
    assert call("strings", "TrimSpace", "  \t hi \n") == "hi"
    assert call("strings", "Trim", "xxhixx", "x") == "hi"
    assert call("strings", "TrimLeft", "xxhix", "x") == "hix"
    assert call("strings", "TrimPrefix", "prefix-body", "prefix-") == "body"
    assert call("strings", "ToUpper", "héllo ß") == "HÉLLO ß"
    assert call("strings", "ToLower", "HÉLLO") == "héllo"
    assert call("strings", "Title", "hello wide world") == "Hello Wide World"
    assert call("strings", "EqualFold", "Go", "GO") is True
    assert call("strings", "Repeat", "ab", 3) == "ababab"
    assert call("strings", "Join", sl(["a", "b", "c"]), "-") == "a-b-c"
    assert call("strings", "Join", None, "-") == ""
    assert call("strings", "ContainsAny", "hello", "xyz") is False
    with pytest.raises(GoPanic):
        call("strings", "Repeat", "x", -1)


def test_strings_builder_methods() -> None:
    # var sb strings.Builder; for i := 1..3 { sb.WriteString(strconv.Itoa(i*i)); sb.WriteByte(',') }
    # sb.WriteRune('✓'); fmt.Println(sb.String(), sb.Len())  -> 1,4,9,✓ 9
    from stdlib.strings import BUILDER
    sb = Pointer([[None]], 0)       # the zero Builder in an addressed cell
    m = BUILDER.methods
    for i in range(1, 4):
        m["WriteString"].impl(CTX, sb, str(i * i))
        m["WriteByte"].impl(CTX, sb, ord(","))
    assert m["WriteRune"].impl(CTX, sb, ord("✓")) == (3, None)
    assert m["String"].impl(CTX, sb) == "1,4,9,✓"
    assert m["Len"].impl(CTX, sb) == 9
    m["Reset"].impl(CTX, sb)
    assert m["String"].impl(CTX, sb) == ""
    # invalid bytes written separately join into one valid rune
    m["WriteByte"].impl(CTX, sb, 0xC3)
    m["WriteByte"].impl(CTX, sb, 0xA9)
    assert m["String"].impl(CTX, sb) == "é"


def test_fprint_to_builder_and_files() -> None:
    from stdlib import fmt as fmt_pkg
    from stdlib.os import FILE_PTR, STDERR
    from stdlib.strings import BUILDER
    sb = Pointer([[None]], 0)
    fmt_pkg._fprintf(CTX, Iface(T.Pointer(BUILDER), sb), "%d-%s", sl([Iface(T.INT, 1), Iface(T.STRING, "x")]))
    assert BUILDER.methods["String"].impl(CTX, sb) == "1-x"
    ctx = FakeCtx()
    assert fmt_pkg._fprintln(ctx, Iface(FILE_PTR, STDERR), sl([Iface(T.STRING, "oops")])) == (5, None)
    assert ctx.stderr == ["oops\n"] and ctx.stdout == []


def test_strconv() -> None:
    assert call("strconv", "Itoa", -45) == "-45"
    assert call("strconv", "FormatInt", -255, 16) == "-ff"
    assert call("strconv", "FormatInt", 5, 2) == "101"
    assert call("strconv", "Quote", "tab\there") == '"tab\\there"'
    assert call("strconv", "QuoteRune", ord("\n")) == "'\\n'"
    assert call("strconv", "Atoi", "42") == (42, None)
    assert call("strconv", "ParseInt", "0x1f", 0, 64) == (31, None)
    assert call("strconv", "ParseFloat", "3.25", 64) == (3.25, None)
    assert call("strconv", "ParseBool", "T") == (True, None)
    assert call("strconv", "Unquote", '"a\\tb\\u00e9"') == ("a\tbé", None)
    assert call("strconv", "FormatFloat", 1.5, ord("f"), -1, 64) == "1.5"
    assert call("strconv", "FormatFloat", 0.1, ord("e"), 3, 32) == "1.000e-01"


@pytest.mark.parametrize("args,value,text", [
    (("Atoi", "12a"), 0, 'strconv.Atoi: parsing "12a": invalid syntax'),
    (("Atoi", "99999999999999999999"), (1 << 63) - 1,
     'strconv.Atoi: parsing "99999999999999999999": value out of range'),
    (("ParseInt", "-129", 10, 8), -128, 'strconv.ParseInt: parsing "-129": value out of range'),
    (("ParseFloat", "x", 64), 0.0, 'strconv.ParseFloat: parsing "x": invalid syntax'),
    (("ParseFloat", "1e400", 64), math.inf,
     'strconv.ParseFloat: parsing "1e400": value out of range'),
    (("ParseBool", "maybe"), False, 'strconv.ParseBool: parsing "maybe": invalid syntax'),
])
def test_strconv_errors(args: tuple[Any, ...], value: Any, text: str) -> None:
    v, err = call("strconv", *args)
    assert v == value
    assert show(err, T.ERROR) == text
    assert show(err, T.ERROR, "T") == "*strconv.NumError"
    from stdlib.strconv import ERR_RANGE, ERR_SYNTAX
    sentinel = ERR_RANGE if "range" in text else ERR_SYNTAX
    assert call("errors", "Is", err, sentinel) is True


def test_math_functions_follow_go_special_cases() -> None:
    # fmt.Println(math.Sqrt(-1), math.Floor(-2.5), math.Ceil(2.1), math.Round(-2.5), math.Trunc(-2.7),
    #   math.Pow(2, 10), math.Mod(7, -3), math.Max(3, math.NaN()))  -> NaN -3 3 -3 -2 1024 1 NaN
    vals = [call("math", "Sqrt", -1.0), call("math", "Floor", -2.5), call("math", "Ceil", 2.1),
            call("math", "Round", -2.5), call("math", "Trunc", -2.7), call("math", "Pow", 2.0, 10.0),
            call("math", "Mod", 7.0, -3.0), call("math", "Max", 3.0, math.nan)]
    assert show(sl(vals), T.Slice(T.FLOAT64)) == "[NaN -3 3 -3 -2 1024 1 NaN]"
    # math.Log(0), Log2(8), Log10(1000), Exp(1), Hypot(3, 4) -> -Inf 3 3 2.718281828459045 5
    vals = [call("math", "Log", 0.0), call("math", "Log2", 8.0), call("math", "Log10", 1000.0),
            call("math", "Exp", 1.0), call("math", "Hypot", 3.0, 4.0)]
    assert show(sl(vals), T.Slice(T.FLOAT64)) == "[-Inf 3 3 2.718281828459045 5]"
    # math.Pow(0, -1), math.Pow(-8, 1.0/3), math.Pow(-2, 3), math.Pow(10, 400) -> +Inf NaN -8 +Inf
    vals = [call("math", "Pow", 0.0, -1.0), call("math", "Pow", -8.0, 1 / 3),
            call("math", "Pow", -2.0, 3.0), call("math", "Pow", 10.0, 400.0)]
    assert show(sl(vals), T.Slice(T.FLOAT64)) == "[+Inf NaN -8 +Inf]"
    assert call("math", "IsInf", call("math", "Inf", -1), -1) is True
    assert call("math", "IsNaN", call("math", "NaN")) is True


def test_math_constants_are_exact_untyped() -> None:
    members = PACKAGES["math"].members

    def const(name: str) -> Any:
        m = members[name]
        assert isinstance(m, ConstMember) and T.is_untyped(m.type)
        return m.value
    assert const("MaxInt64") == 9223372036854775807
    assert const("MinInt64") == -9223372036854775808
    assert const("MaxUint64") == 18446744073709551615
    assert (const("MaxInt8"), const("MinInt16"), const("MaxUint32")) == (127, -32768, 4294967295)
    assert show(const("Pi"), T.FLOAT64) == "3.141592653589793"
    assert show(const("SmallestNonzeroFloat64"), T.FLOAT64) == "5e-324"
    assert show(const("MaxFloat64"), T.FLOAT64) == "1.7976931348623157e+308"


def test_errors_new_is_as_unwrap() -> None:
    # errSentinel := errors.New("sentinel failure"); lookalike := errors.New("sentinel failure")
    # errors.Is(errSentinel, errSentinel), errors.Is(lookalike, errSentinel), lookalike == errSentinel
    a = call("errors", "New", "sentinel failure")
    b = call("errors", "New", "sentinel failure")
    assert call("errors", "Is", a, a) is True
    assert call("errors", "Is", b, a) is False
    assert a != b
    assert show(a, T.ERROR, "T") == "*errors.errorString"
    from stdlib import fmt as fmt_pkg
    wrapped = fmt_pkg.errorf(CTX, "ctx: %w", sl([a]))
    twice = fmt_pkg.errorf(CTX, "outer: %w", sl([wrapped]))
    assert call("errors", "Is", twice, a) is True
    assert call("errors", "Unwrap", twice) == wrapped
    assert call("errors", "Is", None, None) is True
    # var ne *strconv.NumError; errors.As(fmt.Errorf("w: %w", err), &ne) -> true, ne.Func == "Atoi"
    from stdlib.strconv import NUM_ERROR_PTR
    _, numerr = call("strconv", "Atoi", "x")
    cell: list[Any] = [None]
    target = Iface(T.Pointer(NUM_ERROR_PTR), Pointer(cell, 0))
    assert call("errors", "As", fmt_pkg.errorf(CTX, "w: %w", sl([numerr])), target) is True
    assert cell[0].load()[0] == "Atoi"
    # As into an error interface variable takes the first error of the chain
    ecell: list[Any] = [None]
    assert call("errors", "As", twice, Iface(T.Pointer(T.ERROR), Pointer(ecell, 0))) is True
    assert ecell[0] == twice
    assert call("errors", "As", a, Iface(T.Pointer(NUM_ERROR_PTR), Pointer([None], 0))) is False
    with pytest.raises(GoPanic):
        call("errors", "As", a, None)


def test_user_error_type_is_and_unwrap_through_call_method() -> None:
    # type MyErr struct{ inner error }; func (e MyErr) Error() string; func (e MyErr) Unwrap() error
    from test_fmt_support import user_method
    my = struct_type("MyErr", ("inner", T.ERROR))
    user_method(my, "Error", T.Signature((), (T.STRING,)), lambda ctx, v: "my: " + show(v[0], T.ERROR))
    user_method(my, "Unwrap", T.Signature((), (T.ERROR,)), lambda ctx, v: v[0])
    base = call("errors", "New", "base")
    err = Iface(my, [base])
    assert show(err, T.ERROR) == "my: base"
    assert call("errors", "Is", err, base) is True
    assert call("errors", "Unwrap", err) is base


def test_sort_in_place_through_aliases() -> None:
    backing = [0, 5, 3, 9, 1, 0]
    s = Slice(backing, 1, 4, 5)
    call("sort", "Ints", s)
    assert backing == [0, 1, 3, 5, 9, 0]
    words = sl(["pear", "Apple", "fig", "éclair", "apple"])
    call("sort", "Strings", words)
    assert words.items() == ["Apple", "apple", "fig", "pear", "éclair"]
    fs = sl([2.0, math.nan, -1.0])
    call("sort", "Float64s", fs)
    assert show(fs, T.Slice(T.FLOAT64)) == "[NaN -1 2]"
    assert call("sort", "SearchInts", sl([1, 3, 5]), 4) == 2
    assert call("sort", "IntsAreSorted", sl([1, 2, 2])) is True


def test_sort_slice_calls_less_with_indexes_and_is_stable() -> None:
    # people := []P{{"a", 3}, {"b", 1}, {"c", 3}, {"d", 2}}
    # sort.Slice(people, func(i, j int) bool { return people[i].age < people[j].age })
    person = struct_type("Person", ("name", T.STRING), ("age", T.INT))
    people = sl([["a", 3], ["b", 1], ["c", 3], ["d", 2]])

    def less(i: int, j: int) -> bool:
        items = people.arr
        return bool(items[i][1] < items[j][1])
    call("sort", "Slice", Iface(T.Slice(person), people), less)
    assert show(people, T.Slice(person)) == "[{b 1} {d 2} {a 3} {c 3}]"
    assert call("sort", "SliceIsSorted", Iface(T.Slice(person), people), less) is True
    assert call("sort", "Search", 100, lambda i: i * i >= 50) == 8


def test_os_exit_args_and_files() -> None:
    with pytest.raises(GoExit) as info:
        call("os", "Exit", 3)
    assert info.value.code == 3
    args = PACKAGES["os"].members["Args"]
    assert isinstance(args, VarMember) and isinstance(args.cell[0], Slice)
    stdout = PACKAGES["os"].members["Stdout"]
    assert isinstance(stdout, VarMember) and show(stdout.cell[0], stdout.type, "T") == "*os.File"


def test_rand_is_reproducible_from_ctx() -> None:
    def draw(seed: int) -> list[Any]:
        ctx = FakeCtx(seed)
        pkg = PACKAGES["math/rand"].members
        out = [pkg["Intn"].impl(ctx, 10) for _ in range(5)]   # type: ignore[union-attr]
        out.append(pkg["Perm"].impl(ctx, 5).items())           # type: ignore[union-attr]
        out.append(pkg["Float64"].impl(ctx))                   # type: ignore[union-attr]
        return out
    first = draw(7)
    assert first == draw(7)
    assert all(0 <= v < 10 for v in first[:5])
    assert sorted(first[5]) == [0, 1, 2, 3, 4]
    assert 0 <= first[6] < 1
    items = [1, 2, 3, 4]

    def swap(i: int, j: int) -> None:
        items[i], items[j] = items[j], items[i]
    call("math/rand", "Shuffle", 4, swap)
    assert sorted(items) == [1, 2, 3, 4]
    with pytest.raises(GoPanic):
        call("math/rand", "Intn", 0)
