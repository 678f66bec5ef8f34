"""The 2-D layout of a gridworld, read back from its state names.

Gridworld states are named ``"r{row}c{col}"`` or ``"r{row}c{col}:{cell}"`` (see
:func:`valuelearn.data.gridworld`). The names are the single record of where a state lies, so these
functions also work on a gridworld that was saved to a file and loaded back.
"""

from __future__ import annotations

import re

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data._mdp import MDP
from valuelearn.exceptions import ValueLearnInputError

_STATE_NAME = re.compile(r"r(\d+)c(\d+)(?::.*)?", re.DOTALL)


def grid_coordinates(mdp: MDP) -> NDArray[np.int64]:
    """Return the ``(row, column)`` of every state of a gridworld, read from its state names.

    Parameters
    ----------
    mdp : MDP
        An MDP whose ``state_names`` have the form ``"r{row}c{col}"`` or ``"r{row}c{col}:..."``,
        as built by :func:`gridworld` and :func:`feature_gridworld`.

    Returns
    -------
    array of int, shape (n_states, 2)

    Raises
    ------
    ValueLearnInputError
        If the MDP has no state names or one of them is not of that form.

    Examples
    --------
    >>> from valuelearn.data import gridworld
    >>> grid_coordinates(gridworld(["S#", ".G"])).tolist()
    [[0, 0], [1, 0], [1, 1]]
    """
    if mdp.state_names is None:
        raise ValueLearnInputError(
            "`mdp` has no state_names; grid coordinates are read from names like 'r2c3:G'."
        )
    coordinates = np.empty((mdp.n_states, 2), dtype=np.int64)
    for state, name in enumerate(mdp.state_names):
        match = _STATE_NAME.fullmatch(name)
        if match is None:
            raise ValueLearnInputError(
                f"`mdp.state_names[{state}]` must look like 'r2c3' or 'r2c3:G'; got {name!r}."
            )
        coordinates[state] = int(match.group(1)), int(match.group(2))
    return coordinates


def grid_layout(
    mdp: MDP, values: ArrayLike, *, shape: tuple[int, int] | None = None
) -> NDArray[np.float64]:
    """Lay per-state values (rewards, values, visit counts) out on the grid, NaN off the states.

    Parameters
    ----------
    mdp : MDP
        A gridworld (see :func:`grid_coordinates`).
    values : array, shape (n_states,)
    shape : (int, int), optional
        Grid shape; default: just large enough for every state (a trailing row or column made
        only of walls is then cut off).

    Returns
    -------
    array, shape (n_rows, n_cols)
        ``values[s]`` at the cell of state ``s``; NaN at walls.

    Raises
    ------
    ValueLearnInputError
        If ``values`` does not have one entry per state or a state lies outside ``shape``.

    Examples
    --------
    >>> from valuelearn.data import gridworld
    >>> grid_layout(gridworld(["S#", ".G"]), [1.0, 2.0, 3.0])
    array([[ 1., nan],
           [ 2.,  3.]])
    """
    coordinates = grid_coordinates(mdp)
    array = np.asarray(values, dtype=np.float64)
    if array.shape != (mdp.n_states,):
        raise ValueLearnInputError(
            f"`values` must have shape (n_states,) = ({mdp.n_states},); got {array.shape}."
        )
    needed = (int(coordinates[:, 0].max()) + 1, int(coordinates[:, 1].max()) + 1)
    if shape is None:
        shape = needed
    if len(shape) != 2 or shape[0] < needed[0] or shape[1] < needed[1]:
        raise ValueLearnInputError(
            f"`shape` must be (n_rows, n_cols) with at least {needed}; got {shape}."
        )
    grid = np.full(shape, np.nan)
    grid[coordinates[:, 0], coordinates[:, 1]] = array
    return grid
