"""Representational alignment between an agent's and a person's similarity over actions.

Three variants (Wynn, Sucholutsky & Griffiths 2024, appendix tables), each the Spearman
correlation between corresponding entries of the two similarity matrices, where the first
``n_personal`` actions are the personalisation actions and the rest are held out:

- ``"full"``: the upper triangle (diagonal excluded) of the whole ``n x n`` matrices;
- ``"personal"``: the upper triangle of the personalisation block ``[:n_personal, :n_personal]``;
- ``"cross"``: every entry of the personalisation-by-generalisation block
  ``[:n_personal, n_personal:]`` (a rectangle, so no triangle).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.representation._similarity import spearman_rows

#: The alignment variants of :func:`representational_alignment`.
ALIGNMENT_VARIANTS = ("full", "personal", "cross")


def representational_alignment(
    agent: NDArray[np.float64],
    person: NDArray[np.float64],
    *,
    variant: str = "full",
    n_personal: int | None = None,
) -> NDArray[np.float64]:
    """Spearman alignment of agent and person similarity matrices (batched).

    Parameters
    ----------
    agent, person : array, shape (n, n) or (B, n, n)
    variant : {"full", "personal", "cross"}
        Which entries are compared (module docstring).
    n_personal : int, optional
        Number of personalisation actions (the first ones); needed for ``"personal"`` and
        ``"cross"``.

    Returns
    -------
    array, shape (B,) (or shape () for single matrices)

    References
    ----------
    Wynn, Sucholutsky & Griffiths (2024), "Learning human-like representations to enable
    learning human values", NeurIPS, section 3 and appendix C; Sucholutsky et al. (2023),
    "Getting aligned on representational alignment", arXiv:2310.13018, section 3.

    Examples
    --------
    >>> person = np.array([[1.0, 0.9, 0.1], [0.9, 1.0, 0.2], [0.1, 0.2, 1.0]])
    >>> agent = np.array([[1.0, 0.8, 0.3], [0.8, 1.0, 0.1], [0.3, 0.1, 1.0]])
    >>> float(representational_alignment(agent, person))
    0.5
    >>> float(representational_alignment(agent, person, variant="cross", n_personal=2))
    -1.0
    """
    a, p = np.asarray(agent, dtype=np.float64), np.asarray(person, dtype=np.float64)
    if a.shape != p.shape or a.ndim not in (2, 3) or a.shape[-1] != a.shape[-2]:
        raise ValueLearnInputError(
            "The 'agent' and 'person' parameters of representational_alignment must be square "
            f"matrices (or batches) of one shape; got {a.shape} and {p.shape} instead."
        )
    n = a.shape[-1]
    if variant not in ALIGNMENT_VARIANTS:
        raise ValueLearnInputError(
            "The 'variant' parameter of representational_alignment must be one of "
            f"{ALIGNMENT_VARIANTS}; got {variant!r} instead."
        )
    if variant == "full":
        rows, cols = np.triu_indices(n, k=1)
    else:
        if n_personal is None or not (2 <= n_personal < n):
            raise ValueLearnInputError(
                "The 'n_personal' parameter of representational_alignment must be an integer "
                f"from 2 to {n - 1} for the {variant!r} variant; got {n_personal!r} instead."
            )
        if variant == "personal":
            rows, cols = np.triu_indices(n_personal, k=1)
        else:
            grid = np.mgrid[0:n_personal, n_personal:n]
            rows, cols = grid[0].ravel(), grid[1].ravel()
    return spearman_rows(a[..., rows, cols], p[..., rows, cols])
