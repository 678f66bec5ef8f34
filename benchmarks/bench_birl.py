"""Bayesian IRL throughput: warm-started PolicyWalk against the straightforward PolicyWalk.

Run in the project's own environment::

    .venv/bin/python benchmarks/bench_birl.py                    # 10x10 grid, 10,000 samples
    .venv/bin/python benchmarks/bench_birl.py --samples 2000     # quicker

World: ``feature_gridworld(10, n_features=4)`` (100 states, 4 actions, slip 0), discount 0.9; the
person is Boltzmann-rational (beta 5) about ``R = features @ (1, -1, 0.2, -0.3)`` and gives 20
demonstrations of 20 steps. For each reward parameterisation (tabular: 100 weights; linear: 4)
both samplers run the same number of steps from the same seed:

* valuelearn's PolicyWalk re-evaluates the current optimal policy under the proposed reward with
  one solve of the factorised ``I - discount P_pi`` and runs policy iteration (warm-started) only
  when that policy stops being greedy;
* the straightforward PolicyWalk (``warm_start=False``) re-solves value iteration from scratch at
  every step (the public ``value_iteration``, tolerance 1e-12).

The two chains are the same chain (the script checks the draws are identical), so their effective
sample sizes are equal and the ESS/s ratio is the ratio of throughputs. ESS is Geyer's initial
monotone sequence estimate, reported as the median and minimum over weights and for the
log-likelihood trace. PolicyWalk steps are tuned during burn-in unless ``--step`` is given. The
HMC sampler on the soft-Q likelihood (linear reward) is timed as well.
BLAS threads are limited to ``BENCH_THREADS`` (default 2) and the process to that many cores.
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

from valuelearn.data import MDP, Demonstrations, feature_gridworld  # noqa: E402
from valuelearn.humans import BoltzmannRational  # noqa: E402
from valuelearn.inference import BayesianIRL, effective_sample_size  # noqa: E402
from valuelearn.policy import sample_trajectories  # noqa: E402

OUT = Path(__file__).resolve().parent / "out" / "birl.json"
DISCOUNT = 0.9


def world(seed: int) -> tuple[MDP, Demonstrations]:
    mdp = feature_gridworld(10, n_features=4, discount=DISCOUNT, rng=seed)
    truth = mdp.features @ np.array([1.0, -1.0, 0.2, -0.3])
    person = BoltzmannRational(beta=5.0).policy(mdp, truth, horizon=None, discount=DISCOUNT)
    return mdp, sample_trajectories(mdp, person, n=20, horizon=20, rng=seed + 1)


def timed_fit(mdp: MDP, demos: Demonstrations, **options: Any) -> tuple[BayesianIRL, float]:
    start = time.perf_counter()
    learner = BayesianIRL(**options).fit(mdp, demos)
    return learner, time.perf_counter() - start


def ess_summary(learner: BayesianIRL) -> dict[str, float]:
    posterior = learner.posterior_
    per_weight = posterior.effective_sample_size()
    return {
        "ess_median": float(np.median(per_weight)),
        "ess_min": float(per_weight.min()),
        "ess_log_likelihood": float(effective_sample_size(posterior.log_likelihood)),
        "acceptance_rate": posterior.acceptance_rate,
    }


def compare(
    mdp: MDP, demos: Demonstrations, reward: str, args: argparse.Namespace
) -> dict[str, Any]:
    options = {
        "reward": reward,
        "beta": 5.0,
        "n_samples": args.samples,
        "burn_in": args.burn_in,
        "step": args.step,
        "random_state": args.seed,
    }
    fast, fast_s = timed_fit(mdp, demos, **options)
    slow, slow_s = timed_fit(mdp, demos, warm_start=False, **options)
    same = bool(np.array_equal(fast.posterior_.weights, slow.posterior_.weights))
    ess = ess_summary(fast)
    row = {
        "reward": reward,
        "samples": args.samples,
        "burn_in": args.burn_in,
        "valuelearn_s": fast_s,
        "straightforward_s": slow_s,
        "identical_chains": same,
        **ess,
        "valuelearn_ess_per_s": ess["ess_median"] / fast_s,
        "straightforward_ess_per_s": ess["ess_median"] / slow_s,
        "ratio": slow_s / fast_s,
    }
    print(
        f"{reward:8s} {args.samples} samples: valuelearn {fast_s:7.2f} s, straightforward "
        f"{slow_s:7.2f} s, ratio {slow_s / fast_s:5.1f}x; ESS median {ess['ess_median']:.1f} "
        f"(min {ess['ess_min']:.1f}, log-lik {ess['ess_log_likelihood']:.1f}); ESS/s "
        f"{row['valuelearn_ess_per_s']:.2f} vs {row['straightforward_ess_per_s']:.3f}; "
        f"acceptance {ess['acceptance_rate']:.2f}; identical chains: {same}",
        flush=True,
    )
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument(
        "--burn-in", type=int, default=None, help="default: BayesianIRL's (50 per weight or more)"
    )
    parser.add_argument(
        "--step", type=float, default=None, help="fixed PolicyWalk step (default: tuned)"
    )
    parser.add_argument("--hmc-samples", type=int, default=1_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, sorted(os.sched_getaffinity(0))[: int(THREADS)])
    mdp, demos = world(args.seed)
    rows = [compare(mdp, demos, reward, args) for reward in ("tabular", "linear")]
    hmc, hmc_s = timed_fit(
        mdp, demos, likelihood="soft", sampler="hmc", reward="linear", beta=5.0,
        n_samples=args.hmc_samples, burn_in=args.hmc_samples // 2, random_state=args.seed,
    )  # fmt: skip
    hmc_ess = ess_summary(hmc)
    print(
        f"hmc (soft, linear) {args.hmc_samples} samples: {hmc_s:.2f} s, ESS median "
        f"{hmc_ess['ess_median']:.1f}, ESS/s {hmc_ess['ess_median'] / hmc_s:.2f}, acceptance "
        f"{hmc_ess['acceptance_rate']:.2f}",
        flush=True,
    )
    result = {
        "rows": rows,
        "hmc": {"samples": args.hmc_samples, "seconds": hmc_s, **hmc_ess},
        "threads": int(THREADS),
        "machine": platform.processor() or platform.machine(),
        "python": platform.python_version(),
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temporary = args.out.with_suffix(".tmp")
    temporary.write_text(json.dumps(result, indent=2))
    temporary.replace(args.out)
    print(f"wrote {args.out}")
    return 0 if all(row["identical_chains"] for row in rows) else 1


if __name__ == "__main__":
    raise SystemExit(main())
