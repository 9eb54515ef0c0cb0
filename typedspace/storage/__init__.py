"""Where studies live: in memory (default) or in a SQLite file."""

from typedspace.storage._base import Storage, StorageError, StudyInfo, StudyMismatch
from typedspace.storage._memory import InMemoryStorage

__all__ = ["InMemoryStorage", "Storage", "StorageError", "StudyInfo", "StudyMismatch"]
