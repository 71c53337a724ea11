#!/usr/bin/env python3
# Generates syntaxes/csp.tmLanguage.json, the TextMate grammar of .csp
# files, from lang/keywords.py (the one list of keywords, types, builtins
# and packages that the Pygments lexer also reads).
#
# Invariants:
# - The committed grammar is exactly what `python gen_grammar.py` writes;
#   tests/test_highlight.py fails when it is stale (run this script after
#   editing lang/keywords.py or this file).
# - Every keyword of lang.keywords.KEYWORDS appears in exactly one keyword
#   rule; the concurrency keywords and `<-` have scopes of their own
#   (`keyword.control.concurrency.*`, `keyword.operator.channel`) so that a
#   theme can colour them apart from the rest.
# - Regexes use only the syntax shared by Oniguruma and Python's `re`, so
#   the Python tests can run the keyword rules directly.
#
# Usage: python editors/vscode/gen_grammar.py [--check]
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent))

from lang import keywords as K  # noqa: E402  (needs the repo root on sys.path)

GRAMMAR_PATH = HERE / "syntaxes" / "csp.tmLanguage.json"

Rule = dict[str, Any]


def words(ws: tuple[str, ...] | list[str]) -> str:
    """A regex alternation of whole words, longest first so that no word
    shadows a longer one with the same prefix."""
    return r"\b(?:" + "|".join(sorted(ws, key=lambda w: (-len(w), w))) + r")\b"


IDENT = r"[A-Za-z_][A-Za-z0-9_]*"

# Go's number literals (spec, "Integer literals" / "Floating-point
# literals" / "Imaginary literals"); an underscore may separate digits.
DEC = r"[0-9](?:_?[0-9])*"
HEX = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
EXP = r"[eE][+-]?" + DEC
NUM_START = r"(?<![\w.])"
NUM_END = r"(?![\w.])"


def keyword_scope(word: str) -> str:
    """The scope a keyword gets: one place decides it for the grammar."""
    if word in K.CONCURRENCY_KEYWORDS:
        return f"keyword.control.concurrency.{word}.csp"
    if word in ("package", "import"):
        return f"keyword.other.{word}.csp"
    if word in K.DECLARATION_KEYWORDS:
        return f"storage.type.{word}.csp"
    return "keyword.control.csp"


def keyword_rules() -> list[Rule]:
    rules: list[Rule] = []
    for word in K.CONCURRENCY_KEYWORDS:
        rules.append({"match": words([word]), "name": keyword_scope(word)})
    for word in ("package", "import"):
        rules.append({"match": words([word]), "name": keyword_scope(word)})
    for word in K.DECLARATION_KEYWORDS:
        if word not in ("package", "import"):
            rules.append({"match": words([word]), "name": keyword_scope(word)})
    rules.append({"match": words(K.CONTROL_KEYWORDS), "name": "keyword.control.csp"})
    return rules


def number_rules() -> list[Rule]:
    imag = "(i)?"
    imag_cap = {"name": "constant.numeric.imaginary.suffix.csp"}

    def rule(body: str, name: str) -> Rule:
        return {
            "match": NUM_START + "(?:" + body + ")" + imag + NUM_END,
            "name": name,
            "captures": {"1": imag_cap},
        }

    hex_mantissa = r"0[xX](?:_?" + HEX + r"(?:\.(?:" + HEX + r")?)?|\." + HEX + ")"
    return [
        rule(hex_mantissa + r"[pP][+-]?" + DEC, "constant.numeric.float.hex.csp"),
        rule(r"0[xX](?:_?[0-9a-fA-F])+", "constant.numeric.hex.csp"),
        rule(r"0[bB](?:_?[01])+", "constant.numeric.binary.csp"),
        rule(r"0[oO](?:_?[0-7])+", "constant.numeric.octal.csp"),
        rule(
            DEC + r"\.(?:" + DEC + ")?(?:" + EXP + ")?|" + DEC + EXP + r"|\." + DEC
            + "(?:" + EXP + ")?",
            "constant.numeric.float.csp",
        ),
        rule(r"0(?:_?[0-7])+", "constant.numeric.octal.legacy.csp"),
        rule(r"0|[1-9](?:_?[0-9])*", "constant.numeric.decimal.csp"),
        {"match": NUM_START + r"[0-9][\w.]*", "name": "invalid.illegal.number.csp"},
    ]


# Format verbs of fmt's Printf family: %[flags][width][.prec]verb, with
# optional explicit argument indexes (%[1]d).
FORMAT_VERB = (
    r"%(?:\[\d+\])?[-+# 0]*(?:\[\d+\])?(?:\d+|\*)?(?:\.(?:\[\d+\])?(?:\d+|\*)?)?"
    r"(?:\[\d+\])?[vTtbcdoOqxXUeEfFgGsp]|%%"
)


def escape_rules(quote: str) -> list[Rule]:
    """Go's escapes; `\\'` is valid only in runes and `\\"` only in strings."""
    return [
        {
            "match": r"\\(?:[abfnrtv\\" + quote + r"]|[0-7]{3}|x[0-9a-fA-F]{2}"
            r"|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})",
            "name": "constant.character.escape.csp",
        },
        {"match": r"\\.", "name": "invalid.illegal.unknown-escape.csp"},
    ]


def build() -> dict[str, Any]:
    packages = "(?:" + "|".join(sorted(K.PACKAGES, key=lambda w: (-len(w), w))) + ")"
    repository: dict[str, Rule] = {
        "comments": {
            "patterns": [
                {
                    "begin": r"/\*",
                    "end": r"\*/",
                    "name": "comment.block.csp",
                    "beginCaptures": {"0": {"name": "punctuation.definition.comment.begin.csp"}},
                    "endCaptures": {"0": {"name": "punctuation.definition.comment.end.csp"}},
                },
                {
                    "begin": "//",
                    "end": "$",
                    "name": "comment.line.double-slash.csp",
                    "beginCaptures": {"0": {"name": "punctuation.definition.comment.csp"}},
                },
            ]
        },
        "strings": {
            "patterns": [
                {
                    "begin": '"',
                    "end": '"|$',
                    "name": "string.quoted.double.csp",
                    "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.csp"}},
                    "endCaptures": {"0": {"name": "punctuation.definition.string.end.csp"}},
                    "patterns": escape_rules('"') + [{"include": "#format-verbs"}],
                },
                {
                    "begin": "`",
                    "end": "`",
                    "name": "string.quoted.raw.csp",
                    "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.csp"}},
                    "endCaptures": {"0": {"name": "punctuation.definition.string.end.csp"}},
                    "patterns": [{"include": "#format-verbs"}],
                },
                {
                    "begin": "'",
                    "end": "'|$",
                    "name": "string.quoted.rune.csp",
                    "beginCaptures": {"0": {"name": "punctuation.definition.string.begin.csp"}},
                    "endCaptures": {"0": {"name": "punctuation.definition.string.end.csp"}},
                    "patterns": escape_rules("'"),
                },
            ]
        },
        "format-verbs": {
            "patterns": [{"match": FORMAT_VERB, "name": "constant.other.placeholder.csp"}]
        },
        "function-declaration": {
            "comment": "func Name( / func (r *Recv) Name(",
            "match": r"^\s*(func)\s+(?:(\()\s*(?:(" + IDENT + r")\s+)?(\*)?\s*(" + IDENT
            + r")\s*(\))\s*)?(" + IDENT + r")\s*(?=\()",
            "captures": {
                "1": {"name": keyword_scope("func")},
                "2": {"name": "punctuation.definition.parameters.begin.csp"},
                "3": {"name": "variable.parameter.receiver.csp"},
                "4": {"name": "keyword.operator.pointer.csp"},
                "5": {"name": "entity.name.type.receiver.csp"},
                "6": {"name": "punctuation.definition.parameters.end.csp"},
                "7": {"name": "entity.name.function.csp"},
            },
        },
        "type-declaration": {
            "comment": "type Name ... (single declarations and lines of a type group)",
            "match": r"\b(type)\s+(" + IDENT + r")\b",
            "captures": {
                "1": {"name": keyword_scope("type")},
                "2": {"name": "entity.name.type.csp"},
            },
        },
        "package-members": {
            "patterns": [
                {
                    "match": r"\b(" + packages + r")(\.)(" + IDENT + r")(?=\s*\()",
                    "captures": {
                        "1": {"name": "entity.name.namespace.csp"},
                        "2": {"name": "punctuation.accessor.csp"},
                        "3": {"name": "support.function.csp"},
                    },
                },
                {
                    "match": r"\b(" + packages + r")(\.)(" + IDENT + r")\b",
                    "captures": {
                        "1": {"name": "entity.name.namespace.csp"},
                        "2": {"name": "punctuation.accessor.csp"},
                        "3": {"name": "support.variable.member.csp"},
                    },
                },
            ]
        },
        "keywords": {"patterns": keyword_rules()},
        "constants": {
            "patterns": [
                {"match": words(K.BUILTIN_CONSTANTS), "name": "constant.language.csp"}
            ]
        },
        "builtins": {
            "comment": "only when called, so that a variable named max or new stays a name",
            "patterns": [
                {
                    "match": words(K.BUILTIN_FUNCTIONS) + r"(?=\s*\()",
                    "name": "support.function.builtin.csp",
                }
            ],
        },
        "types": {
            "patterns": [
                {"match": words(K.PREDECLARED_TYPES), "name": "support.type.builtin.csp"}
            ]
        },
        "numbers": {"patterns": number_rules()},
        "operators": {
            "patterns": [
                {"match": "<-", "name": "keyword.operator.channel.csp"},
                {"match": ":=", "name": "keyword.operator.assignment.define.csp"},
                {
                    "match": r"(?:<<|>>|&\^|[-+*/%&|^])=",
                    "name": "keyword.operator.assignment.compound.csp",
                },
                {"match": r"\+\+|--", "name": "keyword.operator.increment-decrement.csp"},
                {"match": r"&&|\|\||!(?!=)", "name": "keyword.operator.logical.csp"},
                {"match": r"==|!=|<=|>=|<(?!<)|>(?!>)", "name": "keyword.operator.comparison.csp"},
                {"match": r"<<|>>|&\^|[&|^]", "name": "keyword.operator.bitwise.csp"},
                {"match": r"[-+*/%]", "name": "keyword.operator.arithmetic.csp"},
                {"match": r"\.\.\.", "name": "keyword.operator.variadic.csp"},
                {"match": "=", "name": "keyword.operator.assignment.csp"},
            ]
        },
        "function-calls": {
            "patterns": [
                {
                    "match": r"\b(" + IDENT + r")(?=\s*\()",
                    "captures": {"1": {"name": "entity.name.function.call.csp"}},
                }
            ]
        },
        "punctuation": {
            "patterns": [
                {"match": ",", "name": "punctuation.separator.comma.csp"},
                {"match": ";", "name": "punctuation.terminator.csp"},
                {"match": r"\.", "name": "punctuation.accessor.csp"},
                {"match": r"[{}]", "name": "punctuation.definition.block.csp"},
                {"match": r"[()]", "name": "punctuation.definition.parens.csp"},
                {"match": r"[\[\]]", "name": "punctuation.definition.brackets.csp"},
                {"match": ":", "name": "punctuation.separator.colon.csp"},
            ]
        },
    }
    order = [
        "comments", "strings", "function-declaration", "type-declaration",
        "package-members", "keywords", "constants", "builtins", "types", "numbers",
        "operators", "function-calls", "punctuation",
    ]
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "comment": "GENERATED by editors/vscode/gen_grammar.py from lang/keywords.py; do not edit.",
        "name": "CSP",
        "scopeName": "source.csp",
        "fileTypes": ["csp"],
        "patterns": [{"include": "#" + name} for name in order],
        "repository": repository,
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = GRAMMAR_PATH.read_text(encoding="utf-8") if GRAMMAR_PATH.exists() else ""
        if current != text:
            print(f"{GRAMMAR_PATH} is out of date: run python gen_grammar.py", file=sys.stderr)
            return 1
        print(f"{GRAMMAR_PATH.name} is up to date")
        return 0
    GRAMMAR_PATH.parent.mkdir(parents=True, exist_ok=True)
    GRAMMAR_PATH.write_text(text, encoding="utf-8")
    print(f"wrote {GRAMMAR_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
