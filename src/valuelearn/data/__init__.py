"""Observations and worlds: MDPs, demonstrations, builders, adapters and file formats."""

from valuelearn.data._mdp import MDP, check_discount
from valuelearn.data._trajectories import Demonstrations, Trajectory

__all__ = ["MDP", "Demonstrations", "Trajectory", "check_discount"]
