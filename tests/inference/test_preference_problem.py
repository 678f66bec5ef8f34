"""The assembled preference posterior: derivatives in the parameters, and the sampler hook."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.inference import LaplacePrior, PreferenceMAP, PreferenceProblem, weak_comparison
from valuelearn.inference._mcmc import hmc

RNG = np.random.default_rng(3)
FEATURES = RNG.normal(size=(5, 3))
POINTS = RNG.normal(size=(5, 2))
KERNEL = np.exp(-0.5 * ((POINTS[:, None] - POINTS[None]) ** 2).sum(-1))
COMPARISONS = Comparisons(list("abcde"), list("bcdea"), ["a", "b", "equal", "a", "a"])
RANKINGS = Rankings([["a", "c", "e"], ["d", "b"]])
RATINGS = Ratings(list("abcdea"), [1, 2, 4, 4, 3, 1], scale=(1, 4))


def problem(utility: str, items: Items) -> PreferenceProblem:
    model = PreferenceMAP(
        comparison_model=weak_comparison(0.4, noise=0.05),
        utility=utility,
        prior_scale=2.0,  # type: ignore[arg-type]
    )
    return model.build_problem(COMPARISONS, RANKINGS, RATINGS, items)


CASES = {
    "item": (Items.from_ids(list("abcde"))),
    "linear": Items(list("abcde"), features=FEATURES),
    "kernel": Items(list("abcde"), kernel=KERNEL),
}


@pytest.mark.parametrize("utility", CASES)
def test_log_posterior_gradient_and_hessian_match_finite_differences(utility: str) -> None:
    prob = problem(utility, CASES[utility])
    params = np.concatenate([RNG.normal(size=prob.n_weights), [-0.8, 0.1, 0.9]])
    result = prob.log_posterior(params, hessian=True)
    step, eye = 1e-6, np.eye(params.size)
    values = [prob.log_posterior(params + step * e).value for e in eye]
    values_down = [prob.log_posterior(params - step * e).value for e in eye]
    gradient = (np.array(values) - np.array(values_down)) / (2 * step)
    hessian = np.array(
        [
            (
                prob.log_posterior(params + step * e).gradient
                - prob.log_posterior(params - step * e).gradient
            )
            / (2 * step)
            for e in eye
        ]
    )
    np.testing.assert_allclose(result.gradient, gradient, atol=1e-6)
    np.testing.assert_allclose(result.hessian, hessian, atol=1e-6)
    np.testing.assert_allclose(result.hessian, result.hessian.T, atol=1e-12)


def test_kernel_design_reproduces_the_kernel() -> None:
    prob = problem("kernel", CASES["kernel"])
    assert prob.utility == "kernel" and prob.design is not None
    np.testing.assert_allclose(prob.design @ prob.design.T, KERNEL, atol=1e-10)


def test_log_density_is_the_sampler_interface() -> None:
    prob = problem("linear", CASES["linear"])
    params = np.concatenate([np.zeros(3), [-1.0, 0.0, 1.0]])
    ll, lp, gradient = prob.log_density(params)
    post = prob.log_posterior(params)
    assert ll + lp == pytest.approx(post.value)
    np.testing.assert_allclose(gradient, post.gradient)
    unordered = np.concatenate([np.zeros(3), [1.0, 0.0, 2.0]])
    assert prob.log_density(unordered)[0] == -np.inf
    # another prior on the weights: the thresholds keep their Gaussian one
    ll2, lp2, gradient2 = prob.log_density(params, prior=LaplacePrior(0.0, 1.0))
    thresholds = np.array([-1.0, 0.0, 1.0])  # N(0, 10**2) each, the default
    expected = -3 * np.log(2.0) + np.sum(
        -0.5 * (thresholds / 10) ** 2 - np.log(10 * np.sqrt(2 * np.pi))
    )
    assert ll2 == ll and lp2 == pytest.approx(expected)
    np.testing.assert_allclose(gradient2[3:], gradient[3:])


def test_hmc_on_the_hook_agrees_with_the_laplace_mean() -> None:
    # a well-determined two-weight Bradley-Terry posterior is nearly Gaussian
    rng = np.random.default_rng(0)
    features = rng.normal(size=(30, 2))
    a, b = rng.integers(0, 30, 300), rng.integers(0, 30, 300)
    keep = a != b
    diff = (features[a] - features[b]) @ np.array([1.0, -0.5])
    outcomes = (rng.random(diff.size) > 1 / (1 + np.exp(-diff))).astype(int)
    items = Items([str(i) for i in range(30)], features=features)
    comparisons = Comparisons.from_outcomes(items, a[keep], b[keep], outcomes[keep])
    model = PreferenceMAP().fit(comparisons, items=items)
    chain = hmc(
        model.problem_.log_density,
        model.weights_,
        n_samples=400,
        burn_in=200,
        n_leapfrog=5,
        rng=rng,
    )
    np.testing.assert_allclose(chain.samples.mean(axis=0), model.weights_, atol=0.05)
