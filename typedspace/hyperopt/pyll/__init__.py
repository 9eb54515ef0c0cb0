"""Hyperopt's ``pyll``: ``scope`` (functions on space expressions) and ``as_apply``.

>>> from typedspace.hyperopt import hp
>>> from typedspace.hyperopt.pyll import scope
>>> from typedspace.hyperopt.pyll.stochastic import sample
>>> sample(scope.int(hp.quniform("n", 1, 10, 1)), rng=None) in range(1, 11)
True
"""

from typedspace.hyperopt._pyll import Scope, as_apply, scope

__all__ = ["Scope", "as_apply", "scope"]
