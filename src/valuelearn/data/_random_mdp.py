"""Random MDPs with a fixed number of successors per (state, action), sparse from the start."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from valuelearn._random import RandomLike, as_generator
from valuelearn.data._mdp import MDP, _positive_int
from valuelearn.exceptions import ValueLearnInputError


def random_mdp(
    n_states: int,
    n_actions: int,
    *,
    branching: int,
    n_features: int | None = None,
    horizon: int | None = None,
    discount: float | None = None,
    rng: RandomLike = None,
) -> MDP:
    """Draw a random MDP in which every (state, action) has ``branching`` distinct successors.

    For each ``(s, a)`` the successor set is a uniformly random ``branching``-subset of the states
    (Floyd's sampling algorithm, vectorised over all rows), and the probabilities on it are drawn
    from a flat Dirichlet(1, ..., 1) (normalised standard exponentials). This is the random MDP
    of seals' ``RandomTransitionEnv`` (after Sutton's random MDPs), except that the successors
    are exactly ``branching`` distinct states rather than at most ``branching``, and the initial
    distribution is uniform over all states.

    Time and memory are linear in ``n_states * n_actions * branching`` (times ``branching`` for
    the time): 10^6 states x 4 actions x 4 successors take about a second and a few hundred MB.

    Parameters
    ----------
    n_states, n_actions : int
        Sizes of the MDP.
    branching : int
        Number of successors of every (state, action), ``1 <= branching <= n_states``.
    n_features : int, optional
        When given, ``features`` are i.i.d. N(0, 1) of shape ``(n_states, n_features)``.
    horizon, discount : optional
        Stored as the MDP's defaults.
    rng : Generator, int or None
        Source of randomness; the successors are drawn first, then the probabilities, then the
        features.

    Returns
    -------
    MDP
        Transitions with exactly ``branching`` stored entries per row, all positive.

    Raises
    ------
    ValueLearnInputError
        If a size is not a positive integer or ``branching > n_states``.

    References
    ----------
    Bentley & Floyd (1987), "Programming pearls: a sample of brilliance", CACM 30(9) (algorithm F2).
    Sutton & Barto (2018), section 8.6 (random MDPs with branching factor ``b``).

    Examples
    --------
    >>> mdp = random_mdp(5, 2, branching=3, n_features=2, rng=0)
    >>> mdp.transitions.nnz, mdp.features.shape
    (30, (5, 2))
    >>> bool(abs(mdp.transitions.sum(axis=1) - 1.0).max() < 1e-12)
    True
    """
    n_states = _positive_int(n_states, "n_states")
    n_actions = _positive_int(n_actions, "n_actions")
    branching = _positive_int(branching, "branching")
    if branching > n_states:
        raise ValueLearnInputError(
            f"`branching` must be at most n_states = {n_states}; got {branching}."
        )
    if n_features is not None:
        n_features = _positive_int(n_features, "n_features")
    generator = as_generator(rng)
    n_rows = n_states * n_actions
    index_type = np.int32 if n_states <= np.iinfo(np.int32).max else np.int64
    successors = _distinct_successors(n_rows, n_states, branching, generator, index_type)
    weights = generator.standard_exponential((n_rows, branching))
    np.maximum(weights, np.finfo(np.float64).tiny, out=weights)  # keep every probability > 0
    weights /= weights.sum(axis=1, keepdims=True)
    nnz = n_rows * branching
    pointer_type = np.int32 if nnz <= np.iinfo(np.int32).max else np.int64
    matrix = sp.csr_array(
        (
            weights.ravel(),
            successors.ravel(),
            np.arange(0, nnz + 1, branching, dtype=pointer_type),
        ),
        shape=(n_rows, n_states),
    )
    matrix.has_sorted_indices = True  # rows are sorted by construction
    features = None if n_features is None else generator.standard_normal((n_states, n_features))
    return MDP(
        transitions=matrix,
        n_actions=n_actions,
        initial=np.full(n_states, 1.0 / n_states),
        features=features,
        horizon=horizon,
        discount=discount,
    )


def _distinct_successors(
    n_rows: int,
    n_states: int,
    branching: int,
    generator: np.random.Generator,
    index_type: type[np.signedinteger],
) -> np.ndarray:
    """Return ``(n_rows, branching)`` sorted rows, each a uniform random subset of the states.

    Floyd's algorithm: for ``j = n - k, ..., n - 1`` draw ``t`` uniform in ``[0, j]`` and add ``t``,
    or ``j`` when ``t`` was already chosen; every k-subset comes out with probability 1 / C(n, k).
    """
    chosen = np.empty((n_rows, branching), dtype=index_type)
    for column, top in enumerate(range(n_states - branching, n_states)):
        draw = generator.integers(0, top + 1, size=n_rows, dtype=index_type)
        if column:
            taken = (chosen[:, :column] == draw[:, None]).any(axis=1)
            draw[taken] = top
        chosen[:, column] = draw
    chosen.sort(axis=1)
    return chosen
