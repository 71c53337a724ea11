"""Turn the parser's ``UnexpectedToken`` into Go's syntax error wording.

Go says ``syntax error: unexpected X, expected Y`` (or ``... in argument
list; possibly missing comma or )``, ``... at end of statement``,
``non-declaration statement outside function body``).  We rebuild that from
what the parser knows when it stops: the offending token, the set of terminals it
would have accepted, and the parser's value stack, whose unreduced tokens
tell which brackets are still open and hence which list or block we are in.

Invariants: never raises; always returns a position inside the file and a
message starting with ``syntax error:``.  Wording follows Go >= 1.20
(``expected``, ``name x``, ``literal 1``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from lang.ast import Span
from lang.lalr import UnexpectedToken
from lang.lexer import Token

_DECL_KEYWORDS = ("func", "var", "const", "type", "import")
_STMT_KEYWORDS = ("if", "for", "switch", "select", "return", "go", "defer")
_CLAUSE_KEYWORDS = {"if": "if clause", "for": "for clause", "switch": "switch clause"}


def token_words(tok: Token) -> str:
    """How Go names a token in 'unexpected X'."""
    kind = tok.type
    if kind == "$END":
        return "EOF"
    if kind == "NAME":
        return f"name {tok.value}"
    if kind in ("INT", "FLOAT", "CHAR", "STRING"):
        return f"literal {tok.value}"
    if tok.value == "\n":
        return "newline"
    if tok.value == "":
        return "EOF"
    if tok.value == ";":
        return "semicolon"
    if tok.value == ",":
        return "comma"
    return str(tok.value)


def _expected_words(names: Collection[str], texts: Mapping[str, str]) -> list[str]:
    words = []
    for name in sorted(names):
        text = texts.get(name)
        if name == "NAME":
            words.append("name")
        elif name in ("INT", "FLOAT", "CHAR", "STRING"):
            words.append("literal")
        elif text == ";":
            words.append("semicolon or newline")
        elif text == ",":
            words.append("comma")
        elif text is not None:
            words.append(text)
    # Stable, readable order: punctuation Go tends to name first.
    order = {"comma": 0, ")": 1, "]": 2, "}": 3, "semicolon or newline": 4, "name": 5}
    words = sorted(set(words), key=lambda w: (order.get(w, 10), w))
    return words


def describe_unexpected(
    u: UnexpectedToken, tokens: Sequence[Token], terminals: Mapping[str, str], eof: Span
) -> tuple[Span, str]:
    """Position and Go-worded message for the token the parser could not take.
    ``eof`` is the position just past the last character of the file."""
    texts = {name: text for text, name in terminals.items()}
    tok: Token = u.token
    if tok.type == "$END" or tok.line is None or (tok.value == "" and tok.type != "NAME"):
        span = eof
        got = "EOF"
    else:
        line, col = tok.line or 1, tok.column or 1
        span = Span(line, col, tok.end_line or line, tok.end_column or col)
        got = token_words(tok)
    expected = {texts.get(e, e) for e in u.expected}
    stack: list[Any] = list(u.value_stack)
    missing = _missing_if_condition(tok, stack)
    if missing is not None:
        return missing
    return span, "syntax error: " + _message(got, tok, expected, stack, u.expected, texts)


def _missing_if_condition(tok: Token, stack: Sequence[Any]) -> tuple[Span, str] | None:
    """``if x; {`` or ``if x<newline>{``: Go names the semicolon, not the brace."""
    if tok.value != "{" or len(stack) < 3:
        return None
    semi, keyword = stack[-1], stack[-3]
    if not (isinstance(semi, Token) and isinstance(keyword, Token) and keyword.value == "if"):
        return None
    if semi.value not in (";", "\n"):
        return None
    line, col = semi.line or 1, semi.column or 1
    span = Span(line, col, line, col)
    if semi.value == ";":
        return span, "syntax error: missing condition in if statement"
    return span, "syntax error: unexpected newline, expected { after if clause"


def _open_bracket(stack: Sequence[Any]) -> tuple[int, Token | None]:
    """The innermost still-open bracket token on the value stack (closing
    tokens not yet reduced are matched off)."""
    depth = 0
    for i in range(len(stack) - 1, -1, -1):
        v = stack[i]
        if isinstance(v, Token):
            if v.value in (")", "]", "}"):
                depth += 1
            elif v.value in ("(", "[", "{"):
                if depth == 0:
                    return i, v
                depth -= 1
    return -1, None


def _message(
    got: str,
    tok: Token,
    expected: set[str],
    stack: Sequence[Any],
    expected_names: Collection[str],
    texts: Mapping[str, str],
) -> str:
    idx, bracket = _open_bracket(stack)
    if bracket is None:
        if tok.value == "import":
            return "imports must appear before other declarations"
        if "func" in expected and tok.value not in _DECL_KEYWORDS and ";" not in expected:
            if tok.type == "NAME" or tok.value in _STMT_KEYWORDS or tok.value == "{":
                return "non-declaration statement outside function body"
        if ";" in expected and got not in ("newline", "semicolon", "EOF"):
            return f"unexpected {got} after top level declaration"
    if bracket is not None:
        before = stack[idx - 1] if idx > 0 else None
        if bracket.value == "{" and "}" in expected and "for" in expected:
            return f"unexpected {got}, expected }}"
        if bracket.value == "{" and ";" in expected and "}" in expected:
            return f"unexpected {got} at end of statement"
        if bracket.value == "(" and "," in expected and ")" in expected:
            is_call = before is not None and not isinstance(before, Token)
            where = "argument list" if is_call else "parameter list"
            return f"unexpected {got} in {where}; possibly missing comma or )"
        if bracket.value == "{" and "," in expected and "}" in expected:
            return f"unexpected {got} in composite literal; possibly missing comma or }}"
    # A statement header waiting for its body.
    if "{" in expected:
        for v in reversed(stack[idx + 1 :]):
            if isinstance(v, Token) and v.value in _CLAUSE_KEYWORDS:
                if "INT" not in expected_names or got in ("newline", "semicolon"):
                    return f"unexpected {got}, expected {{ after {_CLAUSE_KEYWORDS[v.value]}"
                break
    if "INT" in expected_names:
        return f"unexpected {got}, expected expression"
    if "NAME" in expected_names and "map" in expected and "chan" in expected:
        return f"unexpected {got}, expected type"
    words = _expected_words(expected_names, texts)
    if not words:
        return f"unexpected {got}"
    if len(words) > 3:
        words = words[:3]
    return f"unexpected {got}, expected {' or '.join(words)}"
