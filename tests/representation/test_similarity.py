"""RBF similarity, upper-triangle Spearman, and kernels of controlled alignment."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import aligned_kernels, rbf_similarity, similarity_spearman


def test_rbf_median_heuristic_puts_the_median_pair_at_exp_minus_one() -> None:
    x = np.random.default_rng(0).normal(size=(9, 2))  # 36 pairs: the median is an average
    K = rbf_similarity(x)
    d2 = ((x[:, None] - x[None]) ** 2).sum(-1)
    upper = np.triu_indices(9, k=1)
    scale2 = np.median(d2[upper]) / 2
    np.testing.assert_allclose(K, np.exp(-d2 / (2 * scale2)), atol=1e-12)
    np.testing.assert_allclose(np.diag(K), 1.0)
    assert np.linalg.eigvalsh(K).min() > -1e-10
    with pytest.raises(ValueLearnInputError, match="'length_scale' parameter of rbf_similarity"):
        rbf_similarity(x, length_scale=-1.0)
    with pytest.raises(ValueLearnInputError, match="'features' parameter of rbf_similarity"):
        rbf_similarity(np.ones((1, 2)))


def test_similarity_spearman_is_scipy_on_the_upper_triangle() -> None:
    rng = np.random.default_rng(1)
    a, b = rbf_similarity(rng.normal(size=(12, 3))), rbf_similarity(rng.normal(size=(12, 3)))
    upper = np.triu_indices(12, k=1)
    expected = spearmanr(a[upper], b[upper]).statistic
    assert similarity_spearman(a, b) == pytest.approx(expected, abs=1e-12)
    batch = similarity_spearman(np.stack([a, b]), np.stack([b, b]))
    np.testing.assert_allclose(batch, [expected, 1.0], atol=1e-12)


def test_aligned_kernels_hit_their_targets_and_stay_psd() -> None:
    rng = np.random.default_rng(2)
    person = np.stack([rbf_similarity(rng.normal(size=(25, 3))) for _ in range(4)])
    targets = np.array([0.2, 0.5, 0.8, 1.0])
    kernels, realised = aligned_kernels(person, targets, rng=3, tol=1e-4)
    assert np.all(realised >= targets - 1e-12)
    np.testing.assert_allclose(realised, targets, atol=0.01)
    np.testing.assert_allclose(realised, similarity_spearman(kernels, person), atol=1e-12)
    assert np.linalg.eigvalsh(kernels).min() > -1e-9
    np.testing.assert_allclose(np.diagonal(kernels, axis1=1, axis2=2), 1.0)
    np.testing.assert_allclose(kernels[3], person[3])  # full alignment is the person's matrix
    np.testing.assert_allclose(kernels, np.swapaxes(kernels, 1, 2))


def test_zero_alignment_is_a_permuted_copy_with_chance_alignment() -> None:
    rng = np.random.default_rng(4)
    person = rbf_similarity(rng.normal(size=(40, 3)))
    kernels, realised = aligned_kernels(person, np.zeros(20), rng=5)
    assert abs(float(np.mean(realised))) < 0.05
    # same spectrum as the person's matrix: a relabelling of the items
    np.testing.assert_allclose(
        np.linalg.eigvalsh(kernels[0]), np.linalg.eigvalsh(person), atol=1e-9
    )
    with pytest.raises(ValueLearnInputError, match="'alignment' parameter of aligned_kernels"):
        aligned_kernels(person, 1.5)
