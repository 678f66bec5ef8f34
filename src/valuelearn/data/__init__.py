"""Observations and worlds: MDPs, demonstrations, builders, adapters and file formats."""

from valuelearn.data._adapters import from_dense_arrays, from_gymnasium, from_seals
from valuelearn.data._diagnostics import fork_world, reasonable_mdp, risky_path
from valuelearn.data._grid_layout import grid_coordinates, grid_layout
from valuelearn.data._gridworld import GRID_ACTIONS, feature_gridworld, gridworld
from valuelearn.data._io import (
    MDP_FORMAT,
    load_demonstrations,
    load_mdp,
    save_demonstrations,
    save_mdp,
)
from valuelearn.data._items import Items, segment_features
from valuelearn.data._judgments import OUTCOMES, Comparisons, Rankings, Ratings
from valuelearn.data._judgments_io import (
    load_comparisons,
    load_items,
    load_rankings,
    load_ratings,
    save_comparisons,
    save_items,
    save_rankings,
    save_ratings,
)
from valuelearn.data._lexicons import (
    MORAL_FOUNDATIONS,
    WordScores,
    read_afinn,
    read_emfd,
    read_moralstrength,
)
from valuelearn.data._mdp import MDP, check_discount
from valuelearn.data._random_mdp import random_mdp
from valuelearn.data._trajectories import Demonstrations, Trajectory, action_counts
from valuelearn.data._vader import VaderLexicon, read_vader_lexicon, vader_ratings
from valuelearn.data._word_features import char_ngram_features, sentence_embeddings

__all__ = [
    "GRID_ACTIONS",
    "MDP",
    "MDP_FORMAT",
    "MORAL_FOUNDATIONS",
    "OUTCOMES",
    "Comparisons",
    "Demonstrations",
    "Items",
    "Rankings",
    "Ratings",
    "Trajectory",
    "VaderLexicon",
    "WordScores",
    "action_counts",
    "char_ngram_features",
    "check_discount",
    "feature_gridworld",
    "fork_world",
    "from_dense_arrays",
    "from_gymnasium",
    "from_seals",
    "grid_coordinates",
    "grid_layout",
    "gridworld",
    "load_comparisons",
    "load_demonstrations",
    "load_items",
    "load_mdp",
    "load_rankings",
    "load_ratings",
    "random_mdp",
    "read_afinn",
    "read_emfd",
    "read_moralstrength",
    "read_vader_lexicon",
    "reasonable_mdp",
    "risky_path",
    "save_comparisons",
    "save_demonstrations",
    "save_items",
    "save_mdp",
    "save_rankings",
    "save_ratings",
    "segment_features",
    "sentence_embeddings",
    "vader_ratings",
]
