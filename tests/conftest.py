"""Worlds shared by tests in several packages."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
from numpy.typing import NDArray

from valuelearn.data import MDP

BirlWorld = Callable[[str], tuple[MDP, NDArray[np.float64]]]


def _birl_world(terminal: str) -> tuple[MDP, NDArray[np.float64]]:
    """The 3x3 grid of dsbrown1331/birl_homework; returns (mdp, features).

    Deterministic up/down/left/right moves (off-grid stays put); state 0 is terminal. With
    ``terminal="sink"`` it moves to an extra zero-reward absorbing state (its reward is earned once,
    as in that code); with ``"absorbing"`` state 0 loops on itself and earns its reward forever.
    Features are one-hot colours (b, w, r); states are coloured [b, r, w / w, r, w / w, w, w].
    """
    n = 9
    T = np.zeros((n + 1, 4, n + 1))
    for s in range(n):
        r, c = divmod(s, 3)
        for a, (dr, dc) in enumerate([(-1, 0), (1, 0), (0, -1), (0, 1)]):
            rr, cc = r + dr, c + dc
            T[s, a, rr * 3 + cc if 0 <= rr < 3 and 0 <= cc < 3 else s] = 1.0
    T[n, :, n] = 1.0  # the sink
    T[0] = 0.0
    T[0, :, n if terminal == "sink" else 0] = 1.0
    b, w, red = [1, 0, 0], [0, 1, 0], [0, 0, 1]
    features = np.array([b, red, w, w, red, w, w, w, w, [0, 0, 0]], dtype=float)
    return MDP.from_dense(T), features


@pytest.fixture(scope="session")
def birl_world() -> BirlWorld:
    """Factory for the Bayesian IRL anchor world (see :func:`_birl_world`)."""
    return _birl_world
