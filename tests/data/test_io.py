"""MDP (JSON / npz) and demonstration (JSON Lines) file formats: round trips and validation."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import scipy.sparse as sp

from valuelearn._files import atomic_write, atomic_write_text
from valuelearn.data import (
    MDP,
    Demonstrations,
    Trajectory,
    gridworld,
    load_demonstrations,
    load_mdp,
    random_mdp,
    save_demonstrations,
    save_mdp,
)
from valuelearn.exceptions import ValueLearnInputError


def tiny_document(**changes: Any) -> dict[str, Any]:
    """A valid 2-state, 2-action MDP document; ``changes`` replace (or, with None, drop) fields."""
    document: dict[str, Any] = {
        "format": "valuelearn.mdp/1",
        "n_states": 2,
        "n_actions": 2,
        "transitions": [
            [0, 0, 0, 1.0],
            [0, 1, 1, 1.0],
            [1, 0, 0, 0.5],
            [1, 0, 1, 0.5],
            [1, 1, 1, 1.0],
        ],
        "initial": [1.0, 0.0],
    }
    for key, value in changes.items():
        if value is None:
            document.pop(key, None)
        else:
            document[key] = value
    return document


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document))
    return path


def load_error(path: Path, mdp: MDP | None = None, kind: str = "mdp") -> str:
    with pytest.raises(ValueLearnInputError) as info:
        if kind == "mdp":
            load_mdp(path)
        else:
            load_demonstrations(path, mdp)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def assert_same_mdp(first: MDP, second: MDP) -> None:
    assert first.n_states == second.n_states and first.n_actions == second.n_actions
    assert (first.transitions != second.transitions).nnz == 0
    np.testing.assert_array_equal(first.initial, second.initial)
    if first.features is None:
        assert second.features is None
    else:
        np.testing.assert_array_equal(first.features, second.features)
    for name in ("feature_names", "horizon", "discount", "state_names", "action_names"):
        assert getattr(first, name) == getattr(second, name), name


# ---------------------------------------------------------------------- MDP round trips
@pytest.mark.parametrize("suffix", [".json", ".npz"])
def test_mdp_round_trip_keeps_every_field(tmp_path: Path, suffix: str) -> None:
    mdp = gridworld(["S.#", "..G"], absorbing="G", slip=0.1, horizon=7, discount=0.9)
    path = tmp_path / f"m{suffix}"
    save_mdp(mdp, path)
    loaded = load_mdp(path)
    assert_same_mdp(mdp, loaded)
    assert loaded.state_names == mdp.state_names and loaded.action_names is not None


def test_mdp_json_and_npz_load_to_the_same_mdp(tmp_path: Path) -> None:
    mdp = random_mdp(30, 3, branching=4, n_features=2, rng=1)
    save_mdp(mdp, tmp_path / "m.json")
    save_mdp(load_mdp(tmp_path / "m.json"), tmp_path / "m.npz")
    assert_same_mdp(load_mdp(tmp_path / "m.json"), load_mdp(tmp_path / "m.npz"))
    assert_same_mdp(mdp, load_mdp(tmp_path / "m.npz"))


def test_mdp_json_is_readable_and_exact(tmp_path: Path) -> None:
    path = write_json(tmp_path / "m.json", tiny_document(horizon=3))
    mdp = load_mdp(path)
    np.testing.assert_array_equal(
        mdp.dense_transitions(), [[[1.0, 0.0], [0.0, 1.0]], [[0.5, 0.5], [0.0, 1.0]]]
    )
    save_mdp(mdp, tmp_path / "again.json")
    text = (tmp_path / "again.json").read_text()
    assert "\n    [1, 0, 0, 0.5],\n" in text  # one transition per line
    assert json.loads(text) == tiny_document(horizon=3)


def test_mdp_json_accepts_integral_floats_duplicates_and_null_options(tmp_path: Path) -> None:
    rows = [[0, 0, 0, 0.5], [0.0, 0, 0, 0.5], [0, 1, 1, 1], [1, 0, 0, 1.0], [1, 1, 1, 1.0]]
    path = write_json(tmp_path / "m.json", tiny_document(transitions=rows, horizon=None))
    document = json.loads(path.read_text())
    document["features"] = None
    mdp = load_mdp(write_json(path, document))
    assert mdp.dense_transitions()[0, 0].tolist() == [1.0, 0.0]
    assert mdp.features is None


def test_large_mdp_npz_round_trip(tmp_path: Path) -> None:
    mdp = random_mdp(100_000, 4, branching=3, rng=0)
    save_mdp(mdp, tmp_path / "big.npz")
    loaded = load_mdp(tmp_path / "big.npz")
    assert loaded.n_states == 100_000
    np.testing.assert_array_equal(loaded.transitions.indices, mdp.transitions.indices)
    np.testing.assert_array_equal(loaded.transitions.data, mdp.transitions.data)


# ---------------------------------------------------------------------- MDP validation
@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"format": None}, "field 'format' is missing; expected 'valuelearn.mdp/1'"),
        (
            {"format": "valuelearn.mdp/9"},
            "field 'format': expected 'valuelearn.mdp/1'; got string 'valuelearn.mdp/9'",
        ),
        ({"format": "valuelearn.reward/1"}, "(this looks like a valuelearn.reward file)"),
        ({"n_states": "2"}, "field 'n_states': expected an integer; got string '2'"),
        ({"n_states": True}, "field 'n_states': expected an integer; got true"),
        ({"n_actions": 0}, "field 'n_actions': must be >= 1; got 0"),
        ({"n_actions": None}, "field 'n_actions' is missing"),
        ({"transitions": {"0": 1}}, "field 'transitions': expected a list of rows; got an object"),
        (
            {"transitions": [[0, 0, 0]]},
            "field 'transitions' row 0: expected [state, action, "
            "next_state, probability]; got a list of length 3",
        ),
        (
            {"transitions": [[0, 0, 0, "1.0"]]},
            "field 'transitions' row 0: probability must be a number; got string '1.0'",
        ),
        ({"transitions": [[0, 0, 0, True]]}, "row 0: probability must be a number; got true"),
        ({"transitions": [[0, 0.5, 0, 1.0]]}, "row 0: action must be an integer; got number 0.5"),
        (
            {"transitions": [[0, 0, 0, 1.0], [2, 0, 0, 1.0]]},
            "field 'transitions' row 1: state 2 is out of range [0, 2)",
        ),
        ({"transitions": [[0, 3, 0, 1.0]]}, "row 0: action 3 is out of range [0, 2)"),
        ({"transitions": [[0, 0, -1, 1.0]]}, "row 0: next_state -1 is out of range [0, 2)"),
        (
            {"transitions": [[0, 0, 0, 1.2], [0, 0, 1, -0.2]]},
            "field 'transitions' row 1: probability -0.2 is negative",
        ),
        (
            {"transitions": [[0, 0, 0, 1.0], [0, 1, 1, 0.7], [1, 0, 0, 1.0], [1, 1, 1, 1.0]]},
            "field 'transitions': row for (state 0, action 1) sums to 0.7; every (state, action) "
            "must sum to 1",
        ),
        ({"initial": [1.0]}, "field 'initial': has 1 entries; expected 2"),
        ({"initial": [0.5, 0.4]}, "field 'initial': sums to 0.9; it must sum to 1"),
        ({"initial": [1.0, "0"]}, "field 'initial' item 1: expected a number; got string '0'"),
        ({"features": [[1.0], [1.0, 2.0]]}, "field 'features' row 1: has 2 entries; expected 1"),
        ({"features": [[1.0]]}, "field 'features': has 1 rows; expected 2"),
        ({"feature_names": ["a"]}, "field 'feature_names': given, but the MDP has no 'features'"),
        (
            {"features": [[1.0], [0.0]], "feature_names": ["a", "b"]},
            "field 'feature_names': has 2 entries; expected 1",
        ),
        ({"horizon": 2.5}, "field 'horizon': expected an integer; got number 2.5"),
        ({"discount": 1.5}, "field 'discount': must be in [0, 1]; got 1.5"),
        ({"discount": "0.9"}, "field 'discount': expected a number; got string '0.9'"),
        ({"state_names": ["a", 1]}, "field 'state_names' item 1: expected a string; got number 1"),
        ({"action_names": ["a"]}, "field 'action_names': has 1 entries; expected 2"),
        ({"extra": 1}, "unknown field 'extra'; expected fields: format, n_states"),
    ],
)
def test_mdp_json_errors_name_the_field(
    tmp_path: Path, changes: dict[str, Any], expected: str
) -> None:
    path = write_json(tmp_path / "m.json", tiny_document(**changes))
    assert expected in load_error(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "m.json: the file is empty; expected an MDP object"),
        ("  \n ", "the file is empty"),
        (
            '{"format": "valuelearn.mdp/1",\n "n_states": 2 "n_actions": 1}',
            "m.json: invalid JSON at line 2, column 16: Expecting ',' delimiter.",
        ),
        (
            '{"name": "NaN",\n "initial": [NaN, 1]}',
            "m.json: invalid JSON at line 2, column 14: NaN is not a JSON number",
        ),
        ('{"initial": [-Infinity]}', "line 1, column 14: -Infinity is not a JSON number"),
        ("[1, 2]", "m.json: expected a JSON object; got a list"),
        (
            '{"a": "1e400",\n "initial": [0, 1e400]}',
            "m.json: invalid JSON at line 2, column 17: 1e400 overflows a float (numbers must be "
            "finite).",
        ),
    ],
)
def test_mdp_json_syntax_errors(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "m.json"
    path.write_text(text)
    assert expected in load_error(path)


def test_missing_file_and_wrong_suffix(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_mdp(tmp_path / "missing.json")
    with pytest.raises(ValueLearnInputError, match=r"m\.txt: unknown MDP file type '\.txt'"):
        load_mdp(tmp_path / "m.txt")
    (tmp_path / "dir.json").mkdir()
    with pytest.raises(ValueLearnInputError, match="is a directory"):
        load_mdp(tmp_path / "dir.json")
    (tmp_path / "latin.json").write_bytes(b'{"a": "\xe9"}')
    with pytest.raises(ValueLearnInputError, match="not UTF-8 text"):
        load_mdp(tmp_path / "latin.json")


def npz_fields(mdp: MDP, path: Path) -> dict[str, np.ndarray]:
    save_mdp(mdp, path)
    with np.load(path) as archive:
        return dict(archive)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"format": np.array("valuelearn.mdp/2")}, "field 'format': expected 'valuelearn.mdp/1'"),
        ({"n_states": np.array(2.5)}, "field 'n_states': expected integers; got dtype float64"),
        (
            {"transitions_indices": np.array([0, 5, 1, 0, 1])},
            "field 'transitions_indices': entry 1: next_state 5 is out of range [0, 2)",
        ),
        (
            {"transitions_data": np.array([1.0, 0.7, 0.5, 0.5, 1.0])},
            "field 'transitions': row for (state 0, action 1) sums to 0.7",
        ),
        (
            {"transitions_data": np.array([1.0, 1.0, 0.5, np.nan, 1.0])},
            "field 'transitions': for (state 1, action 0) contains NaN or inf",
        ),
        ({"transitions_data": np.array([1.0, 1.0, 1.5, -0.5, 1.0])}, "negative probability -0.5"),
        (
            {"transitions_indptr": np.array([0, 1, 2, 4])},
            "field 'transitions_indptr': has 4 entries; expected n_states * n_actions + 1 = 5",
        ),
        ({"initial": np.array(["a", "b"])}, "field 'initial': expected numbers; got dtype <U1"),
        ({"state_names": np.array([1, 2])}, "field 'state_names': expected strings"),
        ({"initial": None}, "field 'initial' is missing"),
        ({"bogus": np.zeros(1)}, "unknown field 'bogus'"),
    ],
)
def test_mdp_npz_errors_name_the_field(
    tmp_path: Path, change: dict[str, Any], expected: str
) -> None:
    fields = npz_fields(
        load_mdp(write_json(tmp_path / "m.json", tiny_document())), tmp_path / "a.npz"
    )
    for key, value in change.items():
        if value is None:
            del fields[key]
        else:
            fields[key] = value
    np.savez(tmp_path / "m.npz", **fields)
    assert expected in load_error(tmp_path / "m.npz")


def test_npz_that_is_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "m.npz").write_text("hello")
    assert "not a valid .npz archive" in load_error(tmp_path / "m.npz")
    (tmp_path / "e.npz").write_bytes(b"")
    assert "not a valid .npz archive" in load_error(tmp_path / "e.npz")


# ---------------------------------------------------------------------- demonstrations
def test_demonstrations_round_trip_with_annotations(tmp_path: Path) -> None:
    demos = Demonstrations(
        [
            Trajectory([0, 1, 1], [1, 0], demonstrator="alice", context="home", time=3),
            Trajectory([1, 0], [0], time=2.5),
            Trajectory([0, 0, 0, 1], [0, 0, 1]),
        ]
    )
    path = tmp_path / "d.jsonl"
    save_demonstrations(demos, path)
    lines = path.read_text().splitlines()
    assert json.loads(lines[0]) == {
        "states": [0, 1, 1],
        "actions": [1, 0],
        "demonstrator": "alice",
        "context": "home",
        "time": 3,
    }
    loaded = load_demonstrations(path)
    assert len(loaded) == 3
    for before, after in zip(demos, loaded, strict=True):
        np.testing.assert_array_equal(before.states, after.states)
        np.testing.assert_array_equal(before.actions, after.actions)
        assert (before.demonstrator, before.context, before.time) == (
            after.demonstrator,
            after.context,
            after.time,
        )


def test_demonstrations_skip_blank_lines_and_accept_nulls(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('\n{"states": [0, 1], "actions": [1], "context": null}\n\n')
    loaded = load_demonstrations(path)
    assert len(loaded) == 1 and loaded[0].context is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([], "d.jsonl: the file is empty; expected one JSON trajectory per line"),
        (["", "  "], "the file is empty"),
        (
            ['{"states": [0], "actions": []}'],
            "d.jsonl line 1: field 'actions': is empty; a trajectory needs at least one action",
        ),
        (
            ['{"states": [0, 1], "actions": [0]}', '{"states": [0, 1], "actions": [0, 1]}'],
            "d.jsonl line 2: 'states' has 2 entries and 'actions' has 2; 'states' must have "
            "exactly one more entry than 'actions'",
        ),
        (
            ['{"states": [0, 5, 1], "actions": [0, 1]}'],
            "d.jsonl line 1: field 'states' item 1: state 5 is out of range [0, 2)",
        ),
        (
            ['{"states": [0, 1], "actions": [2]}'],
            "field 'actions' item 0: action 2 is out of range [0, 2)",
        ),
        (
            ['{"states": [0, "1"], "actions": [0]}'],
            "field 'states' item 1: expected an integer; got string '1'",
        ),
        (
            ['{"states": [0, 1], "actions": [false]}'],
            "field 'actions' item 0: expected an integer; got false",
        ),
        (['{"states": [0, 1.5], "actions": [0]}'], "item 1: expected an integer; got number 1.5"),
        (['{"states": "01", "actions": [0]}'], "field 'states': expected a list of integers"),
        (['{"actions": [0]}'], "d.jsonl line 1: field 'states' is missing"),
        (
            ['{"states": [0, 1], "actions": [0], "demonstrator": 7}'],
            "field 'demonstrator': expected a string; got number 7",
        ),
        (
            ['{"states": [0, 1], "actions": [0], "time": "noon"}'],
            "field 'time': expected a number; got string 'noon'",
        ),
        (
            ['{"states": [0, 1], "actions": [0], "time": NaN}'],
            "d.jsonl line 1: invalid JSON at column 44: NaN is not a JSON number",
        ),
        (['{"states": [0, 1], "actions": [0]', ""], "d.jsonl line 1: invalid JSON at column 34"),
        (
            ['{"states": [0, 1], "actions": [0]}', "[0, 1]"],
            "d.jsonl line 2: expected a JSON object; got a list",
        ),
        (['{"states": [0, 1], "actions": [0], "who": "x"}'], "line 1: unknown field 'who'"),
    ],
)
def test_demonstration_errors_name_line_and_field(
    tmp_path: Path, lines: list[str], expected: str
) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text("\n".join(lines))
    mdp = load_mdp(write_json(tmp_path / "m.json", tiny_document()))
    assert expected in load_error(path, mdp, kind="demos")


def test_demonstrations_without_mdp_still_reject_negative_indices(tmp_path: Path) -> None:
    path = tmp_path / "d.jsonl"
    path.write_text('{"states": [0, -1], "actions": [7]}\n')
    with pytest.raises(ValueLearnInputError, match=r"item 1: state -1 must be >= 0"):
        load_demonstrations(path)
    path.write_text('{"states": [0, 9], "actions": [7]}\n')
    assert load_demonstrations(path)[0].actions.tolist() == [7]


# ---------------------------------------------------------------------- atomic writes
def test_atomic_write_leaves_no_partial_file(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    atomic_write_text(path, "old")

    def failing(stream: Any) -> None:
        stream.write(b"partial")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError):
        atomic_write(path, failing)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["out.json"]


def test_atomic_write_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueLearnInputError, match="the directory .*nowhere does not exist"):
        atomic_write_text(tmp_path / "nowhere" / "x.json", "{}")
    with pytest.raises(ValueLearnInputError, match="it is a directory"):
        atomic_write_text(tmp_path, "{}")


def test_new_files_get_normal_permissions(tmp_path: Path) -> None:
    save_demonstrations(Demonstrations([Trajectory([0, 1], [0])]), tmp_path / "d.jsonl")
    umask = os.umask(0o022)
    os.umask(umask)
    assert (tmp_path / "d.jsonl").stat().st_mode & 0o777 == 0o666 & ~umask


def test_save_mdp_rejects_a_non_mdp(tmp_path: Path) -> None:
    with pytest.raises(ValueLearnInputError, match="`mdp` must be an MDP"):
        save_mdp(sp.eye(2), tmp_path / "m.json")  # type: ignore[arg-type]
