"""Comparisons, rankings and ratings: construction, validation, indices and resampling."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.exceptions import ValueLearnInputError


def test_cyclic_and_contradictory_comparisons_are_legal() -> None:
    cycle = Comparisons(["x", "y", "z"], ["y", "z", "x"], ["a", "a", "a"])
    both_ways = Comparisons(["x", "x"], ["y", "y"], ["a", "b"], rater=["ann", None])
    joined = cycle + both_ways
    assert len(joined) == 5 and joined.rater == (None, None, None, "ann", None)
    assert joined.outcomes.tolist() == [0, 0, 0, 0, 1]
    assert joined.item_ids() == ("x", "y", "z")


def test_comparisons_indices_and_outcome_codes() -> None:
    items = Items.from_ids(["z", "y", "x"])
    comparisons = Comparisons.from_outcomes(items, [2, 0], [1, 2], [2, 1], rater=["a", "b"])
    assert comparisons.a == ("x", "z") and comparisons.preferred == ("equal", "b")
    a, b = comparisons.indices(items)
    assert a.tolist() == [2, 0] and b.tolist() == [1, 2]
    picked = comparisons.select([1, 1, 0])
    assert picked.a == ("z", "z", "x") and picked.rater == ("b", "b", "a")


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((["x"], ["y"], ["A"]), {}, "must be 'a', 'b' or 'equal'; got 'A'"),
        ((["x"], ["x"], ["a"]), {}, "compares item 'x' with itself"),
        ((["x"], ["y", "z"], ["a"]), {}, "one entry per comparison"),
        ((["x"], ["y"], ["a"]), {"rater": ["a", "b"]}, "`rater` has 2 entries; expected 1"),
        ((["x"], ["y"], ["a"]), {"rater": [3]}, "strings or None"),
    ],
)
def test_comparisons_reject_bad_input(
    args: tuple[list[str], ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueLearnInputError, match=message):
        Comparisons(*args, **kwargs)  # type: ignore[arg-type]


def test_comparisons_name_unknown_items() -> None:
    with pytest.raises(ValueLearnInputError, match="comparisons name item 'w'"):
        Comparisons(["x"], ["w"], ["a"]).indices(Items.from_ids(["x", "y"]))


def test_rankings() -> None:
    rankings = Rankings([["x", "y", "z"], [2, "x"]], rater=["ann", "bob"])
    assert rankings.orders[1] == ("2", "x") and rankings.item_ids() == ("x", "y", "z", "2")
    indices = rankings.indices(Items.from_ids(["z", "y", "x", "2"]))
    assert [i.tolist() for i in indices] == [[2, 1, 0], [3, 2]]
    assert rankings.select([1]).rater == ("bob",)
    with pytest.raises(ValueLearnInputError, match="ranking 0 has fewer than two items"):
        Rankings([["x"]])
    with pytest.raises(ValueLearnInputError, match="ranking 1 lists an item twice"):
        Rankings([["x", "y"], ["x", "y", "x"]])


def test_ratings_levels_and_scale() -> None:
    ratings = Ratings(["x", "y", "x"], [-4, 0, 4], rater=["1", "2", None])
    assert ratings.scale == (-4, 4) and ratings.n_levels == 9
    assert ratings.levels.tolist() == [0, 4, 8]
    wide = Ratings(["x"], np.array([3.0]), scale=(1, 9))
    assert wide.levels.tolist() == [2] and wide.select([0, 0]).scale == (1, 9)
    assert ratings.indices(Items.from_ids(["y", "x"])).tolist() == [1, 0, 1]


@pytest.mark.parametrize(
    ("args", "kwargs", "message"),
    [
        ((["x"], [2.5]), {}, "must hold integers"),
        ((["x"], [1, 2]), {}, "one entry per rating"),
        ((["x"], [3]), {}, "low < high"),
        ((["x"], [7]), {"scale": (1, 5)}, r"score 7 is outside the scale \[1, 5\]"),
        (([], []), {}, "pass scale="),
    ],
)
def test_ratings_reject_bad_input(
    args: tuple[list[object], ...], kwargs: dict[str, object], message: str
) -> None:
    with pytest.raises(ValueLearnInputError, match=message):
        Ratings(*args, **kwargs)  # type: ignore[arg-type]
