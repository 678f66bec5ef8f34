"""``valuelearn fit preferences``: the values of items from comparisons, rankings and ratings.

Registered on the ``fit`` sub-app by :mod:`valuelearn.cli`, with its conventions: bad input ends
the command with one ``error:`` line and exit code 2, the values go to a JSON file
(``valuelearn.values/1``, README: File formats), the ranking to stdout as one JSON object and a
one-line summary to stderr. Cyclic or contradictory judgments are data, not errors.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import typer
from numpy.typing import NDArray

from valuelearn._cli_common import check_output, check_positive, stderr
from valuelearn._files import atomic_write_text
from valuelearn.data import (
    Comparisons,
    Items,
    Rankings,
    Ratings,
    load_comparisons,
    load_items,
    load_rankings,
    load_ratings,
)
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import PairwiseModel, PreferenceLaplace, PreferenceMAP, PreferenceMCMC

VALUES_FORMAT = "valuelearn.values/1"

ModelChoice = Literal["bt", "thurstone", "pl", "gp"]
UtilityChoice = Literal["auto", "linear", "item"]
Judgments = tuple[Comparisons | None, Rankings | None, Ratings | None]


def fit_preferences(
    out: Annotated[Path, typer.Option(help="Values file to write (.json).")],
    items: Annotated[
        Path | None,
        typer.Option(
            help="Items (.csv: id, optional text, numeric features; default: the ids "
            "the judgments name, one free value each)."
        ),
    ] = None,
    comparisons: Annotated[
        Path | None, typer.Option(help="Comparisons (.jsonl: a, b, preferred a|b|equal).")
    ] = None,
    rankings: Annotated[
        Path | None, typer.Option(help="Rankings (.jsonl: ranking, best first).")
    ] = None,
    ratings: Annotated[Path | None, typer.Option(help="Ratings (.csv: rater,item,score).")] = None,
    model: Annotated[
        ModelChoice,
        typer.Option(
            help="Comparisons follow bt: Bradley-Terry, thurstone: probit, pl: Plackett-Luce "
            "(a comparison is a two-item ranking, so BT), gp: Gaussian-process preference "
            "learning (probit, RBF kernel on the features, Laplace); rankings always follow "
            "Plackett-Luce and ratings the ordinal probit."
        ),
    ] = "bt",
    noise: Annotated[
        float, typer.Option(help="Probability of a random answer in [0, 1) (Christiano et al.).")
    ] = 0.0,
    width: Annotated[
        float, typer.Option(help="Indifference width >= 0: 'equal' answers get their own model.")
    ] = 0.0,
    prior_scale: Annotated[
        float, typer.Option(help="Std of the Gaussian prior on each weight (gp: on the values).")
    ] = 1.0,
    laplace: Annotated[
        bool, typer.Option("--laplace", help="Report posterior standard deviations (Laplace).")
    ] = False,
    mcmc: Annotated[
        int | None,
        typer.Option(
            "--mcmc",
            min=1,
            help="Sample the exact posterior by HMC with this many draws: values are posterior "
            "means, std posterior standard deviations.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option(min=0, help="Random seed of --mcmc.")] = 0,
    utility: Annotated[
        UtilityChoice,
        typer.Option(help="linear: values = features @ weights; item: one value per item."),
    ] = "auto",
    length_scale: Annotated[
        float | None,
        typer.Option(
            help="gp: RBF length scale on standardised features (default: median distance)."
        ),
    ] = None,
    rating_scale: Annotated[
        str | None, typer.Option(help="Lowest and highest score, e.g. 1,9 (default: the data's).")
    ] = None,
) -> None:
    """Values of items from comparisons, rankings and ratings (any mix), as a JSON file."""
    _check_flags(model, noise, width, prior_scale, utility, length_scale)
    if laplace and mcmc is not None:
        raise ValueLearnInputError("--laplace and --mcmc are two posteriors; choose one.")
    scale = _rating_scale(rating_scale, ratings)
    check_output(out, ".json")
    catalogue = None if items is None else load_items(items)
    judgments = _load_judgments(catalogue, comparisons, rankings, ratings, scale)
    length = None
    if model == "gp":
        catalogue, length = _kernel_items(catalogue, items, length_scale)
    logistic = model in ("bt", "pl")  # else probit with Thurstone's scale sqrt(2)
    settings: dict[str, Any] = {
        "comparison_model": PairwiseModel(
            "logistic" if logistic else "probit", 1.0 if logistic else math.sqrt(2.0), width, noise
        ),
        "utility": "kernel" if model == "gp" else utility,
        "prior_scale": prior_scale,
    }
    estimator: PreferenceMAP
    if mcmc is not None:
        burn_in = max(200, mcmc // 2)
        estimator = PreferenceMCMC(n_samples=mcmc, burn_in=burn_in, random_state=seed, **settings)
    elif laplace or model == "gp":
        estimator = PreferenceLaplace(**settings)
    else:
        estimator = PreferenceMAP(**settings)
    estimator.fit(judgments[0], rankings=judgments[1], ratings=judgments[2], items=catalogue)
    document = values_document(estimator, model, judgments)
    if length is not None:
        document["length_scale"] = length
    atomic_write_text(out, json.dumps(document, indent=2, allow_nan=False) + "\n")
    problem = estimator.problem_
    stderr.print(
        f"wrote the values of {problem.n_items} items ({model}, {problem.utility} utilities) "
        f"from {problem.n_judgments} judgments to {out}; log-likelihood "
        f"{estimator.log_likelihood_:.6g}"
    )
    typer.echo(json.dumps({"values_file": str(out), "model": model, "ranking": estimator.ranking_}))


def values_document(estimator: PreferenceMAP, model: str, judgments: Judgments) -> dict[str, Any]:
    """The ``valuelearn.values/1`` document of a fitted estimator (README: File formats)."""
    problem = estimator.problem_
    pairwise = estimator.pairwise_model_
    comparisons, rankings, ratings = judgments
    document: dict[str, Any] = {
        "format": VALUES_FORMAT,
        "model": model,
        "utility": problem.utility,
        "comparison_model": {
            "link": pairwise.link, "scale": pairwise.scale, "width": pairwise.width,
            "noise": pairwise.noise,
        },
        "prior_scale": float(problem.prior_scales[0]),
        "items": _item_rows(estimator),
        "feature_names": None,
        "weights": None,
    }  # fmt: skip
    if problem.utility == "linear":
        document["feature_names"] = list(problem.items.feature_names or ())
        document["weights"] = estimator.weights_.tolist()
        if isinstance(estimator, PreferenceLaplace):
            variances = np.diag(estimator.covariance_)[: problem.n_weights]
            document["weight_std"] = np.sqrt(variances).tolist()
        elif isinstance(estimator, PreferenceMCMC):
            document["weight_std"] = estimator.samples_[:, : problem.n_weights].std(0).tolist()
    if ratings is not None:
        document["rating_scale"] = list(ratings.scale or ())
        document["thresholds"] = estimator.thresholds_.tolist()
    return document | {
        "log_likelihood": estimator.log_likelihood_,
        "log_posterior": estimator.log_posterior_,
        "n_judgments": problem.n_judgments,
        "n_comparisons": 0 if comparisons is None else len(comparisons),
        "n_rankings": 0 if rankings is None else len(rankings),
        "n_ratings": 0 if ratings is None else len(ratings),
        "converged": estimator.converged_,
    }


def _item_rows(estimator: PreferenceMAP) -> list[dict[str, Any]]:
    """One row per item, best first: id, utility, std (Laplace or MCMC), judgments, text."""
    problem = estimator.problem_
    involved = [problem.pairs[0], problem.pairs[1], problem.ratings[0], *problem.rankings]
    counts = np.bincount(np.concatenate(involved), minlength=problem.n_items)
    std = (
        estimator.utility_std_
        if isinstance(estimator, PreferenceLaplace | PreferenceMCMC)
        else None
    )
    texts = problem.items.texts
    rows = []
    for index in np.argsort(-estimator.utilities_, kind="stable"):
        row: dict[str, Any] = {
            "id": problem.items.ids[index],
            "utility": float(estimator.utilities_[index]),
        }
        if std is not None:
            row["std"] = float(std[index])
        row["judgments"] = int(counts[index])
        if texts is not None:
            row["text"] = texts[index]
        rows.append(row)
    return rows


def rbf_kernel(
    features: NDArray[np.float64], length_scale: float | None = None
) -> tuple[NDArray[np.float64], float]:
    """RBF kernel on standardised features, and the length scale used.

    ``K_ij = exp(-|z_i - z_j|^2 / (2 l^2))`` where ``z`` are the features divided by their
    standard deviations (constant columns are left as they are, contributing nothing). The
    default ``l`` is the median distance between distinct items (1 when all coincide).

    Parameters
    ----------
    features : array, shape (n_items, n_features)
    length_scale : float, optional

    Returns
    -------
    kernel : array, shape (n_items, n_items)
    length_scale : float

    Examples
    --------
    >>> kernel, length = rbf_kernel(np.array([[0.0], [1.0], [2.0]]))
    >>> round(length, 4), kernel[0].round(4).tolist()
    (1.2247, [1.0, 0.6065, 0.1353])
    """
    spread = features.std(axis=0)
    z = (features - features.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    squared = np.sum((z[:, None, :] - z[None, :, :]) ** 2, axis=-1)
    if length_scale is None:
        distances = np.sqrt(squared[np.triu_indices(len(z), k=1)])
        distances = distances[distances > 0]
        length_scale = float(np.median(distances)) if distances.size else 1.0
    return np.exp(-0.5 * squared / length_scale**2), length_scale


# ---------------------------------------------------------------------- helpers
def _check_flags(
    model: ModelChoice,
    noise: float,
    width: float,
    prior_scale: float,
    utility: UtilityChoice,
    length_scale: float | None,
) -> None:
    if not (math.isfinite(noise) and 0.0 <= noise < 1.0):
        raise ValueLearnInputError(f"--noise must be a probability in [0, 1); got {noise}.")
    if not (math.isfinite(width) and width >= 0.0):
        raise ValueLearnInputError(f"--width must be a number >= 0; got {width}.")
    if width > 0 and model == "pl":
        raise ValueLearnInputError(
            "--width needs --model bt, thurstone or gp; Plackett-Luce has no 'equal' answer."
        )
    check_positive(prior_scale, "--prior-scale")
    if model == "gp" and utility != "auto":
        raise ValueLearnInputError("--utility does not apply to --model gp (values are a GP).")
    if length_scale is not None:
        if model != "gp":
            raise ValueLearnInputError("--length-scale applies only with --model gp.")
        check_positive(length_scale, "--length-scale")


def _rating_scale(text: str | None, ratings: Path | None) -> tuple[int, int] | None:
    """``"1,9"`` as ``(1, 9)``."""
    if text is None:
        return None
    if ratings is None:
        raise ValueLearnInputError("--rating-scale applies only with --ratings.")
    parts = text.split(",")
    try:
        low, high = (int(part) for part in parts)
    except ValueError:
        low = high = 0
    if len(parts) != 2 or low >= high:
        raise ValueLearnInputError(
            f"--rating-scale must be two integers LOW,HIGH with LOW < HIGH; got {text!r}."
        )
    return low, high


def _load_judgments(
    items: Items | None,
    comparisons: Path | None,
    rankings: Path | None,
    ratings: Path | None,
    scale: tuple[int, int] | None,
) -> Judgments:
    if comparisons is None and rankings is None and ratings is None:
        raise ValueLearnInputError(
            "no judgments: pass --comparisons, --rankings or --ratings (any mix)."
        )
    return (
        None if comparisons is None else load_comparisons(comparisons, items),
        None if rankings is None else load_rankings(rankings, items),
        None if ratings is None else load_ratings(ratings, items, scale=scale),
    )


def _kernel_items(
    items: Items | None, path: Path | None, length_scale: float | None
) -> tuple[Items, float]:
    """The items with an RBF kernel on their features, and its length scale."""
    if items is None or items.features is None:
        missing = "pass --items" if path is None else f"{path} has none"
        raise ValueLearnInputError(
            f"--model gp needs items with numeric feature columns (its kernel is an RBF on "
            f"them); {missing}."
        )
    kernel, length = rbf_kernel(items.features, length_scale)
    return (
        Items(items.ids, features=items.features, feature_names=items.feature_names,
              texts=items.texts, kernel=kernel),
        length,
    )  # fmt: skip
