"""The ``hp.*`` constructors, with Hyperopt's signatures and meanings.

Each numeric one builds its typedspace leaf at once (named by the label), so a bad bound
fails on the line that wrote it; ``_translate`` assembles the leaves into a space.

>>> from typedspace.hyperopt import hp
>>> hp.loguniform("lr", -5, 0).leaf  # bounds are logarithms, as in Hyperopt
LogUniform(low=0.00673794699908547, high=1.0, q=None, name='lr')
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from numbers import Real
from typing import Any

from typedspace.hyperopt._expr import Expr, Param
from typedspace.nodes import (
    Choice,
    IntUniform,
    LogNormal,
    LogUniform,
    Normal,
    Space,
    Uniform,
)

#: exp() of more overflows a float.
_LOG_LARGEST = math.log(sys.float_info.max)

__all__ = [
    "choice",
    "lognormal",
    "loguniform",
    "normal",
    "pchoice",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
    "uniformint",
]


def _label(label: object) -> str:
    if not isinstance(label, str):
        raise TypeError(f"require string label, got {label!r}")
    return label


def _number(label: str, field: str, value: object) -> float:
    if isinstance(value, Expr):
        raise TypeError(
            f"hp {label!r}: {field} is a space expression ({value!r}); typedspace.hyperopt "
            "takes numbers as bounds: draw the bound as its own hyperparameter and compute "
            "the value in the objective"
        )
    if isinstance(value, bool) or not isinstance(value, Real):
        raise TypeError(f"hp {label!r}: {field} must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"hp {label!r}: {field} must be finite, got {value!r}")
    return number


def _range(label: str, low: object, high: object) -> tuple[float, float]:
    lo, hi = _number(label, "low", low), _number(label, "high", high)
    if not lo < hi:
        raise ValueError(f"low should be less than high: {low} is not smaller than {high}")
    return lo, hi


def _exp(label: str, x: float) -> float:
    """``exp(x)`` to 15 significant digits: ``exp(log(1e-4))`` is 1e-4, not
    1.0000000000000009e-4 (bounds print as written; the draws move by 1e-15 at most)."""
    if x > _LOG_LARGEST:
        raise ValueError(
            f"hp {label!r}: the bounds of a log-uniform are logarithms; exp({x!r}) overflows "
            "a float (did you pass the value instead of its log?)"
        )
    return float(f"{math.exp(x):.15g}")


def _param(kind: str, label: str, args: tuple[float, ...], leaf: Space[Any]) -> Param:
    return Param(kind, label, args, leaf=leaf)


def uniform(label: str, low: float, high: float) -> Param:
    """A float uniform on ``[low, high]`` (``Uniform(low, high)``)."""
    name = _label(label)
    lo, hi = _range(name, low, high)
    return _param("uniform", name, (lo, hi), Uniform(lo, hi, name=name))


def quniform(label: str, low: float, high: float, q: float) -> Param:
    """A multiple of ``q`` in ``[low, high]`` (``Uniform(low, high, q=q)``); Hyperopt's
    ``round(uniform(low, high) / q) * q`` may step outside the bounds, ours stays inside."""
    name = _label(label)
    lo, hi = _range(name, low, high)
    step = _number(name, "q", q)
    return _param("quniform", name, (lo, hi, step), Uniform(lo, hi, q=step, name=name))


def loguniform(label: str, low: float, high: float) -> Param:
    """``exp(uniform(low, high))``: the bounds are **logarithms**, as in Hyperopt
    (``LogUniform(exp(low), exp(high))``)."""
    name = _label(label)
    lo, hi = _range(name, low, high)
    return _param(
        "loguniform", name, (lo, hi), LogUniform(_exp(name, lo), _exp(name, hi), name=name)
    )


def qloguniform(label: str, low: float, high: float, q: float) -> Param:
    """A multiple of ``q`` drawn log-uniformly; bounds are logarithms
    (``LogUniform(exp(low), exp(high), q=q)``)."""
    name = _label(label)
    lo, hi = _range(name, low, high)
    step = _number(name, "q", q)
    leaf = LogUniform(_exp(name, lo), _exp(name, hi), q=step, name=name)
    return _param("qloguniform", name, (lo, hi, step), leaf)


def normal(label: str, mu: float, sigma: float) -> Param:
    """A normal float (``Normal(mu, sigma)``)."""
    name = _label(label)
    m, s = _number(name, "mu", mu), _number(name, "sigma", sigma)
    return _param("normal", name, (m, s), Normal(m, s, name=name))


def qnormal(label: str, mu: float, sigma: float, q: float) -> Param:
    """A normal float rounded to a multiple of ``q`` (``Normal(mu, sigma, q=q)``)."""
    name = _label(label)
    m, s, step = _number(name, "mu", mu), _number(name, "sigma", sigma), _number(name, "q", q)
    return _param("qnormal", name, (m, s, step), Normal(m, s, q=step, name=name))


def lognormal(label: str, mu: float, sigma: float) -> Param:
    """``exp(normal(mu, sigma))`` (``LogNormal(mu, sigma)``)."""
    name = _label(label)
    m, s = _number(name, "mu", mu), _number(name, "sigma", sigma)
    return _param("lognormal", name, (m, s), LogNormal(m, s, name=name))


def qlognormal(label: str, mu: float, sigma: float, q: float) -> Param:
    """``exp(normal(mu, sigma))`` rounded to a multiple of ``q``
    (``LogNormal(mu, sigma, q=q)``: never 0, the smallest value is ``q``)."""
    name = _label(label)
    m, s, step = _number(name, "mu", mu), _number(name, "sigma", sigma), _number(name, "q", q)
    return _param("qlognormal", name, (m, s, step), LogNormal(m, s, q=step, name=name))


def _int(label: str, field: str, value: object) -> int:
    number = _number(label, field, value)
    if not number.is_integer():
        raise ValueError(f"hp {label!r}: {field} must be a whole number, got {value!r}")
    return int(number)


def randint(label: str, low: int, high: int | None = None) -> Param:
    """An int in ``[0, low)``, or in ``[low, high)`` with two bounds: Hyperopt's upper bound
    is excluded (``IntUniform(0, upper - 1)``, ``IntUniform(low, high - 1)``)."""
    name = _label(label)
    if high is None:
        lo, hi = 0, _int(name, "upper", low)
    else:
        lo, hi = _int(name, "low", low), _int(name, "high", high)
    if not lo < hi:
        raise ValueError(f"low should be less than high: {lo} is not smaller than {hi}")
    # A single value is a choice of one: IntUniform needs low < high.
    leaf: Space[Any] = IntUniform(lo, hi - 1, name=name) if hi - lo > 1 else Choice(lo, name=name)
    return _param("randint", name, (lo, hi), leaf)


def uniformint(label: str, low: int, high: int, q: float = 1.0) -> Param:
    """An int in ``[low, high]``, both included (``IntUniform(low, high)``); Hyperopt draws
    it as ``quniform(low, high, 1)``, which gives each end half the mass of the others."""
    name = _label(label)
    if _number(name, "q", q) != 1.0:
        raise ValueError(f"hp {name!r}: uniformint takes q=1 only, got q={q!r}")
    lo, hi = _int(name, "low", low), _int(name, "high", high)
    if not lo < hi:
        raise ValueError(f"low should be less than high: {lo} is not smaller than {hi}")
    return _param("uniformint", name, (lo, hi), IntUniform(lo, hi, name=name))


def _options(label: str, options: object) -> tuple[object, ...]:
    if isinstance(options, str | bytes | Expr) or not isinstance(options, Iterable):
        raise TypeError(f"hp.choice {label!r}: options must be a list, got {options!r}")
    found = tuple(options)
    if not found:
        raise ValueError(f"hp.choice {label!r}: needs at least one option")
    return found


def choice(label: str, options: Sequence[Any]) -> Param:
    """One of ``options``; Hyperopt's argmin holds its **index**, the objective receives the
    option (``Choice(*options)``; options may be spaces: a conditional space)."""
    name = _label(label)
    return Param("choice", name, options=_options(name, options))


def pchoice(label: str, p_options: Sequence[tuple[float, Any]]) -> Param:
    """One of the options of ``(probability, option)`` pairs
    (``Choice(*options, weights=probabilities)``)."""
    name = _label(label)
    pairs = _options(name, p_options)
    weights: list[float] = []
    options: list[object] = []
    for i, pair in enumerate(pairs):
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise TypeError(
                f"hp.pchoice {name!r}: p_options[{i}] must be a (probability, option) pair, "
                f"got {pair!r}"
            )
        weights.append(_number(name, f"p_options[{i}] probability", pair[0]))
        options.append(pair[1])
    return Param("pchoice", name, options=tuple(options), weights=tuple(weights))
