"""Where studies live: in memory (the default of ``optimize``) or in a SQLite file."""

from typedspace.storage._base import (
    BudgetExhausted,
    Reclaiming,
    Storage,
    StorageError,
    StudyInfo,
    StudyMismatch,
)
from typedspace.storage._memory import InMemoryStorage
from typedspace.storage._sqlite import SQLiteStorage

__all__ = [
    "BudgetExhausted",
    "InMemoryStorage",
    "Reclaiming",
    "SQLiteStorage",
    "Storage",
    "StorageError",
    "StudyInfo",
    "StudyMismatch",
]
