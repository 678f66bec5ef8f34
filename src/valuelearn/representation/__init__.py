"""What is learned: tabular and linear-feature rewards, text value models, and their files."""

from valuelearn.representation._io import REWARD_FORMAT, load_reward, save_reward
from valuelearn.representation._reward import Reward, RewardKind
from valuelearn.representation._text_values import TextValueModel, embed_texts
from valuelearn.representation._text_values_io import (
    TEXT_VALUES_FORMAT,
    load_text_value_model,
    save_text_value_model,
)

__all__ = [
    "REWARD_FORMAT",
    "TEXT_VALUES_FORMAT",
    "Reward",
    "RewardKind",
    "TextValueModel",
    "embed_texts",
    "load_reward",
    "load_text_value_model",
    "save_reward",
    "save_text_value_model",
]
