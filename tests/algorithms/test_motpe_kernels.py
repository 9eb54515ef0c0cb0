"""TPE's default model with several objectives (``_motpe.joint_kernels``): joint kernels
with one or two objectives, each parameter alone with three or more."""

from __future__ import annotations

import numpy as np
import pytest

from tests.algorithms.test_motpe import _proposals
from typedspace import TPE, Choice, Cond, Uniform, flatten
from typedspace.algorithms._motpe import NO_CONTRIBUTION, OutcomeRows, joint_kernels
from typedspace.algorithms._tpe import TPEProposer

SPACE = {f"x{i}": Uniform(0.0, 1.0) for i in range(6)}


@pytest.mark.parametrize("n_objectives", [2, 3, 4])
def test_the_default_is_joint_below_three_objectives_and_alone_from_three(
    n_objectives: int,
) -> None:
    # Past the random start (10, 20, 30 trials), the default's proposals are those of the
    # explicit setting the rule picks, and not those of the other one.
    joint = joint_kernels(n_objectives)
    assert joint == (n_objectives < 3)
    n = 10 * (n_objectives - 1) + 8
    default = _proposals(TPE(), n_objectives, n)
    assert default == _proposals(TPE(multivariate=joint), n_objectives, n)
    assert default[n - 8 :] != _proposals(TPE(multivariate=not joint), n_objectives, n)[n - 8 :]


def test_an_explicit_setting_is_kept_with_three_objectives() -> None:
    proposer = TPE(multivariate=True).start(flatten(SPACE).table, np.random.default_rng(0))
    assert isinstance(proposer, TPEProposer)
    proposer.tell_outcome(0, {f"x{i}": 0.5 for i in range(6)}, (1.0, 2.0, 3.0), 0.0)
    assert [len(g.numeric) for g in proposer.groups] == [6]
    assert (proposer.min_bandwidth, proposer.bandwidth_exponent) == (0.03, 2.0)


def test_seeded_three_objective_runs_repeat() -> None:
    first = _proposals(TPE(), 3, 30, seed=3)
    assert first == _proposals(TPE(), 3, 30, seed=3)
    assert first[20:] != _proposals(TPE(), 3, 30, seed=4)[20:]


def test_rows_told_before_the_first_loss_vector_are_kept() -> None:
    # A pruned trial can be told before any trial completes; when the third objective
    # turns the joint groups (one per condition) into one group per parameter, its row
    # moves along, column by column.
    space = {
        "kind": Cond(
            Choice("a", "b"), {"a": {"u": Uniform(0.0, 1.0), "v": Uniform(2.0, 4.0)}, "b": {}}
        ),
        "w": Choice("p", "q", "r"),
    }
    table = flatten(space).table
    proposer = TPE().start(table, np.random.default_rng(0))
    assert isinstance(proposer, TPEProposer)
    first: dict[str, float | int] = {"kind": 0, "kind.a.u": 0.25, "kind.a.v": 3.5, "w": 2}
    second: dict[str, float | int] = {"kind": 1, "w": 1}
    proposer.tell_pruned(0, first, 1, 0.5)
    assert len(proposer.groups) == 2
    proposer.tell_outcome(1, second, (1.0, 1.0, 1.0), 0.0)
    assert [g.numeric[0].name if g.numeric else g.categorical[0].name for g in proposer.groups] == [
        "kind",
        "kind.a.u",
        "kind.a.v",
        "w",
    ]
    assert (proposer.min_bandwidth, proposer.bandwidth_exponent) == (0.01, 1.0)
    kind, u, v, w = proposer.groups
    trials: list[list[int]] = [g.trial[: g.size].tolist() for g in proposer.groups]
    assert trials == [[0, 1], [0], [0], [0, 1]]
    assert kind.cats[: kind.size, 0].tolist() == [0, 1]
    assert w.cats[: w.size, 0].tolist() == [2, 1]
    assert u.z[: u.size].tolist() == [[0.25]]
    assert v.z[: v.size].tolist() == [[3.5]]
    # And it goes on proposing valid points (only the active parameters).
    for number in range(2, 40):
        (point,) = proposer.propose(1, pending=[])
        assert table.validate(point) == point
        proposer.tell_outcome(number, point, (float(point["w"]), 1.0 - point["kind"], 2.0), 0.0)


def test_weights_are_recomputed_once_a_row_changes() -> None:
    # Each parameter's group asks for the good trials' weights; they are computed once per
    # set of rows and recomputed after any row is told again.
    rows = OutcomeRows(2)
    rows.set(0, (0.0, 2.0), 0.0)
    rows.set(1, (1.0, 1.0), 0.0)
    rows.set(2, (2.0, 0.0), 0.0)
    every = np.arange(3)
    first = rows.weights(every)
    assert first is not None and first.tolist() == pytest.approx([0.2, 1.0, 0.2])
    assert rows.weights(every) is first
    rows.set(1, (3.0, 3.0), 0.0)  # now dominated: no contribution
    again = rows.weights(every)
    assert again is not None and again.tolist() == pytest.approx([1.0, NO_CONTRIBUTION, 1.0])
    assert rows.weights(np.arange(2)) is not again
