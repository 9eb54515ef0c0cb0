"""Running a study: ask/tell (``Optimizer``), the loop of ``optimize`` and its ``Result``,
parallel workers, stopping rules and progress.

Data flows one way: the optimizer asks the algorithm for assignments over the parameter
table, decodes them into typed values, the objective is run on them, and each finished trial
goes to storage.
"""

from typedspace._exports import publish
from typedspace.run._objective import ObjectiveResult as ObjectiveResult
from typedspace.run._objective import Outcome as Outcome
from typedspace.run._objectives import Objective as Objective
from typedspace.run._objectives import Objectives as Objectives
from typedspace.run._objectives import maximize as maximize
from typedspace.run._objectives import minimize as minimize
from typedspace.run._optimize import Result as Result
from typedspace.run._optimize import optimize as optimize
from typedspace.run._optimizer import Optimizer as Optimizer
from typedspace.run._report import Report as Report
from typedspace.run._stopping import EarlyStop as EarlyStop
from typedspace.run._stopping import NoImprovement as NoImprovement

__all__ = [
    "EarlyStop",
    "NoImprovement",
    "Objective",
    "ObjectiveResult",
    "Objectives",
    "Optimizer",
    "Outcome",
    "Report",
    "Result",
    "maximize",
    "minimize",
    "optimize",
]

publish("typedspace.run", globals(), __all__)
