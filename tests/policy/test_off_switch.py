"""The off-switch calculator: published anchors, closed forms, Stein's lemma, Theorem 1."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import special, stats

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._off_switch import (
    deference_incentive_stein,
    human_allow_probability,
    off_switch_discrete,
    off_switch_gaussian,
    off_switch_gaussian_batch,
    off_switch_table,
)


@pytest.mark.parametrize(
    ("mean", "rationality", "anchor"),
    [
        (0.0, None, 0.39894),
        (1.0, None, 0.08332),
        (-1.0, None, 0.08332),
        (1.0, 1.0, -0.12532),
        (-1.0, 1.0, -0.12532),
        (0.0, 5.0, 0.37572),
        (1.0, 5.0, 0.06760),
        (0.0, 1.0, 0.20662),
    ],
)
def test_anchors_of_the_reference_table(
    mean: float, rationality: float | None, anchor: float
) -> None:
    values = off_switch_gaussian(mean, 1.0, rationality=rationality)
    assert round(values.incentive, 5) == anchor


def test_rational_closed_form_and_options() -> None:
    values = off_switch_gaussian(0.3, 2.0)
    z = 0.15
    expected = 2.0 * stats.norm.pdf(z) + 0.3 * stats.norm.cdf(z)
    assert values.defer == pytest.approx(expected, abs=1e-12)
    assert values.act == 0.3 and values.switch_off == 0.0
    assert values.incentive == pytest.approx(expected - 0.3, abs=1e-12)
    assert values.p_allow == pytest.approx(stats.norm.cdf(z), abs=1e-12)
    assert values.best == "defer"


def test_boltzmann_agrees_with_monte_carlo_and_with_stein() -> None:
    rng = np.random.default_rng(0)
    draws = rng.normal(0.4, 1.5, size=2_000_000)
    mc = float(np.mean(special.expit(2.0 * draws) * draws)) - 0.4
    values = off_switch_gaussian(0.4, 1.5, rationality=2.0)
    assert values.incentive == pytest.approx(mc, abs=3e-3)
    for mean in (-2.0, -0.5, 0.0, 0.7, 3.0):
        direct = off_switch_gaussian(mean, 1.3, rationality=0.8).incentive
        assert deference_incentive_stein(mean, 1.3, rationality=0.8) == pytest.approx(
            direct, abs=1e-8
        )


def test_rational_human_never_loses_and_noisy_human_can() -> None:
    means = np.linspace(-3, 3, 13)
    rational = off_switch_table(means, 1.0, rationalities=[None])[0]
    assert np.all(rational > 0)  # Theorem 1: strict when the belief has both signs
    noisy = off_switch_table(means, 1.0, rationalities=[0.5])[0]
    assert noisy[0] < 0 and noisy[-1] < 0 and noisy[6] > 0
    # a sharper human is worth more to defer to
    sharp = off_switch_table(means, 1.0, rationalities=[20.0])[0]
    assert np.all(sharp > noisy) and np.all(rational >= sharp - 1e-12)


def test_certain_robot_gains_nothing_from_deferring_to_a_rational_human() -> None:
    for mean in (-1.0, 2.0):
        assert off_switch_gaussian(mean, 0.0).incentive == 0.0
    assert off_switch_gaussian(2.0, 0.0).defer == 2.0  # a tie: the human lets it act
    assert off_switch_gaussian(-2.0, 0.0).defer == 0.0  # a tie: the human switches it off
    assert off_switch_gaussian(2.0, 0.0, rationality=1.0).best == "act"
    assert off_switch_gaussian(-2.0, 0.0, rationality=1.0).best == "switch_off"
    # but loses when the human is noisy
    assert off_switch_gaussian(2.0, 0.0, rationality=1.0).incentive == pytest.approx(
        2.0 * special.expit(2.0) - 2.0
    )


def test_batch_matches_the_single_calculator() -> None:
    means = np.array([-2.0, 0.0, 0.8])
    for rationality in (None, 0.5, 40.0):
        for sd in (0.1, 1.5):
            defer, allow = off_switch_gaussian_batch(means, sd, rationality=rationality)
            for i, mean in enumerate(means):
                single = off_switch_gaussian(float(mean), sd, rationality=rationality)
                assert defer[i] == pytest.approx(single.defer, abs=1e-9)
                assert allow[i] == pytest.approx(single.p_allow, abs=1e-9)
    with pytest.raises(ValueLearnInputError, match="'sd' parameter of off_switch_gaussian_batch"):
        off_switch_gaussian_batch([0.0], 0.0)


def test_discrete_belief() -> None:
    values = off_switch_discrete([-2.0, 1.0, 3.0], [0.5, 0.25, 0.25])
    assert values.act == pytest.approx(0.0)
    assert values.defer == pytest.approx(1.0)
    assert values.p_allow == pytest.approx(0.5)
    noisy = off_switch_discrete([-2.0, 1.0, 3.0], [0.5, 0.25, 0.25], rationality=1.0)
    expected = 0.5 * special.expit(-2) * -2 + 0.25 * special.expit(1) + 0.75 * special.expit(3)
    assert noisy.defer == pytest.approx(expected)
    # many draws from N(1, 1) approach the Gaussian calculator
    draws = stats.norm.ppf((np.arange(20000) + 0.5) / 20000, loc=1.0)
    assert off_switch_discrete(draws).incentive == pytest.approx(0.08332, abs=2e-4)


def test_allow_probability() -> None:
    assert human_allow_probability([-0.1, 0.0]).tolist() == [0.0, 1.0]
    assert float(human_allow_probability(1.0, rationality=2.0)) == pytest.approx(special.expit(2))


def test_errors() -> None:
    with pytest.raises(ValueLearnInputError, match="'sd' parameter of off_switch_gaussian"):
        off_switch_gaussian(0.0, -1.0)
    with pytest.raises(ValueLearnInputError, match="'rationality'.*> 0"):
        off_switch_gaussian(0.0, 1.0, rationality=0.0)
    with pytest.raises(ValueLearnInputError, match="'mean'.*finite"):
        off_switch_gaussian(float("nan"), 1.0)
    with pytest.raises(ValueLearnInputError, match="'mean'.*finite"):
        off_switch_gaussian(True, 1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="sum to 1"):
        off_switch_discrete([1.0, 2.0], [0.5, 0.6])
    with pytest.raises(ValueLearnInputError, match="shape of 'utilities'"):
        off_switch_discrete([1.0, 2.0], [1.0])
    with pytest.raises(ValueLearnInputError, match="non-empty 1-d"):
        off_switch_discrete([])
    with pytest.raises(ValueLearnInputError, match="'sd' parameter of deference_incentive_stein"):
        deference_incentive_stein(0.0, 0.0, rationality=1.0)
