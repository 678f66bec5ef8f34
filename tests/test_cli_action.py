"""`valuelearn plan-constrained` through the command-line entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from valuelearn.data import gridworld, save_mdp
from valuelearn.representation import Reward, save_reward

from .cli_helpers import run

PLAN = ("plan-constrained", "--mdp", "m.json", "--reward", "r.json", "--rules", "rules.json")


def error_line(err: str) -> str:
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: "), err
    return err.strip()


def write_rules(rules: dict[str, Any]) -> None:
    Path("rules.json").write_text(json.dumps({"format": "valuelearn.rules/1", **rules}))


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A grid whose reward likes the goal G, and the lava cell L even more (2 per step)."""
    monkeypatch.chdir(tmp_path)
    cells = {"S": [0.0, 0.0], ".": [0.0, 0.0], "L": [0.0, 1.0], "G": [1.0, 0.0]}
    mdp = gridworld(
        ["S.L.G", "....."],
        cell_features=cells,
        feature_names=["goal", "lava"],
        absorbing="G",
        discount=0.9,
    )
    save_mdp(mdp, "m.json")
    assert mdp.features is not None
    save_reward(Reward.linear([1.0, 2.0], mdp.features, ["goal", "lava"]), "r.json")


@pytest.mark.usefixtures("world")
def test_hard_rules_keep_out_of_lava(capsys: pytest.CaptureFixture[str]) -> None:
    write_rules({"forbidden_features": ["lava"]})
    code, _, err = run(capsys, *PLAN, "--out", "plan.npz", "--infinite")
    assert code == 0, err
    assert "wrote the plan to plan.npz" in err
    with np.load("plan.npz") as plan:
        assert str(plan["format"]) == "valuelearn.plan/1"
        lava = 2  # r0c2
        assert plan["occupancy"][lava] == 0.0
        assert not plan["allowed"][lava].any()
        # the detour S r0c1 r1c1 r1c2 r1c3 r0c3 G reaches G at t = 6
        assert plan["values"][0] == pytest.approx(0.9**6 / 0.1, rel=1e-8)
    # Without the rule the plan walks through L; forbidding by name or index gives the same plan.
    write_rules({"forbidden_states": ["r0c2:L"]})
    code, out, _ = run(capsys, *PLAN, "--out", "named.npz", "--infinite", "--json")
    assert code == 0 and json.loads(out)["value"] == pytest.approx(0.9**6 / 0.1, rel=1e-8)
    write_rules({"forbidden_states": [2], "forbidden_actions": [["r0c1:.", "down"]]})
    code, out, _ = run(capsys, *PLAN, "--out", "f.npz", "--horizon", "8", "--json")
    # down from r0c1 is forbidden too: S down r1c0 right r1c1 r1c2 r1c3 up r0c3 right G at t = 6,
    # and G earns at t = 6 and 7 of the 8 decisions
    assert code == 0 and json.loads(out)["value"] == pytest.approx(0.9**6 + 0.9**7, rel=1e-12)
    with np.load("f.npz") as plan:
        assert plan["policy"].shape == (8, 10, 4)
        assert np.all(plan["policy"][:, 1, 1] == 0.0)  # never down from r0c1


@pytest.mark.usefixtures("world")
def test_cost_rules_lp_and_lagrangian_agree(capsys: pytest.CaptureFixture[str]) -> None:
    # The reward likes L; at most 1.5 discounted steps in L (sitting there forever gives 9).
    write_rules({"costs": [{"feature": "lava", "limit": 1.5}]})
    summaries = {}
    for method in ("lp", "lagrangian"):
        code, out, err = run(
            capsys, *PLAN, "--out", f"{method}.npz", "--infinite", "--method", method, "--json"
        )
        assert code == 0, err
        summaries[method] = json.loads(out)
        with np.load(f"{method}.npz") as plan:
            assert plan["costs"][0] <= 1.5 + 1e-8
            assert plan["cost_names"].tolist() == ["lava"]
            np.testing.assert_allclose(plan["policy"].sum(axis=1), 1.0)
    lp, lagrange = summaries["lp"], summaries["lagrangian"]
    assert lagrange["value"] == pytest.approx(lp["value"], rel=1e-8)
    assert lp["costs"]["lava"]["cost"] == pytest.approx(1.5, rel=1e-8)  # the limit binds
    assert lp["costs"]["lava"]["multiplier"] == pytest.approx(
        lagrange["costs"]["lava"]["multiplier"], rel=1e-6
    )
    code, _, err = run(capsys, *PLAN, "--out", "text.npz", "--infinite")
    assert code == 0 and "cost 'lava': 1.5 <= limit 1.5" in err


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(
    ("rules", "extra", "message"),
    [
        ({"format": "other/1"}, (), "field 'format' must be 'valuelearn.rules/1'"),
        ({"forbidden": [1]}, (), "unknown field 'forbidden'"),
        ({"forbidden_states": ["nowhere"]}, (), "'forbidden_states'[0]: no state named"),
        ({"forbidden_states": [99]}, (), "must be a state index in [0, 10)"),
        ({"forbidden_actions": [[0, "jump"]]}, (), "no action named 'jump'"),
        ({"forbidden_features": ["water"]}, (), "'water' is not a feature of the MDP"),
        ({"costs": [{"feature": "lava"}]}, (), "'limit': must be a finite number"),
        ({"costs": [{"limit": 1.0}]}, (), "exactly one of 'feature' and 'values'"),
        ({"costs": [{"values": [1, 2], "limit": 1}]}, (), "'values': must be 10 finite numbers"),
        ({"costs": [{"feature": "lava", "limit": 1}]}, ("--horizon", "5"), "need the discounted"),
        ({"costs": [{"values": [1] * 10, "limit": 1}]}, (), "smallest achievable expected cost"),
        ({"forbidden_states": [0]}, (), "no policy keeps to the rules from start state 0"),
        ({}, ("--method", "simplex"), "--method must be 'lp' or 'lagrangian'"),
    ],
)
def test_bad_input_is_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], rules: dict[str, Any], extra: tuple[str, ...], message: str
) -> None:
    if "format" in rules:
        Path("rules.json").write_text(json.dumps(rules))
    else:
        write_rules(rules)
    horizon = () if "--horizon" in extra else ("--infinite",)
    code, _, err = run(capsys, *PLAN, "--out", "p.npz", *horizon, *extra)
    assert code == 2
    assert message in error_line(err)
    assert not Path("p.npz").exists()
