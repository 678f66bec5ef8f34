"""Pairwise likelihoods: numeric anchors, exact derivatives, posterior predictive, sampling."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.special import expit, ndtr

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import (
    PairwiseModel,
    bradley_terry,
    pairwise_log_likelihood,
    thurstone,
    weak_comparison,
)

MODELS = {
    "bt": bradley_terry(),
    "bt-noise": bradley_terry(noise=0.1),
    "thurstone": thurstone(),
    "thurstone-noise": thurstone(sigma=0.5, noise=0.2),
    "weak": weak_comparison(0.7),
    "weak-probit-noise": weak_comparison(0.3, link="probit", noise=0.1),
}
DIFFS = np.array([-40.0, -6.0, -1.0, -0.2, 0.0, 0.3, 2.0, 7.0, 40.0])


def test_bradley_terry_anchors_with_and_without_christiano_noise() -> None:
    # algorithms.md 4.5: a ln 3 gap gives 0.75, and 0.725 with 10% random answers
    assert bradley_terry().probabilities(np.log(3.0))[0] == pytest.approx(0.75, abs=1e-12)
    noisy = bradley_terry(noise=0.1).probabilities(np.log(3.0))
    np.testing.assert_allclose(noisy, [0.725, 0.275, 0.0], atol=1e-12)
    assert noisy[0] == pytest.approx(0.9 * 0.75 + 0.05)


def test_thurstone_anchor() -> None:
    # algorithms.md 4.5: f(v) - f(u) = 1, sigma = 1 gives Phi(1 / sqrt 2) = 0.76025
    assert thurstone().probabilities(1.0)[0] == pytest.approx(0.76025, abs=5e-6)
    assert thurstone(sigma=2.0).probabilities(2.0)[0] == pytest.approx(ndtr(1 / np.sqrt(2)))


def test_weak_comparison_matches_the_aprel_formulas() -> None:
    width, diff = 0.4, np.array([-1.3, 0.0, 0.25, 2.0])
    p = weak_comparison(width).probabilities(diff)
    p_a = 1 / (1 + np.exp(width - diff))  # APReL: 1 / (1 + exp(delta + R_B - R_A))
    p_b = 1 / (1 + np.exp(width + diff))
    np.testing.assert_allclose(p[:, 0], p_a, rtol=1e-12)
    np.testing.assert_allclose(p[:, 1], p_b, rtol=1e-12)
    np.testing.assert_allclose(p[:, 2], (np.exp(2 * width) - 1) * p_a * p_b, rtol=1e-12)


@pytest.mark.parametrize("name", MODELS)
def test_probabilities_sum_to_one_and_keep_the_noise_floor(name: str) -> None:
    model = MODELS[name]
    p = model.probabilities(DIFFS)
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, atol=1e-12)
    k = model.n_outcomes
    assert p[:, :k].min() >= model.noise / k - 1e-15
    if model.n_outcomes == 2:
        assert np.all(p[:, 2] == 0.0)
    np.testing.assert_allclose(p[:, 0], model.probabilities(-DIFFS)[:, 1], atol=1e-15)  # a <-> b


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("outcome", [0, 1, 2])
def test_log_likelihood_terms_and_derivatives(name: str, outcome: int) -> None:
    model = MODELS[name]
    codes = np.full(DIFFS.size, outcome)
    log_p, first, second = model.log_likelihood_terms(DIFFS, codes)
    p = model.probabilities(DIFFS)
    if outcome < 2 or model.n_outcomes == 3:
        inside = np.abs(DIFFS) < 10  # where the probabilities themselves are accurate
        np.testing.assert_allclose(log_p[inside], np.log(p[inside, outcome]), rtol=1e-10)
    else:  # a strict model reads "equal" as the label distribution (0.5, 0.5)
        np.testing.assert_allclose(log_p, 0.5 * np.log(p[:, 0] * p[:, 1]), rtol=1e-10)
    step = 1e-5
    up = model.log_likelihood_terms(DIFFS + step, codes)
    down = model.log_likelihood_terms(DIFFS - step, codes)
    np.testing.assert_allclose(first, (up[0] - down[0]) / (2 * step), atol=1e-7)
    np.testing.assert_allclose(second, (up[1] - down[1]) / (2 * step), atol=1e-7)
    assert np.all(np.isfinite(log_p))


def test_pairwise_log_likelihood_gradient_and_hessian_match_finite_differences() -> None:
    rng = np.random.default_rng(0)
    u = rng.normal(size=5)
    a, b = np.array([0, 1, 2, 3, 4, 0]), np.array([1, 2, 3, 4, 0, 2])
    outcomes = np.array([0, 1, 2, 0, 0, 1])
    model = weak_comparison(0.5, noise=0.05)
    result = pairwise_log_likelihood(u, a, b, outcomes, model, hessian=True)
    step, eye = 1e-6, np.eye(5)

    def at(x: np.ndarray) -> tuple[float, np.ndarray]:
        ll = pairwise_log_likelihood(x, a, b, outcomes, model)
        return ll.value, ll.gradient

    gradient = [(at(u + step * e)[0] - at(u - step * e)[0]) / (2 * step) for e in eye]
    hessian = [(at(u + step * e)[1] - at(u - step * e)[1]) / (2 * step) for e in eye]
    np.testing.assert_allclose(result.gradient, gradient, atol=1e-7)
    np.testing.assert_allclose(result.hessian.toarray(), hessian, atol=1e-7)
    assert result.gradient.sum() == pytest.approx(0.0, abs=1e-12)  # a common shift is invisible


@pytest.mark.parametrize("model", [thurstone(sigma=0.7), weak_comparison(0.5, link="probit")])
def test_probit_predictive_probabilities_are_exact(model: PairwiseModel) -> None:
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    mean, variance = 0.8, 2.5
    draws = mean + np.sqrt(variance) * nodes
    expected = weights @ model.probabilities(draws) / weights.sum()
    np.testing.assert_allclose(model.probabilities(mean, variance=variance), expected, atol=1e-10)


def test_logistic_predictive_uses_mackays_approximation() -> None:
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    for mean, variance in [(0.5, 1.0), (2.0, 4.0), (-1.0, 0.3)]:
        exact = weights @ expit(mean + np.sqrt(variance) * nodes) / weights.sum()
        approx = bradley_terry().probabilities(mean, variance=variance)[0]
        assert approx == pytest.approx(expit(mean / np.sqrt(1 + np.pi * variance / 8)))
        assert abs(approx - exact) < 0.01


def test_sample_follows_the_probabilities() -> None:
    model = weak_comparison(0.5, noise=0.1)
    diff = np.full(20_000, 0.3)
    counts = np.bincount(model.sample(diff, rng=1), minlength=3) / diff.size
    np.testing.assert_allclose(counts, model.probabilities(0.3), atol=0.01)
    np.testing.assert_array_equal(model.sample(diff[:5], rng=2), model.sample(diff[:5], rng=2))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"link": "cauchy"}, "'link' parameter of PairwiseModel must be 'logistic' or 'probit'"),
        ({"scale": 0.0}, "'scale' parameter of PairwiseModel must be a finite number > 0"),
        ({"width": -1.0}, "'width' parameter of PairwiseModel must be a finite number >= 0"),
        ({"noise": 1.0}, r"'noise' parameter of PairwiseModel must be a finite number in \[0, 1\)"),
    ],
)
def test_model_parameters_are_checked(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueLearnInputError, match=message):
        PairwiseModel(**kwargs)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="'width' parameter of weak_comparison"):
        weak_comparison(0.0)
