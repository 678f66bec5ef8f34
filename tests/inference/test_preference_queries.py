"""Acquisition functions for preference queries: closed forms on hand-made belief draws."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import (
    answer_probabilities,
    bradley_terry,
    choose_query,
    disagreement,
    mutual_information,
    random_query,
    thompson,
    volume_removal,
    weak_comparison,
)

SURE_A, SURE_B, COIN = [1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.5, 0.5, 0.0]


def aprel_mutual_information(p: np.ndarray) -> np.ndarray:
    """APReL's sample form, term by term: (1/M) sum_m sum_q p log2(M p / sum_m' p)."""
    n_draws, n_pairs, n_outcomes = p.shape
    result = np.zeros(n_pairs)
    for j in range(n_pairs):
        for m in range(n_draws):
            for q in range(n_outcomes):
                if p[m, j, q] > 0:
                    ratio = n_draws * p[m, j, q] / p[:, j, q].sum()
                    result[j] += p[m, j, q] * np.log2(ratio) / n_draws
    return result


def random_probabilities(rng: np.random.Generator, shape: tuple[int, int]) -> np.ndarray:
    """Answer probabilities of a strict comparison, shape shape + (2,)."""
    p_a = rng.uniform(size=shape)
    return np.stack([p_a, 1.0 - p_a], axis=-1)


# ---------------------------------------------------------------------- answer probabilities
def test_answer_probabilities_are_the_models_probabilities_of_each_draw() -> None:
    utilities = np.array([[np.log(3.0), 0.0, 1.0], [0.0, np.log(3.0), 1.0]])
    p = answer_probabilities(utilities, [[0, 1], [2, 1]])
    assert p.shape == (2, 2, 3)
    np.testing.assert_allclose(p[:, 0, :2], [[0.75, 0.25], [0.25, 0.75]])
    expected = bradley_terry().probabilities(utilities[:, 2] - utilities[:, 1])
    np.testing.assert_allclose(p[:, 1], expected)
    weak = answer_probabilities(utilities, [[0, 1]], weak_comparison(0.5))
    np.testing.assert_allclose(weak.sum(axis=-1), 1.0)
    assert np.all(weak[..., 2] > 0)


# ---------------------------------------------------------------------- mutual information
def test_mutual_information_is_zero_when_draws_agree_and_one_bit_when_split_evenly() -> None:
    p = np.array(
        [
            [SURE_A, SURE_A, COIN, SURE_A, [0.7, 0.3, 0.0]],
            [SURE_B, SURE_A, COIN, SURE_A, [0.7, 0.3, 0.0]],
            [SURE_A, SURE_A, COIN, SURE_B, [0.7, 0.3, 0.0]],
            [SURE_B, SURE_A, COIN, SURE_A, [0.7, 0.3, 0.0]],
        ]
    )
    # split 2:2 -> H(1/2) = 1 bit; all agree -> 0; a 1:3 split -> H(1/4) bits
    h_quarter = -(0.25 * np.log2(0.25) + 0.75 * np.log2(0.75))
    np.testing.assert_allclose(mutual_information(p), [1.0, 0.0, 0.0, h_quarter, 0.0], atol=1e-12)


def test_mutual_information_equals_aprels_sample_formula() -> None:
    rng = np.random.default_rng(0)
    p = rng.dirichlet([1.0, 1.0, 1.0], size=(7, 5))
    np.testing.assert_allclose(mutual_information(p), aprel_mutual_information(p), atol=1e-12)


def test_mutual_information_is_at_most_log2_of_the_number_of_answers() -> None:
    three = np.array([[[1.0, 0.0, 0.0]], [[0.0, 1.0, 0.0]], [[0.0, 0.0, 1.0]]])
    np.testing.assert_allclose(mutual_information(three), [np.log2(3.0)])
    p = np.random.default_rng(1).dirichlet([0.3, 0.3, 0.3], size=(20, 50))
    assert np.all(mutual_information(p) <= np.log2(3.0) + 1e-12)


# ---------------------------------------------------------------------- volume removal
def test_volume_removal_expected_and_worst_case_forms() -> None:
    rng = np.random.default_rng(2)
    p = random_probabilities(rng, (9, 30))
    mean_a = p[..., 0].mean(axis=0)
    np.testing.assert_allclose(volume_removal(p), 1.0 - mean_a**2 - (1.0 - mean_a) ** 2)
    # Sadigh et al.: min(E[1 - f_psi(w)], E[1 - f_-psi(w)])
    sadigh = np.minimum(np.mean(1.0 - p[..., 0], axis=0), np.mean(1.0 - p[..., 1], axis=0))
    np.testing.assert_allclose(volume_removal(p, form="worst-case"), sadigh)


def test_volume_removal_forms_rank_strict_pairs_alike() -> None:
    p = random_probabilities(np.random.default_rng(3), (9, 40))
    expected, worst = volume_removal(p), volume_removal(p, form="worst-case")
    np.testing.assert_array_equal(np.argsort(expected), np.argsort(worst))
    np.testing.assert_allclose(expected, 2.0 * worst * (1.0 - worst))  # 2 min(pbar) max(pbar)


def test_volume_removal_has_a_trivial_maximiser_that_mutual_information_rejects() -> None:
    p = np.array([[COIN, SURE_A], [COIN, SURE_B]])  # pair 0: a coin flip under every draw
    np.testing.assert_allclose(volume_removal(p), [0.5, 0.5])
    np.testing.assert_allclose(mutual_information(p), [0.0, 1.0])


# ---------------------------------------------------------------------- disagreement
def test_disagreement_is_the_variance_of_the_predicted_preference() -> None:
    p = np.array([[SURE_A, SURE_A, COIN], [SURE_B, SURE_A, SURE_A]])
    np.testing.assert_allclose(disagreement(p), [0.25, 0.0, 0.0625])
    strict = random_probabilities(np.random.default_rng(4), (6, 10))
    np.testing.assert_allclose(disagreement(strict), np.var(strict[..., 0], axis=0))


# ---------------------------------------------------------------------- thompson and random
def test_thompson_asks_the_two_draws_best_items() -> None:
    draws = np.array([[3.0, 0.0, 1.0, 2.0], [0.0, 3.0, 1.0, 2.0]])
    pairs = np.array([[2, 3], [1, 3], [0, 1], [0, 2]])
    assert {thompson(draws, pairs, rng=seed) for seed in range(20)} == {2}
    # without the pair (0, 1): the candidate maximising u_1[a] + u_2[b] (either order), (1, 3)
    restricted = pairs[[0, 1, 3]]
    joint = np.maximum(
        draws[0, restricted[:, 0]] + draws[1, restricted[:, 1]],
        draws[0, restricted[:, 1]] + draws[1, restricted[:, 0]],
    )
    assert np.argmax(joint) == 1
    assert {thompson(draws, restricted, rng=seed) for seed in range(20)} == {1}


def test_thompson_picks_best_items_in_proportion_to_their_draws() -> None:
    draws = np.array([[5.0, 1, 0], [5.0, 1, 0], [0, 5.0, 1], [1, 0, 5.0]])  # bests 0, 0, 1, 2
    pairs = np.array([[0, 1], [0, 2], [1, 2]])
    rng = np.random.default_rng(5)
    counts = np.bincount([thompson(draws, pairs, rng=rng) for _ in range(3000)], minlength=3)
    # P{0,1} = 1/2 * 1/2 + 1/4 * 2/3 = 5/12 = P{0,2};  P{1,2} = 2 * 1/4 * 1/3 = 1/6
    np.testing.assert_allclose(counts / 3000, [5 / 12, 5 / 12, 1 / 6], atol=0.03)


def test_thompson_pairs_a_shared_best_item_with_a_random_one() -> None:
    draws = np.array([[5.0, 1.0, 0.0, 2.0], [4.0, 0.0, 1.0, 3.0]])  # both prefer item 0
    pairs = np.array([[1, 2], [0, 1], [3, 0], [2, 3], [0, 2]])
    picks = {thompson(draws, pairs, rng=seed) for seed in range(40)}
    assert picks == {1, 2, 4}
    assert 2 not in {thompson(draws, pairs, rng=seed, exclude=[2]) for seed in range(40)}


def test_random_query_is_uniform_over_allowed_pairs() -> None:
    rng = np.random.default_rng(6)
    counts = np.bincount([random_query(5, rng=rng, exclude=[1]) for _ in range(4000)], minlength=5)
    assert counts[1] == 0
    np.testing.assert_allclose(counts[[0, 2, 3, 4]] / 4000, 0.25, atol=0.03)


# ---------------------------------------------------------------------- choose_query
@pytest.mark.parametrize(
    ("strategy", "score"),
    [
        ("mutual-information", mutual_information),
        ("volume-removal", volume_removal),
        ("disagreement", disagreement),
    ],
)
def test_choose_query_takes_the_best_scoring_allowed_pair(strategy: str, score: object) -> None:
    rng = np.random.default_rng(7)
    utilities = rng.normal(size=(30, 8))
    pairs = np.array([(i, j) for i in range(8) for j in range(i + 1, 8)])
    values = score(answer_probabilities(utilities, pairs))  # type: ignore[operator]
    best = int(np.argmax(values))
    assert choose_query(utilities, pairs, strategy=strategy) == best  # type: ignore[arg-type]
    second = int(np.argsort(-values, kind="stable")[1])
    chosen = choose_query(utilities, pairs, strategy=strategy, exclude=[best])  # type: ignore[arg-type]
    assert chosen == second


def test_choose_query_ties_go_to_the_first_pair_and_draws_follow_the_seed() -> None:
    utilities = np.zeros((4, 5))  # every pair scores the same
    pairs = np.array([[3, 4], [0, 1], [1, 2]])
    assert choose_query(utilities, pairs, strategy="disagreement") == 0
    assert choose_query(utilities, pairs, strategy="disagreement", exclude=[0]) == 1
    utilities = np.random.default_rng(8).normal(size=(10, 5))
    for strategy in ("thompson", "random"):
        first = [choose_query(utilities, pairs, strategy=strategy, rng=seed) for seed in range(10)]
        again = [choose_query(utilities, pairs, strategy=strategy, rng=seed) for seed in range(10)]
        assert first == again and len(set(first)) > 1


# ---------------------------------------------------------------------- errors
def test_bad_inputs_get_one_line_errors() -> None:
    u = np.zeros((3, 4))
    with pytest.raises(ValueLearnInputError, match="'strategy' parameter of choose_query"):
        choose_query(u, [[0, 1]], strategy="entropy")  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match=r"two different item positions in \[0, 4\)"):
        answer_probabilities(u, [[0, 0]])
    with pytest.raises(ValueLearnInputError, match="'pairs' parameter of thompson"):
        thompson(u, [[0, 4]])
    with pytest.raises(ValueLearnInputError, match="'pairs' parameter of choose_query"):
        choose_query(u, [0, 1], strategy="random")
    with pytest.raises(ValueLearnInputError, match="'utilities' parameter"):
        choose_query(np.zeros(4), [[0, 1]])
    with pytest.raises(ValueLearnInputError, match="every one of the 2 pairs is excluded"):
        choose_query(u, [[0, 1], [1, 2]], exclude=[0, 1])
    with pytest.raises(ValueLearnInputError, match="'probabilities' parameter of disagreement"):
        disagreement([[0.5, 0.5]])
    with pytest.raises(ValueLearnInputError, match="'form' parameter of volume_removal"):
        volume_removal([[[0.5, 0.5]]], form="sadigh")  # type: ignore[arg-type]
