"""``valuelearn off-switch``: the off-switch game's values for a belief about an action's utility.

Registered on the app by :mod:`valuelearn.cli`, with its conventions: bad input ends the command
with one ``error:`` line and exit code 2; the values go to stdout (a table, or one JSON object
with ``--json``).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from valuelearn._files import read_text
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._off_switch import OffSwitchValues, off_switch_discrete, off_switch_gaussian

_LABELS = {"act": "act now", "switch_off": "switch off", "defer": "defer to the human"}


def off_switch(
    mean: Annotated[
        float | None, typer.Option(help="Mean of the robot's Gaussian belief about U_a.")
    ] = None,
    sd: Annotated[
        float | None, typer.Option(help="Standard deviation of that belief (>= 0).")
    ] = None,
    samples: Annotated[
        Path | None,
        typer.Option(
            help="Instead of --mean/--sd: a text file of utilities, one per line, optionally "
            "'utility,probability' (posterior draws, or a discrete belief)."
        ),
    ] = None,
    rationality: Annotated[
        float | None,
        typer.Option(
            help="Boltzmann rationality of the human (> 0): pi(u) = sigmoid(rationality * u). "
            "Omit for a perfectly rational human, pi(u) = 1[u >= 0]."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
) -> None:
    """The off-switch game: value of acting, switching off and deferring to the human.

    The robot is unsure of the utility U_a of its action; the human knows it and, when asked,
    lets the action proceed with probability pi(U_a). Deferring is worth E[pi(U_a) U_a], acting
    E[U_a], switching off 0; the incentive to defer is the first minus the larger of the others
    (Hadfield-Menell et al. 2017).
    """
    if samples is not None:
        if mean is not None or sd is not None:
            raise ValueLearnInputError("give either --samples or --mean and --sd, not both.")
        utilities, probabilities = _read_belief(samples)
        values = off_switch_discrete(utilities, probabilities, rationality=rationality)
        belief = f"{utilities.size} utilities from {samples}"
    else:
        if mean is None or sd is None:
            raise ValueLearnInputError("give --mean and --sd (a Gaussian belief), or --samples.")
        for name, value in (("--mean", mean), ("--sd", sd), ("--rationality", rationality)):
            if value is not None and not math.isfinite(value):
                raise ValueLearnInputError(f"{name} must be a finite number; got {value}.")
        if sd < 0:
            raise ValueLearnInputError(f"--sd must be >= 0; got {sd}.")
        if rationality is not None and rationality <= 0:
            raise ValueLearnInputError(f"--rationality must be > 0; got {rationality}.")
        values = off_switch_gaussian(mean, sd, rationality=rationality)
        belief = f"U_a ~ N({mean:g}, {sd:g}^2)"
    human = "rational" if rationality is None else f"Boltzmann, rationality {rationality:g}"
    if as_json:
        typer.echo(json.dumps(_as_dict(values, belief, human)))
        return
    Console(highlight=False, width=100).print(_table(values, belief, human))


def _as_dict(values: OffSwitchValues, belief: str, human: str) -> dict[str, object]:
    return {
        "belief": belief,
        "human": human,
        "act": values.act,
        "switch_off": values.switch_off,
        "defer": values.defer,
        "incentive": values.incentive,
        "p_allow": values.p_allow,
        "best": values.best,
    }


def _table(values: OffSwitchValues, belief: str, human: str) -> Table:
    table = Table(title="off-switch game", caption=f"belief {belief}; human {human}")
    table.add_column("option")
    table.add_column("value", justify="right")
    for name in ("act", "switch_off", "defer"):
        marker = "  <- best" if values.best == name else ""
        table.add_row(_LABELS[name] + marker, f"{getattr(values, name):.5f}")
    table.add_section()
    table.add_row("incentive to defer", f"{values.incentive:.5f}")
    table.add_row("P(human lets it act)", f"{values.p_allow:.5f}")
    return table


def _read_belief(path: Path) -> tuple[np.ndarray, np.ndarray | None]:
    """Utilities (and probabilities, if every line has two columns) from a text file."""
    rows: list[list[float]] = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        fields = [field.strip() for field in text.split(",")]
        try:
            row = [float(field) for field in fields]
        except ValueError:
            raise ValueLearnInputError(
                f"{path} line {number}: expected 'utility' or 'utility,probability'; got {text!r}."
            ) from None
        if len(row) > 2 or not all(math.isfinite(x) for x in row):
            raise ValueLearnInputError(
                f"{path} line {number}: expected one or two finite numbers; got {text!r}."
            )
        if rows and len(row) != len(rows[0]):
            raise ValueLearnInputError(
                f"{path} line {number}: {len(row)} columns, but the first line has {len(rows[0])}."
            )
        if len(row) == 2 and row[1] < 0:
            raise ValueLearnInputError(f"{path} line {number}: a negative probability {row[1]}.")
        rows.append(row)
    if not rows:
        raise ValueLearnInputError(f"{path}: no utilities; expected one number per line.")
    array = np.array(rows)
    if array.shape[1] == 1:
        return array[:, 0], None
    total = float(array[:, 1].sum())
    if abs(total - 1.0) > 1e-6:
        raise ValueLearnInputError(f"{path}: the probabilities sum to {total:g}; expected 1.")
    return array[:, 0], array[:, 1] / total
