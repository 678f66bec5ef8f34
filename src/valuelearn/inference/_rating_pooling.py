"""Held-out comparison of no pooling, complete pooling and partial pooling of raters.

:func:`compare_pooling` tunes each model's prior scales on the same validation part of the
training ratings, refits the chosen settings on all training ratings and scores the held-out
ratings: mean log-likelihood per rating and the root mean squared error of the expected rating.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import Items, Ratings
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference._hierarchical_ratings import HierarchicalOrdinalRegression, Pooling

Grid = Mapping[str, Sequence[float]]
_ORDER: tuple[Pooling, ...] = ("complete", "none", "partial")  # partial borrows complete's scale

#: The settings tried for each model unless ``grids`` says otherwise. The partial model takes
#: ``prior_scale`` from the complete model's choice (the shared block is the pooled one at tau=0).
DEFAULT_GRIDS: dict[str, dict[str, tuple[float, ...]]] = {
    "complete": {"prior_scale": (0.3, 1.0, 3.0)},
    "none": {"prior_scale": (0.3, 1.0, 3.0)},
    "partial": {"tau": (0.0, 0.03, 0.1, 0.3), "threshold_tau": (0.03, 0.1, 0.3)},
}


def split_ratings(
    ratings: Ratings, *, test_fraction: float = 0.2, rng: RandomLike = None
) -> tuple[Ratings, Ratings]:
    """Hold out a random ``round(test_fraction * n)`` of the ratings; return ``(train, test)``.

    Both keep the original order of the ratings.

    Examples
    --------
    >>> ratings = Ratings(["a", "b", "c", "d", "e"], [1, 2, 3, 4, 5])
    >>> train, test = split_ratings(ratings, test_fraction=0.4, rng=0)
    >>> len(train), len(test), sorted(train.item + test.item)
    (3, 2, ['a', 'b', 'c', 'd', 'e'])
    """
    if not (0.0 < test_fraction < 1.0):
        raise ValueLearnInputError(
            "The 'test_fraction' parameter of split_ratings must be in (0, 1); got "
            f"{test_fraction!r} instead."
        )
    n = len(ratings)
    order = as_generator(rng).permutation(n)
    n_test = round(test_fraction * n)
    if not 0 < n_test < n:
        raise ValueLearnInputError(f"cannot hold out {test_fraction:g} of {n} ratings.")
    return ratings.select(np.sort(order[n_test:])), ratings.select(np.sort(order[:n_test]))


def select_settings(
    pooling: Pooling,
    grid: Grid,
    fit_part: Ratings,
    validation: Ratings,
    items: Items,
    **fixed: float,
) -> tuple[dict[str, float], tuple[tuple[dict[str, float], float], ...]]:
    """The grid point with the best validation mean log-likelihood, and every point's score.

    Fits run along the grid in order, each starting from the previous solution.
    """
    names = list(grid)
    model = HierarchicalOrdinalRegression(pooling, warm_start=True, **fixed)  # type: ignore[arg-type]
    scores = []
    for values in itertools.product(*(grid[name] for name in names)):
        settings = dict(zip(names, (float(v) for v in values), strict=True))
        for name, value in settings.items():
            setattr(model, name, value)
        model.fit(fit_part, items)
        scores.append((settings, model.score(validation, items)))
    best = max(scores, key=lambda pair: pair[1])[0]
    return best, tuple(scores)


@dataclass(frozen=True)
class PoolingResult:
    """One model's held-out performance in :func:`compare_pooling`.

    Attributes
    ----------
    pooling : {"none", "complete", "partial"}
    settings : dict
        The chosen hyper-parameters.
    log_likelihood : float
        Mean held-out log-likelihood per rating.
    rmse : float
        Root mean squared error of the expected rating.
    per_rating : array, shape (n_test,)
        Held-out log-likelihood of each rating (for paired comparisons).
    validation : tuple of (settings, score)
        Every grid point's validation mean log-likelihood.
    model : HierarchicalOrdinalRegression
        Refitted on all training ratings.
    """

    pooling: str
    settings: dict[str, float]
    log_likelihood: float
    rmse: float
    per_rating: NDArray[np.float64] = field(repr=False)
    validation: tuple[tuple[dict[str, float], float], ...] = field(repr=False)
    model: HierarchicalOrdinalRegression = field(repr=False)


def compare_pooling(
    train: Ratings,
    test: Ratings,
    items: Items,
    *,
    grids: Mapping[str, Grid] | None = None,
    validation_fraction: float = 0.2,
    rng: RandomLike = None,
    gtol: float = 1e-5,
) -> dict[str, PoolingResult]:
    """Fit per-rater, pooled and hierarchical ordinal models; score them on held-out ratings.

    Each model picks its settings from ``grids[pooling]`` by the mean log-likelihood on one
    random ``validation_fraction`` of ``train`` (the same part for all three), is refitted on all
    of ``train`` and scored on ``test``.

    Parameters
    ----------
    train, test : Ratings
        With raters; ``test`` raters should appear in ``train``.
    items : Items
        With features.
    grids : mapping, optional
        ``{"none" | "complete" | "partial": {setting: values}}``; missing models use
        :data:`DEFAULT_GRIDS`. Unless the partial grid names ``prior_scale``, the complete
        model's choice is used.
    validation_fraction : float
    rng : Generator, int or None
        Draws the validation part.
    gtol : float
        Passed to every fit (largest gradient entry per rating; 1e-5 moves held-out
        log-likelihoods by less than 1e-5).

    Returns
    -------
    dict
        ``{"none": PoolingResult, "complete": ..., "partial": ...}``.

    References
    ----------
    Gelman & Hill (2007), *Data Analysis Using Regression and Multilevel/Hierarchical Models*,
    section 12.2 (no pooling, complete pooling and partial pooling compared).

    Examples
    --------
    >>> rng = np.random.default_rng(1)
    >>> items = Items([f"w{i}" for i in range(60)], features=rng.normal(size=(60, 2)))
    >>> lean = np.repeat([[-0.8], [0.0], [0.8]], 60, axis=0).ravel()  # raters' leniency
    >>> truth = np.tile(items.features @ [1.5, -1.0], 3)
    >>> scores = np.clip(np.round(truth + lean + rng.normal(size=180)), -2, 2).astype(int)
    >>> ratings = Ratings(np.tile(items.ids, 3), scores, rater=np.repeat(["a", "b", "c"], 60),
    ...                   scale=(-2, 2))
    >>> train, test = split_ratings(ratings, rng=2)
    >>> grids = {"none": {"prior_scale": [1.0]}, "complete": {"prior_scale": [1.0]},
    ...          "partial": {"tau": [0.1], "threshold_tau": [1.0]}}
    >>> results = compare_pooling(train, test, items, grids=grids, rng=3)
    >>> sorted(results, key=lambda name: results[name].log_likelihood)[-1]
    'partial'
    """
    chosen = {**DEFAULT_GRIDS, **(grids or {})}
    for name in chosen:
        if name not in DEFAULT_GRIDS:
            raise ValueLearnInputError(
                f"The 'grids' parameter of compare_pooling names {name!r}; the models are "
                "'none', 'complete' and 'partial'."
            )
    fit_part, validation = split_ratings(train, test_fraction=validation_fraction, rng=rng)
    results: dict[str, PoolingResult] = {}
    for pooling in _ORDER:
        grid = dict(chosen[pooling])
        fixed: dict[str, float] = {"gtol": gtol}
        if pooling == "partial" and "prior_scale" not in grid:
            fixed["prior_scale"] = results["complete"].settings["prior_scale"]
        best, scores = select_settings(pooling, grid, fit_part, validation, items, **fixed)
        model = HierarchicalOrdinalRegression(pooling, **fixed, **best).fit(train, items)  # type: ignore[arg-type]
        per_rating = model.log_likelihood(test, items)
        error = model.expected_rating(test, items) - test.score
        results[pooling] = PoolingResult(
            pooling,
            {**{k: v for k, v in fixed.items() if k != "gtol"}, **best},
            float(np.mean(per_rating)),
            float(np.sqrt(np.mean(error**2))),
            per_rating,
            scores,
            model,
        )
    return {name: results[name] for name in ("none", "complete", "partial")}
