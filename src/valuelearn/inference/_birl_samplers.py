"""Samplers for Bayesian IRL: PolicyWalk (grid Metropolis) and HMC on the soft-Q likelihood.

The chain's parameters are the reward weights ``theta`` (state reward ``R = features @ theta``)
followed, when the rationality is inferred, by ``log beta``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from valuelearn.data import MDP
from valuelearn.inference._birl_model import BIRLModel, HardSolution, Likelihood, SoftSolution
from valuelearn.inference._mcmc import Chain, LogDensity, hmc
from valuelearn.inference._priors import GaussianPrior, Prior
from valuelearn.policy import soft_value_iteration, value_iteration

#: ``|log beta|`` beyond this is outside the support (beta in [2e-9, 5e8]).
MAX_LOG_BETA = 20.0


@dataclass(frozen=True)
class Target:
    """The posterior a chain samples: model, feature map, priors and the likelihood kind.

    ``beta_prior`` is a Gaussian prior on ``log beta`` (a log-normal prior on ``beta``), or
    ``None`` to hold ``beta`` fixed at ``beta``.
    """

    model: BIRLModel
    features: NDArray[np.float64]  # (n_states, n_parameters)
    prior: Prior
    likelihood: Likelihood
    beta: float
    beta_prior: GaussianPrior | None

    @property
    def n_weights(self) -> int:
        return int(self.features.shape[1])

    def split(self, x: NDArray[np.float64]) -> tuple[NDArray[np.float64], float]:
        """``(theta, beta)`` of a chain state."""
        if self.beta_prior is None:
            return x, self.beta
        return x[:-1], float(np.exp(x[-1]))

    def log_prior(self, x: NDArray[np.float64]) -> float:
        """Log prior density; ``beta`` is confined to ``exp(+-MAX_LOG_BETA)``."""
        if self.beta_prior is None:
            return self.prior.log_density(x)
        if abs(x[-1]) > MAX_LOG_BETA:
            return -np.inf
        return self.prior.log_density(x[:-1]) + self.beta_prior.log_density(x[-1:])


# ---------------------------------------------------------------------- PolicyWalk
def policy_walk(
    target: Target,
    start: NDArray[np.float64],
    *,
    step: float,
    beta_step: float,
    n_samples: int,
    burn_in: int,
    thin: int,
    rng: np.random.Generator,
    warm_start: bool = True,
    mdp: MDP | None = None,
    adapt: bool = False,
) -> Chain:
    """PolicyWalk: Metropolis moves of one coordinate by ``+-step`` on a grid of reward weights.

    With the Boltzmann (hard-Q) likelihood a move first re-evaluates the current optimal policy
    under the proposed reward, re-using the factorised ``I - discount P_pi`` (one triangular solve
    per move); only if that policy stops being greedy does policy iteration run, warm-started from
    it (Ramachandran & Amir 2007, Fig. 3, steps 3a-3b). Soft likelihoods warm-start Newton's
    method from the current values. Moves of ``log beta`` (by ``+-beta_step``) need no planning
    for the hard-Q likelihood, whose ``Q*`` does not depend on ``beta``.

    ``warm_start=False`` is the straightforward PolicyWalk: every move re-solves value iteration
    from scratch with the public planners (``mdp`` required). It visits exactly the same states and
    serves as the reference in tests and benchmarks.

    ``adapt=True`` tunes each coordinate's step during burn-in: after its ``k``-th window of 10
    proposals, ``step *= exp(2 (rate - 0.44) / sqrt(k))``, towards the 0.44 acceptance rate
    suited to one-dimensional moves. The steps are then held fixed, so the kept draws come from a
    fixed Metropolis kernel on the grid ``x_burn_in + steps * Z``.

    References
    ----------
    Ramachandran & Amir (2007), "Bayesian inverse reinforcement learning", IJCAI, section 4
    (PolicyWalk) and eq. (2)-(3) (likelihood and posterior).
    """
    walker = _Walker(target, warm_start=warm_start, mdp=mdp)
    x = np.array(start, dtype=np.float64)
    state = walker.evaluate(x, None)
    log_prior = target.log_prior(x)
    n_coords = x.size
    steps = np.where(np.arange(n_coords) < target.n_weights, step, beta_step)
    tuner = _StepTuner(steps) if adapt else None
    kept_x, kept_ll, kept_lp = [], [], []
    accepted = 0
    for i in range(burn_in + n_samples * thin):
        coord = int(rng.integers(n_coords))
        sign = 1.0 if rng.random() < 0.5 else -1.0
        log_u = np.log(rng.random())
        proposal = x.copy()
        delta = sign * steps[coord]
        proposal[coord] += delta
        proposal_prior = target.log_prior(proposal)
        moved = False
        if np.isfinite(proposal_prior):
            candidate = walker.move(state, proposal, coord, delta)
            if log_u < candidate.log_likelihood + proposal_prior - state.log_likelihood - log_prior:
                x, state, log_prior, moved = proposal, candidate, proposal_prior, True
                accepted += i >= burn_in
        if tuner is not None and i < burn_in:
            tuner.record(coord, moved)
        if i >= burn_in and (i - burn_in) % thin == thin - 1:
            kept_x.append(x.copy())
            kept_ll.append(state.log_likelihood)
            kept_lp.append(log_prior)
    return Chain(
        np.array(kept_x).reshape(n_samples, x.size),
        np.array(kept_ll),
        np.array(kept_lp),
        accepted / max(1, n_samples * thin),
        float(np.median(steps[: target.n_weights])),
    )


class _StepTuner:
    """Per-coordinate step adaptation for the burn-in of :func:`policy_walk` (edits ``steps``)."""

    WINDOW = 10

    def __init__(self, steps: NDArray[np.float64]) -> None:
        self.steps = steps
        self.low, self.high = steps * 1e-4, steps * 1e3
        self.tried = np.zeros(steps.size, dtype=np.int64)
        self.moved = np.zeros(steps.size, dtype=np.int64)
        self.rounds = np.zeros(steps.size, dtype=np.int64)

    def record(self, coord: int, moved: bool) -> None:
        self.tried[coord] += 1
        self.moved[coord] += moved
        if self.tried[coord] == self.WINDOW:
            rate = self.moved[coord] / self.WINDOW
            self.rounds[coord] += 1
            gain = 2.0 / np.sqrt(self.rounds[coord])  # Robbins-Monro: shrinking adjustments
            scaled = self.steps[coord] * np.exp(gain * (rate - 0.44))
            self.steps[coord] = np.clip(scaled, self.low[coord], self.high[coord])
            self.tried[coord] = self.moved[coord] = 0


@dataclass
class _WalkState:
    reward: NDArray[np.float64]
    beta: float
    solution: HardSolution | SoftSolution | NDArray[np.float64]  # Q* array in the naive walk
    log_likelihood: float


class _Walker:
    """Evaluates PolicyWalk proposals, incrementally (warm) or from scratch (naive)."""

    def __init__(self, target: Target, *, warm_start: bool, mdp: MDP | None) -> None:
        if not warm_start and mdp is None:
            raise ValueError("the straightforward PolicyWalk needs the MDP")
        self.target, self.warm, self.mdp = target, warm_start, mdp
        self.model = target.model

    def evaluate(self, x: NDArray[np.float64], previous: _WalkState | None) -> _WalkState:
        theta, beta = self.target.split(x)
        reward = self.target.features @ theta
        return self._solve(reward, beta, previous)

    def move(
        self, state: _WalkState, x: NDArray[np.float64], coord: int, delta: float
    ) -> _WalkState:
        _, beta = self.target.split(x)
        model = self.model
        if coord >= self.target.n_weights:  # a move of log beta
            if self.target.likelihood == "boltzmann":
                q = (
                    state.solution.q_values
                    if isinstance(state.solution, HardSolution)
                    else state.solution
                )
                assert isinstance(q, np.ndarray)
                return _WalkState(
                    state.reward, beta, state.solution, model.boltzmann_log_likelihood(q, beta)
                )
            return self._solve(state.reward, beta, state)
        direction = self.target.features[:, coord]
        reward = state.reward + delta * direction
        solution = state.solution
        if (
            self.warm
            and self.target.likelihood == "boltzmann"
            and isinstance(solution, HardSolution)
        ):
            values = solution.values + delta * solution.system.solve(direction)
            q_values = model.q_from_values(reward, values)
            if model.is_greedy(q_values, solution.actions):
                new = HardSolution(solution.actions, values, q_values, solution.system)
                return _WalkState(reward, beta, new, model.boltzmann_log_likelihood(q_values, beta))
        return self._solve(reward, beta, state)

    def _solve(
        self, reward: NDArray[np.float64], beta: float, previous: _WalkState | None
    ) -> _WalkState:
        model, target = self.model, self.target
        if target.likelihood == "boltzmann":
            if self.warm:
                actions = (
                    previous.solution.actions
                    if previous is not None and isinstance(previous.solution, HardSolution)
                    else None
                )
                hard = model.solve_hard(reward, actions)
                return _WalkState(
                    reward, beta, hard, model.boltzmann_log_likelihood(hard.q_values, beta)
                )
            assert self.mdp is not None
            plan = value_iteration(
                self.mdp, reward, horizon=None, discount=model.discount, tol=1e-12
            )
            assert plan.q_values is not None
            q = np.array(plan.q_values)
            return _WalkState(reward, beta, q, model.boltzmann_log_likelihood(q, beta))
        if self.warm:
            start = None
            if previous is not None and isinstance(previous.solution, SoftSolution):
                start = previous.solution.values * (beta / previous.beta)
            soft = model.solve_soft(beta * reward, start)
            return _WalkState(reward, beta, soft, model.soft_log_likelihood(soft))
        assert self.mdp is not None
        plan = soft_value_iteration(
            self.mdp, beta * reward, horizon=None, discount=model.discount, tol=1e-12
        )
        log_policy = np.log(np.asarray(plan.policy))
        return _WalkState(reward, beta, log_policy, float(np.sum(model.counts * log_policy)))


# ---------------------------------------------------------------------- HMC
def soft_log_density(target: Target) -> LogDensity:
    """Log posterior of the soft-Q likelihood and its exact gradient, warm-starting each solve.

    With ``u = beta * features @ theta`` and ``G = dL/du`` from
    :meth:`BIRLModel.soft_gradient`: ``dL/dtheta = beta * features^T G`` and
    ``dL/dlog beta = u . G``.
    """
    model, features = target.model, target.features
    cache: dict[str, NDArray[np.float64]] = {}

    def log_density(x: NDArray[np.float64]) -> tuple[float, float, NDArray[np.float64]]:
        log_prior = target.log_prior(x)
        if not np.isfinite(log_prior):
            return -np.inf, -np.inf, np.zeros_like(x)
        theta, beta = target.split(x)
        scaled = beta * (features @ theta)
        solution = model.solve_soft(scaled, cache.get("values"))
        cache["values"] = solution.values
        g = model.soft_gradient(solution)
        grad_theta = beta * (features.T @ g) + target.prior.gradient(theta)
        if target.beta_prior is None:
            gradient = grad_theta
        else:
            grad_beta = float(scaled @ g) + target.beta_prior.gradient(x[-1:])[0]
            gradient = np.append(grad_theta, grad_beta)
        return model.soft_log_likelihood(solution), log_prior, gradient

    return log_density


def soft_hmc(
    target: Target,
    start: NDArray[np.float64],
    *,
    n_samples: int,
    burn_in: int,
    n_leapfrog: int,
    thin: int,
    rng: np.random.Generator,
) -> Chain:
    """HMC on the soft-Q (maximum causal entropy) posterior (see :func:`_mcmc.hmc`)."""
    return hmc(
        soft_log_density(target),
        start,
        n_samples=n_samples,
        burn_in=burn_in,
        n_leapfrog=n_leapfrog,
        rng=rng,
        thin=thin,
    )
