"""Shared fitting helpers for the MCE-based learners: settings, weighted problems, L-BFGS.

Used by the contextual, time-weighted, hierarchical and model-aware learners so that each reuses
the exact MCE dual of :func:`valuelearn.inference.mce_objective`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from typing import Literal

import numpy as np
import scipy.optimize
from numpy.typing import NDArray

from valuelearn.data import MDP, Demonstrations
from valuelearn.exceptions import ConvergenceWarning, ValueLearnInputError
from valuelearn.inference._mce import MCEProblem, check_fit_inputs
from valuelearn.policy._planning import check_horizon

RewardKind = Literal["auto", "linear", "tabular"]
Objective = Callable[[NDArray[np.float64]], tuple[float, NDArray[np.float64]]]


def resolve_setting(
    owner: str,
    mdp: MDP,
    demonstrations: Demonstrations,
    *,
    horizon: int | None,
    discount: float | None,
    reward: RewardKind,
) -> tuple[int, float, NDArray[np.float64] | None]:
    """Validate a finite-horizon MCE learner's inputs; return ``(horizon, discount, features)``.

    ``features`` is ``None`` for a tabular reward (one weight per state).
    """
    gamma = check_fit_inputs(owner, mdp, demonstrations, reward=reward, discount=discount)
    lengths = demonstrations.lengths
    steps = horizon if horizon is not None else (mdp.horizon or int(lengths[0]))
    checked = check_horizon(steps, gamma)
    if checked is None:  # pragma: no cover - check_horizon returns an int for an int
        raise ValueLearnInputError(f"{owner} needs a finite horizon.")
    bad = np.flatnonzero(lengths != checked)
    if bad.size:
        raise ValueLearnInputError(
            f"trajectory {bad[0]} has {lengths[bad[0]]} actions, but {owner} with horizon "
            f"{checked} needs every trajectory to have exactly {checked} actions."
        )
    linear = reward == "linear" or (reward == "auto" and mdp.features is not None)
    if linear and mdp.features is None:
        raise ValueLearnInputError("a linear reward needs an MDP with `features`.")
    return checked, gamma, (mdp.features if linear else None)


def weighted_problem(
    mdp: MDP,
    demonstrations: Sequence[object],
    *,
    features: NDArray[np.float64] | None,
    horizon: int,
    discount: float,
    weights: NDArray[np.float64] | None = None,
    start: Literal["empirical", "mdp"] = "empirical",
) -> MCEProblem:
    """MCE problem (no penalty) for ``demonstrations`` with optional per-trajectory ``weights``.

    The feature counts and the empirical start distribution are the ``weights``-weighted means over
    trajectories, so the dual's value is the weighted mean causal log-likelihood (Ziebart 2010,
    Thm 6.8, applied to a weighted empirical distribution).
    """
    demos = Demonstrations(demonstrations)  # type: ignore[arg-type]
    w = np.ones(len(demos)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w / w.sum()
    counts = np.zeros(mdp.n_states)
    first = np.zeros(mdp.n_states)
    for weight, trajectory in zip(w, demos, strict=True):
        steps = discount ** np.arange(len(trajectory), dtype=np.float64)
        np.add.at(counts, trajectory.states[:-1], weight * steps)
        first[trajectory.states[0]] += weight
    return MCEProblem(
        mdp=mdp,
        features=features,
        demo_counts=counts,
        start=first if start == "empirical" else mdp.initial,
        horizon=horizon,
        discount=discount,
        backup="causal",
        l2=0.0,
    )


def maximise(
    objective: Objective, start: NDArray[np.float64], *, gtol: float, max_iter: int, owner: str
) -> tuple[NDArray[np.float64], bool, int]:
    """Maximise a smooth ``objective`` (value, gradient) with L-BFGS; warn if it did not converge.

    Returns ``(argmax, converged, n_iter)``; convergence means ``max |gradient| <= gtol``.
    """

    def negative(x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
        value, gradient = objective(x)
        return -value, -gradient

    result = scipy.optimize.minimize(
        negative,
        start,
        jac=True,
        method="L-BFGS-B",
        options={"maxiter": max_iter, "gtol": gtol, "ftol": 0.0, "maxcor": 20},
    )
    x = np.asarray(result.x, dtype=np.float64)
    _, gradient = objective(x)
    converged = bool(np.max(np.abs(gradient)) <= gtol)
    if not converged:
        warnings.warn(
            f"{owner} stopped after {result.nit} L-BFGS iterations ({result.message}) with "
            f"max |gradient| = {np.max(np.abs(gradient)):.3g} > gtol = {gtol:g}.",
            ConvergenceWarning,
            stacklevel=3,
        )
    return x, converged, int(result.nit)


def check_nonnegative(value: object, name: str, owner: str, *, strict: bool = False) -> float:
    """Return ``value`` as a float if it is a number ``>= 0`` (``> 0`` if ``strict``)."""
    ok = isinstance(value, int | float) and not isinstance(value, bool) and np.isfinite(value)
    if not ok or value < 0 or (strict and value == 0):  # type: ignore[operator]
        bound = "> 0" if strict else ">= 0"
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be a finite number {bound}; got {value!r} "
            "instead."
        )
    return float(value)  # type: ignore[arg-type]


# ---------------------------------------------------------------------- contextual
