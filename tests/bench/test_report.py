"""The HTML report: statistics, current-configuration filtering, and a self-contained file."""

from __future__ import annotations

import math
import re
from datetime import datetime
from pathlib import Path

import pytest

from valuelearn.bench._console import summary_tables
from valuelearn.bench._registry import get
from valuelearn.bench._report import (
    Point,
    current_records,
    curves,
    format_point,
    group_rows,
    mean_se,
    summarize,
    write_report,
)
from valuelearn.bench._runner import run_suite
from valuelearn.bench._store import ResultStore, RunRecord


def rec(learner: str, n: int, seed: int, epic: float, *, config: str | None = None,
        scenario: str = "tiny", when: int = 0) -> RunRecord:  # fmt: skip
    config_hash = get("tiny").config_hash if config is None else config
    metrics = {"epic": epic, "normalized_regret": 2 * epic}
    return RunRecord(scenario, learner, n, seed, config_hash, "test", "{}", metrics, 0.1,
                     finished_at=datetime(2026, 1, 1, 0, 0, when))  # fmt: skip


def test_mean_and_standard_error_by_hand():
    assert mean_se([2.0, 4.0, 9.0]) == Point(5.0, pytest.approx(math.sqrt(13 / 3)), 3)
    assert mean_se([1.0, math.nan]) == Point(1.0, 0.0, 1)
    empty = mean_se([])
    assert empty.count == 0 and math.isnan(empty.mean) and format_point(empty) == "n/a"
    assert format_point(Point(0.5, 0.25, 2)) == "0.5 ± 0.25"


def test_curves_and_summary_use_the_largest_size():
    records = [rec("naive", n, s, 1 / n + s) for n in (1, 10) for s in (0, 1, 2)]
    records += [rec("aware", 10, 0, 0.05)]
    points = curves(records, "epic")["tiny"]
    assert points["naive"][10] == Point(pytest.approx(1.1), pytest.approx(1 / math.sqrt(3)), 3)
    assert points["naive"][1].mean == pytest.approx(2.0)
    rows = {row.learner: row for row in summarize(records)}
    assert (rows["naive"].n, rows["naive"].seeds, rows["aware"].seeds) == (10, 3, 1)
    assert rows["naive"].metrics["normalized_regret"].mean == pytest.approx(2.2)
    assert list(rows["naive"].metrics) == ["normalized_regret", "epic"]


def test_current_records_drop_old_configurations():
    records = [
        rec("naive", 1, 0, 0.1),
        rec("naive", 1, 0, 0.9, config="stale"),
        rec("naive", 1, 0, 0.3, scenario="gone", config="old", when=1),
        rec("naive", 1, 0, 0.4, scenario="gone", config="new", when=2),
    ]
    kept = current_records(records)
    assert [(r.scenario, r.config_hash) for r in kept] == [
        ("tiny", get("tiny").config_hash), ("gone", "new")
    ]  # fmt: skip


def test_report_is_self_contained_html(tmp_path: Path):
    records = [rec(learner, n, s, 1 / n) for learner in ("naive", "aware") for n in (1, 3, 9)
               for s in (0, 1)]  # fmt: skip
    records.append(rec("naive", 1, 0, 0.2, scenario="other", config="c"))
    out = write_report(records, tmp_path / "sub" / "report.html")
    text = out.read_text()
    assert text.startswith("<!DOCTYPE html>") and text.rstrip().endswith("</html>")
    assert len(re.findall(r'<img [^>]*src="data:image/png;base64,[A-Za-z0-9+/=]+"', text)) == 2
    assert not re.search(r'(src|href)="(?!data:)', text)  # no external assets
    assert "Closed-form metrics for testing the runner." in text
    assert (
        "<td>tiny</td><td>naive</td><td>9</td><td>2</td><td>0.222 ± 0</td><td>0.111 ± 0</td>"
        in text
    )
    assert [p.name for p in out.parent.iterdir()] == ["report.html"]  # no temporary file left
    empty = write_report([], tmp_path / "empty.html").read_text()
    assert "No runs stored yet." in empty


def test_a_scenario_with_its_own_metrics_axis_and_figures(tmp_path: Path):
    with ResultStore(tmp_path) as store:
        run_suite(store, "test-sweep")
        records = store.records(["sweep"])
    text = write_report(records, tmp_path / "report.html").read_text()
    section = text[text.index('<section id="sweep">') :]
    # its own panels and axis, its own figure, and a summary table with its own columns
    assert 'alt="sweep: metrics against alignment (%)"' in section
    assert 'alt="sweep: stored rewards"' in section and "sweep figure of 6 runs" in section
    header = "<th>scenario</th><th>learner</th><th>alignment (%)</th><th>seeds</th>"
    assert f"{header}<th>reward</th><th>bad actions</th></tr>" in section
    assert (
        "<td>sweep</td><td>agent</td><td>100</td><td>2</td><td>1.05 ± 0.05</td><td>0 ± 0</td>"
        in text
    )
    assert "EPIC" not in section
    tables = summary_tables(summarize(records), records, title="t")
    assert [c.header for c in tables[0].columns] == [
        "scenario", "learner", "alignment (%)", "seeds", "reward", "bad actions"
    ]  # fmt: skip


def test_summary_tables_split_by_metrics(tmp_path: Path):
    with ResultStore(tmp_path) as store:
        run_suite(store, "test-sweep")
        run_suite(store, "test", quick=True)
        records = store.records()
    rows = summarize(records)
    groups = group_rows(rows, records)
    assert [(metrics, label) for (metrics, label), _ in groups] == [
        (("normalized_regret", "epic"), "data size"),
        (("reward", "bad_actions"), "alignment (%)"),
    ]
    text = write_report(records, tmp_path / "r.html").read_text()
    summary = text[text.index("<h2>Summary</h2>") : text.index("<section")]
    assert summary.count("<table>") == 2
