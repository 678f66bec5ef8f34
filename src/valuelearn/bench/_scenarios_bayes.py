"""Benchmark scenario: a point estimate against Bayesian learners, from a few demonstrations.

``bayes-unvisited``
    A 4 x 8 gridworld: goal ``G`` (absorbing, worth 1 per step) in the top-left corner, a lava
    strip ``L`` (worth -1 per step) above the bottom-left start ``T``, every other cell worth 0,
    discount 0.9. A Boltzmann-rational person (``beta = 2``, known) walks from ``S`` in the
    top-right corner to the goal, so ``n`` demonstrations cover the top rows and rarely the
    bottom ones; policies are scored from both starts (``S`` and ``T``). One posterior serves all
    three learners: Bayesian IRL with one reward per state (PolicyWalk, uniform prior on
    ``[-1, 1]`` per state, the person's Boltzmann model with ``beta`` known):

    * ``map``: the point estimate, the highest-posterior draw, and its optimal policy;
    * ``mean``: the policy optimal for the posterior mean;
    * ``robust``: :func:`~valuelearn.evaluation.robust_policy`, the candidate with the smallest
      0.95-value at risk of normalised regret (mean, lower credible reward, 10 draws).

    Where the demonstrations constrain nothing, a single draw's values are as spread as the
    prior: with a few demonstrations some unconstrained cell usually comes out near the top of
    ``[-1, 1]``, and the MAP policy heads there instead of to the goal. The posterior mean
    averages those values out. Each run also reports what the posterior says about the learner's
    policy before it is deployed: the 0.95-value at risk of its normalised regret
    (``var_bound``), its posterior expected normalised regret (``expected_regret``), and whether
    the bound covered the true regret (``covered``).

Every ``run`` returns ``epic`` (:func:`~valuelearn.evaluation.epic_distance` of the learner's
reward and the true one; for ``robust`` the reward its chosen candidate is optimal for),
``normalized_regret`` and ``regret`` of the learner's policy under the true reward from the
world's start distribution (both starts), and the three posterior numbers above.
"""

from __future__ import annotations

import functools
from typing import Final

import numpy as np
from numpy.typing import NDArray

from valuelearn.bench._registry import Scenario, register
from valuelearn.bench._scenario_tools import goal_lava_world
from valuelearn.data import MDP
from valuelearn.evaluation import (
    RegretBound,
    epic_distance,
    regret_value_at_risk,
    robust_policy,
)
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import BoltzmannRational
from valuelearn.inference import BayesianIRL, RewardPosterior, UniformPrior
from valuelearn.policy import sample_trajectories, value_iteration

#: The learners compared, in the order of the report.
LEARNERS: Final = ("map", "mean", "robust")
#: Demonstrations start at ``S``; the learners are scored from ``S`` and ``T``.
UNVISITED_MAP: Final = ("G......S", "........", "LLL.....", "T.......")
#: True reward per step on each kind of cell (features ``goal`` and ``lava``); others earn 0.
CELL_VALUES: Final = (1.0, -1.0)
DISCOUNT: Final = 0.9
BETA: Final = 2.0
DEMO_LENGTH: Final = 45
N_SAMPLES: Final = 2000
BURN_IN: Final = 1000
ALPHA: Final = 0.95
N_CANDIDATES: Final = 10
_SIZES: Final = (3,)
_SEEDS: Final = (0, 1, 2)


def unvisited_world() -> tuple[MDP, NDArray[np.float64]]:
    """The gridworld and its true state reward.

    Examples
    --------
    >>> mdp, reward = unvisited_world()
    >>> mdp.n_states, float(reward.sum()), float(mdp.initial.max())  # two starts, S and T
    (32, -2.0, 0.5)
    """
    return goal_lava_world(UNVISITED_MAP, CELL_VALUES, start="ST", discount=DISCOUNT)


@functools.lru_cache(maxsize=4)
def _posterior(n: int, seed: int) -> tuple[MDP, NDArray[np.float64], RewardPosterior]:
    """The world, its true reward and the Bayesian IRL posterior of one (size, seed)."""
    mdp, truth = unvisited_world()
    person = BoltzmannRational(beta=BETA).policy(mdp, truth, horizon=None, discount=DISCOUNT)
    names = mdp.state_names or ()
    start = np.array([name.endswith(":S") for name in names], dtype=np.float64)
    demos = sample_trajectories(
        mdp, person, n=n, horizon=DEMO_LENGTH, rng=seed, initial=start / start.sum()
    )
    birl = BayesianIRL(
        reward="tabular",
        prior=UniformPrior(-1.0, 1.0),
        beta=BETA,
        n_samples=N_SAMPLES,
        burn_in=BURN_IN,
        random_state=seed,
    ).fit(mdp, demos)
    return mdp, truth, birl.posterior_


def run_unvisited(learner: str, n: int, seed: int) -> dict[str, float]:
    """Score ``learner`` on ``n`` demonstrations drawn with ``seed``.

    Examples
    --------
    >>> point, mean = (run_unvisited(name, 3, 0) for name in ("map", "mean"))
    >>> bool(point["normalized_regret"] > 0.2 > mean["normalized_regret"])
    True
    >>> bool(point["var_bound"] > mean["var_bound"])  # the posterior flags the point estimate
    True
    """
    if learner not in LEARNERS:
        raise ValueLearnInputError(
            f"The 'learner' parameter of the bayes-unvisited scenario must be one of "
            f"{list(LEARNERS)}; got {learner!r} instead."
        )
    mdp, truth, posterior = _posterior(n, seed)
    if learner == "robust":
        chosen = robust_policy(
            mdp,
            posterior,
            discount=DISCOUNT,
            alpha=ALPHA,
            n_candidates=N_CANDIDATES,
            normalized=True,
        )
        reward = _candidate_reward(posterior, chosen.source)
        return _scores(mdp, truth, chosen.policy, reward, chosen.value_at_risk)
    reward = posterior.map_reward() if learner == "map" else posterior.mean_reward()
    policy = np.asarray(value_iteration(mdp, reward, horizon=None, discount=DISCOUNT).policy)
    bound = regret_value_at_risk(
        mdp, posterior, policy, discount=DISCOUNT, alpha=ALPHA, normalized=True
    )
    return _scores(mdp, truth, policy, reward, bound)


def _candidate_reward(posterior: RewardPosterior, source: str) -> NDArray[np.float64]:
    """The reward a :func:`robust_policy` candidate is optimal for."""
    if source == "mean":
        return posterior.mean_reward()
    if source == "lower":
        return np.asarray(np.quantile(posterior.rewards, 1.0 - ALPHA, axis=0), dtype=np.float64)
    return np.asarray(posterior.rewards[int(source.split()[1])], dtype=np.float64)


def _scores(
    mdp: MDP,
    truth: NDArray[np.float64],
    policy: NDArray[np.float64],
    reward: NDArray[np.float64],
    bound: RegretBound,
) -> dict[str, float]:
    """True regret of ``policy`` (its expected value difference under the one true reward)."""
    raw, normalized = (
        regret_value_at_risk(
            mdp, truth[None], policy, discount=DISCOUNT, alpha=1.0, normalized=flag
        ).bound
        for flag in (False, True)
    )
    return {
        "epic": float(epic_distance(mdp, reward, truth, discount=DISCOUNT)),
        "normalized_regret": normalized,
        "regret": raw,
        "var_bound": bound.bound,
        "expected_regret": bound.mean,
        "covered": float(normalized <= bound.bound + 1e-9),
    }


BAYES_UNVISITED: Final = register(
    Scenario(
        name="bayes-unvisited",
        description=(
            "One reward per state from a few demonstrations: the MAP draw's values where the "
            "data constrain nothing are as spread as the prior and its policy chases one of "
            "them; the posterior-mean and minimum-VaR policies reach the goal, and the "
            "posterior's regret bound flags the MAP policy."
        ),
        run=run_unvisited,
        learners=LEARNERS,
        sizes=_SIZES,
        seeds=_SEEDS,
        quick_sizes=_SIZES,
        quick_seeds=_SEEDS,
        suites=("default", "quick"),
        config={
            "world": "unvisited bottom rows",
            "map": list(UNVISITED_MAP),
            "cell_values": list(CELL_VALUES),
            "discount": DISCOUNT,
            "beta": BETA,
            "demo_length": DEMO_LENGTH,
            "birl": {"n_samples": N_SAMPLES, "burn_in": BURN_IN, "prior": [-1.0, 1.0]},
            "alpha": ALPHA,
            "n_candidates": N_CANDIDATES,
            "version": 1,
        },
    )
)
