"""The full synthetic representational-alignment sweep, batched, against the scikit-learn loop.

Run in the project's own environment (``make bench-kernel-agents``)::

    .venv/bin/python benchmarks/bench_kernel_agents.py                 # the full sweep
    .venv/bin/python benchmarks/bench_kernel_agents.py --seeds 20      # quicker

The sweep (:func:`valuelearn.evaluation.alignment_sweep`): 11 alignment levels (0, 0.1, ..., 1)
x 4 kernel agents (SVR, kernel ridge, GP greedy, GP-UCB) x 100 seeds, plus the Thompson baseline
once per seed; each person has 50 personalisation actions (and 20 held-out ones) and each run
takes 100 steps. It is timed end to end (people, kernels of controlled alignment, all runs,
metrics), with every agent's runs one NumPy batch.

The straightforward engine (:func:`valuelearn.policy.personalise_sklearn`) refits
``KernelRidge(kernel="precomputed")``, ``GaussianProcessRegressor`` (precomputed kernel, fixed
hyper-parameters) or ``SVR(kernel="precomputed")`` at every step of every run. It is run on a
subsample of the *same* problems with the same random numbers (``--subsample`` runs per agent,
spread over levels), timed, and extrapolated linearly to the full number of runs (its cost per
run does not depend on the batch). The script checks that the two engines choose the same
actions on the subsample (exactly for the Gaussian agents; the SVR solvers stop at the same
tolerance from different iterates, so a near-tie may rarely go the other way) and prints the
ratio. BLAS threads are limited to ``BENCH_THREADS`` (default 2) and the process to that many
cores. Writes ``benchmarks/out/kernel_agents.json``, the correlations table and the figure
``benchmarks/out/kernel_agents.png``.
"""

from __future__ import annotations

import os

THREADS = os.environ.get("BENCH_THREADS", "2")
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS  # before NumPy is imported

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from valuelearn.evaluation import (  # noqa: E402
    DEFAULT_LEVELS,
    SWEEP_AGENTS,
    alignment_correlations,
    alignment_sweep,
    plot_alignment_sweep,
)
from valuelearn.evaluation._alignment_experiment import sweep_problems  # noqa: E402
from valuelearn.policy import AgentSettings, Draws, personalise, personalise_sklearn  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"


def time_sklearn(args: argparse.Namespace, settings: AgentSettings) -> dict[str, Any]:
    """Per agent: seconds per run of the scikit-learn loop on a subsample, and agreement."""
    levels = np.asarray(DEFAULT_LEVELS)
    problems = sweep_problems(
        levels, args.seeds, args.actions, args.held_out, args.steps, rng=args.seed
    )
    n_runs = levels.size * args.seeds
    pick = np.linspace(0, n_runs - 1, args.subsample).round().astype(int)
    draws = Draws(problems.draws.noise[pick], problems.draws.priority[pick], None)
    result: dict[str, Any] = {}
    for agent in SWEEP_AGENTS:
        common = dict(
            agent=agent, n_steps=args.steps, n_personal=args.actions, settings=settings, draws=draws
        )
        start, cpu = time.perf_counter(), time.process_time()
        slow = personalise_sklearn(
            problems.tiled_values[pick],
            problems.kernels[pick],
            **common,  # type: ignore[arg-type]
        )
        seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
        fast = personalise(
            problems.tiled_values[pick],
            problems.kernels[pick],
            **common,  # type: ignore[arg-type]
        )
        result[agent] = {
            "seconds_per_run": seconds / pick.size,
            "cpu_seconds_per_run": cpu_seconds / pick.size,
            "runs_timed": int(pick.size),
            "same_actions": float(np.mean(np.all(fast.actions == slow.actions, axis=1))),
        }
        print(
            f"  scikit-learn {agent:7s}: {seconds / pick.size:.3f} s/run on {pick.size} runs; "
            f"same choices in {result[agent]['same_actions']:.0%} of runs"
        )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=100)
    parser.add_argument("--actions", type=int, default=50)
    parser.add_argument("--held-out", type=int, default=20)
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--subsample", type=int, default=8, help="scikit-learn runs per agent")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: int(THREADS)])
    settings = AgentSettings()
    n_levels = len(DEFAULT_LEVELS)
    print(
        f"sweep: {n_levels} levels x {len(SWEEP_AGENTS)} agents x {args.seeds} seeds "
        f"(+ Thompson x {args.seeds}), {args.actions} actions (+{args.held_out} held out), "
        f"{args.steps} steps; {THREADS} threads"
    )
    start, cpu = time.perf_counter(), time.process_time()
    table = alignment_sweep(
        n_seeds=args.seeds,
        n_actions=args.actions,
        n_held_out=args.held_out,
        n_steps=args.steps,
        settings=settings,
        rng=args.seed,
    )
    batched, batched_cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"batched sweep: {batched:.1f} s wall, {batched_cpu:.1f} s CPU")
    timings = time_sklearn(args, settings)
    runs_per_agent = n_levels * args.seeds
    extrapolated = sum(t["seconds_per_run"] * runs_per_agent for t in timings.values())
    extrapolated_cpu = sum(t["cpu_seconds_per_run"] * runs_per_agent for t in timings.values())
    ratio, ratio_cpu = extrapolated / batched, extrapolated_cpu / batched_cpu
    print(
        f"scikit-learn loop, extrapolated from {args.subsample} runs per agent to "
        f"{runs_per_agent} runs per agent: {extrapolated:.0f} s wall, {extrapolated_cpu:.0f} s "
        f"CPU  ->  ratio {ratio:.0f}x wall, {ratio_cpu:.0f}x CPU (Thompson, the same in both, "
        "left out of the loop's total)"
    )
    rows = {unit: alignment_correlations(table, unit=unit) for unit in ("run", "level")}
    print("Spearman correlation of alignment (full) with each metric: per run | per level mean")
    agents = list(dict.fromkeys(r["agent"] for r in rows["run"]))
    print(f"{'metric':28s}" + "".join(f"{a:>24s}" for a in agents))
    for metric in dict.fromkeys(r["metric"] for r in rows["run"]):
        cells = []
        for agent in agents:
            run, level = (
                next(r for r in rows[u] if r["agent"] == agent and r["metric"] == metric)
                for u in ("run", "level")
            )
            cells.append(f"{run['rho']:+.2f} (p {run['p_value']:.0e}) {level['rho']:+.2f}")
        print(f"{metric:28s}" + "".join(f"{c:>24s}" for c in cells))
    means = {
        agent: {
            metric: float(np.nanmean(table[metric][table["agent"] == agent]))
            for metric in ("mean_reward", "bad_actions", "unique_actions")
        }
        for agent in (*SWEEP_AGENTS, "thompson")
    }
    args.out.mkdir(parents=True, exist_ok=True)
    figure = plot_alignment_sweep(table, title=f"synthetic people, {args.seeds} seeds")
    figure.savefig(args.out / "kernel_agents.png", dpi=110)
    result = {
        "machine": platform.platform(),
        "threads": int(THREADS),
        "settings": vars(args) | {"out": str(args.out)},
        "batched_seconds": batched,
        "batched_cpu_seconds": batched_cpu,
        "sklearn": timings,
        "sklearn_extrapolated_seconds": extrapolated,
        "sklearn_extrapolated_cpu_seconds": extrapolated_cpu,
        "ratio": ratio,
        "ratio_cpu": ratio_cpu,
        "correlations": rows,
        "means": means,
    }
    path = args.out / "kernel_agents.json"
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(result, indent=2))
    temporary.replace(path)
    print(f"wrote {path} and {args.out / 'kernel_agents.png'}")


if __name__ == "__main__":
    main()
