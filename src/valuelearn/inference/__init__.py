"""Value inference: learning rewards from observations under a model of the human."""

from valuelearn.inference._mce import MCEIRL, MCEProblem, causal_log_likelihood, mce_objective

__all__ = ["MCEIRL", "MCEProblem", "causal_log_likelihood", "mce_objective"]
