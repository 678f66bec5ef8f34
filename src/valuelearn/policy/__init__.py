"""Planning and acting: value iteration, soft value iteration, occupancy, rollouts.

The finite-horizon time convention is written once, in :mod:`valuelearn.policy._planning`.
"""

from valuelearn.policy._occupancy import (
    Occupancy,
    expected_return,
    occupancy,
    policy_evaluation,
)
from valuelearn.policy._planning import PlanningResult, soft_value_iteration, value_iteration
from valuelearn.policy._rewards import expected_reward
from valuelearn.policy._sampling import sample_trajectories

__all__ = [
    "Occupancy",
    "PlanningResult",
    "expected_return",
    "expected_reward",
    "occupancy",
    "policy_evaluation",
    "sample_trajectories",
    "soft_value_iteration",
    "value_iteration",
]
