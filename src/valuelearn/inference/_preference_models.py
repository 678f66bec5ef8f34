"""Pairwise preference likelihoods: Bradley–Terry, Thurstone and weak comparisons, with noise.

A comparison of items ``a`` and ``b`` depends on the utility difference ``d = u_a - u_b``. One
family covers the models of the literature: with a link ``F`` (logistic or standard normal CDF),
a scale ``s`` and an indifference width ``delta >= 0``,

    P(a) = F((d - delta) / s),   P(b) = F((-d - delta) / s),   P(equal) = 1 - P(a) - P(b),

mixed with a uniformly random answer of probability ``noise`` (Christiano et al. 2017). With
``delta = 0`` the model is strict (two outcomes) and an "equal" answer counts half for each side,
as in Christiano et al.'s label distribution (0.5, 0.5). Every function is pure and returns exact
first and second derivatives.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray
from scipy.special import expit, log_ndtr

from valuelearn._random import RandomLike, as_generator
from valuelearn.exceptions import ValueLearnInputError

Link = Literal["logistic", "probit"]
Array = NDArray[np.float64]
_LOG_SQRT_2PI = 0.5 * np.log(2.0 * np.pi)


class LogLikelihood(NamedTuple):
    """A log-likelihood with its exact gradient and (optionally) Hessian.

    Attributes
    ----------
    value : float
    gradient : array, shape (n,)
    hessian : array or sparse array, shape (n, n), or None
        Sparse from the likelihood functions (derivatives in the utilities), dense from
        :class:`~valuelearn.inference.PreferenceProblem` (derivatives in the parameters).
    """

    value: float
    gradient: Array
    hessian: Any  # sp.csr_array | Array | None (numpy and scipy stubs do not mix well)


# ---------------------------------------------------------------------- the link function
def _log_cdf(link: Link, x: Array) -> Array:
    return -np.logaddexp(0.0, -x) if link == "logistic" else np.asarray(log_ndtr(x))


def _log_pdf(link: Link, x: Array) -> Array:
    if link == "logistic":
        return -np.logaddexp(0.0, -x) - np.logaddexp(0.0, x)
    return np.asarray(-0.5 * x**2 - _LOG_SQRT_2PI, dtype=np.float64)


def _hazard(link: Link, x: Array) -> Array:
    """``f(x) / F(x)``, computed without under- or overflow."""
    if link == "logistic":
        return np.asarray(expit(-x))
    return np.exp(_log_pdf(link, x) - _log_cdf(link, x))


def _slope(link: Link, x: Array) -> Array:
    """``f'(x) / f(x)``."""
    return np.tanh(-0.5 * x) if link == "logistic" else -x


# ---------------------------------------------------------------------- the model
@dataclass(frozen=True)
class PairwiseModel:
    """A pairwise comparison model ``P(answer | d = u_a - u_b)`` (see the module docstring).

    Parameters
    ----------
    link : {"logistic", "probit"}
        Logistic (Bradley–Terry) or the standard normal CDF (Thurstone).
    scale : float
        ``s > 0``; Thurstone's case V with noise ``sigma`` per utility has ``s = sqrt(2) sigma``.
    width : float
        Indifference width ``delta >= 0``; ``0`` gives a strict model.
    noise : float
        Probability ``epsilon`` in ``[0, 1)`` of a uniformly random answer.

    Examples
    --------
    >>> p = bradley_terry(noise=0.1).probabilities(np.log(3.0))
    >>> p.round(4).tolist()  # 0.9 * 0.75 + 0.05: Christiano et al.'s noise model
    [0.725, 0.275, 0.0]
    """

    link: Link = "logistic"
    scale: float = 1.0
    width: float = 0.0
    noise: float = 0.0

    def __post_init__(self) -> None:
        if self.link not in ("logistic", "probit"):
            raise ValueLearnInputError(
                f"The 'link' parameter of PairwiseModel must be 'logistic' or 'probit'; got "
                f"{self.link!r} instead."
            )
        for name, low, high in (("scale", 0.0, np.inf), ("width", 0.0, np.inf), ("noise", 0, 1)):
            value = getattr(self, name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            inside = ok and (low < value < high if name == "scale" else low <= value < high)
            if not inside:
                interval = {"scale": "> 0", "width": ">= 0", "noise": "in [0, 1)"}[name]
                raise ValueLearnInputError(
                    f"The '{name}' parameter of PairwiseModel must be a finite number {interval}; "
                    f"got {value!r} instead."
                )
            object.__setattr__(self, name, float(value))

    @property
    def n_outcomes(self) -> int:
        """2 for a strict model, 3 when "equal" has its own probability."""
        return 3 if self.width > 0 else 2

    def probabilities(self, diff: ArrayLike, *, variance: ArrayLike | None = None) -> Array:
        """Probabilities of the answers "a", "b", "equal", shape ``diff.shape + (3,)``.

        With ``variance``, ``d`` is Gaussian with mean ``diff`` and that variance and the answer
        probabilities are averaged over it: exactly for the probit link (``F((d - delta) / s)``
        averages to ``F((mean - delta) / sqrt(s**2 + variance))``), and with MacKay's probit
        approximation ``s**2 + pi variance / 8`` for the logistic link.

        References
        ----------
        MacKay (1992), "The evidence framework applied to classification networks", Neural
        Computation 4(5), eq. 4.14-4.16.
        """
        d = np.asarray(diff, dtype=np.float64)
        scale = self._scale(variance, d.shape)
        one = (1.0 - self.noise) * np.exp(_log_cdf(self.link, (d - self.width) / scale))
        two = (1.0 - self.noise) * np.exp(_log_cdf(self.link, (-d - self.width) / scale))
        k = self.n_outcomes
        equal = np.zeros_like(d) if k == 2 else np.clip(1.0 - self.noise - one - two, 0.0, None)
        return np.stack([one, two, equal], axis=-1) + np.array([1, 1, k - 2]) * self.noise / k

    def _scale(self, variance: ArrayLike | None, shape: tuple[int, ...]) -> Array:
        if variance is None:
            return np.full(shape, self.scale)
        v = np.broadcast_to(np.asarray(variance, dtype=np.float64), shape)
        if np.any(v < 0):
            raise ValueLearnInputError("`variance` must be >= 0.")
        factor = 1.0 if self.link == "probit" else np.pi / 8.0
        return np.sqrt(self.scale**2 + factor * v)

    def log_likelihood_terms(self, diff: ArrayLike, outcomes: ArrayLike) -> tuple[Array, ...]:
        """Per-comparison ``log P(answer | d)`` and its first and second derivatives in ``d``.

        Parameters
        ----------
        diff : array, shape (n,)
            Utility differences ``u_a - u_b``.
        outcomes : array of int, shape (n,)
            0 = "a" preferred, 1 = "b", 2 = "equal".

        Returns
        -------
        log_p, first, second : arrays, shape (n,)
        """
        d = np.asarray(diff, dtype=np.float64).ravel()
        codes = np.asarray(outcomes, dtype=np.int64).ravel()
        log_a, g_a, h_a = self._side(d)
        log_b, g_b, h_b = self._side(-d)
        g_b = -g_b
        if self.n_outcomes == 2:  # "equal" is the label distribution (0.5, 0.5)
            log_e, g_e, h_e = 0.5 * (log_a + log_b), 0.5 * (g_a + g_b), 0.5 * (h_a + h_b)
        else:
            log_e, g_e, h_e = self._equal(d)
        rows = np.arange(d.size)
        return (
            np.stack((log_a, log_b, log_e))[codes, rows],
            np.stack((g_a, g_b, g_e))[codes, rows],
            np.stack((h_a, h_b, h_e))[codes, rows],
        )

    def _mix(self, log_p: Array) -> tuple[Array, Array]:
        """``log((1 - eps) p + eps / k)`` and ``rho = (1 - eps) p / that``."""
        if self.noise == 0.0:
            return log_p, np.ones_like(log_p)
        lifted = np.log1p(-self.noise) + log_p
        mixed = np.logaddexp(lifted, np.log(self.noise / self.n_outcomes))
        return mixed, np.exp(lifted - mixed)

    def _side(self, signed: Array) -> tuple[Array, Array, Array]:
        """log P(a) for ``signed = d`` (or P(b) for ``-d``) and derivatives in ``signed``."""
        s = self.scale
        x = (signed - self.width) / s
        log_p, rho = self._mix(_log_cdf(self.link, x))
        first = rho * _hazard(self.link, x) / s
        second = rho * _hazard(self.link, x) * _slope(self.link, x) / s**2 - first**2
        return log_p, first, second

    def _equal(self, d: Array) -> tuple[Array, Array, Array]:
        """log P(equal) = log(F(t1) - F(t0)), t1 = (delta - d) / s > t0 = (-delta - d) / s."""
        s, link = self.scale, self.link
        t1, t0 = (self.width - d) / s, (-self.width - d) / s
        flip = t1 + t0 > 0  # use the symmetric lower tails F(-t0) - F(-t1) for accuracy
        hi, lo = np.where(flip, -t0, t1), np.where(flip, -t1, t0)
        log_hi, log_lo = _log_cdf(link, hi), _log_cdf(link, lo)
        log_p = log_hi + np.log1p(-np.exp(log_lo - log_hi))
        a1 = np.exp(_log_pdf(link, t1) - log_p)  # f(t1) / P
        a0 = np.exp(_log_pdf(link, t0) - log_p)
        mixed, rho = self._mix(log_p)
        first = -rho * (a1 - a0) / s
        second = rho * (a1 * _slope(link, t1) - a0 * _slope(link, t0)) / s**2 - first**2
        return mixed, first, second

    def sample(self, diff: ArrayLike, rng: RandomLike = None) -> NDArray[np.int64]:
        """Simulated answers (0 = a, 1 = b, 2 = equal), one per entry of ``diff``.

        Examples
        --------
        >>> bradley_terry().sample([50.0, -50.0], rng=0).tolist()
        [0, 1]
        """
        p = self.probabilities(diff)
        u = as_generator(rng).random(p.shape[:-1])
        cumulative = np.cumsum(p, axis=-1)
        return np.asarray(np.minimum((u[..., None] > cumulative).sum(axis=-1), 2), dtype=np.int64)


def bradley_terry(*, noise: float = 0.0) -> PairwiseModel:
    """Bradley–Terry: ``P(a) = (1 - noise) sigmoid(u_a - u_b) + noise / 2``.

    References
    ----------
    Bradley & Terry (1952), Biometrika 39, eq. 1; Christiano et al. (2017), "Deep reinforcement
    learning from human preferences", NeurIPS, eq. 1 and section 2.2.3 (10% random answers).

    Examples
    --------
    >>> round(float(bradley_terry().probabilities(np.log(3.0))[0]), 6)
    0.75
    """
    return PairwiseModel("logistic", 1.0, 0.0, noise)


def thurstone(*, sigma: float = 1.0, noise: float = 0.0) -> PairwiseModel:
    """Thurstone case V: ``P(a) = Phi((u_a - u_b) / (sqrt(2) sigma))``, mixed with ``noise``.

    References
    ----------
    Thurstone (1927), "A law of comparative judgment", Psychological Review 34; Chu & Ghahramani
    (2005), "Preference learning with Gaussian processes", ICML, eq. 2.

    Examples
    --------
    >>> round(float(thurstone().probabilities(1.0)[0]), 5)  # Phi(1 / sqrt(2))
    0.76025
    """
    if not (isinstance(sigma, int | float) and np.isfinite(sigma) and sigma > 0):
        raise ValueLearnInputError(
            f"The 'sigma' parameter of thurstone must be a number > 0; got {sigma!r} instead."
        )
    return PairwiseModel("probit", float(np.sqrt(2.0) * sigma), 0.0, noise)


def weak_comparison(
    width: float, *, link: Link = "logistic", scale: float = 1.0, noise: float = 0.0
) -> PairwiseModel:
    """Weak comparisons: "about equal" is likely when ``|u_a - u_b|`` is below ``width``.

    An ordered logit (or probit) with thresholds ``-width`` and ``+width``; with the logistic link
    it is APReL's ``WeakComparisonQuery`` model, ``P(equal) = (e^(2 width) - 1) P(a) P(b)``.

    References
    ----------
    Bıyık, Talati & Sadigh (2022), "APReL", HRI, ``aprel/learning/user_models.py``;
    Agresti (2010), "Analysis of ordinal categorical data", section 3.3 (cumulative logit).

    Examples
    --------
    >>> p = weak_comparison(0.5).probabilities(0.0)
    >>> round(float(p[2]), 6) == round(float(np.tanh(0.25)), 6)  # sigmoid(w) - sigmoid(-w)
    True
    """
    if not (isinstance(width, int | float) and width > 0):
        raise ValueLearnInputError(
            f"The 'width' parameter of weak_comparison must be a number > 0; got {width!r} instead."
        )
    return PairwiseModel(link, scale, float(width), noise)


def pairwise_log_likelihood(
    utilities: ArrayLike,
    a: ArrayLike,
    b: ArrayLike,
    outcomes: ArrayLike,
    model: PairwiseModel | None = None,
    *,
    hessian: bool = False,
) -> LogLikelihood:
    """Total log-likelihood of comparisons of items ``a`` and ``b``, derivatives in utilities.

    Parameters
    ----------
    utilities : array, shape (n_items,)
    a, b : array of int, shape (n_comparisons,)
        Positions of the compared items.
    outcomes : array of int, shape (n_comparisons,)
        0 = "a" preferred, 1 = "b", 2 = "equal".
    model : PairwiseModel, optional
        Bradley–Terry without noise by default.
    hessian : bool
        Also return the (sparse) Hessian ``sum_k h_k (e_a - e_b)(e_a - e_b)^T``.

    Returns
    -------
    LogLikelihood
        Gradient and Hessian with respect to ``utilities``.

    Examples
    --------
    >>> ll = pairwise_log_likelihood([np.log(3.0), 0.0], [0], [1], [0])
    >>> round(ll.value, 6) == round(float(np.log(0.75)), 6), ll.gradient.round(2).tolist()
    (True, [0.25, -0.25])
    """
    model = model if model is not None else PairwiseModel()
    u = np.asarray(utilities, dtype=np.float64)
    first, second = np.asarray(a, dtype=np.int64), np.asarray(b, dtype=np.int64)
    log_p, g, h = model.log_likelihood_terms(u[first] - u[second], outcomes)
    n = u.size
    gradient = np.bincount(first, g, minlength=n) - np.bincount(second, g, minlength=n)
    matrix = None
    if hessian:
        rows = np.concatenate([first, second, first, second])
        cols = np.concatenate([first, second, second, first])
        matrix = sp.csr_array((np.concatenate([h, h, -h, -h]), (rows, cols)), shape=(n, n))
    return LogLikelihood(float(log_p.sum()), gradient.astype(np.float64), matrix)
