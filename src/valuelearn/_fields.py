"""Typed access to parsed JSON, with one-line errors that name the file, field and item.

Messages look like ``"m.json: field 'initial' item 2: expected a number; got string '0.5'."``.
Booleans are never numbers (``json`` parses ``true`` as ``True``, which Python treats as 1), and
integers may be written as integral floats (``3.0``) because many tools write them that way.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

import numpy as np
from numpy.typing import NDArray

from valuelearn.exceptions import ValueLearnInputError

_FIELD_MESSAGE = re.compile(r"`(\w+)`\s*(.*)", re.DOTALL)


def field_message(source: str, message: str) -> str:
    """Rewrite a constructor message ``"`name` problem"`` as ``"source: field 'name': problem"``.

    Constructors (:class:`~valuelearn.data.MDP`, ``Reward``) name the argument in backticks; in a
    file the same thing is a field, and the file name comes first.
    """
    match = _FIELD_MESSAGE.fullmatch(message)
    if match is None:
        return f"{source}: {message}"
    return f"{source}: field '{match.group(1)}': {match.group(2)}"


def describe(value: object) -> str:
    """Describe a JSON value for an error message: ``string 'x'``, ``true``, ``a list``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        shown = value if len(value) <= 30 else value[:27] + "..."
        return f"string {shown!r}"
    if isinstance(value, int | float):
        return f"number {value!r}"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_number(value: object) -> bool:
    return type(value) is float or type(value) is int


def _is_integer(value: object) -> bool:
    return type(value) is int or (type(value) is float and value.is_integer())


def number_array(value: object, prefix: str) -> NDArray[np.float64]:
    """Return a flat list of numbers as a float array; ``prefix`` starts every error message."""
    if type(value) is not list:
        raise ValueLearnInputError(f"{prefix}: expected a list of numbers; got {describe(value)}.")
    if not all(_is_number(item) for item in value):
        index, item = next((i, x) for i, x in enumerate(value) if not _is_number(x))
        raise ValueLearnInputError(
            f"{prefix} item {index}: expected a number; got {describe(item)}."
        )
    try:
        return np.array(value, dtype=np.float64)
    except OverflowError:
        raise ValueLearnInputError(f"{prefix}: a number is too large for a float.") from None


def integer_array(
    value: object, prefix: str, *, upper: int | None = None, what: str = "index"
) -> NDArray[np.int64]:
    """Return a flat list of integers in ``[0, upper)`` as an int64 array.

    ``what`` names an entry in the range message: ``"... item 4: state 12 is out of range [0, 9)."``
    """
    if type(value) is not list:
        raise ValueLearnInputError(f"{prefix}: expected a list of integers; got {describe(value)}.")
    if not all(type(item) is int for item in value):
        for index, item in enumerate(value):
            if not _is_integer(item):
                raise ValueLearnInputError(
                    f"{prefix} item {index}: expected an integer; got {describe(item)}."
                )
    try:
        array = np.array(value, dtype=np.int64)
    except OverflowError:
        raise ValueLearnInputError(f"{prefix}: an integer is too large.") from None
    bad = array < 0 if upper is None else (array < 0) | (array >= upper)
    if array.size and bad.any():
        index = int(np.argmax(bad))
        limit = "must be >= 0" if upper is None else f"is out of range [0, {upper})"
        raise ValueLearnInputError(f"{prefix} item {index}: {what} {array[index]} {limit}.")
    return array


def number_matrix(
    value: object, prefix: str, *, n_rows: int | None = None, n_cols: int | None = None
) -> NDArray[np.float64]:
    """Return a list of equal-length lists of numbers as a 2-D float array."""
    if type(value) is not list:
        raise ValueLearnInputError(f"{prefix}: expected a list of rows; got {describe(value)}.")
    if n_rows is not None and len(value) != n_rows:
        raise ValueLearnInputError(f"{prefix}: has {len(value)} rows; expected {n_rows}.")
    rows = [number_array(row, f"{prefix} row {index}") for index, row in enumerate(value)]
    width = n_cols if n_cols is not None else (rows[0].size if rows else 0)
    for index, row in enumerate(rows):
        if row.size != width:
            raise ValueLearnInputError(
                f"{prefix} row {index}: has {row.size} entries; expected {width} (every row must "
                "have the same length)."
            )
    return np.array(rows, dtype=np.float64).reshape(len(rows), width)


def string_tuple(value: object, prefix: str, *, length: int | None = None) -> tuple[str, ...]:
    """Return a list of strings as a tuple, optionally checking its length."""
    if type(value) is not list:
        raise ValueLearnInputError(f"{prefix}: expected a list of strings; got {describe(value)}.")
    for index, item in enumerate(value):
        if not isinstance(item, str):
            raise ValueLearnInputError(
                f"{prefix} item {index}: expected a string; got {describe(item)}."
            )
    if length is not None and len(value) != length:
        raise ValueLearnInputError(f"{prefix}: has {len(value)} entries; expected {length}.")
    return tuple(value)


class Fields:
    """The fields of one parsed JSON object, read with type checks and one-line errors.

    Parameters
    ----------
    document : object
        The parsed JSON value; it must be an object.
    source : str
        File name (and line) that starts every message.
    allowed : collection of str
        Known field names; any other field is an error (typos should not pass silently).
    """

    def __init__(self, document: object, source: str, allowed: Collection[str]) -> None:
        if not isinstance(document, dict):
            raise ValueLearnInputError(
                f"{source}: expected a JSON object; got {describe(document)}."
            )
        self.source = source
        self.document: dict[str, Any] = document
        unknown = [key for key in document if key not in allowed]
        if unknown:
            raise ValueLearnInputError(
                f"{source}: unknown field '{unknown[0]}'; expected fields: {', '.join(allowed)}."
            )

    def prefix(self, name: str) -> str:
        """``"<source>: field '<name>'"``, the start of every message about that field."""
        return f"{self.source}: field '{name}'"

    def error(self, name: str, problem: str) -> ValueLearnInputError:
        """An error about field ``name``."""
        return ValueLearnInputError(f"{self.prefix(name)}: {problem}")

    def has(self, name: str) -> bool:
        """Whether the field is present and not ``null`` (optional fields may be ``null``)."""
        return self.document.get(name) is not None

    def raw(self, name: str) -> Any:
        """The value of a required field."""
        if not self.has(name):
            raise ValueLearnInputError(f"{self.source}: field '{name}' is missing.")
        return self.document[name]

    def check_format(self, expected: str) -> None:
        """Check the ``format`` tag; point at the right loader when the tag is a known other one."""
        if "format" not in self.document:
            raise ValueLearnInputError(
                f"{self.source}: field 'format' is missing; expected {expected!r}."
            )
        found = self.document["format"]
        if found != expected:
            hint = ""
            family = found.split("/")[0] if isinstance(found, str) else ""
            if family.startswith("valuelearn.") and family != expected.split("/")[0]:
                hint = f" (this looks like a {family} file)"
            raise self.error("format", f"expected {expected!r}; got {describe(found)}{hint}.")

    def integer(self, name: str, *, minimum: int | None = None) -> int:
        """A required integer field, optionally at least ``minimum``."""
        value = self.raw(name)
        if not _is_integer(value):
            raise self.error(name, f"expected an integer; got {describe(value)}.")
        if minimum is not None and value < minimum:
            raise self.error(name, f"must be >= {minimum}; got {int(value)}.")
        return int(value)

    def number(self, name: str) -> float:
        """A required number field."""
        value = self.raw(name)
        if not _is_number(value):
            raise self.error(name, f"expected a number; got {describe(value)}.")
        return float(value)

    def string(self, name: str) -> str:
        """A required string field."""
        value = self.raw(name)
        if not isinstance(value, str):
            raise self.error(name, f"expected a string; got {describe(value)}.")
        return value

    def number_array(self, name: str, *, length: int | None = None) -> NDArray[np.float64]:
        """A required flat list of numbers, optionally of a given length."""
        array = number_array(self.raw(name), self.prefix(name))
        if length is not None and array.size != length:
            raise self.error(name, f"has {array.size} entries; expected {length}.")
        return array

    def number_matrix(
        self, name: str, *, n_rows: int | None = None, n_cols: int | None = None
    ) -> NDArray[np.float64]:
        """A required list of equal-length lists of numbers."""
        return number_matrix(self.raw(name), self.prefix(name), n_rows=n_rows, n_cols=n_cols)

    def integer_array(
        self, name: str, *, upper: int | None = None, what: str = "index"
    ) -> NDArray[np.int64]:
        """A required flat list of integers in ``[0, upper)``."""
        return integer_array(self.raw(name), self.prefix(name), upper=upper, what=what)

    def strings(self, name: str, *, length: int | None = None) -> tuple[str, ...]:
        """A required list of strings."""
        return string_tuple(self.raw(name), self.prefix(name), length=length)
