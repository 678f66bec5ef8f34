"""Tabular and linear-feature rewards: what a learner believes the person values."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.exceptions import ValueLearnInputError

RewardKind = Literal["state", "state_action", "linear"]
REWARD_KINDS: tuple[RewardKind, ...] = ("state", "state_action", "linear")


@dataclass(frozen=True, eq=False)
class Reward:
    """A reward over the states (or state-action pairs) of one MDP.

    Use the constructors :meth:`state`, :meth:`state_action` and :meth:`linear`; ``values`` is
    always filled in, so planners take ``reward.values`` whatever the kind.

    Parameters
    ----------
    kind : {"state", "state_action", "linear"}
        ``"linear"`` means ``values = features @ weights`` for the MDP's state features.
    values : array, shape (n_states,) or (n_states, n_actions)
        ``R[s]`` (kinds ``"state"`` and ``"linear"``) or ``R[s, a]`` (kind ``"state_action"``).
    weights : array, shape (n_features,), optional
        Required for, and only allowed with, kind ``"linear"``.
    feature_names : tuple of str, optional
        One name per weight (kind ``"linear"`` only).

    Raises
    ------
    ValueLearnInputError
        If the kind is unknown, a shape does not fit the kind, or a value is NaN or inf.

    Examples
    --------
    >>> features = [[1, 0], [0, 1], [1, 1]]
    >>> reward = Reward.linear([1.0, -2.0], features, feature_names=["goal", "lava"])
    >>> reward.kind, reward.values.tolist(), reward.n_states
    ('linear', [1.0, -2.0, -1.0], 3)
    """

    kind: RewardKind
    values: NDArray[np.float64]
    weights: NDArray[np.float64] | None = None
    feature_names: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.kind not in REWARD_KINDS:
            raise ValueLearnInputError(
                f"`kind` must be 'state', 'state_action' or 'linear'; got {self.kind!r}."
            )
        ndim = 2 if self.kind == "state_action" else 1
        values = _finite(self.values, "values")
        if values.ndim != ndim or values.size == 0:
            shape = "(n_states, n_actions)" if ndim == 2 else "(n_states,)"
            raise ValueLearnInputError(
                f"`values` of a {self.kind!r} reward must be a non-empty array of shape {shape}; "
                f"got shape {values.shape}."
            )
        object.__setattr__(self, "values", values)
        if self.kind != "linear":
            for name in ("weights", "feature_names"):
                if getattr(self, name) is not None:
                    raise ValueLearnInputError(
                        f"`{name}` is only allowed for a 'linear' reward; this one is "
                        f"{self.kind!r}."
                    )
            return
        if self.weights is None:
            raise ValueLearnInputError("a 'linear' reward needs `weights`.")
        weights = _finite(self.weights, "weights")
        if weights.ndim != 1 or weights.size == 0:
            raise ValueLearnInputError(
                f"`weights` must be a non-empty flat array; got shape {weights.shape}."
            )
        object.__setattr__(self, "weights", weights)
        if self.feature_names is not None:
            names = tuple(self.feature_names)
            if not all(isinstance(name, str) for name in names):
                raise ValueLearnInputError("`feature_names` must be a list of strings.")
            if len(names) != weights.size:
                raise ValueLearnInputError(
                    f"`feature_names` has {len(names)} entries but there are {weights.size} "
                    "weights."
                )
            object.__setattr__(self, "feature_names", names)

    # ------------------------------------------------------------------ constructors
    @classmethod
    def state(cls, values: ArrayLike) -> Reward:
        """A tabular state reward ``R[s]``.

        Examples
        --------
        >>> Reward.state([0.0, 1.0]).values.tolist()
        [0.0, 1.0]
        """
        return cls("state", _finite(values, "values"))

    @classmethod
    def state_action(cls, values: ArrayLike) -> Reward:
        """A tabular state-action reward ``R[s, a]``, shape ``(n_states, n_actions)``.

        Examples
        --------
        >>> Reward.state_action([[0.0, 1.0], [2.0, 3.0]]).n_actions
        2
        """
        return cls("state_action", _finite(values, "values"))

    @classmethod
    def linear(
        cls,
        weights: ArrayLike,
        features: ArrayLike,
        feature_names: Sequence[str] | None = None,
    ) -> Reward:
        """A linear reward ``R = features @ weights``.

        Parameters
        ----------
        weights : array, shape (n_features,)
        features : array, shape (n_states, n_features)
            Usually ``mdp.features``.
        feature_names : sequence of str, optional
            Usually ``mdp.feature_names``.
        """
        weight_array = _finite(weights, "weights")
        feature_array = _finite(features, "features")
        if feature_array.ndim != 2 or weight_array.ndim != 1:
            raise ValueLearnInputError(
                "`features` must have shape (n_states, n_features) and `weights` (n_features,); "
                f"got {feature_array.shape} and {weight_array.shape}."
            )
        if feature_array.shape[1] != weight_array.size:
            raise ValueLearnInputError(
                f"`weights` has {weight_array.size} entries but `features` has "
                f"{feature_array.shape[1]} columns."
            )
        values = feature_array @ weight_array
        names = None if feature_names is None else tuple(feature_names)
        return cls("linear", values, weights=weight_array, feature_names=names)

    # ------------------------------------------------------------------ views
    @property
    def n_states(self) -> int:
        """Number of states the reward covers."""
        return int(self.values.shape[0])

    @property
    def n_actions(self) -> int | None:
        """Number of actions (kind ``"state_action"``), else ``None``."""
        return int(self.values.shape[1]) if self.values.ndim == 2 else None

    @property
    def n_features(self) -> int | None:
        """Number of weights (kind ``"linear"``), else ``None``."""
        return None if self.weights is None else int(self.weights.size)

    def __repr__(self) -> str:
        details = f"n_states={self.n_states}"
        if self.n_actions is not None:
            details += f", n_actions={self.n_actions}"
        if self.n_features is not None:
            details += f", n_features={self.n_features}"
        return f"Reward(kind={self.kind!r}, {details})"


def _finite(values: ArrayLike, name: str) -> NDArray[np.float64]:
    """Return a read-only float copy of ``values`` or raise if it is not a finite numeric array."""
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueLearnInputError(f"`{name}` must be an array of numbers.") from None
    if not np.all(np.isfinite(array)):
        raise ValueLearnInputError(f"`{name}` must be finite; found NaN or inf.")
    array.setflags(write=False)
    return array
