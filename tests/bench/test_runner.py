"""The runner: planning, resuming after SIGKILL, local worker processes and Ray give equal rows."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from valuelearn.bench._registry import Scenario, register
from valuelearn.bench._runner import execute, import_ray, plan_runs, run_suite
from valuelearn.bench._store import ResultStore
from valuelearn.exceptions import ValueLearnInputError

from .scenarios_for_tests import tiny_metrics

ALL_TINY = {
    ("tiny", learner, n, seed)
    for learner in ("naive", "aware")
    for n in (1, 3, 9)
    for seed in (0, 1)
}


def stored(results: Path) -> dict[tuple[str, str, int, int], dict[str, float]]:
    with ResultStore(results) as store:
        records = store.records()
    rows = {(r.scenario, r.learner, r.n, r.seed): dict(r.metrics) for r in records}
    assert len(rows) == len(records)  # no duplicated (scenario, learner, n, seed)
    return rows


def test_plan_order_and_quick_sweep():
    runs = plan_runs("test", quick=True)
    assert [(r.learner, r.n, r.seed) for r in runs] == [
        ("naive", 1, 0), ("aware", 1, 0), ("naive", 3, 0), ("aware", 3, 0)
    ]  # fmt: skip
    assert len(plan_runs("test")) == len(ALL_TINY)
    assert runs[0].source.endswith("scenarios_for_tests.py")
    with pytest.raises(ValueLearnInputError, match="--suite 'nothing' has no scenarios"):
        plan_runs("nothing")


def test_run_suite_stores_closed_form_metrics_and_resumes(tmp_path: Path):
    seen: list[tuple[int, int]] = []
    with ResultStore(tmp_path) as store:
        quick = run_suite(store, "test", quick=True, progress=lambda i, t, _: seen.append((i, t)))
        full = run_suite(store, "test")
    assert (quick.total, quick.executed, full.total, full.skipped, full.executed) == (
        4,
        4,
        12,
        4,
        8,
    )
    assert seen == [(1, 4), (2, 4), (3, 4), (4, 4)]
    rows = stored(tmp_path)
    assert set(rows) == ALL_TINY
    assert rows[("tiny", "aware", 3, 1)] == tiny_metrics("aware", 3, 1)
    assert rows[("tiny", "aware", 3, 1)]["epic"] == pytest.approx((0.25 + 0.01) / 2)


def test_two_local_workers_store_the_same_rows_as_one(tmp_path: Path):
    with ResultStore(tmp_path / "one") as store:
        run_suite(store, "test", workers=1)
    with ResultStore(tmp_path / "two") as store:
        result = run_suite(store, "test", workers=2)
    assert result.executed == len(ALL_TINY)
    assert stored(tmp_path / "one") == stored(tmp_path / "two")


def test_bad_arguments_and_bad_scenarios(tmp_path: Path):
    with ResultStore(tmp_path) as store:
        with pytest.raises(ValueLearnInputError, match="--workers must be at least 1; got 0"):
            run_suite(store, "test", workers=0)
        with pytest.raises(ValueLearnInputError, match="--executor must be 'local' or 'ray'"):
            run_suite(store, "test", executor="dask")  # type: ignore[arg-type]

    def no_epic(learner: str, n: int, seed: int) -> dict[str, float]:
        return {"normalized_regret": 0.0}

    register(Scenario("no-epic", "d", no_epic, suites=("x-bad",)))
    (spec, *_) = plan_runs("x-bad")
    with pytest.raises(ValueLearnInputError, match="'no-epic' returned no epic for learner"):
        execute(spec)
    register(Scenario("own", "d", no_epic, suites=("x-own",), metrics=("normalized_regret",)))
    assert execute(plan_runs("x-own")[0])[0] == {"normalized_regret": 0.0}
    register(Scenario("own-bad", "d", no_epic, suites=("x-own-bad",), metrics=("reward",)))
    with pytest.raises(ValueLearnInputError, match="'own-bad' returned no reward for learner"):
        execute(plan_runs("x-own-bad")[0])


def test_missing_ray_is_a_clear_error(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setitem(sys.modules, "ray", None)
    with pytest.raises(ValueLearnInputError, match=r"pip install 'valuelearn\[ray\]'"):
        import_ray()


def bench_command(results: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "valuelearn", "bench", "--suite", "test", "--results",
            str(results), "--workers", "1", *extra]  # fmt: skip


def test_a_suite_killed_with_sigkill_resumes_without_lost_or_duplicated_rows(tmp_path: Path):
    marks = tmp_path / "marks"
    marks.mkdir()
    env = {**os.environ, "VALUELEARN_TEST_SLEEP": "0.15", "VALUELEARN_TEST_MARKS": str(marks)}
    results = tmp_path / "results"
    process = subprocess.Popen(
        bench_command(results), env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while len(list(marks.iterdir())) < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    assert process.returncode == -signal.SIGKILL
    survived = stored(results)
    assert 1 <= len(survived) < len(ALL_TINY)
    assert all(metrics == tiny_metrics(*key[1:]) for key, metrics in survived.items())
    again = subprocess.run(
        bench_command(results), env=env, capture_output=True, text=True, check=True
    )
    executed = len(ALL_TINY) - len(survived)
    assert f"{executed} runs executed, {len(survived)} already stored" in again.stderr
    rows = stored(results)
    assert set(rows) == ALL_TINY
    assert all(metrics == tiny_metrics(*key[1:]) for key, metrics in rows.items())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_ray_executor_on_a_local_cluster_stores_the_local_rows(tmp_path: Path):
    pytest.importorskip("ray")
    port = free_port()
    # A loopback-only, single-machine cluster owned by this test (stopped by its own pid).
    env = {**os.environ, "RAY_AUTH_MODE": "disabled", "RAY_USAGE_STATS_ENABLED": "0"}
    head = subprocess.Popen(
        [str(Path(sys.executable).with_name("ray")), "start", "--head", "--block",
         f"--port={port}", "--node-ip-address=127.0.0.1", "--num-cpus=2",
         "--include-dashboard=false", "--disable-usage-stats"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        result = subprocess.run(
            bench_command(tmp_path / "ray", "--executor", "ray", "--address", f"127.0.0.1:{port}"),
            env=env, capture_output=True, text=True, timeout=240, check=False,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
    finally:
        head.send_signal(signal.SIGTERM)
        try:
            head.wait(timeout=30)
        except subprocess.TimeoutExpired:
            head.kill()
            head.wait()
    with ResultStore(tmp_path / "local") as store:
        run_suite(store, "test", workers=1)
    assert stored(tmp_path / "ray") == stored(tmp_path / "local")
    assert set(stored(tmp_path / "ray")) == ALL_TINY
