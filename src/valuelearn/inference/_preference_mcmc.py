"""Bayesian utilities from judgments by Hamiltonian Monte Carlo (the exact posterior, sampled)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import Comparisons, Items, Rankings, Ratings
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference._mcmc import effective_sample_size, hmc
from valuelearn.inference._preference_problem import UtilityKind
from valuelearn.inference._preferences import ComparisonModel, PreferenceMAP, maximise_posterior
from valuelearn.inference._priors import Prior

Array = NDArray[np.float64]


class PreferenceMCMC(PreferenceMAP):
    """Posterior over item utilities from comparisons, rankings and ratings, sampled by HMC.

    The model and the Gaussian prior are those of :class:`PreferenceMAP` (whose parameters this
    takes, plus the sampler's); ``weight_prior`` replaces the prior on the weights by any
    :class:`~valuelearn.inference.Prior` (a ``LaplacePrior`` for sparse feature weights). The chain
    starts at the MAP and runs Hamiltonian Monte Carlo on the exact log-posterior and its analytic
    gradient (:meth:`PreferenceProblem.log_density`), the step size tuned by dual averaging and a
    diagonal mass matrix learned during burn-in. Rating thresholds stay ordered: unordered ones lie
    outside the support. Unlike :class:`PreferenceLaplace` nothing is assumed Gaussian: skewed
    posteriors (few judgments, lopsided outcomes, the noisy-answer model) come out as they are.

    Parameters
    ----------
    n_samples, burn_in : int
        Draws kept after ``burn_in`` adaptation steps.
    n_leapfrog : int
        Leapfrog steps per HMC trajectory.
    thin : int
        Keep every ``thin``-th draw.
    weight_prior : Prior or None
        Prior on the weights instead of ``N(0, prior_scale**2)``.
    random_state : int, Generator or None
    (and the parameters of :class:`PreferenceMAP`; ``prior_scale=None`` needs a ``weight_prior``)

    Attributes
    ----------
    samples_ : array, shape (n_samples, n_parameters)
        Draws of ``(weights, thresholds)``.
    utility_samples_ : array, shape (n_samples, n_items)
    utilities_, utility_std_ : array, shape (n_items,)
        Posterior mean and standard deviation of each item's utility.
    weights_, thresholds_ : array
        Posterior means.
    map_utilities_ : array, shape (n_items,)
        The MAP the chain started from.
    ess_ : array, shape (n_parameters,)
        Effective sample size of each parameter (Geyer's initial monotone sequence).
    acceptance_rate_, step_size_ : float
    converged_ : bool
        Whether the MAP search the chain started from converged.
    ranking_ : tuple of str
        Item ids by posterior mean utility, highest first.
    (and ``problem_``, ``items_``, ``pairwise_model_``, ``log_likelihood_``, ``log_posterior_``
    at the posterior mean)

    References
    ----------
    Neal (2011), "MCMC using Hamiltonian dynamics", Handbook of MCMC, ch. 5; Hoffman & Gelman
    (2014), JMLR 15, Algorithm 5 (dual averaging); Chu & Ghahramani (2005), ICML (the preference
    likelihoods); Geyer (1992), Statistical Science 7(4) (effective sample size).

    Examples
    --------
    >>> c = Comparisons(["tea", "tea", "coffee"], ["coffee", "water", "water"], ["a", "a", "a"])
    >>> model = PreferenceMCMC(n_samples=300, burn_in=200, n_leapfrog=8, random_state=0).fit(c)
    >>> model.ranking_, model.samples_.shape
    (('tea', 'coffee', 'water'), (300, 3))
    >>> bool(model.probability_greater("tea", "water") > 0.5)
    True
    """

    def __init__(
        self,
        *,
        comparison_model: ComparisonModel = "bt",
        utility: UtilityKind = "auto",
        prior_scale: float | None = 1.0,
        noise: float = 0.0,
        width: float = 0.5,
        rating_sigma: float = 1.0,
        threshold_prior_scale: float = 10.0,
        gtol: float = 1e-7,
        max_iter: int = 2000,
        n_samples: int = 2000,
        burn_in: int = 1000,
        n_leapfrog: int = 16,
        thin: int = 1,
        weight_prior: Prior | None = None,
        random_state: RandomLike = None,
    ) -> None:
        super().__init__(
            comparison_model=comparison_model,
            utility=utility,
            prior_scale=prior_scale,
            noise=noise,
            width=width,
            rating_sigma=rating_sigma,
            threshold_prior_scale=threshold_prior_scale,
            gtol=gtol,
            max_iter=max_iter,
        )
        self.n_samples = n_samples
        self.burn_in = burn_in
        self.n_leapfrog = n_leapfrog
        self.thin = thin
        self.weight_prior = weight_prior
        self.random_state = random_state

    def fit(
        self,
        comparisons: Comparisons | None = None,
        *,
        rankings: Rankings | None = None,
        ratings: Ratings | None = None,
        items: Items | None = None,
    ) -> PreferenceMCMC:
        """Find the MAP, run the chain from it, and summarise the draws; return ``self``."""
        owner = type(self).__name__
        sizes = {"n_samples": self.n_samples, "n_leapfrog": self.n_leapfrog, "thin": self.thin}
        for name, value in (*sizes.items(), ("burn_in", self.burn_in)):
            smallest = 0 if name == "burn_in" else 1
            if not isinstance(value, int | np.integer) or value < smallest:
                raise ValueLearnInputError(
                    f"The '{name}' parameter of {owner} must be an integer >= {smallest}; got "
                    f"{value!r} instead."
                )
        if self.prior_scale is None and self.weight_prior is None:
            raise ValueLearnInputError(
                f"The 'prior_scale' parameter of {owner} must be a positive number when no "
                "weight_prior is given (sampling needs a proper prior); got None instead."
            )
        problem = self.build_problem(comparisons, rankings, ratings, items)
        start, converged, n_iter = maximise_posterior(
            problem, gtol=self.gtol, max_iter=self.max_iter, owner=owner
        )
        self.map_utilities_ = problem.utilities(start)
        prior = self.weight_prior

        def log_density(params: Array) -> tuple[float, float, Array]:
            return problem.log_density(params, prior)

        chain = hmc(
            log_density,
            start,
            n_samples=int(self.n_samples),
            burn_in=int(self.burn_in),
            n_leapfrog=int(self.n_leapfrog),
            rng=as_generator(self.random_state),
            thin=int(self.thin),
        )
        self.samples_ = chain.samples
        self._set_estimate(problem, chain.samples.mean(axis=0))
        k, design = problem.n_weights, problem.design
        weights = chain.samples[:, :k]
        self.utility_samples_ = np.asarray(
            weights if design is None else weights @ design.T, dtype=np.float64
        )
        self.utility_std_ = self.utility_samples_.std(axis=0)
        self.ess_ = effective_sample_size(chain.samples)
        self.acceptance_rate_ = chain.acceptance_rate
        self.step_size_ = chain.step_size
        self.converged_ = converged  # of the MAP search the chain started from
        self.n_iter_ = n_iter
        return self

    def predict_proba(self, pairs: ArrayLike) -> Array:
        """Posterior predictive probabilities of "a", "b", "equal", shape (n_pairs, 3).

        The mean over the draws of each draw's answer probabilities.
        """
        a, b = self.pair_indices(pairs)
        difference = self.utility_samples_[:, a] - self.utility_samples_[:, b]
        return np.asarray(self.pairwise_model_.probabilities(difference).mean(axis=0))

    def probability_greater(self, a: str | int, b: str | int) -> float:
        """Posterior probability that item ``a``'s utility exceeds item ``b``'s."""
        (i,), (j,) = self.pair_indices(np.array([[a, b]]))
        return float(np.mean(self.utility_samples_[:, i] > self.utility_samples_[:, j]))

    def credible_interval(self, level: float = 0.9) -> Array:
        """Equal-tailed credible interval of each item's utility, shape (n_items, 2)."""
        self._check_fitted()
        if not 0.0 < level < 1.0:
            raise ValueLearnInputError(
                f"The 'level' parameter of credible_interval must be in (0, 1); got {level!r} "
                "instead."
            )
        tails = [(1 - level) / 2, (1 + level) / 2]
        return np.asarray(np.quantile(self.utility_samples_, tails, axis=0).T)

    def sample_utilities(self, n_samples: int, rng: RandomLike = None) -> Array:
        """``n_samples`` draws of the utilities, resampled from the chain, (n_samples, n_items)."""
        self._check_fitted()
        rows = as_generator(rng).integers(0, self.utility_samples_.shape[0], n_samples)
        return self.utility_samples_[rows].copy()
