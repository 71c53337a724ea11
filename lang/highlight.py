# Pygments lexer for .csp files (Go syntax), registered as the "csp" lexer
# through the `pygments.lexers` entry point in pyproject.toml, and used by
# the REPL and docs for colouring.
#
# Invariants:
# - Keywords, types, builtins, constants and package names come from
#   lang/keywords.py, the same source the VS Code grammar is generated
#   from; tests/test_highlight.py checks both classify every word alike.
# - The concurrency keywords get Keyword.Concurrency and `<-` gets
#   Operator.Channel, so a style can make them stand out (both fall back
#   to Keyword / Operator colours in every standard style).
# - Builtin functions are Name.Builtin only when called (`max := 3` keeps
#   `max` a plain name), as in the grammar.
from __future__ import annotations

from typing import ClassVar

# Pygments ships no type information (types-Pygments is not a dependency).
from pygments.lexer import RegexLexer, bygroups, words  # type: ignore[import-untyped]
from pygments.token import (  # type: ignore[import-untyped]
    Comment,
    Keyword,
    Name,
    Number,
    Operator,
    Punctuation,
    String,
    Text,
    Whitespace,
    _TokenType,
)

from lang import keywords as K

Concurrency = Keyword.Concurrency
Channel = Operator.Channel

_DEC = r"[0-9](?:_?[0-9])*"
_HEX = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_EXP = r"[eE][+-]?" + _DEC
_END = r"i?(?![\w.])"
_START = r"(?<![\w.])"
_IDENT = r"[A-Za-z_]\w*"
_PACKAGES = "|".join(sorted(K.PACKAGES, key=lambda w: (-len(w), w)))


class CspLexer(RegexLexer):  # type: ignore[misc]
    """Lexer for csp, the Go subset with Go-style concurrency."""

    name = "csp"
    aliases: ClassVar[list[str]] = ["csp"]
    filenames: ClassVar[list[str]] = ["*.csp"]
    mimetypes: ClassVar[list[str]] = ["text/x-csp"]
    url = "https://go.dev/ref/spec"

    tokens: ClassVar[dict[str, list[tuple[str, _TokenType] | tuple[str, object, str]
                                       | tuple[str, object]]]] = {
        "root": [
            (r"\n", Whitespace),
            (r"\s+", Whitespace),
            (r"//[^\n]*", Comment.Single),
            (r"/\*(?:.|\n)*?\*/", Comment.Multiline),
            (r"`[^`]*`", String.Backtick),
            (r'"', String.Double, "string"),
            (r"'(?:\\(?:[abfnrtv\\']|[0-7]{3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}"
             r"|U[0-9a-fA-F]{8})|[^\\'\n])'", String.Char),
            (r"(func)(\s+)(\()(\s*)(?:(" + _IDENT + r")(\s+))?(\*?)(\s*)(" + _IDENT
             + r")(\s*)(\))(\s*)(" + _IDENT + r")",
             bygroups(Keyword.Declaration, Whitespace, Punctuation, Whitespace, Name.Variable,
                      Whitespace, Operator, Whitespace, Name.Class, Whitespace, Punctuation,
                      Whitespace, Name.Function)),
            (r"(func)(\s+)(" + _IDENT + r")(?=\s*\()",
             bygroups(Keyword.Declaration, Whitespace, Name.Function)),
            (r"(type)(\s+)(" + _IDENT + r")\b",
             bygroups(Keyword.Declaration, Whitespace, Name.Class)),
            (r"\b(" + _PACKAGES + r")(\.)(" + _IDENT + r")(?=\s*\()",
             bygroups(Name.Namespace, Punctuation, Name.Function)),
            (r"\b(" + _PACKAGES + r")(\.)(" + _IDENT + r")\b",
             bygroups(Name.Namespace, Punctuation, Name.Other)),
            (words(K.CONCURRENCY_KEYWORDS, suffix=r"\b"), Concurrency),
            (words(("package", "import"), suffix=r"\b"), Keyword.Namespace),
            (words(tuple(k for k in K.DECLARATION_KEYWORDS if k not in ("package", "import")),
                   suffix=r"\b"), Keyword.Declaration),
            (words(K.CONTROL_KEYWORDS, suffix=r"\b"), Keyword),
            (words(K.BUILTIN_CONSTANTS, suffix=r"\b"), Keyword.Constant),
            (words(K.PREDECLARED_TYPES, suffix=r"\b"), Keyword.Type),
            (words(K.BUILTIN_FUNCTIONS, suffix=r"\b(?=\s*\()"), Name.Builtin),
            # Numbers, most specific first (hex floats before hex ints ...).
            (_START + r"0[xX](?:_?" + _HEX + r"(?:\.(?:" + _HEX + r")?)?|\." + _HEX
             + r")[pP][+-]?" + _DEC + _END, Number.Float),
            (_START + r"0[xX](?:_?[0-9a-fA-F])+" + _END, Number.Hex),
            (_START + r"0[bB](?:_?[01])+" + _END, Number.Bin),
            (_START + r"0[oO](?:_?[0-7])+" + _END, Number.Oct),
            (_START + r"(?:" + _DEC + r"\.(?:" + _DEC + r")?(?:" + _EXP + r")?|" + _DEC + _EXP
             + r"|\." + _DEC + r"(?:" + _EXP + r")?)" + _END, Number.Float),
            (_START + r"0(?:_?[0-7])+" + _END, Number.Oct),
            (_START + r"(?:0|[1-9](?:_?[0-9])*)" + _END, Number.Integer),
            (r"<-", Channel),
            (r"(?:<<|>>|&\^|[-+*/%&|^])=|:=|\+\+|--|&&|\|\||==|!=|<=|>=|<<|>>|&\^"
             r"|\.\.\.|[-+*/%&|^<>=!]", Operator),
            (r"[{}()\[\],;.:]", Punctuation),
            (_IDENT, Name),
            (r".", Text),
        ],
        "string": [
            (r'"', String.Double, "#pop"),
            (r"\\(?:[abfnrtv\\\"]|[0-7]{3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})",
             String.Escape),
            (r"%(?:\[\d+\])?[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*)?)?[vTtbcdoOqxXUeEfFgGsp]|%%",
             String.Interpol),
            (r"\n", String.Double, "#pop"),
            (r'[^"\\%\n]+|[\\%]', String.Double),
        ],
    }
