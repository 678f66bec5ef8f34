"""Judgment files: items and ratings CSV, comparisons and rankings JSON Lines."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from valuelearn.data import (
    Comparisons,
    Items,
    Rankings,
    Ratings,
    load_comparisons,
    load_items,
    load_rankings,
    load_ratings,
    save_comparisons,
    save_items,
    save_rankings,
    save_ratings,
)
from valuelearn.exceptions import ValueLearnInputError


def error_of(load: Callable[..., object], path: Path, *args: object, **kwargs: object) -> str:
    with pytest.raises(ValueLearnInputError) as info:
        load(path, *args, **kwargs)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message[len(str(path)) :]


def test_items_round_trip_with_text_and_full_precision(tmp_path: Path) -> None:
    items = Items(
        ["lie", "steal, twice"],
        features=[[0.1, 1 / 3], [2.0, -1e-300]],
        feature_names=["harm", "cost"],
        texts=["Tell a white lie", 'Say "hi"\nthen steal'],
    )
    save_items(items, tmp_path / "items.csv")
    loaded = load_items(tmp_path / "items.csv")
    assert loaded.ids == items.ids and loaded.texts == items.texts
    assert loaded.feature_names == ("harm", "cost")
    np.testing.assert_array_equal(loaded.features, items.features)  # type: ignore[arg-type]


def test_items_without_features_and_unnamed_features(tmp_path: Path) -> None:
    path = tmp_path / "items.csv"
    path.write_text("text,id\nfirst,a\n\nsecond,b\n")
    loaded = load_items(path)
    assert loaded.ids == ("a", "b") and loaded.features is None
    assert loaded.texts == ("first", "second")
    save_items(Items(["x"], features=[[1.5, 2.0]]), path)
    assert path.read_text() == "id,f0,f1\nx,1.5,2.0\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", ": the file is empty; expected a header row (id, features, text)."),
        ("name,harm\nx,1\n", " line 1: no 'id' column; found name, harm."),
        ("id,harm\n", ": no items after the header."),
        ("id,harm,harm\nx,1,2\n", " line 1: column 'harm' appears twice."),
        ("id,,harm\nx,1,2\n", " line 1: column 2 has no name."),
        (
            "id,harm\nx,1\ny,cheap\n",
            " line 3: field 'harm': expected a finite number; got 'cheap' (every column but 'id' "
            "and 'text' is a numeric feature).",
        ),
        (
            "id,harm\nx,inf\n",
            " line 2: field 'harm': expected a finite number; got 'inf' (every "
            "column but 'id' and 'text' is a numeric feature).",
        ),
        ("id,harm\nx,1\nx,2\n", " line 3: field 'id': duplicate item 'x' (first on line 2)."),
        ("id,harm\n,1\n", " line 2: field 'id': is empty."),
        ("id,harm\nx,1,2\n", " line 2: has 3 fields; the header has 2."),
        ('id,harm\n"x,1\n', " line 2: invalid CSV: unexpected end of data."),
    ],
)
def test_items_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "items.csv"
    path.write_text(text)
    assert error_of(load_items, path) == expected


def test_comparisons_round_trip_and_integer_ids(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(
        '{"a": 1, "b": "tea", "preferred": "a", "rater": "ann"}\n\n'
        '{"a": "tea", "b": 1, "preferred": "a", "rater": null}\n'  # contradicts line 1: legal
        '{"b": "x", "a": "tea", "preferred": "equal"}\n'
    )
    comparisons = load_comparisons(path)
    assert comparisons.a == ("1", "tea", "tea") and comparisons.rater == ("ann", None, None)
    assert comparisons.outcomes.tolist() == [0, 0, 2]
    save_comparisons(comparisons, tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_text().splitlines()[0] == (
        '{"a": "1", "b": "tea", "preferred": "a", "rater": "ann"}'
    )
    again = load_comparisons(tmp_path / "again.jsonl")
    assert (again.a, again.b, again.preferred, again.rater) == (
        comparisons.a,
        comparisons.b,
        comparisons.preferred,
        comparisons.rater,
    )


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"a": "x", "b": "y", "preferred": "A"}', "field 'preferred': expected 'a', 'b' or "
         "'equal'; got string 'A'."),
        ('{"a": "x", "preferred": "a"}', "field 'b' is missing."),
        ('{"a": "x", "b": true, "preferred": "a"}', "field 'b': expected an item id (a string or "
         "an integer); got true."),
        ('{"a": "x", "b": 1.5, "preferred": "a"}', "field 'b': expected an item id (a string or "
         "an integer); got number 1.5."),
        ('{"a": "x", "b": "x", "preferred": "a"}', "field 'b': the same item as 'a' ('x'); "
         "compare two items."),
        ('{"a": "x", "b": "y", "preferred": "a", "who": "me"}', "unknown field 'who'; expected "
         "fields: a, b, preferred, rater."),
        ('{"a": "x", "b": "y", "preferred": "a", "rater": 7}', "field 'rater': expected a "
         "string; got number 7."),
        ('["x", "y"]', "expected a JSON object; got a list."),
        ('{"a": "x", "b": "y" "preferred": "a"}', "invalid JSON at column 21: Expecting ',' "
         "delimiter."),
    ],
)  # fmt: skip
def test_comparisons_errors(tmp_path: Path, line: str, expected: str) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"a": "x", "b": "y", "preferred": "b"}\n' + line + "\n")
    assert error_of(load_comparisons, path) == " line 2: " + expected


def test_comparisons_checked_against_items_and_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text('{"a": "x", "b": "w", "preferred": "b"}\n')
    assert error_of(load_comparisons, path, Items.from_ids(["x", "y"])) == (
        " line 1: field 'b': unknown item 'w' (not among the 2 items)."
    )
    path.write_text("\n  \n")
    assert error_of(load_comparisons, path) == (
        ": the file is empty; expected one JSON comparison per line."
    )


def test_rankings_round_trip_and_errors(tmp_path: Path) -> None:
    rankings = Rankings([["x", "y", "z"], ["z", "x"]], rater=[None, "bob"])
    save_rankings(rankings, tmp_path / "r.jsonl")
    assert (tmp_path / "r.jsonl").read_text() == (
        '{"ranking": ["x", "y", "z"]}\n{"ranking": ["z", "x"], "rater": "bob"}\n'
    )
    loaded = load_rankings(tmp_path / "r.jsonl", Items.from_ids(list("xyz")))
    assert loaded.orders == rankings.orders and loaded.rater == rankings.rater
    cases = {
        '{"ranking": ["x"]}': "field 'ranking': expected a list of at least two items; got a "
        "list of 1.",
        '{"ranking": "xy"}': "field 'ranking': expected a list of at least two items; got string "
        "'xy'.",
        '{"ranking": ["x", "y", "x"]}': "field 'ranking' item 2: item 'x' appears twice; a "
        "ranking lists each item once.",
        '{"ranking": ["x", null]}': "field 'ranking' item 1: expected an item id (a string or an "
        "integer); got null.",
        '{"ranking": ["x", "q"]}': "field 'ranking' item 1: unknown item 'q' (not among the 3 "
        "items).",
    }
    for line, expected in cases.items():
        (tmp_path / "bad.jsonl").write_text(line + "\n")
        message = error_of(load_rankings, tmp_path / "bad.jsonl", Items.from_ids(list("xyz")))
        assert message == " line 1: " + expected


def test_ratings_round_trip_any_column_order_and_empty_rater(tmp_path: Path) -> None:
    path = tmp_path / "r.csv"
    path.write_text("score,item,rater\n4,tea,ann\n-2.0,coffee,\n")
    ratings = load_ratings(path, scale=(-4, 4))
    assert ratings.score.tolist() == [4, -2] and ratings.rater == ("ann", None)
    assert ratings.n_levels == 9
    save_ratings(ratings, tmp_path / "again.csv")
    assert (tmp_path / "again.csv").read_text() == "rater,item,score\nann,tea,4\n,coffee,-2\n"
    without_rater = tmp_path / "plain.csv"
    without_rater.write_text("item,score\ntea,1\ncoffee,3\n")
    assert load_ratings(without_rater).scale == (1, 3)


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("rater,item,score\nann,tea,2.5\n", {}, " line 2: field 'score': expected an integer; "
         "got '2.5'."),
        ("rater,item,score\nann,tea,high\n", {}, " line 2: field 'score': expected a finite "
         "number; got 'high'."),
        ("rater,item,score\nann,tea,7\n", {"scale": (1, 5)}, " line 2: field 'score': 7 is "
         "outside the scale [1, 5]."),
        ("rater,item,score,when\n", {}, " line 1: unknown column 'when'; expected columns: "
         "rater, item, score."),
        ("rater,item\n", {}, " line 1: no 'score' column."),
        ("rater,item,score\n", {}, ": no ratings after the header."),
        ("rater,item,score\nann,,3\n", {}, " line 2: field 'item': is empty."),
        ("rater,item,score\nann,cake,3\n", {"items": Items.from_ids(["tea"])}, " line 2: field "
         "'item': unknown item 'cake' (not among the 1 items)."),
    ],
)  # fmt: skip
def test_ratings_errors(
    tmp_path: Path, text: str, kwargs: dict[str, object], expected: str
) -> None:
    path = tmp_path / "r.csv"
    path.write_text(text)
    assert error_of(load_ratings, path, **kwargs) == expected


def test_writers_are_atomic_and_refuse_wrong_types(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    save_comparisons(Comparisons(["x"], ["y"], ["a"]), path)
    assert [p.name for p in tmp_path.iterdir()] == ["c.jsonl"]  # no temporary file left
    with pytest.raises(ValueLearnInputError, match="must be Comparisons"):
        save_comparisons([("x", "y", "a")], path)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="does not exist"):
        save_ratings(Ratings(["x", "y"], [1, 2]), tmp_path / "missing" / "r.csv")
