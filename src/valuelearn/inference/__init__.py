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
from valuelearn.inference._invariance_report import (
    SKALSE_TABLE,
    InvarianceReport,
    InvarianceRow,
    TheoryRow,
)
from valuelearn.inference._invariances import (
    invariance_report,
    potential_shaping,
    s_prime_redistribution,
)
from valuelearn.inference._mce import MCEIRL, MCEProblem, causal_log_likelihood, mce_objective
from valuelearn.inference._population import HierarchicalMCEIRL, population_map_objective

__all__ = [
    "MCEIRL",
    "SKALSE_TABLE",
    "ContextualMCEIRL",
    "HierarchicalMCEIRL",
    "IdentifiabilityReport",
    "IdentifiabilityWarning",
    "InvarianceReport",
    "InvarianceRow",
    "MCEProblem",
    "ModelAwareIRL",
    "NegatedPlanner",
    "TheoryRow",
    "TimeWeightedMCEIRL",
    "causal_log_likelihood",
    "equivalent_explanations",
    "grid_points",
    "grid_posterior",
    "human_objective",
    "invariance_report",
    "mce_objective",
    "negated_planner",
    "pearson_reward_distance",
    "population_map_objective",
    "potential_shaping",
    "recency_weights",
    "s_prime_redistribution",
    "soft_log_likelihood_gradient",
    "soft_planning_world",
]
