"""The public surface: one errors module with a common base, and classes shown at the path
users import them from (reprs, tracebacks, pickles)."""

from __future__ import annotations

import importlib
import pickle

import pytest

import typedspace
import typedspace.errors
from typedspace import NoSuccessfulTrial, TypedspaceError, Uniform

PUBLIC_PACKAGES = (
    "typedspace",
    "typedspace.nodes",
    "typedspace.algorithms",
    "typedspace.run",
    "typedspace.storage",
    "typedspace.errors",
    "typedspace.distributions",
    "typedspace.testing",
    "typedspace.sklearn",
    "typedspace.hyperopt",
)


def _public_classes() -> list[tuple[str, type]]:
    found = []
    for package in PUBLIC_PACKAGES:
        module = importlib.import_module(package)
        for name in module.__all__:
            obj = getattr(module, name)
            if isinstance(obj, type):
                found.append((f"{package}.{name}", obj))
    return found


@pytest.mark.parametrize("path, cls", _public_classes(), ids=lambda v: str(v))
def test_public_classes_show_an_importable_public_path(path: str, cls: type) -> None:
    assert not any(part.startswith("_") for part in cls.__module__.split(".")), cls.__module__
    assert getattr(importlib.import_module(cls.__module__), cls.__qualname__) is cls


def test_reprs_and_pickles_use_the_public_path() -> None:
    assert repr(Uniform) == "<class 'typedspace.Uniform'>"
    assert b"typedspace.nodes" not in pickle.dumps(Uniform(0.0, 1.0))
    assert pickle.loads(pickle.dumps(Uniform(0.0, 1.0))) == Uniform(0.0, 1.0)


def test_every_exception_of_the_public_api_is_in_errors_with_the_common_base() -> None:
    exceptions = {cls for _, cls in _public_classes() if issubclass(cls, BaseException)}
    errors = {getattr(typedspace.errors, name) for name in typedspace.errors.__all__}
    assert exceptions == errors
    assert all(issubclass(cls, TypedspaceError) for cls in errors)


def test_errors_keep_their_builtin_bases() -> None:
    # Code written against the built-ins (except ValueError / RuntimeError) keeps working.
    assert issubclass(typedspace.EncodeError, ValueError)
    assert issubclass(NoSuccessfulTrial, RuntimeError)
    assert issubclass(typedspace.errors.StudyMismatch, ValueError)
    assert issubclass(typedspace.errors.TrialTimeout, TimeoutError)
