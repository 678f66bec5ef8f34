"""Evaluation against the truth: reward distances (EPIC), the regret of learned rewards, and
posterior bounds on a policy's regret (alpha-VaR) with the policy that minimises them, and the
pixel debate (a sparse judge alone and with debaters)."""

from valuelearn.evaluation._alignment import ALIGNMENT_VARIANTS, representational_alignment
from valuelearn.evaluation._alignment_experiment import (
    DEFAULT_LEVELS,
    SWEEP_AGENTS,
    alignment_correlations,
    alignment_sweep,
    synthetic_people,
)
from valuelearn.evaluation._alignment_human import (
    human_alignment_experiment,
    human_correlations,
    human_pools,
    length_control,
)
from valuelearn.evaluation._alignment_plot import plot_alignment_sweep
from valuelearn.evaluation._bounds import (
    RegretBound,
    RobustPolicy,
    regret_value_at_risk,
    robust_policy,
)
from valuelearn.evaluation._debate import DebateAccuracy, DebateResult, debate, debate_accuracy
from valuelearn.evaluation._debate_judge import (
    SparseJudge,
    digits,
    judge_accuracy,
    random_reveals,
    trained_judge,
)
from valuelearn.evaluation._epic import canonicalize, epic_distance
from valuelearn.evaluation._exploration import (
    EXPLORATION_METRICS,
    GENERALISATION_METRICS,
    exploration_metrics,
    generalisation_metrics,
)
from valuelearn.evaluation._hacking import (
    Hackability,
    OptimizationCurve,
    hackability,
    temperature_curve,
)
from valuelearn.evaluation._overoptimization import (
    BestOfNCurve,
    GaoFit,
    best_of_n_kl,
    best_of_n_outcomes,
    fit_gao,
    gao_best_of_n,
    gao_rl,
)
from valuelearn.evaluation._pearson import pearson_distance
from valuelearn.evaluation._phrase_search import PhraseSearch, greedy_phrase_search
from valuelearn.evaluation._regret import RegretResult, regret

__all__ = [
    "ALIGNMENT_VARIANTS",
    "DEFAULT_LEVELS",
    "EXPLORATION_METRICS",
    "GENERALISATION_METRICS",
    "SWEEP_AGENTS",
    "BestOfNCurve",
    "DebateAccuracy",
    "DebateResult",
    "GaoFit",
    "Hackability",
    "OptimizationCurve",
    "PhraseSearch",
    "RegretBound",
    "RegretResult",
    "RobustPolicy",
    "SparseJudge",
    "alignment_correlations",
    "alignment_sweep",
    "best_of_n_kl",
    "best_of_n_outcomes",
    "canonicalize",
    "debate",
    "debate_accuracy",
    "digits",
    "epic_distance",
    "exploration_metrics",
    "fit_gao",
    "gao_best_of_n",
    "gao_rl",
    "generalisation_metrics",
    "greedy_phrase_search",
    "hackability",
    "human_alignment_experiment",
    "human_correlations",
    "human_pools",
    "judge_accuracy",
    "length_control",
    "pearson_distance",
    "plot_alignment_sweep",
    "random_reveals",
    "regret",
    "regret_value_at_risk",
    "representational_alignment",
    "robust_policy",
    "synthetic_people",
    "temperature_curve",
    "trained_judge",
]
