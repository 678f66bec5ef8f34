"""Active questions (Lopes et al. 2009) against random ones: EPIC after each answer.

A simulated Boltzmann-rational person (``beta``, discount 0.9) answers "what would you do in
state s?" on a ``size x size`` gridworld; :func:`valuelearn.inference.active_learning_curve` fits
Bayesian IRL (PolicyWalk, uniform prior on [-1, 1]) after every answer and asks either where the
posterior's predicted behaviour disagrees most (``entropy``) or at a uniformly random state
(``random``). Both strategies see the same worlds, true rewards and seeds. ``make bench-active``
runs the four settings of the README (about 15 minutes each on 2 cores, the forks about 2)::

    .venv/bin/python benchmarks/bench_active.py --reward tabular                  # i.i.d. per state
    .venv/bin/python benchmarks/bench_active.py --reward tabular --absorbing 0.25 # 25% absorbing
    .venv/bin/python benchmarks/bench_active.py --reward linear                   # 3 features
    .venv/bin/python benchmarks/bench_active.py --reward linear --world forks --n-features 2 \
        --questions 16 --seeds 16        # 8 forks among 24 idle states: few states informative

Prints the mean EPIC curve of both strategies (with the standard error of their paired
difference), the questions each needs for its mean curve to reach ``--threshold`` (default: the
level the mean random curve ends at) and their ratio, and per seed the questions until EPIC is
first at or below it and until it stays there; writes ``benchmarks/out/active_<setting>.csv``
(one row per strategy, seed and question), ``.json`` (settings, mean curves, per-seed counts) and
``.png`` (mean curves). Seeds run in ``--jobs`` processes (one BLAS thread each).
"""

from __future__ import annotations

import os

for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = "1"  # before NumPy is imported; parallelism is over seeds

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, Literal  # noqa: E402

import numpy as np  # noqa: E402

import valuelearn  # noqa: E402
from valuelearn.data import MDP, feature_gridworld, fork_world, gridworld  # noqa: E402
from valuelearn.evaluation import epic_distance  # noqa: E402
from valuelearn.humans import BoltzmannRational  # noqa: E402
from valuelearn.inference import BayesianIRL, active_learning_curve  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
STRATEGIES: tuple[Literal["entropy", "random"], ...] = ("entropy", "random")
DISCOUNT = 0.9


def make_world(settings: dict[str, Any], seed: int) -> MDP:
    """The world of one seed: an open gridworld with Gaussian features, one with absorbing
    cells, or forks between absorbing outcomes among idle states."""
    if settings["world"] == "forks":
        return fork_world(
            settings["forks"], settings["idle"], n_features=settings["n_features"],
            discount=DISCOUNT, rng=seed,
        )  # fmt: skip
    size = settings["size"]
    if settings["absorbing"] > 0:  # a random share of cells where every action stays put
        cells = np.random.default_rng(seed).random((size, size)) < settings["absorbing"]
        rows = ["".join("X" if cell else "." for cell in row) for row in cells]
        return gridworld(rows, absorbing="X", discount=DISCOUNT)
    return feature_gridworld(
        size, n_features=settings["n_features"], kind="gaussian", discount=DISCOUNT, rng=seed
    )


def run_one(
    settings: dict[str, Any], strategy: Literal["entropy", "random"], seed: int
) -> list[float]:
    """EPIC between the true and the posterior-mean reward before and after every answer."""
    mdp = make_world(settings, seed)
    truth_rng = np.random.default_rng(10_000 + seed)
    if settings["reward"] == "tabular":
        reward = truth_rng.uniform(-1.0, 1.0, mdp.n_states)
    else:
        assert mdp.features is not None
        reward = mdp.features @ truth_rng.uniform(-1.0, 1.0, settings["n_features"])
    learner = BayesianIRL(
        reward=settings["reward"], beta=settings["beta"], n_samples=settings["n_samples"],
        burn_in=settings["burn_in"], thin=settings["thin"], step=settings["step"],
    )  # fmt: skip
    curve = active_learning_curve(
        mdp, BoltzmannRational(beta=settings["beta"]), reward=reward,
        n_questions=settings["questions"], learner=learner, strategy=strategy,
        ask_once=settings["ask_once"], warm_start=settings["warm_start"], rng=seed,
    )  # fmt: skip
    return [epic_distance(mdp, reward, learned, discount=DISCOUNT) for learned in curve.rewards]


def label(settings: dict[str, Any]) -> str:
    """``tabular``, ``linear``, ``tabular_absorbing`` or ``linear_forks``: names the outputs."""
    world = "_forks" if settings["world"] == "forks" else ""
    return str(settings["reward"]) + ("_absorbing" if settings["absorbing"] else "") + world


def questions_to_reach(curve: np.ndarray, threshold: float) -> int | None:
    """First number of questions at which ``curve`` is at or below ``threshold``."""
    below = np.flatnonzero(curve <= threshold)
    return int(below[0]) if below.size else None


def per_seed(curves: np.ndarray, threshold: float) -> dict[str, list[int]]:
    """Questions until each seed's EPIC is first at or below ``threshold``, and until it stays
    there to the end of the budget; ``budget + 1`` for a seed that never gets (or stays) there."""
    budget = curves.shape[1] - 1
    first, stays = [], []
    for curve in curves:
        below = curve <= threshold
        above = np.flatnonzero(~below)
        first.append(int(np.argmax(below)) if below.any() else budget + 1)
        stays.append(0 if above.size == 0 else int(above[-1]) + 1)
    return {"first": first, "stays": stays}


def describe(counts: list[int], budget: int) -> str:
    """``mean ± sd (median), k/n seeds`` with ``>=`` when a seed never got there."""
    values = np.array(counts)
    there = int(np.sum(values <= budget))
    prefix = ">= " if there < values.size else ""
    return (
        f"{prefix}{values.mean():.1f} ± {values.std(ddof=1):.1f} (median {np.median(values):g}), "
        f"{there}/{values.size} seeds"
    )


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--reward", choices=("tabular", "linear"), default="tabular")
    parser.add_argument("--world", choices=("grid", "forks"), default="grid")
    parser.add_argument("--forks", type=int, default=8, help="forks (--world forks)")
    parser.add_argument("--idle", type=int, default=24, help="idle states (--world forks)")
    parser.add_argument("--size", type=int, default=8)
    parser.add_argument("--n-features", type=int, default=3)
    parser.add_argument("--beta", type=float, default=10.0)
    parser.add_argument("--questions", type=int, default=30)
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--threshold", type=float, default=None, help="EPIC to reach")
    parser.add_argument("--absorbing", type=float, default=0.0, help="share of absorbing cells")
    parser.add_argument("--ask-once", action="store_true", help="never repeat a question")
    parser.add_argument("--warm-start", action="store_true", help="chain starts at last mean")
    parser.add_argument("--n-samples", type=int, default=500)
    parser.add_argument("--burn-in", type=int, default=1000)
    parser.add_argument("--thin", type=int, default=None, help="default 8 tabular, 4 linear")
    parser.add_argument(
        "--step", type=float, default=None, help="default 0.5 tabular, tuned linear"
    )
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--out", type=Path, default=OUT)
    return parser.parse_args(argv)


def report(curves: np.ndarray, settings: dict[str, Any]) -> dict[str, Any]:
    """Print the mean curves, the questions to the threshold and their ratio; return a summary."""
    mean = curves.mean(axis=1)  # (strategy, question)
    difference = curves[1] - curves[0]  # random - entropy, paired by seed
    stderr = difference.std(axis=0, ddof=1) / np.sqrt(curves.shape[1])
    print(f"{'questions':>9}  {'entropy':>8}  {'random':>8}  {'random - entropy':>18}")
    for k in range(0, curves.shape[2], max(1, curves.shape[2] // 10)):
        print(
            f"{k:>9}  {mean[0, k]:>8.3f}  {mean[1, k]:>8.3f}  "
            f"{difference[:, k].mean():>+9.3f} ± {stderr[k]:.3f}"
        )
    threshold = settings["threshold"]
    if threshold is None:  # the level random questions reach at the end
        threshold = float(np.round(mean[1, -1], 2))
    needed = {name: questions_to_reach(mean[i], threshold) for i, name in enumerate(STRATEGIES)}
    ratio = (
        needed["random"] / needed["entropy"]
        if needed["entropy"] and needed["random"] is not None
        else None
    )
    print(
        f"EPIC <= {threshold:.2f}: entropy after {needed['entropy']} questions, random after "
        f"{needed['random']}; ratio random / entropy = "
        + ("n/a" if ratio is None else f"{ratio:.2f}")
    )
    budget = curves.shape[2] - 1
    seeds = {name: per_seed(curves[i], threshold) for i, name in enumerate(STRATEGIES)}
    for name in STRATEGIES:
        print(f"  {name:<8} first {describe(seeds[name]['first'], budget)}; "
              f"stays {describe(seeds[name]['stays'], budget)}")  # fmt: skip
    area = mean[:, 1:].mean(axis=1)
    print(f"mean EPIC over questions 1-{curves.shape[2] - 1}: entropy {area[0]:.3f}, random "
          f"{area[1]:.3f}")  # fmt: skip
    return {
        "threshold": threshold,
        "questions_to_threshold": needed,
        "per_seed": seeds,
        "ratio": ratio,
        "mean_curves": {name: mean[i].round(4).tolist() for i, name in enumerate(STRATEGIES)},
        "paired_difference_stderr": stderr.round(4).tolist(),
        "mean_epic_over_questions": dict(zip(STRATEGIES, area.round(4).tolist(), strict=True)),
    }


def write(curves: np.ndarray, settings: dict[str, Any], summary: dict[str, Any], out: Path) -> None:
    """CSV of every curve, JSON of settings and summary, and a PNG of the mean curves."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"active_{label(settings)}"
    with open(stem.with_suffix(".csv"), "w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(["strategy", "seed", "questions", "epic"])
        for i, name in enumerate(STRATEGIES):
            for seed, curve in enumerate(curves[i]):
                writer.writerows([name, seed, k, f"{v:.6f}"] for k, v in enumerate(curve))
    payload = {"benchmark": "bench_active", "valuelearn": valuelearn.__version__, **settings}
    stem.with_suffix(".json").write_text(json.dumps({**payload, **summary}, indent=1))
    figure, axes = plt.subplots(figsize=(6, 4))
    questions = np.arange(curves.shape[2])
    for i, name in enumerate(STRATEGIES):
        mean = curves[i].mean(axis=0)
        spread = curves[i].std(axis=0, ddof=1) / np.sqrt(curves.shape[1])
        axes.plot(questions, mean, label=name)
        axes.fill_between(questions, mean - spread, mean + spread, alpha=0.2)
    axes.axhline(summary["threshold"], color="grey", linestyle=":", linewidth=1)
    axes.set_xlabel("questions asked")
    axes.set_ylabel(f"EPIC to the true reward (mean of {curves.shape[1]} seeds)")
    world = (
        f"{settings['forks']} forks, {settings['idle']} idle states"
        if settings["world"] == "forks"
        else f"{settings['size']}x{settings['size']} grid"
    )
    axes.set_title(f"{world}, {label(settings).replace('_', ', ')}")
    axes.legend()
    figure.tight_layout()
    figure.savefig(stem.with_suffix(".png"), dpi=120)
    plt.close(figure)
    print(f"wrote {stem}.csv, .json, .png")


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    tabular = args.reward == "tabular"
    if args.absorbing and not tabular:
        raise SystemExit("--absorbing needs --reward tabular (absorbing grids have no features)")
    if args.world == "forks" and (tabular or args.absorbing):
        raise SystemExit("--world forks needs --reward linear (the forks' features are zero)")
    settings = {key: value for key, value in vars(args).items() if key not in ("jobs", "out")}
    settings["discount"] = DISCOUNT
    if args.thin is None:
        settings["thin"] = 8 if tabular else 4
    if args.step is None and tabular:  # linear: each weight's step is tuned in burn-in
        settings["step"] = 0.5
    print(f"valuelearn {valuelearn.__version__}; {json.dumps(settings)}")
    start = time.perf_counter()
    jobs = [(settings, name, seed) for name in STRATEGIES for seed in range(args.seeds)]
    with ProcessPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(run_one, *zip(*jobs, strict=True)))
    curves = np.array(results).reshape(len(STRATEGIES), args.seeds, args.questions + 1)
    print(f"{len(jobs)} runs in {time.perf_counter() - start:.0f} s with {args.jobs} processes")
    summary = report(curves, settings)
    write(curves, settings, summary, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
