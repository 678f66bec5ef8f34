"""The reward file format: round trips of every kind and validation against an MDP."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from valuelearn.data import MDP, feature_gridworld, random_mdp
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import Reward, load_reward, save_reward


@pytest.fixture
def world() -> MDP:
    return feature_gridworld(3, n_features=2, kind="gaussian", rng=0)


def write(path: Path, **document: Any) -> Path:
    path.write_text(json.dumps({"format": "valuelearn.reward/1", **document}))
    return path


def load_error(path: Path, mdp: MDP | None = None) -> str:
    with pytest.raises(ValueLearnInputError) as info:
        load_reward(path, mdp)
    message = str(info.value)
    assert "\n" not in message and message.startswith(str(path))
    return message


@pytest.mark.parametrize("kind", ["state", "state_action", "linear"])
def test_round_trip_of_every_kind(tmp_path: Path, world: MDP, kind: str) -> None:
    rng = np.random.default_rng(0)
    assert world.features is not None
    reward = {
        "state": lambda: Reward.state(rng.normal(size=world.n_states)),
        "state_action": lambda: Reward.state_action(rng.normal(size=(world.n_states, 4))),
        "linear": lambda: Reward.linear(rng.normal(size=2), world.features, world.feature_names),
    }[kind]()
    path = tmp_path / "r.json"
    save_reward(reward, path)
    for mdp in (None, world):
        loaded = load_reward(path, mdp)
        assert loaded.kind == reward.kind
        np.testing.assert_array_equal(loaded.values, reward.values)
        if reward.weights is not None:
            assert loaded.weights is not None
            np.testing.assert_array_equal(loaded.weights, reward.weights)
        assert loaded.feature_names == reward.feature_names


def test_linear_file_layout_always_has_values(tmp_path: Path, world: MDP) -> None:
    assert world.features is not None
    save_reward(Reward.linear([1.0, 0.0], world.features, ["f0", "f1"]), tmp_path / "r.json")
    document = json.loads((tmp_path / "r.json").read_text())
    assert list(document) == ["format", "kind", "weights", "feature_names", "values"]
    assert document["values"] == world.features[:, 0].tolist()


def test_state_action_file_has_one_row_per_line(tmp_path: Path) -> None:
    save_reward(Reward.state_action([[0.0, 1.0], [2.0, 3.5]]), tmp_path / "r.json")
    assert '"values": [\n    [0.0, 1.0],\n    [2.0, 3.5]\n  ]' in (tmp_path / "r.json").read_text()


def test_linear_values_are_computed_when_left_out(tmp_path: Path, world: MDP) -> None:
    assert world.features is not None
    path = write(tmp_path / "r.json", kind="linear", weights=[2.0, -1.0])
    reward = load_reward(path, world)
    np.testing.assert_allclose(reward.values, world.features @ [2.0, -1.0])
    assert reward.feature_names == world.feature_names
    assert "field 'values' is missing" in load_error(path)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"kind": "state", "values": [0.0] * 5},
            "field 'values': has 5 entries but the MDP has 9 states",
        ),
        (
            {"kind": "state_action", "values": [[0.0] * 3] * 9},
            "field 'values': rows have 3 entries but the MDP has 4 actions",
        ),
        (
            {"kind": "linear", "weights": [1.0, 2.0, 3.0], "values": [0.0] * 9},
            "field 'weights': has 3 entries but the MDP has 2 features",
        ),
        (
            {"kind": "linear", "weights": [1.0, 0.0], "values": [0.0] * 9},
            "field 'values': disagrees with features @ weights at state 0",
        ),
        (
            {"kind": "linear", "weights": [1.0, 0.0], "feature_names": ["f1", "f0"]},
            "field 'feature_names': ['f1', 'f0'] differ from the MDP's ['f0', 'f1']",
        ),
        (
            {"kind": "linear", "weights": [1.0, 0.0], "values": [0.0] * 4},
            "field 'values': has 4 entries but the MDP has 9 states",
        ),
    ],
)
def test_errors_against_an_mdp(
    tmp_path: Path, world: MDP, document: dict[str, Any], expected: str
) -> None:
    assert expected in load_error(write(tmp_path / "r.json", **document), world)


def test_linear_reward_needs_mdp_features(tmp_path: Path) -> None:
    path = write(tmp_path / "r.json", kind="linear", weights=[1.0], values=[1.0, 1.0])
    mdp = random_mdp(2, 2, branching=1, rng=0)
    assert "field 'kind': is 'linear', but the MDP has no state features" in load_error(path, mdp)


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ({"kind": "state"}, "field 'values' is missing"),
        ({"values": [1.0]}, "field 'kind' is missing"),
        (
            {"kind": "tabular", "values": [1.0]},
            "field 'kind': expected 'state', 'state_action' or 'linear'; got 'tabular'",
        ),
        ({"kind": 3, "values": [1.0]}, "field 'kind': expected a string; got number 3"),
        (
            {"kind": "state", "values": [1.0, "2"]},
            "field 'values' item 1: expected a number; got string '2'",
        ),
        (
            {"kind": "state", "values": [1.0, None]},
            "field 'values' item 1: expected a number; got null",
        ),
        (
            {"kind": "state", "values": []},
            "field 'values': of a 'state' reward must be a non-empty array",
        ),
        (
            {"kind": "state_action", "values": [1.0]},
            "field 'values' row 0: expected a list of numbers; got number 1.0",
        ),
        (
            {"kind": "state", "values": [1.0], "weights": [1.0]},
            "field 'weights': is only allowed for kind 'linear'; this is 'state'",
        ),
        ({"kind": "linear", "weights": [], "values": [1.0]}, "field 'weights': is empty"),
        (
            {"kind": "linear", "weights": [1.0], "feature_names": ["a", "b"], "values": [1.0]},
            "field 'feature_names': has 2 entries; expected 1",
        ),
        ({"kind": "state", "values": [1.0], "scale": 2}, "unknown field 'scale'"),
    ],
)
def test_content_errors(tmp_path: Path, document: dict[str, Any], expected: str) -> None:
    assert expected in load_error(write(tmp_path / "r.json", **document))


def test_format_and_syntax_errors(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('{"format": "valuelearn.mdp/1", "kind": "state", "values": [1]}')
    assert (
        "field 'format': expected 'valuelearn.reward/1'; got string 'valuelearn.mdp/1' (this "
        "looks like a valuelearn.mdp file)" in load_error(path)
    )
    path.write_text('{"kind": "state", "values": [1]}')
    assert "field 'format' is missing; expected 'valuelearn.reward/1'" in load_error(path)
    path.write_text('{"format": "valuelearn.reward/1", "kind": "state", "values": [Infinity]}')
    assert "invalid JSON at line 1, column 63: Infinity is not a JSON number" in load_error(path)
    path.write_text("")
    assert "the file is empty; expected a reward object" in load_error(path)
    with pytest.raises(FileNotFoundError):
        load_reward(tmp_path / "missing.json")


def test_save_rejects_a_non_reward(tmp_path: Path) -> None:
    with pytest.raises(ValueLearnInputError, match="`reward` must be a Reward"):
        save_reward(np.zeros(3), tmp_path / "r.json")  # type: ignore[arg-type]
