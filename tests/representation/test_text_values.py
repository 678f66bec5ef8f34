import json

import numpy as np
import pytest
from scipy.stats import spearmanr

from valuelearn.data import Comparisons, Ratings, vader_ratings
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.representation import (
    TextValueModel,
    embed_texts,
    load_text_value_model,
    save_text_value_model,
)
from valuelearn.representation._value_regression import ridge_values


class Lookup:
    """A synthetic embedding: word ``w<i>`` -> row i of a fixed random matrix."""

    def __init__(self, n=300, d=12, seed=0):
        rng = np.random.default_rng(seed)
        self.matrix = rng.normal(size=(n, d))
        self.truth = self.matrix @ rng.normal(size=d)
        self.words = [f"w{i}" for i in range(n)]

    def __call__(self, texts):
        return self.matrix[[int(t[1:]) for t in texts]]


def test_ridge_model_equals_the_pure_function_on_its_embeddings():
    lookup = Lookup()
    model = TextValueModel(embedding=lookup, alpha=0.5).fit(lookup.words[:200], lookup.truth[:200])
    weights, intercept = ridge_values(lookup.matrix[:200], lookup.truth[:200], alpha=0.5)
    np.testing.assert_allclose(model.weights_, weights)
    expected = lookup.matrix[200:] @ weights + intercept
    np.testing.assert_allclose(model.predict(lookup.words[200:]), expected)
    assert model.texts_ == tuple(lookup.words[:200])


def test_fit_ratings_equals_fitting_every_rating():
    lookup = Lookup(n=40)
    rng = np.random.default_rng(1)
    counts = rng.integers(1, 5, size=40)
    items = np.repeat(lookup.words, counts)
    scores = np.clip(np.round(np.repeat(lookup.truth, counts) + rng.normal(size=items.size)), -4, 4)
    ratings = Ratings(tuple(items), scores.astype(int))
    by_text = TextValueModel(embedding=lookup, alpha=2.0).fit_ratings(ratings)
    x = lookup(list(items))
    weights, intercept = ridge_values(x, scores.astype(float), alpha=2.0)
    np.testing.assert_allclose(by_text.weights_, weights, atol=1e-10)
    assert by_text.intercept_ == pytest.approx(intercept)


def test_bradley_terry_from_comparisons_generalises_to_unseen_texts():
    lookup = Lookup(n=300, d=8, seed=2)
    rng = np.random.default_rng(3)
    a, b = rng.integers(0, 200, size=(2, 3000))
    keep = a != b
    a, b = a[keep], b[keep]
    p_a = 1 / (1 + np.exp(-(lookup.truth[a] - lookup.truth[b])))
    preferred = np.where(rng.uniform(size=a.size) < p_a, "a", "b")
    comparisons = Comparisons(
        [lookup.words[i] for i in a], [lookup.words[i] for i in b], tuple(preferred)
    )
    model = TextValueModel(embedding=lookup, method="bradley-terry", prior_scale=10.0)
    model.fit_comparisons(comparisons)
    rho = spearmanr(model.predict(lookup.words[200:]), lookup.truth[200:]).statistic
    assert rho > 0.95
    rows = [int(t[1:]) for t in comparisons.item_ids()]
    again = TextValueModel(embedding=lookup, method="bradley-terry", prior_scale=10.0)
    again.fit_comparisons(comparisons, embeddings=lookup.matrix[rows])
    np.testing.assert_allclose(again.weights_, model.weights_)
    with pytest.raises(ValueLearnInputError, match="one row per compared text"):
        again.fit_comparisons(comparisons, embeddings=lookup.matrix[:3])
    with pytest.raises(ValueLearnInputError, match="needs method in"):
        model.fit(lookup.words[:5], np.zeros(5))


def test_char_ngram_ridge_generalises_to_held_out_vader_words():
    # no torch: spelling alone carries some valence (un-, -less, :) ...) to unseen words
    items, ratings = vader_ratings(features="none")
    words = np.array(items.texts)
    means = ratings.score.reshape(-1, 10).mean(axis=1)
    unique = np.unique(words)
    held_out = set(np.random.default_rng(0).choice(unique, unique.size // 5, replace=False))
    test = np.array([w in held_out for w in words])
    model = TextValueModel(embedding="char-ngrams", alpha=1.0).fit(words[~test], means[~test])
    rho = spearmanr(model.predict(list(words[test])), means[test]).statistic
    assert 0.5 < rho < 0.75  # measured 0.60; MiniLM reaches 0.79 (test_text_values_minilm.py)


@pytest.mark.parametrize("method", ["ridge", "gp", "bradley-terry"])
def test_save_and_load_round_trip(tmp_path, method):
    words = ["good", "great", "bad", "awful", "fine", "poor"]
    model = TextValueModel(embedding="char-ngrams", n_buckets=32, method=method)
    if method == "bradley-terry":
        model.fit_comparisons(Comparisons(words[:3], words[3:], ["a", "a", "a"]))
    else:
        model.fit(words, [3.0, 3.2, -2.5, -3.1, 1.0, -1.5])
    out = tmp_path / "model"
    save_text_value_model(model, out)
    save_text_value_model(model, out)  # replacing a saved model is fine
    loaded = load_text_value_model(out)
    queries = ["goodish", "terrible", "ok"]
    np.testing.assert_allclose(loaded.predict(queries), model.predict(queries), atol=1e-12)
    assert loaded.method_ == method and loaded.texts_ == model.texts_
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model"]  # no temporary left


def test_save_refuses_other_folders_and_functions(tmp_path):
    model = TextValueModel(embedding="char-ngrams", n_buckets=8).fit(["a", "b"], [0.0, 1.0])
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "keep.txt").write_text("x")
    with pytest.raises(ValueLearnInputError, match="not a saved text value model"):
        save_text_value_model(model, tmp_path / "data")
    assert (tmp_path / "data" / "keep.txt").read_text() == "x"
    lookup = Lookup(n=3)
    fitted = TextValueModel(embedding=lookup).fit(lookup.words, [0.0, 1.0, 2.0])
    with pytest.raises(ValueLearnInputError, match="named embedding"):
        save_text_value_model(fitted, tmp_path / "m")
    with pytest.raises(NotFittedError):
        save_text_value_model(TextValueModel(), tmp_path / "m")


def test_load_errors_name_the_file_and_field(tmp_path):
    model = TextValueModel(embedding="char-ngrams", n_buckets=8).fit(["a", "b"], [0.0, 1.0])
    model.save(tmp_path / "m")
    with pytest.raises(ValueLearnInputError, match="no model.json"):
        load_text_value_model(tmp_path)
    path = tmp_path / "m" / "model.json"
    document = json.loads(path.read_text())
    path.write_text(json.dumps({**document, "format": "other/1"}))
    with pytest.raises(ValueLearnInputError, match=r"model.json: field 'format'"):
        load_text_value_model(tmp_path / "m")
    path.write_text(json.dumps({**document, "n_dims": 9}))
    with pytest.raises(ValueLearnInputError, match=r"arrays.npz: 'weights' must hold 9"):
        load_text_value_model(tmp_path / "m")
    path.write_text(json.dumps({**document, "method": "svm"}))
    with pytest.raises(ValueLearnInputError, match="field 'method'"):
        load_text_value_model(tmp_path / "m")


def test_input_errors():
    with pytest.raises(NotFittedError):
        TextValueModel(embedding="char-ngrams").predict(["x"])
    with pytest.raises(ValueLearnInputError, match="'embedding' parameter"):
        embed_texts(["x"], "word2vec")  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="non-empty strings"):
        embed_texts(["x", ""], "char-ngrams")
    with pytest.raises(ValueLearnInputError, match="one string"):
        TextValueModel(embedding="char-ngrams").embed("word")
    with pytest.raises(ValueLearnInputError, match="'method' parameter of TextValueModel"):
        TextValueModel(method="svm").fit(["a"], [1.0])  # type: ignore[arg-type]
    model = TextValueModel(embedding="char-ngrams", n_buckets=8).fit(["a", "b"], [0.0, 1.0])
    with pytest.raises(ValueLearnInputError, match="must have 8 columns"):
        model.predict_embeddings(np.zeros((1, 3)))
