"""Value inference: learning rewards from observations under a model of the human."""

from valuelearn.inference._aware import (
    ModelAwareIRL,
    grid_points,
    grid_posterior,
    human_objective,
    soft_log_likelihood_gradient,
    soft_planning_world,
)
from valuelearn.inference._context import ContextualMCEIRL, TimeWeightedMCEIRL, recency_weights
from valuelearn.inference._identifiability import (
    IdentifiabilityReport,
    IdentifiabilityWarning,
    NegatedPlanner,
    equivalent_explanations,
    negated_planner,
    pearson_reward_distance,
)
from valuelearn.inference._mce import MCEIRL, MCEProblem, causal_log_likelihood, mce_objective
from valuelearn.inference._population import HierarchicalMCEIRL, population_map_objective

__all__ = [
    "MCEIRL",
    "ContextualMCEIRL",
    "HierarchicalMCEIRL",
    "IdentifiabilityReport",
    "IdentifiabilityWarning",
    "MCEProblem",
    "ModelAwareIRL",
    "NegatedPlanner",
    "TimeWeightedMCEIRL",
    "causal_log_likelihood",
    "equivalent_explanations",
    "grid_points",
    "grid_posterior",
    "human_objective",
    "mce_objective",
    "negated_planner",
    "pearson_reward_distance",
    "population_map_objective",
    "recency_weights",
    "soft_log_likelihood_gradient",
    "soft_planning_world",
]
