"""Invariance report: the reward transformations a human model's likelihood cannot see.

A data source determines the reward only up to a set of transformations (Skalse et al. 2023). For
a Boltzmann-rational or soft-optimal (MCE) policy that set is potential shaping plus
S'-redistribution (Thm 3.3); for an optimal policy, every optimality-preserving transformation
(Thm 3.2). :func:`invariance_report` applies random instances of each transformation to a reward,
measures how much the human model's policy and the likelihood of the demonstrations move, and
checks that the log-likelihood is flat along every invisible direction, so the posterior there is
the prior.

**Finite horizon.** With ``H`` decisions the shaping terms telescope to
``discount**(H - t) * Phi(s_H) - Phi(s_t)``, and the ``Phi(s_H)`` part is an unpaid terminal
reward that changes the time-indexed policy (unless ``discount == 0``). Paying it, i.e. planning
the shaped reward with ``terminal_values = -Phi``, restores exact invariance (``V'_t = V_t - Phi``
at every ``t``). The human-model interface takes no terminal values, so the report measures
shaping as the model sees it (visible at a finite horizon) and, for :class:`SoftOptimal` and
:class:`BoltzmannRational`, also through their planners with the terminal potential paid. With
``horizon=None`` (discounted, infinite horizon) shaping is exactly invisible.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations, check_discount
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import (
    BoltzmannRational,
    HumanModel,
    SoftOptimal,
    boltzmann_policy,
    trajectory_log_likelihood,
)
from valuelearn.humans._rational import check_positive
from valuelearn.inference._invariance_report import (
    ROW_NAMES,
    InvarianceReport,
    InvarianceRow,
    data_source_of,
    measurement_notes,
    row_theory,
    theory_row_of,
)
from valuelearn.policy import soft_value_iteration, value_iteration
from valuelearn.policy._planning import check_horizon

Array = NDArray[np.float64]
#: A point of a path: (human model, reward, terminal values or None).
Point = tuple[HumanModel, Array, Array | None]


# ---------------------------------------------------------------------- transformations
def potential_shaping(
    mdp: MDP, reward: ArrayLike, potential: ArrayLike, *, discount: float
) -> Array:
    """Potential-shaped reward ``R'(s, a, s') = R(s, a, s') + discount * Phi(s') - Phi(s)``.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    potential : array, shape (n_states,)
        ``Phi``.
    discount : float in [0, 1]

    Returns
    -------
    array, shape (n_states, n_actions, n_states)

    Raises
    ------
    ValueLearnInputError
        If ``reward`` or ``potential`` has the wrong shape or a non-finite value.

    Notes
    -----
    Discounted infinite-horizon soft and hard planners give the same policy for ``R'`` and ``R``.
    For a finite horizon plan ``R'`` with ``terminal_values = -potential`` to keep the policy.

    References
    ----------
    Ng, Harada & Russell (1999), ICML, Theorem 1. Skalse et al. (2023), "Invariance in policy
    optimisation and partial identifiability in reward learning", ICML, Thm 3.3.

    Examples
    --------
    >>> T = np.zeros((2, 1, 2)); T[:, 0, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> potential_shaping(mdp, [0.0, 1.0], [2.0, 4.0], discount=0.5)[:, 0, 1].tolist()
    [0.0, -1.0]
    """
    r = transition_reward(mdp, reward, owner="potential_shaping")
    phi = np.asarray(potential, dtype=np.float64)
    if phi.shape != (mdp.n_states,) or not np.all(np.isfinite(phi)):
        raise ValueLearnInputError(
            "The 'potential' parameter of potential_shaping must be a finite array of shape "
            f"({mdp.n_states},); got shape {phi.shape} instead."
        )
    gamma = check_discount(discount)
    shaped: Array = r + gamma * phi[None, None, :] - phi[:, None, None]
    return shaped


def s_prime_redistribution(
    mdp: MDP, reward: ArrayLike, *, rng: RandomLike = None, scale: float = 1.0
) -> Array:
    """``R + delta`` for a random ``delta`` with ``sum_s' T(s' | s, a) delta(s, a, s') = 0``.

    ``delta`` is N(0, scale**2) on the successors of each (state, action) minus its mean under
    ``T(. | s, a)``, and 0 elsewhere, so it is 0 wherever (s, a) has a single successor and the
    expected reward ``E_{s'}[R(s, a, s')]`` is unchanged everywhere.

    Parameters
    ----------
    mdp : MDP
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    rng : Generator, int or None
    scale : float > 0
        Standard deviation of the noise before centring.

    Returns
    -------
    array, shape (n_states, n_actions, n_states)

    Raises
    ------
    ValueLearnInputError
        If ``reward`` has the wrong shape or ``scale`` is not a positive finite number.

    References
    ----------
    Skalse et al. (2023), ICML, definition of S'-redistribution and Thm 3.1, 3.3.

    Examples
    --------
    >>> from valuelearn.data import random_mdp
    >>> from valuelearn.policy import expected_reward
    >>> mdp = random_mdp(4, 2, branching=2, rng=0)
    >>> moved = s_prime_redistribution(mdp, np.zeros(4), rng=1)
    >>> bool(np.abs(moved).max() > 0.1), bool(np.abs(expected_reward(mdp, moved)).max() < 1e-12)
    (True, True)
    """
    r = transition_reward(mdp, reward, owner="s_prime_redistribution")
    sigma = check_positive(scale, "scale", "s_prime_redistribution")
    generator = as_generator(rng)
    matrix = mdp.transitions
    n_rows = mdp.n_states * mdp.n_actions
    rows = np.repeat(np.arange(n_rows), np.diff(matrix.indptr))
    noise = sigma * generator.standard_normal(matrix.nnz) * (matrix.data > 0)
    mean = np.bincount(rows, weights=matrix.data * noise, minlength=n_rows)
    delta = np.zeros((n_rows, mdp.n_states))
    delta[rows, matrix.indices] = (noise - mean[rows]) * (matrix.data > 0)
    moved: Array = r + delta.reshape(r.shape)
    return moved


def transition_reward(mdp: MDP, reward: ArrayLike, *, owner: str) -> Array:
    """A copy of ``reward`` (``R[s]``, ``R[s, a]`` or ``R[s, a, s']``) of shape (S, A, S).

    Examples
    --------
    >>> from valuelearn.data import random_mdp
    >>> transition_reward(random_mdp(3, 2, branching=1, rng=0), [1.0, 2.0, 3.0], owner="f").shape
    (3, 2, 3)
    """
    values = np.asarray(reward, dtype=np.float64)
    n_states, n_actions = mdp.n_states, mdp.n_actions
    shape = (n_states, n_actions, n_states)
    forms = {1: (n_states,), 2: (n_states, n_actions), 3: shape}
    if forms.get(values.ndim) != values.shape or not np.all(np.isfinite(values)):
        raise ValueLearnInputError(
            f"The 'reward' parameter of {owner} must be a finite array of shape ({n_states},), "
            f"({n_states}, {n_actions}) or {shape}; got shape {values.shape} instead."
        )
    expanded = values.reshape(values.shape + (1,) * (3 - values.ndim))
    return np.array(np.broadcast_to(expanded, shape))


# ---------------------------------------------------------------------- the report
def invariance_report(
    mdp: MDP,
    human: HumanModel,
    reward: ArrayLike,
    *,
    horizon: int | None,
    discount: float,
    demonstrations: Demonstrations | None = None,
    rng: RandomLike = None,
    n_directions: int = 3,
    grid: ArrayLike = (-2.0, -1.0, -0.5, 0.5, 1.0, 2.0),
    tol: float = 1e-6,
) -> InvarianceReport:
    """Measure which reward transformations the likelihood of ``human`` cannot see.

    For each transformation (potential shaping; shaping with the terminal potential paid; S'-
    redistribution; positive scaling of R; scaling of R with the rationality rescaled; a random
    perturbation as a control) the reward moves along ``n_directions`` random paths, ``R + t * D``
    for ``t`` in ``grid`` (the scaling rows follow ``exp(t) * R`` instead). At each point the
    report measures ``max |log pi' - log pi|`` over times, states and actions and, with
    ``demonstrations``, the change of their log-likelihood; the *LL range* is the largest
    ``max_t LL - min_t LL`` over the paths, 0 along a direction where the posterior equals the
    prior. A row is *invisible* when ``max |dlog pi| <= tol``: the likelihood of any data set
    depends on the reward only through the policy. Each row also carries what Skalse et al.'s
    table says for this data source, and disagreements are listed.

    Parameters
    ----------
    mdp : MDP
    human : HumanModel
        The data source: the person whose policy or demonstrations are observed.
        ``horizon=None`` needs a model that plans with an infinite horizon (:class:`SoftOptimal`,
        :class:`BoltzmannRational`).
    reward : array, shape (n_states,), (n_states, n_actions) or (n_states, n_actions, n_states)
    horizon : int or None
    discount : float
    demonstrations : Demonstrations, optional
        When given, log-likelihood changes and ranges are reported.
    rng : Generator, int or None
        Draws the potentials, redistributions and perturbations (scale: the std of ``reward``).
    n_directions : int
        Random paths per transformation.
    grid : sequence of float
        Values of ``t``; ``t = 0`` (the reward itself) is always added.
    tol : float > 0
        Largest ``max |dlog pi|`` still called invisible.

    Returns
    -------
    InvarianceReport

    Raises
    ------
    ValueLearnInputError
        On a bad reward shape, horizon, discount, ``n_directions``, ``grid`` or ``tol``.

    References
    ----------
    Skalse, Farrugia-Roberts, Russell, Abate & Gleave (2023), "Invariance in policy optimisation
    and partial identifiability in reward learning", ICML, Table 1, Thms 3.2 and 3.3.

    Examples
    --------
    >>> from valuelearn.data import random_mdp
    >>> mdp = random_mdp(5, 2, branching=2, rng=0)
    >>> reward = np.random.default_rng(1).normal(size=5)
    >>> report = invariance_report(mdp, SoftOptimal(), reward, horizon=None, discount=0.9, rng=2)
    >>> report.invisible
    ('potential shaping', "S'-redistribution", 'scaling R with the rationality')
    >>> report.disagreements
    ()
    """
    base_reward = transition_reward(mdp, reward, owner="invariance_report")
    gamma = check_discount(discount)
    steps = check_horizon(horizon, gamma)
    points = _grid(grid)
    if (
        isinstance(n_directions, bool)
        or not isinstance(n_directions, int | np.integer)
        or n_directions < 1
    ):
        raise ValueLearnInputError(
            "The 'n_directions' parameter of invariance_report must be a positive integer; got "
            f"{n_directions!r} instead."
        )
    tolerance = check_positive(tol, "tol", "invariance_report")
    if not isinstance(human, HumanModel):
        raise ValueLearnInputError(
            "The 'human' parameter of invariance_report must be a HumanModel; got "
            f"{type(human).__name__} instead."
        )
    probe = _Probe(mdp, steps, gamma, demonstrations)
    probe.base = probe.evaluate((human, base_reward, None))
    paths = _paths(mdp, human, base_reward, steps, gamma, n_directions, as_generator(rng))
    theory = theory_row_of(human)
    rows = tuple(
        probe.row(name, paths[name], points, row_theory(name, theory, steps, gamma), tolerance)
        for name in ROW_NAMES
    )
    return InvarianceReport(
        human=human.name,
        data_source=data_source_of(human),
        theory=theory,
        horizon=steps,
        discount=gamma,
        tol=tolerance,
        grid=tuple(float(t) for t in points),
        n_directions=int(n_directions),
        n_demonstration_steps=None
        if demonstrations is None
        else sum(len(trajectory) for trajectory in demonstrations),
        rows=rows,
        notes=measurement_notes(steps),
    )


def _paths(
    mdp: MDP,
    human: HumanModel,
    reward: Array,
    horizon: int | None,
    discount: float,
    n_directions: int,
    generator: np.random.Generator,
) -> dict[str, list[Callable[[float], Point]] | None]:
    """Per row, the random paths ``t -> (model, reward, terminal values)``; None: not applicable."""
    scale = float(np.std(reward)) or 1.0
    shape = reward.shape
    potentials = [scale * generator.standard_normal(mdp.n_states) for _ in range(n_directions)]
    zero = np.zeros(mdp.n_states)
    moves = [
        s_prime_redistribution(mdp, zero, rng=generator, scale=scale) for _ in range(n_directions)
    ]
    noise = [scale * generator.standard_normal(shape) for _ in range(n_directions)]

    def shaped(phi: Array, paid: bool) -> Callable[[float], Point]:
        d = potential_shaping(mdp, np.zeros(shape), phi, discount=discount)
        return lambda t: (human, reward + t * d, -t * phi if paid else None)

    def line(d: Array) -> Callable[[float], Point]:
        return lambda t: (human, reward + t * d, None)

    def scaled(t: float) -> Point:
        return human, float(np.exp(t)) * reward, None

    rescale = _rationality_rescaler(human)
    paid = horizon is not None and isinstance(human, SoftOptimal | BoltzmannRational)
    return {
        ROW_NAMES[0]: [shaped(phi, False) for phi in potentials],
        ROW_NAMES[1]: [shaped(phi, True) for phi in potentials] if paid else None,
        ROW_NAMES[2]: [line(d) for d in moves],
        ROW_NAMES[3]: [scaled],
        ROW_NAMES[4]: None
        if rescale is None
        else [lambda t: (rescale(float(np.exp(t))), float(np.exp(t)) * reward, None)],
        ROW_NAMES[5]: [line(d) for d in noise],
    }


class _Probe:
    """Policy and log-likelihood of (model, reward, terminal values), compared with the base."""

    def __init__(
        self, mdp: MDP, horizon: int | None, discount: float, demos: Demonstrations | None
    ) -> None:
        self.mdp, self.horizon, self.discount, self.demos = mdp, horizon, discount, demos
        self.base: tuple[Array, float | None] = (np.zeros(0), None)

    def evaluate(self, point: Point) -> tuple[Array, float | None]:
        model, reward, terminal = point
        if terminal is None:
            plan: Callable[..., Array] = model.policy
            policy = plan(self.mdp, reward, horizon=self.horizon, discount=self.discount)
        else:
            policy = _planner_policy(model, self.mdp, reward, self.horizon, self.discount, terminal)
        if self.demos is None:
            return policy, None
        if terminal is not None or type(model).log_likelihood is HumanModel.log_likelihood:
            return policy, trajectory_log_likelihood(policy, self.demos)
        score: Callable[..., float] = model.log_likelihood
        return policy, score(
            self.mdp, reward, self.demos, horizon=self.horizon, discount=self.discount
        )

    def row(
        self,
        name: str,
        paths: list[Callable[[float], Point]] | None,
        grid: Array,
        theory: tuple[str, str],
        tol: float,
    ) -> InvarianceRow:
        if paths is None:
            return InvarianceRow(name, *theory, None, None, None, None)
        base_policy, base_ll = self.base
        gap, ll_change, ll_range = 0.0, 0.0, 0.0
        for path in paths:
            lls: list[float] = []
            for t in grid:
                policy, ll = self.evaluate(path(float(t)))
                gap = max(gap, _log_gap(policy, base_policy))
                lls += [] if ll is None or base_ll is None else [ll]
            if lls and base_ll is not None:
                ll_change = max(ll_change, *(_ll_gap(ll, base_ll) for ll in lls))
                ll_range = max(ll_range, _ll_gap(max(lls), min(lls)))
        if base_ll is None:
            return InvarianceRow(name, *theory, gap, None, None, gap <= tol)
        return InvarianceRow(name, *theory, gap, ll_change, ll_range, gap <= tol)


def _planner_policy(
    model: HumanModel,
    mdp: MDP,
    reward: Array,
    horizon: int | None,
    discount: float,
    terminal: Array,
) -> Array:
    """The policy of a SoftOptimal / BoltzmannRational person planning with ``V_H = terminal``."""
    if isinstance(model, SoftOptimal):
        return soft_value_iteration(
            mdp,
            reward,
            horizon=horizon,
            discount=discount,
            temperature=model.temperature,
            terminal_values=terminal,
            return_q=False,
        ).policy
    if isinstance(model, BoltzmannRational):
        hard = value_iteration(
            mdp, reward, horizon=horizon, discount=discount, terminal_values=terminal
        )
        if hard.q_values is not None:
            return boltzmann_policy(hard.q_values, beta=model.beta)
    raise RuntimeError(f"no planner with terminal values for {type(model).__name__}")


def _rationality_rescaler(human: HumanModel) -> Callable[[float], HumanModel] | None:
    """``c -> model`` whose policy for ``c * R`` is ``human``'s for ``R`` (None: unknown)."""
    if isinstance(human, SoftOptimal):
        return lambda c: replace(human, temperature=human.temperature * c)
    if isinstance(human, BoltzmannRational):
        return lambda c: replace(human, beta=human.beta / c)
    return None


def _log_gap(a: Array, b: Array) -> float:
    """``max |log a - log b|``; ``inf`` where one is 0 and the other is not."""
    if a.shape != b.shape or np.any((a > 0) != (b > 0)):
        return float("inf")
    both = (a > 0) & (b > 0)
    if not np.any(both):
        return 0.0
    return float(np.max(np.abs(np.log(a[both]) - np.log(b[both]))))


def _ll_gap(a: float, b: float) -> float:
    """``|a - b|`` for log-likelihoods, with ``-inf == -inf``."""
    if a == b:
        return 0.0
    return abs(a - b) if np.isfinite(a) and np.isfinite(b) else float("inf")


def _grid(grid: ArrayLike) -> Array:
    points = np.asarray(grid, dtype=np.float64)
    if points.ndim != 1 or points.size == 0 or not np.all(np.isfinite(points)):
        raise ValueLearnInputError(
            "The 'grid' parameter of invariance_report must be a non-empty 1-D sequence of finite "
            f"numbers; got shape {points.shape} instead."
        )
    return np.unique(np.append(points, 0.0))
