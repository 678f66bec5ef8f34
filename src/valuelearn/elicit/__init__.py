"""A web page where a person teaches the system their values (``valuelearn elicit``).

The page shows two actions and asks which is better (or "about equal"); each answer is committed
to an SQLite file, the values are refitted (:class:`~valuelearn.inference.PreferenceLaplace` on
the items' features plus a deviation per item) and the next question is the pair whose answer is
expected to tell most about them. A panel shows the learned ranking with its uncertainty.
"""

from valuelearn.elicit._learner import (
    ValueEstimate,
    augmented_items,
    elicitation_model,
    estimate_values,
    next_question,
    pair_information,
)
from valuelearn.elicit._server import ElicitServer, export_bytes
from valuelearn.elicit._session import (
    MAX_ITEMS,
    AnswerConflict,
    ElicitationSession,
    default_items,
)
from valuelearn.elicit._store import ANSWERS_FORMAT, AnswerStore

__all__ = [
    "ANSWERS_FORMAT",
    "MAX_ITEMS",
    "AnswerConflict",
    "AnswerStore",
    "ElicitServer",
    "ElicitationSession",
    "ValueEstimate",
    "augmented_items",
    "default_items",
    "elicitation_model",
    "estimate_values",
    "export_bytes",
    "next_question",
    "pair_information",
]
