"""Tests for valuelearn.bench._action_figures and the aligned-action scenarios' figures."""

from __future__ import annotations

import numpy as np

from valuelearn.bench._action_figures import occupancy_panels, shown_run
from valuelearn.bench._scenarios_action import rules_figures, uncertain_figures
from valuelearn.bench._store import RunRecord
from valuelearn.data import gridworld


def record(learner: str, n: int, seed: int, value: float) -> RunRecord:
    return RunRecord("rules-novel", learner, n, seed, "h", "s", "{}", {"true_return": value}, 1.0)


def test_shown_run_is_the_largest_size_and_the_most_contrasting_seed() -> None:
    records = [
        record("a", 3, 0, 1.0), record("b", 3, 0, 2.0),  # spread 1
        record("a", 3, 1, 0.0), record("b", 3, 1, 5.0),  # spread 5
        record("a", 1, 2, 0.0), record("b", 1, 2, 50.0),  # a smaller size
    ]  # fmt: skip
    assert shown_run(records, "true_return") == (3, 1)
    assert shown_run([], "true_return") is None
    assert shown_run(records, "missing") is None


def test_figures_embed_one_image_per_scenario() -> None:
    mdp = gridworld(["S.G"], absorbing="G")
    html = occupancy_panels(mdp, {"right": np.eye(4)[[3, 3, 3]]}, discount=0.5, title="t")
    assert html.startswith('<img alt="t" src="data:image/png;base64,')
    figure = rules_figures([record("values", 3, 0, 0.0), record("both", 3, 0, 1.0)])
    assert figure.count("<img") == 1 and "3 demonstrations, seed 0" in figure
    assert uncertain_figures([]) == "" and rules_figures([]) == ""
