"""Kernel agents: the batched engine replays the per-step scikit-learn engine exactly, and the
agents' basic behaviour (Thompson posterior, greedy ties, aligned beats misaligned)."""

from __future__ import annotations

import numpy as np
import pytest

from valuelearn.evaluation import exploration_metrics
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import (
    KERNEL_AGENTS,
    AgentSettings,
    draw,
    personalise,
    personalise_sklearn,
)
from valuelearn.policy._kernel_agents import greedy, thompson_posterior
from valuelearn.representation import aligned_kernels, rbf_similarity

pytest.importorskip("sklearn")


def problem(n_problems: int, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    kernel = np.stack([rbf_similarity(rng.normal(size=(n, 3))) for _ in range(n_problems)])
    return rng.uniform(0, 100, size=(n_problems, n)), kernel


@pytest.mark.parametrize("agent", KERNEL_AGENTS)
def test_batched_engine_replays_the_scikit_learn_loop(agent: str) -> None:
    values, kernel = problem(3, 16, 0)
    settings = AgentSettings(svr_tol=1e-9)
    draws = draw(3, 12, 11, thompson=agent == "thompson", rng=1)
    fast = personalise(
        values, kernel, agent=agent, n_steps=12, n_personal=11, settings=settings, draws=draws
    )
    slow = personalise_sklearn(
        values, kernel, agent=agent, n_steps=12, n_personal=11, settings=settings, draws=draws
    )
    np.testing.assert_array_equal(fast.actions, slow.actions)
    np.testing.assert_array_equal(fast.best, slow.best)
    np.testing.assert_allclose(fast.rewards, slow.rewards)
    np.testing.assert_allclose(fast.predictions, slow.predictions, atol=1e-4)
    assert fast.actions.max() < 11  # held-out actions are never chosen
    if agent != "thompson":
        assert len(np.unique(fast.predictions[:, 11:])) > 3  # held-out values are predicted


def test_thompson_posterior_is_the_conjugate_normal() -> None:
    settings = AgentSettings(prior_mean=50, prior_scale=20, reward_noise=10)
    mean, variance = thompson_posterior(np.array([[0.0, 4.0]]), np.array([[0.0, 320.0]]), settings)
    # prior precision 1/400, data precision 4/100: posterior mean (50/400 + 320/100) / (17/400)
    np.testing.assert_allclose(mean, [[50.0, (50 / 400 + 3.2) / (17 / 400)]])
    np.testing.assert_allclose(variance, [[400.0, 400 / 17]])


def test_greedy_ties_follow_the_priority_and_softmax_follows_gumbel_max() -> None:
    scores = np.array([[5.0, 5.0, 1.0]])
    assert greedy(scores, np.array([[0.1, 0.9, 0.5]]))[0] == 1
    assert greedy(scores, np.array([[0.9, 0.1, 0.5]]))[0] == 0
    # softmax choice: frequencies match exp(score / T) / sum
    rng = np.random.default_rng(2)
    priority = rng.random((20000, 3))
    chosen = greedy(np.repeat(np.array([[2.0, 1.0, 0.0]]), 20000, axis=0), priority, 1.0)
    expected = np.exp([2.0, 1.0, 0.0]) / np.exp([2.0, 1.0, 0.0]).sum()
    np.testing.assert_allclose(np.bincount(chosen, minlength=3) / 20000, expected, atol=0.015)


def test_aligned_gp_takes_fewer_bad_actions_than_a_misaligned_one() -> None:
    rng = np.random.default_rng(3)
    person = np.stack([rbf_similarity(rng.normal(size=(40, 2))) for _ in range(30)])
    raw = np.einsum(
        "bij,bj->bi", np.linalg.cholesky(person + 1e-8 * np.eye(40)), rng.normal(size=(30, 40))
    )
    values = 100 * (raw - raw.min(1, keepdims=True)) / np.ptp(raw, axis=1, keepdims=True)
    misaligned, _ = aligned_kernels(person, 0.0, rng=4)
    draws = draw(30, 40, 40, thompson=False, rng=5)
    bad = {}
    for name, kernel in (("aligned", person), ("misaligned", misaligned)):
        run = personalise(values, kernel, agent="gp", n_steps=40, draws=draws)
        bad[name] = exploration_metrics(run.actions, values)["bad_actions"].mean()
    assert bad["aligned"] < 0.5 * bad["misaligned"]


def test_bad_arguments_are_named() -> None:
    values, kernel = problem(1, 5, 0)
    with pytest.raises(ValueLearnInputError, match="'agent' parameter of personalise"):
        personalise(values, kernel, agent="ridge", n_steps=3)
    with pytest.raises(ValueLearnInputError, match="The 'krr' agent needs a kernel"):
        personalise(values, None, agent="krr", n_steps=3)
    with pytest.raises(ValueLearnInputError, match="'n_personal' parameter .* from 1 to 5"):
        personalise(values, kernel, agent="gp", n_steps=3, n_personal=6)
    with pytest.raises(ValueLearnInputError, match="'kernel' parameter of personalise"):
        personalise(values, np.eye(4), agent="gp", n_steps=3)
    with pytest.raises(ValueLearnInputError, match="'n_steps' parameter"):
        personalise(values, kernel, agent="gp", n_steps=0)
