"""``Trials``: a study's trials in Hyperopt's shapes (documents with ``tid``, ``state``,
``result`` and ``misc: {vals, idxs}``), filled by ``fmin`` from typedspace's storage.

A ``Trials`` object holds the storage its study lives in (memory, or the SQLite file of
``trials_save_file=`` / ``storage=``), so passing it to ``fmin`` again continues the study.
"""

from __future__ import annotations

import datetime
import json
import math
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import attrs

from typedspace.backends._table import CategoricalParam, NumericParam, ParamTable
from typedspace.errors import NoSuccessfulTrial
from typedspace.run._optimizer import open_storage
from typedspace.storage import InMemoryStorage, Storage
from typedspace.storage._records import Trial, TrialRecord, TrialState

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
    "MongoTrials",
    "SparkTrials",
    "Trials",
    "trials_from_docs",
]

STATUS_NEW = "new"
STATUS_RUNNING = "running"
STATUS_SUSPENDED = "suspended"
STATUS_OK = "ok"
STATUS_FAIL = "fail"
STATUS_STRINGS = (STATUS_NEW, STATUS_RUNNING, STATUS_SUSPENDED, STATUS_OK, STATUS_FAIL)

JOB_STATE_NEW = 0
JOB_STATE_RUNNING = 1
JOB_STATE_DONE = 2
JOB_STATE_ERROR = 3
JOB_STATE_CANCEL = 4
JOB_STATES = [JOB_STATE_NEW, JOB_STATE_RUNNING, JOB_STATE_DONE, JOB_STATE_ERROR, JOB_STATE_CANCEL]
JOB_VALID_STATES = {JOB_STATE_NEW, JOB_STATE_RUNNING, JOB_STATE_DONE}

#: The study ``fmin`` runs in a storage when none is named.
DEFAULT_STUDY = "hyperopt"
#: What Hyperopt's ``fmin`` writes in ``misc["cmd"]``.
_CMD = ("domain_attachment", "FMinIter_Domain")


def _time(seconds: float | None) -> datetime.datetime | None:
    # Hyperopt keeps naive UTC datetimes to the millisecond.
    if seconds is None:
        return None
    moment = datetime.datetime.fromtimestamp(round(seconds, 3), tz=datetime.UTC)
    return moment.replace(tzinfo=None)


def hyperopt_val(param: NumericParam | CategoricalParam, value: float | int) -> float | int:
    """A parameter's value as Hyperopt's ``misc["vals"]`` holds it: a choice's index and
    an int as ``int``, any other number as ``float``."""
    if isinstance(param, CategoricalParam) or param.is_int:
        return int(value)
    return float(value)


def _result(trial: Trial[Any] | TrialRecord) -> tuple[int, dict[str, Any]]:
    """The Hyperopt job state and result document of ``trial``."""
    if trial.state is TrialState.OK:
        return JOB_STATE_DONE, {"loss": trial.loss, "status": STATUS_OK, **trial.extra}
    if trial.state is TrialState.RUNNING:
        return JOB_STATE_RUNNING, {"status": STATUS_RUNNING}
    if trial.state is TrialState.CANCELLED:
        return JOB_STATE_CANCEL, {"status": STATUS_NEW}
    error = trial.error
    if error is not None and error.type == "StatusFail":
        try:
            returned = json.loads(error.message)
        except ValueError:
            returned = None
        if isinstance(returned, dict):
            return JOB_STATE_DONE, returned
        return JOB_STATE_DONE, {"status": STATUS_FAIL}
    if trial.state is TrialState.PRUNED or (error is not None and error.type == "InvalidLoss"):
        # A non-finite loss (Hyperopt keeps it as an "ok" trial that best_trial skips).
        return JOB_STATE_DONE, {"status": STATUS_FAIL}
    # The objective raised: an error job, left out of .trials as Hyperopt's are.
    return JOB_STATE_ERROR, {"status": STATUS_NEW}


def trial_doc(
    trial: Trial[Any] | TrialRecord, table: ParamTable, exp_key: str | None = None
) -> dict[str, Any]:
    """The Hyperopt document of one typedspace trial (or stored record)."""
    tid = trial.number
    vals: dict[str, list[float | int]] = {}
    idxs: dict[str, list[int]] = {}
    for param in sorted(table.params, key=lambda p: p.name):  # Hyperopt sorts the labels
        if param.name in trial.assignment:
            vals[param.name] = [hyperopt_val(param, trial.assignment[param.name])]
            idxs[param.name] = [tid]
        else:  # not active in this trial (a branch not chosen)
            vals[param.name], idxs[param.name] = [], []
    state, result = _result(trial)
    misc: dict[str, Any] = {"tid": tid, "cmd": _CMD, "workdir": None, "idxs": idxs, "vals": vals}
    if state == JOB_STATE_ERROR and trial.error is not None:
        misc["error"] = (trial.error.type, trial.error.message)
    return {
        "state": state,
        "tid": tid,
        "spec": None,
        "result": result,
        "misc": misc,
        "exp_key": exp_key,
        "owner": None,
        "version": 0,
        "book_time": _time(trial.started),
        "refresh_time": _time(trial.finished if trial.finished is not None else trial.started),
    }


class Trials:
    """The trials of ``fmin`` runs, as Hyperopt's ``Trials`` shows them.

    Pass the same object to ``fmin`` again to continue its study; ``Trials(storage="f.db")``
    keeps it in a SQLite file (``fmin(..., trials_save_file="f.db")`` does the same).

    >>> from typedspace.hyperopt import Trials, fmin, hp, rand
    >>> import numpy as np
    >>> trials = Trials()
    >>> best = fmin(lambda x: (x - 1) ** 2, hp.uniform("x", -3, 3), rand.suggest, max_evals=20,
    ...             trials=trials, rstate=np.random.default_rng(0), show_progressbar=False)
    >>> len(trials), trials.best_trial["result"]["status"], sorted(trials.argmin) == ["x"]
    (20, 'ok', True)
    """

    asynchronous = False

    def __init__(
        self,
        exp_key: str | None = None,
        refresh: bool = True,
        *,
        storage: Storage | str | os.PathLike[str] | None = None,
        study: str = DEFAULT_STUDY,
    ) -> None:
        self._exp_key = exp_key
        self.attachments: dict[str, Any] = {}
        self._storage_arg = storage
        self._storage: Storage | None = None
        self._study = study
        self._dynamic_trials: list[dict[str, Any]] = []
        self._trials: list[dict[str, Any]] = []
        self._ids: set[int] = set()

    # -- pickling (Hyperopt's way of saving Trials) -------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_storage"] = None  # a SQLite file is opened again from its path
        if isinstance(self._storage, InMemoryStorage):
            # An in-memory study travels with the object: its description and records.
            state["_storage_arg"] = None
            study = self._study
            known = study in self._storage.study_names()
            state["_memory"] = (
                (self._storage.load_study(study), list(self._storage.trials(study)))
                if known
                else None
            )
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        memory = state.pop("_memory", None)
        self.__dict__.update(state)
        if memory is not None:
            info, records = memory
            storage = InMemoryStorage()
            storage.open_study(info)
            for record in records:
                number = storage.start_trial(info.name, record.assignment, record.started)
                if record.state is not TrialState.RUNNING:
                    storage.finish_trial(info.name, attrs.evolve(record, number=number))
            self._storage = storage

    # -- the study behind it ------------------------------------------------------------------
    def _bind(
        self, storage: Storage | str | os.PathLike[str] | None, study: str | None
    ) -> tuple[Storage, str]:
        """The storage and study of this object (opened on first use); ``storage`` and
        ``study`` given by ``fmin`` must agree with earlier ones."""
        if storage is not None:
            if (
                self._storage is not None
                and storage is not self._storage_arg
                and not _same_path(storage, self._storage_arg)
            ):
                raise ValueError(
                    f"fmin: these Trials already keep their study in {self._storage_arg!r}; "
                    f"storage/trials_save_file={storage!r} names another place: pass the "
                    "same one, or new Trials()"
                )
            self._storage_arg = storage
        if study is not None:
            if self._storage is not None and study != self._study:
                raise ValueError(
                    f"fmin: these Trials hold the study {self._study!r}, not {study!r}"
                )
            self._study = study
        if self._storage is None:
            self._storage = open_storage(self._storage_arg)
        return self._storage, self._study

    def _load(self, trials: Sequence[Trial[Any] | TrialRecord], table: ParamTable | None) -> None:
        """Fill the documents from a study's trials (or records)."""
        if table is None:
            return
        self._dynamic_trials = [trial_doc(t, table, self._exp_key) for t in trials]
        self.refresh()

    def _add(self, trial: Trial[Any] | TrialRecord, table: ParamTable) -> None:
        """Append a trial that just finished (``refresh`` without going over all of them)."""
        doc = trial_doc(trial, table, self._exp_key)
        self._dynamic_trials.append(doc)
        if doc["state"] in JOB_VALID_STATES:
            self._trials.append(doc)
            self._ids.add(doc["tid"])

    # -- Hyperopt's API -----------------------------------------------------------------------
    def refresh(self) -> None:
        """Recompute ``.trials`` (the valid documents: not errors, not cancelled)."""
        self._trials = [t for t in self._dynamic_trials if t["state"] in JOB_VALID_STATES]
        self._ids.update(t["tid"] for t in self._trials)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self._trials)

    def __len__(self) -> int:
        return len(self._trials)

    def __getitem__(self, item: object) -> Any:
        raise NotImplementedError("index .trials (a list) instead")

    @property
    def trials(self) -> list[dict[str, Any]]:
        return self._trials

    @property
    def tids(self) -> list[int]:
        return [t["tid"] for t in self._trials]

    @property
    def specs(self) -> list[Any]:
        return [t["spec"] for t in self._trials]

    @property
    def results(self) -> list[dict[str, Any]]:
        return [t["result"] for t in self._trials]

    @property
    def miscs(self) -> list[dict[str, Any]]:
        return [t["misc"] for t in self._trials]

    @property
    def idxs_vals(self) -> tuple[dict[str, list[int]], dict[str, list[Any]]]:
        """``(idxs, vals)``: per label, the tids of the trials it was active in, and its
        values there (Hyperopt's ``miscs_to_idxs_vals``)."""
        idxs: dict[str, list[int]] = {}
        vals: dict[str, list[Any]] = {}
        for misc in self.miscs:
            for label, tids in misc["idxs"].items():
                idxs.setdefault(label, []).extend(tids)
                vals.setdefault(label, []).extend(misc["vals"][label])
        return idxs, vals

    @property
    def idxs(self) -> dict[str, list[int]]:
        return self.idxs_vals[0]

    @property
    def vals(self) -> dict[str, list[Any]]:
        return self.idxs_vals[1]

    def losses(self, bandit: object = None) -> list[float | None]:
        """Each trial's loss (None where it has none: a failure)."""
        return [r.get("loss") for r in self.results]

    def statuses(self, bandit: object = None) -> list[str | None]:
        return [r.get("status") for r in self.results]

    @property
    def best_trial(self) -> dict[str, Any]:
        """The document with the lowest loss among "ok" trials (the earliest on a tie);
        raises ``AllTrialsFailed`` when there is none."""
        candidates = [
            t
            for t in self._trials
            if t["result"].get("status") == STATUS_OK and not math.isnan(t["result"]["loss"])
        ]
        if not candidates:
            raise NoSuccessfulTrial("there are no successful trials (status 'ok')")
        return min(candidates, key=lambda t: float(t["result"]["loss"]))

    @property
    def argmin(self) -> dict[str, Any]:
        """The best trial's values, by label: a choice's **index**, active labels only."""
        vals = self.best_trial["misc"]["vals"]
        return {label: v[0] for label, v in vals.items() if v}

    def average_best_error(self, bandit: object = None) -> float:
        """The true loss of the best trial (``true_loss`` in its result, else its loss);
        with a ``loss_variance`` in the results, the average of the trials within 3 sigma
        of the best weighted by the chance each is best, as Hyperopt computes it."""
        ok = [r for r in self.results if r.get("status") == STATUS_OK]
        if not ok:
            raise ValueError("Empty loss vector")
        rows = sorted(
            (
                float(r["loss"]),
                float(r.get("loss_variance", 0)),
                float(r.get("true_loss", r["loss"])),
            )
            for r in ok
        )
        if all(variance == 0 for _, variance, _ in rows):
            return min(rows)[2]
        sigma = math.sqrt(rows[0][1])
        close = [row for row in rows if row[0] < rows[0][0] + 3 * sigma] or rows[:1]
        return _pmin_average(close)

    def count_by_state_synced(self, arg: int | Sequence[int], trials: Any = None) -> int:
        states = {arg} if isinstance(arg, int) else set(arg)
        return sum(t["state"] in states for t in (self._trials if trials is None else trials))

    def count_by_state_unsynced(self, arg: int | Sequence[int]) -> int:
        return self.count_by_state_synced(arg, trials=self._dynamic_trials)

    def trial_attachments(self, trial: Mapping[str, Any]) -> Any:
        raise NotImplementedError(
            "typedspace.hyperopt keeps no attachments: return JSON-friendly values in the "
            "result dict (they are kept with the trial, in trials.results) and write large "
            "objects to files"
        )

    def delete_all(self) -> None:
        raise NotImplementedError(
            "typedspace.hyperopt does not delete trials from a study: use new Trials() (or "
            "another trials_save_file) to start over"
        )


def _pmin_average(rows: Sequence[tuple[float, float, float]]) -> float:
    """The true losses averaged with weights P(this trial's loss is the lowest), each loss
    drawn from N(loss, variance): estimated by sampling, as Hyperopt's ``pmin_sampled``."""
    import numpy as np

    rng = np.random.default_rng(232)
    means = np.array([r[0] for r in rows])
    sigmas = np.sqrt(np.array([r[1] for r in rows]))
    draws = rng.normal(means, sigmas, size=(1000, len(rows)))
    weights = np.bincount(draws.argmin(axis=1), minlength=len(rows)) / 1000.0
    return float(np.dot(weights, [r[2] for r in rows]))


def _same_path(a: object, b: object) -> bool:
    if isinstance(a, str | os.PathLike) and isinstance(b, str | os.PathLike):
        return os.path.abspath(os.fspath(a)) == os.path.abspath(os.fspath(b))
    return a is b


def trials_from_docs(*args: Any, **kwargs: Any) -> Trials:
    """Hyperopt builds ``Trials`` from documents; here trials come only from ``fmin`` runs."""
    raise NotImplementedError(
        "typedspace.hyperopt builds Trials from fmin runs only; to evaluate given points "
        "first, pass fmin(..., points_to_evaluate=[{label: value}, ...])"
    )


class SparkTrials:
    """Not supported: typedspace runs trials in parallel with ``fmin(..., executor=...)``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "SparkTrials is not supported by typedspace.hyperopt: run trials in parallel "
            "with fmin(..., executor=...) (a concurrent.futures pool, 'processes', or a Dask "
            "Client), e.g. fmin(fn, space, tpe.suggest, max_evals=100, executor='processes')"
        )


class MongoTrials:
    """Not supported: several processes share one SQLite study instead."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(
            "MongoTrials is not supported by typedspace.hyperopt: run trials in parallel "
            "with fmin(..., executor=...), or start several processes calling fmin with the "
            "same trials_save_file='study.db' (they share the SQLite study)"
        )
