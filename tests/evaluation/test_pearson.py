"""Tests for valuelearn.evaluation._pearson: the Pearson distance and its constant convention."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.evaluation import pearson_distance
from valuelearn.exceptions import ValueLearnInputError


def test_pearson_distance_matches_correlation_formula() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=50), rng.normal(size=50)
    rho = np.corrcoef(x, y)[0, 1]
    assert pearson_distance(x, y) == pytest.approx(np.sqrt((1 - rho) / 2), abs=1e-14)


def test_weighted_pearson_distance_matches_weighted_covariance() -> None:
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(4, 6)), rng.normal(size=(4, 6))
    weights = rng.uniform(size=(4, 6))
    cov = np.cov(x.ravel(), y.ravel(), aweights=weights.ravel())
    rho = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert pearson_distance(x, y, weights) == pytest.approx(np.sqrt((1 - rho) / 2), abs=1e-14)
    # zero weight removes a point entirely, however extreme it is
    x[0, 0], weights[0, 0] = 1e9, 0.0
    cov = np.cov(x.ravel()[1:], y.ravel()[1:], aweights=weights.ravel()[1:])
    rho = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    assert pearson_distance(x, y, weights) == pytest.approx(np.sqrt((1 - rho) / 2), abs=1e-12)


def test_pearson_distance_affine_invariance_and_constants() -> None:
    x = np.random.default_rng(6).normal(size=20)
    assert pearson_distance(x, 7.0 * x - 3.0) == pytest.approx(0.0, abs=1e-15)
    assert pearson_distance(x, -0.5 * x + 1.0) == pytest.approx(1.0, abs=1e-15)
    assert pearson_distance(x, np.full(20, 2.5)) == pytest.approx(0.5, abs=1e-15)
    assert pearson_distance(np.full(20, 1.0), np.full(20, -3.0)) == 0.0


def test_triangle_inequality_including_constants() -> None:
    rng = np.random.default_rng(7)
    weights = rng.uniform(size=12)
    samples = [rng.normal(size=12) for _ in range(6)] + [np.full(12, 3.0), np.zeros(12)]
    samples += [samples[0] + 1e-3 * rng.normal(size=12), -samples[1]]
    for x in samples:
        for y in samples:
            for z in samples:
                xy, yz = pearson_distance(x, y, weights), pearson_distance(y, z, weights)
                assert pearson_distance(x, z, weights) <= xy + yz + 1e-12


def test_errors_name_the_argument() -> None:
    with pytest.raises(ValueLearnInputError, match="`x` and `y` must have the same shape"):
        pearson_distance([1.0, 2.0], [1.0, 2.0, 3.0])
    with pytest.raises(ValueLearnInputError, match="at least one element"):
        pearson_distance([], [])
    with pytest.raises(ValueLearnInputError, match="`y` must be finite"):
        pearson_distance([1.0, 2.0], [1.0, np.inf])
    with pytest.raises(ValueLearnInputError, match="`weights` must be finite and non-negative"):
        pearson_distance([1.0, 2.0], [2.0, 1.0], weights=[1.0, -1.0])
    with pytest.raises(ValueLearnInputError, match="`weights` must have a positive sum"):
        pearson_distance([1.0, 2.0], [2.0, 1.0], weights=[0.0, 0.0])
    with pytest.raises(ValueLearnInputError, match="`weights` must have the shape of `x`"):
        pearson_distance([1.0, 2.0], [2.0, 1.0], weights=[1.0])
