"""Checks shared by the human-model tests."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from valuelearn.data import MDP
from valuelearn.humans import HumanModel

FrequencyCheck = Callable[..., None]


def _assert_frequencies_match(
    model: HumanModel, mdp: MDP, reward: np.ndarray, horizon: int, n: int = 20_000
) -> None:
    """Empirical action frequencies of simulate() agree with policy() at well-visited (t, s).

    Within five binomial standard errors (plus 1e-3) wherever a (time, state) pair was visited at
    least 500 times, and at least ``horizon`` such pairs are checked.
    """
    policy = model.policy(mdp, reward, horizon=horizon, discount=1.0)
    demos = model.simulate(mdp, reward, n=n, horizon=horizon, discount=1.0, rng=0)
    states, actions = demos.as_arrays()
    counts = np.zeros((horizon, mdp.n_states, mdp.n_actions))
    for t in range(horizon):
        np.add.at(counts[t], (states[:, t], actions[:, t]), 1.0)
    visits = counts.sum(axis=2)
    checked = 0
    for t, s in zip(*np.nonzero(visits >= 500), strict=True):
        p = policy[t, s]
        freq = counts[t, s] / visits[t, s]
        tol = 5 * np.sqrt(p * (1 - p) / visits[t, s]) + 1e-3
        assert np.all(np.abs(freq - p) <= tol), (t, s, freq, p)
        checked += 1
    assert checked >= horizon


@pytest.fixture
def assert_frequencies_match() -> FrequencyCheck:
    """The simulate-versus-policy check, as a fixture (pytest's way to share test helpers)."""
    return _assert_frequencies_match
