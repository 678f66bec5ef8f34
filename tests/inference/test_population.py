"""Tests for valuelearn.inference._population: hierarchical (population) MCE IRL."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray

from valuelearn.data import MDP, Demonstrations, Trajectory, feature_gridworld
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.humans._rational import SoftOptimal
from valuelearn.inference import MCEIRL
from valuelearn.inference._fitting import weighted_problem
from valuelearn.inference._population import HierarchicalMCEIRL, population_map_objective

H = 8
MU = np.array([1.0, -1.0, 0.5])
TAU = 0.3


@pytest.fixture(scope="module")
def world() -> MDP:
    return feature_gridworld(5, n_features=3, kind="gaussian", rng=0)


def person(mdp: MDP, weights: NDArray[np.float64], n: int, seed: int, who: str) -> list[Trajectory]:
    demos = SoftOptimal().simulate(
        mdp, mdp.features @ weights, n=n, horizon=H, discount=1.0, rng=seed
    )
    return [Trajectory(t.states, t.actions, demonstrator=who) for t in demos]


@pytest.fixture(scope="module")
def population(world: MDP) -> Demonstrations:
    rng = np.random.default_rng(0)
    trajectories: list[Trajectory] = []
    for i in range(15):
        trajectories += person(world, MU + TAU * rng.normal(size=3), 10, 100 + i, f"p{i}")
    return Demonstrations(trajectories)


@pytest.fixture(scope="module")
def fitted(world: MDP, population: Demonstrations) -> HierarchicalMCEIRL:
    return HierarchicalMCEIRL(tau=TAU, horizon=H).fit(world, population)


def test_population_mean_is_recovered(fitted: HierarchicalMCEIRL) -> None:
    assert fitted.people_ == tuple(f"p{i}" for i in range(15))
    assert np.linalg.norm(fitted.mean_weights_ - MU) < 0.25
    assert fitted.converged_
    np.testing.assert_allclose(fitted.weights_["p3"], fitted.mean_weights_ + fitted.offsets_[3])


def test_new_person_borrows_strength(world: MDP, fitted: HierarchicalMCEIRL) -> None:
    rng = np.random.default_rng(42)
    pooled, alone = [], []
    for seed in range(6):
        truth = MU + TAU * rng.normal(size=3)
        demos = Demonstrations(person(world, truth, 3, seed, "new"))
        pooled.append(np.linalg.norm(fitted.fit_new_person(world, demos) - truth))
        alone.append(np.linalg.norm(MCEIRL(horizon=H, l2=1e-2).fit(world, demos).weights_ - truth))
    assert pooled[0] < alone[0]
    assert np.mean(pooled) < 0.5 * np.mean(alone)


def test_gradient_matches_finite_differences(world: MDP, population: Demonstrations) -> None:
    groups = [[t for t in population if t.demonstrator == f"p{i}"] for i in range(3)]
    problems = [weighted_problem(world, g, features=world.features, horizon=H, discount=1.0)
                for g in groups]  # fmt: skip
    counts = np.array([10.0, 10.0, 10.0])
    rng = np.random.default_rng(1)
    mean, offsets = rng.normal(size=3), 0.3 * rng.normal(size=(3, 3))

    def value(m: NDArray[np.float64], o: NDArray[np.float64]) -> float:
        return population_map_objective(problems, counts, m, o, tau=0.5, l2_mean=0.2)[0]

    _, g_mean, g_offsets = population_map_objective(
        problems, counts, mean, offsets, tau=0.5, l2_mean=0.2
    )
    step = 1e-6
    for j in range(3):
        e = np.zeros(3)
        e[j] = step
        numeric = (value(mean + e, offsets) - value(mean - e, offsets)) / (2 * step)
        assert g_mean[j] == pytest.approx(numeric, abs=1e-6)
        shift = np.zeros((3, 3))
        shift[1, j] = step
        numeric = (value(mean, offsets + shift) - value(mean, offsets - shift)) / (2 * step)
        assert g_offsets[1, j] == pytest.approx(numeric, abs=1e-6)


def test_tiny_tau_pools_everyone(world: MDP, population: Demonstrations) -> None:
    # offsets are forced to 0, so the mean is the pooled MCE IRL fit with the same ridge
    model = HierarchicalMCEIRL(tau=1e-2, horizon=H, l2_mean=0.05, gtol=1e-6).fit(world, population)
    pooled = MCEIRL(horizon=H, l2=0.05).fit(world, population)
    np.testing.assert_allclose(model.mean_weights_, pooled.weights_, atol=1e-3)
    assert np.abs(model.offsets_).max() < 1e-2  # about tau^2 * n_i * gradient
    # and a new person is then the population mean, whatever they do
    demos = Demonstrations(person(world, -MU, 3, 9, "contrarian"))
    np.testing.assert_allclose(model.fit_new_person(world, demos), model.mean_weights_, atol=1e-2)


def test_errors(world: MDP, population: Demonstrations, fitted: HierarchicalMCEIRL) -> None:
    anonymous = Demonstrations([Trajectory(population[0].states, population[0].actions)])
    with pytest.raises(ValueLearnInputError, match="trajectory 0 has demonstrator=None"):
        HierarchicalMCEIRL(horizon=H).fit(world, anonymous)
    with pytest.raises(ValueLearnInputError, match="'tau' parameter of HierarchicalMCEIRL"):
        HierarchicalMCEIRL(tau=0.0, horizon=H).fit(world, population)
    with pytest.raises(NotFittedError):
        HierarchicalMCEIRL().fit_new_person(world, population)
    other = feature_gridworld(5, n_features=2, kind="gaussian", rng=0)
    with pytest.raises(ValueLearnInputError, match="gives 2 reward weights"):
        fitted.fit_new_person(other, population)
