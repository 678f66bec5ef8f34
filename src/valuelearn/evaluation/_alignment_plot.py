"""The paper-style figure of an alignment sweep: each metric against representational alignment.

One panel per metric; one line per kernel agent through the mean realised alignment and mean
metric at each alignment level, shaded +-1 standard error (over seeds); the Thompson-sampling
baseline (no representation) as a dashed horizontal line with its own band.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from valuelearn.evaluation._alignment_experiment import Table
from valuelearn.evaluation._exploration import EXPLORATION_METRICS

_LABELS = {
    "mean_reward": "mean reward per step",
    "non_optimal_actions": "non-optimal actions",
    "bad_actions": "bad actions (value < 50)",
    "iterations_to_convergence": "iterations to convergence",
    "unique_actions": "unique actions",
    "generalisation_rmse": "generalisation RMSE",
    "generalisation_spearman": "generalisation rank corr.",
    "generalisation_reward": "value of best predicted unseen",
}
_NAMES = {"svr": "SVR", "krr": "kernel ridge", "gp": "GP", "gp-ucb": "GP-UCB"}
_COLOURS = {"svr": "tab:blue", "krr": "tab:orange", "gp": "tab:green", "gp-ucb": "tab:purple"}


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    values = values[np.isfinite(values)]
    if values.size == 0:
        return float("nan"), float("nan")
    se = values.std(ddof=1) / np.sqrt(values.size) if values.size > 1 else 0.0
    return float(values.mean()), float(se)


def plot_alignment_sweep(
    table: Table,
    *,
    metrics: Sequence[str] = EXPLORATION_METRICS,
    variant: str = "full",
    title: str | None = None,
) -> Figure:
    """Draw each metric against the realised alignment, per agent (module docstring).

    Parameters
    ----------
    table : dict of str to array
        From :func:`~valuelearn.evaluation.alignment_sweep` (columns ``agent``, ``level``,
        ``alignment_<variant>`` and the metrics).
    metrics : sequence of str
    variant : {"full", "personal", "cross"}
        Which alignment goes on the x axis.
    title : str, optional

    Returns
    -------
    matplotlib.figure.Figure

    Examples
    --------
    >>> from valuelearn.evaluation import alignment_sweep
    >>> table = alignment_sweep(levels=(0.0, 1.0), agents=("krr",), n_seeds=3, n_actions=8,
    ...                         n_held_out=4, n_steps=5, rng=0)
    >>> len(plot_alignment_sweep(table, metrics=["mean_reward"]).axes)
    1
    """
    agents = np.asarray(table["agent"])
    alignment = np.asarray(table[f"alignment_{variant}"], dtype=np.float64)
    levels = np.asarray(table["level"], dtype=np.float64)
    columns = min(len(metrics), 3)
    rows = -(-len(metrics) // columns)
    figure = Figure(figsize=(4.2 * columns, 3.2 * rows), layout="constrained")
    axes = figure.subplots(rows, columns, squeeze=False).ravel()
    for axis, metric in zip(axes, metrics, strict=False):
        values = np.asarray(table[metric], dtype=np.float64)
        for agent in dict.fromkeys(agents.tolist()):
            mask = agents == agent
            if agent == "thompson":
                centre, spread = _mean_se(values[mask])
                axis.axhline(centre, color="tab:red", linestyle="--", label="Thompson (baseline)")
                axis.axhspan(centre - spread, centre + spread, color="tab:red", alpha=0.12)
                continue
            points = []
            for level in np.unique(levels[mask]):
                at = mask & (levels == level)
                points.append((float(np.nanmean(alignment[at])), *_mean_se(values[at])))
            x, y, se = (np.array(column) for column in zip(*points, strict=True))
            (line,) = axis.plot(
                x,
                y,
                marker="o",
                markersize=3,
                color=_COLOURS.get(agent),
                label=_NAMES.get(agent, agent),
            )
            axis.fill_between(x, y - se, y + se, color=line.get_color(), alpha=0.2)
        axis.set_xlabel(f"representational alignment ({variant})")
        axis.set_ylabel(_LABELS.get(metric, metric))
        axis.grid(alpha=0.3)
    for axis in axes[len(metrics) :]:
        axis.set_visible(False)
    axes[0].legend(fontsize="small")
    if title:
        figure.suptitle(title)
    return figure
