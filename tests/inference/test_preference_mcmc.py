"""PreferenceMCMC: the sampled posterior against quadrature, Laplace, and its own draws."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, log_expit

from valuelearn.data import Comparisons, Items, Ratings
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.inference import GaussianPrior, LaplacePrior, PreferenceLaplace, PreferenceMCMC

# One feature per item, so the posterior is over one weight and quadrature gives it exactly.
X = np.array([-1.0, -0.4, 0.3, 1.2])
PAIRS = [(3, 0), (2, 1), (3, 1), (2, 0), (1, 0), (3, 2), (0, 3)]  # (winner, loser): one upset


def one_weight_data() -> tuple[Items, Comparisons]:
    items = Items(["a", "b", "c", "d"], features=X[:, None])
    winners, losers = zip(*PAIRS, strict=True)
    return items, Comparisons.from_outcomes(items, winners, losers, np.zeros(len(PAIRS)))


def quadrature(log_prior: np.ndarray, grid: np.ndarray) -> tuple[float, float]:
    """Posterior mean and standard deviation of the weight under Bradley–Terry, on a grid."""
    margins = np.array([X[winner] - X[loser] for winner, loser in PAIRS])
    log_post = log_prior + log_expit(np.outer(grid, margins)).sum(axis=1)
    density = np.exp(log_post - log_post.max())
    density /= density.sum()
    mean = float(grid @ density)
    return mean, float(np.sqrt(((grid - mean) ** 2) @ density))


@pytest.mark.parametrize("prior", ["gaussian", "laplace"])
def test_posterior_moments_match_quadrature(prior: str) -> None:
    items, comparisons = one_weight_data()
    grid = np.linspace(-15.0, 25.0, 40001)
    if prior == "gaussian":
        weight_prior, log_prior = None, -0.5 * (grid / 2.0) ** 2
    else:
        weight_prior, log_prior = LaplacePrior(0.0, 1.5), -np.abs(grid) / 1.5
    exact_mean, exact_sd = quadrature(log_prior, grid)
    model = PreferenceMCMC(
        prior_scale=2.0,
        weight_prior=weight_prior,
        n_samples=2500,
        burn_in=400,
        n_leapfrog=4,
        random_state=1,
    ).fit(comparisons, items=items)
    draws = model.samples_[:, 0]
    standard_error = exact_sd / np.sqrt(model.ess_[0])
    assert model.ess_[0] > 400
    assert abs(draws.mean() - exact_mean) < 4 * standard_error
    assert draws.std() == pytest.approx(exact_sd, rel=0.1)
    # the posterior is skewed: its mean is not the MAP the Laplace approximation centres on
    laplace = PreferenceLaplace(prior_scale=2.0).fit(comparisons, items=items)
    if prior == "gaussian":
        assert abs(laplace.weights_[0] - exact_mean) > 10 * standard_error
    np.testing.assert_allclose(model.utilities_, X * draws.mean(), rtol=1e-12)


def test_many_judgments_agree_with_laplace() -> None:
    rng = np.random.default_rng(3)
    features = rng.normal(size=(10, 2))
    a, b = rng.integers(0, 10, 800), rng.integers(0, 10, 800)
    a, b = a[a != b], b[a != b]
    p_a = expit((features[a] - features[b]) @ [1.0, -0.7])
    outcomes = (rng.random(a.size) > p_a).astype(int)
    items = Items([f"i{k}" for k in range(10)], features=features)
    comparisons = Comparisons.from_outcomes(items, a, b, outcomes)
    laplace = PreferenceLaplace().fit(comparisons, items=items)
    model = PreferenceMCMC(n_samples=800, burn_in=300, n_leapfrog=5, random_state=0)
    model.fit(comparisons, items=items)
    scale = np.sqrt(np.diag(laplace.covariance_))
    # means within a third of a posterior sd (Monte Carlo error plus the posterior's slight skew)
    assert np.all(np.abs(model.weights_ - laplace.weights_) < 0.35 * scale)
    np.testing.assert_allclose(model.samples_.std(axis=0), scale, rtol=0.12)
    np.testing.assert_allclose(model.utility_std_, laplace.utility_std_, rtol=0.12)


def test_predictions_average_over_the_draws() -> None:
    items, comparisons = one_weight_data()
    model = PreferenceMCMC(n_samples=300, burn_in=200, n_leapfrog=8, random_state=2)
    model.fit(comparisons, items=items)
    u = model.utility_samples_
    expected = np.mean(expit(u[:, 3] - u[:, 0]))
    probabilities = model.predict_proba([["d", "a"], ["a", "d"]])
    np.testing.assert_allclose(probabilities[0], [expected, 1 - expected, 0.0], atol=1e-12)
    np.testing.assert_allclose(probabilities[1], [1 - expected, expected, 0.0], atol=1e-12)
    assert model.probability_greater("d", "a") == pytest.approx(np.mean(u[:, 3] > u[:, 0]))
    interval = model.credible_interval(0.8)
    np.testing.assert_allclose(interval[3], np.quantile(u[:, 3], [0.1, 0.9]))
    assert model.sample_utilities(7, rng=0).shape == (7, 4)
    assert model.ranking_ == ("d", "c", "b", "a")


def test_rating_thresholds_stay_ordered_in_every_draw() -> None:
    ratings = Ratings(
        ["x", "x", "y", "y", "z", "z", "w", "w"], [1, 2, 2, 3, 3, 4, 4, 4], scale=(1, 4)
    )
    model = PreferenceMCMC(n_samples=800, burn_in=400, n_leapfrog=8, random_state=0)
    model.fit(ratings=ratings)
    thresholds = model.samples_[:, model.problem_.n_weights :]
    assert thresholds.shape == (800, 3)
    assert np.all(np.diff(thresholds, axis=1) > 0)
    assert model.ranking_[0] == "w" and model.ranking_[-1] == "x"


def test_bad_settings_and_unfitted_use() -> None:
    items, comparisons = one_weight_data()
    with pytest.raises(NotFittedError, match="PreferenceMCMC instance is not fitted"):
        PreferenceMCMC().predict_proba([["a", "b"]])
    with pytest.raises(ValueLearnInputError, match="'prior_scale' parameter of PreferenceMCMC"):
        PreferenceMCMC(prior_scale=None).fit(comparisons, items=items)
    with pytest.raises(ValueLearnInputError, match="'n_samples' parameter .* integer >= 1"):
        PreferenceMCMC(n_samples=0).fit(comparisons, items=items)
    with pytest.raises(ValueLearnInputError, match="'burn_in' parameter .* got -1 instead"):
        PreferenceMCMC(burn_in=-1).fit(comparisons, items=items)
    model = PreferenceMCMC(
        prior_scale=None, weight_prior=GaussianPrior(0.0, 2.0), n_samples=50, burn_in=50
    ).fit(comparisons, items=items)
    with pytest.raises(ValueLearnInputError, match="'level' parameter of credible_interval"):
        model.credible_interval(1.0)
