"""Judgments about items: pairwise comparisons, rankings and ratings.

Judgments refer to items by id; ``indices(items)`` turns them into the integer arrays the
likelihoods in :mod:`valuelearn.inference` take. Cyclic or contradictory judgments (a > b, b > c,
c > a) are legal data: people are inconsistent.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data._items import Items, id_tuple
from valuelearn.exceptions import ValueLearnInputError

#: The three answers to "which is better?", in the order of outcome codes 0, 1, 2.
OUTCOMES = ("a", "b", "equal")


def _raters(rater: Sequence[str | None] | None, n: int, name: str) -> tuple[str | None, ...]:
    if rater is None or (len(rater) == 0 and n > 0):
        return (None,) * n
    if isinstance(rater, str):
        raise ValueLearnInputError(f"`{name}` must be a list (one rater per judgment); got a str.")
    raters = tuple(rater)
    if len(raters) != n:
        raise ValueLearnInputError(f"`{name}` has {len(raters)} entries; expected {n}.")
    for value in raters:
        if value is not None and not isinstance(value, str):
            raise ValueLearnInputError(f"`{name}` must hold strings or None; got {value!r}.")
    return raters


def _first_seen(*groups: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for group in groups for item in group))


@dataclass(frozen=True, eq=False)
class Comparisons:
    """Pairwise judgments "a is better than b", "b is better", or "about equal".

    Parameters
    ----------
    a, b : sequence of item ids, length n_comparisons
    preferred : sequence of {"a", "b", "equal"}, length n_comparisons
    rater : sequence of str or None, optional
        Who answered each question (``None``: unknown); by default nobody is known.

    Raises
    ------
    ValueLearnInputError
        On mismatched lengths, an unknown answer, or an item compared with itself.

    Examples
    --------
    >>> c = Comparisons(["x", "y", "z"], ["y", "z", "x"], ["a", "a", "a"])  # a cycle: legal
    >>> len(c), c.outcomes.tolist(), c.item_ids()
    (3, [0, 0, 0], ('x', 'y', 'z'))
    """

    a: tuple[str, ...]
    b: tuple[str, ...]
    preferred: tuple[str, ...]
    rater: tuple[str | None, ...] = field(default=(), kw_only=True)

    def __post_init__(self) -> None:
        a, b = id_tuple(self.a, "a"), id_tuple(self.b, "b")
        preferred = tuple(self.preferred)
        if not len(a) == len(b) == len(preferred):
            raise ValueLearnInputError(
                f"`a`, `b` and `preferred` must have one entry per comparison; got {len(a)}, "
                f"{len(b)} and {len(preferred)}."
            )
        for index, (first, second, answer) in enumerate(zip(a, b, preferred, strict=True)):
            if answer not in OUTCOMES:
                raise ValueLearnInputError(
                    f"`preferred` entry {index} must be 'a', 'b' or 'equal'; got {answer!r}."
                )
            if first == second:
                raise ValueLearnInputError(
                    f"comparison {index} compares item {first!r} with itself."
                )
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)
        object.__setattr__(self, "preferred", preferred)
        object.__setattr__(self, "rater", _raters(self.rater, len(a), "rater"))

    @classmethod
    def from_outcomes(
        cls,
        items: Items,
        a: ArrayLike,
        b: ArrayLike,
        outcomes: ArrayLike,
        *,
        rater: Sequence[str | None] | None = None,
    ) -> Comparisons:
        """Comparisons from item positions and outcome codes (0: a, 1: b, 2: equal).

        Examples
        --------
        >>> items = Items.from_ids(["x", "y"])
        >>> Comparisons.from_outcomes(items, [0], [1], [1]).preferred
        ('b',)
        """
        codes = np.asarray(outcomes, dtype=np.int64).ravel()
        if codes.size and (codes.min() < 0 or codes.max() > 2):
            raise ValueLearnInputError("`outcomes` must hold 0 (a), 1 (b) or 2 (equal).")
        first = tuple(items.ids[i] for i in np.asarray(a, dtype=np.int64).ravel())
        second = tuple(items.ids[i] for i in np.asarray(b, dtype=np.int64).ravel())
        answers = tuple(OUTCOMES[c] for c in codes)
        return cls(first, second, answers, rater=tuple(rater) if rater is not None else ())

    def __len__(self) -> int:
        return len(self.a)

    @property
    def outcomes(self) -> NDArray[np.int64]:
        """Outcome codes, shape (n_comparisons,): 0 = a preferred, 1 = b, 2 = equal."""
        return np.array([OUTCOMES.index(p) for p in self.preferred], dtype=np.int64)

    def indices(self, items: Items) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
        """Positions of ``a`` and ``b`` among ``items``, each shape (n_comparisons,)."""
        return items.index_of(self.a, what="comparisons"), items.index_of(
            self.b, what="comparisons"
        )

    def item_ids(self) -> tuple[str, ...]:
        """The compared item ids in order of first appearance."""
        return _first_seen(*zip(self.a, self.b, strict=True))

    def select(self, index: ArrayLike) -> Comparisons:
        """The comparisons at positions ``index`` (repeats allowed: bootstrap resampling)."""
        picks = np.asarray(index, dtype=np.int64).ravel()
        return Comparisons(
            tuple(self.a[i] for i in picks),
            tuple(self.b[i] for i in picks),
            tuple(self.preferred[i] for i in picks),
            rater=tuple(self.rater[i] for i in picks),
        )

    def __add__(self, other: Comparisons) -> Comparisons:
        """All comparisons of ``self`` followed by those of ``other``."""
        return Comparisons(
            self.a + other.a,
            self.b + other.b,
            self.preferred + other.preferred,
            rater=self.rater + other.rater,
        )


@dataclass(frozen=True, eq=False)
class Rankings:
    """Rankings of items, each listed best first (a ranking may cover any subset of the items).

    Parameters
    ----------
    orders : sequence of sequences of item ids
        Each with at least two distinct items.
    rater : sequence of str or None, optional

    Examples
    --------
    >>> r = Rankings([["x", "y", "z"], ["z", "x"]])
    >>> len(r), r.item_ids()
    (2, ('x', 'y', 'z'))
    """

    orders: tuple[tuple[str, ...], ...]
    rater: tuple[str | None, ...] = field(default=(), kw_only=True)

    def __post_init__(self) -> None:
        orders = tuple(id_tuple(order, "orders") for order in self.orders)
        for index, order in enumerate(orders):
            if len(order) < 2:
                raise ValueLearnInputError(f"ranking {index} has fewer than two items.")
            if len(set(order)) != len(order):
                raise ValueLearnInputError(f"ranking {index} lists an item twice.")
        object.__setattr__(self, "orders", orders)
        object.__setattr__(self, "rater", _raters(self.rater, len(orders), "rater"))

    def __len__(self) -> int:
        return len(self.orders)

    def indices(self, items: Items) -> list[NDArray[np.int64]]:
        """Each ranking as positions among ``items``, best first."""
        return [items.index_of(order, what="rankings") for order in self.orders]

    def item_ids(self) -> tuple[str, ...]:
        """The ranked item ids in order of first appearance."""
        return _first_seen(*self.orders)

    def select(self, index: ArrayLike) -> Rankings:
        """The rankings at positions ``index`` (repeats allowed)."""
        picks = np.asarray(index, dtype=np.int64).ravel()
        return Rankings(
            tuple(self.orders[i] for i in picks), rater=tuple(self.rater[i] for i in picks)
        )


@dataclass(frozen=True, eq=False)
class Ratings:
    """Ratings of single items on an ordinal scale of consecutive integers.

    Parameters
    ----------
    item : sequence of item ids, length n_ratings
    score : sequence of int, length n_ratings
    rater : sequence of str or None, optional
    scale : (int, int), optional
        The lowest and highest possible score (inclusive); by default the data's own range.

    Examples
    --------
    >>> r = Ratings(["x", "y"], [1, 3], scale=(1, 5))
    >>> r.n_levels, r.levels.tolist()
    (5, [0, 2])
    """

    item: tuple[str, ...]
    score: NDArray[np.int64]
    rater: tuple[str | None, ...] = field(default=(), kw_only=True)
    scale: tuple[int, int] | None = field(default=None, kw_only=True)

    def __post_init__(self) -> None:
        item = id_tuple(self.item, "item")
        score = _integers(self.score, "score")
        if score.size != len(item):
            raise ValueLearnInputError(
                f"`item` and `score` must have one entry per rating; got {len(item)} and "
                f"{score.size}."
            )
        scale = self.scale
        if scale is None:
            if not score.size:
                raise ValueLearnInputError("no ratings and no `scale`; pass scale=(low, high).")
            scale = (int(score.min()), int(score.max()))
        low, high = (int(x) for x in _integers(scale, "scale"))
        if high <= low:
            raise ValueLearnInputError(f"`scale` must be (low, high) with low < high; got {scale}.")
        outside = (score < low) | (score > high)
        if outside.any():
            index = int(np.argmax(outside))
            raise ValueLearnInputError(
                f"rating {index}: score {score[index]} is outside the scale [{low}, {high}]."
            )
        object.__setattr__(self, "item", item)
        object.__setattr__(self, "score", score)
        object.__setattr__(self, "scale", (low, high))
        object.__setattr__(self, "rater", _raters(self.rater, len(item), "rater"))

    def __len__(self) -> int:
        return len(self.item)

    @property
    def n_levels(self) -> int:
        """Number of possible scores ``high - low + 1``."""
        assert self.scale is not None
        return self.scale[1] - self.scale[0] + 1

    @property
    def levels(self) -> NDArray[np.int64]:
        """Scores shifted to ``0 .. n_levels - 1`` (the ordinal classes), shape (n_ratings,)."""
        assert self.scale is not None
        return self.score - self.scale[0]

    def indices(self, items: Items) -> NDArray[np.int64]:
        """Positions of the rated items among ``items``, shape (n_ratings,)."""
        return items.index_of(self.item, what="ratings")

    def item_ids(self) -> tuple[str, ...]:
        """The rated item ids in order of first appearance."""
        return _first_seen(self.item)

    def select(self, index: ArrayLike) -> Ratings:
        """The ratings at positions ``index`` (repeats allowed); the scale is kept."""
        picks = np.asarray(index, dtype=np.int64).ravel()
        return Ratings(
            tuple(self.item[i] for i in picks),
            self.score[picks],
            rater=tuple(self.rater[i] for i in picks),
            scale=self.scale,
        )


def _integers(values: Any, name: str) -> NDArray[np.int64]:
    array = np.asarray(values)
    if array.ndim != 1:
        raise ValueLearnInputError(f"`{name}` must be a flat list of integers.")
    if array.size and not np.issubdtype(array.dtype, np.integer):
        numeric = np.issubdtype(array.dtype, np.number) and array.dtype != bool
        if not numeric or not np.all(np.isfinite(array)) or np.any(array != np.round(array)):
            raise ValueLearnInputError(f"`{name}` must hold integers; got {array.dtype} values.")
    result = array.astype(np.int64)
    result.setflags(write=False)
    return result
