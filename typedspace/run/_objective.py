"""What an objective returns, and how the run checks it.

An objective returns a float (numpy floats and 0-d arrays included) or an ``Outcome`` that
carries extra data to keep with the trial.  A non-finite loss (a diverged model) is an
``InvalidLoss``: the trial failed, the run goes on.  Anything that is not a number at all (a
Hyperopt result dict, None, a string) is an ``InvalidReturnType``: a bug in the objective,
which the run reports at once.
"""

from __future__ import annotations

import reprlib
from collections.abc import Callable, Mapping
from typing import Any, TypeAlias

import attrs
import numpy as np

from typedspace.errors import InvalidLoss, InvalidReturnType
from typedspace.nodes._base import check_number, shown
from typedspace.run._report import Report, Reporting


@attrs.frozen
class Outcome:
    """What an objective may return instead of a bare float: the loss plus data to keep.

    ``extra`` is stored with the trial (keep it JSON-friendly to persist it).  A study with
    several objectives (``objectives=``) takes ``values=`` instead of a loss: a record or a
    tuple holding the objectives (see ``minimize``); ``constraints=`` gives the trial's
    constraint values (<= 0 or True: satisfied) when the objective computes them itself.

    >>> Outcome(0.25, extra={"accuracy": 0.75}).loss
    0.25
    >>> Outcome(values=(0.1, 12.0), constraints=[True]).values
    (0.1, 12.0)
    """

    loss: float | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    values: object = attrs.field(default=None, kw_only=True)
    constraints: object = attrs.field(default=None, kw_only=True)


#: What an objective returns: a float (numpy floats included) or an ``Outcome``.
ObjectiveResult: TypeAlias = float | np.floating[Any] | Outcome


def check_loss(result: object) -> tuple[float, Mapping[str, Any]]:
    """The loss and extra data of an objective's return value; raises ``InvalidLoss`` for a
    non-finite loss and ``InvalidReturnType`` for something that is not a number.

    >>> check_loss(Outcome(0.5, extra={"epochs": 3}))
    (0.5, {'epochs': 3})
    """
    extra: Mapping[str, Any] = {}
    loss: object = result
    if isinstance(result, Outcome):
        if result.values is not None or result.loss is None:
            raise InvalidReturnType(
                "the objective returned an Outcome with values= (several objectives) but "
                "no objectives are declared: pass objectives=minimize(...) & ... to optimize, "
                "or return Outcome(loss)"
            )
        if result.constraints is not None:
            raise InvalidReturnType(
                "the objective returned an Outcome with constraints= but the study declares "
                "no constraints: pass constraints=True (the objective returns them) or a "
                "constraints function to optimize"
            )
        loss, extra = result.loss, result.extra
    if isinstance(loss, np.ndarray) and loss.ndim == 0:
        loss = loss[()]  # a 0-d array (np.mean of a tensor, say) is the number it holds
    try:  # numpy numbers count, and become Python floats in trials
        value = check_number("the objective", "the loss", loss)
    except TypeError:
        raise InvalidReturnType(_not_a_number(loss)) from None
    except ValueError:  # inf, nan, or an int beyond the largest float
        raise InvalidLoss(f"the objective returned a non-finite loss ({shown(loss)})") from None
    return value, extra


def _not_a_number(loss: object) -> str:
    """Why ``loss`` is not a loss, and what to return instead."""
    returned = f"the objective returned {reprlib.repr(loss)}"
    fix = "return the loss as a float, or Outcome(loss, extra={...}) to keep other values"
    if isinstance(loss, Mapping) and "loss" in loss:
        return (
            f"{returned}, a Hyperopt-style result dict: {fix}; a failure is an exception "
            "raised by the objective, not a status"
        )
    if loss is None:
        return f"{returned}: is a `return` missing?  {fix}"
    if isinstance(loss, tuple | list) or (isinstance(loss, np.ndarray) and loss.ndim > 0):
        return f"{returned}, several values where one loss is needed: {fix}"
    return f"{returned} (a {type(loss).__name__}), not a number: {fix}"


def evaluate(
    objective: Callable[..., object],
    value: Any,
    reporting: Reporting | None = None,
    number: int = -1,
) -> tuple[float, Mapping[str, Any]]:
    """Run the objective (with a ``Report`` for trial ``number`` when ``reporting`` is given)
    and check its result (raises what the objective raised, ``TrialPruned``, or
    ``InvalidLoss``).  Module-level so that process pools can pickle it."""
    if reporting is None:
        return check_loss(objective(value))
    return check_loss(objective(value, Report(reporting, number)))


def evaluate_raw(
    objective: Callable[..., object],
    value: Any,
    reporting: Reporting | None = None,
    number: int = -1,
) -> object:
    """Run the objective and return its output unchecked: a study with several objectives or
    constraints reads it against them where the study is (``Optimizer.tell``), so that a
    constraints function need not travel to worker processes."""
    if reporting is None:
        return objective(value)
    return objective(value, Report(reporting, number))
