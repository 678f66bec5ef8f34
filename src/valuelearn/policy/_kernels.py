"""Sparse transition products shared by the planners, split over threads for large MDPs.

SciPy's sparse matrix-vector products release the GIL, so row blocks of the action-major
transition matrix can be multiplied in parallel threads. Small MDPs use a single block: for them
thread hand-offs cost more than they save.
"""

from __future__ import annotations

import os
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from valuelearn.data import MDP

#: Stored transitions above which products are split over threads.
PARALLEL_MIN_ENTRIES = 1_000_000


def n_threads() -> int:
    """Threads used for large products: ``VALUELEARN_NUM_THREADS`` or the usable CPU count."""
    configured = os.environ.get("VALUELEARN_NUM_THREADS")
    if configured is not None and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class TransitionOperator:
    """``P @ v`` (backward) and ``P.T @ x`` (forward) for the action-major matrix of an MDP.

    ``P`` has shape ``(n_actions * n_states, n_states)`` with row ``a * n_states + s``.
    """

    def __init__(self, matrix: sp.csr_array) -> None:
        self.shape = matrix.shape
        threads = n_threads() if matrix.nnz >= PARALLEL_MIN_ENTRIES else 1
        bounds = np.linspace(0, matrix.shape[0], threads + 1).astype(np.int64)
        self.bounds = bounds
        self.blocks = [matrix[bounds[i] : bounds[i + 1]] for i in range(threads)]
        self.pool = ThreadPoolExecutor(threads) if threads > 1 else None
        # Single-block products gather through an explicit transpose, which is faster than
        # SciPy's scatter over the CSC view at the sizes where a single block is used.
        self.transposed = self.blocks[0].T.tocsr() if threads == 1 else None

    def backward(self, values: NDArray[np.float64]) -> NDArray[np.float64]:
        """Expected next value ``sum_s' P[row, s'] values[s']`` for every row."""
        if self.pool is None:
            result: NDArray[np.float64] = self.blocks[0] @ values
            return result
        out = np.empty(self.shape[0])

        def run(i: int) -> None:
            out[self.bounds[i] : self.bounds[i + 1]] = self.blocks[i] @ values

        list(self.pool.map(run, range(len(self.blocks))))
        return out

    def forward(self, mass: NDArray[np.float64]) -> NDArray[np.float64]:
        """Next-state distribution ``sum_row mass[row] P[row, s']`` (a scatter per block)."""
        if self.transposed is not None or self.pool is None:
            matrix = self.transposed if self.transposed is not None else self.blocks[0].T
            result: NDArray[np.float64] = matrix @ mass
            return result
        pool = self.pool

        def run(i: int) -> NDArray[np.float64]:
            part: NDArray[np.float64] = self.blocks[i].T @ mass[self.bounds[i] : self.bounds[i + 1]]
            return part

        parts = list(pool.map(run, range(len(self.blocks))))
        total: NDArray[np.float64] = parts[0]
        for part in parts[1:]:
            total += part
        return total


_CACHE: weakref.WeakKeyDictionary[MDP, TransitionOperator] = weakref.WeakKeyDictionary()


def transition_operator(mdp: MDP) -> TransitionOperator:
    """The (cached) :class:`TransitionOperator` of ``mdp``."""
    operator = _CACHE.get(mdp)
    if operator is None:
        operator = TransitionOperator(mdp.action_major)
        _CACHE[mdp] = operator
    return operator
