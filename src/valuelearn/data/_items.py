"""Items that people judge: ids plus feature vectors, a kernel, text, or nothing.

Utilities are linear in the features (``u = features @ weights``), drawn from a Gaussian process
with the kernel, or free (one per item). Trajectory segments become items through
:func:`segment_features`, so every preference model applies to them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn.data._mdp import MDP
from valuelearn.data._trajectories import Trajectory
from valuelearn.exceptions import ValueLearnInputError


def as_item_id(value: object, name: str) -> str:
    """An item id: a non-empty string, or an integer (written as its decimal string)."""
    if isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_):
        return str(int(value))
    if isinstance(value, str) and value:
        return str(value)
    raise ValueLearnInputError(
        f"`{name}` must hold item ids (non-empty strings or integers); got {value!r}."
    )


def id_tuple(values: Iterable[object], name: str) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValueLearnInputError(f"`{name}` must be a list of item ids; got a string.")
    return tuple(as_item_id(value, name) for value in values)


@dataclass(frozen=True, eq=False)
class Items:
    """The things people judge: ids plus features, a kernel, text, or nothing.

    Parameters
    ----------
    ids : sequence of str (or int), length n_items
        Unique item ids (integers are stored as their decimal strings).
    features : array, shape (n_items, n_features), optional
        Feature vectors for linear utilities ``u = features @ weights``.
    feature_names : sequence of str, length n_features, optional
    texts : sequence of str, length n_items, optional
        A description of each item (the items file's ``text`` column), kept for display.
    kernel : array, shape (n_items, n_items), optional
        A symmetric positive semi-definite kernel for utilities ``u ~ N(0, scale**2 kernel)``.

    Raises
    ------
    ValueLearnInputError
        On duplicate or empty ids, mismatched lengths, non-finite numbers or a kernel that is not
        symmetric positive semi-definite.

    Examples
    --------
    >>> items = Items(["tea", "coffee"], features=[[1.0, 0.0], [0.0, 1.0]])
    >>> items.n_items, items.index_of(["coffee"]).tolist()
    (2, [1])
    """

    ids: tuple[str, ...]
    features: NDArray[np.float64] | None = None
    feature_names: tuple[str, ...] | None = None
    texts: tuple[str, ...] | None = None
    kernel: NDArray[np.float64] | None = None
    _position: dict[str, int] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        ids = id_tuple(self.ids, "ids")
        if not ids:
            raise ValueLearnInputError("`ids` is empty; there must be at least one item.")
        position: dict[str, int] = {}
        for index, item in enumerate(ids):
            if item in position:
                raise ValueLearnInputError(f"`ids` holds {item!r} twice; item ids must be unique.")
            position[item] = index
        object.__setattr__(self, "ids", ids)
        object.__setattr__(self, "_position", position)
        n = len(ids)
        if self.features is not None:
            object.__setattr__(self, "features", _matrix(self.features, "features", n, None))
        if self.feature_names is not None:
            if self.features is None:
                raise ValueLearnInputError("`feature_names` given, but there are no `features`.")
            names = tuple(self.feature_names)
            if len(names) != self.features.shape[1] or not all(isinstance(x, str) for x in names):
                raise ValueLearnInputError(
                    f"`feature_names` must be {self.features.shape[1]} strings; got {names!r}."
                )
            object.__setattr__(self, "feature_names", names)
        if self.texts is not None:
            texts = tuple(self.texts)
            if len(texts) != n or not all(isinstance(x, str) for x in texts):
                raise ValueLearnInputError(f"`texts` must be {n} strings (one per item).")
            object.__setattr__(self, "texts", texts)
        if self.kernel is not None:
            object.__setattr__(self, "kernel", _kernel(self.kernel, n))

    @classmethod
    def from_ids(cls, ids: Iterable[object]) -> Items:
        """Items known only by id: each gets its own free utility."""
        return cls(id_tuple(ids, "ids"))

    @classmethod
    def from_segments(
        cls,
        mdp: MDP,
        segments: Sequence[Trajectory],
        *,
        discount: float = 1.0,
        ids: Sequence[str] | None = None,
    ) -> Items:
        """Trajectory segments as items whose features are their summed state features.

        See :func:`segment_features`; ids default to ``"0", "1", ...``.

        Examples
        --------
        >>> mdp = MDP.from_dense(np.ones((2, 1, 2)) / 2, features=np.eye(2))
        >>> Items.from_segments(mdp, [Trajectory([0, 1, 1], [0, 0])]).features.tolist()
        [[1.0, 1.0]]
        """
        features = segment_features(mdp, segments, discount=discount)
        names = mdp.feature_names
        return cls(
            tuple(ids) if ids is not None else tuple(str(i) for i in range(len(segments))),
            features=features,
            feature_names=names,
        )

    @property
    def n_items(self) -> int:
        return len(self.ids)

    @property
    def n_features(self) -> int | None:
        """Number of features, or ``None`` when the items have none."""
        return None if self.features is None else int(self.features.shape[1])

    def index_of(self, ids: Iterable[object], *, what: str = "judgments") -> NDArray[np.int64]:
        """Positions of ``ids`` among the items.

        Raises
        ------
        ValueLearnInputError
            ``"the judgments name item 'x', which is not among the 12 items."``
        """
        positions = []
        for value in ids:
            item = as_item_id(value, "ids")
            if item not in self._position:
                raise ValueLearnInputError(
                    f"the {what} name item {item!r}, which is not among the {self.n_items} items."
                )
            positions.append(self._position[item])
        return np.array(positions, dtype=np.int64)

    def __contains__(self, item: object) -> bool:
        return item in self._position


def _matrix(values: ArrayLike, name: str, n_rows: int, n_cols: int | None) -> NDArray[np.float64]:
    try:
        array = np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueLearnInputError(f"`{name}` must be a matrix of numbers.") from None
    if array.ndim != 2 or array.shape[0] != n_rows or (n_cols and array.shape[1] != n_cols):
        expected = f"({n_rows}, {n_cols if n_cols else 'n_features'})"
        raise ValueLearnInputError(f"`{name}` must have shape {expected}; got {array.shape}.")
    if not np.all(np.isfinite(array)):
        raise ValueLearnInputError(f"`{name}` must be finite; found NaN or inf.")
    array.setflags(write=False)
    return array


def _kernel(values: ArrayLike, n: int) -> NDArray[np.float64]:
    kernel = _matrix(values, "kernel", n, n)
    scale = max(1.0, float(np.max(np.abs(kernel))))
    if not np.allclose(kernel, kernel.T, rtol=0.0, atol=1e-10 * scale):
        raise ValueLearnInputError("`kernel` must be symmetric.")
    smallest = float(np.linalg.eigvalsh(kernel)[0])
    if smallest < -1e-8 * scale:
        raise ValueLearnInputError(
            f"`kernel` must be positive semi-definite; its smallest eigenvalue is {smallest:.3g}."
        )
    return kernel


def segment_features(
    mdp: MDP,
    segments: Sequence[Trajectory],
    *,
    discount: float = 1.0,
    features: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """Summed state features of trajectory segments: ``phi(seg) = sum_t discount**t f(s_t)``.

    The sum runs over the decisions ``t = 0 .. len(seg) - 1`` (the last state earns nothing, as in
    the rest of valuelearn), so ``phi(seg) @ weights`` is the segment's discounted return under
    the state reward ``features @ weights``: every preference model then applies to segments
    (Christiano et al. 2017 compare segments by summed predicted reward, eq. 1).

    Parameters
    ----------
    mdp : MDP
        Supplies the state features (unless ``features`` is given).
    segments : sequence of Trajectory
    discount : float
    features : array, shape (n_states, n_features), optional
        State features to use instead of ``mdp.features``.

    Returns
    -------
    array, shape (n_segments, n_features)

    Examples
    --------
    >>> mdp = MDP.from_dense(np.ones((2, 1, 2)) / 2, features=[[1.0], [10.0]])
    >>> segment_features(mdp, [Trajectory([1, 0, 0], [0, 0])], discount=0.5).tolist()
    [[10.5]]
    """
    table = mdp.features if features is None else _matrix(features, "features", mdp.n_states, None)
    if table is None:
        raise ValueLearnInputError("segment features need an MDP with `features`.")
    if not (0.0 <= discount <= 1.0):
        raise ValueLearnInputError(f"`discount` must be in [0, 1]; got {discount!r}.")
    rows = np.zeros((len(segments), table.shape[1]))
    for index, segment in enumerate(segments):
        if not isinstance(segment, Trajectory):
            raise ValueLearnInputError(
                f"segment {index} must be a Trajectory; got {type(segment).__name__}."
            )
        states = segment.states[:-1]
        if states.max() >= mdp.n_states:
            raise ValueLearnInputError(
                f"segment {index} visits state {states.max()}, out of range [0, {mdp.n_states})."
            )
        rows[index] = (discount ** np.arange(states.size)) @ table[states]
    return rows
