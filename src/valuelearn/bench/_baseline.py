"""The baseline scenario: the demo world, where the learner's model of the human is right.

A soft-optimal person acts in the demo's 10x10 feature gridworld (see
:func:`~valuelearn.bench.run_demo`); both learners are MCE IRL assuming a soft-optimal human,
which is the truth here, so "naive" and "aware" score the same and both improve with data.
Every other scenario breaks this assumption.
"""

from __future__ import annotations

from valuelearn.bench._demo import run_demo
from valuelearn.bench._registry import Scenario, register
from valuelearn.exceptions import ValueLearnInputError

_CAUSAL = "MCE IRL (causal)"
_SIZE = 10
_HORIZON = 20
_SLIP = 0.1


def run_baseline(learner: str, n: int, seed: int) -> dict[str, float]:
    """Score one learner on ``n`` demonstrations of the demo world built with ``seed``.

    Returns EPIC distance, regret and normalised regret of the learned reward under the true one,
    the fit's mean log-likelihood and whether it converged (1.0 or 0.0).

    Examples
    --------
    >>> scores = run_baseline("naive", 100, 0)
    >>> scores["epic"] < 0.05 and scores["normalized_regret"] < 0.01
    True
    """
    if learner not in BASELINE.learners:
        raise ValueLearnInputError(
            f"The 'learner' parameter of the baseline scenario must be one of "
            f"{list(BASELINE.learners)}; got {learner!r} instead."
        )
    rows = run_demo(sizes=(n,), size=_SIZE, horizon=_HORIZON, slip=_SLIP, seed=seed)
    row = next(r for r in rows if r.learner == _CAUSAL)
    return {
        "epic": row.epic,
        "normalized_regret": row.normalized_regret,
        "regret": row.regret,
        "log_likelihood": row.log_likelihood,
        "converged": float(row.converged),
    }


BASELINE = register(
    Scenario(
        name="baseline",
        description=(
            "Soft-optimal person in a 10x10 feature gridworld; MCE IRL's model of the human is "
            "right, so naive and aware agree and both improve with data."
        ),
        run=run_baseline,
        learners=("naive", "aware"),
        sizes=(10, 100, 1000),
        seeds=(0, 1, 2),
        quick_sizes=(10, 100),
        quick_seeds=(0, 1),
        suites=("default", "quick"),
        config={"world": "demo", "size": _SIZE, "horizon": _HORIZON, "slip": _SLIP, "version": 1},
    )
)
