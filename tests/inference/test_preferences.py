"""PreferenceMAP: agreement with choix on shared fixtures, cyclic data, recovery, the contract."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.exceptions import ConvergenceWarning, NotFittedError, ValueLearnInputError
from valuelearn.inference import PreferenceMAP, thurstone

FIXTURES = Path(__file__).parents[1] / "fixtures" / "preferences"
PAIRWISE = sorted(p.stem for p in FIXTURES.glob("pairwise_*.json"))


def fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / f"{name}.json").read_text())  # type: ignore[no-any-return]


def fixture_comparisons(data: dict[str, Any]) -> tuple[Items, Comparisons]:
    items = Items.from_ids(range(data["n_items"]))
    winners, losers = zip(*data["comparisons"], strict=True)
    return items, Comparisons.from_outcomes(items, winners, losers, np.zeros(len(winners)))


def choix_scale(alpha: float) -> float:
    """choix's penalty ``alpha ||theta||^2`` is a N(0, 1 / (2 alpha)) prior (docs: 1 / alpha)."""
    return float(1.0 / np.sqrt(2.0 * alpha))


@pytest.mark.parametrize("name", PAIRWISE)
def test_item_bradley_terry_map_agrees_with_choix(name: str) -> None:
    data = fixture(name)
    items, comparisons = fixture_comparisons(data)
    model = PreferenceMAP(prior_scale=choix_scale(data["alpha"]), gtol=1e-9)
    model.fit(comparisons, items=items)
    np.testing.assert_allclose(model.utilities_, data["opt_pairwise"], atol=1e-6)
    assert model.converged_


@pytest.mark.parametrize("name", [n for n in PAIRWISE if "ilsr_pairwise" in fixture(n)])
def test_item_bradley_terry_maximum_likelihood_agrees_with_choix_ilsr(name: str) -> None:
    data = fixture(name)
    items, comparisons = fixture_comparisons(data)
    model = PreferenceMAP(prior_scale=None, gtol=1e-9).fit(comparisons, items=items)
    centred = model.utilities_ - model.utilities_.mean()
    np.testing.assert_allclose(centred, data["ilsr_pairwise"], atol=1e-6)


def test_plackett_luce_map_agrees_with_choix() -> None:
    data = fixture("rankings_small")
    items = Items.from_ids(range(data["n_items"]))
    model = PreferenceMAP(prior_scale=choix_scale(data["alpha"]), gtol=1e-9)
    model.fit(rankings=Rankings(data["rankings"]), items=items)
    np.testing.assert_allclose(model.utilities_, data["opt_rankings"], atol=1e-6)


@pytest.mark.parametrize("name", PAIRWISE)
def test_fixtures_match_choix_live(name: str) -> None:
    choix = pytest.importorskip("choix")
    data = fixture(name)
    live = choix.opt_pairwise(data["n_items"], data["comparisons"], alpha=data["alpha"], tol=1e-12)
    np.testing.assert_allclose(live, data["opt_pairwise"], atol=1e-8)


@pytest.mark.parametrize("comparison_model", ["bt", "thurstone", "weak"])
@pytest.mark.parametrize("prior_scale", [1.0, None])
def test_cyclic_comparisons_give_equal_utilities(
    comparison_model: str, prior_scale: float | None
) -> None:
    cycle = Comparisons(["x", "y", "z"], ["y", "z", "x"], ["a", "a", "a"])
    contradiction = Comparisons(["x", "y"], ["y", "x"], ["a", "a"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        model = PreferenceMAP(comparison_model=comparison_model, prior_scale=prior_scale)  # type: ignore[arg-type]
        model.fit(cycle + contradiction)
    np.testing.assert_allclose(model.utilities_, 0.0, atol=1e-9)
    assert model.converged_
    np.testing.assert_allclose(
        model.predict_proba([["x", "z"]])[0, 0], model.predict_proba([["z", "x"]])[0, 0]
    )


def test_linear_utilities_recover_the_true_weights() -> None:
    rng = np.random.default_rng(0)
    features = rng.normal(size=(40, 3))
    truth = np.array([1.5, -1.0, 0.5])
    items = Items([f"i{k}" for k in range(40)], features=features)
    a, b = rng.integers(0, 40, 3000), rng.integers(0, 40, 3000)
    a, b = a[a != b], b[a != b]
    model = thurstone(sigma=0.5)
    answers = model.sample((features[a] - features[b]) @ truth, rng=1)
    fitted = PreferenceMAP(comparison_model=model, prior_scale=10.0).fit(
        Comparisons.from_outcomes(items, a, b, answers), items=items
    )
    cosine = fitted.weights_ @ truth / np.linalg.norm(fitted.weights_) / np.linalg.norm(truth)
    assert cosine > 0.995
    np.testing.assert_allclose(fitted.weights_, truth, rtol=0.15)
    np.testing.assert_allclose(fitted.predict_utility(features[:3]), fitted.utilities_[:3])


def test_ratings_recover_the_order_and_increasing_thresholds() -> None:
    rng = np.random.default_rng(2)
    truth = np.linspace(-2.0, 2.0, 8)
    item = rng.integers(0, 8, 600)
    latent = truth[item] + rng.normal(size=item.size)
    score = np.digitize(latent, [-1.5, -0.5, 0.5, 1.5]) + 1  # 1 .. 5
    ids = [f"w{k}" for k in range(8)]
    ratings = Ratings([ids[i] for i in item], score, scale=(1, 5))
    model = PreferenceMAP(prior_scale=5.0).fit(ratings=ratings, items=Items.from_ids(ids))
    assert model.ranking_ == tuple(reversed(ids))
    assert np.all(np.diff(model.thresholds_) > 0) and model.thresholds_.size == 4
    # utilities and thresholds are identified together only up to a shift
    np.testing.assert_allclose(np.diff(model.utilities_), np.diff(truth), atol=0.25)
    assert model.score(ratings=ratings) == pytest.approx(model.log_likelihood_ / 600)


def test_unobserved_top_level_keeps_thresholds_finite() -> None:
    ratings = Ratings(["x", "y", "x"], [1, 2, 2], scale=(1, 4))
    model = PreferenceMAP().fit(ratings=ratings)
    assert np.all(np.isfinite(model.thresholds_)) and model.converged_


def test_mixed_judgments_share_one_utility_scale() -> None:
    comparisons = Comparisons(["a", "b"], ["b", "c"], ["a", "a"])
    rankings = Rankings([["a", "c", "b"]])
    ratings = Ratings(["a", "c"], [5, 1], scale=(1, 5))
    model = PreferenceMAP().fit(comparisons, rankings=rankings, ratings=ratings)
    assert model.ranking_[0] == "a" and model.items_.ids == ("a", "b", "c")
    total = model.score(comparisons, rankings=rankings, ratings=ratings)
    assert total == pytest.approx(model.log_likelihood_ / 5)  # 2 + 1 + 2 judgments


def test_predict_proba_accepts_ids_or_positions() -> None:
    model = PreferenceMAP(noise=0.1).fit(Comparisons(["x", "y"], ["y", "z"], ["a", "a"]))
    by_id = model.predict_proba([["x", "z"], ["z", "x"]])
    by_position = model.predict_proba(np.array([[0, 2], [2, 0]]))
    np.testing.assert_array_equal(by_id, by_position)
    assert by_id[0, 0] > 0.5 and by_id[0, 0] < 0.95  # the noise caps confidence at 0.95
    np.testing.assert_allclose(by_id.sum(axis=1), 1.0)


def test_estimator_contract_and_errors() -> None:
    comparisons = Comparisons(["x"], ["y"], ["a"])
    with pytest.raises(NotFittedError, match="not fitted yet"):
        PreferenceMAP().predict_proba([["x", "y"]])
    bad = [
        (PreferenceMAP(prior_scale=-1.0), "'prior_scale' parameter of PreferenceMAP must be"),
        (PreferenceMAP(comparison_model="luce"), "'comparison_model' parameter of PreferenceMAP"),  # type: ignore[arg-type]
        (PreferenceMAP(utility="linear"), "utility='linear' needs items with features"),
        (PreferenceMAP(utility="tree"), "'utility' parameter of PreferenceMAP must be"),  # type: ignore[arg-type]
    ]
    for model, message in bad:
        with pytest.raises(ValueLearnInputError, match=message):
            model.fit(comparisons)
    with pytest.raises(ValueLearnInputError, match="at least one comparison, ranking or rating"):
        PreferenceMAP().fit(Comparisons([], [], []), items=Items.from_ids(["x"]))
    fitted = PreferenceMAP().fit(comparisons)
    with pytest.raises(ValueLearnInputError, match=r"positions outside \[0, 2\)"):
        fitted.predict_proba([[0, 5]])
    with pytest.raises(ValueLearnInputError, match="pairs name item 'q'"):
        fitted.predict_proba([["x", "q"]])
    with pytest.raises(ValueLearnInputError, match="needs a model with linear utilities"):
        fitted.predict_utility([[1.0]])
    assert PreferenceMAP().fit(comparisons) is not fitted  # fit returns self, a new one here


def test_convergence_warning() -> None:
    comparisons = Comparisons(["x", "y", "z"], ["y", "z", "w"], ["a", "a", "a"])
    with pytest.warns(ConvergenceWarning, match="stopped after 1 L-BFGS-B iterations"):
        model = PreferenceMAP(max_iter=1).fit(comparisons)
    assert not model.converged_
