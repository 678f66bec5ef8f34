"""``valuelearn plan-constrained``: plan for a reward within explicit rules.

Registered on the app by :mod:`valuelearn.cli`, with its conventions: bad input ends the command
with one ``error:`` line and exit code 2; the plan is written atomically to an ``.npz`` file
(the fields of ``valuelearn plan`` plus the rules' outcome) and a summary goes to stderr, or to
stdout as one JSON object with ``--json``.

Rules file (JSON), every field optional except ``format``::

    {"format": "valuelearn.rules/1",
     "forbidden_states": [3, "r1c2:L"],            # indices or state names
     "forbidden_features": ["lava"],               # states where this feature is non-zero
     "forbidden_actions": [[0, 2], ["r0c1:.", "right"]],   # (state, action), indices or names
     "costs": [{"name": "grass", "feature": "grass", "limit": 2.0},
               {"name": "noise", "values": [...], "limit": 0.5}]}  # S or S x A values

Hard rules forbid; a cost rule bounds the expected discounted cost ``J_c(pi) <= limit``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray

from valuelearn._cli_common import (
    DiscountOption,
    HorizonOption,
    InfiniteOption,
    MDPOption,
    check_output,
    default_discount,
    horizon_or_infinite,
    stderr,
)
from valuelearn._files import atomic_write, read_json_document
from valuelearn.data import MDP, load_mdp
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy import occupancy
from valuelearn.policy._constraints import allowed_actions, constrained_plan, plan_with_rules
from valuelearn.representation import load_reward

RULES_FORMAT = "valuelearn.rules/1"
PLAN_FORMAT = "valuelearn.plan/1"
_FIELDS = ("format", "forbidden_states", "forbidden_features", "forbidden_actions", "costs")


@dataclass(frozen=True, eq=False)
class Rules:
    """Hard and cost rules read from a ``valuelearn.rules/1`` file, resolved against an MDP."""

    forbidden_states: NDArray[np.bool_]
    forbidden_actions: NDArray[np.bool_]
    costs: NDArray[np.float64]  # (n_costs, n_states, n_actions)
    limits: NDArray[np.float64]
    names: tuple[str, ...]


def read_rules(path: Path, mdp: MDP) -> Rules:
    """Read and validate a rules file for ``mdp``; errors name the file and the field."""
    document = read_json_document(path, "a valuelearn.rules/1 JSON object")
    if not isinstance(document, dict):
        raise ValueLearnInputError(f"{path}: expected a JSON object; got {_kind(document)}.")
    if document.get("format") != RULES_FORMAT:
        raise ValueLearnInputError(
            f"{path}: field 'format' must be {RULES_FORMAT!r}; got {document.get('format')!r}."
        )
    unknown = sorted(set(document) - set(_FIELDS))
    if unknown:
        raise ValueLearnInputError(
            f"{path}: unknown field {unknown[0]!r}; the fields are {', '.join(_FIELDS)}."
        )
    states = np.zeros(mdp.n_states, dtype=bool)
    for i, item in enumerate(_list(document, "forbidden_states", path)):
        states[_state(item, mdp, f"{path}: field 'forbidden_states'[{i}]")] = True
    for i, name in enumerate(_list(document, "forbidden_features", path)):
        states |= _feature(name, mdp, f"{path}: field 'forbidden_features'[{i}]") != 0
    actions = np.zeros((mdp.n_states, mdp.n_actions), dtype=bool)
    for i, pair in enumerate(_list(document, "forbidden_actions", path)):
        where = f"{path}: field 'forbidden_actions'[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueLearnInputError(f"{where}: must be a [state, action] pair; got {pair!r}.")
        actions[_state(pair[0], mdp, where), _action(pair[1], mdp, where)] = True
    costs, limits, names = [], [], []
    for i, entry in enumerate(_list(document, "costs", path)):
        cost, limit, name = _cost(entry, mdp, f"{path}: field 'costs'[{i}]", i)
        costs.append(cost)
        limits.append(limit)
        names.append(name)
    return Rules(
        states,
        actions,
        np.array(costs).reshape(len(costs), mdp.n_states, mdp.n_actions),
        np.array(limits, dtype=np.float64),
        tuple(names),
    )


def plan_constrained(
    mdp: MDPOption,
    reward: Annotated[Path, typer.Option(help="Reward file (.json).")],
    rules: Annotated[Path, typer.Option(help="Rules file (valuelearn.rules/1 JSON).")],
    out: Annotated[Path, typer.Option(help="Plan to write (.npz).")],
    method: Annotated[
        str,
        typer.Option(
            help="Cost rules: 'lp' (occupancy linear program) or 'lagrangian' (Lagrangian "
            "relaxation with value iteration)."
        ),
    ] = "lp",
    horizon: HorizonOption = None,
    infinite: InfiniteOption = False,
    discount: DiscountOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON summary on stdout.")
    ] = False,
) -> None:
    """Plan for a reward within explicit rules: forbidden states and actions, and cost limits.

    Hard rules alone work with a finite or infinite horizon; cost limits need the discounted
    infinite horizon (--infinite and a discount below 1) and may randomise the policy.
    """
    check_output(out, ".npz")
    if method not in ("lp", "lagrangian"):
        raise ValueLearnInputError(f"--method must be 'lp' or 'lagrangian'; got {method!r}.")
    world = load_mdp(mdp)
    values = load_reward(reward, world).values
    ruleset = read_rules(rules, world)
    gamma = default_discount(discount, world)
    steps = horizon_or_infinite(horizon, infinite, world, mdp, gamma)
    if ruleset.names and steps is not None:
        raise ValueLearnInputError(
            f"{rules}: cost rules need the discounted infinite horizon; pass --infinite (with a "
            "discount below 1)."
        )
    allowed = allowed_actions(
        world,
        forbidden_states=ruleset.forbidden_states,
        forbidden_actions=ruleset.forbidden_actions,
    )
    arrays: dict[str, Any] = {"format": np.array(PLAN_FORMAT), "discount": np.array(gamma)}
    summary: dict[str, Any] = {"method": "hard rules" if not ruleset.names else method}
    if ruleset.names:
        plan = constrained_plan(
            world, values, ruleset.costs, ruleset.limits, discount=gamma,
            method="lp" if method == "lp" else "lagrangian", allowed=allowed,
        )  # fmt: skip
        arrays.update(
            policy=plan.policy,
            occupancy=plan.occupancy.sum(axis=1),
            costs=plan.costs,
            limits=plan.limits,
            multipliers=plan.multipliers,
            cost_names=np.array(ruleset.names),
        )
        summary["value"] = plan.value
        summary["costs"] = {
            name: {"cost": float(c), "limit": float(lim), "multiplier": float(m)}
            for name, c, lim, m in zip(
                ruleset.names, plan.costs, plan.limits, plan.multipliers, strict=True
            )
        }
    else:
        result = plan_with_rules(world, values, allowed=allowed, horizon=steps, discount=gamma)
        visits = occupancy(world, result.policy, horizon=steps, discount=gamma)
        first = result.values[0] if result.values.ndim == 2 else result.values
        arrays.update(policy=result.policy, values=result.values, occupancy=visits.total)
        if steps is not None:
            arrays["horizon"] = np.array(steps)
        summary["value"] = float(world.initial @ np.where(world.initial > 0, first, 0.0))
    arrays["allowed"] = allowed
    summary["forbidden_states"] = int(ruleset.forbidden_states.sum())
    summary["states_without_allowed_action"] = int((~allowed.any(axis=1)).sum())

    def write(stream: IO[bytes]) -> None:
        contiguous = {name: np.asarray(array, order="C") for name, array in arrays.items()}
        np.savez(stream, **contiguous)  # type: ignore[arg-type]

    atomic_write(out, write)
    if as_json:
        typer.echo(json.dumps({"out": str(out), **summary}))
        return
    stderr.print(
        f"wrote the plan to {out}; value of the initial distribution {summary['value']:.6g}"
    )
    for name, entry in summary.get("costs", {}).items():
        stderr.print(
            f"cost {name!r}: {entry['cost']:.6g} <= limit {entry['limit']:.6g} "
            f"(multiplier {entry['multiplier']:.4g})"
        )


# ---------------------------------------------------------------------- field readers
def _list(document: dict[str, Any], field: str, path: Path) -> list[Any]:
    value = document.get(field, [])
    if not isinstance(value, list):
        raise ValueLearnInputError(f"{path}: field {field!r} must be a list; got {_kind(value)}.")
    return value


def _state(item: object, mdp: MDP, where: str) -> int:
    names = mdp.state_names or ()
    if isinstance(item, str):
        if item not in names:
            raise ValueLearnInputError(f"{where}: no state named {item!r} in the MDP.")
        return names.index(item)
    if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < mdp.n_states:
        raise ValueLearnInputError(
            f"{where}: must be a state index in [0, {mdp.n_states}) or a state name; got {item!r}."
        )
    return item


def _action(item: object, mdp: MDP, where: str) -> int:
    names = mdp.action_names or ()
    if isinstance(item, str):
        if item not in names:
            raise ValueLearnInputError(f"{where}: no action named {item!r} in the MDP.")
        return names.index(item)
    if isinstance(item, bool) or not isinstance(item, int) or not 0 <= item < mdp.n_actions:
        raise ValueLearnInputError(
            f"{where}: must be an action index in [0, {mdp.n_actions}) or an action name; got "
            f"{item!r}."
        )
    return item


def _feature(name: object, mdp: MDP, where: str) -> NDArray[np.float64]:
    names = mdp.feature_names or ()
    if not isinstance(name, str) or name not in names or mdp.features is None:
        known = ", ".join(names) or "none"
        raise ValueLearnInputError(
            f"{where}: {name!r} is not a feature of the MDP (its features: {known})."
        )
    column: NDArray[np.float64] = mdp.features[:, names.index(name)]
    return column


def _cost(
    entry: object, mdp: MDP, where: str, index: int
) -> tuple[NDArray[np.float64], float, str]:
    if not isinstance(entry, dict):
        raise ValueLearnInputError(f"{where}: must be an object; got {_kind(entry)}.")
    unknown = sorted(set(entry) - {"name", "feature", "values", "limit"})
    if unknown:
        raise ValueLearnInputError(
            f"{where}: unknown field {unknown[0]!r}; a cost has name, feature or values, limit."
        )
    limit = entry.get("limit")
    if isinstance(limit, bool) or not isinstance(limit, int | float) or not np.isfinite(limit):
        raise ValueLearnInputError(f"{where}.'limit': must be a finite number; got {limit!r}.")
    if ("feature" in entry) == ("values" in entry):
        raise ValueLearnInputError(f"{where}: give exactly one of 'feature' and 'values'.")
    if "feature" in entry:
        per_state = _feature(entry["feature"], mdp, f"{where}.'feature'")
        cost = np.broadcast_to(per_state[:, None], (mdp.n_states, mdp.n_actions))
    else:
        try:
            array = np.asarray(entry["values"], dtype=np.float64)
        except (TypeError, ValueError):
            raise ValueLearnInputError(f"{where}.'values': must be numbers.") from None
        if array.shape == (mdp.n_states,):
            array = np.broadcast_to(array[:, None], (mdp.n_states, mdp.n_actions))
        if array.shape != (mdp.n_states, mdp.n_actions) or not np.all(np.isfinite(array)):
            raise ValueLearnInputError(
                f"{where}.'values': must be {mdp.n_states} finite numbers (one per state) or "
                f"{mdp.n_states} x {mdp.n_actions}; got shape {array.shape}."
            )
        cost = array
    name = entry.get("name", entry.get("feature", f"cost {index}"))
    return np.array(cost, dtype=np.float64), float(limit), str(name)


def _kind(value: object) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return "a string" if isinstance(value, str) else repr(value)
