"""The elicitation session: server-side checks of answers, resuming from the database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from valuelearn.data import Items
from valuelearn.elicit import AnswerConflict, AnswerStore, ElicitationSession, default_items
from valuelearn.exceptions import ValueLearnInputError

ITEMS = Items(
    ["tea", "coffee", "water", "juice"],
    features=[[1.0, 0.0], [2.0, 1.0], [0.0, 0.0], [1.0, 2.0]],
    feature_names=["warmth", "sugar"],
    texts=["Drink tea", "Drink coffee", "", "Drink juice"],
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[AnswerStore]:
    with AnswerStore(tmp_path / "answers.sqlite") as opened:
        yield opened


def reply(session: ElicitationSession, preferred: str = "a") -> dict[str, Any]:
    question = session.state()["question"]
    return session.answer(
        {
            "question": question["number"],
            "a": question["a"]["id"],
            "b": question["b"]["id"],
            "preferred": preferred,
        }
    )


def test_state_shows_the_question_ranking_and_weights(store: AnswerStore) -> None:
    state = ElicitationSession(ITEMS, store).state()
    assert state["answered"] == 0 and state["n_items"] == 4
    question = state["question"]
    assert question["number"] == 0 and question["a"]["id"] != question["b"]["id"]
    assert {row["id"] for row in state["ranking"]} == set(ITEMS.ids)
    texts = {row["id"]: row["text"] for row in state["ranking"]}
    assert texts["tea"] == "Drink tea" and texts["water"] == "water"  # no text: the id
    assert [w["name"] for w in state["weights"]] == ["warmth", "sugar"]
    assert [w["std"] for w in state["weights"]] == [1.0, 1.0]  # the prior


def test_an_answer_is_stored_and_moves_the_ranking(store: AnswerStore) -> None:
    session = ElicitationSession(ITEMS, store)
    question = session.state()["question"]
    state = reply(session, "a")
    assert state["answered"] == 1 and state["question"]["number"] == 1
    assert store.comparisons().a == (question["a"]["id"],)
    utilities = {row["id"]: row["utility"] for row in state["ranking"]}
    assert utilities[question["a"]["id"]] > utilities[question["b"]["id"]]


def test_a_resumed_session_continues_exactly_where_it_stopped(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    with AnswerStore(path) as store:
        session = ElicitationSession(ITEMS, store, rater="ann")
        for preferred in ("a", "b", "equal"):
            before = reply(session, preferred)
    with AnswerStore(path, create=False) as store:
        after = ElicitationSession(ITEMS, store, rater="ann").state()
        assert store.comparisons().rater == ("ann",) * 3
    assert after == before  # same answers, same values, same next question


def test_questions_are_not_repeated_while_new_pairs_remain(store: AnswerStore) -> None:
    session = ElicitationSession(ITEMS, store)
    for _ in range(6):  # 4 items have 6 pairs
        reply(session, "a")
    answers = store.comparisons()
    asked = {frozenset(pair) for pair in zip(answers.a, answers.b, strict=True)}
    assert len(asked) == 6


def test_the_side_each_item_appears_on_varies(store: AnswerStore) -> None:
    session = ElicitationSession(default_items(), store)
    sides = []
    for _ in range(12):
        question = session.state()["question"]
        first, second = (default_items().ids.index(question[k]["id"]) for k in ("a", "b"))
        sides.append(first < second)
        reply(session, "equal")
    assert 0 < np.mean(sides) < 1


CURRENT = {"question": 0, "a": "", "b": "", "preferred": "a"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"question": None}, "answer: field 'question' is missing"),
        ({"question": "0"}, "field 'question': expected an integer; got string '0'"),
        ({"question": True}, "field 'question': expected an integer; got true"),
        ({"question": -1}, "field 'question': must be >= 0; got -1"),
        ({"a": "tee"}, "field 'a': expected one of the 4 item ids; got string 'tee'"),
        ({"b": 3}, "field 'b': expected one of the 4 item ids; got number 3"),
        ({"preferred": "A"}, "field 'preferred': expected 'a', 'b' or 'equal'; got string 'A'"),
        ({"color": "red"}, "unknown field 'color'; expected fields: question, a, b, preferred"),
    ],
)
def test_malformed_answers_are_refused_with_one_line(
    store: AnswerStore, change: dict[str, Any], message: str
) -> None:
    session = ElicitationSession(ITEMS, store)
    question = session.state()["question"]
    payload = {**CURRENT, "a": question["a"]["id"], "b": question["b"]["id"], **change}
    with pytest.raises(ValueLearnInputError, match=message):
        session.answer({k: v for k, v in payload.items() if v is not None})
    assert len(store) == 0


def test_an_answer_must_be_a_json_object(store: AnswerStore) -> None:
    with pytest.raises(ValueLearnInputError, match="answer: expected a JSON object; got a list"):
        ElicitationSession(ITEMS, store).answer([0, "tea", "coffee", "a"])


def test_answers_to_other_questions_conflict_and_record_nothing(store: AnswerStore) -> None:
    session = ElicitationSession(ITEMS, store)
    question = session.state()["question"]
    first = {"question": 0, "a": question["a"]["id"], "b": question["b"]["id"]}
    session.answer({**first, "preferred": "a"})
    with pytest.raises(AnswerConflict, match="question 0 was already answered; the current"):
        session.answer({**first, "preferred": "a"})  # a double click
    with pytest.raises(AnswerConflict, match="question 5 has not been asked yet"):
        session.answer({**first, "question": 5, "preferred": "a"})
    now = session.state()["question"]
    swapped = {"question": 1, "a": now["b"]["id"], "b": now["a"]["id"], "preferred": "b"}
    with pytest.raises(AnswerConflict, match="question 1 compares"):
        session.answer(swapped)
    assert len(store) == 1


def test_resuming_with_items_that_lack_an_answered_item_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    with AnswerStore(path) as store:
        store.append("tea", "coffee", "a")
    fewer = Items(["tea", "water", "juice"])
    with (
        AnswerStore(path) as store,
        pytest.raises(ValueLearnInputError, match="name item 'coffee', which is not among the 3"),
    ):
        ElicitationSession(fewer, store)


def test_an_item_set_must_have_two_items(store: AnswerStore) -> None:
    with pytest.raises(ValueLearnInputError, match="has 1 items; elicitation needs 2 to"):
        ElicitationSession(Items(["only"]), store)
