"""PreferenceLaplace: covariance against choix's exact Hessian and finite differences, oracles."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from valuelearn.data import Comparisons, Items, Ratings
from valuelearn.exceptions import ConvergenceWarning, NotFittedError
from valuelearn.inference import PreferenceLaplace, PreferenceMAP, thurstone

FIXTURES = Path(__file__).parents[1] / "fixtures" / "preferences"


def simulated(n_items: int = 12, n: int = 300, seed: int = 0) -> tuple[Items, Comparisons]:
    rng = np.random.default_rng(seed)
    features = rng.normal(size=(n_items, 3))
    a, b = rng.integers(0, n_items, n), rng.integers(0, n_items, n)
    a, b = a[a != b], b[a != b]
    answers = thurstone().sample((features[a] - features[b]) @ [1.0, -0.5, 0.2], rng=seed)
    items = Items([f"i{k}" for k in range(n_items)], features=features)
    return items, Comparisons.from_outcomes(items, a, b, answers)


def test_covariance_is_the_inverse_of_chois_exact_hessian() -> None:
    choix = pytest.importorskip("choix")
    data = json.loads((FIXTURES / "pairwise_small.json").read_text())
    items = Items.from_ids(range(data["n_items"]))
    winners, losers = zip(*data["comparisons"], strict=True)
    comparisons = Comparisons.from_outcomes(items, winners, losers, np.zeros(len(winners)))
    model = PreferenceLaplace(prior_scale=1 / np.sqrt(2 * data["alpha"]), gtol=1e-9)
    model.fit(comparisons, items=items)
    hessian = choix.opt.PairwiseFcts(data["comparisons"], data["alpha"]).hessian(
        np.array(data["opt_pairwise"])
    )
    np.testing.assert_allclose(model.covariance_, np.linalg.inv(hessian), atol=1e-6)


def test_covariance_inverts_the_finite_difference_hessian_with_thresholds() -> None:
    items, comparisons = simulated()
    ratings = Ratings(["i0", "i1", "i2", "i3", "i0"], [1, 2, 3, 3, 2], scale=(1, 3))
    model = PreferenceLaplace(comparison_model="thurstone", noise=0.05, gtol=1e-9)
    model.fit(comparisons, ratings=ratings, items=items)
    params = np.concatenate([model.weights_, model.thresholds_])
    step, eye = 1e-5, np.eye(params.size)
    problem = model.problem_
    hessian = np.array(
        [
            (
                problem.log_posterior(params + step * e).gradient
                - problem.log_posterior(params - step * e).gradient
            )
            / (2 * step)
            for e in eye
        ]
    )
    np.testing.assert_allclose(model.covariance_ @ -hessian, np.eye(params.size), atol=1e-5)
    assert model.covariance_.shape == (5, 5)
    np.testing.assert_allclose(model.utility_std_**2, np.diag(model.utility_covariance()))


def test_a_linear_kernel_is_bayesian_linear_regression() -> None:
    # Oracle: utilities from a GP with kernel X X^T equal the linear model with features X
    items, comparisons = simulated()
    assert items.features is not None
    kernel_items = Items(items.ids, kernel=items.features @ items.features.T)
    linear = PreferenceLaplace(prior_scale=0.7, gtol=1e-9).fit(comparisons, items=items)
    kernel = PreferenceLaplace(prior_scale=0.7, gtol=1e-9).fit(comparisons, items=kernel_items)
    assert kernel.problem_.utility == "kernel" and kernel.weights_.size == 3
    np.testing.assert_allclose(kernel.utilities_, linear.utilities_, atol=1e-6)
    np.testing.assert_allclose(kernel.utility_covariance(), linear.utility_covariance(), atol=1e-6)


def test_predictive_probabilities_average_over_the_posterior() -> None:
    items, comparisons = simulated(n=60)
    model = PreferenceLaplace(comparison_model="thurstone").fit(comparisons, items=items)
    pairs = np.array([[0, 1], [2, 5], [7, 3]])
    draws = model.sample_utilities(40_000, rng=0)
    diff = draws[:, pairs[:, 0]] - draws[:, pairs[:, 1]]
    monte_carlo = model.pairwise_model_.probabilities(diff).mean(axis=0)
    np.testing.assert_allclose(model.predict_proba(pairs), monte_carlo, atol=0.005)
    plug_in = PreferenceMAP.predict_proba(model, pairs)
    assert np.all(np.abs(model.predict_proba(pairs)[:, 0] - 0.5) <= np.abs(plug_in[:, 0] - 0.5))


def test_more_data_shrinks_the_posterior() -> None:
    items, few = simulated(n=40)
    _, many = simulated(n=800)
    small = PreferenceLaplace().fit(few, items=items).utility_std_
    large = PreferenceLaplace().fit(many, items=items).utility_std_
    assert np.all(large < small)


def test_flat_directions_warn() -> None:
    comparisons = Comparisons(["x", "y"], ["y", "z"], ["a", "b"])
    with pytest.warns(ConvergenceWarning, match="not positive definite"):
        model = PreferenceLaplace(prior_scale=None).fit(comparisons)
    assert np.all(np.isfinite(model.covariance_))
    with pytest.raises(NotFittedError):
        PreferenceLaplace().sample_utilities(3)
