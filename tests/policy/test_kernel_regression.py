"""Batched kernel value regression against scikit-learn and the closed-form GP posterior."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import gp_posterior_update, svr_fit_precomputed

sklearn = pytest.importorskip("sklearn")
from sklearn.kernel_ridge import KernelRidge  # noqa: E402
from sklearn.svm import SVR  # noqa: E402


def kernels(n_problems: int, n: int, seed: int) -> np.ndarray:
    z = np.random.default_rng(seed).normal(size=(n_problems, n, 3))
    squared = ((z[:, :, None, :] - z[:, None, :, :]) ** 2).sum(-1)
    return np.exp(-squared / 4.0)


def test_sequential_gp_updates_equal_the_batch_posterior_with_repeated_actions() -> None:
    rng = np.random.default_rng(0)
    K = kernels(3, 8, 1)
    observed = rng.integers(0, 8, size=(3, 12))  # repeats included
    y = rng.normal(size=(3, 12)) * 10
    prior_variance, noise_variance = 4.0, 2.5
    mean, cov = np.full((3, 8), 1.5), prior_variance * K.copy()
    for t in range(12):
        gp_posterior_update(mean, cov, observed[:, t], y[:, t], noise_variance=noise_variance)
    for b in range(3):
        X = observed[b]
        gram = prior_variance * K[b][np.ix_(X, X)] + noise_variance * np.eye(12)
        cross = prior_variance * K[b][:, X]
        closed_mean = 1.5 + cross @ np.linalg.solve(gram, y[b] - 1.5)
        closed_cov = prior_variance * K[b] - cross @ np.linalg.solve(gram, cross.T)
        np.testing.assert_allclose(mean[b], closed_mean, atol=1e-9)
        np.testing.assert_allclose(cov[b], closed_cov, atol=1e-9)


def test_unit_prior_gp_mean_is_scikit_learn_kernel_ridge() -> None:
    rng = np.random.default_rng(3)
    K = kernels(1, 10, 2)
    observed = rng.integers(0, 10, size=15)
    y = rng.normal(size=15) * 20
    mean, cov = np.zeros((1, 10)), K.copy()
    for t in range(15):
        gp_posterior_update(mean, cov, observed[t : t + 1], y[t : t + 1], noise_variance=0.7)
    ridge = KernelRidge(alpha=0.7, kernel="precomputed").fit(K[0][np.ix_(observed, observed)], y)
    np.testing.assert_allclose(mean[0], ridge.predict(K[0][:, observed]), atol=1e-9)


def test_svr_matches_scikit_learn_with_sample_weights_and_unused_samples() -> None:
    rng = np.random.default_rng(4)
    K = kernels(6, 15, 3)
    targets = rng.normal(size=(6, 15)) * 30
    weights = rng.integers(0, 4, size=(6, 15)).astype(float)  # weight 0: not a sample
    fit = svr_fit_precomputed(K, targets, weights, C=10.0, epsilon=2.0, tol=1e-10)
    for b in range(6):
        used = weights[b] > 0
        model = SVR(kernel="precomputed", C=10.0, epsilon=2.0, tol=1e-10)
        model.fit(K[b][np.ix_(used, used)], targets[b, used], sample_weight=weights[b, used])
        ours = K[b] @ fit.dual_coef[b] + fit.intercept[b]
        np.testing.assert_allclose(ours, model.predict(K[b][:, used]), atol=1e-5)
        assert np.all(fit.dual_coef[b, ~used] == 0)
        # box constraints and the equality constraint hold
        assert np.all(np.abs(fit.dual_coef[b]) <= 10.0 * weights[b] + 1e-12)
        assert abs(fit.dual_coef[b].sum()) < 1e-9


def test_svr_warm_start_reaches_the_same_solution() -> None:
    rng = np.random.default_rng(5)
    K = kernels(4, 12, 6)
    targets = rng.normal(size=(4, 12)) * 30
    weights = np.ones((4, 12))
    first = svr_fit_precomputed(K, targets, weights, C=5.0, epsilon=1.0, tol=1e-10)
    weights[:, 3] += 1  # one more visit to action 3, whose mean target moves
    targets[:, 3] += 7.0
    cold = svr_fit_precomputed(K, targets, weights, C=5.0, epsilon=1.0, tol=1e-10)
    warm = svr_fit_precomputed(
        K, targets, weights, C=5.0, epsilon=1.0, tol=1e-10, warm_start=first.alpha
    )
    for fit in (cold, warm):
        assert fit.n_iter > 0
    cold_pred = np.einsum("bij,bj->bi", K, cold.dual_coef) + cold.intercept[:, None]
    warm_pred = np.einsum("bij,bj->bi", K, warm.dual_coef) + warm.intercept[:, None]
    np.testing.assert_allclose(warm_pred, cold_pred, atol=1e-6)


def test_svr_with_a_single_sample_predicts_its_target_everywhere() -> None:
    K = kernels(1, 5, 7)
    weights = np.zeros((1, 5))
    weights[0, 2] = 3
    fit = svr_fit_precomputed(K, np.full((1, 5), 8.0), weights, C=1.0, epsilon=0.5, tol=1e-12)
    assert np.all(fit.dual_coef == 0)
    # libsvm with one sample and no free variable: midpoint of [8 - eps, 8 + eps]
    assert fit.intercept[0] == pytest.approx(8.0)


def test_bad_parameters_are_named() -> None:
    with pytest.raises(ValueLearnInputError, match="'noise_variance' parameter"):
        gp_posterior_update(
            np.zeros((1, 2)), np.eye(2)[None], np.array([0]), np.ones(1), noise_variance=0.0
        )
    with pytest.raises(ValueLearnInputError, match="'C', 'epsilon' and 'tol' parameters"):
        svr_fit_precomputed(np.eye(2)[None], np.zeros((1, 2)), np.ones((1, 2)), C=0, epsilon=1)
