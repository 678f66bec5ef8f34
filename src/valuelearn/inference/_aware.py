"""Model-aware IRL: maximum likelihood of a reward under an explicit human model.

:class:`ModelAwareIRL` takes the human model (any :class:`valuelearn.humans.HumanModel`) as an
argument and maximises that model's own likelihood of the demonstrations over reward weights;
with ``human_grid`` it also estimates the model's parameters (rationality, planning horizon,
discounting constant, calibration, confounder weight) by profile likelihood over a grid.
"""

from __future__ import annotations

import dataclasses
import itertools
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from valuelearn.data import MDP, Demonstrations
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.humans._base import HumanModel, trajectory_log_likelihood
from valuelearn.humans._beliefs import FalseBeliefs
from valuelearn.humans._rational import SoftOptimal
from valuelearn.inference._fitting import check_nonnegative, maximise
from valuelearn.inference._mce import check_fit_inputs
from valuelearn.policy import soft_value_iteration
from valuelearn.policy._planning import check_horizon

_PENALTY = 1e6  # objective returned where the likelihood is -inf or NaN (L-BFGS backs off)


def human_objective(
    human: HumanModel,
    mdp: MDP,
    demonstrations: Demonstrations,
    weights: NDArray[np.float64],
    *,
    features: NDArray[np.float64] | None,
    horizon: int,
    discount: float,
    l2: float = 0.0,
    step: float = 1e-4,
    exact: bool = True,
) -> tuple[float, NDArray[np.float64]]:
    """Penalised mean log-likelihood of ``demonstrations`` under ``human`` and its gradient.

    ``J(w) = human.log_likelihood(mdp, R_w, demos) / n - l2 / 2 ||w||^2`` with
    ``R_w = features @ w`` (or ``w`` itself for a tabular reward, ``features=None``). For a
    soft-optimal planner in some planning world (:func:`soft_planning_world`) and ``exact=True``
    the gradient is exact (:func:`soft_log_likelihood_gradient`, one backward and one forward
    pass). Otherwise the human model is a black box (hard argmax planners, augmented states,
    windows) and the gradient is taken by central finite differences with step ``step``:
    ``2 * n_weights`` likelihood evaluations per gradient, exact to O(step^2) for smooth models
    and cheap for the handful of features of a linear reward.

    Parameters
    ----------
    human : HumanModel
    mdp : MDP
    demonstrations : Demonstrations
    weights : array, shape (n_weights,)
    features : array (n_states, n_weights) or None
    horizon : int
    discount : float
    l2 : float
    step : float
    exact : bool
        Use the exact gradient when the model is a recognised soft-optimal planner.

    Returns
    -------
    objective : float
        ``-inf`` if some demonstrated action is impossible under the model.
    gradient : array, shape (n_weights,)

    References
    ----------
    Shah et al. (2019), ICML, "On the feasibility of learning, rather than assuming, human biases
    for reward inference", section 3 (reward inference under a known or learned planner).

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import Trajectory
    >>> from valuelearn.humans._rational import SoftOptimal
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0], features=np.eye(2))
    >>> demos = Demonstrations([Trajectory([0, 1], [1])])
    >>> value, grad = human_objective(SoftOptimal(), mdp, demos, np.zeros(2),
    ...                               features=mdp.features, horizon=1, discount=1.0)
    >>> round(value, 4)  # log(1/2): with one step left both actions are worth R(s_0)
    -0.6931
    """
    n = max(len(demonstrations), 1)
    soft = soft_planning_world(human, mdp) if exact else None
    if soft is not None:
        reward = weights if features is None else features @ weights
        total, state_gradient = soft_log_likelihood_gradient(
            soft[0], reward, demonstrations, horizon=horizon, discount=discount,
            temperature=soft[1],
        )  # fmt: skip
        projected = state_gradient if features is None else features.T @ state_gradient
        return total / n - 0.5 * l2 * float(weights @ weights), projected / n - l2 * weights

    def value_at(w: NDArray[np.float64]) -> float:
        reward = w if features is None else features @ w
        total = human.log_likelihood(
            mdp, reward, demonstrations, horizon=horizon, discount=discount
        )
        return float(total) / n - 0.5 * l2 * float(w @ w)

    value = value_at(weights)
    gradient = np.zeros_like(weights)
    if not np.isfinite(value):
        return value, gradient
    for j in range(weights.size):
        shift = np.zeros_like(weights)
        shift[j] = step
        gradient[j] = (value_at(weights + shift) - value_at(weights - shift)) / (2.0 * step)
    return value, gradient


def soft_planning_world(human: HumanModel, mdp: MDP) -> tuple[MDP, float] | None:
    """``(planning MDP, temperature)`` if ``human`` is exactly a soft-optimal planner, else None.

    :class:`SoftOptimal` plans in the true world, :class:`FalseBeliefs` in its subjective one;
    subclasses are excluded because they may override the likelihood.
    """
    if type(human) is SoftOptimal:
        return mdp, human.temperature
    if type(human) is FalseBeliefs and (human.subjective.n_states, human.subjective.n_actions) == (
        mdp.n_states,
        mdp.n_actions,
    ):
        return human.subjective, human.temperature
    return None


def soft_log_likelihood_gradient(
    planning: MDP,
    reward: NDArray[np.float64],
    demonstrations: Demonstrations,
    *,
    horizon: int,
    discount: float,
    temperature: float,
) -> tuple[float, NDArray[np.float64]]:
    """Total log-likelihood of a soft-optimal planner in ``planning`` and its exact state gradient.

    With ``log pi_t(a | s) = (Q_t(s, a) - V_t(s)) / temperature`` and
    ``dV_t(s) = sum_a pi_t(a | s) dQ_t(s, a)``, ``dQ_t(s, a) = e_s + discount P' dV_{t+1}``, the
    gradient of ``sum_i sum_t log pi_t(a_t | s_t)`` with respect to the state reward is
    ``(sum_t n_t + sum_t m_t) / temperature`` where ``n_t`` counts the visits at step ``t`` and
    ``m_t = c_t + discount * (P'_{pi_{t-1}})^T m_{t-1}`` propagates the signed measure
    ``c_t = discount * (pairs_{t-1} @ P') - n_t`` forward: one backward and one forward pass,
    valid for any (subjective) dynamics ``P'`` and any trajectory lengths up to ``horizon``.

    Returns
    -------
    log_likelihood : float
    gradient : array, shape (n_states,)

    References
    ----------
    Ziebart (2010), PhD thesis, Thm 6.8 (the deterministic-dynamics special case is the
    feature-matching residual); Reddy, Dragan & Levine (2018), NeurIPS (soft planning under
    internal dynamics).

    Examples
    --------
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0])
    >>> from valuelearn.data import Trajectory
    >>> ll, grad = soft_log_likelihood_gradient(mdp, np.zeros(2), Demonstrations(
    ...     [Trajectory([0, 1, 1], [1, 1])]), horizon=2, discount=1.0, temperature=1.0)
    >>> round(ll, 4), grad.round(4).tolist()  # d/dR of log(e^R1 / (e^R0 + e^R1)) at 0
    (-1.3863, [-0.5, 0.5])
    """
    n_states, n_actions = planning.n_states, planning.n_actions
    plan = soft_value_iteration(
        planning, reward, horizon=horizon, discount=discount, temperature=temperature,
        return_q=False,
    )  # fmt: skip
    visits = np.zeros((horizon, n_states))
    pairs = np.zeros((horizon, n_states * n_actions))
    for trajectory in demonstrations:
        steps = np.arange(len(trajectory))
        np.add.at(visits, (steps, trajectory.states[:-1]), 1.0)
        np.add.at(pairs, (steps, trajectory.states[:-1] * n_actions + trajectory.actions), 1.0)
    matrix = planning.transitions  # (n_states * n_actions, n_states), row s * n_actions + a
    measure = -visits[0]
    total = measure.copy()
    for t in range(1, horizon):
        flow = (measure[:, None] * plan.policy[t - 1]).ravel() + pairs[t - 1]
        measure = -visits[t] + discount * (matrix.T @ flow)
        total += measure
    gradient = (visits.sum(axis=0) + total) / temperature
    return trajectory_log_likelihood(plan.policy, demonstrations), gradient


def grid_points(grid: Mapping[str, Sequence[Any]]) -> list[dict[str, Any]]:
    """All combinations of a parameter grid, in row-major order of its keys.

    Examples
    --------
    >>> grid_points({"beta": [1, 2], "k": [0.5]})
    [{'beta': 1, 'k': 0.5}, {'beta': 2, 'k': 0.5}]
    """
    keys = list(grid)
    return [dict(zip(keys, values, strict=True)) for values in itertools.product(*grid.values())]


def grid_posterior(log_likelihoods: NDArray[np.float64]) -> NDArray[np.float64]:
    """Posterior over grid points under a uniform prior: ``exp(ll - max) / sum``.

    ``-inf`` entries get probability 0. With the reward maximised out at every point this is the
    profile-likelihood posterior; every point has the same number of reward weights, so a BIC
    penalty (Schwarz 1978) is the same for all and cancels.

    Examples
    --------
    >>> grid_posterior(np.array([0.0, np.log(3.0), -np.inf])).round(4).tolist()
    [0.25, 0.75, 0.0]
    """
    finite = np.isfinite(log_likelihoods)
    if not finite.any():
        return np.full(log_likelihoods.shape, 1.0 / log_likelihoods.size)
    shifted = np.where(finite, log_likelihoods - np.max(log_likelihoods[finite]), -np.inf)
    weights = np.exp(shifted)
    return np.asarray(weights / weights.sum(), dtype=np.float64)


class ModelAwareIRL:
    """Reward inference under an explicit human model, with optional joint model estimation.

    ``fit`` maximises ``J(w) = log p(demos | human, R_w) / n - l2 / 2 ||w||^2`` over reward weights
    ``w`` with L-BFGS, where the likelihood is the human model's own
    (:meth:`valuelearn.humans.HumanModel.log_likelihood`: subjective dynamics, augmented states,
    a planning horizon or confounder terms are all the model's business). With ``human_grid`` the
    reward is fitted at every grid point ``dataclasses.replace(human, **point)`` and the point of
    highest likelihood is kept (profile maximum likelihood); the profile table and the grid
    posterior under a uniform prior are exposed.

    Note that some parameters trade off exactly against the reward's scale (a Boltzmann ``beta`` or
    a soft-optimal ``temperature`` only enter as ``beta * R``): their profile likelihood is flat
    unless ``l2 > 0`` pins the scale, and then the grid prefers whichever ``beta`` lets the
    smallest-norm reward explain the data. Parameters that change the *shape* of behaviour
    (planning horizon, discounting constant, calibration, confounder weight) are identified.

    Parameters
    ----------
    human : HumanModel
        The assumed model of the demonstrator (a dataclass if ``human_grid`` is given).
    horizon : int or None
        Finite horizon; ``None`` takes ``mdp.horizon`` or the longest demonstration.
    discount : float or None
        ``None`` takes ``mdp.discount`` or 1.
    reward : {"auto", "linear", "tabular"}
        ``"tabular"`` costs ``2 * n_states`` likelihood evaluations per gradient: tiny worlds only.
    l2 : float or None
        Ridge penalty; ``None`` is 1e-3 (keeps weights of features the data never touch finite).
    human_grid : mapping from field name to sequence of values, optional
        Grid of human-model parameters for joint estimation.
    gtol, max_iter : float, int
        L-BFGS stopping rule and iteration cap per grid point.
    step : float
        Finite-difference step of the gradient.

    Attributes
    ----------
    human_ : HumanModel
        The model at the maximum-likelihood grid point (``human`` when there is no grid).
    weights_, reward_ : arrays (n_weights,), (n_states,)
    policy_ : array (horizon, n_states, n_actions)
        ``human_.policy(mdp, reward_)``.
    log_likelihood_ : float
        Mean log-likelihood per demonstration at the optimum (without the penalty).
    grid_points_ : list of dict
    grid_log_likelihood_ : array (n_points,)
        Total (not mean) profile log-likelihood of each grid point.
    grid_weights_ : array (n_points, n_weights)
    grid_posterior_ : array (n_points,)
    converged_ : bool
        Whether the fit at the chosen grid point converged.

    References
    ----------
    Shah et al. (2019), ICML, section 3; Armstrong & Mindermann (2018), NeurIPS: the planner must be
    assumed (or restricted to a family), it cannot be learned from behaviour alone.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import Trajectory
    >>> from valuelearn.humans._rational import SoftOptimal
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0], features=np.eye(2))
    >>> up, stay = Trajectory([0, 1, 1], [1, 1]), Trajectory([0, 0, 0], [0, 0])
    >>> demos = Demonstrations([up, up, up, stay])
    >>> grid = {"temperature": [0.5, 1.0]}
    >>> model = ModelAwareIRL(SoftOptimal(), horizon=2, l2=0.1, human_grid=grid).fit(mdp, demos)
    >>> bool(model.reward_[1] > model.reward_[0]), model.grid_posterior_.shape
    (True, (2,))
    """

    def __init__(
        self,
        human: HumanModel,
        *,
        horizon: int | None = None,
        discount: float | None = None,
        reward: Literal["auto", "linear", "tabular"] = "auto",
        l2: float | None = None,
        human_grid: Mapping[str, Sequence[Any]] | None = None,
        gtol: float = 1e-5,
        max_iter: int = 200,
        step: float = 1e-4,
    ) -> None:
        self.human = human
        self.horizon = horizon
        self.discount = discount
        self.reward = reward
        self.l2 = l2
        self.human_grid = human_grid
        self.gtol = gtol
        self.max_iter = max_iter
        self.step = step

    def fit(self, mdp: MDP, demonstrations: Demonstrations) -> ModelAwareIRL:
        """Fit the reward (and the grid's human parameters) to ``demonstrations``; return self."""
        horizon, discount, features, l2 = self._setting(mdp, demonstrations)
        points = self._points()
        n_weights = mdp.n_states if features is None else int(features.shape[1])
        table = np.full(len(points), -np.inf)
        all_weights = np.zeros((len(points), n_weights))
        fits: list[tuple[HumanModel, bool]] = []
        for index, point in enumerate(points):
            human = dataclasses.replace(self.human, **point) if point else self.human  # type: ignore[type-var]

            def objective(w: NDArray[np.float64], h: HumanModel = human) -> tuple[float, Any]:
                value, gradient = human_objective(
                    h, mdp, demonstrations, w, features=features, horizon=horizon,
                    discount=discount, l2=l2, step=self.step,
                )  # fmt: skip
                return (value, gradient) if np.isfinite(value) else (-_PENALTY, gradient)

            start = np.zeros(n_weights)
            w, converged, _ = maximise(
                objective, start, gtol=self.gtol, max_iter=self.max_iter, owner="ModelAwareIRL"
            )
            all_weights[index] = w
            reward = w if features is None else features @ w
            table[index] = human.log_likelihood(
                mdp, reward, demonstrations, horizon=horizon, discount=discount
            )
            fits.append((human, converged))
        best = int(np.argmax(np.where(np.isfinite(table), table, -np.inf)))
        self.human_, self.converged_ = fits[best]
        self.weights_ = all_weights[best]
        self.reward_ = self.weights_ if features is None else features @ self.weights_
        self.policy_ = self.human_.policy(mdp, self.reward_, horizon=horizon, discount=discount)
        self.log_likelihood_ = float(table[best]) / len(demonstrations)
        self.grid_points_ = points
        self.grid_log_likelihood_ = table
        self.grid_weights_ = all_weights
        self.grid_posterior_ = grid_posterior(table)
        self.horizon_, self.discount_ = horizon, discount
        return self

    def score(self, mdp: MDP, demonstrations: Demonstrations) -> float:
        """Mean log-likelihood of ``demonstrations`` under the fitted human model and reward."""
        if not hasattr(self, "human_"):
            raise NotFittedError("This ModelAwareIRL instance is not fitted yet; call fit().")
        total = self.human_.log_likelihood(
            mdp, self.reward_, demonstrations, horizon=self.horizon_, discount=self.discount_
        )
        return float(total) / max(len(demonstrations), 1)

    # ------------------------------------------------------------------ validation
    def _setting(
        self, mdp: MDP, demonstrations: Demonstrations
    ) -> tuple[int, float, NDArray[np.float64] | None, float]:
        if not isinstance(self.human, HumanModel):
            raise ValueLearnInputError(
                "The 'human' parameter of ModelAwareIRL must be a HumanModel; got "
                f"{type(self.human).__name__} instead."
            )
        discount = check_fit_inputs(
            "ModelAwareIRL", mdp, demonstrations, reward=self.reward, discount=self.discount
        )
        steps = self.horizon if self.horizon is not None else mdp.horizon
        horizon = check_horizon(
            steps if steps is not None else int(demonstrations.lengths.max()), discount
        )
        if horizon is None:  # pragma: no cover - an int horizon stays an int
            raise ValueLearnInputError("ModelAwareIRL needs a finite horizon.")
        linear = self.reward == "linear" or (self.reward == "auto" and mdp.features is not None)
        if linear and mdp.features is None:
            raise ValueLearnInputError("a linear reward needs an MDP with `features`.")
        l2 = check_nonnegative(1e-3 if self.l2 is None else self.l2, "l2", "ModelAwareIRL")
        check_nonnegative(self.step, "step", "ModelAwareIRL", strict=True)
        return horizon, discount, (mdp.features if linear else None), l2

    def _points(self) -> list[dict[str, Any]]:
        if self.human_grid is None:
            return [{}]
        if not dataclasses.is_dataclass(self.human):
            raise ValueLearnInputError(
                "The 'human_grid' parameter of ModelAwareIRL needs a dataclass human model; got "
                f"{type(self.human).__name__} instead."
            )
        names = {f.name for f in dataclasses.fields(self.human)}
        for key, values in self.human_grid.items():
            if key not in names:
                raise ValueLearnInputError(
                    f"The 'human_grid' parameter of ModelAwareIRL names {key!r}, which is not a "
                    f"field of {type(self.human).__name__} (fields: {sorted(names)})."
                )
            if isinstance(values, str) or len(values) == 0:
                raise ValueLearnInputError(
                    f"The 'human_grid' parameter of ModelAwareIRL must map {key!r} to a non-empty "
                    f"sequence of values; got {values!r} instead."
                )
        return grid_points(self.human_grid)
