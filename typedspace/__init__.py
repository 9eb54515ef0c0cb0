"""typedspace: hyperparameter optimization over typed, mypy-checked search spaces.

>>> from typedspace import Choice, IntUniform, LogUniform, sample
>>> config = sample({"lr": LogUniform(1e-4, 1e-1), "layers": IntUniform(1, 4)}, seed=0)
>>> sorted(config)
['layers', 'lr']
"""

from typedspace._encode import EncodeError, encode
from typedspace._flatten import FlatSpace, decode, flatten
from typedspace._optimize import Result, optimize
from typedspace._optimizer import DecodeError, NoSuccessfulTrial, Optimizer
from typedspace._parallel import WorkerDied
from typedspace._pretty import describe, pretty
from typedspace._sample import sample, sample_many
from typedspace._serialize import SerializationError, from_json, to_json
from typedspace._stopping import EarlyStop, NoImprovement
from typedspace._study import Study, load_study, study_names
from typedspace._table import Assignment, CategoricalParam, NumericParam, ParamTable
from typedspace._trial import ErrorInfo, Outcome, Trial, TrialState
from typedspace.algorithms import TPE, RandomSearch
from typedspace.nodes import (
    Choice,
    Cond,
    Const,
    Custom,
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
    "TPE",
    "Assignment",
    "CategoricalParam",
    "Choice",
    "Cond",
    "Const",
    "Custom",
    "DecodeError",
    "Dict",
    "EarlyStop",
    "EncodeError",
    "ErrorInfo",
    "FlatSpace",
    "IntLogUniform",
    "IntUniform",
    "List",
    "LogNormal",
    "LogUniform",
    "Map",
    "NoImprovement",
    "NoSuccessfulTrial",
    "Normal",
    "NumericParam",
    "Optimizer",
    "Outcome",
    "ParamTable",
    "RandomSearch",
    "Record",
    "Result",
    "SerializationError",
    "Space",
    "Study",
    "Trial",
    "TrialState",
    "Tuple",
    "Uniform",
    "WorkerDied",
    "as_space",
    "decode",
    "describe",
    "encode",
    "flatten",
    "from_json",
    "load_study",
    "optimize",
    "param",
    "pretty",
    "record",
    "sample",
    "sample_many",
    "space_of",
    "study_names",
    "to_json",
]
