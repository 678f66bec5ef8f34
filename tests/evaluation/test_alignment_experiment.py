"""The synthetic replication on fixed seeds: alignment raises reward and lowers bad actions for
every agent; the sweep's table, correlations and figure."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.evaluation import (
    alignment_correlations,
    alignment_sweep,
    plot_alignment_sweep,
    synthetic_people,
)
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import similarity_spearman

LEVELS = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)


@pytest.fixture(scope="module")
def table() -> dict[str, np.ndarray]:
    return alignment_sweep(
        levels=LEVELS, n_seeds=20, n_actions=30, n_held_out=10, n_steps=40, rng=0
    )


def test_synthetic_people_values_follow_their_similarity() -> None:
    similarity, values = synthetic_people(40, 30, rng=1)
    np.testing.assert_allclose(values.min(axis=1), 0.0, atol=1e-9)
    np.testing.assert_allclose(values.max(axis=1), 100.0, atol=1e-9)
    # similar actions have similar values: value distance anti-correlates with similarity
    distance = np.abs(values[:, :, None] - values[:, None, :])
    assert np.mean(similarity_spearman(similarity, -distance)) > 0.2


def test_the_table_has_one_row_per_run(table: dict[str, np.ndarray]) -> None:
    agents = table["agent"]
    assert [int(np.sum(agents == a)) for a in ("svr", "krr", "gp", "gp-ucb", "thompson")] == [
        120,
        120,
        120,
        120,
        20,
    ]
    kernel_rows = agents != "thompson"
    np.testing.assert_allclose(
        [table["alignment_full"][kernel_rows & (table["level"] == L)].mean() for L in LEVELS],
        LEVELS,
        atol=0.05,  # level 0 realises the permutation's chance alignment
    )
    assert np.all(np.isnan(table["alignment_full"][~kernel_rows]))


@pytest.mark.parametrize("agent", ["svr", "krr", "gp", "gp-ucb"])
def test_alignment_raises_reward_and_lowers_bad_actions(
    table: dict[str, np.ndarray], agent: str
) -> None:
    for unit in ("level", "run"):
        rows = {
            r["metric"]: r
            for r in alignment_correlations(
                table, unit=unit, metrics=["mean_reward", "bad_actions"]
            )
            if r["agent"] == agent
        }
        assert rows["mean_reward"]["rho"] > 0 and rows["bad_actions"]["rho"] < 0
        if unit == "level":
            assert rows["mean_reward"]["rho"] >= 0.5 and rows["bad_actions"]["rho"] <= -0.5


def test_aligned_agents_beat_the_thompson_baseline_on_bad_actions(
    table: dict[str, np.ndarray],
) -> None:
    thompson = table["bad_actions"][table["agent"] == "thompson"].mean()
    for agent in ("svr", "krr", "gp", "gp-ucb"):
        aligned = (table["agent"] == agent) & (table["level"] == 1.0)
        assert table["bad_actions"][aligned].mean() < 0.5 * thompson


def test_figure_has_a_panel_per_metric_and_a_dashed_baseline(
    table: dict[str, np.ndarray],
) -> None:
    figure = plot_alignment_sweep(table, metrics=["mean_reward", "bad_actions"])
    axes = [axis for axis in figure.axes if axis.get_visible()]
    assert len(axes) == 2
    assert any(line.get_linestyle() == "--" for line in axes[0].get_lines())
    assert len(axes[0].get_lines()) == 5  # four agents and the baseline


def test_sweep_arguments_are_checked() -> None:
    with pytest.raises(ValueLearnInputError, match="'agents' parameter of alignment_sweep"):
        alignment_sweep(agents=("thompson",), n_seeds=1)
    with pytest.raises(ValueLearnInputError, match="'levels' parameter of alignment_sweep"):
        alignment_sweep(levels=(0.5, 1.5), n_seeds=1)
    with pytest.raises(ValueLearnInputError, match="'unit' parameter"):
        alignment_correlations(
            {"agent": np.array(["krr"]), "alignment_full": np.zeros(1)}, unit="x"
        )
