"""Benchmark scenarios: values as concepts in language space (suite ``language``).

All use VADER's 7,506 unique words and their mean human valence. Embeddings are computed once
per process (MiniLM needs the ``text`` extra and is cached on disk; ``char-ngrams`` and
``random`` unit vectors need nothing).

``text-values``
    A value model fitted on ``n`` VADER words, scored by Spearman on the held-out words
    (``spearman``), on AFINN's words outside the training set (``afinn``) and on MoralStrength's
    five foundations (``moral``, the mean). Learners: ``minilm-ridge``, ``minilm-gp``,
    ``minilm-bt`` (Bradley–Terry on 10 comparisons per word, the higher mean rating winning)
    and ``char-ngrams-ridge``.
``valence-bleeding``
    Ridge on ``n`` words, then one judgment of +4 about a neutral held-out word A: ``nearest10``
    (mean change of A's 10 most similar words relative to A's change), ``reach`` (share of
    words moved by more than 10% of A's move) and the bleeding curve (``bin_*``, relative change
    by cosine similarity to A). Learners are embeddings: ``minilm``, ``char-ngrams`` (spelling
    only) and ``random`` (no structure).
``association-attack``
    ``n`` attack sentences pair a neutral word with two of the 50 most positive words, each
    followed by 4 random sentences, learned by the co-occurrence representation (rate 0.05).
    ``closed``: share of the gap between the word's value and the positives' mean value that
    the attack closed; ``similarity`` to the positives; ``rejected`` batches. Learners are the
    defences: ``none``, ``anchor`` (0.2), ``detect`` (drift of every judged word, the target
    included) and ``detect-unjudged`` (the target is a word nobody rated).
``overoptimisation``
    A proxy (MiniLM ridge) fitted on 100 or 1,000 words is optimised with pressure ``n``:
    exact best-of-n over the held-out words, or greedy search over 3-word phrases (embedding:
    the words' mean). ``gold`` and ``proxy`` are gains over ``n = 1`` (held-out human value),
    ``sqrt_kl`` the distance ``sqrt(KL)``. The report fits Gao et al.'s forms.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Final

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from numpy.typing import NDArray

from valuelearn.bench._registry import Scenario, register
from valuelearn.bench._report import png_img
from valuelearn.bench._store import RunRecord
from valuelearn.data import Comparisons, read_afinn, read_moralstrength
from valuelearn.evaluation._language_values import (
    attack_summary,
    overoptimisation_curves,
    spearman,
    vader_concepts,
)
from valuelearn.evaluation._overoptimization import fit_gao
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import TextValueModel, embed_texts
from valuelearn.representation._bleeding import valence_bleeding
from valuelearn.representation._text_values import Method

Array = NDArray[np.float64]
SUITE: Final = ("language",)
EDGES: Final = np.round(np.linspace(-0.2, 1.0, 13), 2)
_HINT = (
    "the language suite's minilm learners need the text extra: pip install -c constraints.txt "
    "'valuelearn[text]'"
)


@functools.cache
def _embeddings(kind: str) -> Array:
    words, _ = vader_concepts()
    if kind == "random":
        x = np.random.default_rng(12345).normal(size=(len(words), 384))
        unit: Array = x / np.linalg.norm(x, axis=1, keepdims=True)
        return unit
    try:
        return embed_texts(words, "minilm" if kind == "minilm" else "char-ngrams")
    except ModuleNotFoundError:
        raise ValueLearnInputError(_HINT) from None


@functools.cache
def _lexicon_embeddings(name: str, kind: str) -> tuple[tuple[str, ...], Array, Array]:
    if name == "afinn":
        words, scores = read_afinn().dimension("valence")
    else:
        table = read_moralstrength()
        words, scores = table.words, np.nanmean(table.scores, axis=1)
    try:
        x = embed_texts(list(words), "minilm" if kind == "minilm" else "char-ngrams")
    except ModuleNotFoundError:
        raise ValueLearnInputError(_HINT) from None
    return tuple(words), np.asarray(scores, dtype=np.float64), x


def _check(learner: str, allowed: Sequence[str], scenario: str) -> None:
    if learner not in allowed:
        raise ValueLearnInputError(
            f"{scenario}: unknown learner {learner!r}; expected one of {tuple(allowed)}."
        )


def run_text_values(learner: str, n: int, seed: int) -> dict[str, float]:
    """Held-out VADER, AFINN and MoralStrength Spearman of a model fitted on ``n`` words."""
    _check(learner, TEXT_LEARNERS, "text-values")
    kind, method = learner.rsplit("-", 1) if learner != "minilm-bt" else ("minilm", "bt")
    words, values = vader_concepts()
    x = _embeddings(kind)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(words))
    train, test = order[:n], order[n:]
    if method == "bt":
        a, b = rng.choice(train, size=(2, 10 * n))
        keep = (a != b) & (values[a] != values[b])
        answers = np.where(values[a[keep]] > values[b[keep]], "a", "b")
        pairs = Comparisons(
            tuple(words[i] for i in a[keep]),
            tuple(words[i] for i in b[keep]),
            tuple(str(answer) for answer in answers),
        )
        rows = [words.index(w) for w in pairs.item_ids()]
        model = TextValueModel(method="bradley-terry")
        model.fit_comparisons(pairs, embeddings=x[rows])
    else:
        chosen: Method = "gp" if method == "gp" else "ridge"
        model = TextValueModel(method=chosen).fit_embeddings(x[train], values[train])
    result = {"spearman": spearman(model.predict_embeddings(x[test]), values[test])}
    trained = {words[i] for i in train}
    afinn_words, afinn_scores, afinn_x = _lexicon_embeddings("afinn", kind)
    unseen = np.array([w not in trained for w in afinn_words])
    result["afinn"] = spearman(model.predict_embeddings(afinn_x[unseen]), afinn_scores[unseen])
    _, moral_scores, moral_x = _lexicon_embeddings("moralstrength", kind)
    result["moral"] = spearman(model.predict_embeddings(moral_x), moral_scores)
    return result


def run_bleeding(learner: str, n: int, seed: int) -> dict[str, float]:
    """Bleeding of one +4 judgment about a neutral word, ridge fitted on ``n`` words."""
    _check(learner, ("minilm", "char-ngrams", "random"), "valence-bleeding")
    _, values = vader_concepts()
    x = _embeddings(learner)
    rng = np.random.default_rng(seed)
    anchor = int(rng.choice(np.flatnonzero(np.abs(values) < 0.5)))
    others = np.delete(np.arange(values.size), anchor)
    train = np.sort(rng.choice(others, size=min(n, others.size), replace=False))
    result = valence_bleeding(x, values, train, anchor=anchor, judgment=4.0)
    metrics = {"nearest10": result.nearest_share(10), "reach": result.reach(0.1)}
    similarity = np.delete(result.similarity, anchor)
    relative = np.delete(result.relative, anchor)
    bins = np.clip(np.searchsorted(EDGES, similarity, side="right") - 1, 0, EDGES.size - 2)
    for j in range(EDGES.size - 1):
        inside = bins == j
        if inside.any():
            metrics[f"bin_{j:02d}"] = float(relative[inside].mean())
    return metrics


def run_attack(learner: str, n: int, seed: int) -> dict[str, float]:
    """``n`` attack sentences against one defence."""
    _check(learner, ATTACK_LEARNERS, "association-attack")
    _, values = vader_concepts()
    name = learner.replace("-", "_")
    result = attack_summary(
        _embeddings("minilm"), values, repetitions=[n], defences=[name], rng=seed
    )
    curve = result[name]
    return {
        "closed": result[f"closed_{name}"],
        "similarity": float(curve.similarity[-1]),
        "rejected": float(curve.rejected_share[-1]),
    }


def run_overoptimisation(learner: str, n: int, seed: int) -> dict[str, float]:
    """Gold and proxy gains of best-of-n or greedy search with pressure ``n``."""
    _check(learner, OVER_LEARNERS, "overoptimisation")
    how, size = learner.split("-")
    _, values = vader_concepts()
    pressures = [1, n] if n > 1 else [1]
    result = overoptimisation_curves(
        _embeddings("minilm"), values, n_train=int(size), pressures=pressures, n_searches=100,
        rng=seed,
    )  # fmt: skip
    if n == 1:
        return {"gold": 0.0, "proxy": 0.0, "sqrt_kl": 0.0}
    return {
        "gold": float(result[f"{how}_gold"][-1]),
        "proxy": float(result[f"{how}_proxy"][-1]),
        "sqrt_kl": float(result[f"{how}_distance"][-1]),
    }


def _mean_by(records: Sequence[RunRecord], metric: str) -> dict[str, dict[int, float]]:
    grouped: dict[tuple[str, int], list[float]] = defaultdict(list)
    for record in records:
        if metric in record.metrics:
            grouped[(record.learner, record.n)].append(record.metrics[metric])
    table: dict[str, dict[int, float]] = defaultdict(dict)
    for (learner, n), found in grouped.items():
        table[learner][n] = float(np.mean(found))
    return table


def bleeding_figures(records: Sequence[RunRecord]) -> str:
    """Bleeding curves (relative change against similarity to A) at the largest data size."""
    if not records:
        return ""
    largest = max(record.n for record in records)
    chosen = [record for record in records if record.n == largest]
    figure, axis = plt.subplots(figsize=(6.5, 3.4))
    centres = (EDGES[:-1] + EDGES[1:]) / 2
    for colour, learner in enumerate(("minilm", "char-ngrams", "random")):
        means = [
            _mean_by([r for r in chosen if r.learner == learner], f"bin_{j:02d}")
            .get(learner, {})
            .get(largest, np.nan)
            for j in range(centres.size)
        ]
        axis.plot(centres, means, "o-", color=f"C{colour}", label=learner)
    axis.axhline(0, color="grey", lw=0.5)
    axis.set_xlabel("cosine similarity to the judged concept A")
    axis.set_ylabel("change / change of A")
    axis.set_title(f"Valence bleeding, ridge on {largest} words", fontsize=9)
    axis.legend(fontsize=7)
    figure.tight_layout()
    return png_img(figure, "valence bleeding curves")


def attack_figures(records: Sequence[RunRecord]) -> str:
    """Share of the value gap the attack closed against repetitions, per defence."""
    table = _mean_by(records, "closed")
    if not table:
        return ""
    figure, axis = plt.subplots(figsize=(6.5, 3.4))
    styles = ("o-", "s-", "^-", "x--")  # none and detect-unjudged may coincide
    for colour, learner in enumerate(ATTACK_LEARNERS):
        points = sorted(table.get(learner, {}).items())
        if points:
            n, closed = zip(*points, strict=True)
            axis.plot(n, closed, styles[colour], color=f"C{colour}", label=learner)
    axis.set_xscale("symlog", linthresh=10)
    axis.set_xlabel("attack sentences")
    axis.set_ylabel("share of the value gap closed")
    axis.set_title("Association attack on a neutral word (MiniLM)", fontsize=9)
    axis.legend(fontsize=7)
    figure.tight_layout()
    return png_img(figure, "association attack against repetitions")


def overoptimisation_figures(records: Sequence[RunRecord]) -> str:
    """Proxy and gold gains against sqrt(KL), with Gao et al.'s fitted gold curves."""
    gold, proxy, distance = (_mean_by(records, m) for m in ("gold", "proxy", "sqrt_kl"))
    if not gold:
        return ""
    figure, axes = plt.subplots(1, 2, figsize=(9.5, 3.4), sharey=True)
    notes = []
    for axis, how in zip(axes, ("bon", "greedy"), strict=True):
        for colour, size in enumerate(("100", "1000")):
            learner = f"{how}-{size}"
            ns = sorted(gold.get(learner, {}))
            if not ns:
                continue
            d = np.array([distance[learner][n] for n in ns])
            g = np.array([gold[learner][n] for n in ns])
            p = np.array([proxy[learner][n] for n in ns])
            axis.plot(d, p, "--", color=f"C{colour}", label=f"proxy ({size} words)")
            axis.plot(d, g, "o", color=f"C{colour}", label=f"gold ({size} words)")
            if np.unique(d[d > 0]).size >= 2:
                fit = fit_gao(d, g, form="best_of_n" if how == "bon" else "rl")
                grid = np.linspace(0, d.max(), 100)
                axis.plot(grid, fit.predict(grid), "-", color=f"C{colour}", lw=1)
                notes.append(
                    f"{learner}: alpha {fit.alpha:.3f}, beta {fit.beta:.3f}, peak at "
                    f"sqrt(KL) {fit.peak_distance:.2f} (gold {fit.peak_value:.2f})"
                )
        axis.set_xlabel("sqrt(KL) from the base distribution")
        axis.set_title("best-of-n (R_bon fit)" if how == "bon" else "greedy search (R_RL fit)")
        if axis.get_legend_handles_labels()[0]:
            axis.legend(fontsize=7)
    axes[0].set_ylabel("gain over n = 1 (valence)")
    figure.tight_layout()
    items = "".join(f"<li>{note}</li>" for note in notes)
    return png_img(figure, "proxy and gold against optimisation pressure") + f"<ul>{items}</ul>"


def _register(name: str, description: str, **settings: Any) -> Scenario:
    return register(Scenario(name=name, description=description, suites=SUITE, **settings))


TEXT_LEARNERS: Final = ("minilm-ridge", "minilm-gp", "minilm-bt", "char-ngrams-ridge")
ATTACK_LEARNERS: Final = ("none", "anchor", "detect", "detect-unjudged")
OVER_LEARNERS: Final = ("bon-100", "bon-1000", "greedy-100", "greedy-1000")

TEXT_VALUES: Final = _register(
    "text-values",
    "A value model on MiniLM sentence embeddings generalises to unseen words (held-out VADER) "
    "and to other human lexicons (AFINN, MoralStrength); spelling alone does much worse.",
    run=run_text_values,
    learners=TEXT_LEARNERS,
    sizes=(100, 300, 1000, 3000, 6000),
    seeds=(0, 1, 2),
    quick_sizes=(300, 3000),
    quick_seeds=(0,),
    config={"lexicon": "vader-unique", "bt_comparisons_per_word": 10, "version": 1},
    metrics=("spearman", "afinn", "moral"),
    x_label="training words",
)
BLEEDING: Final = _register(
    "valence-bleeding",
    "One strong judgment about a word bleeds onto the words MiniLM places near it; with "
    "random vectors it stays put, with spelling it lands on look-alikes.",
    run=run_bleeding,
    learners=("minilm", "char-ngrams", "random"),
    sizes=(300, 1000, 3000, 7505),
    seeds=(0, 1, 2, 3, 4),
    quick_sizes=(1000,),
    quick_seeds=(0, 1),
    config={"judgment": 4.0, "alpha": 1.0, "edges": EDGES.tolist(), "version": 1},
    metrics=("nearest10", "reach"),
    x_label="training words",
    figures=bleeding_figures,
)
ATTACK: Final = _register(
    "association-attack",
    "Text pairing a neutral word with positive words drags it towards them and raises its "
    "value; anchoring and drift detection on judged words stop most of it, unless nobody "
    "judged the word.",
    run=run_attack,
    learners=ATTACK_LEARNERS,
    sizes=(0, 10, 30, 100, 300),
    seeds=(0, 1, 2),
    quick_sizes=(0, 100),
    quick_seeds=(0,),
    config={"rate": 0.05, "anchor": 0.2, "benign_per_attack": 4, "positives": 50, "version": 1},
    metrics=("closed", "similarity", "rejected"),
    x_label="attack sentences",
    x_scale="linear",
    figures=attack_figures,
)
OVEROPTIMISATION: Final = _register(
    "overoptimisation",
    "Optimising hard against a value model fitted on 100 words raises its score while the "
    "held-out human value peaks and falls (Goodhart); a proxy fitted on 1,000 words holds up.",
    run=run_overoptimisation,
    learners=OVER_LEARNERS,
    sizes=(1, 2, 4, 8, 16, 32, 64, 128, 256, 1024),
    seeds=(0, 1, 2),
    quick_sizes=(1, 4, 16, 64, 256),
    quick_seeds=(0,),
    config={"phrase_length": 3, "n_searches": 100, "proxy": "minilm-ridge", "version": 1},
    metrics=("gold", "proxy", "sqrt_kl"),
    x_label="optimisation pressure n",
    figures=overoptimisation_figures,
)
