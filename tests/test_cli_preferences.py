"""`valuelearn fit preferences` through the command-line entry point."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray
from scipy.stats import spearmanr

from valuelearn.data import (
    Comparisons,
    Items,
    Rankings,
    Ratings,
    load_comparisons,
    save_comparisons,
    save_items,
    save_rankings,
    save_ratings,
)
from valuelearn.inference import (
    PreferenceLaplace,
    PreferenceMCMC,
    bradley_terry,
    thurstone,
    weak_comparison,
)

from .cli_helpers import run

TRUE_WEIGHTS = np.array([2.0, -1.0, 0.5])
EASY = ['{"a": "x", "b": "y", "preferred": "a"}', '{"a": "y", "b": "z", "preferred": "a"}']
CYCLE = [*EASY, '{"a": "z", "b": "x", "preferred": "a"}']


def fit(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[dict[str, Any], list[str]]:
    """Run ``fit preferences --out v.json ...``; return values.json and the stdout ranking."""
    code, out, err = run(capsys, "fit", "preferences", "--out", "v.json", *argv)
    assert code == 0, err
    assert err.startswith("wrote the values of ") and len(err.strip().splitlines()) == 1, err
    printed = json.loads(out)
    assert printed["values_file"] == "v.json"
    document: dict[str, Any] = json.loads(Path("v.json").read_text())
    assert printed["ranking"] == [row["id"] for row in document["items"]]
    return document, printed["ranking"]


def fitted_utilities(document: dict[str, Any], ids: tuple[str, ...]) -> NDArray[np.float64]:
    by_id = {row["id"]: row["utility"] for row in document["items"]}
    return np.array([by_id[item] for item in ids])


def spearman(a: NDArray[np.float64], b: NDArray[np.float64]) -> float:
    return float(spearmanr(a, b).statistic)


def random_pairs(n_items: int, n: int, rng: np.random.Generator) -> NDArray[np.int64]:
    pairs = rng.integers(n_items, size=(3 * n, 2))
    distinct: NDArray[np.int64] = pairs[pairs[:, 0] != pairs[:, 1]][:n]
    return distinct


@pytest.fixture
def person(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Items, NDArray[np.float64]]:
    """12 items with 3 features and the judgments of a person with weights ``TRUE_WEIGHTS``.

    Files: ``items.csv``, ``bt.jsonl`` (150 Bradley–Terry answers), ``th.jsonl`` (150 Thurstone
    answers), ``r.jsonl`` (40 Plackett–Luce rankings of 4 items) and ``s.csv`` (36 ordinal
    probit ratings on 1..5), all on random items.
    """
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(0)
    items = Items(
        tuple(f"i{k}" for k in range(12)),
        features=rng.normal(size=(12, 3)),
        feature_names=("care", "harm", "fun"),
    )
    assert items.features is not None
    u = items.features @ TRUE_WEIGHTS
    save_items(items, "items.csv")
    for name, model in (("bt.jsonl", bradley_terry()), ("th.jsonl", thurstone())):
        pairs = random_pairs(12, 150, rng)
        codes = model.sample(u[pairs[:, 0]] - u[pairs[:, 1]], rng)
        save_comparisons(Comparisons.from_outcomes(items, pairs[:, 0], pairs[:, 1], codes), name)
    orders = []
    for _ in range(40):
        subset = rng.choice(12, size=4, replace=False)
        noisy = u[subset] + rng.gumbel(size=4)  # Gumbel-max: a Plackett–Luce draw
        orders.append(tuple(items.ids[i] for i in subset[np.argsort(-noisy)]))
    save_rankings(Rankings(tuple(orders)), "r.jsonl")
    rated = np.repeat(np.arange(12), 3)
    scores = 1 + np.digitize(u[rated] + rng.normal(size=rated.size), [-2.0, -0.7, 0.7, 2.0])
    save_ratings(Ratings(tuple(items.ids[i] for i in rated), scores, scale=(1, 5)), "s.csv")
    return items, u


# ---------------------------------------------------------------------- recovery
def test_bt_recovers_the_person_and_writes_the_values_format(
    capsys: pytest.CaptureFixture[str], person: tuple[Items, NDArray[np.float64]]
) -> None:
    items, u = person
    document, ranking = fit(capsys, "--items", "items.csv", "--comparisons", "bt.jsonl")
    assert document["format"] == "valuelearn.values/1"
    assert (document["model"], document["utility"]) == ("bt", "linear")
    assert document["feature_names"] == ["care", "harm", "fun"]
    weights = np.array(document["weights"])
    assert weights @ TRUE_WEIGHTS / np.linalg.norm(weights) / np.linalg.norm(TRUE_WEIGHTS) > 0.95
    values = [row["utility"] for row in document["items"]]
    assert values == sorted(values, reverse=True)
    assert spearman(fitted_utilities(document, items.ids), u) > 0.95
    assert document["n_judgments"] == document["n_comparisons"] == 150
    assert sum(row["judgments"] for row in document["items"]) == 300  # two items per comparison
    assert "std" not in document["items"][0] and document["converged"] is True
    assert ranking[0] == items.ids[int(np.argmax(u))]


def test_pl_recovers_the_person_from_rankings(
    capsys: pytest.CaptureFixture[str], person: tuple[Items, NDArray[np.float64]]
) -> None:
    items, u = person
    document, _ = fit(capsys, "--items", "items.csv", "--rankings", "r.jsonl", "--model", "pl")
    assert (document["n_rankings"], document["n_comparisons"]) == (40, 0)
    assert spearman(fitted_utilities(document, items.ids), u) > 0.95


def test_thurstone_fits_comparisons_rankings_and_ratings_together(
    capsys: pytest.CaptureFixture[str], person: tuple[Items, NDArray[np.float64]]
) -> None:
    items, u = person
    document, _ = fit(
        capsys, "--items", "items.csv", "--comparisons", "th.jsonl", "--rankings", "r.jsonl",
        "--ratings", "s.csv", "--rating-scale", "1,5", "--model", "thurstone", "--laplace",
    )  # fmt: skip
    assert document["comparison_model"]["link"] == "probit"
    assert document["comparison_model"]["scale"] == pytest.approx(np.sqrt(2.0))
    assert document["n_judgments"] == 150 + 40 + 36
    assert document["rating_scale"] == [1, 5] and np.all(np.diff(document["thresholds"]) > 0)
    assert spearman(fitted_utilities(document, items.ids), u) > 0.95
    assert len(document["weight_std"]) == 3
    assert all(0 < row["std"] < 1 for row in document["items"])


def test_gp_learns_values_a_linear_model_cannot(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Values peaked in the middle of one feature: the RBF kernel follows them, a line cannot."""
    monkeypatch.chdir(tmp_path)
    rng = np.random.default_rng(1)
    x = np.linspace(0.0, 1.0, 15)
    items = Items(tuple(f"i{k}" for k in range(15)), features=x[:, None], feature_names=("x",))
    u = 3.0 - 12.0 * (x - 0.5) ** 2
    pairs = random_pairs(15, 200, rng)
    codes = thurstone().sample(u[pairs[:, 0]] - u[pairs[:, 1]], rng)
    save_items(items, "items.csv")
    save_comparisons(Comparisons.from_outcomes(items, pairs[:, 0], pairs[:, 1], codes), "c.jsonl")
    base = ("--items", "items.csv", "--comparisons", "c.jsonl")
    gp, _ = fit(capsys, *base, "--model", "gp")
    assert (gp["utility"], gp["weights"]) == ("kernel", None)
    assert gp["length_scale"] > 0
    assert spearman(fitted_utilities(gp, items.ids), u) > 0.85
    assert all(row["std"] > 0 for row in gp["items"])
    line, _ = fit(capsys, *base, "--model", "thurstone")
    assert abs(spearman(fitted_utilities(line, items.ids), u)) < 0.5


@pytest.mark.parametrize("model", ["bt", "thurstone", "pl"])
def test_an_easy_case_gives_the_exact_order(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("c.jsonl").write_text("\n".join(EASY * 3) + "\n")
    document, ranking = fit(capsys, "--comparisons", "c.jsonl", "--model", model)
    assert ranking == ["x", "y", "z"] and document["utility"] == "item"
    assert document["feature_names"] is None and "text" not in document["items"][0]


# ---------------------------------------------------------------------- inconsistent people
@pytest.mark.parametrize("model", ["bt", "thurstone", "pl"])
def test_cyclic_and_contradictory_judgments_fit_to_equal_values(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, model: str
) -> None:
    """x > y > z > x, and x > y and y > x: by symmetry every value is the prior mean 0."""
    monkeypatch.chdir(tmp_path)
    flipped = '{"a": "y", "b": "x", "preferred": "a"}'
    Path("c.jsonl").write_text("\n".join([*CYCLE, EASY[0], flipped]) + "\n")
    document, _ = fit(capsys, "--comparisons", "c.jsonl", "--model", model, "--laplace")
    assert np.allclose([row["utility"] for row in document["items"]], 0.0, atol=1e-6)


# ---------------------------------------------------------------------- against the library
def test_values_equal_the_library_fit_and_unjudged_items_keep_the_prior(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    items = Items(("x", "y", "z", "w"), features=np.eye(4)[:, :2], texts=("X", "Y", "Z", "W"))
    save_items(items, "items.csv")
    Path("c.jsonl").write_text(
        "\n".join([*CYCLE, EASY[0], '{"a": "x", "b": "z", "preferred": "equal"}']) + "\n"
    )
    document, _ = fit(
        capsys, "--items", "items.csv", "--comparisons", "c.jsonl", "--utility", "item",
        "--noise", "0.1", "--width", "0.3", "--prior-scale", "2", "--laplace",
    )  # fmt: skip
    said = Comparisons(tuple("xyzxx"), tuple("yzxyz"), ("a", "a", "a", "a", "equal"))
    model = PreferenceLaplace(
        comparison_model=weak_comparison(0.3, noise=0.1), utility="item", prior_scale=2.0
    ).fit(said, items=items)
    assert np.allclose(fitted_utilities(document, items.ids), model.utilities_, atol=1e-6)
    rows = {row["id"]: row for row in document["items"]}
    assert np.allclose([rows[i]["std"] for i in items.ids], model.utility_std_, atol=1e-6)
    assert document["log_likelihood"] == pytest.approx(model.log_likelihood_, abs=1e-9)
    assert rows["w"] == {"id": "w", "utility": 0.0, "std": 2.0, "judgments": 0, "text": "W"}
    assert document["comparison_model"] == {
        "link": "logistic", "scale": 1.0, "width": 0.3, "noise": 0.1,
    }  # fmt: skip


def test_same_input_gives_the_same_output(
    capsys: pytest.CaptureFixture[str], person: tuple[Items, NDArray[np.float64]]
) -> None:
    argv = ("--items", "items.csv", "--comparisons", "th.jsonl", "--model", "gp")
    fit(capsys, *argv)
    first = Path("v.json").read_bytes()
    fit(capsys, *argv)
    assert Path("v.json").read_bytes() == first


# ---------------------------------------------------------------------- bad input
GOOD_ITEMS = "id,harm\nx,0.1\ny,0.5\nz,0.9\n"
GOOD_COMPARISONS = "\n".join(EASY) + "\n"
BAD_INPUT = [
    (
        {"c.jsonl": EASY[0] + '\n{"a": "x", "b": "z", "preferred": "A"}\n'},
        ["--comparisons", "c.jsonl"],
        "c.jsonl line 2: field 'preferred': expected 'a', 'b' or 'equal'; got string 'A'.",
    ),
    (
        {"c.jsonl": '{"a": "x", "b": "y", "preferred": "a",}\n'},
        ["--comparisons", "c.jsonl"],
        "c.jsonl line 1: invalid JSON",
    ),
    (
        {"items.csv": "id,harm\nx,0.1\ny,cheap\n", "c.jsonl": GOOD_COMPARISONS},
        ["--items", "items.csv", "--comparisons", "c.jsonl"],
        "items.csv line 3: field 'harm': expected a finite number; got 'cheap'",
    ),
    (
        {"items.csv": GOOD_ITEMS, "c.jsonl": EASY[0] + '\n{"a": "x", "b": "w", "preferred": "b"}'},
        ["--items", "items.csv", "--comparisons", "c.jsonl"],
        "c.jsonl line 2: field 'b': unknown item 'w' (not among the 3 items).",
    ),
    (
        {"r.jsonl": '{"ranking": ["x", "y", "x"]}\n'},
        ["--rankings", "r.jsonl", "--model", "pl"],
        "r.jsonl line 1: field 'ranking' item 2: item 'x' appears twice",
    ),
    (
        {"s.csv": "rater,item,score\nann,x,2.5\n"},
        ["--ratings", "s.csv"],
        "s.csv line 2: field 'score': expected an integer; got '2.5'.",
    ),
    (
        {"s.csv": "rater,item,score\nann,x,7\n"},
        ["--ratings", "s.csv", "--rating-scale", "1,5"],
        "s.csv line 2: field 'score': 7 is outside the scale [1, 5].",
    ),
    ({}, ["--comparisons", "missing.jsonl"], "missing.jsonl: no such file or directory."),
    ({}, [], "no judgments: pass --comparisons, --rankings or --ratings"),
    (
        {"c.jsonl": GOOD_COMPARISONS},
        ["--comparisons", "c.jsonl", "--model", "gp"],
        "--model gp needs items with numeric feature columns",
    ),
    (
        {"c.jsonl": GOOD_COMPARISONS},
        ["--comparisons", "c.jsonl", "--model", "pl", "--width", "0.5"],
        "--width needs --model bt, thurstone or gp",
    ),
    ({"c.jsonl": GOOD_COMPARISONS}, ["--comparisons", "c.jsonl", "--noise", "1"], "--noise"),
    (
        {"s.csv": "item,score\nx,1\ny,2\n"},
        ["--ratings", "s.csv", "--rating-scale", "5,1"],
        "--rating-scale must be two integers LOW,HIGH",
    ),
]


@pytest.mark.parametrize(("files", "argv", "message"), BAD_INPUT)
def test_bad_input_exits_2_with_one_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    files: dict[str, str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    for name, text in files.items():
        Path(name).write_text(text)
    code, out, err = run(capsys, "fit", "preferences", "--out", "v.json", *argv)
    assert (code, out) == (2, "")
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: ") and message in err, err
    assert not Path("v.json").exists()


def test_the_output_must_be_json(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("c.jsonl").write_text(GOOD_COMPARISONS)
    code, _, err = run(capsys, "fit", "preferences", "--comparisons", "c.jsonl", "--out", "v.csv")
    assert code == 2 and err == "error: v.csv: the output file must end in .json.\n"


def test_mcmc_values_are_the_library_posterior_means(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("c.jsonl").write_text("\n".join([*CYCLE, *EASY]) + "\n")
    document, ranking = fit(capsys, "--comparisons", "c.jsonl", "--mcmc", "300", "--seed", "4")
    said = load_comparisons("c.jsonl")
    model = PreferenceMCMC(n_samples=300, burn_in=200, random_state=4).fit(said)
    assert ranking == list(model.ranking_)
    rows = {row["id"]: row for row in document["items"]}
    ids = model.items_.ids
    assert np.allclose([rows[i]["utility"] for i in ids], model.utilities_, atol=1e-12)
    assert np.allclose([rows[i]["std"] for i in ids], model.utility_std_, atol=1e-12)
    code, _, err = run(capsys, "fit", "preferences", "--out", "v.json",
                       "--comparisons", "c.jsonl", "--mcmc", "10", "--laplace")  # fmt: skip
    assert code == 2 and err == "error: --laplace and --mcmc are two posteriors; choose one.\n"
