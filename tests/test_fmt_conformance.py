# ruff: noqa: E501
"""seq_fmt_verbs.csp reproduced value by value against the engine.

The expected lines are the real `go run` output of
/work/shared/conformance/cases/seq_fmt_verbs.csp (Go 1.19); each call
below mirrors one statement of that program with hand-built values.
"""

from __future__ import annotations

import math
from typing import Any

from test_fmt_support import FakeCtx, anys, sl, struct_type

from lang import types as T
from runtime.values import Iface, Pointer
from stdlib import errors as errors_pkg
from stdlib import fmt as fmt_pkg
from stdlib import os as os_pkg

ITEM = struct_type("Item", ("Name", T.STRING), ("Price", T.FLOAT64), ("Qty", T.INT))
ORDER = struct_type("Order", ("ID", T.INT), ("Items", T.Slice(ITEM)),
                    ("Notes", T.Map(T.STRING, T.STRING)), ("Paid", T.BOOL))
F = T.FLOAT64
I = T.INT
S = T.STRING

EXPECTED = """\
{pen 1.5 3}
{Name:pen Price:1.5 Qty:3}
main.Item{Name:"pen", Price:1.5, Qty:3}
main.Item *main.Item []main.Item
{7 [{pen 1.5 3} {ink 12.25 1}] map[a:1 b:2] false}
{ID:7 Items:[{Name:pen Price:1.5 Qty:3} {Name:ink Price:12.25 Qty:1}] Notes:map[a:1 b:2] Paid:false}
&{pen 1.5 3}
&{ID:7 Items:[{Name:pen Price:1.5 Qty:3} {Name:ink Price:12.25 Qty:1}] Notes:map[a:1 b:2] Paid:false}
|42|   42|42   |00042|-42|
|bee|BEE|10|101|-ff|00000110|
|G|'G'|71|
|3.141593|3.14|   3.142|3.1     |3.141593e+00|3.14159265|
|1e+21|1e-07|100000|0.6666666666666666|
1 2.5 1e+06 1e+21 1e-06 1.23456789e+08 0.3333333333333333
+Inf -Inf 0 1.4142135623730951
|go|   go|go   |"go"|676f|6869|
|true|false| true|
[1 2 3] [true false] [a b c]
[10 20] [10 20] ["x" "y"]
[]int{1} map[string]int{"a":1, "z":26} "quote\\"d"
map[even:[2 4] odd:[1 3]]
[[a] [] [b c]]
{} [] [[]]
[] map[] <nil> <nil> <nil>
[] [] <nil> <nil> <nil>
disk full
disk full|disk full|"disk full"
1 two 3 true <nil> [4] {x 0 0}
[1 two 3 true <nil> [4] {x 0 0}]
int string float64 []int
ab1 2c3.5
1 2 3
a b 1 2
x1 2y|end 9
  7%|ab  |  0.67 16
%!d(string=str) %!s(int=5)
1 %!d(MISSING)
1%!(EXTRA int=2)
to stdout 1
k=[1 v]
"""


def run_program(ctx: FakeCtx) -> None:
    printf = fmt_pkg._printf
    println = fmt_pkg._println
    it = [  "pen", 1.5, 3]
    ink = ["ink", 12.25, 1]
    o = [7, sl([list(it), ink]), {"b": "2", "a": "1"}, False]
    it_cell = [it]
    o_cell = [o]

    def item() -> tuple[T.Type, Any]:
        return (ITEM, it)

    printf(ctx, "%v\n", anys(item()))
    printf(ctx, "%+v\n", anys(item()))
    printf(ctx, "%#v\n", anys(item()))
    printf(ctx, "%T %T %T\n", anys(item(), (T.Pointer(ITEM), Pointer(it_cell, 0)),
                                  (T.Slice(ITEM), o[1])))
    printf(ctx, "%v\n", anys((ORDER, o)))
    printf(ctx, "%+v\n", anys((ORDER, o)))
    printf(ctx, "%v\n", anys((T.Pointer(ITEM), Pointer(it_cell, 0))))
    printf(ctx, "%+v\n", anys((T.Pointer(ORDER), Pointer(o_cell, 0))))

    n = 42
    printf(ctx, "|%d|%5d|%-5d|%05d|%d|\n", anys((I, n), (I, n), (I, n), (I, n), (I, -n)))
    printf(ctx, "|%x|%X|%o|%b|%x|%08b|\n",
           anys((I, 3054), (I, 3054), (I, 8), (I, 5), (I, -255), (I, 6)))
    printf(ctx, "|%c|%q|%d|\n", anys((T.RUNE, 71), (T.RUNE, 71), (T.RUNE, 71)))

    f = 3.14159265
    printf(ctx, "|%f|%.2f|%8.3f|%-8.1f|%e|%g|\n", anys(*[(F, f)] * 6))
    printf(ctx, "|%g|%g|%g|%g|\n", anys((F, 1e21), (F, 1e-7), (F, 100000.0), (F, 2.0 / 3)))
    println(ctx, anys((F, 1.0), (F, 2.5), (F, 1e6), (F, 1e21), (F, 0.000001),
                      (F, 123456789.0), (F, 1 / 3)))
    println(ctx, anys((F, math.inf), (F, -math.inf), (F, 0.0), (F, math.sqrt(2))))

    s = "go"
    printf(ctx, "|%s|%5s|%-5s|%q|%x|%X|\n", anys(*[(S, s)] * 5, (S, "hi")))
    printf(ctx, "|%t|%v|%5t|\n", anys((T.BOOL, True), (T.BOOL, False), (T.BOOL, True)))

    println(ctx, anys((T.Slice(I), sl([1, 2, 3])), (T.Array(2, T.BOOL), [True, False]),
                      (T.Slice(S), sl(["a", "b c"]))))
    printf(ctx, "%v %d %q\n", anys((T.Slice(I), sl([10, 20])), (T.Slice(I), sl([10, 20])),
                                   (T.Slice(S), sl(["x", "y"]))))
    printf(ctx, "%#v %#v %#v\n", anys((T.Slice(I), sl([1])),
                                      (T.Map(S, I), {"z": 26, "a": 1}), (S, 'quote"d')))
    println(ctx, anys((T.Map(S, T.Slice(I)), {"odd": sl([1, 3]), "even": sl([2, 4])})))
    println(ctx, anys((T.Slice(T.Slice(S)), sl([sl(["a"]), sl([]), sl(["b", "c"])]))))
    println(ctx, anys((T.Struct(()), []), (T.Array(0, I), []),
                      (T.Slice(T.Slice(I)), sl([None]))))

    println(ctx, anys((T.Slice(I), None), (T.Map(S, I), None), None,
                      (T.Pointer(ITEM), None), None))
    printf(ctx, "%v %d %v %+v %T\n", anys((T.Slice(I), None), (T.Slice(I), None), None,
                                          (T.Pointer(ITEM), None), None))

    err = errors_pkg.new_error("disk full")
    println(ctx, sl([err]))
    printf(ctx, "%v|%s|%q\n", sl([err, err, err]))
    vals = sl([Iface(I, 1), Iface(S, "two"), Iface(F, 3.0), Iface(T.BOOL, True), None,
               Iface(T.Slice(I), sl([4])), Iface(ITEM, ["x", 0.0, 0])])
    println(ctx, vals)
    printf(ctx, "%v\n", anys((T.Slice(T.ANY), vals)))
    v = vals.items()
    printf(ctx, "%T %T %T %T\n", sl([v[0], v[1], v[2], v[5]]))

    fmt_pkg._print(ctx, anys((S, "a"), (S, "b"), (I, 1), (I, 2), (S, "c"), (F, 3.5), (S, "\n")))
    fmt_pkg._print(ctx, anys((I, 1), (I, 2), (I, 3), (S, "\n")))
    println(ctx, anys((S, "a"), (S, "b"), (I, 1), (I, 2)))
    line = fmt_pkg._sprint(ctx, anys((S, "x"), (I, 1), (I, 2), (S, "y"))) + "|" + \
        fmt_pkg._sprintln(ctx, anys((S, "end"), (I, 9)))
    fmt_pkg._print(ctx, anys((S, line)))
    msg = fmt_pkg._sprintf(ctx, "%3d%%|%-4s|%6.2f", anys((I, 7), (S, "ab"), (F, 2.0 / 3)))
    println(ctx, anys((S, msg), (I, len(msg))))

    printf(ctx, "%d %s\n", anys((S, "str"), (I, 5)))
    printf(ctx, "%d %d\n", anys((I, 1)))
    println(ctx, anys((S, fmt_pkg._sprintf(ctx, "%d", anys((I, 1), (I, 2))))))

    stdout = Iface(os_pkg.FILE_PTR, os_pkg.STDOUT)
    stderr = Iface(os_pkg.FILE_PTR, os_pkg.STDERR)
    fmt_pkg._fprintln(ctx, stdout, anys((S, "to stdout"), (I, 1)))
    fmt_pkg._fprintf(ctx, stdout, "%s=%v\n",
                     anys((S, "k"), (T.Slice(T.ANY), sl([Iface(I, 1), Iface(S, "v")]))))
    fmt_pkg._fprintln(ctx, stderr, anys((S, "this goes to stderr")))


def test_seq_fmt_verbs_line_by_line() -> None:
    ctx = FakeCtx()
    run_program(ctx)
    got = ctx.out().splitlines()
    want = EXPECTED.splitlines()
    for i, (g, w) in enumerate(zip(got, want, strict=False)):
        assert g == w, f"line {i + 1}"
    assert len(got) == len(want)
    assert "".join(ctx.stderr) == "this goes to stderr\n"
