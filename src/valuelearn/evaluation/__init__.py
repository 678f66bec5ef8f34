"""Evaluation against the truth: reward distances (EPIC) and the regret of learned rewards."""

from valuelearn.evaluation._epic import canonicalize, epic_distance
from valuelearn.evaluation._pearson import pearson_distance
from valuelearn.evaluation._regret import RegretResult, regret

__all__ = [
    "RegretResult",
    "canonicalize",
    "epic_distance",
    "pearson_distance",
    "regret",
]
