"""Likelihoods of Bayesian IRL on a discounted tabular MDP, with warm-started exact solvers.

Two human models score the observed state-action pairs ``c(s, a)``:

* ``"boltzmann"`` (Ramachandran & Amir 2007): ``pi(a | s) ∝ exp(beta Q*(s, a; R))`` with the optimal
  (hard) ``Q*`` of exact planning;
* ``"soft"`` (maximum causal entropy): ``pi(a | s) = exp(Q(s, a) - V(s))`` with the soft Bellman
  fixed point of the reward ``beta R`` (temperature ``1 / beta``).

Both are solved exactly by policy iteration (Newton's method on the Bellman equation) with the
linear system ``(I - discount P_pi)`` factorised once per policy, so a small change of reward
re-uses the factorisation: this is the warm start that makes PolicyWalk fast.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from numpy.typing import NDArray
from scipy.linalg import lapack

from valuelearn.data import MDP

Likelihood = Literal["boltzmann", "soft"]

#: Worlds up to this many states keep dense transitions and dense LU factorisations.
DENSE_LIMIT = 1000


class PolicySystem:
    """A factorisation of ``I - discount * P_pi`` for one policy, solving in both directions."""

    def __init__(self, matrix: NDArray[np.float64] | sp.csr_array, discount: float) -> None:
        self._dense: tuple[NDArray[np.float64], NDArray[np.int32]] | None = None
        if isinstance(matrix, np.ndarray):
            system = -discount * matrix
            system[np.diag_indices_from(system)] += 1.0
            lu, pivots, info = lapack.dgetrf(system, overwrite_a=True)
            if info != 0:  # pragma: no cover - I - discount P is nonsingular for discount < 1
                raise np.linalg.LinAlgError("singular policy system")
            self._dense = (lu, pivots)
        else:
            n = matrix.shape[0]
            self._sparse = spla.splu(sp.identity(n, format="csc") - discount * matrix.tocsc())

    def solve(self, rhs: NDArray[np.float64], *, transposed: bool = False) -> NDArray[np.float64]:
        """``x`` with ``(I - discount P_pi) x = rhs`` (or its transpose)."""
        if self._dense is not None:
            x, _ = lapack.dgetrs(*self._dense, rhs, trans=1 if transposed else 0)
        else:
            x = self._sparse.solve(rhs, trans="T" if transposed else "N")
        return np.asarray(x, dtype=np.float64)


@dataclass
class HardSolution:
    """Optimal values of one reward: greedy actions, ``V* = V^pi``, ``Q*`` and the factorisation."""

    actions: NDArray[np.int64]
    values: NDArray[np.float64]
    q_values: NDArray[np.float64]
    system: PolicySystem


@dataclass
class SoftSolution:
    """Soft fixed point of one (already ``beta``-scaled) reward and its policy's factorisation."""

    values: NDArray[np.float64]
    log_policy: NDArray[np.float64]
    system: PolicySystem


class BIRLModel:
    """Counts, dynamics and solvers for the Bayesian IRL likelihoods of one data set.

    Parameters
    ----------
    mdp : MDP
    counts : array, shape (n_states, n_actions)
        How often each action was observed in each state.
    discount : float in [0, 1)
    """

    def __init__(self, mdp: MDP, counts: NDArray[np.float64], *, discount: float) -> None:
        self.n_states, self.n_actions = mdp.n_states, mdp.n_actions
        self.transitions = mdp.transitions  # (S * A, S), row s * A + a
        self.discount = float(discount)
        self.counts = np.asarray(counts, dtype=np.float64)
        self.visits = self.counts.sum(axis=1)
        self._rows = np.arange(self.n_states) * self.n_actions
        self._dense = (
            np.ascontiguousarray(mdp.dense_transitions()) if self.n_states <= DENSE_LIMIT else None
        )  # (S, A, S)
        self._flat = None if self._dense is None else self._dense.reshape(-1, self.n_states)

    # ------------------------------------------------------------------ hard (optimal) Q
    def successor_values(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """``sum_s' P(s' | s, a) values(s')``, shape (n_states, n_actions)."""
        matrix = self.transitions if self._flat is None else self._flat
        return np.asarray(matrix @ values, dtype=np.float64).reshape(self.n_states, self.n_actions)

    def policy_system(self, actions: NDArray[np.int64]) -> PolicySystem:
        """Factorised ``I - discount P_pi`` for a deterministic policy ``actions[s]``."""
        if self._dense is not None:
            return PolicySystem(self._dense[np.arange(self.n_states), actions], self.discount)
        return PolicySystem(self.transitions[self._rows + actions], self.discount)

    def q_from_values(
        self, reward: NDArray[np.float64], values: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """``Q(s, a) = R(s) + discount * sum_s' P V``."""
        return reward[:, None] + self.discount * self.successor_values(values)

    def is_greedy(self, q_values: NDArray[np.float64], actions: NDArray[np.int64]) -> bool:
        """Whether ``actions`` attain the maximum of ``q_values`` in every state (to rounding)."""
        chosen = q_values[np.arange(self.n_states), actions]
        slack = 1e-12 * (1.0 + float(np.max(np.abs(q_values))))
        return bool(np.all(chosen >= q_values.max(axis=1) - slack))

    def solve_hard(
        self, reward: NDArray[np.float64], actions: NDArray[np.int64] | None = None
    ) -> HardSolution:
        """Policy iteration for the state reward ``reward``, warm-started from ``actions``."""
        current = np.zeros(self.n_states, dtype=np.int64) if actions is None else actions.copy()
        index = np.arange(self.n_states)
        for _ in range(10 * self.n_states * self.n_actions + 10):
            system = self.policy_system(current)
            values = system.solve(reward)
            q_values = self.q_from_values(reward, values)
            if self.is_greedy(q_values, current):
                return HardSolution(current, values, q_values, system)
            best = q_values.argmax(axis=1)
            slack = 1e-12 * (1.0 + float(np.max(np.abs(q_values))))
            keep = q_values[index, current] >= q_values[index, best] - slack
            current = np.where(keep, current, best)
        raise RuntimeError("policy iteration did not terminate")  # pragma: no cover

    def boltzmann_log_likelihood(self, q_values: NDArray[np.float64], beta: float) -> float:
        """``sum_{s,a} c(s, a) [beta Q(s, a) - log sum_b exp(beta Q(s, b))]``."""
        scaled = beta * q_values
        log_policy = scaled - _logsumexp(scaled)[:, None]
        return float(np.sum(self.counts * log_policy))

    # ------------------------------------------------------------------ soft Q
    def solve_soft(
        self,
        scaled_reward: NDArray[np.float64],
        values: NDArray[np.float64] | None = None,
        *,
        tol: float = 1e-11,
    ) -> SoftSolution:
        """Soft fixed point ``V = log sum_a exp(R + discount P V)`` by Newton's method.

        Newton's step ``V <- V - (I - discount P_pi)^-1 (V - T V)`` converges quadratically near
        the fixed point; after a step that did not shrink the residual the next one is the
        contraction ``V <- T V``, so the iteration converges from any start.
        """
        v = np.zeros(self.n_states) if values is None else values.copy()
        residual_norm = np.inf
        for _ in range(500):
            q = scaled_reward[:, None] + self.discount * self.successor_values(v)
            backed_up = _logsumexp(q)
            residual = v - backed_up
            norm = float(np.max(np.abs(residual)))
            log_policy = q - backed_up[:, None]
            if norm <= tol * (1.0 + float(np.max(np.abs(backed_up)))):
                return SoftSolution(backed_up, log_policy, self._soft_system(log_policy))
            if norm < residual_norm:  # the last step made progress: take a Newton step
                v = v - self._soft_system(log_policy).solve(residual)
            else:  # safeguard: one contraction step
                v = backed_up
            residual_norm = norm
        raise RuntimeError("soft policy iteration did not converge")  # pragma: no cover

    def _soft_system(self, log_policy: NDArray[np.float64]) -> PolicySystem:
        if self._dense is not None:
            mixed = np.matmul(np.exp(log_policy)[:, None, :], self._dense)[:, 0, :]
            return PolicySystem(mixed, self.discount)
        policy = np.exp(log_policy).ravel()
        n = self.n_states * self.n_actions
        mixing = sp.csr_array(
            (policy, np.arange(n), np.arange(0, n + 1, self.n_actions)), shape=(self.n_states, n)
        )
        return PolicySystem(sp.csr_array(mixing @ self.transitions), self.discount)

    def soft_log_likelihood(self, solution: SoftSolution) -> float:
        """``sum_{s,a} c(s, a) log pi(a | s)``."""
        return float(np.sum(self.counts * solution.log_policy))

    def soft_gradient(self, solution: SoftSolution) -> NDArray[np.float64]:
        """Exact ``d/du sum c log pi`` for the scaled state reward ``u = beta R``, shape (S,).

        With ``g = c - n(s) pi(a | s)`` the derivative with respect to ``Q``, the adjoint of the
        fixed point ``Q = u + discount P V(Q)`` gives ``dL/du(s) = discount * mu(s)`` where
        ``(I - discount P_pi^T) mu = P^T g`` (the terms ``sum_a g(s, a)`` vanish).
        """
        g = self.counts - self.visits[:, None] * np.exp(solution.log_policy)
        matrix = self.transitions if self._flat is None else self._flat
        arrivals = np.asarray(matrix.T @ g.ravel(), dtype=np.float64)
        return self.discount * solution.system.solve(arrivals, transposed=True)


def _logsumexp(x: NDArray[np.float64]) -> NDArray[np.float64]:
    """``log sum_a exp x[s, a]`` per row, stable for any finite input."""
    top = x.max(axis=1)
    return np.asarray(top + np.log(np.exp(x - top[:, None]).sum(axis=1)), dtype=np.float64)
