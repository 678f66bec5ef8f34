"""Valence bleeding: one new judgment about concept A moves the value of every nearby concept.

A value model that generalises by proximity in embedding space cannot learn "A is good" without
also learning "whatever lies near A is good". :func:`valence_bleeding` measures this: fit the
model, add one strong judgment about A, refit, and record each concept's change in predicted
value next to its cosine similarity to A; :func:`bleeding_curve` averages the change within
similarity bins. For ridge regression the change is known in closed form
(:func:`ridge_bleeding_kernel`): it is the rank-one (Sherman–Morrison) update
``Delta f(x) = w r z_x^T A^(-1) z_A / (1 + w z_A^T A^(-1) z_A)``, with ``z = (1, x)``,
``A = Z^T W Z + diag(0, alpha I)`` and ``r`` the new judgment's residual, so bleeding follows the
model's posterior covariance with A, not the raw cosine. Compare a semantic embedding (bleeding
falls on concepts that mean similar things) with one that has no semantic structure (random
vectors, or hashed spelling).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
from numpy.typing import ArrayLike, NDArray

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation._text_values import TextValueModel
from valuelearn.representation._value_regression import as_embeddings

Array = NDArray[np.float64]


@dataclass(frozen=True)
class Bleeding:
    """What one new judgment about concept ``anchor`` did to every concept's predicted value.

    Attributes
    ----------
    anchor : int
        Row of concept A.
    similarity : array, shape (n_concepts,)
        Cosine similarity of each concept to A (1 for A itself).
    before, after : arrays, shape (n_concepts,)
        Predicted values without and with the new judgment.
    change : array, shape (n_concepts,)
        ``after - before``.
    relative : array, shape (n_concepts,)
        ``change / change[anchor]`` (1 for A itself).
    """

    anchor: int
    similarity: Array
    before: Array
    after: Array
    change: Array
    relative: Array

    def nearest_share(self, k: int = 10) -> float:
        """Mean relative change of the ``k`` concepts most similar to A (A excluded)."""
        others = np.flatnonzero(np.arange(self.similarity.size) != self.anchor)
        nearest = others[np.argsort(-self.similarity[others], kind="stable")[:k]]
        return float(np.mean(self.relative[nearest]))

    def reach(self, fraction: float = 0.1) -> float:
        """Share of the other concepts whose value moved by more than ``fraction`` of A's move
        (in A's direction)."""
        others = np.arange(self.similarity.size) != self.anchor
        return float(np.mean(self.relative[others] > fraction))


def valence_bleeding(
    embeddings: ArrayLike,
    values: ArrayLike,
    train: ArrayLike,
    *,
    anchor: int,
    judgment: float,
    model: TextValueModel | None = None,
    weight: float = 1.0,
) -> Bleeding:
    """Fit a value model on the ``train`` concepts, add one judgment about ``anchor``, refit.

    Parameters
    ----------
    embeddings : array, shape (n_concepts, n_dims)
        Every concept's embedding (rows of ``train`` and the anchor included).
    values : array, shape (n_concepts,)
        Human values; only the ``train`` rows are used.
    train : bool array, shape (n_concepts,), or int array of rows
        The concepts the model is first fitted on (the anchor must not be among them).
    anchor : int
        Row of concept A.
    judgment : float
        The new value judged for A (a strong one: e.g. the top of the rating scale).
    model : TextValueModel, optional
        Unfitted model whose settings are used (``method`` ``"ridge"`` or ``"gp"``); default
        ridge with ``alpha = 1``.
    weight : float
        How many times the judgment counts (ridge only).

    Returns
    -------
    Bleeding

    References
    ----------
    Sherman & Morrison (1950), Ann. Math. Statist. 21(1), 124 (the rank-one update behind
    :func:`ridge_bleeding_kernel`).

    Examples
    --------
    >>> x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0], [0.1, 0.9]])
    >>> b = valence_bleeding(x, [0.0, 0.0, 0.0, 0.0], [False, True, True, True], anchor=0,
    ...                      judgment=4.0, model=TextValueModel(alpha=0.1))
    >>> bool(b.relative[1] > b.relative[3] > b.relative[2])
    True
    """
    x = as_embeddings(embeddings, "embeddings")
    y = np.asarray(values, dtype=np.float64)
    if y.shape != (x.shape[0],):
        raise ValueLearnInputError(
            f"`values` must hold one value per embedding row ({x.shape[0]}); got {y.shape}."
        )
    rows = _rows(train, x.shape[0])
    if not (isinstance(anchor, int | np.integer) and 0 <= anchor < x.shape[0]):
        raise ValueLearnInputError(
            f"The 'anchor' parameter of valence_bleeding must be a row of `embeddings`; got "
            f"{anchor!r} instead."
        )
    if anchor in set(rows.tolist()):
        raise ValueLearnInputError("`anchor` must not be among the `train` rows.")
    settings = (model or TextValueModel(embedding="char-ngrams")).get_params()
    fitted = TextValueModel(**settings).fit_embeddings(x[rows], y[rows])
    before = fitted.predict_embeddings(x)
    augmented_x = np.vstack([x[rows], x[anchor]])
    augmented_y = np.append(y[rows], float(judgment))
    if settings["method"] == "ridge":
        w = np.append(np.ones(rows.size), float(weight))
        refit = TextValueModel(**settings).fit_embeddings(augmented_x, augmented_y, sample_weight=w)
    elif weight != 1.0:
        raise ValueLearnInputError("`weight` other than 1 needs method='ridge'.")
    else:
        refit = TextValueModel(**settings).fit_embeddings(augmented_x, augmented_y)
    after = refit.predict_embeddings(x)
    change = after - before
    if change[anchor] == 0:
        raise ValueLearnInputError("the new judgment equals the model's prediction for A.")
    norms = np.linalg.norm(x, axis=1)
    similarity = x @ x[anchor] / np.maximum(norms * norms[anchor], 1e-300)
    return Bleeding(int(anchor), similarity, before, after, change, change / change[anchor])


def ridge_bleeding_kernel(
    embeddings: ArrayLike,
    train_embeddings: ArrayLike,
    anchor_embedding: ArrayLike,
    *,
    alpha: float,
    sample_weight: ArrayLike | None = None,
) -> Array:
    """The closed-form bleeding of ridge regression: ``z_x^T A^(-1) z_A`` for each row ``x``.

    The change in predicted value after adding a judgment ``y_A`` with weight ``w`` about
    ``x_A`` is ``w r k(x) / (1 + w k(x_A))`` with ``r = y_A - f(x_A)`` and ``k`` this kernel, for
    ridge with an unpenalised intercept (``z = (1, x)``,
    ``A = Z^T W Z + diag(0, alpha, ..., alpha)``).

    Returns
    -------
    array, shape (n_rows,)

    Examples
    --------
    >>> k = ridge_bleeding_kernel([[1.0], [0.0]], [[1.0], [-1.0]], [1.0], alpha=1.0)
    >>> k.round(6).tolist()
    [0.833333, 0.5]
    """
    x = as_embeddings(embeddings, "embeddings")
    train = as_embeddings(train_embeddings, "train_embeddings", n_columns=x.shape[1])
    z_a = np.r_[1.0, np.asarray(anchor_embedding, dtype=np.float64).ravel()]
    w = np.ones(train.shape[0]) if sample_weight is None else np.asarray(sample_weight, float)
    design = np.column_stack([np.ones(train.shape[0]), train])
    gram = design.T @ (design * w[:, None])
    gram[1:, 1:] += alpha * np.eye(x.shape[1])
    solved = scipy.linalg.solve(gram, z_a, assume_a="sym")
    kernel: Array = np.column_stack([np.ones(x.shape[0]), x]) @ solved
    return kernel


def bleeding_curve(
    similarity: ArrayLike, relative: ArrayLike, *, edges: ArrayLike | None = None
) -> tuple[Array, Array, NDArray[np.int64]]:
    """Mean relative change of value within bins of similarity to A (empty bins dropped).

    Parameters
    ----------
    similarity, relative : arrays, shape (n_concepts,)
        From :class:`Bleeding` (drop A itself first if it should not count).
    edges : array, optional
        Bin edges; default 20 equal bins over [-1, 1].

    Returns
    -------
    centres : array, shape (n_bins,)
        Mean similarity within each non-empty bin.
    mean_relative : array, shape (n_bins,)
    counts : int array, shape (n_bins,)

    Examples
    --------
    >>> bleeding_curve([0.1, 0.15, 0.9], [0.0, 0.2, 0.8], edges=[0.0, 0.5, 1.0])[1].tolist()
    [0.1, 0.8]
    """
    s = np.asarray(similarity, dtype=np.float64).ravel()
    r = np.asarray(relative, dtype=np.float64).ravel()
    if s.shape != r.shape or not (np.all(np.isfinite(s)) and np.all(np.isfinite(r))):
        raise ValueLearnInputError("`similarity` and `relative` must be finite and equally long.")
    bounds = np.linspace(-1.0, 1.0, 21) if edges is None else np.asarray(edges, dtype=np.float64)
    which = np.clip(np.searchsorted(bounds, s, side="right") - 1, 0, bounds.size - 2)
    counts = np.bincount(which, minlength=bounds.size - 1)
    keep = counts > 0
    sums = np.bincount(which, weights=r, minlength=bounds.size - 1)
    centre_sums = np.bincount(which, weights=s, minlength=bounds.size - 1)
    return centre_sums[keep] / counts[keep], sums[keep] / counts[keep], counts[keep]


def _rows(train: ArrayLike, n: int) -> NDArray[np.int64]:
    selector = np.asarray(train)
    if selector.dtype == bool:
        if selector.shape != (n,):
            raise ValueLearnInputError(f"a boolean `train` must have {n} entries.")
        return np.flatnonzero(selector)
    rows = selector.astype(np.int64).ravel()
    if rows.size == 0 or rows.min() < 0 or rows.max() >= n:
        raise ValueLearnInputError(f"`train` must hold rows in [0, {n}); got {rows.size} rows.")
    return rows
