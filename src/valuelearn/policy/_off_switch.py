"""The off-switch game (Hadfield-Menell et al. 2017) as a calculator.

A robot R may act (utility ``U_a`` to the human, unknown to R), switch itself off (utility 0) or
defer: wait and let the human H, who knows ``U_a``, either let the action proceed or switch R off.
H lets it proceed with probability ``pi(u)`` when ``U_a = u``: a rational H uses ``1[u >= 0]``, a
Boltzmann-rational one ``sigmoid(rationality * u)`` (a logistic choice between the action, worth
``u``, and the off switch, worth 0). With R's belief over ``U_a`` the three values are

* act: ``E[U_a]``;
* switch off: ``0``;
* defer: ``E[pi(U_a) U_a]``;

and R's incentive to defer is ``delta = E[pi(U_a) U_a] - max(E[U_a], 0)``. A rational H makes
``delta >= 0`` (Theorem 1 of the paper); a noisy H can make it negative.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import integrate, special, stats

from valuelearn.exceptions import ValueLearnInputError

Action = Literal["act", "switch_off", "defer"]


@dataclass(frozen=True)
class OffSwitchValues:
    """The value of each of the robot's options in the off-switch game.

    Attributes
    ----------
    act : float
        ``E[U_a]``: the robot acts without asking.
    switch_off : float
        0: the robot switches itself off.
    defer : float
        ``E[pi(U_a) U_a]``: the robot waits and the human decides.
    incentive : float
        ``defer - max(act, switch_off)``; positive when deferring is strictly best.
    p_allow : float
        ``E[pi(U_a)]``: the probability that the human lets the action proceed.
    best : {"act", "switch_off", "defer"}
        The option of highest value (ties go to deferring, then to acting).
    """

    act: float
    switch_off: float
    defer: float
    incentive: float
    p_allow: float
    best: Action


def _finite(value: object, name: str, owner: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be a finite number; got {value!r} instead."
        )
    number = float(value)
    if not math.isfinite(number):
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be a finite number; got {value!r} instead."
        )
    return number


def _check_rationality(rationality: float | None, owner: str) -> float | None:
    if rationality is None:
        return None
    beta = _finite(rationality, "rationality", owner)
    if beta <= 0.0:
        raise ValueLearnInputError(
            f"The 'rationality' parameter of {owner} must be > 0 (None for a perfectly rational "
            f"human); got {rationality!r} instead."
        )
    return beta


def human_allow_probability(
    utility: ArrayLike, *, rationality: float | None = None
) -> NDArray[np.float64]:
    """``pi(u)``: the probability that the human lets an action of utility ``u`` proceed.

    Parameters
    ----------
    utility : array_like
    rationality : float > 0 or None
        ``None``: a rational human, ``1[u >= 0]``; else ``sigmoid(rationality * u)``.

    Examples
    --------
    >>> human_allow_probability([-1.0, 0.0, 2.0]).tolist()
    [0.0, 1.0, 1.0]
    >>> round(float(human_allow_probability(0.0, rationality=3.0)), 6)
    0.5
    """
    beta = _check_rationality(rationality, "human_allow_probability")
    u = np.asarray(utility, dtype=np.float64)
    if beta is None:
        return (u >= 0.0).astype(np.float64)
    return np.asarray(special.expit(beta * u), dtype=np.float64)


def _values(act: float, defer: float, p_allow: float) -> OffSwitchValues:
    options: dict[Action, float] = {"defer": defer, "act": act, "switch_off": 0.0}
    best: Action = max(options, key=lambda name: options[name])
    return OffSwitchValues(
        act=act,
        switch_off=0.0,
        defer=defer,
        incentive=defer - max(act, 0.0),
        p_allow=p_allow,
        best=best,
    )


def off_switch_gaussian(
    mean: float, sd: float, *, rationality: float | None = None
) -> OffSwitchValues:
    """Values of acting, switching off and deferring for a belief ``U_a ~ N(mean, sd^2)``.

    A rational human has the closed form ``defer = sd phi(mean/sd) + mean Phi(mean/sd)``; a
    Boltzmann human is integrated numerically (adaptive quadrature split at ``u = 0``, absolute
    error below 1e-10).

    Parameters
    ----------
    mean : float
    sd : float >= 0
        0 is a certain robot (then ``defer = pi(mean) mean``).
    rationality : float > 0 or None
        The human's Boltzmann rationality; ``None`` for a perfectly rational human.

    Returns
    -------
    OffSwitchValues

    Raises
    ------
    ValueLearnInputError
        If a parameter is not finite, ``sd < 0`` or ``rationality <= 0``.

    References
    ----------
    Hadfield-Menell, Dragan, Abbeel & Russell (2017), "The Off-Switch Game", IJCAI, section 3
    (Theorem 1) and section 4 (the Gaussian belief and the Boltzmann human).

    Examples
    --------
    >>> round(off_switch_gaussian(0.0, 1.0).incentive, 5)
    0.39894
    >>> round(off_switch_gaussian(1.0, 1.0).incentive, 5)
    0.08332
    >>> v = off_switch_gaussian(-1.0, 1.0, rationality=1.0)
    >>> round(v.incentive, 5), v.best
    (-0.12532, 'switch_off')
    """
    owner = "off_switch_gaussian"
    mu = _finite(mean, "mean", owner)
    sigma = _finite(sd, "sd", owner)
    if sigma < 0.0:
        raise ValueLearnInputError(
            f"The 'sd' parameter of {owner} must be >= 0; got {sd!r} instead."
        )
    beta = _check_rationality(rationality, owner)
    if sigma == 0.0:
        p = float(human_allow_probability(mu, rationality=beta))
        return _values(mu, p * mu, p)
    if beta is None:
        z = mu / sigma
        defer = sigma * float(stats.norm.pdf(z)) + mu * float(stats.norm.cdf(z))
        return _values(mu, defer, float(stats.norm.cdf(z)))

    defer = _gaussian_expectation(lambda u: float(special.expit(beta * u)) * u, mu, sigma)
    p_allow = _gaussian_expectation(lambda u: float(special.expit(beta * u)), mu, sigma)
    return _values(mu, defer, p_allow)


def _gaussian_expectation(function: Callable[[float], float], mean: float, sd: float) -> float:
    """``E[function(U)]`` for ``U ~ N(mean, sd^2)`` by adaptive quadrature, split at ``u = 0``."""
    total = 0.0
    for low, high in ((-np.inf, 0.0), (0.0, np.inf)):
        value, _ = integrate.quad(
            lambda u: function(u) * float(stats.norm.pdf(u, loc=mean, scale=sd)),
            low,
            high,
            epsabs=1e-12,
            epsrel=1e-10,
            limit=200,
        )
        total += float(value)
    return total


def off_switch_gaussian_batch(
    means: ArrayLike, sd: float, *, rationality: float | None = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """``(defer, p_allow)`` for many Gaussian beliefs ``N(mean_i, sd^2)`` at once.

    The rational human uses the closed form; the Boltzmann one the trapezoidal rule on 4,001
    points over ``mean +- 12 sd`` (the integrand is analytic, so the rule converges
    geometrically: within 1e-9 of :func:`off_switch_gaussian` for ``rationality * sd <= 50``).
    Acting is worth ``means`` and the incentive to defer is ``defer - max(means, 0)``.

    Returns
    -------
    defer, p_allow : arrays, shape of ``means``

    Examples
    --------
    >>> defer, p = off_switch_gaussian_batch([0.0, 1.0], 1.0, rationality=1.0)
    >>> np.round(defer - np.maximum([0.0, 1.0], 0), 5).tolist()
    [0.20662, -0.12532]
    """
    owner = "off_switch_gaussian_batch"
    mu = np.asarray(means, dtype=np.float64)
    sigma = _finite(sd, "sd", owner)
    if sigma <= 0.0 or not np.all(np.isfinite(mu)):
        raise ValueLearnInputError(
            f"The 'sd' parameter of {owner} must be > 0 and 'means' finite; got sd {sd!r}."
        )
    beta = _check_rationality(rationality, owner)
    if beta is None:
        z = mu / sigma
        return sigma * stats.norm.pdf(z) + mu * stats.norm.cdf(z), stats.norm.cdf(z)
    grid = np.linspace(-12.0, 12.0, 4001)
    weights = stats.norm.pdf(grid) * (grid[1] - grid[0])
    utility = mu[..., None] + sigma * grid
    allow = special.expit(beta * utility)
    return (allow * utility) @ weights, allow @ weights


def off_switch_discrete(
    utilities: ArrayLike,
    probabilities: ArrayLike | None = None,
    *,
    rationality: float | None = None,
) -> OffSwitchValues:
    """Values of the robot's options for a belief given as utilities and their probabilities.

    Parameters
    ----------
    utilities : array_like, shape (n,)
        Possible values of ``U_a`` (e.g. posterior draws).
    probabilities : array_like, shape (n,), optional
        Their probabilities (non-negative, summing to 1 within 1e-9); uniform when omitted.
    rationality : float > 0 or None
        The human's Boltzmann rationality; ``None`` for a perfectly rational human.

    Returns
    -------
    OffSwitchValues

    Raises
    ------
    ValueLearnInputError
        If the arrays are empty, of different lengths, non-finite, or the probabilities are not a
        distribution.

    References
    ----------
    Hadfield-Menell et al. (2017), "The Off-Switch Game", IJCAI, section 3.

    Examples
    --------
    >>> v = off_switch_discrete([-1.0, 2.0], [0.5, 0.5])
    >>> v.act, v.defer, v.incentive, v.best
    (0.5, 1.0, 0.5, 'defer')
    """
    owner = "off_switch_discrete"
    u = np.asarray(utilities, dtype=np.float64)
    if u.ndim != 1 or u.size == 0 or not np.all(np.isfinite(u)):
        raise ValueLearnInputError(
            f"The 'utilities' parameter of {owner} must be a non-empty 1-d array of finite "
            f"numbers; got shape {u.shape} instead."
        )
    if probabilities is None:
        p = np.full(u.size, 1.0 / u.size)
    else:
        p = np.asarray(probabilities, dtype=np.float64)
        if p.shape != u.shape:
            raise ValueLearnInputError(
                f"The 'probabilities' parameter of {owner} must have the shape of 'utilities' "
                f"{u.shape}; got {p.shape} instead."
            )
        if not np.all(np.isfinite(p)) or np.any(p < 0) or abs(float(p.sum()) - 1.0) > 1e-9:
            raise ValueLearnInputError(
                f"The 'probabilities' parameter of {owner} must be non-negative and sum to 1; "
                f"got a sum of {float(p.sum())!r} instead."
            )
    allow = human_allow_probability(u, rationality=_check_rationality(rationality, owner))
    return _values(float(p @ u), float(p @ (allow * u)), float(p @ allow))


def deference_incentive_stein(mean: float, sd: float, *, rationality: float) -> float:
    """The incentive to defer from Stein's lemma, for a Gaussian belief and a Boltzmann human.

    ``delta = sd^2 E[pi'(U)] - |mean| Pr(C)``, with ``Pr(C) = 1 - E[pi(U)]`` when ``mean >= 0``
    and ``E[pi(U)]`` otherwise (the probability that the human overrides the robot's own best
    choice). It equals :func:`off_switch_gaussian`'s ``incentive``; kept as an independent check
    and because it shows the trade-off: deferring pays when ``(|mean| / sd^2) Pr(C) < E[pi']``.

    Parameters
    ----------
    mean : float
    sd : float > 0
    rationality : float > 0

    Returns
    -------
    float

    References
    ----------
    Hadfield-Menell et al. (2017), "The Off-Switch Game", IJCAI, section 4 (Theorem 3).

    Examples
    --------
    >>> round(deference_incentive_stein(1.0, 1.0, rationality=1.0), 5)
    -0.12532
    """
    owner = "deference_incentive_stein"
    mu = _finite(mean, "mean", owner)
    sigma = _finite(sd, "sd", owner)
    if sigma <= 0.0:
        raise ValueLearnInputError(
            f"The 'sd' parameter of {owner} must be > 0; got {sd!r} instead."
        )
    beta = _check_rationality(rationality, owner)
    if beta is None:
        raise ValueLearnInputError(
            f"The 'rationality' parameter of {owner} must be a number > 0; got None instead."
        )

    def slope(u: float) -> float:
        p = float(special.expit(beta * u))
        return beta * p * (1.0 - p)

    p_allow = _gaussian_expectation(lambda u: float(special.expit(beta * u)), mu, sigma)
    p_override = 1.0 - p_allow if mu >= 0.0 else p_allow
    return sigma**2 * _gaussian_expectation(slope, mu, sigma) - abs(mu) * p_override


def off_switch_table(
    means: Sequence[float], sd: float, *, rationalities: Sequence[float | None]
) -> NDArray[np.float64]:
    """The incentive to defer over a grid of belief means and human rationalities.

    Returns
    -------
    array, shape (len(rationalities), len(means))

    Examples
    --------
    >>> table = off_switch_table([0.0, 1.0], 1.0, rationalities=[None, 1.0])
    >>> np.round(table, 5).tolist()
    [[0.39894, 0.08332], [0.20662, -0.12532]]
    """
    return np.array(
        [
            [off_switch_gaussian(m, sd, rationality=b).incentive for m in means]
            for b in rationalities
        ]
    )
