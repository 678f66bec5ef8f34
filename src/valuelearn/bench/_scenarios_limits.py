"""Benchmark scenarios at the limits of the data: risk attitudes and short observation windows.

Two challenges, each in a tiny deterministic-layout world with fixed true values:

``risk-averse``
    Repeated choices between a sure 4, a fair coin flip for 10 or 0 (mean 5) and nothing. A
    risk-averse person (exponential utility, ``alpha = -0.4``) mostly takes the sure 4; assuming
    a risk-neutral soft-optimal person, the naive learner can explain that only by valuing
    certainty itself (a positive weight on the ``sure`` feature) and never gambles. Aware learner:
    :class:`~valuelearn.inference.ModelAwareIRL` with :class:`~valuelearn.humans.RiskSensitive`,
    ``alpha`` *known*.
``short-trajectories``
    A soft-optimal person walks 6 cells from the start to a feast, passing away from a snack 2
    cells the other way, over a 16-step day; the observer sees only the first 3 steps of each day.
    MCE IRL needs whole episodes, so the naive learner takes each window for a complete 3-step
    episode: the feast is out of reach in it, and walking away from the snack reads as disliking
    the snack. Aware learner: :class:`~valuelearn.inference.ModelAwareIRL` with
    :class:`~valuelearn.humans.TruncatedObservation` (a soft-optimal person acting for 16 steps,
    observed for the first 3; window and start *known*).

Every ``run`` returns ``epic`` (:func:`~valuelearn.evaluation.epic_distance` of the learned and
true reward), ``normalized_regret`` and ``regret`` (:func:`~valuelearn.evaluation.regret`: the
hard-optimal policy for the learned reward scored under the true one, over the full horizon) and
scenario-specific metrics of that policy and of the learned weights.
"""

from __future__ import annotations

from typing import Final

import numpy as np
from numpy.typing import NDArray

from valuelearn.bench._scenario_tools import (
    check_learner,
    register_challenge,
    score,
    state_features,
)
from valuelearn.data import MDP, Demonstrations, gridworld
from valuelearn.humans import HumanModel, RiskSensitive, SoftOptimal, TruncatedObservation
from valuelearn.inference import MCEIRL, ModelAwareIRL
from valuelearn.policy import occupancy, value_iteration

_SIZES: Final = (10, 30, 100, 300)
_SEEDS: Final = (0, 1, 2)
_QUICK_SIZES: Final = (10, 100)
_QUICK_SEEDS: Final = (0, 1)
_L2: Final = 1e-2  # same ridge for both learners: keeps unidentified weights finite

# ---------------------------------------------------------------------- risk-averse demonstrator
#: States of the gamble world: decide, then one outcome, then decide again.
GAMBLE_STATES: Final = ("decide", "sure", "win", "nothing")
#: Actions at ``decide``: take the sure amount, flip the coin, or walk away.
GAMBLE_ACTIONS: Final = ("sure", "gamble", "skip")
SURE_AMOUNT: Final = 4.0
WIN_AMOUNT: Final = 10.0  # with probability WIN_PROBABILITY, else 0
WIN_PROBABILITY: Final = 0.5
RISK_WEIGHTS: Final = (1.0, 0.0)  # (money, sure): only money matters
RISK_ALPHA: Final = -0.4
RISK_HORIZON: Final = 10  # five decisions, each followed by its outcome


def gamble_world() -> tuple[MDP, NDArray[np.float64]]:
    """The repeated-gamble world and its true state reward.

    From ``decide`` the actions lead to ``sure`` (4 money), to ``win`` (10 money) or ``nothing``
    (0 money) with probability 1/2 each, or to ``nothing``; every action of an outcome state leads
    back to ``decide``. Features: ``money`` (the amount) and ``sure`` (1 on the sure outcome, the
    feature a risk-neutral learner uses to explain risk aversion). The true reward is the money.

    Examples
    --------
    >>> mdp, reward = gamble_world()
    >>> mdp.n_states, mdp.n_actions, mdp.feature_names, reward.tolist()
    (4, 3, ('money', 'sure'), [0.0, 4.0, 10.0, 0.0])
    """
    decide, sure, win, nothing = range(len(GAMBLE_STATES))
    transitions = np.zeros((4, 3, 4))
    transitions[decide, 0, sure] = 1.0
    transitions[decide, 1, win] = WIN_PROBABILITY
    transitions[decide, 1, nothing] = 1.0 - WIN_PROBABILITY
    transitions[decide, 2, nothing] = 1.0
    transitions[[sure, win, nothing], :, decide] = 1.0
    features = np.array([[0.0, 0.0], [SURE_AMOUNT, 1.0], [WIN_AMOUNT, 0.0], [0.0, 0.0]])
    mdp = MDP.from_dense(
        transitions,
        initial=np.eye(4)[decide],
        features=features,
        feature_names=("money", "sure"),
        state_names=GAMBLE_STATES,
        action_names=GAMBLE_ACTIONS,
        horizon=RISK_HORIZON,
        discount=1.0,
    )
    return mdp, features @ np.asarray(RISK_WEIGHTS)


def run_risk_averse(learner: str, n: int, seed: int) -> dict[str, float]:
    """Score ``learner`` on ``n`` days of a risk-averse person's choices.

    Extra metrics: ``gambles`` (probability that the policy optimal for the learned reward flips
    the coin at the first decision; the true optimum does, with probability 1, since 5 > 4) and
    ``sure_weight`` (the learned weight of the ``sure`` feature; truly 0).

    Examples
    --------
    >>> naive, aware = (run_risk_averse(name, 30, 0) for name in ("naive", "aware"))
    >>> naive["gambles"], aware["gambles"], round(naive["normalized_regret"], 6), aware["regret"]
    (0.0, 1.0, 0.5, 0.0)
    """
    check_learner(learner, "risk-averse")
    mdp, reward = gamble_world()
    person = RiskSensitive(alpha=RISK_ALPHA)
    demos = person.simulate(mdp, reward, n=n, horizon=RISK_HORIZON, discount=1.0, rng=seed)
    if learner == "naive":
        weights = _mce(mdp, demos, RISK_HORIZON)
    else:
        weights = _aware(person, mdp, demos, RISK_HORIZON)
    learned = state_features(mdp) @ weights
    plan = value_iteration(mdp, learned, horizon=RISK_HORIZON, discount=1.0)
    scores = score(mdp, reward, learned, horizon=RISK_HORIZON)
    scores["gambles"] = float(plan.policy[0, 0, GAMBLE_ACTIONS.index("gamble")])
    scores["sure_weight"] = float(weights[1])
    return scores


# ---------------------------------------------------------------------- short trajectories
#: The corridor: snack ``N`` 2 cells left of the start ``S``, feast ``F`` 6 cells right.
CORRIDOR_MAP: Final = ("N.S.....F",)
CORRIDOR_WEIGHTS: Final = (2.0, 4.0)  # (snack, feast) per step spent there
CORRIDOR_HORIZON: Final = 16
WINDOW: Final = 3  # decisions observed per day, from its start


def corridor_world() -> tuple[MDP, NDArray[np.float64]]:
    """The snack-and-feast corridor and its true state reward.

    A deterministic one-row gridworld (up and down bump into the wall and stay); features
    ``snack`` and ``feast`` mark the two end cells. Over 16 steps the feast (6 moves away, then
    10 steps at 4) beats the snack (2 moves, then 14 steps at 2): 40 against 28.

    Examples
    --------
    >>> mdp, reward = corridor_world()
    >>> mdp.n_states, mdp.feature_names, reward.tolist()
    (9, ('snack', 'feast'), [2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 4.0])
    """
    mdp = gridworld(
        list(CORRIDOR_MAP),
        cell_features={"N": [1.0, 0.0], "F": [0.0, 1.0], ".": [0.0, 0.0], "S": [0.0, 0.0]},
        feature_names=["snack", "feast"],
        horizon=CORRIDOR_HORIZON,
        discount=1.0,
    )
    return mdp, state_features(mdp) @ np.asarray(CORRIDOR_WEIGHTS)


def run_short_trajectories(learner: str, n: int, seed: int) -> dict[str, float]:
    """Score ``learner`` on the first 3 steps of ``n`` days of a soft-optimal person.

    The naive learner is MCE IRL with horizon 3 (each window taken for a whole episode, the only
    way MCE IRL accepts 3-step trajectories); the aware one is model-aware IRL with horizon 16 and
    the :class:`~valuelearn.humans.TruncatedObservation` likelihood. Extra metrics:
    ``reaches_feast`` (probability that the policy optimal for the learned reward is at the feast
    at the last step of the day, ``t = 15``; 1 for the true optimum), ``snack_weight`` and
    ``feast_weight`` (truly 2 and 4).

    Examples
    --------
    >>> naive, aware = (run_short_trajectories(name, 30, 0) for name in ("naive", "aware"))
    >>> round(naive["reaches_feast"], 2), aware["reaches_feast"], aware["regret"]
    (0.02, 1.0, 0.0)
    >>> bool(naive["snack_weight"] < 0.0 < aware["feast_weight"])
    True
    """
    check_learner(learner, "short-trajectories")
    mdp, reward = corridor_world()
    observed = TruncatedObservation(SoftOptimal(), WINDOW, start="first")
    demos = observed.simulate(mdp, reward, n=n, horizon=CORRIDOR_HORIZON, discount=1.0, rng=seed)
    if learner == "naive":
        weights = _mce(mdp, demos, WINDOW)
    else:
        weights = _aware(observed, mdp, demos, CORRIDOR_HORIZON)
    learned = state_features(mdp) @ weights
    plan = value_iteration(mdp, learned, horizon=CORRIDOR_HORIZON, discount=1.0)
    per_step = occupancy(mdp, plan.policy, horizon=CORRIDOR_HORIZON, discount=1.0).per_step
    feast = int(np.argmax(state_features(mdp)[:, 1]))
    scores = score(mdp, reward, learned, horizon=CORRIDOR_HORIZON)
    scores["reaches_feast"] = float(per_step[-1, feast]) if per_step is not None else 0.0
    scores["snack_weight"] = float(weights[0])
    scores["feast_weight"] = float(weights[1])
    return scores


# ---------------------------------------------------------------------- shared pieces
def _mce(mdp: MDP, demos: Demonstrations, horizon: int) -> NDArray[np.float64]:
    model = MCEIRL(horizon=horizon, discount=1.0, reward="linear", l2=_L2).fit(mdp, demos)
    weights: NDArray[np.float64] = model.weights_
    return weights


def _aware(human: HumanModel, mdp: MDP, demos: Demonstrations, horizon: int) -> NDArray[np.float64]:
    model = ModelAwareIRL(human, horizon=horizon, discount=1.0, reward="linear", l2=_L2)
    weights: NDArray[np.float64] = model.fit(mdp, demos).weights_
    return weights


RISK_AVERSE = register_challenge(
    "risk-averse",
    (
        "A risk-averse person takes a sure 4 over a coin flip for 10 or 0; assuming risk "
        "neutrality, naive IRL credits certainty itself with value and never gambles, the "
        "risk-aware learner (alpha known) recovers money as the only value."
    ),
    run_risk_averse,
    sizes=_SIZES,
    quick_sizes=_QUICK_SIZES,
    config={
        "world": "repeated gamble",
        "amounts": {"sure": SURE_AMOUNT, "win": WIN_AMOUNT, "p_win": WIN_PROBABILITY},
        "weights": list(RISK_WEIGHTS),
        "alpha": RISK_ALPHA,
        "horizon": RISK_HORIZON,
        "l2": _L2,
        "aware": "ModelAwareIRL(RiskSensitive(alpha)), alpha known",
        "version": 1,
    },
    seeds=_SEEDS,
    quick_seeds=_QUICK_SEEDS,
)

SHORT_TRAJECTORIES = register_challenge(
    "short-trajectories",
    (
        "Only the first 3 of 16 steps are seen: taking each window for a whole episode, "
        "naive IRL never sees the feast reached and reads walking away from the snack as "
        "disliking it; modelling the window recovers the feast."
    ),
    run_short_trajectories,
    sizes=_SIZES,
    quick_sizes=_QUICK_SIZES,
    config={
        "world": "snack-feast corridor",
        "map": list(CORRIDOR_MAP),
        "weights": list(CORRIDOR_WEIGHTS),
        "horizon": CORRIDOR_HORIZON,
        "window": WINDOW,
        "l2": _L2,
        "aware": "ModelAwareIRL(TruncatedObservation(SoftOptimal, first 3)), window known",
        "version": 1,
    },
    seeds=_SEEDS,
    quick_seeds=_QUICK_SEEDS,
)
