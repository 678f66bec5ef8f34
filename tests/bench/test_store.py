"""The DuckDB results store: one row per key, round trips, and clear errors."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from valuelearn.bench._store import DATABASE_NAME, ResultStore, RunRecord, open_existing
from valuelearn.exceptions import ValueLearnInputError


def record(seed: int = 0, **metrics: float) -> RunRecord:
    values = {"epic": 0.25, "normalized_regret": 0.5, **metrics}
    return RunRecord("s", "naive", 10, seed, "abc", "default", '{"k":1}', values, 1.5)


def test_add_is_idempotent_and_records_round_trip(tmp_path: Path):
    with ResultStore(tmp_path / "new" / "dir") as store:
        assert store.add(record(0, extra=3.0)) is True
        assert store.add(record(0, extra=99.0)) is False  # same key: the first row stays
        assert store.add(record(1)) is True
        assert len(store) == 2
        assert store.done_keys() == {("s", "naive", 10, 0, "abc"), ("s", "naive", 10, 1, "abc")}
    with open_existing(tmp_path / "new" / "dir") as store:
        first, second = store.records()
        assert store.records(["other"]) == [] and store.records([]) == []
    assert first.metrics == {"epic": 0.25, "normalized_regret": 0.5, "extra": 3.0}
    assert (first.config, first.wall_seconds, first.suite) == ('{"k":1}', 1.5, "default")
    assert first.finished_at is not None and first.valuelearn_version == "0.1.0"
    assert second.seed == 1


def test_non_finite_metrics_are_kept_in_json_and_null_in_columns(tmp_path: Path):
    with ResultStore(tmp_path) as store:
        store.add(record(epic=math.nan))
        (stored,) = store.records()
        columns = store._connection.execute("SELECT epic, normalized_regret FROM runs").fetchall()
    assert math.isnan(stored.metrics["epic"])
    assert columns == [(None, 0.5)]


def test_errors_name_the_path(tmp_path: Path):
    (tmp_path / "file").write_text("")
    with pytest.raises(ValueLearnInputError, match="file: the results directory is a file"):
        ResultStore(tmp_path / "file")
    with pytest.raises(ValueLearnInputError, match=f"empty/{DATABASE_NAME}: no results database"):
        open_existing(tmp_path / "empty")
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / DATABASE_NAME).write_text("not a database")
    with pytest.raises(ValueLearnInputError, match="cannot open the results database"):
        ResultStore(tmp_path / "bad")
