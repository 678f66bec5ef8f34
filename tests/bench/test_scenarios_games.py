"""The assistance, off-switch and debate scenarios: registration, their stories, figures."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.bench._registry import get, scenarios
from valuelearn.bench._scenarios_games import (
    debate_figures,
    off_switch_figures,
    run_ask,
    run_debate,
    run_off_switch,
    run_teach,
    run_wait,
)
from valuelearn.bench._store import RunRecord
from valuelearn.exceptions import ValueLearnInputError

GAMES = ("off-switch", "assistance-ask", "assistance-wait", "assistance-teach")


def test_registered_in_their_suites() -> None:
    assert {s.name for s in scenarios("assistance")} == set(GAMES)
    assert set(GAMES) <= {s.name for s in scenarios("aligned-action")}
    assert [s.name for s in scenarios("debate")] == ["debate-digits"]
    assert not {*GAMES, "debate-digits"} & {s.name for s in scenarios("default")}
    for name in GAMES:
        scenario = get(name)
        sizes, seeds = scenario.sweep(quick=True)
        for learner in scenario.learners:
            scores = scenario.run(learner, sizes[0], seeds[0])
            assert set(scenario.metrics) <= set(scores)
            assert all(np.isfinite(v) for v in scores.values())
            assert scores == scenario.run(learner, sizes[0], seeds[0])


def test_off_switch_story() -> None:
    rational = run_off_switch("rational", 4, 0)
    assert rational["regret"] == 0.0 and rational["defer_rate"] == 1.0
    assert rational["incentive"] > 0
    noisy_early, noisy_late = (
        run_off_switch("boltzmann-1", 1, 0),
        run_off_switch("boltzmann-1", 64, 0),
    )
    assert noisy_early["incentive"] < 0 and noisy_early["regret"] > 0.05
    assert noisy_late["defer_rate"] < noisy_early["defer_rate"] / 10
    assert noisy_late["regret"] < noisy_early["regret"] / 10  # it learns instead of deferring
    # a robot that never learns (n = 0 looks) defers to the rational human: incentive phi(0)
    assert run_off_switch("rational", 0, 0)["incentive"] == pytest.approx(0.39894, abs=1e-5)


def test_assistance_stories() -> None:
    for cost in (0, 10, 40, 45, 55, 60):
        accurate, noisy = run_ask("accurate", cost, 0), run_ask("noisy", cost, 0)
        assert accurate["asks"] == float(1.0 - cost / 100 > 0.5)
        assert noisy["asks"] == float(0.8 - cost / 100 > 0.5)
        assert accurate["value"] == pytest.approx(max(1.0 - cost / 100, 0.5))
    assert run_wait("rational", 50, 0)["waits"] == 1.0  # 0.5 * 1.1 > 0.5
    assert run_wait("beta-5", 90, 0)["waits"] == 1.0 and run_wait("beta-5", 70, 0)["waits"] == 0.0
    for work in (0, 40, 80):
        literal, joint = run_teach("literal", work, 0), run_teach("cooperative", work, 0)
        assert literal["teaches"] == 0.0 and joint["teaches"] == 1.0
        assert joint["value"] - literal["value"] == pytest.approx(0.5 - 0.5 * work / 100)
    assert run_teach("cooperative", 120, 0)["teaches"] == 0.0


def test_debate_run_and_figures() -> None:
    pytest.importorskip("sklearn")
    alone = run_debate("judge-alone", 4, 5)  # the last, short block (99 images)
    assert 0.3 < alone["accuracy"] < 0.6
    with pytest.raises(ValueLearnInputError, match="seed 6 is past the test images"):
        run_debate("judge-alone", 4, 6)
    records = [
        RunRecord("debate-digits", learner, n, 0, "h", "debate", "{}", {"accuracy": value}, 1.0)
        for learner, n, value in (("judge-alone", 4, 0.45), ("greedy", 4, 0.84), ("greedy", 6, 0.9))
    ]
    assert debate_figures(records).count("<img") == 1 and debate_figures([]) == ""
    assert off_switch_figures(records).count("<img") == 1 and off_switch_figures([]) == ""


def test_unknown_learner() -> None:
    with pytest.raises(ValueLearnInputError, match="'learner' parameter of the off-switch"):
        run_off_switch("robot", 1, 0)
    with pytest.raises(ValueLearnInputError, match="debate-digits scenario must be one of"):
        run_debate("mcts", 4, 0)
