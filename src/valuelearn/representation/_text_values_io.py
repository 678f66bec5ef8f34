"""The text value model folder: ``model.json`` (``valuelearn.text-values/1``) and ``arrays.npz``.

``model.json`` holds the format, method, embedding name and settings, the intercept and the
training texts; ``arrays.npz`` the weights (and, for a Gaussian process, the conditioning
embeddings and dual coefficients). The folder is written in a temporary sibling and renamed into
place, so a reader sees the old model or the new one, never a mixture.
"""

from __future__ import annotations

import io
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from valuelearn._files import PathLike, read_json_document
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation._text_values import (
    EMBEDDINGS,
    METHODS,
    TextValueModel,
)
from valuelearn.representation._value_regression import GaussianProcessValues

TEXT_VALUES_FORMAT = "valuelearn.text-values/1"
_MODEL, _ARRAYS = "model.json", "arrays.npz"


def save_text_value_model(model: TextValueModel, folder: PathLike) -> None:
    """Write a fitted :class:`TextValueModel` with a named embedding to ``folder``.

    An existing ``folder`` is replaced only if it is empty or holds a saved model.

    Raises
    ------
    ValueLearnInputError
        If the model is not fitted, its embedding is a function, or ``folder`` is a file or a
        folder of something else.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> model = TextValueModel(embedding="char-ngrams", n_buckets=16).fit(["a", "b"], [1.0, 0.0])
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "model"
    >>> save_text_value_model(model, out)
    >>> sorted(p.name for p in out.iterdir())
    ['arrays.npz', 'model.json']
    >>> bool(np.allclose(load_text_value_model(out).predict(["a", "c"]), model.predict(["a", "c"])))
    True
    """
    model._check_fitted()
    if model.embedding not in EMBEDDINGS:
        raise ValueLearnInputError(
            "only a TextValueModel with a named embedding ('minilm' or 'char-ngrams') can be "
            "saved; this one embeds with a function."
        )
    target = Path(folder)
    if target.exists() and not (
        target.is_dir() and (not any(target.iterdir()) or (target / _MODEL).is_file())
    ):
        raise ValueLearnInputError(
            f"{target}: exists and is not a saved text value model; choose another --out."
        )
    params = model.get_params()
    params.pop("cache_dir")
    document: dict[str, Any] = {
        "format": TEXT_VALUES_FORMAT,
        "method": model.method_,
        "n_dims": int(model.n_dims_),
        "intercept": float(model.intercept_),
        "params": params,
        "texts": list(model.texts_),
    }
    arrays = {"weights": np.asarray(model.weights_, dtype=np.float64)}
    if model.gp_ is not None:
        arrays["train"] = model.gp_.train
        arrays["dual"] = model.gp_.dual
        document["gp"] = {
            "length_scale": model.gp_.length_scale,
            "signal_variance": model.gp_.signal_variance,
            "noise_variance": model.gp_.noise_variance,
        }
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        buffer = io.BytesIO()
        np.savez(buffer, allow_pickle=False, **arrays)
        (staging / _ARRAYS).write_bytes(buffer.getvalue())
        (staging / _MODEL).write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        staging.chmod(0o755)
        if target.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
            target.rename(retired / "model")
            staging.rename(target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def load_text_value_model(folder: PathLike, *, cache_dir: PathLike | None = None) -> TextValueModel:
    """Read a model folder written by :func:`save_text_value_model`.

    Raises
    ------
    ValueLearnInputError
        On a missing file, another format, or a field of the wrong type or size; the message
        names the file and field.
    """
    root = Path(folder)
    if not (root / _MODEL).is_file():
        raise ValueLearnInputError(f"{root}: not a text value model folder (no {_MODEL}).")
    where = root / _MODEL
    document = read_json_document(where, "text value model")
    if not isinstance(document, dict) or document.get("format") != TEXT_VALUES_FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValueLearnInputError(
            f"{where}: field 'format' must be {TEXT_VALUES_FORMAT!r}; got {found!r}."
        )
    params = _field(document, "params", dict, where)
    method = _field(document, "method", str, where)
    if method not in METHODS or params.get("embedding") not in EMBEDDINGS:
        raise ValueLearnInputError(
            f"{where}: field 'method' must be one of {METHODS} and 'params.embedding' one of "
            f"{EMBEDDINGS}; got {method!r} and {params.get('embedding')!r}."
        )
    n_dims = _field(document, "n_dims", int, where)
    try:
        model = TextValueModel(**params, cache_dir=cache_dir)
    except TypeError as error:
        raise ValueLearnInputError(f"{where}: field 'params': {error}.") from None
    try:
        with np.load(root / _ARRAYS, allow_pickle=False) as stored:
            arrays = {name: np.asarray(stored[name], dtype=np.float64) for name in stored.files}
    except (OSError, ValueError, KeyError) as error:
        raise ValueLearnInputError(f"{root / _ARRAYS}: unreadable ({error}).") from None
    weights = arrays.get("weights")
    if weights is None or weights.shape != (n_dims,) or not np.all(np.isfinite(weights)):
        raise ValueLearnInputError(f"{root / _ARRAYS}: 'weights' must hold {n_dims} numbers.")
    model.method_ = method
    model.n_dims_ = n_dims
    model.weights_ = weights
    model.intercept_ = float(_field(document, "intercept", (int, float), where))
    model.texts_ = tuple(str(t) for t in _field(document, "texts", list, where))
    model.gp_ = None
    if method == "gp":
        settings = _field(document, "gp", dict, where)
        train, dual = arrays.get("train"), arrays.get("dual")
        if train is None or dual is None or train.ndim != 2 or train.shape != (dual.size, n_dims):
            raise ValueLearnInputError(
                f"{root / _ARRAYS}: a Gaussian-process model needs 'train' (n, {n_dims}) and "
                "'dual' (n,)."
            )
        try:
            model.gp_ = GaussianProcessValues(
                train,
                dual,
                model.intercept_,
                float(settings["length_scale"]),
                float(settings["signal_variance"]),
                float(settings["noise_variance"]),
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueLearnInputError(f"{where}: field 'gp' is incomplete ({error}).") from None
    return model


def _field(document: dict[str, Any], name: str, kind: Any, where: Path) -> Any:
    value = document.get(name)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ValueLearnInputError(
            f"{where}: field {name!r} is missing or of the wrong type; got {value!r}."
        )
    return value
