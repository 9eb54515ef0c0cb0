"""``AutoClassifier`` and ``AutoRegressor``: ``fit(X, y)`` with no configuration.

The search space is ``pipeline(any_preprocessing(), any_classifier())`` (or
``any_regressor()``); TPE proposes pipelines within a wall-clock budget; each trial's
cross-validation runs in a worker process that is killed when the trial exceeds its time
limit (a timed-out trial is a failed trial); the best pipeline is refit on all the data.

Pruning: the worker sends each fold's score back as soon as it has it, and waits to be told
whether to go on.  The search itself (``optimize``) runs in this process, so the trial
reports that fold's loss to the study here, in memory, and the pruner's verdict travels back
as the answer: no storage has to be shared between processes.
"""

from __future__ import annotations

import time
from collections import defaultdict
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, clone, is_classifier
from sklearn.compose import TransformedTargetRegressor
from sklearn.model_selection import check_cv
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted, indexable

from typedspace.algorithms import Algorithm
from typedspace.errors import TrialTimeout
from typedspace.nodes import Space
from typedspace.pruners import Pruner
from typedspace.run import Outcome, Report, Result, optimize
from typedspace.sklearn._search import (
    CrossValidation,
    _if_best_has,
    all_failed,
    check_pruner,
    outcome,
    readable,
    report_fold,
    representative,
)
from typedspace.sklearn._spaces import any_classifier, any_preprocessing, any_regressor, pipeline
from typedspace.sklearn._worker import TimedWorker, mentions_main
from typedspace.storage import Trial, TrialState


class _Auto(BaseEstimator):  # type: ignore[misc]
    """What AutoClassifier and AutoRegressor share (see ``AutoClassifier``)."""

    def __init__(
        self,
        *,
        time_budget: float = 30.0,
        trial_timeout: float | None = None,
        cv: Any = 3,
        scoring: Any = None,
        space: Space[Any] | None = None,
        algo: Algorithm | None = None,
        max_evals: int = 10_000,
        seed: int | None = None,
        pruner: Pruner | str | None = "auto",
    ) -> None:
        self.time_budget = time_budget
        self.trial_timeout = trial_timeout
        self.cv = cv
        self.scoring = scoring
        self.space = space
        self.algo = algo
        self.max_evals = max_evals
        self.seed = seed
        self.pruner = pruner

    def default_space(self) -> Space[Any]:
        raise NotImplementedError

    def _prepare(self, estimator: Any) -> Any:
        """What a trial fits: the sampled pipeline (regressors wrap it, see AutoRegressor)."""
        return estimator

    def _space(self) -> Space[Any]:
        return self.space if self.space is not None else self.default_space()

    def _check_params(self) -> None:
        if not self.time_budget > 0:
            raise ValueError(f"time_budget must be positive, got {self.time_budget!r}")
        if self.trial_timeout is not None and not self.trial_timeout > 0:
            raise ValueError(f"trial_timeout must be positive, got {self.trial_timeout!r}")
        if self.space is not None and not isinstance(self.space, Space):
            raise TypeError(f"space must be a typedspace Space of estimators, got {self.space!r}")

    def fit(self, X: Any, y: Any) -> Any:
        """Search for ``time_budget`` seconds, then refit the best pipeline on ``X, y``.

        The budget counts from the moment the worker process is ready; a trial still running
        when it ends is killed, unless no trial has succeeded yet (then the trial limit
        applies), so a fit takes at most the budget plus one trial limit, the worker's
        start-up and the refit."""
        self._check_params()
        start = time.monotonic()
        X, y = indexable(X, y)
        space = self._space()
        cv = check_cv(self.cv, y, classifier=is_classifier(representative(space)))
        splits = list(cv.split(X, y))
        pruner = check_pruner(self.pruner, len(splits))
        objective = CrossValidation(X, y, splits, self.scoring)
        # The estimators come from the space: a class of the user's script among them means
        # the worker must import the script (which then needs a __main__ guard).
        worker = TimedWorker(objective, needs_main=mentions_main(objective, space))
        worker.start()  # process start-up (a second or two) is not part of the search budget
        deadline = time.monotonic() + self.time_budget
        per_trial = self.trial_timeout or max(self.time_budget / 4, min(self.time_budget, 2.0))
        succeeded = False

        def run_trial(estimator: Any, trial: Report | None) -> Outcome:
            nonlocal succeeded
            worker.start()  # a restart after a killed trial is not on the next trial's clock
            limit = per_trial
            if succeeded:  # until a trial succeeds, the budget's end does not cut trials short
                limit = min(per_trial, deadline - time.monotonic())
            if limit <= 0:
                raise TrialTimeout("the time budget ran out")

            def on_fold(index: int, fold: dict[str, float]) -> None:
                if trial is not None:  # in this process: the study's storage is in memory
                    report_fold(trial, index, fold["test_score"], len(splits))

            scores = worker.run(self._prepare(estimator), limit, on_fold)
            succeeded = True
            return outcome(scores)

        def evaluate(estimator: Any) -> Outcome:
            return run_trial(estimator, None)

        def evaluate_reporting(estimator: Any, trial: Report) -> Outcome:
            return run_trial(estimator, trial)

        try:
            result = optimize(
                evaluate if pruner is None else evaluate_reporting,
                space,
                self.algo,
                max_evals=self.max_evals,
                timeout=self.time_budget,
                seed=self.seed,
                progress=False,
                pruner=pruner,
            )
        finally:
            worker.close()
        self.search_time_ = time.monotonic() - start
        self.result_ = result
        self.n_splits_ = len(splits)
        trials = [t for t in result.trials if t.state is not TrialState.CANCELLED]
        if not any(t.state is TrialState.OK for t in trials):
            raise all_failed(trials)
        best = result.best_trial
        self.best_params_ = readable(space, best.assignment)
        self.best_score_ = -float(best.loss or 0.0)
        self.best_estimator_ = clone(self._prepare(best.value)).fit(X, y)
        return self

    # -- the fitted model ------------------------------------------------------------------
    @property
    def n_features_in_(self) -> int:
        check_is_fitted(self, "best_estimator_")
        return int(self.best_estimator_.n_features_in_)

    def predict(self, X: Any) -> Any:
        """The best pipeline's predictions."""
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.predict(X)

    def summary(self) -> str:
        """What was tried (trials, failures and best score per family) and what was chosen."""
        check_is_fitted(self, "best_estimator_")
        trials = [t for t in self.result_.trials if t.state is not TrialState.CANCELLED]
        return summary_text(type(self).__name__, trials, self.result_, self)


def family(value: Any) -> str:
    """A trial's estimator family: the class of a pipeline's last step (or of the value)."""
    last = value.steps[-1][1] if isinstance(value, Pipeline) else value
    return type(last).__name__


def summary_text(name: str, trials: list[Trial[Any]], result: Result[Any], auto: _Auto) -> str:
    failed = [t for t in trials if t.state is TrialState.FAILED]
    timed_out = [t for t in failed if t.error is not None and t.error.type == "TrialTimeout"]
    pruned = [t for t in trials if t.state is TrialState.PRUNED]
    scoring = auto.scoring or ("accuracy" if is_classifier(auto) else "r2")
    lines = [
        f"{name}: {len(trials)} trials in {auto.search_time_:.1f} s "
        f"({len(failed)} failed, {len(timed_out)} of them timed out; {len(pruned)} pruned); "
        f"score: {scoring}, {auto.n_splits_}-fold cross-validation",
        "",
    ]
    groups: dict[str, list[Trial[Any]]] = defaultdict(list)
    for t in trials:
        groups[family(t.value)].append(t)
    width = max(len("family"), *(len(f) for f in groups))
    lines.append(f"{'family':<{width}}  trials  failed  pruned  best score")

    def best_score(ts: list[Trial[Any]]) -> float:
        losses = [t.loss for t in ts if t.state is TrialState.OK and t.loss is not None]
        return -min(losses) if losses else float("nan")

    for fam, ts in sorted(groups.items(), key=lambda item: -np.nan_to_num(best_score(item[1]))):
        n_failed = sum(t.state is TrialState.FAILED for t in ts)
        n_pruned = sum(t.state is TrialState.PRUNED for t in ts)
        lines.append(
            f"{fam:<{width}}  {len(ts):>6}  {n_failed:>6}  {n_pruned:>6}  {best_score(ts):>10.4f}"
        )
    best = result.best_trial
    lines += ["", f"chosen: trial {best.number}, score {auto.best_score_:.4f}", repr(best.value)]
    return "\n".join(lines)


class AutoClassifier(ClassifierMixin, _Auto):  # type: ignore[misc]
    """A classifier that searches preprocessing x classifier pipelines on its own.

    ``fit(X, y)`` searches ``pipeline(any_preprocessing(), any_classifier())`` (or ``space``)
    for ``time_budget`` seconds (default 30: a fit, refit included, ends well within a minute
    on scikit-learn's bundled datasets), scoring each pipeline by ``cv``-fold
    cross-validation (default 3 folds: more trials fit in the budget than with 5) with
    ``scoring`` (default: accuracy).  A trial that runs longer than ``trial_timeout`` seconds
    (default: a quarter of the budget, at least 2 s) or past the end of the budget is killed
    and recorded as failed (``TrialTimeout``).  ``algo`` None is TPE (with the default ``max_evals=10_000`` the time budget ends the search;
    ``optimize`` picks GP only for ``max_evals`` up to 192 with a pruner, 64 without).
    Each fold's loss is reported as soon as the worker has it, and ``pruner`` may stop a
    trial between folds (see ``SpaceSearchCV``; ``"auto"``, the default, is
    ``WilcoxonPruner(p_threshold=0.3)`` with 3 folds, which stops a trial worse than the best
    on each of its first 2 folds; None stops nothing).  The best pipeline is refit on all the data: ``best_estimator_``,
    ``best_params_``, ``best_score_`` (mean CV score), ``result_`` (every trial), ``classes_``.

    ``predict_proba`` and ``decision_function`` exist when the chosen pipeline has them (an
    SVC has no ``predict_proba``).  ``summary()`` tells what was tried and chosen.

    Trials run in a ``forkserver`` process: in a script, guard the call with
    ``if __name__ == "__main__":`` as for any multiprocessing code.

    >>> from sklearn.datasets import load_iris
    >>> X, y = load_iris(return_X_y=True)
    >>> model = AutoClassifier(time_budget=5, seed=0).fit(X, y)
    >>> model.predict(X[:3]).shape
    (3,)
    """

    def default_space(self) -> Space[Any]:
        return pipeline(any_preprocessing(), any_classifier())

    @property
    def classes_(self) -> Any:
        check_is_fitted(self, "best_estimator_")
        return self.best_estimator_.classes_

    @_if_best_has("predict_proba")
    def predict_proba(self, X: Any) -> Any:
        """The chosen pipeline's class probabilities."""
        return self.best_estimator_.predict_proba(X)

    @_if_best_has("decision_function")
    def decision_function(self, X: Any) -> Any:
        """The chosen pipeline's decision function."""
        return self.best_estimator_.decision_function(X)


class AutoRegressor(RegressorMixin, _Auto):  # type: ignore[misc]
    """A regressor that searches preprocessing x regressor pipelines on its own.

    As ``AutoClassifier``, with ``pipeline(any_preprocessing(), any_regressor())`` and R² as
    the default score.  Every pipeline fits a standardized target
    (``TransformedTargetRegressor`` with a ``StandardScaler``), so the ranges of
    target-scaled parameters (SVR's ``epsilon``) suit any target; ``best_estimator_`` is that
    wrapper and predicts in the target's units.

    >>> from sklearn.datasets import load_diabetes
    >>> X, y = load_diabetes(return_X_y=True)
    >>> model = AutoRegressor(time_budget=5, seed=0).fit(X, y)
    >>> model.predict(X[:3]).shape
    (3,)
    """

    def default_space(self) -> Space[Any]:
        return pipeline(any_preprocessing(), any_regressor())

    def _prepare(self, estimator: Any) -> Any:
        return TransformedTargetRegressor(regressor=estimator, transformer=StandardScaler())
