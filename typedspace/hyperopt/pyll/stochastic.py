"""Hyperopt's ``pyll.stochastic``: ``sample`` draws one configuration of a space."""

from __future__ import annotations

from typing import Any

import numpy as np

from typedspace.backends._sample import sample as _sample
from typedspace.hyperopt._translate import translate

__all__ = ["sample"]


def sample(expr: Any, rng: np.random.Generator | None = None, **kwargs: Any) -> Any:
    """One configuration drawn from the Hyperopt space ``expr`` (``rng``: a numpy
    ``Generator``; None draws fresh randomness).

    >>> import numpy as np
    >>> from typedspace.hyperopt import hp
    >>> config = sample({"x": hp.uniform("x", 0, 1)}, rng=np.random.default_rng(0))
    >>> 0 <= config["x"] <= 1
    True
    """
    if kwargs:
        raise TypeError(f"sample: unexpected keyword {sorted(kwargs)[0]!r}")
    return _sample(translate(expr), rng=rng if rng is not None else np.random.default_rng())
