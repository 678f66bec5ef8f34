"""Peer benchmark: valuelearn against imitation 1.0.1 / seals 0.2.1 on tabular MCE, in one process.

Run from the repository root, after ``bash benchmarks/setup_peer.sh``::

    .venv-peer/bin/python benchmarks/bench_mce_peer.py            # full run, about 3-4 minutes
    .venv-peer/bin/python benchmarks/bench_mce_peer.py --quick    # under a minute

Both libraries run in the same process on the same threads: BLAS, OpenMP and torch are limited to
``BENCH_THREADS`` (default 2) threads and the process is pinned to that many CPUs. Times are
``time.perf_counter`` wall times, best of ``k`` runs. Results go to
``benchmarks/out/mce_peer.json``.

Part 1, planning (soft value iteration + occupancy) on seals ``RandomTransitionEnv`` (1,000 and
4,000 states, 4 actions, branch factor 4, horizon 100) and ``CliffWorldEnv`` 100x20 (horizon 110,
as registered by seals), with the environment's state-only reward:

* imitation: ``mce_partition_fh`` then ``mce_occupancy_measures(pi=...)``;
* valuelearn: ``soft_value_iteration`` then ``occupancy(...).imitation()`` on its result (the
  planner's output, as valuelearn's own learners pass it; a user's policy array would first be
  validated, about 6 ms more at 4,000 states); best of 50 runs (25 before imitation's runs and
  25 after them), imitation best of ``k``.

Time conventions. valuelearn's ``horizon = H`` is the number of decisions, with the state reward
counted at ``s_0 .. s_{H-1}``; imitation's ``env.horizon = H`` backs up from ``Q[H-1] = R``, so the
policies ``pi[t]``, ``t = 0 .. H-1`` and values ``V[t]`` are the same objects. imitation's ``D`` has
``H + 1`` rows (``D[H]`` is the distribution after the last action), which ``Occupancy.imitation()``
reproduces. imitation's ``mce_occupancy_measures(pi=None, discount=g)`` plans **without** the
discount (it calls ``mce_partition_fh(env, reward=reward)``), so every comparison here passes an
explicit ``pi``; the size of that discrepancy is measured and reported separately.

seals builds ``RandomTransitionEnv.transition_matrix`` as float32. imitation then multiplies a
float32 ``(S, A, S)`` array by float64 vectors, which makes NumPy cast the whole matrix at every
step; the table reports imitation both as shipped and with a float64 copy of the matrix.

Part 2, MCE IRL on CliffWorld 15x6 (horizon 18, one-hot observations, discount 1): demonstrations
are ``n_demos`` trajectories sampled from the soft-optimal expert for the true reward, and both
libraries get exactly these trajectories (see ``irl_benchmark`` for why not the analytic occupancy
measure). The reward is linear in the one-hot observations: ``BasicRewardNet(hid_sizes=[])`` for
imitation (Adam, as imitation defaults), ``MCEIRL(l2=...)`` with the same features for valuelearn
(L-BFGS). Both optimise the same ridge-penalised MCE dual: ``weight_decay=l2`` in torch's Adam
adds the gradient of ``l2 / 2 ||w||^2``. Both results are scored by one function built on
imitation's own planner: the penalised dual, the dual, and the exact causal log-likelihood
``sum_t log pi_t(a_t | s_t)`` of the demonstrations.
"""

from __future__ import annotations

import os

THREADS = int(os.environ.get("BENCH_THREADS", "2"))
for _variable in (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "VECLIB_MAXIMUM_THREADS",
    "NUMEXPR_NUM_THREADS",
):
    os.environ[_variable] = str(THREADS)  # before NumPy and torch are imported

import argparse  # noqa: E402
import copy  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from collections.abc import Callable  # noqa: E402
from importlib import metadata  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
import scipy  # noqa: E402
import threadpoolctl  # noqa: E402
import torch as th  # noqa: E402
from imitation.algorithms.mce_irl import (  # noqa: E402
    MCEIRL as ImitationMCEIRL,
)
from imitation.algorithms.mce_irl import (  # noqa: E402
    mce_occupancy_measures,
    mce_partition_fh,
)
from imitation.data import types as imitation_types  # noqa: E402
from imitation.rewards import reward_nets  # noqa: E402
from imitation.util import logger as imitation_logger  # noqa: E402
from seals.diagnostics.cliff_world import CliffWorldEnv  # noqa: E402
from seals.diagnostics.random_trans import RandomTransitionEnv  # noqa: E402

import valuelearn  # noqa: E402
from valuelearn.data import MDP, Demonstrations  # noqa: E402
from valuelearn.exceptions import ValueLearnInputError  # noqa: E402
from valuelearn.inference import MCEIRL, causal_log_likelihood  # noqa: E402
from valuelearn.policy import occupancy, sample_trajectories, soft_value_iteration  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out" / "mce_peer.json"
#: Agreement required between the two libraries' occupancy measures and policies.
AGREEMENT_TOL = 1e-8

_LIMITS: Any = None  # keeps the threadpoolctl limit alive for the whole run


# ---------------------------------------------------------------------- environment and timing
def limit_threads(n_threads: int) -> dict[str, Any]:
    """Limit BLAS/OpenMP and torch to ``n_threads`` and pin the process to as many CPUs."""
    global _LIMITS
    _LIMITS = threadpoolctl.threadpool_limits(limits=n_threads)
    th.set_num_threads(n_threads)
    pinned = None
    if hasattr(os, "sched_setaffinity"):
        cpus = sorted(os.sched_getaffinity(0))[:n_threads]
        os.sched_setaffinity(0, cpus)
        pinned = sorted(os.sched_getaffinity(0))
    return {
        "requested": n_threads,
        "cpus_pinned": pinned,
        "cpu_count": os.cpu_count(),
        "torch_num_threads": th.get_num_threads(),
        "torch_num_interop_threads": th.get_num_interop_threads(),
        "numpy_threadpools": [
            {key: pool.get(key) for key in ("user_api", "internal_api", "num_threads", "prefix")}
            for pool in threadpoolctl.threadpool_info()
        ],
    }


def machine_info() -> dict[str, Any]:
    model = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = None
    return {
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_model": model,
        "git_commit": commit,
        "versions": {
            name: _version(name)
            for name in ("valuelearn", "imitation", "seals", "numpy", "scipy", "torch")
        },
    }


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


#: Timed repetitions of valuelearn's planning pass in each of its two batches (tens of ms each).
VALUELEARN_REPEATS = 25


def best_of(fn: Callable[[], Any], k: int) -> tuple[float, list[float], Any]:
    """Run ``fn`` ``k`` times; return the best wall time, all times and the last result."""
    times = []
    result = None
    for _ in range(k):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), times, result


def max_abs(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


# ---------------------------------------------------------------------- part 1: planning
def planning_cases(quick: bool) -> list[dict[str, Any]]:
    """The MDPs of part 1; ``k`` is the number of timed repetitions per library."""
    cases = [
        {
            "name": "RandomTransitionEnv S=1000",
            "make": lambda: RandomTransitionEnv(
                n_states=1000,
                n_actions=4,
                branch_factor=4,
                horizon=100,
                random_obs=True,
                obs_dim=8,
                generator_seed=0,
            ),
            "k": 1 if quick else 3,
            "k_shipped": 1 if quick else 3,
            "check_discount": 0.9,
        },
        {
            "name": "CliffWorld 100x20",
            "make": lambda: CliffWorldEnv(width=100, height=20, horizon=110, use_xy_obs=False),
            "k": 1 if quick else 3,
            "k_shipped": 1 if quick else 3,
            "check_discount": None if quick else 0.9,
        },
    ]
    if not quick:
        cases.insert(
            1,
            {
                "name": "RandomTransitionEnv S=4000",
                "make": lambda: RandomTransitionEnv(
                    n_states=4000,
                    n_actions=4,
                    branch_factor=4,
                    horizon=100,
                    random_obs=True,
                    obs_dim=8,
                    generator_seed=0,
                ),
                "k": 3,
                "k_shipped": 1,  # about 45 s per run: the float32 matrix is cast at every step
                "check_discount": None,
            },
        )
    return cases


def time_imitation(env: Any, reward: np.ndarray, discount: float, k: int) -> dict[str, Any]:
    plan_s, plan_times, (values, q_values, policy) = best_of(
        lambda: mce_partition_fh(env, reward=reward, discount=discount), k
    )
    occ_s, occ_times, (per_step, cumulative) = best_of(
        lambda: mce_occupancy_measures(env, reward=reward, pi=policy, discount=discount), k
    )
    return {
        "plan_s": plan_s,
        "occupancy_s": occ_s,
        "total_s": plan_s + occ_s,
        "plan_times": plan_times,
        "occupancy_times": occ_times,
        "V": values,
        "Q": q_values,
        "pi": policy,
        "D": per_step,
        "Dcum": cumulative,
    }


def time_valuelearn(
    mdp: MDP, reward: np.ndarray, horizon: int, discount: float, k: int
) -> dict[str, Any]:
    plan_s, plan_times, result = best_of(
        lambda: soft_value_iteration(mdp, reward, horizon=horizon, discount=discount), k
    )
    occ_s, occ_times, (per_step, cumulative) = best_of(
        lambda: occupancy(mdp, result, horizon=horizon, discount=discount).imitation(), k
    )
    return {
        "plan_s": plan_s,
        "occupancy_s": occ_s,
        "total_s": plan_s + occ_s,
        "plan_times": plan_times,
        "occupancy_times": occ_times,
        "V": result.values,
        "Q": result.q_values,
        "pi": result.policy,
        "D": per_step,
        "Dcum": cumulative,
    }


def agreement(imitation: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """Largest absolute differences; values also relative to their scale."""
    values_scale = max(1.0, float(np.max(np.abs(imitation["V"]))))
    diffs = {
        "V": max_abs(imitation["V"], ours["V"]),
        "Q": max_abs(imitation["Q"], ours["Q"]),
        "pi": max_abs(imitation["pi"], ours["pi"]),
        "D": max_abs(imitation["D"], ours["D"]),
        "Dcum": max_abs(imitation["Dcum"], ours["Dcum"]),
    }
    diffs["V_relative"] = diffs["V"] / values_scale
    diffs["ok"] = bool(
        diffs["D"] <= AGREEMENT_TOL
        and diffs["Dcum"] <= AGREEMENT_TOL
        and diffs["pi"] <= AGREEMENT_TOL
        and diffs["V_relative"] <= AGREEMENT_TOL
    )
    return diffs


def planning_benchmark(case: dict[str, Any], log: Callable[[str], None]) -> dict[str, Any]:
    start = time.perf_counter()
    env = case["make"]()
    env_build_s = time.perf_counter() - start
    horizon = int(env.horizon)
    reward = np.asarray(env.reward_matrix, dtype=np.float64)
    dtype = str(env.transition_matrix.dtype)
    start = time.perf_counter()
    mdp = MDP.from_dense(env.transition_matrix, initial=env.initial_state_dist)
    mdp_build_s = time.perf_counter() - start
    row = {
        "name": case["name"],
        "n_states": int(env.state_dim),
        "n_actions": int(env.action_dim),
        "horizon": horizon,
        "discount": 1.0,
        "transition_dtype_seals": dtype,
        "transitions_nnz": int(mdp.transitions.nnz),
        "seals_env_build_s": env_build_s,
        "valuelearn_mdp_build_s": mdp_build_s,
        "k": 2 * max(VALUELEARN_REPEATS, case["k"]),
    }
    log(f"  {case['name']}: S={env.state_dim} A={env.action_dim} H={horizon} T dtype={dtype}")

    # valuelearn is cheap, so always best of VALUELEARN_REPEATS (timeit's practice for fast code:
    # the minimum of many runs is the least disturbed by other work), once before imitation's
    # runs and once after them: imitation's runs take up to a minute, and a machine that is busy
    # for part of that time must not slow only one side of the ratio. The first run (in the JSON
    # as plan_times[0] and occupancy_times[0]) includes building the transition layouts that
    # valuelearn caches on the MDP.
    repeats = max(VALUELEARN_REPEATS, case["k"])
    ours = time_valuelearn(mdp, reward, horizon, 1.0, repeats)
    shipped = time_imitation(env, reward, 1.0, case["k_shipped"])
    ours = _pooled(ours, time_valuelearn(mdp, reward, horizon, 1.0, repeats))
    row["valuelearn"] = _timing_fields(ours)
    row["imitation_shipped"] = _timing_fields(shipped) | {"k": case["k_shipped"]}
    row["agreement"] = agreement(shipped, ours)
    env64 = env
    if env.transition_matrix.dtype != np.float64:
        env64 = copy.copy(env)
        env64.transition_matrix = env.transition_matrix.astype(np.float64)
        float64 = time_imitation(env64, reward, 1.0, case["k"])
        row["imitation_float64"] = _timing_fields(float64) | {"k": case["k"]}
        row["agreement_float64"] = agreement(float64, ours)
    else:
        row["imitation_float64"] = row["imitation_shipped"]
    row["ratio_shipped"] = row["imitation_shipped"]["total_s"] / row["valuelearn"]["total_s"]
    row["ratio_float64"] = row["imitation_float64"]["total_s"] / row["valuelearn"]["total_s"]

    if case["check_discount"] is not None:
        row["discounted_check"] = discounted_check(env64, mdp, reward, case["check_discount"])
    return row


def _pooled(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """Two timed batches of one computation as one: all times kept, the best of them reported."""
    pooled = after | {
        "plan_times": before["plan_times"] + after["plan_times"],
        "occupancy_times": before["occupancy_times"] + after["occupancy_times"],
    }
    pooled["plan_s"] = min(pooled["plan_times"])
    pooled["occupancy_s"] = min(pooled["occupancy_times"])
    pooled["total_s"] = pooled["plan_s"] + pooled["occupancy_s"]
    return pooled


def _timing_fields(run: dict[str, Any]) -> dict[str, Any]:
    return {
        key: run[key]
        for key in ("plan_s", "occupancy_s", "total_s", "plan_times", "occupancy_times")
    }


def discounted_check(env: Any, mdp: MDP, reward: np.ndarray, discount: float) -> dict[str, Any]:
    """Agreement at ``discount < 1`` with explicit ``pi``, and imitation's ``pi=None`` gap."""
    horizon = int(env.horizon)
    values, q_values, policy = mce_partition_fh(env, reward=reward, discount=discount)
    per_step, cumulative = mce_occupancy_measures(env, reward=reward, pi=policy, discount=discount)
    imitation = {"V": values, "Q": q_values, "pi": policy, "D": per_step, "Dcum": cumulative}
    result = soft_value_iteration(mdp, reward, horizon=horizon, discount=discount)
    occ = occupancy(mdp, result.policy, horizon=horizon, discount=discount)
    ours_d, ours_dcum = occ.imitation()
    ours = {
        "V": result.values,
        "Q": result.q_values,
        "pi": result.policy,
        "D": ours_d,
        "Dcum": ours_dcum,
    }
    _, default_dcum = mce_occupancy_measures(env, reward=reward, discount=discount)
    return {
        "discount": discount,
        "agreement": agreement(imitation, ours),
        "imitation_default_pi_max_abs_dDcum": max_abs(default_dcum, cumulative),
        "imitation_default_pi_sum_Dcum": float(default_dcum.sum()),
        "explicit_pi_sum_Dcum": float(cumulative.sum()),
    }


# ---------------------------------------------------------------------- part 2: MCE IRL
class Scorer:
    """Scores a state reward on fixed demonstrations with imitation's planner (discount 1).

    * ``penalised``: the MCE dual ``mean_i sum_{t<H} r(s_t^i) - rho0 . V_0`` minus
      ``l2 / 2 ||r - mean(r)||^2`` (the dual is invariant to adding a constant to ``r``, and both
      optima have ``mean(r) = 0``, so this is the penalty in its most favourable gauge);
    * ``dual`` and the exact causal log-likelihood ``mean_i sum_t log pi_t(a_t^i | s_t^i)``;
    * ``residual_H``: ``max |demo_H - D_pi,H - l2 (r - mean r)|``, the stationarity condition of the
      penalised dual (occupancy over the H decision states, valuelearn's convention);
    * ``residual_H1``: the same with ``H + 1`` rows (``s_H`` included), the fixed point imitation's
      update actually drives to zero.
    """

    def __init__(self, env: Any, demos: Demonstrations, l2: float) -> None:
        self.env, self.l2 = env, l2
        self.states, self.actions = demos.as_arrays()
        n_demos, n_states = self.states.shape[0], env.state_dim
        self.start = np.bincount(self.states[:, 0], minlength=n_states) / n_demos
        decision = self.states[:, :-1]
        self.demo_h = np.bincount(decision.ravel(), minlength=n_states) / n_demos
        self.demo_h1 = np.bincount(self.states.ravel(), minlength=n_states) / n_demos
        self.times = np.arange(decision.shape[1])

    def __call__(self, reward: np.ndarray) -> dict[str, float]:
        reward = np.asarray(reward, dtype=np.float64)
        values, _, policy = mce_partition_fh(self.env, reward=reward)
        per_step, cumulative = mce_occupancy_measures(self.env, reward=reward, pi=policy)
        centred = reward - reward.mean()
        decision = self.states[:, :-1]
        with np.errstate(divide="ignore"):  # a runaway reward can drive pi to exactly 0
            log_pi = np.log(policy[self.times[None, :], decision, self.actions])
        log_lik = float(np.mean(np.sum(log_pi, axis=1)))
        dual = float(np.mean(reward[decision].sum(axis=1)) - self.start @ values[0])
        occupancy_h = cumulative - per_step[-1]
        return {
            "penalised_dual": dual - 0.5 * self.l2 * float(centred @ centred),
            "dual": dual,
            "log_likelihood": log_lik,
            "residual_H": float(np.max(np.abs(self.demo_h - occupancy_h - self.l2 * centred))),
            "residual_H1": float(np.max(np.abs(self.demo_h1 - cumulative - self.l2 * centred))),
            "max_abs_reward": float(np.max(np.abs(centred))),
        }


def run_valuelearn_irl(
    mdp: MDP,
    demos: Demonstrations,
    horizon: int,
    l2: float,
    gtol: float,
    k: int,
    max_iter: int = 1000,
) -> dict[str, Any]:
    caught: list[str] = []

    def fit() -> MCEIRL:
        with warnings.catch_warnings(record=True) as records:
            warnings.simplefilter("always")
            model = MCEIRL(horizon=horizon, discount=1.0, l2=l2, gtol=gtol, max_iter=max_iter).fit(
                mdp, demos
            )
        caught[:] = [str(record.message) for record in records]
        return model

    best, times, model = best_of(fit, k)
    return {
        "library": "valuelearn",
        "l2": l2,
        "gtol": gtol,
        "max_iter": max_iter,
        "wall_s": best,
        "times": times,
        "n_iter": model.n_iter_,
        "converged": model.converged_,
        "reported_objective": model.objective_,
        "reported_log_likelihood": model.log_likelihood_,
        "warnings": caught,
        "reward": model.reward_,
        "policy": model.policy_,
    }


def run_imitation_irl(
    env: Any,
    trajectories: list[Any],
    l2: float,
    lr: float,
    tol: float,
    max_iter: int,
    chunk: int,
    scorer: Scorer,
    seed: int,
) -> dict[str, Any]:
    """Train imitation's MCEIRL in chunks of ``chunk`` iterations (only ``train`` is timed).

    With ``l2 > 0`` imitation's own stopping rules (``linf_eps``, ``grad_l2_eps``) test the
    unpenalised residual, which does not vanish at the penalised optimum, so after each chunk the
    penalised stationarity residual of imitation's own fixed point (``residual_H1``) is computed
    outside the timer and training stops once it is ``<= tol``: the same test, in the same units,
    as valuelearn's ``gtol``. With ``l2 == 0`` it is one plain ``train(max_iter)`` call.
    """
    th.manual_seed(seed)
    net = reward_nets.BasicRewardNet(
        env.observation_space,
        env.action_space,
        hid_sizes=[],
        use_action=False,
        use_next_state=False,
        use_done=False,
    )
    with th.no_grad():  # start from r = 0, as valuelearn does
        for parameter in net.parameters():
            parameter.zero_()
    observations = th.as_tensor(env.observation_matrix, dtype=net.dtype)
    with tempfile.TemporaryDirectory() as folder:
        trainer = ImitationMCEIRL(
            trajectories,
            env,
            net,
            rng=np.random.default_rng(seed),
            optimizer_kwargs={"lr": lr, "weight_decay": l2},
            log_interval=None,
            custom_logger=imitation_logger.configure(folder, format_strs=[]),
        )
        steps = [0]
        train_step = trainer._train_step

        def counted(obs_mat: th.Tensor) -> Any:
            steps[0] += 1
            return train_step(obs_mat)

        trainer._train_step = counted  # type: ignore[method-assign]
        elapsed, history, converged, stopped_by_imitation = 0.0, [], False, False
        while steps[0] < max_iter:
            before = steps[0]
            size = max_iter if l2 == 0 else min(chunk, max_iter - steps[0])
            start = time.perf_counter()
            trainer.train(max_iter=size)
            elapsed += time.perf_counter() - start
            with th.no_grad():
                reward = net(observations, None, None, None).numpy().astype(np.float64)
            score = scorer(reward)
            history.append(
                {
                    "iterations": steps[0],
                    "wall_s": elapsed,
                    "penalised_dual": score["penalised_dual"],
                    "residual_H1": score["residual_H1"],
                }
            )
            if steps[0] - before < size:
                stopped_by_imitation = True
                break
            if l2 > 0 and score["residual_H1"] <= tol:
                converged = True
                break
    return {
        "library": "imitation",
        "l2": l2,
        "lr": lr,
        "tol": tol,
        "max_iter": max_iter,
        "chunk": chunk,
        "wall_s": elapsed,
        "n_iter": steps[0],
        "converged": converged or stopped_by_imitation,
        "stopped_by_imitation_rule": stopped_by_imitation,
        "history": history,
        "reward": reward,
        "policy": trainer.policy.pi,  # type: ignore[attr-defined]
    }


def irl_benchmark(
    quick: bool, log: Callable[[str], None], n_demos: int, seed: int, l2: float
) -> dict[str, Any]:
    """MCE IRL on CliffWorld 15x6 from sampled trajectories, both libraries on the same data.

    Why sampled trajectories rather than the analytic expert occupancy measure: valuelearn's
    estimator takes trajectories (it needs the actions for the log-likelihood and the first states
    for the start distribution), the causal log-likelihood that scores both methods is defined on
    trajectories, and handing imitation the exact infinite-sample occupancy measure would give it
    information valuelearn does not get. With the same trajectories both see the same data.

    Why a ridge penalty: with stochastic dynamics (CliffWorld's wind) and one-hot features the
    empirical occupancy of finitely many trajectories is generally not the occupancy of any policy,
    and then the unpenalised dual is unbounded above: there is no optimum to converge to (see the
    ``unpenalised`` rows, where both libraries' weights run away). ``weight_decay=l2`` in Adam and
    ``MCEIRL(l2=l2)`` give both the same strictly concave objective.
    """
    horizon = 18
    env = CliffWorldEnv(width=15, height=6, horizon=horizon, use_xy_obs=False)
    mdp = MDP.from_dense(
        env.transition_matrix,
        initial=env.initial_state_dist,
        features=np.asarray(env.observation_matrix, dtype=np.float64),
    )
    _, _, expert_policy = mce_partition_fh(env)
    demos = sample_trajectories(mdp, expert_policy, n=n_demos, rng=seed)
    trajectories = [
        imitation_types.Trajectory(
            obs=np.asarray(t.states), acts=np.asarray(t.actions), infos=None, terminal=True
        )
        for t in demos
    ]
    scorer = Scorer(env, demos, l2)
    states, _ = demos.as_arrays()
    setting = {
        "env": "CliffWorld 15x6 (seals.diagnostics.cliff_world.CliffWorldEnv)",
        "n_states": int(env.state_dim),
        "n_actions": int(env.action_dim),
        "horizon": horizon,
        "discount": 1.0,
        "features": "one-hot observations (90)",
        "n_demos": n_demos,
        "seed": seed,
        "l2": l2,
        "n_states_visited": int(np.unique(states).size),
        "expert": "soft-optimal (temperature 1) for the true reward, imitation.mce_partition_fh",
        "expert_score": scorer(np.asarray(env.reward_matrix, dtype=np.float64)),
    }
    log(
        f"  CliffWorld 15x6: {n_demos} demos, {setting['n_states_visited']} states visited, l2={l2}"
    )
    tol = 1e-3  # imitation's default linf_eps, in the same units as valuelearn's gtol
    k = 1 if quick else 3
    runs: list[dict[str, Any]] = [
        run_valuelearn_irl(mdp, demos, horizon, l2, tol, k) | {"label": "valuelearn gtol=1e-3"},
        run_valuelearn_irl(mdp, demos, horizon, l2, 1e-6, k) | {"label": "valuelearn gtol=1e-6"},
    ]
    for lr, cap in ((0.01, 500 if quick else 8000), (0.1, 1000 if quick else 4000)):
        log(f"  imitation MCEIRL lr={lr} (at most {cap} iterations) ...")
        runs.append(
            run_imitation_irl(env, trajectories, l2, lr, tol, cap, 50, scorer, seed)
            | {"label": f"imitation Adam lr={lr}"}
        )
    if not quick:
        log("  unpenalised (l2=0) runs ...")
        zero = Scorer(env, demos, 0.0)
        # valuelearn detects that no policy reproduces these counts (the unpenalised dual is
        # unbounded) and refuses, in about the time of a few iterations; imitation runs on.
        start = time.perf_counter()
        try:
            run_valuelearn_irl(mdp, demos, horizon, 0.0, 1e-6, 1, max_iter=300)
            refusal = "none: the unpenalised fit ran"
        except ValueLearnInputError as error:
            refusal = str(error)
        runs.append(
            {
                "library": "valuelearn",
                "label": "valuelearn l2=0",
                "unpenalised": True,
                "wall_s": time.perf_counter() - start,
                "refused": refusal,
            }
        )
        for run in (
            run_imitation_irl(env, trajectories, 0.0, 0.01, tol, 1000, 1000, zero, seed)
            | {"label": "imitation l2=0 (defaults, train(1000))"},
        ):
            run["score"] = zero(run.pop("reward"))
            run.pop("policy")
            run["unpenalised"] = True
            runs.append(run)
    reference = runs[1]  # valuelearn at gtol=1e-6: the penalised optimum
    reference_reward = reference["reward"] - reference["reward"].mean()
    for run in runs:
        if "reward" not in run:
            continue
        reward = run.pop("reward")
        policy = run.pop("policy")
        run["score"] = scorer(reward)
        run["own_policy_log_likelihood"] = causal_log_likelihood(policy, demos)
        run["max_abs_reward_diff_vs_optimum"] = max_abs(reward - reward.mean(), reference_reward)
    optimum = reference["score"]["penalised_dual"]
    for run in runs:
        if "refused" in run:
            continue
        if not run.get("unpenalised"):
            run["gap_to_optimum"] = optimum - run["score"]["penalised_dual"]
        run["ratio_vs_valuelearn"] = (
            None if run.get("unpenalised") else run["wall_s"] / runs[0]["wall_s"]
        )
    return {"setting": setting, "runs": runs}


# ---------------------------------------------------------------------- output
def print_planning(rows: list[dict[str, Any]]) -> None:
    header = (
        f"{'MDP':<28}{'S':>6}{'H':>5} {'imitation (shipped)':>20} {'imitation (f64 T)':>18} "
        f"{'valuelearn':>11} {'ratio':>7} {'ratio f64':>9} {'max|dD|':>9} {'max|dpi|':>9}"
    )
    print(header)
    print("-" * len(header))
    for row in rows:
        shipped, f64, ours = row["imitation_shipped"], row["imitation_float64"], row["valuelearn"]
        print(
            f"{row['name']:<28}{row['n_states']:>6}{row['horizon']:>5} "
            f"{_ms(shipped['total_s']):>20} {_ms(f64['total_s']):>18} {_ms(ours['total_s']):>11} "
            f"{row['ratio_shipped']:>6.0f}x {row['ratio_float64']:>8.0f}x "
            f"{row['agreement']['D']:>9.1e} {row['agreement']['pi']:>9.1e}"
        )
    print(
        "  (each time = soft value iteration + occupancy; imitation best of k, valuelearn best of "
        "2k: k runs before imitation's and k after; "
        "plan/occupancy split in the JSON)"
    )
    for row in rows:
        check = row.get("discounted_check")
        if check:
            print(
                f"  {row['name']}, discount {check['discount']}: max|dD| = "
                f"{check['agreement']['D']:.1e}, max|dpi| = {check['agreement']['pi']:.1e} "
                f"(explicit pi); imitation with pi=None is off by max|dDcum| = "
                f"{check['imitation_default_pi_max_abs_dDcum']:.3g}"
            )


def print_irl(result: dict[str, Any]) -> None:
    setting = result["setting"]
    expert = setting["expert_score"]
    print(
        f"MCE IRL, {setting['env'].split(' (')[0]}, H={setting['horizon']}, "
        f"{setting['n_demos']} sampled demos, one-hot linear reward, l2={setting['l2']}"
    )
    header = (
        f"{'run':<40}{'wall s':>8}{'iters':>7}{'ratio':>8}{'conv':>6}"
        f"{'pen. dual':>11}{'gap':>9}{'log-lik':>9}{'res_H':>9}{'res_H+1':>9}"
    )
    print(header)
    print("-" * len(header))
    for run in result["runs"]:
        if "refused" in run:
            print(f"{run['label']:<40}{run['wall_s']:>8.2f}  refused: {run['refused'][:60]}...")
            continue
        score = run["score"]
        gap, ratio = run.get("gap_to_optimum"), run["ratio_vs_valuelearn"]
        ratio_text = "-" if ratio is None else f"{ratio:.0f}x"
        print(
            f"{run['label']:<40}{run['wall_s']:>8.2f}{run['n_iter']:>7}"
            f"{ratio_text:>8}{'yes' if run['converged'] else 'no':>6}"
            f"{_number(score['penalised_dual']):>11}{'' if gap is None else f'{gap:.1e}':>9}"
            f"{score['log_likelihood']:>9.4f}{score['residual_H']:>9.1e}"
            f"{score['residual_H1']:>9.1e}"
        )
    print(f"{'(expert policy, true reward)':<40}{'':>36}{expert['log_likelihood']:>9.4f}")
    print(
        "  ratio = wall time / 'valuelearn gtol=1e-3'; log-lik = mean causal log-likelihood "
        "of the demos; res_H = stationarity residual of the MCE dual, res_H+1 = imitation's "
        "convention"
    )


def _number(value: float) -> str:
    return f"{value:.4f}" if abs(value) < 1e5 else f"{value:.2e}"


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:.1f} ms" if seconds < 10 else f"{seconds:.2f} s"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def write_json(payload: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        json.dump(_jsonable(payload), stream, indent=1)
        stream.write("\n")
    os.chmod(tmp, 0o644)  # mkstemp creates 0600
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--quick", action="store_true", help="smaller run, under a minute")
    parser.add_argument("--out", type=Path, default=OUT, help=f"JSON output (default {OUT})")
    parser.add_argument("--n-demos", type=int, default=200)
    parser.add_argument("--l2", type=float, default=1e-2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    load_before = os.getloadavg()
    threads = limit_threads(THREADS)
    info = machine_info()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", flush=True)

    log(
        f"valuelearn {valuelearn.__version__} ({Path(valuelearn.__file__).parent}), imitation "
        f"{info['versions']['imitation']}, seals {info['versions']['seals']}, numpy "
        f"{np.__version__}, scipy {scipy.__version__}, torch {th.__version__}"
    )
    log(f"load average (1, 5, 15 min): {load_before}; other processes on these CPUs skew both")
    log(
        f"threads: torch {threads['torch_num_threads']}, BLAS "
        f"{[pool['num_threads'] for pool in threads['numpy_threadpools']]}, "
        f"CPUs {threads['cpus_pinned']} of {threads['cpu_count']}"
    )
    log("part 1: soft value iteration + occupancy")
    planning = [planning_benchmark(case, log) for case in planning_cases(args.quick)]
    log("part 2: MCE IRL")
    irl = irl_benchmark(args.quick, log, args.n_demos, args.seed, args.l2)
    payload = {
        "benchmark": "bench_mce_peer",
        "quick": args.quick,
        "threads": threads,
        "machine": info,
        "agreement_tolerance": AGREEMENT_TOL,
        "planning": planning,
        "irl": irl,
        "wall_s": time.perf_counter() - started,
        "load_average_1_5_15_min": {"start": load_before, "end": os.getloadavg()},
    }
    write_json(payload, args.out)
    print()
    print_planning(planning)
    print()
    print_irl(irl)
    print()
    ok = all(row["agreement"]["ok"] for row in planning) and all(
        row["discounted_check"]["agreement"]["ok"] for row in planning if "discounted_check" in row
    )
    log(f"agreement to {AGREEMENT_TOL:g}: {'ok' if ok else 'FAILED'}; wrote {args.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
