"""Representational alignment in its three variants, against scipy on hand-picked entries."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import spearmanr

from valuelearn.evaluation import representational_alignment
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import rbf_similarity


def test_three_variants_compare_the_documented_entries() -> None:
    rng = np.random.default_rng(0)
    person = rbf_similarity(rng.normal(size=(10, 2)))
    agent = rbf_similarity(rng.normal(size=(10, 2))) + 0.5 * person
    full = [(i, j) for i in range(10) for j in range(i + 1, 10)]
    personal = [(i, j) for i in range(6) for j in range(i + 1, 6)]
    cross = [(i, j) for i in range(6) for j in range(6, 10)]
    for variant, pairs in (("full", full), ("personal", personal), ("cross", cross)):
        rows, cols = np.array(pairs).T
        expected = spearmanr(agent[rows, cols], person[rows, cols]).statistic
        got = representational_alignment(agent, person, variant=variant, n_personal=6)
        assert float(got) == pytest.approx(expected, abs=1e-12)
    batch = representational_alignment(np.stack([agent, person]), np.stack([person, person]))
    assert batch.shape == (2,) and batch[1] == pytest.approx(1.0)


def test_alignment_errors_name_the_parameter() -> None:
    eye = np.eye(4)
    with pytest.raises(ValueLearnInputError, match="'variant' parameter"):
        representational_alignment(eye, eye, variant="diagonal")
    with pytest.raises(ValueLearnInputError, match="'n_personal' parameter .* 'cross'"):
        representational_alignment(eye, eye, variant="cross")
    with pytest.raises(ValueLearnInputError, match="'agent' and 'person' parameters"):
        representational_alignment(eye, np.eye(3))
