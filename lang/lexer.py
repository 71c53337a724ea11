"""Go tokenizer with automatic semicolon insertion, feeding the LALR parser.

The whole file is scanned up front into a list of ``Token``s (a list is
faster to produce and lets scanner errors be reported before parsing starts).

Invariants:
- Positions are Go's: 1-based line, 1-based *byte* column (UTF-8), and the
  end position is just past the token.  ``start_pos``/``end_pos`` are str
  indexes into the source.
- Fixed tokens (operators, punctuation, keywords) get the grammar's terminal name
  found in ``terminals`` (literal text -> terminal name, taken from the
  compiled grammar); a literal text the grammar never uses keeps its own text
  as type, which the parser reports as unexpected.  Other kinds are NAME,
  INT, FLOAT, CHAR, STRING.
- Semicolons: an explicit ``;`` has value ``";"``; one inserted at a newline
  (or a ``/* */`` comment spanning lines) has value ``"\\n"``; one inserted
  at end of file has value ``""``.  All have the terminal of ``";"``.
  Go's rule: a newline ends the statement after an identifier, a literal,
  ``break continue fallthrough return`` or ``++ -- ) ] }``.
- Raw strings have ``\\r`` removed from their text (Go drops it from the
  value); every other literal keeps its source text exactly.
- Scanner errors never raise: they are collected as ``LexError`` values and
  scanning goes on past the bad character.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from lang.records import record


class Token:
    """One scanned token.  ``type`` is its terminal name, ``value`` its text;
    the attribute names are Lark's, which the grammar's terminals follow."""

    __slots__ = ("type", "value", "start_pos", "line", "column", "end_line", "end_column",
                 "end_pos")

    def __init__(self, type: str, value: str, start_pos: int, line: int, column: int,
                 end_line: int, end_column: int, end_pos: int) -> None:
        self.type = type
        self.value = value
        self.start_pos = start_pos
        self.line = line
        self.column = column
        self.end_line = end_line
        self.end_column = end_column
        self.end_pos = end_pos

    def __repr__(self) -> str:
        return f"Token({self.type!r}, {self.value!r})"


KEYWORDS = frozenset(
    {
        "break", "case", "chan", "const", "continue", "default", "defer", "else",
        "fallthrough", "for", "func", "go", "goto", "if", "import", "interface",
        "map", "package", "range", "return", "select", "struct", "switch", "type",
        "var",
    }
)

# Longest operators first so that the alternation picks the maximal munch.
OPERATORS = (
    "&^=", "<<=", ">>=", "...",
    "&&", "||", "<-", "++", "--", "==", "!=", "<=", ">=", ":=", "+=", "-=", "*=",
    "/=", "%=", "&=", "|=", "^=", "<<", ">>", "&^",
    "+", "-", "*", "/", "%", "&", "|", "^", "<", ">", "=", "!", "(", ")", "[",
    "]", "{", "}", ",", ";", ".", ":", "~",
)

# Tokens after which a newline becomes a semicolon (besides names/literals).
_SEMI_AFTER_TEXT = frozenset(
    {"break", "continue", "fallthrough", "return", "++", "--", ")", "]", "}"}
)

_DIGITS = r"[0-9](?:_?[0-9])*"
_HEX = r"[0-9a-fA-F](?:_?[0-9a-fA-F])*"
_EXP = rf"[eE][+-]?{_DIGITS}"
_FLOAT = (
    rf"0[xX]_?(?:{_HEX})?(?:\.(?:{_HEX})?)?[pP][+-]?{_DIGITS}"
    rf"|{_DIGITS}\.(?:{_DIGITS})?(?:{_EXP})?"
    rf"|{_DIGITS}{_EXP}"
    rf"|\.{_DIGITS}(?:{_EXP})?"
)
_INT = rf"0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|{_DIGITS}"

_MASTER = re.compile(
    r"(?P<ws>[ \t\r]+)"
    r"|(?P<nl>\n)"
    r"|(?P<lcomment>//[^\n]*)"
    r"|(?P<bcomment>/\*.*?\*/)"
    r"|(?P<openc>/\*)"
    r"|(?P<name>[^\W\d]\w*)"
    rf"|(?P<float>(?:{_FLOAT})(?![0-9a-zA-Z_.]))"
    rf"|(?P<int>(?:{_INT})(?![0-9a-zA-Z_.]))"
    r"|(?P<badnum>(?:0[xXoObB])?[0-9][0-9a-zA-Z_]*(?:\.[0-9a-zA-Z_]*)?)"
    r"|(?P<char>'(?:[^'\\\n]|\\[^\n])*')"
    r'|(?P<string>"(?:[^"\\\n]|\\[^\n])*")'
    r"|(?P<raw>`[^`]*`)"
    r"|(?P<op>" + "|".join(re.escape(o) for o in OPERATORS) + ")",
    re.DOTALL,
)

_ESCAPE = re.compile(
    r"\\(?:[abfnrtv\\'\"]|[0-7]{3}|x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8})"
)


@record(frozen=True)
class LexError:
    """A scanner error at (line, byte column); message as Go's scanner says it."""

    line: int
    col: int
    message: str


class _Lines:
    """Maps str indexes to Go (line, byte column) positions."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.starts = [0]
        for m in re.finditer("\n", source):
            self.starts.append(m.end())
        self.ascii = source.isascii()

    def col(self, line: int, pos: int) -> int:
        start = self.starts[line - 1]
        if self.ascii:
            return pos - start + 1
        return len(self.source[start:pos].encode("utf-8", "surrogatepass")) + 1


def _check_escapes(text: str, quote: str) -> str | None:
    """Return an error message for a bad escape inside a quoted literal."""
    i = text.find("\\")
    while i >= 0:
        m = _ESCAPE.match(text, i)
        if m is None or (m.group() == "\\'" and quote == '"') or (
            m.group() == '\\"' and quote == "'"
        ):
            return "unknown escape"
        body = m.group()
        if body[1] in "uU":
            cp = int(body[2:], 16)
            if cp > 0x10FFFF or 0xD800 <= cp < 0xE000:
                return "escape is invalid Unicode code point"
        elif body[1] in "01234567" and int(body[1:], 8) > 255:
            return "octal escape value > 255"
        i = text.find("\\", m.end())
    return None


def _check_int(text: str) -> str | None:
    if len(text) > 1 and text[0] == "0" and text[1] in "0123456789_":
        bad = next((c for c in text if c in "89"), None)
        if bad is not None:
            return f"invalid digit '{bad}' in octal literal"
    return None


def _describe_bad_number(text: str) -> str:
    low = text.lower()
    if low.startswith("0x") and len(text) == 2:
        return "hexadecimal literal has no digits"
    if low.startswith("0b") and len(text) == 2:
        return "binary literal has no digits"
    if low.startswith("0o") and len(text) == 2:
        return "octal literal has no digits"
    if "__" in text or text.endswith("_"):
        return "'_' must separate successive digits"
    for ch in text[2:] if low[:2] in ("0x", "0b", "0o") else text:
        if not (ch.isdigit() or ch in "_."):
            base = {"0b": "binary", "0o": "octal", "0x": "hexadecimal"}.get(low[:2], "decimal")
            return f"invalid digit {ch!r} in {base} literal"
    return f"invalid number literal {text}"


def tokenize(
    source: str, terminals: Mapping[str, str]
) -> tuple[list[Token], list[LexError]]:
    """Scan ``source`` into tokens; see the module header for the rules."""
    lines = _Lines(source)
    semi = terminals.get(";", ";")
    toks: list[Token] = []
    errors: list[LexError] = []
    pos = 0
    line = 1
    n = len(source)
    need_semi = False  # would a newline here insert a semicolon?
    match = _MASTER.match

    def emit(kind: str, text: str, start: int, end: int, end_line: int) -> None:
        col = lines.col(line, start)
        end_col = lines.col(end_line, end)
        toks.append(Token(kind, text, start, line, col, end_line, end_col, end))

    def error(at: int, msg: str, at_line: int | None = None) -> None:
        ln = line if at_line is None else at_line
        errors.append(LexError(ln, lines.col(ln, at), msg))

    while pos < n:
        m = match(source, pos)
        if m is None:
            ch = source[pos]
            if ch == '"':
                nl = source.find("\n", pos)
                error(pos, "newline in string" if nl >= 0 else "string literal not terminated")
                pos = nl if nl >= 0 else n
            elif ch == "'":
                nl = source.find("\n", pos)
                error(pos, "newline in rune literal" if nl >= 0 else "rune literal not terminated")
                pos = nl if nl >= 0 else n
            elif ch == "`":
                error(pos, "raw string literal not terminated")
                pos = n
            elif source.startswith("/*", pos):
                error(pos, "comment not terminated")
                pos = n
            else:
                shown = f" '{ch}'" if ch.isprintable() else ""
                error(pos, f"invalid character U+{ord(ch):04X}{shown}")
                pos += 1
            continue
        kind = m.lastgroup
        text = m.group()
        end = m.end()
        if kind == "ws":
            pos = end
            continue
        if kind == "nl":
            if need_semi:
                emit(semi, "\n", pos, pos, line)
                need_semi = False
            line += 1
            pos = end
            continue
        if kind == "lcomment":
            pos = end
            continue
        if kind == "openc":
            error(pos, "comment not terminated")
            break
        if kind == "bcomment":
            newlines = text.count("\n")
            if newlines:
                if need_semi:
                    emit(semi, "\n", pos, pos, line)
                    need_semi = False
                line += newlines
            pos = end
            continue
        if kind == "name":
            if text in KEYWORDS:
                emit(terminals.get(text, text.upper()), text, pos, end, line)
                need_semi = text in _SEMI_AFTER_TEXT
            else:
                emit("NAME", text, pos, end, line)
                need_semi = True
        elif kind == "op":
            emit(terminals.get(text, text), text, pos, end, line)
            need_semi = text in _SEMI_AFTER_TEXT
        elif kind == "int":
            msg = _check_int(text)
            if msg is not None:
                error(pos, msg)
            emit("INT", text, pos, end, line)
            need_semi = True
        elif kind == "float":
            emit("FLOAT", text, pos, end, line)
            need_semi = True
        elif kind == "badnum":
            error(pos, _describe_bad_number(text))
            emit("INT", "0", pos, end, line)
            need_semi = True
        elif kind == "char":
            body = text[1:-1]
            if body == "":
                error(pos, "empty rune literal or unescaped ' in rune literal")
            else:
                msg = _check_escapes(body, "'")
                if msg is not None:
                    error(pos, msg)
                elif not (_ESCAPE.fullmatch(body) or len(body) == 1):
                    error(pos, "more than one character in rune literal")
            emit("CHAR", text, pos, end, line)
            need_semi = True
        elif kind == "string":
            msg = _check_escapes(text[1:-1], '"')
            if msg is not None:
                error(pos, msg)
            emit("STRING", text, pos, end, line)
            need_semi = True
        else:  # raw string, may span lines
            end_line = line + text.count("\n")
            emit("STRING", text.replace("\r", ""), pos, end, end_line)
            line = end_line
            need_semi = True
        pos = end
    if need_semi:
        emit(semi, "", n, n, line)
    return toks, errors
