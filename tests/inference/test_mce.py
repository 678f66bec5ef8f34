"""Tests for valuelearn.inference._mce: MCE IRL and the MaxEnt (2008) baseline."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory, random_mdp
from valuelearn.data._diagnostics import reasonable_mdp, risky_path
from valuelearn.exceptions import ConvergenceWarning, NotFittedError, ValueLearnInputError
from valuelearn.inference import MCEIRL, MCEProblem, causal_log_likelihood, mce_objective
from valuelearn.policy import occupancy, sample_trajectories, soft_value_iteration


def random_mdp_with_features(seed: int, n_states: int = 6, n_actions: int = 3) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states) * 0.3, size=(n_states, n_actions))
    return MDP.from_dense(
        transitions,
        initial=rng.dirichlet(np.ones(n_states)),
        features=rng.normal(size=(n_states, 3)),
    )


def problem_for(mdp: MDP, demos: Demonstrations, **kwargs: object) -> MCEProblem:
    estimator = MCEIRL(**kwargs)  # type: ignore[arg-type]
    return estimator._problem(mdp, demos)


@pytest.mark.parametrize(
    ("kwargs"),
    [
        {"horizon": 5, "discount": 1.0},
        {"horizon": 5, "discount": 0.8, "l2": 0.3},
        {"horizon": "infinite", "discount": 0.7},
        {"horizon": 5, "discount": 0.9, "reward": "tabular"},
        {"horizon": 5, "discount": 0.9, "backup": "noncausal"},
        {"horizon": 5, "discount": 1.0, "backup": "noncausal", "reward": "tabular"},
    ],
)
def test_analytic_gradient_equals_finite_differences(kwargs: dict[str, object]) -> None:
    mdp = random_mdp_with_features(0)
    demos = sample_trajectories(mdp, np.full((6, 3), 1 / 3), n=20, horizon=5, rng=1)
    with pytest.warns(UserWarning) if kwargs["horizon"] == "infinite" else _no_warning():
        problem = problem_for(mdp, demos, **kwargs)
    weights = np.random.default_rng(2).normal(size=problem.n_weights)
    _, gradient, _ = mce_objective(problem, weights)
    numeric = np.empty_like(weights)
    for k in range(weights.size):
        step = np.zeros_like(weights)
        step[k] = 1e-6
        hi = mce_objective(problem, weights + step)[0]
        lo = mce_objective(problem, weights - step)[0]
        numeric[k] = (hi - lo) / 2e-6
    np.testing.assert_allclose(gradient, numeric, rtol=1e-5, atol=1e-7)


class _no_warning:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None


def test_objective_is_the_causal_log_likelihood_under_deterministic_dynamics() -> None:
    rng = np.random.default_rng(3)
    successors = rng.integers(0, 5, size=(5, 2))
    transitions = np.zeros((5, 2, 5))
    transitions[np.arange(5)[:, None], np.arange(2)[None, :], successors] = 1.0
    mdp = MDP.from_dense(transitions, initial=np.full(5, 0.2), features=rng.normal(size=(5, 2)))
    demos = sample_trajectories(mdp, np.full((5, 2), 0.5), n=30, horizon=6, rng=4)
    problem = problem_for(mdp, demos, horizon=6, discount=1.0)
    weights = rng.normal(size=2)
    objective, _, plan = mce_objective(problem, weights)
    assert objective == pytest.approx(causal_log_likelihood(plan.policy, demos), rel=1e-12)
    # with deterministic dynamics the path model of MaxEnt (2008) is the same model
    noncausal = problem_for(mdp, demos, horizon=6, discount=1.0, backup="noncausal")
    assert mce_objective(noncausal, weights)[0] == pytest.approx(objective, rel=1e-12)


@pytest.mark.parametrize("discount", [0.0, 0.99, 1.0])
def test_feature_matching_at_the_optimum_on_reasonable_mdp(discount: float) -> None:
    # imitation's test_mce_irl_reasonable_mdp asserts occupancy matching to 1e-3; features have
    # rank 5 on 5 states, so the fitted occupancy must equal the demonstrations' counts.
    mdp, reward = reasonable_mdp()
    true_policy = soft_value_iteration(mdp, reward, horizon=20, discount=discount).policy
    demos = sample_trajectories(mdp, true_policy, n=500, rng=5)
    model = MCEIRL(horizon=20, discount=discount, gtol=1e-8).fit(mdp, demos)
    fitted = occupancy(
        mdp, model.policy_, horizon=20, discount=discount, initial=demos.initial_distribution(5)
    ).total
    np.testing.assert_allclose(fitted, demos.discounted_state_counts(5, discount), atol=1e-6)
    assert model.converged_ and model.gradient_norm_ < 1e-7


def test_reasonable_mdp_recovers_a_good_policy() -> None:
    mdp, reward = reasonable_mdp()
    true_policy = soft_value_iteration(mdp, reward, horizon=20, discount=1.0).policy
    demos = sample_trajectories(mdp, true_policy, n=2000, rng=6)
    model = MCEIRL().fit(mdp, demos)  # horizon and discount from the MDP
    assert model.horizon_ == 20 and model.discount_ == 1.0
    # rarely visited (state, time) pairs are weakly determined, so compare what matters: the
    # visitation and the true return of the fitted policy
    true_occ = occupancy(mdp, true_policy, horizon=20, discount=1.0)
    fitted_occ = occupancy(mdp, model.policy_, horizon=20, discount=1.0)
    np.testing.assert_allclose(fitted_occ.total, true_occ.total, rtol=0.05, atol=0.05)
    assert fitted_occ.total @ reward == pytest.approx(true_occ.total @ reward, rel=0.02)


def test_fit_on_risky_path_keeps_the_causal_model_safe() -> None:
    # Demonstrations never take the risky action; the causal model fits that, the non-causal
    # model under the same reward would take the risk (a diagnostic: it rationalises the data
    # with a reward that makes the pit less bad).
    mdp, reward = risky_path()
    expert = soft_value_iteration(mdp, reward, horizon=5, discount=1.0).policy
    demos = sample_trajectories(mdp, expert, n=200, rng=7)
    causal = MCEIRL(reward="tabular", l2=1e-3).fit(mdp, demos)
    assert causal.policy_[0, 0, 1] < 5e-3
    noncausal = MCEIRL(reward="tabular", l2=1e-3, backup="noncausal").fit(mdp, demos)
    # the MaxEnt (2008) fit still gambles a third of the time although no demonstrator did
    assert noncausal.policy_[0, 0, 1] > 0.3
    assert noncausal.log_likelihood_ < causal.log_likelihood_ - 0.5


def test_fit_beats_the_true_weights_and_more_data_tightens_the_fit() -> None:
    mdp = random_mdp_with_features(8, n_states=12, n_actions=3)
    true_weights = np.array([1.0, -2.0, 0.5])
    expert = soft_value_iteration(mdp, mdp.features @ true_weights, horizon=8, discount=1.0)
    errors = []
    for n in (50, 500, 5000):
        demos = sample_trajectories(mdp, expert.policy, n=n, rng=9)
        model = MCEIRL(horizon=8).fit(mdp, demos)
        at_truth = mce_objective(problem_for(mdp, demos, horizon=8), true_weights)[0]
        assert model.objective_ >= at_truth
        errors.append(np.linalg.norm(model.weights_ - true_weights))
    assert errors[2] < errors[0] and errors[2] < 0.1


def test_convergence_warning_when_stopped_early() -> None:
    mdp = random_mdp_with_features(10)
    demos = sample_trajectories(mdp, np.full((6, 3), 1 / 3), n=10, horizon=4, rng=11)
    with pytest.warns(ConvergenceWarning, match="stopped after 1 L-BFGS iterations"):
        model = MCEIRL(horizon=4, max_iter=1, gtol=1e-12).fit(mdp, demos)
    assert not model.converged_


def test_errors_name_the_problem() -> None:
    mdp = random_mdp_with_features(12)
    demos = Demonstrations([Trajectory([0, 1, 2], [0, 1]), Trajectory([0, 1], [0])])
    with pytest.raises(ValueLearnInputError, match="trajectory 1 has 1 actions.*horizon 2"):
        MCEIRL(horizon=2).fit(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="visits state 9"):
        MCEIRL(horizon=1).fit(mdp, Demonstrations([Trajectory([0, 9], [0])]))
    with pytest.raises(ValueLearnInputError, match="takes action 5"):
        MCEIRL(horizon=1).fit(mdp, Demonstrations([Trajectory([0, 1], [5])]))
    with pytest.raises(ValueLearnInputError, match="The 'reward' parameter of MCEIRL"):
        MCEIRL(reward="neural").fit(mdp, demos)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="The 'l2' parameter of MCEIRL"):
        MCEIRL(horizon=1, l2=-1.0).fit(mdp, Demonstrations([Trajectory([0, 1], [0])]))
    with pytest.raises(ValueLearnInputError, match="needs an MDP with `features`"):
        MCEIRL(horizon=1, reward="linear").fit(
            mdp.with_defaults(features=None), Demonstrations([Trajectory([0, 1], [0])])
        )
    with pytest.raises(ValueLearnInputError, match="no demonstrations"):
        MCEIRL(horizon=1).fit(mdp, Demonstrations([]))
    with pytest.raises(NotFittedError, match="not fitted"):
        MCEIRL().score(mdp, demos)


def test_unmatchable_feature_counts_are_reported_instead_of_diverging() -> None:
    # From state 0 every action lands in state 1 or 2 with probability 1/2; demonstrators were
    # always lucky (state 1), which no policy can reproduce: the unpenalised dual is unbounded.
    transitions = np.zeros((3, 2, 3))
    transitions[0, :, 1:] = 0.5
    transitions[1:, :, 0] = 1.0
    mdp = MDP.from_dense(transitions, initial=[1.0, 0.0, 0.0], features=np.eye(3))
    demos = Demonstrations([Trajectory([0, 1, 0], [0, 1])] * 20)
    with pytest.raises(ValueLearnInputError, match="no policy in this MDP reproduces"):
        MCEIRL(horizon=2).fit(mdp, demos)
    penalised = MCEIRL(horizon=2, l2=1e-2).fit(mdp, demos)
    assert penalised.converged_ and penalised.reward_[1] > penalised.reward_[2]


def test_discounted_infinite_horizon_fit_recovers_the_weights() -> None:
    mdp = random_mdp(30, 3, branching=3, n_features=3, rng=0)
    assert mdp.features is not None
    true_weights = np.array([1.0, -0.5, 0.8])
    expert = soft_value_iteration(mdp, mdp.features @ true_weights, horizon=None, discount=0.9)
    assert expert.policy.shape == (30, 3)  # stationary
    demos = sample_trajectories(mdp, expert.policy, n=2000, horizon=80, rng=1)
    model = MCEIRL(horizon="infinite", discount=0.9).fit(mdp, demos)
    assert model.horizon_ is None and model.policy_.shape == (30, 3) and model.converged_
    np.testing.assert_allclose(model.weights_, true_weights, atol=0.06)
    # demonstrations shorter than the effective horizon are flagged
    short = sample_trajectories(mdp, expert.policy, n=50, horizon=10, rng=2)
    with pytest.warns(UserWarning, match="truncated by more than 1%"):
        MCEIRL(horizon="infinite", discount=0.9).fit(mdp, short)
