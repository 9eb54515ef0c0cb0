"""Search algorithms.  They work on the flattened parameter table, never on space nodes."""

from typedspace._exports import publish
from typedspace.algorithms._base import Algorithm, LearnsFromPruned, Proposer
from typedspace.algorithms._default import default_algorithm
from typedspace.algorithms._gp import GP, GPProposer
from typedspace.algorithms._random import RandomSearch
from typedspace.algorithms._tpe import TPE, TPEProposer

__all__ = [
    "GP",
    "TPE",
    "Algorithm",
    "GPProposer",
    "LearnsFromPruned",
    "Proposer",
    "RandomSearch",
    "TPEProposer",
    "default_algorithm",
]

publish("typedspace.algorithms", globals(), __all__)
