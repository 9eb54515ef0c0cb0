"""Cross-validation step by step, for estimators that learn incrementally.

With ``SpaceSearchCV(max_steps=k)`` a trial trains one model per fold side by side, in ``k``
steps: one ``partial_fit`` pass over the fold's training rows (an epoch), or, for an ensemble
with ``warm_start`` and ``n_estimators``, a ``k``-th more of its members.  After each step
every fold's model is scored on its test rows and the trial reports the mean loss (minus the
mean score) with the step's number, so that a pruner (``Hyperband(max_steps=k)`` by default)
can stop a configuration whose learning curve is clearly behind the others'.
"""

from __future__ import annotations

import math
import time
import warnings
from collections.abc import Sequence
from typing import Any

import attrs
import numpy as np
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.utils import _safe_indexing
from sklearn.utils.class_weight import compute_class_weight
from sklearn.utils.validation import _check_method_params

from typedspace.errors import TrialPruned
from typedspace.pruners import Hyperband
from typedspace.run import Outcome, Report


def step_kind(estimator: Any) -> str | None:
    """How ``estimator`` advances by a step: ``"partial_fit"``, ``"warm_start"`` (an ensemble
    that grows its ``n_estimators``), or None when it can do neither.

    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn.ensemble import RandomForestClassifier
    >>> from sklearn.svm import SVC
    >>> step_kind(SGDClassifier()), step_kind(RandomForestClassifier()), step_kind(SVC())
    ('partial_fit', 'warm_start', None)
    """
    if callable(getattr(estimator, "partial_fit", None)):
        return "partial_fit"
    params = estimator.get_params(deep=False) if hasattr(estimator, "get_params") else {}
    if "warm_start" in params and isinstance(params.get("n_estimators"), int):
        return "warm_start"
    return None


def check_incremental(estimator: Any, max_steps: int) -> None:
    """Raise ``TypeError`` when ``estimator`` cannot be trained in ``max_steps`` steps."""
    if step_kind(estimator) is None:
        raise TypeError(
            f"max_steps={max_steps} trains each estimator step by step, which needs "
            f"partial_fit, or warm_start and an int n_estimators; {type(estimator).__name__} "
            "has neither (a Pipeline has no partial_fit: search the bare estimator, or leave "
            "max_steps=None to report fold by fold)"
        )


def auto_step_pruner(max_steps: int) -> Hyperband:
    """What ``pruner="auto"`` means with ``max_steps``: Hyperband, the only pruner that was
    first or close to it on all three learning-curve problems of
    ``benchmarks/RESULTS-pruning.md`` (it never stops a trial at its last step).

    >>> auto_step_pruner(30) == Hyperband(max_steps=30)
    True
    """
    return Hyperband(max_steps=max_steps)


class _Stepper:
    """One model trained step by step on fixed rows (``X``, ``y``)."""

    def __init__(
        self, estimator: Any, X: Any, y: Any, params: dict[str, Any], classes: Any, max_steps: int
    ) -> None:
        self.model = clone(estimator)
        self.kind = step_kind(self.model)
        check_incremental(self.model, max_steps)
        self.X, self.y, self.params, self.classes = X, y, params, classes
        self.max_steps = max_steps
        balanced = self.model.get_params().get("class_weight") == "balanced"
        if self.kind == "partial_fit" and balanced and classes is not None:
            # partial_fit refuses "balanced" (it sees one batch at a time); every step sees
            # the same rows, so the weights "balanced" means are these.
            weights = compute_class_weight("balanced", classes=classes, y=y)
            self.model.set_params(class_weight=dict(zip(classes, weights, strict=True)))
        self.total = (
            int(self.model.get_params()["n_estimators"]) if self.kind == "warm_start" else 0
        )
        self.members = 0
        self.fit_time = 0.0

    def advance(self, step: int) -> bool:
        """Train step ``step``; False when the step changed nothing (an ensemble with fewer
        members than ``max_steps`` grows only on some steps)."""
        start = time.perf_counter()
        if self.kind == "partial_fit":
            extra = {"classes": self.classes} if step == 1 and self.classes is not None else {}
            self.model.partial_fit(self.X, self.y, **extra, **self.params)
        else:
            members = max(1, math.ceil(self.total * step / self.max_steps))
            if members == self.members:
                return False
            self.model.set_params(warm_start=True, n_estimators=members)
            with warnings.catch_warnings():
                # A forest warns that "balanced" class weights and warm_start disagree when
                # the data changes between fits; here every fit sees the same rows.
                warnings.filterwarnings(
                    "ignore", message="class_weight presets", category=UserWarning
                )
                self.model.fit(self.X, self.y, **self.params)
            self.members = members
        self.fit_time += time.perf_counter() - start
        return True


def fit_in_steps(estimator: Any, X: Any, y: Any, max_steps: int, **params: Any) -> Any:
    """A clone of ``estimator`` trained on ``X, y`` in ``max_steps`` steps, as a trial of
    ``SpaceSearchCV(max_steps=...)`` trains its folds' models (the search's refit), so the
    refitted model is the one the search scored, on all the rows.

    >>> from sklearn.datasets import load_iris
    >>> from sklearn.linear_model import SGDClassifier
    >>> X, y = load_iris(return_X_y=True)
    >>> fit_in_steps(SGDClassifier(random_state=0), X, y, 3).t_  # 3 passes over 150 rows
    451.0
    """
    if step_kind(estimator) == "warm_start":  # growing to n_estimators is one fit
        return clone(estimator).fit(X, y, **params)
    classes = np.unique(y) if is_classifier(estimator) else None
    stepper = _Stepper(estimator, X, y, params, classes, max_steps)
    for step in range(1, max_steps + 1):
        stepper.advance(step)
    return stepper.model


class _FoldLearner:
    """One fold's model, trained step by step on the fold's training rows and scored on its
    test rows after each step."""

    def __init__(
        self, estimator: Any, cv: IncrementalCrossValidation, split: Any, classes: Any
    ) -> None:
        train, test = split
        y = cv.y
        self.stepper = _Stepper(
            estimator,
            _safe_indexing(cv.X, train),
            None if y is None else _safe_indexing(y, train),
            _check_method_params(cv.X, cv.params, train),
            classes,
            cv.max_steps,
        )
        self.X_test = _safe_indexing(cv.X, test)
        self.y_test = None if y is None else _safe_indexing(y, test)
        self.scorer = check_scoring(self.stepper.model, scoring=cv.scoring)
        self.score_time = 0.0
        self.score = math.nan

    def advance(self, step: int) -> float:
        """Train step ``step`` and return the model's score on the test rows."""
        if self.stepper.advance(step) or math.isnan(self.score):
            start = time.perf_counter()
            self.score = float(self.scorer(self.stepper.model, self.X_test, self.y_test))
            self.score_time += time.perf_counter() - start
        return self.score


@attrs.frozen(eq=False)
class IncrementalCrossValidation:
    """The objective of ``SpaceSearchCV(max_steps=k)``: minus the mean score of the fold
    models after ``k`` steps, reporting the mean after each step (see the module).
    Module-level and attrs-made so that process pools can pickle it with its data."""

    X: Any
    y: Any
    splits: Sequence[Any]
    scoring: Any
    max_steps: int
    params: dict[str, Any] = attrs.field(factory=dict)

    def __call__(self, estimator: Any, trial: Report) -> Outcome:
        classes = np.unique(self.y) if is_classifier(estimator) else None
        folds = [_FoldLearner(estimator, self, split, classes) for split in self.splits]
        scores: list[float] = []
        for step in range(1, self.max_steps + 1):
            scores = [fold.advance(step) for fold in folds]
            try:
                trial.report(step, -float(np.mean(scores)))
            except TrialPruned:
                # After the last step the work is done: the trial completes (as after the
                # last fold in fold-by-fold reporting).
                if step < self.max_steps:
                    raise
        extra = {
            "test_scores": scores,
            "fit_times": [fold.stepper.fit_time for fold in folds],
            "score_times": [fold.score_time for fold in folds],
        }
        return Outcome(-float(np.mean(scores)), extra=extra)
