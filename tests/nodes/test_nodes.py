"""Node construction: every invalid space fails where it is written, naming what is wrong;
valid trees are immutable values (equal when built alike, hashable)."""

from __future__ import annotations

import copy
import math
import os
import re
from collections.abc import Callable
from typing import Any, cast

import attrs
import numpy as np
import pytest
from hypothesis import given

from typedspace import (
    Choice,
    Cond,
    Const,
    Dict,
    IntLogUniform,
    IntUniform,
    List,
    LogNormal,
    LogUniform,
    Map,
    Normal,
    Space,
    Tuple,
    Uniform,
    param,
    record,
    space_of,
)
from typedspace.testing import spaces
from typedspace.testing.strategies import identity, pair

# Each case: (builder, exception type, regex the message must match).  The regexes name the
# parameter (``name=``) and the offending value, so the user can find the line.
ErrorCase = tuple[Callable[[], object], type[Exception], str]

BOUNDS: list[ErrorCase] = [
    (
        lambda: Uniform(1.0, 0.0, name="lr"),
        ValueError,
        r"Uniform 'lr'.*low \(1\.0\).*high \(0\.0\)",
    ),
    (lambda: Uniform(1.0, 1.0, name="lr"), ValueError, r"Uniform 'lr'.*low \(1\.0\).*less than"),
    (lambda: LogUniform(0.1, 0.01, name="lr"), ValueError, r"LogUniform 'lr'.*low \(0\.1\)"),
    (lambda: IntUniform(5, 5, name="n"), ValueError, r"IntUniform 'n'.*low \(5\).*high \(5\)"),
    (lambda: IntLogUniform(9, 3, name="n"), ValueError, r"IntLogUniform 'n'.*low \(9\)"),
]

NON_FINITE: list[ErrorCase] = [
    (lambda: Uniform(0.0, math.inf, name="x"), ValueError, r"Uniform 'x'.*high.*finite.*inf"),
    (lambda: Uniform(-math.inf, 0.0, name="x"), ValueError, r"Uniform 'x'.*low.*finite.*-inf"),
    (lambda: Uniform(math.nan, 1.0, name="x"), ValueError, r"Uniform 'x'.*low.*finite.*nan"),
    (lambda: LogUniform(1e-3, math.inf, name="x"), ValueError, r"LogUniform 'x'.*high.*inf"),
    (lambda: Normal(math.nan, 1.0, name="x"), ValueError, r"Normal 'x'.*mu.*finite.*nan"),
    (lambda: LogNormal(0.0, math.inf, name="x"), ValueError, r"LogNormal 'x'.*sigma.*inf"),
]

LOG_BOUNDS: list[ErrorCase] = [
    (lambda: LogUniform(0.0, 1.0, name="lr"), ValueError, r"LogUniform 'lr'.*low.*positive.*0\.0"),
    (lambda: LogUniform(-1.0, 1.0, name="lr"), ValueError, r"LogUniform 'lr'.*-1\.0"),
    (lambda: IntLogUniform(0, 8, name="n"), ValueError, r"IntLogUniform 'n'.*at least 1.*got 0"),
]

SIGMA_AND_Q: list[ErrorCase] = [
    (lambda: Normal(0.0, 0.0, name="w"), ValueError, r"Normal 'w'.*sigma.*positive.*0\.0"),
    (lambda: LogNormal(0.0, -1.0, name="w"), ValueError, r"LogNormal 'w'.*sigma.*-1\.0"),
    (lambda: Uniform(0.0, 1.0, q=0.0, name="u"), ValueError, r"Uniform 'u'.*q.*positive.*0\.0"),
    (lambda: LogUniform(1.0, 9.0, q=-1.0, name="u"), ValueError, r"LogUniform 'u'.*q.*-1\.0"),
    (lambda: Normal(0.0, 1.0, q=-0.5, name="u"), ValueError, r"Normal 'u'.*q.*-0\.5"),
    (lambda: LogNormal(0.0, 1.0, q=0, name="u"), ValueError, r"LogNormal 'u'.*q.*got 0"),
    (lambda: Uniform(0.1, 0.2, q=1.0, name="u"), ValueError, r"Uniform 'u'.*no multiple of q=1\.0"),
]

CHOICES: list[ErrorCase] = [
    (lambda: cast(Any, Choice)(name="act"), ValueError, r"Choice 'act'.*at least one option"),
    (
        lambda: Choice("relu", "tanh", "relu", name="act"),
        ValueError,
        r"Choice 'act'.*duplicate.*'relu'",
    ),
    (lambda: Choice(1, 2, 1), ValueError, r"Choice.*duplicate option 1"),
    (
        lambda: Choice("a", "b", weights=[1.0, -2.0], name="act"),
        ValueError,
        r"Choice 'act'.*weights\[1\].*negative.*-2\.0",
    ),
    (
        lambda: Choice("a", "b", weights=[1.0, 2.0, 3.0], name="act"),
        ValueError,
        r"Choice 'act'.*3 weights.*2 options",
    ),
    (lambda: Choice("a", "b", weights=[0.0, 0.0], name="act"), ValueError, r"Choice 'act'.*zero"),
    (
        lambda: Choice("a", "b", weights=[1.0, math.nan], name="act"),
        ValueError,
        r"Choice 'act'.*weights\[1\].*finite",
    ),
]

CONDS: list[ErrorCase] = [
    (
        lambda: Cond(Choice("sgd", "adam", name="opt"), {"sgd": Uniform(0.0, 1.0)}),
        ValueError,
        r"'opt'.*can produce 'adam'.*no branch",
    ),
    (
        lambda: Cond(IntUniform(1, 2, name="k"), {1: Const(1), 2: Const(2), 3: Const(3)}),
        ValueError,
        r"'k'.*branch 3 can never be selected",
    ),
    (
        lambda: Cond(Uniform(0.0, 1.0, name="u"), {0.5: Const(1)}),
        TypeError,
        r"'u'.*selector must be",
    ),
]

MAPS: list[ErrorCase] = [
    (lambda: Map(cast(Any, 3), Uniform(0.0, 1.0)), TypeError, r"Map.*callable.*got 3"),
    (lambda: Map(cast(Any, "f"), Uniform(0.0, 1.0)), TypeError, r"Map.*callable.*got 'f'"),
    (lambda: cast(Any, Map)(identity), ValueError, r"Map\(identity\).*at least one space"),
]

DUPLICATE_NAMES: list[ErrorCase] = [
    (
        # It used to fail only when first sampled (issue 12).
        lambda: Dict({"a.b": Uniform(0.0, 1.0), "a": {"b": Uniform(0.0, 1.0)}}),
        ValueError,
        r"Dict: the key path 'a\.b' is spelt twice",
    ),
    (
        lambda: Dict({"a": {"b": {"c": Choice(1, 2)}}, "x": 1, "a.b": {"c": IntUniform(1, 2)}}),
        ValueError,
        r"Dict: the key path 'a\.b\.c' is spelt twice",
    ),
    (
        lambda: Dict({"a": Uniform(0.0, 1.0, name="lr"), "b": LogUniform(1e-3, 1.0, name="lr")}),
        ValueError,
        r"Dict.*duplicate parameter name 'lr'",
    ),
    (
        lambda: Tuple(IntUniform(1, 3, name="n"), Choice(1, 2, name="n")),
        ValueError,
        r"Tuple.*duplicate parameter name 'n'",
    ),
    (
        lambda: Choice(Uniform(0.0, 1.0, name="x"), Normal(0.0, 1.0, name="x"), name="c"),
        ValueError,
        r"Choice 'c'.*duplicate parameter name 'x'",
    ),
    (
        lambda: Choice[float](Uniform(0.0, 1.0, name="c"), 3, name="c"),
        ValueError,
        r"duplicate parameter name 'c'",
    ),
    (
        lambda: Map(pair, Uniform(0.0, 1.0, name="x"), Uniform(0.0, 1.0, name="x")),
        ValueError,
        r"Map\(pair\).*duplicate parameter name 'x'",
    ),
    (
        lambda: Cond(Choice("a", "b", name="s"), {"a": Const(0), "b": Uniform(0.0, 1.0, name="s")}),
        ValueError,
        r"duplicate parameter name 's'",
    ),
    (
        # Optuna's habit: one name in exclusive branches.  The error says the two ways out.
        lambda: Cond(
            Choice("sgd", "adam"),
            {"sgd": LogUniform(1e-3, 1.0, name="lr"), "adam": LogUniform(1e-5, 1e-2, name="lr")},
        ),
        ValueError,
        r"duplicate parameter name 'lr': .*across the branches of a Choice or Cond.*move it out"
        r".*leave out name=",
    ),
]

TYPES: list[ErrorCase] = [
    (lambda: Uniform(cast(Any, "0"), 1.0, name="x"), TypeError, r"Uniform 'x'.*low.*number.*'0'"),
    (lambda: Uniform(cast(Any, True), 2.0, name="x"), TypeError, r"Uniform 'x'.*low.*True"),
    (lambda: IntUniform(cast(Any, 1.5), 4, name="n"), TypeError, r"IntUniform 'n'.*low.*int.*1\.5"),
    (lambda: Uniform(0.0, 1.0, name=""), ValueError, r"name.*non-empty.*''"),
    (lambda: Dict(cast(Any, {1: Uniform(0.0, 1.0)})), TypeError, r"keys must be str, got 1"),
    (lambda: Cond(cast(Any, "x"), {}), TypeError, r"selector must be a Space, got 'x'"),
]

# Issue 12: inputs that used to be accepted and then gave wrong values (out of bounds, inf,
# NaN, the wrong branch) or failed only when sampled.
INT_RANGE: list[ErrorCase] = [
    (
        lambda: IntUniform(0, 2**64, name="n"),
        ValueError,
        r"IntUniform 'n'.*high.*between -2\*\*53 and 2\*\*53.*18446744073709551616",
    ),
    (lambda: IntUniform(2**70, 2**70 + 5, name="n"), ValueError, r"IntUniform 'n'.*low.*2\*\*53"),
    (lambda: IntLogUniform(2**63 - 1, 2**64, name="n"), ValueError, r"IntLogUniform 'n'.*low"),
    # Inside int64 but not exact as floats: sampled 2**53 and 2**53 + 4.
    (lambda: IntUniform(2**53 + 1, 2**53 + 3, name="n"), ValueError, r"IntUniform 'n'.*low"),
    (lambda: IntLogUniform(1, 2**1100, name="n"), ValueError, r"IntLogUniform 'n'.*high.*\.\.\."),
]

FLOAT_RANGE: list[ErrorCase] = [
    (
        lambda: Uniform(-1e308, 1e308, name="x"),
        ValueError,
        r"Uniform 'x'.*too large: \|low\| \+ \|high\| must be a finite float",
    ),
    (lambda: Uniform(0, 10**400, name="x"), ValueError, r"Uniform 'x'.*high must be finite"),
    # Finite width, but a midpoint that overflows: TPE's prior kernel was centred at inf.
    (lambda: Uniform(1e308, 1.7e308, name="x"), ValueError, r"Uniform 'x'.*too large"),
    (
        lambda: Uniform(0.0, 1.7e308, q=1.7e308, name="x"),
        ValueError,
        r"Uniform 'x'.*too large: \|low\| \+ \|high\| \+ q must be a finite float",
    ),
    (
        lambda: Uniform(0, 1e300, q=1e-300, name="x"),
        ValueError,
        r"Uniform 'x'.*q=1e-300 is too small.*2\*\*53",
    ),
    (
        lambda: Uniform(3.4e-245, 1e-12, q=7.9e-298, name="x"),
        ValueError,
        r"Uniform 'x'.*q=7\.9e-298 is too small",
    ),
    # 324 decimals: numpy rounds to at most 308 (the sampler's grid arithmetic gave NaN).
    (lambda: Uniform(0.0, 1e-310, q=5e-324, name="x"), ValueError, r"Uniform 'x'.*q=5e-324.*308"),
    (lambda: Normal(0.0, 1.0, q=5e-324, name="x"), ValueError, r"Normal 'x'.*q=5e-324.*308"),
    (lambda: LogNormal(1000, 1, name="w"), ValueError, r"LogNormal 'w'.*mu \+ 10 \* sigma.*inf"),
    (lambda: LogNormal(-1000, 1, name="w"), ValueError, r"LogNormal 'w'.*mu - 10 \* sigma.*0"),
    (lambda: Normal(0.0, 1e308, name="w"), ValueError, r"Normal 'w'.*mu ± 10 \* sigma.*finite"),
    (lambda: Normal(0.0, 1e300, q=1e-300, name="w"), ValueError, r"Normal 'w'.*q=1e-300.*small"),
    # Zero-width internal intervals: TPE's kernels had sigma 0 and proposed NaN, which
    # became -2**63 for an int leaf.
    (
        lambda: IntLogUniform(2**49 - 2, 2**49 - 1, name="n"),
        ValueError,
        r"IntLogUniform 'n'.*low=562949953421310 and high=562949953421311 are too close on a log",
    ),
    (lambda: LogUniform(1e300, 1.0000000000000002e300, name="x"), ValueError, r"too close"),
    (lambda: Uniform(0.0, 5e-324, name="x"), ValueError, r"Uniform 'x'.*low.*high.*too close"),
    (lambda: Normal(0.0, 5e-324, name="x"), ValueError, r"Normal 'x'.*sigma must be at least"),
    (lambda: LogNormal(0.0, 1e-310, name="x"), ValueError, r"LogNormal 'x'.*sigma.*normal float"),
]

OPTIONS: list[ErrorCase] = [
    (
        lambda: Choice(math.nan, name="c"),
        ValueError,
        r"Choice 'c'.*option nan.*not equal to itself",
    ),
    (lambda: Choice(1.0, math.nan), ValueError, r"Choice.*option nan"),
    (
        # The dict itself collapses to {1: Const("B")}: both options would give "B".
        lambda: Cond(Choice(1, True, name="s"), {1: Const("A"), True: Const("B")}),  # noqa: F601
        ValueError,
        r"'s'.*options 1 and True are equal as dict keys",
    ),
    (
        lambda: Cond(Choice[float](1, 1.0, name="s"), cast(Any, {1: Const("A")})),
        ValueError,
        r"'s'.*options 1 and 1\.0 are equal",
    ),
    (
        lambda: Cond(Choice([1], [2], name="s"), cast(Any, {})),
        TypeError,
        r"'s'.*option \[1\] is not hashable",
    ),
]

ARGUMENT_TYPES: list[ErrorCase] = [
    (
        lambda: Choice("a", weights=cast(Any, 5), name="c"),
        TypeError,
        r"Choice 'c'.*weights must be a sequence of numbers, got 5",
    ),
    (
        lambda: Choice("a", "b", weights=cast(Any, "ab")),
        TypeError,
        r"Choice.*weights must be a sequence",
    ),
    (lambda: List(cast(Any, 5)), TypeError, r"List: items must be a list or a tuple, got 5"),
    (
        lambda: Dict(cast(Any, [("a", 1)])),
        TypeError,
        r"Dict: items must be a mapping.*\[\('a', 1\)\]",
    ),
    (lambda: Uniform(cast(Any, np.bool_(False)), 1.0, name="x"), TypeError, r"Uniform 'x'.*low"),
    (lambda: IntUniform(cast(Any, np.float64(1.0)), 4, name="n"), TypeError, r"'n'.*low.*int"),
    (lambda: Choice("a", weights=[cast(Any, np.bool_(True))]), TypeError, r"weights\[0\]"),
]

ALL_CASES = {
    "bounds": BOUNDS,
    "non-finite": NON_FINITE,
    "log-bounds": LOG_BOUNDS,
    "sigma-and-q": SIGMA_AND_Q,
    "choices": CHOICES,
    "conds": CONDS,
    "maps": MAPS,
    "duplicate-names": DUPLICATE_NAMES,
    "types": TYPES,
    "int-range": INT_RANGE,
    "float-range": FLOAT_RANGE,
    "options": OPTIONS,
    "argument-types": ARGUMENT_TYPES,
}


@pytest.mark.parametrize(
    ("build", "error", "message"),
    [case for cases in ALL_CASES.values() for case in cases],
    ids=[f"{group}-{i}" for group, cases in ALL_CASES.items() for i in range(len(cases))],
)
def test_invalid_space_fails_at_construction(
    build: Callable[[], object], error: type[Exception], message: str
) -> None:
    with pytest.raises(error, match=message):
        build()


# --- Equality, hashing, immutability ---


def build_tree() -> Space[Any]:
    return Dict(
        {
            "opt": Cond(
                Choice("sgd", "adam", weights=[1, 3], name="optimizer"),
                {"sgd": LogUniform(1e-3, 1.0), "adam": Map(identity, LogUniform(1e-5, 1e-2))},
            ),
            "layers": List([IntUniform(16, 256), Const([1, 2])]),
            "act": Choice("relu", {"kind": "leaky", "slope": Uniform(0.0, 0.3)}),
            "pair": Map(pair, Normal(0.0, 1.0, q=0.5), IntLogUniform(1, 64)),
        }
    )


def test_equal_trees_are_equal_and_hash_equal() -> None:
    a, b = build_tree(), build_tree()
    assert a is not b
    assert a == b
    assert hash(a) == hash(b)
    assert len({a, b}) == 1


@given(spaces())
def test_copied_trees_are_equal_and_hash_equal(space: Space[Any]) -> None:
    twin = copy.deepcopy(space)
    assert twin == space
    assert hash(twin) == hash(space)


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (Uniform(0.0, 1.0), Uniform(0.0, 2.0)),
        (Uniform(0.0, 1.0), LogUniform(0.5, 1.0)),
        (Uniform(0.0, 1.0), Uniform(0.0, 1.0, name="x")),
        (Uniform(0.0, 1.0), Uniform(0.0, 1.0, q=0.5)),
        (Choice("a", "b"), Choice("b", "a")),
        (Choice("a", "b"), Choice("a", "b", weights=[1, 2])),
        # Equal by == but not the same constants: a tree must keep its values' types.
        (Const(1), Const(True)),
        (Const(1), Const(1.0)),
        (Choice(0, 1), Choice(0.0, 1)),
        (Const([1, {"a": 1}]), Const([1, {"a": 1.0}])),
        (Map(identity, Uniform(0.0, 1.0)), Map(pair, Uniform(0.0, 1.0), Uniform(0.0, 1.0))),
        (Tuple(Uniform(0.0, 1.0)), List([Uniform(0.0, 1.0)])),
    ],
)
def test_different_trees_are_not_equal(a: Space[Any], b: Space[Any]) -> None:
    assert a != b


def test_ints_are_normalized_to_floats_for_float_leaves() -> None:
    assert Uniform(0, 1) == Uniform(0.0, 1.0)
    assert hash(Uniform(0, 1)) == hash(Uniform(0.0, 1.0))
    assert type(Uniform(0, 1).low) is float


@pytest.mark.parametrize(
    ("kind", "arguments", "keywords", "plain"),
    [
        (
            Uniform,
            (np.float32(0.5), np.float64(2.0)),
            {"q": np.float32(0.5)},
            Uniform(0.5, 2, q=0.5),
        ),
        (LogUniform, (np.int64(1), np.int32(8)), {}, LogUniform(1.0, 8.0)),
        (Normal, (np.float16(1.0), np.float64(2.0)), {}, Normal(1.0, 2.0)),
        (LogNormal, (np.int8(0), np.float32(1.0)), {}, LogNormal(0.0, 1.0)),
        (IntUniform, (np.int64(3), np.uint8(9)), {}, IntUniform(3, 9)),
        (IntLogUniform, (np.int32(1), np.int64(2**53)), {}, IntLogUniform(1, 2**53)),
        (Choice, ("a", "b"), {"weights": np.array([1, 3])}, Choice("a", "b", weights=[1.0, 3.0])),
    ],
    ids=lambda v: v.__name__ if isinstance(v, type) else "",
)
def test_numpy_numbers_are_accepted_as_python_numbers(
    kind: Callable[..., Space[Any]],
    arguments: tuple[Any, ...],
    keywords: dict[str, Any],
    plain: Space[Any],
) -> None:
    node = kind(*arguments, **keywords)
    assert node == plain and hash(node) == hash(plain)
    assert repr(node) == repr(plain)  # Python numbers inside: serializable like the plain node
    numbers = [getattr(node, f, None) for f in ("low", "high", "mu", "sigma", "q")]
    numbers += getattr(node, "weights", None) or ()
    assert all(type(v) in (int, float) for v in numbers if v is not None)


def test_huge_weights_normalize_without_overflow() -> None:
    choice = Choice("a", "b", weights=[1e308, 1e308])
    assert choice.weights == (1e308, 1e308)  # kept as written
    assert choice.probabilities == (0.5, 0.5)
    assert Choice("a", "b", "c").probabilities == (1 / 3, 1 / 3, 1 / 3)


def test_records_compare_by_class_and_field_spaces() -> None:
    @record
    class Net:
        width: int = param(IntUniform(8, 64))

    assert space_of(Net) == space_of(Net)
    assert hash(space_of(Net)) == hash(space_of(Net))
    assert space_of(Net) != space_of(Net, width=IntUniform(8, 65))


@pytest.mark.parametrize(
    ("node", "field", "value"),
    [
        (Uniform(0.0, 1.0), "high", 2.0),
        (IntUniform(0, 3), "low", 1),
        (Const(1), "value", 2),
        (Choice("a", "b"), "options", ("a",)),
        (Cond(Choice("a"), {"a": Const(1)}), "branches", ()),
        (Map(identity, Uniform(0.0, 1.0)), "f", pair),
        (Dict({"a": Const(1)}), "items", ()),
        (Tuple(Const(1)), "items", ()),
        (List([Const(1)]), "items", ()),
    ],
)
def test_nodes_are_immutable(node: Space[Any], field: str, value: object) -> None:
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(node, field, value)
    assert getattr(node, field) != value


def test_a_record_class_where_a_space_is_expected_names_space_of() -> None:
    # sample(Config) used to return the class itself; optimize passed it to every trial.
    from typedspace import optimize, param, pretty, record, sample, to_json

    @record
    class Config:
        n: int = param(IntUniform(1, 3))

    message = "Config is a @record class, not a space; pass space_of(Config)"
    for use in (sample, pretty, to_json, lambda s: optimize(lambda c: 0.0, s, max_evals=2)):
        with pytest.raises(TypeError, match=re.escape(message)):
            use(cast(Any, Config))  # mypy rejects it too: a class is not a Space
    assert sample(space_of(Config), seed=0).n in (1, 2, 3)


def test_dotted_keys_that_spell_no_other_parameter_are_fine() -> None:
    # Constants are no parameters, and different paths do not clash.
    assert Dict({"a.b": 1, "a": {"b": 2}}).key_paths == ()
    assert Dict({"a.b": Uniform(0.0, 1.0), "a": {"c": Uniform(0.0, 1.0)}}).key_paths == (
        "a.b",
        "a.c",
    )


def test_a_copied_space_pickles_the_same_bytes_whatever_the_hash_seed() -> None:
    """scikit-learn checks that fit leaves an estimator's parameters unchanged by comparing
    joblib.hash (pickle bytes) of a deep copy; a frozenset field made that depend on the
    string hash seed.  Run under several seeds, each in its own interpreter."""
    import subprocess
    import sys

    code = (
        "import copy, pickle\n"
        "from typedspace import Dict, Uniform, LogUniform, IntUniform\n"
        "s = Dict({'model': {'lr': LogUniform(1e-3, 1.0), 'depth': IntUniform(1, 9)},\n"
        "          'x': Uniform(0.0, 1.0), 'opt.beta': Uniform(0.0, 1.0)})\n"
        "assert pickle.dumps(copy.deepcopy(s)) == pickle.dumps(s)\n"
    )
    for seed in range(6):
        env = {**os.environ, "PYTHONHASHSEED": str(seed)}
        done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True)
        assert done.returncode == 0, (seed, done.stderr.decode())
