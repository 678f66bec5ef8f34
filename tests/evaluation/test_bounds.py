"""Tests for valuelearn.evaluation._bounds: the alpha-VaR of regret and the robust policy."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom

from valuelearn.data import MDP, feature_gridworld, random_mdp
from valuelearn.evaluation import regret_value_at_risk, robust_policy
from valuelearn.evaluation._bounds import optimal_returns
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import BoltzmannRational
from valuelearn.inference import BayesianIRL, RewardPosterior, UniformPrior
from valuelearn.policy import expected_return, sample_trajectories, value_iteration

STAY = np.array([[1.0, 0.0], [1.0, 0.0]])  # always take action 0 (go to / stay in state 0)
LEAVE = np.array([[0.0, 1.0], [0.0, 1.0]])  # always take action 1


def two_state_mdp() -> MDP:
    """Action ``a`` moves to state ``a`` from anywhere; start in state 0."""
    transitions = np.zeros((2, 2, 2))
    transitions[:, 0, 0] = 1.0
    transitions[:, 1, 1] = 1.0
    return MDP.from_dense(transitions, initial=[1.0, 0.0])


def random_draws(n: int, n_states: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-1.0, 1.0, (n, n_states))


# ---------------------------------------------------------------------- hand-computed cases
def test_two_state_expected_value_differences_by_hand() -> None:
    # discount 1/2 from state 0: staying earns 2 R0, leaving R0 + R1, so the optimum is
    # max(2 R0, R0 + R1): EVD(leave) = max(R0 - R1, 0) and EVD(stay) = max(R1 - R0, 0).
    draws = random_draws(50, 2, seed=0)
    gap = draws[:, 0] - draws[:, 1]
    for policy, expected in ((LEAVE, np.maximum(gap, 0.0)), (STAY, np.maximum(-gap, 0.0))):
        result = regret_value_at_risk(two_state_mdp(), draws, policy, discount=0.5, alpha=0.9)
        np.testing.assert_allclose(result.samples, expected, atol=1e-12)
        assert result.bound == np.sort(expected)[44]  # the 45th of 50: ceil(0.9 * 50)
        assert result.mean == pytest.approx(expected.mean())


def test_normalised_by_hand_is_two_or_zero() -> None:
    # The uniform policy's values solve m = (R0 + R1) / 2 + m / 2 for the mean value m, so
    # J_uniform = 1.5 R0 + 0.5 R1 and J* - J_uniform = |R0 - R1| / 2: leaving when state 0 is
    # better loses twice the range between the optimum and random behaviour.
    draws = np.array([[1.0, 0.0], [0.0, 1.0], [0.3, 0.3], [-1.0, 2.0]])
    result = regret_value_at_risk(
        two_state_mdp(), draws, LEAVE, discount=0.5, alpha=1.0, normalized=True
    )
    np.testing.assert_allclose(result.samples, [2.0, 0.0, 0.0, 0.0], atol=1e-12)
    assert result.normalized and result.bound == pytest.approx(2.0)


def test_stochastic_policy_and_start_distribution() -> None:
    # Go to state 1 with probability p everywhere, start in state 1, R = (0, 1), discount 1/2:
    # V1 = 1 + (1 - p) V0 / 2 + p V1 / 2 and V0 = (1 - p) V0 / 2 + p V1 / 2; the optimum is V1 = 2.
    p = 0.25
    policy = np.array([[1 - p, p], [1 - p, p]])
    v = np.linalg.solve(np.eye(2) - 0.5 * np.array([[1 - p, p], [1 - p, p]]), [0.0, 1.0])
    result = regret_value_at_risk(
        two_state_mdp(), [[0.0, 1.0]], policy, discount=0.5, initial=[0.0, 1.0]
    )
    assert result.samples.tolist() == pytest.approx([2.0 - v[1]])


# ---------------------------------------------------------------------- properties
def test_bound_is_zero_when_every_draw_agrees_with_the_policy() -> None:
    # Positive scalings and shifts of one state reward all have its optimal policies.
    mdp = feature_gridworld(5, n_features=3, kind="gaussian", discount=0.9, rng=1)
    reward = mdp.features @ np.array([1.0, -0.5, 0.3])
    rng = np.random.default_rng(2)
    draws = rng.uniform(0.1, 3.0, (40, 1)) * reward + rng.normal(size=(40, 1))
    policy = value_iteration(mdp, reward, horizon=None, discount=0.9).policy
    result = regret_value_at_risk(mdp, draws, policy, discount=0.9, alpha=1.0)
    assert result.bound == pytest.approx(0.0, abs=1e-9)
    assert robust_policy(mdp, draws, discount=0.9, alpha=1.0).value_at_risk.bound < 1e-9


def test_monotone_in_alpha_and_the_max_at_one() -> None:
    mdp = random_mdp(12, 3, branching=3, rng=3)
    draws = random_draws(200, 12, seed=4)
    policy = value_iteration(mdp, draws.mean(axis=0), horizon=None, discount=0.9).policy
    bounds = [
        regret_value_at_risk(mdp, draws, policy, discount=0.9, alpha=a).bound
        for a in (0.1, 0.5, 0.8, 0.9, 0.95, 0.99, 1.0)
    ]
    assert bounds == sorted(bounds) and bounds[0] < bounds[-1]
    samples = regret_value_at_risk(mdp, draws, policy, discount=0.9).samples
    assert bounds[-1] == samples.max()


def test_optimal_returns_match_value_iteration_from_scratch() -> None:
    # Oracle: every draw planned on its own; repeated draws (a chain's rejections) included.
    mdp = random_mdp(15, 3, branching=4, rng=5)
    draws = random_draws(30, 15, seed=6)[np.repeat(np.arange(30), 2)]
    returns, actions = optimal_returns(mdp, draws, discount=0.95, initial=mdp.initial)
    for reward, value, chosen in zip(draws, returns, actions, strict=True):
        plan = value_iteration(mdp, reward, horizon=None, discount=0.95, tol=1e-12)
        assert value == pytest.approx(mdp.initial @ plan.values, rel=1e-9, abs=1e-9)
        greedy = np.eye(3)[chosen]
        assert expected_return(mdp, reward, greedy, horizon=None, discount=0.95) == pytest.approx(
            value, rel=1e-9, abs=1e-9
        )


def test_sparse_worlds_beyond_the_dense_limit() -> None:
    mdp = random_mdp(1100, 2, branching=2, rng=7)
    draws = random_draws(3, 1100, seed=8)
    returns, _ = optimal_returns(mdp, draws, discount=0.8, initial=mdp.initial)
    for reward, value in zip(draws, returns, strict=True):
        plan = value_iteration(mdp, reward, horizon=None, discount=0.8, tol=1e-12)
        assert value == pytest.approx(mdp.initial @ plan.values, rel=1e-9)


def test_confidence_takes_the_binomial_order_statistic() -> None:
    draws = random_draws(100, 2, seed=9)
    mdp = two_state_mdp()
    result = regret_value_at_risk(mdp, draws, LEAVE, discount=0.5, alpha=0.9, confidence=0.95)
    # Smallest k with P(Binomial(100, 0.9) <= k - 1) >= 0.95.
    k = next(k for k in range(1, 101) if binom.cdf(k - 1, 100, 0.9) >= 0.95)
    assert result.bound == np.sort(result.samples)[k - 1] and result.confidence == 0.95
    plain = regret_value_at_risk(mdp, draws, LEAVE, discount=0.5, alpha=0.9)
    assert result.bound >= plain.bound
    with pytest.raises(ValueLearnInputError, match="10 samples cannot bound"):
        regret_value_at_risk(mdp, draws[:10], LEAVE, discount=0.5, alpha=0.95, confidence=0.99)


def test_a_reward_posterior_is_read_as_its_draws() -> None:
    mdp = feature_gridworld(3, n_features=2, kind="gaussian", discount=0.9, rng=0)
    features = np.asarray(mdp.features)
    weights = random_draws(20, 2, seed=10)
    zeros = np.zeros(20)
    posterior = RewardPosterior(
        weights, zeros + 1.0, zeros, zeros, features, "boltzmann", 0.9, 0.5, 0.1, "test"
    )
    policy = value_iteration(mdp, posterior.mean_reward(), horizon=None, discount=0.9).policy
    from_posterior = regret_value_at_risk(mdp, posterior, policy, discount=0.9)
    from_array = regret_value_at_risk(mdp, weights @ features.T, policy, discount=0.9)
    np.testing.assert_array_equal(from_posterior.samples, from_array.samples)


# ---------------------------------------------------------------------- the robust policy
def test_robust_policy_leaves_a_state_that_is_sometimes_bad() -> None:
    # 8 draws: state 0 earns 1; 2 draws: it costs 2. The mean (0.4 > 0) says stay, which loses
    # 2 under the bad draws; the lower credible reward (-2 in state 0) says leave, which loses 1
    # under the good ones. At alpha = 0.9 the 9th of 10 losses decides: 2 against 1.
    draws = np.array([[1.0, 0.0]] * 8 + [[-2.0, 0.0]] * 2)
    robust = robust_policy(two_state_mdp(), draws, discount=0.5, alpha=0.9, n_candidates=0)
    assert robust.candidates == pytest.approx({"mean": 2.0, "lower": 1.0})
    assert robust.source == "lower" and robust.value_at_risk.bound == pytest.approx(1.0)
    np.testing.assert_array_equal(robust.policy, LEAVE)
    # At alpha = 0.5 the median loss is 0 for the mean policy: it is kept (ties keep it too).
    assert robust_policy(two_state_mdp(), draws, discount=0.5, alpha=0.5).source == "mean"


def test_robust_policy_is_never_worse_than_the_mean_policy() -> None:
    mdp = random_mdp(10, 3, branching=3, rng=11)
    draws = random_draws(300, 10, seed=12) + np.linspace(-0.5, 0.5, 10)
    robust = robust_policy(mdp, draws, discount=0.9, alpha=0.9, n_candidates=5)
    assert len(robust.candidates) == 7  # mean, lower and 5 draws
    assert robust.value_at_risk.bound == min(robust.candidates.values())
    assert robust.value_at_risk.bound <= robust.candidates["mean"]
    check = regret_value_at_risk(mdp, draws, robust.policy, discount=0.9, alpha=0.9)
    assert check.bound == pytest.approx(robust.value_at_risk.bound)


# ---------------------------------------------------------------------- calibration
def test_the_bound_holds_on_simulated_truth() -> None:
    # A true reward drawn from the prior BayesianIRL uses, Boltzmann demonstrations (beta known),
    # and the 0.95-VaR of the posterior-mean policy's regret. For a calibrated posterior the true
    # regret is below it with probability >= 0.95 per seed, so P(at most 16 of 20 hold) =
    # P(Binomial(20, 0.95) <= 16) ~ 1.6%: asking for 17 tolerates one seed more than that lost to
    # the short chains (1,500 draws: their 0.9-VaR held in only 31 of 40 seeds, 35 of 40 with
    # 6,000). The median (alpha = 0.5) must fail often (P(Binomial(20, 0.5) >= 15) ~ 2.1% if it
    # held half the time), so a bound that is merely large fails; and the true regret must be
    # positive in most seeds, so the bound is not met trivially at 0.
    prior, discount, beta = UniformPrior(-1.0, 1.0), 0.9, 2.0
    holds, holds_median, positive = 0, 0, 0
    for seed in range(20):
        mdp = feature_gridworld(4, n_features=3, kind="gaussian", discount=discount, rng=seed)
        truth = mdp.features @ prior.broadcast(3).sample(1, rng=seed)[0]
        person = BoltzmannRational(beta=beta).policy(mdp, truth, horizon=None, discount=discount)
        demos = sample_trajectories(mdp, person, n=3, horizon=8, rng=1000 + seed)
        birl = BayesianIRL(prior=prior, beta=beta, n_samples=1500, burn_in=500, random_state=seed)
        birl.fit(mdp, demos)
        best = value_iteration(mdp, truth, horizon=None, discount=discount).values @ mdp.initial
        true_regret = best - expected_return(
            mdp, truth, birl.policy_, horizon=None, discount=discount
        )
        bound = regret_value_at_risk(
            mdp, birl.posterior_, birl.policy_, discount=discount, alpha=0.95
        )
        median = np.quantile(bound.samples, 0.5, method="inverted_cdf")
        holds += bool(true_regret <= bound.bound + 1e-9)
        holds_median += bool(true_regret <= median + 1e-9)
        positive += bool(true_regret > 1e-6)
    assert holds >= 17
    assert holds_median <= 14
    assert positive >= 10


# ---------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"rewards": np.zeros((3, 5))}, r"'rewards' parameter must have shape \(n_samples, 2\)"),
        ({"rewards": np.zeros((0, 2))}, "at least one sample"),
        ({"rewards": [[0.0, np.nan]]}, "finite"),
        ({"discount": 1.0}, "'discount' parameter of regret_value_at_risk must be below 1"),
        ({"alpha": 0.0}, r"'alpha' parameter of regret_value_at_risk must be in \(0, 1\]"),
        ({"policy": np.ones((2, 3)) / 3}, "`policy` must have shape"),
        ({"initial": [0.5, 0.6]}, "`initial` must sum to 1"),
        ({"confidence": 1.0}, r"'confidence' parameter.*must be in \(0, 1\)"),
    ],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], match: str) -> None:
    arguments: dict[str, object] = {
        "rewards": [[0.0, 1.0]],
        "policy": STAY,
        "discount": 0.5,
        **kwargs,
    }
    with pytest.raises(ValueLearnInputError, match=match):
        regret_value_at_risk(two_state_mdp(), **arguments)  # type: ignore[arg-type]


def test_robust_policy_refuses_a_negative_number_of_candidates() -> None:
    with pytest.raises(ValueLearnInputError, match="'n_candidates' parameter of robust_policy"):
        robust_policy(two_state_mdp(), [[0.0, 1.0]], discount=0.5, n_candidates=-1)
