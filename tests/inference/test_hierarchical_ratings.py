"""HierarchicalOrdinalRegression: oracles for its two extremes, recovery of rater differences,
predictions for new raters, and errors."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import Items, Ratings
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.inference import HierarchicalOrdinalRegression, PreferenceMAP

WEIGHTS = np.array([1.2, -0.8, 0.4])
LENIENCY = {"harsh": -0.8, "fair": 0.0, "kind": 0.8}  # added to every utility the rater sees


def simulate(n_items: int = 80, seed: int = 0) -> tuple[Items, Ratings]:
    """Three raters who share the weights but use the -2..2 scale with different leniency."""
    rng = np.random.default_rng(seed)
    items = Items([f"i{k}" for k in range(n_items)], features=rng.normal(size=(n_items, 3)))
    assert items.features is not None
    words, scores, raters = [], [], []
    for name, shift in LENIENCY.items():
        latent = items.features @ WEIGHTS + shift + rng.normal(size=n_items)
        scores.extend(np.clip(np.round(latent), -2, 2).astype(int))
        words.extend(items.ids)
        raters.extend([name] * n_items)
    return items, Ratings(words, scores, rater=raters, scale=(-2, 2))


def test_complete_pooling_of_one_rater_is_the_ordinal_map() -> None:
    items, ratings = simulate()
    one = ratings.select(np.flatnonzero(np.array(ratings.rater) == "fair"))
    ours = HierarchicalOrdinalRegression(
        "complete", prior_scale=2.0, threshold_prior_scale=1e4, gtol=1e-8
    ).fit(one, items)
    peer = PreferenceMAP(
        utility="linear", prior_scale=2.0, threshold_prior_scale=1e4, gtol=1e-8
    ).fit(ratings=one, items=items)
    assert np.allclose(ours.weights_[0], peer.weights_, atol=1e-4)
    assert np.allclose(ours.thresholds_[0], peer.thresholds_, atol=1e-4)


def test_no_pooling_fits_every_rater_alone() -> None:
    items, ratings = simulate()
    together = HierarchicalOrdinalRegression("none", gtol=1e-8).fit(ratings, items)
    assert together.raters_ == ("harsh", "fair", "kind")
    assert np.all(together.shared_weights_ == 0.0)
    for r, name in enumerate(together.raters_):
        alone = ratings.select(np.flatnonzero(np.array(ratings.rater) == name))
        single = HierarchicalOrdinalRegression("complete", gtol=1e-8).fit(alone, items)
        assert np.allclose(together.weights_[r], single.weights_[0], atol=1e-5)
        assert np.allclose(together.thresholds_[r], single.thresholds_[0], atol=1e-5)


def test_vanishing_offsets_give_the_pooled_model() -> None:
    items, ratings = simulate()
    pooled = HierarchicalOrdinalRegression("complete", gtol=1e-8).fit(ratings, items)
    tight = HierarchicalOrdinalRegression(tau=1e-3, threshold_tau=1e-3, gtol=1e-6)
    tight.fit(ratings, items)
    assert np.allclose(tight.weights_, pooled.weights_, atol=1e-3)
    assert np.allclose(tight.thresholds_, pooled.thresholds_, atol=1e-3)
    assert np.allclose(pooled.weights_, pooled.shared_weights_)  # every rater the same


def test_partial_pooling_recovers_leniency_in_the_thresholds() -> None:
    items, ratings = simulate(n_items=300)
    model = HierarchicalOrdinalRegression(tau=0.0, threshold_tau=1.0).fit(ratings, items)
    assert np.all(model.weights_ == model.shared_weights_)  # tau = 0 shares the weights
    assert np.allclose(model.shared_weights_, WEIGHTS, atol=0.15)
    # a lenient rater's thresholds sit lower: utility + shift crosses them sooner
    middle = model.thresholds_.mean(axis=1)
    shifts = middle - middle[1]
    assert shifts[0] == pytest.approx(0.8, abs=0.2) and shifts[2] == pytest.approx(-0.8, abs=0.2)


def test_predictions_and_new_raters() -> None:
    items, ratings = simulate()
    model = HierarchicalOrdinalRegression().fit(ratings, items)
    new = Ratings(
        ["i0", "i0", "i1"], [0, 1, -2], rater=["kind", "stranger", "harsh"], scale=(-2, 2)
    )
    probabilities = model.predict_proba(new, items)
    assert probabilities.shape == (3, 5) and np.allclose(probabilities.sum(axis=1), 1.0)
    logs = model.log_likelihood(new, items)
    assert np.allclose(logs, np.log(probabilities[[0, 1, 2], [2, 3, 0]]))
    assert model.score(new, items) == pytest.approx(logs.mean())
    expected = model.expected_rating(new, items)
    assert np.allclose(expected, probabilities @ np.arange(-2, 3))
    # a stranger is predicted with the shared block
    shared = Ratings(["i0"], [0], rater=["someone else"], scale=(-2, 2))
    assert np.allclose(model.predict_proba(shared, items), probabilities[1])
    with pytest.raises(ValueLearnInputError, match="pooling='none' has no model for new raters"):
        HierarchicalOrdinalRegression("none").fit(ratings, items).predict_proba(shared, items)


def test_errors() -> None:
    items, ratings = simulate(n_items=10)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        HierarchicalOrdinalRegression().score(ratings, items)
    with pytest.raises(ValueLearnInputError, match="'pooling' parameter of Hierarchical"):
        HierarchicalOrdinalRegression("some").fit(ratings, items)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'tau' parameter .* >= 0; got -1"):
        HierarchicalOrdinalRegression(tau=-1).fit(ratings, items)
    anonymous = Ratings(["i0", "i1"], [0, 1], scale=(-2, 2))
    with pytest.raises(ValueLearnInputError, match="needs a rater on every rating"):
        HierarchicalOrdinalRegression().fit(anonymous, items)
    assert HierarchicalOrdinalRegression("complete").fit(anonymous, items).raters_ == ("",)
    with pytest.raises(ValueLearnInputError, match="needs items with `features`"):
        HierarchicalOrdinalRegression().fit(ratings, Items.from_ids(items.ids))
    model = HierarchicalOrdinalRegression().fit(ratings, items)
    with pytest.raises(ValueLearnInputError, match=r"scale \(-3, 3\), but the model was fitted"):
        model.score(Ratings(["i0"], [0], rater=["fair"], scale=(-3, 3)), items)
