"""Evaluation against the truth: reward distances (EPIC), the regret of learned rewards, and
posterior bounds on a policy's regret (alpha-VaR) with the policy that minimises them."""

from valuelearn.evaluation._bounds import (
    RegretBound,
    RobustPolicy,
    regret_value_at_risk,
    robust_policy,
)
from valuelearn.evaluation._epic import canonicalize, epic_distance
from valuelearn.evaluation._pearson import pearson_distance
from valuelearn.evaluation._regret import RegretResult, regret

__all__ = [
    "RegretBound",
    "RegretResult",
    "RobustPolicy",
    "canonicalize",
    "epic_distance",
    "pearson_distance",
    "regret",
    "regret_value_at_risk",
    "robust_policy",
]
