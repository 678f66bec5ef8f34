"""BootstrapEnsemble: members on resampled judgments share the items; spread tracks uncertainty."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.inference import BootstrapEnsemble, PreferenceLaplace, PreferenceMAP, bradley_terry


def simulated(n: int, seed: int = 0) -> Comparisons:
    rng = np.random.default_rng(seed)
    truth = np.linspace(1.5, -1.5, 6)
    items = Items.from_ids(list("abcdef"))
    a, b = rng.integers(0, 6, n), rng.integers(0, 6, n)
    a, b = a[a != b], b[a != b]
    return Comparisons.from_outcomes(items, a, b, bradley_terry().sample(truth[a] - truth[b], rng))


def test_members_share_items_and_the_mean_is_near_the_map() -> None:
    comparisons = simulated(1500)
    ensemble = BootstrapEnsemble(n_members=8, random_state=0).fit(comparisons)
    assert ensemble.member_utilities_.shape == (8, 6)
    single = PreferenceMAP().fit(comparisons)
    assert ensemble.items_.ids == single.items_.ids  # every id the judgments mention
    np.testing.assert_allclose(ensemble.utilities_, single.utilities_, atol=0.1)
    # the bootstrap spread of utility differences is close to the Laplace posterior's (a common
    # shift is seen only by the prior, and the bootstrap does not sample it)
    centre = np.eye(6) - 1 / 6
    laplace = centre @ PreferenceLaplace().fit(comparisons).utility_covariance() @ centre
    spread = (ensemble.member_utilities_ @ centre).std(axis=0)
    ratio = spread / np.sqrt(np.diag(laplace))
    assert np.all((ratio > 0.4) & (ratio < 2.5))
    probabilities = ensemble.predict_proba([["a", "f"]])
    assert probabilities[0, 0] > 0.8 and probabilities.shape == (1, 3)


def test_resampling_is_seeded_and_copies_the_template() -> None:
    comparisons = simulated(60)
    template = PreferenceMAP(comparison_model="thurstone", prior_scale=2.0)
    first = BootstrapEnsemble(template, n_members=3, random_state=5).fit(comparisons)
    second = BootstrapEnsemble(template, n_members=3, random_state=5).fit(comparisons)
    np.testing.assert_array_equal(first.member_utilities_, second.member_utilities_)
    assert not hasattr(template, "utilities_")
    assert first.members_[0].pairwise_model_.link == "probit"
    assert np.all(first.utility_std_ > 0)


def test_rankings_and_ratings_are_resampled_too() -> None:
    rankings = Rankings([["a", "b", "c"], ["b", "c"], ["a", "c"]])
    ratings = Ratings(["a", "c", "b"], [3, 1, 2])
    ensemble = BootstrapEnsemble(n_members=4, random_state=1).fit(
        rankings=rankings, ratings=ratings
    )
    assert ensemble.items_.ids == ("a", "b", "c")
    assert all(m.thresholds_.size == 2 for m in ensemble.members_)


def test_errors() -> None:
    with pytest.raises(ValueLearnInputError, match="'n_members' parameter of BootstrapEnsemble"):
        BootstrapEnsemble(n_members=0).fit(simulated(10))
    with pytest.raises(NotFittedError):
        BootstrapEnsemble().predict_proba([["a", "b"]])
