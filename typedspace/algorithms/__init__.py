"""Search algorithms.  They work on the flattened parameter table, never on space nodes."""

from typedspace.algorithms._base import Algorithm, Proposer
from typedspace.algorithms._random import RandomSearch

__all__ = ["Algorithm", "Proposer", "RandomSearch"]
