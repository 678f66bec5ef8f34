"""Scale check: one soft value iteration + occupancy pass on a 10^6-state random MDP.

valuelearn only (imitation's dense ``(S, A, S)`` transition array would need 32 TB here). Run in the
project's own environment::

    .venv/bin/python benchmarks/bench_scale.py                 # 10^6 states, horizon 100
    .venv/bin/python benchmarks/bench_scale.py --n-states 100000

The MDP is ``valuelearn.data.random_mdp(n_states, 4, branching=4)`` with a N(0, 1) state reward.
``soft_value_iteration`` is called with ``return_q=False`` (what the learners do); pass ``--keep-q``
to also keep the ``(H, S, A)`` Q array. The first pass includes building the transition layouts the
planners cache on the MDP; a second pass shows the warm cost. Peak RSS is the process high-water
mark (``getrusage``), reported after each stage. BLAS/OpenMP threads are limited to
``BENCH_THREADS`` (default 2), as in ``bench_mce_peer.py``.
"""

from __future__ import annotations

import os

THREADS = os.environ.get("BENCH_THREADS", "2")
for _variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_variable] = THREADS  # before NumPy is imported

import argparse  # noqa: E402
import json  # noqa: E402
import resource  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402

import valuelearn  # noqa: E402
from valuelearn.data import random_mdp  # noqa: E402
from valuelearn.policy import occupancy, soft_value_iteration  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "scale.json"


def peak_rss_gib() -> float:
    """Process high-water resident set size in GiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--n-states", type=int, default=10**6)
    parser.add_argument("--horizon", type=int, default=100)
    parser.add_argument("--discount", type=float, default=1.0)
    parser.add_argument("--keep-q", action="store_true", help="also keep Q (another H*S*A array)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: int(THREADS)])

    stages: list[dict[str, Any]] = []

    def stage(name: str, seconds: float) -> None:
        stages.append({"stage": name, "wall_s": seconds, "peak_rss_gib": peak_rss_gib()})
        print(f"{name:<44}{seconds:>9.2f} s   peak RSS {stages[-1]['peak_rss_gib']:6.2f} GiB")

    print(
        f"valuelearn {valuelearn.__version__}, numpy {np.__version__}, scipy {scipy.__version__}, "
        f"threads {THREADS}, load average {os.getloadavg()}"
    )
    print(f"S={args.n_states:,} A=4 branching=4 H={args.horizon} discount={args.discount}")
    start = time.perf_counter()
    mdp = random_mdp(args.n_states, 4, branching=4, rng=args.seed)
    reward = np.random.default_rng(args.seed).standard_normal(args.n_states)
    stage("random_mdp", time.perf_counter() - start)

    plan_kwargs = {"horizon": args.horizon, "discount": args.discount, "return_q": args.keep_q}
    occ = None
    for label in ("cold", "warm"):
        del occ  # free the previous pass first, so the peak is that of one pass
        start = time.perf_counter()
        result = soft_value_iteration(mdp, reward, **plan_kwargs)
        stage(f"soft_value_iteration ({label})", time.perf_counter() - start)
        start = time.perf_counter()
        occ = occupancy(mdp, result.policy, horizon=args.horizon, discount=args.discount)
        stage(f"occupancy ({label})", time.perf_counter() - start)
        del result
    assert occ.per_step is not None
    total = float(occ.total.sum())
    expected = (
        args.horizon
        if args.discount == 1.0
        else (1 - args.discount**args.horizon) / (1 - args.discount)
    )
    print(f"sum of occupancy {total:.12g} (expected {expected:g})")
    cold = stages[1]["wall_s"] + stages[2]["wall_s"]
    warm = stages[3]["wall_s"] + stages[4]["wall_s"]
    print(f"one pass: {cold:.2f} s cold, {warm:.2f} s warm; peak RSS {peak_rss_gib():.2f} GiB")

    payload = {
        "benchmark": "bench_scale",
        "n_states": args.n_states,
        "n_actions": 4,
        "branching": 4,
        "horizon": args.horizon,
        "discount": args.discount,
        "keep_q": args.keep_q,
        "threads": int(THREADS),
        "versions": {"valuelearn": valuelearn.__version__, "numpy": np.__version__},
        "stages": stages,
        "pass_cold_s": cold,
        "pass_warm_s": warm,
        "occupancy_sum": total,
        "peak_rss_gib": peak_rss_gib(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=args.out.parent, suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        json.dump(payload, stream, indent=1)
    os.chmod(tmp, 0o644)  # mkstemp creates 0600
    os.replace(tmp, args.out)
    return 0 if abs(total - expected) <= 1e-6 * expected else 1


if __name__ == "__main__":
    sys.exit(main())
