"""The ``.npz`` form of the MDP format: the same fields as JSON, transitions as CSR arrays.

Transitions are stored as the three arrays of the MDP's own CSR matrix (shape
``(n_states * n_actions, n_states)``, row ``state * n_actions + action``), so loading a world with
10^6 states is a few memory copies and one validation pass, with no conversion. Archives are
written uncompressed (``numpy.savez``) for speed and read with ``allow_pickle=False``.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Sequence
from typing import IO, Any

import numpy as np
import scipy.sparse as sp
from numpy.typing import NDArray

from valuelearn._files import PathLike, atomic_write
from valuelearn.data._mdp import MDP
from valuelearn.exceptions import ValueLearnInputError

_CSR = ("transitions_indptr", "transitions_indices", "transitions_data")


class _Archive:
    """Typed, validated access to the arrays of one ``.npz`` file."""

    def __init__(self, path: PathLike, allowed: Sequence[str]) -> None:
        self.source = str(path)
        try:
            loaded = np.load(path, allow_pickle=False)
        except (ValueError, EOFError, zipfile.BadZipFile) as error:
            raise ValueLearnInputError(f"{path}: not a valid .npz archive ({error}).") from None
        if not isinstance(loaded, np.lib.npyio.NpzFile):
            raise ValueLearnInputError(f"{path}: a single .npy array, not a .npz archive.")
        self.archive = loaded
        unknown = [name for name in loaded.files if name not in allowed]
        if unknown:
            raise ValueLearnInputError(
                f"{path}: unknown field '{unknown[0]}'; expected fields: {', '.join(allowed)}."
            )

    def error(self, name: str, problem: str) -> ValueLearnInputError:
        return ValueLearnInputError(f"{self.source}: field '{name}': {problem}")

    def has(self, name: str) -> bool:
        return name in self.archive.files

    def array(self, name: str, kinds: str, ndim: int) -> NDArray[Any]:
        """A required array whose dtype kind is in ``kinds`` (``"iu"``, ``"iuf"``, ``"U"``)."""
        if not self.has(name):
            raise ValueLearnInputError(f"{self.source}: field '{name}' is missing.")
        try:
            array = self.archive[name]
        except ValueError as error:
            raise self.error(name, f"cannot be read ({error}).") from None
        if ndim == 0 and array.size == 1:
            array = array.reshape(())
        if array.dtype.kind not in kinds:
            expected = {"iu": "integers", "iuf": "numbers", "U": "strings"}.get(kinds, kinds)
            raise self.error(name, f"expected {expected}; got dtype {array.dtype}.")
        if array.ndim != ndim:
            raise self.error(name, f"expected {ndim} dimension(s); got shape {array.shape}.")
        return array

    def integer(self, name: str, minimum: int) -> int:
        value = int(self.array(name, "iu", 0))
        if value < minimum:
            raise self.error(name, f"must be >= {minimum}; got {value}.")
        return value

    def strings(self, name: str, length: int | None) -> tuple[str, ...]:
        array = self.array(name, "U", 1)
        if length is not None and array.size != length:
            raise self.error(name, f"has {array.size} entries; expected {length}.")
        return tuple(str(item) for item in array)


def load_mdp_npz(
    path: PathLike,
    format_tag: str,
    allowed: Sequence[str],
    build: Callable[..., MDP],
) -> MDP:
    """Load the ``.npz`` form of an MDP (see the module docstring and the README)."""
    archive = _Archive(path, [name for name in allowed if name != "transitions"] + list(_CSR))
    with archive.archive:
        found = str(archive.array("format", "U", 0))
        if found != format_tag:
            raise archive.error("format", f"expected {format_tag!r}; got {found!r}.")
        n_states = archive.integer("n_states", 1)
        n_actions = archive.integer("n_actions", 1)
        matrix = _csr(archive, n_states, n_actions)
        fields: dict[str, Any] = {
            "n_actions": n_actions,
            "initial": archive.array("initial", "iuf", 1).astype(np.float64),
        }
        if archive.has("features"):
            fields["features"] = archive.array("features", "iuf", 2).astype(np.float64)
        n_features = fields["features"].shape[1] if "features" in fields else None
        if archive.has("feature_names"):
            if n_features is None:
                raise archive.error("feature_names", "given, but the MDP has no 'features'.")
            fields["feature_names"] = archive.strings("feature_names", n_features)
        if archive.has("horizon"):
            fields["horizon"] = archive.integer("horizon", 1)
        if archive.has("discount"):
            discount = float(archive.array("discount", "iuf", 0))
            if not 0.0 <= discount <= 1.0:
                raise archive.error("discount", f"must be in [0, 1]; got {discount:g}.")
            fields["discount"] = discount
        for name, length in (("state_names", n_states), ("action_names", n_actions)):
            if archive.has(name):
                fields[name] = archive.strings(name, length)
    return build(archive.source, matrix, **fields)


def _csr(archive: _Archive, n_states: int, n_actions: int) -> sp.csr_array:
    indptr = archive.array("transitions_indptr", "iu", 1)
    indices = archive.array("transitions_indices", "iu", 1)
    data = archive.array("transitions_data", "iuf", 1).astype(np.float64, copy=False)
    n_rows = n_states * n_actions
    if indptr.size != n_rows + 1:
        raise archive.error(
            "transitions_indptr",
            f"has {indptr.size} entries; expected n_states * n_actions + 1 = {n_rows + 1}.",
        )
    if indices.size != data.size:
        raise archive.error(
            "transitions_data",
            f"has {data.size} entries but 'transitions_indices' has "
            f"{indices.size}; they must match.",
        )
    if indptr[0] != 0 or indptr[-1] != indices.size or np.any(np.diff(indptr) < 0):
        raise archive.error(
            "transitions_indptr", f"must rise from 0 to {indices.size} (the number of entries)."
        )
    if indices.size and (indices.min() < 0 or indices.max() >= n_states):
        bad = int(np.argmax((indices < 0) | (indices >= n_states)))
        raise archive.error(
            "transitions_indices",
            f"entry {bad}: next_state {indices[bad]} is out of range [0, {n_states}).",
        )
    return sp.csr_array((data, indices, indptr), shape=(n_rows, n_states))


def save_mdp_npz(mdp: MDP, path: PathLike, format_tag: str) -> None:
    """Write ``mdp`` as an uncompressed ``.npz`` archive, atomically."""
    arrays: dict[str, NDArray[Any]] = {
        "format": np.array(format_tag),
        "n_states": np.array(mdp.n_states),
        "n_actions": np.array(mdp.n_actions),
        "transitions_indptr": mdp.transitions.indptr,
        "transitions_indices": mdp.transitions.indices,
        "transitions_data": mdp.transitions.data,
        "initial": mdp.initial,
    }
    if mdp.features is not None:
        arrays["features"] = mdp.features
    for name in ("feature_names", "state_names", "action_names"):
        names = getattr(mdp, name)
        if names is not None:
            arrays[name] = np.array(names, dtype=str)
    if mdp.horizon is not None:
        arrays["horizon"] = np.array(mdp.horizon)
    if mdp.discount is not None:
        arrays["discount"] = np.array(mdp.discount)

    def write(stream: IO[bytes]) -> None:
        np.savez(stream, **arrays)  # type: ignore[arg-type]

    atomic_write(path, write)
