"""What an objective returns, and how the run checks it.

An objective returns a float (numpy floats included) or an ``Outcome`` that carries extra
data to keep with the trial; anything else, or a non-finite loss, is an ``InvalidLoss``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import attrs
import numpy as np

from typedspace.errors import InvalidLoss
from typedspace.nodes._base import check_number, shown


@attrs.frozen
class Outcome:
    """What an objective may return instead of a bare float: the loss plus data to keep.

    ``extra`` is stored with the trial (keep it JSON-friendly to persist it).

    >>> Outcome(0.25, extra={"accuracy": 0.75}).loss
    0.25
    """

    loss: float
    extra: Mapping[str, Any] = attrs.field(factory=dict)


#: What an objective returns: a float (numpy floats included) or an ``Outcome``.
ObjectiveResult: TypeAlias = float | np.floating[Any] | Outcome


def check_loss(result: object) -> tuple[float, Mapping[str, Any]]:
    """The loss and extra data of an objective's return value; raises ``InvalidLoss``."""
    extra: Mapping[str, Any] = {}
    loss: object = result
    if isinstance(result, Outcome):
        loss, extra = result.loss, result.extra
    try:  # numpy numbers count, and become Python floats in trials
        value = check_number("the objective", "the loss", loss)
    except TypeError:
        raise InvalidLoss(f"the objective returned {loss!r}, not a number") from None
    except ValueError:  # inf, nan, or an int beyond the largest float
        raise InvalidLoss(f"the objective returned a non-finite loss ({shown(loss)})") from None
    return value, extra


def evaluate(objective: Callable[[Any], object], value: Any) -> tuple[float, Mapping[str, Any]]:
    """Run the objective and check its result (raises what the objective raised, or
    ``InvalidLoss``).  Module-level so that process pools can pickle it."""
    return check_loss(objective(value))
