"""A stored study is recognized when resumed, and stores what the user gave it (issue 14,
items 5 and 10): custom distributions never put an object address into the fingerprint,
numpy option values are stored as values, and data JSON cannot hold is warned about at the
user's line."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pytest

from typedspace import Choice, Custom, Outcome, flatten, load_study, optimize, to_json
from typedspace.algorithms import RandomSearch
from typedspace.distributions import Beta, ContinuousDistribution
from typedspace.storage import SQLiteStorage, TrialRecord, TrialState

FloatArray = npt.NDArray[np.float64]


class PlainBeta(ContinuousDistribution):
    """A custom distribution written as a plain class (no attrs, no __eq__, no __repr__)."""

    def __init__(self, a: float, b: float) -> None:
        self.a, self.b = a, b

    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def sample(self, rng: np.random.Generator, n: int) -> FloatArray:
        return Beta(self.a, self.b).sample(rng, n)

    def logpdf(self, x: FloatArray) -> FloatArray:
        return Beta(self.a, self.b).logpdf(x)

    def cdf(self, x: FloatArray) -> FloatArray:
        return Beta(self.a, self.b).cdf(x)

    def ppf(self, u: FloatArray) -> FloatArray:
        return Beta(self.a, self.b).ppf(u)


class ReprBeta(PlainBeta):
    """A plain class that prints, compares and hashes by its parameters."""

    def __repr__(self) -> str:
        return f"ReprBeta({self.a!r}, {self.b!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ReprBeta) and (self.a, self.b) == (other.a, other.b)

    def __hash__(self) -> int:
        return hash((self.a, self.b))


@attrs.frozen
class AttrsBeta(Beta):
    """The recommended way: a frozen attrs class."""


def relu(x: float) -> float:
    return max(x, 0.0)


def gelu(x: float) -> float:
    return x


def run(path: Path, space: Any, n: int, objective: Any = lambda x: 0.0) -> int:
    result = optimize(
        objective, space, RandomSearch(), max_evals=n, seed=0, storage=path, progress=False
    )
    return len(result.trials)


# -- item 5: custom distributions and resuming ----------------------------------------------


def test_a_plain_class_distribution_is_refused_before_the_first_run_is_stored(
    tmp_path: Path,
) -> None:
    # Before: the first run was stored with an address in its fingerprint, and the resume
    # (another instance, or the same script run again) raised StudyMismatch.
    path = tmp_path / "runs.db"
    with pytest.raises(TypeError, match="object address") as raised:
        run(path, {"dropout": Custom(PlainBeta(2.0, 5.0))}, 3)
    text = str(raised.value)
    assert "'dropout'" in text and "PlainBeta" in text and "@attrs.frozen" in text
    assert "check_distribution" in text


@pytest.mark.parametrize("make", [AttrsBeta, ReprBeta], ids=lambda c: c.__name__)
def test_a_study_with_a_custom_distribution_resumes(tmp_path: Path, make: Any) -> None:
    path = tmp_path / "runs.db"
    space = {"dropout": Custom(make(2.0, 5.0))}
    assert run(path, space, 3) == 3
    # A new instance, as a new process would build: the same study, continued.
    assert run(path, {"dropout": Custom(make(2.0, 5.0))}, 5) == 5
    stored = load_study(path, "default")
    assert "0x" not in stored.info.space_text
    assert len(stored.records) == 5


def test_choice_of_functions_has_no_address_in_its_fingerprint(tmp_path: Path) -> None:
    # Functions print with their address, which differs in every process: the stored text
    # keeps their names only, so another process resumes the study.
    table = flatten({"act": Choice(relu, gelu)}).table
    assert " at 0x" not in table.text()
    assert table.params[0].labels == ("<function relu>", "<function gelu>")  # type: ignore[union-attr]
    path = tmp_path / "runs.db"
    run(path, {"act": Choice(relu, gelu)}, 2)
    assert " at 0x" not in load_study(path, "default").info.space_text


# -- item 10: numpy option values and extra data JSON cannot hold -----------------------------


def test_numpy_options_are_stored_as_values(tmp_path: Path) -> None:
    path = tmp_path / "runs.db"
    space = {"n": Choice(*np.arange(1, 4))}
    run(path, space, 6, objective=lambda c: float(c["n"]))
    study = load_study(path, "default")
    # The data-only description shows the option values (before: 'np.int64(1)' ...).
    assert study.described is not None
    assert study.described["n"].labels == ("1", "2", "3")  # type: ignore[union-attr]
    # The stored space reads back (before: to_json refused it and nothing was stored).
    assert study.info.space_json is not None and study.flat is not None
    rows = study.to_dicts()
    assert {r["params.n"] for r in rows} <= {1, 2, 3}  # values, not option indices
    assert all(r["params.n"] == r["loss"] for r in rows)
    # Typed values are the space's own options: numpy ints, with or without the space.
    for trial in (*study.trials, *load_study(path, "default", space=space).trials):
        assert type(trial.value["n"]) is np.int64 and trial.value["n"] == trial.loss


def test_numpy_float_bool_and_str_options_decode_to_the_same_objects(tmp_path: Path) -> None:
    options = (np.float64(0.5), np.bool_(True), np.str_("relu"))
    path = tmp_path / "runs.db"
    run(path, {"o": Choice(*options)}, 6)
    study = load_study(path, "default")
    assert study.table is not None
    assert study.table["o"].labels == ("0.5", "True", "'relu'")  # type: ignore[union-attr]
    seen = {type(t.value["o"]) for t in study.trials}
    assert seen <= {np.float64, np.bool_, np.str_} and seen
    assert {r["params.o"] for r in study.to_dicts()} <= {0.5, True, "relu"}


def test_numpy_options_do_not_change_an_existing_studys_fingerprint(tmp_path: Path) -> None:
    # A study of Python options and one of the equal numpy options are the same study.
    path = tmp_path / "runs.db"
    run(path, {"n": Choice(1, 2, 3)}, 2)
    assert run(path, {"n": Choice(*np.arange(1, 4))}, 4) == 4


def objective_with_bytes(c: dict[str, Any]) -> Outcome:
    return Outcome(0.0, extra={"weights": b"\x00\x01", "acc": 0.5})


def test_extra_json_cannot_hold_warns_at_the_users_line(tmp_path: Path) -> None:
    with pytest.warns(UserWarning, match="key 'weights' is bytes") as caught:
        run(tmp_path / "runs.db", {"n": Choice(1, 2)}, 1, objective=objective_with_bytes)
    warning = next(w for w in caught if "weights" in str(w.message))
    # It points at this file's call (inside run), not into json or typedspace.
    assert Path(warning.filename).resolve() == Path(__file__).resolve()
    message = str(warning.message)
    assert "extra data of trial 0 of study 'default'" in message
    assert "stored as its repr, the string \"b'\\\\x00\\\\x01'\"" in message
    extra = load_study(tmp_path / "runs.db", "default").records[0].extra
    assert extra == {"weights": "b'\\x00\\x01'", "acc": 0.5}


def test_a_nested_value_and_a_key_json_cannot_hold_are_named(tmp_path: Path) -> None:
    extra: dict[Any, Any] = {"model": {"layers": [1, object]}, (1, 2): "pair"}
    optimize(lambda x: 0.0, Choice(1), max_evals=1, storage=tmp_path / "runs.db", progress=False)
    with SQLiteStorage(tmp_path / "runs.db") as storage:
        storage.start_trial("default", {"value": 0}, 1.0)
        record = TrialRecord(1, TrialState.OK, {"value": 0}, 1.0, 2.0, 0.0, extra)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            storage.finish_trial("default", record)
        messages = [str(w.message) for w in caught]
        assert any("key 'model' (at ['model']['layers'][1]) is type" in m for m in messages)
        assert any("the dict key (1, 2) at the top level is tuple" in m for m in messages)
        assert all(Path(w.filename).resolve() == Path(__file__).resolve() for w in caught)
        stored = storage.trials("default")[1].extra
        assert stored == {"model": {"layers": [1, repr(object)]}, "(1, 2)": "pair"}


def test_to_json_of_a_numpy_choice_names_the_numpy_type() -> None:
    document = json.loads(to_json({"n": Choice(*np.arange(1, 3))}))
    option = document["space"]["items"][0][1]["options"][0]["value"]
    assert option == {"$numpy": "int64", "value": 1}
