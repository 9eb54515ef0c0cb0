"""typedspace: hyperparameter optimization over typed, mypy-checked search spaces.

The package's folders are its layers: ``nodes`` (the DSL's data), ``backends`` (one walk over
the tree and its interpretations: table, flatten/decode, sample, encode, pretty, serialize),
``algorithms`` (which see only the parameter table), ``run`` (ask/tell, the loop, parallel
workers), ``storage`` (studies in memory or SQLite, and reading them back), and at the edge
``plots``, ``testing``, ``sklearn`` and the command line.  ``errors`` holds every exception.

>>> from typedspace import Choice, IntUniform, LogUniform, sample
>>> config = sample({"lr": LogUniform(1e-4, 1e-1), "layers": IntUniform(1, 4)}, seed=0)
>>> sorted(config)
['layers', 'lr']
"""

from typedspace._exports import publish
from typedspace.algorithms import NSGA2 as NSGA2
from typedspace.algorithms import TPE as TPE
from typedspace.algorithms import RandomSearch as RandomSearch
from typedspace.backends._encode import encode as encode
from typedspace.backends._flatten import FlatSpace as FlatSpace
from typedspace.backends._flatten import decode as decode
from typedspace.backends._flatten import flatten as flatten
from typedspace.backends._pretty import describe as describe
from typedspace.backends._pretty import pretty as pretty
from typedspace.backends._sample import sample as sample
from typedspace.backends._sample import sample_many as sample_many
from typedspace.backends._serialize import from_json as from_json
from typedspace.backends._serialize import to_json as to_json
from typedspace.backends._table import Assignment as Assignment
from typedspace.backends._table import CategoricalParam as CategoricalParam
from typedspace.backends._table import NumericParam as NumericParam
from typedspace.backends._table import ParamTable as ParamTable
from typedspace.errors import DecodeError as DecodeError
from typedspace.errors import EncodeError as EncodeError
from typedspace.errors import InvalidLoss as InvalidLoss
from typedspace.errors import InvalidReturnType as InvalidReturnType
from typedspace.errors import NoSuccessfulTrial as NoSuccessfulTrial
from typedspace.errors import SerializationError as SerializationError
from typedspace.errors import TrialPruned as TrialPruned
from typedspace.errors import TypedspaceError as TypedspaceError
from typedspace.errors import WorkerDied as WorkerDied
from typedspace.nodes import Choice as Choice
from typedspace.nodes import Cond as Cond
from typedspace.nodes import Const as Const
from typedspace.nodes import Custom as Custom
from typedspace.nodes import Dict as Dict
from typedspace.nodes import IntLogUniform as IntLogUniform
from typedspace.nodes import IntUniform as IntUniform
from typedspace.nodes import List as List
from typedspace.nodes import LogNormal as LogNormal
from typedspace.nodes import LogUniform as LogUniform
from typedspace.nodes import Map as Map
from typedspace.nodes import Normal as Normal
from typedspace.nodes import Record as Record
from typedspace.nodes import Space as Space
from typedspace.nodes import Tuple as Tuple
from typedspace.nodes import Uniform as Uniform
from typedspace.nodes import as_space as as_space
from typedspace.nodes import param as param
from typedspace.nodes import record as record
from typedspace.nodes import space_of as space_of
from typedspace.run import EarlyStop as EarlyStop
from typedspace.run import NoImprovement as NoImprovement
from typedspace.run import Objectives as Objectives
from typedspace.run import Optimizer as Optimizer
from typedspace.run import Outcome as Outcome
from typedspace.run import Report as Report
from typedspace.run import Result as Result
from typedspace.run import maximize as maximize
from typedspace.run import minimize as minimize
from typedspace.run import optimize as optimize
from typedspace.storage import ErrorInfo as ErrorInfo
from typedspace.storage import Study as Study
from typedspace.storage import Trial as Trial
from typedspace.storage import TrialState as TrialState
from typedspace.storage import load_study as load_study
from typedspace.storage import study_names as study_names

__all__ = [
    "NSGA2",
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
    "InvalidLoss",
    "InvalidReturnType",
    "List",
    "LogNormal",
    "LogUniform",
    "Map",
    "NoImprovement",
    "NoSuccessfulTrial",
    "Normal",
    "NumericParam",
    "Objectives",
    "Optimizer",
    "Outcome",
    "ParamTable",
    "RandomSearch",
    "Record",
    "Report",
    "Result",
    "SerializationError",
    "Space",
    "Study",
    "Trial",
    "TrialPruned",
    "TrialState",
    "Tuple",
    "TypedspaceError",
    "Uniform",
    "WorkerDied",
    "as_space",
    "decode",
    "describe",
    "encode",
    "flatten",
    "from_json",
    "load_study",
    "maximize",
    "minimize",
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

# Aliases (Assignment) are not classes: publish leaves them alone.
publish("typedspace", globals(), __all__)
