"""lang/records.py: @record behaves as the dataclass subset csp relies on."""

from __future__ import annotations

import copy
import pickle

import pytest

from lang.records import FrozenInstanceError, field, field_names, record, replace


@record(frozen=True)
class Point:
    x: int
    y: int = 0


@record
class Box:
    items: list[int] = field(default_factory=list)
    label: str = "box"


@record(eq=False)
class Node:
    name: str


@record(slots=False)
class Options:
    seed: int = 1
    tags: list[str] = field(default_factory=list)


@record(eq=False)
class Keyed:
    name: str

    def __hash__(self) -> int:
        return 42

    def __repr__(self) -> str:
        return f"<{self.name}>"


@record(frozen=True)
class Six:
    a: int
    b: int
    c: int
    d: int
    e: int
    f: int
    g: int = 7


def test_construction_positional_keyword_and_defaults() -> None:
    assert Point(1, 2) == Point(x=1, y=2) == Point(1, y=2)
    assert Point(3).y == 0
    assert Six(1, 2, 3, 4, 5, 6).g == 7
    assert Six(1, 2, 3, 4, 5, 6, 8).g == 8
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"
    assert Point.__match_args__ == ("x", "y") and field_names(Point) == ("x", "y")


def test_wrong_calls_raise_type_error_as_dataclass_would() -> None:
    with pytest.raises(TypeError, match="missing 1 required argument"):
        Point()  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'z'"):
        Point(1, z=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'x'"):
        Point(1, x=2)  # type: ignore[misc]
    with pytest.raises(TypeError, match="positional arguments"):
        Point(1, 2, 3)  # type: ignore[call-arg]


def test_default_factories_give_each_instance_its_own_value() -> None:
    a, b = Box(), Box()
    a.items.append(1)
    assert b.items == [] and a.label == "box"
    o1, o2 = Options(), Options()
    o1.tags.append("x")
    assert o2.tags == [] and o1.seed == 1


def test_equality_and_hashing() -> None:
    assert Point(1, 2) == Point(1, 2) and Point(1, 2) != Point(2, 1)
    assert hash(Point(1, 2)) == hash(Point(1, 2))
    assert len({Point(1, 2), Point(1, 2), Point(0, 0)}) == 2
    assert Box([1]) == Box([1])
    with pytest.raises(TypeError):
        hash(Box())  # eq and not frozen: unhashable, as with dataclass
    n = Node("a")
    assert n != Node("a") and n == n
    assert {n: 1}[n] == 1
    assert Point(1, 2) != (1, 2)


def test_frozen_records_refuse_assignment() -> None:
    p = Point(1, 2)
    with pytest.raises(FrozenInstanceError):
        p.x = 3  # type: ignore[misc]
    with pytest.raises(FrozenInstanceError):
        del p.x  # type: ignore[misc]
    b = Box()
    b.label = "changed"
    assert b.label == "changed"


def test_slots_and_plain_classes() -> None:
    assert not hasattr(Point(1), "__dict__")
    with pytest.raises(AttributeError):
        Box().other = 1  # type: ignore[attr-defined]
    o = Options()
    o.extra = 1  # type: ignore[attr-defined]
    assert o.extra == 1  # type: ignore[attr-defined]


def test_the_class_body_wins_over_generated_methods() -> None:
    k = Keyed("k")
    assert hash(k) == 42 and repr(k) == "<k>"


def test_replace_pickle_and_copy() -> None:
    p = Point(1, 2)
    assert replace(p, y=5) == Point(1, 5)
    with pytest.raises(TypeError, match="no field 'z'"):
        replace(p, z=1)
    assert pickle.loads(pickle.dumps(p)) == p
    assert copy.deepcopy(p) == p and copy.copy(Box([1])) == Box([1])
    assert pickle.loads(pickle.dumps(Six(1, 2, 3, 4, 5, 6))) == Six(1, 2, 3, 4, 5, 6)
    n = pickle.loads(pickle.dumps(Node("q")))
    assert n.name == "q"
