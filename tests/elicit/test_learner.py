"""The elicitation learner: the GP oracle, the prior, BALD against quadrature, question choice."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad_vec
from scipy.stats import norm

from valuelearn.data import Comparisons, Items
from valuelearn.elicit import (
    augmented_items,
    default_items,
    elicitation_model,
    estimate_values,
    next_question,
    pair_information,
)
from valuelearn.inference import PairwiseModel, PreferenceLaplace, bradley_terry, thurstone

NONE = Comparisons((), (), ())


def small_items() -> Items:
    features = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [0.5, 0.5], [1.0, 2.0]])
    return Items(["p", "q", "r", "s", "t"], features=features)


def test_the_estimate_is_gp_preference_learning_with_a_linear_plus_white_kernel() -> None:
    # u = F w + r e with standard normal (w, e) is the GP with kernel F F^T + r^2 I: the same
    # posterior, so the same MAP and the same Laplace covariance (weight view = function view).
    items, r = small_items(), 0.5
    preferred = ["a", "b", "equal", "a", "a", "b"]
    answers = Comparisons(["p", "q", "r", "s", "t", "p"], ["q", "r", "s", "t", "p", "r"], preferred)
    estimate = estimate_values(items, answers, residual_scale=r)
    features = np.asarray(items.features)
    kernel = features @ features.T + r**2 * np.eye(5)
    gp = PreferenceLaplace(comparison_model=elicitation_model(), gtol=1e-10)
    gp.fit(answers, items=Items(items.ids, kernel=kernel))
    np.testing.assert_allclose(estimate.mean, gp.utilities_, atol=1e-5)
    np.testing.assert_allclose(estimate.covariance, gp.utility_covariance(), atol=1e-5)


def test_without_answers_the_estimate_is_the_prior() -> None:
    items = small_items()
    estimate = estimate_values(items, NONE, residual_scale=0.3)
    design = np.hstack([np.asarray(items.features), 0.3 * np.eye(5)])
    np.testing.assert_array_equal(estimate.mean, np.zeros(5))
    np.testing.assert_allclose(estimate.covariance, design @ design.T)
    np.testing.assert_array_equal(estimate.weight_std, np.ones(2))


def test_items_without_features_get_one_free_utility_each() -> None:
    items = Items.from_ids(["x", "y", "z"])
    assert augmented_items(items, 0.5).features.tolist() == np.eye(3).tolist()
    estimate = estimate_values(items, Comparisons(["x", "y"], ["y", "z"], ["a", "a"]))
    assert estimate.order.tolist() == [0, 1, 2]
    assert estimate.weight_mean.size == 0


def test_the_feature_weights_point_the_way_the_answers_do() -> None:
    items = small_items()  # the first feature wins every comparison it decides
    a, b = ["q", "r", "t", "r"], ["p", "s", "p", "q"]
    estimate = estimate_values(items, Comparisons(a, b, ["a"] * 4))
    assert estimate.weight_mean[0] > 2 * abs(estimate.weight_mean[1])
    assert np.all(estimate.weight_std < 1.0)  # the data shrink the prior's unit spread


@pytest.mark.parametrize("model", [bradley_terry(), thurstone(), elicitation_model(0.5)])
def test_pair_information_matches_adaptive_quadrature(model: PairwiseModel) -> None:
    mean, var = np.array([0.0, 0.7, -1.5, 3.0]), np.array([0.5, 2.0, 1.0, 4.0])
    hermite = pair_information(mean, var, model)

    def entropy(p: np.ndarray) -> float:
        return float(-np.sum(p[p > 0] * np.log(p[p > 0])))

    for k in range(4):

        def integrand(z: float, k: int = k) -> np.ndarray:
            p = model.probabilities(mean[k] + np.sqrt(var[k]) * z)  # P(a), P(b), P(equal)
            return np.append(p, entropy(p)) * norm.pdf(z)

        *expected, noise = quad_vec(integrand, -12.0, 12.0, epsabs=1e-10)[0]
        assert hermite[k] == pytest.approx(entropy(np.array(expected)) - noise, abs=1e-6)


def test_pair_information_anchors() -> None:
    # A known difference teaches nothing; a noise-free strict answer about a wholly unknown
    # difference is worth one bit (ln 2 nats); more uncertainty is worth more.
    info = pair_information(np.zeros(3), np.array([0.0, 1e8, 1.0]), bradley_terry())
    assert info[0] == pytest.approx(0.0, abs=1e-12)
    assert info[1] == pytest.approx(np.log(2.0), abs=1e-3)
    more = pair_information(np.zeros(2), np.array([1.0, 4.0]), elicitation_model())
    assert 0 < more[0] < more[1]


def test_next_question_asks_about_the_most_uncertain_difference() -> None:
    items = Items.from_ids(["a", "b", "c", "d"])
    # Many answers about a, b and about c, d: their differences are known; across them is not.
    answers = Comparisons(["a", "c"] * 10, ["b", "d"] * 10, ["a", "a"] * 10)
    estimate = estimate_values(items, answers)
    first, second = next_question(estimate, elicitation_model(), {frozenset((0, 1))})
    assert {first, second} not in ({0, 1}, {2, 3})


def test_next_question_skips_asked_pairs_until_all_were_asked() -> None:
    items = Items.from_ids(["a", "b", "c"])
    prior = estimate_values(items, NONE)  # every pair is alike: ties go to row-major order
    model = elicitation_model()
    assert next_question(prior, model, set()) == (0, 1)
    assert next_question(prior, model, {frozenset((0, 1)), frozenset((0, 2))}) == (1, 2)
    everything = {frozenset(p) for p in ((0, 1), (0, 2), (1, 2))}
    assert next_question(prior, model, everything) == (0, 1)


def test_the_default_items_start_with_the_most_contrasting_pair() -> None:
    items = default_items()
    assert items.n_items == 52 and all(items.texts)
    first, second = next_question(estimate_values(items, NONE), elicitation_model(), set())
    features = np.asarray(items.features)
    gaps = np.sum((features[:, None] - features[None]) ** 2, axis=-1)
    assert gaps[first, second] == gaps.max()
