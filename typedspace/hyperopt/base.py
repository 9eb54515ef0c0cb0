"""Hyperopt's ``base`` module: the names programs import from it (``Trials``, the status
and job-state constants).

>>> from typedspace.hyperopt.base import STATUS_OK, Trials
>>> STATUS_OK, len(Trials())
('ok', 0)
"""

from typedspace.errors import DuplicateLabel as DuplicateLabel
from typedspace.hyperopt._trials import JOB_STATE_CANCEL as JOB_STATE_CANCEL
from typedspace.hyperopt._trials import JOB_STATE_DONE as JOB_STATE_DONE
from typedspace.hyperopt._trials import JOB_STATE_ERROR as JOB_STATE_ERROR
from typedspace.hyperopt._trials import JOB_STATE_NEW as JOB_STATE_NEW
from typedspace.hyperopt._trials import JOB_STATE_RUNNING as JOB_STATE_RUNNING
from typedspace.hyperopt._trials import JOB_STATES as JOB_STATES
from typedspace.hyperopt._trials import JOB_VALID_STATES as JOB_VALID_STATES
from typedspace.hyperopt._trials import STATUS_FAIL as STATUS_FAIL
from typedspace.hyperopt._trials import STATUS_NEW as STATUS_NEW
from typedspace.hyperopt._trials import STATUS_OK as STATUS_OK
from typedspace.hyperopt._trials import STATUS_RUNNING as STATUS_RUNNING
from typedspace.hyperopt._trials import STATUS_STRINGS as STATUS_STRINGS
from typedspace.hyperopt._trials import STATUS_SUSPENDED as STATUS_SUSPENDED
from typedspace.hyperopt._trials import Trials as Trials
from typedspace.hyperopt._trials import trials_from_docs as trials_from_docs

__all__ = [
    "JOB_STATES",
    "JOB_STATE_CANCEL",
    "JOB_STATE_DONE",
    "JOB_STATE_ERROR",
    "JOB_STATE_NEW",
    "JOB_STATE_RUNNING",
    "JOB_VALID_STATES",
    "STATUS_FAIL",
    "STATUS_NEW",
    "STATUS_OK",
    "STATUS_RUNNING",
    "STATUS_STRINGS",
    "STATUS_SUSPENDED",
    "DuplicateLabel",
    "Trials",
    "trials_from_docs",
]
