"""Benchmark scenarios: assistance games, the off switch and debate (suites ``assistance``,
``debate``; the cheap assistance ones are also in ``aligned-action``).

``off-switch``
    A robot learns the utility ``U_a ~ N(0, 1)`` of each of 2,000 actions from ``n`` noisy
    observations (noise sd 1), so its belief is ``N(sum / (n + 1), 1 / (n + 1))``; for each it
    acts, switches off or defers to the human, whichever the off-switch calculator says is best
    (:func:`~valuelearn.policy._off_switch.off_switch_gaussian`). Learners are the human it
    defers to: ``rational``, ``boltzmann-5`` and ``boltzmann-1`` (``pi(u) = sigmoid(beta u)``).
    Metrics: ``incentive`` (mean incentive to defer), ``defer_rate`` and ``regret``
    (``max(U_a, 0)`` minus what the choice truly yields, mean over actions).
``assistance-ask``
    :func:`~valuelearn.policy._assistance_examples.ask_game` with a question costing ``n``
    percent of the dish; the human answers right always (``accurate``) or 80% of the time
    (``noisy``). Metrics: ``value`` of the robot's exact best response and ``asks`` (1 if its
    first move is the question).
``assistance-wait``
    :func:`~valuelearn.policy._assistance_examples.wait_game` with discount ``n`` percent; the
    human walks towards its goal, ``rational`` or Boltzmann with ``beta`` 20 or 5. Metrics:
    ``value`` and ``waits``.
``assistance-teach``
    :func:`~valuelearn.policy._assistance_examples.teach_game` with the human's own work worth
    ``n`` percent of the item: a ``literal`` human (acts as if the robot knew what it wants)
    against the ``cooperative`` joint optimum. Metrics: ``value`` and ``teaches`` (1 if what the
    human does first depends on what it wants).
``debate-digits``
    The pixel debate on scikit-learn's digits with ``n`` revealed pixels (4 or 6): the judge
    alone (random non-zero pixels), and with debaters that search 1 (``greedy``) or 2
    (``minimax-2``) plies. Each seed is a block of 100 test images (``minimax-2``: the first 30
    of the block). Metric: ``accuracy``; the report adds the paper's MNIST reference points.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Final

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

from valuelearn.bench._registry import Scenario, register
from valuelearn.bench._report import png_img
from valuelearn.bench._store import RunRecord
from valuelearn.evaluation._debate import debate_accuracy
from valuelearn.evaluation._debate_judge import (
    digits,
    digits_split,
    judge_accuracy,
    trained_judge,
)
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._assistance import boltzmann_human
from valuelearn.policy._assistance_examples import ask_game, teach_game, truthful_human, wait_game
from valuelearn.policy._assistance_solver import solve_assistance, solve_cirl
from valuelearn.policy._off_switch import (
    human_allow_probability,
    off_switch_gaussian_batch,
)

HUMANS: Final = {"rational": None, "boltzmann-5": 5.0, "boltzmann-1": 1.0}
N_ACTIONS: Final = 2000
UNIFORM: Final = (0.5, 0.5)
BLOCK: Final = 100
SEARCH_BLOCK: Final = 30
#: Irving et al. (2018) on MNIST: judge alone -> with debate, per number of pixels.
PAPER: Final = {4: (0.482, 0.852), 6: (0.594, 0.889)}
ASSISTANCE_SUITES: Final = ("assistance", "aligned-action")


def _learner(learner: str, known: Sequence[str], scenario: str) -> None:
    if learner not in known:
        raise ValueLearnInputError(
            f"The 'learner' parameter of the {scenario} scenario must be one of {list(known)}; "
            f"got {learner!r} instead."
        )


def run_off_switch(learner: str, n: int, seed: int) -> dict[str, float]:
    """Off-switch choices of a robot that has seen ``n`` noisy observations of each utility."""
    _learner(learner, tuple(HUMANS), "off-switch")
    rationality = HUMANS[learner]
    rng = np.random.default_rng(seed)
    utility = rng.normal(size=N_ACTIONS)
    sums = utility * n + rng.normal(size=N_ACTIONS) * np.sqrt(n)  # sum of n signals N(U, 1)
    means, sd = sums / (n + 1), 1.0 / np.sqrt(n + 1)
    defer, _ = off_switch_gaussian_batch(means, sd, rationality=rationality)
    options = np.stack([defer, means, np.zeros_like(means)])  # ties go to deferring
    best = options.argmax(axis=0)
    allow = human_allow_probability(utility, rationality=rationality)
    outcome = np.choose(best, [allow * utility, utility, np.zeros_like(utility)])
    return {
        "incentive": float(np.mean(defer - np.maximum(means, 0.0))),
        "defer_rate": float(np.mean(best == 0)),
        "regret": float(np.mean(np.maximum(utility, 0.0) - outcome)),
    }


def off_switch_figures(records: Sequence[RunRecord]) -> str:
    """The incentive to defer against the belief's mean, with the reference anchors."""
    if not records:
        return ""
    means = np.linspace(-2.5, 2.5, 51)
    figure, axis = plt.subplots(figsize=(6, 3.4))
    for name, rationality in HUMANS.items():
        defer, _ = off_switch_gaussian_batch(means, 1.0, rationality=rationality)
        curve = defer - np.maximum(means, 0.0)
        axis.plot(means, curve, label=f"{name} human")
    anchors = [(0.0, 0.39894), (1.0, 0.08332), (-1.0, 0.08332), (1.0, -0.12532), (-1.0, -0.12532)]
    axis.plot(*zip(*anchors, strict=True), "kx", label="reference anchors")
    axis.axhline(0.0, color="grey", linewidth=0.8)
    axis.set_xlabel("mean of the robot's belief about U_a (sd 1)")
    axis.set_ylabel("incentive to defer")
    axis.legend(fontsize=8)
    figure.tight_layout()
    return png_img(figure, "off-switch incentive to defer against the belief's mean")


def run_ask(learner: str, n: int, seed: int) -> dict[str, float]:
    """The robot's best response in the ask game with a question costing ``n`` percent."""
    accuracy = {"accurate": 1.0, "noisy": 0.8}
    _learner(learner, tuple(accuracy), "assistance-ask")
    game = ask_game(cost=n / 100)
    solution = solve_assistance(game, truthful_human(game, accuracy=accuracy[learner]))
    return {"value": solution.value, "asks": float(solution.action(0, 0, UNIFORM) == 0)}


def run_wait(learner: str, n: int, seed: int) -> dict[str, float]:
    """The robot's best response in the wait game with discount ``n`` percent."""
    rationality = {"rational": None, "beta-20": 20.0, "beta-5": 5.0}
    _learner(learner, tuple(rationality), "assistance-wait")
    game = wait_game(discount=n / 100)
    solution = solve_assistance(game, boltzmann_human(game, rationality=rationality[learner]))
    return {"value": solution.value, "waits": float(solution.action(0, 0, UNIFORM) == 0)}


def run_teach(learner: str, n: int, seed: int) -> dict[str, float]:
    """Literal human and robot best response, or the cooperative joint optimum."""
    _learner(learner, ("literal", "cooperative"), "assistance-teach")
    game = teach_game(work=n / 100)
    if learner == "literal":
        human = boltzmann_human(game)
        solution = solve_assistance(game, human)
        first = human[0, :, 0, solution.action(0, 0, UNIFORM)]  # (theta, a^H)
        return {"value": solution.value, "teaches": float(not np.allclose(first[0], first[1]))}
    joint = solve_cirl(game)
    acted = joint.prescription(0, 0, UNIFORM, joint.action(0, 0, UNIFORM))
    return {"value": joint.value, "teaches": float(acted[0] != acted[1])}


def run_debate(learner: str, n: int, seed: int) -> dict[str, float]:
    """Judge accuracy alone or with debate on block ``seed`` of the test images."""
    _learner(learner, ("judge-alone", "greedy", "minimax-2"), "debate-digits")
    images, labels = digits()
    _, test = digits_split(len(labels))
    block = test[seed * BLOCK : (seed + 1) * BLOCK]
    if block.size == 0:
        raise ValueLearnInputError(f"debate-digits: seed {seed} is past the test images.")
    judge = trained_judge(n)
    if learner == "judge-alone":
        return {"accuracy": judge_accuracy(judge, images[block], labels[block], rng=seed)}
    depth = 1 if learner == "greedy" else 2
    chosen = block if depth == 1 else block[:SEARCH_BLOCK]
    result = debate_accuracy(judge, images[chosen], labels[chosen], n_pixels=n, depth=depth)
    return {"accuracy": result.accuracy}


def debate_figures(records: Sequence[RunRecord]) -> str:
    """Accuracy per learner and number of pixels (mean over blocks) beside the paper's MNIST."""
    grouped: dict[tuple[str, int], list[float]] = defaultdict(list)
    for record in records:
        grouped[(record.learner, record.n)].append(record.metrics["accuracy"])
    if not grouped:
        return ""
    figure, axis = plt.subplots(figsize=(6.5, 3.4))
    names = ("judge-alone", "greedy", "minimax-2", "paper: judge", "paper: debate (MCTS)")
    width = 0.16
    for j, pixels in enumerate((4, 6)):
        heights = [float(np.mean(grouped.get((name, pixels), [np.nan]))) for name in names[:3]]
        heights += list(PAPER[pixels])
        for i, height in enumerate(heights):
            axis.bar(
                j + (i - 2) * width, height, width, color=f"C{i}", label=names[i] if j else None
            )
    axis.set_xticks([0, 1], ["4 pixels", "6 pixels"])
    axis.set_ylabel("accuracy")
    axis.set_ylim(0, 1.3)
    axis.set_yticks(np.linspace(0, 1, 6))
    axis.legend(fontsize=7, loc="upper center", ncol=3)
    axis.set_title("8x8 digits (ours) and MNIST (Irving et al. 2018)", fontsize=9)
    figure.tight_layout()
    return png_img(figure, "debate accuracy against the judge alone")


def _register(name: str, description: str, **settings: object) -> Scenario:
    return register(Scenario(name=name, description=description, **settings))  # type: ignore[arg-type]


OFF_SWITCH: Final = _register(
    "off-switch",
    "A robot that learns an action's utility from n noisy looks: it defers to a rational human "
    "while unsure at no cost, but deferring to a noisy human costs, and it stops deferring as "
    "it learns.",
    run=run_off_switch,
    learners=tuple(HUMANS),
    sizes=(1, 4, 16, 64),
    seeds=(0, 1, 2),
    quick_sizes=(1, 16),
    quick_seeds=(0,),
    suites=ASSISTANCE_SUITES,
    config={"actions": N_ACTIONS, "prior": [0, 1], "noise": 1.0, "version": 1},
    metrics=("incentive", "defer_rate", "regret"),
    x_label="observations of each action's utility",
    figures=off_switch_figures,
)
ASK: Final = _register(
    "assistance-ask",
    "The robot asks which dish the human wants exactly when the answer is worth its cost "
    "(accuracy - cost > 0.5).",
    run=run_ask,
    learners=("accurate", "noisy"),
    sizes=(0, 10, 20, 30, 40, 45, 55, 60),
    seeds=(0,),
    quick_sizes=(10, 40),
    suites=ASSISTANCE_SUITES,
    config={"game": "ask", "horizon": 2, "accuracy": [1.0, 0.8], "version": 1},
    metrics=("value", "asks"),
    x_label="question cost (% of the dish)",
    x_scale="linear",
)
WAIT: Final = _register(
    "assistance-wait",
    "The robot waits to watch the human walk towards its goal when the reveal is worth the "
    "delay (discount x P(walks right) x 1.1 > 0.5).",
    run=run_wait,
    learners=("rational", "beta-20", "beta-5"),
    sizes=(40, 50, 60, 70, 80, 90, 100),
    seeds=(0,),
    quick_sizes=(50, 90),
    suites=ASSISTANCE_SUITES,
    config={"game": "wait", "progress": 0.1, "horizon": 2, "version": 1},
    metrics=("value", "waits"),
    x_label="discount (%)",
    x_scale="linear",
)
TEACH: Final = _register(
    "assistance-teach",
    "A human acting as if understood never points, so the robot guesses; in the joint optimum "
    "the robot waits and the human teaches (while its own work is worth less than the item).",
    run=run_teach,
    learners=("literal", "cooperative"),
    sizes=(0, 20, 40, 60, 80, 100, 120, 150),
    seeds=(0,),
    quick_sizes=(20, 120),
    suites=ASSISTANCE_SUITES,
    config={"game": "teach", "horizon": 2, "version": 1},
    metrics=("value", "teaches"),
    x_label="the human's own work (% of the item)",
    x_scale="linear",
)
DEBATE: Final = _register(
    "debate-digits",
    "A judge shown a few random pixels of a digit is often wrong; two debaters revealing pixels "
    "for the true and a false label lead it to the truth far more often.",
    run=run_debate,
    learners=("judge-alone", "greedy", "minimax-2"),
    sizes=(4, 6),
    seeds=(0, 1, 2, 3, 4, 5),
    quick_seeds=(0,),
    suites=("debate",),
    config={"judge": "SparseJudge defaults", "split_seed": 0, "block": BLOCK, "version": 1},
    metrics=("accuracy",),
    x_label="revealed pixels",
    x_scale="linear",
    figures=debate_figures,
)
