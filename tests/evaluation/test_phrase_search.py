import numpy as np
import pytest

from valuelearn.evaluation import best_of_n_kl, best_of_n_outcomes, fit_gao
from valuelearn.evaluation._phrase_search import greedy_phrase_search
from valuelearn.exceptions import ValueLearnInputError


def _vocabulary(n=400, seed=0):
    rng = np.random.default_rng(seed)
    words = [f"w{i}" for i in range(n)]
    gold = rng.normal(size=n)
    return words, gold, rng


def _additive(scores):
    def proxy(phrases):
        return [np.mean([scores[int(w[1:])] for w in p.split()]) for p in phrases]

    return proxy


def test_one_word_search_is_best_of_n_and_matches_the_exact_outcome():
    words, gold, rng = _vocabulary()
    proxy_scores = gold + 0.5 * rng.normal(size=gold.size)
    for m in (1, 4, 16):
        found = greedy_phrase_search(
            words, gold, _additive(proxy_scores), length=1, n_candidates=m, n_searches=4000, rng=m
        )
        exact = best_of_n_outcomes(proxy_scores, gold, [m])
        standard_error = gold.std() / np.sqrt(4000)
        assert found.gold.mean() == pytest.approx(exact.gold[0], abs=4 * standard_error)
        assert found.proxy.mean() == pytest.approx(exact.proxy[0], abs=4 * standard_error * 1.2)
        assert found.kl == pytest.approx(best_of_n_kl(m)) and exact.kl[0] <= found.kl + 1e-12


def test_perfect_proxy_gold_rises_with_pressure_and_phrases_are_consistent():
    words, gold, _ = _vocabulary(seed=1)
    means = []
    for m in (1, 2, 8, 32):
        found = greedy_phrase_search(
            words, gold, _additive(gold), length=3, n_candidates=m, n_searches=300, rng=0
        )
        np.testing.assert_allclose(found.proxy, found.gold)  # proxy = gold
        assert found.kl == pytest.approx(3 * best_of_n_kl(m))
        assert found.phrases[0] == " ".join(words[i] for i in found.words[0])
        means.append(found.gold.mean())
    assert abs(means[0]) < 0.15 and np.all(np.diff(means) > 0)


def test_a_flawed_proxy_is_over_optimised_and_gaos_form_finds_the_peak():
    _, gold, rng = _vocabulary(n=2000, seed=2)
    proxy_scores = gold + 0.3 * rng.normal(size=gold.size)
    flawed = rng.choice(gold.size, size=30, replace=False)  # words the proxy wrongly loves
    gold[flawed] = -2.0
    proxy_scores[flawed] = 4.0
    pressures = [1, 2, 4, 8, 16, 32, 64, 128, 256]
    outcomes = best_of_n_outcomes(proxy_scores, gold, pressures)
    gain = outcomes.gold - outcomes.gold[0]
    assert np.argmax(gain) not in (0, len(pressures) - 1)  # rises, then falls
    assert np.all(np.diff(outcomes.proxy) > 0)  # while the proxy keeps rising
    fit = fit_gao(outcomes.distance, gain, form="best_of_n")
    assert fit.beta > 0 and outcomes.distance[1] < fit.peak_distance < outcomes.distance[-1]


def test_errors():
    words, gold, _ = _vocabulary(n=5)
    proxy = _additive(gold)
    with pytest.raises(ValueLearnInputError, match="one finite value per vocabulary word"):
        greedy_phrase_search(words, gold[:3], proxy, length=1, n_candidates=1, n_searches=1)
    with pytest.raises(ValueLearnInputError, match="'n_candidates' parameter"):
        greedy_phrase_search(words, gold, proxy, length=1, n_candidates=0, n_searches=1)
    with pytest.raises(ValueLearnInputError, match="'n_searches' parameter"):
        greedy_phrase_search(words, gold, proxy, length=1, n_candidates=2, n_searches=0)
