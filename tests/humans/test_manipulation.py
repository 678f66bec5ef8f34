"""Tests for valuelearn.humans._manipulation: values switched after an observable event."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP, Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._manipulation import Manipulated, event_augmented_mdp
from valuelearn.policy import soft_value_iteration


def log_sigmoid(x: float) -> float:
    return float(-np.log1p(np.exp(-x)))


def two_state_mdp(initial: tuple[float, float] = (1.0, 0.0)) -> MDP:
    """Action 0 goes to state 0, action 1 to state 1, from anywhere."""
    T = np.zeros((2, 2, 2))
    T[:, 0, 0] = 1.0
    T[:, 1, 1] = 1.0
    return MDP.from_dense(T, initial=list(initial))


def random_dense_mdp(n_states: int, n_actions: int, seed: int) -> MDP:
    rng = np.random.default_rng(seed)
    transitions = rng.dirichlet(np.ones(n_states), size=(n_states, n_actions))
    return MDP.from_dense(transitions, initial=rng.dirichlet(np.ones(n_states)))


REWARD = np.array([0.0, 1.0])
NORMS = {"home": [0.0, 0.0], "church": [0.0, -3.0]}


def test_manipulation_hand_computed_likelihood_tracks_the_event_bit() -> None:
    # H = 3, own values [0, 1], switched [5, 0], event state 1. t = 0 (no event yet): soft-optimal
    # for [0, 1] moves with sigmoid(1). t = 1 in state 1 (event): for [5, 0] going back is worth
    # 5 + log 2 against log 2, so it returns with sigmoid(5). t = 2, back in state 0, the bit is
    # still set; at the last step both actions are equal: 1/2.
    person = Manipulated(event_states={1}, switched_reward=[5.0, 0.0])
    demos = Demonstrations([Trajectory([0, 1, 0, 0], [1, 0, 0])])
    got = person.log_likelihood(two_state_mdp(), REWARD, demos, horizon=3, discount=1.0)
    expected = log_sigmoid(1.0) + log_sigmoid(5.0) + np.log(0.5)
    assert got == pytest.approx(expected, abs=1e-12)
    # Without tracking the bit (own values throughout) the second step would be sigmoid(-1).
    own = soft_value_iteration(two_state_mdp(), REWARD, horizon=3, discount=1.0).policy
    assert own[1, 1, 0] == pytest.approx(np.exp(log_sigmoid(-1.0)))


def test_manipulation_bit_is_sticky_and_set_in_the_event_state() -> None:
    person = Manipulated(event_states={1}, switched_reward=[5.0, 0.0])
    mdp = two_state_mdp()
    policies = person.event_policies(mdp, REWARD, horizon=4, discount=1.0)
    demos = Demonstrations([Trajectory([0, 1, 0, 0, 0], [1, 0, 0, 0])])
    expected = (
        np.log(policies[0, 0, 0, 1])
        + np.log(policies[1, 1, 1, 0])
        + np.log(policies[2, 1, 0, 0])
        + np.log(policies[3, 1, 0, 0])
    )
    got = person.log_likelihood(mdp, REWARD, demos, horizon=4, discount=1.0)
    assert got == pytest.approx(expected, abs=1e-12)
    assert policies[2, 1, 0, 0] == pytest.approx(np.exp(log_sigmoid(5.0)))


def test_manipulation_simulation_matches_the_policies() -> None:
    mdp = random_dense_mdp(4, 2, seed=5)
    reward = np.array([0.0, 2.0, -1.0, 1.0])
    person = Manipulated(event_states={1}, switched_reward=[2.0, -2.0, 1.0, 0.0])
    policies = person.event_policies(mdp, reward, horizon=3, discount=1.0)
    demos = person.simulate(mdp, reward, n=8000, horizon=3, discount=1.0, rng=1)
    states, actions = demos.as_arrays()
    seen = np.logical_or.accumulate(states == 1, axis=1)
    for t in (0, 1, 2):
        for s in range(4):
            for bit in (False, True):
                mask = (states[:, t] == s) & (seen[:, t] == bit)
                if mask.sum() < 400:
                    continue
                p = policies[t, int(bit), s, 1]
                freq = np.mean(actions[mask, t] == 1)
                assert abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / mask.sum()) + 1e-9
    lik = person.log_likelihood(mdp, reward, demos, horizon=3, discount=1.0)
    assert np.isfinite(lik) and lik < 0


def test_event_augmented_mdp_starts_with_the_bit_set_in_an_event_state() -> None:
    lifted = event_augmented_mdp(two_state_mdp(initial=(0.25, 0.75)), {1})
    assert lifted.initial.tolist() == [0.25, 0.0, 0.0, 0.75]
    dense = lifted.dense_transitions()
    assert dense[0, 0].tolist() == [1.0, 0.0, 0.0, 0.0]  # no event: bit stays 0
    assert dense[2, 0].tolist() == [0.0, 0.0, 1.0, 0.0]  # bit set: it never resets


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"event_states": set(), "switched_reward": [0.0]}, "'event_states' parameter"),
        ({"event_states": {-1}, "switched_reward": [0.0]}, "'event_states' parameter"),
        ({"event_states": {0}, "switched_reward": [[0.0]]}, "'switched_reward' parameter"),
    ],
)
def test_manipulation_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        Manipulated(**kwargs)  # type: ignore[arg-type]


def test_manipulation_event_state_out_of_range() -> None:
    person = Manipulated(event_states={7}, switched_reward=[0.0, 0.0])
    with pytest.raises(ValueLearnInputError, match="event_states holds state 7"):
        person.simulate(two_state_mdp(), REWARD, n=1, horizon=2, discount=1.0, rng=0)
