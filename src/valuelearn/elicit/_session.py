"""One person's elicitation: the items, their answers so far, the current question, the values.

:class:`ElicitationSession` is what the web page talks to, without any HTTP: it checks each answer
(server-side validation, one-line messages), commits it to the answers database, refits the
values and picks the next question. Answers already in the database are replayed when a session
opens, so a restarted server resumes exactly where it stopped.
"""

from __future__ import annotations

import threading
from importlib import resources
from typing import Any

import numpy as np

from valuelearn._fields import Fields, describe
from valuelearn.data import OUTCOMES, Comparisons, Items, load_items
from valuelearn.elicit._learner import (
    ValueEstimate,
    elicitation_model,
    estimate_values,
    next_question,
)
from valuelearn.elicit._store import AnswerStore
from valuelearn.exceptions import ValueLearnInputError

#: The fields of an answer sent to the page's server.
ANSWER_FIELDS = ("question", "a", "b", "preferred")
#: Item sets larger than this make the next-question search slow (it scores every pair).
MAX_ITEMS = 400


class AnswerConflict(ValueLearnInputError):
    """A well-formed answer to a question that is not the current one (answered twice, say)."""


def default_items() -> Items:
    """The package's item set: 52 everyday actions of varying moral weight, with 5 features.

    Features (hand-scored integers): ``harm`` done to others (0-3), ``help`` given to others
    (0-3), ``dishonesty`` (0-3), ``unfairness`` (rule-breaking, cheating, free-riding; 0-3) and
    ``self_gain`` (what the actor gains, negative for a cost; -2 to 3).

    Examples
    --------
    >>> items = default_items()
    >>> items.n_items, items.feature_names
    (52, ('harm', 'help', 'dishonesty', 'unfairness', 'self_gain'))
    """
    with resources.as_file(resources.files("valuelearn.elicit") / "actions.csv") as path:
        return load_items(path)


class ElicitationSession:
    """A person teaching their values by answering "which is better?" questions.

    Parameters
    ----------
    items : Items
        The actions to compare (2 to :data:`MAX_ITEMS`); features make learning faster.
    store : AnswerStore
        Where answers go; answers already there are replayed (a resumed session).
    rater : str, optional
        Recorded with each new answer (the comparisons file's ``rater``).
    residual_scale : float
        Prior standard deviation of each item's deviation from its features' utility.
    random_state : int
        Seeds which side each question's items appear on (reproducible per question number).

    Raises
    ------
    ValueLearnInputError
        When the item set is too small or too large, or the stored answers name items that are
        not among ``items`` (a session resumed with other items).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> items = Items(["tea", "coffee", "water"], features=[[1.0], [2.0], [0.0]])
    >>> store = AnswerStore(pathlib.Path(tempfile.mkdtemp()) / "answers.sqlite")
    >>> session = ElicitationSession(items, store)
    >>> question = session.state()["question"]
    >>> answer = {"question": 0, "a": question["a"]["id"], "b": question["b"]["id"]}
    >>> session.answer({**answer, "preferred": "equal"})["answered"]
    1
    >>> store.close()
    """

    def __init__(
        self,
        items: Items,
        store: AnswerStore,
        *,
        rater: str | None = None,
        residual_scale: float = 0.5,
        random_state: int = 0,
    ) -> None:
        if not 2 <= items.n_items <= MAX_ITEMS:
            raise ValueLearnInputError(
                f"the item set has {items.n_items} items; elicitation needs 2 to {MAX_ITEMS}."
            )
        self.items = items
        self.store = store
        self.rater = rater
        self.residual_scale = residual_scale
        self.random_state = random_state
        self.model = elicitation_model()
        self._lock = threading.Lock()
        answers = store.comparisons()
        unknown = [item for item in answers.item_ids() if item not in items]
        if unknown:
            raise ValueLearnInputError(
                f"{store.path}: the stored answers name item {unknown[0]!r}, which is not among "
                f"the {items.n_items} items; resume with the items the session started with."
            )
        self._refresh(answers)

    def _refresh(self, answers: Comparisons) -> None:
        """Refit the values and pick the next question (called with the lock held)."""
        self.answers = answers
        self.estimate: ValueEstimate = estimate_values(
            self.items, answers, residual_scale=self.residual_scale, model=self.model
        )
        first, second = answers.indices(self.items)
        asked = {frozenset((int(i), int(j))) for i, j in zip(first, second, strict=True)}
        pair = next_question(self.estimate, self.model, asked)
        flip = np.random.default_rng([self.random_state, len(answers)]).random() < 0.5
        self.question = (pair[1], pair[0]) if flip else pair

    def state(self) -> dict[str, Any]:
        """What the page shows, JSON-ready: the question, the ranking, the feature weights."""
        with self._lock:
            return self._state()

    def _state(self) -> dict[str, Any]:
        estimate, ids = self.estimate, self.items.ids
        std = estimate.std
        ranking = [
            {
                "id": ids[i],
                "text": self._text(int(i)),
                "utility": round(float(estimate.mean[i]), 4),
                "std": round(float(std[i]), 4),
            }
            for i in estimate.order
        ]
        n_features = self.items.n_features or 0
        names = self.items.feature_names or tuple(f"f{k}" for k in range(n_features))
        weights = [
            {"name": name, "mean": round(float(mean), 4), "std": round(float(sd), 4)}
            for name, mean, sd in zip(names, estimate.weight_mean, estimate.weight_std, strict=True)
        ]
        a, b = self.question
        return {
            "answered": len(self.answers),
            "n_items": self.items.n_items,
            "question": {
                "number": len(self.answers),
                "a": {"id": ids[a], "text": self._text(a)},
                "b": {"id": ids[b], "text": self._text(b)},
            },
            "ranking": ranking,
            "weights": weights,
        }

    def comparisons(self) -> Comparisons:
        """Every answer so far, in the order given."""
        with self._lock:
            return self.answers

    def _text(self, index: int) -> str:
        texts = self.items.texts
        return texts[index] if texts is not None and texts[index] else self.items.ids[index]

    def answer(self, payload: object) -> dict[str, Any]:
        """Check an answer to the current question, commit it, refit; return the new state.

        ``payload`` is the parsed JSON the page sends: ``{"question": n, "a": id, "b": id,
        "preferred": "a"|"b"|"equal"}``, where ``n`` is the number of the question shown
        (answers so far) and ``a``, ``b`` are its two items in the order shown.

        Raises
        ------
        ValueLearnInputError
            For a malformed answer (missing or unknown field, wrong type, unknown item).
        AnswerConflict
            For an answer to another question than the current one (a stale page, a double
            click): nothing is recorded.
        """
        fields = Fields(payload, "answer", ANSWER_FIELDS)
        number = fields.integer("question", minimum=0)
        a, b = (self._item(fields, name) for name in ("a", "b"))
        preferred = fields.raw("preferred")
        if preferred not in OUTCOMES:
            raise fields.error(
                "preferred", f"expected 'a', 'b' or 'equal'; got {describe(preferred)}."
            )
        with self._lock:
            current = len(self.answers)
            if number != current:
                done = "was already answered" if number < current else "has not been asked yet"
                raise AnswerConflict(
                    f"question {number} {done}; the current question is {current}."
                )
            shown = tuple(self.items.ids[i] for i in self.question)
            if (a, b) != shown:
                raise AnswerConflict(
                    f"question {number} compares {shown[0]!r} with {shown[1]!r}; the answer "
                    f"names {a!r} and {b!r}."
                )
            self.store.append(a, b, preferred, self.rater)
            answer = Comparisons((a,), (b,), (preferred,), rater=(self.rater,))
            self._refresh(self.answers + answer)
            return self._state()

    def _item(self, fields: Fields, name: str) -> str:
        value = fields.raw(name)
        if not isinstance(value, str) or value not in self.items:
            raise fields.error(
                name, f"expected one of the {self.items.n_items} item ids; got {describe(value)}."
            )
        return value
