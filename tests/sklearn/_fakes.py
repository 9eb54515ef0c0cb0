"""Estimators that misbehave on purpose (importable by the search's worker processes)."""

from __future__ import annotations

import time
from typing import Any

from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.dummy import DummyClassifier


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
    """A classifier whose fit always raises."""

    def fit(self, X: Any, y: Any) -> Broken:
        raise ValueError("Broken.fit always fails")

    def predict(self, X: Any) -> Any:
        raise AssertionError("never fitted")
