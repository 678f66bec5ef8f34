"""The answers database: answers survive a reopen, in order; foreign files are refused intact."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest

from valuelearn.elicit import ANSWERS_FORMAT, AnswerStore
from valuelearn.exceptions import ValueLearnInputError


def test_answers_survive_closing_and_reopening_in_order(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    with AnswerStore(path) as store:
        assert store.append("tea", "coffee", "a") == 0
        assert store.append("water", "tea", "equal", "ann") == 1
    with AnswerStore(path, create=False) as store:
        assert len(store) == 2
        assert store.append("coffee", "water", "b") == 2
        answers = store.comparisons()
    assert answers.a == ("tea", "water", "coffee")
    assert answers.b == ("coffee", "tea", "water")
    assert answers.preferred == ("a", "equal", "b")
    assert answers.rater == (None, "ann", None)


def test_each_answer_is_committed_before_append_returns(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    store = AnswerStore(path)
    store.append("tea", "coffee", "b")
    # A second connection (another process would be the same) sees it while the store is open.
    with closing(sqlite3.connect(path)) as other, other:
        assert other.execute("SELECT a, b, preferred FROM answers").fetchall() == [
            ("tea", "coffee", "b")
        ]
    store.close()


def test_an_empty_store_gives_no_comparisons(tmp_path: Path) -> None:
    with AnswerStore(tmp_path / "answers.sqlite") as store:
        assert len(store) == 0 and len(store.comparisons()) == 0


def test_a_missing_file_is_not_created_when_create_is_false(tmp_path: Path) -> None:
    path = tmp_path / "none.sqlite"
    with pytest.raises(ValueLearnInputError, match=r"none\.sqlite: no answers database there"):
        AnswerStore(path, create=False)
    assert not path.exists()


def test_a_file_that_is_not_sqlite_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.duckdb"
    path.write_text("not a database at all, just text that is long enough to be read" * 20)
    with pytest.raises(ValueLearnInputError, match="not a valuelearn answers database"):
        AnswerStore(path)


def test_another_sqlite_database_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    path = tmp_path / "shop.sqlite"
    with closing(sqlite3.connect(path)) as other, other:
        other.execute("CREATE TABLE orders (id INTEGER)")
    with pytest.raises(ValueLearnInputError, match=r"something else \(tables: orders\)"):
        AnswerStore(path)
    with closing(sqlite3.connect(path)) as other, other:
        tables = other.execute("SELECT name FROM sqlite_master").fetchall()
    assert tables == [("orders",)]


def test_another_format_tag_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    AnswerStore(path).close()
    with closing(sqlite3.connect(path)) as other, other:
        other.execute("UPDATE meta SET value = 'valuelearn.answers/9' WHERE key = 'format'")
    with pytest.raises(ValueLearnInputError, match=f"expected '{ANSWERS_FORMAT}'"):
        AnswerStore(path)
