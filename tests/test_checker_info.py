"""What the checker records in TypeInfo for representative programs:
untyped constants resolved to their final types, constant values,
selections, captured/addressed variables, init order, call kinds."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lang import ast
from lang import info as I
from lang import types as T
from lang.checker import check
from lang.parser import parse


def checked(src: str) -> tuple[ast.File, I.TypeInfo]:
    f, perrs = parse("prog.csp", src)
    assert f is not None and not perrs
    info, diags = check(f)
    assert diags == [], [d.header() for d in diags]
    assert info is not None
    return f, info


def nodes(root: Any, pred: Callable[[Any], bool]) -> list[Any]:
    out: list[Any] = []

    def walk(n: Any) -> None:
        if pred(n):
            out.append(n)
        for slot in getattr(n, "__slots__", ()):
            v = getattr(n, slot, None)
            if isinstance(v, tuple):
                for c in v:
                    walk(c)
            elif v is not None and hasattr(v, "__slots__") and not isinstance(v, ast.Span):
                walk(v)

    walk(root)
    return out


def lit_at(f: ast.File, line: int, value: str) -> ast.BasicLit:
    found = nodes(f, lambda n: isinstance(n, ast.BasicLit) and n.span.line == line
                  and n.value == value)
    assert len(found) == 1
    lit = found[0]
    assert isinstance(lit, ast.BasicLit)
    return lit


def var_named(info: I.TypeInfo, name: str) -> I.Var:
    vs = [v for k, v in info.defs.items() if k.name == name and isinstance(v, I.Var)
          and v.kind is I.VarKind.LOCAL]
    assert len(vs) == 1
    return vs[0]


PROGRAM = """package main

import "fmt"

type P struct{ X, Y int }

func (p *P) Move(dx int) { p.X += dx }
func (p P) Sum() int     { return p.X + p.Y }

type W struct {
	*P
	name string
}

var a = b + 1
var b = f()

func f() int { return 2 }

const big = 1 << 40

func main() {
	var fl float64 = 1
	x := 3
	inc := func() { x++ }
	inc()
	p := P{1, 2}
	p.Move(1)
	q := &p
	_ = q.Sum()
	w := W{&P{3, 4}, "w"}
	w.Move(2)
	var bb byte = 'a' + 1
	arr := [3]int{}
	sl := arr[:]
	y := 1 << x
	var z float64 = 1 << 3
	fmt.Println(fl, big, x, sl, w.X, bb, a, y, z, 2.5, len("héllo"))
}
"""


def test_untyped_constants_get_context_types_and_converted_values() -> None:
    f, info = checked(PROGRAM)
    one = lit_at(f, 23, "1")
    assert info.types[one] == T.FLOAT64 and info.consts[one] == 1.0
    assert isinstance(info.consts[one], float)
    # 'a' + 1 in a byte context: both operands and the sum are byte.
    a_lit = lit_at(f, 33, "'a'")
    assert info.types[a_lit] == T.UINT8 and info.consts[a_lit] == 97
    plus = [b for b in nodes(f, lambda n: isinstance(n, ast.Binary)) if b.span.line == 33][0]
    assert info.consts[plus] == 98
    # 1 << 3 assigned to float64 is the constant 8.0.
    shift = [b for b in nodes(f, lambda n: isinstance(n, ast.Binary)) if b.span.line == 37][0]
    assert info.types[shift] == T.FLOAT64 and info.consts[shift] == 8.0
    # A non-constant shift 1 << x takes its type from the context (int).
    y_shift = [b for b in nodes(f, lambda n: isinstance(n, ast.Binary)) if b.span.line == 36][0]
    assert info.types[y_shift] == T.INT and y_shift not in info.consts
    # Arguments to fmt.Println (interface parameters) get default types.
    assert info.types[lit_at(f, 38, "2.5")] == T.FLOAT64
    assert info.consts[lit_at(f, 38, '"héllo"')] == "héllo"
    length = [c for c in nodes(f, lambda n: isinstance(n, ast.Call)) if c.span.line == 38
              and isinstance(c.fun, ast.Ident) and c.fun.name == "len"][0]
    assert info.consts[length] == 6 and info.call_kinds[length] is I.CallKind.BUILTIN


def test_selections_paths_and_receivers() -> None:
    f, info = checked(PROGRAM)
    by_pos = {(s.span.line, s.sel.name): v for s, v in info.selections.items()}
    px = by_pos[(7, "X")]
    assert px.kind is I.SelKind.FIELD and px.path == (0,) and px.derefs == (True,)
    assert by_pos[(8, "Y")].path == (1,) and by_pos[(8, "Y")].derefs == (False,)
    move = by_pos[(28, "Move")]
    assert move.kind is I.SelKind.METHOD and move.recv_addr and not move.recv_deref
    assert move.method is not None and move.method.ptr_recv
    s = by_pos[(30, "Sum")]
    assert s.recv_deref and not s.recv_addr
    promoted = by_pos[(32, "Move")]
    assert promoted.path == (0,) and not promoted.recv_addr
    wx = by_pos[(38, "X")]
    assert wx.path == (0, 0) and wx.derefs == (False, True)
    assert by_pos[(38, "Println")].kind is I.SelKind.PKG_MEMBER


def test_captured_and_addressed_flags() -> None:
    f, info = checked(PROGRAM)
    assert var_named(info, "x").captured
    assert var_named(info, "p").addressed          # p.Move takes &p
    assert var_named(info, "arr").addressed        # arr[:] slices the variable
    assert not var_named(info, "q").addressed and not var_named(info, "q").captured
    lits = nodes(f, lambda n: isinstance(n, ast.FuncLit))
    assert [v.name for v in info.free_vars[lits[0]]] == ["x"]
    main = [d for d in f.decls if isinstance(d, ast.FuncDecl) and d.name.name == "main"][0]
    names = [v.name for v in info.func_vars[main]]
    assert names[:3] == ["fl", "x", "inc"] and "x" not in [v.name for v in info.func_vars[lits[0]]]


def test_init_order_follows_dependencies() -> None:
    _, info = checked(PROGRAM)
    assert [s.names[0].name for s in info.init_order] == ["b", "a"]


def test_const_iota_and_implicit_repetition() -> None:
    src = ("package main\n\nimport \"fmt\"\n\nconst (\n\tA = iota * 10\n\tB\n\tC\n)\n\n"
           "type Weekday int\n\nconst (\n\tSun Weekday = iota\n\tMon\n)\n\n"
           "func main() {\n\tfmt.Println(A, B, C, Mon)\n}\n")
    f, info = checked(src)
    consts = {k.name: v for k, v in info.defs.items() if isinstance(v, I.Const)}
    assert [consts[n].value for n in "ABC"] == [0, 10, 20]
    assert isinstance(consts["Mon"].type, T.Named) and consts["Mon"].value == 1
    uses = [i for i in nodes(f, lambda n: isinstance(n, ast.Ident)) if i.span.line == 19]
    mon = [u for u in uses if u.name == "Mon"][0]
    assert info.consts[mon] == 1 and info.types[mon] is consts["Mon"].type


def test_composite_literals_and_comma_ok() -> None:
    src = ("package main\n\nimport \"fmt\"\n\ntype Pt struct{ X, Y int }\n\n"
           "func main() {\n\tps := []*Pt{{1, 2}}\n\tm := map[string]int{\"a\": 1}\n"
           "\tv, ok := m[\"a\"]\n\tarr := [...]int{1, 2, 3}\n\tfmt.Println(ps, v, ok, arr)\n}\n")
    f, info = checked(src)
    lits = nodes(f, lambda n: isinstance(n, ast.CompositeLit))
    inner = [c for c in lits if c.type is None][0]
    pt = info.types[inner]
    assert isinstance(pt, T.Pointer) and isinstance(pt.elem, T.Named)
    idx = nodes(f, lambda n: isinstance(n, ast.Index))[0]
    assert info.types[idx] == T.Tuple((T.INT, T.BOOL))
    arr = [c for c in lits if isinstance(c.type, ast.ArrayType) and c.type.len is not None][0]
    assert info.types[arr] == T.Array(3, T.INT)


def test_conversions_and_call_kinds() -> None:
    src = ("package main\n\nimport \"fmt\"\n\nfunc main() {\n\tx := 65\n"
           "\ts := string(rune(x))\n\tb := []byte(\"hi\")\n\tf := float64(x) / 2\n"
           "\tconst c = int8(-128)\n\tfmt.Println(s, b, f, c)\n}\n")
    f, info = checked(src)
    calls = nodes(f, lambda n: isinstance(n, ast.Call))
    kinds = {(c.span.line, getattr(c.fun, "name", None) or "?"): info.call_kinds[c] for c in calls}
    assert kinds[(7, "string")] is I.CallKind.CONVERSION
    assert kinds[(11, "?")] is I.CallKind.CALL
    conv = [c for c in calls if c.span.line == 10][0]
    assert info.consts[conv] == -128 and info.types[conv] == T.INT8
