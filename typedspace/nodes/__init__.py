"""The node classes of the search-space DSL: immutable data, no behaviour.

Backends (sampling, flattening, printing ...) live in their own modules and interpret these.
"""

from typedspace.nodes._base import Space
from typedspace.nodes._combinators import Cond, Dict, List, Map, Tuple, as_space, finite_values
from typedspace.nodes._custom import Custom
from typedspace.nodes._leaves import (
    Choice,
    Const,
    IntLogUniform,
    IntUniform,
    LogNormal,
    LogUniform,
    Normal,
    Uniform,
)
from typedspace.nodes._records import Record, param, record, space_of

__all__ = [
    "Choice",
    "Cond",
    "Const",
    "Custom",
    "Dict",
    "IntLogUniform",
    "IntUniform",
    "List",
    "LogNormal",
    "LogUniform",
    "Map",
    "Normal",
    "Record",
    "Space",
    "Tuple",
    "Uniform",
    "as_space",
    "finite_values",
    "param",
    "record",
    "space_of",
]
