"""Maximum causal entropy inverse reinforcement learning (Ziebart 2010).

The maths (:func:`mce_objective`) is a pure function; :class:`MCEIRL` is the estimator that wraps it
with validation and an L-BFGS optimiser.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.optimize
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP, Demonstrations, check_discount
from valuelearn.exceptions import ConvergenceWarning, NotFittedError, ValueLearnInputError
from valuelearn.humans._base import trajectory_log_likelihood
from valuelearn.policy import PlanningResult, occupancy, soft_value_iteration
from valuelearn.policy._planning import Backup, check_horizon

RewardKind = Literal["auto", "linear", "tabular"]


class _UnboundedError(Exception):
    """The MCE dual exceeded 0 during a fit, so it has no maximum (see :meth:`MCEIRL.fit`)."""


@dataclass(frozen=True, eq=False)
class MCEProblem:
    """Everything the MCE objective needs, fixed for one fit.

    Attributes
    ----------
    mdp : MDP
    features : array (n_states, n_features) or None
        ``None`` means a tabular reward: one weight per state.
    demo_counts : array, shape (n_states,)
        Mean discounted visits ``sum_t discount**t 1[s_t = s]`` of the demonstrations.
    start : array, shape (n_states,)
        Start distribution the model's expectations are taken from.
    horizon : int or None
    discount : float
    backup : {"causal", "noncausal"}
    l2 : float
        Weight of the penalty ``l2 / 2 * ||weights||^2``.
    """

    mdp: MDP
    features: NDArray[np.float64] | None
    demo_counts: NDArray[np.float64]
    start: NDArray[np.float64]
    horizon: int | None
    discount: float
    backup: Backup
    l2: float

    def reward(self, weights: NDArray[np.float64]) -> NDArray[np.float64]:
        """State reward ``R = features @ weights`` (or ``weights`` for a tabular reward)."""
        return weights if self.features is None else self.features @ weights

    def project(self, state_vector: NDArray[np.float64]) -> NDArray[np.float64]:
        """``features.T @ state_vector`` (the identity for a tabular reward)."""
        return state_vector if self.features is None else self.features.T @ state_vector

    @property
    def n_weights(self) -> int:
        return self.mdp.n_states if self.features is None else int(self.features.shape[1])


def mce_objective(
    problem: MCEProblem,
    weights: NDArray[np.float64],
    *,
    initial_values: NDArray[np.float64] | None = None,
) -> tuple[float, NDArray[np.float64], PlanningResult]:
    """MCE IRL dual objective, its exact gradient, and the soft-optimal plan.

    ``L(w) = w . f_demo - sum_s start(s) V_0(s; w) - l2 / 2 ||w||^2`` with
    ``f_demo = features.T @ demo_counts`` and ``V_0`` the soft value of the reward
    ``features @ w``. ``L`` is concave; its gradient is the feature-matching residual
    ``f_demo - features.T @ D_w - l2 w``, where ``D_w`` is the discounted occupancy of the
    soft-optimal policy from ``start``. Under deterministic dynamics ``L`` equals the mean
    discounted causal log-likelihood ``sum_t discount**t log pi_t(a_t | s_t)`` of the
    demonstrations (the plain causal log-likelihood at discount 1); under stochastic dynamics it
    is that log-likelihood with each transition's noise term replaced by its expectation, which is
    the Lagrange dual of maximum causal entropy under feature matching.

    With ``backup="noncausal"`` it is the MaxEnt IRL (2008) log-likelihood of the path model
    ``P(path) ~ exp(R(path)) prod P(s'|s, a)``, whose expectations use the *tilted* dynamics
    ``P(s'|s, a) exp(discount V_{t+1}(s')) / sum``; a diagnostic baseline only.

    Returns
    -------
    objective : float
    gradient : array, shape (n_weights,)
    plan : PlanningResult
        Soft-optimal plan for the current reward (used to warm-start the next call).

    References
    ----------
    Ziebart (2010), PhD thesis, Thm 6.8 and ch. 9; Ziebart et al. (2008), AAAI, eq. 4 and
    Algorithm 1.
    """
    reward = problem.reward(weights)
    plan = soft_value_iteration(
        problem.mdp,
        reward,
        horizon=problem.horizon,
        discount=problem.discount,
        backup=problem.backup,
        initial_values=initial_values,
        return_q=problem.backup != "causal",
    )
    first_values = plan.values[0] if plan.values.ndim == 2 else plan.values
    if problem.backup == "causal":
        occ = occupancy(
            problem.mdp,
            plan,
            horizon=problem.horizon,
            discount=problem.discount,
            initial=problem.start,
        ).total
    else:
        occ = _tilted_occupancy(problem, plan, reward)
    penalty = 0.5 * problem.l2 * float(weights @ weights)
    objective = float(reward @ problem.demo_counts - problem.start @ first_values) - penalty
    gradient = problem.project(problem.demo_counts - occ) - problem.l2 * weights
    return objective, gradient, plan


def check_fit_inputs(
    owner: str,
    mdp: object,
    demonstrations: object,
    *,
    reward: object,
    discount: float | None,
) -> float:
    """Checks every reward learner makes before fitting; return the discount to use.

    ``mdp`` must be an :class:`MDP`, ``demonstrations`` :class:`Demonstrations` whose states and
    actions exist in it, ``reward`` one of "auto", "linear", "tabular"; ``discount`` defaults to
    ``mdp.discount`` or 1.

    Raises
    ------
    ValueLearnInputError
        Naming the argument (and ``owner``, the learner) and what was found.
    """
    if not isinstance(mdp, MDP):
        raise ValueLearnInputError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    if not isinstance(demonstrations, Demonstrations):
        raise ValueLearnInputError(
            f"`demonstrations` must be Demonstrations; got {type(demonstrations).__name__}."
        )
    if reward not in ("auto", "linear", "tabular"):
        raise ValueLearnInputError(
            f"The 'reward' parameter of {owner} must be 'auto', 'linear' or 'tabular'; got "
            f"{reward!r} instead."
        )
    demonstrations.check_against(mdp.n_states, mdp.n_actions)
    return check_discount(discount if discount is not None else (mdp.discount or 1.0))


def causal_log_likelihood(policy: ArrayLike, demonstrations: Demonstrations) -> float:
    """Mean over trajectories of ``sum_t log pi_t(a_t | s_t)``.

    Parameters
    ----------
    policy : array, shape (horizon, n_states, n_actions) or (n_states, n_actions)
        A time-indexed policy must cover every step of every trajectory.
    demonstrations : Demonstrations

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import Trajectory
    >>> pi = np.full((2, 2), 0.5)
    >>> round(causal_log_likelihood(pi, Demonstrations([Trajectory([0, 1, 0], [1, 0])])), 4)
    -1.3863
    """
    return trajectory_log_likelihood(np.asarray(policy, dtype=np.float64), demonstrations) / max(
        len(demonstrations), 1
    )


def _tilted_occupancy(
    problem: MCEProblem, plan: PlanningResult, reward: NDArray[np.float64]
) -> NDArray[np.float64]:
    """Discounted state occupancy of the MaxEnt (2008) path distribution (finite horizon).

    Under ``P(path) ~ exp(R(path)) prod P(s'|s, a)`` the next state is drawn from the tilted
    kernel ``P(s'|s, a) exp(discount V_{t+1}(s')) / exp(Q_t(s, a) - R(s))``.
    """
    mdp, horizon, discount = problem.mdp, problem.horizon, problem.discount
    if horizon is None or plan.q_values is None:
        raise ValueLearnInputError("the non-causal baseline is implemented for finite horizons.")
    matrix = mdp.transitions
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    distribution = problem.start.copy()
    total = np.zeros(mdp.n_states)
    for t in range(horizon):
        total += discount**t * distribution
        if t + 1 == horizon:
            break
        log_norm = (plan.q_values[t] - reward[:, None]).ravel()  # (n_states * n_actions,)
        tilt = np.exp(discount * plan.values[t + 1][matrix.indices] - log_norm[rows])
        mass = (plan.policy[t] * distribution[:, None]).ravel()
        distribution = np.bincount(
            matrix.indices, weights=matrix.data * tilt * mass[rows], minlength=mdp.n_states
        ).astype(np.float64)
    return total


class MCEIRL:
    """Maximum causal entropy IRL for linear-in-features or tabular state rewards.

    Maximises the concave dual objective of :func:`mce_objective` with L-BFGS and its exact
    analytic gradient, stopping when the largest gradient entry falls below ``gtol``.

    Parameters
    ----------
    horizon : int, "infinite" or None
        Number of decisions. ``None`` takes ``mdp.horizon`` or, failing that, the length of the
        demonstrations; ``"infinite"`` fits the discounted infinite-horizon model (stationary
        policy, ``discount < 1``).
    discount : float or None
        ``None`` takes ``mdp.discount`` or 1.
    reward : {"auto", "linear", "tabular"}
        ``"auto"`` is linear when the MDP has features and tabular (one weight per state)
        otherwise.
    l2 : float or None
        Ridge penalty on the weights. ``None`` means 0 for linear rewards and 1e-3 for tabular ones,
        whose weights on never-visited states otherwise run off to minus infinity. Without a
        penalty, demonstrations whose feature counts no policy can reproduce (finite samples in a
        stochastic world with many features) make the objective unbounded; ``fit`` detects this
        (the objective exceeds 0) and raises instead of diverging.
    start : {"empirical", "mdp"}
        Start distribution of the model: the demonstrations' first states (the maximum-likelihood
        choice) or ``mdp.initial``.
    backup : {"causal", "noncausal"}
        ``"noncausal"`` fits MaxEnt IRL (Ziebart et al. 2008), a diagnostic baseline that is biased
        under stochastic dynamics.
    gtol : float
        Stop when ``max |gradient| <= gtol`` (gradient in feature-count units per trajectory).
    max_iter : int
        L-BFGS iterations before a :class:`ConvergenceWarning`.

    Attributes
    ----------
    weights_ : array, shape (n_weights,)
    reward_ : array, shape (n_states,)
    policy_ : array, shape (horizon, n_states, n_actions) or (n_states, n_actions)
        Soft-optimal policy for ``reward_``.
    objective_ : float
        Final value of the dual objective (mean per trajectory).
    log_likelihood_ : float
        Mean causal log-likelihood ``sum_t log pi_t(a_t | s_t)`` of the demonstrations.
    gradient_norm_ : float
        Euclidean norm of the final gradient.
    n_iter_ : int
    converged_ : bool
    horizon_, discount_ : int or None, float
    feature_names_ : tuple of str or None

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import Trajectory
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0], features=np.eye(2))
    >>> to_one, late = Trajectory([0, 1, 1], [1, 1]), Trajectory([0, 0, 1], [0, 1])
    >>> demos = Demonstrations([to_one, to_one, late])
    >>> model = MCEIRL(horizon=2).fit(mdp, demos)
    >>> bool(model.reward_[1] > model.reward_[0]), model.converged_
    (True, True)
    """

    def __init__(
        self,
        *,
        horizon: int | Literal["infinite"] | None = None,
        discount: float | None = None,
        reward: RewardKind = "auto",
        l2: float | None = None,
        start: Literal["empirical", "mdp"] = "empirical",
        backup: Backup = "causal",
        gtol: float = 1e-6,
        max_iter: int = 1000,
    ) -> None:
        self.horizon = horizon
        self.discount = discount
        self.reward = reward
        self.l2 = l2
        self.start = start
        self.backup = backup
        self.gtol = gtol
        self.max_iter = max_iter

    def fit(self, mdp: MDP, demonstrations: Demonstrations) -> MCEIRL:
        """Fit reward weights to ``demonstrations`` collected in ``mdp``; return ``self``."""
        problem = self._problem(mdp, demonstrations)
        warm: dict[str, NDArray[np.float64] | None] = {"values": None}

        def negative(weights: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            value, gradient, plan = mce_objective(problem, weights, initial_values=warm["values"])
            if plan.horizon is None:
                warm["values"] = plan.values
            if problem.l2 == 0 and value > 1e-8 * (1.0 + abs(float(weights @ gradient))):
                raise _UnboundedError
            return -value, -gradient

        try:
            result = scipy.optimize.minimize(
                negative,
                np.zeros(problem.n_weights),
                jac=True,
                method="L-BFGS-B",
                options={"maxiter": self.max_iter, "gtol": self.gtol, "ftol": 0.0, "maxcor": 20},
            )
        except _UnboundedError:
            raise ValueLearnInputError(
                "no policy in this MDP reproduces the demonstrations' feature counts (the MCE "
                "objective went above 0, which matchable counts never allow), so the unpenalised "
                "fit diverges; pass l2 > 0 (e.g. l2=1e-2) or use fewer, coarser features."
            ) from None
        weights = np.asarray(result.x, dtype=np.float64)
        objective, gradient, plan = mce_objective(problem, weights, initial_values=warm["values"])
        self.weights_ = weights
        self.reward_ = problem.reward(weights)
        self.policy_ = plan.policy
        self.objective_ = objective
        self.log_likelihood_ = causal_log_likelihood(plan.policy, demonstrations)
        self.gradient_norm_ = float(np.linalg.norm(gradient))
        self.n_iter_ = int(result.nit)
        self.converged_ = bool(np.max(np.abs(gradient)) <= self.gtol)
        self.horizon_ = problem.horizon
        self.discount_ = problem.discount
        self.feature_names_ = mdp.feature_names if problem.features is not None else None
        if not self.converged_:
            warnings.warn(
                f"MCE IRL stopped after {self.n_iter_} L-BFGS iterations ({result.message}) with "
                f"max |gradient| = {np.max(np.abs(gradient)):.3g} > gtol = {self.gtol:g}; the "
                "reward may be far from the optimum (raise max_iter, or add l2 if some weights "
                "run off to infinity).",
                ConvergenceWarning,
                stacklevel=2,
            )
        return self

    def score(self, mdp: MDP, demonstrations: Demonstrations) -> float:
        """Mean causal log-likelihood of ``demonstrations`` under the fitted policy."""
        if not hasattr(self, "policy_"):
            raise NotFittedError("This MCEIRL instance is not fitted yet; call fit() first.")
        demonstrations.check_against(mdp.n_states, mdp.n_actions)
        return causal_log_likelihood(self.policy_, demonstrations)

    # ------------------------------------------------------------------ validation
    def _problem(self, mdp: MDP, demonstrations: Demonstrations) -> MCEProblem:
        discount = check_fit_inputs(
            "MCEIRL", mdp, demonstrations, reward=self.reward, discount=self.discount
        )
        horizon = self._horizon(mdp, demonstrations, discount)
        linear = self.reward == "linear" or (self.reward == "auto" and mdp.features is not None)
        if linear and mdp.features is None:
            raise ValueLearnInputError("a linear reward needs an MDP with `features`.")
        l2 = self.l2 if self.l2 is not None else (0.0 if linear else 1e-3)
        if not (isinstance(l2, int | float) and l2 >= 0):
            raise ValueLearnInputError(
                f"The 'l2' parameter of MCEIRL must be a number >= 0; got {l2!r} instead."
            )
        if self.start not in ("empirical", "mdp"):
            raise ValueLearnInputError(
                "The 'start' parameter of MCEIRL must be 'empirical' or 'mdp'; got "
                f"{self.start!r} instead."
            )
        if self.backup not in ("causal", "noncausal"):
            raise ValueLearnInputError(
                "The 'backup' parameter of MCEIRL must be 'causal' or 'noncausal'; got "
                f"{self.backup!r} instead."
            )
        if self.backup == "noncausal" and horizon is None:
            raise ValueLearnInputError(
                "the non-causal (MaxEnt 2008) baseline needs a finite horizon."
            )
        start = (
            demonstrations.initial_distribution(mdp.n_states)
            if self.start == "empirical"
            else mdp.initial
        )
        return MCEProblem(
            mdp=mdp,
            features=mdp.features if linear else None,
            demo_counts=demonstrations.discounted_state_counts(mdp.n_states, discount),
            start=start,
            horizon=horizon,
            discount=discount,
            backup=self.backup,
            l2=float(l2),
        )

    def _horizon(self, mdp: MDP, demonstrations: Demonstrations, discount: float) -> int | None:
        lengths = demonstrations.lengths
        if self.horizon == "infinite":
            horizon = check_horizon(None, discount)
            worst = float(discount ** int(lengths.min()))
            if worst > 0.01:
                warnings.warn(
                    f"the shortest demonstration has {lengths.min()} actions, so discount**length "
                    f"= {worst:.3g}: the infinite-horizon feature expectations are truncated by "
                    "more than 1%.",
                    UserWarning,
                    stacklevel=3,
                )
            return horizon
        horizon = self.horizon if self.horizon is not None else mdp.horizon
        if horizon is None:
            horizon = int(lengths[0])
        horizon = check_horizon(horizon, discount)
        assert horizon is not None
        bad = np.flatnonzero(lengths != horizon)
        if bad.size:
            raise ValueLearnInputError(
                f"trajectory {bad[0]} has {lengths[bad[0]]} actions, but a finite-horizon fit with "
                f"horizon {horizon} needs every trajectory to have exactly {horizon} actions."
            )
        return horizon
