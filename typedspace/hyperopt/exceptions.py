"""Hyperopt's ``exceptions`` module, mapped to the errors ``typedspace.hyperopt`` raises, so
that ``except hyperopt.exceptions.X`` keeps catching them.

>>> from typedspace.hyperopt import exceptions, fmin, hp, rand
>>> try:
...     fmin(lambda x: {"status": "ok"}, hp.uniform("x", 0, 1), rand.suggest, 1,
...          show_progressbar=False)
... except exceptions.InvalidLoss as error:
...     print(type(error).__name__)
InvalidReturnType
"""

from typedspace.errors import DuplicateLabel
from typedspace.errors import InvalidLoss as InvalidLoss
from typedspace.errors import InvalidReturnType as InvalidResultStatus
from typedspace.errors import NoSuccessfulTrial as AllTrialsFailed

#: Hyperopt's base class of space errors; the only one raised here is ``DuplicateLabel``.
BadSearchSpace = DuplicateLabel

__all__ = [
    "AllTrialsFailed",
    "BadSearchSpace",
    "DuplicateLabel",
    "InvalidLoss",
    "InvalidResultStatus",
]
