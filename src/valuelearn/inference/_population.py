"""Hierarchical population MCE IRL: a new person borrows strength from many others.

Each person ``i`` has weights ``w_i = mu + delta_i`` with a Gaussian prior
``delta_i ~ N(0, tau^2 I)``; the population mean ``mu`` and every offset are fitted jointly by
maximum a posteriori (one L-BFGS over all weights, exact MCE gradients per person). A new person
with few demonstrations is then fitted with the prior ``w ~ N(mu, tau^2 I)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from valuelearn.data import MDP, Demonstrations
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.inference._fitting import (
    check_nonnegative,
    maximise,
    resolve_setting,
    weighted_problem,
)
from valuelearn.inference._mce import MCEProblem, mce_objective


def population_map_objective(
    problems: list[MCEProblem],
    counts: NDArray[np.float64],
    mean: NDArray[np.float64],
    offsets: NDArray[np.float64],
    *,
    tau: float,
    l2_mean: float = 0.0,
) -> tuple[float, NDArray[np.float64], NDArray[np.float64]]:
    """Log posterior (up to a constant) of a hierarchical MCE model, per demonstration.

    ``J = (sum_i n_i L_i(mu + delta_i) - sum_i ||delta_i||^2 / (2 tau^2)) / sum_i n_i
    - l2_mean / 2 ||mu||^2`` where ``L_i`` is person ``i``'s MCE dual (mean causal log-likelihood
    over their ``n_i`` demonstrations). The ridge on ``mu`` is on the per-demonstration scale of
    :class:`valuelearn.inference.MCEIRL`'s ``l2``; the offsets' prior is a proper Gaussian.

    Parameters
    ----------
    problems : list of MCEProblem, one per person
    counts : array, shape (n_people,)
        Number of demonstrations of each person.
    mean : array, shape (n_weights,)
    offsets : array, shape (n_people, n_weights)
    tau : float > 0
        Prior standard deviation of the offsets.
    l2_mean : float

    Returns
    -------
    objective : float
    grad_mean : array, shape (n_weights,)
    grad_offsets : array, shape (n_people, n_weights)

    References
    ----------
    Ziebart (2010), Thm 6.8 (per-person dual); Gelman et al. (2013), *Bayesian Data Analysis*,
    ch. 5 (hierarchical normal model); Choi & Kim (2012), "Nonparametric Bayesian inverse
    reinforcement learning for multiple reward functions", NeurIPS (population IRL).

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import Trajectory
    >>> from valuelearn.inference._fitting import weighted_problem
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0], features=np.eye(2))
    >>> p = weighted_problem(mdp, [Trajectory([0, 1], [1])], features=mdp.features, horizon=1,
    ...                      discount=1.0)
    >>> value, g_mu, g_delta = population_map_objective(
    ...     [p], np.array([1.0]), np.zeros(2), np.zeros((1, 2)), tau=1.0)
    >>> round(value, 4)  # log(1/2)
    -0.6931
    """
    total = float(counts.sum())
    value = 0.0
    grad_offsets = np.zeros_like(offsets)
    for i, problem in enumerate(problems):
        v, g, _ = mce_objective(problem, mean + offsets[i])
        value += float(counts[i]) * v
        grad_offsets[i] = counts[i] * g
    grad_mean = grad_offsets.sum(axis=0)
    value -= 0.5 * float(np.sum(offsets**2)) / tau**2
    grad_offsets -= offsets / tau**2
    value = value / total - 0.5 * l2_mean * float(mean @ mean)
    return value, grad_mean / total - l2_mean * mean, grad_offsets / total


class HierarchicalMCEIRL:
    """MCE IRL for a population: shared mean values plus Gaussian individual offsets.

    ``fit`` groups demonstrations by ``trajectory.demonstrator`` and maximises the log posterior of
    :func:`population_map_objective` jointly over ``mu`` and all ``delta_i``. A small ``tau`` pools
    everyone into one reward; a large one fits every person alone. :meth:`fit_new_person`
    estimates a newcomer's weights under the prior ``N(mu, tau^2 I)``.

    Parameters
    ----------
    tau : float > 0
        Prior standard deviation of individual offsets (in weight units).
    horizon, discount, reward
        As in :class:`valuelearn.inference.MCEIRL` (finite horizon only).
    l2_mean : float
        Ridge penalty on the population mean (per-demonstration scale, as ``MCEIRL``'s ``l2``).
    gtol, max_iter : float, int

    Attributes
    ----------
    people_ : tuple of str
    mean_weights_ : array (n_weights,)
        ``mu``.
    weights_ : dict str -> array (n_weights,)
        ``mu + delta_i`` per person.
    offsets_ : array (n_people, n_weights)
    mean_reward_ : array (n_states,)
    objective_ : float
    converged_ : bool

    References
    ----------
    See :func:`population_map_objective`.

    Examples
    --------
    >>> import numpy as np
    >>> from valuelearn.data import Trajectory
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> mdp = MDP.from_dense(T, initial=[1.0, 0.0], features=np.eye(2))
    >>> go, stay = Trajectory([0, 1, 1], [1, 1]), Trajectory([0, 0, 0], [0, 0])
    >>> demos = [Trajectory(t.states, t.actions, demonstrator=who)
    ...          for who in "abc" for t in (go, go, stay)]
    >>> model = HierarchicalMCEIRL(tau=0.5, horizon=2, l2_mean=0.01).fit(mdp, Demonstrations(demos))
    >>> newcomer = model.fit_new_person(mdp, Demonstrations([go]))
    >>> bool(newcomer[1] - newcomer[0] > 0)
    True
    """

    def __init__(
        self,
        tau: float = 1.0,
        *,
        horizon: int | None = None,
        discount: float | None = None,
        reward: Literal["auto", "linear", "tabular"] = "auto",
        l2_mean: float = 1e-3,
        gtol: float = 1e-6,
        max_iter: int = 1000,
    ) -> None:
        self.tau = tau
        self.horizon = horizon
        self.discount = discount
        self.reward = reward
        self.l2_mean = l2_mean
        self.gtol = gtol
        self.max_iter = max_iter

    def fit(self, mdp: MDP, demonstrations: Demonstrations) -> HierarchicalMCEIRL:
        """Fit the population mean and every person's offset; return ``self``."""
        owner = "HierarchicalMCEIRL"
        horizon, discount, features = resolve_setting(
            owner, mdp, demonstrations, horizon=self.horizon, discount=self.discount,
            reward=self.reward,
        )  # fmt: skip
        tau = check_nonnegative(self.tau, "tau", owner, strict=True)
        l2_mean = check_nonnegative(self.l2_mean, "l2_mean", owner)
        groups: dict[str, list[object]] = {}
        for index, trajectory in enumerate(demonstrations):
            if trajectory.demonstrator is None:
                raise ValueLearnInputError(
                    f"HierarchicalMCEIRL needs a demonstrator on every demonstration; trajectory "
                    f"{index} has demonstrator=None."
                )
            groups.setdefault(trajectory.demonstrator, []).append(trajectory)
        people = tuple(groups)
        problems = [
            weighted_problem(mdp, groups[p], features=features, horizon=horizon, discount=discount)
            for p in people
        ]
        counts = np.array([len(groups[p]) for p in people], dtype=np.float64)
        d, k = problems[0].n_weights, len(people)

        def objective(x: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            value, g_mean, g_offsets = population_map_objective(
                problems, counts, x[:d], x[d:].reshape(k, d), tau=tau, l2_mean=l2_mean
            )
            return value, np.concatenate([g_mean, g_offsets.ravel()])

        x, converged, _ = maximise(
            objective, np.zeros(d * (k + 1)), gtol=self.gtol, max_iter=self.max_iter, owner=owner
        )
        self.people_ = people
        self.mean_weights_ = x[:d]
        self.offsets_ = x[d:].reshape(k, d)
        self.weights_ = {p: self.mean_weights_ + self.offsets_[i] for i, p in enumerate(people)}
        self.mean_reward_ = problems[0].reward(self.mean_weights_)
        self.objective_ = objective(x)[0]
        self.converged_ = converged
        self.horizon_, self.discount_, self._features = horizon, discount, features
        return self

    def fit_new_person(self, mdp: MDP, demonstrations: Demonstrations) -> NDArray[np.float64]:
        """MAP weights of a new person under the population prior ``N(mu, tau^2 I)``.

        Maximises ``n L(w) - ||w - mu||^2 / (2 tau^2)`` over ``w``, where ``L`` is the MCE dual of
        the person's ``n`` demonstrations; the reward is ``mdp.features @ w`` (or ``w``).

        Returns
        -------
        array, shape (n_weights,)
        """
        if not hasattr(self, "mean_weights_"):
            raise NotFittedError("This HierarchicalMCEIRL instance is not fitted yet; call fit().")
        horizon, discount, features = resolve_setting(
            "HierarchicalMCEIRL", mdp, demonstrations, horizon=self.horizon_,
            discount=self.discount_, reward=self.reward,
        )  # fmt: skip
        width = mdp.n_states if features is None else features.shape[1]
        if width != self.mean_weights_.size:
            raise ValueLearnInputError(
                f"`mdp` gives {width} reward weights but the population was fitted with "
                f"{self.mean_weights_.size}."
            )
        problem = weighted_problem(
            mdp, list(demonstrations), features=features, horizon=horizon, discount=discount
        )
        mean, n, tau = self.mean_weights_, float(len(demonstrations)), float(self.tau)

        def objective(w: NDArray[np.float64]) -> tuple[float, NDArray[np.float64]]:
            value, gradient, _ = mce_objective(problem, w)
            gap = w - mean
            return value - 0.5 * float(gap @ gap) / (n * tau**2), gradient - gap / (n * tau**2)

        weights, _, _ = maximise(
            objective, mean.copy(), gtol=self.gtol, max_iter=self.max_iter, owner="fit_new_person"
        )
        return weights
