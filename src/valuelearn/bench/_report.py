"""The benchmark report: one self-contained HTML file with a plot and a table per scenario.

For every scenario, each learner's metrics (by default EPIC distance and normalised regret)
against what the scenario sweeps (by default the data size, log scale), as the mean over seeds
with error bars of one standard error; a summary table of each learner at the largest swept
value; and any figures the scenario draws itself (its ``figures`` function). Plots are PNGs
drawn with Matplotlib's Agg backend and embedded as base64, so the file needs nothing else to open.
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
from matplotlib.figure import Figure

from valuelearn import __version__
from valuelearn._files import atomic_write_text
from valuelearn.bench._registry import DEFAULT_METRICS, get, scenarios
from valuelearn.bench._store import RunRecord
from valuelearn.exceptions import ValueLearnInputError

#: The metrics a scenario reports unless it names its own, plotted and tabulated in this order.
METRICS: Final[tuple[str, ...]] = DEFAULT_METRICS
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
    names = sorted({r.scenario for r in kept}, key=_scenario_order)
    sections = [_section(name, [r for r in kept if r.scenario == name], summary) for name in names]
    tables = [
        _table(rows, metrics, x_label) for (metrics, x_label), rows in group_rows(summary, kept)
    ]
    document = _PAGE.format(
        version=html.escape(__version__),
        when=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        runs=len(kept),
        summary="\n".join(tables),
        sections="\n".join(sections) or "<p>No runs stored yet.</p>",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write_text(path, document)
    return path


@dataclass(frozen=True)
class Layout:
    """How a scenario's runs are shown: its metrics, what ``n`` means, the axis scale."""

    metrics: tuple[str, ...]
    x_label: str
    x_scale: str


def layout(name: str, records: Iterable[RunRecord] = ()) -> Layout:
    """The registered scenario's metrics and axis; for an unknown one, the defaults.

    An unregistered scenario (results of a module no longer loaded) shows the default metrics
    it has, else every metric its runs stored.
    """
    try:
        scenario = get(name)
    except ValueLearnInputError:
        stored = sorted({m for r in records for m in r.metrics}, key=_metric_order)
        metrics = tuple(m for m in METRICS if m in stored) or tuple(stored) or METRICS
        return Layout(metrics, "data size", "log")
    return Layout(scenario.metrics, scenario.x_label, scenario.x_scale)


def group_rows(
    rows: Sequence[SummaryRow], records: Iterable[RunRecord] = ()
) -> list[tuple[tuple[tuple[str, ...], str], list[SummaryRow]]]:
    """Summary rows grouped by (metrics, x label), in first-seen order: one table per group."""
    records = list(records)
    groups: dict[tuple[tuple[str, ...], str], list[SummaryRow]] = {}
    for row in rows:
        shown = layout(row.scenario, [r for r in records if r.scenario == row.scenario])
        groups.setdefault((shown.metrics, shown.x_label), []).append(row)
    return list(groups.items())


def metric_label(metric: str) -> str:
    """The human-readable name of a metric (``"epic"`` -> ``"EPIC distance"``)."""
    return _LABELS.get(metric, metric.replace("_", " "))


def png_img(figure: Figure, alt: str) -> str:
    """An ``<img>`` tag holding ``figure`` as an embedded PNG; closes the figure.

    Scenarios' ``figures`` functions use this to add their own plots to the report.
    """
    try:
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png", dpi=90)
    finally:
        plt.close(figure)
    data = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _section(name: str, records: list[RunRecord], summary: list[SummaryRow]) -> str:
    description = ""
    extra = ""
    with contextlib.suppress(ValueLearnInputError):
        scenario = get(name)
        description = scenario.description
        if scenario.figures is not None:
            extra = scenario.figures(records)
    shown = layout(name, records)
    by_metric = {metric: curves(records, metric).get(name, {}) for metric in shown.metrics}
    rows = [row for row in summary if row.scenario == name]
    return (
        f'<section id="{html.escape(name)}"><h2>{html.escape(name)}</h2>'
        f"<p>{html.escape(description)}</p>"
        f"{_plot(name, by_metric, shown)}"
        f"{_table(rows, shown.metrics, shown.x_label)}{extra}</section>"
    )


def _plot(name: str, by_metric: dict[str, dict[str, dict[int, Point]]], shown: Layout) -> str:
    count = len(shown.metrics)
    figure, axes = plt.subplots(1, count, figsize=(4.2 * count, 3.2), squeeze=False)
    for axis, metric in zip(axes[0], shown.metrics, strict=True):
        for learner, points in by_metric[metric].items():
            sizes = [n for n, p in points.items() if p.count]
            axis.errorbar(
                sizes,
                [points[n].mean for n in sizes],
                yerr=[points[n].se for n in sizes],
                marker="o",
                capsize=3,
                label=learner,
            )
        axis.set_xscale(shown.x_scale)
        axis.set_xlabel(shown.x_label)
        axis.set_ylabel(metric_label(metric))
        axis.grid(alpha=0.3)
        if axis.get_legend_handles_labels()[0]:
            axis.legend()
    figure.suptitle(name)
    figure.tight_layout()
    return png_img(figure, f"{name}: metrics against {shown.x_label}")


def _table(rows: list[SummaryRow], metrics: Sequence[str], x_label: str) -> str:
    header = "".join(
        f"<th>{html.escape(text)}</th>"
        for text in ("scenario", "learner", x_label, "seeds", *map(metric_label, metrics))
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
                *(format_point(row.metrics.get(m, Point(0, 0, 0))) for m in metrics),
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
bars and &plusmn; give one standard error. The tables give each learner at the largest value its
scenario sweeps (by default the data size).</p>
<h2>Summary</h2>
{summary}
{sections}
</body></html>
"""
