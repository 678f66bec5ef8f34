"""Generic Markov chain Monte Carlo pieces: Hamiltonian Monte Carlo and effective sample size.

The reward-specific sampler (PolicyWalk) lives in :mod:`valuelearn.inference._birl_samplers`;
this module knows nothing about MDPs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

#: ``x -> (log_likelihood, log_prior, gradient of their sum)``; ``-inf`` outside the support.
LogDensity = Callable[[NDArray[np.float64]], tuple[float, float, NDArray[np.float64]]]


@dataclass(frozen=True)
class Chain:
    """Draws of one Markov chain after burn-in and thinning.

    Attributes
    ----------
    samples : array, shape (n_samples, n_parameters)
    log_likelihood, log_prior : array, shape (n_samples,)
    acceptance_rate : float
        Fraction of proposals accepted after burn-in.
    step_size : float
        Final step (PolicyWalk grid step, or the adapted HMC leapfrog step).
    """

    samples: NDArray[np.float64]
    log_likelihood: NDArray[np.float64]
    log_prior: NDArray[np.float64]
    acceptance_rate: float
    step_size: float


def hmc(
    log_density: LogDensity,
    start: NDArray[np.float64],
    *,
    n_samples: int,
    burn_in: int,
    n_leapfrog: int,
    rng: np.random.Generator,
    target_accept: float = 0.8,
    thin: int = 1,
) -> Chain:
    """Hamiltonian Monte Carlo with leapfrog steps and step size adapted during burn-in.

    During the first half of burn-in the step size is tuned by dual averaging with a unit mass
    matrix; the chain's variance over that half then sets a diagonal mass matrix, and the step is
    tuned again over the second half. After burn-in the step is fixed and jittered by +-20% per
    trajectory (which keeps the chain ergodic on near-periodic orbits).

    References
    ----------
    Neal (2011), "MCMC using Hamiltonian dynamics", Handbook of MCMC, ch. 5 (leapfrog,
    eq. 5.18-5.20; acceptance, eq. 5.21). Hoffman & Gelman (2014), "The No-U-Turn sampler", JMLR 15,
    Algorithm 5 (dual averaging of the step size).
    """
    x = np.array(start, dtype=np.float64)
    ll, lp, grad = log_density(x)
    if not np.isfinite(ll + lp):
        raise ValueError("HMC needs a starting point of finite posterior density.")
    inverse_mass = np.ones(x.size)
    step = _initial_step(log_density, x, ll + lp, grad, inverse_mass)
    half = burn_in // 2
    tuner = _DualAveraging(step, target_accept)
    history: list[NDArray[np.float64]] = []
    kept_x, kept_ll, kept_lp = [], [], []
    accepted = 0
    for i in range(burn_in + n_samples * thin):
        size = step if i < burn_in else step * rng.uniform(0.8, 1.2)
        momentum = rng.normal(size=x.size) / np.sqrt(inverse_mass)
        proposal = _leapfrog(log_density, x, grad, momentum, size, n_leapfrog, inverse_mass)
        x_new, ll_new, lp_new, grad_new, momentum_new = proposal
        kinetic = 0.5 * float(np.sum(inverse_mass * momentum**2))
        kinetic_new = 0.5 * float(np.sum(inverse_mass * momentum_new**2))
        log_ratio = (ll_new + lp_new - kinetic_new) - (ll + lp - kinetic)
        accept_prob = float(np.exp(min(0.0, log_ratio))) if np.isfinite(log_ratio) else 0.0
        if rng.random() < accept_prob:
            x, ll, lp, grad = x_new, ll_new, lp_new, grad_new
            accepted += i >= burn_in
        if i < burn_in:
            step = tuner.update(accept_prob)
            if i >= half // 2:
                history.append(x.copy())
            if i == half and len(history) > 10:
                variance = np.var(np.array(history), axis=0)
                inverse_mass = np.where(variance > 1e-12, variance, 1.0)
                _, _, grad = log_density(x)
                step = _initial_step(log_density, x, ll + lp, grad, inverse_mass)
                tuner = _DualAveraging(step, target_accept)
            if i == burn_in - 1:
                step = tuner.final()
        elif (i - burn_in) % thin == thin - 1:
            kept_x.append(x.copy())
            kept_ll.append(ll)
            kept_lp.append(lp)
    return Chain(
        np.array(kept_x).reshape(n_samples, x.size),
        np.array(kept_ll),
        np.array(kept_lp),
        accepted / max(1, n_samples * thin),
        step,
    )


def _leapfrog(
    log_density: LogDensity,
    x: NDArray[np.float64],
    grad: NDArray[np.float64],
    momentum: NDArray[np.float64],
    step: float,
    n_steps: int,
    inverse_mass: NDArray[np.float64],
) -> tuple[NDArray[np.float64], float, float, NDArray[np.float64], NDArray[np.float64]]:
    p = momentum + 0.5 * step * grad
    q = x.copy()
    ll, lp = -np.inf, -np.inf
    for k in range(n_steps):
        q = q + step * inverse_mass * p
        ll, lp, g = log_density(q)
        if not np.isfinite(ll + lp):
            return q, -np.inf, -np.inf, grad, p
        p = p + (step if k < n_steps - 1 else 0.5 * step) * g
    return q, ll, lp, g, p


def _initial_step(
    log_density: LogDensity,
    x: NDArray[np.float64],
    log_p: float,
    grad: NDArray[np.float64],
    inverse_mass: NDArray[np.float64],
) -> float:
    """Hoffman & Gelman (2014), Algorithm 4: double or halve until one leapfrog step is ~50/50."""
    step = 0.1
    momentum = 1.0 / np.sqrt(inverse_mass)
    kinetic = 0.5 * float(np.sum(inverse_mass * momentum**2))

    def log_accept(size: float) -> float:
        p = momentum + 0.5 * size * grad
        q = x + size * inverse_mass * p
        ll, lp, g = log_density(q)
        p = p + 0.5 * size * g
        value = ll + lp - 0.5 * float(np.sum(inverse_mass * p**2)) - (log_p - kinetic)
        return value if np.isfinite(value) else -np.inf

    direction = 1.0 if log_accept(step) > np.log(0.5) else -1.0
    for _ in range(20):  # the step stays within [1e-7, 100]
        size = step * 2.0**direction
        if (direction > 0) != (log_accept(size) > np.log(0.5)):
            break
        step = size
    return step


class _DualAveraging:
    """Dual averaging of ``log step`` towards a target acceptance (Hoffman & Gelman 2014)."""

    def __init__(self, step: float, target: float) -> None:
        self.mu = np.log(10.0 * step)
        self.target = target
        self.h_bar = 0.0
        self.log_step_bar = 0.0
        self.t = 0

    def update(self, accept_prob: float) -> float:
        self.t += 1
        eta = 1.0 / (self.t + 10.0)
        self.h_bar = (1.0 - eta) * self.h_bar + eta * (self.target - accept_prob)
        log_step = self.mu - np.sqrt(self.t) / 0.05 * self.h_bar
        weight = self.t**-0.75
        self.log_step_bar = weight * log_step + (1.0 - weight) * self.log_step_bar
        return float(np.exp(log_step))

    def final(self) -> float:
        return float(np.exp(self.log_step_bar))


def effective_sample_size(chain: NDArray[np.float64]) -> NDArray[np.float64]:
    """Effective sample size per column by Geyer's initial monotone sequence estimator.

    Parameters
    ----------
    chain : array, shape (n_samples,) or (n_samples, n_parameters)

    Returns
    -------
    array, shape (n_parameters,) (or a 0-d array for a 1-d chain)
        ``n / (1 + 2 sum_k rho_k)``; a constant column has effective size ``n``.

    References
    ----------
    Geyer (1992), "Practical Markov chain Monte Carlo", Statistical Science 7(4), section 3.3.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> bool(abs(effective_sample_size(rng.normal(size=4000)) - 4000) < 400)
    True
    >>> ar = np.zeros(4000)
    >>> for t in range(1, 4000): ar[t] = 0.9 * ar[t - 1] + rng.normal()
    >>> bool(150 < effective_sample_size(ar) < 320)  # exact: 4000 * 0.1 / 1.9 = 211
    True
    """
    x = np.asarray(chain, dtype=np.float64)
    flat = x[:, None] if x.ndim == 1 else x
    n = flat.shape[0]
    centred = flat - flat.mean(axis=0)
    size = 1 << int(np.ceil(np.log2(2 * n)))
    spectrum = np.fft.rfft(centred, n=size, axis=0)
    autocov = np.fft.irfft(spectrum * np.conj(spectrum), n=size, axis=0)[:n] / n
    result = np.full(flat.shape[1], float(n))
    for j in range(flat.shape[1]):
        if autocov[0, j] <= 1e-300:
            continue
        rho = autocov[:, j] / autocov[0, j]
        pairs = rho[: 2 * ((n - 1) // 2)].reshape(-1, 2).sum(axis=1)  # Gamma_k = rho_2k + rho_2k+1
        positive = np.flatnonzero(pairs <= 0)
        pairs = pairs[: positive[0] if positive.size else pairs.size]
        pairs = np.minimum.accumulate(pairs)
        tau = -1.0 + 2.0 * float(pairs.sum())
        result[j] = n / max(tau, 1.0 / n)
    return result if x.ndim > 1 else result[0]
