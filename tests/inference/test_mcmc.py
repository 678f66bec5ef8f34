"""Tests for valuelearn.inference._mcmc: HMC on known targets and the effective sample size."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.inference import effective_sample_size
from valuelearn.inference._mcmc import hmc

COV = np.array([[1.0, 0.8], [0.8, 4.0]])
PRECISION = np.linalg.inv(COV)
MEAN = np.array([1.0, -2.0])


def gaussian(x: np.ndarray) -> tuple[float, float, np.ndarray]:
    d = x - MEAN
    return -0.5 * float(d @ PRECISION @ d), 0.0, -(PRECISION @ d)


def test_hmc_recovers_a_correlated_gaussian() -> None:
    chain = hmc(
        gaussian,
        np.zeros(2),
        n_samples=4000,
        burn_in=1000,
        n_leapfrog=8,
        rng=np.random.default_rng(0),
    )
    ess = effective_sample_size(chain.samples)
    se = np.sqrt(np.diag(COV) / ess)
    assert np.all(np.abs(chain.samples.mean(axis=0) - MEAN) < 5 * se)
    np.testing.assert_allclose(np.cov(chain.samples.T), COV, rtol=0.12, atol=0.08)
    assert 0.6 < chain.acceptance_rate < 0.97  # adapted towards 0.8


def test_hmc_respects_a_hard_boundary() -> None:
    def half_normal(x: np.ndarray) -> tuple[float, float, np.ndarray]:
        if x[0] < 0:
            return -np.inf, -np.inf, np.zeros(1)
        return -0.5 * float(x[0] ** 2), 0.0, -x

    chain = hmc(
        half_normal,
        np.ones(1),
        n_samples=4000,
        burn_in=500,
        n_leapfrog=5,
        rng=np.random.default_rng(1),
    )
    assert chain.samples.min() >= 0.0
    # E|Z| = sqrt(2 / pi) for a standard normal
    assert chain.samples.mean() == pytest.approx(np.sqrt(2 / np.pi), abs=0.05)


def test_ess_of_ar1_matches_its_closed_form() -> None:
    rng = np.random.default_rng(2)
    n, phi = 50_000, 0.8
    x = np.zeros(n)
    noise = rng.normal(size=n)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + noise[t]
    expected = n * (1 - phi) / (1 + phi)  # integrated autocorrelation time (1 + phi) / (1 - phi)
    assert effective_sample_size(x) == pytest.approx(expected, rel=0.15)


def test_ess_per_column_and_constant_column() -> None:
    rng = np.random.default_rng(3)
    chain = np.column_stack([rng.normal(size=3000), np.ones(3000)])
    ess = effective_sample_size(chain)
    assert ess.shape == (2,)
    assert ess[1] == 3000
    assert 2400 < ess[0] < 3600
