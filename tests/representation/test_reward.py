"""The Reward value object: constructors, views and validation."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import Reward


def test_state_reward() -> None:
    reward = Reward.state([0.0, 1.0, -2.0])
    assert reward.kind == "state"
    assert reward.values.tolist() == [0.0, 1.0, -2.0]
    assert (reward.n_states, reward.n_actions, reward.n_features) == (3, None, None)
    assert reward.weights is None and reward.feature_names is None


def test_state_action_reward() -> None:
    reward = Reward.state_action(np.arange(6.0).reshape(3, 2))
    assert (reward.kind, reward.n_states, reward.n_actions) == ("state_action", 3, 2)


def test_linear_reward_computes_values_from_features() -> None:
    features = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 3.0]])
    reward = Reward.linear([0.5, -1.0], features, feature_names=("goal", "lava"))
    np.testing.assert_allclose(reward.values, features @ [0.5, -1.0])
    assert reward.feature_names == ("goal", "lava")
    assert (reward.n_states, reward.n_features) == (3, 2)
    assert repr(reward) == "Reward(kind='linear', n_states=3, n_features=2)"


def test_arrays_are_read_only_copies() -> None:
    source = np.array([1.0, 2.0])
    reward = Reward.state(source)
    source[0] = 9.0
    assert reward.values[0] == 1.0
    with pytest.raises(ValueError, match="read-only"):
        reward.values[0] = 5.0


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Reward("tabular", np.zeros(2)), "`kind` must be 'state', 'state_action' or"),  # type: ignore[arg-type]
        (
            lambda: Reward.state([[1.0, 2.0]]),
            r"`values` of a 'state' reward must be a non-empty "
            r"array of shape \(n_states,\); got shape \(1, 2\)",
        ),
        (lambda: Reward.state([]), "non-empty array"),
        (lambda: Reward.state_action([1.0, 2.0]), r"shape \(n_states, n_actions\)"),
        (lambda: Reward.state([0.0, np.nan]), "`values` must be finite; found NaN or inf"),
        (lambda: Reward.state(["a", "b"]), "`values` must be an array of numbers"),
        (
            lambda: Reward("state", np.zeros(2), weights=np.ones(1)),
            "`weights` is only allowed for a 'linear' reward; this one is 'state'",
        ),
        (lambda: Reward("linear", np.zeros(2)), "a 'linear' reward needs `weights`"),
        (
            lambda: Reward.linear([1.0, 2.0], np.ones((3, 3))),
            "`weights` has 2 entries but `features` has 3 columns",
        ),
        (lambda: Reward.linear([1.0], np.ones(3)), r"`features` must have shape"),
        (
            lambda: Reward.linear([1.0], np.ones((3, 1)), feature_names=["a", "b"]),
            "`feature_names` has 2 entries but there are 1 weights",
        ),
        (lambda: Reward.linear([np.inf], np.ones((3, 1))), "`weights` must be finite"),
    ],
)
def test_validation_messages(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueLearnInputError, match=message):
        build()
