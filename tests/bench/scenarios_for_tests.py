"""Scenarios for the benchmark's own tests (suite "test"); loaded through VALUELEARN_SCENARIOS.

``tiny`` returns closed-form metrics, so every executor must store exactly the same numbers. When
``VALUELEARN_TEST_SLEEP`` is set each run sleeps that many seconds first, and when
``VALUELEARN_TEST_MARKS`` names a directory each finished run leaves a file there, so a test can
kill a suite in the middle of it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt

from valuelearn.bench._registry import Scenario, register
from valuelearn.bench._report import png_img
from valuelearn.bench._store import RunRecord


def tiny_metrics(learner: str, n: int, seed: int) -> dict[str, float]:
    """The naive learner's EPIC is 1/(n+1) + seed/100; the aware one halves it."""
    epic = 1.0 / (n + 1) + seed / 100
    if learner == "aware":
        epic /= 2
    return {"epic": epic, "normalized_regret": 2 * epic, "extra": float(n * 10 + seed)}


def run_tiny(learner: str, n: int, seed: int) -> dict[str, float]:
    time.sleep(float(os.environ.get("VALUELEARN_TEST_SLEEP", "0")))
    marks = os.environ.get("VALUELEARN_TEST_MARKS")
    if marks:
        (Path(marks) / f"{learner}-{n}-{seed}-{os.getpid()}-{time.time_ns()}").touch()
    return tiny_metrics(learner, n, seed)


TINY = register(
    Scenario(
        name="tiny",
        description="Closed-form metrics for testing the runner.",
        run=run_tiny,
        sizes=(1, 3, 9),
        seeds=(0, 1),
        quick_sizes=(1, 3),
        quick_seeds=(0,),
        suites=("test",),
        config={"kind": "tiny", "version": 1},
    )
)


def run_sweep(learner: str, n: int, seed: int) -> dict[str, float]:
    """Reward rises with the alignment level ``n`` (percent); bad actions fall."""
    return {"reward": n / 100 + seed / 10, "bad_actions": 10.0 - n / 10}


def sweep_figures(records: Sequence[RunRecord]) -> str:
    """One extra plot (the stored rewards) and a paragraph counting the runs."""
    figure, axis = plt.subplots()
    axis.plot([r.n for r in records], [r.metrics["reward"] for r in records], "o")
    return png_img(figure, "sweep: stored rewards") + f"<p>sweep figure of {len(records)} runs</p>"


SWEEP = register(
    Scenario(
        name="sweep",
        description="Own metrics and x axis for testing the report.",
        run=run_sweep,
        learners=("agent",),
        sizes=(0, 50, 100),
        seeds=(0, 1),
        suites=("test-sweep",),
        metrics=("reward", "bad_actions"),
        x_label="alignment (%)",
        x_scale="linear",
        figures=sweep_figures,
    )
)
