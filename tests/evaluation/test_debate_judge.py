"""The sparse judge: reveals, training, the weight cache, and its place below a full-image model."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from valuelearn.evaluation._debate_judge import (
    SparseJudge,
    digits,
    digits_split,
    judge_features,
    random_reveals,
    trained_judge,
)
from valuelearn.exceptions import NotFittedError, ValueLearnInputError

pytest.importorskip("sklearn")  # scikit-learn ships the digits and the network (dev extra)


def test_random_reveals_pick_distinct_nonzero_pixels() -> None:
    images, _ = digits()
    masks = random_reveals(images[:200], 6, rng=0)
    assert np.all(masks.sum(axis=1) == 6)
    assert np.all(images[:200][masks] > 0)
    assert np.array_equal(masks, random_reveals(images[:200], 6, rng=0))
    # uniform over the non-zero pixels: each of image 0's is shown about equally often
    many = random_reveals(np.repeat(images[:1], 20000, axis=0), 4, rng=1)
    counts = many.sum(axis=0)[images[0] > 0]
    expected = 20000 * 4 / np.count_nonzero(images[0])
    assert np.all(np.abs(counts - expected) < 5 * np.sqrt(expected))
    with pytest.raises(ValueLearnInputError, match="'n_pixels' parameter must not exceed"):
        random_reveals(images[:1], 65)


def test_features_hide_unrevealed_pixels() -> None:
    images, _ = digits()
    masks = random_reveals(images[:5], 4, rng=0)
    features = judge_features(masks, images[:5])
    assert features.shape == (5, 128)
    assert np.array_equal(features[:, :64], masks)
    assert np.all(features[:, 64:][~masks] == 0) and np.array_equal(
        features[:, 64:][masks], images[:5][masks]
    )


def test_cache_round_trip(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    settings = {"hidden": 8, "n_masks": 1, "max_iter": 3}
    first = trained_judge(4, cache_dir=tmp_path, **settings)
    files = list(tmp_path.glob("debate-judge-*.npz"))
    assert len(files) == 1 and not list(tmp_path.glob(".*.tmp"))

    def no_training(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached judge should have been loaded")

    with monkeypatch.context() as patch:
        patch.setattr(SparseJudge, "fit", no_training)
        again = trained_judge(4, cache_dir=tmp_path, **settings)
    for a, b in zip(first.weights_, again.weights_, strict=True):
        assert np.array_equal(a, b)
    files[0].write_bytes(b"not an npz")  # a damaged file is retrained and rewritten
    repaired = trained_judge(4, cache_dir=tmp_path, **settings)
    assert np.array_equal(repaired.weights_[0], first.weights_[0])  # same seed, same network
    other = trained_judge(4, cache_dir=tmp_path, **{**settings, "random_state": 1})
    assert len(list(tmp_path.glob("debate-judge-*.npz"))) == 2
    assert not np.array_equal(other.weights_[0], first.weights_[0])


def test_sparse_judge_is_far_below_a_full_image_model() -> None:
    from sklearn.linear_model import LogisticRegression

    images, labels = digits()
    train, test = digits_split(len(labels))
    full = LogisticRegression(max_iter=2000).fit(images[train], labels[train])
    assert full.score(images[test], labels[test]) > 0.93
    judge = trained_judge(4)
    masks = random_reveals(images[test], 4, rng=0)
    assert np.mean(judge.predict(masks, images[test]) == labels[test]) < 0.6


def test_errors() -> None:
    images, labels = digits()
    with pytest.raises(ValueLearnInputError, match="'n_pixels' parameter of SparseJudge"):
        SparseJudge(n_pixels=0).fit(images, labels)
    with pytest.raises(ValueLearnInputError, match="every digit 0-9"):
        SparseJudge(max_iter=1).fit(images[labels < 5], labels[labels < 5])
    with pytest.raises(NotFittedError, match="not fitted"):
        SparseJudge().log_proba(np.zeros((1, 64), dtype=bool), images[:1])
