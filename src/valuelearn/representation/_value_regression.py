"""Value regression on embeddings: ridge and Gaussian-process posterior means, as pure functions.

Both map an embedding matrix (one row per concept: a word, a phrase) and the concepts' human
values to a function of new embeddings. They are the maths behind
:class:`~valuelearn.representation.TextValueModel` and work on any embedding (sentence
embeddings, hashed character n-grams, synthetic vectors).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

from valuelearn.exceptions import ValueLearnInputError

Array = NDArray[np.float64]


def as_embeddings(values: ArrayLike, name: str, *, n_columns: int | None = None) -> Array:
    """A finite 2-d float array (one row per concept), or a one-line error naming ``name``."""
    matrix = np.asarray(values, dtype=np.float64)
    if matrix.ndim != 2 or not np.all(np.isfinite(matrix)):
        raise ValueLearnInputError(
            f"`{name}` must be a finite 2-d array (one row per text); got shape {matrix.shape}."
        )
    if n_columns is not None and matrix.shape[1] != n_columns:
        raise ValueLearnInputError(
            f"`{name}` must have {n_columns} columns (the model's embedding size); got "
            f"{matrix.shape[1]}."
        )
    return matrix


def ridge_values(
    embeddings: ArrayLike,
    values: ArrayLike,
    *,
    alpha: float,
    sample_weight: ArrayLike | None = None,
) -> tuple[Array, float]:
    """Weighted ridge regression with an unpenalised intercept.

    Minimises ``sum_i w_i (y_i - b - x_i . beta)^2 + alpha ||beta||^2``: with weighted means
    ``xbar``, ``ybar`` and centred ``Xc``, ``beta = (Xc^T W Xc + alpha I)^(-1) Xc^T W (y - ybar)``
    and ``b = ybar - xbar . beta``. Fitting per-concept mean ratings weighted by their counts
    gives the same ``beta`` as fitting every individual rating.

    Parameters
    ----------
    embeddings : array, shape (n_concepts, n_dims)
    values : array, shape (n_concepts,)
    alpha : float
        Penalty (> 0).
    sample_weight : array, shape (n_concepts,), optional
        Non-negative weights (default 1).

    Returns
    -------
    weights : array, shape (n_dims,)
    intercept : float

    References
    ----------
    Hoerl & Kennard (1970), "Ridge regression", Technometrics 12(1), eq. 2.2; Hastie, Tibshirani
    & Friedman (2009), The Elements of Statistical Learning, eq. 3.44 (centred inputs).

    Examples
    --------
    >>> w, b = ridge_values([[0.0], [1.0], [2.0]], [1.0, 3.0, 5.0], alpha=1e-9)
    >>> round(float(w[0]), 6), round(b, 6)
    (2.0, 1.0)
    """
    x = as_embeddings(embeddings, "embeddings")
    y = _targets(values, x.shape[0])
    if not (np.isfinite(alpha) and alpha > 0):
        raise ValueLearnInputError(
            f"The 'alpha' parameter of ridge_values must be > 0; got {alpha!r} instead."
        )
    w = np.ones(x.shape[0]) if sample_weight is None else _weights(sample_weight, x.shape[0])
    x_mean = w @ x / w.sum()
    y_mean = float(w @ y / w.sum())
    centred = x - x_mean
    gram = centred.T @ (centred * w[:, None]) + alpha * np.eye(x.shape[1])
    weights = scipy.linalg.solve(gram, centred.T @ (w * (y - y_mean)), assume_a="pos")
    return weights, y_mean - float(x_mean @ weights)


def rbf_kernel(first: ArrayLike, second: ArrayLike, *, length_scale: float) -> Array:
    """``exp(-||x - x'||^2 / (2 length_scale^2))`` between the rows of two matrices.

    Examples
    --------
    >>> rbf_kernel([[0.0, 0.0]], [[3.0, 4.0]], length_scale=5.0).round(6).tolist()
    [[0.606531]]
    """
    a = np.asarray(first, dtype=np.float64)
    b = np.asarray(second, dtype=np.float64)
    squared = (a**2).sum(axis=1)[:, None] + (b**2).sum(axis=1)[None, :] - 2.0 * a @ b.T
    kernel: Array = np.exp(-np.maximum(squared, 0.0) / (2.0 * length_scale**2))
    return kernel


@dataclass(frozen=True)
class GaussianProcessValues:
    """A Gaussian-process value function conditioned on concepts' values.

    ``f ~ GP(mean, signal_variance * k_rbf)``, observations ``y = f + N(0, noise_variance)``.

    Attributes
    ----------
    train : array, shape (n_train, n_dims)
        The conditioning embeddings.
    dual : array, shape (n_train,)
        ``(K + noise I)^(-1) (y - mean)``.
    mean : float
        The prior mean (the mean of the training values).
    length_scale, signal_variance, noise_variance : float
    """

    train: Array
    dual: Array
    mean: float
    length_scale: float
    signal_variance: float
    noise_variance: float

    def predict(self, embeddings: ArrayLike) -> Array:
        """Posterior mean of ``f`` at new embeddings, shape (n,).

        References
        ----------
        Rasmussen & Williams (2006), Gaussian Processes for Machine Learning, eq. 2.25.
        """
        x = as_embeddings(embeddings, "embeddings", n_columns=self.train.shape[1])
        cross = self.signal_variance * rbf_kernel(x, self.train, length_scale=self.length_scale)
        mean: Array = self.mean + cross @ self.dual
        return mean

    def predict_std(self, embeddings: ArrayLike) -> Array:
        """Posterior standard deviation of ``f`` at new embeddings, shape (n,) (eq. 2.26)."""
        x = as_embeddings(embeddings, "embeddings", n_columns=self.train.shape[1])
        cross = self.signal_variance * rbf_kernel(x, self.train, length_scale=self.length_scale)
        gram = self.signal_variance * rbf_kernel(
            self.train, self.train, length_scale=self.length_scale
        )
        factor = scipy.linalg.cho_factor(gram + self.noise_variance * np.eye(gram.shape[0]))
        reduction = np.einsum("ij,ji->i", cross, scipy.linalg.cho_solve(factor, cross.T))
        std: Array = np.sqrt(np.maximum(self.signal_variance - reduction, 0.0))
        return std


def gp_values(
    embeddings: ArrayLike,
    values: ArrayLike,
    *,
    length_scale: float,
    noise: float,
    signal_variance: float | None = None,
) -> GaussianProcessValues:
    """Condition an RBF Gaussian process on concepts' values.

    Parameters
    ----------
    embeddings : array, shape (n_concepts, n_dims)
    values : array, shape (n_concepts,)
    length_scale : float
        RBF length scale (> 0); for unit-length embeddings ``||x - x'||^2 = 2 - 2 cos``.
    noise : float
        Observation-noise variance as a fraction of ``signal_variance`` (> 0).
    signal_variance : float, optional
        Prior variance of ``f``; default the variance of ``values``.

    Returns
    -------
    GaussianProcessValues

    References
    ----------
    Rasmussen & Williams (2006), Gaussian Processes for Machine Learning, algorithm 2.1.

    Examples
    --------
    >>> gp = gp_values([[0.0], [1.0]], [1.0, -1.0], length_scale=0.5, noise=1e-8)
    >>> gp.predict([[0.0], [1.0]]).round(6).tolist()
    [1.0, -1.0]
    """
    x = as_embeddings(embeddings, "embeddings")
    y = _targets(values, x.shape[0])
    for label, value in (("length_scale", length_scale), ("noise", noise)):
        if not (np.isfinite(value) and value > 0):
            raise ValueLearnInputError(
                f"The '{label}' parameter of gp_values must be > 0; got {value!r} instead."
            )
    variance = float(np.var(y)) if signal_variance is None else float(signal_variance)
    if not variance > 0:
        variance = 1.0
    mean = float(np.mean(y))
    gram = variance * rbf_kernel(x, x, length_scale=length_scale)
    factor = scipy.linalg.cho_factor(gram + noise * variance * np.eye(x.shape[0]))
    dual = scipy.linalg.cho_solve(factor, y - mean)
    return GaussianProcessValues(x, dual, mean, length_scale, variance, noise * variance)


def _targets(values: ArrayLike, n: int) -> Array:
    y = np.asarray(values, dtype=np.float64)
    if y.shape != (n,) or not np.all(np.isfinite(y)):
        raise ValueLearnInputError(
            f"`values` must hold {n} finite numbers (one per embedding row); got shape {y.shape}."
        )
    return y


def _weights(values: ArrayLike, n: int) -> Array:
    w = np.asarray(values, dtype=np.float64)
    if w.shape != (n,) or not np.all(np.isfinite(w)) or np.any(w < 0) or w.sum() <= 0:
        raise ValueLearnInputError(
            f"`sample_weight` must hold {n} non-negative finite weights with a positive sum."
        )
    return w
