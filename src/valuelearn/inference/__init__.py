"""Value inference: learning rewards from observations under a model of the human."""

from valuelearn.data import action_counts
from valuelearn.inference._active import (
    ActiveLearningCurve,
    action_entropy,
    active_learning_curve,
    choose_questions,
)
from valuelearn.inference._aware import (
    ModelAwareIRL,
    grid_points,
    grid_posterior,
    human_objective,
    soft_log_likelihood_gradient,
    soft_planning_world,
)
from valuelearn.inference._birl import BayesianIRL
from valuelearn.inference._context import ContextualMCEIRL, TimeWeightedMCEIRL, recency_weights
from valuelearn.inference._hierarchical_ratings import HierarchicalOrdinalRegression
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
from valuelearn.inference._preference_active import ActivePreferenceCurve, active_preference_curve
from valuelearn.inference._preference_ensemble import BootstrapEnsemble
from valuelearn.inference._preference_laplace import PreferenceLaplace
from valuelearn.inference._preference_mcmc import PreferenceMCMC
from valuelearn.inference._preference_models import (
    LogLikelihood,
    PairwiseModel,
    bradley_terry,
    pairwise_log_likelihood,
    thurstone,
    weak_comparison,
)
from valuelearn.inference._preference_problem import PreferenceProblem
from valuelearn.inference._preference_queries import (
    answer_probabilities,
    choose_query,
    disagreement,
    mutual_information,
    random_query,
    thompson,
    volume_removal,
)
from valuelearn.inference._preferences import PreferenceMAP
from valuelearn.inference._priors import GaussianPrior, LaplacePrior, Prior, UniformPrior
from valuelearn.inference._ranking_models import (
    ordinal_log_likelihood,
    ordinal_probabilities,
    plackett_luce_log_likelihood,
)
from valuelearn.inference._rating_pooling import PoolingResult, compare_pooling, split_ratings

__all__ = [
    "MCEIRL",
    "SKALSE_TABLE",
    "ActiveLearningCurve",
    "ActivePreferenceCurve",
    "BayesianIRL",
    "BootstrapEnsemble",
    "ContextualMCEIRL",
    "GaussianPrior",
    "HierarchicalMCEIRL",
    "HierarchicalOrdinalRegression",
    "IdentifiabilityReport",
    "IdentifiabilityWarning",
    "InvarianceReport",
    "InvarianceRow",
    "LaplacePrior",
    "LogLikelihood",
    "MCEProblem",
    "ModelAwareIRL",
    "NegatedPlanner",
    "PairwiseModel",
    "PoolingResult",
    "PredictiveCheck",
    "PreferenceLaplace",
    "PreferenceMAP",
    "PreferenceMCMC",
    "PreferenceProblem",
    "Prior",
    "RewardPosterior",
    "TheoryRow",
    "TimeWeightedMCEIRL",
    "UniformPrior",
    "action_counts",
    "action_entropy",
    "active_learning_curve",
    "active_preference_curve",
    "answer_probabilities",
    "bradley_terry",
    "causal_log_likelihood",
    "choose_query",
    "choose_questions",
    "compare_pooling",
    "disagreement",
    "effective_sample_size",
    "equivalent_explanations",
    "grid_points",
    "grid_posterior",
    "human_objective",
    "invariance_report",
    "load_posterior",
    "mce_objective",
    "mutual_information",
    "negated_planner",
    "ordinal_log_likelihood",
    "ordinal_probabilities",
    "pairwise_log_likelihood",
    "pearson_reward_distance",
    "plackett_luce_log_likelihood",
    "population_map_objective",
    "potential_shaping",
    "random_query",
    "recency_weights",
    "s_prime_redistribution",
    "soft_log_likelihood_gradient",
    "soft_planning_world",
    "split_ratings",
    "thompson",
    "thurstone",
    "volume_removal",
    "weak_comparison",
]
