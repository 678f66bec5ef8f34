"""Models of how a person's values become observations: each simulates data and scores it."""

from valuelearn.humans._base import HumanModel, trajectory_log_likelihood
from valuelearn.humans._beliefs import (
    FalseBeliefs,
    calibrated,
    with_transitions,
    without_transition,
)
from valuelearn.humans._context import SocialNorms
from valuelearn.humans._drift import DriftingValues
from valuelearn.humans._hyperbolic import (
    HyperbolicDiscounting,
    HyperbolicPlan,
    hyperbolic_value_iteration,
)
from valuelearn.humans._manipulation import Manipulated, event_augmented_mdp
from valuelearn.humans._myopic import Myopic, receding_horizon_policy
from valuelearn.humans._observation import TruncatedObservation, observation_windows
from valuelearn.humans._population import Population
from valuelearn.humans._rational import BoltzmannRational, SoftOptimal, boltzmann_policy
from valuelearn.humans._risk import RiskSensitive, risk_sensitive_value_iteration
from valuelearn.humans._temptation import Temptation, tempted_reward

__all__ = [
    "BoltzmannRational",
    "DriftingValues",
    "FalseBeliefs",
    "HumanModel",
    "HyperbolicDiscounting",
    "HyperbolicPlan",
    "Manipulated",
    "Myopic",
    "Population",
    "RiskSensitive",
    "SocialNorms",
    "SoftOptimal",
    "Temptation",
    "TruncatedObservation",
    "boltzmann_policy",
    "calibrated",
    "event_augmented_mdp",
    "hyperbolic_value_iteration",
    "observation_windows",
    "receding_horizon_policy",
    "risk_sensitive_value_iteration",
    "tempted_reward",
    "trajectory_log_likelihood",
    "with_transitions",
    "without_transition",
]
