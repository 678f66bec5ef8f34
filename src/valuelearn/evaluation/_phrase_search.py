"""Greedy search for phrases a learned value model likes, and the human value of what it finds.

Base distribution: a phrase of ``length`` words drawn uniformly and independently from a
vocabulary. Greedy search with pressure ``m`` builds the phrase word by word, each time drawing
``m`` candidate words and keeping the one whose extended phrase the *proxy* (the learned value
model) scores highest. Each step is a best-of-``m`` choice given the words so far, so by the chain
rule of KL divergence the search's ``KL`` from the base distribution is at most
``length * (log m - (m - 1) / m)`` (equal when the proxy has no ties over a large vocabulary).
The *gold* value of a phrase is the mean held-out human value of its words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.evaluation._overoptimization import best_of_n_kl
from valuelearn.exceptions import ValueLearnInputError

Array = NDArray[np.float64]
Proxy = Callable[[list[str]], ArrayLike]


@dataclass(frozen=True)
class PhraseSearch:
    """Phrases found by greedy search at one pressure.

    Attributes
    ----------
    n_candidates : int
        Candidate words per step (the pressure ``m``).
    kl : float
        ``length * best_of_n_kl(m)``, nats (an upper bound; see the module docstring).
    phrases : tuple of str
        One phrase per search (words joined by spaces).
    words : int array, shape (n_searches, length)
        Vocabulary indices of each phrase's words.
    proxy, gold : arrays, shape (n_searches,)
        Proxy score and gold value of each phrase.
    """

    n_candidates: int
    kl: float
    phrases: tuple[str, ...]
    words: NDArray[np.int64]
    proxy: Array
    gold: Array


def greedy_phrase_search(
    vocabulary: Sequence[str],
    gold: ArrayLike,
    proxy: Proxy,
    *,
    length: int,
    n_candidates: int,
    n_searches: int,
    rng: RandomLike = None,
) -> PhraseSearch:
    """Run ``n_searches`` independent greedy searches with ``n_candidates`` words per step.

    Parameters
    ----------
    vocabulary : sequence of str, length n_words
    gold : array, shape (n_words,)
        Held-out human value of each word; a phrase's gold value is the mean over its words.
    proxy : callable
        Scores a list of phrases (the learned value model's ``predict``).
    length : int
        Words per phrase.
    n_candidates : int
        Candidates per step, >= 1 (1 is the base distribution).
    n_searches : int
    rng : Generator, int or None

    Returns
    -------
    PhraseSearch

    References
    ----------
    Gao, Schulman & Hilton (2023), "Scaling laws for reward model overoptimization", ICML,
    arXiv:2210.10760 (proxy and gold against optimisation pressure); Cover & Thomas (2006),
    Elements of Information Theory, theorem 2.5.3 (chain rule for relative entropy).

    Examples
    --------
    >>> words = ["bad", "dull", "fine", "good", "great"]
    >>> score = {"bad": -2.0, "dull": -1.0, "fine": 0.5, "good": 2.0, "great": 3.0}
    >>> proxy = lambda phrases: [sum(score[w] for w in p.split()) for p in phrases]
    >>> found = greedy_phrase_search(words, [-2, -1, 0, 2, 3], proxy, length=2,
    ...                              n_candidates=5, n_searches=3, rng=0)
    >>> round(found.kl, 4), float(found.gold.min()) > 0
    (1.6189, True)
    """
    names = list(vocabulary)
    values = np.asarray(gold, dtype=np.float64)
    if not names or values.shape != (len(names),) or not np.all(np.isfinite(values)):
        raise ValueLearnInputError(
            f"`gold` must hold one finite value per vocabulary word ({len(names)}); got shape "
            f"{values.shape}."
        )
    for label, count in (("length", length), ("n_candidates", n_candidates)):
        if not (isinstance(count, int) and count >= 1):
            raise ValueLearnInputError(
                f"The '{label}' parameter of greedy_phrase_search must be an integer >= 1; got "
                f"{count!r} instead."
            )
    if not (isinstance(n_searches, int) and n_searches >= 1):
        raise ValueLearnInputError(
            "The 'n_searches' parameter of greedy_phrase_search must be an integer >= 1; got "
            f"{n_searches!r} instead."
        )
    generator = as_generator(rng)
    chosen = np.zeros((n_searches, length), dtype=np.int64)
    prefixes = [""] * n_searches
    scores = np.zeros(n_searches)
    for step in range(length):
        candidates = generator.integers(0, len(names), size=(n_searches, n_candidates))
        texts = [
            f"{prefixes[s]} {names[c]}".strip() for s in range(n_searches) for c in candidates[s]
        ]
        if n_candidates == 1:
            best = np.zeros(n_searches, dtype=np.int64)
            step_scores = None
        else:
            step_scores = np.asarray(proxy(texts), dtype=np.float64).reshape(
                n_searches, n_candidates
            )
            best = np.argmax(step_scores, axis=1)
        chosen[:, step] = candidates[np.arange(n_searches), best]
        prefixes = [texts[s * n_candidates + best[s]] for s in range(n_searches)]
        if step_scores is not None:
            scores = step_scores[np.arange(n_searches), best]
    if n_candidates == 1:
        scores = np.asarray(proxy(prefixes), dtype=np.float64).reshape(n_searches)
    return PhraseSearch(
        n_candidates=n_candidates,
        kl=float(length * best_of_n_kl(n_candidates)),
        phrases=tuple(prefixes),
        words=chosen,
        proxy=scores,
        gold=values[chosen].mean(axis=1),
    )
