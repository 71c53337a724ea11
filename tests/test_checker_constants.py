"""Exact constant arithmetic (lang/constants.py)."""

from __future__ import annotations

from fractions import Fraction

from lang import constants as C
from lang import types as T


def test_literals_parse_exactly() -> None:
    assert C.parse_literal("INT", "0x_1F") == 31
    assert C.parse_literal("INT", "017") == 15
    assert C.parse_literal("INT", "0b101") == 5
    assert C.parse_literal("FLOAT", "1e3") == 1000
    assert C.parse_literal("FLOAT", "0.1") == Fraction(1, 10)
    assert C.parse_literal("FLOAT", "0x1p-2") == Fraction(1, 4)
    assert C.parse_literal("CHAR", "'\\n'") == 10
    assert C.parse_literal("CHAR", "'é'") == 0xE9
    assert C.parse_literal("STRING", '"\\x41\\u00e9"') == "Aé"
    assert C.parse_literal("STRING", "`a\\n`") == "a\\n"
    # A lone invalid UTF-8 byte survives as a surrogate escape.
    assert C.parse_literal("STRING", '"\\xff"') == "\udcff"


def test_representability() -> None:
    assert C.represent(255, T.UINT8) == (255, "")
    assert C.represent(256, T.UINT8) == (None, "overflows")
    assert C.represent(Fraction(3, 2), T.INT) == (None, "truncated")
    assert C.represent(Fraction(4, 2), T.INT) == (2, "")
    assert C.represent(Fraction(1, 10), T.FLOAT64) == (Fraction(0.1), "")
    assert C.represent(Fraction(10) ** 400, T.FLOAT64) == (None, "overflows")
    assert C.represent("a", T.INT) == (None, "")


def test_arithmetic() -> None:
    assert C.binary("/", -7, 2, True) == -3
    assert C.binary("%", -7, 2, True) == -1
    assert C.binary("/", 1, 3, False) == Fraction(1, 3)
    assert C.binary("&^", 0b1111, 0b0101, True) == 0b1010
    assert C.unary("^", 1, T.UINT8) == 254
    assert C.unary("^", 1, T.UNTYPED_INT) == -2
    assert C.shift("<<", 1, 100) == 2 ** 100
    assert C.compare("<", "a", "b") and not C.compare("==", 1, Fraction(3, 2))


def test_final_values_and_spelling() -> None:
    assert C.final_value(Fraction(1, 2), T.FLOAT64) == 0.5
    assert isinstance(C.final_value(3, T.FLOAT64), float)
    assert C.final_value(Fraction(6, 3), T.INT) == 2
    assert C.format_value(Fraction(3, 2)) == "1.5"
    assert C.format_value(2 ** 64) == "18446744073709551616"
    assert C.format_value("a\n") == '"a\\n"'
