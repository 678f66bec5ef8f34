"""Held-out comparison of per-rater, pooled and hierarchical rating models, on simulated raters
and on VADER's real ones."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from valuelearn.data import Items, Ratings, vader_ratings
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import compare_pooling, split_ratings

SMALL_GRIDS = {
    "none": {"prior_scale": [1.0]},
    "complete": {"prior_scale": [1.0]},
    "partial": {"tau": [0.0, 0.03], "threshold_tau": [0.1]},
}


def test_split_holds_out_a_seeded_fifth() -> None:
    ratings = Ratings([f"w{i}" for i in range(50)], np.arange(50) % 5, rater=["a"] * 50)
    train, test = split_ratings(ratings, rng=7)
    assert (len(train), len(test)) == (40, 10)
    assert sorted(train.item + test.item) == sorted(ratings.item)
    again = split_ratings(ratings, rng=7)[1]
    assert again.item == test.item and list(test.item) == sorted(test.item, key=ratings.item.index)
    assert test.scale == ratings.scale
    with pytest.raises(ValueLearnInputError, match="'test_fraction' parameter of split_ratings"):
        split_ratings(ratings, test_fraction=1.0)
    with pytest.raises(ValueLearnInputError, match="cannot hold out 0.01 of 50 ratings"):
        split_ratings(ratings, test_fraction=0.01)


def test_raters_with_their_own_leniency_favour_partial_pooling() -> None:
    """Twelve raters share the weights; each shifts the scale by their own leniency."""
    rng = np.random.default_rng(0)
    n_items, raters = 150, [f"r{k}" for k in range(12)]
    items = Items([f"i{k}" for k in range(n_items)], features=rng.normal(size=(n_items, 4)))
    assert items.features is not None
    leniency = rng.normal(scale=0.6, size=len(raters))
    latent = items.features @ [1.0, -0.7, 0.5, 0.0] + leniency[:, None]
    noisy = latent + rng.normal(size=latent.shape)
    scores = np.clip(np.round(noisy), -3, 3).astype(int).ravel()
    ratings = Ratings(
        np.tile(items.ids, len(raters)), scores, rater=np.repeat(raters, n_items), scale=(-3, 3)
    )
    train, test = split_ratings(ratings, rng=1)
    results = compare_pooling(train, test, items, grids=SMALL_GRIDS, rng=2)
    ll = {name: result.log_likelihood for name, result in results.items()}
    assert ll["partial"] > ll["complete"] + 0.02 and ll["partial"] > ll["none"] + 0.005
    assert results["partial"].settings == {"prior_scale": 1.0, "tau": 0.0, "threshold_tau": 0.1}
    assert results["partial"].per_rating.shape == (len(test),)
    assert len(results["partial"].validation) == 2
    with pytest.raises(ValueLearnInputError, match="names 'mixed'; the models are"):
        compare_pooling(train, test, items, grids={"mixed": {"tau": [1.0]}})


@pytest.mark.skipif(
    importlib.util.find_spec("vaderSentiment") is None,
    reason="vaderSentiment is not installed (pip install 'valuelearn[data]'; `make test` does)",
)
def test_on_vader_the_hierarchical_model_beats_both() -> None:
    """3,000 random VADER words (30,000 ratings), 64 hashed n-gram features, held-out fifth."""
    items, ratings = vader_ratings(n_buckets=64)
    assert items.features is not None
    rng = np.random.default_rng(0)
    keep = np.zeros(items.n_items, dtype=bool)
    keep[rng.choice(items.n_items, 3000, replace=False)] = True
    ratings = ratings.select(np.flatnonzero(keep[ratings.indices(items)]))
    words = Items(np.array(items.ids)[keep], features=items.features[keep])
    train, test = split_ratings(ratings, rng=rng)
    results = compare_pooling(train, test, words, grids=SMALL_GRIDS, rng=rng)
    ll = {name: round(result.log_likelihood, 4) for name, result in results.items()}
    assert ll["partial"] > ll["complete"] > ll["none"], ll
    assert results["partial"].rmse < results["none"].rmse
