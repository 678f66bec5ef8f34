"""The pixel debate on the whole digits test set: the judge alone and with debate, both orders.

For 4 and 6 pixels: the judge's accuracy on random non-zero pixels (10 draws per image, all 599
test images), greedy debate with the honest or the liar debater moving first (all test images),
and greedy and two-ply debate on the first ``--search-images`` test images (the same images for
both searches). ``make bench-debate`` runs it (about 5 minutes on one core, judges cached)::

    .venv/bin/python benchmarks/bench_debate.py [--search-images 200]

Prints one table and writes ``benchmarks/out/debate.json``.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse
import json
import time
from pathlib import Path

from valuelearn.evaluation import (
    debate_accuracy,
    digits,
    judge_accuracy,
    trained_judge,
)
from valuelearn.evaluation._debate_judge import digits_split

PAPER = {4: (0.482, 0.852), 6: (0.594, 0.889)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--search-images", type=int, default=200)
    args = parser.parse_args()
    images, labels = digits()
    _, test = digits_split(len(labels))
    searched = test[: args.search_images]
    rows = []
    for pixels in (4, 6):
        judge = trained_judge(pixels)
        row: dict[str, float | int] = {"pixels": pixels}
        row["judge_alone"] = judge_accuracy(judge, images[test], labels[test], rng=0)
        for name, depth, chosen in (
            ("greedy", 1, test),
            ("greedy_subset", 1, searched),
            ("two_ply_subset", 2, searched),
        ):
            for first in ("honest", "liar"):
                start = time.perf_counter()
                result = debate_accuracy(
                    judge,
                    images[chosen],
                    labels[chosen],
                    n_pixels=pixels,
                    depth=depth,
                    first=first,  # type: ignore[arg-type]
                )
                row[f"{name}_{first}_first"] = result.accuracy
                row[f"{name}_{first}_first_seconds"] = time.perf_counter() - start
        row["paper_judge"], row["paper_debate"] = PAPER[pixels]
        rows.append(row)
    header = ("pixels", "judge", "greedy H1", "greedy L1", "| subset:", "greedy H1", "greedy L1")
    print(" ".join(f"{h:>9}" for h in header), f"{'2-ply H1':>9} {'2-ply L1':>9} {'paper':>13}")
    for row in rows:
        cells = [
            row[key]
            for key in (
                "judge_alone", "greedy_honest_first", "greedy_liar_first",
                "greedy_subset_honest_first", "greedy_subset_liar_first",
                "two_ply_subset_honest_first", "two_ply_subset_liar_first",
            )
        ]  # fmt: skip
        shown = [f"{value:>9.3f}" for value in cells]
        print(
            f"{row['pixels']:>9}",
            " ".join([*shown[:3], f"{'|':>9}", *shown[3:]]),
            f"{row['paper_judge']:.3f}->{row['paper_debate']:.3f}",
        )
    print(
        f"(H1/L1: honest/liar moves first; all {len(test)} test images, subset: the first "
        f"{len(searched)})"
    )
    out = Path(__file__).parent / "out"
    out.mkdir(exist_ok=True)
    (out / "debate.json").write_text(
        json.dumps(
            {"test_images": len(test), "search_images": len(searched), "rows": rows}, indent=1
        )
    )


if __name__ == "__main__":
    main()
