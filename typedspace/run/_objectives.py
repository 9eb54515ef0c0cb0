"""Several objectives and constraints: how they are declared and how an objective's output is
read against them.

``objectives=minimize("error") & maximize("accuracy")`` declares the objectives once, in
order.  The objective then returns, for every trial, one of:

* a record (an ``@record`` / attrs / dataclass instance, a ``NamedTuple``, any object) or a
  mapping holding a number under each declared name: ``Scores(error=0.1, accuracy=0.9)``;
* a plain tuple, list or 1-D array of numbers, read by position (``minimize()`` without a
  name is then enough; a name only labels the column);
* an ``Outcome(values=...)`` holding either of the above, with ``extra=`` data and, when
  the objective knows them, ``constraints=``.

``constraints=`` (a callable on the objective's output) returns a bool (True: feasible), a
number (<= 0: feasible; its value is the violation), or a sequence of those.  What the trial
keeps is one value per constraint, <= 0 when satisfied: a bool becomes 0.0 (satisfied) or
1.0 (violated).  An infeasible trial is finished and kept (it is evidence for the algorithm),
but it is never on the Pareto front and never the best trial.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypeVar, cast

import attrs
import numpy as np

from typedspace.algorithms._pareto import pareto_mask
from typedspace.errors import InvalidLoss, InvalidReturnType
from typedspace.run._objective import Outcome, check_loss
from typedspace.storage._records import Trial, TrialState

T = TypeVar("T")

Direction = Literal["minimize", "maximize"]
#: A study attribute: the declared objectives, as ``[[name, direction], ...]``.
OBJECTIVES_KEY = "objectives"


@attrs.frozen
class Objective:
    """One objective: the field (or position) it reads, and whether to minimize it."""

    name: str
    direction: Direction = "minimize"

    def __and__(self, other: Objective | Objectives) -> Objectives:
        return Objectives((self,)) & other


@attrs.frozen
class Objectives:
    """The declared objectives of a study, in order; combine them with ``&``.

    >>> objectives = minimize("error") & maximize("accuracy")
    >>> objectives.names, objectives.directions
    (('error', 'accuracy'), ('minimize', 'maximize'))
    >>> objectives.losses((0.1, 0.9))
    (0.1, -0.9)
    """

    items: tuple[Objective, ...]

    def __and__(self, other: Objective | Objectives) -> Objectives:
        if isinstance(other, Objective):
            other = Objectives((other,))
        if not isinstance(other, Objectives):
            return NotImplemented
        items = (*self.items, *other.items)
        names = [o.name for o in items if o.name]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"objectives: {duplicates[0]!r} is declared twice")
        return Objectives(items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Objective]:
        return iter(self.items)

    @property
    def names(self) -> tuple[str, ...]:
        """Each objective's name; an unnamed one (read by position) is named by it."""
        return tuple(o.name or str(i) for i, o in enumerate(self.items))

    @property
    def directions(self) -> tuple[Direction, ...]:
        return tuple(o.direction for o in self.items)

    def losses(self, values: Sequence[float]) -> tuple[float, ...]:
        """``values`` as losses to minimize: maximized objectives change sign."""
        return tuple(
            -v if o.direction == "maximize" else v for o, v in zip(self, values, strict=True)
        )

    def to_json(self) -> list[list[str]]:
        return [[name, o.direction] for name, o in zip(self.names, self.items, strict=True)]

    @staticmethod
    def from_json(data: object) -> Objectives | None:
        """The objectives stored with a study (None: a single loss, or unreadable data)."""
        if not isinstance(data, list) or not data:
            return None
        items = []
        for entry in data:
            if (
                not isinstance(entry, list)
                or len(entry) != 2
                or not isinstance(entry[0], str)
                or entry[1] not in ("minimize", "maximize")
            ):
                return None
            items.append(Objective(entry[0], entry[1]))
        return Objectives(tuple(items))


def minimize(name: str = "") -> Objectives:
    """An objective to minimize: the field ``name`` of the objective's output (or, for a
    tuple, the next position).

    >>> (minimize("error") & minimize("latency_ms")).names
    ('error', 'latency_ms')
    """
    return Objectives((Objective(_check_name(name), "minimize"),))


def maximize(name: str = "") -> Objectives:
    """An objective to maximize (see ``minimize``).

    >>> maximize("accuracy").directions
    ('maximize',)
    """
    return Objectives((Objective(_check_name(name), "maximize"),))


def _check_name(name: object) -> str:
    if not isinstance(name, str):
        raise TypeError(f"an objective's name must be a str (a field name), got {name!r}")
    return name


#: What ``constraints=`` may be: a function of the objective's output.
Constraints = Callable[[Any], object]


@attrs.frozen
class Evaluation:
    """An objective's output read against the study's objectives: the single ``loss`` or the
    objective ``values`` (as returned, one per objective), the constraint values (<= 0:
    satisfied; None without constraints) and the extra data."""

    loss: float | None
    values: tuple[float, ...] | None
    constraints: tuple[float, ...] | None
    extra: Mapping[str, Any]


def read_values(output: object, objectives: Objectives) -> tuple[float, ...]:
    """The value of each objective in ``output``; ``InvalidReturnType`` names the field that
    is missing or not a number, ``InvalidLoss`` a value that is NaN or infinite.

    >>> read_values({"error": 0.25, "size": 3}, minimize("error") & minimize("size"))
    (0.25, 3.0)
    """
    if isinstance(output, np.ndarray):
        output = output.tolist() if output.ndim == 1 else output
    positional = isinstance(output, list | tuple) and not hasattr(output, "_fields")
    if positional:
        items = list(output)  # type: ignore[call-overload]
        if len(items) != len(objectives):
            raise InvalidReturnType(
                f"the objective returned {len(items)} values {reprlib.repr(output)} but "
                f"{len(objectives)} objectives are declared ({', '.join(objectives.names)})"
            )
        raw = list(zip(objectives.names, items, strict=True))
    elif isinstance(output, int | float | np.number) and not isinstance(output, bool):
        raise InvalidReturnType(
            f"the objective returned one number ({output!r}) but {len(objectives)} objectives "
            f"are declared ({', '.join(objectives.names)}): return a record with those "
            "fields or a tuple of that many numbers"
        )
    else:
        raw = [(name, _field(output, name)) for name in objectives.names]
    values = []
    for name, value in raw:
        if isinstance(value, np.ndarray) and value.ndim == 0:
            value = value[()]
        if isinstance(value, bool) or not isinstance(value, int | float | np.number):
            raise InvalidReturnType(
                f"the objective's {name!r} is {reprlib.repr(value)} "
                f"(a {type(value).__name__}), not a number"
            )
        number = float(value)
        if not math.isfinite(number):
            raise InvalidLoss(f"the objective's {name!r} is not finite ({number})")
        values.append(number)
    return tuple(values)


def _field(output: object, name: str) -> object:
    """``output.name`` or ``output[name]``; ``InvalidReturnType`` says what fields it has."""
    if isinstance(output, Mapping):
        if name in output:
            return output[name]
        has = ", ".join(map(repr, output)) or "none"
        raise InvalidReturnType(
            f"the objective returned a mapping without the objective {name!r} (its keys: {has})"
        )
    if output is None:
        raise InvalidReturnType(
            f"the objective returned None; the objective {name!r} is declared: is a "
            "`return` missing?"
        )
    try:
        return getattr(output, name)
    except AttributeError:
        fields = _field_names(output)
        has = f" (its fields: {', '.join(fields)})" if fields else ""
        raise InvalidReturnType(
            f"the objective returned a {type(output).__name__} without a field {name!r}, "
            f"which the objectives name{has}"
        ) from None


def _field_names(output: object) -> list[str]:
    if attrs.has(type(output)):
        return [f.name for f in attrs.fields(cast(Any, type(output)))]
    fields = getattr(output, "__dataclass_fields__", None) or getattr(output, "_fields", None)
    if fields is not None:
        return list(fields)
    return [k for k in vars(output) if not k.startswith("_")] if hasattr(output, "__dict__") else []


def constraint_values(verdict: object, where: str = "constraints") -> tuple[float, ...]:
    """What a constraints function returned, as values <= 0 when satisfied: a bool (True:
    satisfied), a number, or a sequence of those.

    >>> constraint_values([True, 0.5, -1.0])
    (0.0, 0.5, -1.0)
    """
    if isinstance(verdict, np.ndarray):
        verdict = verdict.tolist()
    items = list(verdict) if isinstance(verdict, list | tuple) else [verdict]
    out = []
    for item in items:
        if isinstance(item, bool | np.bool_):
            out.append(0.0 if item else 1.0)
        elif isinstance(item, int | float | np.number):
            value = float(item)
            if math.isnan(value):
                raise InvalidReturnType(f"{where} returned NaN: return a bool or a number")
            out.append(value)
        else:
            raise InvalidReturnType(
                f"{where} returned {reprlib.repr(verdict)}: return a bool (True: feasible), a "
                "number (<= 0: feasible) or a sequence of those"
            )
    if not out:
        raise InvalidReturnType(f"{where} returned an empty sequence")
    return tuple(out)


def violation(constraints: Sequence[float] | None) -> float:
    """The total violation of a trial's constraint values: the sum of the positive ones (0.0:
    feasible), as Optuna's constrained TPE and NSGA-II rank infeasible trials.

    >>> violation((0.5, -1.0, 0.25)), violation(None)
    (0.75, 0.0)
    """
    if not constraints:
        return 0.0
    return float(sum(c for c in constraints if c > 0))


def read_output(
    output: object, objectives: Objectives | None, constraints: Constraints | bool | None
) -> Evaluation:
    """An objective's output read against the study's ``objectives`` (None: one loss) and
    ``constraints`` (a function of the output, True: returned in ``Outcome(constraints=)``,
    None: none).  Raises ``InvalidReturnType`` for a mismatch, ``InvalidLoss`` for a value
    that is not finite.

    >>> read_output((0.2, 0.8), minimize("error") & maximize("accuracy"), lambda s: s[0] < 0.5)
    Evaluation(loss=None, values=(0.2, 0.8), constraints=(0.0,), extra={})
    """
    extra: Mapping[str, Any] = {}
    returned: object = None
    inner = output
    if isinstance(output, Outcome):
        extra, returned = output.extra, output.constraints
        if objectives is not None:
            if output.values is None:
                raise InvalidReturnType(
                    f"the objective returned Outcome(loss={output.loss!r}) but "
                    f"{len(objectives)} objectives are declared ({', '.join(objectives.names)}):"
                    " return Outcome(values=...) with a record or a tuple of them"
                )
            inner = output.values
        else:
            inner = output.loss
    loss: float | None = None
    values: tuple[float, ...] | None = None
    if objectives is None:
        loss, _ = check_loss(inner)
    else:
        values = read_values(inner, objectives)
        if len(objectives) == 1:  # one declared objective: its loss is the trial's loss
            (loss,) = objectives.losses(values)
    found: tuple[float, ...] | None = None
    if returned is not None:
        if constraints is None:
            raise InvalidReturnType(
                "the objective returned an Outcome with constraints= but the study declares "
                "no constraints: pass constraints=True (the objective returns them) or a "
                "constraints function"
            )
        found = constraint_values(returned, "Outcome(constraints=...)")
    elif constraints is True:
        raise InvalidReturnType(
            "constraints=True says that the objective returns its constraint values, but it "
            "returned no Outcome(constraints=...)"
        )
    if callable(constraints):
        computed = constraint_values(constraints(inner))
        found = computed if found is None else (*found, *computed)
    return Evaluation(loss, values, found, extra)


def trial_losses(trial: Trial[Any], objectives: Objectives | None) -> tuple[float, ...]:
    """A finished trial's losses to minimize (a single loss: a 1-tuple)."""
    if trial.values is not None and objectives is not None:
        return objectives.losses(trial.values)
    if trial.loss is None:
        raise ValueError(f"trial {trial.number} has no loss ({trial.state.value})")
    return (trial.loss,)


def pareto_front(trials: Sequence[Trial[T]], objectives: Objectives | None) -> list[Trial[T]]:
    """The feasible OK trials that no other feasible OK trial dominates, by number."""
    done = [
        t
        for t in trials
        if t.state is TrialState.OK and t.feasible and (t.values is not None or t.loss is not None)
    ]
    if not done:
        return []
    mask = pareto_mask([trial_losses(t, objectives) for t in done])
    return [t for t, keep in zip(done, mask, strict=True) if keep]
