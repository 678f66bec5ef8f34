"""What the ``valuelearn`` commands share: common options, horizon and discount rules, checks.

Used by :mod:`valuelearn.cli` and :mod:`valuelearn._cli_bayes`. Every check raises
:class:`~valuelearn.exceptions.ValueLearnInputError`, which the command line prints as one
``error:`` line with exit code 2.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError

#: Summaries, progress and messages (stdout carries only results meant for other programs).
stderr = Console(stderr=True, highlight=False, markup=False, soft_wrap=True)

MDPOption = Annotated[Path, typer.Option("--mdp", help="MDP file (.json or .npz).")]
HorizonOption = Annotated[
    int | None,
    typer.Option(min=1, help="Number of decisions (default: the MDP file's 'horizon')."),
]
DiscountOption = Annotated[
    float | None,
    typer.Option(min=0.0, max=1.0, help="Discount in [0, 1] (default: the MDP file's, else 1)."),
]
InfiniteOption = Annotated[
    bool, typer.Option("--infinite", help="Discounted infinite horizon (needs a discount < 1).")
]


def default_discount(flag: float | None, world: MDP) -> float:
    """``--discount`` if given, else the MDP file's ``discount``, else 1."""
    if flag is not None:
        return flag
    return world.discount if world.discount is not None else 1.0


def finite_horizon(flag: int | None, world: MDP, mdp_path: Path) -> int:
    """``--horizon`` if given, else the MDP file's ``horizon``; an error when neither exists."""
    if flag is not None:
        return flag
    if world.horizon is None:
        raise ValueLearnInputError(
            f"no horizon: pass --horizon or add a 'horizon' field to {mdp_path}."
        )
    return world.horizon


def horizon_or_infinite(
    flag: int | None,
    infinite: bool,
    world: MDP,
    mdp_path: Path,
    discount: float,
    *,
    default: int | None = None,
) -> int | None:
    """The horizon from --horizon, the MDP file or ``default``; ``None`` for --infinite."""
    if infinite:
        if flag is not None:
            raise ValueLearnInputError("pass either --horizon or --infinite, not both.")
        if discount >= 1.0:
            raise ValueLearnInputError(
                f"--infinite needs a discount below 1; pass --discount or set 'discount' in "
                f"{mdp_path}."
            )
        return None
    if flag is None and world.horizon is None and default is not None:
        return default
    return finite_horizon(flag, world, mdp_path)


def check_positive(value: float, flag: str) -> None:
    """``value`` of option ``flag`` must be a finite number above 0."""
    if not (math.isfinite(value) and value > 0):
        raise ValueLearnInputError(f"{flag} must be a positive number; got {value}.")


def require_suffix(path: Path, suffix: str) -> None:
    """An output file must end in ``suffix`` (``".npz"``, ``".json"``, ...)."""
    if path.suffix.lower() != suffix:
        raise ValueLearnInputError(f"{path}: the output file must end in {suffix}.")


def check_output(path: Path, suffix: str) -> None:
    """Before a long computation: ``path`` ends in ``suffix`` and its directory exists."""
    require_suffix(path, suffix)
    if not path.parent.is_dir():
        raise ValueLearnInputError(
            f"{path}: cannot write: the directory {path.parent} does not exist."
        )
    if path.is_dir():
        raise ValueLearnInputError(f"{path}: cannot write: it is a directory.")
