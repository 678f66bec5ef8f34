"""The reward file format ``valuelearn.reward/1`` (JSON); see the README (File formats)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import numpy as np
from numpy.typing import NDArray

from valuelearn._fields import Fields, describe, field_message
from valuelearn._files import PathLike, atomic_write_lines, read_json_document
from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation._reward import REWARD_KINDS, Reward, RewardKind

REWARD_FORMAT = "valuelearn.reward/1"
_FIELDS = ("format", "kind", "values", "weights", "feature_names")
#: Relative tolerance between written ``values`` and ``features @ weights`` recomputed at load.
LINEAR_VALUES_RTOL = 1e-6


def load_reward(path: PathLike, mdp: MDP | None = None) -> Reward:
    """Load a reward from a ``valuelearn.reward/1`` JSON file.

    Parameters
    ----------
    path : str or path
    mdp : MDP, optional
        When given, the reward must fit it: ``values`` has one entry per state (and per action for
        kind ``"state_action"``); a ``"linear"`` reward needs the MDP's features, its
        ``feature_names`` must match the MDP's, and its written ``values`` must agree with
        ``features @ weights`` (``values`` may then be left out of the file).

    Returns
    -------
    Reward

    Raises
    ------
    FileNotFoundError, OSError
        If the file cannot be read.
    ValueLearnInputError
        On any problem with the content, e.g.
        ``"r.json: field 'values': has 5 entries but the MDP has 9 states."``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.json"
    >>> _ = path.write_text('{"format": "valuelearn.reward/1", "kind": "state", "values": [0, 1]}')
    >>> load_reward(path).values.tolist()
    [0.0, 1.0]
    """
    source = str(path)
    document = read_json_document(path, f"a reward object ({REWARD_FORMAT!r})")
    fields = Fields(document, source, _FIELDS)
    fields.check_format(REWARD_FORMAT)
    kind = fields.string("kind")
    if kind not in REWARD_KINDS:
        raise fields.error("kind", f"expected 'state', 'state_action' or 'linear'; got {kind!r}.")
    if kind != "linear":
        for name in ("weights", "feature_names"):
            if fields.has(name):
                raise fields.error(name, f"is only allowed for kind 'linear'; this is {kind!r}.")
        if kind == "state":
            values = fields.number_array("values")
        else:
            values = fields.number_matrix("values")
        if mdp is not None:
            _check_size(fields, values, mdp)
        return _build(source, kind, values)
    return _load_linear(fields, mdp)


def _load_linear(fields: Fields, mdp: MDP | None) -> Reward:
    weights = fields.number_array("weights")
    if weights.size == 0:
        raise fields.error("weights", "is empty; a linear reward needs at least one weight.")
    names = None
    if fields.has("feature_names"):
        names = fields.strings("feature_names", length=weights.size)
    if mdp is None:
        values = fields.number_array("values")
        return _build(fields.source, "linear", values, weights=weights, feature_names=names)
    written = fields.number_array("values") if fields.has("values") else None
    if mdp.features is None:
        raise fields.error("kind", "is 'linear', but the MDP has no state features.")
    if weights.size != mdp.features.shape[1]:
        raise fields.error(
            "weights",
            f"has {weights.size} entries but the MDP has {mdp.features.shape[1]} features.",
        )
    if names is not None and mdp.feature_names is not None and names != mdp.feature_names:
        raise fields.error(
            "feature_names", f"{list(names)} differ from the MDP's {list(mdp.feature_names)}."
        )
    computed = mdp.features @ weights
    if written is not None:
        _check_size(fields, written, mdp)
        scale = max(1.0, float(np.max(np.abs(computed))))
        bad = np.abs(written - computed) > LINEAR_VALUES_RTOL * scale
        if bad.any():
            state = int(np.argmax(bad))
            raise fields.error(
                "values",
                f"disagrees with features @ weights at state {state} ({written[state]:.9g} in the "
                f"file, {computed[state]:.9g} computed from the MDP's features).",
            )
    return _build(
        fields.source, "linear", computed, weights=weights, feature_names=names or mdp.feature_names
    )


def _check_size(fields: Fields, values: NDArray[np.float64], mdp: MDP) -> None:
    if values.shape[0] != mdp.n_states:
        raise fields.error(
            "values", f"has {values.shape[0]} entries but the MDP has {mdp.n_states} states."
        )
    if values.ndim == 2 and values.shape[1] != mdp.n_actions:
        raise fields.error(
            "values",
            f"rows have {values.shape[1]} entries but the MDP has {mdp.n_actions} actions.",
        )


def _build(source: str, kind: RewardKind, values: NDArray[np.float64], **extra: Any) -> Reward:
    """Construct a Reward, prefixing its errors (empty values and alike) with the file name."""
    try:
        return Reward(kind, values, **extra)
    except ValueLearnInputError as error:
        raise ValueLearnInputError(field_message(source, str(error))) from None


def save_reward(reward: Reward, path: PathLike) -> None:
    """Write ``reward`` as ``valuelearn.reward/1`` JSON, atomically; ``values`` is always written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "r.json"
    >>> save_reward(Reward.state([0.0, 1.5]), path)
    >>> print(path.read_text().strip())
    {
      "format": "valuelearn.reward/1",
      "kind": "state",
      "values": [0.0, 1.5]
    }
    """
    if not isinstance(reward, Reward):
        raise ValueLearnInputError(f"`reward` must be a Reward; got {describe(reward)}.")
    atomic_write_lines(path, _reward_lines(reward))


def _reward_lines(reward: Reward) -> Iterator[str]:
    entries: list[tuple[str, Any]] = [("format", REWARD_FORMAT), ("kind", reward.kind)]
    if reward.weights is not None:
        entries.append(("weights", reward.weights.tolist()))
    if reward.feature_names is not None:
        entries.append(("feature_names", list(reward.feature_names)))
    entries.append(("values", reward.values.tolist()))
    yield "{"
    for index, (name, value) in enumerate(entries):
        comma = "," if index + 1 < len(entries) else ""
        if name == "values" and reward.values.ndim == 2:
            body = ",\n    ".join(json.dumps(row, allow_nan=False) for row in value)
            yield f'  "values": [\n    {body}\n  ]{comma}'
        else:
            yield f"  {json.dumps(name)}: {json.dumps(value, allow_nan=False)}{comma}"
    yield "}"
