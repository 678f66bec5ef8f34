"""Trajectories and demonstrations: per-state action counts."""

from __future__ import annotations

import numpy as np

from valuelearn.data import Demonstrations, Trajectory, action_counts


def test_action_counts_tally_every_step_of_ragged_demonstrations() -> None:
    demos = Demonstrations([Trajectory([0, 1, 1], [1, 0]), Trajectory([1, 0], [1])])
    assert action_counts(demos, 2, 2).tolist() == [[0.0, 1.0], [1.0, 1.0]]
    assert action_counts(Demonstrations([]), 3, 2).tolist() == np.zeros((3, 2)).tolist()
