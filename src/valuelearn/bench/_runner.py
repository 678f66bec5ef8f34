"""The runner: expand a suite into runs, skip the stored ones, execute the rest, store each row.

Runs are independent, so they go to local worker processes (``executor="local"``, a
:class:`concurrent.futures.ProcessPoolExecutor` with the ``spawn`` start method) or to a Ray
cluster (``executor="ray"``), without any change to the scenarios. A worker receives only the
run's key and the module that registers its scenario, imports that module, and returns the
metrics; the calling process writes each row to the store as soon as it arrives, so a killed
suite loses at most the runs in flight and a restart runs only what is missing.
"""

from __future__ import annotations

import concurrent.futures
import multiprocessing
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from valuelearn.bench._registry import Scenario, get, load_source, scenarios, source_of
from valuelearn.bench._store import ResultStore, RunKey, RunRecord
from valuelearn.exceptions import ValueLearnInputError

Executor = Literal["local", "ray"]
#: Called after each stored run with (runs finished so far, runs to do, the record).
ProgressCallback = Callable[[int, int, RunRecord], None]


@dataclass(frozen=True)
class RunSpec:
    """One run to execute: a scenario, learner, data size and seed, plus where to find it."""

    scenario: str
    learner: str
    n: int
    seed: int
    config_hash: str
    config: str
    source: str

    @property
    def key(self) -> RunKey:
        """``(scenario, learner, n, seed, config_hash)``, as in the store."""
        return (self.scenario, self.learner, self.n, self.seed, self.config_hash)


@dataclass(frozen=True)
class SuiteResult:
    """What :func:`run_suite` did: runs in the suite, skipped as already stored, and executed."""

    total: int
    skipped: int
    executed: int
    seconds: float


def plan_runs(
    suite: str = "default", *, quick: bool = False, names: Iterable[str] | None = None
) -> list[RunSpec]:
    """Every run of ``suite`` (or of the scenarios ``names``), in a stable order.

    The order is scenario, size, seed, learner, so that the first runs to finish cover every
    scenario's smallest size.

    Raises
    ------
    ValueLearnInputError
        If the suite has no scenario or a name is unknown.

    Examples
    --------
    >>> runs = plan_runs("quick", quick=True, names=["baseline"])
    >>> [(r.learner, r.n, r.seed) for r in runs][:3]
    [('naive', 10, 0), ('aware', 10, 0), ('naive', 10, 1)]
    """
    chosen = [get(name) for name in names] if names is not None else scenarios(suite)
    if not chosen:
        raise ValueLearnInputError(
            f"--suite {suite!r} has no scenarios; run 'valuelearn bench --list' to see the suites."
        )
    return [spec for scenario in chosen for spec in _expand(scenario, quick=quick)]


def _expand(scenario: Scenario, *, quick: bool) -> Iterator[RunSpec]:
    sizes, seeds = scenario.sweep(quick=quick)
    source = source_of(scenario.name)
    for n in sizes:
        for seed in seeds:
            for learner in scenario.learners:
                yield RunSpec(
                    scenario.name,
                    learner,
                    n,
                    seed,
                    scenario.config_hash,
                    scenario.config_json,
                    source,
                )


def execute(spec: RunSpec) -> tuple[dict[str, float], float]:
    """Run one spec in this process: import its scenario's module, run it, time it.

    Returns the metrics and the wall time in seconds. This is what every worker calls.

    Raises
    ------
    ValueLearnInputError
        If the scenario's configuration changed since the run was planned, or its ``run``
        did not return every one of the scenario's ``metrics``.
    """
    load_source(spec.source)
    scenario = get(spec.scenario)
    if scenario.config_hash != spec.config_hash:
        raise ValueLearnInputError(
            f"scenario {spec.scenario!r} has configuration {scenario.config_hash} in the worker "
            f"but {spec.config_hash} in the runner."
        )
    start = time.perf_counter()
    metrics = {
        name: float(value) for name, value in scenario.run(spec.learner, spec.n, spec.seed).items()
    }
    seconds = time.perf_counter() - start
    missing = [name for name in scenario.metrics if name not in metrics]
    if missing:
        raise ValueLearnInputError(
            f"scenario {spec.scenario!r} returned no {' or '.join(missing)} for learner "
            f"{spec.learner!r}, n={spec.n}, seed={spec.seed}."
        )
    return metrics, seconds


def run_suite(
    store: ResultStore,
    suite: str = "default",
    *,
    quick: bool = False,
    executor: Executor = "local",
    workers: int = 1,
    address: str | None = None,
    names: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
) -> SuiteResult:
    """Run every missing run of ``suite`` and write each row to ``store`` as it finishes.

    Parameters
    ----------
    store : ResultStore
        Where finished runs are written (and which runs count as done).
    suite : str
        The suite to run (scenarios whose ``suites`` contain it).
    quick : bool
        Use each scenario's quick sweep.
    executor : {"local", "ray"}
        Local worker processes, or a Ray cluster.
    workers : int
        Local worker processes; 1 runs in this process (no pool). Ignored by Ray, which
        schedules on the cluster's CPUs.
    address : str, optional
        Ray cluster address (``"127.0.0.1:6379"``, ``"auto"``); ``None`` uses ``RAY_ADDRESS``
        if set, else starts a local Ray instance for this suite.
    names : iterable of str, optional
        Run these scenarios instead of the suite's.
    progress : callable, optional
        Called after each stored run.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp, ResultStore(tmp) as store:
    ...     first = run_suite(store, "quick", quick=True, names=["baseline"])
    ...     again = run_suite(store, "quick", quick=True, names=["baseline"])
    >>> (first.executed, again.skipped, again.executed)
    (8, 8, 0)
    """
    if executor not in ("local", "ray"):
        raise ValueLearnInputError(f"--executor must be 'local' or 'ray'; got {executor!r}.")
    if workers < 1:
        raise ValueLearnInputError(f"--workers must be at least 1; got {workers}.")
    start = time.perf_counter()
    planned = plan_runs(suite, quick=quick, names=names)
    done = store.done_keys()
    todo = [spec for spec in planned if spec.key not in done]
    if executor == "ray":
        finished = _run_ray(todo, address)
    elif workers == 1:
        finished = ((spec, *execute(spec)) for spec in todo)
    else:
        finished = _run_local(todo, workers)
    for count, (spec, metrics, seconds) in enumerate(finished, start=1):
        record = RunRecord(
            spec.scenario,
            spec.learner,
            spec.n,
            spec.seed,
            spec.config_hash,
            suite,
            spec.config,
            metrics,
            seconds,
        )
        store.add(record)
        if progress is not None:
            progress(count, len(todo), record)
    return SuiteResult(
        len(planned), len(planned) - len(todo), len(todo), time.perf_counter() - start
    )


Finished = Iterator[tuple[RunSpec, dict[str, float], float]]


#: Thread-pool variables pinned to 1 in worker processes: the workers are the parallelism, and
#: BLAS/OpenMP threads on top of them oversubscribe the cores (several times slower on 2 cores).
_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def _run_local(todo: list[RunSpec], workers: int) -> Finished:
    for variable in _THREAD_VARIABLES:  # inherited by the spawned workers; a user's setting wins
        os.environ.setdefault(variable, "1")
    context = multiprocessing.get_context("spawn")
    with concurrent.futures.ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {pool.submit(execute, spec): spec for spec in todo}
        try:
            for future in concurrent.futures.as_completed(futures):
                metrics, seconds = future.result()
                yield futures[future], metrics, seconds
        finally:
            for future in futures:
                future.cancel()


def _run_ray(todo: list[RunSpec], address: str | None) -> Finished:
    ray = import_ray()
    started_here = not ray.is_initialized()
    if started_here:
        address = address or os.environ.get("RAY_ADDRESS") or "local"
        ray.init(address=address, include_dashboard=False, log_to_driver=False)
    try:
        remote = ray.remote(num_cpus=1)(execute)
        pending = {remote.remote(spec): spec for spec in todo}
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            for ref in ready:
                spec = pending.pop(ref)
                metrics, seconds = ray.get(ref)
                yield spec, metrics, seconds
    finally:
        if started_here:
            ray.shutdown()


def import_ray() -> Any:
    """Import :mod:`ray`, or say how to install it.

    Raises
    ------
    ValueLearnInputError
        If Ray is not installed.
    """
    try:
        import ray
    except ImportError:
        raise ValueLearnInputError(
            "--executor ray needs Ray, which is not installed; pip install 'valuelearn[ray]'."
        ) from None
    return ray


def default_workers() -> int:
    """The default number of local workers: the CPUs this process may use.

    Spawning a worker costs about 1 s (importing NumPy and SciPy), which the quick suite notices
    but a default suite of several minutes does not (see ``benchmarks/bench_runner.py``).
    """
    try:
        count = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        count = os.cpu_count() or 1
    return max(1, count)
