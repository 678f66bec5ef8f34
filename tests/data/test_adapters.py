"""Tests for valuelearn.data._adapters."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from valuelearn.data import MDP, from_dense_arrays, from_gymnasium, from_seals
from valuelearn.exceptions import ValueLearnInputError

LEFT, DOWN, RIGHT, UP = range(4)  # FrozenLake's action order


# ---------------------------------------------------------------------- Gymnasium
def test_frozen_lake_slippery_import() -> None:
    toy_text = pytest.importorskip("gymnasium.envs.toy_text")
    mdp, reward = from_gymnasium(toy_text.FrozenLakeEnv(map_name="4x4", is_slippery=True))
    assert (mdp.n_states, mdp.n_actions) == (17, 4)
    assert mdp.state_names is not None and mdp.state_names[16] == "terminal"
    assert mdp.action_names == ("left", "down", "right", "up")
    T = mdp.dense_transitions()
    np.testing.assert_allclose(T.sum(axis=2), 1.0, atol=1e-12)
    np.testing.assert_array_equal(mdp.initial, np.eye(17)[0])
    # State 14 = (3, 2), left of the goal. Every action that can slip into G pays 1/3.
    np.testing.assert_allclose(reward[14], [0.0, 1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_allclose(reward[10], 0.0)  # (2, 2): G is two steps away
    assert np.count_nonzero(reward) == 3  # only 14 borders G (11 is a hole; G pays 0 inside)
    # RIGHT from 14: G (terminated -> terminal), slip down (edge: stay), slip up (state 10).
    np.testing.assert_allclose(T[14, RIGHT], np.eye(17)[[10, 14, 16]].sum(axis=0) / 3)
    # Holes and the goal are entered only by terminated transitions: nothing reaches them.
    assert T[:, :, [5, 7, 11, 12, 15]].sum() == 0.0
    np.testing.assert_array_equal(T[16], np.tile(np.eye(17)[16], (4, 1)))
    np.testing.assert_array_equal(reward[16], 0.0)


def test_frozen_lake_deterministic_import() -> None:
    toy_text = pytest.importorskip("gymnasium.envs.toy_text")
    mdp, reward = from_gymnasium(toy_text.FrozenLakeEnv(is_slippery=False), discount=0.9)
    T = mdp.dense_transitions()
    assert T[14, RIGHT, 16] == 1.0
    assert T[14, LEFT, 13] == 1.0
    assert T[13, LEFT, 16] == 1.0  # into the hole at 12
    assert reward[14, RIGHT] == 1.0 and reward[13, LEFT] == 0.0
    assert mdp.discount == 0.9


def test_wrapped_environment_is_unwrapped() -> None:
    gym = pytest.importorskip("gymnasium")
    env = gym.make("FrozenLake-v1", map_name="8x8")
    mdp, reward = from_gymnasium(env)
    assert (mdp.n_states, reward.shape) == (65, (65, 4))
    assert reward[62, RIGHT] == pytest.approx(1 / 3)


def test_taxi_import() -> None:
    toy_text = pytest.importorskip("gymnasium.envs.toy_text")
    mdp, reward = from_gymnasium(toy_text.TaxiEnv())
    assert (mdp.n_states, mdp.n_actions) == (501, 6)
    assert mdp.action_names == ("south", "north", "east", "west", "pickup", "dropoff")
    T = mdp.dense_transitions()
    np.testing.assert_allclose(T.sum(axis=2), 1.0, atol=1e-12)
    assert np.count_nonzero(mdp.initial) == 300
    assert mdp.initial.sum() == pytest.approx(1.0) and mdp.initial[500] == 0.0
    # Moves cost 1, illegal pickups/dropoffs 10, and the 4 successful dropoffs end the episode.
    np.testing.assert_array_equal(reward[:500, :4], -1.0)
    assert set(np.unique(reward[:500])) == {-10.0, -1.0, 20.0}
    states, actions = np.nonzero(reward == 20.0)
    assert states.size == 4 and np.all(actions == 5)
    np.testing.assert_array_equal(T[states, actions, 500], 1.0)
    assert (T[:500, :, 500] > 0).sum() == 4


def test_cliff_walking_import() -> None:
    toy_text = pytest.importorskip("gymnasium.envs.toy_text")
    mdp, reward = from_gymnasium(toy_text.CliffWalkingEnv())
    up, right, down = range(3)
    assert (mdp.n_states, mdp.n_actions) == (49, 4)
    np.testing.assert_array_equal(mdp.initial, np.eye(49)[36])
    T = mdp.dense_transitions()
    assert T[36, right, 36] == 1.0 and reward[36, right] == -100.0  # cliff: back to start
    assert T[36, up, 24] == 1.0 and reward[36, up] == -1.0
    assert T[35, down, 48] == 1.0 and reward[35, down] == -1.0  # into the goal: terminal
    assert reward[:48].max() == -1.0


def test_bare_table_with_initial_and_expected_reward() -> None:
    P = {
        0: {0: [(0.25, 0, 4.0, False), (0.75, 1, -1.0, False)], 1: [(1.0, 1, 2.0, True)]},
        1: {0: [(0.5, 1, 0.0, False), (0.5, 1, 2.0, False)], 1: [(1.0, 0, 0.0, False)]},
    }
    mdp, reward = from_gymnasium(P, initial=[0.5, 0.5], horizon=3)
    np.testing.assert_allclose(reward, [[0.25, 2.0], [1.0, 0.0], [0.0, 0.0]])
    T = mdp.dense_transitions()
    np.testing.assert_allclose(T[0, 0], [0.25, 0.75, 0.0])
    np.testing.assert_allclose(T[0, 1], [0.0, 0.0, 1.0])
    np.testing.assert_allclose(T[1, 0], [0.0, 1.0, 0.0])  # duplicate entries are summed
    np.testing.assert_allclose(mdp.initial, [0.5, 0.5, 0.0])
    assert mdp.horizon == 3 and mdp.action_names is None
    assert mdp.state_names == ("0", "1", "terminal")


def test_initial_overrides_the_environment() -> None:
    toy_text = pytest.importorskip("gymnasium.envs.toy_text")
    mdp, _ = from_gymnasium(toy_text.FrozenLakeEnv(), initial=np.eye(16)[4])
    np.testing.assert_array_equal(mdp.initial, np.eye(17)[4])


@pytest.mark.parametrize(
    ("table", "kwargs", "match"),
    [
        ({0: {0: [(1.0, 0, 0.0, False)]}}, {}, r"`initial` is required"),
        ({0: {0: [(1.0, 0, 0.0, False)]}}, {"initial": [0.5, 0.5]}, r"one probability per .*\(1\)"),
        (
            {0: {0: [(1.0, 2, 0.0, False)]}},
            {"initial": [1.0]},
            r"`P\[0\]\[0\]` leads to next_state 2",
        ),
        ({0: {0: [(1.0, 0, 0.0)]}}, {"initial": [1.0]}, r"entries must be \(prob, next_state"),
        (
            {0: {0: [(1.0, 0, 0.0, False)]}},
            {"initial": [1.0], "n_actions": 2},
            r"no outcome list for action 1",
        ),
        (
            {0: {0: [(1.0, 0, 0.0, False)]}},
            {"initial": [1.0, 0.0], "n_states": 2},
            r"no entry for state 1",
        ),
        (
            {0: {0: [(0.6, 0, 0.0, False)]}},
            {"initial": [1.0]},
            r"\(state 0, action 0\) sums to 0.6",
        ),
    ],
)
def test_gymnasium_errors(table: dict[int, object], kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        from_gymnasium(table, **kwargs)  # type: ignore[arg-type]


def test_object_without_table() -> None:
    with pytest.raises(ValueLearnInputError, match=r"got object without one"):
        from_gymnasium(object())


# ---------------------------------------------------------------------- dense arrays
def _random_dense(n_states: int, n_actions: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    T = rng.random((n_states, n_actions, n_states)) * (
        rng.random((n_states, n_actions, n_states)) < 0.4
    )
    T[:, :, 0] += 1e-3  # no empty row
    return T / T.sum(axis=2, keepdims=True)


def test_dense_round_trip_is_exact() -> None:
    T = _random_dense(7, 3, seed=0)
    features = np.arange(14.0).reshape(7, 2)
    mdp = from_dense_arrays(
        T, initial=np.full(7, 1 / 7), features=features, horizon=5, discount=0.9
    )
    assert isinstance(mdp, MDP)
    np.testing.assert_array_equal(mdp.dense_transitions(), T)
    assert mdp.transitions.nnz == np.count_nonzero(T)
    np.testing.assert_array_equal(mdp.features, features)
    assert (mdp.horizon, mdp.discount) == (5, 0.9)


def test_dense_default_initial_is_state_zero() -> None:
    np.testing.assert_array_equal(from_dense_arrays(_random_dense(3, 2, seed=1)).initial, [1, 0, 0])


def test_dense_errors() -> None:
    with pytest.raises(
        ValueLearnInputError, match=r"`transition_matrix` must have shape .*\(3, 2, 4\)"
    ):
        from_dense_arrays(np.ones((3, 2, 4)))
    T = _random_dense(3, 2, seed=2)
    T[2, 1] *= 0.5
    with pytest.raises(ValueLearnInputError, match=r"\(state 2, action 1\) sums to 0.5"):
        from_dense_arrays(T)


# ---------------------------------------------------------------------- seals
def _seals_like(reward: np.ndarray, **extra: object) -> SimpleNamespace:
    T = _random_dense(4, 2, seed=3)
    return SimpleNamespace(
        transition_matrix=T,
        reward_matrix=reward,
        initial_state_dist=np.array([0.0, 0.5, 0.5, 0.0]),
        horizon=20,
        **extra,
    )


def test_from_seals_pomdp_with_observations() -> None:
    observations = np.arange(12, dtype=np.float32).reshape(4, 3)
    env = _seals_like(np.arange(8.0).reshape(4, 2), observation_matrix=observations)
    mdp, reward = from_seals(SimpleNamespace(unwrapped=env), discount=0.99)
    np.testing.assert_array_equal(mdp.dense_transitions(), env.transition_matrix)
    np.testing.assert_array_equal(mdp.features, observations)
    np.testing.assert_array_equal(mdp.initial, env.initial_state_dist)
    np.testing.assert_array_equal(reward, np.arange(8.0).reshape(4, 2))
    assert (mdp.horizon, mdp.discount) == (20, 0.99)


def test_from_seals_mdp_keeps_reward_shape_and_horizon_override() -> None:
    mdp, reward = from_seals(_seals_like(np.ones((4, 2, 4))), horizon=3)
    assert reward.shape == (4, 2, 4) and mdp.features is None and mdp.horizon == 3
    _, state_reward = from_seals(_seals_like(np.array([1.0, 2.0, 3.0, 4.0])))
    assert state_reward.shape == (4,)


def test_from_seals_errors() -> None:
    with pytest.raises(ValueLearnInputError, match="it has no reward_matrix, initial_state_dist"):
        from_seals(SimpleNamespace(transition_matrix=np.ones((1, 1, 1))))
    with pytest.raises(
        ValueLearnInputError, match=r"`env.reward_matrix` must have shape .*got \(2, 2\)"
    ):
        from_seals(_seals_like(np.ones((2, 2))))
