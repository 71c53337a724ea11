"""Tests for lang/lexer.py: Go tokens, literals, positions, semicolon insertion."""

from __future__ import annotations

import pytest

from lang.lexer import LexError, tokenize
from lang.parser import get_parser


def toks(src: str) -> list[tuple[str, str]]:
    """(kind, text) pairs; fixed tokens are shown by their text."""
    _, terminals = get_parser()
    names = {v: k for k, v in terminals.items()}
    tokens, errors = tokenize(src, terminals)
    assert errors == []
    out = []
    for t in tokens:
        if t.value in ("\n", "") and names.get(t.type) == ";":
            out.append(("SEMI", "newline" if t.value == "\n" else "EOF"))
        else:
            out.append((t.type if t.type in ("NAME", "INT", "FLOAT", "CHAR", "STRING") else "OP",
                        t.value))
    return out


def errs(src: str) -> list[LexError]:
    _, terminals = get_parser()
    return tokenize(src, terminals)[1]


@pytest.mark.parametrize(
    "line",
    ["x", "42", "1.5", "'a'", '"s"', "`r`", "return", "break", "continue",
     "fallthrough", "f()", "a[1]", "}", "i++", "i--"],
)
def test_newline_after_these_inserts_semicolon(line: str) -> None:
    kinds = toks(line + "\n")
    assert kinds[-1] == ("SEMI", "newline")


@pytest.mark.parametrize("line", ["x +", "f(", "a,", "{", "x =", "x :=", "go", "x ||"])
def test_newline_after_these_does_not(line: str) -> None:
    kinds = toks(line + "\ny")
    # The only inserted semicolon (if any) is the one at EOF after `y`.
    assert ("SEMI", "newline") not in kinds


def test_semicolon_at_eof_and_block_comment_newline() -> None:
    assert toks("x")[-1] == ("SEMI", "EOF")
    assert toks("x /* a\nb */ y") == [
        ("NAME", "x"), ("SEMI", "newline"), ("NAME", "y"), ("SEMI", "EOF")]
    assert toks("x /* one line */ y") == [("NAME", "x"), ("NAME", "y"), ("SEMI", "EOF")]
    assert toks("x // c\ny") == [("NAME", "x"), ("SEMI", "newline"), ("NAME", "y"), ("SEMI", "EOF")]


@pytest.mark.parametrize(
    "text", ["0", "42", "1_000_000", "0x1F", "0XdeadBEEF", "0o17", "0O7", "0b1011", "0B1",
             "0777", "0x_1F"],
)
def test_int_literals(text: str) -> None:
    assert toks(text)[0] == ("INT", text)


@pytest.mark.parametrize(
    "text", ["1.5", ".5", "1.", "1e10", "1E+10", "1.5e-3", "0.", "08.5", "1_0.2_5", "0x1p-2",
             "0x1.8p3"],
)
def test_float_literals(text: str) -> None:
    assert toks(text)[0] == ("FLOAT", text)


@pytest.mark.parametrize(
    "text", ["'a'", "'\\n'", "'\\x41'", "'\\u00e9'", "'\\U0001F600'", "'\\''", "'\\\\'",
             "'\\377'", "'é'", "'\\a'", "'\\t'"],
)
def test_rune_literals(text: str) -> None:
    assert toks(text)[0] == ("CHAR", text)


def test_string_literals() -> None:
    s = '"a\\tb\\"c\\\\ \\x41 \\u00e9 \\101"'
    assert toks(s)[0] == ("STRING", s)
    raw = "`line1\r\nline2 \\n`"
    assert toks(raw)[0] == ("STRING", "`line1\nline2 \\n`")


def test_raw_string_spans_lines_and_positions() -> None:
    _, terminals = get_parser()
    tokens, _ = tokenize("x := `a\nbc`\ny", terminals)
    raw = tokens[2]
    assert (raw.line, raw.column, raw.end_line, raw.end_column) == (1, 6, 2, 4)
    assert tokens[-2].value == "y" and tokens[-2].line == 3


def test_operators_maximal_munch() -> None:
    ops = [v for k, v in toks("a &^= b &^ c <- d ... := <<= >>= && || ++ -- != <= >= ~")
           if k == "OP"]
    assert ops == ["&^=", "&^", "<-", "...", ":=", "<<=", ">>=", "&&", "||", "++", "--", "!=",
                   "<=", ">=", "~"]


def test_unicode_identifier_and_byte_columns() -> None:
    _, terminals = get_parser()
    tokens, errors = tokenize('s := "héllo"; ünï := 1', terminals)
    assert errors == []
    assert tokens[4].value == "ünï"
    # "héllo" is 6 bytes + 2 quotes = 8 bytes starting at byte col 6.
    assert tokens[2].column == 6 and tokens[2].end_column == 6 + 8
    assert tokens[4].column == 16


def test_keywords_are_not_names() -> None:
    kinds = toks("func go chan select x")
    assert [k for k, _ in kinds[:4]] == ["OP"] * 4
    assert kinds[4] == ("NAME", "x")


@pytest.mark.parametrize(
    ("src", "message", "col"),
    [
        ('x := "abc\n', "newline in string", 6),
        ('x := "abc', "string literal not terminated", 6),
        ("x := `abc", "raw string literal not terminated", 6),
        ("x := 'ab'", "more than one character in rune literal", 6),
        ("x := ''", "empty rune literal or unescaped ' in rune literal", 6),
        ('x := "\\q"', "unknown escape", 6),
        ("x := 09", "invalid digit '9' in octal literal", 6),
        ("x := 0x", "hexadecimal literal has no digits", 6),
        ("x := @", "invalid character U+0040 '@'", 6),
        ("/* open", "comment not terminated", 1),
    ],
)
def test_scanner_errors(src: str, message: str, col: int) -> None:
    found = errs(src)
    assert found, src
    assert found[0].message == message
    assert (found[0].line, found[0].col) == (1, col)
