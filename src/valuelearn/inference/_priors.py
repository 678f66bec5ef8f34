"""Priors over reward parameters for Bayesian value inference: uniform box, Gaussian, Laplace.

Each prior is a product of independent one-dimensional densities (parameters broadcast to the
number of reward parameters) with an exact log-density, its gradient (for gradient-based samplers)
and a sampler (to draw a "true" reward in calibration experiments).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.exceptions import ValueLearnInputError


class Prior(ABC):
    """A product prior ``p(theta) = prod_j p_j(theta_j)`` over reward parameters."""

    @abstractmethod
    def log_density(self, theta: ArrayLike) -> float:
        """``log p(theta)`` (``-inf`` outside the support), normalising constant included."""

    @abstractmethod
    def gradient(self, theta: ArrayLike) -> NDArray[np.float64]:
        """``d log p / d theta`` inside the support (a subgradient where it has a kink)."""

    @abstractmethod
    def sample(self, size: int, rng: RandomLike = None) -> NDArray[np.float64]:
        """``size`` independent draws, shape (size, n_parameters)."""

    @property
    @abstractmethod
    def n_parameters(self) -> int | None:
        """Number of parameters fixed by array-valued arguments, or ``None`` for scalars."""

    def broadcast(self, n_parameters: int) -> Prior:
        """This prior with every argument broadcast to ``n_parameters`` coordinates."""
        if self.n_parameters not in (None, n_parameters):
            raise ValueLearnInputError(
                f"The prior has {self.n_parameters} coordinates but the reward has "
                f"{n_parameters} parameters."
            )
        return self._broadcast(n_parameters)

    @abstractmethod
    def _broadcast(self, n_parameters: int) -> Prior: ...


@dataclass(frozen=True)
class UniformPrior(Prior):
    """Uniform on the box ``[low, high]`` per coordinate (Ramachandran & Amir's ``[-Rmax, Rmax]``).

    Examples
    --------
    >>> prior = UniformPrior(-1.0, 1.0).broadcast(2)
    >>> round(prior.log_density([0.0, 0.5]), 6), prior.log_density([0.0, 2.0])
    (-1.386294, -inf)
    """

    low: ArrayLike = -1.0
    high: ArrayLike = 1.0

    def __post_init__(self) -> None:
        low, high = (
            _vector(self.low, "low", "UniformPrior"),
            _vector(self.high, "high", "UniformPrior"),
        )
        if np.any(np.broadcast_to(low, np.broadcast(low, high).shape) >= high):
            raise ValueLearnInputError(
                f"The 'high' parameter of UniformPrior must exceed 'low'; got low={self.low!r}, "
                f"high={self.high!r} instead."
            )
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)

    @property
    def n_parameters(self) -> int | None:
        return _size(self.low, self.high)

    def log_density(self, theta: ArrayLike) -> float:
        x = np.asarray(theta, dtype=np.float64)
        low, high = np.broadcast_to(self.low, x.shape), np.broadcast_to(self.high, x.shape)
        if np.any(x < low) or np.any(x > high):
            return -np.inf
        return -float(np.sum(np.log(high - low)))

    def gradient(self, theta: ArrayLike) -> NDArray[np.float64]:
        return np.zeros(np.shape(theta))

    def sample(self, size: int, rng: RandomLike = None) -> NDArray[np.float64]:
        n = _require_size(self.n_parameters, "UniformPrior")
        low, high = np.broadcast_to(self.low, (n,)), np.broadcast_to(self.high, (n,))
        return as_generator(rng).uniform(low, high, size=(size, n))

    def _broadcast(self, n_parameters: int) -> UniformPrior:
        return UniformPrior(
            np.broadcast_to(self.low, (n_parameters,)).copy(),
            np.broadcast_to(self.high, (n_parameters,)).copy(),
        )


@dataclass(frozen=True)
class GaussianPrior(Prior):
    """Independent normals ``N(mean, scale**2)`` per coordinate.

    Examples
    --------
    >>> round(GaussianPrior(0.0, 1.0).broadcast(1).log_density([0.0]), 6)  # -log(2 pi) / 2
    -0.918939
    """

    mean: ArrayLike = 0.0
    scale: ArrayLike = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "mean", _vector(self.mean, "mean", "GaussianPrior"))
        object.__setattr__(self, "scale", _positive(self.scale, "scale", "GaussianPrior"))

    @property
    def n_parameters(self) -> int | None:
        return _size(self.mean, self.scale)

    def log_density(self, theta: ArrayLike) -> float:
        z = (np.asarray(theta, dtype=np.float64) - _arr(self.mean)) / _arr(self.scale)
        scale = np.broadcast_to(self.scale, z.shape)
        return float(np.sum(-0.5 * z**2 - np.log(scale) - 0.5 * np.log(2.0 * np.pi)))

    def gradient(self, theta: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(theta, dtype=np.float64)
        return np.asarray(-(x - _arr(self.mean)) / _arr(self.scale) ** 2, dtype=np.float64)

    def sample(self, size: int, rng: RandomLike = None) -> NDArray[np.float64]:
        n = _require_size(self.n_parameters, "GaussianPrior")
        return as_generator(rng).normal(
            np.broadcast_to(self.mean, (n,)), np.broadcast_to(self.scale, (n,)), size=(size, n)
        )

    def _broadcast(self, n_parameters: int) -> GaussianPrior:
        return GaussianPrior(
            np.broadcast_to(self.mean, (n_parameters,)).copy(),
            np.broadcast_to(self.scale, (n_parameters,)).copy(),
        )


@dataclass(frozen=True)
class LaplacePrior(Prior):
    """Independent Laplace densities ``exp(-|theta - loc| / scale) / (2 scale)``: sparse rewards.

    Examples
    --------
    >>> round(LaplacePrior(0.0, 1.0).broadcast(1).log_density([1.0]), 6)  # -1 - log 2
    -1.693147
    """

    loc: ArrayLike = 0.0
    scale: ArrayLike = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "loc", _vector(self.loc, "loc", "LaplacePrior"))
        object.__setattr__(self, "scale", _positive(self.scale, "scale", "LaplacePrior"))

    @property
    def n_parameters(self) -> int | None:
        return _size(self.loc, self.scale)

    def log_density(self, theta: ArrayLike) -> float:
        x = np.asarray(theta, dtype=np.float64)
        scale = np.broadcast_to(self.scale, x.shape)
        return float(np.sum(-np.abs(x - _arr(self.loc)) / scale - np.log(2.0 * scale)))

    def gradient(self, theta: ArrayLike) -> NDArray[np.float64]:
        x = np.asarray(theta, dtype=np.float64)
        return np.asarray(-np.sign(x - _arr(self.loc)) / _arr(self.scale), dtype=np.float64)

    def sample(self, size: int, rng: RandomLike = None) -> NDArray[np.float64]:
        n = _require_size(self.n_parameters, "LaplacePrior")
        return as_generator(rng).laplace(
            np.broadcast_to(self.loc, (n,)), np.broadcast_to(self.scale, (n,)), size=(size, n)
        )

    def _broadcast(self, n_parameters: int) -> LaplacePrior:
        return LaplacePrior(
            np.broadcast_to(self.loc, (n_parameters,)).copy(),
            np.broadcast_to(self.scale, (n_parameters,)).copy(),
        )


# ---------------------------------------------------------------------- validation helpers
def _arr(value: ArrayLike) -> NDArray[np.float64]:
    return np.asarray(value, dtype=np.float64)


def _vector(value: ArrayLike, name: str, owner: str) -> NDArray[np.float64]:
    try:
        array = np.array(value, dtype=np.float64)
    except (TypeError, ValueError):
        array = np.array([np.nan])
    if array.ndim > 1 or array.size == 0 or not np.all(np.isfinite(array)):
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be a finite number or 1-d array; got "
            f"{value!r} instead."
        )
    array.setflags(write=False)
    return array


def _positive(value: ArrayLike, name: str, owner: str) -> NDArray[np.float64]:
    array = _vector(value, name, owner)
    if np.any(array <= 0):
        raise ValueLearnInputError(
            f"The '{name}' parameter of {owner} must be positive; got {value!r} instead."
        )
    return array


def _size(*arrays: ArrayLike) -> int | None:
    sizes = {np.size(a) for a in arrays if np.ndim(a) == 1}
    if len(sizes) > 1:
        raise ValueLearnInputError(f"prior arguments have different lengths {sorted(sizes)}.")
    return sizes.pop() if sizes else None


def _require_size(n_parameters: int | None, owner: str) -> int:
    if n_parameters is None:
        raise ValueLearnInputError(
            f"{owner}.sample needs the number of parameters; call .broadcast(n) first."
        )
    return n_parameters
