"""Active preference learning against a simulated person: ask, fit, record, repeat.

:func:`active_preference_curve` asks a person with known weights the comparison that a strategy of
:mod:`valuelearn.inference._preference_queries` picks from the current belief, draws their answer
from a pairwise model, refits the belief and records its mean weights after every answer, so that
strategies can be compared by the number of questions they need (e.g. to reach cosine 0.9 with the
true weights, or a small EPIC distance between the learned and the true reward of a world whose
items are trajectory segments).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import Comparisons, Items
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference._fitting import check_nonnegative
from valuelearn.inference._mcmc import hmc
from valuelearn.inference._preference_ensemble import BootstrapEnsemble
from valuelearn.inference._preference_laplace import PreferenceLaplace
from valuelearn.inference._preference_models import PairwiseModel, bradley_terry
from valuelearn.inference._preference_queries import (
    STRATEGIES,
    Strategy,
    check_pairs,
    choose_query,
)
from valuelearn.inference._preferences import PreferenceMAP

Array = NDArray[np.float64]
Belief = Literal["laplace", "hmc", "ensemble"]
BELIEFS: tuple[Belief, ...] = ("laplace", "hmc", "ensemble")


@dataclass(frozen=True, eq=False)
class ActivePreferenceCurve:
    """The questions asked, the answers received and the weights estimated after each answer.

    Attributes
    ----------
    pairs : array of int, shape (n_queries, 2)
        The items ``(a, b)`` of each question, in the order asked.
    outcomes : array of int, shape (n_queries,)
        The answers: 0 = a, 1 = b, 2 = equal.
    weights : array, shape (n_queries + 1, n_features)
        The belief's mean weights before the first question (the prior mean, 0) and after each
        answer.
    true_weights : array, shape (n_features,)
    strategy : str
    belief : str
    """

    pairs: NDArray[np.int64]
    outcomes: NDArray[np.int64]
    weights: Array
    true_weights: Array
    strategy: Strategy
    belief: Belief

    @property
    def cosine(self) -> Array:
        """Cosine between each estimate and the true weights, shape (n_queries + 1,).

        An all-zero estimate (the prior mean) counts as 0.
        """
        norms = np.linalg.norm(self.weights, axis=1) * np.linalg.norm(self.true_weights)
        dots = self.weights @ self.true_weights
        return np.asarray(np.where(norms > 0, dots / np.where(norms > 0, norms, 1.0), 0.0))


def active_preference_curve(
    items: Items,
    true_weights: ArrayLike,
    *,
    n_queries: int,
    strategy: Strategy = "mutual-information",
    model: PairwiseModel | None = None,
    pairs: ArrayLike | None = None,
    belief: Belief = "laplace",
    n_samples: int = 100,
    prior_scale: float = 1.0,
    ask_once: bool = False,
    rng: RandomLike = None,
) -> ActivePreferenceCurve:
    """Ask a simulated person ``n_queries`` comparisons chosen by ``strategy``.

    The person's utilities are ``items.features @ true_weights`` and their answers are drawn from
    ``model``. Before each question the belief over the weights (prior ``N(0, prior_scale**2 I)``)
    is summarised by ``n_samples`` draws: the Laplace posterior of :class:`PreferenceLaplace`
    (``"laplace"``), an HMC chain on :meth:`PreferenceProblem.log_density` (``"hmc"``, as many
    burn-in steps as draws, started at the previous mean), or the members of a
    :class:`BootstrapEnsemble` of MAP fits (``"ensemble"``); :func:`choose_query` picks the pair.

    Parameters
    ----------
    items : Items
        Items with features (e.g. :meth:`Items.from_segments` for trajectory segments).
    true_weights : array, shape (n_features,)
    n_queries : int
    strategy : {"mutual-information", "volume-removal", "disagreement", "thompson", "random"}
    model : PairwiseModel, optional
        The person's answer model, also the learner's likelihood (Bradley–Terry by default).
    pairs : array of int, shape (n_pairs, 2), optional
        Candidate questions (item positions); all pairs of items by default.
    belief : {"laplace", "hmc", "ensemble"}
    n_samples : int
        Draws (or ensemble members) per belief.
    prior_scale : float
    ask_once : bool
        Never ask the same candidate twice.
    rng : Generator, int or None
        Seeds the person's answers and, separately, the belief and the strategy.

    Returns
    -------
    ActivePreferenceCurve

    References
    ----------
    Sadigh, Dragan, Sastry & Seshia (2017), "Active preference-based learning of reward
    functions", RSS (simulated people; alignment measured by the cosine with the true weights);
    Bıyık, Talati & Sadigh (2022), "APReL", HRI (the same loop over a discrete query set).

    Examples
    --------
    >>> features = np.random.default_rng(0).normal(size=(20, 3))
    >>> items = Items([str(i) for i in range(20)], features=features)
    >>> curve = active_preference_curve(items, [2.0, -1.0, 1.0], n_queries=15, rng=0)
    >>> curve.weights.shape, bool(curve.cosine[-1] > 0.8)
    ((16, 3), True)
    """
    features = _item_features(items)
    truth = np.asarray(true_weights, dtype=np.float64)
    if truth.shape != (features.shape[1],) or not np.all(np.isfinite(truth)):
        raise ValueLearnInputError(
            f"The 'true_weights' parameter of active_preference_curve must be {features.shape[1]} "
            f"finite numbers (one per feature); got shape {truth.shape} instead."
        )
    table = _candidate_pairs(pairs, features.shape[0])
    _check_loop(strategy, belief, n_queries, n_samples, table.shape[0] if ask_once else None)
    scale = check_nonnegative(prior_scale, "prior_scale", "active_preference_curve", strict=True)
    model = model if model is not None else bradley_terry()
    person, learner = as_generator(rng).spawn(2)
    true_utilities = features @ truth
    draws = learner.normal(scale=scale, size=(n_samples, features.shape[1]))
    fitter = _Belief(items, model, scale, belief, n_samples)
    estimates = [np.zeros(features.shape[1])]
    asked: list[int] = []
    outcomes: list[int] = []
    for _ in range(n_queries):
        index = choose_query(
            draws @ features.T, table, strategy=strategy, model=model, rng=learner,
            exclude=asked if ask_once else (),
        )  # fmt: skip
        a, b = table[index]
        asked.append(index)
        outcomes.append(int(model.sample(true_utilities[a] - true_utilities[b], person)))
        answers = Comparisons.from_outcomes(items, table[asked, 0], table[asked, 1], outcomes)
        draws, mean = fitter.draw(answers, estimates[-1], learner)
        estimates.append(mean)
    return ActivePreferenceCurve(
        table[asked].reshape(-1, 2),
        np.asarray(outcomes, dtype=np.int64),
        np.asarray(estimates),
        truth,
        strategy,
        belief,
    )


@dataclass(frozen=True)
class _Belief:
    """Draws of the weights given the answers so far, and their mean."""

    items: Items
    model: PairwiseModel
    prior_scale: float
    kind: Belief
    n_samples: int

    def draw(
        self, answers: Comparisons, start: Array, rng: np.random.Generator
    ) -> tuple[Array, Array]:
        model, scale = self.model, self.prior_scale
        if self.kind == "laplace":
            laplace = PreferenceLaplace(comparison_model=model, utility="linear", prior_scale=scale)
            laplace.fit(answers, items=self.items)
            k = laplace.weights_.size
            draws = rng.multivariate_normal(
                laplace.weights_, laplace.covariance_[:k, :k], size=self.n_samples, method="eigh"
            )
            return draws, laplace.weights_
        estimator = PreferenceMAP(comparison_model=model, utility="linear", prior_scale=scale)
        if self.kind == "ensemble":
            ensemble = BootstrapEnsemble(estimator, n_members=self.n_samples, random_state=rng)
            ensemble.fit(answers, items=self.items)
            draws = np.array([member.weights_ for member in ensemble.members_])
            return draws, draws.mean(axis=0)
        problem = estimator.build_problem(answers, None, None, self.items)
        chain = hmc(
            problem.log_density, start, n_samples=self.n_samples, burn_in=self.n_samples,
            n_leapfrog=10, rng=rng,
        )  # fmt: skip
        return chain.samples, chain.samples.mean(axis=0)


def _item_features(items: Items) -> Array:
    if not isinstance(items, Items) or items.features is None or items.n_items < 2:
        raise ValueLearnInputError(
            "The 'items' parameter of active_preference_curve must be Items with features and "
            f"at least two items; got {items!r:.80} instead."
        )
    return items.features


def _candidate_pairs(pairs: ArrayLike | None, n_items: int) -> NDArray[np.int64]:
    if pairs is None:
        first, second = np.triu_indices(n_items, k=1)
        return np.stack([first, second], axis=1).astype(np.int64)
    return check_pairs(pairs, n_items, "active_preference_curve")


def _check_loop(
    strategy: str, belief: str, n_queries: int, n_samples: int, limit: int | None
) -> None:
    owner = "active_preference_curve"
    if strategy not in STRATEGIES or belief not in BELIEFS:
        name, value, options = (
            ("strategy", strategy, STRATEGIES)
            if strategy not in STRATEGIES
            else ("belief", belief, BELIEFS)
        )
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be one of {list(options)}; got {value!r} "
            "instead."
        )
    for label, number, low, high in (
        ("n_queries", n_queries, 0, limit),
        ("n_samples", n_samples, 2, None),
    ):
        whole = isinstance(number, int | np.integer) and not isinstance(number, bool)
        if not whole or number < low or (high is not None and number > high):
            bound = f" and at most {high} (ask_once: one per candidate pair)" if high else ""
            raise ValueLearnInputError(
                f"The '{label}' parameter of {owner} must be an integer >= {low}{bound}; got "
                f"{number!r} instead."
            )
