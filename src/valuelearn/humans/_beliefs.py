"""False beliefs: a person who plans in a subjective world and acts in the true one.

The subjective world has the same states and actions but different transitions: the person may not
know that a shortcut exists (:func:`without_transition`, :func:`with_transitions`) or may be over-
or under-confident that their actions do what they intend (:func:`calibrated`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike, NDArray

from valuelearn.data import MDP
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans._base import HumanModel
from valuelearn.humans._rational import check_name, check_positive
from valuelearn.policy import soft_value_iteration


def calibrated(mdp: MDP, calibration: float) -> MDP:
    """The world as seen by a person over- or under-confident about slips.

    In every ``(state, action)`` row the most likely next state ``m`` (the first one, by state
    index, among ties) has its odds multiplied by ``calibration``::

        P'(m | s, a)  = c * P(m | s, a) / Z
        P'(s' | s, a) =     P(s' | s, a) / Z     for s' != m,
        Z = c * P(m | s, a) + 1 - P(m | s, a),

    i.e. every non-modal outcome is scaled down by the same factor. ``c > 1`` is overconfident
    (slips look rarer than they are), ``c < 1`` underconfident, ``c = 1`` calibrated.
    Deterministic rows are unchanged.

    Parameters
    ----------
    mdp : MDP
        The true world.
    calibration : float > 0
        The factor ``c``.

    Returns
    -------
    MDP
        Same states, actions, features and names; transitions as above.

    References
    ----------
    Shah, Gundotra, Abbeel & Dragan (2019), "On the feasibility of learning, rather than assuming,
    human biases for reward inference", ICML; the ``UncalibratedAgent`` of
    HumanCompatibleAI/learning_biases (``agents.py``), with factors 5 (overconfident) and 0.5.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((3, 1, 3)); T[0, 0] = [0.0, 0.8, 0.2]; T[1:, 0, 0] = 1.0
    >>> world = MDP.from_dense(T)
    >>> calibrated(world, 4.0).dense_transitions()[0, 0].round(6).tolist()  # odds 4:1 -> 16:1
    [0.0, 0.941176, 0.058824]
    """
    factor = check_positive(calibration, "calibration", "calibrated")
    matrix = mdp.transitions.copy()
    starts, counts = matrix.indptr[:-1], np.diff(matrix.indptr)
    data = matrix.data
    row_of_entry = np.repeat(np.arange(matrix.shape[0]), counts)
    # First entry attaining the row maximum: sort by (row, -probability, column) and take the head.
    order = np.lexsort((matrix.indices, -data, row_of_entry))
    modal = order[starts]
    modal_prob = data[modal]
    normaliser = factor * modal_prob + 1.0 - modal_prob
    scaled = data / np.repeat(normaliser, counts)
    scaled[modal] = factor * modal_prob / normaliser
    matrix.data = scaled
    return mdp.with_defaults(transitions=matrix)


def with_transitions(mdp: MDP, changes: Mapping[tuple[int, int], Mapping[int, float]]) -> MDP:
    """A copy of ``mdp`` with some ``(state, action)`` rows replaced.

    Use it to express beliefs that differ from the truth in a few places: a person who does not
    know that a door is open believes that walking into it leaves them where they are
    (``{(door_side, right): {door_side: 1.0}}``).

    Parameters
    ----------
    mdp : MDP
    changes : mapping from (state, action) to a mapping next_state -> probability
        Each new row must sum to 1.

    Returns
    -------
    MDP
        Validated like any MDP (a row that does not sum to 1 raises).

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 1, 2)); T[:, 0, 1] = 1.0
    >>> world = MDP.from_dense(T)
    >>> with_transitions(world, {(0, 0): {0: 1.0}}).dense_transitions()[0, 0].tolist()
    [1.0, 0.0]
    """
    dense_rows: dict[int, NDArray[np.float64]] = {}
    for key, row in changes.items():
        if not (isinstance(key, tuple) and len(key) == 2):
            raise ValueLearnInputError(
                f"`changes` keys must be (state, action) pairs; got {key!r} instead."
            )
        state, action = (
            _index(key[0], mdp.n_states, "state"),
            _index(key[1], mdp.n_actions, "action"),
        )
        values = np.zeros(mdp.n_states)
        for next_state, probability in row.items():
            values[_index(next_state, mdp.n_states, "next_state")] += float(probability)
        dense_rows[state * mdp.n_actions + action] = values
    matrix = mdp.transitions.tolil()
    for row_index, values in dense_rows.items():
        matrix[row_index, :] = values
    return mdp.with_defaults(transitions=sp.csr_array(matrix.tocsr()))


def without_transition(mdp: MDP, state: int, action: int, next_state: int) -> MDP:
    """The world of someone unaware that ``action`` in ``state`` can lead to ``next_state``.

    The outcome is removed and the rest of the row renormalised; if it was the only outcome, the
    person believes the action leaves them where they are (a self-loop, like bumping into a wall).
    This is the "unknown shortcut" of the benchmark.

    Parameters
    ----------
    mdp : MDP
    state, action, next_state : int

    Returns
    -------
    MDP

    Raises
    ------
    ValueLearnInputError
        If an index is out of range or the transition has probability 0 already.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((3, 1, 3)); T[0, 0] = [0.0, 0.5, 0.5]; T[1:, 0, 0] = 1.0
    >>> world = MDP.from_dense(T)
    >>> without_transition(world, 0, 0, 2).dense_transitions()[0, 0].tolist()
    [0.0, 1.0, 0.0]
    """
    state = _index(state, mdp.n_states, "state")
    action = _index(action, mdp.n_actions, "action")
    next_state = _index(next_state, mdp.n_states, "next_state")
    successors, probabilities = mdp.successors(state, action)
    row = dict(zip(successors.tolist(), probabilities.tolist(), strict=True))
    removed = row.pop(next_state, 0.0)
    if removed <= 0.0:
        raise ValueLearnInputError(
            f"`next_state` {next_state} is not reachable by action {action} in state {state}; "
            "there is no transition to remove."
        )
    remaining = 1.0 - removed
    new_row = {s: p / remaining for s, p in row.items()} if remaining > 1e-12 else {state: 1.0}
    return with_transitions(mdp, {(state, action): new_row})


def _index(value: object, size: int, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer) or not 0 <= value < size:
        raise ValueLearnInputError(
            f"`{name}` must be an integer in [0, {size}); got {value!r} instead."
        )
    return int(value)


@dataclass(frozen=True)
class FalseBeliefs(HumanModel):
    """A soft-optimal person who plans in ``subjective`` but acts in the true world.

    The policy is ``soft_value_iteration(subjective, reward, ...)``; simulation follows it in the
    true ``mdp`` passed to :meth:`simulate`, and the likelihood scores the observed actions under
    it. With ``subjective`` equal to the true world this is :class:`SoftOptimal`.

    Parameters
    ----------
    subjective : MDP
        The person's belief about the world: same number of states and actions as the true world.
    temperature : float > 0
    name : str

    References
    ----------
    Reddy, Dragan & Levine (2018), "Where do you think you're going? Inferring beliefs about
    dynamics from behavior", NeurIPS (soft-Q-rational under internal dynamics). Evans, Stuhlmüller
    & Goodman (2016), "Learning the preferences of ignorant, inconsistent agents", AAAI.

    Examples
    --------
    >>> import numpy as np
    >>> T = np.zeros((2, 2, 2)); T[:, 0, 0] = 1.0; T[:, 1, 1] = 1.0
    >>> world = MDP.from_dense(T)
    >>> believed = without_transition(world, 0, 1, 1)  # "action 1 does not get me to state 1"
    >>> pi = FalseBeliefs(believed).policy(world, [0.0, 1.0], horizon=3, discount=1.0)
    >>> pi[0, 0].round(3).tolist()  # no reason to prefer either action
    [0.5, 0.5]
    """

    subjective: MDP
    temperature: float = 1.0
    name: str = field(default="false-beliefs", kw_only=True)

    def __post_init__(self) -> None:
        if not isinstance(self.subjective, MDP):
            raise ValueLearnInputError(
                "The 'subjective' parameter of FalseBeliefs must be an MDP; got "
                f"{type(self.subjective).__name__} instead."
            )
        object.__setattr__(
            self, "temperature", check_positive(self.temperature, "temperature", "FalseBeliefs")
        )
        check_name(self.name, "FalseBeliefs")

    def policy(
        self, mdp: MDP, reward: ArrayLike, *, horizon: int | None, discount: float
    ) -> NDArray[np.float64]:
        """Soft-optimal policy of the subjective world, shape (horizon, n_states, n_actions)."""
        believed = self.subjective
        if (believed.n_states, believed.n_actions) != (mdp.n_states, mdp.n_actions):
            raise ValueLearnInputError(
                f"FalseBeliefs: the subjective MDP has {believed.n_states} states and "
                f"{believed.n_actions} actions but the true world has {mdp.n_states} and "
                f"{mdp.n_actions}; they must match."
            )
        return soft_value_iteration(
            believed,
            reward,
            horizon=horizon,
            discount=discount,
            temperature=self.temperature,
            return_q=False,
        ).policy
