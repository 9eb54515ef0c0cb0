"""Hyperopt's ``hp`` module: the hyperparameter constructors (see ``typedspace.hyperopt``).

>>> from typedspace.hyperopt import hp
>>> hp.randint("n", 5).leaf
IntUniform(low=0, high=4, name='n')
"""

from typedspace.hyperopt._hp import (
    choice,
    lognormal,
    loguniform,
    normal,
    pchoice,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
    uniformint,
)

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
