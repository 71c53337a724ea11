"""Tests for lang/parser.py: AST shapes, precedence, spans, syntax errors."""

from __future__ import annotations

import glob
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lang import ast
from lang.lexer import OPERATORS
from lang.parser import _Builder, get_parser, parse

CONFORMANCE = "/work/shared/conformance/cases"


def parse_ok(src: str) -> ast.File:
    f, diags = parse("prog.csp", src)
    assert diags == [], [d.header() for d in diags]
    assert f is not None
    return f


def body_of(src: str) -> tuple[ast.Stmt, ...]:
    """Statements of main's body for a snippet written inside main."""
    f = parse_ok("package main\nfunc main() {\n" + src + "\n}\n")
    fn = f.decls[-1]
    assert isinstance(fn, ast.FuncDecl) and fn.body is not None
    return fn.body.stmts


def expr_of(src: str) -> ast.Expr:
    (stmt,) = body_of("_ = " + src)
    assert isinstance(stmt, ast.AssignStmt)
    return stmt.rhs[0]


def error_of(src: str) -> str:
    f, diags = parse("prog.csp", src)
    assert f is None and len(diags) == 1
    return diags[0].header()


def show(e: ast.Expr) -> str:
    """Fully parenthesized rendering, to check tree shape."""
    if isinstance(e, ast.Ident):
        return e.name
    if isinstance(e, ast.BasicLit):
        return e.value
    if isinstance(e, ast.Binary):
        return f"({show(e.x)} {e.op} {show(e.y)})"
    if isinstance(e, ast.Unary):
        return f"({e.op}{show(e.x)})"
    if isinstance(e, ast.Star):
        return f"(*{show(e.x)})"
    if isinstance(e, ast.Selector):
        return f"{show(e.x)}.{e.sel.name}"
    if isinstance(e, ast.Call):
        return f"{show(e.fun)}({', '.join(show(a) for a in e.args)})"
    if isinstance(e, ast.Index):
        return f"{show(e.x)}[{show(e.index)}]"
    if isinstance(e, ast.ParenExpr):
        return f"[{show(e.x)}]"
    return type(e).__name__


# ---------------------------------------------------------------- grammar


def test_every_rule_has_a_builder_callback() -> None:
    from lang import parse_tables
    from lang.lalr import Parser

    Parser(_Builder())  # binds every reduction; a missing method raises here
    for name, length, _origin, expand1, include, trailing in parse_tables.RULES:
        if name.startswith("_") or (expand1 and length == 1 and include is None
                                    and not trailing):
            continue
        assert hasattr(_Builder, name), name


@pytest.mark.parametrize(
    ("src", "shape"),
    [
        ("a + b * c", "(a + (b * c))"),
        ("a * b + c", "((a * b) + c)"),
        ("a || b && c", "(a || (b && c))"),
        ("a && b || c", "((a && b) || c)"),
        ("a == b || c < d", "((a == b) || (c < d))"),
        ("a - b - c", "((a - b) - c)"),
        ("a << 2 + 1", "((a << 2) + 1)"),
        ("a &^ b | c", "((a &^ b) | c)"),
        ("-x.y()", "(-x.y())"),
        ("*p.x", "(*p.x)"),
        ("<-ch", "(<-ch)"),
        ("!<-done", "(!(<-done))"),
        ("&a[i]", "(&a[i])"),
        ("(a + b) * c", "([(a + b)] * c)"),
        ("^x + 1", "((^x) + 1)"),
    ],
)
def test_precedence(src: str, shape: str) -> None:
    assert show(expr_of(src)) == shape


def test_literal_kinds() -> None:
    for text, kind in [("0x1F", "INT"), ("1.5e3", "FLOAT"), ("'\\n'", "CHAR"),
                       ('"hi"', "STRING"), ("`raw`", "STRING"), (".5", "FLOAT")]:
        e = expr_of(text)
        assert isinstance(e, ast.BasicLit) and (e.kind, e.value) == (kind, text)


def test_composite_literals() -> None:
    e = expr_of("[]Point{{1, 2}, {X: 3}}")
    assert isinstance(e, ast.CompositeLit) and isinstance(e.type, ast.ArrayType)
    inner = e.elts[0]
    assert isinstance(inner, ast.CompositeLit) and inner.type is None
    kv = e.elts[1]
    assert isinstance(kv, ast.CompositeLit) and isinstance(kv.elts[0], ast.KeyValue)
    m = expr_of('map[string]int{"a": 1,}')
    assert isinstance(m, ast.CompositeLit) and isinstance(m.type, ast.MapType)
    p = expr_of("&T{a: 1}")
    assert isinstance(p, ast.Unary) and p.op == "&" and isinstance(p.x, ast.CompositeLit)
    arr = expr_of("[...]int{1, 2}")
    assert isinstance(arr, ast.CompositeLit) and isinstance(arr.type, ast.ArrayType)
    assert isinstance(arr.type.len, ast.Ellipsis)
    q = expr_of("pkg.T{}.Method()")
    assert isinstance(q, ast.Call) and isinstance(q.fun, ast.Selector)
    assert isinstance(q.fun.x, ast.CompositeLit) and isinstance(q.fun.x.type, ast.Selector)


def test_composite_literal_in_headers_follows_go() -> None:
    src = "package main\ntype T struct{ a int }\nfunc main() {\n\tvar x T\n\t{}\n}\n"
    # A bare type name before `{` in an if header is the body brace, as in Go.
    assert error_of(src.replace("\t{}", "\tif x == T{} {\n\t}")) == (
        "prog.csp:5:14: syntax error: unexpected { at end of statement")
    # Parenthesized, or a literal type (not a bare name), is fine.
    parse_ok(src.replace("\t{}", "\tif x == (T{}) {\n\t}"))
    parse_ok(src.replace("\t{}", "\tfor _, v := range []int{1, 2} {\n\t\t_ = v\n\t}"))
    parse_ok(src.replace("\t{}", "\tswitch (T{}) {\n\t}"))
    parse_ok(src.replace("\t{}", "\tif f(T{}) {\n\t}"))
    parse_ok(src.replace("\t{}", "\tif v := []T{{1}}; len(v) > 0 {\n\t}"))
    parse_ok(src.replace("\t{}", "\tif func() bool { return T{} == x }() {\n\t}"))


def test_statements() -> None:
    stmts = body_of(
        "x := 1\n"
        "x, y = y, x\n"
        "x += 2\n"
        "x <<= 1\n"
        "x &^= 3\n"
        "x++\n"
        "ch <- x\n"
        "go f()\n"
        "defer g(x)\n"
        "L:\n"
        "for {\n break L\n}\n"
        "goto L\n"
        "return\n"
    )
    kinds = [type(s).__name__ for s in stmts]
    assert kinds == ["AssignStmt", "AssignStmt", "AssignStmt", "AssignStmt", "AssignStmt",
                     "IncDecStmt", "SendStmt", "GoStmt", "DeferStmt", "LabeledStmt",
                     "BranchStmt", "ReturnStmt"]
    ops = [s.op for s in stmts[:5] if isinstance(s, ast.AssignStmt)]
    assert ops == [":=", "=", "+=", "<<=", "&^="]
    labeled = stmts[9]
    assert isinstance(labeled, ast.LabeledStmt) and isinstance(labeled.stmt, ast.ForStmt)
    brk = labeled.stmt.body.stmts[0]
    assert isinstance(brk, ast.BranchStmt) and brk.label is not None and brk.label.name == "L"


def test_for_forms() -> None:
    s = body_of(
        "for {}\n"
        "for x < 3 {}\n"
        "for i := 0; i < 3; i++ {}\n"
        "for ;; {}\n"
        "for k, v := range m {}\n"
        "for i = range 10 {}\n"
        "for range ch {}\n"
    )
    f0, f1, f2, f3, r0, r1, r2 = s
    assert isinstance(f0, ast.ForStmt) and f0.cond is None and f0.init is None
    assert isinstance(f1, ast.ForStmt) and isinstance(f1.cond, ast.Binary)
    assert isinstance(f2, ast.ForStmt) and isinstance(f2.init, ast.AssignStmt)
    assert isinstance(f2.post, ast.IncDecStmt)
    assert isinstance(f3, ast.ForStmt) and f3.cond is None
    assert isinstance(r0, ast.RangeStmt) and r0.tok == ":=" and r0.value is not None
    assert isinstance(r1, ast.RangeStmt) and r1.tok == "=" and r1.value is None
    assert isinstance(r2, ast.RangeStmt) and r2.tok is None and r2.key is None


def test_if_else_chain() -> None:
    (s,) = body_of("if x := f(); x > 0 {\n} else if x < 0 {\n} else {\n}")
    assert isinstance(s, ast.IfStmt) and isinstance(s.init, ast.AssignStmt)
    assert isinstance(s.else_, ast.IfStmt) and isinstance(s.else_.else_, ast.Block)


def test_switches_and_select() -> None:
    sw, tsw, tsw2, sel = body_of(
        "switch x := 3; {\ncase x > 1, x < 0:\n\tfallthrough\ndefault:\n}\n"
        "switch v := i.(type) {\ncase int, nil:\ncase []string:\ncase *T:\n}\n"
        "switch i.(type) {\n}\n"
        "select {\ncase v := <-ch:\n\t_ = v\ncase ch <- 1:\ncase <-done:\ndefault:\n}\n"
    )
    assert isinstance(sw, ast.SwitchStmt) and sw.tag is None and sw.init is not None
    assert sw.clauses[0].exprs is not None and len(sw.clauses[0].exprs) == 2
    assert sw.clauses[1].exprs is None
    assert isinstance(tsw, ast.TypeSwitchStmt) and tsw.bind is not None
    assert tsw.bind.name == "v" and isinstance(tsw.x, ast.Ident)
    assert isinstance(tsw2, ast.TypeSwitchStmt) and tsw2.bind is None
    assert isinstance(sel, ast.SelectStmt)
    comms = [type(c.comm).__name__ for c in sel.clauses]
    assert comms == ["AssignStmt", "SendStmt", "ExprStmt", "NoneType"]


def test_declarations_and_file_contents() -> None:
    f = parse_ok(
        'package main\n\nimport "fmt"\nimport (\n\tm "math"\n\t"strings"\n)\n'
        "const (\n\tA = iota\n\tB\n\tC\n)\n"
        "var x, y int = 1, 2\n"
        "type (\n\tT struct {\n\t\ta, b int\n\t\tS\n\t\t*U `tag`\n\t}\n\tAlias = int\n)\n"
        "type I interface {\n\tM(x int) (int, error)\n\tfmt.Stringer\n}\n"
        "func (t *T) M(a, b int, c ...string) (n int, err error) { return }\n"
        "func main() {}\n"
    )
    assert f.package is not None and f.package.name == "main"
    assert [(i.name.name if i.name else None, i.path) for i in f.imports] == [
        (None, "fmt"), ("m", "math"), (None, "strings")]
    toks = [d.tok if isinstance(d, ast.GenDecl) else "func" for d in f.decls]
    assert toks == ["import", "import", "const", "var", "type", "type", "func", "func"]
    const = f.decls[2]
    assert isinstance(const, ast.GenDecl)
    specs = [s for s in const.specs if isinstance(s, ast.ValueSpec)]
    assert [s.iota for s in specs] == [0, 1, 2] and specs[1].values == ()
    tdecl = f.decls[4]
    assert isinstance(tdecl, ast.GenDecl)
    t_spec, alias = tdecl.specs
    assert isinstance(t_spec, ast.TypeSpec) and isinstance(t_spec.type, ast.StructType)
    fields = t_spec.type.fields
    assert [len(fd.names) for fd in fields] == [2, 0, 0]
    assert isinstance(fields[2].type, ast.Star)
    assert isinstance(alias, ast.TypeSpec) and alias.alias
    iface = f.decls[5]
    assert isinstance(iface, ast.GenDecl) and isinstance(iface.specs[0], ast.TypeSpec)
    it = iface.specs[0].type
    assert isinstance(it, ast.InterfaceType) and len(it.methods) == 1 and len(it.embeds) == 1
    method = f.decls[6]
    assert isinstance(method, ast.FuncDecl) and method.recv is not None
    assert isinstance(method.recv.type, ast.Star)
    params = method.type.params
    assert [[n.name for n in p.names] for p in params] == [["a", "b"], ["c"]]
    assert isinstance(params[1].type, ast.Ellipsis)
    assert [[n.name for n in r.names] for r in method.type.results] == [["n"], ["err"]]


def test_package_may_be_omitted_and_anonymous_params() -> None:
    f = parse_ok("func f(int, string) (bool, error) { return true, nil }\n")
    assert f.package is None
    fn = f.decls[0]
    assert isinstance(fn, ast.FuncDecl)
    assert [len(p.names) for p in fn.type.params] == [0, 0]
    assert len(fn.type.results) == 2


def test_types_in_expressions() -> None:
    e = expr_of("make(<-chan int)")
    assert isinstance(e, ast.Call) and isinstance(e.args[0], ast.ChanType)
    assert e.args[0].dir == "recv"
    e = expr_of("make(chan<- []int, 3)")
    assert isinstance(e, ast.Call) and isinstance(e.args[0], ast.ChanType)
    assert e.args[0].dir == "send"
    e = expr_of("x.(*T)")
    assert isinstance(e, ast.TypeAssert) and isinstance(e.type, ast.Star)
    e = expr_of("f(xs...)")
    assert isinstance(e, ast.Call) and e.has_ellipsis
    e = expr_of("a[1:2:3]")
    assert isinstance(e, ast.SliceExpr) and e.slice3 and e.max is not None
    e = expr_of("a[:]")
    assert isinstance(e, ast.SliceExpr) and e.lo is None and e.hi is None and not e.slice3
    e = expr_of("func(a int) int { return a }(1)")
    assert isinstance(e, ast.Call) and isinstance(e.fun, ast.FuncLit)
    e = expr_of("[]byte(s)")
    assert isinstance(e, ast.Call) and isinstance(e.fun, ast.ArrayType)
    e = expr_of("struct{}{}")
    assert isinstance(e, ast.CompositeLit) and isinstance(e.type, ast.StructType)


# ---------------------------------------------------------------- spans


def test_spans() -> None:
    src = (
        "package main\n"
        "func f(a int, b int) int {\n"
        "\tx := a + b\n"
        "\treturn f(x,\n\t\t1)\n"
        "}\n"
    )
    f = parse_ok(src)
    fn = f.decls[0]
    assert isinstance(fn, ast.FuncDecl) and fn.body is not None
    assert fn.span == ast.Span(2, 1, 6, 2)
    assert fn.name.span == ast.Span(2, 6, 2, 7)
    assert fn.body.rbrace == ast.Span(6, 1, 6, 2)
    assign, ret = fn.body.stmts
    assert isinstance(assign, ast.AssignStmt)
    assert assign.span == ast.Span(3, 2, 3, 12)
    assert assign.op_span == ast.Span(3, 4, 3, 6)
    assert assign.lhs[0].span == ast.Span(3, 2, 3, 3)
    add = assign.rhs[0]
    assert isinstance(add, ast.Binary) and add.op_span == ast.Span(3, 9, 3, 10)
    assert add.span == ast.Span(3, 7, 3, 12)
    assert isinstance(ret, ast.ReturnStmt)
    call = ret.results[0]
    assert isinstance(call, ast.Call)
    assert call.rparen == ast.Span(5, 4, 5, 5) and call.span == ast.Span(4, 9, 5, 5)
    lit = expr_of("T{1,\n2}")
    assert isinstance(lit, ast.CompositeLit) and lit.rbrace.line == lit.span.end_line


def test_file_span_and_name() -> None:
    f = parse_ok("package main\nfunc main() {}\n")
    assert f.filename == "prog.csp" and f.span.line == 1


# ---------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("\tx := 1\n\tif x == 1 {\n\t}\n\telse {\n\t}\n",
         "6:2: syntax error: unexpected else, expected }"),
        ("\tprintln(1\n\t)\n",
         "3:11: syntax error: unexpected newline in argument list; possibly missing comma or )"),
        ("\ta := []int{1, 2\n\t}\n",
         "3:17: syntax error: unexpected newline in composite literal;"
         " possibly missing comma or }"),
        ("\ta := 1 +\n", "4:1: syntax error: unexpected }, expected expression"),
        ("\ta := 1 b\n", "3:9: syntax error: unexpected name b at end of statement"),
        ("\tx := true\n\tif x\n\t{\n\t}\n",
         "4:6: syntax error: unexpected newline, expected { after if clause"),
        ("\tx := true\n\tif x; {\n\t}\n", "4:6: syntax error: missing condition in if statement"),
        ("\tfor i := 0; i < 3; i++\n\t{\n\t}\n",
         "3:24: syntax error: unexpected newline, expected { after for clause"),
        ("\ta.b := 1\n", "3:2: non-name a.b on left side of :="),
        ("\tx := \"abc\n", "3:7: newline in string"),
    ],
)
def test_syntax_errors_in_function(body: str, message: str) -> None:
    src = "package main\nfunc main() {\n" + body + "}\n"
    assert error_of(src) == "prog.csp:" + message


@pytest.mark.parametrize(
    ("src", "message"),
    [
        ("package main\nx := 1\nfunc main() {}\n",
         "2:1: syntax error: non-declaration statement outside function body"),
        ("package main\nvar x = 1 2\n",
         "2:11: syntax error: unexpected literal 2 after top level declaration"),
        ("package main\nfunc main() {} x\n",
         "2:16: syntax error: unexpected name x after top level declaration"),
        ("package main\nfunc main() {\n", "3:1: syntax error: unexpected EOF, expected }"),
        ('func f() {}\nimport "os"\n',
         "2:1: syntax error: imports must appear before other declarations"),
        ("package main\nfunc f(a int b) {\n}\n",
         "2:14: syntax error: unexpected name b in parameter list; possibly missing comma or )"),
    ],
)
def test_syntax_errors_at_top_level(src: str, message: str) -> None:
    assert error_of(src) == "prog.csp:" + message


# ---------------------------------------------------------------- robustness


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=200))
def test_random_text_never_raises(text: str) -> None:
    f, diags = parse("r.csp", text)
    assert (f is None) == bool(diags)


_SOUP = sorted(set(OPERATORS)) + [
    "func", "main", "x", "if", "for", "else", "return", "{", "}", "\n", "1", '"s"', "var",
    "type", "struct", "interface", "chan", "select", "case", "default", "switch", "go",
    "package", "import", "range", "map", "'c'", "1.5",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_SOUP), max_size=40))
def test_token_soup_never_raises(words: list[str]) -> None:
    f, diags = parse("r.csp", " ".join(words))
    assert (f is None) == bool(diags)
    for d in diags:
        assert d.span.line >= 1 and "internal" not in d.message


@settings(max_examples=100, deadline=None)
@given(st.lists(st.sampled_from(_SOUP), max_size=30))
def test_token_soup_inside_main_never_raises(words: list[str]) -> None:
    f, diags = parse("r.csp", "package main\nfunc main() {\n" + " ".join(words) + "\n}\n")
    assert (f is None) == bool(diags)
    for d in diags:
        assert "internal" not in d.message


# ---------------------------------------------------------------- corpus


@pytest.mark.skipif(not os.path.isdir(CONFORMANCE), reason="shared corpus not present")
def test_conformance_corpus_parses_cleanly() -> None:
    paths = sorted(glob.glob(os.path.join(CONFORMANCE, "*.csp")))
    assert paths
    for path in paths:
        with open(path, encoding="utf-8") as fh:
            f, diags = parse(os.path.basename(path), fh.read())
        assert diags == [], (path, [d.header() for d in diags])
        assert f is not None


def test_parse_300_lines() -> None:
    # Parser speed is measured by the benchmarks (start-up is part of every
    # figure of ../shared/bench/compare), never by a timed unit test.
    get_parser()
    fn = (
        "func f{n}(xs []int, m map[string]int) (int, error) {{\n"
        "\ttotal := 0\n"
        "\tfor i, x := range xs {{\n"
        "\t\tif x%2 == 0 && i > 0 {{\n"
        "\t\t\ttotal += x * m[\"k\"]\n"
        "\t\t}} else {{\n"
        "\t\t\ttotal -= len(fmt.Sprintf(\"%d\", x))\n"
        "\t\t}}\n"
        "\t}}\n"
        "\treturn total, nil\n"
        "}}\n\n"
    )
    src = "package main\n" + "".join(fn.format(n=i) for i in range(25))
    assert src.count("\n") >= 300
    file = parse_ok(src)
    assert len(file.decls) == 25
