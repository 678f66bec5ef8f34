"""What is learned: tabular and linear-feature rewards, and their file format."""

from valuelearn.representation._io import REWARD_FORMAT, load_reward, save_reward
from valuelearn.representation._reward import Reward, RewardKind

__all__ = ["REWARD_FORMAT", "Reward", "RewardKind", "load_reward", "save_reward"]
