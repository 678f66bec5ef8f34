"""Evaluation against the truth: reward distances (EPIC), the regret of learned rewards, and
posterior bounds on a policy's regret (alpha-VaR) with the policy that minimises them."""

from valuelearn.evaluation._bounds import (
    RegretBound,
    RobustPolicy,
    regret_value_at_risk,
    robust_policy,
)
from valuelearn.evaluation._epic import canonicalize, epic_distance
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
    "BestOfNCurve",
    "GaoFit",
    "PhraseSearch",
    "RegretBound",
    "RegretResult",
    "RobustPolicy",
    "best_of_n_kl",
    "best_of_n_outcomes",
    "canonicalize",
    "epic_distance",
    "fit_gao",
    "gao_best_of_n",
    "gao_rl",
    "greedy_phrase_search",
    "pearson_distance",
    "regret",
    "regret_value_at_risk",
    "robust_policy",
]
