"""``SpaceSearchCV``: a scikit-learn search estimator over a typed space of estimators.

Like ``GridSearchCV``, but the candidates come from a ``Space[Estimator]`` and a typedspace
algorithm (by default the one ``optimize`` picks for the budget: GP for ``max_evals`` up to
64, TPE beyond) proposes them.  Each trial cross-validates one configured,
unfitted estimator fold by fold; a fit that raises (an invalid parameter combination, too
few rows for k neighbours ...) is a failed trial and the search goes on.  After each fold the
trial reports that fold's loss, and the search's pruner (the paired-test ``WilcoxonPruner``
by default) may stop a configuration that is clearly worse than the best one so far.
"""

from __future__ import annotations

import ast
import builtins
import concurrent.futures as cf
import contextlib
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar, cast

import attrs
import numpy as np
from numpy.typing import NDArray
from scipy.stats import rankdata
from sklearn.base import BaseEstimator, MetaEstimatorMixin, clone, is_classifier
from sklearn.model_selection import check_cv, cross_validate
from sklearn.utils import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted, indexable

from typedspace.algorithms import Algorithm
from typedspace.backends._flatten import flatten
from typedspace.backends._sample import sample
from typedspace.backends._table import Assignment, CategoricalParam
from typedspace.errors import TrialPruned
from typedspace.nodes import Space
from typedspace.pruners import Pruner, WilcoxonPruner
from typedspace.run import Outcome, Report, Result, optimize
from typedspace.sklearn._incremental import (
    IncrementalCrossValidation,
    auto_step_pruner,
    check_incremental,
    fit_in_steps,
)
from typedspace.storage import ErrorInfo, Storage, Trial, TrialState

#: A cross-validation split: train and test indices.
Split = tuple[NDArray[np.intp], NDArray[np.intp]]


@attrs.frozen(eq=False)
class CrossValidation:
    """The objective of a search: minus the mean cross-validated score of an estimator.

    Module-level and attrs-made so that process pools can pickle it with its data.  The folds
    are evaluated one at a time (``fold``), so that a trial can report each fold's loss; their
    scores and times go into the trial's ``extra`` (JSON-friendly lists).
    """

    X: Any
    y: Any
    splits: Sequence[Split]
    scoring: Any
    params: dict[str, Any] = attrs.field(factory=dict)

    def fold(self, estimator: Any, index: int) -> dict[str, float]:
        """Fit a clone of ``estimator`` on fold ``index``'s training rows and score it on its
        test rows: its ``test_score``, ``fit_time`` and ``score_time`` (raises what the fit
        raised)."""
        result = cross_validate(
            estimator,
            self.X,
            self.y,
            cv=[self.splits[index]],
            scoring=self.scoring,
            params=self.params,
            error_score="raise",
        )
        return {
            "test_score": float(result["test_score"][0]),
            "fit_time": float(result["fit_time"][0]),
            "score_time": float(result["score_time"][0]),
        }

    def scores(self, estimator: Any) -> dict[str, list[float]]:
        """The folds' scores and times (raises what the fit raised)."""
        return merged([self.fold(estimator, i) for i in range(len(self.splits))])

    def __call__(self, estimator: Any) -> Outcome:
        return outcome(self.scores(estimator))


@attrs.frozen(eq=False)
class ReportedCrossValidation:
    """``CrossValidation`` that reports each fold's loss (minus its score) as it goes, with
    the fold's index as the step, so that a pruner may stop the trial between folds.
    Module-level and attrs-made so that process pools can pickle it."""

    cv: CrossValidation

    def __call__(self, estimator: Any, trial: Report) -> Outcome:
        folds: list[dict[str, float]] = []
        n_splits = len(self.cv.splits)
        for index in range(n_splits):
            folds.append(self.cv.fold(estimator, index))
            report_fold(trial, index, folds[-1]["test_score"], n_splits)
        return outcome(merged(folds))


def report_fold(trial: Report, index: int, score: float, n_splits: int) -> None:
    """Report fold ``index``'s loss (minus its score); raises ``TrialPruned`` when the pruner
    stops the trial there, except after the last fold: its work is done, so it completes
    (its loss is known, and a trial the pruner would stop there is not the best anyway)."""
    try:
        trial.report(index, -float(score))
    except TrialPruned:
        if index < n_splits - 1:
            raise


def merged(folds: Sequence[dict[str, float]]) -> dict[str, list[float]]:
    """The per-fold dicts of ``CrossValidation.fold`` as lists (the trial's ``extra``)."""
    return {
        "test_scores": [f["test_score"] for f in folds],
        "fit_times": [f["fit_time"] for f in folds],
        "score_times": [f["score_time"] for f in folds],
    }


def outcome(scores: dict[str, list[float]]) -> Outcome:
    """The trial's loss (minus the mean score: scikit-learn scores grow with quality)."""
    return Outcome(-float(np.mean(scores["test_scores"])), extra=scores)


def auto_pruner(n_splits: int) -> WilcoxonPruner:
    """What ``pruner="auto"`` means for ``n_splits`` folds: the paired test, at a level that
    can stop a trial before its last fold.  With ``n`` folds seen the smallest p-value is
    ``2 ** -n``, so the default level 0.1 stops nothing before fold 4: with fewer than 5
    folds the level is 0.3, which stops a trial worse than the best on each of its first 2
    folds (benchmarks/RESULTS-sklearn-pruning.md: as accurate as no pruning, more trials).

    >>> auto_pruner(3), auto_pruner(5)
    (WilcoxonPruner(p_threshold=0.3, min_steps=2), WilcoxonPruner(p_threshold=0.1, min_steps=2))
    """
    return WilcoxonPruner(p_threshold=0.3) if n_splits < 5 else WilcoxonPruner()


def check_pruner(pruner: object, n_splits: int, max_steps: int | None = None) -> Pruner | None:
    """The pruner ``pruner=`` stands for: ``"auto"`` is ``auto_pruner(n_splits)`` (or
    ``auto_step_pruner(max_steps)`` when trials report by training step), None none,
    and anything else must be a pruner (an object with a ``prune`` method), else
    ``TypeError``."""
    if isinstance(pruner, str) and pruner == "auto":
        return auto_pruner(n_splits) if max_steps is None else auto_step_pruner(max_steps)
    if pruner is None:
        return None
    if isinstance(pruner, type):
        raise TypeError(
            f"pruner must be a pruner, not a class: write {pruner.__name__}(), not "
            f"{pruner.__name__}"
        )
    if not callable(getattr(pruner, "prune", None)):
        raise TypeError(
            "pruner must be 'auto', None or a pruner of typedspace.pruners such as "
            f"WilcoxonPruner(p_threshold=0.05); got {pruner!r}"
        )
    return cast(Pruner, pruner)


def _in_this_process(executor: object) -> bool:
    """Whether trials run in this process (inline or in threads), so that their reports can
    go to in-memory storage."""
    return executor is None or executor == "threads" or isinstance(executor, cf.ThreadPoolExecutor)


@contextlib.contextmanager
def study_storage(
    storage: Storage | str | os.PathLike[str] | None, executor: object, reports: bool
) -> Iterator[Storage | str | os.PathLike[str] | None]:
    """``storage``, or when there is none but the trials report from other processes, a
    SQLite file in a temporary directory, removed after the search: the processes share
    the folds' losses through it (in-memory storage cannot cross processes)."""
    if storage is not None or not reports or _in_this_process(executor):
        yield storage
        return
    with tempfile.TemporaryDirectory(prefix="typedspace-search-", ignore_cleanup_errors=True) as d:
        yield str(Path(d) / "search.db")


def representative(space: Space[Any]) -> Any:
    """One estimator of ``space`` (its first sample): what the search is before it is fitted."""
    return sample(space, seed=0)


def readable(space: Space[Any], assignment: Assignment) -> dict[str, Any]:
    """The assignment with each choice's option index replaced by the option when it is a
    plain constant (``"rbf"``, ``None``, ``2``); an option that is a space keeps its index.

    >>> from typedspace import Choice
    >>> readable(Choice("linear", "rbf"), {"value": 1})
    {'value': 'rbf'}
    """
    table = flatten(space).table
    params: dict[str, Any] = {}
    for name, value in assignment.items():
        param = table[name] if name in table.names else None
        if isinstance(param, CategoricalParam):
            params[name] = _option(param.labels[int(value)], int(value))
        else:
            params[name] = value
    return params


def _option(label: str, index: int) -> Any:
    try:
        value = ast.literal_eval(label)
    except (ValueError, SyntaxError):
        return index
    return value if isinstance(value, str | int | float | bool | type(None)) else index


F = TypeVar("F", bound=Callable[..., Any])


def _if_best_has(attr: str) -> Callable[[F], F]:
    """``available_if(_best_has(attr))``, typed (scikit-learn is not annotated)."""
    return cast(Callable[[F], F], available_if(_best_has(attr)))


def _best_has(attr: str) -> Callable[[Any], bool]:
    """``available_if`` test: the fitted best estimator (or, unfitted, a representative of the
    space) has ``attr``; otherwise ``search.attr`` raises ``AttributeError``."""

    def check(search: Any) -> bool:
        if hasattr(search, "best_estimator_"):
            return hasattr(search.best_estimator_, attr)
        return isinstance(search.space, Space) and hasattr(representative(search.space), attr)

    return check


class SpaceSearchCV(MetaEstimatorMixin, BaseEstimator):  # type: ignore[misc]
    """Search a typed space of estimators by cross-validation, then refit the best one.

    ``space`` is a ``Space`` of configured, unfitted estimators (``svc()``,
    ``pipeline(any_preprocessing(), any_classifier())``, or your own ``Map``).  ``max_evals``
    trials are cross-validated with ``cv`` (an int, a splitter or an iterable of splits, as in
    scikit-learn; every trial sees the same folds) and scored with ``scoring`` (None: the
    estimator's ``score``).  ``algo`` (None: ``optimize``'s choice for ``max_evals``, GP up to 192 trials with a
    pruner and 64 without, so for the default 50, else TPE), ``seed``, ``storage``,
    ``study``, ``executor``, ``max_pending`` and ``timeout`` go to ``typedspace.optimize``.
    Pass ``storage`` as a path and ``executor`` as ``"processes"``/``"threads"`` to keep the
    search clonable (``clone`` deep-copies parameters; a pool or connection does not copy).

    Each trial evaluates its folds one at a time and reports each fold's loss (minus its
    score) with the fold's index as the step; ``pruner`` may then stop a trial between folds
    (a PRUNED trial: it is never the best, and the time goes to more configurations).
    ``"auto"`` (the default) is a paired test of the trial's fold losses against the best
    completed trial's on the same folds, which stops only configurations clearly worse on
    the folds seen: ``WilcoxonPruner()`` with 5 folds or more (a stop after 4 folds at the
    earliest), ``WilcoxonPruner(p_threshold=0.3)`` with fewer (a stop after 2).  Any
    pruner of ``typedspace.pruners`` works; None stops nothing.  A pruner's verdict after the
    last fold is ignored: that trial's work is done, and it completes.  With worker processes
    and no ``storage``, the trials share their reports through a temporary SQLite file.

    ``max_steps`` (None) is for estimators that learn incrementally: a trial then trains its
    folds' models side by side in ``max_steps`` steps (one ``partial_fit`` pass over the
    training rows each, or for an ensemble with ``warm_start`` a ``max_steps``-th more of its
    ``n_estimators``) and reports the mean fold loss after each step, so that a bad
    configuration stops after a few epochs instead of a few folds; ``"auto"`` is then
    ``Hyperband(max_steps=max_steps)`` (the best of our pruners on learning curves,
    benchmarks/RESULTS-pruning.md).  A pruned trial's fold scores are NaN there (its curve
    is in ``result_``).  Estimators without either (an ``SVC``, a ``Pipeline``) raise
    ``TypeError``.

    After ``fit``: ``best_estimator_`` (refit on all data when ``refit``), ``best_params_``
    (the best trial's parameters by name), ``best_score_``, ``best_index_``, ``cv_results_``
    (like ``GridSearchCV``'s, with a ``state`` column: failed and pruned trials have NaN mean
    scores and rank last; a pruned trial has the scores of the folds it evaluated and NaN for
    the others), ``result_`` (the typedspace ``Result``), ``n_splits_``, ``refit_time_``; and,
    delegated to the best estimator, ``classes_``, ``n_features_in_``, ``predict``,
    ``predict_proba``, ``decision_function``, ``transform`` ... where it has them.

    >>> from sklearn.datasets import load_iris
    >>> from typedspace import LogUniform
    >>> from typedspace.algorithms import RandomSearch
    >>> from typedspace.sklearn import logistic_regression
    >>> X, y = load_iris(return_X_y=True)
    >>> space = logistic_regression(C=LogUniform(0.1, 10.0), penalty="l2", l2_solver="lbfgs")
    >>> search = SpaceSearchCV(space, max_evals=4, cv=3, algo=RandomSearch(), seed=0).fit(X, y)
    >>> search.best_score_ > 0.9 and sorted(search.best_params_)
    ['C', 'class_weight']
    """

    def __init__(
        self,
        space: Space[Any],
        *,
        max_evals: int = 50,
        cv: Any = 5,
        scoring: Any = None,
        algo: Algorithm | None = None,
        seed: int | None = None,
        storage: Storage | str | os.PathLike[str] | None = None,
        study: str = "default",
        executor: cf.Executor | str | None = None,
        max_pending: int | None = None,
        timeout: float | None = None,
        refit: bool = True,
        pruner: Pruner | str | None = "auto",
        max_steps: int | None = None,
    ) -> None:
        self.space = space
        self.max_evals = max_evals
        self.cv = cv
        self.scoring = scoring
        self.algo = algo
        self.seed = seed
        self.storage = storage
        self.study = study
        self.executor = executor
        self.max_pending = max_pending
        self.timeout = timeout
        self.refit = refit
        self.pruner = pruner
        self.max_steps = max_steps

    def __sklearn_tags__(self) -> Any:
        # What kind of estimator the search is (classifier, regressor ...) and which inputs
        # it takes are those of the estimators in its space, as for GridSearchCV.
        tags = super().__sklearn_tags__()
        if not isinstance(self.space, Space):
            return tags
        inner = get_tags(representative(self.space))
        tags.estimator_type = inner.estimator_type
        tags.classifier_tags = inner.classifier_tags
        tags.regressor_tags = inner.regressor_tags
        tags.transformer_tags = inner.transformer_tags
        tags.input_tags.pairwise = inner.input_tags.pairwise
        tags.input_tags.sparse = inner.input_tags.sparse
        tags.input_tags.allow_nan = inner.input_tags.allow_nan
        tags.target_tags = inner.target_tags
        return tags

    def _check_params(self) -> None:
        if not isinstance(self.space, Space):
            raise TypeError(f"space must be a typedspace Space of estimators, got {self.space!r}")
        if isinstance(self.max_evals, bool) or not isinstance(self.max_evals, int | np.integer):
            raise TypeError(f"max_evals must be an int, got {self.max_evals!r}")
        if self.max_evals < 1:
            raise ValueError(f"max_evals must be at least 1, got {self.max_evals!r}")
        if self.max_steps is not None:
            if isinstance(self.max_steps, bool) or not isinstance(self.max_steps, int | np.integer):
                raise TypeError(f"max_steps must be None or an int, got {self.max_steps!r}")
            if self.max_steps < 1:
                raise ValueError(f"max_steps must be at least 1, got {self.max_steps!r}")
            check_incremental(representative(self.space), int(self.max_steps))
        if not (self.scoring is None or isinstance(self.scoring, str) or callable(self.scoring)):
            # A trial's loss is one number: several metrics would need a choice of the one to
            # minimize (GridSearchCV's refit="name"), which this search does not have.
            raise ValueError(f"scoring must be None, a string or a callable, got {self.scoring!r}")

    def fit(self, X: Any, y: Any = None, *, groups: Any = None, **fit_params: Any) -> SpaceSearchCV:
        """Run the search on ``X, y`` (``groups`` for group splitters; ``fit_params`` go to
        every fit) and refit the best estimator on all of it."""
        self._check_params()
        if y is None and get_tags(self).target_tags.required:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None"
            )
        X, y, groups = indexable(X, y, groups)
        cv = check_cv(self.cv, y, classifier=is_classifier(representative(self.space)))
        splits = list(cv.split(X, y, groups))
        steps = None if self.max_steps is None else int(self.max_steps)
        pruner = check_pruner(self.pruner, len(splits), steps)
        cross_validation = CrossValidation(X, y, splits, self.scoring, fit_params)
        objective: CrossValidation | ReportedCrossValidation | IncrementalCrossValidation
        objective = cross_validation
        if steps is not None:
            objective = IncrementalCrossValidation(X, y, splits, self.scoring, steps, fit_params)
        elif pruner is not None:
            objective = ReportedCrossValidation(cross_validation)
        reports = pruner is not None or steps is not None
        with study_storage(self.storage, self.executor, reports) as storage:
            result = optimize(
                objective,
                self.space,
                self.algo,
                max_evals=self.max_evals,
                timeout=self.timeout,
                seed=self.seed,
                storage=storage,
                study=self.study,
                executor=self.executor,
                max_pending=self.max_pending,
                progress=False,
                pruner=pruner,
            )
        self.result_ = result
        self.n_splits_ = len(splits)
        self._set_results(result, self.n_splits_)
        if self.refit:
            start = time.perf_counter()
            if steps is None:
                self.best_estimator_ = clone(result.best).fit(X, y, **fit_params)
            else:  # the model the search scored: trained in the same steps, on all rows
                self.best_estimator_ = fit_in_steps(result.best, X, y, steps, **fit_params)
            self.refit_time_ = time.perf_counter() - start
        return self

    def _set_results(self, result: Result[Any], n_splits: int) -> None:
        trials = [t for t in result.trials if t.state is not TrialState.CANCELLED]
        if not any(t.state is TrialState.OK for t in trials):
            raise all_failed(trials)
        self.cv_results_ = cv_results(self.space, trials, n_splits, self.max_steps is None)
        ok = [i for i, t in enumerate(trials) if t.state is TrialState.OK]
        self.best_index_ = min(ok, key=lambda i: (trials[i].loss, i))
        best = trials[self.best_index_]
        self.best_params_ = readable(self.space, best.assignment)
        self.best_score_ = float(self.cv_results_["mean_test_score"][self.best_index_])

    # -- delegated to the best estimator -------------------------------------------------------
    @property
    def classes_(self) -> Any:
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.classes_

    @property
    def n_features_in_(self) -> int:
        check_is_fitted(self, "best_estimator_")
        return int(self.best_estimator_.n_features_in_)

    @property
    def feature_names_in_(self) -> Any:
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.feature_names_in_

    def _best(self) -> Any:
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_

    @_if_best_has("predict")
    def predict(self, X: Any) -> Any:
        """The best estimator's predictions."""
        return self._best().predict(X)

    @_if_best_has("predict_proba")
    def predict_proba(self, X: Any) -> Any:
        """The best estimator's class probabilities."""
        return self._best().predict_proba(X)

    @_if_best_has("predict_log_proba")
    def predict_log_proba(self, X: Any) -> Any:
        """The best estimator's log class probabilities."""
        return self._best().predict_log_proba(X)

    @_if_best_has("decision_function")
    def decision_function(self, X: Any) -> Any:
        """The best estimator's decision function."""
        return self._best().decision_function(X)

    @_if_best_has("transform")
    def transform(self, X: Any) -> Any:
        """The best estimator's transform."""
        return self._best().transform(X)

    @_if_best_has("score_samples")
    def score_samples(self, X: Any) -> Any:
        """The best estimator's per-sample scores."""
        return self._best().score_samples(X)

    def score(self, X: Any, y: Any = None, **params: Any) -> float:
        """The search's ``scoring`` (or the best estimator's ``score``) on ``X, y``."""
        best = self._best()
        if self.scoring is None:
            return float(best.score(X, y, **params))
        from sklearn.metrics import check_scoring

        return float(check_scoring(best, scoring=self.scoring)(best, X, y, **params))


def all_failed(trials: Sequence[Trial[Any]]) -> Exception:
    """The error when no trial succeeded: of the first failure's type when it is a built-in
    exception (bad input makes every trial fail alike, and callers catch what the estimator
    would raise, a ``ValueError`` or ``TypeError``), else a ``ValueError``."""
    failed = [t for t in trials if t.state is TrialState.FAILED]
    if not failed:
        return ValueError("no trial finished (max_evals or timeout too small?)")
    first = failed[0].error or ErrorInfo("Error", "unknown")
    kind = getattr(builtins, first.type, None)
    if not (isinstance(kind, type) and issubclass(kind, Exception)):
        kind = ValueError
    return kind(f"all {len(failed)} trials failed; the first failure: {first}")


def fold_scores(trial: Trial[Any], n_splits: int, by_fold: bool = True) -> list[float]:
    """A trial's score on each fold: all of them for a completed trial; for a pruned one, those
    of the folds it reported (minus the losses; only when it reported ``by_fold``, not by
    training step) and NaN for the folds it never evaluated; NaN for a failed one."""
    if "test_scores" in trial.extra:
        return [float(s) for s in trial.extra["test_scores"]]
    scores = [np.nan] * n_splits
    if trial.state is TrialState.PRUNED and by_fold:
        for step, loss in trial.intermediate:
            if isinstance(step, int) and 0 <= step < n_splits:
                scores[step] = -loss
    return scores


def cv_results(
    space: Space[Any], trials: Sequence[Trial[Any]], n_splits: int, by_fold: bool = True
) -> dict[str, Any]:
    """``GridSearchCV``-style results, one row per trial (failed trials: NaN scores; pruned
    trials: the scores of the folds they evaluated when they reported ``by_fold``, NaN for
    the others and for the mean)."""
    params = [readable(space, t.assignment) for t in trials]
    nan = [np.nan] * n_splits
    scores = np.array([fold_scores(t, n_splits, by_fold) for t in trials], dtype=float)
    fit = np.array([t.extra.get("fit_times", nan) for t in trials], dtype=float)
    score_time = np.array([t.extra.get("score_times", nan) for t in trials], dtype=float)
    # A pruned trial's mean over the folds it saw would rank it among the complete ones on
    # different folds: its mean is NaN, as a failed trial's.
    mean = scores.mean(axis=1)
    # Best score first; failed and pruned trials (NaN) share the last rank, as in GridSearchCV.
    ranks = rankdata(-np.nan_to_num(mean, nan=-np.inf), method="min").astype(np.int32)
    results: dict[str, Any] = {
        "params": params,
        "trial_number": np.array([t.number for t in trials]),
        "state": np.array([t.state.value for t in trials]),
        "mean_fit_time": fit.mean(axis=1),
        "std_fit_time": fit.std(axis=1),
        "mean_score_time": score_time.mean(axis=1),
        "std_score_time": score_time.std(axis=1),
    }
    names = flatten(space).table.names
    for name in names:
        column = np.ma.masked_array(np.empty(len(trials), dtype=object), mask=True)
        for i, p in enumerate(params):
            if name in p:
                column[i] = p[name]
        results[f"param_{name}"] = column
    for split in range(n_splits):
        results[f"split{split}_test_score"] = scores[:, split]
    results["mean_test_score"] = mean
    results["std_test_score"] = scores.std(axis=1)
    results["rank_test_score"] = ranks
    return results
