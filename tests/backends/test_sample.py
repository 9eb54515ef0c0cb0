"""Sampling: values lie in the support with their declared types, are reproducible from the
seed, are the decoded prior assignments, and cost one numpy call per parameter.

The spaces come from ``typedspace.testing.spaces``; ``fits`` (``tests/backends/_oracle.py``)
is an independent membership test written from the node definitions.
"""

from __future__ import annotations

import collections
from typing import Any

import numpy as np
import pytest
from hypothesis import given

from tests.backends._oracle import fits, seeds
from typedspace import (
    CategoricalParam,
    Choice,
    Cond,
    Const,
    Dict,
    IntUniform,
    LogNormal,
    LogUniform,
    Map,
    Normal,
    NumericParam,
    Space,
    Uniform,
    decode,
    flatten,
    sample,
    sample_many,
)
from typedspace.testing import spaces
from typedspace.testing.strategies import PairRecord, identity

# --- Sampling ---


@given(spaces(), seeds)
def test_samples_lie_in_support_with_declared_types(space: Space[Any], seed: int) -> None:
    for value in sample_many(space, 10, seed=seed):
        assert fits(space, value), (space, value)


@given(spaces(), seeds)
def test_same_seed_gives_same_value(space: Space[Any], seed: int) -> None:
    assert sample(space, seed=seed) == sample(space, seed=seed)
    assert sample_many(space, 5, seed=seed) == sample_many(space, 5, seed=seed)


@given(spaces(), seeds)
def test_identity_map_samples_like_its_argument(space: Space[Any], seed: int) -> None:
    mapped = Map(identity, space)
    assert flatten(mapped).table == flatten(space).table
    assert sample_many(mapped, 5, seed=seed) == sample_many(space, 5, seed=seed)


@given(spaces(), seeds)
def test_sample_is_the_decoded_prior_assignment(space: Space[Any], seed: int) -> None:
    flat = flatten(space)
    drawn = flat.table.sample_assignments(np.random.default_rng(seed), 5)
    assert sample_many(space, 5, seed=seed) == [decode(space, a) for a in drawn]


def test_record_values_are_records() -> None:
    from typedspace import space_of

    value = sample(space_of(PairRecord, left=IntUniform(0, 3), right=Const("x")), seed=0)
    assert type(value) is PairRecord
    assert value.right == "x"


# --- Vectorization: one numpy call per parameter, whatever the number of samples ---


@pytest.mark.parametrize("n", [1, 10, 5_000])
def test_sample_many_draws_each_parameter_with_one_call(
    monkeypatch: pytest.MonkeyPatch, n: int
) -> None:
    space = Dict(
        {
            "lr": LogUniform(1e-5, 1e-1),
            "layers": IntUniform(1, 8),
            "opt": Cond(
                Choice("sgd", "adam"),
                {"sgd": Uniform(0.0, 0.99, q=0.01), "adam": Normal(0.9, 0.01)},
            ),
            "act": Choice("relu", {"slope": LogNormal(-3.0, 1.0)}),
        }
    )
    calls: collections.Counter[str] = collections.Counter()
    numeric, categorical = NumericParam.sample, CategoricalParam.sample

    def count_numeric(self: NumericParam, rng: np.random.Generator, size: int) -> Any:
        calls[self.name] += 1
        assert size == n
        return numeric(self, rng, size)

    def count_categorical(self: CategoricalParam, rng: np.random.Generator, size: int) -> Any:
        calls[self.name] += 1
        assert size == n
        return categorical(self, rng, size)

    monkeypatch.setattr(NumericParam, "sample", count_numeric)
    monkeypatch.setattr(CategoricalParam, "sample", count_categorical)
    assert len(sample_many(space, n, seed=0)) == n
    assert calls == dict.fromkeys(flatten(space).table.names, 1)
    assert len(calls) == 7  # lr, layers, opt, opt.sgd, opt.adam, act, act.1.slope


def test_huge_weights_give_both_options() -> None:
    # Their sum overflows to inf: every option had probability 0 but the last.
    values = collections.Counter(
        sample_many(Choice("a", "b", weights=[1e308, 1e308]), 2_000, seed=0)
    )
    assert set(values) == {"a", "b"} and 800 < values["a"] < 1200
    param = flatten(Choice("a", "b", weights=[1e308, 3e307])).table.params[0]
    assert isinstance(param, CategoricalParam)
    assert param.weights == pytest.approx((1 / 1.3, 0.3 / 1.3))


@pytest.mark.parametrize(
    ("seed", "error", "message"),
    [
        (True, TypeError, r"sample: seed must be an int, got True"),
        (1.5, TypeError, r"sample: seed must be an int, got 1\.5"),
        (-1, ValueError, r"sample: seed must be at least 0, got -1"),
    ],
)
def test_bad_seeds_are_refused(seed: Any, error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        sample(Uniform(0.0, 1.0), seed=seed)


def test_numpy_seeds_are_accepted() -> None:
    seed: Any = np.int64(3)  # a type checker wants an int; numpy's is accepted at run time
    assert sample(Uniform(0.0, 1.0), seed=seed) == sample(Uniform(0.0, 1.0), seed=3)
