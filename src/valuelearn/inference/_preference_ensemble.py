"""Bootstrap ensembles of preference models (Christiano et al. 2017, section 2.2.3).

Each member refits a :class:`PreferenceMAP` (or any estimator with its ``fit`` signature) on
judgments resampled with replacement; the spread of the members' utilities is a cheap measure of
uncertainty, and their disagreement about a pair picks informative questions.
"""

from __future__ import annotations

import copy
from typing import TypeVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.inference._preference_problem import judged_items
from valuelearn.inference._preferences import PreferenceMAP

Array = NDArray[np.float64]


class BootstrapEnsemble:
    """An ensemble of preference models, each fitted to a bootstrap resample of the judgments.

    Parameters
    ----------
    estimator : PreferenceMAP, optional
        The (unfitted) model every member copies; ``PreferenceMAP()`` by default.
    n_members : int
    random_state : Generator, int or None
        Seeds the resampling.

    Attributes
    ----------
    members_ : list of PreferenceMAP
    items_ : Items
        The items shared by every member (all ids the judgments mention, unless given).
    member_utilities_ : array, shape (n_members, n_items)
    utilities_ : array, shape (n_items,)
        Mean over the members.
    utility_std_ : array, shape (n_items,)
        Standard deviation over the members.

    References
    ----------
    Christiano et al. (2017), "Deep reinforcement learning from human preferences", NeurIPS,
    section 2.2.3 (ensemble of predictors on bootstrap samples; queries by their disagreement);
    Efron (1979), "Bootstrap methods", Annals of Statistics 7.

    Examples
    --------
    >>> c = Comparisons(["x", "x", "y", "y"], ["y", "z", "z", "x"], ["a", "a", "a", "b"])
    >>> ensemble = BootstrapEnsemble(n_members=5, random_state=0).fit(c)
    >>> ensemble.member_utilities_.shape, bool(ensemble.utilities_[0] > ensemble.utilities_[2])
    ((5, 3), True)
    """

    def __init__(
        self,
        estimator: PreferenceMAP | None = None,
        *,
        n_members: int = 10,
        random_state: RandomLike = None,
    ) -> None:
        self.estimator = estimator
        self.n_members = n_members
        self.random_state = random_state

    def fit(
        self,
        comparisons: Comparisons | None = None,
        *,
        rankings: Rankings | None = None,
        ratings: Ratings | None = None,
        items: Items | None = None,
    ) -> BootstrapEnsemble:
        """Fit ``n_members`` copies of ``estimator`` to resampled judgments; return ``self``."""
        if not (isinstance(self.n_members, int) and self.n_members >= 1):
            raise ValueLearnInputError(
                "The 'n_members' parameter of BootstrapEnsemble must be an int >= 1; got "
                f"{self.n_members!r} instead."
            )
        template = self.estimator if self.estimator is not None else PreferenceMAP()
        # fix the items so that every member's utilities line up
        shared = items if items is not None else judged_items(comparisons, rankings, ratings)
        rng = as_generator(self.random_state)
        members = []
        for _ in range(self.n_members):
            member = copy.deepcopy(template)
            members.append(
                member.fit(
                    _resample(comparisons, rng),
                    rankings=_resample(rankings, rng),
                    ratings=_resample(ratings, rng),
                    items=shared,
                )
            )
        self.members_ = members
        self.items_ = shared
        self.member_utilities_ = np.array([m.utilities_ for m in members])
        self.utilities_ = self.member_utilities_.mean(axis=0)
        self.utility_std_ = self.member_utilities_.std(axis=0)
        return self

    def predict_proba(self, pairs: ArrayLike) -> Array:
        """Members' mean probabilities of "a", "b", "equal", shape (n_pairs, 3)."""
        if not hasattr(self, "members_"):
            raise NotFittedError(
                "This BootstrapEnsemble instance is not fitted yet; call fit() first."
            )
        return np.asarray(np.mean([m.predict_proba(pairs) for m in self.members_], axis=0))


Judgments = TypeVar("Judgments", Comparisons, Rankings, Ratings)


def _resample(judgments: Judgments | None, rng: np.random.Generator) -> Judgments | None:
    if judgments is None or not len(judgments):
        return judgments
    return judgments.select(rng.integers(len(judgments), size=len(judgments)))
