"""typedspace: hyperparameter optimization over typed, mypy-checked search spaces.

>>> from typedspace import Choice, IntUniform, LogUniform, sample
>>> config = sample({"lr": LogUniform(1e-4, 1e-1), "layers": IntUniform(1, 4)}, seed=0)
>>> sorted(config)
['layers', 'lr']
"""

from typedspace._flatten import FlatSpace, decode, flatten
from typedspace._sample import sample, sample_many
from typedspace._table import Assignment, CategoricalParam, NumericParam, ParamTable
from typedspace.nodes import (
    Choice,
    Cond,
    Const,
    Dict,
    IntLogUniform,
    IntUniform,
    List,
    LogNormal,
    LogUniform,
    Map,
    Normal,
    Record,
    Space,
    Tuple,
    Uniform,
    as_space,
    param,
    record,
    space_of,
)

__all__ = [
    "Assignment",
    "CategoricalParam",
    "Choice",
    "Cond",
    "Const",
    "Dict",
    "FlatSpace",
    "IntLogUniform",
    "IntUniform",
    "List",
    "LogNormal",
    "LogUniform",
    "Map",
    "Normal",
    "NumericParam",
    "ParamTable",
    "Record",
    "Space",
    "Tuple",
    "Uniform",
    "as_space",
    "decode",
    "flatten",
    "param",
    "record",
    "sample",
    "sample_many",
    "space_of",
]
