"""Tests for valuelearn.inference._birl: samplers against exact posteriors, outputs, errors.

The grid tests compare the sampler's histogram with the posterior computed exactly on the same
grid. They catch the classic acceptance-ratio bugs: :func:`_ratio_of_logs_chain` implements one
(accepting on the ratio of log posteriors) and the same check rejects it.
"""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import logsumexp

from valuelearn.data import MDP, feature_gridworld
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.humans import BoltzmannRational, SoftOptimal
from valuelearn.inference import (
    BayesianIRL,
    GaussianPrior,
    UniformPrior,
    action_counts,
    effective_sample_size,
    load_posterior,
)
from valuelearn.inference._birl_model import BIRLModel
from valuelearn.policy import sample_trajectories

GAMMA = 0.9
TRUE_THETA = 0.8
STEP = 0.1
LATTICE = np.round(np.arange(-2.0, 2.0 + 1e-9, STEP), 10)


@pytest.fixture(scope="module")
def toy():
    """A 3x3 grid with one Gaussian feature; 12 Boltzmann-rational state-action pairs."""
    mdp = feature_gridworld(3, n_features=1, kind="gaussian", discount=GAMMA, rng=0)
    reward = TRUE_THETA * mdp.features[:, 0]
    behaviour = BoltzmannRational(beta=2.0).policy(mdp, reward, horizon=None, discount=GAMMA)
    demos = sample_trajectories(mdp, behaviour, n=3, horizon=4, rng=1)
    return mdp, demos, BIRLModel(mdp, action_counts(demos, 9, 4), discount=GAMMA)


def lattice_log_likelihood(model: BIRLModel, mdp: MDP, beta: float) -> np.ndarray:
    return np.array(
        [
            model.boltzmann_log_likelihood(model.solve_hard(t * mdp.features[:, 0]).q_values, beta)
            for t in LATTICE
        ]
    )


def total_variation(samples: np.ndarray, support: np.ndarray, probabilities: np.ndarray) -> float:
    index = np.searchsorted(support, np.round(samples, 10))
    assert np.all(support[index] == np.round(samples, 10)), "samples left the grid"
    histogram = np.bincount(index, minlength=support.size) / samples.size
    return 0.5 * float(np.abs(histogram - probabilities).sum())


def _ratio_of_logs_chain(log_post: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """A grid Metropolis chain with the funzo acceptance bug: min(1, log p' / log p)."""
    k, out = int(np.argmin(np.abs(LATTICE))), np.empty(n)
    for i in range(n):
        j = k + (1 if rng.random() < 0.5 else -1)
        if 0 <= j < LATTICE.size and rng.random() < min(1.0, log_post[j] / log_post[k]):
            k = j
        out[i] = LATTICE[k]
    return out


def test_policy_walk_histogram_matches_the_exact_grid_posterior(toy) -> None:
    mdp, demos, model = toy
    log_post = lattice_log_likelihood(model, mdp, beta=2.0)  # uniform prior on [-2, 2]
    exact = np.exp(log_post - logsumexp(log_post))
    birl = BayesianIRL(
        beta=2.0, prior=UniformPrior(-2.0, 2.0), step=STEP, n_samples=20_000, burn_in=500,
        random_state=0,
    ).fit(mdp, demos)  # fmt: skip
    samples = birl.posterior_.weights[:, 0]
    # Tolerance: with ~2,000 effective draws over ~15 occupied bins the expected TV is ~0.04.
    assert total_variation(samples, LATTICE, exact) < 0.06
    assert birl.weights_[0] == pytest.approx(float(exact @ LATTICE), abs=0.03)
    buggy = _ratio_of_logs_chain(log_post, 20_000, np.random.default_rng(0))
    assert total_variation(buggy, LATTICE, exact) > 0.2  # the same check catches the bug


def test_joint_reward_and_rationality_posterior_matches_the_grid(toy) -> None:
    mdp, demos, model = toy
    sigma = 0.5
    log_betas = np.log(2.0) + 0.1 * np.arange(-30, 31)  # the PolicyWalk grid of log beta
    q_tables = [model.solve_hard(t * mdp.features[:, 0]).q_values for t in LATTICE]
    log_post = (
        np.array(
            [[model.boltzmann_log_likelihood(q, np.exp(lb)) for q in q_tables] for lb in log_betas]
        )
        - 0.5 * ((log_betas[:, None] - np.log(2.0)) / sigma) ** 2
    )
    joint = np.exp(log_post - logsumexp(log_post))
    birl = BayesianIRL(
        beta=2.0, beta_prior=GaussianPrior(np.log(2.0), sigma), prior=UniformPrior(-2.0, 2.0),
        step=STEP, beta_step=0.1, n_samples=20_000, burn_in=1000, random_state=1,
    ).fit(mdp, demos)  # fmt: skip
    theta, betas = birl.posterior_.weights[:, 0], birl.posterior_.betas
    assert total_variation(theta, LATTICE, joint.sum(axis=0)) < 0.07
    assert total_variation(np.log(betas), np.round(log_betas, 10), joint.sum(axis=1)) < 0.07
    assert birl.beta_ == pytest.approx(float(joint.sum(axis=1) @ np.exp(log_betas)), rel=0.05)


def test_hmc_matches_the_exact_soft_posterior(toy) -> None:
    mdp, demos, model = toy
    grid = np.linspace(-3.0, 4.0, 701)
    prior = GaussianPrior(0.0, 1.0)
    log_post = (
        np.array(
            [
                model.soft_log_likelihood(model.solve_soft(2.0 * t * mdp.features[:, 0]))
                for t in grid
            ]
        )
        - 0.5 * grid**2
    )
    density = np.exp(log_post - logsumexp(log_post))
    mean = float(density @ grid)
    sd = float(np.sqrt(density @ (grid - mean) ** 2))
    birl = BayesianIRL(
        likelihood="soft", sampler="hmc", beta=2.0, prior=prior, n_samples=2000, burn_in=300,
        n_leapfrog=4, random_state=2,
    ).fit(mdp, demos)  # fmt: skip
    samples = birl.posterior_.weights[:, 0]
    ess = float(birl.posterior_.effective_sample_size()[0])
    assert abs(samples.mean() - mean) < 4 * sd / np.sqrt(ess)
    assert samples.std() == pytest.approx(sd, rel=0.1)
    cdf = np.cumsum(density)
    empirical = np.searchsorted(np.sort(samples), grid, side="right") / samples.size
    assert np.max(np.abs(empirical - cdf)) < 0.06


def test_warm_started_walk_is_the_straightforward_walk(toy) -> None:
    mdp, demos, _ = toy
    for likelihood in ("boltzmann", "soft"):
        chains = []
        for warm in (True, False):
            birl = BayesianIRL(
                likelihood=likelihood, beta=3.0, beta_prior=GaussianPrior(1.0, 0.5), step=0.2,
                n_samples=100, burn_in=20, warm_start=warm, random_state=4,
            )  # fmt: skip
            chains.append(birl.fit(mdp, demos).posterior_)
        np.testing.assert_array_equal(chains[0].weights, chains[1].weights)
        np.testing.assert_allclose(chains[0].log_likelihood, chains[1].log_likelihood, atol=1e-8)


def test_tabular_posterior_concentrates_where_the_person_acted() -> None:
    mdp = feature_gridworld(4, n_features=2, kind="gaussian", discount=GAMMA, rng=3)
    truth = mdp.features @ np.array([1.0, -1.0])
    behaviour = BoltzmannRational(beta=4.0).policy(mdp, truth, horizon=None, discount=GAMMA)
    demos = sample_trajectories(mdp, behaviour, n=30, horizon=10, rng=5)
    birl = BayesianIRL(reward="tabular", beta=4.0, n_samples=4000, random_state=5).fit(mdp, demos)
    posterior = birl.posterior_
    assert posterior.rewards.shape == (4000, 16)
    low, high = posterior.credible_interval(0.9)
    assert np.all(low <= birl.reward_) and np.all(birl.reward_ <= high)
    assert np.corrcoef(birl.reward_, truth)[0, 1] > 0.5
    map_reward = posterior.map_reward()
    best = posterior.log_likelihood + posterior.log_prior
    assert np.allclose(map_reward, posterior.rewards[int(np.argmax(best))])


def test_posterior_saves_and_loads_exactly(toy, tmp_path) -> None:
    mdp, demos, _ = toy
    posterior = BayesianIRL(beta=2.0, n_samples=200, random_state=0).fit(mdp, demos).posterior_
    posterior.save(tmp_path / "posterior.npz")
    loaded = load_posterior(tmp_path / "posterior.npz")
    for name in ("weights", "betas", "log_likelihood", "log_prior", "features"):
        np.testing.assert_array_equal(getattr(loaded, name), getattr(posterior, name))
    assert (loaded.likelihood, loaded.discount, loaded.sampler) == (
        "boltzmann",
        GAMMA,
        "policy-walk",
    )
    assert loaded.summary() == posterior.summary()
    assert not list(tmp_path.glob("*.tmp*"))
    np.savez(tmp_path / "bad.npz", format=np.array("valuelearn.posterior/1"), weights=np.ones(3))
    with pytest.raises(ValueLearnInputError, match="bad.npz: missing field 'betas'"):
        load_posterior(tmp_path / "bad.npz")


def test_predictive_check_flags_a_different_person(toy) -> None:
    mdp, demos, _ = toy
    birl = BayesianIRL(beta=2.0, n_samples=2000, random_state=0).fit(mdp, demos)
    reward = TRUE_THETA * mdp.features[:, 0]
    same = BoltzmannRational(beta=2.0).policy(mdp, reward, horizon=None, discount=GAMMA)
    other = BoltzmannRational(beta=8.0).policy(mdp, -reward, horizon=None, discount=GAMMA)
    fit = birl.predictive_check(mdp, sample_trajectories(mdp, same, n=10, horizon=5, rng=7), rng=0)
    misfit = birl.predictive_check(
        mdp, sample_trajectories(mdp, other, n=10, horizon=5, rng=7), rng=0
    )
    assert fit.p_value > 0.1 and misfit.p_value < 0.01
    assert fit.mean_log_predictive > misfit.mean_log_predictive
    assert fit.observed.shape == fit.replicated.shape


def test_soft_person_is_recovered_with_inferred_rationality() -> None:
    mdp = feature_gridworld(4, n_features=2, kind="gaussian", discount=GAMMA, rng=3)
    truth = mdp.features @ np.array([1.0, -0.5])
    behaviour = SoftOptimal(temperature=0.5).policy(mdp, truth, horizon=None, discount=GAMMA)
    demos = sample_trajectories(mdp, behaviour, n=40, horizon=10, rng=2)
    birl = BayesianIRL(
        likelihood="soft", sampler="hmc", prior=GaussianPrior(0.0, 2.0), beta=1.0,
        beta_prior=GaussianPrior(0.0, 1.0), n_samples=400, burn_in=300, random_state=0,
    ).fit(mdp, demos)  # fmt: skip
    # only beta * w is identified: the product recovers the truth's 2 * (1, -0.5)
    scaled = (birl.posterior_.weights * birl.posterior_.betas[:, None]).mean(axis=0)
    np.testing.assert_allclose(scaled, [2.0, -1.0], atol=0.5)


def test_errors_are_clear(toy) -> None:
    mdp, demos, _ = toy
    with pytest.raises(ValueLearnInputError, match="'discount' parameter of BayesianIRL"):
        BayesianIRL(discount=1.0).fit(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="needs likelihood='soft'"):
        BayesianIRL(sampler="hmc").fit(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="'sampler' parameter of BayesianIRL"):
        BayesianIRL(sampler="gibbs").fit(mdp, demos)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'n_samples' parameter"):
        BayesianIRL(n_samples=0).fit(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="'beta' parameter"):
        BayesianIRL(beta=-1.0).fit(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="'prior' parameter"):
        BayesianIRL(prior="uniform").fit(mdp, demos)  # type: ignore[arg-type]
    with pytest.raises(NotFittedError):
        BayesianIRL().predictive_check(mdp, demos)
    with pytest.raises(ValueLearnInputError, match="'level' parameter"):
        BayesianIRL(n_samples=10, burn_in=0).fit(mdp, demos).posterior_.credible_interval(1.5)


def test_posterior_equals_the_prior_along_an_invisible_direction(toy) -> None:
    # Adding a constant c to every state reward is potential shaping with Phi = -c / (1 - gamma):
    # the likelihood cannot see it, so along the direction (1, ..., 1) the posterior is the prior.
    mdp, demos, model = toy
    birl = BayesianIRL(
        reward="tabular", likelihood="soft", sampler="hmc", beta=2.0,
        prior=GaussianPrior(0.0, 1.0), n_samples=800, burn_in=300, n_leapfrog=5, random_state=0,
    ).fit(mdp, demos)  # fmt: skip
    rewards = birl.posterior_.rewards
    level = rewards.mean(axis=1)  # the component along (1, ..., 1) / 9
    ess = float(effective_sample_size(level))
    assert abs(level.mean()) < 4 * (1 / 3) / np.sqrt(ess)  # prior: N(0, 1/9)
    assert level.std() == pytest.approx(1 / 3, rel=0.15)
    for reward in rewards[::200]:
        flat = model.soft_log_likelihood(model.solve_soft(2.0 * (reward - reward.mean())))
        assert model.soft_log_likelihood(model.solve_soft(2.0 * reward)) == pytest.approx(flat)
    # while the data do inform the rest: the spread of the demonstrated states' rewards shrinks
    visited = np.flatnonzero(model.visits)
    spread = rewards[:, visited] - level[:, None]
    assert spread.std(axis=0).mean() < 0.9 * np.sqrt(1 - 1 / 9)


def test_tuned_step_reaches_its_acceptance_and_the_posterior_mean(toy) -> None:
    mdp, demos, model = toy
    grid = np.linspace(-2.0, 2.0, 801)
    log_post = np.array(
        [model.boltzmann_log_likelihood(model.solve_hard(t * mdp.features[:, 0]).q_values, 2.0)
         for t in grid]
    )  # fmt: skip
    density = np.exp(log_post - logsumexp(log_post))
    birl = BayesianIRL(beta=2.0, prior=UniformPrior(-2.0, 2.0), n_samples=4000, random_state=5).fit(
        mdp, demos
    )
    posterior = birl.posterior_
    assert 0.3 < posterior.acceptance_rate < 0.6  # tuned towards 0.44 from a step of 0.1
    assert posterior.step_size > 0.2
    ess = float(posterior.effective_sample_size()[0])
    sd = float(np.sqrt(density @ (grid - density @ grid) ** 2))
    assert abs(birl.weights_[0] - density @ grid) < 4 * sd / np.sqrt(ess)
