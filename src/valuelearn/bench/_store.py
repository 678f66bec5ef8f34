"""The results store: one row per benchmark run in an embedded DuckDB database.

The key of a run is ``(scenario, learner, n, seed, config_hash)``. Each finished run is written
in its own transaction (``INSERT ... ON CONFLICT DO NOTHING``), so a process killed at any moment,
even by ``SIGKILL``, leaves either the whole row or none of it, and running the same suite again
adds only the runs that are missing. Only the process that runs the suite writes; workers return
their results to it.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Final

import duckdb

from valuelearn import __version__
from valuelearn.exceptions import ValueLearnInputError

#: File name of the database inside the results directory.
DATABASE_NAME: Final = "results.duckdb"

RunKey = tuple[str, str, int, int, str]

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS runs (
    scenario VARCHAR NOT NULL,
    learner VARCHAR NOT NULL,
    n INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    config_hash VARCHAR NOT NULL,
    suite VARCHAR NOT NULL,
    config VARCHAR NOT NULL,
    epic DOUBLE,
    normalized_regret DOUBLE,
    metrics VARCHAR NOT NULL,
    wall_seconds DOUBLE NOT NULL,
    finished_at TIMESTAMP NOT NULL,
    valuelearn_version VARCHAR NOT NULL,
    PRIMARY KEY (scenario, learner, n, seed, config_hash)
)
"""
_COLUMNS: Final = (
    "scenario, learner, n, seed, config_hash, suite, config, epic, normalized_regret, metrics, "
    "wall_seconds, finished_at, valuelearn_version"
)


@dataclass(frozen=True)
class RunRecord:
    """One finished run, as stored: its key, configuration, metrics and wall time."""

    scenario: str
    learner: str
    n: int
    seed: int
    config_hash: str
    suite: str
    config: str
    metrics: Mapping[str, float]
    wall_seconds: float
    finished_at: datetime | None = None
    valuelearn_version: str = __version__

    @property
    def key(self) -> RunKey:
        """``(scenario, learner, n, seed, config_hash)``: the primary key."""
        return (self.scenario, self.learner, self.n, self.seed, self.config_hash)


class ResultStore:
    """The DuckDB database of runs under a results directory (created if missing).

    Use as a context manager, or call :meth:`close`. One process at a time may hold the database
    open for writing (DuckDB's own file lock).

    Parameters
    ----------
    directory : path
        The results directory; the database is ``directory / "results.duckdb"``.

    Raises
    ------
    ValueLearnInputError
        If ``directory`` is a file, or the database is locked by another process or unreadable.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp, ResultStore(tmp) as store:
    ...     record = RunRecord("toy", "naive", 10, 0, "abc", "default", "{}",
    ...                        {"epic": 0.5, "normalized_regret": 0.25}, 0.1)
    ...     store.add(record), store.add(record), store.done_keys()
    (True, False, {('toy', 'naive', 10, 0, 'abc')})
    """

    def __init__(self, directory: str | Path) -> None:
        self.directory = Path(directory)
        if self.directory.exists() and not self.directory.is_dir():
            raise ValueLearnInputError(
                f"{self.directory}: the results directory is a file, not a directory."
            )
        self.directory.mkdir(parents=True, exist_ok=True)
        self.path = self.directory / DATABASE_NAME
        try:
            self._connection = duckdb.connect(str(self.path))
        except duckdb.Error as error:
            raise ValueLearnInputError(
                f"{self.path}: cannot open the results database: {_one_line(error)}"
            ) from None
        self._connection.execute(_SCHEMA)

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Close the database (checkpointing its write-ahead log)."""
        self._connection.close()

    def add(self, record: RunRecord) -> bool:
        """Write one run in its own transaction; ``False`` if its key was already stored."""
        metrics = {name: float(value) for name, value in record.metrics.items()}
        finished = record.finished_at or datetime.now(UTC).replace(tzinfo=None)
        row = (
            *record.key,
            record.suite,
            record.config,
            _finite_or_none(metrics.get("epic")),
            _finite_or_none(metrics.get("normalized_regret")),
            json.dumps(metrics, sort_keys=True),
            float(record.wall_seconds),
            finished,
            record.valuelearn_version,
        )
        placeholders = ", ".join("?" * len(row))
        cursor = self._connection.execute(
            f"INSERT INTO runs ({_COLUMNS}) VALUES ({placeholders}) ON CONFLICT DO NOTHING "
            "RETURNING scenario",
            row,
        )
        return cursor.fetchone() is not None

    def done_keys(self) -> set[RunKey]:
        """The keys of every stored run."""
        rows = self._connection.execute(
            "SELECT scenario, learner, n, seed, config_hash FROM runs"
        ).fetchall()
        return {(str(a), str(b), int(c), int(d), str(e)) for a, b, c, d, e in rows}

    def records(self, scenarios: Iterable[str] | None = None) -> list[RunRecord]:
        """Stored runs (of the given scenarios only, when given), ordered by key."""
        query = f"SELECT {_COLUMNS} FROM runs"
        parameters: list[Any] = []
        if scenarios is not None:
            names = list(scenarios)
            if not names:
                return []
            query += f" WHERE scenario IN ({', '.join('?' * len(names))})"
            parameters = names
        query += " ORDER BY scenario, learner, n, seed, config_hash"
        return [_record(row) for row in self._connection.execute(query, parameters).fetchall()]

    def __len__(self) -> int:
        result = self._connection.execute("SELECT count(*) FROM runs").fetchone()
        return 0 if result is None else int(result[0])


def open_existing(directory: str | Path) -> ResultStore:
    """Open the store under ``directory`` for reading; it must already hold a database.

    Raises
    ------
    ValueLearnInputError
        If ``directory / results.duckdb`` does not exist.
    """
    path = Path(directory) / DATABASE_NAME
    if not path.is_file():
        raise ValueLearnInputError(
            f"{path}: no results database; run 'valuelearn bench --results {directory}' first."
        )
    return ResultStore(directory)


def _record(row: tuple[Any, ...]) -> RunRecord:
    scenario, learner, n, seed, config_hash, suite, config, _, _, metrics, wall, finished = row[:12]
    return RunRecord(
        scenario=scenario,
        learner=learner,
        n=int(n),
        seed=int(seed),
        config_hash=config_hash,
        suite=suite,
        config=config,
        metrics={k: float(v) for k, v in json.loads(metrics).items()},
        wall_seconds=float(wall),
        finished_at=finished,
        valuelearn_version=row[12],
    )


def _finite_or_none(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def _one_line(error: BaseException) -> str:
    return " ".join(str(error).split())
