"""lang/lalr.py and lang/parse_tables.py against Lark, which built the tables.

The tables are generated at development time (``python -m lang.gen_tables``);
these tests fail when grammar.lark changed without regenerating them, and
check that the table-driven parser builds exactly the trees Lark's own
LALR parser builds with the same callbacks, and stops at the same token
with the same expected set on broken programs.
"""

from __future__ import annotations

import glob
import os
import random
from typing import Any

import pytest

from lang import parse_tables
from lang.gen_tables import GRAMMAR_PATH, build_lark, grammar_digest
from lang.lalr import Parser, UnexpectedToken
from lang.lexer import Token, tokenize
from lang.parser import SyntaxProblem, _Builder

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFORMANCE = os.path.join(os.path.dirname(ROOT), "shared", "conformance", "cases")


def _sources() -> list[str]:
    paths = sorted(glob.glob(os.path.join(ROOT, "examples", "**", "*.csp"), recursive=True))
    paths += sorted(glob.glob(os.path.join(ROOT, "tests", "**", "*.csp"), recursive=True))
    paths += sorted(glob.glob(os.path.join(CONFORMANCE, "**", "*.csp"), recursive=True))
    return paths


SOURCES = _sources()


@pytest.fixture(scope="module")
def grammar() -> str:
    with open(GRAMMAR_PATH, encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def parsers(grammar: str) -> tuple[Any, Parser]:
    return build_lark(grammar, _Builder()), Parser(_Builder())


def _outcome_ours(parser: Parser, tokens: list[Token]) -> str:
    try:
        return repr(parser.parse(tokens))
    except UnexpectedToken as u:
        return f"unexpected {u.token.type} at {u.token.line}:{u.token.column} " \
               f"expected {sorted(u.expected)} stack {len(u.value_stack)}"
    except SyntaxProblem as p:
        return f"problem {p.span} {p.message}"


def _outcome_lark(lark: Any, tokens: list[Token]) -> str:
    from lark.exceptions import UnexpectedToken as LarkUnexpected

    try:
        return repr(lark.parse(tokens))  # Lark reads only the attributes
    except LarkUnexpected as u:
        tok = u.token
        line = tok.line if tok.type != "$END" else (tokens[-1].end_line if tokens else 1)
        col = tok.column if tok.type != "$END" else (tokens[-1].end_column if tokens else 1)
        return f"unexpected {tok.type} at {line}:{col} " \
               f"expected {sorted(u.expected)} stack {len(u.state.value_stack)}"
    except SyntaxProblem as p:
        return f"problem {p.span} {p.message}"


def test_tables_were_generated_from_this_grammar(grammar: str) -> None:
    assert parse_tables.GRAMMAR_SHA256 == grammar_digest(grammar), \
        "grammar.lark changed: run `python -m lang.gen_tables`"


def test_the_corpus_is_not_empty() -> None:
    assert len(SOURCES) > 50


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: os.path.relpath(p, ROOT))
def test_same_tree_as_lark(path: str, parsers: tuple[Any, Parser]) -> None:
    lark, ours = parsers
    with open(path, encoding="utf-8") as f:
        source = f.read()
    tokens, errors = tokenize(source, ours.terminals)
    if errors:
        pytest.skip("scanner error: the parser never runs")
    assert _outcome_ours(ours, tokens) == _outcome_lark(lark, tokens)


def test_same_errors_as_lark_on_mutated_programs(parsers: tuple[Any, Parser]) -> None:
    """Drop, duplicate or swap a token in real programs: both parsers must
    fail (or succeed) identically."""
    lark, ours = parsers
    rng = random.Random(1234)
    checked = 0
    for path in SOURCES[::3]:
        with open(path, encoding="utf-8") as f:
            tokens, errors = tokenize(f.read(), ours.terminals)
        if errors or len(tokens) < 4:
            continue
        for _ in range(4):
            mutated = list(tokens)
            i = rng.randrange(len(mutated) - 1)
            how = rng.randrange(3)
            if how == 0:
                del mutated[i]
            elif how == 1:
                mutated.insert(i, mutated[i])
            else:
                mutated[i], mutated[i + 1] = mutated[i + 1], mutated[i]
            assert _outcome_ours(ours, mutated) == _outcome_lark(lark, mutated), (path, i, how)
            checked += 1
    assert checked > 100


def test_empty_token_list(parsers: tuple[Any, Parser]) -> None:
    lark, ours = parsers
    assert _outcome_ours(ours, []) == _outcome_lark(lark, [])
