"""Per-person values with a shared prior on VADER's 7,520 words x 10 individual ratings.

Run in the project's own environment (``vaderSentiment`` comes with the ``dev`` and ``data``
extras; sentence embeddings need the ``text`` extra)::

    .venv/bin/python benchmarks/bench_vader.py                       # lexicon features
    .venv/bin/python benchmarks/bench_vader.py --features embedding  # all-MiniLM-L6-v2
    .venv/bin/python benchmarks/bench_vader.py --words 2000          # a random subsample

The ten rating positions are ten raters. A seeded random 20% of the (rater, word) ratings is
held out; :func:`valuelearn.inference.compare_pooling` tunes each model on a validation fifth of
the rest (the same for all three), refits on all training ratings and scores the held-out ones:

* per-rater (``pooling="none"``): ten independent ordinal probit models;
* pooled (``"complete"``): one model for everybody;
* hierarchical (``"partial"``): shared weights and thresholds plus Gaussian individual offsets.

Reported: mean held-out log-likelihood per rating, RMSE of the expected rating, the chosen
settings, the hierarchical model's paired gain over each baseline with its standard error, and
wall times. The JSON goes to ``benchmarks/out/vader_<features>.json``.
BLAS threads are limited to ``BENCH_THREADS`` (default 2).
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

from valuelearn.data import Items, Ratings, vader_ratings  # noqa: E402
from valuelearn.inference import compare_pooling, split_ratings  # noqa: E402

OUT = Path(__file__).resolve().parent / "out"
NAMES = {"none": "per-rater", "complete": "pooled", "partial": "hierarchical"}


def subsample(items: Items, ratings: Ratings, n_words: int, seed: int) -> tuple[Items, Ratings]:
    """``n_words`` random words and all their ratings."""
    if n_words >= items.n_items:
        return items, ratings
    assert items.features is not None
    keep = np.sort(np.random.default_rng(seed).choice(items.n_items, n_words, replace=False))
    chosen = Items([items.ids[i] for i in keep], features=items.features[keep])
    return chosen, ratings.select(np.flatnonzero(np.isin(ratings.indices(items), keep)))


def paired_gain(better: np.ndarray, worse: np.ndarray) -> dict[str, float]:
    """Mean per-rating log-likelihood difference and its standard error."""
    difference = better - worse
    return {
        "mean": float(difference.mean()),
        "se": float(difference.std(ddof=1) / np.sqrt(difference.size)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--features", choices=("lexicon", "embedding"), default="lexicon")
    parser.add_argument("--buckets", type=int, default=1024, help="lexicon feature columns")
    parser.add_argument("--words", type=int, default=7520)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()

    start = time.perf_counter()
    items, ratings = vader_ratings(features=args.features, n_buckets=args.buckets)
    load_s = time.perf_counter() - start
    items, ratings = subsample(items, ratings, args.words, args.seed)
    rng = np.random.default_rng(args.seed)
    train, test = split_ratings(ratings, test_fraction=0.2, rng=rng)
    start = time.perf_counter()
    results = compare_pooling(train, test, items, rng=rng)
    fit_s = time.perf_counter() - start

    best = results["partial"].per_rating
    rows: dict[str, Any] = {}
    print(
        f"{items.n_items} words, {len(train)} training / {len(test)} held-out ratings, "
        f"{items.n_features} {args.features} features; load {load_s:.1f} s, fit {fit_s:.0f} s"
    )
    print(f"{'model':<13} {'held-out LL':>12} {'RMSE':>7}  gain of hierarchical (SE)  settings")
    for pooling, result in results.items():
        gain = paired_gain(best, result.per_rating)
        rows[NAMES[pooling]] = {
            "pooling": pooling,
            "log_likelihood": result.log_likelihood,
            "rmse": result.rmse,
            "settings": result.settings,
            "gain_of_hierarchical": gain,
            "validation": [[s, v] for s, v in result.validation],
        }
        shown = "" if pooling == "partial" else f"{gain['mean']:+.4f} ({gain['se']:.4f})"
        print(
            f"{NAMES[pooling]:<13} {result.log_likelihood:>12.4f} {result.rmse:>7.4f}  "
            f"{shown:<25}  {result.settings}"
        )
    spread = results["partial"].model.thresholds_
    print(
        "hierarchical thresholds per rater (rows), first and last:",
        np.round(spread[:, [0, -1]], 2).tolist(),
    )
    report = {
        "features": args.features,
        "n_features": items.n_features,
        "n_words": items.n_items,
        "n_train": len(train),
        "n_test": len(test),
        "seed": args.seed,
        "models": rows,
        "load_s": load_s,
        "fit_s": fit_s,
        "threads": THREADS,
        "load_average": os.getloadavg()[0],
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }
    path = args.out or OUT / f"vader_{args.features}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(report, indent=2))
    temporary.replace(path)


if __name__ == "__main__":
    main()
