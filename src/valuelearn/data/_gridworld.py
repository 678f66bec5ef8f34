"""Gridworlds: MDPs built from ASCII maps and random feature grids.

Every gridworld state is named ``"r{row}c{col}:{cell}"`` (or ``"r{row}c{col}"``); the names are the
single record of where a state lies on the grid (see :mod:`valuelearn.data._grid_layout`).
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data._mdp import MDP, _positive_int
from valuelearn.exceptions import ValueLearnInputError

#: Action names, in action-index order.
GRID_ACTIONS = ("up", "down", "left", "right")
#: ``(row, column)`` displacement of each action.
_MOVES = np.array([[-1, 0], [1, 0], [0, -1], [0, 1]], dtype=np.int64)
_TYPE_CHARS = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def gridworld(
    ascii_map: str | Sequence[str],
    *,
    cell_features: Mapping[str, Sequence[float]] | None = None,
    feature_names: Sequence[str] | None = None,
    slip: float = 0.0,
    start: str = "S",
    absorbing: str = "",
    walls: str = "#",
    horizon: int | None = None,
    discount: float | None = None,
) -> MDP:
    """Build a gridworld MDP from an ASCII map.

    Every non-wall character of the map is a state, numbered row by row. The four actions are
    ``up, down, left, right`` (see :data:`GRID_ACTIONS`). Slip model: with probability
    ``1 - slip`` the agent moves in the intended direction; with probability ``slip`` it moves in
    a direction drawn uniformly from all four (so the intended direction has total probability
    ``1 - 3 * slip / 4`` and each other direction ``slip / 4``), the random-move noise of the
    objectworld of Levine et al. (2011). A move into a wall or off the map leaves the agent where
    it is. In an absorbing cell every action stays put with probability 1.

    Parameters
    ----------
    ascii_map : str or sequence of str
        One string per row, or one multi-line string (common indentation and blank first and last
        lines are removed). Rows are stripped of surrounding whitespace and must then have equal
        lengths; whitespace inside a row is not allowed.
    cell_features : mapping from str to sequence of float, optional
        The feature vector of each cell character; every non-wall character of the map needs one
        and all vectors need the same length. Default: one-hot over the distinct non-wall
        characters in sorted order (``feature_names`` are then the characters themselves).
    feature_names : sequence of str, optional
        Names of the features given by ``cell_features``.
    slip : float
        Probability in ``[0, 1]`` that the move direction is replaced by a uniformly random one.
    start : str
        Characters of the start cells; the initial distribution is uniform over them, or uniform
        over all cells when the map has none.
    absorbing : str
        Characters of absorbing cells (goals, lava): every action self-loops there.
    walls : str
        Characters that are not states.
    horizon, discount : optional
        Stored as the MDP's defaults.

    Returns
    -------
    MDP
        ``n_states`` = number of non-wall cells, ``n_actions`` = 4, ``features`` of shape
        ``(n_states, n_features)``, ``state_names`` like ``"r2c3:G"``.

    Raises
    ------
    ValueLearnInputError
        If the map is empty, ragged, has no free cell or contains whitespace, if ``slip`` is not
        in ``[0, 1]``, or if ``cell_features`` misses a character or has unequal lengths.

    References
    ----------
    Levine, Popović & Koltun (2011), "Nonlinear Inverse Reinforcement Learning with Gaussian
    Processes", section 6 (gridworld with random moves).

    Examples
    --------
    >>> mdp = gridworld(["S.#", "..G"], absorbing="G", slip=0.2)
    >>> mdp.n_states, mdp.n_actions, mdp.feature_names
    (5, 4, ('.', 'G', 'S'))
    >>> mdp.dense_transitions()[0, 3].round(3).tolist()  # right from S: 0.8 + 0.2 / 4 to r0c1
    [0.1, 0.85, 0.05, 0.0, 0.0]
    >>> from valuelearn.data import grid_layout
    >>> grid_layout(mdp, mdp.features[:, 1])  # where the goal is
    array([[ 0.,  0., nan],
           [ 0.,  0.,  1.]])
    """
    rows = _parse_map(ascii_map)
    chars = np.array([list(row) for row in rows])
    free = ~np.isin(chars, list(walls))
    if not free.any():
        raise ValueLearnInputError("`ascii_map` has no free cell; every character is a wall.")
    labels = sorted(set(chars[free].tolist()))
    codes = np.full(chars.shape, -1, dtype=np.int64)
    for code, label in enumerate(labels):
        codes[chars == label] = code
    codes[~free] = -1
    type_features, names = _type_features(labels, cell_features, feature_names)
    return _grid_mdp(
        codes,
        labels=labels,
        type_features=type_features,
        feature_names=names,
        slip=slip,
        start_types=[code for code, label in enumerate(labels) if label in start],
        absorbing_types=[code for code, label in enumerate(labels) if label in absorbing],
        horizon=horizon,
        discount=discount,
    )


def feature_gridworld(
    size: int = 10,
    *,
    n_features: int = 4,
    kind: Literal["one_hot", "gaussian"] = "one_hot",
    slip: float = 0.0,
    horizon: int | None = None,
    discount: float | None = None,
    rng: RandomLike = None,
) -> MDP:
    """Build a ``size x size`` open gridworld with random cell features, for reward recovery.

    ``kind="one_hot"``: each cell gets one of ``n_features`` types and its feature vector is the
    one-hot encoding of the type, so a linear reward ``features @ weights`` gives every cell of
    type ``k`` the reward ``weights[k]``. The types are a random permutation of
    ``0, 1, ..., n_features - 1`` followed by uniform draws, so every type occurs at least once.
    The one-hot rows sum to 1, so adding a constant to every weight adds a constant reward:
    compare recovered weights up to that shift (or with a shift-invariant distance).
    ``kind="gaussian"``: every cell's features are i.i.d. N(0, 1); no constant direction, so the
    weights themselves are identifiable from enough behaviour.

    There are no walls and no absorbing cells; the initial distribution is uniform over all
    cells. Dynamics follow :func:`gridworld` (same actions and slip model).

    Parameters
    ----------
    size : int
        Side of the square grid.
    n_features : int
        Number of features; for ``"one_hot"`` at most ``min(62, size**2)`` (the type is shown as
        one of ``0-9a-zA-Z`` in state names like ``"r2c3:1"``).
    kind : {"one_hot", "gaussian"}
    slip : float
        See :func:`gridworld`.
    horizon, discount : optional
        Stored as the MDP's defaults.
    rng : Generator, int or None
        Source of the cell types or feature values.

    Returns
    -------
    MDP
        ``size**2`` states, 4 actions, ``features`` of shape ``(size**2, n_features)`` named
        ``"f0", "f1", ...``.

    Raises
    ------
    ValueLearnInputError
        If ``size`` or ``n_features`` is not a positive integer, ``kind`` is unknown, or a one-hot
        grid has more types than ``min(62, size**2)``.

    Examples
    --------
    >>> mdp = feature_gridworld(10, n_features=4, rng=0)
    >>> mdp.features.shape, mdp.features.sum(axis=0).min() >= 1
    ((100, 4), np.True_)
    """
    size = _positive_int(size, "size")
    n_features = _positive_int(n_features, "n_features")
    n_cells = size * size
    generator = as_generator(rng)
    names = tuple(f"f{k}" for k in range(n_features))
    if kind == "gaussian":
        return _grid_mdp(
            np.arange(n_cells).reshape(size, size),
            labels=None,
            type_features=generator.standard_normal((n_cells, n_features)),
            feature_names=names,
            slip=slip,
            start_types=(),
            absorbing_types=(),
            horizon=horizon,
            discount=discount,
        )
    if kind != "one_hot":
        raise ValueLearnInputError(f"`kind` must be 'one_hot' or 'gaussian'; got {kind!r} instead.")
    if n_features > min(len(_TYPE_CHARS), n_cells):
        raise ValueLearnInputError(
            f"`n_features` must be at most min(62, size**2) = {min(62, n_cells)} for one-hot "
            f"cell types; got {n_features}."
        )
    types = np.concatenate(
        [np.arange(n_features), generator.integers(n_features, size=n_cells - n_features)]
    )
    return _grid_mdp(
        generator.permutation(types).reshape(size, size),
        labels=list(_TYPE_CHARS[:n_features]),
        type_features=np.eye(n_features),
        feature_names=names,
        slip=slip,
        start_types=(),
        absorbing_types=(),
        horizon=horizon,
        discount=discount,
    )


# ---------------------------------------------------------------------- construction
def _grid_mdp(
    codes: NDArray[np.int64],
    *,
    labels: Sequence[str] | None,
    type_features: NDArray[np.float64],
    feature_names: tuple[str, ...] | None,
    slip: float,
    start_types: Sequence[int],
    absorbing_types: Sequence[int],
    horizon: int | None,
    discount: float | None,
) -> MDP:
    """Build the MDP of a grid of cell-type codes (``-1`` marks a wall).

    ``type_features[k]`` is the feature vector of type ``k``; ``labels[k]`` (if given) is appended
    to the state names.
    """
    slip = _probability(slip, "slip")
    n_rows, n_cols = codes.shape
    cell_rows, cell_cols = np.nonzero(codes >= 0)
    cell_types = codes[cell_rows, cell_cols]
    n_states = cell_rows.size
    state_of = np.full((n_rows + 2, n_cols + 2), -1, dtype=np.int64)  # padded: border = wall
    state_of[cell_rows + 1, cell_cols + 1] = np.arange(n_states)
    # target[s, d]: the state reached by moving in direction d from state s.
    target = state_of[cell_rows[:, None] + 1 + _MOVES[:, 0], cell_cols[:, None] + 1 + _MOVES[:, 1]]
    target = np.where(target < 0, np.arange(n_states)[:, None], target)
    absorbing = np.isin(cell_types, absorbing_types)
    target[absorbing] = np.arange(n_states)[absorbing, None]
    n_actions = len(GRID_ACTIONS)
    # move[s, a, d]: probability that intending a in state s moves in direction d.
    move = np.empty((n_states, n_actions, n_actions))
    move[:] = (1.0 - slip) * np.eye(n_actions) + slip / n_actions
    move[absorbing] = np.eye(n_actions)  # all targets are the state itself: exactly 1
    matrix = sp.coo_array(
        (
            move.ravel(),
            (
                np.repeat(np.arange(n_states * n_actions), n_actions),
                np.broadcast_to(target[:, None, :], (n_states, n_actions, n_actions)).ravel(),
            ),
        ),
        shape=(n_states * n_actions, n_states),
    ).tocsr()
    matrix.sum_duplicates()
    matrix.eliminate_zeros()
    starts = np.isin(cell_types, start_types)
    initial = starts / starts.sum() if starts.any() else np.full(n_states, 1.0 / n_states)
    return MDP(
        transitions=matrix,
        n_actions=n_actions,
        initial=initial,
        features=type_features[cell_types],
        feature_names=feature_names,
        horizon=horizon,
        discount=discount,
        state_names=tuple(
            f"r{r}c{c}" if labels is None else f"r{r}c{c}:{labels[t]}"
            for r, c, t in zip(
                cell_rows.tolist(), cell_cols.tolist(), cell_types.tolist(), strict=True
            )
        ),
        action_names=GRID_ACTIONS,
    )


def _parse_map(ascii_map: str | Sequence[str]) -> list[str]:
    if isinstance(ascii_map, str):
        lines = textwrap.dedent(ascii_map).strip("\n").splitlines()
    elif isinstance(ascii_map, Sequence) and all(isinstance(row, str) for row in ascii_map):
        lines = list(ascii_map)
    else:
        raise ValueLearnInputError(
            "`ascii_map` must be a string or a sequence of strings; got "
            f"{type(ascii_map).__name__}."
        )
    rows = [line.strip() for line in lines]
    if not rows or not any(rows):
        raise ValueLearnInputError("`ascii_map` is empty; it needs at least one row of cells.")
    for index, row in enumerate(rows):
        if len(row) != len(rows[0]):
            raise ValueLearnInputError(
                f"`ascii_map` row {index} has {len(row)} cells; every row must have "
                f"{len(rows[0])} like row 0."
            )
        if any(char.isspace() for char in row):
            raise ValueLearnInputError(
                f"`ascii_map` row {index} ({row!r}) contains whitespace; use a character such as "
                "'.' for empty cells."
            )
    return rows


def _type_features(
    labels: Sequence[str],
    cell_features: Mapping[str, Sequence[float]] | None,
    feature_names: Sequence[str] | None,
) -> tuple[NDArray[np.float64], tuple[str, ...] | None]:
    if cell_features is None:
        if feature_names is not None:
            raise ValueLearnInputError(
                "`feature_names` needs `cell_features`; the default one-hot features are named "
                "after the cell characters."
            )
        return np.eye(len(labels)), tuple(labels)
    missing = [label for label in labels if label not in cell_features]
    if missing:
        raise ValueLearnInputError(
            f"`cell_features` has no feature vector for the map characters {missing}; every "
            "non-wall character needs one."
        )
    vectors = [
        np.atleast_1d(np.asarray(cell_features[label], dtype=np.float64)) for label in labels
    ]
    lengths = {vector.shape for vector in vectors}
    if len(lengths) != 1 or vectors[0].ndim != 1:
        raise ValueLearnInputError(
            "`cell_features` vectors must be flat and of equal length; got shapes "
            f"{ {label: vector.shape for label, vector in zip(labels, vectors, strict=True)} }."
        )
    names = None if feature_names is None else tuple(feature_names)
    return np.stack(vectors), names


def _probability(value: object, name: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating | np.integer):
        raise ValueLearnInputError(f"`{name}` must be a probability in [0, 1]; got {value!r}.")
    result = float(value)
    if not 0.0 <= result <= 1.0:
        raise ValueLearnInputError(f"`{name}` must be a probability in [0, 1]; got {result:g}.")
    return result
