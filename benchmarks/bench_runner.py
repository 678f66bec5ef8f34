"""Runner benchmark: throughput with 1 vs 2 local workers, and the Ray executor's overhead.

Runs one suite (default: the quick sweep of the ``quick`` suite) from scratch into a fresh
results database for each executor, best of ``--repeats``::

    .venv/bin/python benchmarks/bench_runner.py
    .venv/bin/python benchmarks/bench_runner.py --suite default --full --repeats 1

Executors: ``local`` with 1 worker (in-process, no pool), ``local`` with 2 worker processes
(spawned, so their start-up is included), and ``ray`` on a local Ray instance with 2 CPUs
(started once, before timing; its start-up is reported separately). Prints a table and writes
``benchmarks/out/runner.json`` atomically, with the machine's load average.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

import valuelearn
from valuelearn._files import atomic_write_text
from valuelearn.bench._runner import Executor, plan_runs, run_suite
from valuelearn.bench._store import ResultStore


def time_suite(suite: str, quick: bool, executor: Executor, workers: int, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as tmp, ResultStore(tmp) as store:
            start = time.perf_counter()
            run_suite(store, suite, quick=quick, executor=executor, workers=workers)
            best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--suite", default="quick")
    parser.add_argument("--full", action="store_true", help="full sweep instead of --quick")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    quick = not args.full
    runs = len(plan_runs(args.suite, quick=quick))
    rows: list[dict[str, Any]] = []
    for label, executor, workers in (
        ("local, 1 worker", "local", 1),
        ("local, 2 workers", "local", 2),
    ):
        seconds = time_suite(args.suite, quick, executor, workers, args.repeats)  # type: ignore[arg-type]
        rows.append({"executor": label, "seconds": seconds})
    ray_start = None
    if not args.no_ray:
        import ray

        start = time.perf_counter()
        ray.init(address="local", num_cpus=2, include_dashboard=False, log_to_driver=False)
        ray_start = time.perf_counter() - start
        try:
            seconds = time_suite(args.suite, quick, "ray", 2, args.repeats)
        finally:
            ray.shutdown()
        rows.append({"executor": "ray, 2 CPUs (started)", "seconds": seconds})
    base = rows[0]["seconds"]
    two = rows[1]["seconds"]
    print(
        f"suite {args.suite!r} ({'quick' if quick else 'full'} sweep): {runs} runs, best of "
        f"{args.repeats}"
    )
    print(f"{'executor':<24} {'seconds':>9} {'runs/s':>8} {'vs 1 worker':>12} {'vs 2 workers':>13}")
    for row in rows:
        row["runs_per_second"] = runs / row["seconds"]
        row["speedup_vs_1_worker"] = base / row["seconds"]
        row["time_vs_2_workers"] = row["seconds"] / two
        print(
            f"{row['executor']:<24} {row['seconds']:>9.2f} {row['runs_per_second']:>8.2f} "
            f"{row['speedup_vs_1_worker']:>11.2f}x {row['time_vs_2_workers']:>12.2f}x"
        )
    if ray_start is not None:
        print(f"ray.init (local instance, 2 CPUs): {ray_start:.2f} s, not included above")
    report = {
        "suite": args.suite, "quick": quick, "runs": runs, "repeats": args.repeats,
        "rows": rows, "ray_init_seconds": ray_start, "valuelearn": valuelearn.__version__,
        "python": platform.python_version(), "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }  # fmt: skip
    out = Path(__file__).with_name("out") / "runner.json"
    out.parent.mkdir(exist_ok=True)
    atomic_write_text(out, json.dumps(report, indent=1) + "\n")
    print(f"written to {out}")


if __name__ == "__main__":
    main()
