"""The ``valuelearn`` command line: the full pipeline, and one clean error line for bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from valuelearn.bench._registry import SCENARIOS_ENV, load_source
from valuelearn.data import feature_gridworld, load_demonstrations, random_mdp, save_mdp
from valuelearn.representation import Reward, load_reward, save_reward

from .cli_helpers import run

GOOD_TRANSITIONS = [[0, 0, 0, 1.0], [0, 1, 1, 1.0], [1, 0, 0, 1.0], [1, 1, 1, 1.0]]


def assert_one_error_line(err: str, *fragments: str) -> None:
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("error: ")
    for fragment in fragments:
        assert fragment in lines[0], lines[0]


@pytest.fixture
def files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """A small feature gridworld, its true linear reward, and paths relative to tmp_path."""
    monkeypatch.chdir(tmp_path)
    mdp = feature_gridworld(4, n_features=3, kind="gaussian", horizon=8, discount=1.0, rng=0)
    assert mdp.features is not None
    save_mdp(mdp, "m.json")
    save_reward(Reward.linear([1.5, -1.0, 0.5], mdp.features, mdp.feature_names), "r.json")
    (tmp_path / "d.jsonl").write_text('{"states": [0, 1, 2], "actions": [3, 3]}\n')
    return {name: Path(name) for name in ("m.json", "r.json", "d.jsonl")}


def write_mdp(name: str, **changes: Any) -> Path:
    document: dict[str, Any] = {
        "format": "valuelearn.mdp/1",
        "n_states": 2,
        "n_actions": 2,
        "transitions": GOOD_TRANSITIONS,
        "initial": [1.0, 0.0],
        "horizon": 2,
        **changes,
    }
    Path(name).write_text(json.dumps(document))
    return Path(name)


# ---------------------------------------------------------------------- the pipeline
def test_simulate_fit_plan_evaluate(files: dict[str, Path], capsys: pytest.CaptureFixture[str]):
    code, out, err = run(
        capsys,
        "simulate",
        "--mdp",
        "m.json",
        "--reward",
        "r.json",
        "--n",
        "400",
        "--seed",
        "1",
        "--out",
        "demos.jsonl",
    )
    assert (code, out) == (0, "")
    assert "wrote 400 trajectories of 8 actions to demos.jsonl" in err
    demos = load_demonstrations("demos.jsonl")
    assert len(demos) == 400 and set(demos.lengths.tolist()) == {8}

    code, out, err = run(
        capsys, "fit", "mce-irl", "--mdp", "m.json", "--demos", "demos.jsonl", "--out", "l.json"
    )
    assert (code, out) == (0, "")
    assert "log-likelihood" in err and "converged" in err and "yes" in err
    learned = load_reward("l.json")
    assert learned.kind == "linear" and learned.feature_names == ("f0", "f1", "f2")
    assert learned.weights is not None
    np.testing.assert_allclose(learned.weights, [1.5, -1.0, 0.5], atol=0.15)

    code, out, err = run(capsys, "plan", "--mdp", "m.json", "--reward", "l.json", "--out", "p.npz")
    assert (code, out) == (0, "")
    with np.load("p.npz") as plan:
        assert str(plan["format"]) == "valuelearn.plan/1"
        assert plan["policy"].shape == (8, 16, 4) and plan["values"].shape == (8, 16)
        assert plan["occupancy_per_step"].shape == (8, 16)
        np.testing.assert_allclose(plan["occupancy"].sum(), 8.0)
        np.testing.assert_allclose(plan["occupancy_per_step"].sum(axis=1), 1.0)
        assert int(plan["horizon"]) == 8 and float(plan["temperature"]) == 0.0

    code, out, err = run(
        capsys, "evaluate", "--mdp", "m.json", "--true", "r.json", "--learned", "l.json"
    )
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert {"epic", "regret", "normalized_regret"} <= set(report)
    assert report["epic"] < 0.1
    assert 0.0 <= report["normalized_regret"] < 0.1


def test_tabular_fit_infinite_horizon_and_soft_plan(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    save_mdp(random_mdp(6, 2, branching=2, discount=0.8, rng=3), "m.npz")
    save_reward(Reward.state(np.linspace(-1.0, 1.0, 6)), "r.json")
    assert (
        run(
            capsys,
            "simulate",
            "--mdp",
            "m.npz",
            "--reward",
            "r.json",
            "--horizon",
            "30",
            "--temperature",
            "0.5",
            "--out",
            "d.jsonl",
        )[0]
        == 0
    )
    code, _, err = run(
        capsys,
        "fit",
        "mce-irl",
        "--mdp",
        "m.npz",
        "--demos",
        "d.jsonl",
        "--infinite",
        "--out",
        "l.json",
        "--l2",
        "0.01",
    )
    assert code == 0, err
    assert load_reward("l.json").kind == "state"
    code, _, err = run(
        capsys,
        "plan",
        "--mdp",
        "m.npz",
        "--reward",
        "l.json",
        "--infinite",
        "--soft",
        "--temperature",
        "2",
        "--out",
        "p.npz",
    )
    assert code == 0, err
    with np.load("p.npz") as plan:
        assert plan["policy"].shape == (6, 2) and "occupancy_per_step" not in plan
        np.testing.assert_allclose(plan["occupancy"].sum(), 1 / (1 - 0.8))
        assert float(plan["temperature"]) == 2.0
    code, out, _ = run(
        capsys,
        "evaluate",
        "--mdp",
        "m.npz",
        "--true",
        "r.json",
        "--learned",
        "r.json",
        "--horizon",
        "5",
    )
    report = json.loads(out)
    assert (code, report["epic"], report["regret"], report["horizon"]) == (0, 0.0, 0.0, 5)


def test_same_seed_same_demonstrations(files: dict[str, Path], capsys: pytest.CaptureFixture[str]):
    for name in ("a.jsonl", "b.jsonl"):
        run(capsys, "simulate", "--mdp", "m.json", "--reward", "r.json", "--n", "5", "--out", name)
    assert Path("a.jsonl").read_text() == Path("b.jsonl").read_text()


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (
        ["--help"],
        ["simulate", "--help"],
        ["fit", "mce-irl", "--help"],
        ["plan", "--help"],
        ["evaluate", "--help"],
    ):
        code, out, _ = run(capsys, *command)
        assert code == 0 and "Usage: valuelearn" in out
    assert run(capsys, "--version")[1].startswith("valuelearn ")


# ---------------------------------------------------------------------- bad input
MDP_CASES = {
    "non-stochastic row": (
        {"transitions": [[0, 0, 0, 1.0], [0, 1, 1, 0.7], [1, 0, 0, 1.0], [1, 1, 1, 1.0]]},
        ["bad.json: field 'transitions': row for (state 0, action 1) sums to 0.7"],
    ),
    "negative probability": (
        {"transitions": [*GOOD_TRANSITIONS, [1, 1, 0, -0.5]]},
        ["bad.json: field 'transitions' row 4: probability -0.5 is negative"],
    ),
    "state out of range": (
        {"transitions": [*GOOD_TRANSITIONS, [2, 0, 0, 1.0]]},
        ["bad.json: field 'transitions' row 4: state 2 is out of range [0, 2)"],
    ),
    "action out of range": (
        {"transitions": [*GOOD_TRANSITIONS, [0, 2, 0, 1.0]]},
        ["bad.json: field 'transitions' row 4: action 2 is out of range [0, 2)"],
    ),
    "string probability": (
        {"transitions": [[0, 0, 0, "1"], *GOOD_TRANSITIONS[1:]]},
        ["bad.json: field 'transitions' row 0: probability must be a number; got string '1'"],
    ),
    "boolean count": ({"n_states": True}, ["bad.json: field 'n_states': expected an integer"]),
    "unknown format": ({"format": "mdp"}, ["bad.json: field 'format': expected "]),
    "missing format": ({"format": None}, ["bad.json: field 'format' is missing"]),
}


@pytest.mark.parametrize("case", list(MDP_CASES))
def test_bad_mdp_file(files: dict[str, Path], capsys: pytest.CaptureFixture[str], case: str):
    changes, fragments = MDP_CASES[case]
    write_mdp("bad.json", **changes)
    if changes.get("format", "") is None:
        document = json.loads(Path("bad.json").read_text())
        del document["format"]
        Path("bad.json").write_text(json.dumps(document))
    code, out, err = run(
        capsys, "simulate", "--mdp", "bad.json", "--reward", "r.json", "--out", "x.jsonl"
    )
    assert (code, out) == (2, "")
    assert_one_error_line(err, *fragments)
    assert not Path("x.jsonl").exists()


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (
            '{"format": "valuelearn.mdp/1", "n_states": 2, "n_actions": 2, "initial": [1, 0], '
            '"transitions": [[0, 0, 0, NaN]]}',
            "bad.json: invalid JSON at line 1, column 108: NaN is not a JSON number",
        ),
        (
            '{"format": "valuelearn.mdp/1",\n"n_states": 2,,}',
            "bad.json: invalid JSON at line 2, column 15",
        ),
        ("", "bad.json: the file is empty"),
    ],
)
def test_unparseable_mdp_file(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], text: str, fragment: str
) -> None:
    Path("bad.json").write_text(text)
    code, _, err = run(capsys, "plan", "--mdp", "bad.json", "--reward", "r.json", "--out", "p.npz")
    assert code == 2
    assert_one_error_line(err, fragment)


DEMO_CASES = {
    "state out of range": (
        '{"states": [0, 16, 1], "actions": [0, 1]}',
        "d.jsonl line 2: field 'states' item 1: state 16 is out of range [0, 16)",
    ),
    "action out of range": (
        '{"states": [0, 1, 1], "actions": [0, 4]}',
        "d.jsonl line 2: field 'actions' item 1: action 4 is out of range [0, 4)",
    ),
    "empty trajectory": (
        '{"states": [0], "actions": []}',
        "d.jsonl line 2: field 'actions': is empty",
    ),
    "ragged trajectory": (
        '{"states": [0, 1], "actions": [0, 1]}',
        "d.jsonl line 2: 'states' has 2 entries and 'actions' has 2",
    ),
    "wrong type": (
        '{"states": [0, 1, "2"], "actions": [0, 1]}',
        "d.jsonl line 2: field 'states' item 2: expected an integer; got string '2'",
    ),
    "invalid JSON": (
        '{"states": [0, 1, 2], "actions": [0, 1]',
        "d.jsonl line 2: invalid JSON at column 40",
    ),
    "NaN": (
        '{"states": [0, 1, 2], "actions": [0, 1], "time": NaN}',
        "d.jsonl line 2: invalid JSON at column 50: NaN is not a JSON number",
    ),
    "wrong length": (
        '{"states": [0, 1, 2, 3], "actions": [0, 1, 3]}',
        "d.jsonl line 2: the trajectory has 3 actions, but a finite-horizon fit with horizon 8",
    ),
}


@pytest.mark.parametrize("case", list(DEMO_CASES))
def test_bad_demonstrations(files: dict[str, Path], capsys: pytest.CaptureFixture[str], case: str):
    good = '{"states": [0, 1, 2, 3, 2, 1, 0, 1, 0], "actions": [3, 3, 3, 2, 2, 2, 3, 2]}'
    Path("d.jsonl").write_text(good + "\n" + DEMO_CASES[case][0] + "\n")
    code, out, err = run(
        capsys, "fit", "mce-irl", "--mdp", "m.json", "--demos", "d.jsonl", "--out", "l.json"
    )
    assert (code, out) == (2, "")
    assert_one_error_line(err, DEMO_CASES[case][1])
    assert not Path("l.json").exists()


def test_empty_demonstration_file(files: dict[str, Path], capsys: pytest.CaptureFixture[str]):
    Path("d.jsonl").write_text("\n")
    code, _, err = run(
        capsys, "fit", "mce-irl", "--mdp", "m.json", "--demos", "d.jsonl", "--out", "l.json"
    )
    assert code == 2
    assert_one_error_line(err, "d.jsonl: the file is empty")


REWARD_CASES = {
    "length mismatch": (
        {"kind": "state", "values": [0.0] * 5},
        "bad.json: field 'values': has 5 entries but the MDP has 16 states",
    ),
    "linear disagreement": (
        {"kind": "linear", "weights": [1.0, 0.0, 0.0], "values": [0.0] * 16},
        "bad.json: field 'values': disagrees with features @ weights",
    ),
    "wrong type": (
        {"kind": "state", "values": [True] * 16},
        "bad.json: field 'values' item 0: expected a number; got true",
    ),
    "unknown kind": (
        {"kind": "neural", "values": [0.0] * 16},
        "bad.json: field 'kind': expected 'state', 'state_action' or 'linear'",
    ),
    "unknown format": (
        {"format": "valuelearn.mdp/1", "kind": "state", "values": [0.0] * 16},
        "bad.json: field 'format': expected 'valuelearn.reward/1'",
    ),
}


@pytest.mark.parametrize("case", list(REWARD_CASES))
def test_bad_reward(files: dict[str, Path], capsys: pytest.CaptureFixture[str], case: str):
    document, fragment = REWARD_CASES[case]
    Path("bad.json").write_text(json.dumps({"format": "valuelearn.reward/1", **document}))
    code, out, err = run(
        capsys, "evaluate", "--mdp", "m.json", "--true", "r.json", "--learned", "bad.json"
    )
    assert (code, out) == (2, "")
    assert_one_error_line(err, fragment)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (
            ["simulate", "--mdp", "missing.json", "--reward", "r.json", "--out", "x.jsonl"],
            "missing.json: no such file or directory",
        ),
        (
            ["fit", "mce-irl", "--mdp", "m.json", "--demos", "gone.jsonl", "--out", "l.json"],
            "gone.jsonl: no such file or directory",
        ),
        (
            ["evaluate", "--mdp", "m.json", "--true", "nope.json", "--learned", "r.json"],
            "nope.json: no such file or directory",
        ),
        (
            ["simulate", "--mdp", "m.json", "--reward", "r.json", "--out", "no/dir/x.jsonl"],
            "no/dir/x.jsonl: cannot write: the directory no/dir does not exist",
        ),
        (
            ["plan", "--mdp", "m.json", "--reward", "r.json", "--out", "p.json"],
            "p.json: the output file must end in .npz",
        ),
        (
            [
                "plan",
                "--mdp",
                "m.json",
                "--reward",
                "r.json",
                "--out",
                "p.npz",
                "--temperature",
                "2",
            ],
            "--temperature applies only with --soft",
        ),
        (
            [
                "simulate",
                "--mdp",
                "m.json",
                "--reward",
                "r.json",
                "--out",
                "x.jsonl",
                "--temperature",
                "0",
            ],
            "--temperature must be a positive number; got 0.0",
        ),
        (
            [
                "plan",
                "--mdp",
                "m.json",
                "--reward",
                "r.json",
                "--out",
                "p.npz",
                "--horizon",
                "3",
                "--infinite",
            ],
            "pass either --horizon or --infinite, not both",
        ),
        (
            ["plan", "--mdp", "m.json", "--reward", "r.json", "--out", "p.npz", "--infinite"],
            "--infinite needs a discount below 1; pass --discount or set 'discount' in m.json",
        ),
    ],
)
def test_bad_files_and_flags(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert_one_error_line(err, fragment)


def test_missing_horizon(files: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(Path("m.json").read_text())
    del document["horizon"]
    Path("nohorizon.json").write_text(json.dumps(document))
    code, _, err = run(
        capsys, "simulate", "--mdp", "nohorizon.json", "--reward", "r.json", "--out", "x.jsonl"
    )
    assert code == 2
    assert_one_error_line(
        err, "no horizon: pass --horizon or add a 'horizon' field to nohorizon.json"
    )


@pytest.mark.parametrize(
    "argv",
    [
        ["simulate", "--mdp", "m.json", "--reward", "r.json", "--out", "x.jsonl", "--n", "many"],
        ["simulate", "--mdp", "m.json"],
        ["plan", "--mdp", "m.json", "--reward", "r.json", "--out", "p.npz", "--discount", "1.5"],
        ["fit", "maxent", "--mdp", "m.json"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(
    files: dict[str, Path], capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code, out, err = run(capsys, *argv)
    assert (code, out) == (2, "")
    assert "Traceback" not in err and "Usage: valuelearn" in err


def test_warnings_become_one_line(files: dict[str, Path], capsys: pytest.CaptureFixture[str]):
    run(
        capsys,
        "simulate",
        "--mdp",
        "m.json",
        "--reward",
        "r.json",
        "--n",
        "50",
        "--out",
        "demos.jsonl",
    )
    code, _, err = run(
        capsys,
        "fit",
        "mce-irl",
        "--mdp",
        "m.json",
        "--demos",
        "demos.jsonl",
        "--out",
        "l.json",
        "--max-iter",
        "1",
    )
    assert code == 0
    warning = [line for line in err.splitlines() if line.startswith("warning: ")]
    assert len(warning) == 1 and "MCE IRL stopped after 1 L-BFGS iterations" in warning[0]
    assert Path("l.json").exists()


# ---------------------------------------------------------------------- real processes
def test_entry_points_in_a_subprocess(tmp_path: Path) -> None:
    environment = {**os.environ, "NO_COLOR": "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "valuelearn",
            "evaluate",
            "--mdp",
            "missing.json",
            "--true",
            "r.json",
            "--learned",
            "r.json",
        ],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environment,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == "error: missing.json: no such file or directory.\n"
    script = Path(sys.executable).parent / "valuelearn"
    if script.exists():
        result = subprocess.run(
            [str(script), "--version"], capture_output=True, text=True, check=False
        )
        assert (result.returncode, result.stdout.strip()) == (0, "valuelearn 0.1.0")


def test_bench_runs_the_suite_resumes_and_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
):
    # The closed-form test scenario "tiny" (suite "test": 4 quick runs) keeps this test fast and
    # independent of how many real scenarios are registered.
    tiny = str(Path(__file__).parent / "bench" / "scenarios_for_tests.py")
    monkeypatch.setenv(SCENARIOS_ENV, tiny)
    load_source(tiny)
    results = tmp_path / "results"
    suite = ("--suite", "test", "--quick")
    code, stdout, err = run(capsys, "bench", *suite, "--workers", "1", "--results", results)
    assert code == 0, err
    assert "tiny" in stdout and "naive" in stdout and "normalised regret" in stdout
    assert "4 runs executed, 0 already stored" in err
    assert "data:image/png;base64," in (results / "report.html").read_text()
    code, _, err = run(capsys, "bench", *suite, "--results", results)
    assert code == 0 and "0 runs executed, 4 already stored" in err
    code, stdout, err = run(capsys, "report", "--results", results, "--out", tmp_path / "r.html")
    assert code == 0 and "tiny" in stdout and (tmp_path / "r.html").is_file()
    code, stdout, _ = run(capsys, "bench", "--list")
    assert code == 0 and "baseline" in stdout and "default, quick" in stdout
    for argv, fragment in [
        (("bench", "--suite", "nope", "--results", results), "--suite 'nope' has no scenarios"),
        (("bench", "--executor", "dask"), "--executor must be 'local' or 'ray'; got 'dask'"),
        (("bench", "--address", "x:1"), "--address applies only with --executor ray"),
        (("report", "--results", tmp_path / "none"), "no results database"),
        (("report", "--results", results, "--out", tmp_path / "r.txt"), "must end in .html"),
    ]:
        code, _, err = run(capsys, *argv)
        assert code == 2
        assert_one_error_line(err, fragment)
    monkeypatch.setitem(sys.modules, "ray", None)
    code, _, err = run(capsys, "bench", "--executor", "ray", "--results", results)
    assert code == 2
    assert_one_error_line(err, "needs Ray, which is not installed")
