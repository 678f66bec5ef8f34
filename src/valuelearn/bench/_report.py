"""The benchmark report: one self-contained HTML file with a plot and a table per scenario.

For every scenario, each learner's EPIC distance and normalised regret against the data size
(log scale), as the mean over seeds with error bars of one standard error; and a summary table
of each learner at the largest data size. Plots are PNGs drawn with Matplotlib's Agg backend and
embedded as base64, so the file needs nothing else to open.
"""

from __future__ import annotations

import base64
import contextlib
import html
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Final

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from valuelearn import __version__
from valuelearn._files import atomic_write_text
from valuelearn.bench._registry import get, scenarios
from valuelearn.bench._store import RunRecord

#: The metrics every scenario reports, plotted and tabulated in this order.
METRICS: Final = ("normalized_regret", "epic")
_LABELS: Final = {"normalized_regret": "normalised regret", "epic": "EPIC distance"}


@dataclass(frozen=True)
class Point:
    """Mean and standard error of one metric over seeds, for one learner and data size."""

    mean: float
    se: float
    count: int


@dataclass(frozen=True)
class SummaryRow:
    """One learner of one scenario at its largest data size."""

    scenario: str
    learner: str
    n: int
    seeds: int
    metrics: dict[str, Point]


def mean_se(values: Sequence[float]) -> Point:
    """Mean and standard error (sample standard deviation over sqrt(count)) of finite values.

    Examples
    --------
    >>> mean_se([1.0, 2.0, 3.0])
    Point(mean=2.0, se=0.5773502691896257, count=3)
    >>> mean_se([4.0]).se
    0.0
    """
    finite = [v for v in values if math.isfinite(v)]
    count = len(finite)
    if count == 0:
        return Point(math.nan, math.nan, 0)
    mean = math.fsum(finite) / count
    if count == 1:
        return Point(mean, 0.0, 1)
    variance = math.fsum((v - mean) ** 2 for v in finite) / (count - 1)
    return Point(mean, math.sqrt(variance / count), count)


Curves = dict[str, dict[str, dict[int, Point]]]  # scenario -> learner -> n -> one metric's Point


def current_records(records: Iterable[RunRecord]) -> list[RunRecord]:
    """Keep, per scenario, the runs of its current configuration.

    For a registered scenario that is its configuration hash now; for one no longer registered,
    the configuration of its most recently finished run.
    """
    records = list(records)
    registered = {s.name: s.config_hash for s in scenarios()}
    latest: dict[str, tuple[datetime, str]] = {}
    for record in records:
        stamp = record.finished_at or datetime.min
        if record.scenario not in latest or stamp > latest[record.scenario][0]:
            latest[record.scenario] = (stamp, record.config_hash)
    wanted = {name: registered.get(name, pair[1]) for name, pair in latest.items()}
    return [r for r in records if r.config_hash == wanted[r.scenario]]


def curves(records: Iterable[RunRecord], metric: str) -> Curves:
    """``metric`` per scenario, learner and data size: mean and standard error over seeds."""
    grouped: dict[str, dict[str, dict[int, list[float]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for record in records:
        value = record.metrics.get(metric)
        if value is not None:
            grouped[record.scenario][record.learner][record.n].append(value)
    return {
        scenario: {
            learner: {n: mean_se(values) for n, values in sorted(by_n.items())}
            for learner, by_n in by_learner.items()
        }
        for scenario, by_learner in grouped.items()
    }


def summarize(records: Iterable[RunRecord]) -> list[SummaryRow]:
    """One row per (scenario, learner): every metric at that learner's largest data size.

    Examples
    --------
    >>> make = lambda seed, epic: RunRecord("s", "naive", 100, seed, "h", "default", "{}",
    ...                                     {"epic": epic, "normalized_regret": 0.5}, 0.1)
    >>> [row] = summarize([make(0, 0.2), make(1, 0.4)])
    >>> row.n, row.seeds, round(row.metrics["epic"].mean, 6), round(row.metrics["epic"].se, 6)
    (100, 2, 0.3, 0.1)
    """
    largest: dict[tuple[str, str], list[RunRecord]] = {}
    for record in records:
        key = (record.scenario, record.learner)
        current = largest.get(key)
        if current is None or record.n > current[0].n:
            largest[key] = [record]
        elif record.n == current[0].n:
            current.append(record)
    rows = []
    for (scenario, learner), group in largest.items():
        names = sorted({name for r in group for name in r.metrics}, key=_metric_order)
        rows.append(
            SummaryRow(
                scenario,
                learner,
                group[0].n,
                len({r.seed for r in group}),
                {name: mean_se([r.metrics.get(name, math.nan) for r in group]) for name in names},
            )
        )
    return sorted(rows, key=lambda row: (_scenario_order(row.scenario), row.learner))


def format_point(point: Point) -> str:
    """``"0.123 ± 0.004"`` (three significant digits), or ``"n/a"``.

    Examples
    --------
    >>> format_point(Point(0.12345, 0.0042, 3))
    '0.123 ± 0.0042'
    """
    if point.count == 0:
        return "n/a"
    return f"{point.mean:.3g} ± {point.se:.2g}"


def write_report(records: Iterable[RunRecord], path: str | Path) -> Path:
    """Write the HTML report of ``records`` (current configurations only) to ``path`` atomically.

    Examples
    --------
    >>> import tempfile
    >>> make = lambda n, seed: RunRecord("s", "naive", n, seed, "h", "default", "{}",
    ...                                  {"epic": 1 / n, "normalized_regret": 0.5 / n}, 0.1)
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     out = write_report([make(n, s) for n in (10, 100) for s in (0, 1)], f"{tmp}/r.html")
    ...     text = out.read_text()
    >>> "data:image/png;base64," in text and "<td>s</td>" in text
    True
    """
    path = Path(path)
    kept = current_records(records)
    summary = summarize(kept)
    by_metric = {metric: curves(kept, metric) for metric in METRICS}
    names = sorted({r.scenario for r in kept}, key=_scenario_order)
    sections = [_section(name, by_metric, summary) for name in names]
    document = _PAGE.format(
        version=html.escape(__version__),
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        runs=len(kept),
        summary=_table(summary),
        sections="\n".join(sections) or "<p>No runs stored yet.</p>",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, document)
    return path


def _section(name: str, by_metric: dict[str, Curves], summary: list[SummaryRow]) -> str:
    description = ""
    with contextlib.suppress(ValueError):
        description = get(name).description
    rows = [row for row in summary if row.scenario == name]
    return (
        f'<section id="{html.escape(name)}"><h2>{html.escape(name)}</h2>'
        f"<p>{html.escape(description)}</p>"
        f'<img alt="{html.escape(name)}: metrics against data size" '
        f'src="data:image/png;base64,{_plot(name, by_metric)}">'
        f"{_table(rows)}</section>"
    )


def _plot(name: str, by_metric: dict[str, Curves]) -> str:
    figure, axes = plt.subplots(1, len(METRICS), figsize=(4.2 * len(METRICS), 3.2))
    try:
        for axis, metric in zip(axes, METRICS, strict=True):
            for learner, points in by_metric[metric].get(name, {}).items():
                sizes = [n for n, p in points.items() if p.count]
                axis.errorbar(
                    sizes,
                    [points[n].mean for n in sizes],
                    yerr=[points[n].se for n in sizes],
                    marker="o",
                    capsize=3,
                    label=learner,
                )
            axis.set_xscale("log")
            axis.set_xlabel("data size")
            axis.set_ylabel(_LABELS[metric])
            axis.grid(alpha=0.3)
            axis.legend()
        figure.suptitle(name)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
    finally:
        plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _table(rows: list[SummaryRow]) -> str:
    header = "".join(
        f"<th>{html.escape(text)}</th>"
        for text in ("scenario", "learner", "data size", "seeds", *(_LABELS[m] for m in METRICS))
    )
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(cell))}</td>"
            for cell in (
                row.scenario,
                row.learner,
                row.n,
                row.seeds,
                *(format_point(row.metrics.get(m, Point(0, 0, 0))) for m in METRICS),
            )
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{header}</tr>{body}</table>"


def _metric_order(name: str) -> tuple[int, str]:
    return (METRICS.index(name) if name in METRICS else len(METRICS), name)


def _scenario_order(name: str) -> tuple[int, str]:
    order = [s.name for s in scenarios()]
    return (order.index(name) if name in order else len(order), name)


_PAGE: Final = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>valuelearn benchmark</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1000px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; margin: 1em 0; }}
th, td {{ border: 1px solid #ccc; padding: 0.3em 0.7em; text-align: right; }}
th:first-child, td:first-child, th:nth-child(2), td:nth-child(2) {{ text-align: left; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>valuelearn benchmark</h1>
<p>valuelearn {version}; {runs} runs; written {when}. Each point is the mean over seeds; error
bars and &plusmn; give one standard error. The table gives each learner at its largest data
size.</p>
<h2>Summary</h2>
{summary}
{sections}
</body></html>
"""
