"""The language-space measurements on real VADER words with hashed character n-grams (no torch).

The MiniLM claims are in test_language_values_minilm.py (run by `make test-text`)."""

import numpy as np
import pytest

from valuelearn.evaluation._language_values import (
    attack_summary,
    bleeding_summary,
    held_out_spearman,
    overoptimisation_curves,
    vader_concepts,
    word_split,
)
from valuelearn.representation import TextValueModel, embed_texts


@pytest.fixture(scope="module")
def concepts():
    words, values = vader_concepts()
    keep = np.random.default_rng(0).choice(len(words), size=1500, replace=False)
    subset = [words[i] for i in keep]
    return subset, values[keep], embed_texts(subset, "char-ngrams", n_buckets=256)


def test_vader_concepts_pool_repeated_tokens():
    words, values = vader_concepts()
    assert len(words) == 7506 and len(set(words)) == 7506
    assert values[words.index("kill")] == pytest.approx(-3.7)
    assert values[words.index("honest")] == pytest.approx(2.3)
    assert np.all(np.abs(values) <= 4)


def test_held_out_spearman_and_split(concepts):
    _, values, x = concepts
    train = word_split(values.size, rng=0)
    assert train.sum() == 1200
    rho = held_out_spearman(x, values, train, model=TextValueModel(alpha=1.0))
    assert 0.2 < rho < 0.7  # spelling alone; MiniLM reaches 0.79 on all words


def test_bleeding_summary_semantic_structure_beats_random(concepts):
    _, values, x = concepts
    random = np.random.default_rng(1).normal(size=x.shape)
    spelled = bleeding_summary(x, values, n_anchors=3, rng=0)
    unstructured = bleeding_summary(random, values, n_anchors=3, rng=0)
    assert spelled["nearest10"] > unstructured["nearest10"]
    assert spelled["similarity"].size == 3 * (values.size - 1)


def test_attack_summary_defences(concepts):
    _, values, x = concepts
    result = attack_summary(x, values, repetitions=[0, 40], rng=0)
    assert result["closed_none"] > 0.2
    assert result["closed_anchor"] < 0.5 * result["closed_none"]
    assert result["closed_detect"] < result["closed_none"]
    assert result["detect"].rejected_share[-1] > 0
    assert result["none"].value[0] == pytest.approx(result["anchor"].value[0])


def test_overoptimisation_curves_small_proxy(concepts):
    _, values, x = concepts
    result = overoptimisation_curves(
        x, values, n_train=100, pressures=[1, 4, 16, 64], n_searches=50, rng=0
    )
    assert result["bon_gold"][0] == 0 and result["bon_proxy"][0] == 0
    assert np.all(np.diff(result["bon_proxy"]) > 0)
    n = np.array([1, 4, 16, 64])
    np.testing.assert_allclose(result["greedy_distance"], np.sqrt(3 * (np.log(n) - (n - 1) / n)))
    assert result["bon_fit"].form == "best_of_n" and result["greedy_fit"].form == "rl"
