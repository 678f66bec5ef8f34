"""Text value models: the value of a word or phrase as a function of its embedding.

Values live as concepts in a language model's embedding space (seed 003): a value model fitted on
some concepts' human judgments scores any other text by where it lands in that space.
:class:`TextValueModel` embeds texts (all-MiniLM-L6-v2 sentence embeddings through the ``text``
extra, cached on disk; hashed character n-grams, which need nothing extra; or any function) and
learns from

- ratings: ridge regression or a Gaussian process on each text's mean rating
  (:mod:`~valuelearn.representation._value_regression`);
- comparisons: Bradley–Terry with linear utilities on the embeddings
  (:class:`~valuelearn.inference.PreferenceMAP`).

A fitted model with a named embedding saves to a folder (``model.json`` plus ``arrays.npz``),
written to a temporary sibling and renamed into place.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._files import PathLike
from valuelearn.data import Comparisons, Items, Ratings, char_ngram_features, sentence_embeddings
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.representation._value_regression import (
    GaussianProcessValues,
    as_embeddings,
    gp_values,
    ridge_values,
)

Array = NDArray[np.float64]
Embedding = Callable[[Sequence[str]], ArrayLike]
EmbeddingName = Literal["minilm", "char-ngrams"]
Method = Literal["ridge", "gp", "bradley-terry"]
EMBEDDINGS: tuple[EmbeddingName, ...] = ("minilm", "char-ngrams")
METHODS: tuple[Method, ...] = ("ridge", "gp", "bradley-terry")


def embed_texts(
    texts: Sequence[str],
    embedding: EmbeddingName | Embedding,
    *,
    n_buckets: int = 1024,
    cache_dir: PathLike | None = None,
) -> Array:
    """Embed ``texts`` with a named embedding or a function, one row per text.

    ``"minilm"`` is :func:`~valuelearn.data.sentence_embeddings` (384 columns; needs the
    ``text`` extra and raises :class:`ModuleNotFoundError` naming it otherwise);
    ``"char-ngrams"`` is :func:`~valuelearn.data.char_ngram_features` with ``n_buckets``
    columns.

    Examples
    --------
    >>> embed_texts(["good", "bad"], "char-ngrams", n_buckets=8).shape
    (2, 8)
    """
    words = list(texts)
    if not all(isinstance(text, str) and text for text in words):
        raise ValueLearnInputError("`texts` must be non-empty strings.")
    if callable(embedding):
        return as_embeddings(embedding(words), "embedding(texts)")
    if embedding == "minilm":
        return sentence_embeddings(words, cache_dir=cache_dir)
    if embedding == "char-ngrams":
        return char_ngram_features(words, n_buckets=n_buckets)[0]
    raise ValueLearnInputError(
        f"The 'embedding' parameter must be one of {EMBEDDINGS} or a function; got "
        f"{embedding!r} instead."
    )


class TextValueModel:
    """The value of texts, learned from ratings or comparisons of other texts.

    Parameters
    ----------
    embedding : {"minilm", "char-ngrams"} or callable
        How texts become vectors (see :func:`embed_texts`); a callable maps a list of ``n``
        strings to an ``(n, d)`` array (such a model cannot be saved).
    method : {"ridge", "gp", "bradley-terry"}
        ``"ridge"`` and ``"gp"`` learn from values or ratings (:meth:`fit`, :meth:`fit_ratings`);
        ``"bradley-terry"`` from comparisons (:meth:`fit_comparisons`), with values on the
        logit scale of the comparisons.
    alpha : float
        Ridge penalty.
    length_scale, noise : float
        Gaussian-process RBF length scale, and noise variance as a fraction of the signal
        variance.
    prior_scale : float
        Bradley–Terry prior standard deviation of each weight.
    n_buckets : int
        Columns of ``"char-ngrams"``.
    cache_dir : path, optional
        Embedding cache folder of ``"minilm"``.

    Attributes
    ----------
    method_ : str
    n_dims_ : int
        Embedding size.
    weights_ : array, shape (n_dims,)
        Linear weights (ridge, Bradley–Terry).
    intercept_ : float
    gp_ : GaussianProcessValues or None
    texts_ : tuple of str
        The training texts.

    References
    ----------
    Reimers & Gurevych (2019), "Sentence-BERT", EMNLP (the embeddings); Bradley & Terry (1952);
    Christiano et al. (2017), NeurIPS, section 2.2.3 (a reward model from comparisons).

    Examples
    --------
    >>> model = TextValueModel(embedding="char-ngrams", n_buckets=64, alpha=0.1)
    >>> model = model.fit(["good", "goodness", "bad", "badness"], [3.0, 2.5, -3.0, -2.5])
    >>> bool(model.predict(["goody"])[0] > model.predict(["baddie"])[0])
    True
    """

    def __init__(
        self,
        *,
        embedding: EmbeddingName | Embedding = "minilm",
        method: Method = "ridge",
        alpha: float = 1.0,
        length_scale: float = 0.7,
        noise: float = 0.3,
        prior_scale: float = 1.0,
        n_buckets: int = 1024,
        cache_dir: PathLike | None = None,
    ) -> None:
        self.embedding = embedding
        self.method = method
        self.alpha = alpha
        self.length_scale = length_scale
        self.noise = noise
        self.prior_scale = prior_scale
        self.n_buckets = n_buckets
        self.cache_dir = cache_dir

    # ------------------------------------------------------------------ fitting
    def embed(self, texts: Sequence[str]) -> Array:
        """Embeddings of ``texts`` under this model's embedding, shape (n_texts, n_dims)."""
        if isinstance(texts, str):
            raise ValueLearnInputError("`texts` must be a list of strings; got one string.")
        return embed_texts(
            texts, self.embedding, n_buckets=self.n_buckets, cache_dir=self.cache_dir
        )

    def fit(
        self, texts: Sequence[str], values: ArrayLike, *, sample_weight: ArrayLike | None = None
    ) -> TextValueModel:
        """Fit to each text's value (e.g. its mean rating); return ``self``."""
        self._check_method(("ridge", "gp"), "fit")
        texts = tuple(texts) if not isinstance(texts, str) else (texts,)
        self.fit_embeddings(self.embed(texts), values, sample_weight=sample_weight)
        self.texts_ = texts
        return self

    def fit_embeddings(
        self, embeddings: ArrayLike, values: ArrayLike, *, sample_weight: ArrayLike | None = None
    ) -> TextValueModel:
        """Fit to precomputed embeddings (one row per text) and their values; return ``self``."""
        self._check_method(("ridge", "gp"), "fit_embeddings")
        x = as_embeddings(embeddings, "embeddings")
        self.gp_: GaussianProcessValues | None = None
        if self.method == "ridge":
            self.weights_, self.intercept_ = ridge_values(
                x, values, alpha=self.alpha, sample_weight=sample_weight
            )
        else:
            if sample_weight is not None:
                raise ValueLearnInputError("method='gp' takes no sample_weight.")
            self.gp_ = gp_values(x, values, length_scale=self.length_scale, noise=self.noise)
            self.weights_, self.intercept_ = np.zeros(x.shape[1]), self.gp_.mean
        self.method_ = self.method
        self.n_dims_ = x.shape[1]
        self.texts_ = ()
        return self

    def fit_ratings(self, ratings: Ratings) -> TextValueModel:
        """Fit to ratings whose items are the texts: each text's mean score, weighted by its
        number of ratings for ridge (the same weights as fitting every rating)."""
        if not isinstance(ratings, Ratings):
            raise ValueLearnInputError(f"`ratings` must be Ratings; got {type(ratings).__name__}.")
        texts = ratings.item_ids()
        position = {text: i for i, text in enumerate(texts)}
        index = np.array([position[item] for item in ratings.item])
        counts = np.bincount(index, minlength=len(texts)).astype(np.float64)
        means = np.bincount(index, weights=ratings.score, minlength=len(texts)) / counts
        weights = counts if self.method == "ridge" else None
        return self.fit(texts, means, sample_weight=weights)

    def fit_comparisons(
        self, comparisons: Comparisons, *, embeddings: ArrayLike | None = None
    ) -> TextValueModel:
        """Bradley–Terry from comparisons whose items are the texts; return ``self``.

        ``embeddings`` (optional) are the texts' precomputed embeddings, one row per text in
        the order of ``comparisons.item_ids()``.
        """
        from valuelearn.inference import PreferenceMAP

        self._check_method(("bradley-terry",), "fit_comparisons")
        if not isinstance(comparisons, Comparisons):
            raise ValueLearnInputError(
                f"`comparisons` must be Comparisons; got {type(comparisons).__name__}."
            )
        texts = comparisons.item_ids()
        if embeddings is None:
            x = self.embed(texts)
        else:
            x = as_embeddings(embeddings, "embeddings")
            if x.shape[0] != len(texts):
                raise ValueLearnInputError(
                    f"`embeddings` must have one row per compared text ({len(texts)}); got "
                    f"{x.shape[0]}."
                )
        items = Items(texts, features=x)
        fitted = PreferenceMAP(utility="linear", prior_scale=self.prior_scale).fit(
            comparisons, items=items
        )
        self.weights_, self.intercept_ = np.asarray(fitted.weights_, dtype=np.float64), 0.0
        self.gp_ = None
        self.method_ = "bradley-terry"
        self.n_dims_ = x.shape[1]
        self.texts_ = texts
        return self

    def _check_method(self, allowed: tuple[Method, ...], where: str) -> None:
        if self.method not in METHODS:
            raise ValueLearnInputError(
                f"The 'method' parameter of TextValueModel must be one of {METHODS}; got "
                f"{self.method!r} instead."
            )
        if self.method not in allowed:
            raise ValueLearnInputError(
                f"TextValueModel.{where} needs method in {allowed}; this model has "
                f"method={self.method!r}."
            )

    # ------------------------------------------------------------------ prediction
    def _check_fitted(self) -> None:
        if not hasattr(self, "method_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet; call fit() first."
            )

    def predict(self, texts: Sequence[str]) -> Array:
        """Predicted values of ``texts``, shape (n_texts,)."""
        self._check_fitted()
        return self.predict_embeddings(self.embed(texts))

    def predict_embeddings(self, embeddings: ArrayLike) -> Array:
        """Predicted values of precomputed embeddings, shape (n_texts,)."""
        self._check_fitted()
        x = as_embeddings(embeddings, "embeddings", n_columns=self.n_dims_)
        if self.gp_ is not None:
            return self.gp_.predict(x)
        result: Array = x @ self.weights_ + self.intercept_
        return result

    # ------------------------------------------------------------------ files
    def save(self, folder: PathLike) -> None:
        """Write the fitted model to ``folder`` (see :func:`save_text_value_model`)."""
        from valuelearn.representation._text_values_io import save_text_value_model

        save_text_value_model(self, folder)

    @classmethod
    def load(cls, folder: PathLike, *, cache_dir: PathLike | None = None) -> TextValueModel:
        """Read a model written by :meth:`save` (see :func:`load_text_value_model`)."""
        from valuelearn.representation._text_values_io import load_text_value_model

        return load_text_value_model(folder, cache_dir=cache_dir)

    def get_params(self) -> dict[str, Any]:
        """The constructor's parameters."""
        return {
            "embedding": self.embedding,
            "method": self.method,
            "alpha": self.alpha,
            "length_scale": self.length_scale,
            "noise": self.noise,
            "prior_scale": self.prior_scale,
            "n_buckets": self.n_buckets,
            "cache_dir": self.cache_dir,
        }
