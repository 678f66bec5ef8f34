"""The transition products under the planners: padded rows, fused backups, threads, fallbacks."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from valuelearn.data import MDP
from valuelearn.policy import _kernels, _planning, occupancy, soft_value_iteration
from valuelearn.policy._kernels import TransitionOperator, _equal_rows


def _ragged(n_rows: int = 60, n_cols: int = 25, seed: int = 0) -> sp.csr_array:
    """A row-stochastic matrix whose rows hold 1 to 4 entries, like merged successors."""
    rng = np.random.default_rng(seed)
    rows, cols, vals = [], [], []
    for row in range(n_rows):
        count = int(rng.integers(1, 5))
        chosen = rng.choice(n_cols, size=count, replace=False)
        weights = rng.random(count)
        rows += [row] * count
        cols += chosen.tolist()
        vals += (weights / weights.sum()).tolist()
    return sp.csr_array((vals, (rows, cols)), shape=(n_rows, n_cols))


def test_padded_rows_give_the_same_product_bit_for_bit() -> None:
    matrix = _ragged()
    padded = _equal_rows(matrix)
    counts = np.diff(padded.indptr)
    assert counts.min() == counts.max() == np.diff(matrix.indptr).max()
    assert np.count_nonzero(padded.data) == matrix.nnz
    x = np.random.default_rng(1).normal(size=matrix.shape[1]) * 1e3
    assert np.array_equal(padded @ x, matrix @ x)


def test_padding_is_skipped_when_rows_are_equal_or_would_double() -> None:
    equal = sp.csr_array(np.eye(5))
    assert _equal_rows(equal) is equal
    skewed = sp.lil_array((40, 40))
    skewed[0, :] = 1.0 / 40  # one long row: padding all 40 rows to 40 entries would be 20x
    for row in range(1, 40):
        skewed[row, row] = 1.0
    skewed_csr = sp.csr_array(skewed)
    assert _equal_rows(skewed_csr) is skewed_csr


def test_padding_handles_empty_rows() -> None:
    matrix = sp.csr_array(np.array([[0.5, 0.5, 0.0], [0.0, 0.0, 0.0], [0.0, 0.0, 1.0]]))
    padded = _equal_rows(matrix)
    x = np.array([1.0, 2.0, 3.0])
    assert np.array_equal(padded @ x, matrix @ x)


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("scale", [1.0, 0.9, 0.0])
def test_backward_add_is_reward_plus_scaled_product(
    monkeypatch: pytest.MonkeyPatch, threads: int, scale: float
) -> None:
    monkeypatch.setattr(_kernels, "PARALLEL_MIN_ENTRIES", 0 if threads > 1 else 10**9)
    monkeypatch.setenv("VALUELEARN_NUM_THREADS", str(threads))
    matrix = _ragged(seed=2)
    operator = TransitionOperator(matrix)
    assert len(operator.blocks) == threads
    values = np.random.default_rng(3).normal(size=matrix.shape[1])
    out = np.random.default_rng(4).normal(size=matrix.shape[0])
    expected = out + scale * (matrix @ values)
    operator.backward_add(values, out, scale)
    np.testing.assert_allclose(out, expected, rtol=1e-14, atol=1e-14)
    # The scaled values are cached per discount; switching back and forth stays right.
    again = np.zeros(matrix.shape[0])
    operator.backward_add(values, again, 1.0)
    np.testing.assert_allclose(again, matrix @ values, rtol=1e-14, atol=1e-14)


@pytest.mark.parametrize("threads", [1, 2])
def test_forward_into_a_buffer(monkeypatch: pytest.MonkeyPatch, threads: int) -> None:
    monkeypatch.setattr(_kernels, "PARALLEL_MIN_ENTRIES", 0 if threads > 1 else 10**9)
    monkeypatch.setenv("VALUELEARN_NUM_THREADS", str(threads))
    matrix = _ragged(seed=5)
    operator = TransitionOperator(matrix)
    mass = np.random.default_rng(6).random(matrix.shape[0])
    out = np.full(matrix.shape[1], np.nan)
    assert operator.forward(mass, out=out) is out
    np.testing.assert_allclose(out, matrix.T @ mass, rtol=1e-14, atol=1e-15)


def test_public_product_is_used_when_the_compiled_kernel_is_missing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    matrix = _ragged(seed=7)
    values = np.random.default_rng(8).normal(size=matrix.shape[1])
    fast = np.zeros(matrix.shape[0])
    TransitionOperator(matrix).backward_add(values, fast, 0.5)
    monkeypatch.setattr(_kernels, "_CSR_MATVEC", None)
    slow = np.zeros(matrix.shape[0])
    TransitionOperator(matrix).backward_add(values, slow, 0.5)
    np.testing.assert_allclose(slow, fast, rtol=1e-14, atol=1e-15)
    np.testing.assert_allclose(slow, 0.5 * (matrix @ values), rtol=1e-14, atol=1e-15)


def _ragged_mdp(seed: int = 9) -> MDP:
    rng = np.random.default_rng(seed)
    n_states, n_actions = 30, 3
    dense = np.zeros((n_states, n_actions, n_states))
    for s in range(n_states):
        for a in range(n_actions):
            succ = rng.choice(n_states, size=int(rng.integers(1, 5)), replace=False)
            w = rng.random(succ.size)
            dense[s, a, succ] = w / w.sum()
    return MDP.from_dense(dense, initial=np.full(n_states, 1.0 / n_states))


def _dense_soft_vi(mdp: MDP, reward: np.ndarray, horizon: int, discount: float) -> np.ndarray:
    dense = mdp.dense_transitions()
    values = np.zeros(mdp.n_states)
    for _ in range(horizon):
        q = reward[:, None] + discount * dense @ values
        peak = q.max(axis=1)
        values = peak + np.log(np.exp(q - peak[:, None]).sum(axis=1))
    return values


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("discount", [1.0, 0.8])
def test_planner_on_ragged_rows_matches_a_dense_recursion(
    monkeypatch: pytest.MonkeyPatch, threads: int, discount: float
) -> None:
    monkeypatch.setattr(_kernels, "PARALLEL_MIN_ENTRIES", 0 if threads > 1 else 10**9)
    monkeypatch.setenv("VALUELEARN_NUM_THREADS", str(threads))
    mdp = _ragged_mdp()
    reward = np.random.default_rng(10).normal(size=mdp.n_states)
    result = soft_value_iteration(mdp, reward, horizon=12, discount=discount)
    np.testing.assert_allclose(
        result.values[0], _dense_soft_vi(mdp, reward, 12, discount), rtol=1e-12
    )
    assert result.q_values is not None
    assert np.all(result.q_values[0].max(axis=1) <= result.values[0] + 1e-12)  # a soft maximum
    occ = occupancy(mdp, result, horizon=12, discount=discount)
    assert occ.per_step is not None
    np.testing.assert_allclose(occ.per_step.sum(axis=1), 1.0, rtol=1e-12)


def test_exp_flushes_vanishing_results_and_keeps_the_rest_exact() -> None:
    x = np.array([[0.0, -1.0, -699.9, -700.0], [-700.1, -800.0, -1e6, -np.inf]])
    out = x.copy()
    _planning._exp_in_place(out)
    expected = np.exp(x)
    expected[x < _planning.EXP_FLUSH_BELOW] = 0.0
    assert np.array_equal(out, expected)
    untouched = np.linspace(-50.0, 0.0, 16)
    copy = untouched.copy()
    _planning._exp_in_place(copy)
    assert np.array_equal(copy, np.exp(untouched))


def test_low_temperature_policy_is_the_hard_policy_with_exact_zeros() -> None:
    mdp = _ragged_mdp(seed=11)
    reward = np.random.default_rng(12).normal(size=mdp.n_states) * 10.0
    soft = soft_value_iteration(mdp, reward, horizon=8, discount=1.0, temperature=1e-3)
    assert np.all(np.isfinite(soft.policy)) and np.all(np.isfinite(soft.values))
    np.testing.assert_allclose(soft.policy.sum(axis=-1), 1.0, rtol=1e-14)
    assert soft.q_values is not None
    best = soft.q_values.argmax(axis=-1)
    gap = soft.q_values.max(axis=-1, keepdims=True) - soft.q_values
    # Actions more than 0.7 (700 temperatures) below the best get probability exactly 0.
    assert np.all(soft.policy[gap > 0.7] == 0.0)
    assert np.all(np.take_along_axis(soft.policy, best[..., None], axis=-1) > 0.0)
