"""Estimators (and a pruner) that misbehave on purpose, importable by worker processes."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import attrs
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier

from typedspace.pruners import Curve, Status


class Sleepy(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A classifier whose fit sleeps ``seconds`` first: a runaway fit."""

    def __init__(self, seconds: float = 120.0) -> None:
        self.seconds = seconds

    def fit(self, X: Any, y: Any) -> Sleepy:
        time.sleep(self.seconds)
        self.model_ = DummyClassifier().fit(X, y)
        self.classes_ = self.model_.classes_
        return self

    def predict(self, X: Any) -> Any:
        return self.model_.predict(X)


class Broken(ClassifierMixin, BaseEstimator):  # type: ignore[misc]
    """A classifier whose fit always raises (``kind`` is only there to be searched: a space
    without parameters is refused)."""

    def __init__(self, kind: int = 0) -> None:
        self.kind = kind

    def fit(self, X: Any, y: Any) -> Broken:
        raise ValueError("Broken.fit always fails")

    def predict(self, X: Any) -> Any:
        raise AssertionError("never fitted")


@attrs.frozen
class StopOnceOneCompleted:
    """A pruner that stops every trial at its first report once some other trial completed:
    it stops good configurations too, which must never become the best."""

    def prune(self, trial: Curve, others: Sequence[Curve], /) -> bool:
        return any(o.status is Status.COMPLETE and o.number != trial.number for o in others)
