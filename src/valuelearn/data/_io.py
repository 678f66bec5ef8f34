"""File formats for worlds and demonstrations: MDP JSON / ``.npz`` and demonstration JSON Lines.

The formats are specified in the README (File formats). Loaders validate everything once and raise a
:class:`~valuelearn.exceptions.ValueLearnInputError` whose one-line message names the file, the
line (JSON Lines) or field, and the problem; writers are atomic (temporary file + rename).
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from valuelearn._fields import Fields, describe, field_message
from valuelearn._files import (
    PathLike,
    atomic_write_lines,
    parse_json,
    read_json_document,
    read_text,
)
from valuelearn.data._io_npz import load_mdp_npz, save_mdp_npz
from valuelearn.data._mdp import MDP
from valuelearn.data._trajectories import Demonstrations, Trajectory
from valuelearn.exceptions import ValueLearnInputError

MDP_FORMAT = "valuelearn.mdp/1"
_MDP_FIELDS = (
    "format",
    "n_states",
    "n_actions",
    "transitions",
    "initial",
    "features",
    "feature_names",
    "horizon",
    "discount",
    "state_names",
    "action_names",
)
_DEMO_FIELDS = ("states", "actions", "demonstrator", "context", "time")


# ---------------------------------------------------------------------- MDP
def load_mdp(path: PathLike) -> MDP:
    """Load an MDP from a ``.json`` or ``.npz`` file (chosen by the suffix).

    Parameters
    ----------
    path : str or path
        A ``valuelearn.mdp/1`` file; see the README (File formats).

    Returns
    -------
    MDP

    Raises
    ------
    FileNotFoundError, OSError
        If the file cannot be read.
    ValueLearnInputError
        On any problem with the content, e.g.
        ``"m.json: field 'transitions': row for (state 3, action 1) sums to 0.7; ..."``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> _ = path.write_text('{"format": "valuelearn.mdp/1", "n_states": 2, "n_actions": 1, '
    ...     '"transitions": [[0, 0, 1, 1.0], [1, 0, 1, 1.0]], "initial": [1, 0]}')
    >>> load_mdp(path).n_states
    2
    """
    suffix = _suffix(path, "MDP")
    if suffix == ".npz":
        return load_mdp_npz(path, MDP_FORMAT, _MDP_FIELDS, build_mdp)
    return _mdp_from_json(read_json_document(path, f"an MDP object ({MDP_FORMAT!r})"), str(path))


def save_mdp(mdp: MDP, path: PathLike) -> None:
    """Write ``mdp`` to a ``.json`` or ``.npz`` file (chosen by the suffix), atomically.

    JSON lists one transition ``[state, action, next_state, probability]`` per line; floats are
    written with full precision, so loading gives back the same numbers.

    Examples
    --------
    >>> import tempfile, pathlib, numpy as np
    >>> mdp = MDP.from_dense(np.ones((2, 1, 2)) / 2, initial=[0.5, 0.5], horizon=3)
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.npz"
    >>> save_mdp(mdp, path)
    >>> load_mdp(path).horizon
    3
    """
    if not isinstance(mdp, MDP):
        raise ValueLearnInputError(f"`mdp` must be an MDP; got {type(mdp).__name__}.")
    if _suffix(path, "MDP") == ".npz":
        save_mdp_npz(mdp, path, MDP_FORMAT)
    else:
        atomic_write_lines(path, _mdp_json_lines(mdp))


def _suffix(path: PathLike, what: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in (".json", ".npz"):
        raise ValueLearnInputError(
            f"{path}: unknown {what} file type {suffix or '(no suffix)'!r}; use .json or .npz."
        )
    return suffix


def build_mdp(source: str, triples_or_matrix: Any, **fields: Any) -> MDP:
    """Construct an MDP, turning its errors into ``"<source>: field 'x': ..."`` messages."""
    try:
        if isinstance(triples_or_matrix, np.ndarray):
            return MDP.from_triples(triples_or_matrix, **fields)
        return MDP(transitions=triples_or_matrix, **fields)
    except ValueLearnInputError as error:
        raise ValueLearnInputError(field_message(source, str(error))) from None


def _mdp_from_json(document: object, source: str) -> MDP:
    fields = Fields(document, source, _MDP_FIELDS)
    fields.check_format(MDP_FORMAT)
    n_states = fields.integer("n_states", minimum=1)
    n_actions = fields.integer("n_actions", minimum=1)
    triples = _transition_rows(fields, n_states, n_actions)
    extra: dict[str, Any] = {"initial": fields.number_array("initial", length=n_states)}
    if fields.has("features"):
        extra["features"] = fields.number_matrix("features", n_rows=n_states)
    n_features = extra["features"].shape[1] if "features" in extra else None
    if fields.has("feature_names"):
        if n_features is None:
            raise fields.error("feature_names", "given, but the MDP has no 'features'.")
        extra["feature_names"] = fields.strings("feature_names", length=n_features)
    if fields.has("horizon"):
        extra["horizon"] = fields.integer("horizon", minimum=1)
    if fields.has("discount"):
        discount = fields.number("discount")
        if not 0.0 <= discount <= 1.0:
            raise fields.error("discount", f"must be in [0, 1]; got {discount:g}.")
        extra["discount"] = discount
    for name, length in (("state_names", n_states), ("action_names", n_actions)):
        if fields.has(name):
            extra[name] = fields.strings(name, length=length)
    return build_mdp(source, triples, n_states=n_states, n_actions=n_actions, **extra)


def _transition_rows(fields: Fields, n_states: int, n_actions: int) -> NDArray[np.float64]:
    """Check ``transitions`` row by row and return it as an ``(n, 4)`` float array."""
    rows = fields.raw("transitions")
    prefix = fields.prefix("transitions")
    if type(rows) is not list:
        raise fields.error("transitions", f"expected a list of rows; got {describe(rows)}.")
    # Fast path: the type checks run in C (map / chain); the loop only finds the culprit.
    if not (
        set(map(type, rows)) <= {list}
        and set(map(len, rows)) <= {4}
        and set(map(type, itertools.chain.from_iterable(rows))) <= {int, float}
    ):
        for index, row in enumerate(rows):
            _check_transition_row(row, f"{prefix} row {index}")
    table = np.array(rows, dtype=np.float64).reshape(len(rows), 4)
    fractional = np.any(table[:, :3] != np.round(table[:, :3]), axis=1)
    if fractional.any():
        index = int(np.argmax(fractional))
        _check_transition_row(rows[index], f"{prefix} row {index}")
    for column, name, size in (
        (0, "state", n_states),
        (1, "action", n_actions),
        (2, "next_state", n_states),
    ):
        bad = (table[:, column] < 0) | (table[:, column] >= size)
        if bad.any():
            index = int(np.argmax(bad))
            raise ValueLearnInputError(
                f"{prefix} row {index}: {name} {int(table[index, column])} is out of range "
                f"[0, {size})."
            )
    bad = table[:, 3] < 0
    if bad.any():
        index = int(np.argmax(bad))
        raise ValueLearnInputError(
            f"{prefix} row {index}: probability {table[index, 3]:g} is negative."
        )
    return table


def _check_transition_row(row: object, prefix: str) -> None:
    if type(row) is not list or len(row) != 4:
        raise ValueLearnInputError(
            f"{prefix}: expected [state, action, next_state, probability]; got {describe(row)}"
            + (f" of length {len(row)}." if isinstance(row, list) else ".")
        )
    for name, value in zip(("state", "action", "next_state"), row[:3], strict=True):
        if type(value) is not int and not (type(value) is float and value.is_integer()):
            raise ValueLearnInputError(
                f"{prefix}: {name} must be an integer; got {describe(value)}."
            )
    if type(row[3]) is not float and type(row[3]) is not int:
        raise ValueLearnInputError(
            f"{prefix}: probability must be a number; got {describe(row[3])}."
        )


def _mdp_json_lines(mdp: MDP) -> Iterator[str]:
    """The JSON document of ``mdp``, one field (and one transition or feature row) per line."""
    yield "{"
    yield f'  "format": "{MDP_FORMAT}",'
    yield f'  "n_states": {mdp.n_states},'
    yield f'  "n_actions": {mdp.n_actions},'
    matrix = mdp.transitions
    rows = np.repeat(np.arange(matrix.shape[0]), np.diff(matrix.indptr))
    table = list(
        map(
            list,
            zip(
                (rows // mdp.n_actions).tolist(),
                (rows % mdp.n_actions).tolist(),
                matrix.indices.tolist(),
                matrix.data.tolist(),
                strict=True,
            ),
        )
    )
    body = json.dumps(table, allow_nan=False)[1:-1].replace("], [", "],\n    [")
    yield f'  "transitions": [\n    {body}\n  ],'
    optional: list[tuple[str, Any]] = [("initial", mdp.initial.tolist())]
    if mdp.features is not None:
        optional.append(("features", mdp.features.tolist()))
    for name in ("feature_names", "horizon", "discount", "state_names", "action_names"):
        value = getattr(mdp, name)
        if value is not None:
            optional.append((name, list(value) if isinstance(value, tuple) else value))
    for k, (name, value) in enumerate(optional):
        comma = "," if k + 1 < len(optional) else ""
        if name == "features":
            body = ",\n    ".join(json.dumps(row) for row in value)
            yield f'  "features": [\n    {body}\n  ]{comma}'
        else:
            yield f"  {json.dumps(name)}: {json.dumps(value)}{comma}"
    yield "}"


# ---------------------------------------------------------------------- demonstrations
def load_demonstrations(path: PathLike, mdp: MDP | None = None) -> Demonstrations:
    """Load demonstrations from a JSON Lines file, one trajectory per line.

    Parameters
    ----------
    path : str or path
        Each non-blank line is ``{"states": [...], "actions": [...]}`` with optional
        ``"demonstrator"``, ``"context"`` (strings) and ``"time"`` (number).
    mdp : MDP, optional
        When given, every state and action must be in range for it.

    Raises
    ------
    ValueLearnInputError
        ``"d.jsonl line 3: field 'states' item 2: state 12 is out of range [0, 9)."`` and alike.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.jsonl"
    >>> _ = path.write_text('{"states": [0, 1, 1], "actions": [1, 0], "demonstrator": "ann"}\\n')
    >>> demos = load_demonstrations(path)
    >>> demos[0].actions.tolist(), demos[0].demonstrator
    ([1, 0], 'ann')
    """
    demonstrations, _ = read_demonstrations(path, mdp)
    return demonstrations


def read_demonstrations(path: PathLike, mdp: MDP | None = None) -> tuple[Demonstrations, list[int]]:
    """Like :func:`load_demonstrations`, also returning the line number of each trajectory."""
    text = read_text(path)
    trajectories: list[Trajectory] = []
    line_numbers: list[int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            trajectories.append(_trajectory(line, f"{path} line {number}", mdp))
            line_numbers.append(number)
    if not trajectories:
        raise ValueLearnInputError(
            f"{path}: the file is empty; expected one JSON trajectory per line."
        )
    return Demonstrations(trajectories), line_numbers


def _trajectory(line: str, source: str, mdp: MDP | None) -> Trajectory:
    fields = Fields(parse_json(line, source, multiline=False), source, _DEMO_FIELDS)
    n_states = None if mdp is None else mdp.n_states
    n_actions = None if mdp is None else mdp.n_actions
    states = fields.integer_array("states", upper=n_states, what="state")
    actions = fields.integer_array("actions", upper=n_actions, what="action")
    if actions.size == 0:
        raise fields.error("actions", "is empty; a trajectory needs at least one action.")
    if states.size != actions.size + 1:
        raise ValueLearnInputError(
            f"{source}: 'states' has {states.size} entries and 'actions' has {actions.size}; "
            "'states' must have exactly one more entry than 'actions'."
        )
    demonstrator = fields.string("demonstrator") if fields.has("demonstrator") else None
    context = fields.string("context") if fields.has("context") else None
    time = fields.raw("time") if fields.has("time") else None
    if time is not None and (type(time) is not int and type(time) is not float):
        raise fields.error("time", f"expected a number; got {describe(time)}.")
    return Trajectory(states, actions, demonstrator=demonstrator, context=context, time=time)


def save_demonstrations(demonstrations: Demonstrations, path: PathLike) -> None:
    """Write demonstrations as JSON Lines, one trajectory per line, atomically.

    Annotations (``demonstrator``, ``context``, ``time``) are written only when set.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "d.jsonl"
    >>> save_demonstrations(Demonstrations([Trajectory([0, 1], [0], time=2)]), path)
    >>> path.read_text()
    '{"states": [0, 1], "actions": [0], "time": 2}\\n'
    """
    if not isinstance(demonstrations, Demonstrations):
        demonstrations = Demonstrations(demonstrations)
    atomic_write_lines(path, (_trajectory_line(t) for t in demonstrations))


def _trajectory_line(trajectory: Trajectory) -> str:
    record: dict[str, Any] = {
        "states": trajectory.states.tolist(),
        "actions": trajectory.actions.tolist(),
    }
    if trajectory.demonstrator is not None:
        record["demonstrator"] = str(trajectory.demonstrator)
    if trajectory.context is not None:
        record["context"] = str(trajectory.context)
    if trajectory.time is not None:
        time = trajectory.time
        record["time"] = int(time) if isinstance(time, int | np.integer) else float(time)
    return json.dumps(record, allow_nan=False)
