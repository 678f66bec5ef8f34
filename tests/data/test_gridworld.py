"""Tests for valuelearn.data._gridworld."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import (
    GRID_ACTIONS,
    feature_gridworld,
    grid_coordinates,
    gridworld,
)
from valuelearn.exceptions import ValueLearnInputError

UP, DOWN, LEFT, RIGHT = range(4)
WALLED = ["S.#", ".#.", "..G"]
# Successor [up, down, left, right] of each state of WALLED without slip. States, row by row:
# 0=(0,0)S 1=(0,1). 2=(1,0). 3=(1,2). 4=(2,0). 5=(2,1). 6=(2,2)G
WALLED_SUCCESSORS = [
    [0, 2, 0, 1],
    [1, 1, 0, 1],
    [0, 4, 2, 2],
    [3, 6, 3, 3],
    [2, 4, 4, 5],
    [5, 5, 4, 6],
    [3, 6, 5, 6],
]


def test_deterministic_moves_with_walls_and_edges() -> None:
    mdp = gridworld(WALLED)
    expected = np.zeros((7, 4, 7))
    for state, successors in enumerate(WALLED_SUCCESSORS):
        expected[state, np.arange(4), successors] = 1.0
    np.testing.assert_array_equal(mdp.dense_transitions(), expected)
    assert mdp.action_names == GRID_ACTIONS == ("up", "down", "left", "right")
    assert mdp.state_names == ("r0c0:S", "r0c1:.", "r1c0:.", "r1c2:.", "r2c0:.", "r2c1:.", "r2c2:G")


def test_absorbing_cell_self_loops_for_every_action() -> None:
    T = gridworld(WALLED, absorbing="G", slip=0.3).dense_transitions()
    np.testing.assert_array_equal(T[6], np.tile(np.eye(7)[6], (4, 1)))
    # Other rows are unchanged by making G absorbing: entering G is still possible.
    assert T[3, DOWN, 6] == pytest.approx(0.7 + 0.3 / 4)


def test_slip_2x2_rows_by_hand() -> None:
    # States 0=S(0,0), 1=.(0,1), 2=.(1,0), 3=G(1,1); slip 0.4: intended 0.6 + 0.1, others 0.1.
    T = gridworld(["S.", ".G"], slip=0.4, absorbing="G").dense_transitions()
    np.testing.assert_allclose(T[0, RIGHT], [0.2, 0.7, 0.1, 0.0])  # up and left bump: stay
    np.testing.assert_allclose(T[1, DOWN], [0.1, 0.2, 0.0, 0.7])
    np.testing.assert_allclose(T[2, UP], [0.7, 0.0, 0.2, 0.1])
    np.testing.assert_allclose(T[3], np.tile([0.0, 0.0, 0.0, 1.0], (4, 1)))


def test_slip_next_to_wall_accumulates_on_the_stay_move() -> None:
    # State 3 = (1,2): up is a wall, left is a wall, right is the edge; only down moves.
    T = gridworld(WALLED, slip=0.2).dense_transitions()
    np.testing.assert_allclose(T[3, DOWN], np.eye(7)[6] * 0.85 + np.eye(7)[3] * 0.15)
    np.testing.assert_allclose(T[3, UP], np.eye(7)[6] * 0.05 + np.eye(7)[3] * 0.95)


def test_full_slip_ignores_the_action() -> None:
    T = gridworld(WALLED, slip=1.0).dense_transitions()
    for action in range(1, 4):
        np.testing.assert_allclose(T[:, action], T[:, 0])
    np.testing.assert_allclose(T.sum(axis=2), 1.0)


def test_no_zero_entries_are_stored() -> None:
    mdp = gridworld(WALLED)
    assert mdp.transitions.nnz == 7 * 4
    assert np.all(mdp.transitions.data > 0)


def test_default_features_are_one_hot_over_sorted_characters() -> None:
    mdp = gridworld(WALLED)
    assert mdp.feature_names == (".", "G", "S")
    assert mdp.features is not None
    assert mdp.features.shape == (7, 3)
    np.testing.assert_array_equal(mdp.features[0], [0, 0, 1])
    np.testing.assert_array_equal(mdp.features[6], [0, 1, 0])
    np.testing.assert_array_equal(mdp.features.sum(axis=0), [5, 1, 1])


def test_cell_features_and_names() -> None:
    mdp = gridworld(
        WALLED,
        cell_features={"S": [0.0, 0.0], ".": [0.0, -1.0], "G": [1.0, 5.0], "#": [9.0, 9.0]},
        feature_names=["goal", "cost"],
    )
    assert mdp.features is not None
    assert mdp.features.shape == (7, 2)
    assert mdp.feature_names == ("goal", "cost")
    np.testing.assert_array_equal(mdp.features[[0, 3, 6]], [[0, 0], [0, -1], [1, 5]])


def test_initial_distribution() -> None:
    np.testing.assert_array_equal(gridworld(WALLED).initial, np.eye(7)[0])
    np.testing.assert_allclose(gridworld(WALLED, start="").initial, np.full(7, 1 / 7))
    np.testing.assert_allclose(gridworld(WALLED, start="S.").initial, [1 / 6] * 6 + [0])
    np.testing.assert_allclose(gridworld(["SS", ".."]).initial, [0.5, 0.5, 0, 0])


def test_multiline_string_map_equals_list_map() -> None:
    text = """
        S.#
        .#.
        ..G
    """
    a, b = gridworld(text, slip=0.1), gridworld(WALLED, slip=0.1)
    np.testing.assert_array_equal(a.dense_transitions(), b.dense_transitions())
    assert a.state_names == b.state_names


def test_custom_wall_characters_and_defaults() -> None:
    mdp = gridworld(["S.X", "..G"], walls="X", horizon=7, discount=0.9)
    assert mdp.n_states == 5
    assert (mdp.horizon, mdp.discount) == (7, 0.9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"ascii_map": ["S.", "..."]}, r"row 1 has 3 cells; every row must have 2"),
        ({"ascii_map": ["S .", "..."]}, r"row 0 .* contains whitespace"),
        ({"ascii_map": ""}, r"`ascii_map` is empty"),
        ({"ascii_map": ["##", "##"]}, r"no free cell"),
        ({"ascii_map": 3}, r"`ascii_map` must be a string or a sequence of strings; got int"),
        ({"ascii_map": ["S."], "slip": 1.5}, r"`slip` must be a probability in \[0, 1\]; got 1.5"),
        ({"ascii_map": ["S."], "slip": "0.1"}, r"`slip` must be a probability"),
        (
            {"ascii_map": ["S.G"], "cell_features": {"S": [0], ".": [1]}},
            r"no feature vector for the map characters \['G'\]",
        ),
        (
            {"ascii_map": ["S."], "cell_features": {"S": [0], ".": [1, 2]}},
            r"vectors must be flat and of equal length",
        ),
        ({"ascii_map": ["S."], "feature_names": ["a", "b"]}, r"`feature_names` needs"),
    ],
)
def test_gridworld_errors(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        gridworld(**kwargs)  # type: ignore[arg-type]


def test_feature_gridworld_shapes_and_types() -> None:
    mdp = feature_gridworld(10, n_features=4, slip=0.1, rng=3)
    assert (mdp.n_states, mdp.n_actions) == (100, 4)
    assert mdp.features is not None
    assert mdp.features.shape == (100, 4)
    assert mdp.feature_names == ("f0", "f1", "f2", "f3")
    np.testing.assert_array_equal(mdp.features.sum(axis=1), 1.0)
    assert set(np.unique(mdp.features)) == {0.0, 1.0}
    assert mdp.features.sum(axis=0).min() >= 1
    np.testing.assert_allclose(mdp.initial, 0.01)
    # Open 10 x 10 grid: an interior cell moves with 0.9 + 0.025.
    T = mdp.dense_transitions()
    assert T[55, RIGHT, 56] == pytest.approx(0.925)
    assert T[0, UP, 0] == pytest.approx(0.925 + 0.025)  # up and left bump at the corner
    # The state name carries the type shown by the one-hot feature.
    type_of = mdp.features.argmax(axis=1)
    assert all(
        name.endswith(f":{k}") for name, k in zip(mdp.state_names or (), type_of, strict=True)
    )


def test_feature_gridworld_every_type_present_even_when_tight() -> None:
    for seed in range(20):
        mdp = feature_gridworld(2, n_features=4, rng=seed)
        assert mdp.features is not None
        np.testing.assert_array_equal(mdp.features.sum(axis=0), [1, 1, 1, 1])


def test_feature_gridworld_is_reproducible() -> None:
    a, b = feature_gridworld(rng=7), feature_gridworld(rng=np.random.default_rng(7))
    c = feature_gridworld(rng=8)
    assert a.features is not None and b.features is not None and c.features is not None
    np.testing.assert_array_equal(a.features, b.features)
    assert not np.array_equal(a.features, c.features)


def test_feature_gridworld_errors() -> None:
    with pytest.raises(
        ValueLearnInputError,
        match=r"at most min\(62, size\*\*2\) = 4 for one-hot cell types; got 5",
    ):
        feature_gridworld(2, n_features=5)
    with pytest.raises(ValueLearnInputError, match="`size` must be a positive integer; got 0"):
        feature_gridworld(0)


def test_feature_gridworld_gaussian() -> None:
    mdp = feature_gridworld(30, n_features=3, kind="gaussian", rng=0)
    assert mdp.features is not None
    assert mdp.features.shape == (900, 3)
    np.testing.assert_allclose(mdp.features.mean(axis=0), 0.0, atol=0.12)
    np.testing.assert_allclose(mdp.features.std(axis=0), 1.0, atol=0.08)
    assert mdp.state_names is not None and mdp.state_names[31] == "r1c1"
    np.testing.assert_array_equal(grid_coordinates(mdp)[31], [1, 1])
    # No constant direction in the span: [features, 1] has full column rank.
    assert np.linalg.matrix_rank(np.column_stack([mdp.features, np.ones(900)])) == 4


def test_feature_gridworld_unknown_kind() -> None:
    with pytest.raises(
        ValueLearnInputError, match=r"`kind` must be 'one_hot' or 'gaussian'; got 'x'"
    ):
        feature_gridworld(kind="x")  # type: ignore[arg-type]
