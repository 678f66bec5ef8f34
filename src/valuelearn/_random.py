"""Conversion of the ``rng`` argument accepted by every stochastic function."""

from __future__ import annotations

import numpy as np

RandomLike = np.random.Generator | int | None


def as_generator(rng: RandomLike) -> np.random.Generator:
    """Return a :class:`numpy.random.Generator` for ``rng``.

    Parameters
    ----------
    rng : Generator, int or None
        A generator is returned unchanged; an int seeds a new PCG64 generator; ``None`` draws fresh
        entropy from the operating system.

    Examples
    --------
    >>> as_generator(0).integers(10) == as_generator(0).integers(10)
    np.True_
    """
    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or (isinstance(rng, int | np.integer) and not isinstance(rng, bool)):
        return np.random.default_rng(rng)
    raise TypeError(
        f"The 'rng' parameter must be a numpy Generator, an int seed or None; got {rng!r} instead."
    )
