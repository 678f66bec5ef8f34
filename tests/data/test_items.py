"""Items (ids, features, text, kernel) and the summed features of trajectory segments."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import MDP, Items, Trajectory, random_mdp, segment_features
from valuelearn.exceptions import ValueLearnInputError


def test_items_store_ids_as_strings_and_find_positions() -> None:
    items = Items([3, "tea", 7], features=[[1.0], [2.0], [3.0]], feature_names=["cost"])
    assert items.ids == ("3", "tea", "7")
    assert items.index_of([7, "tea"]).tolist() == [2, 1]
    assert items.n_items == 3 and items.n_features == 1 and "3" in items
    assert not items.features.flags.writeable  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ids": ["a", "a"]}, "holds 'a' twice"),
        ({"ids": []}, "at least one item"),
        ({"ids": ["a", ""]}, "non-empty strings or integers"),
        ({"ids": ["a", True]}, "non-empty strings or integers"),
        ({"ids": ["a", "b"], "features": [[1.0]]}, r"shape \(2, n_features\)"),
        ({"ids": ["a"], "features": [[np.nan]]}, "finite"),
        ({"ids": ["a"], "feature_names": ["x"]}, "no `features`"),
        ({"ids": ["a"], "texts": ["x", "y"]}, "1 strings"),
        ({"ids": ["a", "b"], "kernel": [[1.0, 2.0], [0.0, 1.0]]}, "symmetric"),
        ({"ids": ["a", "b"], "kernel": [[1.0, 2.0], [2.0, 1.0]]}, "positive semi-definite"),
    ],
)
def test_items_reject_bad_input(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueLearnInputError, match=message):
        Items(**kwargs)  # type: ignore[arg-type]


def test_index_of_names_the_unknown_item() -> None:
    with pytest.raises(ValueLearnInputError, match="item 'x', which is not among the 2 items"):
        Items.from_ids(["a", "b"]).index_of(["a", "x"])


def test_segment_features_sum_discounted_state_features() -> None:
    mdp = random_mdp(6, 2, branching=2, n_features=3, rng=0)
    segment = Trajectory([4, 1, 1, 5], [0, 1, 0])
    got = segment_features(mdp, [segment], discount=0.9)[0]
    assert mdp.features is not None
    expected = mdp.features[4] + 0.9 * mdp.features[1] + 0.81 * mdp.features[1]
    np.testing.assert_allclose(got, expected)
    # the segment's utility under w is its discounted return under the state reward F @ w
    weights = np.array([1.0, -2.0, 0.5])
    reward = mdp.features @ weights
    assert got @ weights == pytest.approx(reward[4] + 0.9 * reward[1] + 0.81 * reward[1])


def test_items_from_segments_keep_feature_names_and_default_ids() -> None:
    mdp = MDP.from_dense(np.ones((2, 1, 2)) / 2, features=np.eye(2), feature_names=["x", "y"])
    items = Items.from_segments(mdp, [Trajectory([0, 1], [0]), Trajectory([1, 1, 0], [0, 0])])
    assert items.ids == ("0", "1") and items.feature_names == ("x", "y")
    assert items.features.tolist() == [[1.0, 0.0], [0.0, 2.0]]  # type: ignore[union-attr]


def test_segment_features_errors() -> None:
    mdp = MDP.from_dense(np.ones((2, 1, 2)) / 2)
    with pytest.raises(ValueLearnInputError, match="need an MDP with `features`"):
        segment_features(mdp, [Trajectory([0, 1], [0])])
    with pytest.raises(ValueLearnInputError, match="visits state 5"):
        segment_features(mdp, [Trajectory([5, 1], [0])], features=np.eye(2))
    with pytest.raises(ValueLearnInputError, match="must be a Trajectory"):
        segment_features(mdp, [[0, 1]], features=np.eye(2))  # type: ignore[list-item]
