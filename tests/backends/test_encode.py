"""encode: typed values back to assignments (for starting points)."""

from __future__ import annotations

import attrs
import pytest

from typedspace import (
    Choice,
    Cond,
    EncodeError,
    IntUniform,
    LogUniform,
    Map,
    Tuple,
    Uniform,
    decode,
    encode,
    param,
    record,
    sample_many,
    space_of,
)


@record
class Net:
    layers: int = param(IntUniform(1, 4))
    # mixing a plain option with a dict space joins their types; object says "either"
    act: object = param(Choice("relu", {"name": "leaky", "slope": Uniform(0.0, 0.3)}))
    opt: float = param(
        Cond(Choice("sgd", "adam"), {"sgd": LogUniform(1e-3, 1.0), "adam": LogUniform(1e-5, 1e-2)})
    )
    pair: tuple[int, float] = param(Tuple(IntUniform(0, 2), Uniform(0.0, 1.0, q=0.5)))


def test_encode_inverts_decode_on_samples() -> None:
    space = space_of(Net)
    for value in sample_many(space, 200, seed=0):
        assignment = encode(space, value)
        assert decode(space, assignment) == value


def test_encode_rejects_values_outside_the_space() -> None:
    with pytest.raises(EncodeError, match="'layers': 7 is outside its support"):
        encode(space_of(Net), Net(7, "relu", 0.1, (0, 0.5)))
    with pytest.raises(EncodeError, match="none of its options"):
        encode(space_of(Net), Net(1, "gelu", 0.1, (0, 0.5)))
    with pytest.raises(EncodeError, match="matches no branch"):
        encode(space_of(Net), Net(1, "relu", 5.0, (0, 0.5)))
    with pytest.raises(EncodeError, match=r"'pair\[1\]': 0.3 is outside"):
        encode(space_of(Net), Net(1, "relu", 0.1, (0, 0.3)))


def test_map_cannot_be_inverted() -> None:
    @attrs.frozen
    class Width:
        n: int

    with pytest.raises(EncodeError, match="cannot invert Map"):
        encode(Map(Width, IntUniform(1, 3)), Width(2))
