"""Reading a stored study back: its trials, the best one, a table of rows, a CSV file.

>>> import os, tempfile
>>> from typedspace import Uniform, optimize
>>> from typedspace.algorithms import RandomSearch
>>> path = os.path.join(tempfile.mkdtemp(), "runs.db")
>>> _ = optimize(lambda x: x, Uniform(0.0, 1.0), RandomSearch(), max_evals=5, storage=path,
...              study="demo", progress=False)
>>> study_names(path)
['demo']
>>> study = load_study(path, "demo", space=Uniform(0.0, 1.0))
>>> len(study.trials), 0.0 <= study.best_trial.value <= 1.0
(5, True)
"""

from __future__ import annotations

import ast
import csv
import json
import os
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import IO, Any, Generic, TypeVar, cast, overload

import attrs

from typedspace.backends._describe import KEY, describe_table, table_from_description
from typedspace.backends._flatten import FlatSpace, flatten
from typedspace.backends._serialize import from_json
from typedspace.backends._table import CategoricalParam, ParamTable
from typedspace.errors import NoSuccessfulTrial, StorageError, StudyMismatch
from typedspace.nodes import Space
from typedspace.storage._base import Storage, StudyInfo, space_changes
from typedspace.storage._records import Trial, TrialRecord, TrialState, best_of, is_feasible
from typedspace.storage._sqlite import SQLiteStorage

T = TypeVar("T")

#: What ``load_study`` and ``study_names`` read from: a storage, or the path of a SQLite file.
StorageLike = Storage | str | os.PathLike[str]


@attrs.frozen
class Study(Generic[T]):
    """A study as stored: its description, its trial records, the table of its parameters
    (names, kinds, bounds and option labels, stored as data with the study) and, when its space
    is known (``space=`` or ``allow=`` given to ``load_study``), its typed trials."""

    info: StudyInfo
    records: tuple[TrialRecord, ...]
    flat: FlatSpace | None = None
    described: ParamTable | None = None

    @property
    def name(self) -> str:
        return self.info.name

    @property
    def table(self) -> ParamTable | None:
        """The parameter table: the space's own when it is known, else the one stored as data
        with the study (for inspection: a custom distribution's parameter shows its value
        range); None for a study written before tables were stored whose space is unknown."""
        return self.flat.table if self.flat is not None else self.described

    @property
    def trials(self) -> tuple[Trial[T], ...]:
        """Every trial with its typed value (needs the space: see ``load_study``)."""
        return tuple(self._typed(r) for r in self.records)

    @property
    def best_trial(self) -> Trial[T]:
        """The OK trial with the lowest loss, with its typed value (``NoSuccessfulTrial``
        if there is none)."""
        return self._typed(self.best_record)

    @property
    def misfits(self) -> list[str]:
        """One line per trial whose stored assignment does not fit the study's table (a
        damaged or hand-edited row; or a study continued with ``allow_space_change``, whose
        later trials follow another space).  Its values are shown as stored."""
        table, found = self.table, list[str]()
        if table is None:
            return found
        for record in self.records:
            try:
                check_fits(table, self.name, record)
            except StorageError as error:
                found.append(str(error))
        return found

    def _typed(self, r: TrialRecord) -> Trial[T]:
        if self.flat is None:
            raise ValueError(
                f"study {self.name!r}: typed values need its space, and reading a study never "
                "imports the code it names: pass space= to load_study (or allow= with the "
                "record classes and functions the stored space uses); .records and .table "
                "need neither"
            )
        check_fits(self.flat.table, self.name, r)  # one line naming the trial, not a traceback
        return Trial.from_record(r, cast(T, self.flat.decode(r.assignment)))

    @property
    def best_record(self) -> TrialRecord:
        """The OK trial record with the lowest loss (no space needed); with constraints, the
        feasible one with the lowest loss."""
        ok = [r for r in self.records if r.state is TrialState.OK and r.loss is not None]
        if any(r.constraints is not None for r in ok) and any(
            is_feasible(r.constraints) for r in ok
        ):
            ok = [r for r in ok if is_feasible(r.constraints)]
        if not ok:
            pruned = sum(1 for r in self.records if r.state is TrialState.PRUNED)
            if pruned:
                failed = sum(1 for r in self.records if r.state is TrialState.FAILED)
                raise NoSuccessfulTrial(
                    f"no trial completed: {pruned} pruned"
                    + (f", {failed} failed" if failed else "")
                    + " (a pruned trial has no loss: see its intermediate values)"
                )
            # best_of explains why: every trial failed, or none has finished.
            best_of([Trial.from_record(r, None) for r in self.records])
            raise NoSuccessfulTrial("no trial has finished yet")  # pragma: no cover
        return min(ok, key=lambda r: (cast(float, r.loss), r.number))

    def to_dicts(self) -> list[dict[str, Any]]:
        """One flat dict per trial: ``number``, ``state``, ``loss``, ``started``, ``finished``,
        ``duration``, ``last_step`` and ``last_value`` (the furthest step the trial reported
        and its value: where a pruned trial stopped; None without reports), ``params.<name>``
        per parameter (None where inactive), ``extra.<key>`` per extra datum, ``error``, and
        ``intermediate`` (every reported ``[step, value]`` pair, in report order; ``[]``
        without reports).  A study with several objectives adds ``values.<objective>`` per
        objective (``loss`` is then None); one with constraints adds ``constraints`` (one
        value per constraint, <= 0 when satisfied) and ``feasible``.

        A choice's parameter shows the chosen constant (``"relu"``, ``3``) when the space is
        known and the option is a plain constant; otherwise the option's index.
        """
        names = self.table.names if self.table is not None else _names(self.records)
        labels = _choice_values(self.table)
        rows = []
        for r in self.records:
            row: dict[str, Any] = {
                "number": r.number,
                "state": r.state.value,
                "loss": r.loss,
                "started": r.started,
                "finished": r.finished,
                "duration": None if r.finished is None else r.finished - r.started,
                "last_step": None,
                "last_value": None,
            }
            if r.intermediate:
                row["last_step"], row["last_value"] = max(r.intermediate, key=lambda p: p[0])
            for name in names:
                value = r.assignment.get(name)
                if name in labels and value is not None:
                    options = labels[name]
                    index = int(value)
                    value = options[index] if 0 <= index < len(options) else value
                row[f"params.{name}"] = value
            if r.values is not None:
                objective_labels = objective_names(self.info, len(r.values))
                for name, value in zip(objective_labels, r.values, strict=True):
                    row[f"values.{name}"] = value
            if r.constraints is not None:
                row["constraints"] = list(r.constraints)
                row["feasible"] = is_feasible(r.constraints)
            for key, value in r.extra.items():
                row[f"extra.{key}"] = value
            row["error"] = None if r.error is None else str(r.error)
            row["intermediate"] = [[step, value] for step, value in r.intermediate]
            rows.append(row)
        return rows

    def to_csv(self, target: str | os.PathLike[str] | IO[str]) -> None:
        """Write ``to_dicts()`` as CSV to a path or an open text file: one row per trial,
        empty cells for None, and lists and dicts (extra data, ``intermediate``) as JSON text
        (``[[1, 0.52], [2, 0.47]]``); ``last_step`` and ``last_value`` give a pruned trial's
        stopping point as plain cells."""
        rows = self.to_dicts()
        columns: dict[str, None] = {}
        for row in rows:
            columns.update(dict.fromkeys(row))
        with _text_output(target) as out:
            writer = csv.DictWriter(out, fieldnames=list(columns), lineterminator="\n")
            writer.writeheader()
            for row in rows:
                writer.writerow({k: _cell(v) for k, v in row.items()})


def objective_names(info: StudyInfo, count: int) -> list[str]:
    """The names of a study's objectives as stored with it (``0``, ``1``... if unreadable)."""
    stored = info.attributes.get("objectives")
    if isinstance(stored, list) and len(stored) == count:
        names = [
            e[0] if isinstance(e, list) and e and isinstance(e[0], str) else "" for e in stored
        ]
        if all(names):
            return names
    return [str(i) for i in range(count)]


def objective_directions(info: StudyInfo, count: int) -> list[str]:
    """Each objective's direction as stored (``minimize`` where unreadable)."""
    stored = info.attributes.get("objectives")
    if isinstance(stored, list) and len(stored) == count:
        return [
            "maximize" if isinstance(e, list) and e[1:2] == ["maximize"] else "minimize"
            for e in stored
        ]
    return ["minimize"] * count


def _names(records: Sequence[TrialRecord]) -> list[str]:
    seen: dict[str, None] = {}
    for r in records:
        seen.update(dict.fromkeys(r.assignment))
    return list(seen)


def _choice_values(table: ParamTable | None) -> dict[str, list[Any]]:
    """For each choice parameter, what each option index shows as in ``to_dicts``."""
    if table is None:
        return {}
    values: dict[str, list[Any]] = {}
    for param in table.params:
        if isinstance(param, CategoricalParam):
            values[param.name] = [_literal(label, i) for i, label in enumerate(param.labels)]
    return values


def _literal(label: str, index: int) -> Any:
    """The constant a label is the repr of, else the option index (e.g. a nested space)."""
    try:
        value = ast.literal_eval(label)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return index
    return value if isinstance(value, str | int | float | bool | type(None)) else index


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)  # the shortest text that reads back as the same float
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, default=repr)
    return value


@contextmanager
def _text_output(target: str | os.PathLike[str] | IO[str]) -> Iterator[IO[str]]:
    if isinstance(target, str | os.PathLike):
        with open(target, "w", newline="", encoding="utf-8") as file:
            yield file
    else:
        yield target


@contextmanager
def _opened(storage: StorageLike) -> Iterator[Storage]:
    """The storage itself, or the SQLite file at a path (never created: a missing file is
    an error), closed afterwards."""
    if isinstance(storage, str | os.PathLike):
        with SQLiteStorage(storage, create=False) as sqlite:
            yield sqlite
    else:
        yield storage


@overload
def load_study(
    storage: StorageLike, study: str, space: Space[T], *, allow: Iterable[object] = ()
) -> Study[T]: ...
@overload
def load_study(
    storage: StorageLike,
    study: str,
    space: Mapping[str, object],
    *,
    allow: Iterable[object] = (),
) -> Study[dict[str, Any]]: ...
@overload
def load_study(
    storage: StorageLike, study: str, space: None = None, *, allow: Iterable[object] = ()
) -> Study[Any]: ...
def load_study(
    storage: StorageLike,
    study: str,
    space: Space[Any] | Mapping[str, object] | None = None,
    *,
    allow: Iterable[object] = (),
) -> Study[Any]:
    """The study ``study`` of ``storage`` (a ``Storage`` or a SQLite file path).

    Reading is data-only: it never imports or calls what the file names.  ``records`` and
    ``table`` (parameter names, kinds, bounds, option labels) need nothing more.  ``trials``
    and ``best_trial`` carry typed values when the space is known: pass ``space`` (the one
    the study was run with; ``StudyMismatch`` if it differs), or ``allow`` listing the record
    classes and functions the stored space uses (as for ``from_json``; a space of plain
    leaves, dicts and lists needs none).  A missing study is a ``KeyError``; a missing file a
    ``StorageError``.

    >>> from typedspace.storage import InMemoryStorage
    >>> load_study(InMemoryStorage(), "svm")
    Traceback (most recent call last):
    ...
    KeyError: "no study named 'svm'"
    """
    with _opened(storage) as store:
        info = store.load_study(study)
        records = tuple(store.trials(study))
    return Study(info, records, _flat(info, space, allow), _described(info))


def check_fits(table: ParamTable, study: str, record: TrialRecord) -> None:
    """A stored assignment must fit the study's space: a damaged or hand-edited row is an
    error naming the study and the trial, not an IndexError or a DecodeError later."""
    try:
        table.validate(record.assignment)
    except (TypeError, ValueError) as error:
        raise StorageError(
            f"study {study!r}, trial {record.number}: its assignment "
            f"{dict(record.assignment)} does not fit the study's space ({error})"
        ) from None


def _described(info: StudyInfo) -> ParamTable | None:
    """The table stored as data with the study (None for studies written before)."""
    if KEY not in info.attributes:
        return None
    try:
        return table_from_description(info.attributes[KEY])
    except ValueError as error:
        message = f"study {info.name!r}: its stored parameter table is damaged: {error}"
        raise StorageError(message) from None


def _flat(
    info: StudyInfo, space: Space[Any] | Mapping[str, object] | None, allow: Iterable[object]
) -> FlatSpace | None:
    if space is not None:
        flat = flatten(space)
        if flat.table.fingerprint() != info.space_fingerprint:
            described = describe_table(flat.table)
            raise StudyMismatch(
                space_changes(info, described, flat.table.text())
                + "\npass load_study the space the study was run with (or no space at all, "
                "for its records and parameter table)"
            )
        return flat
    if info.space_json is None:
        return None
    try:
        flat = flatten(from_json(info.space_json, allow=allow))
    except (ValueError, TypeError):
        return None  # it names code that was not allowed, or it is damaged: a data-only view
    # A space that does not read back identically must not decode the trials.
    return flat if flat.table.fingerprint() == info.space_fingerprint else None


def study_names(storage: StorageLike) -> list[str]:
    """The names of the studies in ``storage`` (a ``Storage`` or a SQLite file path).

    >>> from typedspace.storage import InMemoryStorage
    >>> study_names(InMemoryStorage())
    []
    """
    with _opened(storage) as store:
        return store.study_names()
