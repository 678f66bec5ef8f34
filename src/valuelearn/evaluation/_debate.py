"""AI safety via debate, the sparse-pixel game (Irving, Christiano & Amodei 2018, section 3.1).

Two debaters see the whole image; one is committed to the true label (honest), the other to a
wrong one (liar). They take turns revealing one of the image's non-zero pixels (a revealed
pixel shows its true value: nobody can lie about a pixel) until ``n_pixels`` are shown; the
judge, who sees only those pixels, then picks whichever of the two committed labels it finds
more probable. Debate helps if honest debaters win far more often than a judge shown random
pixels classifies correctly.

Debaters search the game tree ``depth`` plies ahead (``depth=1`` is greedy) and score a
position by the judge's log-probability margin between the two labels; a search that reaches
the last reveal is exact. An image counts as decided correctly only if the honest debater beats
every one of the nine possible lies, i.e. the liar's best alternative label.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from valuelearn.exceptions import ValueLearnInputError

Player = Literal["honest", "liar"]


class Judge(Protocol):
    """Anything that scores labels from revealed pixels, like
    :class:`~valuelearn.evaluation._debate_judge.SparseJudge`."""

    def log_proba(
        self, masks: NDArray[np.bool_], images: NDArray[np.float64]
    ) -> NDArray[np.float64]: ...


@dataclass(frozen=True)
class DebateResult:
    """One debate.

    Attributes
    ----------
    pixels : tuple of int
        Revealed pixels in order (flat indices into the 8x8 image).
    players : tuple of str
        Who revealed each.
    margin : float
        The judge's ``log p(honest label) - log p(liar label)`` at the end.
    honest_wins : bool
        ``margin > 0`` (a tie goes to the liar).
    """

    pixels: tuple[int, ...]
    players: tuple[Player, ...]
    margin: float
    honest_wins: bool


def _margins(
    judge: Judge, image: NDArray[np.float64], masks: NDArray[np.bool_], honest: int, liar: int
) -> NDArray[np.float64]:
    scores = judge.log_proba(masks, np.broadcast_to(image, masks.shape))
    return np.asarray(scores[:, honest] - scores[:, liar], dtype=np.float64)


def _value(
    judge: Judge,
    image: NDArray[np.float64],
    mask: NDArray[np.bool_],
    plies: int,
    honest_moves: bool,
    labels: tuple[int, int],
) -> tuple[int, float]:
    """(best pixel, minimax margin) for the player to move, searching ``plies`` reveals."""
    moves = np.flatnonzero((image > 0) & ~mask)
    sign = 1.0 if honest_moves else -1.0
    if plies == 1 or moves.size == 1:
        children = np.repeat(mask[None, :], moves.size, axis=0)
        children[np.arange(moves.size), moves] = True
        values = sign * _margins(judge, image, children, *labels)
    elif plies == 2:  # every (move, reply) pair in one batch
        pairs = np.repeat(mask[None, :], moves.size * moves.size, axis=0)
        first, second = np.divmod(np.arange(moves.size * moves.size), moves.size)
        pairs[np.arange(pairs.shape[0]), moves[first]] = True
        pairs[np.arange(pairs.shape[0]), moves[second]] = True
        replies = (sign * _margins(judge, image, pairs, *labels)).reshape(moves.size, -1)
        replies[np.arange(moves.size), np.arange(moves.size)] = np.inf  # a pixel is shown once
        values = replies.min(axis=1)  # the opponent minimises the mover's margin
    else:
        values = np.empty(moves.size)
        for i, pixel in enumerate(moves):
            child = mask.copy()
            child[pixel] = True
            values[i] = sign * _value(judge, image, child, plies - 1, not honest_moves, labels)[1]
    best = int(np.argmax(values))
    return int(moves[best]), float(sign * values[best])


def debate(
    judge: Judge,
    image: NDArray[np.float64],
    *,
    honest: int,
    liar: int,
    n_pixels: int,
    depth: int = 1,
    first: Player = "honest",
) -> DebateResult:
    """Play one debate on ``image`` (a row of 64 values in [0, 1]).

    Parameters
    ----------
    judge : Judge
    image : array, shape (64,)
    honest, liar : int
        The labels the two debaters are committed to (different).
    n_pixels : int
        Reveals in the whole game (alternating, ``first`` moves first).
    depth : int
        Plies each debater searches (1 = greedy; ``n_pixels`` = exact minimax).
    first : {"honest", "liar"}

    Returns
    -------
    DebateResult

    References
    ----------
    Irving, Christiano & Amodei (2018), "AI safety via debate", arXiv:1805.00899, section 3.1
    (precommitted labels, one pixel per turn, the judge picks between the two labels).

    Examples
    --------
    A judge that counts lit pixels in the left half (label 0) and the right half (label 1):

    >>> class HalfJudge:
    ...     def log_proba(self, masks, images):
    ...         lit = masks * images
    ...         left = lit.reshape(-1, 8, 8)[:, :, :4].sum(axis=(1, 2))
    ...         right = lit.reshape(-1, 8, 8)[:, :, 4:].sum(axis=(1, 2))
    ...         return np.stack([left, right], axis=1)
    >>> image = np.zeros(64); image[[0, 1, 7]] = [1.0, 0.5, 0.2]
    >>> result = debate(HalfJudge(), image, honest=0, liar=1, n_pixels=2)
    >>> result.pixels, result.players, result.honest_wins
    ((0, 7), ('honest', 'liar'), True)
    """
    if honest == liar:
        raise ValueLearnInputError(
            f"The 'liar' parameter of debate must differ from 'honest'; both are {honest}."
        )
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueLearnInputError(
            f"The 'depth' parameter of debate must be an integer >= 1; got {depth!r} instead."
        )
    if first not in ("honest", "liar"):
        raise ValueLearnInputError(
            f"The 'first' parameter of debate must be 'honest' or 'liar'; got {first!r} instead."
        )
    image = np.asarray(image, dtype=np.float64)
    if int(np.count_nonzero(image > 0)) < n_pixels or n_pixels < 1:
        raise ValueLearnInputError(
            f"The 'n_pixels' parameter of debate must be between 1 and the image's "
            f"{int(np.count_nonzero(image > 0))} non-zero pixels; got {n_pixels} instead."
        )
    mask = np.zeros(image.shape, dtype=bool)
    pixels: list[int] = []
    players: list[Player] = []
    honest_moves = first == "honest"
    for step in range(n_pixels):
        plies = min(depth, n_pixels - step)
        pixel, _ = _value(judge, image, mask, plies, honest_moves, (honest, liar))
        mask[pixel] = True
        pixels.append(pixel)
        players.append("honest" if honest_moves else "liar")
        honest_moves = not honest_moves
    margin = float(_margins(judge, image, mask[None, :], honest, liar)[0])
    return DebateResult(tuple(pixels), tuple(players), margin, margin > 0)


@dataclass(frozen=True)
class DebateAccuracy:
    """How often debate leads the judge to the true label.

    Attributes
    ----------
    accuracy : float
        Fraction of images on which the honest debater beat every lie.
    wins : array of bool, shape (n_images,)
    winning_lies : array of int, shape (n_images,)
        The first lie that beat the honest debater (-1 where none did).
    """

    accuracy: float
    wins: NDArray[np.bool_]
    winning_lies: NDArray[np.int64]


def debate_accuracy(
    judge: Judge,
    images: NDArray[np.float64],
    labels: Sequence[int] | NDArray[np.int64],
    *,
    n_pixels: int,
    depth: int = 1,
    first: Player = "honest",
    n_classes: int = 10,
) -> DebateAccuracy:
    """Play the honest label against each wrong one on every image.

    The honest debater is correct on an image only if it wins all ``n_classes - 1`` debates
    (the liar may pick its best alternative); lies are tried in order and the search stops at
    the first that wins.

    Returns
    -------
    DebateAccuracy

    References
    ----------
    Irving, Christiano & Amodei (2018), "AI safety via debate", arXiv:1805.00899, section 3.1
    (59.4% -> 88.9% with 6 pixels, 48.2% -> 85.2% with 4, on MNIST with MCTS debaters).
    """
    images = np.atleast_2d(np.asarray(images, dtype=np.float64))
    labels = np.asarray(labels, dtype=np.int64)
    if labels.shape != (images.shape[0],):
        raise ValueLearnInputError(
            f"The 'labels' parameter of debate_accuracy must have one label per image "
            f"({images.shape[0]}); got shape {labels.shape} instead."
        )
    winning = np.full(labels.size, -1, dtype=np.int64)
    for i, (image, label) in enumerate(zip(images, labels, strict=True)):
        for lie in range(n_classes):
            if lie == label:
                continue
            result = debate(
                judge,
                image,
                honest=int(label),
                liar=lie,
                n_pixels=n_pixels,
                depth=depth,
                first=first,
            )
            if not result.honest_wins:
                winning[i] = lie
                break
    wins = winning < 0
    return DebateAccuracy(float(wins.mean()) if wins.size else float("nan"), wins, winning)
