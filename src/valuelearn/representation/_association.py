"""Association attacks on a continually learned representation, and two defences.

Seed 003: the geometry of the concept space is rewritten by continual learning on what the system
reads, and a value model reads values off that geometry, so text that keeps pairing a target
concept Y with positively valued concepts makes Y look good. The representation here learns by
co-occurrence: for each sentence (a set of concept rows) every word moves towards the mean of the
other words' embeddings,

    e_w <- (1 - rate) e_w + rate * mean_{v in sentence, v != w} e_v      (simultaneously),

a Hebbian associative update (for two words repeated ``r`` times their difference shrinks by
``(1 - 2 rate)^r`` and their sum is conserved). Defences:

- **anchoring** (``anchor > 0``): after each update every moved word is pulled back towards its
  frozen embedding, ``e <- (1 - anchor) e + anchor e_0``; against a fixed context ``c`` the drift
  stops at ``e* = ((1 - anchor) rate c + anchor e_0) / (1 - (1 - anchor)(1 - rate))``;
- **drift detection** (``drift_threshold``): sentences arrive in batches, and a batch that would
  move any *judged* concept (one the value model was fitted on) further than ``drift_threshold``
  in cosine distance from its frozen embedding is rejected (rolled back).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation._value_regression import as_embeddings

Array = NDArray[np.float64]
Sentence = NDArray[np.int64]


def associate(
    embeddings: ArrayLike,
    sentences: Sequence[ArrayLike],
    *,
    rate: float,
    anchor: float = 0.0,
    frozen: ArrayLike | None = None,
) -> Array:
    """Apply the co-occurrence update for each sentence in turn; return the new embeddings.

    Parameters
    ----------
    embeddings : array, shape (n_concepts, n_dims)
        The current representation (not modified).
    sentences : sequence of int arrays
        Each the rows of the concepts one sentence mentions (at least two distinct rows).
    rate : float
        Learning rate in (0, 1].
    anchor : float
        Pull towards ``frozen`` in [0, 1] after each update (0: no anchoring, 1: frozen).
    frozen : array, shape (n_concepts, n_dims), optional
        The anchor embeddings; default ``embeddings``.

    Returns
    -------
    array, shape (n_concepts, n_dims)

    References
    ----------
    Hebb (1949), The Organization of Behavior; Kirkpatrick et al. (2017), "Overcoming
    catastrophic forgetting in neural networks", PNAS 114(13), eq. 3 (a quadratic pull towards
    the old parameters, here with identity importance).

    Examples
    --------
    >>> e = associate([[1.0, 0.0], [0.0, 1.0]], [[0, 1]], rate=0.25)
    >>> e.tolist()
    [[0.75, 0.25], [0.25, 0.75]]
    """
    current = as_embeddings(embeddings, "embeddings").copy()
    base = current.copy() if frozen is None else as_embeddings(frozen, "frozen")
    if base.shape != current.shape:
        raise ValueLearnInputError("`frozen` must have the shape of `embeddings`.")
    _check_fraction(rate, "rate", positive=True)
    _check_fraction(anchor, "anchor", positive=False)
    for number, sentence in enumerate(sentences):
        rows = np.unique(np.asarray(sentence, dtype=np.int64))
        if rows.size < 2 or rows.min() < 0 or rows.max() >= current.shape[0]:
            raise ValueLearnInputError(
                f"sentence {number} must name at least two distinct concept rows in "
                f"[0, {current.shape[0]}); got {np.asarray(sentence).tolist()!r}."
            )
        block = current[rows]
        context = (block.sum(axis=0) - block) / (rows.size - 1)
        moved = (1.0 - rate) * block + rate * context
        if anchor:
            moved = (1.0 - anchor) * moved + anchor * base[rows]
        current[rows] = moved
    return current


def attack_sentences(
    target: int,
    positives: ArrayLike,
    n_sentences: int,
    *,
    words_per_sentence: int = 3,
    rng: RandomLike = None,
) -> list[Sentence]:
    """Sentences that each pair ``target`` with ``words_per_sentence - 1`` positive concepts.

    Examples
    --------
    >>> [s.tolist() for s in attack_sentences(0, [5, 6, 7], 2, words_per_sentence=2, rng=0)]
    [[0, 7], [0, 6]]
    """
    pool = np.asarray(positives, dtype=np.int64).ravel()
    if pool.size < words_per_sentence - 1 or words_per_sentence < 2:
        raise ValueLearnInputError(
            f"`positives` must hold at least words_per_sentence - 1 = {words_per_sentence - 1} "
            f"concepts (words_per_sentence >= 2); got {pool.size}."
        )
    generator = as_generator(rng)
    return [
        np.r_[target, generator.choice(pool, size=words_per_sentence - 1, replace=False)]
        for _ in range(n_sentences)
    ]


def random_sentences(
    n_concepts: int, n_sentences: int, *, words_per_sentence: int = 3, rng: RandomLike = None
) -> list[Sentence]:
    """Benign sentences: ``words_per_sentence`` distinct concepts drawn uniformly."""
    generator = as_generator(rng)
    return [
        generator.choice(n_concepts, size=words_per_sentence, replace=False)
        for _ in range(n_sentences)
    ]


@dataclass(frozen=True)
class StreamOutcome:
    """What a stream of sentences did to the representation.

    Attributes
    ----------
    embeddings : array, shape (n_concepts, n_dims)
        The representation after the stream.
    rejected : bool array, shape (n_batches,)
        Batches the drift detector rolled back (all ``False`` without detection).
    drift : array, shape (n_concepts,)
        Cosine distance ``1 - cos(e, e_0)`` of each concept from its frozen embedding.
    """

    embeddings: Array
    rejected: NDArray[np.bool_]
    drift: Array


def learn_stream(
    embeddings: ArrayLike,
    sentences: Sequence[ArrayLike],
    *,
    rate: float,
    anchor: float = 0.0,
    judged: ArrayLike | None = None,
    drift_threshold: float | None = None,
    batch_size: int = 10,
    start: ArrayLike | None = None,
) -> StreamOutcome:
    """Learn from ``sentences`` in batches, with the optional defences.

    Parameters
    ----------
    embeddings : array, shape (n_concepts, n_dims)
        The frozen (initial) representation.
    sentences : sequence of int arrays
    rate, anchor : float
        See :func:`associate`.
    judged : int array, optional
        Rows of the judged concepts the drift detector watches (needed with
        ``drift_threshold``).
    drift_threshold : float, optional
        Largest cosine distance from its frozen embedding that a judged concept may reach; a
        batch that would exceed it is rejected. ``None``: no detection.
    batch_size : int
        Sentences per batch.
    start : array, shape (n_concepts, n_dims), optional
        The representation to continue from (default ``embeddings``: a fresh start).

    Returns
    -------
    StreamOutcome

    Examples
    --------
    >>> e = np.eye(3)
    >>> out = learn_stream(e, [[0, 1]] * 4, rate=0.2, judged=[1], drift_threshold=0.05,
    ...                    batch_size=1)
    >>> out.rejected.tolist(), round(float(out.drift[1]), 4)  # the second step would pass 0.05
    ([False, True, True, True], 0.0299)
    """
    frozen = as_embeddings(embeddings, "embeddings")
    watched = None
    if drift_threshold is not None:
        if judged is None or not np.isfinite(drift_threshold) or drift_threshold < 0:
            raise ValueLearnInputError(
                "drift detection needs `judged` rows and a 'drift_threshold' >= 0; got "
                f"{drift_threshold!r}."
            )
        watched = np.asarray(judged, dtype=np.int64).ravel()
    if not (isinstance(batch_size, int) and batch_size >= 1):
        raise ValueLearnInputError(
            f"The 'batch_size' parameter of learn_stream must be an integer >= 1; got "
            f"{batch_size!r} instead."
        )
    current = frozen.copy() if start is None else as_embeddings(start, "start").copy()
    if current.shape != frozen.shape:
        raise ValueLearnInputError("`start` must have the shape of `embeddings`.")
    rejected = []
    for first in range(0, len(sentences), batch_size):
        batch = sentences[first : first + batch_size]
        proposal = associate(current, batch, rate=rate, anchor=anchor, frozen=frozen)
        bad = False
        if watched is not None and watched.size and drift_threshold is not None:
            bad = bool(np.max(cosine_drift(proposal[watched], frozen[watched])) > drift_threshold)
        rejected.append(bad)
        if not bad:
            current = proposal
    return StreamOutcome(current, np.array(rejected, dtype=bool), cosine_drift(current, frozen))


@dataclass(frozen=True)
class AttackCurve:
    """The target's similarity to the positive concepts and its value, against repetitions.

    Attributes
    ----------
    repetitions : int array, shape (n_points,)
        Attack sentences read so far.
    similarity : array, shape (n_points,)
        Cosine similarity of the target to the centroid of the positive concepts.
    value : array, shape (n_points,)
        The value model's prediction for the target.
    rejected_share : array, shape (n_points,)
        Share of batches the drift detector had rejected by then.
    """

    repetitions: NDArray[np.int64]
    similarity: Array
    value: Array
    rejected_share: Array


def attack_curve(
    embeddings: ArrayLike,
    value: Callable[[Array], ArrayLike],
    target: int,
    positives: ArrayLike,
    repetitions: ArrayLike,
    *,
    rate: float = 0.05,
    anchor: float = 0.0,
    judged: ArrayLike | None = None,
    drift_threshold: float | None = None,
    benign_per_attack: int = 0,
    words_per_sentence: int = 3,
    batch_size: int = 10,
    rng: RandomLike = None,
) -> AttackCurve:
    """Feed attack sentences (``target`` with positive concepts), each followed by
    ``benign_per_attack`` random sentences, and record the target after each checkpoint.

    Parameters
    ----------
    embeddings : array, shape (n_concepts, n_dims)
        The frozen representation the value model was fitted on.
    value : callable
        Maps embeddings (n, n_dims) to values (n,), e.g. a fitted
        :meth:`TextValueModel.predict_embeddings`.
    target : int
    positives : int array
        Rows of positively valued concepts the attack pairs with the target.
    repetitions : int array
        Checkpoints (attack sentences read), increasing; 0 records the start.
    rate, anchor, judged, drift_threshold, batch_size
        See :func:`learn_stream`.
    benign_per_attack : int
        Random sentences over all concepts after each attack sentence.
    words_per_sentence : int
    rng : Generator, int or None

    Returns
    -------
    AttackCurve
    """
    frozen = as_embeddings(embeddings, "embeddings")
    checkpoints = np.asarray(repetitions, dtype=np.int64).ravel()
    if checkpoints.size == 0 or checkpoints.min() < 0 or np.any(np.diff(checkpoints) <= 0):
        raise ValueLearnInputError("`repetitions` must be increasing non-negative counts.")
    pool = np.asarray(positives, dtype=np.int64).ravel()
    generator = as_generator(rng)
    current, done, n_batches, n_rejected = frozen.copy(), 0, 0, 0
    similarity, values, shares = [], [], []
    for checkpoint in checkpoints:
        stream: list[Sentence] = []
        for attack in attack_sentences(
            target,
            pool,
            int(checkpoint - done),
            words_per_sentence=words_per_sentence,
            rng=generator,
        ):
            stream.append(attack)
            stream.extend(
                random_sentences(
                    frozen.shape[0],
                    benign_per_attack,
                    words_per_sentence=words_per_sentence,
                    rng=generator,
                )
            )
        outcome = learn_stream(
            frozen,
            stream,
            rate=rate,
            anchor=anchor,
            judged=judged,
            drift_threshold=drift_threshold,
            batch_size=batch_size,
            start=current,
        )
        current, done = outcome.embeddings, int(checkpoint)
        n_batches += outcome.rejected.size
        n_rejected += int(outcome.rejected.sum())
        centroid = current[pool].mean(axis=0)
        similarity.append(float(1.0 - cosine_drift(current[[target]], centroid[None])[0]))
        values.append(float(np.asarray(value(current[[target]]), dtype=np.float64).ravel()[0]))
        shares.append(n_rejected / n_batches if n_batches else 0.0)
    return AttackCurve(checkpoints, np.array(similarity), np.array(values), np.array(shares))


def cosine_drift(current: ArrayLike, frozen: ArrayLike) -> Array:
    """``1 - cos(current_i, frozen_i)`` for each row.

    Examples
    --------
    >>> cosine_drift([[0.0, 2.0]], [[1.0, 0.0]]).tolist()
    [1.0]
    """
    a = np.asarray(current, dtype=np.float64)
    b = np.asarray(frozen, dtype=np.float64)
    norms = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    drift: Array = 1.0 - np.einsum("ij,ij->i", a, b) / np.maximum(norms, 1e-300)
    return drift


def _check_fraction(value: float, name: str, *, positive: bool) -> None:
    low_ok = value > 0 if positive else value >= 0
    if not (np.isfinite(value) and low_ok and value <= 1):
        interval = "(0, 1]" if positive else "[0, 1]"
        raise ValueLearnInputError(
            f"The '{name}' parameter of associate must be in {interval}; got {value!r} instead."
        )
