# Highlighting has one source of truth, lang/keywords.py: the TextMate
# grammar of the VS Code extension is generated from it (and must be up to
# date), and the Pygments lexer reads it; these tests check that both
# classify every word the same way and that the lexer is registered.
from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType

import pygments.lexers  # type: ignore[import-untyped]
import pygments.token  # type: ignore[import-untyped]
from pygments.token import (
    Keyword,
    Name,
    Number,
    Operator,
    String,
    _TokenType,
)

from lang import keywords as K
from lang.highlight import CspLexer

ROOT = Path(__file__).resolve().parent.parent
VSCODE = ROOT / "editors" / "vscode"
GRAMMAR = VSCODE / "syntaxes" / "csp.tmLanguage.json"


def load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gen_grammar", VSCODE / "gen_grammar.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def grammar() -> dict[str, object]:
    data: dict[str, object] = json.loads(GRAMMAR.read_text(encoding="utf-8"))
    return data


def test_keyword_lists_are_consistent() -> None:
    assert len(K.KEYWORDS) == 25 and len(set(K.KEYWORDS)) == 25
    assert set(K.CONCURRENCY_KEYWORDS) == {"go", "select", "chan", "defer"}
    assert set(K.CONCURRENCY_KEYWORDS) | set(K.OTHER_KEYWORDS) == set(K.KEYWORDS)
    assert not set(K.CONCURRENCY_KEYWORDS) & set(K.OTHER_KEYWORDS)
    assert set(K.DECLARATION_KEYWORDS) | set(K.CONTROL_KEYWORDS) == set(K.OTHER_KEYWORDS)
    groups = [K.KEYWORDS, K.PREDECLARED_TYPES, K.BUILTIN_FUNCTIONS, K.BUILTIN_CONSTANTS]
    for g in groups:
        assert list(g) == sorted(set(g)), g
    # The checker's universe and the highlighter agree on builtins and types.
    from lang.check_base import UNIVERSE

    for name in UNIVERSE.names:
        assert name in K.all_reserved(), name


def test_every_stdlib_package_is_highlighted() -> None:
    import stdlib
    from stdlib.registry import PACKAGES

    stdlib.load_all()
    for pkg in PACKAGES.values():
        assert pkg.name in K.PACKAGES, f"add {pkg.name!r} to lang.keywords.PACKAGES"


def test_committed_grammar_is_generated_from_keywords() -> None:
    gen = load_generator()
    assert GRAMMAR.read_text(encoding="utf-8") == gen.render(), (
        "editors/vscode/syntaxes/csp.tmLanguage.json is stale: "
        "run python editors/vscode/gen_grammar.py")
    g = grammar()
    assert g["scopeName"] == "source.csp"


def _grammar_rules() -> list[tuple[str, re.Pattern[str]]]:
    repo = grammar()["repository"]
    assert isinstance(repo, dict)
    rules: list[tuple[str, re.Pattern[str]]] = []
    for section in ("keywords", "constants", "builtins", "types"):
        for rule in repo[section]["patterns"]:
            rules.append((rule["name"], re.compile(rule["match"])))
    return rules


def grammar_category(word: str) -> str:
    """How the grammar's word rules classify `word` (called, as `word(`)."""
    for scope, pattern in _grammar_rules():
        m = pattern.match(word + "(")
        if m is None or m.end() != len(word):
            continue
        if scope.startswith("keyword.control.concurrency."):
            return "concurrency"
        if scope.startswith(("keyword.", "storage.type.")) and "builtin" not in scope:
            return "keyword"
        if scope == "support.type.builtin.csp":
            return "type"
        if scope == "support.function.builtin.csp":
            return "builtin"
        if scope == "constant.language.csp":
            return "constant"
        return scope
    return "name"


def pygments_category(word: str) -> str:
    tokens = [(t, v) for t, v in CspLexer().get_tokens(word + "(x)") if v.strip()]
    ttype, value = tokens[0]
    assert value == word, tokens
    if ttype in Keyword.Concurrency:
        return "concurrency"
    if ttype in Keyword.Type:
        return "type"
    if ttype in Keyword.Constant:
        return "constant"
    if ttype in Keyword:
        return "keyword"
    if ttype in Name.Builtin:
        return "builtin"
    return "name"


def test_grammar_and_pygments_classify_the_same_words() -> None:
    vocabulary = set(K.all_reserved()) | {
        "main", "gopher", "goroutine", "selected", "channel", "deferred", "x", "Println",
        "integer", "strings", "types", "lens", "_go", "go_",
    }
    for word in sorted(vocabulary):
        assert grammar_category(word) == pygments_category(word), word
    # And the sets are exactly those of lang/keywords.py.
    by_cat: dict[str, set[str]] = {}
    for word in vocabulary:
        by_cat.setdefault(grammar_category(word), set()).add(word)
    assert by_cat["concurrency"] == set(K.CONCURRENCY_KEYWORDS)
    assert by_cat["keyword"] == set(K.OTHER_KEYWORDS)
    assert by_cat["type"] == set(K.PREDECLARED_TYPES)
    assert by_cat["builtin"] == set(K.BUILTIN_FUNCTIONS)
    assert by_cat["constant"] == set(K.BUILTIN_CONSTANTS)


def test_builtins_are_highlighted_only_when_called() -> None:
    toks = [(t, v) for t, v in CspLexer().get_tokens("max := 3\nprintln(max)\n") if v.strip()]
    assert toks[0] == (Name, "max")
    assert (Name.Builtin, "println") in toks
    assert toks[-2] == (Name, "max")


def test_pygments_finds_the_lexer_by_name_and_filename() -> None:
    lexer = pygments.lexers.get_lexer_by_name("csp")
    assert isinstance(lexer, CspLexer)
    assert isinstance(pygments.lexers.get_lexer_for_filename("worker.csp"), CspLexer)


SAMPLE = '''package main

import "fmt"

func (c *Counter) Inc() { c.n++ }

func main() {
\tch := make(chan int, 1)
\tgo func() { defer close(ch); ch <- 0x1F }()
\tselect {
\tcase v := <-ch:
\t\tfmt.Printf("%d\\n", v)
\t}
\tvar r rune = 'x'
\t_ = r
}
'''


def test_pygments_tokenizes_a_sample() -> None:
    lexer = pygments.lexers.get_lexer_by_name("csp")
    toks = [(t, v) for t, v in lexer.get_tokens(SAMPLE) if v.strip()]
    kinds: dict[str, set[_TokenType]] = {}
    for t, v in toks:
        kinds.setdefault(v, set()).add(t)
    for kw in ("package", "import", "func", "chan", "go", "defer", "select", "case", "var"):
        assert all(t in Keyword for t in kinds[kw]), (kw, kinds[kw])
    for kw in ("go", "defer", "select", "chan"):
        assert kinds[kw] == {Keyword.Concurrency}
    assert kinds["<-"] == {Operator.Channel}
    assert kinds["int"] == {Keyword.Type} and kinds["rune"] == {Keyword.Type}
    assert kinds["make"] == {Name.Builtin} and kinds["close"] == {Name.Builtin}
    assert kinds["Inc"] == {Name.Function} and kinds["main"] == {Name, Name.Function}
    assert kinds["Counter"] == {Name.Class}
    assert kinds["Printf"] == {Name.Function} and Name.Namespace in kinds["fmt"]
    assert kinds["0x1F"] == {Number.Hex}
    assert kinds["%d"] == {String.Interpol} and kinds["\\n"] == {String.Escape}
    assert kinds["'x'"] == {String.Char}
    # Lexing never produces an error token on valid source.
    assert not any(t in pygments.token.Error for t, _ in toks)
