"""Hyperopt's public API on typedspace's engine: change ``import hyperopt`` to
``import typedspace.hyperopt as hyperopt`` and the program runs on our TPE and storage.

``hp.*`` spaces are translated into typedspace nodes (each label names a parameter),
``fmin`` runs ``typedspace.optimize`` and fills ``Trials`` in Hyperopt's shapes, and
``to_typed`` shows the typed space to move to.  See ``docs/guide/hyperopt-compat.md``.

>>> import numpy as np
>>> from typedspace.hyperopt import STATUS_OK, Trials, fmin, hp, space_eval, tpe
>>> space = {"lr": hp.loguniform("lr", np.log(1e-4), np.log(1e-1)),
...          "depth": 1 + hp.randint("depth", 5)}
>>> def objective(config):
...     return {"loss": (np.log10(config["lr"]) + 2) ** 2 + config["depth"], "status": STATUS_OK}
>>> trials = Trials()
>>> best = fmin(objective, space, algo=tpe.suggest, max_evals=40, trials=trials,
...             rstate=np.random.default_rng(0), show_progressbar=False)
>>> sorted(best), len(trials), space_eval(space, best)["depth"] == best["depth"] + 1
(['depth', 'lr'], 40, True)
"""

from typedspace._exports import publish
from typedspace.errors import DuplicateLabel as DuplicateLabel
from typedspace.errors import NoSuccessfulTrial as AllTrialsFailed
from typedspace.hyperopt import anneal as anneal
from typedspace.hyperopt import base as base
from typedspace.hyperopt import early_stop as early_stop
from typedspace.hyperopt import exceptions as exceptions
from typedspace.hyperopt import hp as hp
from typedspace.hyperopt import pyll as pyll
from typedspace.hyperopt import rand as rand
from typedspace.hyperopt import tpe as tpe
from typedspace.hyperopt._fmin import fmin as fmin
from typedspace.hyperopt._fmin import space_eval as space_eval
from typedspace.hyperopt._translate import to_typed as to_typed
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
from typedspace.hyperopt._trials import MongoTrials as MongoTrials
from typedspace.hyperopt._trials import SparkTrials as SparkTrials
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
    "AllTrialsFailed",
    "DuplicateLabel",
    "MongoTrials",
    "SparkTrials",
    "Trials",
    "anneal",
    "base",
    "early_stop",
    "exceptions",
    "fmin",
    "hp",
    "pyll",
    "rand",
    "space_eval",
    "to_typed",
    "tpe",
    "trials_from_docs",
]

publish("typedspace.hyperopt", globals(), __all__)
