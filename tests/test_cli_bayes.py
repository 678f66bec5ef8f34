"""`valuelearn fit birl` and `valuelearn identifiability` through the command-line entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from valuelearn.data import feature_gridworld, random_mdp, save_demonstrations, save_mdp
from valuelearn.humans import BoltzmannRational
from valuelearn.inference import load_posterior
from valuelearn.policy import sample_trajectories
from valuelearn.representation import Reward, load_reward, save_reward

from .cli_helpers import run

TRUE_WEIGHTS = [1.5, -1.0, 0.5]
FIT = ("fit", "birl", "--mdp", "m.json", "--demos", "d.jsonl", "--out", "p.npz")


def error_line(err: str) -> str:
    """The single ``error:`` line of a failed command (no traceback, nothing else)."""
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: "), err
    return err.strip()


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A discounted 4x4 feature grid, its true reward, and stationary Boltzmann demonstrations.

    ``d.jsonl`` (30 trajectories) and ``h.jsonl`` (held out, 10) come from the stationary
    policy of a Boltzmann-rational person with beta 2: the model ``fit birl`` assumes.
    """
    monkeypatch.chdir(tmp_path)
    mdp = feature_gridworld(4, n_features=3, kind="gaussian", horizon=20, discount=0.8, rng=0)
    assert mdp.features is not None
    save_mdp(mdp, "m.json")
    save_reward(Reward.linear(TRUE_WEIGHTS, mdp.features, mdp.feature_names), "r.json")
    truth = mdp.features @ np.array(TRUE_WEIGHTS)
    person = BoltzmannRational(beta=2.0).policy(mdp, truth, horizon=None, discount=0.8)
    for name, n, seed in (("d.jsonl", 30, 1), ("h.jsonl", 10, 2)):
        save_demonstrations(sample_trajectories(mdp, person, n=n, horizon=20, rng=seed), name)


def fit(capsys: pytest.CaptureFixture[str], *extra: str) -> dict[str, Any]:
    code, out, err = run(capsys, *FIT, *extra)
    assert code == 0, err
    summary: dict[str, Any] = json.loads(out)
    return summary


# ---------------------------------------------------------------------- fit birl
@pytest.mark.usefixtures("world")
def test_fit_birl_on_simulated_demonstrations_writes_posterior_and_mean_reward(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _, err = run(
        capsys, "simulate", "--mdp", "m.json", "--reward", "r.json", "--n", "20",
        "--temperature", "0.5", "--stationary", "--out", "sim.jsonl",
    )  # fmt: skip
    assert code == 0, err
    code, out, err = run(
        capsys, "fit", "birl", "--mdp", "m.json", "--demos", "sim.jsonl", "--out", "p.npz",
        "--samples", "300", "--burn-in", "200", "--seed", "3", "--reward-out", "mean.json",
        "--likelihood", "soft", "--beta", "2", "--reward-max", "3",
    )  # fmt: skip
    assert code == 0 and "wrote 300 posterior draws to p.npz" in err
    summary = json.loads(out)
    posterior = load_posterior("p.npz")
    assert posterior.n_samples == summary["n_samples"] == 300
    assert posterior.weights.shape == (300, 3) and posterior.discount == summary["discount"] == 0.8
    assert (summary["posterior_file"], summary["reward_file"]) == ("p.npz", "mean.json")
    assert (summary["n_trajectories"], summary["n_steps"]) == (20, 400)
    assert summary["feature_names"] == ["f0", "f1", "f2"] and summary["reward_kind"] == "linear"
    low, high = np.array(summary["weights_interval"])
    assert np.all(low <= summary["weights_mean"]) and np.all(summary["weights_mean"] <= high)
    np.testing.assert_allclose(summary["weights_mean"], posterior.weights.mean(axis=0), atol=1e-4)
    mean = load_reward("mean.json")
    assert mean.kind == "linear" and mean.weights is not None
    np.testing.assert_allclose(mean.weights, posterior.weights.mean(axis=0))
    np.testing.assert_allclose(mean.values, posterior.mean_reward())
    code, out, err = run(
        capsys, "evaluate", "--mdp", "m.json", "--true", "r.json", "--learned", "mean.json",
        "--infinite",
    )  # fmt: skip
    assert code == 0 and 0.0 <= json.loads(out)["normalized_regret"] < 0.1, err
    code, _, err = run(
        capsys, "simulate", "--mdp", "m.json", "--reward", "r.json", "--stationary",
        "--discount", "1", "--out", "x.jsonl",
    )  # fmt: skip
    assert code == 2 and "--stationary needs a discount below 1" in error_line(err)


@pytest.mark.usefixtures("world")
def test_informative_demonstrations_and_held_out_check(
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = fit(
        capsys, "--samples", "1000", "--burn-in", "300", "--beta", "2", "--reward-max", "3",
        "--level", "0.8", "--held-out", "h.jsonl",
    )  # fmt: skip
    low, high = np.array(summary["weights_interval"])
    assert low[0] > 0 and high[1] < 0  # the clearly positive and negative weights
    np.testing.assert_allclose(summary["weights_mean"], TRUE_WEIGHTS, atol=0.3)
    assert summary["interval_level"] == 0.8 and summary["beta_interval"] == [2.0, 2.0]
    check = summary["predictive_check"]
    assert (check["n_trajectories"], check["n_draws"]) == (10, 200)
    # 200 held-out choices among 4 actions: far better than chance (log 1/4 = -1.39 each)
    assert -1.0 < check["mean_log_predictive"] < 0.0
    assert check["log_predictive_density"] == pytest.approx(
        200 * check["mean_log_predictive"], abs=0.02
    )
    assert 0.05 < check["p_value"] <= 1.0  # the right model: no misfit flagged


@pytest.mark.usefixtures("world")
def test_same_seed_same_output(capsys: pytest.CaptureFixture[str]) -> None:
    options = ("--samples", "200", "--burn-in", "100", "--seed", "7", "--infer-beta")
    first = fit(capsys, *options)
    draws = load_posterior("p.npz")
    assert fit(capsys, *options) == first
    again = load_posterior("p.npz")
    np.testing.assert_array_equal(again.weights, draws.weights)
    np.testing.assert_array_equal(again.betas, draws.betas)
    assert fit(capsys, "--samples", "200", "--burn-in", "100", "--seed", "8") != first


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(
    ("options", "n_weights"),
    [
        (("--infer-beta", "--beta-prior-sigma", "0.5", "--prior", "gaussian"), 3),
        (("--reward", "tabular", "--prior", "laplace", "--prior-scale", "2", "--thin", "2"), 16),
        (("--likelihood", "soft", "--sampler", "hmc", "--samples", "20", "--burn-in", "20"), 3),
    ],
)
def test_priors_samplers_and_rationality(
    capsys: pytest.CaptureFixture[str], options: tuple[str, ...], n_weights: int
) -> None:
    summary = fit(capsys, "--samples", "100", "--burn-in", "100", *options)
    posterior = load_posterior("p.npz")
    assert posterior.weights.shape == (summary["n_samples"], n_weights)
    assert len(summary["weights_mean"]) == n_weights
    low, high = summary["beta_interval"]
    if "--infer-beta" in options:
        assert 0 < low < summary["beta_mean"] < high and np.ptp(posterior.betas) > 0
    else:
        assert low == high == 1.0
    assert summary["likelihood"] == ("soft" if "soft" in options else "boltzmann")
    assert (summary["feature_names"] is None) == (n_weights == 16)


BAD_FIT = {
    "missing demonstrations": (
        ["--demos", "gone.jsonl"], "gone.jsonl: no such file or directory"
    ),
    "wrong field": (["--demos", "bad.jsonl"], "bad.jsonl line 2: unknown field 'action'"),
    "bad held-out line": (
        ["--held-out", "bad.jsonl"], "bad.jsonl line 2: unknown field 'action'"
    ),
    "discount 1": (["--discount", "1"], "fit birl needs a discount below 1"),
    "hmc with boltzmann": (["--sampler", "hmc"], "--sampler hmc needs --likelihood soft"),
    "posterior not .npz": (["--out", "p.json"], "p.json: the output file must end in .npz"),
    "missing directory": (
        ["--reward-out", "no/mean.json"], "no/mean.json: cannot write: the directory no does"
    ),
    "scale of a uniform prior": (["--prior-scale", "2"], "--prior-scale applies only with"),
    "box of a gaussian prior": (
        ["--prior", "gaussian", "--reward-max", "2"], "--reward-max applies only with --prior"
    ),
    "zero beta": (["--beta", "0"], "--beta must be a positive number; got 0.0"),
    "level": (["--level", "1"], "--level must be between 0 and 1; got 1.0"),
    "sigma without --infer-beta": (
        ["--beta-prior-sigma", "1"], "--beta-prior-sigma applies only with --infer-beta"
    ),
}  # fmt: skip


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("case", list(BAD_FIT))
def test_bad_input_is_one_error_line(capsys: pytest.CaptureFixture[str], case: str) -> None:
    Path("bad.jsonl").write_text(
        '{"states": [0, 1], "actions": [0]}\n{"states": [0, 1], "action": [0]}\n'
    )
    options, fragment = BAD_FIT[case]
    code, out, err = run(capsys, *FIT, *options)
    assert (code, out) == (2, "")
    assert fragment in error_line(err)
    assert not Path("p.npz").exists()


def test_linear_reward_needs_features(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    save_mdp(random_mdp(4, 2, branching=2, discount=0.9, rng=0), "m.json")
    Path("d.jsonl").write_text('{"states": [0, 1], "actions": [1]}\n')
    code, _, err = run(capsys, *FIT, "--reward", "linear")
    assert code == 2
    assert "--reward linear needs an MDP with 'features'; m.json has none" in error_line(err)


# ---------------------------------------------------------------------- identifiability
@pytest.mark.usefixtures("world")
def test_identifiability_report(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(
        capsys, "identifiability", "--mdp", "m.json", "--reward", "r.json", "--human", "soft",
        "--beta", "2", "--infinite", "--demos", "d.jsonl", "--directions", "1",
    )  # fmt: skip
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["human"] == "soft-optimal" and report["theory"]["theorem"] == "Thm 3.3"
    assert (report["horizon"], report["discount"], report["n_demonstration_steps"]) == (
        None, 0.8, 600,
    )  # fmt: skip
    assert report["invisible"] == [
        "potential shaping", "S'-redistribution", "scaling R with the rationality"
    ]  # fmt: skip
    assert report["disagreements"] == []
    scaling = next(row for row in report["rows"] if row["transformation"] == "scaling R")
    assert scaling["max_ll_change"] > 1.0  # the demonstrations see the scale of R


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(
    ("options", "fragment"),
    [
        (["--horizon", "5", "--demos", "d.jsonl"], "d.jsonl line 1: the trajectory has 20"),
        (["--beta", "-1"], "--beta must be a positive number; got -1.0"),
        (["--infinite", "--discount", "1"], "--infinite needs a discount below 1"),
        (["--reward", "nope.json"], "nope.json: no such file or directory"),
    ],
)
def test_identifiability_bad_input(
    capsys: pytest.CaptureFixture[str], options: list[str], fragment: str
) -> None:
    code, out, err = run(
        capsys, "identifiability", "--mdp", "m.json", "--reward", "r.json", *options
    )
    assert (code, out) == (2, "")
    assert fragment in error_line(err)


def test_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in (["fit", "birl", "--help"], ["identifiability", "--help"]):
        code, out, _ = run(capsys, *command)
        assert code == 0 and "Usage: valuelearn" in out
