"""Over-optimisation (Goodhart) curves: best-of-n KL, exact best-of-n outcomes, Gao et al. fits.

Optimising against a learned (proxy) value model drifts away from the base distribution of
candidates; Gao, Schulman & Hilton (2023) measure that pressure by ``d = sqrt(KL(pi || pi_0))``
and find the gold (true) value gained follows

- best-of-n: ``R_bon(d) = d (alpha - beta d)``,
- RL: ``R_RL(d) = d (alpha - beta log d)``,

with ``R(0) = 0`` (values recentred so the base distribution scores 0). Best-of-n from a continuous
proxy has ``KL = log n - (n - 1) / n`` whatever the distribution. On a *finite* pool of candidates
(phrases) everything is exact: :func:`best_of_n_outcomes` gives the selection probabilities of
best-of-n with replacement, their expected proxy and gold value and their exact KL, which tends to
the analytic KL as the pool grows.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.exceptions import ValueLearnInputError

GaoForm = Literal["best_of_n", "rl"]
GAO_FORMS: tuple[GaoForm, ...] = ("best_of_n", "rl")


def best_of_n_kl(n: ArrayLike) -> NDArray[np.float64]:
    """Analytic KL divergence of best-of-n sampling from its base distribution, in nats.

    ``KL_bon(n) = log n - (n - 1) / n``: exact when the proxy score of a draw is continuous
    (no ties), whatever its distribution, since the selected draw's proxy quantile has density
    ``n u^(n-1)`` on [0, 1].

    Parameters
    ----------
    n : int or array of int, each >= 1
        Number of draws.

    Returns
    -------
    array, same shape as ``n`` (a 0-d array for a scalar)

    Raises
    ------
    ValueLearnInputError
        If some ``n`` is not a whole number >= 1.

    References
    ----------
    Gao, Schulman & Hilton (2023), "Scaling laws for reward model overoptimization", ICML,
    arXiv:2210.10760, section 2.2 (footnote: the KL of best-of-n); Stiennon et al. (2020),
    "Learning to summarize from human feedback", NeurIPS, appendix G.3.

    Examples
    --------
    >>> [round(float(best_of_n_kl(n)), 3) for n in (1, 2, 16, 1000, 60_000)]
    [0.0, 0.193, 1.835, 5.909, 10.002]
    """
    values = np.asarray(n, dtype=np.float64)
    if not np.all(np.isfinite(values)) or np.any(values < 1) or np.any(values != np.round(values)):
        raise ValueLearnInputError(
            f"The 'n' parameter of best_of_n_kl must hold whole numbers >= 1; got {n!r} instead."
        )
    result: NDArray[np.float64] = np.log(values) - (values - 1.0) / values
    return result


def gao_best_of_n(distance: ArrayLike, *, alpha: float, beta: float) -> NDArray[np.float64]:
    """Gao et al.'s best-of-n gold-value form ``R_bon(d) = d (alpha - beta d)``.

    Parameters
    ----------
    distance : array
        ``d = sqrt(KL)``, each >= 0.
    alpha, beta : float

    Returns
    -------
    array, same shape as ``distance``

    References
    ----------
    Gao, Schulman & Hilton (2023), ICML, arXiv:2210.10760, eq. 1.

    Examples
    --------
    >>> gao_best_of_n([0.0, 1.0, 2.0], alpha=1.0, beta=0.25).tolist()
    [0.0, 0.75, 1.0]
    """
    d = _distances(distance, "gao_best_of_n")
    result: NDArray[np.float64] = d * (alpha - beta * d)
    return result


def gao_rl(distance: ArrayLike, *, alpha: float, beta: float) -> NDArray[np.float64]:
    """Gao et al.'s RL gold-value form ``R_RL(d) = d (alpha - beta log d)``, with ``R(0) = 0``.

    Parameters
    ----------
    distance : array
        ``d = sqrt(KL)``, each >= 0 (the limit ``d log d -> 0`` gives ``R(0) = 0``).
    alpha, beta : float

    Returns
    -------
    array, same shape as ``distance``

    References
    ----------
    Gao, Schulman & Hilton (2023), ICML, arXiv:2210.10760, eq. 2 (the form "likely does not hold
    near the origin", where its slope is infinite).

    Examples
    --------
    >>> [round(v, 6) for v in gao_rl([0.0, 1.0, np.e], alpha=1.0, beta=0.5).tolist()]
    [0.0, 1.0, 1.359141]
    """
    d = _distances(distance, "gao_rl")
    d_log_d = np.where(d > 0, d * np.log(np.where(d > 0, d, 1.0)), 0.0)
    result: NDArray[np.float64] = alpha * d - beta * d_log_d
    return result


@dataclass(frozen=True)
class GaoFit:
    """Least-squares fit of one of Gao et al.'s forms, and the peak it implies.

    Attributes
    ----------
    form : {"best_of_n", "rl"}
    alpha, beta : float
        The fitted coefficients (``alpha`` the regressional slope, ``beta`` the extremal term).
    peak_distance : float
        ``d*`` maximising the fitted curve: ``alpha / (2 beta)`` (best-of-n) or
        ``exp(alpha / beta - 1)`` (RL); ``inf`` when ``beta <= 0`` (no over-optimisation seen).
    peak_value : float
        ``R(d*)``: ``alpha^2 / (4 beta)`` or ``beta d*``; ``inf`` when ``beta <= 0``.
    rmse : float
        Root mean squared residual of the fit.
    """

    form: GaoForm
    alpha: float
    beta: float
    peak_distance: float
    peak_value: float
    rmse: float

    def predict(self, distance: ArrayLike) -> NDArray[np.float64]:
        """The fitted curve at ``distance``."""
        function = gao_best_of_n if self.form == "best_of_n" else gao_rl
        return function(distance, alpha=self.alpha, beta=self.beta)


def fit_gao(distance: ArrayLike, gold: ArrayLike, *, form: GaoForm = "best_of_n") -> GaoFit:
    """Fit ``R_bon`` or ``R_RL`` to gold-value gains by (linear) least squares.

    Both forms are linear in ``(alpha, beta)``: ``R = alpha d - beta d^2`` and
    ``R = alpha d - beta d log d``, so the fit is one ``lstsq`` solve, exact for data that follow
    the form. The forms pass through the origin, so ``gold`` must be the gain over the base
    distribution (its value at ``d = 0`` is 0).

    Parameters
    ----------
    distance : array, shape (n_points,)
        ``sqrt(KL)`` of each optimised distribution, >= 0.
    gold : array, shape (n_points,)
        Gold value gained at each distance.
    form : {"best_of_n", "rl"}

    Returns
    -------
    GaoFit

    Raises
    ------
    ValueLearnInputError
        If the arrays differ in shape, are not finite, or fewer than two distances are positive
        and distinct.

    References
    ----------
    Gao, Schulman & Hilton (2023), ICML, arXiv:2210.10760, eqs. 1-2 and section 3.1.

    Examples
    --------
    >>> d = np.sqrt(best_of_n_kl([1, 2, 4, 8, 16, 64]))
    >>> fit = fit_gao(d, gao_best_of_n(d, alpha=1.0, beta=0.25))
    >>> round(fit.alpha, 9), round(fit.beta, 9), round(fit.peak_distance, 9)
    (1.0, 0.25, 2.0)
    """
    if form not in GAO_FORMS:
        raise ValueLearnInputError(
            f"The 'form' parameter of fit_gao must be one of {GAO_FORMS}; got {form!r} instead."
        )
    d = _distances(distance, "fit_gao").ravel()
    values = np.asarray(gold, dtype=np.float64).ravel()
    if values.shape != d.shape or not np.all(np.isfinite(values)):
        raise ValueLearnInputError(
            f"The 'gold' parameter of fit_gao must be finite with one value per distance "
            f"({d.size}); got shape {np.shape(gold)} instead."
        )
    if np.unique(d[d > 0]).size < 2:
        raise ValueLearnInputError(
            "The 'distance' parameter of fit_gao must hold at least two distinct positive "
            f"distances; got {d.tolist()!r} instead."
        )
    if form == "best_of_n":
        second = -(d**2)
    else:
        second = -np.where(d > 0, d * np.log(np.where(d > 0, d, 1.0)), 0.0)
    design = np.column_stack([d, second])
    (alpha, beta), *_ = np.linalg.lstsq(design, values, rcond=None)
    rmse = float(np.sqrt(np.mean((design @ np.array([alpha, beta]) - values) ** 2)))
    alpha, beta = float(alpha), float(beta)
    if beta <= 0:
        peak_distance = peak_value = float("inf")
    elif form == "best_of_n":
        peak_distance, peak_value = alpha / (2.0 * beta), alpha**2 / (4.0 * beta)
    else:
        peak_distance = float(np.exp(alpha / beta - 1.0))
        peak_value = beta * peak_distance
    return GaoFit(form, alpha, beta, peak_distance, peak_value, rmse)


@dataclass(frozen=True)
class BestOfNCurve:
    """Exact outcomes of best-of-n selection from a finite pool, one entry per ``n``.

    Attributes
    ----------
    n : int array, shape (n_points,)
    kl : array, shape (n_points,)
        Exact ``KL(p_n || q)`` of the selection distribution from the base distribution, nats
        (at most :func:`best_of_n_kl`, equal in the limit of a large pool without ties).
    distance : array, shape (n_points,)
        ``sqrt(kl)``.
    proxy, gold : arrays, shape (n_points,)
        Expected proxy and gold value of the selected candidate.
    probabilities : array, shape (n_points, n_candidates)
        Selection probabilities ``p_n``.
    """

    n: NDArray[np.int64]
    kl: NDArray[np.float64]
    distance: NDArray[np.float64]
    proxy: NDArray[np.float64]
    gold: NDArray[np.float64]
    probabilities: NDArray[np.float64]


def best_of_n_outcomes(
    proxy: ArrayLike, gold: ArrayLike, ns: ArrayLike, *, base: ArrayLike | None = None
) -> BestOfNCurve:
    """Exact best-of-n over a finite pool: draw ``n`` candidates i.i.d. from ``base``, keep the
    one the proxy scores highest (ties broken uniformly at random).

    With candidates sorted by proxy score into tie groups ``g`` of base mass ``Q_g`` and
    cumulative mass ``F_g``, group ``g`` wins with probability ``F_g^n - F_(g-1)^n``, shared
    within the group in proportion to ``base``. No sampling is involved.

    Parameters
    ----------
    proxy, gold : arrays, shape (n_candidates,)
        Each candidate's proxy (optimised) and gold (true, held-out) value.
    ns : array of int >= 1, shape (n_points,)
    base : array, shape (n_candidates,), optional
        Base distribution (non-negative, normalised here); default uniform.

    Returns
    -------
    BestOfNCurve

    References
    ----------
    Gao, Schulman & Hilton (2023), ICML, arXiv:2210.10760, section 2.2 (best-of-n); Stiennon et
    al. (2020), NeurIPS, appendix G.3.

    Examples
    --------
    >>> curve = best_of_n_outcomes([0.0, 1.0], [5.0, 3.0], [1, 2])
    >>> curve.probabilities.tolist(), curve.gold.tolist()
    ([[0.5, 0.5], [0.25, 0.75]], [4.0, 3.5])
    """
    scores = np.asarray(proxy, dtype=np.float64)
    truth = np.asarray(gold, dtype=np.float64)
    if scores.ndim != 1 or scores.size == 0 or truth.shape != scores.shape:
        raise ValueLearnInputError(
            "The 'proxy' and 'gold' parameters of best_of_n_outcomes must be 1-d arrays of the "
            f"same positive length; got shapes {scores.shape} and {truth.shape} instead."
        )
    if not (np.all(np.isfinite(scores)) and np.all(np.isfinite(truth))):
        raise ValueLearnInputError("The 'proxy' and 'gold' values must be finite.")
    weights = np.full(scores.size, 1.0 / scores.size) if base is None else _base(base, scores.size)
    counts = np.atleast_1d(np.asarray(ns))
    best_of_n_kl(counts)  # validates
    counts = counts.astype(np.int64)
    order = np.argsort(scores, kind="stable")
    sorted_scores, sorted_weights = scores[order], weights[order]
    starts = np.flatnonzero(np.r_[True, sorted_scores[1:] != sorted_scores[:-1]])
    group_mass = np.add.reduceat(sorted_weights, starts)
    upper = np.minimum(np.cumsum(group_mass), 1.0)
    lower = np.r_[0.0, upper[:-1]]
    group_of = np.repeat(np.arange(starts.size), np.diff(np.r_[starts, scores.size]))
    probabilities = np.zeros((counts.size, scores.size))
    kl = np.zeros(counts.size)
    for row, n in enumerate(counts):
        wins = upper**n - lower**n
        ratio = np.divide(wins, group_mass, out=np.zeros_like(wins), where=group_mass > 0)
        probabilities[row, order] = sorted_weights * ratio[group_of]
        positive = (wins > 0) & (group_mass > 0)
        kl[row] = max(float(np.sum(wins[positive] * np.log(ratio[positive]))), 0.0)
    return BestOfNCurve(
        n=counts,
        kl=kl,
        distance=np.sqrt(kl),
        proxy=probabilities @ scores,
        gold=probabilities @ truth,
        probabilities=probabilities,
    )


def _base(base: ArrayLike, size: int) -> NDArray[np.float64]:
    weights = np.asarray(base, dtype=np.float64)
    if (
        weights.shape != (size,)
        or not np.all(np.isfinite(weights))
        or np.any(weights < 0)
        or weights.sum() <= 0
    ):
        raise ValueLearnInputError(
            f"The 'base' parameter of best_of_n_outcomes must hold {size} non-negative finite "
            f"weights with a positive sum; got shape {weights.shape} instead."
        )
    normalised: NDArray[np.float64] = weights / weights.sum()
    return normalised


def _distances(distance: ArrayLike, where: str) -> NDArray[np.float64]:
    d = np.asarray(distance, dtype=np.float64)
    if not np.all(np.isfinite(d)) or np.any(d < 0):
        raise ValueLearnInputError(
            f"The 'distance' parameter of {where} must hold finite values >= 0; got "
            f"{distance!r} instead."
        )
    return d
