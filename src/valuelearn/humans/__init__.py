"""Models of how a person's values become observations: each simulates data and scores it."""

from valuelearn.humans._base import HumanModel, trajectory_log_likelihood

__all__ = ["HumanModel", "trajectory_log_likelihood"]
