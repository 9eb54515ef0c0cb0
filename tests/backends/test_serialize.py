"""Serialization: exact round trips, import paths, clear errors."""

from __future__ import annotations

import enum
import json
import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given

from typedspace import (
    Choice,
    Cond,
    Const,
    Custom,
    IntLogUniform,
    IntUniform,
    LogNormal,
    LogUniform,
    Map,
    Normal,
    SerializationError,
    Space,
    Tuple,
    Uniform,
    as_space,
    flatten,
    from_json,
    param,
    record,
    space_of,
    to_json,
)
from typedspace.distributions import Beta, BoundedPoisson
from typedspace.testing import spaces
from typedspace.testing.strategies import PairRecord, identity, pair, triple


class Kernel(enum.Enum):
    RBF = "rbf"
    POLY = "poly"


@record
class Svm:
    c: float = param(LogUniform(1e-3, 1e3))
    kernel: Kernel = param(Choice(Kernel.RBF, Kernel.POLY))


def scale(x: float, k: int) -> float:
    return x * k


EVERY_NODE = as_space(
    {
        "u": Uniform(-1.0, 1.0, q=0.25, name="u_named"),
        "lu": LogUniform(1e-5, 1e-1),
        "n": Normal(0.0, 2.0, q=0.5),
        "ln": LogNormal(0.0, 1.0),
        "i": IntUniform(1, 4),
        "il": IntLogUniform(1, 1024),
        "c": Choice("relu", {"kind": "leaky", "slope": Uniform(0.0, 0.3)}, weights=[3, 1]),
        "k": Const((1, "a", None, math.inf)),
        "m": Map(scale, Uniform(0.0, 1.0), IntUniform(1, 3)),
        "opt": Cond(
            Choice("sgd", "adam"),
            {"sgd": LogUniform(1e-3, 1.0), "adam": Map(math.sqrt, Uniform(0.0, 1.0))},
        ),
        "depth": Cond(
            IntUniform(1, 2), {1: Const("shallow"), 2: Tuple(IntUniform(0, 3), Uniform(0.0, 1.0))}
        ),
        "svm": space_of(Svm),
        "fns": Choice(math.sin, math.cos),
        "list": [IntUniform(0, 1), {"$odd": 1}],
        "beta": Custom(Beta(2.0, 5.0)),
        "count": Custom(BoundedPoisson(3.0, 1, 10), name="count_named"),
    }
)


#: What EVERY_NODE's document names: the objects a reader must allow.
ALLOW = [scale, math.sqrt, math.sin, math.cos, Svm, Kernel]


def test_round_trip_is_exact() -> None:
    text = to_json(EVERY_NODE)
    assert from_json(text, allow=ALLOW) == EVERY_NODE
    document = json.loads(text)
    assert document["format"] == "typedspace.space" and document["version"] == 1


def test_references_are_import_paths() -> None:
    document = json.loads(to_json(EVERY_NODE))
    text = json.dumps(document)
    assert '"tests.backends.test_serialize:scale"' in text
    assert '"tests.backends.test_serialize:Svm"' in text
    assert '"$enum": "tests.backends.test_serialize:Kernel"' in text


def test_lambdas_and_local_functions_name_the_place() -> None:
    with pytest.raises(SerializationError, match="Map at 'width'.*lambda"):
        to_json({"width": Map(lambda n: 2**n, IntUniform(1, 3))})

    def local(x: float) -> float:
        return x

    with pytest.raises(SerializationError, match="Map at 'a.b'.*local"):
        to_json({"a": {"b": Map(local, Uniform(0.0, 1.0))}})


def test_unserializable_constant() -> None:
    with pytest.raises(SerializationError, match="'opt'.*cannot be serialized"):
        to_json({"opt": Choice(object(), 1)})


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "not JSON"),
        ('{"space": {}}', "not a typedspace space document"),
        (
            '{"format": "typedspace.space", "version": 99, "space": {}}',
            "newer than this typedspace",
        ),
        (
            '{"format": "typedspace.space", "version": 1, "space": {"type": "Nope"}}',
            "unknown node type",
        ),
        ('{"format": "typedspace.space", "version": 1, "space": {"type": "Uniform"}}', "malformed"),
        (
            '{"format": "typedspace.space", "version": 1, "space": {"type": "Map", "f": "nowhere:f", "args": []}}',
            "'nowhere:f' as a Map function; it is not in allow=",
        ),
    ],
)
def test_bad_documents(text: str, message: str) -> None:
    with pytest.raises(SerializationError, match=message):
        from_json(text)


def test_invalid_leaf_in_document_is_a_construction_error() -> None:
    text = to_json(Uniform(0.0, 1.0)).replace('"high": 1.0', '"high": -1.0')
    with pytest.raises(ValueError, match="low .* must be less than high"):
        from_json(text)


@given(spaces(max_depth=3))
def test_round_trip_of_random_spaces(space: Space[Any]) -> None:
    restored = from_json(to_json(space), allow=[identity, pair, triple, PairRecord])
    assert restored == space
    assert hash(restored) == hash(space)
    assert flatten(restored).table == flatten(space).table


def test_allowed_objects_are_checked_for_their_kind() -> None:
    text = to_json(space_of(Svm))
    # Svm is allowed, but not Kernel: the enum in its Choice is refused, nothing imported.
    with pytest.raises(SerializationError, match="Kernel' as an Enum class; it is not in allow="):
        from_json(text, allow=[Svm])
    # An allowed object in the wrong place: a function where a record class must be.
    wrong = text.replace("tests.backends.test_serialize:Svm", "tests.backends.test_serialize:scale")
    with pytest.raises(SerializationError, match="is in allow=, but it is not a record class"):
        from_json(wrong, allow=[scale, Kernel])
    with pytest.raises(TypeError, match="allow= takes classes and functions"):
        from_json(text, allow=[3])


def test_typedspace_distributions_need_no_allow() -> None:
    space = as_space({"beta": Custom(Beta(2.0, 5.0)), "n": Custom(BoundedPoisson(3.0, 1, 10))})
    assert from_json(to_json(space)) == space
    # Documents written before the classes were published name their private module.
    old = to_json(space).replace(
        '"typedspace.distributions:', '"typedspace.distributions._examples:'
    )
    assert from_json(old) == space


# -- numpy scalar constants (issue 14, item 10) ---------------------------------------------

NUMPY_OPTIONS = [
    np.int64(1),
    np.int32(-2),
    np.uint8(3),
    np.float64(0.5),
    np.float32(0.25),
    np.bool_(True),
    np.str_("relu"),
]


def test_numpy_options_round_trip_as_the_same_numpy_scalars() -> None:
    # Before: "the constant np.int64(1) cannot be serialized".
    space = Choice(*np.arange(1, 4))
    assert from_json(to_json(space)) == space
    mixed = Choice(*NUMPY_OPTIONS, Const(np.float64(math.inf)))
    back = from_json(to_json(mixed))
    assert back == mixed
    assert isinstance(back, Choice)
    assert [type(o) for o in back.options[:-1]] == [type(o) for o in NUMPY_OPTIONS]
    assert back.options[-1] == Const(np.float64(math.inf))


def test_numpy_scalars_are_stored_as_python_values_tagged_with_their_type() -> None:
    document = json.loads(to_json(Choice(*NUMPY_OPTIONS), indent=None))
    values = [o["value"] for o in document["space"]["options"]]
    assert values == [
        {"$numpy": "int64", "value": 1},
        {"$numpy": "int32", "value": -2},
        {"$numpy": "uint8", "value": 3},
        {"$numpy": "float64", "value": 0.5},
        {"$numpy": "float32", "value": 0.25},
        {"$numpy": "bool", "value": True},
        {"$numpy": "str_", "value": "relu"},
    ]
    # Older readers would take the tag for a dict constant: such a document is version 2.
    assert document["version"] == 2
    assert json.loads(to_json(Choice(1, 2)))["version"] == 1


def test_a_distribution_field_may_be_a_numpy_scalar() -> None:
    # (values no other test uses: equal spaces may share their documents)
    space = Custom(Beta(np.float64(2.375), np.float64(5.125)))
    text = to_json(space)
    assert json.loads(text)["space"]["fields"]["a"] == {"$numpy": "float64", "value": 2.375}
    assert from_json(text) == space


@pytest.mark.parametrize(
    ("value", "type_name"), [(np.complex128(1j), "complex128"), (np.longdouble(0.5), "longdouble")]
)
def test_numpy_scalars_without_an_exact_json_form_are_refused(value: Any, type_name: str) -> None:
    with pytest.raises(SerializationError, match=f"numpy.{type_name} cannot be serialized"):
        to_json(Choice(value))


def test_an_unknown_numpy_type_in_a_document_is_an_error() -> None:
    text = json.dumps(
        {
            "format": "typedspace.space",
            "version": 2,
            "space": {"type": "Const", "value": {"$numpy": "object_", "value": 1}},
        }
    )
    with pytest.raises(SerializationError, match="unknown numpy type 'object_'"):
        from_json(text)


def test_a_dict_constant_keyed_like_the_tag_is_not_read_as_numpy() -> None:
    space = Const({"$numpy": "int64", "value": 1})
    back = from_json(to_json(space))
    assert back == space and isinstance(back, Const) and type(back.value) is dict
