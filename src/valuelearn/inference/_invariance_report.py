"""What :func:`~valuelearn.inference.invariance_report` returns, and what theory predicts.

Skalse et al.'s table of invariances per data source, the rows of a report with the theoretical
verdict for each, and the report itself, printable (``str``) or JSON-ready (``to_dict``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import BoltzmannRational, HumanModel, SoftOptimal


@dataclass(frozen=True)
class TheoryRow:
    """One row of Skalse et al.'s table: a data source determines R up to these transformations.

    Examples
    --------
    >>> SKALSE_TABLE[2].determined_up_to
    "potential shaping + S'-redistribution"
    """

    data_source: str
    determined_up_to: str
    theorem: str


#: Skalse, Farrugia-Roberts, Russell, Abate & Gleave (2023), ICML, Table 1 (the rows with a
#: theorem; see ``reference/algorithms.md`` section 3.8).
SKALSE_TABLE: tuple[TheoryRow, ...] = (
    TheoryRow("Q-function", "S'-redistribution", "Thm 3.1"),
    TheoryRow("optimal policy", "optimality-preserving transformations", "Thm 3.2"),
    TheoryRow(
        "Boltzmann-rational or MCE policy", "potential shaping + S'-redistribution", "Thm 3.3"
    ),
    TheoryRow("trajectory returns", "zero-initial potential shaping + mask", "Thm 3.7"),
    TheoryRow(
        "preferences over trajectory lotteries",
        "k-initial potential shaping + positive scaling + mask",
        "Thm 3.12",
    ),
)


#: The rows of every report, in order.
ROW_NAMES = (
    "potential shaping",
    "potential shaping, terminal potential paid",
    "S'-redistribution",
    "scaling R",
    "scaling R with the rationality",
    "random perturbation (control)",
)


@dataclass(frozen=True)
class InvarianceRow:
    """One transformation: what theory says and what was measured.

    Attributes
    ----------
    transformation : str
    theory : str
        ``"invisible"``, ``"visible"``, ``"not covered"`` (no theorem for this human model) or
        ``"not applicable"`` (the transformation does not exist for this model or horizon).
    reason : str
        Why theory says so (theorem number or argument).
    max_policy_change : float or None
        ``max |log pi' - log pi|`` over all paths, grid points, times, states and actions.
    max_ll_change : float or None
        Largest ``|LL' - LL|`` of the demonstrations (None without demonstrations).
    ll_range : float or None
        Largest ``max - min`` of the log-likelihood along one path: the flatness check.
    invisible : bool or None
        ``max_policy_change <= tol``.
    """

    transformation: str
    theory: str
    reason: str
    max_policy_change: float | None
    max_ll_change: float | None
    ll_range: float | None
    invisible: bool | None

    @property
    def agrees(self) -> bool | None:
        """Whether measurement matches theory (None when theory says nothing or n/a)."""
        if self.invisible is None or self.theory not in ("visible", "invisible"):
            return None
        return self.invisible == (self.theory == "invisible")

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict (infinite numbers as the string ``"inf"``)."""
        return {
            "transformation": self.transformation,
            "theory": self.theory,
            "reason": self.reason,
            "max_policy_change": _json_number(self.max_policy_change),
            "max_ll_change": _json_number(self.max_ll_change),
            "ll_range": _json_number(self.ll_range),
            "invisible": self.invisible,
            "agrees": self.agrees,
        }


@dataclass(frozen=True)
class InvarianceReport:
    """Result of :func:`~valuelearn.inference.invariance_report`.

    Attributes
    ----------
    human : str
        The human model's name.
    data_source : str
        What is observed (e.g. ``"MCE policy"``).
    theory : TheoryRow or None
        Skalse et al.'s row for this data source (None: no theorem covers this model).
    horizon : int or None
    discount : float
    tol : float
        Largest ``max |dlog pi|`` called invisible.
    grid : tuple of float
        Values of ``t`` along each path.
    n_directions : int
    n_demonstration_steps : int or None
        Actions in the demonstrations (None when none were given).
    rows : tuple of InvarianceRow
    notes : tuple of str
        What was measured under which horizon.

    Examples
    --------
    >>> row = InvarianceRow("scaling R", "visible", "Thm 3.3", 0.4, None, None, False)
    >>> report = InvarianceReport("h", "policy", None, None, 0.9, 1e-6, (0.0,), 1, None, (row,), ())
    >>> report.row("scaling R").agrees, report.to_dict()["rows"][0]["invisible"]
    (True, False)
    """

    human: str
    data_source: str
    theory: TheoryRow | None
    horizon: int | None
    discount: float
    tol: float
    grid: tuple[float, ...]
    n_directions: int
    n_demonstration_steps: int | None
    rows: tuple[InvarianceRow, ...]
    notes: tuple[str, ...]

    @property
    def invisible(self) -> tuple[str, ...]:
        """Names of the transformations the likelihood cannot see."""
        return tuple(row.transformation for row in self.rows if row.invisible)

    @property
    def disagreements(self) -> tuple[str, ...]:
        """Names of the transformations where measurement contradicts theory."""
        return tuple(row.transformation for row in self.rows if row.agrees is False)

    def row(self, transformation: str) -> InvarianceRow:
        """The row named ``transformation``.

        Raises
        ------
        ValueLearnInputError
            If there is no such row.
        """
        for row in self.rows:
            if row.transformation == transformation:
                return row
        names = ", ".join(repr(row.transformation) for row in self.rows)
        raise ValueLearnInputError(
            f"The 'transformation' parameter of InvarianceReport.row must be one of {names}; got "
            f"{transformation!r} instead."
        )

    def to_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict of the whole report."""
        theory = None
        if self.theory is not None:
            theory = {
                "data_source": self.theory.data_source,
                "determined_up_to": self.theory.determined_up_to,
                "theorem": self.theory.theorem,
            }
        return {
            "human": self.human,
            "data_source": self.data_source,
            "theory": theory,
            "horizon": self.horizon,
            "discount": self.discount,
            "tol": self.tol,
            "grid": list(self.grid),
            "n_directions": self.n_directions,
            "n_demonstration_steps": self.n_demonstration_steps,
            "rows": [row.to_dict() for row in self.rows],
            "invisible": list(self.invisible),
            "disagreements": list(self.disagreements),
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        horizon = "None (discounted, infinite)" if self.horizon is None else str(self.horizon)
        lines = [
            f"Invariance report: {self.human} ({self.data_source}), horizon={horizon}, "
            f"discount={self.discount:g}",
            "Theory: "
            + (
                "no theorem of Skalse et al. (2023) covers this human model"
                if self.theory is None
                else f"a {self.theory.data_source} determines R up to "
                f"{self.theory.determined_up_to} (Skalse et al. 2023, {self.theory.theorem})"
            ),
            f"Measured along {self.n_directions} random path(s) per row, t in "
            f"[{min(self.grid):g}, {max(self.grid):g}] ({len(self.grid)} points); invisible when "
            f"max |dlog pi| <= {self.tol:g}",
            "",
            f"{'transformation':<44}{'theory says':<16}{'max|dlog pi|':>13}{'max|dLL|':>11}"
            f"{'LL range':>11}  invisible?",
        ]
        for row in self.rows:
            flag = "n/a" if row.invisible is None else ("yes" if row.invisible else "no")
            if row.agrees is False:
                flag += "  <- disagrees with theory"
            lines.append(
                f"{row.transformation:<44}{row.theory:<16}{_cell(row.max_policy_change):>13}"
                f"{_cell(row.max_ll_change):>11}{_cell(row.ll_range):>11}  {flag}"
            )
        lines += ["", *(f"Note: {note}" for note in self.notes)]
        return "\n".join(lines)


def _cell(value: float | None) -> str:
    return "-" if value is None else f"{value:.2g}"


def _json_number(value: float | None) -> float | str | None:
    if value is None or math.isfinite(value):
        return value
    return "inf" if value > 0 else "-inf"


# ---------------------------------------------------------------------- theory
def data_source_of(human: HumanModel) -> str:
    """What observing ``human`` gives, in the words of Skalse et al.'s table."""
    if isinstance(human, SoftOptimal):
        return "MCE policy"
    if isinstance(human, BoltzmannRational):
        return "Boltzmann-rational policy"
    return f"{type(human).__name__} policy"


def theory_row_of(human: HumanModel) -> TheoryRow | None:
    """Skalse et al.'s row for ``human``'s policy (None: no theorem covers the model)."""
    if isinstance(human, SoftOptimal | BoltzmannRational):
        return next(row for row in SKALSE_TABLE if row.theorem == "Thm 3.3")
    return None


def row_theory(
    name: str, theory: TheoryRow | None, horizon: int | None, discount: float
) -> tuple[str, str]:
    """(what theory predicts, why) for one row."""
    if name == ROW_NAMES[1] and horizon is None:
        return "not applicable", "horizon=None has no terminal step"
    if name == ROW_NAMES[1] and theory is None:
        return "not applicable", "no planner with terminal values is known for this model"
    if name == ROW_NAMES[4] and theory is None:
        return "not applicable", "no rationality parameter is known for this model"
    if name == ROW_NAMES[5]:
        return "visible", "a generic direction changes the expected reward"
    if theory is None:
        return "not covered", "Skalse et al. treat Boltzmann, MCE and optimal policies only"
    if name == ROW_NAMES[0] and horizon is not None and discount > 0:
        return "visible", "finite horizon: discount**(H-t) Phi(s_H) is left unpaid"
    if name == ROW_NAMES[3]:
        return "visible", f"not potential shaping + S'-redistribution ({theory.theorem})"
    if name == ROW_NAMES[4]:
        return "invisible", "the policy depends on R and beta only through beta * R"
    return "invisible", f"{theory.determined_up_to} ({theory.theorem})"


def measurement_notes(horizon: int | None) -> tuple[str, ...]:
    """What a report measured under ``horizon``."""
    if horizon is None:
        return (
            "horizon=None: discounted infinite horizon, where potential shaping is exactly "
            "invisible; the terminal-potential row does not apply.",
        )
    return (
        f"finite horizon H={horizon}: shaping leaves discount**(H-t) Phi(s_H) unpaid, so the "
        "policy sees it (unless discount=0); the 'terminal potential paid' row plans the "
        "shaped reward with terminal_values=-Phi (SoftOptimal and BoltzmannRational only; the "
        "HumanModel interface takes no terminal values).",
    )
