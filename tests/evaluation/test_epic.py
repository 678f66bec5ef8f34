"""Tests for valuelearn.evaluation._epic: canonicalisation, Pearson distance and EPIC."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from valuelearn.data import MDP, random_mdp
from valuelearn.evaluation import canonicalize, epic_distance, pearson_distance
from valuelearn.exceptions import ValueLearnInputError

N_STATES, N_ACTIONS, DISCOUNT = 5, 3, 0.9


@pytest.fixture
def mdp() -> MDP:
    return random_mdp(N_STATES, N_ACTIONS, branching=3, rng=0)


def shaped(
    reward: np.ndarray, potential: np.ndarray, discount: float, n_actions: int = N_ACTIONS
) -> np.ndarray:
    """``R + discount * Phi(s') - Phi(s)`` as an (S, A, S) array, for any reward form."""
    full = as_transition_reward(reward, n_actions)
    return full + discount * potential[None, None, :] - potential[:, None, None]


def as_transition_reward(reward: np.ndarray, n_actions: int) -> np.ndarray:
    """The same reward written as a dense (S, A, S) array (forces the dense path)."""
    n_states = reward.shape[0]
    full = reward.reshape(reward.shape + (1,) * (3 - reward.ndim))
    return np.array(np.broadcast_to(full, (n_states, n_actions, n_states)))


def literal_canonical(
    reward: np.ndarray, state_dist: np.ndarray, action_dist: np.ndarray, discount: float
) -> np.ndarray:
    """The defining expectation, term by term, with explicit loops (Gleave et al. 2021, sec. 4)."""
    n_states, n_actions, _ = reward.shape
    out = np.empty_like(reward)
    triples = list(itertools.product(range(n_states), range(n_actions), range(n_states)))

    def prob(a: int, s: int) -> float:
        return float(action_dist[a] * state_dist[s])

    for s, a, s_next in triples:
        term = reward[s, a, s_next]
        for a2, s2 in itertools.product(range(n_actions), range(n_states)):
            term += prob(a2, s2) * (discount * reward[s_next, a2, s2] - reward[s, a2, s2])
        for s1, a2, s2 in triples:
            term -= state_dist[s1] * prob(a2, s2) * discount * reward[s1, a2, s2]
        out[s, a, s_next] = term
    return out


# ---------------------------------------------------------------------- canonicalize
def test_canonicalize_hand_computed_transition_reward() -> None:
    # R(s, s') = 2 s + s', uniform D, discount 0.5: m = [0.5, 2.5], m_bar = 1.5 and
    # C = R + 0.5 m(s') - m(s) - 0.75, which is -1 for s' = 0 and +1 for s' = 1.
    reward = np.array([[[0.0, 1.0]], [[2.0, 3.0]]])
    result = canonicalize(reward, n_states=2, n_actions=1, discount=0.5)
    np.testing.assert_allclose(result[:, 0, :], [[-1.0, 1.0], [-1.0, 1.0]], atol=1e-15)


def test_canonicalize_state_reward_is_discounted_next_state_term() -> None:
    # For R(s): C(R)(s, a, s') = discount * (R(s') - E_D R).
    reward = np.array([1.0, 4.0, -2.0])
    state_dist = np.array([0.5, 0.25, 0.25])
    result = canonicalize(
        reward, n_states=3, n_actions=2, discount=0.8, state_distribution=state_dist
    )
    expected = 0.8 * (reward - state_dist @ reward)
    np.testing.assert_allclose(result, np.broadcast_to(expected, (3, 2, 3)), atol=1e-15)


@pytest.mark.parametrize("form", [1, 2, 3])
def test_canonicalize_matches_literal_definition(form: int) -> None:
    rng = np.random.default_rng(form)
    n_states, n_actions, discount = 4, 2, 0.7
    reward = rng.normal(size=(n_states, n_actions, n_states)[:form])
    state_dist, action_dist = rng.dirichlet(np.ones(n_states)), rng.dirichlet(np.ones(n_actions))
    result = canonicalize(
        reward,
        n_states=n_states,
        n_actions=n_actions,
        discount=discount,
        state_distribution=state_dist,
        action_distribution=action_dist,
    )
    expected = literal_canonical(
        as_transition_reward(reward, n_actions), state_dist, action_dist, discount
    )
    np.testing.assert_allclose(result, expected, atol=1e-13)
    weights = state_dist[:, None, None] * action_dist[None, :, None] * state_dist[None, None, :]
    assert abs(np.sum(weights * result)) < 1e-14  # canonical rewards are centred


def test_canonicalize_removes_potential_shaping_and_constants() -> None:
    rng = np.random.default_rng(3)
    reward = rng.normal(size=(N_STATES, N_ACTIONS, N_STATES))
    potential = rng.normal(size=N_STATES)
    kwargs = dict(n_states=N_STATES, n_actions=N_ACTIONS, discount=DISCOUNT)
    base = canonicalize(reward, **kwargs)
    np.testing.assert_allclose(
        canonicalize(shaped(reward, potential, DISCOUNT), **kwargs), base, atol=1e-13
    )
    np.testing.assert_allclose(canonicalize(reward + 5.0, **kwargs), base, atol=1e-13)


# ---------------------------------------------------------------------- EPIC anchors (sec. 7.2)
def test_epic_anchors_on_random_mdp(mdp: MDP) -> None:
    rng = np.random.default_rng(7)
    reward = rng.normal(size=(N_STATES, N_ACTIONS, N_STATES))
    potential = rng.normal(size=N_STATES)
    same = 3.0 * shaped(reward, potential, DISCOUNT)
    assert epic_distance(mdp, reward, same, discount=DISCOUNT) == pytest.approx(0.0, abs=1e-12)
    assert epic_distance(mdp, reward, reward + 5.0, discount=DISCOUNT) == pytest.approx(
        0.0, abs=1e-12
    )
    assert epic_distance(mdp, reward, -reward, discount=DISCOUNT) == pytest.approx(1.0, abs=1e-12)


def test_epic_independent_random_rewards_are_near_sqrt_half() -> None:
    rng = np.random.default_rng(8)
    n_states, n_actions = 30, 3
    mdp = random_mdp(n_states, n_actions, branching=2, rng=1)
    distances = [
        epic_distance(
            mdp,
            rng.normal(size=(n_states, n_actions, n_states)),
            rng.normal(size=(n_states, n_actions, n_states)),
            discount=DISCOUNT,
        )
        for _ in range(10)
    ]
    assert np.mean(distances) == pytest.approx(np.sqrt(0.5), abs=0.05)


def test_epic_triangle_inequality_and_symmetry_over_random_triples(mdp: MDP) -> None:
    rng = np.random.default_rng(9)

    def random_reward() -> np.ndarray:
        kind = rng.integers(5)
        if kind == 3:  # equivalent to zero: a pure potential shaping plus a constant
            return shaped(np.zeros(N_STATES), rng.normal(size=N_STATES), DISCOUNT) + 1.0
        if kind == 4:  # close to another reward direction
            return np.ones((N_STATES, N_ACTIONS)) + 0.01 * rng.normal(size=(N_STATES, N_ACTIONS))
        return rng.normal(size=(N_STATES, N_ACTIONS, N_STATES)[: kind + 1])

    state_dist = rng.dirichlet(np.ones(N_STATES))
    for _ in range(300):
        a, b, c = random_reward(), random_reward(), random_reward()
        kwargs = dict(discount=DISCOUNT, state_distribution=state_dist)
        ab = epic_distance(mdp, a, b, **kwargs)
        bc = epic_distance(mdp, b, c, **kwargs)
        ac = epic_distance(mdp, a, c, **kwargs)
        assert ac <= ab + bc + 1e-12
        assert 0.0 <= ab <= 1.0
        assert ab == pytest.approx(epic_distance(mdp, b, a, **kwargs), abs=1e-14)


@pytest.mark.parametrize(("form_a", "form_b"), [(1, 1), (2, 2), (1, 2), (2, 1)])
def test_closed_form_equals_dense_path(form_a: int, form_b: int, mdp: MDP) -> None:
    rng = np.random.default_rng(10 * form_a + form_b)
    shape = (N_STATES, N_ACTIONS)
    for trial in range(5):
        state_dist = rng.dirichlet(np.ones(N_STATES))
        action_dist = rng.dirichlet(np.ones(N_ACTIONS))
        if trial == 4:  # zero coverage on one state and one action
            state_dist[1] = 0.0
            action_dist[2] = 0.0
            state_dist, action_dist = state_dist / state_dist.sum(), action_dist / action_dist.sum()
        reward_a = rng.normal(size=shape[:form_a])
        reward_b = rng.normal(size=shape[:form_b])
        if form_a == form_b:  # correlated, so that the distance is neither 0 nor ~0.71
            reward_b += reward_a
        kwargs = dict(
            discount=DISCOUNT, state_distribution=state_dist, action_distribution=action_dist
        )
        fast = epic_distance(mdp, reward_a, reward_b, **kwargs)
        dense = epic_distance(
            mdp,
            as_transition_reward(reward_a, N_ACTIONS),
            as_transition_reward(reward_b, N_ACTIONS),
            **kwargs,
        )
        canonical = [
            canonicalize(r, n_states=N_STATES, n_actions=N_ACTIONS, **kwargs)
            for r in (reward_a, reward_b)
        ]
        weights = state_dist[:, None, None] * action_dist[None, :, None] * state_dist[None, None, :]
        by_parts = pearson_distance(canonical[0], canonical[1], weights)
        assert fast == pytest.approx(dense, abs=1e-12)
        assert fast == pytest.approx(by_parts, abs=1e-12)
        assert 0.01 < fast < 0.99  # a non-trivial comparison


def test_state_action_reward_invariant_to_potential_shaping(mdp: MDP) -> None:
    rng = np.random.default_rng(11)
    reward = rng.normal(size=(N_STATES, N_ACTIONS))
    potential = rng.normal(size=N_STATES)
    kwargs = dict(
        discount=DISCOUNT,
        state_distribution=rng.dirichlet(np.ones(N_STATES)),
        action_distribution=rng.dirichlet(np.ones(N_ACTIONS)),
    )
    target = 2.0 * shaped(reward, potential, DISCOUNT) - 4.0
    assert epic_distance(mdp, reward, target, **kwargs) == pytest.approx(0.0, abs=1e-12)
    # shaping with the wrong discount is not ignored
    wrong = shaped(reward, potential, 0.5)
    assert epic_distance(mdp, reward, wrong, **kwargs) > 0.05


def test_scaling_positive_is_invisible_and_negative_is_not(mdp: MDP) -> None:
    rng = np.random.default_rng(12)
    for shape in [(N_STATES,), (N_STATES, N_ACTIONS), (N_STATES, N_ACTIONS, N_STATES)]:
        reward = rng.normal(size=shape)
        assert epic_distance(mdp, reward, 0.01 * reward, discount=DISCOUNT) == pytest.approx(
            0.0, abs=1e-12
        )
        assert epic_distance(mdp, reward, 250.0 * reward, discount=DISCOUNT) == pytest.approx(
            0.0, abs=1e-12
        )
        assert epic_distance(mdp, reward, -2.0 * reward, discount=DISCOUNT) == pytest.approx(
            1.0, abs=1e-12
        )


def test_rewards_equivalent_to_zero(mdp: MDP) -> None:
    rng = np.random.default_rng(13)
    reward = rng.normal(size=(N_STATES, N_ACTIONS))
    constant = np.full(N_STATES, 5.0)
    pure_shaping = shaped(np.full(N_STATES, -1.0), rng.normal(size=N_STATES), DISCOUNT)
    assert epic_distance(mdp, constant, pure_shaping, discount=DISCOUNT) == 0.0
    assert epic_distance(mdp, constant, np.zeros((N_STATES, N_ACTIONS)), discount=DISCOUNT) == 0.0
    assert epic_distance(mdp, reward, constant, discount=DISCOUNT) == pytest.approx(0.5, abs=1e-14)
    assert epic_distance(mdp, pure_shaping, reward, discount=DISCOUNT) == pytest.approx(
        0.5, abs=1e-14
    )
    # with discount 0 a state reward cannot influence any decision: it is equivalent to zero
    state_a, state_b = rng.normal(size=N_STATES), rng.normal(size=N_STATES)
    assert epic_distance(mdp, state_a, state_b, discount=0.0) == 0.0
    assert epic_distance(mdp, state_a, reward, discount=0.0) == pytest.approx(0.5, abs=1e-14)


def test_large_state_action_rewards_use_the_closed_form() -> None:
    # 10^6 states: an S x A x S array would need 32 TB; the closed form needs O(S * A).
    n_states, n_actions = 1_000_000, 4
    mdp = random_mdp(n_states, n_actions, branching=1, rng=0)
    rng = np.random.default_rng(14)
    reward = rng.normal(size=(n_states, n_actions))
    state_reward = rng.normal(size=n_states)
    assert epic_distance(mdp, reward, 2.0 * reward + 3.0, discount=0.99) == pytest.approx(
        0.0, abs=1e-12
    )
    assert epic_distance(mdp, reward, -reward, discount=0.99) == pytest.approx(1.0, abs=1e-12)
    independent = epic_distance(mdp, reward, rng.normal(size=(n_states, n_actions)), discount=0.99)
    assert independent == pytest.approx(np.sqrt(0.5), abs=0.01)
    assert epic_distance(mdp, state_reward, reward, discount=0.99) == pytest.approx(
        np.sqrt(0.5), abs=0.01
    )


# ---------------------------------------------------------------------- errors
def test_epic_errors_name_the_argument(mdp: MDP) -> None:
    reward = np.zeros((N_STATES, N_ACTIONS))
    with pytest.raises(ValueLearnInputError, match=r"`reward_b` must have shape \(5,\), \(5, 3\)"):
        epic_distance(mdp, reward, np.zeros((N_STATES, 2)), discount=DISCOUNT)
    bad = reward.copy()
    bad[2, 1] = np.nan
    with pytest.raises(ValueLearnInputError, match=r"`reward_a` must be finite; found nan at"):
        epic_distance(mdp, bad, reward, discount=DISCOUNT)
    with pytest.raises(ValueLearnInputError, match="`discount` must be in"):
        epic_distance(mdp, reward, reward, discount=1.5)
    with pytest.raises(ValueLearnInputError, match="`state_distribution` must sum to 1"):
        epic_distance(mdp, reward, reward, discount=DISCOUNT, state_distribution=np.ones(5))
    with pytest.raises(ValueLearnInputError, match="one probability per action"):
        epic_distance(mdp, reward, reward, discount=DISCOUNT, action_distribution=[0.5, 0.5])
    with pytest.raises(ValueLearnInputError, match="non-negative probabilities; got -0.5"):
        epic_distance(mdp, reward, reward, discount=DISCOUNT, action_distribution=[1.0, 0.5, -0.5])
    with pytest.raises(ValueLearnInputError, match="`mdp` must be a valuelearn.data.MDP"):
        epic_distance(np.eye(2), reward, reward, discount=DISCOUNT)  # type: ignore[arg-type]
    with pytest.raises(ValueLearnInputError, match="`reward_a` must be an array of numbers"):
        epic_distance(mdp, ["a", "b"], reward, discount=DISCOUNT)


def test_canonicalize_errors() -> None:
    with pytest.raises(ValueLearnInputError, match="`n_states` must be a positive integer"):
        canonicalize([1.0], n_states=0, n_actions=1, discount=0.9)
    with pytest.raises(ValueLearnInputError, match=r"`reward` must have shape \(2,\)"):
        canonicalize([1.0, 2.0, 3.0], n_states=2, n_actions=1, discount=0.9)
