"""Report figures of the aligned-action scenarios: where each learner's policy spends its time."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray

from valuelearn.bench._report import png_img
from valuelearn.bench._store import RunRecord
from valuelearn.data import MDP, grid_coordinates, grid_layout
from valuelearn.policy import occupancy


def shown_run(records: Sequence[RunRecord], metric: str) -> tuple[int, int] | None:
    """The (data size, seed) a figure shows: the largest size, and its seed on which the
    learners differ most in ``metric`` (the smallest such seed)."""
    if not records:
        return None
    largest = max(record.n for record in records)
    by_seed: dict[int, list[float]] = defaultdict(list)
    for record in records:
        if record.n == largest and metric in record.metrics:
            by_seed[record.seed].append(record.metrics[metric])
    if not by_seed:
        return None
    spread = {seed: max(values) - min(values) for seed, values in by_seed.items()}
    return largest, min(spread, key=lambda seed: (-spread[seed], seed))


def occupancy_panels(
    world: MDP, policies: Mapping[str, NDArray[np.float64]], *, discount: float, title: str
) -> str:
    """One heat map per policy of its discounted share of time in each cell, cells labelled.

    Examples
    --------
    >>> from valuelearn.data import gridworld
    >>> mdp = gridworld(["S.G"], absorbing="G")
    >>> html = occupancy_panels(mdp, {"right": np.eye(4)[[3, 3, 3]]}, discount=0.5, title="t")
    >>> html.startswith("<img")
    True
    """
    coordinates = grid_coordinates(world)
    labels = [name.split(":")[-1] for name in world.state_names or ()]
    figure, axes = plt.subplots(1, len(policies), figsize=(2.6 * len(policies), 2.4))
    for axis, (name, policy) in zip(np.atleast_1d(axes), policies.items(), strict=True):
        visits = occupancy(world, policy, horizon=None, discount=discount).total
        axis.imshow(grid_layout(world, (1.0 - discount) * visits), cmap="Blues", vmin=0, vmax=1)
        for (row, col), label in zip(coordinates, labels, strict=True):
            if label != ".":
                axis.text(col, row, label, ha="center", va="center", color="tab:red")
        axis.set_title(name, fontsize=9)
        axis.set_xticks([])
        axis.set_yticks([])
    figure.suptitle(title, fontsize=9)
    figure.tight_layout()
    return png_img(figure, title)
