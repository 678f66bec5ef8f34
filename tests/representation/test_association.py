import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import TextValueModel
from valuelearn.representation._association import (
    associate,
    attack_curve,
    attack_sentences,
    cosine_drift,
    learn_stream,
    random_sentences,
)


def test_two_words_converge_geometrically_and_conserve_their_sum():
    rng = np.random.default_rng(0)
    e = rng.normal(size=(3, 5))
    rate, r = 0.1, 17
    out = associate(e, [[0, 1]] * r, rate=rate)
    difference = (1 - 2 * rate) ** r * (e[0] - e[1])
    np.testing.assert_allclose(out[0] - out[1], difference, atol=1e-12)
    np.testing.assert_allclose(out[0] + out[1], e[0] + e[1], atol=1e-12)
    np.testing.assert_array_equal(out[2], e[2])  # not mentioned, not moved


def test_three_word_update_uses_the_other_words_mean():
    e = np.array([[3.0, 0.0], [0.0, 3.0], [0.0, 0.0], [9.0, 9.0]])
    out = associate(e, [[2, 0, 1]], rate=0.5)
    np.testing.assert_allclose(out[:3], [[1.5, 0.75], [0.75, 1.5], [0.75, 0.75]])


def test_anchoring_stops_at_the_fixed_point():
    rng = np.random.default_rng(1)
    e = rng.normal(size=(2, 4))
    rate, anchor = 0.2, 0.1
    out = associate(e, [[0, 1]] * 400, rate=rate, anchor=anchor)
    # fixed point of e0' = (1-a)((1-r) e0 + r e1) + a f0 and the same for e1
    a, b = (1 - anchor) * (1 - rate), (1 - anchor) * rate
    system = np.array([[1 - a, -b], [-b, 1 - a]])
    expected = np.linalg.solve(system, anchor * e)
    np.testing.assert_allclose(out, expected, atol=1e-10)
    # the bound holds however long the attack lasts; without anchoring they merge
    merged = associate(e, [[0, 1]] * 400, rate=rate)
    assert cosine_drift(merged[[0]], e[[0]])[0] > cosine_drift(out[[0]], e[[0]])[0]


def _world(seed=0, n=200, d=30):
    """Concepts with a valence direction: positives, negatives, a neutral target."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) / np.sqrt(d)
    valence = rng.normal(size=n)
    x[:, 0] = valence  # valence lives on the first axis
    model = TextValueModel(embedding="char-ngrams", alpha=0.1).fit_embeddings(x, valence)
    positives = np.argsort(-valence)[:20]
    target = int(np.argmin(np.abs(valence)))
    return x, valence, model, positives, target


def test_attack_raises_the_targets_similarity_and_value_with_repetitions():
    x, valence, model, positives, target = _world()
    curve = attack_curve(
        x, model.predict_embeddings, target, positives, [0, 5, 20, 80], rate=0.05, rng=0
    )
    assert curve.value[0] == pytest.approx(model.predict_embeddings(x[[target]])[0])
    assert np.all(np.diff(curve.similarity) > 0) and np.all(np.diff(curve.value) > 0)
    gap = valence[positives].mean() - curve.value[0]
    assert (curve.value[-1] - curve.value[0]) / gap > 0.5
    assert np.all(curve.rejected_share == 0)


def test_defences_limit_the_attack():
    x, _, model, positives, target = _world(1)
    reps = [0, 80]
    plain = attack_curve(x, model.predict_embeddings, target, positives, reps, rng=1)
    anchored = attack_curve(x, model.predict_embeddings, target, positives, reps, anchor=0.2, rng=1)
    judged = np.arange(x.shape[0])  # every concept has a human value, the target too
    benign = learn_stream(x, random_sentences(200, 400, rng=5), rate=0.05)
    threshold = 2 * float(benign.drift.max())  # calibrated on benign text
    detected = attack_curve(
        x, model.predict_embeddings, target, positives, reps, judged=judged,
        drift_threshold=threshold, benign_per_attack=4, rng=1,
    )  # fmt: skip
    unjudged = attack_curve(
        x, model.predict_embeddings, target, positives, reps, judged=np.delete(judged, target),
        drift_threshold=threshold, benign_per_attack=4, rng=1,
    )  # fmt: skip
    gain = {
        name: curve.value[-1] - curve.value[0]
        for name, curve in (
            ("plain", plain), ("anchor", anchored), ("detect", detected), ("unjudged", unjudged)
        )
    }  # fmt: skip
    assert gain["anchor"] < 0.5 * gain["plain"]
    assert gain["detect"] < 0.35 * gain["plain"]  # the drift budget still lets some through
    assert detected.rejected_share[-1] > 0
    # a target nobody judged is watched only through the positives it drags along: weaker
    assert gain["detect"] < gain["unjudged"] <= gain["plain"]
    # benign text alone passes the detector
    clean = learn_stream(
        x, random_sentences(200, 400, rng=6), rate=0.05, judged=judged, drift_threshold=threshold
    )
    assert not clean.rejected.any()


def test_sentence_builders():
    sentences = attack_sentences(3, [7, 8, 9], 50, words_per_sentence=3, rng=0)
    assert all(s[0] == 3 and len(set(s[1:].tolist()) - {7, 8, 9}) == 0 for s in sentences)
    assert all(len(set(s.tolist())) == 3 for s in random_sentences(10, 20, rng=0))


def test_errors():
    e = np.eye(3)
    with pytest.raises(ValueLearnInputError, match="at least two distinct concept rows"):
        associate(e, [[0, 0]], rate=0.1)
    with pytest.raises(ValueLearnInputError, match="'rate' parameter of associate"):
        associate(e, [[0, 1]], rate=0.0)
    with pytest.raises(ValueLearnInputError, match="'anchor' parameter of associate"):
        associate(e, [[0, 1]], rate=0.1, anchor=1.5)
    with pytest.raises(ValueLearnInputError, match="needs `judged` rows"):
        learn_stream(e, [[0, 1]], rate=0.1, drift_threshold=0.1)
    with pytest.raises(ValueLearnInputError, match="'batch_size' parameter"):
        learn_stream(e, [[0, 1]], rate=0.1, batch_size=0)
    with pytest.raises(ValueLearnInputError, match="increasing"):
        attack_curve(e, lambda z: z[:, 0], 0, [1, 2], [5, 2])
    with pytest.raises(ValueLearnInputError, match="at least words_per_sentence - 1"):
        attack_sentences(0, [1], 3, words_per_sentence=3)
