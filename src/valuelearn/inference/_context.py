"""Context-conditioned and time-weighted MCE IRL.

Both learners reuse the MCE dual of :func:`valuelearn.inference.mce_objective`; they differ only in
which demonstrations enter each problem and with what weight:

* :class:`ContextualMCEIRL` fits one reward per context label (``trajectory.context``), optionally
  as a shared component plus per-context offsets with a ridge penalty on the offsets;
* :class:`TimeWeightedMCEIRL` weights each trajectory by its recency (``trajectory.time``) in the
  feature counts and the start distribution, so that drifting values are tracked.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from valuelearn.data import MDP, Demonstrations
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.inference._fitting import (
    RewardKind,
    check_nonnegative,
    maximise,
    resolve_setting,
    weighted_problem,
)
from valuelearn.inference._mce import mce_objective


class ContextualMCEIRL:
    """MCE IRL with one reward per context label, optionally sharing a common component.

    With ``shared=True`` the weights of context ``c`` are ``w_c = w_0 + delta_c``; the fit
    maximises

        ``sum_c (n_c/n) L_c(w_0 + delta_c) - l2_offsets/2 sum_c ||delta_c||^2 - l2/2 ||w_0||^2``

    where ``L_c`` is the MCE dual (mean causal log-likelihood) of the ``n_c`` demonstrations
    recorded in context ``c``. A large ``l2_offsets`` pools the contexts (one reward); ``0`` (or
    ``shared=False``) fits every context on its own data. Joint L-BFGS on the exact gradient.

    Parameters
    ----------
    horizon : int or None
        Finite horizon; ``None`` takes ``mdp.horizon`` or the demonstrations' length.
    discount : float or None
        ``None`` takes ``mdp.discount`` or 1.
    reward : {"auto", "linear", "tabular"}
    shared : bool
        Fit a shared component plus offsets (``True``) or independent rewards (``False``).
    l2_offsets : float
        Ridge penalty on the per-context offsets ``delta_c`` (``shared=True`` only).
    l2 : float
        Ridge penalty on the shared weights (or on each context's weights when not shared).
    gtol, max_iter : float, int
        L-BFGS stopping rule (``max |gradient| <= gtol``) and iteration cap.

    Attributes
    ----------
    contexts_ : tuple of str
        Context labels in order of first appearance.
    weights_ : dict str -> array (n_weights,)
    rewards_ : dict str -> array (n_states,)
    shared_weights_ : array (n_weights,)
        ``w_0`` (the mean of the context weights when ``shared=False``).
    objective_ : float
    converged_ : bool

    References
    ----------
    Ziebart (2010), PhD thesis, Thm 6.8 (the MCE dual); the shared-plus-offset parameterisation is
    the multi-task ridge of Evgeniou & Pontil (2004), KDD, eq. 3.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import Trajectory
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[0.5, 0.5], features=np.eye(2))
    >>> home = [Trajectory([0, 1, 1], [1, 1], context="home")] * 3
    >>> work = [Trajectory([1, 0, 0], [0, 0], context="work")] * 3
    >>> home += [Trajectory([0, 0, 1], [0, 1], context="home")]
    >>> work += [Trajectory([1, 1, 0], [1, 0], context="work")]
    >>> model = ContextualMCEIRL(horizon=2, l2_offsets=0.1).fit(mdp, Demonstrations(home + work))
    >>> r = model.rewards_
    >>> bool(r["home"][1] > r["home"][0]), bool(r["work"][0] > r["work"][1])
    (True, True)
    """

    def __init__(
        self,
        *,
        horizon: int | None = None,
        discount: float | None = None,
        reward: RewardKind = "auto",
        shared: bool = True,
        l2_offsets: float = 1.0,
        l2: float = 1e-3,
        gtol: float = 1e-6,
        max_iter: int = 1000,
    ) -> None:
        self.horizon = horizon
        self.discount = discount
        self.reward = reward
        self.shared = shared
        self.l2_offsets = l2_offsets
        self.l2 = l2
        self.gtol = gtol
        self.max_iter = max_iter

    def fit(self, mdp: MDP, demonstrations: Demonstrations) -> ContextualMCEIRL:
        """Fit one reward per context of ``demonstrations``; return ``self``."""
        owner = "ContextualMCEIRL"
        horizon, discount, features = resolve_setting(
            owner, mdp, demonstrations, horizon=self.horizon, discount=self.discount,
            reward=self.reward,
        )  # fmt: skip
        l2 = check_nonnegative(self.l2, "l2", owner)
        l2_offsets = check_nonnegative(self.l2_offsets, "l2_offsets", owner)
        groups: dict[str, list[object]] = {}
        for index, trajectory in enumerate(demonstrations):
            if trajectory.context is None:
                raise ValueLearnInputError(
                    f"ContextualMCEIRL needs a context label on every demonstration; trajectory "
                    f"{index} has context=None."
                )
            groups.setdefault(trajectory.context, []).append(trajectory)
        labels = tuple(groups)
        problems = [
            weighted_problem(mdp, groups[c], features=features, horizon=horizon, discount=discount)
            for c in labels
        ]
        shares = np.array([len(groups[c]) for c in labels], dtype=np.float64)
        shares /= shares.sum()
        d, k = problems[0].n_weights, len(labels)
        shared = bool(self.shared)

        def objective(x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            base = x[:d] if shared else np.zeros(d)
            offsets = x[d:].reshape(k, d) if shared else x.reshape(k, d)
            value, grad_offsets = 0.0, np.zeros((k, d))
            for j, problem in enumerate(problems):
                v, g, _ = mce_objective(problem, base + offsets[j])
                value += shares[j] * v
                grad_offsets[j] = shares[j] * g
            if shared:
                value -= 0.5 * l2 * float(base @ base) + 0.5 * l2_offsets * float(
                    np.sum(offsets**2)
                )
                grad_base = grad_offsets.sum(axis=0) - l2 * base
                grad_offsets -= l2_offsets * offsets
                return value, np.concatenate([grad_base, grad_offsets.ravel()])
            value -= 0.5 * l2 * float(np.sum(offsets**2))
            return value, (grad_offsets - l2 * offsets).ravel()

        size = d * (k + 1) if shared else d * k
        x, converged, _ = maximise(
            objective, np.zeros(size), gtol=self.gtol, max_iter=self.max_iter, owner=owner
        )
        base = x[:d] if shared else np.zeros(d)
        offsets = x[d:].reshape(k, d) if shared else x.reshape(k, d)
        self.contexts_ = labels
        self.weights_ = {c: base + offsets[j] for j, c in enumerate(labels)}
        self.rewards_ = {c: problems[0].reward(w) for c, w in self.weights_.items()}
        self.shared_weights_ = base if shared else offsets.mean(axis=0)
        self.objective_ = objective(x)[0]
        self.converged_ = converged
        self.horizon_, self.discount_ = horizon, discount
        return self

    def reward_for(self, context: str) -> NDArray[np.float64]:
        """Learned state reward of ``context`` (shape (n_states,))."""
        if not hasattr(self, "rewards_"):
            raise NotFittedError("This ContextualMCEIRL instance is not fitted yet; call fit().")
        if context not in self.rewards_:
            raise ValueLearnInputError(
                f"`context` must be one of {list(self.contexts_)}; got {context!r}."
            )
        return self.rewards_[context]


# ---------------------------------------------------------------------- time-weighted
def recency_weights(
    times: NDArray[np.float64], *, half_life: float, reference_time: float | None = None
) -> NDArray[np.float64]:
    """Exponential recency weights ``0.5 ** ((reference_time - time) / half_life)``.

    Parameters
    ----------
    times : array, shape (n,)
    half_life : float
        Age at which a demonstration counts half as much as one recorded at ``reference_time``.
    reference_time : float, optional
        Default: the latest time.

    Returns
    -------
    array, shape (n,)

    Examples
    --------
    >>> recency_weights(np.array([0.0, 1.0, 2.0]), half_life=1.0).tolist()
    [0.25, 0.5, 1.0]
    """
    now = float(np.max(times)) if reference_time is None else float(reference_time)
    return np.asarray(0.5 ** ((now - times) / half_life), dtype=np.float64)


class TimeWeightedMCEIRL:
    """MCE IRL whose demonstrations are weighted by recency, to track values that drift.

    Trajectory ``i`` recorded at ``time_i`` gets weight ``0.5 ** ((t_ref - time_i) / half_life)``;
    the MCE dual is taken over the weighted empirical distribution (weighted mean feature counts
    and weighted start distribution), i.e. the weighted mean causal log-likelihood.

    Parameters
    ----------
    half_life : float
        Age (in the units of ``trajectory.time``) at which a demonstration counts half.
    reference_time : float, optional
        The time whose values are estimated; default the latest demonstration's.
    horizon, discount, reward, l2, gtol, max_iter
        As in :class:`valuelearn.inference.MCEIRL` (finite horizon only).

    Attributes
    ----------
    weights_ : array (n_weights,)
    reward_ : array (n_states,)
    policy_ : array (horizon, n_states, n_actions)
    trajectory_weights_ : array (n_demonstrations,)
        Normalised recency weights (sum to 1).
    effective_n_ : float
        Kish's effective sample size ``1 / sum_i w_i^2``.
    objective_ : float
    converged_ : bool

    References
    ----------
    Ziebart (2010), PhD thesis, Thm 6.8; exponential forgetting as in recursive least squares
    (Ljung & Söderström 1983, ch. 2).

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import Trajectory
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[0.5, 0.5], features=np.eye(2))
    >>> old = [Trajectory([0, 0, 0], [0, 0], time=t) for t in range(5)]
    >>> new = [Trajectory([0, 1, 1], [1, 1], time=t) for t in range(5, 8)]
    >>> model = TimeWeightedMCEIRL(half_life=1.0, horizon=2, l2=0.01)
    >>> model = model.fit(mdp, Demonstrations(old + new))
    >>> bool(model.reward_[1] > model.reward_[0])
    True
    """

    def __init__(
        self,
        half_life: float,
        *,
        reference_time: float | None = None,
        horizon: int | None = None,
        discount: float | None = None,
        reward: RewardKind = "auto",
        l2: float = 1e-3,
        gtol: float = 1e-6,
        max_iter: int = 1000,
    ) -> None:
        self.half_life = half_life
        self.reference_time = reference_time
        self.horizon = horizon
        self.discount = discount
        self.reward = reward
        self.l2 = l2
        self.gtol = gtol
        self.max_iter = max_iter

    def fit(self, mdp: MDP, demonstrations: Demonstrations) -> TimeWeightedMCEIRL:
        """Fit the reward at ``reference_time`` to time-stamped ``demonstrations``; return self."""
        owner = "TimeWeightedMCEIRL"
        horizon, discount, features = resolve_setting(
            owner, mdp, demonstrations, horizon=self.horizon, discount=self.discount,
            reward=self.reward,
        )  # fmt: skip
        half_life = check_nonnegative(self.half_life, "half_life", owner, strict=True)
        l2 = check_nonnegative(self.l2, "l2", owner)
        missing = [i for i, t in enumerate(demonstrations) if t.time is None]
        if missing:
            raise ValueLearnInputError(
                f"TimeWeightedMCEIRL needs a time on every demonstration; trajectory {missing[0]} "
                "has time=None."
            )
        times = np.array([t.time for t in demonstrations], dtype=np.float64)
        weights = recency_weights(times, half_life=half_life, reference_time=self.reference_time)
        weights /= weights.sum()
        problem = weighted_problem(
            mdp, list(demonstrations), features=features, horizon=horizon, discount=discount,
            weights=weights,
        )  # fmt: skip

        def objective(x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            value, gradient, _ = mce_objective(problem, x)
            return value - 0.5 * l2 * float(x @ x), gradient - l2 * x

        x, converged, _ = maximise(
            objective, np.zeros(problem.n_weights), gtol=self.gtol, max_iter=self.max_iter,
            owner=owner,
        )  # fmt: skip
        value, _, plan = mce_objective(problem, x)
        self.weights_ = x
        self.reward_ = problem.reward(x)
        self.policy_ = plan.policy
        self.trajectory_weights_ = weights
        self.effective_n_ = float(1.0 / np.sum(weights**2))
        self.objective_ = value - 0.5 * l2 * float(x @ x)
        self.converged_ = converged
        self.horizon_, self.discount_ = horizon, discount
        return self
