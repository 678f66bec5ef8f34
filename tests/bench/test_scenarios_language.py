"""The language suite's scenarios, with the learners that need no torch."""

import pytest

from valuelearn.bench._registry import get, scenarios
from valuelearn.bench._scenarios_language import (
    attack_figures,
    bleeding_figures,
    overoptimisation_figures,
    run_bleeding,
    run_text_values,
)
from valuelearn.bench._store import RunRecord
from valuelearn.exceptions import ValueLearnInputError


def _record(scenario, learner, n, metrics):
    return RunRecord(scenario, learner, n, 0, "h", "language", "{}", metrics, 1.0)


def test_registered_in_the_language_suite():
    names = {s.name for s in scenarios("language")}
    assert {"text-values", "valence-bleeding", "association-attack", "overoptimisation"} <= names
    assert get("overoptimisation").metrics == ("gold", "proxy", "sqrt_kl")
    assert get("text-values").suites == ("language",)  # not in the default suite


def test_bleeding_run_with_random_vectors_is_deterministic():
    first = run_bleeding("random", 300, 0)
    assert first == run_bleeding("random", 300, 0)
    assert 0 <= first["reach"] <= 1 and first["nearest10"] < 0.5
    assert any(key.startswith("bin_") for key in first)


def test_text_values_with_char_ngrams():
    result = run_text_values("char-ngrams-ridge", 1000, 0)
    assert set(result) == {"spearman", "afinn", "moral"}
    assert 0.3 < result["spearman"] < 0.75


def test_unknown_learner():
    with pytest.raises(ValueLearnInputError, match="unknown learner 'svm'"):
        run_bleeding("svm", 300, 0)


def test_figures_render_from_records():
    bins = {f"bin_{j:02d}": 0.1 * j for j in range(12)}
    bleeding = [_record("valence-bleeding", k, 1000, bins) for k in ("minilm", "random")]
    assert bleeding_figures(bleeding).startswith("<img")
    attack = [
        _record("association-attack", learner, n, {"closed": c})
        for learner, c0 in (("none", 0.5), ("anchor", 0.1))
        for n, c in ((0, 0.0), (10, c0 / 2), (100, c0))
    ]
    assert attack_figures(attack).startswith("<img")
    over = [
        _record("overoptimisation", "bon-100", n, {"gold": g, "proxy": p, "sqrt_kl": d})
        for n, g, p, d in (
            (1, 0, 0, 0),
            (4, 0.8, 0.9, 0.9),
            (16, 1.0, 1.4, 1.4),
            (64, 0.9, 1.7, 1.8),
        )
    ]
    html = overoptimisation_figures(over)
    assert html.startswith("<img") and "bon-100: alpha" in html
    assert bleeding_figures([]) == attack_figures([]) == overoptimisation_figures([]) == ""
