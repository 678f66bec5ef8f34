"""Active preference queries: how many comparisons each strategy needs to learn a person's weights.

A simulated Bradley–Terry person with true weights ``w`` answers "which is better, a or b?"
about candidate pairs; :func:`valuelearn.inference.active_preference_curve` refits the belief
(Laplace posterior by default) after every answer and asks the next pair by mutual information,
volume removal, disagreement, Thompson sampling or at random. Two settings, all five strategies,
every seed, in one run (the same worlds, true weights and answer noise for every strategy):

- ``linear``: items with i.i.d. N(0, 1) features; target cosine(w_hat, w) >= 0.9.
- ``segments``: items are random-walk trajectory segments in a gridworld with Gaussian state
  features (``Items.from_segments``); target EPIC(features @ w_hat, features @ w) <= 0.1.

Run in the project's environment (``make bench-queries``)::

    .venv/bin/python benchmarks/bench_preference_queries.py [--seeds 12] [--jobs 2]

Prints, per setting and strategy, the questions each seed needed to first reach the target and
the questions after which it stayed there to the end of the budget (mean, standard deviation,
median, and how many seeds got there; a seed that never does counts as budget + 1, shown with
">="), and where the mean curve over seeds crosses the target; writes to ``benchmarks/out/``:
``preference_queries.csv`` (one row per setting, strategy, seed and number of answers),
``preference_queries_summary.csv`` and ``preference_queries.png`` (mean curves).
"""

from __future__ import annotations

import os

for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")  # tiny fits; the parallelism is over runs

import argparse  # noqa: E402
import csv  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from valuelearn.data import Items, feature_gridworld  # noqa: E402
from valuelearn.evaluation import epic_distance  # noqa: E402
from valuelearn.inference import active_preference_curve  # noqa: E402
from valuelearn.policy import sample_trajectories  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
EPIC_DISCOUNT = 0.9
STRATEGIES = ("mutual-information", "volume-removal", "disagreement", "thompson", "random")
#: setting -> (metric, target, True when lower is better)
TARGETS = {"linear": ("cosine", 0.9, False), "segments": ("epic", 0.1, True)}


def true_weights(rng: np.random.Generator, n_features: int, norm: float) -> np.ndarray:
    """A uniformly random direction with the given length."""
    weights = rng.normal(size=n_features)
    return weights * norm / np.linalg.norm(weights)


def run_linear(args: argparse.Namespace, strategy: str, seed: int) -> dict[str, list[float]]:
    """Cosine after each answer, items with Gaussian features."""
    rng = np.random.default_rng([seed, 1])
    features = rng.normal(size=(args.items, args.features))
    items = Items(tuple(f"x{i}" for i in range(args.items)), features=features)
    weights = true_weights(rng, args.features, args.norm)
    curve = active_preference_curve(
        items, weights, n_queries=args.queries, strategy=strategy, belief=args.belief,
        n_samples=args.n_samples, rng=seed,
    )  # fmt: skip
    return {"cosine": curve.cosine.tolist()}


def run_segments(args: argparse.Namespace, strategy: str, seed: int) -> dict[str, list[float]]:
    """Cosine and EPIC after each answer, items are random-walk segments in a gridworld."""
    rng = np.random.default_rng([seed, 2])
    mdp = feature_gridworld(args.grid, n_features=args.segment_features, kind="gaussian", rng=rng)
    walk = np.full((mdp.n_states, mdp.n_actions), 1.0 / mdp.n_actions)
    segments = sample_trajectories(mdp, walk, n=args.segments, horizon=args.segment_length, rng=rng)
    items = Items.from_segments(mdp, list(segments))
    weights = true_weights(rng, args.segment_features, args.segment_norm)
    curve = active_preference_curve(
        items, weights, n_queries=args.segment_queries, strategy=strategy, belief=args.belief,
        n_samples=args.n_samples, rng=seed,
    )  # fmt: skip
    assert mdp.features is not None
    truth = mdp.features @ weights
    epic = [
        epic_distance(mdp, truth, mdp.features @ estimate, discount=EPIC_DISCOUNT)
        for estimate in curve.weights
    ]
    return {"cosine": curve.cosine.tolist(), "epic": epic}


def run_one(task: tuple[argparse.Namespace, str, str, int]) -> dict[str, Any]:
    args, setting, strategy, seed = task
    start = time.perf_counter()
    run = run_linear if setting == "linear" else run_segments
    curves = run(args, strategy, seed)
    return {"setting": setting, "strategy": strategy, "seed": seed, "seconds":
            time.perf_counter() - start, **curves}  # fmt: skip


def first_reach(values: np.ndarray, target: float, lower_is_better: bool) -> int | None:
    """Answers before ``values`` first meets ``target`` (``None`` if it never does)."""
    met = values <= target if lower_is_better else values >= target
    hits = np.flatnonzero(met)
    return int(hits[0]) if hits.size else None


def settled(values: np.ndarray, target: float, lower_is_better: bool) -> int | None:
    """Answers after which ``values`` meets ``target`` to the end (``None``: the last misses)."""
    met = values <= target if lower_is_better else values >= target
    misses = np.flatnonzero(~met)
    if not met[-1]:
        return None
    return int(misses[-1]) + 1 if misses.size else 0


def censored_stats(counts: list[int | None], budget: int, name: str) -> dict[str, Any]:
    """Mean, standard deviation, median and range, a run that never gets there counting budget+1."""
    values = np.array([budget + 1 if n is None else n for n in counts])
    return {
        f"{name}_reached": sum(n is not None for n in counts),
        f"{name}_mean": float(values.mean()),
        f"{name}_std": float(values.std(ddof=1)) if values.size > 1 else 0.0,
        f"{name}_median": float(np.median(values)),
        f"{name}_min": int(values.min()),
        f"{name}_max": int(values.max()),
    }


def summarise(runs: list[dict[str, Any]], budgets: dict[str, int]) -> list[dict[str, Any]]:
    """One row per setting and strategy: questions to the target over seeds."""
    rows = []
    for setting, (metric, target, lower) in TARGETS.items():
        for strategy in STRATEGIES:
            mine = [r for r in runs if r["setting"] == setting and r["strategy"] == strategy]
            if not mine:
                continue
            curves = np.array([r[metric] for r in mine])
            budget = budgets[setting]
            rows.append({
                "setting": setting, "strategy": strategy, "metric": metric, "target": target,
                "budget": budget, "seeds": len(mine),
                **censored_stats([first_reach(c, target, lower) for c in curves], budget, "first"),
                **censored_stats([settled(c, target, lower) for c in curves], budget, "settled"),
                "mean_curve": first_reach(curves.mean(axis=0), target, lower),
                "seconds_per_run": float(np.mean([r["seconds"] for r in mine])),
            })  # fmt: skip
    return rows


def print_table(rows: list[dict[str, Any]]) -> None:
    """The summary as a Markdown table."""
    print("| setting | strategy | target | first reached: mean ± sd | median | range | seeds "
          "| stays from: mean ± sd | median | seeds | mean curve | s/run |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for row in rows:
        sign = "<=" if row["metric"] == "epic" else ">="
        crossing = row["mean_curve"] if row["mean_curve"] is not None else f"> {row['budget']}"
        cells = [row["setting"], row["strategy"], f"{row['metric']} {sign} {row['target']}"]
        for name in ("first", "settled"):
            censored = ">= " if row[f"{name}_reached"] < row["seeds"] else ""
            cells += [
                f"{censored}{row[f'{name}_mean']:.1f} ± {row[f'{name}_std']:.1f}",
                f"{row[f'{name}_median']:.0f}",
            ]
            if name == "first":
                cells.append(f"{row['first_min']}–{row['first_max']}")
            cells.append(f"{row[f'{name}_reached']}/{row['seeds']}")
        cells += [str(crossing), f"{row['seconds_per_run']:.1f}"]
        print("| " + " | ".join(cells) + " |")


def write_outputs(runs: list[dict[str, Any]], rows: list[dict[str, Any]], out: Path) -> None:
    """The per-answer CSV, the summary CSV and the PNG of the mean curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    with open(out / "preference_queries.csv", "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["setting", "strategy", "seed", "answers", "cosine", "epic"])
        for run in runs:
            epic = run.get("epic", [None] * len(run["cosine"]))
            for k, (cos, dist) in enumerate(zip(run["cosine"], epic, strict=True)):
                cells = [f"{cos:.6f}", "" if dist is None else f"{dist:.6f}"]
                writer.writerow([run["setting"], run["strategy"], run["seed"], k, *cells])
    with open(out / "preference_queries_summary.csv", "w", newline="") as stream:
        writer = csv.DictWriter(stream, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    settings = [s for s in TARGETS if any(r["setting"] == s for r in runs)]
    figure, axes = plt.subplots(1, len(settings), figsize=(6 * len(settings), 4), squeeze=False)
    for axis, setting in zip(axes[0], settings, strict=True):
        metric, target, _ = TARGETS[setting]
        for strategy in STRATEGIES:
            curves = np.array(
                [r[metric] for r in runs if r["setting"] == setting and r["strategy"] == strategy]
            )
            mean, error = curves.mean(axis=0), curves.std(axis=0) / np.sqrt(len(curves))
            axis.plot(mean, label=strategy)
            axis.fill_between(np.arange(mean.size), mean - error, mean + error, alpha=0.2)
        axis.axhline(target, color="grey", linestyle=":", linewidth=1)
        axis.set_xlabel("questions answered")
        label = "cosine with the true weights" if metric == "cosine" else "EPIC to the true reward"
        axis.set_ylabel(f"{label} (mean ± s.e. over seeds)")
        axis.set_title(setting)
        axis.legend()
    figure.tight_layout()
    figure.savefig(out / "preference_queries.png", dpi=120)
    plt.close(figure)
    print(f"wrote {out}/preference_queries.csv, preference_queries_summary.csv, .png")


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    add = parser.add_argument
    add("--settings", nargs="+", choices=tuple(TARGETS), default=list(TARGETS))
    add("--seeds", type=int, default=12)
    add("--jobs", type=int, default=os.cpu_count() or 1)
    add("--belief", choices=("laplace", "hmc", "ensemble"), default="laplace")
    add("--n-samples", type=int, default=100, help="belief draws (ensemble members)")
    add("--features", type=int, default=6, help="linear: item features")
    add("--items", type=int, default=40, help="linear: items (all pairs are candidates)")
    add("--norm", type=float, default=2.0, help="linear: length of the true weights")
    add("--queries", type=int, default=60, help="linear: question budget")
    add("--grid", type=int, default=8, help="segments: side of the gridworld")
    add("--segment-features", type=int, default=4)
    add("--segments", type=int, default=40, help="segments: items (all pairs are candidates)")
    add("--segment-length", type=int, default=5, help="segments: actions per segment")
    add("--segment-norm", type=float, default=0.6, help="segments: length of the true weights")
    add("--segment-queries", type=int, default=150, help="segments: question budget")
    add("--out", type=Path, default=OUT)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    print(" ".join(f"{k}={v}" for k, v in sorted(vars(args).items()) if k != "out"))
    tasks = [
        (args, setting, strategy, seed)
        for setting in args.settings
        for strategy in STRATEGIES
        for seed in range(args.seeds)
    ]
    start = time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        runs = list(pool.map(run_one, tasks))
    print(f"{len(tasks)} runs in {time.perf_counter() - start:.0f} s with {args.jobs} processes")
    rows = summarise(runs, {"linear": args.queries, "segments": args.segment_queries})
    print_table(rows)
    write_outputs(runs, rows, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
