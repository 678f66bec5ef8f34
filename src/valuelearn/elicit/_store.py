"""The answers database: every answer is committed to SQLite the moment it arrives.

One file holds one elicitation session: its answers in the order they were given, so a restart
loses nothing and the session resumes where it stopped. SQLite (Python's standard library) suits
this job: one small transactional insert per answer, durable when the commit returns, readable by
any SQLite tool.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from valuelearn.data import OUTCOMES, Comparisons
from valuelearn.exceptions import ValueLearnInputError

#: Tag in the ``meta`` table of every answers database.
ANSWERS_FORMAT = "valuelearn.answers/1"

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS answers (
    number INTEGER PRIMARY KEY,
    a TEXT NOT NULL,
    b TEXT NOT NULL,
    preferred TEXT NOT NULL CHECK (preferred IN {OUTCOMES!r}),
    rater TEXT,
    answered_at TEXT NOT NULL
);
INSERT OR IGNORE INTO meta VALUES ('format', '{ANSWERS_FORMAT}');
"""


class AnswerStore:
    """Answers to "which is better?" questions, kept in an SQLite file.

    Parameters
    ----------
    path : str or path
        The database file; created (with its tables) unless ``create`` is false.
    create : bool
        Whether a missing file may be created.

    Raises
    ------
    ValueLearnInputError
        When the file is missing (and ``create`` is false), is not an SQLite database, or is an
        SQLite database of something else.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "answers.sqlite"
    >>> with AnswerStore(path) as store:
    ...     store.append("tea", "coffee", "b")  # the answer's number
    0
    >>> with AnswerStore(path, create=False) as store:  # a new process sees the same answers
    ...     store.comparisons().preferred
    ('b',)
    """

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise ValueLearnInputError(f"{self.path}: no answers database there.")
        self._connection = sqlite3.connect(self.path, check_same_thread=False)
        try:
            self._check_format()
        except BaseException:
            self._connection.close()
            raise

    def _check_format(self) -> None:
        """Create the tables in a new file; refuse a file that is something else."""
        try:
            tables = {
                row[0]
                for row in self._connection.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table'"
                )
            }
            if tables and "meta" not in tables:
                raise ValueLearnInputError(
                    f"{self.path}: an SQLite database of something else (tables: "
                    f"{', '.join(sorted(tables))}); expected a valuelearn answers database."
                )
            self._connection.executescript(_SCHEMA)
            found = self._connection.execute("SELECT value FROM meta WHERE key = 'format'")
            tag = found.fetchone()[0]
        except sqlite3.DatabaseError as error:
            raise ValueLearnInputError(
                f"{self.path}: not a valuelearn answers database ({error})."
            ) from None
        if tag != ANSWERS_FORMAT:
            raise ValueLearnInputError(
                f"{self.path}: an SQLite database of format {tag!r}; expected {ANSWERS_FORMAT!r}."
            )

    def __enter__(self) -> AnswerStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (every answer is already committed)."""
        self._connection.close()

    def __len__(self) -> int:
        return int(self._connection.execute("SELECT count(*) FROM answers").fetchone()[0])

    def append(self, a: str, b: str, preferred: str, rater: str | None = None) -> int:
        """Commit one answer; return its number (0 for the first answer)."""
        with self._connection:  # one transaction, committed on return
            number = len(self)
            self._connection.execute(
                "INSERT INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                (number, a, b, preferred, rater, datetime.now(UTC).isoformat(timespec="seconds")),
            )
        return number

    def comparisons(self) -> Comparisons:
        """Every answer, in the order given, as :class:`~valuelearn.data.Comparisons`."""
        rows = self._connection.execute(
            "SELECT a, b, preferred, rater FROM answers ORDER BY number"
        ).fetchall()
        if not rows:
            return Comparisons((), (), ())
        a, b, preferred, rater = (tuple(column) for column in zip(*rows, strict=True))
        return Comparisons(a, b, preferred, rater=rater)
