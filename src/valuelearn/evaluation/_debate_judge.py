"""The sparse judge of the pixel debate: a classifier that sees only a few pixels of a digit.

The images are scikit-learn's 8x8 handwritten digits (``load_digits``: 1,797 images, 16 grey
levels, shipped with the package, so nothing is downloaded). The judge's input has two planes,
as in Irving et al. (2018): a 0/1 mask of the revealed pixels and the revealed values (scaled to
[0, 1]). It is trained on ``n_pixels`` pixels drawn at random among each image's non-zero ones,
and kept as plain arrays (an ``.npz`` in the user cache, written atomically), never pickled.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.metadata
import io
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Final

import numpy as np
from numpy.typing import NDArray
from scipy import special

from valuelearn._files import PathLike, atomic_write
from valuelearn._random import RandomLike, as_generator
from valuelearn.data._word_features import default_cache_dir
from valuelearn.exceptions import NotFittedError, ValueLearnInputError

N_CLASSES: Final = 10
N_PIXELS_IMAGE: Final = 64
_CACHE_VERSION: Final = "debate-judge/1"


def _sklearn(module: str) -> Any:
    """``sklearn.<module>``, or a clear error when scikit-learn is not installed."""
    try:
        return importlib.import_module(f"sklearn.{module}")
    except ModuleNotFoundError:
        raise ModuleNotFoundError(
            "the debate judge needs scikit-learn (its 8x8 digits and its MLP): "
            "pip install scikit-learn.",
            name="sklearn",
        ) from None


def digits() -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """scikit-learn's 8x8 digits: images as rows of 64 values in [0, 1], and their labels.

    Examples
    --------
    >>> images, labels = digits()
    >>> images.shape, labels.shape, float(images.max())
    ((1797, 64), (1797,), 1.0)
    """
    data = _sklearn("datasets").load_digits()
    return np.asarray(data.data, dtype=np.float64) / 16.0, np.asarray(data.target, dtype=np.int64)


def digits_split(
    n_images: int, *, test_fraction: float = 1 / 3, rng: RandomLike = 0
) -> tuple[NDArray[np.int64], NDArray[np.int64]]:
    """A random train/test split of ``n_images`` indices (train first).

    Examples
    --------
    >>> train, test = digits_split(1797)
    >>> len(train), len(test), len(set(train) | set(test))
    (1198, 599, 1797)
    """
    order = as_generator(rng).permutation(n_images)
    n_test = round(test_fraction * n_images)
    return np.sort(order[n_test:]), np.sort(order[:n_test])


def random_reveals(
    images: NDArray[np.float64], n_pixels: int, *, rng: RandomLike = None
) -> NDArray[np.bool_]:
    """Masks of ``n_pixels`` pixels drawn uniformly, without replacement, among each image's
    non-zero pixels.

    Returns
    -------
    array of bool, shape (n_images, 64)

    Raises
    ------
    ValueLearnInputError
        If an image has fewer than ``n_pixels`` non-zero pixels.
    """
    images = np.atleast_2d(images)
    nonzero = images > 0
    if np.any(nonzero.sum(axis=1) < n_pixels):
        raise ValueLearnInputError(
            f"The 'n_pixels' parameter must not exceed an image's non-zero pixels; got {n_pixels}."
        )
    keys = as_generator(rng).random(images.shape)
    keys[~nonzero] = 2.0
    chosen = np.argsort(keys, axis=1)[:, :n_pixels]
    masks = np.zeros(images.shape, dtype=bool)
    np.put_along_axis(masks, chosen, True, axis=1)
    return masks


def judge_features(masks: NDArray[np.bool_], images: NDArray[np.float64]) -> NDArray[np.float64]:
    """The judge's two planes side by side: ``[mask, mask * image]``, shape (n, 128)."""
    masks = np.asarray(masks, dtype=np.float64)
    return np.hstack([masks, masks * images])


@dataclass
class SparseJudge:
    """A one-hidden-layer network that classifies a digit from a few revealed pixels.

    Parameters
    ----------
    n_pixels : int
        Pixels revealed in each training example.
    hidden : int
        Hidden units (ReLU).
    n_masks : int
        Random masks drawn per training image.
    max_iter : int
        Adam epochs (scikit-learn's ``MLPClassifier``, batches of 200, learning rate 2e-3).
    random_state : int
        Seeds the masks and the network's initialisation.

    Attributes
    ----------
    weights_ : list of arrays
        ``[W1 (128, hidden), b1 (hidden,), W2 (hidden, 10), b2 (10,)]``.

    References
    ----------
    Irving, Christiano & Amodei (2018), "AI safety via debate", arXiv:1805.00899, section 3.1
    (the sparse MNIST judge; theirs is a convolutional network trained on 28x28 images).

    Examples
    --------
    >>> images, labels = digits()
    >>> judge = SparseJudge(n_pixels=6, hidden=16, n_masks=1, max_iter=2).fit(images, labels)
    >>> judge.log_proba(random_reveals(images[:3], 6, rng=0), images[:3]).shape
    (3, 10)
    """

    n_pixels: int = 6
    hidden: int = 128
    n_masks: int = 20
    max_iter: int = 20
    random_state: int = 0

    def fit(self, images: NDArray[np.float64], labels: NDArray[np.int64]) -> SparseJudge:
        """Train on ``n_masks`` random reveals of each image."""
        exceptions, neural_network = _sklearn("exceptions"), _sklearn("neural_network")
        for name in ("n_pixels", "hidden", "n_masks", "max_iter"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueLearnInputError(
                    f"The '{name}' parameter of SparseJudge must be an integer >= 1; got "
                    f"{value!r} instead."
                )
        labels = np.asarray(labels)
        if set(np.unique(labels).tolist()) != set(range(N_CLASSES)):
            raise ValueLearnInputError(
                "The 'labels' passed to SparseJudge.fit must contain every digit 0-9."
            )
        rng = as_generator(self.random_state)
        repeated = np.tile(images, (self.n_masks, 1))
        masks = random_reveals(repeated, self.n_pixels, rng=rng)
        network = neural_network.MLPClassifier(
            (self.hidden,),
            max_iter=self.max_iter,
            batch_size=200,
            learning_rate_init=2e-3,
            alpha=1e-3,
            random_state=self.random_state,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", exceptions.ConvergenceWarning)
            network.fit(judge_features(masks, repeated), np.tile(labels, self.n_masks))
        self.weights_ = [
            np.asarray(network.coefs_[0], dtype=np.float64),
            np.asarray(network.intercepts_[0], dtype=np.float64),
            np.asarray(network.coefs_[1], dtype=np.float64),
            np.asarray(network.intercepts_[1], dtype=np.float64),
        ]
        return self

    def log_proba(
        self, masks: NDArray[np.bool_], images: NDArray[np.float64]
    ) -> NDArray[np.float64]:
        """Log-probabilities of the ten digits given the revealed pixels, shape (n, 10)."""
        if not hasattr(self, "weights_"):
            raise NotFittedError("This SparseJudge is not fitted yet; call fit first.")
        w1, b1, w2, b2 = self.weights_
        hidden = np.maximum(
            judge_features(np.atleast_2d(masks), np.atleast_2d(images)) @ w1 + b1, 0
        )
        logits = hidden @ w2 + b2
        return np.asarray(logits - special.logsumexp(logits, axis=1, keepdims=True))

    def predict(self, masks: NDArray[np.bool_], images: NDArray[np.float64]) -> NDArray[np.int64]:
        """The most probable digit for each row."""
        return np.asarray(self.log_proba(masks, images).argmax(axis=1), dtype=np.int64)

    def cache_key(self, data_digest: str) -> str:
        """A file-name-safe digest of the settings, the training data and scikit-learn's version."""
        version = importlib.metadata.version("scikit-learn")
        text = f"{_CACHE_VERSION}|{self!r}|{data_digest}|{version}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    def save(self, path: PathLike) -> None:
        """Write the weights to an ``.npz`` file atomically."""
        buffer = io.BytesIO()
        np.savez(buffer, *self.weights_)

        def write(stream: IO[bytes]) -> None:
            stream.write(buffer.getvalue())

        atomic_write(path, write)

    def load(self, path: PathLike) -> SparseJudge:
        """Read weights written by :meth:`save` (shapes checked); returns ``self``."""
        with np.load(path, allow_pickle=False) as stored:
            weights = [np.asarray(stored[f"arr_{i}"], dtype=np.float64) for i in range(4)]
        shapes = [(2 * N_PIXELS_IMAGE, self.hidden), (self.hidden,), (self.hidden, N_CLASSES)]
        if [w.shape for w in weights[:3]] != shapes or weights[3].shape != (N_CLASSES,):
            raise ValueLearnInputError(f"{path}: the judge's weights have unexpected shapes.")
        self.weights_ = weights
        return self


def trained_judge(
    n_pixels: int,
    *,
    split_seed: int = 0,
    random_state: int = 0,
    cache_dir: PathLike | None = None,
    **settings: int,
) -> SparseJudge:
    """A :class:`SparseJudge` trained on the training part of :func:`digits_split`, cached.

    The weights are stored in ``<cache_dir>/debate-judge-<digest>.npz`` (default
    :func:`~valuelearn.data._word_features.default_cache_dir`); a missing or unreadable file is
    retrained (about 10 s on one core) and rewritten atomically.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     small = trained_judge(4, hidden=4, n_masks=1, max_iter=1, cache_dir=folder)  # trains
    ...     again = trained_judge(4, hidden=4, n_masks=1, max_iter=1, cache_dir=folder)  # loads
    >>> [w.shape for w in again.weights_], bool((again.weights_[0] == small.weights_[0]).all())
    ([(128, 4), (4,), (4, 10), (10,)], True)
    """
    judge = SparseJudge(n_pixels=n_pixels, random_state=random_state, **settings)
    images, labels = digits()
    train, _ = digits_split(len(labels), rng=split_seed)
    digest = hashlib.sha256(images[train].tobytes() + labels[train].tobytes()).hexdigest()
    folder = Path(default_cache_dir() if cache_dir is None else cache_dir)
    path = folder / f"debate-judge-{judge.cache_key(digest)}.npz"
    try:
        return judge.load(path)
    except (OSError, ValueError, KeyError, EOFError):
        pass
    judge.fit(images[train], labels[train])
    folder.mkdir(parents=True, exist_ok=True)
    judge.save(path)
    return judge


def judge_accuracy(
    judge: SparseJudge,
    images: NDArray[np.float64],
    labels: NDArray[np.int64],
    *,
    n_repeats: int = 10,
    rng: RandomLike = 0,
) -> float:
    """Accuracy of the judge alone: ``judge.n_pixels`` random non-zero pixels per image,
    averaged over ``n_repeats`` draws of the pixels."""
    repeated = np.tile(images, (n_repeats, 1))
    masks = random_reveals(repeated, judge.n_pixels, rng=rng)
    return float(np.mean(judge.predict(masks, repeated) == np.tile(labels, n_repeats)))
