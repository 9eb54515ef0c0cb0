"""A stored study as JSON data for the dashboard's page: data-only and read-only.

The file is opened once with ``SQLiteStorage(read_only=True)`` and every read is one short
autocommit query: SQLite's WAL mode lets readers and writers run side by side, so the
dashboard never holds a transaction or a lock between two polls and never stalls a running
``optimize``.  The storage's own incremental cache fetches only the rows written since the
last read (rows carry a sequence number), and a record that did not change is the very same
object from one read to the next; that identity is what tells which trials a poll must send.

Nothing the file names is imported or called: typed values are shown only when the stored
space rebuilds without any code of the user's (plain leaves, dicts and lists), otherwise the
best configuration is shown as its parameter assignment with the stored option labels.
"""

from __future__ import annotations

import contextlib
import math
import os
import secrets
import threading
from collections.abc import Mapping, Sequence
from typing import Any, cast

import attrs

from typedspace.backends._flatten import FlatSpace
from typedspace.backends._table import CategoricalParam, Param, ParamTable
from typedspace.dashboard._pareto import FrontHistory, pareto_json
from typedspace.storage import (
    SQLiteStorage,
    StorageError,
    StudyInfo,
    TrialRecord,
    TrialState,
    load_study,
)
from typedspace.storage._records import is_feasible

#: The JSON of one trial as the page reads it.
Row = dict[str, Any]


def finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None, in lists and dicts too:
    strict JSON (what the browser's ``JSON.parse`` reads) has no such numbers.

    >>> finite({"a": [1.0, float("nan")], "b": float("inf")})
    {'a': [1.0, None], 'b': None}
    """
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, Mapping):
        items = cast(Mapping[object, object], value)
        return {str(k): finite(v) for k, v in items.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in cast(Sequence[object], value)]
    return value


def trial_row(record: TrialRecord) -> Row:
    """One trial as the page reads it: raw parameter values (a choice's option index; the
    page shows its label from ``params``), inactive parameters absent."""
    error = record.error
    return {
        "number": record.number,
        "state": record.state.value,
        "loss": finite(record.loss),
        "started": record.started,
        "finished": record.finished,
        "params": finite(dict(record.assignment)),
        "error": None
        if error is None
        else {"type": error.type, "message": error.message, "traceback": error.traceback},
        "intermediate": finite([list(pair) for pair in record.intermediate]),
        "extra": finite(dict(record.extra)),
        # Studies of several objectives: each objective's value (in its own units) and each
        # constraint's (<= 0: satisfied), for the page's Pareto section.
        "values": _vector(record.values),
        "constraints": _vector(record.constraints),
        "feasible": is_feasible(record.constraints),
    }


def _vector(values: Sequence[float] | None) -> list[float | None] | None:
    return None if values is None else [finite(float(v)) for v in values]


def param_json(param: Param) -> dict[str, Any]:
    """How the page plots a parameter: its kind, log scale, bounds and option labels."""
    condition = [[c.param, sorted(c.allowed)] for c in param.condition]
    if isinstance(param, CategoricalParam):
        return {
            "name": param.name,
            "kind": "categorical",
            "labels": list(param.labels),
            "condition": condition,
        }
    return {
        "name": param.name,
        "kind": "int" if param.is_int else "float",
        "log": param.log,
        "low": finite(param.low),
        "high": finite(param.high),
        "condition": condition,
    }


def describe_param(param: Param) -> str:
    """One line for a parameter of a stored table (a data-only view of the space).

    >>> from typedspace import Choice, LogUniform, flatten
    >>> table = flatten({"lr": LogUniform(1e-4, 1.0), "act": Choice("relu", "gelu")}).table
    >>> [describe_param(p) for p in table.params]
    ['lr: log-uniform [0.0001, 1.0]', "act: one of 'relu' | 'gelu'"]
    """
    if isinstance(param, CategoricalParam):
        text = "one of " + " | ".join(param.labels)
    else:
        kind = ("int " if param.is_int else "") + ("log-" if param.log else "")
        kind += "normal" if param.prior == "normal" else "uniform"
        if param.prior == "normal":
            text = f"{kind} (mu={param.mu:g}, sigma={param.sigma:g})"
        else:
            low, high = (
                (int(param.low), int(param.high)) if param.is_int else (param.low, param.high)
            )
            text = f"{kind} [{low}, {high}]"
        if param.warp is not None:
            text += " (custom distribution)"
    return f"{param.name}: {text}"


def table_text(table: ParamTable) -> str:
    """The stored parameter table, one line each, with the choices that activate it."""
    lines: list[str] = []
    for param in table.params:
        line = describe_param(param)
        if param.condition:
            when: list[str] = []
            for clause in param.condition:
                parent = table[clause.param]
                labels = parent.labels if isinstance(parent, CategoricalParam) else None
                shown = [labels[int(i)] if labels else repr(i) for i in sorted(clause.allowed)]
                when.append(f"{clause.param} = {' | '.join(shown)}")
            line += "    (when " + " and ".join(when) + ")"
        lines.append(line)
    return "\n".join(lines)


def assignment_text(assignment: Mapping[str, float | int], table: ParamTable | None) -> str:
    """A data-only rendering of a configuration: each active parameter with its value, a
    choice by its option's label.

    >>> from typedspace import Choice, flatten
    >>> table = flatten({"act": Choice("relu", "gelu"), "n": Choice(1, 2)}).table
    >>> assignment_text({"act": 1, "n": 0}, table)
    "{'act': 'gelu', 'n': 1}"
    """
    parts: list[str] = []
    for name, value in assignment.items():
        param = table[name] if table is not None and name in table.names else None
        if isinstance(param, CategoricalParam) and 0 <= int(value) < param.size:
            shown = param.labels[int(value)]
        else:
            shown = repr(value)
        parts.append(f"{name!r}: {shown}")
    return "{" + ", ".join(parts) + "}"


def _importance(records: Sequence[TrialRecord], table: ParamTable | None) -> dict[str, Any]:
    """Each parameter's importance (typedspace.plots' computation) with its n."""
    try:
        # typedspace.plots imports matplotlib when its package is imported.
        from typedspace.plots._importance import importances
    except ImportError as error:
        return {"unavailable": f"parameter importance needs matplotlib ({error})", "scores": []}
    categorical = {p.name: isinstance(p, CategoricalParam) for p in table.params} if table else None
    scores = importances(records, categorical)
    return {
        "unavailable": None,
        "scores": [{"name": n, "score": s.score, "n": s.n} for n, s in scores.items()],
    }


@attrs.define
class _Tracked:
    """One study as the dashboard last read it."""

    info: StudyInfo
    flat: FlatSpace | None
    table: ParamTable | None
    records: list[TrialRecord] = attrs.field(factory=list[TrialRecord])
    rows: list[Row] = attrs.field(factory=list[Row])
    #: The revision at which each trial last changed; the study's revision is the highest.
    changed: list[int] = attrs.field(factory=list[int])
    revision: int = 0
    counts: dict[str, Any] | None = None  # trials by state and best loss, at ``revision``
    details: dict[str, Any] | None = None  # best trial and importance, at ``revision``
    best: TrialRecord | None = None  # at ``revision`` (with ``counts``)
    importance: dict[str, Any] | None = None  # as last computed (see ``_details``)
    static: dict[str, Any] | None = None  # its space, parameters, algorithm: computed once
    pareto: dict[str, Any] | None = None  # several objectives: the front, at ``revision``
    hypervolume: FrontHistory = attrs.field(factory=FrontHistory)


def _best_record(records: Sequence[TrialRecord]) -> TrialRecord | None:
    """The OK trial with the lowest loss (ties: the earliest), or None."""
    ok = [r for r in records if r.state is TrialState.OK and r.loss is not None]
    return min(ok, key=lambda r: (float(r.loss or 0.0), r.number)) if ok else None


class StudyFile:
    """The studies of one SQLite file, read for the dashboard (never written).

    ``study(name, since=r)`` returns only the trials that changed after revision ``r`` of an
    earlier answer (0: all of them), so polling a study of 10,000 trials sends a few rows.

    >>> import os, tempfile
    >>> from typedspace import Uniform, optimize
    >>> path = os.path.join(tempfile.mkdtemp(), "runs.db")
    >>> _ = optimize(lambda x: x, Uniform(0.0, 1.0), max_evals=4, seed=0, storage=path,
    ...              study="demo", progress=False)
    >>> with StudyFile(path) as studies:
    ...     first = studies.study("demo")
    ...     again = studies.study("demo", since=first["revision"], epoch=first["epoch"])
    >>> len(first["trials"]), len(again["trials"]), first["best"]["number"] >= 0
    (4, 0, True)
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = os.fspath(path)
        self._storage = SQLiteStorage(path, read_only=True)
        self._lock = threading.Lock()
        self._studies: dict[str, _Tracked] = {}
        #: Changes with every start: a revision of another run of the server means nothing.
        self.epoch = secrets.token_hex(8)
        self._closed = False

    def __enter__(self) -> StudyFile:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the file (a request still being answered finishes first)."""
        with self._lock:
            self._closed = True
            self._storage.close()

    def _track(self, name: str) -> _Tracked:
        """The study ``name`` with its trials read up to now (KeyError if there is none)."""
        if self._closed:
            raise StorageError(f"{self.path} was closed: the dashboard is stopping")
        info = self._storage.load_study(name)
        tracked = old_study = self._studies.get(name)
        if tracked is None or tracked.info != info:
            # First look, or the study continued with another space (allow_space_change):
            # every trial is sent again.  load_study rebuilds the space only from plain data.
            study = load_study(self._storage, name)
            tracked = _Tracked(info, study.flat, study.table)
            # Revisions only grow: a page holding an old one receives every trial again.
            tracked.revision = old_study.revision if old_study is not None else 0
            self._studies[name] = tracked
        records = list(self._storage.trials(name))
        old = tracked.records
        fresh = [i for i, r in enumerate(records) if i >= len(old) or r is not old[i]]
        if fresh:
            tracked.revision += 1
            for i in fresh:
                row = trial_row(records[i])
                if i < len(tracked.rows):
                    tracked.rows[i], tracked.changed[i] = row, tracked.revision
                else:
                    tracked.rows.append(row)
                    tracked.changed.append(tracked.revision)
            tracked.records = records
            tracked.counts = tracked.details = None
        return tracked

    def studies(self) -> list[dict[str, Any]]:
        """Every study of the file: its name, trials by state and best loss."""
        with self._lock:
            out: list[dict[str, Any]] = []
            for name in self._storage.study_names():
                tracked = self._track(name)
                out.append({"name": name, **self._counts(tracked)})
            return out

    def study(self, name: str, *, since: int = 0, epoch: str | None = None) -> dict[str, Any]:
        """The study ``name``: its space, parameters, best trial, importance and the trials
        changed after revision ``since`` of this ``epoch`` (all of them for another epoch).
        KeyError if there is no such study."""
        with self._lock:
            tracked = self._track(name)
            if epoch != self.epoch or since > tracked.revision:
                since = 0
            rows = [
                row
                for row, changed in zip(tracked.rows, tracked.changed, strict=True)
                if changed > since
            ]
            if tracked.static is None:  # what does not change while the study runs
                tracked.static = {
                    "algorithm": tracked.info.algorithm,
                    "seed": tracked.info.seed,
                    "created": tracked.info.created,
                    "space": self._space_text(tracked),
                    "typed": tracked.flat is not None,
                    "params": [param_json(p) for p in tracked.table.params]
                    if tracked.table
                    else [],
                }
            return {
                "name": name,
                "epoch": self.epoch,
                "revision": tracked.revision,
                "full": since == 0,
                **tracked.static,
                "counts": self._counts(tracked),
                **self._details(tracked),
                "trials": rows,
                # Several objectives: the front (a few numbers, sent whole); each trial's
                # values and feasibility travel with its row.
                "pareto": tracked.pareto,
            }

    @staticmethod
    def _space_text(tracked: _Tracked) -> str:
        if tracked.flat is not None:
            from typedspace.backends._pretty import pretty

            return pretty(tracked.flat.space)
        if tracked.table is not None:
            return table_text(tracked.table)
        return tracked.info.space_text

    @staticmethod
    def _counts(tracked: _Tracked) -> dict[str, Any]:
        """Trials by state and the best loss (computed once per revision)."""
        if tracked.counts is None:
            states = {state.value: 0 for state in TrialState}
            for r in tracked.records:
                states[r.state.value] += 1
            tracked.best = _best_record(tracked.records)
            tracked.pareto = finite(pareto_json(tracked.info, tracked.records, tracked.hypervolume))
            tracked.counts = {
                "trials": len(tracked.records),
                "states": states,
                "best_loss": None if tracked.best is None else finite(tracked.best.loss),
                # Several objectives: how many trials are on the Pareto front.
                "front": None if tracked.pareto is None else len(tracked.pareto["front"]),
            }
        return tracked.counts

    def _details(self, tracked: _Tracked) -> dict[str, Any]:
        """The best trial and the importances (computed once per revision)."""
        if tracked.details is None:
            ok = self._counts(tracked)["states"]["ok"]
            # Importance takes 0.2 s at 10,000 trials: it is recomputed once the completed
            # trials grew by 1% (by one below 100), and says how many it rests on.
            if tracked.importance is None or ok - tracked.importance["completed"] >= max(
                1, tracked.importance["completed"] // 100
            ):
                records = tracked.records
                if tracked.pareto is not None:
                    # Several objectives, no loss: the importance for the first objective.
                    records = [
                        attrs.evolve(r, loss=r.values[0]) if r.values else r for r in records
                    ]
                tracked.importance = {
                    **_importance(records, tracked.table),
                    "completed": ok,
                }
            tracked.details = {
                "best": None if tracked.best is None else self._best(tracked, tracked.best),
                "importance": tracked.importance,
            }
        return tracked.details

    @staticmethod
    def _best(tracked: _Tracked, best: TrialRecord) -> dict[str, Any]:
        text = assignment_text(best.assignment, tracked.table)
        typed = False
        if tracked.flat is not None:
            # A row that does not fit the space (edited by hand) is shown as stored.
            with contextlib.suppress(TypeError, ValueError, KeyError, IndexError):
                text, typed = repr(tracked.flat.decode(best.assignment)), True
        return {"number": best.number, "loss": finite(best.loss), "repr": text, "typed": typed}
