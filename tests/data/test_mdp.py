"""Tests for valuelearn.data._mdp: construction, views and validation errors."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from valuelearn.data import MDP, check_discount
from valuelearn.exceptions import ValueLearnInputError


def _two_state() -> np.ndarray:
    T = np.zeros((2, 2, 2))
    T[0, 0] = [0.25, 0.75]
    T[0, 1] = [1.0, 0.0]
    T[1, :, 1] = 1.0
    return T


def test_from_dense_layout_and_views() -> None:
    mdp = MDP.from_dense(_two_state(), initial=[0.5, 0.5])
    assert (mdp.n_states, mdp.n_actions, mdp.n_features) == (2, 2, None)
    # Row s * n_actions + a holds P[s, a, :].
    np.testing.assert_array_equal(mdp.transitions.toarray(), [[0.25, 0.75], [1, 0], [0, 1], [0, 1]])
    np.testing.assert_array_equal(mdp.dense_transitions(), _two_state())
    states, probs = mdp.successors(0, 0)
    assert states.tolist() == [0, 1] and probs.tolist() == [0.25, 0.75]
    # Action-major rows: a * n_states + s.
    np.testing.assert_array_equal(
        mdp.action_major.toarray(), [[0.25, 0.75], [0, 1], [1, 0], [0, 1]]
    )
    np.testing.assert_array_equal(
        mdp.action_major_transposed.toarray(), mdp.action_major.toarray().T
    )


def test_from_triples_sums_duplicates_and_defaults() -> None:
    triples = [[0, 0, 1, 0.5], [0, 0, 1, 0.5], [1, 0, 1, 1.0]]
    mdp = MDP.from_triples(triples, n_states=2, n_actions=1, initial=[1.0, 0.0])
    np.testing.assert_array_equal(mdp.dense_transitions()[:, 0], [[0, 1], [0, 1]])
    assert MDP.from_dense(_two_state()).initial.tolist() == [1.0, 0.0]


def test_fields_are_read_only_and_normalised() -> None:
    mdp = MDP.from_dense(
        _two_state(),
        features=[1.0, 2.0],
        feature_names=["x"],
        state_names=["a", "b"],
        action_names=["stay", "go"],
        horizon=np.int64(4),
        discount=1,
    )
    assert mdp.features is not None and mdp.features.shape == (2, 1)
    assert mdp.horizon == 4 and isinstance(mdp.horizon, int) and mdp.discount == 1.0
    with pytest.raises(ValueError, match="read-only"):
        mdp.initial[0] = 0.5
    copy = mdp.with_defaults(discount=0.5)
    assert copy.discount == 0.5
    np.testing.assert_array_equal(copy.dense_transitions(), mdp.dense_transitions())
    with pytest.raises(TypeError, match="Unknown MDP fields"):
        mdp.with_defaults(gamma=0.5)


def _bad(matrix: np.ndarray) -> MDP:
    return MDP(transitions=sp.csr_array(matrix), n_actions=2, initial=[1.0, 0.0])


@pytest.mark.parametrize(
    ("build", "match"),
    [
        (
            lambda: MDP(transitions=np.eye(2), n_actions=2, initial=[1.0, 0.0]),
            r"shape \(n_states \* n_actions, n_states\) = \(2 \* 2, 2\); got \(2, 2\)",
        ),
        (lambda: MDP(transitions=np.ones(4), n_actions=1, initial=[1.0]), r"got 1 dimensions"),
        (
            lambda: _bad(np.array([[1.0, 0], [0.5, 0.5], [0, 1], [1.5, -0.5]])),
            r"\(state 1, action 1\) has the negative probability -0.5",
        ),
        (
            lambda: _bad(np.array([[1.0, 0], [np.nan, 0.5], [0, 1], [0, 1]])),
            r"\(state 0, action 1\) contains NaN or inf",
        ),
        (
            lambda: _bad(np.array([[1.0, 0], [0, 1], [0.3, 0.4], [0, 1]])),
            r"row for \(state 1, action 0\) sums to 0.7; every \(state, action\) must sum to 1",
        ),
        (
            lambda: MDP.from_dense(_two_state(), initial=[1.0]),
            r"`initial` must have one probability per state \(2\)",
        ),
        (lambda: MDP.from_dense(_two_state(), initial=[0.5, 0.6]), r"`initial` sums to 1.1"),
        (
            lambda: MDP.from_dense(_two_state(), initial=[1.5, -0.5]),
            r"`initial` must hold finite, non-negative",
        ),
        (
            lambda: MDP.from_dense(_two_state(), features=np.ones((3, 2))),
            r"`features` must have shape .* got \(3, 2\)",
        ),
        (
            lambda: MDP.from_dense(_two_state(), features=[1.0, np.inf]),
            r"`features` must be finite",
        ),
        (
            lambda: MDP.from_dense(_two_state(), feature_names=["x"]),
            r"`feature_names` is given but there is nothing",
        ),
        (
            lambda: MDP.from_dense(_two_state(), state_names=["a"]),
            r"`state_names` has 1 entries; expected 2",
        ),
        (
            lambda: MDP.from_dense(_two_state(), action_names=[1, 2]),
            r"`action_names` must be a list of strings",
        ),
        (
            lambda: MDP.from_dense(_two_state(), horizon=0),
            r"`horizon` must be a positive integer; got 0",
        ),
        (
            lambda: MDP.from_dense(_two_state(), discount=1.5),
            r"`discount` must be in \[0, 1\]; got 1.5",
        ),
        (
            lambda: MDP(transitions=np.eye(2), n_actions=0, initial=[1.0, 0.0]),
            r"`n_actions` must be a positive integer; got 0",
        ),
        (
            lambda: MDP.from_dense(np.ones((2, 1, 3))),
            r"dense array of shape \(n_states, n_actions, n_states\); got shape \(2, 1, 3\)",
        ),
        (
            lambda: MDP.from_triples([[0, 0, 2, 1.0]], n_states=2, n_actions=1, initial=[1, 0]),
            r"row 0: next_state 2 is not an integer in \[0, 2\)",
        ),
        (
            lambda: MDP.from_triples([[0, 0.5, 1, 1.0]], n_states=2, n_actions=1, initial=[1, 0]),
            r"row 0: action 0.5 is not an integer",
        ),
        (
            lambda: MDP.from_triples([[0, 0, 1]], n_states=2, n_actions=1, initial=[1, 0]),
            r"\[state, action, next_state, probability\] rows; got an array of shape \(1, 3\)",
        ),
    ],
)
def test_validation_errors(build: object, match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        build()  # type: ignore[operator]


def test_check_discount() -> None:
    assert check_discount(np.float32(0.5)) == 0.5
    with pytest.raises(
        ValueLearnInputError, match=r"`gamma` must be a number in \[0, 1\]; got True"
    ):
        check_discount(True, name="gamma")
