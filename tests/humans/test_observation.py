"""Tests for valuelearn.humans._observation: only a window of each episode is observed."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory, gridworld
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._myopic import Myopic
from valuelearn.humans._observation import TruncatedObservation, observation_windows
from valuelearn.humans._rational import SoftOptimal


def switch_mdp() -> MDP:
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=[1.0, 0.0])


def test_windows_first_last_random() -> None:
    demos = Demonstrations(
        [Trajectory([0, 1, 2, 3, 4], [1, 1, 1, 1], demonstrator="ann"), Trajectory([5, 6], [0])]
    )
    first = observation_windows(demos, window=2, start="first")
    last = observation_windows(demos, window=2, start="last")
    assert first[0].states.tolist() == [0, 1, 2] and first[0].time == 0.0
    assert last[0].states.tolist() == [2, 3, 4] and last[0].time == 2.0
    assert last[0].demonstrator == "ann"
    assert last[1].states.tolist() == [5, 6] and last[1].time == 0.0  # shorter: kept whole
    starts = {
        observation_windows(demos, window=2, start="random", rng=seed)[0].time for seed in range(40)
    }
    assert starts == {0.0, 1.0, 2.0}
    again = observation_windows(demos, window=2, start="random", rng=3)
    assert again[0].time == observation_windows(demos, window=2, start="random", rng=3)[0].time


def test_log_likelihood_uses_the_window_time_hand_computed() -> None:
    mdp = switch_mdp()
    model = TruncatedObservation(SoftOptimal(), window=1)
    # Horizon 3, R = (0, 1): pi_2(. | 1) is uniform, pi_1(0 | 1) = 1 / (1 + e).
    late = Demonstrations([Trajectory([1, 0], [0], time=2)])
    early = Demonstrations([Trajectory([1, 0], [0], time=1)])
    kwargs = {"horizon": 3, "discount": 1.0}
    assert model.log_likelihood(mdp, [0.0, 1.0], late, **kwargs) == pytest.approx(np.log(0.5))
    assert model.log_likelihood(mdp, [0.0, 1.0], early, **kwargs) == pytest.approx(
        -np.log(1 + np.e), abs=1e-12
    )
    # With the start state scored: P(s_1 = 1) = pi_0(1 | 0) = e / (1 + e).
    scored = dataclasses.replace(model, include_start=True)
    assert scored.log_likelihood(mdp, [0.0, 1.0], early, **kwargs) == pytest.approx(
        -np.log(1 + np.e) + np.log(np.e / (1 + np.e)), abs=1e-12
    )


def test_full_window_equals_base_model() -> None:
    mdp = gridworld(["S..", "..G"], absorbing="G", slip=0.2)
    reward = mdp.features @ np.array([0.0, 1.0, 0.0])
    base = Myopic(planning_horizon=2)
    demos = base.simulate(mdp, reward, n=50, horizon=5, discount=1.0, rng=1)
    model = TruncatedObservation(base, window=5)
    assert model.log_likelihood(mdp, reward, demos, horizon=5, discount=1.0) == pytest.approx(
        base.log_likelihood(mdp, reward, demos, horizon=5, discount=1.0), abs=1e-12
    )
    np.testing.assert_array_equal(
        model.policy(mdp, reward, horizon=5, discount=1.0),
        base.policy(mdp, reward, horizon=5, discount=1.0),
    )


def test_simulated_windows_follow_the_policy_at_their_time() -> None:
    mdp = gridworld(["S...", "...G"], absorbing="G", slip=0.2)
    reward = mdp.features @ np.array([0.0, 1.0, 0.0])
    horizon, n = 6, 20_000
    model = TruncatedObservation(SoftOptimal(), window=2, start="random")
    policy = model.policy(mdp, reward, horizon=horizon, discount=1.0)
    windows = model.simulate(mdp, reward, n=n, horizon=horizon, discount=1.0, rng=0)
    assert set(windows.lengths.tolist()) == {2}
    counts = np.zeros((horizon, mdp.n_states, mdp.n_actions))
    for trajectory in windows:
        t0 = int(trajectory.time)
        for k, (s, a) in enumerate(zip(trajectory.states[:-1], trajectory.actions, strict=True)):
            counts[t0 + k, s, a] += 1
    visits = counts.sum(axis=2)
    checked = 0
    for t, s in zip(*np.nonzero(visits >= 500), strict=True):
        p = policy[t, s]
        tol = 5 * np.sqrt(p * (1 - p) / visits[t, s]) + 1e-3
        assert np.all(np.abs(counts[t, s] / visits[t, s] - p) <= tol), (t, s)
        checked += 1
    assert checked >= horizon
    # Same seed, same windows.
    again = model.simulate(mdp, reward, n=n, horizon=horizon, discount=1.0, rng=0)
    assert [t.time for t in again[:20]] == [t.time for t in windows[:20]]


def test_errors() -> None:
    mdp = switch_mdp()
    model = TruncatedObservation(SoftOptimal(), window=2)
    assert model.name == "truncated"
    with pytest.raises(ValueLearnInputError, match="runs past the horizon 3"):
        model.log_likelihood(
            mdp,
            [0.0, 1.0],
            Demonstrations([Trajectory([0, 0, 0], [0, 0], time=2)]),
            horizon=3,
            discount=1.0,
        )
    with pytest.raises(ValueLearnInputError, match="non-negative integer"):
        model.log_likelihood(
            mdp,
            [0.0, 1.0],
            Demonstrations([Trajectory([0, 0], [0], time=0.5)]),
            horizon=3,
            discount=1.0,
        )
    with pytest.raises(ValueLearnInputError, match="'window' parameter of TruncatedObservation"):
        TruncatedObservation(SoftOptimal(), window=0)
    with pytest.raises(ValueLearnInputError, match="'start' parameter of TruncatedObservation"):
        TruncatedObservation(SoftOptimal(), window=1, start="middle")  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'base' parameter of TruncatedObservation"):
        TruncatedObservation("soft", window=1)  # type: ignore[arg-type]
