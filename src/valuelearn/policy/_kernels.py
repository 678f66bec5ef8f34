"""Sparse transition products shared by the planners, split over threads for large MDPs.

SciPy's sparse matrix-vector products release the GIL, so row blocks of the action-major
transition matrix can be multiplied in parallel threads. Small MDPs use a single block: for them
thread hand-offs cost more than they save.

The planners' inner loops call SciPy's compiled kernel ``csr_matvec`` directly, which accumulates
``y += A @ x`` into a buffer the caller owns: the Bellman backup ``Q = r + discount * P V`` becomes
one pass that writes straight into the output array (the reward copied in first, the discount
folded into a cached copy of the matrix's values), with no temporary vectors. Where that kernel is
missing (it is private to SciPy), the public ``A @ x`` is used instead, with the same results.
"""

from __future__ import annotations

import os
import weakref
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from valuelearn.data import MDP

try:
    from scipy.sparse import _sparsetools

    _CSR_MATVEC = getattr(_sparsetools, "csr_matvec", None)
except ImportError:  # pragma: no cover - every SciPy release since 0.7 has it
    _CSR_MATVEC = None

#: Stored transitions above which products are split over threads.
PARALLEL_MIN_ENTRIES = 1_000_000


def n_threads() -> int:
    """Threads used for large products: ``VALUELEARN_NUM_THREADS`` or the usable CPU count."""
    configured = os.environ.get("VALUELEARN_NUM_THREADS")
    if configured is not None and configured.isdigit() and int(configured) > 0:
        return int(configured)
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1)


class TransitionOperator:
    """``P @ v`` (``backward_add``) and ``P.T @ x`` (``forward``) for the action-major matrix.

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
        # The backward kernels run on rows padded to equal length (see `_equal_rows`); the
        # discount is folded into their values: (scale, values of every block times scale).
        self.kernels = [_equal_rows(block) for block in self.blocks]
        self._scaled: tuple[float, list[NDArray[np.float64]]] = (
            1.0,
            [kernel.data for kernel in self.kernels],
        )

    def _block_data(self, scale: float) -> list[NDArray[np.float64]]:
        cached_scale, data = self._scaled  # one read: another thread may replace the pair
        if cached_scale != scale:
            data = [kernel.data * scale for kernel in self.kernels]
            self._scaled = (scale, data)
        return data

    def backward_add(
        self, values: NDArray[np.float64], out: NDArray[np.float64], scale: float = 1.0
    ) -> None:
        """``out += scale * P @ values`` in place; ``out`` is a contiguous float64 vector.

        ``values`` must be finite: padding entries multiply them by an explicit zero.
        """
        if scale == 0.0:
            return
        data = self._block_data(scale)
        if self.pool is None:
            _matvec_add(self.kernels[0], data[0], values, out)
            return
        bounds = self.bounds

        def run(i: int) -> None:
            _matvec_add(self.kernels[i], data[i], values, out[bounds[i] : bounds[i + 1]])

        list(self.pool.map(run, range(len(self.blocks))))

    def forward(
        self, mass: NDArray[np.float64], out: NDArray[np.float64] | None = None
    ) -> NDArray[np.float64]:
        """Next-state distribution ``sum_row mass[row] P[row, s']`` (a scatter per block).

        With ``out`` (a contiguous float64 vector) the result is written there and returned.
        """
        if self.transposed is not None and out is not None:
            out.fill(0.0)
            _matvec_add(self.transposed, self.transposed.data, mass, out)
            return out
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
        if out is not None:
            out[...] = total
            return out
        return total


#: Rows are padded to equal length when that at most doubles the stored entries and the
#: longest row has at most this many.
PAD_MAX_ROW = 16


def _equal_rows(matrix: sp.csr_array) -> sp.csr_array:
    """``matrix`` with every row padded by explicit zeros to the length of the longest row.

    A CSR product loops over each row's entries; when row lengths vary (successors merged in some
    rows, absorbing states with one), the loop's exit branch is mispredicted about once per row,
    which costs more than the arithmetic on short rows: on seals' RandomTransitionEnv at 4,000
    states (rows of 1 to 4 entries) the padded product is about 2.5 times faster. A padding entry
    repeats its row's last column with the value 0.0, so every product is unchanged bit for bit
    for finite vectors. Matrices whose rows are already equal, or that would more than double,
    are returned as they are.
    """
    counts = np.diff(matrix.indptr)
    n_rows = matrix.shape[0]
    if n_rows == 0 or matrix.nnz == 0:
        return matrix
    longest = int(counts.max())
    if int(counts.min()) == longest or longest > PAD_MAX_ROW or n_rows * longest > 2 * matrix.nnz:
        return matrix
    filled = np.arange(longest)[None, :] < counts[:, None]
    indices = np.empty((n_rows, longest), dtype=matrix.indices.dtype)
    last = np.maximum(matrix.indptr[1:] - 1, 0)  # an empty row points at column indices[0]
    indices[:] = matrix.indices[last][:, None]
    indices[filled] = matrix.indices
    data = np.zeros((n_rows, longest))
    data[filled] = matrix.data
    indptr = np.arange(0, n_rows * longest + 1, longest, dtype=matrix.indptr.dtype)
    return sp.csr_array((data.ravel(), indices.ravel(), indptr), shape=matrix.shape)


def _matvec_add(
    matrix: sp.csr_array,
    data: NDArray[np.float64],
    x: NDArray[np.float64],
    out: NDArray[np.float64],
) -> None:
    """``out += A @ x`` where ``A`` has ``matrix``'s sparsity pattern and the values ``data``."""
    n_rows, n_cols = matrix.shape
    if _CSR_MATVEC is not None and x.dtype == np.float64 and x.flags.c_contiguous:
        _CSR_MATVEC(n_rows, n_cols, matrix.indptr, matrix.indices, data, x, out)
        return
    out += sp.csr_array((data, matrix.indices, matrix.indptr), shape=matrix.shape) @ x


_CACHE: weakref.WeakKeyDictionary[MDP, TransitionOperator] = weakref.WeakKeyDictionary()


def transition_operator(mdp: MDP) -> TransitionOperator:
    """The (cached) :class:`TransitionOperator` of ``mdp``."""
    operator = _CACHE.get(mdp)
    if operator is None:
        operator = TransitionOperator(mdp.action_major)
        _CACHE[mdp] = operator
    return operator
