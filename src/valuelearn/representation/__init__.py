"""What is learned: tabular and linear-feature rewards, text value models, kernel value functions
and similarity kernels, and their files."""

from valuelearn.policy._kernel_regression import (
    SVRSolution,
    gp_posterior_update,
    svr_fit_precomputed,
)
from valuelearn.representation._association import (
    AttackCurve,
    StreamOutcome,
    associate,
    attack_curve,
    attack_sentences,
    cosine_drift,
    learn_stream,
    random_sentences,
)
from valuelearn.representation._bleeding import (
    Bleeding,
    bleeding_curve,
    ridge_bleeding_kernel,
    valence_bleeding,
)
from valuelearn.representation._io import REWARD_FORMAT, load_reward, save_reward
from valuelearn.representation._reward import Reward, RewardKind
from valuelearn.representation._similarity import (
    aligned_kernels,
    rbf_similarity,
    similarity_spearman,
)
from valuelearn.representation._text_values import TextValueModel, embed_texts
from valuelearn.representation._text_values_io import (
    TEXT_VALUES_FORMAT,
    load_text_value_model,
    save_text_value_model,
)

__all__ = [
    "REWARD_FORMAT",
    "TEXT_VALUES_FORMAT",
    "AttackCurve",
    "Bleeding",
    "Reward",
    "RewardKind",
    "SVRSolution",
    "StreamOutcome",
    "TextValueModel",
    "aligned_kernels",
    "associate",
    "attack_curve",
    "attack_sentences",
    "bleeding_curve",
    "cosine_drift",
    "embed_texts",
    "gp_posterior_update",
    "learn_stream",
    "load_reward",
    "load_text_value_model",
    "random_sentences",
    "rbf_similarity",
    "ridge_bleeding_kernel",
    "save_reward",
    "save_text_value_model",
    "similarity_spearman",
    "svr_fit_precomputed",
    "valence_bleeding",
]
