"""Where studies live: in memory (the default of ``optimize``) or in a SQLite file, and how a
stored study is read back (``load_study``, ``Study``)."""

from typedspace._exports import publish
from typedspace.errors import BudgetExhausted as BudgetExhausted
from typedspace.errors import ResultNotSaved as ResultNotSaved
from typedspace.errors import StorageError as StorageError
from typedspace.errors import StudyMismatch as StudyMismatch
from typedspace.storage._base import Reclaiming as Reclaiming
from typedspace.storage._base import Storage as Storage
from typedspace.storage._base import StudyInfo as StudyInfo
from typedspace.storage._memory import InMemoryStorage as InMemoryStorage
from typedspace.storage._records import ErrorInfo as ErrorInfo
from typedspace.storage._records import Trial as Trial
from typedspace.storage._records import TrialRecord as TrialRecord
from typedspace.storage._records import TrialState as TrialState
from typedspace.storage._sqlite import SQLiteStorage as SQLiteStorage
from typedspace.storage._study import Study as Study
from typedspace.storage._study import load_study as load_study
from typedspace.storage._study import study_names as study_names

__all__ = [
    "BudgetExhausted",
    "ErrorInfo",
    "InMemoryStorage",
    "Reclaiming",
    "ResultNotSaved",
    "SQLiteStorage",
    "Storage",
    "StorageError",
    "StudyInfo",
    "StudyMismatch",
    "Trial",
    "TrialRecord",
    "TrialState",
    "load_study",
    "study_names",
]

publish("typedspace.storage", globals(), __all__)
