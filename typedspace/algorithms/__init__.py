"""Search algorithms.  They work on the flattened parameter table, never on space nodes."""

from typedspace._exports import publish
from typedspace.algorithms._base import (
    Algorithm,
    LearnsFromCurves,
    LearnsFromPruned,
    LearnsOutcomes,
    Proposer,
)
from typedspace.algorithms._default import default_algorithm
from typedspace.algorithms._gp import GP, GPProposer
from typedspace.algorithms._nsga2 import NSGA2, NSGA2Proposer
from typedspace.algorithms._pareto import hypervolume, nondominated_ranks
from typedspace.algorithms._random import RandomSearch
from typedspace.algorithms._tpe import TPE, TPEProposer

__all__ = [
    "GP",
    "NSGA2",
    "TPE",
    "Algorithm",
    "GPProposer",
    "LearnsFromCurves",
    "LearnsFromPruned",
    "LearnsOutcomes",
    "NSGA2Proposer",
    "Proposer",
    "RandomSearch",
    "TPEProposer",
    "default_algorithm",
    "hypervolume",
    "nondominated_ranks",
]

publish("typedspace.algorithms", globals(), __all__)
