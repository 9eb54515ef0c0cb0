"""The node classes of the search-space DSL: immutable data, no behaviour.

Backends (sampling, flattening, printing ...) live in ``typedspace.backends`` and interpret
these through one walk; ``NODE_KINDS`` is the registry of every kind they must handle.
"""

from typedspace._exports import publish
from typedspace.nodes._base import Space as Space
from typedspace.nodes._choice import Choice as Choice
from typedspace.nodes._combinators import Cond as Cond
from typedspace.nodes._combinators import Map as Map
from typedspace.nodes._combinators import finite_values as finite_values
from typedspace.nodes._containers import Dict as Dict
from typedspace.nodes._containers import List as List
from typedspace.nodes._containers import Tuple as Tuple
from typedspace.nodes._containers import as_space as as_space
from typedspace.nodes._custom import Custom as Custom
from typedspace.nodes._leaves import Const as Const
from typedspace.nodes._leaves import IntLogUniform as IntLogUniform
from typedspace.nodes._leaves import IntUniform as IntUniform
from typedspace.nodes._leaves import LogNormal as LogNormal
from typedspace.nodes._leaves import LogUniform as LogUniform
from typedspace.nodes._leaves import Normal as Normal
from typedspace.nodes._leaves import Uniform as Uniform
from typedspace.nodes._records import Record as Record
from typedspace.nodes._records import param as param
from typedspace.nodes._records import record as record
from typedspace.nodes._records import space_of as space_of

#: Every node kind of the DSL.  Each backend handles each of them (a test checks it); adding
#: a kind means adding it here, see ``typedspace/backends/README.md``.
NODE_KINDS: tuple[type[Space[object]], ...] = (
    Uniform,
    LogUniform,
    Normal,
    LogNormal,
    IntUniform,
    IntLogUniform,
    Custom,
    Const,
    Choice,
    Map,
    Cond,
    Tuple,
    List,
    Dict,
    Record,
)

__all__ = [
    "NODE_KINDS",
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

publish("typedspace.nodes", globals(), __all__)
