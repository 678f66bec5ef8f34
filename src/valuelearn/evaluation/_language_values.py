"""Measurements of values as concepts in language space, on VADER's human valence ratings.

Each function takes the concepts' embedding matrix (one row per unique VADER word: MiniLM, hashed
character n-grams, or random vectors for contrast) and their human values, and returns numbers:

- :func:`held_out_spearman`: a value model fitted on some words, Spearman on unseen words;
- :func:`lexicon_transfer`: a model fitted on VADER, Spearman on another lexicon's scores;
- :func:`bleeding_summary`: one strong new judgment about neutral words, how far it bleeds;
- :func:`attack_summary`: an association attack with and without the two defences;
- :func:`overoptimisation_curves`: best-of-n and greedy search against a proxy trained on few
  words, proxy and held-out gold against ``sqrt(KL)``, with Gao et al.'s fits.

Embed the whole vocabulary once (``embed_texts(words, ...)``, cached on disk for MiniLM) and pass
rows: embedding subsets separately would miss the cache.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.stats import spearmanr

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import read_vader_lexicon
from valuelearn.evaluation._overoptimization import best_of_n_outcomes, fit_gao
from valuelearn.evaluation._phrase_search import greedy_phrase_search
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import TextValueModel
from valuelearn.representation._association import attack_curve, learn_stream, random_sentences
from valuelearn.representation._bleeding import valence_bleeding

Array = NDArray[np.float64]
ATTACK_DEFENCES = ("none", "anchor", "detect", "detect_unjudged")


def vader_concepts() -> tuple[tuple[str, ...], Array]:
    """VADER's unique words and their mean rating (repeated tokens' ratings pooled).

    Returns
    -------
    words : tuple of str, length 7,506 for the shipped lexicon
    values : array, shape (n_words,), in [-4, 4]
    """
    lexicon = read_vader_lexicon()
    words, index = np.unique(np.array(lexicon.tokens, dtype=object), return_inverse=True)
    sums = np.bincount(index, weights=lexicon.ratings.sum(axis=1))
    counts = np.bincount(index) * lexicon.ratings.shape[1]
    return tuple(str(w) for w in words), sums / counts


def word_split(n_words: int, *, test_fraction: float = 0.2, rng: RandomLike = None) -> Array:
    """A boolean mask of training words: a random ``1 - test_fraction`` of ``n_words``."""
    generator = as_generator(rng)
    train = np.ones(n_words, dtype=bool)
    train[generator.choice(n_words, size=round(test_fraction * n_words), replace=False)] = False
    return train


def spearman(x: ArrayLike, y: ArrayLike) -> float:
    """Spearman rank correlation of two equally long arrays."""
    return float(spearmanr(np.asarray(x), np.asarray(y)).statistic)


def held_out_spearman(
    embeddings: ArrayLike, values: ArrayLike, train: ArrayLike, *, model: TextValueModel
) -> float:
    """Fit ``model`` on the ``train`` rows; Spearman of its predictions on the other rows."""
    x, y, mask = np.asarray(embeddings), np.asarray(values, dtype=np.float64), np.asarray(train)
    fitted = TextValueModel(**model.get_params()).fit_embeddings(x[mask], y[mask])
    return spearman(fitted.predict_embeddings(x[~mask]), y[~mask])


def lexicon_transfer(
    model: TextValueModel, words: Sequence[str], scores: ArrayLike, *, known: Sequence[str] = ()
) -> dict[str, float]:
    """Spearman of a fitted model's predictions with another lexicon's ``scores``.

    Returns ``{"spearman": ..., "n": ..., "spearman_unseen": ..., "n_unseen": ...}``, the last
    two over the words not in ``known`` (the model's training words).
    """
    predicted = model.predict(list(words))
    target = np.asarray(scores, dtype=np.float64)
    seen = set(known)
    unseen = np.array([w not in seen for w in words])
    result = {"spearman": spearman(predicted, target), "n": float(len(words))}
    if unseen.sum() > 2:
        result["spearman_unseen"] = spearman(predicted[unseen], target[unseen])
    result["n_unseen"] = float(unseen.sum())
    return result


def bleeding_summary(
    embeddings: ArrayLike,
    values: ArrayLike,
    *,
    n_anchors: int = 5,
    judgment: float = 4.0,
    model: TextValueModel | None = None,
    rng: RandomLike = None,
) -> dict[str, Any]:
    """Valence bleeding from strong judgments about ``n_anchors`` neutral words (|value| < 0.5).

    Each anchor is left out of training, the model is refitted with ``judgment`` for it, and
    the bleeding is summarised: ``nearest10`` (mean relative change of its 10 most similar
    words), ``reach`` (share of words moved by more than 10% of the anchor's move) and the
    pooled ``similarity`` and ``relative`` arrays (for :func:`bleeding_curve`).
    """
    x = np.asarray(embeddings, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    generator = as_generator(rng)
    neutral = np.flatnonzero(np.abs(y) < 0.5)
    anchors = generator.choice(neutral, size=min(n_anchors, neutral.size), replace=False)
    nearest, reach, similarity, relative = [], [], [], []
    for anchor in anchors:
        train = np.ones(y.size, dtype=bool)
        train[anchor] = False
        result = valence_bleeding(
            x, y, train, anchor=int(anchor), judgment=judgment, model=model or TextValueModel()
        )
        nearest.append(result.nearest_share(10))
        reach.append(result.reach(0.1))
        similarity.append(np.delete(result.similarity, anchor))
        relative.append(np.delete(result.relative, anchor))
    return {
        "nearest10": float(np.mean(nearest)),
        "reach": float(np.mean(reach)),
        "similarity": np.concatenate(similarity),
        "relative": np.concatenate(relative),
    }


def attack_summary(
    embeddings: ArrayLike,
    values: ArrayLike,
    *,
    repetitions: Sequence[int],
    target: int | None = None,
    n_positives: int = 50,
    rate: float = 0.05,
    anchor: float = 0.2,
    benign_per_attack: int = 4,
    defences: Sequence[str] = ATTACK_DEFENCES,
    rng: RandomLike = None,
) -> dict[str, Any]:
    """An association attack on a neutral word, without defence, anchored, and with drift
    detection watching every judged word (the target too, or all but the target).

    ``defences`` picks among ``"none"``, ``"anchor"``, ``"detect"`` and ``"detect_unjudged"``.

    The value model is ridge on the frozen embeddings of all words; the attack pairs the target
    with two of the ``n_positives`` highest-valued words per sentence, each attack sentence
    followed by ``benign_per_attack`` random sentences; the detector's threshold is twice the
    largest drift that 2,000 benign sentences cause. Returns each curve (repetitions,
    similarity, value, rejected share) and the fraction of the gap to the positives' mean value
    that the attack closed at the last checkpoint.
    """
    x = np.asarray(embeddings, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    generator = as_generator(rng)
    model = TextValueModel().fit_embeddings(x, y)
    if target is None:
        target = int(generator.choice(np.flatnonzero(np.abs(y) < 0.5)))
    positives = np.argsort(-y, kind="stable")[:n_positives]
    positives = positives[positives != target]
    benign = learn_stream(x, random_sentences(y.size, 2000, rng=generator), rate=rate)
    threshold = 2.0 * float(benign.drift.max())
    everyone = np.arange(y.size)
    settings: dict[str, dict[str, Any]] = {
        "none": {},
        "anchor": {"anchor": anchor},
        "detect": {"judged": everyone, "drift_threshold": threshold},
        "detect_unjudged": {"judged": np.delete(everyone, target), "drift_threshold": threshold},
    }
    seed = int(generator.integers(2**31))
    start = float(model.predict_embeddings(x[[target]])[0])
    gap = float(y[positives].mean()) - start
    result: dict[str, Any] = {"target": target, "threshold": threshold, "gap": gap}
    for name in defences:
        if name not in settings:
            raise ValueLearnInputError(
                f"The 'defences' parameter of attack_summary must name some of "
                f"{ATTACK_DEFENCES}; got {name!r}."
            )
        options = settings[name]
        curve = attack_curve(
            x,
            model.predict_embeddings,
            target,
            positives,
            repetitions,
            rate=rate,
            benign_per_attack=benign_per_attack,
            rng=seed,
            **options,
        )
        result[name] = curve
        result[f"closed_{name}"] = float((curve.value[-1] - start) / gap)
    return result


def overoptimisation_curves(
    embeddings: ArrayLike,
    values: ArrayLike,
    *,
    n_train: int,
    pressures: Sequence[int],
    model: TextValueModel | None = None,
    phrase_length: int = 3,
    n_searches: int = 200,
    rng: RandomLike = None,
) -> dict[str, Any]:
    """Optimise against a proxy fitted on ``n_train`` words; gold = held-out human values.

    Best-of-n is exact over the held-out words (uniform base); greedy search builds phrases of
    ``phrase_length`` held-out words whose embedding is the mean of the words' embeddings. Both
    report proxy and gold gains over the base (``n = 1``) against ``d = sqrt(KL)``, with
    :func:`fit_gao` fits (best-of-n form for best-of-n, RL form for greedy search; ``None`` with
    fewer than two pressures above 1).
    """
    x = np.asarray(embeddings, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if not (isinstance(n_train, int) and 2 <= n_train < y.size - 1):
        raise ValueLearnInputError(
            f"The 'n_train' parameter of overoptimisation_curves must be an integer in "
            f"[2, {y.size - 2}]; got {n_train!r} instead."
        )
    generator = as_generator(rng)
    order = generator.permutation(y.size)
    train, pool = order[:n_train], order[n_train:]
    proxy_model = TextValueModel(**(model or TextValueModel()).get_params())
    proxy_model.fit_embeddings(x[train], y[train])
    proxy = proxy_model.predict_embeddings(x[pool])
    bon = best_of_n_outcomes(proxy, y[pool], list(pressures))
    result: dict[str, Any] = {
        "n": np.asarray(pressures),
        "bon_distance": bon.distance,
        "bon_proxy": bon.proxy - bon.proxy[0],
        "bon_gold": bon.gold - bon.gold[0],
    }
    vocabulary = [str(i) for i in range(pool.size)]
    pool_x = x[pool]

    def phrase_proxy(phrases: list[str]) -> Array:
        scores = np.empty(len(phrases))
        for first in range(0, len(phrases), 8192):  # bounded memory at high pressure
            chunk = phrases[first : first + 8192]
            rows = [np.array(p.split(), dtype=np.int64) for p in chunk]
            means = np.stack([pool_x[r].mean(axis=0) for r in rows])
            scores[first : first + len(chunk)] = proxy_model.predict_embeddings(means)
        return scores

    searches = [
        greedy_phrase_search(
            vocabulary,
            y[pool],
            phrase_proxy,
            length=phrase_length,
            n_candidates=int(m),
            n_searches=n_searches,
            rng=generator,
        )
        for m in pressures
    ]
    greedy_proxy = np.array([s.proxy.mean() for s in searches])
    greedy_gold = np.array([s.gold.mean() for s in searches])
    result["greedy_distance"] = np.sqrt([s.kl for s in searches])
    result["greedy_proxy"] = greedy_proxy - greedy_proxy[0]
    result["greedy_gold"] = greedy_gold - greedy_gold[0]
    result["greedy_gold_se"] = np.array([s.gold.std() / np.sqrt(n_searches) for s in searches])
    for how, form in (("bon", "best_of_n"), ("greedy", "rl")):
        distance = result[f"{how}_distance"]
        enough = np.unique(distance[distance > 1e-9]).size >= 2
        result[f"{how}_fit"] = (
            fit_gao(distance, result[f"{how}_gold"], form=form) if enough else None  # type: ignore[arg-type]
        )
    return result
