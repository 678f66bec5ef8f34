"""Scenarios for the benchmark's own tests (suite "test"); loaded through VALUELEARN_SCENARIOS.

``tiny`` returns closed-form metrics, so every executor must store exactly the same numbers. When
``VALUELEARN_TEST_SLEEP`` is set each run sleeps that many seconds first, and when
``VALUELEARN_TEST_MARKS`` names a directory each finished run leaves a file there, so a test can
kill a suite in the middle of it.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from valuelearn.bench._registry import Scenario, register


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
