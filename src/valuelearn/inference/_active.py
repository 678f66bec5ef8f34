"""Active reward learning: ask the person what they would do where the posterior disagrees most.

Lopes, Melo & Montesano (2009) choose the next state to ask about from a posterior over rewards:
the sampled rewards predict a distribution of action probabilities ``pi(a | s)`` at every state,
and the state whose predictions disagree most (the highest mean entropy of their histograms) is
asked. :func:`action_entropy` is the score, :func:`choose_questions` applies it to a
:class:`RewardPosterior`, and :func:`active_learning_curve` runs the question-answer loop against a
simulated person with :class:`BayesianIRL`, recording the posterior-mean reward after every answer
(evaluate it with :func:`valuelearn.evaluation.epic_distance`).
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations, action_counts
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import HumanModel
from valuelearn.inference._birl import BayesianIRL
from valuelearn.inference._posterior import RewardPosterior

Strategy = Literal["entropy", "random"]

#: Probabilities this close below a bin edge (times ``n_bins``) count in the bin above: tied action
#: values (two moves into the same wall) give ``pi = 0.5`` only up to round-off.
EDGE_TOLERANCE = 1e-9


def action_entropy(policies: ArrayLike, *, n_bins: int = 10) -> NDArray[np.float64]:
    """Mean entropy over actions of the histogram of sampled ``pi(a | s)``, per state.

    For every state ``s`` and action ``a`` the draws' probabilities ``pi_i(a | s)`` are counted
    in ``n_bins`` equal bins on ``[0, 1]`` (the last bin closed; a value within round-off below an
    edge counts above it), giving frequencies ``mu_k``; the score is
    ``H(s) = (1 / n_actions) sum_a -sum_k mu_k log mu_k`` (nats). It is 0 where every draw predicts
    the same behaviour and at most ``log(n_bins)``.

    Parameters
    ----------
    policies : array, shape (n_draws, n_states, n_actions)
        ``pi_i(a | s)`` of each posterior draw (e.g. :meth:`RewardPosterior.policies`).
    n_bins : int
        Number of bins of each histogram.

    Returns
    -------
    array, shape (n_states,)

    Raises
    ------
    ValueLearnInputError
        If ``policies`` is not a 3-d array of probabilities or ``n_bins`` is not a positive int.

    References
    ----------
    Lopes, Melo & Montesano (2009), "Active learning for reward estimation in inverse
    reinforcement learning", ECML PKDD (the mean entropy of discretised ``pi(a | s)``).

    Examples
    --------
    >>> agree = [[[0.5, 0.5]], [[0.5, 0.5]]]  # two draws, one state, two actions
    >>> disagree = [[[0.05, 0.95]], [[0.95, 0.05]]]
    >>> action_entropy(agree).tolist(), action_entropy(disagree).round(4).tolist()  # 0, log 2
    ([0.0], [0.6931])
    """
    values = np.asarray(policies, dtype=np.float64)
    if values.ndim != 3 or values.shape[0] == 0 or not np.all((values >= 0) & (values <= 1)):
        raise ValueLearnInputError(
            "The 'policies' parameter of action_entropy must be probabilities of shape (n_draws, "
            f"n_states, n_actions); got shape {values.shape} instead."
        )
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 1:
        raise ValueLearnInputError(
            f"The 'n_bins' parameter of action_entropy must be a positive integer; got {n_bins!r} "
            "instead."
        )
    bins = np.clip(np.floor(values * n_bins + EDGE_TOLERANCE), 0, n_bins - 1).astype(np.int64)
    n_draws, n_states, n_actions = values.shape
    cells = np.arange(n_states * n_actions).reshape(n_states, n_actions)
    flat = (cells[None] * n_bins + bins).ravel()
    counts = np.bincount(flat, minlength=n_states * n_actions * n_bins)
    frequencies = counts.reshape(n_states, n_actions, n_bins) / n_draws
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(frequencies > 0, -frequencies * np.log(frequencies), 0.0)
    return np.asarray(terms.sum(axis=2).mean(axis=1), dtype=np.float64)


def choose_questions(
    posterior: RewardPosterior,
    mdp: MDP,
    *,
    n: int = 1,
    n_draws: int = 200,
    n_bins: int = 10,
    exclude: ArrayLike | None = None,
    rng: RandomLike = None,
) -> NDArray[np.int64]:
    """The ``n`` states whose predicted behaviour the posterior is least sure of, best first.

    Scores :func:`action_entropy` on the policies of ``n_draws`` evenly spaced posterior draws;
    ties go to the lower state index, or to a random one when ``rng`` is given (a posterior whose
    draws all agree scores every state 0).

    Parameters
    ----------
    posterior : RewardPosterior
    mdp : MDP
        The world the posterior was fitted in.
    n : int
        Number of states to return.
    n_draws : int
        Posterior draws used (all of them if fewer).
    n_bins : int
        See :func:`action_entropy`.
    exclude : array of int, optional
        States never to ask about (e.g. those already asked).
    rng : Generator, int or None, optional
        Breaks ties at random; ``None`` breaks them by state index.

    Returns
    -------
    array of int, shape (n,)

    Raises
    ------
    ValueLearnInputError
        If ``n`` is not a positive int or fewer than ``n`` states remain after ``exclude``.

    References
    ----------
    Lopes, Melo & Montesano (2009), ECML PKDD (query the state of highest mean entropy).

    Examples
    --------
    >>> from valuelearn.data import feature_gridworld
    >>> mdp = feature_gridworld(3, n_features=2, kind="gaussian", discount=0.9, rng=0)
    >>> counts = np.zeros((9, 4)); counts[4, 3] = 5  # five times "right" in the centre
    >>> birl = BayesianIRL(beta=5.0, n_samples=500, random_state=0)
    >>> birl = birl.fit_counts(mdp, counts, discount=0.9)
    >>> choose_questions(birl.posterior_, mdp, n=2, exclude=[4]).shape
    (2,)
    """
    scores = action_entropy(_draw_policies(posterior, mdp, n_draws), n_bins=n_bins)
    excluded = _excluded(exclude, mdp.n_states)
    return _top_states(scores, n, excluded, None if rng is None else as_generator(rng))


@dataclass(frozen=True, eq=False)
class ActiveLearningCurve:
    """The questions asked, the answers received, and the reward learned after each answer.

    Attributes
    ----------
    states : array of int, shape (n_questions,)
        The state asked about in each round.
    actions : array of int, shape (n_questions,)
        The person's answer (the action they chose there).
    rewards : array, shape (n_questions + 1, n_states)
        Posterior-mean state reward before the first question (from the initial demonstrations,
        or the prior alone) and after each answer.
    counts : array, shape (n_states, n_actions)
        All state-action counts at the end (initial demonstrations plus answers).
    strategy : {"entropy", "random"}
    """

    states: NDArray[np.int64]
    actions: NDArray[np.int64]
    rewards: NDArray[np.float64]
    counts: NDArray[np.float64]
    strategy: Strategy


def active_learning_curve(
    mdp: MDP,
    person: HumanModel | ArrayLike,
    *,
    n_questions: int,
    reward: ArrayLike | None = None,
    learner: BayesianIRL | None = None,
    strategy: Strategy = "entropy",
    initial_demonstrations: Demonstrations | None = None,
    ask_once: bool = False,
    n_draws: int = 200,
    warm_start: bool = False,
    discount: float | None = None,
    rng: RandomLike = None,
) -> ActiveLearningCurve:
    """Ask a simulated person ``n_questions`` questions "what would you do in state ``s``?".

    Every round fits ``learner`` to the counts so far (:meth:`BayesianIRL.fit_counts`), chooses a
    state (``"entropy"``: :func:`choose_questions`; ``"random"``: uniformly), draws the person's
    action there from their policy, and adds it to the counts. The posterior-mean reward of every
    fit is recorded, so the two strategies can be compared at equal numbers of questions.

    Parameters
    ----------
    mdp : MDP
    person : HumanModel or array, shape (n_states, n_actions)
        The person's stationary policy, or a human model whose ``policy(mdp, reward,
        horizon=None, discount=discount)`` gives it (then ``reward`` is required).
    n_questions : int
        Number of questions (rounds).
    reward : array, shape (n_states,), optional
        The person's true reward, for a ``HumanModel`` person.
    learner : BayesianIRL, optional
        Copied every round with a fresh ``random_state`` drawn from ``rng`` (default
        ``BayesianIRL(n_samples=1000, burn_in=1000)``).
    strategy : {"entropy", "random"}
    initial_demonstrations : Demonstrations, optional
        Behaviour seen before the first question.
    ask_once : bool
        Never ask about the same state twice (the person's answers are noisy, so repeats are
        allowed by default).
    n_draws : int
        Posterior draws scored by the entropy strategy.
    warm_start : bool
        Start each round's chain at the previous posterior-mean weights instead of at zero. Off by
        default: with a linear reward and a sharp likelihood a chain can settle in a wrong mode,
        and warm starts then keep it there round after round (seen in ``bench_active.py``).
    discount : float, optional
        Defaults to ``learner.discount``, then ``mdp.discount``.
    rng : Generator, int or None
        Source of the questions, the answers and the learner's seeds.

    Returns
    -------
    ActiveLearningCurve

    References
    ----------
    Lopes, Melo & Montesano (2009), "Active learning for reward estimation in inverse
    reinforcement learning", ECML PKDD (the ask-refit loop with a simulated demonstrator).

    Examples
    --------
    >>> from valuelearn.data import feature_gridworld
    >>> from valuelearn.humans import BoltzmannRational
    >>> mdp = feature_gridworld(3, n_features=2, kind="gaussian", discount=0.9, rng=0)
    >>> learner = BayesianIRL(reward="tabular", beta=5.0, n_samples=300, burn_in=300)
    >>> curve = active_learning_curve(
    ...     mdp, BoltzmannRational(beta=5.0), reward=np.linspace(-1, 1, 9), n_questions=3,
    ...     learner=learner, rng=0,
    ... )
    >>> curve.states.shape, curve.rewards.shape, int(curve.counts.sum())
    ((3,), (4, 9), 3)
    """
    generator = as_generator(rng)
    learner = learner if learner is not None else BayesianIRL(n_samples=1000, burn_in=1000)
    discount = _loop_discount(mdp, learner, discount)
    policy = _person_policy(mdp, person, reward, discount)
    _check_loop(mdp, n_questions, strategy, ask_once)
    counts = np.zeros((mdp.n_states, mdp.n_actions))
    if initial_demonstrations is not None:
        counts += action_counts(initial_demonstrations, mdp.n_states, mdp.n_actions)
    states: list[int] = []
    actions: list[int] = []
    rewards: list[NDArray[np.float64]] = []
    weights: NDArray[np.float64] | None = None
    for round_ in range(n_questions + 1):
        fitted = copy.copy(learner)
        fitted.random_state = int(generator.integers(2**63))
        fitted.fit_counts(mdp, counts, discount=discount, initial_weights=weights)
        weights = fitted.weights_ if warm_start else None
        rewards.append(fitted.reward_)
        if round_ == n_questions:
            break
        asked = np.asarray(states, dtype=np.int64) if ask_once else np.empty(0, dtype=np.int64)
        if strategy == "entropy":
            chosen = choose_questions(
                fitted.posterior_, mdp, n_draws=n_draws, exclude=asked, rng=generator
            )
            state = int(chosen[0])
        else:
            state = int(generator.choice(np.setdiff1d(np.arange(mdp.n_states), asked)))
        action = int(generator.choice(mdp.n_actions, p=policy[state]))
        counts[state, action] += 1.0
        states.append(state)
        actions.append(action)
    return ActiveLearningCurve(
        np.asarray(states, dtype=np.int64),
        np.asarray(actions, dtype=np.int64),
        np.asarray(rewards, dtype=np.float64),
        counts,
        strategy,
    )


# ---------------------------------------------------------------------- helpers
def _draw_policies(posterior: RewardPosterior, mdp: MDP, n_draws: int) -> NDArray[np.float64]:
    if isinstance(n_draws, bool) or not isinstance(n_draws, int | np.integer) or n_draws < 1:
        raise ValueLearnInputError(
            f"The 'n_draws' parameter of choose_questions must be a positive integer; got "
            f"{n_draws!r} instead."
        )
    last = posterior.n_samples - 1
    draws = np.unique(np.linspace(0, last, min(n_draws, posterior.n_samples)).astype(np.int64))
    return posterior.policies(mdp, draws=draws)


def _excluded(exclude: ArrayLike | None, n_states: int) -> NDArray[np.int64]:
    if exclude is None:
        return np.empty(0, dtype=np.int64)
    states = np.asarray(exclude).ravel()
    if states.size and (
        not np.issubdtype(states.dtype, np.integer) or states.min() < 0 or states.max() >= n_states
    ):
        raise ValueLearnInputError(
            f"The 'exclude' parameter of choose_questions must hold states in [0, {n_states}); "
            f"got {states.tolist()!r} instead."
        )
    return states.astype(np.int64)


def _top_states(
    scores: NDArray[np.float64],
    n: int,
    exclude: NDArray[np.int64],
    generator: np.random.Generator | None,
) -> NDArray[np.int64]:
    """The ``n`` largest scores outside ``exclude``; ties to the lower index or at random."""
    allowed = np.setdiff1d(np.arange(scores.size), exclude)
    if isinstance(n, bool) or not isinstance(n, int | np.integer) or not 1 <= n <= allowed.size:
        raise ValueLearnInputError(
            f"The 'n' parameter of choose_questions must be a positive integer at most the "
            f"{allowed.size} states left to ask about; got {n!r} instead."
        )
    if generator is not None:
        allowed = generator.permutation(allowed)
    order = np.argsort(-scores[allowed], kind="stable")
    return np.asarray(allowed[order[:n]], dtype=np.int64)


def _loop_discount(mdp: MDP, learner: BayesianIRL, discount: float | None) -> float:
    value = discount if discount is not None else learner.discount
    value = value if value is not None else mdp.discount
    if value is None or not 0.0 <= value < 1.0:
        raise ValueLearnInputError(
            "The 'discount' parameter of active_learning_curve must be in [0, 1) (the person's "
            f"policy is stationary); got {value!r} instead. Pass discount=0.9, or set mdp.discount."
        )
    return float(value)


def _person_policy(
    mdp: MDP, person: HumanModel | ArrayLike, reward: ArrayLike | None, discount: float
) -> NDArray[np.float64]:
    if isinstance(person, HumanModel):
        if reward is None:
            raise ValueLearnInputError(
                "active_learning_curve needs the person's true `reward` to simulate a HumanModel."
            )
        person = person.policy(mdp, reward, horizon=None, discount=discount)  # type: ignore[arg-type]
    policy = np.asarray(person, dtype=np.float64)
    shape = (mdp.n_states, mdp.n_actions)
    if policy.shape != shape or np.any(policy < 0) or not np.allclose(policy.sum(axis=1), 1.0):
        raise ValueLearnInputError(
            f"The 'person' parameter of active_learning_curve must be a HumanModel or a stationary "
            f"policy of shape {shape} whose rows sum to 1; got shape {policy.shape} instead."
        )
    return policy


def _check_loop(mdp: MDP, n_questions: int, strategy: str, ask_once: bool) -> None:
    if strategy not in ("entropy", "random"):
        raise ValueLearnInputError(
            "The 'strategy' parameter of active_learning_curve must be one of ['entropy', "
            f"'random']; got {strategy!r} instead."
        )
    limit = mdp.n_states if ask_once else None
    if (
        isinstance(n_questions, bool)
        or not isinstance(n_questions, int | np.integer)
        or n_questions < 0
        or (limit is not None and n_questions > limit)
    ):
        bound = f" at most {limit} (ask_once)" if limit is not None else ""
        raise ValueLearnInputError(
            f"The 'n_questions' parameter of active_learning_curve must be a non-negative "
            f"integer{bound}; got {n_questions!r} instead."
        )
