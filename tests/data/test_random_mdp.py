"""Tests for valuelearn.data._random_mdp."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest

from valuelearn.data import random_mdp
from valuelearn.exceptions import ValueLearnInputError


@pytest.mark.parametrize(
    ("n_states", "n_actions", "branching"), [(1, 1, 1), (12, 3, 2), (50, 4, 5), (6, 2, 6)]
)
def test_rows_are_distributions_on_exactly_branching_distinct_states(
    n_states: int, n_actions: int, branching: int
) -> None:
    mdp = random_mdp(n_states, n_actions, branching=branching, rng=0)
    matrix = mdp.transitions
    assert matrix.shape == (n_states * n_actions, n_states)
    np.testing.assert_array_equal(np.diff(matrix.indptr), branching)
    rows = matrix.indices.reshape(-1, branching)
    assert np.all(np.diff(rows, axis=1) > 0)  # sorted and distinct
    assert rows.min() >= 0 and rows.max() < n_states
    assert np.all(matrix.data > 0)
    np.testing.assert_allclose(matrix.sum(axis=1), 1.0, atol=1e-12)
    np.testing.assert_allclose(mdp.initial, 1.0 / n_states)
    assert mdp.features is None


def test_full_branching_uses_every_state() -> None:
    mdp = random_mdp(6, 2, branching=6, rng=1)
    assert np.all(mdp.dense_transitions() > 0)


def test_same_seed_same_mdp_and_different_seed_different() -> None:
    a = random_mdp(40, 3, branching=3, n_features=2, rng=5)
    b = random_mdp(40, 3, branching=3, n_features=2, rng=np.random.default_rng(5))
    c = random_mdp(40, 3, branching=3, n_features=2, rng=6)
    assert a.features is not None and b.features is not None and c.features is not None
    np.testing.assert_array_equal(a.transitions.indices, b.transitions.indices)
    np.testing.assert_array_equal(a.transitions.data, b.transitions.data)
    np.testing.assert_array_equal(a.features, b.features)
    assert not np.array_equal(a.transitions.indices, c.transitions.indices)


def test_successor_sets_are_uniform_subsets() -> None:
    # 4 states, 2 successors: 6 subsets, each with probability 1/6 in 12000 rows. Sorting
    # two draws from {0, 1, 2} and adding (0, 1) would give {0, 1} only 1/9 of the time.
    mdp = random_mdp(4, 3000, branching=2, rng=2)
    counts = Counter(map(tuple, mdp.transitions.indices.reshape(-1, 2).tolist()))
    assert len(counts) == 6
    for count in counts.values():
        assert abs(count - 2000) < 200  # about 5 standard deviations


def test_probabilities_are_flat_dirichlet() -> None:
    # Dirichlet(1, 1) puts Uniform(0, 1) on the first probability: E[min(p)] = 1/4,
    # Var[p] = 1/12.
    mdp = random_mdp(4, 3000, branching=2, rng=3)
    probs = mdp.transitions.data.reshape(-1, 2)
    assert probs.min(axis=1).mean() == pytest.approx(0.25, abs=0.01)
    assert probs[:, 0].var() == pytest.approx(1 / 12, abs=0.005)


def test_features_are_standard_normal() -> None:
    mdp = random_mdp(5000, 1, branching=1, n_features=3, horizon=4, discount=0.5, rng=4)
    assert mdp.features is not None
    assert mdp.features.shape == (5000, 3)
    np.testing.assert_allclose(mdp.features.mean(axis=0), 0.0, atol=0.06)
    np.testing.assert_allclose(mdp.features.std(axis=0), 1.0, atol=0.04)
    assert (mdp.horizon, mdp.discount) == (4, 0.5)


def test_million_states_stay_compact() -> None:
    mdp = random_mdp(10**6, 4, branching=4, rng=0)
    matrix = mdp.transitions
    assert matrix.nnz == 16 * 10**6
    assert matrix.indices.dtype == np.int32
    megabytes = (matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes) / 2**20
    assert megabytes < 260


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        ((3, 2), {"branching": 4}, r"`branching` must be at most n_states = 3; got 4"),
        ((0, 2), {"branching": 1}, r"`n_states` must be a positive integer; got 0"),
        ((3, 1.5), {"branching": 1}, r"`n_actions` must be a positive integer; got 1.5"),
        ((3, 2), {"branching": 0}, r"`branching` must be a positive integer; got 0"),
        ((3, 2), {"branching": 1, "n_features": 0}, r"`n_features` must be a positive integer"),
    ],
)
def test_errors(args: tuple[int, int], kwargs: dict[str, int], match: str) -> None:
    with pytest.raises(ValueLearnInputError, match=match):
        random_mdp(*args, **kwargs)
