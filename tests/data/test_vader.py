"""VADER lexicon loader: the shipped file's known counts, and one-line errors on bad files."""

from __future__ import annotations

import importlib.util
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from valuelearn.data import _vader as vader_module
from valuelearn.data import read_vader_lexicon, vader_ratings
from valuelearn.exceptions import ValueLearnInputError

needs_vader = pytest.mark.skipif(
    importlib.util.find_spec("vaderSentiment") is None,
    reason="vaderSentiment is not installed (pip install 'valuelearn[data]'; `make test` does)",
)

KILL = "kill\t-3.7\t0.45826\t[-4, -4, -4, -4, -3, -4, -4, -4, -3, -3]"
HONEST = "honest\t2.3\t0.9\t[3, 2, 1, 2, 3, 1, 2, 3, 2, 4]"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "lexicon.txt"
    path.write_bytes(text.encode("utf-8"))
    return path


@needs_vader
def test_the_shipped_lexicon_has_its_documented_counts() -> None:
    lexicon = read_vader_lexicon()
    assert len(lexicon.tokens) == 7520 and lexicon.ratings.shape == (7520, 10)
    histogram = np.bincount(lexicon.ratings.ravel() + 4, minlength=9)
    assert histogram.tolist() == [2096, 6641, 13896, 13598, 9680, 10532, 11926, 5467, 1364]
    repeats = sorted(token for token, n in Counter(lexicon.tokens).items() if n > 1)
    assert repeats == sorted(
        [
            ":-p",
            "d:",
            "d=",
            "fav",
            "lmao",
            "lol",
            "muah",
            "o.o",
            "ok",
            "sob",
            "x-d",
            "x-p",
            "xd",
            "xp",
        ]
    )
    assert lexicon.tokens[0] == "$:"
    assert lexicon.ratings[0].tolist() == [-1, -1, -1, -1, -3, -1, -3, -1, -2, -1]
    row = lexicon.tokens.index("flirtatious")
    assert lexicon.ratings[row].tolist() == [-4, 1, 2, 1, 2, -3, 3, 4, -2, 1]
    # the std column is the population SD of the ratings (six rows disagree in the 3rd decimal)
    close = np.isclose(lexicon.stds, lexicon.ratings.std(axis=1), atol=5e-4)
    assert int((~close).sum()) <= 6


@needs_vader
def test_vader_ratings_are_ten_raters_per_word() -> None:
    items, ratings = vader_ratings(n_buckets=64)
    assert items.n_items == 7520 and len(ratings) == 75200 and ratings.scale == (-4, 4)
    assert items.features is not None and items.features.shape == (7520, 64)
    assert "lol" in items and "lol#2" in items and items.texts is not None
    assert ratings.rater[:12] == ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "1")
    kill = items.index_of(["kill"])[0]
    picks = ratings.indices(items) == kill
    assert ratings.score[picks].tolist() == [-4, -4, -4, -4, -3, -4, -4, -4, -3, -3]
    assert Counter(ratings.rater) == {str(r): 7520 for r in range(10)}


def test_crlf_and_lf_files_read_alike(tmp_path: Path) -> None:
    crlf = read_vader_lexicon(write(tmp_path, f"{KILL}\r\n{HONEST}"))
    lf = read_vader_lexicon(write(tmp_path, f"{KILL}\n{HONEST}\n"))
    assert crlf.tokens == lf.tokens == ("kill", "honest")
    assert np.array_equal(crlf.ratings, lf.ratings) and crlf.ratings.sum() == -37 + 23
    assert np.allclose(crlf.means, [-3.7, 2.3]) and np.allclose(crlf.stds, [0.45826, 0.9])


def test_repeated_tokens_get_numbered_ids(tmp_path: Path) -> None:
    lexicon = read_vader_lexicon(write(tmp_path, f"{KILL}\n{HONEST}\n{KILL}\n{KILL}"))
    assert lexicon.ids == ("kill", "honest", "kill#2", "kill#3")
    items, ratings = vader_ratings(path=tmp_path / "lexicon.txt", features="none")
    assert items.features is None and items.texts == lexicon.tokens and len(ratings) == 40


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("kill\t-3.7\t[-4, -4]", "expected 4 tab-separated columns .* got 3"),
        ("\t-3.7\t0.4\t[-4, -4, -4, -4, -3, -4, -4, -4, -3, -3]", "the token column"),
        ("kill\tbad\t0.4\t[-4, -4, -4, -4, -3, -4, -4, -4, -3, -3]", "the mean column must be"),
        ("kill\t-3.7\tnan\t[-4, -4, -4, -4, -3, -4, -4, -4, -3, -3]", "the std column must be"),
        ("kill\t-3.6\t0.4\t[-4, -4, -4, -4, -3, -4, -4, -4, -3]", "a list of 10 integers"),
        ("kill\t-3.7\t0.4\t[-5, -4, -4, -4, -3, -4, -4, -4, -3, -3]", "from -4 to 4; got"),
        ("kill\t-3.7\t0.4\t[-4, -4, -4, -4, -3, -4, -4, -4, -3, x]", "a list of 10 integers"),
        ("kill\t-3.7\t0.4\t-4, -4, -4, -4, -3, -4, -4, -4, -3, -3", "a list of 10 integers"),
        ("kill\t1.0\t0.4\t[-4, -4, -4, -4, -3, -4, -4, -4, -3, -3]", "mean column says 1 but"),
    ],
)
def test_malformed_lines_name_the_file_and_line(tmp_path: Path, line: str, message: str) -> None:
    path = write(tmp_path, f"{HONEST}\r\n{line}")
    with pytest.raises(ValueLearnInputError, match=f"^lexicon.txt line 2: .*{message}"):
        read_vader_lexicon(path)


def test_empty_file_and_bad_options(tmp_path: Path) -> None:
    with pytest.raises(ValueLearnInputError, match="lexicon.txt: the file is empty"):
        read_vader_lexicon(write(tmp_path, "\r\n"))
    with pytest.raises(ValueLearnInputError, match="'features' parameter of vader_ratings"):
        vader_ratings(features="words", path=write(tmp_path, KILL))  # type: ignore[arg-type]


def test_missing_package_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vader_module.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ModuleNotFoundError, match=r"pip install 'valuelearn\[data\]'"):
        vader_ratings()
