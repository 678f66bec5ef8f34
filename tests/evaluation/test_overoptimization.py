import numpy as np
import pytest

from valuelearn.evaluation import (
    best_of_n_kl,
    best_of_n_outcomes,
    fit_gao,
    gao_best_of_n,
    gao_rl,
)
from valuelearn.exceptions import ValueLearnInputError


def test_best_of_n_kl_matches_the_published_anchors():
    # Gao et al. (2023): n = 1000 "about 6 nats", n = 60,000 "about 10 nats"
    kl = best_of_n_kl([1, 2, 16, 1000, 60_000])
    np.testing.assert_allclose(kl, [0.0, 0.193, 1.835, 5.909, 10.002], atol=5e-4)
    np.testing.assert_allclose(kl, [0.0, 0.1931472, 1.8350887, 5.9087548, 10.0021165], atol=1e-7)
    assert best_of_n_kl(2) == pytest.approx(np.log(2) - 0.5, abs=1e-15)


def test_best_of_n_kl_equals_the_integral_over_the_selected_quantile():
    # the winner's quantile u has density n u^(n-1): KL = int n u^(n-1) log(n u^(n-1)) du
    for n in (3, 7, 50):
        u = (np.arange(200_000) + 0.5) / 200_000
        density = n * u ** (n - 1)
        assert np.mean(density * np.log(density)) == pytest.approx(best_of_n_kl(n), rel=1e-6)


@pytest.mark.parametrize("bad", [0, 1.5, -3, [2, 0], np.nan])
def test_best_of_n_kl_rejects_non_counts(bad):
    with pytest.raises(ValueLearnInputError, match="'n' parameter of best_of_n_kl"):
        best_of_n_kl(bad)


def test_gao_forms_and_their_peaks():
    alpha, beta = 1.3, 0.4
    d = np.linspace(0.0, 6.0, 6001)
    bon = gao_best_of_n(d, alpha=alpha, beta=beta)
    rl = gao_rl(d, alpha=alpha, beta=beta)
    assert bon[0] == 0.0 and rl[0] == 0.0
    # best-of-n peak d* = alpha / (2 beta), R* = alpha^2 / (4 beta)
    assert d[np.argmax(bon)] == pytest.approx(alpha / (2 * beta), abs=1e-3)
    assert bon.max() == pytest.approx(alpha**2 / (4 * beta), abs=1e-6)
    # RL peak d* = exp(alpha / beta - 1), R* = beta d*
    d_rl = np.linspace(0.0, 40.0, 400_001)
    rl = gao_rl(d_rl, alpha=alpha, beta=beta)
    peak = np.exp(alpha / beta - 1)
    assert d_rl[np.argmax(rl)] == pytest.approx(peak, abs=1e-3)
    assert rl.max() == pytest.approx(beta * peak, rel=1e-8)
    assert gao_rl(1.0, alpha=alpha, beta=beta) == pytest.approx(alpha)


@pytest.mark.parametrize("form", ["best_of_n", "rl"])
def test_fit_gao_recovers_the_coefficients_and_peak(form):
    d = np.sqrt(best_of_n_kl(np.array([1, 2, 4, 8, 16, 32, 64, 256, 1000])))
    function = gao_best_of_n if form == "best_of_n" else gao_rl
    gold = function(d, alpha=0.8, beta=0.3)
    fit = fit_gao(d, gold, form=form)
    assert (fit.alpha, fit.beta) == pytest.approx((0.8, 0.3), abs=1e-10)
    assert fit.rmse < 1e-12
    expected = 0.8 / 0.6 if form == "best_of_n" else np.exp(0.8 / 0.3 - 1)
    assert fit.peak_distance == pytest.approx(expected, rel=1e-9)
    np.testing.assert_allclose(fit.predict(d), gold, atol=1e-12)


def test_fit_gao_reports_no_peak_without_over_optimisation():
    d = np.array([0.0, 0.5, 1.0, 2.0])
    fit = fit_gao(d, 2.0 * d + 0.1 * d**2)
    assert fit.beta < 0 and fit.peak_distance == np.inf and fit.peak_value == np.inf


def test_fit_gao_errors():
    with pytest.raises(ValueLearnInputError, match="'form' parameter of fit_gao"):
        fit_gao([1.0, 2.0], [1.0, 1.0], form="ppo")  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="two distinct positive distances"):
        fit_gao([0.0, 1.0, 1.0], [0.0, 1.0, 1.0])
    with pytest.raises(ValueLearnInputError, match="'gold' parameter of fit_gao"):
        fit_gao([0.5, 1.0], [1.0])
    with pytest.raises(ValueLearnInputError, match="'distance' parameter of fit_gao"):
        fit_gao([-1.0, 1.0], [1.0, 1.0])


def test_best_of_n_outcomes_kl_tends_to_the_analytic_kl_on_a_large_pool():
    rng = np.random.default_rng(0)
    proxy = rng.normal(size=200_000)
    ns = np.array([1, 2, 16, 256])
    curve = best_of_n_outcomes(proxy, proxy, ns)
    np.testing.assert_allclose(curve.kl, best_of_n_kl(ns), atol=2e-3)
    assert np.all(curve.kl <= best_of_n_kl(ns) + 1e-12)
    np.testing.assert_allclose(curve.probabilities.sum(axis=1), 1.0, atol=1e-12)
    # expected maximum of n standard normals: 0, 1/sqrt(pi), 1.7660 (n = 16)
    np.testing.assert_allclose(curve.proxy[:3], [0.0, 1 / np.sqrt(np.pi), 1.76599], atol=0.01)


def test_best_of_n_outcomes_matches_simulation_with_ties_and_a_base():
    proxy = np.array([0.0, 1.0, 1.0, 2.0, -1.0])
    gold = np.array([3.0, -1.0, 2.0, 0.5, 1.0])
    base = np.array([0.1, 0.2, 0.3, 0.05, 0.35])
    curve = best_of_n_outcomes(proxy, gold, [3], base=base)
    rng = np.random.default_rng(1)
    draws = rng.choice(5, size=(400_000, 3), p=base)
    scores = proxy[draws] + rng.uniform(0, 1e-6, size=draws.shape)  # random tie-break
    chosen = draws[np.arange(draws.shape[0]), np.argmax(scores, axis=1)]
    frequencies = np.bincount(chosen, minlength=5) / draws.shape[0]
    np.testing.assert_allclose(curve.probabilities[0], frequencies, atol=3e-3)
    # tie group {1, 2} (mass 0.5): F = 0.45 -> 0.95; split 2:3 by base
    wins = 0.95**3 - 0.45**3
    np.testing.assert_allclose(curve.probabilities[0, [1, 2]], [0.4 * wins, 0.6 * wins])
    p = curve.probabilities[0]
    assert curve.kl[0] == pytest.approx(np.sum(p * np.log(p / base)))
    assert curve.gold[0] == pytest.approx(p @ gold)


def test_best_of_n_outcomes_errors():
    with pytest.raises(ValueLearnInputError, match="same positive length"):
        best_of_n_outcomes([1.0, 2.0], [1.0], [1])
    with pytest.raises(ValueLearnInputError, match="'base' parameter"):
        best_of_n_outcomes([1.0, 2.0], [1.0, 2.0], [1], base=[1.0, -1.0])
    with pytest.raises(ValueLearnInputError, match="'n' parameter"):
        best_of_n_outcomes([1.0, 2.0], [1.0, 2.0], [0])
