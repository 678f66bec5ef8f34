"""Value inference: learning rewards from observations under a model of the human."""

from valuelearn.inference._aware import (
    ModelAwareIRL,
    grid_points,
    grid_posterior,
    human_objective,
    soft_log_likelihood_gradient,
    soft_planning_world,
)
from valuelearn.inference._birl import BayesianIRL
from valuelearn.inference._birl_model import action_counts
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
from valuelearn.inference._mcmc import effective_sample_size
from valuelearn.inference._population import HierarchicalMCEIRL, population_map_objective
from valuelearn.inference._posterior import (
    PredictiveCheck,
    RewardPosterior,
    load_posterior,
)
from valuelearn.inference._priors import GaussianPrior, LaplacePrior, Prior, UniformPrior

__all__ = [
    "MCEIRL",
    "SKALSE_TABLE",
    "BayesianIRL",
    "ContextualMCEIRL",
    "GaussianPrior",
    "HierarchicalMCEIRL",
    "IdentifiabilityReport",
    "IdentifiabilityWarning",
    "InvarianceReport",
    "InvarianceRow",
    "LaplacePrior",
    "MCEProblem",
    "ModelAwareIRL",
    "NegatedPlanner",
    "PredictiveCheck",
    "Prior",
    "RewardPosterior",
    "TheoryRow",
    "TimeWeightedMCEIRL",
    "UniformPrior",
    "action_counts",
    "causal_log_likelihood",
    "effective_sample_size",
    "equivalent_explanations",
    "grid_points",
    "grid_posterior",
    "human_objective",
    "invariance_report",
    "load_posterior",
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
