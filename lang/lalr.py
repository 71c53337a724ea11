"""LALR(1) driver for the tables in lang/parse_tables.py.

The tables are generated from lang/grammar.lark by lang/gen_tables.py, with
Lark, at development time; this module only runs them, so a ``csp run``
never imports Lark.  Reductions call the builder's method named after the
rule (or its alias) with the rule's children, as Lark's inline transformer
would with ``keep_all_tokens=True, maybe_placeholders=True``: every token
is kept, an absent ``[optional]`` item is a ``None``, the children of an
inlined ``_rule`` (and of the ``x*`` helper rules) are spliced into their
parent, and a ``?rule`` alternative without alias passes a lone child up.

Invariants: the state stack and the value stack always have the same
length minus one (the start state has no value); ``parse`` either returns
the value of the start rule or raises ``UnexpectedToken`` (or whatever a
builder callback raises) and leaves no state behind.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from lang import parse_tables as _tables
from lang.lexer import Token

END = "$END"


class UnexpectedToken(Exception):
    """The parser cannot take ``token`` in its current state.

    ``expected`` holds the terminal names it would have taken;
    ``value_stack`` the values (tokens and built nodes) parsed so far, which
    lang/syntax_errors.py reads to tell which bracket is still open."""

    def __init__(self, token: Token, expected: set[str], value_stack: list[Any]) -> None:
        super().__init__(f"unexpected {token.type} {token.value!r}")
        self.token = token
        self.expected = expected
        self.value_stack = value_stack


class _Spliced(list[Any]):
    """The children of an inlined rule, to be spliced into its parent."""

    __slots__ = ()


Reducer = Callable[[list[Any]], Any]


def _first(children: list[Any]) -> Any:
    return children[0]


def _reducer(rule: tuple[Any, ...], builder: object) -> Reducer:
    name, length, _origin, expand1, include, trailing = rule
    if include is None and not trailing and expand1 and length == 1:
        return _first  # `?rule: other` always hands its one child up
    if name.startswith("_"):
        build: Reducer = _Spliced
    else:
        build = getattr(builder, name)
    if include is None and not trailing:
        if not expand1:
            return build

        def single(children: list[Any]) -> Any:
            return children[0] if len(children) == 1 else build(children)

        return single
    plan: Sequence[tuple[int, bool, int]] = include or ()

    def reduce(children: list[Any]) -> Any:
        kept: list[Any] = []
        for i, splice, nones in plan:
            if nones:
                kept.extend([None] * nones)
            if splice:
                kept.extend(children[i])
            else:
                kept.append(children[i])
        if trailing:
            kept.extend([None] * trailing)
        if expand1 and len(kept) == 1:
            return kept[0]
        return build(kept)

    return reduce


class Parser:
    """The grammar's LALR(1) parser, with reductions bound to ``builder``."""

    def __init__(self, builder: object) -> None:
        self.terminals: dict[str, str] = dict(_tables.TERMINALS)
        self._reducers: list[Reducer] = [_reducer(r, builder) for r in _tables.RULES]
        self._sizes: list[int] = [r[1] for r in _tables.RULES]
        self._targets: list[str] = [r[2] for r in _tables.RULES]

    def parse(self, tokens: Sequence[Token]) -> Any:
        """Parse the token list; return the start rule's value."""
        actions = _tables.ACTIONS
        gotos = _tables.GOTO
        reducers = self._reducers
        sizes = self._sizes
        targets = self._targets
        states = [_tables.START_STATE]
        values: list[Any] = []
        end_state = _tables.END_STATE
        last = tokens[-1] if tokens else None
        end = Token(END, "", 0, 1, 1, 1, 1, 0) if last is None else Token(
            END, "", last.end_pos, last.end_line, last.end_column,
            last.end_line, last.end_column, last.end_pos)
        for tok in (*tokens, end):
            kind = tok.type
            while True:
                state = states[-1]
                action = actions[state].get(kind)
                if action is None:
                    raise UnexpectedToken(tok, set(actions[state]), values)
                if action >= 0:
                    states.append(action)
                    values.append(tok)
                    break
                rule = ~action
                size = sizes[rule]
                if size:
                    children = values[-size:]
                    del states[-size:]
                    del values[-size:]
                else:
                    children = []
                value = reducers[rule](children)
                states.append(gotos[states[-1]][targets[rule]])
                values.append(value)
                if kind is END and states[-1] == end_state:
                    return value
        raise AssertionError("the end token was shifted")  # the tables never shift $END
