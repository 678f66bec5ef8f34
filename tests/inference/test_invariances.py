"""Tests for valuelearn.inference._invariances (Skalse et al. 2023, Thms 3.2 and 3.3)."""

from __future__ import annotations

import json
from dataclasses import replace

import numpy as np
import pytest
from numpy.typing import NDArray

from valuelearn.data import MDP, Demonstrations, random_mdp
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import BoltzmannRational, HumanModel, RiskSensitive, SoftOptimal
from valuelearn.humans import boltzmann_policy as boltzmann
from valuelearn.inference import (
    SKALSE_TABLE,
    InvarianceReport,
    invariance_report,
    potential_shaping,
    s_prime_redistribution,
)
from valuelearn.inference._invariance_report import ROW_NAMES
from valuelearn.policy import expected_reward, soft_value_iteration, value_iteration

DISCOUNT, H = 0.9, 6
WORLDS = [(5, 0), (6, 1), (8, 2)]  # (n_states, seed)
HUMANS = [SoftOptimal(temperature=0.7), BoltzmannRational(beta=1.5)]
SHAPING, PAID, MOVED, SCALED, RESCALED, CONTROL = ROW_NAMES
Data = tuple[MDP, NDArray[np.float64], Demonstrations]


EACH_HUMAN = pytest.mark.parametrize("human", HUMANS, ids=lambda h: h.name)
EACH_WORLD = pytest.mark.parametrize(("n_states", "seed"), WORLDS)


def world(n_states: int, seed: int) -> tuple[MDP, NDArray[np.float64], np.random.Generator]:
    rng = np.random.default_rng(seed + 100)
    mdp = random_mdp(n_states, 3, branching=3, rng=seed)
    return mdp, rng.normal(size=(n_states, 3, n_states)), rng


def gap(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return float(np.max(np.abs(np.log(a) - np.log(b))))


def planner_policy(
    human: HumanModel, mdp: MDP, reward: NDArray[np.float64], terminal: NDArray[np.float64]
) -> NDArray[np.float64]:
    """The human's policy planned with V_H = terminal (what the HumanModel API cannot pass)."""
    if isinstance(human, SoftOptimal):
        return soft_value_iteration(
            mdp, reward, horizon=H, discount=DISCOUNT, temperature=human.temperature,
            terminal_values=terminal,
        ).policy  # fmt: skip
    assert isinstance(human, BoltzmannRational)
    q = value_iteration(mdp, reward, horizon=H, discount=DISCOUNT, terminal_values=terminal)
    assert q.q_values is not None
    return boltzmann(q.q_values, beta=human.beta)


# ---------------------------------------------------------------------- Thm 3.3 as identities
@EACH_HUMAN
@EACH_WORLD
def test_potential_shaping_is_invisible_at_infinite_horizon(
    human: HumanModel, n_states: int, seed: int
) -> None:
    mdp, reward, rng = world(n_states, seed)
    shaped = potential_shaping(mdp, reward, rng.normal(size=n_states), discount=DISCOUNT)
    assert np.abs(shaped - reward).max() > 0.5
    base = human.policy(mdp, reward, horizon=None, discount=DISCOUNT)  # type: ignore[arg-type]
    other = human.policy(mdp, shaped, horizon=None, discount=DISCOUNT)  # type: ignore[arg-type]
    assert gap(other, base) < 1e-10


@EACH_HUMAN
@EACH_WORLD
def test_finite_horizon_shaping_is_invisible_only_with_the_terminal_potential_paid(
    human: HumanModel, n_states: int, seed: int
) -> None:
    mdp, reward, rng = world(n_states, seed)
    phi = rng.normal(size=n_states)
    shaped = potential_shaping(mdp, reward, phi, discount=DISCOUNT)
    base = human.policy(mdp, reward, horizon=H, discount=DISCOUNT)
    np.testing.assert_allclose(planner_policy(human, mdp, reward, np.zeros(n_states)), base)
    assert gap(planner_policy(human, mdp, shaped, -phi), base) < 1e-10
    # through the HumanModel interface (no terminal values) the last steps see Phi(s_H)
    assert gap(human.policy(mdp, shaped, horizon=H, discount=DISCOUNT), base) > 1e-3


@EACH_HUMAN
@EACH_WORLD
@pytest.mark.parametrize("horizon", [None, H])
def test_s_prime_redistribution_is_invisible(
    human: HumanModel, n_states: int, seed: int, horizon: int | None
) -> None:
    mdp, reward, rng = world(n_states, seed)
    moved = s_prime_redistribution(mdp, reward, rng=rng, scale=2.0)
    plan = human.policy
    base = plan(mdp, reward, horizon=horizon, discount=DISCOUNT)  # type: ignore[arg-type]
    assert gap(plan(mdp, moved, horizon=horizon, discount=DISCOUNT), base) < 1e-10  # type: ignore[arg-type]


@EACH_HUMAN
@EACH_WORLD
@pytest.mark.parametrize("factor", [0.5, 3.0])
def test_scaling_is_visible_unless_the_rationality_is_rescaled(
    human: HumanModel, n_states: int, seed: int, factor: float
) -> None:
    mdp, reward, _ = world(n_states, seed)
    base = human.policy(mdp, reward, horizon=H, discount=DISCOUNT)
    scaled = human.policy(mdp, factor * reward, horizon=H, discount=DISCOUNT)
    assert gap(scaled, base) > 1e-2
    if isinstance(human, SoftOptimal):
        rescaled: HumanModel = replace(human, temperature=human.temperature * factor)
    else:
        assert isinstance(human, BoltzmannRational)
        rescaled = replace(human, beta=human.beta / factor)
    assert gap(rescaled.policy(mdp, factor * reward, horizon=H, discount=DISCOUNT), base) < 1e-10


@EACH_WORLD
@pytest.mark.parametrize("horizon", [None, H])
def test_optimal_policy_is_invariant_to_positive_scaling(
    n_states: int, seed: int, horizon: int | None
) -> None:
    # Thm 3.2: an optimal policy sees only the optimality-preserving class, which contains
    # positive scaling (and, at infinite horizon, potential shaping).
    mdp, reward, rng = world(n_states, seed)
    base = value_iteration(mdp, reward, horizon=horizon, discount=DISCOUNT).policy
    assert set(np.unique(base)) == {0.0, 1.0}  # a unique optimal action everywhere
    for factor in (0.01, 0.5, 7.0):
        other = value_iteration(mdp, factor * reward, horizon=horizon, discount=DISCOUNT).policy
        np.testing.assert_array_equal(other, base)
    if horizon is None:
        shaped = potential_shaping(mdp, reward, rng.normal(size=n_states), discount=DISCOUNT)
        other = value_iteration(mdp, shaped, horizon=None, discount=DISCOUNT).policy
        np.testing.assert_array_equal(other, base)


@EACH_HUMAN
@EACH_WORLD
def test_random_perturbation_changes_the_policy(
    human: HumanModel, n_states: int, seed: int
) -> None:
    mdp, reward, rng = world(n_states, seed)
    base = human.policy(mdp, reward, horizon=H, discount=DISCOUNT)
    other = human.policy(mdp, reward + rng.normal(size=reward.shape), horizon=H, discount=DISCOUNT)
    assert gap(other, base) > 1e-2


# ---------------------------------------------------------------------- the transformations
@EACH_WORLD
def test_s_prime_redistribution_keeps_the_expected_reward_and_moves_the_reward(
    n_states: int, seed: int
) -> None:
    mdp, reward, _ = world(n_states, seed)
    moved = s_prime_redistribution(mdp, reward, rng=seed)
    np.testing.assert_allclose(
        expected_reward(mdp, moved), expected_reward(mdp, reward), atol=1e-12
    )
    assert np.abs(moved - reward).max() > 0.5
    off_support = mdp.dense_transitions() == 0
    np.testing.assert_array_equal(moved[off_support], reward[off_support])
    # a state reward is broadcast first; a single successor leaves nothing to redistribute
    deterministic = random_mdp(n_states, 3, branching=1, rng=seed)
    state_reward = np.arange(n_states, dtype=np.float64)
    np.testing.assert_array_equal(
        s_prime_redistribution(deterministic, state_reward, rng=seed),
        np.broadcast_to(state_reward[:, None, None], (n_states, 3, n_states)),
    )


def test_potential_shaping_closed_form_and_reward_forms() -> None:
    mdp = random_mdp(3, 2, branching=2, rng=0)
    reward_sa = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    shaped = potential_shaping(mdp, reward_sa, [10.0, 20.0, 30.0], discount=0.5)
    assert shaped.shape == (3, 2, 3)
    assert shaped[1, 0, 2] == 3.0 + 0.5 * 30.0 - 20.0
    assert shaped[2, 1, 0] == 6.0 + 0.5 * 10.0 - 30.0
    np.testing.assert_array_equal(
        potential_shaping(mdp, [1.0, 2.0, 3.0], np.zeros(3), discount=0.5)[:, 1, :],
        np.repeat([[1.0], [2.0], [3.0]], 3, axis=1),
    )


# ---------------------------------------------------------------------- the report
@pytest.fixture(scope="module")
def data() -> Data:
    mdp, reward, _ = world(6, 1)
    demos = SoftOptimal(temperature=0.7).simulate(
        mdp, reward, n=20, horizon=H, discount=DISCOUNT, rng=5
    )
    return mdp, reward, demos


def report_for(
    data: Data,
    human: HumanModel,
    horizon: int | None,
    reward: NDArray[np.float64] | None = None,
) -> InvarianceReport:
    mdp, true_reward, demos = data
    return invariance_report(
        mdp, human, true_reward if reward is None else reward, horizon=horizon,
        discount=DISCOUNT, demonstrations=demos, rng=7, n_directions=2, grid=(-2, -1, 1, 2),
    )  # fmt: skip


def assert_flat(report: InvarianceReport, names: tuple[str, ...]) -> None:
    """Theory and measurement agree the rows are invisible; the log-likelihood is flat."""
    for name in names:
        row = report.row(name)
        assert row.theory == "invisible" and row.agrees is True
        assert row.max_policy_change is not None and row.max_policy_change < 1e-10
        assert row.ll_range is not None and row.ll_range < 1e-9


def assert_visible(report: InvarianceReport, names: tuple[str, ...]) -> None:
    """Theory and measurement agree the rows are visible; the log-likelihood moves."""
    for name in names:
        row = report.row(name)
        assert row.theory == "visible" and row.invisible is False and row.agrees is True
        assert row.ll_range is not None and row.ll_range > 1.0
        assert row.max_ll_change is not None and 0.0 < row.max_ll_change <= row.ll_range


@EACH_HUMAN
def test_report_at_infinite_horizon_finds_the_thm_3_3_invariances(
    data: Data, human: HumanModel
) -> None:
    report = report_for(data, human, None)
    assert report.invisible == (SHAPING, MOVED, RESCALED)
    assert report.disagreements == ()
    assert report.theory == SKALSE_TABLE[2] and report.theory.theorem == "Thm 3.3"
    assert_flat(report, report.invisible)
    assert_visible(report, (SCALED, CONTROL))
    assert report.row(PAID).theory == "not applicable" and report.row(PAID).invisible is None
    assert report.n_demonstration_steps == 20 * H


def test_report_ll_range_of_scaling_matches_a_direct_computation(
    data: Data,
) -> None:
    # the scaling path exp(t) * R is deterministic, so its range can be recomputed by hand
    mdp, reward, demos = data
    human = SoftOptimal(temperature=0.7)
    lls = [
        human.log_likelihood(mdp, np.exp(t) * reward, demos, horizon=H, discount=DISCOUNT)
        for t in (-2.0, -1.0, 0.0, 1.0, 2.0)
    ]
    row = report_for(data, human, H).row(SCALED)
    assert row.ll_range == pytest.approx(max(lls) - min(lls), rel=1e-12)
    assert row.max_ll_change == pytest.approx(max(abs(ll - lls[2]) for ll in lls), rel=1e-12)


@EACH_HUMAN
def test_report_at_finite_horizon_sees_unpaid_shaping(data: Data, human: HumanModel) -> None:
    report = report_for(data, human, H)
    assert report.invisible == (PAID, MOVED, RESCALED)
    assert report.disagreements == ()
    assert_flat(report, report.invisible)
    assert_visible(report, (SHAPING, SCALED, CONTROL))
    assert f"H={H}" in report.notes[0]


def test_report_for_a_model_no_theorem_covers(
    data: Data,
) -> None:
    # a risk-sensitive person weighs the spread of R(s, a, S'), so S'-redistribution is visible
    report = report_for(data, RiskSensitive(alpha=-2.0), H)
    assert report.theory is None
    moved = report.row(MOVED)
    assert moved.theory == "not covered" and moved.invisible is False and moved.agrees is None
    assert report.row(RESCALED).theory == "not applicable"
    assert report.row(PAID).invisible is None
    assert report.row(CONTROL).agrees is True
    assert report.disagreements == ()


def test_report_flags_a_disagreement_and_prints(
    data: Data,
) -> None:
    # the zero reward is a fixed point of scaling: theory's generic "visible" does not hold
    mdp = data[0]
    report = report_for(data, SoftOptimal(), None, reward=np.zeros(mdp.n_states))
    assert report.disagreements == (SCALED,)
    text = str(report)
    assert "Thm 3.3" in text and "max|dlog pi|" in text and "disagrees with theory" in text
    assert text.count("\n") > len(report.rows)
    as_json = json.loads(json.dumps(report.to_dict(), allow_nan=False))
    assert as_json["disagreements"] == [SCALED]
    assert as_json["rows"][0]["transformation"] == SHAPING
    assert as_json["rows"][1]["max_policy_change"] is None


# ---------------------------------------------------------------------- errors
def test_bad_inputs_raise_with_good_words(
    data: Data,
) -> None:
    mdp, reward, _ = data
    with pytest.raises(ValueLearnInputError, match=r"'reward' parameter of potential_shaping"):
        potential_shaping(mdp, np.zeros((6, 2)), np.zeros(6), discount=0.9)
    with pytest.raises(ValueLearnInputError, match=r"'potential' .* shape \(6,\); got shape \(5,"):
        potential_shaping(mdp, reward, np.zeros(5), discount=0.9)
    with pytest.raises(ValueLearnInputError, match=r"'reward' parameter of s_prime_redistr"):
        s_prime_redistribution(mdp, np.zeros(7), rng=0)
    for scale in (0.0, -1.0):
        with pytest.raises(ValueLearnInputError, match=r"'scale' .* positive finite number"):
            s_prime_redistribution(mdp, reward, rng=0, scale=scale)
    with pytest.raises(ValueLearnInputError, match=r"'reward' parameter of invariance_report"):
        invariance_report(mdp, SoftOptimal(), np.zeros((3, 3)), horizon=H, discount=0.9)
    with pytest.raises(ValueLearnInputError, match=r"'n_directions' .* positive integer"):
        invariance_report(mdp, SoftOptimal(), reward, horizon=H, discount=0.9, n_directions=0)
    with pytest.raises(ValueLearnInputError, match=r"'tol' .* positive finite number"):
        invariance_report(mdp, SoftOptimal(), reward, horizon=H, discount=0.9, tol=0.0)
    with pytest.raises(ValueLearnInputError, match=r"'grid' .* non-empty"):
        invariance_report(mdp, SoftOptimal(), reward, horizon=H, discount=0.9, grid=[])
    with pytest.raises(ValueLearnInputError, match=r"'human' .* HumanModel; got str"):
        invariance_report(mdp, "soft", reward, horizon=H, discount=0.9)  # type: ignore[arg-type]
    report = invariance_report(mdp, SoftOptimal(), reward, horizon=1, discount=0.9, grid=[1.0])
    with pytest.raises(ValueLearnInputError, match=r"'transformation' .* got 'shaping'"):
        report.row("shaping")
