"""File formats for judgments: items CSV, comparisons and rankings JSON Lines, ratings CSV.

The formats are specified in the README (Judgments). Loaders validate everything once and raise a
:class:`~valuelearn.exceptions.ValueLearnInputError` whose one-line message names the file, the
line and the field; writers are atomic (temporary file + rename). Cyclic or contradictory
judgments are legal and load without complaint.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from valuelearn._fields import Fields, describe
from valuelearn._files import PathLike, atomic_write_lines, atomic_write_text, parse_json, read_text
from valuelearn.data._items import Items
from valuelearn.data._judgments import OUTCOMES, Comparisons, Rankings, Ratings
from valuelearn.exceptions import ValueLearnInputError

_COMPARISON_FIELDS = ("a", "b", "preferred", "rater")
_RANKING_FIELDS = ("ranking", "rater")
_RATING_COLUMNS = ("rater", "item", "score")
_FEATURE_HINT = " (every column but 'id' and 'text' is a numeric feature)"


# ---------------------------------------------------------------------- JSON Lines
def _json_lines(path: PathLike, what: str) -> Iterator[Fields]:
    """The fields of each non-blank line; messages start ``"<path> line <n>"``."""
    text = read_text(path)
    found = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            found = True
            source = f"{path} line {number}"
            allowed = _COMPARISON_FIELDS if what == "comparison" else _RANKING_FIELDS
            yield Fields(parse_json(line, source, multiline=False), source, allowed)
    if not found:
        raise ValueLearnInputError(f"{path}: the file is empty; expected one JSON {what} per line.")


def _item(raw: object, prefix: str, items: Items | None) -> str:
    """An item id (a non-empty string or an integer), checked against ``items`` when given."""
    if not (isinstance(raw, str) and raw) and type(raw) is not int:
        raise ValueLearnInputError(
            f"{prefix}: expected an item id (a string or an integer); got {describe(raw)}."
        )
    item = str(raw)
    if items is not None and item not in items:
        raise ValueLearnInputError(
            f"{prefix}: unknown item {item!r} (not among the {items.n_items} items)."
        )
    return item


def _rater(fields: Fields) -> str | None:
    return fields.string("rater") if fields.has("rater") else None


def load_comparisons(path: PathLike, items: Items | None = None) -> Comparisons:
    """Load pairwise comparisons from a JSON Lines file, one comparison per line.

    Parameters
    ----------
    path : str or path
        Each non-blank line is ``{"a": ID, "b": ID, "preferred": "a"|"b"|"equal"}`` with an
        optional ``"rater"`` (string); ids are strings or integers.
    items : Items, optional
        When given, every id must be one of its items.

    Raises
    ------
    ValueLearnInputError
        ``"c.jsonl line 3: field 'preferred': expected 'a', 'b' or 'equal'; got string 'A'."``

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> _ = path.write_text('{"a": "tea", "b": "coffee", "preferred": "b", "rater": "ann"}\\n')
    >>> load_comparisons(path).preferred
    ('b',)
    """
    a: list[str] = []
    b: list[str] = []
    preferred: list[str] = []
    raters: list[str | None] = []
    for fields in _json_lines(path, "comparison"):
        first = _item(fields.raw("a"), fields.prefix("a"), items)
        second = _item(fields.raw("b"), fields.prefix("b"), items)
        if first == second:
            raise fields.error("b", f"the same item as 'a' ({first!r}); compare two items.")
        answer = fields.raw("preferred")
        if answer not in OUTCOMES:
            raise fields.error(
                "preferred", f"expected 'a', 'b' or 'equal'; got {describe(answer)}."
            )
        a.append(first)
        b.append(second)
        preferred.append(answer)
        raters.append(_rater(fields))
    return Comparisons(tuple(a), tuple(b), tuple(preferred), rater=tuple(raters))


def save_comparisons(comparisons: Comparisons, path: PathLike) -> None:
    """Write comparisons as JSON Lines, atomically; ``rater`` is written only when known.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "c.jsonl"
    >>> save_comparisons(Comparisons(["tea"], ["coffee"], ["equal"]), path)
    >>> path.read_text()
    '{"a": "tea", "b": "coffee", "preferred": "equal"}\\n'
    """
    if not isinstance(comparisons, Comparisons):
        raise ValueLearnInputError(
            f"`comparisons` must be Comparisons; got {type(comparisons).__name__}."
        )

    def lines() -> Iterator[str]:
        for record in zip(
            comparisons.a, comparisons.b, comparisons.preferred, comparisons.rater, strict=True
        ):
            row = dict(zip(_COMPARISON_FIELDS, record, strict=True))
            yield json.dumps({k: v for k, v in row.items() if v is not None})

    atomic_write_lines(path, lines())


def load_rankings(path: PathLike, items: Items | None = None) -> Rankings:
    """Load rankings from a JSON Lines file: ``{"ranking": [best, ..., worst], "rater": ...}``.

    Each ranking lists at least two distinct item ids; ``"rater"`` is optional.

    Raises
    ------
    ValueLearnInputError
        ``"r.jsonl line 2: field 'ranking' item 3: item 'tea' appears twice; ..."``

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.jsonl"
    >>> _ = path.write_text('{"ranking": ["tea", "coffee", "water"]}\\n')
    >>> load_rankings(path).orders
    (('tea', 'coffee', 'water'),)
    """
    orders: list[tuple[str, ...]] = []
    raters: list[str | None] = []
    for fields in _json_lines(path, "ranking"):
        raw = fields.raw("ranking")
        if type(raw) is not list or len(raw) < 2:
            shown = "a list of " + str(len(raw)) if type(raw) is list else describe(raw)
            raise fields.error("ranking", f"expected a list of at least two items; got {shown}.")
        order: list[str] = []
        for index, value in enumerate(raw):
            item = _item(value, f"{fields.prefix('ranking')} item {index}", items)
            if item in order:
                raise ValueLearnInputError(
                    f"{fields.prefix('ranking')} item {index}: item {item!r} appears twice; a "
                    "ranking lists each item once."
                )
            order.append(item)
        orders.append(tuple(order))
        raters.append(_rater(fields))
    return Rankings(tuple(orders), rater=tuple(raters))


def save_rankings(rankings: Rankings, path: PathLike) -> None:
    """Write rankings as JSON Lines, atomically (best first; ``rater`` only when known)."""
    if not isinstance(rankings, Rankings):
        raise ValueLearnInputError(f"`rankings` must be Rankings; got {type(rankings).__name__}.")
    records = (
        {"ranking": list(order)} | ({"rater": rater} if rater is not None else {})
        for order, rater in zip(rankings.orders, rankings.rater, strict=True)
    )
    atomic_write_lines(path, (json.dumps(record) for record in records))


# ---------------------------------------------------------------------- CSV
def _csv_rows(path: PathLike, what: str) -> tuple[list[str], Iterator[tuple[str, int, list[str]]]]:
    """The header and ``(source, line, cells)`` for each non-blank data row."""
    reader = csv.reader(io.StringIO(read_text(path), newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as error:
        raise ValueLearnInputError(f"{path} line 1: invalid CSV: {error}.") from None
    if header is None or not any(cell.strip() for cell in header):
        raise ValueLearnInputError(f"{path}: the file is empty; expected a header row ({what}).")
    header = [cell.strip() for cell in header]
    for index, name in enumerate(header):
        if not name:
            raise ValueLearnInputError(f"{path} line 1: column {index + 1} has no name.")
        if name in header[:index]:
            raise ValueLearnInputError(f"{path} line 1: column '{name}' appears twice.")

    def rows() -> Iterator[tuple[str, int, list[str]]]:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                raise ValueLearnInputError(
                    f"{path} line {reader.line_num}: invalid CSV: {error}."
                ) from None
            if not any(cell.strip() for cell in cells):
                continue
            source = f"{path} line {reader.line_num}"
            if len(cells) != len(header):
                raise ValueLearnInputError(
                    f"{source}: has {len(cells)} fields; the header has {len(header)}."
                )
            yield source, reader.line_num, cells

    return header, rows()


def _finite(cell: str, source: str, name: str, hint: str = "") -> float:
    try:
        value = float(cell)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise ValueLearnInputError(
            f"{source}: field '{name}': expected a finite number; got {cell!r}{hint}."
        )
    return value


def load_items(path: PathLike) -> Items:
    """Load items from a CSV file with an ``id`` column, numeric feature columns and ``text``.

    Every column other than ``id`` and the optional ``text`` is a feature; its header is the
    feature's name and each cell must be a finite number. Without feature columns the items have
    no features (one free utility each).

    Raises
    ------
    ValueLearnInputError
        ``"items.csv line 4: field 'cost': expected a finite number; got 'cheap'."``

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "items.csv"
    >>> _ = path.write_text("id,text,harm\\nlie,Tell a white lie,0.2\\nsteal,Steal a car,0.9\\n")
    >>> items = load_items(path)
    >>> items.ids, items.feature_names, items.features.tolist()
    (('lie', 'steal'), ('harm',), [[0.2], [0.9]])
    """
    header, rows = _csv_rows(path, "id, features, text")
    if "id" not in header:
        raise ValueLearnInputError(f"{path} line 1: no 'id' column; found {', '.join(header)}.")
    id_at, text_at = header.index("id"), header.index("text") if "text" in header else None
    feature_at = [k for k, name in enumerate(header) if name not in ("id", "text")]
    ids: list[str] = []
    texts: list[str] = []
    features: list[list[float]] = []
    seen: dict[str, int] = {}
    for source, line, cells in rows:
        item = cells[id_at].strip()
        if not item:
            raise ValueLearnInputError(f"{source}: field 'id': is empty.")
        if item in seen:
            raise ValueLearnInputError(
                f"{source}: field 'id': duplicate item {item!r} (first on line {seen[item]})."
            )
        seen[item] = line
        ids.append(item)
        texts.append(cells[text_at] if text_at is not None else "")
        features.append([_finite(cells[k], source, header[k], _FEATURE_HINT) for k in feature_at])
    if not ids:
        raise ValueLearnInputError(f"{path}: no items after the header.")
    return Items(
        tuple(ids),
        features=np.array(features).reshape(len(ids), len(feature_at)) if feature_at else None,
        feature_names=tuple(header[k] for k in feature_at) if feature_at else None,
        texts=tuple(texts) if text_at is not None else None,
    )


def save_items(items: Items, path: PathLike) -> None:
    """Write items as CSV (``id``, ``text`` when present, then the features), atomically.

    Features without names are written as ``f0, f1, ...``; numbers keep full precision. A kernel
    is not written (the CSV format has no place for it).
    """
    if not isinstance(items, Items):
        raise ValueLearnInputError(f"`items` must be Items; got {type(items).__name__}.")
    names = list(items.feature_names or [f"f{k}" for k in range(items.n_features or 0)])
    header = ["id"] + (["text"] if items.texts is not None else []) + names
    rows: list[list[Any]] = []
    for index, item in enumerate(items.ids):
        row: list[Any] = [item] + ([items.texts[index]] if items.texts is not None else [])
        if items.features is not None:
            row += [repr(float(x)) for x in items.features[index]]
        rows.append(row)
    _write_csv(path, header, rows)


def load_ratings(
    path: PathLike, items: Items | None = None, *, scale: tuple[int, int] | None = None
) -> Ratings:
    """Load ratings from a CSV file with columns ``rater``, ``item``, ``score`` (any order).

    ``rater`` may be left out or empty (unknown rater); ``score`` must be an integer (``3.0``
    counts), on ``scale`` when it is given, whose default is the data's own range.

    Raises
    ------
    ValueLearnInputError
        ``"r.csv line 5: field 'score': expected an integer; got '2.5'."``

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
    >>> _ = path.write_text("rater,item,score\\nann,tea,4\\nbob,tea,2\\n")
    >>> ratings = load_ratings(path, scale=(1, 5))
    >>> ratings.rater, ratings.score.tolist(), ratings.n_levels
    (('ann', 'bob'), [4, 2], 5)
    """
    header, rows = _csv_rows(path, "rater, item, score")
    for name in header:
        if name not in _RATING_COLUMNS:
            raise ValueLearnInputError(
                f"{path} line 1: unknown column '{name}'; expected columns: rater, item, score."
            )
    for name in ("item", "score"):
        if name not in header:
            raise ValueLearnInputError(f"{path} line 1: no '{name}' column.")
    at = {name: header.index(name) for name in header}
    raters: list[str | None] = []
    item_ids: list[str] = []
    scores: list[int] = []
    for source, _, cells in rows:
        item = cells[at["item"]].strip()
        if not item:
            raise ValueLearnInputError(f"{source}: field 'item': is empty.")
        if items is not None and item not in items:
            raise ValueLearnInputError(
                f"{source}: field 'item': unknown item {item!r} (not among the {items.n_items} "
                "items)."
            )
        scores.append(_score(cells[at["score"]], source, scale))
        rater = cells[at["rater"]].strip() if "rater" in at else ""
        raters.append(rater or None)
        item_ids.append(item)
    if not item_ids:
        raise ValueLearnInputError(f"{path}: no ratings after the header.")
    return Ratings(tuple(item_ids), np.array(scores), rater=tuple(raters), scale=scale)


def _score(cell: str, source: str, scale: tuple[int, int] | None) -> int:
    value = _finite(cell, source, "score")
    if not value.is_integer():
        raise ValueLearnInputError(f"{source}: field 'score': expected an integer; got {cell!r}.")
    if scale is not None and not scale[0] <= value <= scale[1]:
        raise ValueLearnInputError(
            f"{source}: field 'score': {int(value)} is outside the scale [{scale[0]}, {scale[1]}]."
        )
    return int(value)


def save_ratings(ratings: Ratings, path: PathLike) -> None:
    """Write ratings as CSV ``rater,item,score``, atomically (unknown raters as empty cells)."""
    if not isinstance(ratings, Ratings):
        raise ValueLearnInputError(f"`ratings` must be Ratings; got {type(ratings).__name__}.")
    rows = [
        [rater or "", item, int(score)]
        for rater, item, score in zip(ratings.rater, ratings.item, ratings.score, strict=True)
    ]
    _write_csv(path, list(_RATING_COLUMNS), rows)


def _write_csv(path: PathLike, header: list[str], rows: list[list[Any]]) -> None:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    atomic_write_text(path, buffer.getvalue())
