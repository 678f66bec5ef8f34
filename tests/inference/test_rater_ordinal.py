"""Per-rater ordinal probit maths: parameterisation, likelihood against the single-rater one,
exact gradients against finite differences, and the fixed-at-zero convention of the prior."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import ordinal_log_likelihood
from valuelearn.inference._rater_ordinal import (
    RaterData,
    block_from_thresholds,
    hierarchical_log_posterior,
    initial_thresholds,
    level_probabilities,
    rater_log_likelihood,
    thresholds_from_block,
)

N_LEVELS = 5


@pytest.fixture
def data() -> RaterData:
    """Three raters (the last has no ratings) of 12 items with 3 features, 5 levels."""
    rng = np.random.default_rng(0)
    features = rng.normal(size=(12, 3))
    items = (rng.integers(0, 12, size=20), rng.integers(0, 12, size=15), np.zeros(0, np.int64))
    levels = tuple(rng.integers(0, N_LEVELS, size=item.size) for item in items)
    return RaterData(features, items, levels, n_levels=N_LEVELS)


def random_blocks(rng: np.random.Generator, n: int) -> np.ndarray:
    blocks = rng.normal(scale=0.5, size=(n, 3 + N_LEVELS - 1))
    blocks[:, 3] -= 1.5  # first threshold
    return blocks


def numeric_gradient(f, x: np.ndarray, step: float = 1e-6) -> np.ndarray:  # type: ignore[no-untyped-def]
    gradient = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        up, down = x.copy(), x.copy()
        up[index] += step
        down[index] -= step
        gradient[index] = (f(up) - f(down)) / (2 * step)
    return gradient


def test_thresholds_round_trip_and_stay_ordered() -> None:
    b = np.array([-2.0, -0.5, 0.0, 3.0])
    block = block_from_thresholds([1.0, 2.0], b)
    assert np.allclose(block, [1.0, 2.0, -2.0, np.log(1.5), np.log(0.5), np.log(3.0)])
    assert np.allclose(thresholds_from_block(block, 2), b)
    wild = thresholds_from_block(np.random.default_rng(1).normal(scale=5, size=(50, 6)), 2)
    assert np.all(np.diff(wild, axis=1) > 0)
    with pytest.raises(ValueLearnInputError, match="strictly increasing"):
        block_from_thresholds([1.0], [0.0, 0.0])


def test_each_rater_scores_with_the_single_rater_likelihood(data: RaterData) -> None:
    blocks = random_blocks(np.random.default_rng(2), 3)
    value, _ = rater_log_likelihood(blocks, data)
    expected = sum(
        ordinal_log_likelihood(
            data.features @ blocks[r, :3], thresholds_from_block(blocks[r], 3), item, level
        ).value
        for r, (item, level) in enumerate(zip(data.items, data.levels, strict=True))
    )
    assert value == pytest.approx(expected, rel=1e-12)


def test_likelihood_gradient_matches_finite_differences(data: RaterData) -> None:
    blocks = random_blocks(np.random.default_rng(3), 3)
    _, gradient = rater_log_likelihood(blocks, data)
    numeric = numeric_gradient(lambda x: rater_log_likelihood(x, data)[0], blocks)
    assert np.allclose(gradient, numeric, atol=1e-6)
    assert np.all(gradient[2] == 0.0)  # the rater without ratings


def test_posterior_gradient_matches_finite_differences(data: RaterData) -> None:
    rng = np.random.default_rng(4)
    shared, offsets = random_blocks(rng, 1)[0], rng.normal(scale=0.3, size=(3, 7))
    prior, spread = np.full(7, 2.0), np.array([0.5, 0.5, 0.5, 0.2, 0.3, 0.3, 0.3])

    def value(x: np.ndarray) -> float:
        return hierarchical_log_posterior(
            x[:7], x[7:].reshape(3, 7), data, prior_scales=prior, offset_scales=spread
        )[0]

    _, g_shared, g_offsets = hierarchical_log_posterior(
        shared, offsets, data, prior_scales=prior, offset_scales=spread
    )
    numeric = numeric_gradient(value, np.concatenate([shared, offsets.ravel()]))
    assert np.allclose(g_shared, numeric[:7], atol=1e-6)
    assert np.allclose(g_offsets.ravel(), numeric[7:], atol=1e-6)


def test_zero_scale_means_fixed_and_unpenalised(data: RaterData) -> None:
    rng = np.random.default_rng(5)
    shared, offsets = random_blocks(rng, 1)[0], rng.normal(scale=0.3, size=(3, 7))
    spread = np.array([0.0, 0.0, 0.0, 0.4, 0.4, 0.4, 0.4])  # weights shared, thresholds not
    value, g_shared, g_offsets = hierarchical_log_posterior(
        shared, offsets, data, prior_scales=np.full(7, 2.0), offset_scales=spread
    )
    likelihood, _ = rater_log_likelihood(shared + offsets, data)
    penalty = np.sum(shared**2) / (2 * 4.0) + np.sum(offsets[:, 3:] ** 2) / (2 * 0.16)
    assert value == pytest.approx(likelihood - penalty, rel=1e-12)
    assert np.all(g_offsets[:, :3] == 0.0) and np.any(g_shared != 0.0)


def test_initial_thresholds_are_probit_quantiles_of_the_frequencies() -> None:
    # add-one counts (1+3, 1+1, 1+0, 1+4) = (4, 2, 1, 5) of 12
    levels = [np.array([0, 0, 0, 1, 3]), np.array([3, 3, 3])]
    b = initial_thresholds(levels, 4)
    assert np.allclose(b, [-0.4307273, 0.0, 0.2104284], atol=1e-6)  # Phi^-1(4/12, 6/12, 7/12)


def test_level_probabilities_use_each_raters_block(data: RaterData) -> None:
    blocks = random_blocks(np.random.default_rng(6), 3)
    items, raters = np.array([0, 0, 5]), np.array([0, 1, 1])
    probabilities = level_probabilities(blocks, data.features, items, raters)
    assert np.allclose(probabilities.sum(axis=1), 1.0)
    for row, (item, rater) in enumerate(zip(items, raters, strict=True)):
        b = thresholds_from_block(blocks[rater], 3)
        u = data.features[item] @ blocks[rater, :3]
        single = ordinal_log_likelihood([u], b, [0], [2]).value
        assert np.log(probabilities[row, 2]) == pytest.approx(single, rel=1e-10)
