"""Plackett–Luce rankings and ordinal probit ratings: anchors and exact derivatives."""

from __future__ import annotations

import itertools
from collections.abc import Callable

import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import (
    bradley_terry,
    ordinal_log_likelihood,
    ordinal_probabilities,
    pairwise_log_likelihood,
    plackett_luce_log_likelihood,
)


def numeric_jacobian(fun: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    step = 1e-6
    columns = [(fun(x + step * e) - fun(x - step * e)) / (2 * step) for e in np.eye(x.size)]
    return np.array(columns).T


def test_plackett_luce_anchor() -> None:
    # algorithms.md 4.5: utilities ln(3, 2, 1) give P(1 > 2 > 3) = 3/6 * 2/3 = 1/3
    ll = plackett_luce_log_likelihood(np.log([3.0, 2.0, 1.0]), [[0, 1, 2]])
    assert np.exp(ll.value) == pytest.approx(1 / 3, abs=1e-12)


def test_plackett_luce_is_a_distribution_and_reduces_to_bradley_terry() -> None:
    u = np.array([0.3, -1.2, 2.0, 0.5])
    total = sum(
        np.exp(plackett_luce_log_likelihood(u, [list(order)]).value)
        for order in itertools.permutations(range(4))
    )
    assert total == pytest.approx(1.0, abs=1e-12)
    pair = plackett_luce_log_likelihood(u, [[2, 1]])
    bt = pairwise_log_likelihood(u, [2], [1], [0], bradley_terry())
    assert pair.value == pytest.approx(bt.value)
    np.testing.assert_allclose(pair.gradient, bt.gradient, atol=1e-15)


def test_plackett_luce_derivatives_on_ragged_rankings() -> None:
    u = np.random.default_rng(0).normal(size=6)
    rankings = [[0, 1, 2], [3, 1], [5, 4, 3, 2, 1, 0], [2, 0]]
    result = plackett_luce_log_likelihood(u, rankings, hessian=True)

    def value(x: np.ndarray) -> np.ndarray:
        return np.array([plackett_luce_log_likelihood(x, rankings).value])

    def gradient(x: np.ndarray) -> np.ndarray:
        return plackett_luce_log_likelihood(x, rankings).gradient

    np.testing.assert_allclose(result.gradient, numeric_jacobian(value, u)[0], atol=1e-8)
    np.testing.assert_allclose(result.hessian.toarray(), numeric_jacobian(gradient, u), atol=1e-8)


def test_ordinal_probit_anchor() -> None:
    # algorithms.md 4.5: f = 0, thresholds (-1, 1), sigma = 1
    p = ordinal_probabilities([0.0], [-1.0, 1.0])[0]
    np.testing.assert_allclose(p, [0.15866, 0.68269, 0.15866], atol=5e-6)
    wide = ordinal_probabilities([0.0, 3.0, -50.0], [-1.0, 0.5, 2.0], sigma=2.0)
    np.testing.assert_allclose(wide.sum(axis=1), 1.0, atol=1e-12)


def test_ordinal_derivatives_in_utilities_and_thresholds() -> None:
    rng = np.random.default_rng(1)
    u, b = rng.normal(size=5), np.array([-1.0, 0.2, 1.5])
    items, levels = rng.integers(0, 5, 30), rng.integers(0, 4, 30)
    result = ordinal_log_likelihood(u, b, items, levels, sigma=0.8, hessian=True)
    z = np.concatenate([u, b])

    def value(x: np.ndarray) -> np.ndarray:
        return np.array([ordinal_log_likelihood(x[:5], x[5:], items, levels, sigma=0.8).value])

    def gradient(x: np.ndarray) -> np.ndarray:
        return ordinal_log_likelihood(x[:5], x[5:], items, levels, sigma=0.8).gradient

    np.testing.assert_allclose(result.gradient, numeric_jacobian(value, z)[0], atol=1e-7)
    np.testing.assert_allclose(result.hessian.toarray(), numeric_jacobian(gradient, z), atol=1e-7)


def test_ordinal_far_tails_stay_finite() -> None:
    ll = ordinal_log_likelihood([60.0, -60.0], [-1.0, 1.0], [0, 1], [0, 2], hessian=True)
    assert np.isfinite(ll.value) and ll.value < -1000
    assert np.all(np.isfinite(ll.gradient)) and np.all(np.isfinite(ll.hessian.toarray()))


def test_thresholds_must_increase() -> None:
    with pytest.raises(ValueLearnInputError, match="strictly increasing; got \\[1.0, 1.0\\]"):
        ordinal_probabilities([0.0], [1.0, 1.0])
    with pytest.raises(ValueLearnInputError, match="`levels` must be in \\[0, 2\\]"):
        ordinal_log_likelihood([0.0], [-1.0, 1.0], [0], [3])
