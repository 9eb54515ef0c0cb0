"""The parameter table: prior assignments pass its validation unchanged, with exact types."""

from __future__ import annotations

import math
import sys
from typing import Any

import numpy as np
import pytest
from hypothesis import given

from tests.backends._oracle import check_assignment_types, seeds
from typedspace import Choice, Custom, LogNormal, Normal, NumericParam, Space, flatten
from typedspace.backends._describe import describe_table, table_changes, table_from_description
from typedspace.backends._table import CategoricalParam, ParamTable, stable_label
from typedspace.distributions import Beta
from typedspace.testing import spaces


@given(spaces(), seeds)
def test_validate_accepts_prior_assignments(space: Space[Any], seed: int) -> None:
    table = flatten(space).table
    for assignment in table.sample_assignments(np.random.default_rng(seed), 10):
        check_assignment_types(space, assignment)
        assert table.validate(assignment) == assignment


def test_values_are_clamped_into_the_finite_floats() -> None:
    # A normal prior's far tail (or an optimizer's proposal there) overflows exp() or
    # underflows it to 0; a value stays a finite float, positive on a log scale.
    log_normal = flatten(LogNormal(0.0, 1.0)).table.params[0]
    normal = flatten(Normal(0.0, 1.0, q=0.5)).table.params[0]
    assert isinstance(log_normal, NumericParam) and isinstance(normal, NumericParam)
    largest = sys.float_info.max
    assert log_normal.to_value(np.array([-1000.0, 1000.0])).tolist() == [math.ulp(0.0), largest]
    assert normal.to_value(np.array([-math.inf, math.inf])).tolist() == [-largest, largest]


# -- a fingerprint is the same from run to run (issue 14, items 5 and 10) --------------------


class AddressedBeta(Beta):
    """Not an attrs class of its own: it prints as the default ``<... object at 0x...>``."""

    __repr__ = object.__repr__


def test_a_custom_distribution_printed_with_its_address_is_refused() -> None:
    table = flatten({"p": Custom(AddressedBeta(2.0, 5.0))}).table
    with pytest.raises(TypeError, match="parameter 'p': the custom distribution AddressedBeta"):
        table.fingerprint()
    with pytest.raises(TypeError, match="@attrs.frozen"):
        table.text()


def test_an_attrs_distribution_keeps_its_fingerprint() -> None:
    # The text is unchanged for attrs classes: studies stored before still resume.
    table = flatten({"p": Custom(Beta(2.0, 5.0))}).table
    assert "ContinuousWarp(dist=Beta(a=2.0, b=5.0))" in table.text()
    assert table.fingerprint() == flatten({"p": Custom(Beta(2.0, 5.0))}).table.fingerprint()


@pytest.mark.parametrize(
    ("label", "stable"),
    [
        ("np.int64(3)", "3"),
        ("np.uint8(3)", "3"),
        ("np.float64(0.5)", "0.5"),
        ("np.float32(nan)", "nan"),
        ("np.True_", "True"),
        ("np.False_", "False"),
        ("np.str_('a(b)')", "'a(b)'"),
        ("<function relu at 0x7f3a2c1b9d30>", "<function relu>"),
        ("<tests.Model object at 0xDEADBEEF>", "<tests.Model object>"),
        ("'np.int64(3)'", "'np.int64(3)'"),  # a string option stays a string
        ("3", "3"),
        ("<Uniform>", "<Uniform>"),
    ],
)
def test_stable_labels(label: str, stable: str) -> None:
    assert stable_label(label) == stable


def test_numpy_options_are_labelled_as_python_values() -> None:
    # Before: labels 'np.int64(1)' (numpy 2) or '1' (numpy 1): the fingerprint depended on
    # numpy's version, and readers of the stored description showed option indices.
    numpy_table = flatten({"n": Choice(*np.arange(1, 4))}).table
    python_table = flatten({"n": Choice(1, 2, 3)}).table
    assert numpy_table.fingerprint() == python_table.fingerprint()
    assert describe_table(numpy_table)[0]["labels"] == ["1", "2", "3"]


def test_descriptions_stored_with_numpy_labels_read_as_python_values() -> None:
    described = describe_table(flatten({"n": Choice(1, 2)}).table)
    described[0]["labels"] = ["np.int64(1)", "np.int64(2)"]  # as numpy 2 wrote them
    param = table_from_description(described)["n"]
    assert isinstance(param, CategoricalParam) and param.labels == ("1", "2")


def test_changes_between_equal_descriptions_say_why_the_fingerprints_differ() -> None:
    table = flatten({"n": Choice(1, 2)}).table
    (line,) = table_changes(table, ParamTable(table.params))
    assert "described the same" in line and "another version" in line
    swapped = flatten({"m": Choice(1, 2), "n": Choice(1, 2)}).table
    reordered = ParamTable(tuple(reversed(swapped.params)))
    assert table_changes(swapped, reordered) == [
        "the parameters are the same but their order differs"
    ]
