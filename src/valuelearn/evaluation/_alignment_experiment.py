"""The representational-alignment experiment: sweep agents' alignment with a person, measure.

Replicates the simulated experiment of Wynn, Sucholutsky & Griffiths (NeurIPS 2024, section 5):
a person's similarity over actions and their values consistent with it; agents whose kernels
are the person's similarity corrupted to a controlled alignment
(:func:`~valuelearn.representation.aligned_kernels`); the personalisation phase
(:func:`~valuelearn.policy.personalise`) and the generalisation phase on held-out actions; the
metrics of :mod:`valuelearn.evaluation._exploration` against the realised alignment.

Synthetic people (:func:`synthetic_people`): each action has a latent feature vector
``z ~ N(0, I_d)``; the person's similarity is ``S = rbf_similarity(z)`` (median heuristic) and
their values are one draw ``u ~ N(0, S)`` rescaled to 0-100 (``100 (u - min u) / (max u -
min u)``), so similar actions have similar values, the best action scores 100 and about half of
the actions are "bad" (below 50).

All runs of one agent (alignment levels x seeds) are one batch; a seed's person, reward noise
and tie-breaking are shared by all levels and agents (common random numbers).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from scipy.stats import spearmanr

from valuelearn._random import RandomLike, as_generator
from valuelearn.evaluation._alignment import ALIGNMENT_VARIANTS, representational_alignment
from valuelearn.evaluation._exploration import (
    EXPLORATION_METRICS,
    GENERALISATION_METRICS,
    exploration_metrics,
    generalisation_metrics,
)
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._kernel_agents import KERNEL_AGENTS, AgentSettings, Draws, draw, personalise
from valuelearn.representation._similarity import aligned_kernels, rbf_similarity

#: Kernel agents swept by default (the Thompson baseline runs once per seed besides).
SWEEP_AGENTS = ("svr", "krr", "gp", "gp-ucb")
#: Alignment levels swept by default: 0, 0.1, ..., 1.
DEFAULT_LEVELS = tuple(round(0.1 * k, 1) for k in range(11))

Table = dict[str, NDArray[np.float64] | NDArray[np.str_]]


def synthetic_people(
    n_people: int, n_actions: int, *, n_features: int = 3, rng: RandomLike = None
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Similarity matrices and 0-100 values of ``n_people`` simulated people (module docstring).

    Returns
    -------
    similarity : array, shape (n_people, n_actions, n_actions)
    values : array, shape (n_people, n_actions)

    Examples
    --------
    >>> S, v = synthetic_people(2, 10, rng=0)
    >>> S.shape, v.min(axis=1).tolist(), v.max(axis=1).tolist()
    ((2, 10, 10), [0.0, 0.0], [100.0, 100.0])
    """
    generator = as_generator(rng)
    latent = generator.standard_normal((n_people, n_actions, n_features))
    similarity = np.stack([rbf_similarity(z) for z in latent])
    factor = np.linalg.cholesky(similarity + 1e-8 * np.eye(n_actions))
    draws = np.einsum("bij,bj->bi", factor, generator.standard_normal((n_people, n_actions)))
    low, high = draws.min(axis=1, keepdims=True), draws.max(axis=1, keepdims=True)
    return similarity, 100.0 * (draws - low) / (high - low)


def run_agents(
    values: NDArray[np.float64],
    person: NDArray[np.float64],
    kernels: NDArray[np.float64],
    draws: Draws,
    *,
    agents: Sequence[str],
    n_personal: int,
    n_steps: int,
    settings: AgentSettings,
) -> dict[str, dict[str, NDArray[np.float64]]]:
    """Alignment variants and all metrics of each agent on a batch of problems.

    ``values`` (B, n), ``person`` and ``kernels`` (B, n, n), ``draws`` for B problems. Returns,
    per agent, columns of length B: the three alignment variants (NaN for ``"thompson"``) and
    every metric.
    """
    alignment = {
        f"alignment_{variant}": representational_alignment(
            kernels, person, variant=variant, n_personal=n_personal
        )
        for variant in ALIGNMENT_VARIANTS
    }
    results: dict[str, dict[str, NDArray[np.float64]]] = {}
    for agent in agents:
        run = personalise(
            values,
            None if agent == "thompson" else kernels,
            agent=agent,
            n_steps=n_steps,
            n_personal=n_personal,
            settings=settings,
            draws=draws,
        )
        columns = dict(alignment)
        if agent == "thompson":
            columns = {name: np.full(values.shape[0], np.nan) for name in alignment}
        columns.update(
            exploration_metrics(run.actions, values, n_personal=n_personal, best=run.best)
        )
        columns.update(generalisation_metrics(run.predictions, values, n_personal=n_personal))
        results[agent] = columns
    return results


@dataclass(frozen=True, eq=False)
class SweepProblems:
    """The problems of a synthetic sweep, level-major: row ``k * n_seeds + s`` is level ``k``,
    seed ``s``. ``person``, ``values`` and ``seed_draws`` are per seed (the Thompson baseline's
    problems); the ``tiled_*`` arrays, ``kernels`` and ``draws`` are per (level, seed)."""

    person: NDArray[np.float64]
    values: NDArray[np.float64]
    seed_draws: Draws
    tiled_person: NDArray[np.float64]
    tiled_values: NDArray[np.float64]
    kernels: NDArray[np.float64]
    draws: Draws


def sweep_problems(
    levels: NDArray[np.float64],
    n_seeds: int,
    n_actions: int,
    n_held_out: int,
    n_steps: int,
    *,
    baseline: bool = True,
    rng: RandomLike = 0,
) -> SweepProblems:
    """Build the people, agent kernels and random numbers of :func:`alignment_sweep`.

    Drawn in this order from ``rng``: people, per-seed draws, kernel permutations (so the same
    ``rng`` gives the same problems to :func:`alignment_sweep` and to a benchmark).
    """
    generator = as_generator(rng)
    n_levels = levels.size
    person, values = synthetic_people(n_seeds, n_actions + n_held_out, rng=generator)
    seed_draws = draw(n_seeds, n_steps, n_actions, thompson=baseline, rng=generator)
    tiled_person = np.tile(person, (n_levels, 1, 1))
    kernels, _ = aligned_kernels(tiled_person, np.repeat(levels, n_seeds), rng=generator)
    draws = Draws(
        np.tile(seed_draws.noise, (n_levels, 1)),
        np.tile(seed_draws.priority, (n_levels, 1, 1)),
        None,
    )
    return SweepProblems(
        person, values, seed_draws, tiled_person, np.tile(values, (n_levels, 1)), kernels, draws
    )


def alignment_sweep(
    *,
    levels: Sequence[float] = DEFAULT_LEVELS,
    agents: Sequence[str] = SWEEP_AGENTS,
    n_seeds: int = 100,
    n_actions: int = 50,
    n_held_out: int = 20,
    n_steps: int = 100,
    baseline: bool = True,
    settings: AgentSettings | None = None,
    rng: RandomLike = 0,
) -> Table:
    """The synthetic replication: every agent at every alignment level for every seed.

    Parameters
    ----------
    levels : sequence of float in [0, 1]
        Target alignments of the agents' kernels with the person's similarity.
    agents : sequence of str
        Kernel agents (from :data:`~valuelearn.policy.KERNEL_AGENTS`, not ``"thompson"``).
    n_seeds : int
        Simulated people (one per seed).
    n_actions, n_held_out : int
        Personalisation actions and held-out actions per person.
    n_steps : int
        Personalisation steps.
    baseline : bool
        Also run the Thompson-sampling baseline (once per seed; its rows have level NaN).
    settings : AgentSettings, optional
    rng : Generator, int or None

    Returns
    -------
    dict of str to array
        One row per run: ``agent``, ``level``, ``seed``, ``alignment_full``,
        ``alignment_personal``, ``alignment_cross``, and every metric of
        :data:`~valuelearn.evaluation.EXPLORATION_METRICS` and
        :data:`~valuelearn.evaluation.GENERALISATION_METRICS`.

    Examples
    --------
    >>> table = alignment_sweep(levels=(0.0, 1.0), agents=("krr",), n_seeds=2, n_actions=8,
    ...                         n_held_out=4, n_steps=5, rng=0)
    >>> table["agent"].tolist(), table["level"].tolist()
    (['krr', 'krr', 'krr', 'krr', 'thompson', 'thompson'], [0.0, 0.0, 1.0, 1.0, nan, nan])
    """
    settings = AgentSettings() if settings is None else settings
    bad = [a for a in agents if a not in KERNEL_AGENTS or a == "thompson"]
    if bad or not agents:
        raise ValueLearnInputError(
            "The 'agents' parameter of alignment_sweep must name kernel agents from "
            f"{KERNEL_AGENTS[:-1]}; got {tuple(agents)!r} instead."
        )
    level_array = np.asarray(levels, dtype=np.float64)
    if (
        level_array.ndim != 1
        or not level_array.size
        or np.any((level_array < 0) | (level_array > 1))
    ):
        raise ValueLearnInputError(
            f"The 'levels' parameter of alignment_sweep must be values in [0, 1]; got {levels!r} "
            "instead."
        )
    problems = sweep_problems(
        level_array, n_seeds, n_actions, n_held_out, n_steps, baseline=baseline, rng=rng
    )
    person, values, seed_draws = problems.person, problems.values, problems.seed_draws
    n_levels = level_array.size
    runs = run_agents(
        problems.tiled_values,
        problems.tiled_person,
        problems.kernels,
        problems.draws,
        agents=agents,
        n_personal=n_actions,
        n_steps=n_steps,
        settings=settings,
    )
    parts: list[Table] = []
    for agent, columns in runs.items():
        part: Table = {
            "agent": np.full(n_levels * n_seeds, agent),
            "level": np.repeat(level_array, n_seeds),
            "seed": np.tile(np.arange(n_seeds, dtype=np.float64), n_levels),
        }
        part.update(columns)
        parts.append(part)
    if baseline:
        thompson = run_agents(
            values,
            person,
            person,
            seed_draws,
            agents=("thompson",),
            n_personal=n_actions,
            n_steps=n_steps,
            settings=settings,
        )["thompson"]
        part = {
            "agent": np.full(n_seeds, "thompson"),
            "level": np.full(n_seeds, np.nan),
            "seed": np.arange(n_seeds, dtype=np.float64),
        }
        part.update(thompson)
        parts.append(part)
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}


def alignment_correlations(
    table: Table,
    *,
    variant: str = "full",
    unit: str = "run",
    metrics: Sequence[str] = EXPLORATION_METRICS + GENERALISATION_METRICS,
) -> list[dict[str, float | str]]:
    """Per agent and metric, the Spearman correlation (and p-value) of alignment with the metric.

    Parameters
    ----------
    table : dict of str to array
        From :func:`alignment_sweep` (or any table with ``agent``, ``alignment_<variant>``,
        the metrics and, for ``unit="level"``, ``level``).
    variant : {"full", "personal", "cross"}
    unit : {"run", "level"}
        ``"run"``: every run is one point (all levels and seeds; the person-to-person spread
        stays in). ``"level"``: one point per alignment level, the mean realised alignment
        against the mean metric over seeds (the paper's figure read as a curve).
    metrics : sequence of str

    Returns
    -------
    list of dict
        ``{"agent", "metric", "rho", "p_value", "n"}``, agents in table order. Runs with a NaN
        metric are left out; agents without alignment (the Thompson baseline) are skipped.

    Examples
    --------
    >>> table = {"agent": np.array(["krr"] * 4), "alignment_full": np.array([0.0, .3, .6, 1.]),
    ...          "mean_reward": np.array([50.0, 60.0, 55.0, 90.0])}
    >>> row = alignment_correlations(table, metrics=["mean_reward"])[0]
    >>> row["agent"], row["metric"], round(row["rho"], 6), row["n"]
    ('krr', 'mean_reward', 0.8, 4)
    """
    if unit not in ("run", "level"):
        raise ValueLearnInputError(
            "The 'unit' parameter of alignment_correlations must be 'run' or 'level'; got "
            f"{unit!r} instead."
        )
    alignment = np.asarray(table[f"alignment_{variant}"], dtype=np.float64)
    agents = np.asarray(table["agent"])
    rows: list[dict[str, float | str]] = []
    for agent in dict.fromkeys(agents.tolist()):
        mask = (agents == agent) & np.isfinite(alignment)
        if not mask.any():
            continue
        for metric in metrics:
            y = np.asarray(table[metric], dtype=np.float64)[mask]
            x = alignment[mask]
            keep = np.isfinite(y)
            x, y = x[keep], y[keep]
            if unit == "level":
                levels = np.asarray(table["level"], dtype=np.float64)[mask][keep]
                groups = [levels == level for level in np.unique(levels)]
                x = np.array([x[g].mean() for g in groups])
                y = np.array([y[g].mean() for g in groups])
            if y.size < 3 or np.ptp(y) == 0 or np.ptp(x) == 0:
                rho, p_value = float("nan"), float("nan")
            else:
                result = spearmanr(x, y)
                rho, p_value = float(result.statistic), float(result.pvalue)
            rows.append(
                {"agent": agent, "metric": metric, "rho": rho, "p_value": p_value, "n": int(y.size)}
            )
    return rows
