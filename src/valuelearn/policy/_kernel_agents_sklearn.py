"""The straightforward engine: one scikit-learn estimator refitted at every step of every run.

:func:`personalise_sklearn` makes the same choices as
:func:`~valuelearn.policy.personalise` given the same :class:`~valuelearn.policy.Draws`, but fits
``KernelRidge(kernel="precomputed")``, ``GaussianProcessRegressor`` (over the precomputed kernel,
fixed hyper-parameters) or ``SVR(kernel="precomputed")`` from scratch on all rewards so far, one
problem and one step at a time. It is the reference the batched engine is tested and timed
against (``benchmarks/bench_kernel_agents.py``). scikit-learn is imported when it is called.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
from numpy.typing import NDArray

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._kernel_agents import (
    AgentSettings,
    Draws,
    Personalisation,
    check_problem,
    greedy,
    thompson_posterior,
)


def _sklearn(*modules: str) -> list[Any]:
    """Import ``sklearn.<module>`` for each name (scikit-learn is needed only by this engine)."""
    try:
        return [importlib.import_module(f"sklearn.{module}") for module in modules]
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "the scikit-learn engine needs scikit-learn: pip install scikit-learn.", name="sklearn"
        ) from None


def precomputed_gp_kernel(matrix: NDArray[np.float64]) -> Any:
    """A scikit-learn GP kernel reading a fixed matrix; inputs are action indices, shape (k, 1)."""
    (kernels,) = _sklearn("gaussian_process.kernels")
    base: Any = kernels.Kernel

    class PrecomputedKernel(base):  # type: ignore[misc]
        def __init__(self, matrix: NDArray[np.float64]) -> None:
            self.matrix = matrix

        def __call__(
            self, X: Any, Y: Any = None, eval_gradient: bool = False
        ) -> NDArray[np.float64]:
            rows = np.asarray(X)[:, 0].astype(np.intp)
            cols = rows if Y is None else np.asarray(Y)[:, 0].astype(np.intp)
            block = np.asarray(self.matrix[np.ix_(rows, cols)], dtype=np.float64)
            if eval_gradient:
                return block, np.zeros((*block.shape, 0))  # type: ignore[return-value]
            return block

        def diag(self, X: Any) -> NDArray[np.float64]:
            rows = np.asarray(X)[:, 0].astype(np.intp)
            return np.asarray(np.diagonal(self.matrix)[rows], dtype=np.float64)

        def is_stationary(self) -> bool:
            return False

    return PrecomputedKernel(matrix)


def _predict(
    agent: str,
    kernel: NDArray[np.float64],
    chosen: list[int],
    rewards: list[float],
    settings: AgentSettings,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Mean and standard deviation over all actions after fitting on the rewards so far."""
    kernel_ridge, gaussian_process, svm = _sklearn("kernel_ridge", "gaussian_process", "svm")
    n = kernel.shape[0]
    observed = np.array(chosen, dtype=np.intp)
    targets = np.array(rewards) - settings.prior_mean
    std = np.zeros(n)
    if agent == "krr":
        model = kernel_ridge.KernelRidge(alpha=settings.krr_alpha, kernel="precomputed")
        model.fit(kernel[np.ix_(observed, observed)], targets)
        mean = model.predict(kernel[:, observed])
    elif agent in ("gp", "gp-ucb"):
        model = gaussian_process.GaussianProcessRegressor(
            kernel=precomputed_gp_kernel(settings.prior_scale**2 * kernel),
            alpha=settings.reward_noise**2,
            optimizer=None,
        )
        model.fit(observed[:, None], targets)
        mean, std = model.predict(np.arange(n)[:, None], return_std=True)
    else:
        unique, inverse = np.unique(observed, return_inverse=True)
        counts = np.bincount(inverse).astype(np.float64)
        means = np.bincount(inverse, weights=targets) / counts
        model = svm.SVR(
            kernel="precomputed",
            C=settings.svr_C,
            epsilon=settings.svr_epsilon,
            tol=settings.svr_tol,
        )
        model.fit(kernel[np.ix_(unique, unique)], means, sample_weight=counts)
        mean = model.predict(kernel[:, unique])
    return np.asarray(mean) + settings.prior_mean, np.asarray(std)


def personalise_sklearn(
    values: NDArray[np.float64],
    kernel: NDArray[np.float64] | None,
    *,
    agent: str,
    n_steps: int,
    draws: Draws,
    n_personal: int | None = None,
    settings: AgentSettings | None = None,
) -> Personalisation:
    """The personalisation phase refitting a scikit-learn estimator at every step.

    Same parameters and result as :func:`~valuelearn.policy.personalise` (``draws`` required).

    Examples
    --------
    >>> from valuelearn.policy import draw, personalise
    >>> values = np.array([10.0, 90.0, 80.0, 20.0])
    >>> kernel = np.array([[1, 0, 0, .9], [0, 1, .9, 0], [0, .9, 1, 0], [.9, 0, 0, 1]])
    >>> draws = draw(1, 5, 3, thompson=False, rng=0)
    >>> a = personalise_sklearn(values, kernel, agent="krr", n_steps=5, n_personal=3, draws=draws)
    >>> b = personalise(values, kernel, agent="krr", n_steps=5, n_personal=3, draws=draws)
    >>> bool((a.actions == b.actions).all()), bool(np.allclose(a.predictions, b.predictions))
    (True, True)
    """
    settings = AgentSettings() if settings is None else settings
    values, kernel, n_personal = check_problem(values, kernel, n_personal)
    if agent != "thompson" and kernel is None:
        raise ValueLearnInputError(f"The {agent!r} agent needs a kernel; got None.")
    n_problems, n = values.shape
    actions = np.zeros((n_problems, n_steps), dtype=np.intp)
    best = np.zeros((n_problems, n_steps), dtype=np.intp)
    rewards = np.zeros((n_problems, n_steps))
    predictions = np.full((n_problems, n), settings.prior_mean)
    for b in range(n_problems):
        mean, std = np.full(n, settings.prior_mean), np.zeros(n)
        if kernel is not None:
            std = settings.prior_scale * np.sqrt(np.maximum(np.diagonal(kernel[b]), 0.0))
        counts, sums = np.zeros(n), np.zeros(n)
        for step in range(n_steps):
            if agent == "thompson":
                assert draws.thompson is not None
                m, variance = thompson_posterior(counts, sums, settings)
                sample = m[:n_personal] + np.sqrt(variance[:n_personal]) * draws.thompson[b, step]
                chosen = int(np.argmax(sample))
            else:
                scores = mean[:n_personal]
                if agent == "gp-ucb":
                    scores = scores + settings.ucb_scale * std[:n_personal]
                temperature = 0.0 if agent == "gp-ucb" else settings.temperature
                chosen = int(greedy(scores[None], draws.priority[b : b + 1, step], temperature)[0])
            reward = values[b, chosen] + settings.reward_noise * draws.noise[b, step]
            actions[b, step], rewards[b, step] = chosen, reward
            counts[chosen] += 1
            sums[chosen] += reward
            if agent != "thompson":
                assert kernel is not None
                mean, std = _predict(
                    agent,
                    kernel[b],
                    list(actions[b, : step + 1]),
                    list(rewards[b, : step + 1]),
                    settings,
                )
            if agent == "thompson":
                mean = thompson_posterior(counts, sums, settings)[0]
            best[b, step] = int(np.argmax(mean[:n_personal]))
        predictions[b] = mean
    return Personalisation(actions, rewards, predictions, best)
