"""Tests for valuelearn.bench._scenarios_hacking: the reward-hacking scenario and its figures."""

from __future__ import annotations

import pytest

from valuelearn.bench._registry import get
from valuelearn.bench._scenarios_hacking import BEST_OF, BETAS, hacking_figures, run_hacking
from valuelearn.bench._store import RunRecord
from valuelearn.exceptions import ValueLearnInputError


def test_rule_abiding_policies_cannot_be_hacked_through_the_lava() -> None:
    free, ruled = run_hacking("free", 10, 1), run_hacking("ruled", 10, 1)
    assert free["reversed_fraction"] > 0.01 and free["worst_loss"] > 0.5
    # Within the rule only the goal-versus-flowers trade-off can be misjudged.
    assert ruled["reversed_fraction"] < free["reversed_fraction"]
    # Optimised hard, the free proxy's policy goes through L (t = 2) to G (t = 3).
    assert free["true_beta6"] == pytest.approx(-3 * 0.9**2 + 0.3 * 0.9**3 / 0.1, abs=1e-3)
    assert free["kl_beta0"] == 0.0 and free["kl_bon0"] == 0.0


def test_figures_and_registration() -> None:
    scenario = get("reward-hacking")
    assert scenario.metrics == ("reversed_fraction", "worst_loss", "goodhart_drop")
    assert scenario.figures is hacking_figures
    metrics = run_hacking("ruled", 3, 0)
    assert len([k for k in metrics if k.startswith("true_beta")]) == len(BETAS)
    assert len([k for k in metrics if k.startswith("kl_bon")]) == len(BEST_OF)
    record = RunRecord(
        "reward-hacking", "ruled", 3, 0, scenario.config_hash, "s", "{}", metrics, 1.0
    )
    html = hacking_figures([record])
    assert html.count("<img") == 1 and "ruled" in html
    assert hacking_figures([]) == ""
    with pytest.raises(ValueLearnInputError, match="'learner' parameter of the reward-hacking"):
        run_hacking("naive", 3, 0)
