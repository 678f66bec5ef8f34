"""Reward recovery: MCE IRL on a 10x10 feature gridworld with a soft-optimal demonstrator."""

from __future__ import annotations

import numpy as np

from valuelearn.data import feature_gridworld
from valuelearn.evaluation import epic_distance, regret
from valuelearn.inference import MCEIRL
from valuelearn.policy import sample_trajectories, soft_value_iteration

TRUE_WEIGHTS = np.array([1.0, -1.0, 0.3, -0.5])
HORIZON = 20


def test_epic_below_005_with_1000_demonstrations_and_falling_with_more() -> None:
    mdp = feature_gridworld(10, n_features=4, kind="one_hot", slip=0.1, rng=0)
    assert mdp.features is not None
    true_reward = mdp.features @ TRUE_WEIGHTS
    expert = soft_value_iteration(mdp, true_reward, horizon=HORIZON, discount=1.0).policy
    mean_distance = {}
    for n in (10, 100, 1000):
        distances = []
        for seed in range(4):
            demos = sample_trajectories(mdp, expert, n=n, rng=100 * n + seed)
            model = MCEIRL(horizon=HORIZON, discount=1.0).fit(mdp, demos)
            assert model.converged_
            distances.append(epic_distance(mdp, model.reward_, true_reward, discount=1.0))
        if n == 1000:
            assert max(distances) < 0.05
        mean_distance[n] = float(np.mean(distances))
    assert mean_distance[1000] < mean_distance[100] < mean_distance[10]
    # acting on the learned reward loses (almost) nothing under the true one
    demos = sample_trajectories(mdp, expert, n=1000, rng=1000)
    learned = MCEIRL(horizon=HORIZON, discount=1.0).fit(mdp, demos).reward_
    result = regret(mdp, true_reward, learned, horizon=HORIZON, discount=1.0)
    assert result.normalized_regret < 0.01
