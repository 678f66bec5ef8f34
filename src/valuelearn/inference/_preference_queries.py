"""Active preference queries: which pair to ask about next, given a belief over the weights.

A belief is a set of ``M`` equally weighted draws of the items' utilities (posterior draws from
:meth:`PreferenceLaplace.sample_utilities`, an HMC chain on :meth:`PreferenceProblem.log_density`,
or the members of a :class:`BootstrapEnsemble`). Every draw ``m`` predicts the probabilities
``p_mq`` of the answers ``q`` (a, b, equal) to every candidate pair (:func:`answer_probabilities`),
and the acquisition functions score the pairs from them: :func:`mutual_information`,
:func:`volume_removal` and :func:`disagreement`; :func:`thompson` and :func:`random_query` pick a
pair directly. :func:`choose_query` applies any of the five;
:func:`~valuelearn.inference.active_preference_curve` runs the question-answer loop against a
simulated person.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy.special import xlogy

from valuelearn._random import RandomLike, as_generator
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference._preference_models import PairwiseModel, bradley_terry

Array = NDArray[np.float64]
Strategy = Literal["mutual-information", "volume-removal", "disagreement", "thompson", "random"]
STRATEGIES: tuple[Strategy, ...] = (
    "mutual-information",
    "volume-removal",
    "disagreement",
    "thompson",
    "random",
)


def answer_probabilities(
    utilities: ArrayLike, pairs: ArrayLike, model: PairwiseModel | None = None
) -> Array:
    """Each draw's probabilities of the answers to each pair, shape (n_draws, n_pairs, 3).

    Parameters
    ----------
    utilities : array, shape (n_draws, n_items)
        The items' utilities under each draw of the belief.
    pairs : array of int, shape (n_pairs, 2)
        Candidate questions ``(a, b)`` as item positions.
    model : PairwiseModel, optional
        Bradley–Terry without noise by default.

    Returns
    -------
    array, shape (n_draws, n_pairs, 3)
        ``p_mq`` for the answers "a", "b", "equal" (0 for "equal" under a strict model).

    Examples
    --------
    >>> answer_probabilities([[np.log(3.0), 0.0]], [[0, 1]]).round(2).tolist()
    [[[0.75, 0.25, 0.0]]]
    """
    u = _utilities(utilities, "answer_probabilities")
    a, b = check_pairs(pairs, u.shape[1], "answer_probabilities").T
    return (model if model is not None else bradley_terry()).probabilities(u[:, a] - u[:, b])


def mutual_information(probabilities: ArrayLike) -> Array:
    """Mutual information in bits between the answer to each pair and the weights.

    With ``M`` equally weighted draws,
    ``I = (1 / M) sum_m sum_q p_mq log2(M p_mq / sum_m' p_m'q) = H(pbar) - mean_m H(p_m)``
    with ``pbar_q = mean_m p_mq``: the uncertainty about the answer less the part that remains
    when the weights are known. It is 0 when every draw predicts the same probabilities and at
    most ``log2(n_outcomes)``, e.g. 1 bit for a strict comparison on which half the draws are sure
    of "a" and half of "b"; a coin flip for every draw (two identical items) scores 0.

    Parameters
    ----------
    probabilities : array, shape (n_draws, n_pairs, n_outcomes)
        From :func:`answer_probabilities`.

    Returns
    -------
    array, shape (n_pairs,)

    References
    ----------
    Bıyık, Palan, Landolfi, Losey & Sadigh (2019), "Asking easy questions: a user-friendly
    approach to active reward learning", CoRL, arXiv:1910.04365 (information gain); the sample form
    above is APReL's ``mutual_information`` (Bıyık, Talati & Sadigh 2022, HRI,
    ``aprel/querying/acquisition_functions.py``); Houlsby, Huszár, Ghahramani & Lengyel (2011),
    "Bayesian active learning for classification and preference learning", arXiv:1112.5745
    (BALD, the entropy difference).

    Examples
    --------
    >>> split = [[[1.0, 0.0]], [[0.0, 1.0]]]  # two draws, one pair: sure of "a", sure of "b"
    >>> agree = [[[0.5, 0.5]], [[0.5, 0.5]]]
    >>> mutual_information(split).tolist(), mutual_information(agree).tolist()
    ([1.0], [0.0])
    """
    p = _probabilities(probabilities, "mutual_information")
    gain = _entropy_bits(p.mean(axis=0)) - _entropy_bits(p).mean(axis=0)
    return np.asarray(np.clip(gain, 0.0, None), dtype=np.float64)


def volume_removal(
    probabilities: ArrayLike, *, form: Literal["expected", "worst-case"] = "expected"
) -> Array:
    """Volume removed from the unnormalised belief by the answer to each pair.

    Answer ``q`` multiplies the unnormalised belief by ``p_q(w)``, leaving the volume
    ``pbar_q = mean_m p_mq`` and removing ``1 - pbar_q``. ``form="expected"`` averages over the
    predicted answer: ``sum_q pbar_q (1 - pbar_q) = 1 - sum_q pbar_q**2``; ``"worst-case"`` is
    Sadigh et al.'s ``min(E[1 - f_psi(w)], E[1 - f_-psi(w)])``, i.e. ``min_q (1 - pbar_q)`` over
    the answers. For strict comparisons both increase with ``min(pbar_a, pbar_b)``, so they rank
    pairs alike. Neither asks whether the draws disagree: a pair that is a coin flip for every draw
    (two identical items) scores the maximum while teaching nothing (Bıyık et al. 2019); prefer
    :func:`mutual_information`. APReL's ``volume_removal`` returns the volume left,
    ``sum_q pbar_q**2``; here, as for every score, larger is better.

    Parameters
    ----------
    probabilities : array, shape (n_draws, n_pairs, n_outcomes)
    form : {"expected", "worst-case"}

    Returns
    -------
    array, shape (n_pairs,)

    References
    ----------
    Sadigh, Dragan, Sastry & Seshia (2017), "Active preference-based learning of reward
    functions", RSS (``max_psi min(E[1 - f_psi], E[1 - f_-psi])``); Bıyık, Lazar, Pedarsani &
    Sadigh (2019), "The green choice", CDC, arXiv:1904.02209 (the expected form, as in APReL);
    Bıyık et al. (2019), arXiv:1910.04365 (its trivial maximisers).

    Examples
    --------
    >>> p = [[[0.9, 0.1]], [[0.5, 0.5]]]  # pbar = (0.7, 0.3)
    >>> volume_removal(p).round(2).tolist(), volume_removal(p, form="worst-case").round(2).tolist()
    ([0.42], [0.3])
    """
    p = _probabilities(probabilities, "volume_removal")
    mean = p.mean(axis=0)
    if form == "expected":
        return np.asarray(1.0 - np.sum(mean**2, axis=-1), dtype=np.float64)
    if form == "worst-case":
        return np.asarray(1.0 - np.max(mean, axis=-1), dtype=np.float64)
    raise ValueLearnInputError(
        f"The 'form' parameter of volume_removal must be 'expected' or 'worst-case'; got {form!r} "
        "instead."
    )


def disagreement(probabilities: ArrayLike) -> Array:
    """How much the draws disagree about each pair: the variance of their predicted answers.

    ``D = (1 / 2) sum_q Var_m(p_mq)`` (population variance over the draws), which for a strict
    comparison is ``Var_m p_m(a)``: 0 when the draws agree, at most 1/4 (half sure of "a", half of
    "b"). With ensemble members as the draws it is Christiano et al.'s query rule. (APReL's
    ``disagreement``, after Katz et al. 2019, scores pairs of weight draws for a trajectory
    planner rather than candidate pairs.)

    Parameters
    ----------
    probabilities : array, shape (n_draws, n_pairs, n_outcomes)

    Returns
    -------
    array, shape (n_pairs,)

    References
    ----------
    Christiano, Leike, Brown, Martic, Legg & Amodei (2017), "Deep reinforcement learning from
    human preferences", NeurIPS, section 2.2.4 (the highest variance across ensemble members).

    Examples
    --------
    >>> disagreement([[[1.0, 0.0]], [[0.0, 1.0]]]).tolist()
    [0.25]
    """
    p = _probabilities(probabilities, "disagreement")
    return np.asarray(0.5 * p.var(axis=0).sum(axis=-1), dtype=np.float64)


def thompson(
    utilities: ArrayLike, pairs: ArrayLike, *, rng: RandomLike = None, exclude: ArrayLike = ()
) -> int:
    """Thompson sampling: the candidate pair that is best for two draws of the belief.

    Each draw ``m`` has a best item ``i_m`` among the candidates' items. A first draw ``m1`` is
    picked uniformly, then ``m2`` uniformly among the draws whose best item differs (so the two
    items are picked without replacement with probabilities proportional to how many draws
    plan them, as in APReL), and the pair maximising
    ``max(u_m1[a] + u_m2[b], u_m1[b] + u_m2[a])`` is returned: ``(i_m1, i_m2)`` itself when it is
    a candidate. When all draws share their best item it is paired with a uniformly random other
    candidate (APReL fills the query at random).

    Parameters
    ----------
    utilities : array, shape (n_draws, n_items)
    pairs : array of int, shape (n_pairs, 2)
    rng : Generator, int or None
    exclude : array of int
        Positions in ``pairs`` never to return.

    Returns
    -------
    int
        A position in ``pairs``.

    References
    ----------
    Tucker, Novoseller, Kann, Sui, Yue, Burdick & Ames (2020), "Preference-based learning for
    exoskeleton gait optimization", ICRA, arXiv:1909.12316 (CoSpar: query the optima of posterior
    draws); Sui, Zhuang, Burdick & Yue (2017), "Multi-dueling bandits with dependent arms", UAI
    (self-sparring); APReL's ``QueryOptimizerDiscreteTrajectorySet`` (Bıyık et al. 2022).

    Examples
    --------
    >>> draws = [[3.0, 0.0, 1.0, 2.0], [0.0, 3.0, 1.0, 2.0]]  # best items 0 and 1
    >>> pairs = [[0, 1], [0, 2], [2, 3], [1, 3]]
    >>> thompson(draws, pairs, rng=0)
    0
    """
    u = _utilities(utilities, "thompson")
    table = check_pairs(pairs, u.shape[1], "thompson")
    allowed = _allowed(table.shape[0], exclude, "thompson")
    generator = as_generator(rng)
    candidates = np.unique(table[allowed])
    best = candidates[np.argmax(u[:, candidates], axis=1)]
    first = int(generator.integers(u.shape[0]))
    others = np.flatnonzero(best != best[first])
    a, b = table[allowed].T
    if others.size == 0:
        with_best = allowed[(a == best[first]) | (b == best[first])]
        return int(generator.choice(with_best))
    second = int(generator.choice(others))
    joint = np.maximum(u[first, a] + u[second, b], u[first, b] + u[second, a])
    return int(allowed[np.argmax(joint)])


def random_query(n_pairs: int, *, rng: RandomLike = None, exclude: ArrayLike = ()) -> int:
    """A uniformly random position in ``range(n_pairs)`` outside ``exclude`` (the baseline).

    Examples
    --------
    >>> random_query(3, rng=0, exclude=[0, 2])
    1
    """
    allowed = _allowed(n_pairs, exclude, "random_query")
    return int(as_generator(rng).choice(allowed))


_SCORES = {
    "mutual-information": mutual_information,
    "volume-removal": volume_removal,
    "disagreement": disagreement,
}


def choose_query(
    utilities: ArrayLike,
    pairs: ArrayLike,
    *,
    strategy: Strategy = "mutual-information",
    model: PairwiseModel | None = None,
    rng: RandomLike = None,
    exclude: ArrayLike = (),
) -> int:
    """The position in ``pairs`` of the next question under ``strategy``.

    ``"mutual-information"``, ``"volume-removal"`` (expected form) and ``"disagreement"`` return
    the highest-scoring pair (ties to the lower position); ``"thompson"`` and ``"random"`` draw one
    from ``rng``.

    Parameters
    ----------
    utilities : array, shape (n_draws, n_items)
        Draws of the items' utilities from the current belief.
    pairs : array of int, shape (n_pairs, 2)
    strategy : {"mutual-information", "volume-removal", "disagreement", "thompson", "random"}
    model : PairwiseModel, optional
        The person's answer model (Bradley–Terry by default).
    rng : Generator, int or None
    exclude : array of int
        Positions in ``pairs`` never to return (e.g. those already asked).

    Returns
    -------
    int

    Examples
    --------
    >>> draws = [[1.0, 0.0, 0.0], [-1.0, 0.0, 0.0]]  # item 0 is uncertain, 1 and 2 are known
    >>> choose_query(draws, [[1, 2], [0, 1]], strategy="mutual-information")
    1
    """
    if strategy in _SCORES:
        u = _utilities(utilities, "choose_query")
        table = check_pairs(pairs, u.shape[1], "choose_query")
        allowed = _allowed(table.shape[0], exclude, "choose_query")
        scores = _SCORES[strategy](answer_probabilities(u, table[allowed], model))
        return int(allowed[np.argmax(scores)])
    if strategy == "thompson":
        return thompson(utilities, pairs, rng=rng, exclude=exclude)
    if strategy == "random":
        n_pairs = check_pairs(pairs, None, "choose_query").shape[0]
        return random_query(n_pairs, rng=rng, exclude=exclude)
    raise ValueLearnInputError(
        f"The 'strategy' parameter of choose_query must be one of {list(STRATEGIES)}; got "
        f"{strategy!r} instead."
    )


# ---------------------------------------------------------------------- validation
def _utilities(values: ArrayLike, owner: str) -> Array:
    u = np.asarray(values, dtype=np.float64)
    if u.ndim != 2 or u.shape[0] == 0 or not np.all(np.isfinite(u)):
        raise ValueLearnInputError(
            f"The 'utilities' parameter of {owner} must be a finite array of shape (n_draws, "
            f"n_items) with at least one draw; got shape {u.shape} instead."
        )
    return u


def check_pairs(values: ArrayLike, n_items: int | None, owner: str) -> NDArray[np.int64]:
    """Candidate pairs as an (n_pairs, 2) int array of two different positions below n_items."""
    table = np.asarray(values)
    ok = table.ndim == 2 and table.shape[1] == 2 and table.shape[0] > 0
    ok = ok and table.dtype.kind in "iu" and bool(np.all(table[:, 0] != table[:, 1]))
    if ok and n_items is not None:
        ok = bool(table.min() >= 0 and table.max() < n_items)
    if not ok:
        bound = f" in [0, {n_items})" if n_items is not None else ""
        raise ValueLearnInputError(
            f"The 'pairs' parameter of {owner} must be a non-empty int array of shape (n_pairs, "
            f"2) of two different item positions{bound}; got {table.tolist()!r:.80} instead."
        )
    return table.astype(np.int64)


def _probabilities(values: ArrayLike, owner: str) -> Array:
    p = np.asarray(values, dtype=np.float64)
    if p.ndim != 3 or p.shape[0] == 0 or not np.all((p >= 0) & (p <= 1)):
        raise ValueLearnInputError(
            f"The 'probabilities' parameter of {owner} must be probabilities of shape (n_draws, "
            f"n_pairs, n_outcomes); got shape {p.shape} instead."
        )
    return p


def _allowed(n_pairs: int, exclude: ArrayLike, owner: str) -> NDArray[np.int64]:
    drop = np.asarray(exclude, dtype=np.int64).ravel()
    allowed = np.setdiff1d(np.arange(n_pairs), drop)
    if allowed.size == 0:
        raise ValueLearnInputError(f"{owner}: every one of the {n_pairs} pairs is excluded.")
    return allowed


def _entropy_bits(p: Array) -> Array:
    return np.asarray(-np.sum(xlogy(p, p), axis=-1) / np.log(2.0), dtype=np.float64)
