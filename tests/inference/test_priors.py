"""Tests for valuelearn.inference._priors: densities, gradients, sampling, validation."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import GaussianPrior, LaplacePrior, UniformPrior

X = np.array([-0.7, 0.2, 1.3])


@pytest.mark.parametrize(
    ("prior", "reference"),
    [
        (UniformPrior(-1.0, 2.0), stats.uniform(-1.0, 3.0)),
        (GaussianPrior(0.5, 2.0), stats.norm(0.5, 2.0)),
        (LaplacePrior(-0.2, 0.7), stats.laplace(-0.2, 0.7)),
    ],
)
def test_log_density_matches_scipy_and_samples_have_its_moments(prior, reference) -> None:
    prior = prior.broadcast(3)
    assert prior.log_density(X) == pytest.approx(float(np.sum(reference.logpdf(X))), abs=1e-12)
    draws = prior.sample(40_000, rng=0)
    assert draws.shape == (40_000, 3)
    se = reference.std() / np.sqrt(40_000)
    np.testing.assert_allclose(draws.mean(axis=0), reference.mean(), atol=5 * se)
    np.testing.assert_allclose(draws.std(axis=0), reference.std(), rtol=0.03)


@pytest.mark.parametrize(
    "prior", [GaussianPrior([0.0, 1.0, -1.0], [1.0, 0.5, 2.0]), LaplacePrior(0.1, 0.3)]
)
def test_gradient_matches_finite_differences(prior) -> None:
    prior = prior.broadcast(3)
    eps = 1e-6
    numeric = [
        (prior.log_density(X + eps * e) - prior.log_density(X - eps * e)) / (2 * eps)
        for e in np.eye(3)
    ]
    np.testing.assert_allclose(prior.gradient(X), numeric, atol=1e-6)


def test_uniform_box_is_zero_outside_and_flat_inside() -> None:
    prior = UniformPrior([-1.0, 0.0], [1.0, 4.0])
    assert prior.log_density([0.0, 1.0]) == pytest.approx(-np.log(8.0))
    assert prior.log_density([0.0, 4.5]) == -np.inf
    assert prior.gradient([0.0, 1.0]).tolist() == [0.0, 0.0]


def test_bad_arguments_are_named() -> None:
    with pytest.raises(ValueLearnInputError, match="'scale' parameter of GaussianPrior"):
        GaussianPrior(0.0, -1.0)
    with pytest.raises(ValueLearnInputError, match="'high' parameter of UniformPrior"):
        UniformPrior(1.0, 1.0)
    with pytest.raises(ValueLearnInputError, match="'loc' parameter of LaplacePrior"):
        LaplacePrior(np.nan)
    with pytest.raises(ValueLearnInputError, match="2 coordinates but the reward has 3"):
        GaussianPrior([0.0, 0.0]).broadcast(3)
    with pytest.raises(ValueLearnInputError, match="call .broadcast"):
        GaussianPrior().sample(3)
