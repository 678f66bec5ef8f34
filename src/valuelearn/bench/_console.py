"""Terminal output of the benchmark: the summary table and the progress bar (rich)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from valuelearn.bench._registry import Scenario
from valuelearn.bench._report import (
    Point,
    SummaryRow,
    format_point,
    group_rows,
    metric_label,
)
from valuelearn.bench._runner import ProgressCallback
from valuelearn.bench._store import RunRecord

_HEADERS = {"normalized_regret": "normalised regret", "epic": "EPIC"}


def summary_tables(rows: list[SummaryRow], records: list[RunRecord], *, title: str) -> list[Table]:
    """Rich tables, one per set of metrics: scenario, learner, largest swept value, seeds, and
    each metric as mean ± se."""
    tables = []
    for index, ((metrics, x_label), group) in enumerate(group_rows(rows, records)):
        table = Table(title=title if index == 0 else None)
        table.add_column("scenario")
        table.add_column("learner")
        for column in (x_label, "seeds"):
            table.add_column(column, justify="right")
        for metric in metrics:
            table.add_column(_HEADERS.get(metric, metric_label(metric)), justify="right")
        for row in group:
            table.add_row(
                row.scenario,
                row.learner,
                str(row.n),
                str(row.seeds),
                *(format_point(row.metrics.get(m, Point(0, 0, 0))) for m in metrics),
            )
        tables.append(table)
    return tables


def scenario_table(entries: list[Scenario]) -> Table:
    """A rich table of scenarios: name, suites, learners, sizes, seeds, description."""
    table = Table(title="Scenarios")
    for column in ("scenario", "suites", "learners", "sizes (quick)", "seeds (quick)"):
        table.add_column(column)
    table.add_column("description", overflow="fold")
    for scenario in entries:
        (sizes, seeds), (quick_sizes, quick_seeds) = scenario.sweep(), scenario.sweep(quick=True)
        table.add_row(
            scenario.name,
            ", ".join(scenario.suites),
            ", ".join(scenario.learners),
            f"{_ints(sizes)} ({_ints(quick_sizes)})",
            f"{_ints(seeds)} ({_ints(quick_seeds)})",
            scenario.description,
        )
    return table


@contextlib.contextmanager
def progress_bar(console: Console) -> Iterator[ProgressCallback]:
    """A rich progress bar over the runs to do; yields the callback that advances it."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[last]}"),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("runs", total=None, last="")

        def advance(count: int, todo: int, record: RunRecord) -> None:
            last = f"{record.scenario}/{record.learner} n={record.n} seed={record.seed}"
            progress.update(task, completed=count, total=todo, last=last)

        yield advance


def _ints(values: tuple[int, ...]) -> str:
    return ",".join(map(str, values))
