"""Tests for valuelearn.bench._scenarios_action: the aligned-action scenarios."""

from __future__ import annotations

import pytest

from valuelearn.bench._registry import get, scenarios
from valuelearn.bench._scenarios_action import run_rules, run_uncertain
from valuelearn.exceptions import ValueLearnInputError


def test_registered_in_the_aligned_action_suite() -> None:
    names = [s.name for s in scenarios("aligned-action")]
    assert {"uncertain-novel", "rules-novel"} <= set(names)
    assert get("uncertain-novel").metrics == ("true_return", "worst_return", "bad_visits")
    assert "default" not in get("rules-novel").suites


def test_rules_novel_returns_match_hand_computed_paths() -> None:
    # Discount 0.9, goal 0.3 per step once reached (absorbing), flowers -1, lava -3.
    values, rules, both = (run_rules(name, 10, 1) for name in ("values", "rules", "both"))
    # learned values only: straight through L (t = 2) to G (t = 4)
    assert values["true_return"] == pytest.approx(-3 * 0.9**2 + 0.3 * 0.9**4 / 0.1)
    assert values["lava_visits"] == pytest.approx(0.1 * 0.9**2)
    # the rule only: around L through the three flower beds (t = 2, 3, 4) to G (t = 6)
    assert rules["true_return"] == pytest.approx(-(0.9**2 + 0.9**3 + 0.9**4) + 0.3 * 0.9**6 / 0.1)
    assert rules["lava_visits"] == 0.0 and rules["flower_visits"] > 0.2
    # both: the long way along the bottom row to G (t = 8), the person's own choice
    assert both["true_return"] == pytest.approx(0.3 * 0.9**8 / 0.1)
    assert both["normalized_regret"] == 0.0 and both["flower_visits"] == 0.0
    # the rule as a budget of 0.1 discounted lava steps: the lava path with probability p,
    # p * 0.9**2 = 0.1, else the long way
    budget = run_rules("budget", 10, 1)
    p = 0.1 / 0.9**2
    assert budget["lava_visits"] == pytest.approx(0.1 * (1 - 0.9), rel=1e-8)
    assert budget["true_return"] == pytest.approx(
        p * values["true_return"] + (1 - p) * both["true_return"], rel=1e-8
    )


def test_unknown_learners_are_refused() -> None:
    with pytest.raises(ValueLearnInputError, match="'learner' parameter of the rules-novel"):
        run_rules("naive", 3, 0)
    with pytest.raises(ValueLearnInputError, match="'learner' parameter of the uncertain-novel"):
        run_uncertain("naive", 3, 0)
