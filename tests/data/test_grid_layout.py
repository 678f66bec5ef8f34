"""Tests for valuelearn.data._grid_layout."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP, feature_gridworld, grid_coordinates, grid_layout, gridworld
from valuelearn.exceptions import ValueLearnInputError

WALLED = ["S.#", ".#.", "..G"]


def test_grid_coordinates_and_layout() -> None:
    mdp = gridworld(WALLED)
    np.testing.assert_array_equal(
        grid_coordinates(mdp), [[0, 0], [0, 1], [1, 0], [1, 2], [2, 0], [2, 1], [2, 2]]
    )
    layout = grid_layout(mdp, np.arange(7.0))
    expected = np.array([[0, 1, np.nan], [2, np.nan, 3], [4, 5, 6]])
    np.testing.assert_array_equal(layout, expected)
    padded = grid_layout(gridworld(["S.", "##"]), [1.0, 2.0], shape=(2, 3))
    np.testing.assert_array_equal(padded, [[1, 2, np.nan], [np.nan] * 3])


def test_layout_survives_renamed_plain_coordinates() -> None:
    base = gridworld(["S."])
    renamed = base.with_defaults(state_names=("r5c1", "r5c0"))
    np.testing.assert_array_equal(grid_layout(renamed, [1.0, 2.0])[5], [2.0, 1.0])


def test_layout_errors() -> None:
    mdp = gridworld(WALLED)
    with pytest.raises(
        ValueLearnInputError, match=r"`values` must have shape \(n_states,\) = \(7,\)"
    ):
        grid_layout(mdp, np.zeros(6))
    with pytest.raises(ValueLearnInputError, match=r"`shape` must be .* at least \(3, 3\)"):
        grid_layout(mdp, np.zeros(7), shape=(2, 3))
    plain = MDP.from_dense(np.ones((1, 1, 1)))
    with pytest.raises(ValueLearnInputError, match="`mdp` has no state_names"):
        grid_coordinates(plain)
    named = plain.with_defaults(state_names=("start",))
    with pytest.raises(ValueLearnInputError, match=r"state_names\[0\]` must look like .*'start'"):
        grid_coordinates(named)


def test_gaussian_feature_grid_names_are_plain_coordinates() -> None:
    mdp = feature_gridworld(3, n_features=2, kind="gaussian", rng=0)
    np.testing.assert_array_equal(grid_coordinates(mdp)[4], [1, 1])
    np.testing.assert_array_equal(grid_layout(mdp, np.arange(9.0)), np.arange(9.0).reshape(3, 3))
