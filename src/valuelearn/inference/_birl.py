"""Bayesian inverse reinforcement learning: a posterior over rewards and rationality.

:class:`BayesianIRL` samples ``p(theta, beta | demonstrations)`` for a state reward
``R = features @ theta`` (or one weight per state) in a discounted MDP, under a Boltzmann
(hard-Q) or soft-optimal (maximum causal entropy) model of the person, with PolicyWalk or
Hamiltonian Monte Carlo.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
from numpy.typing import NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations, action_counts
from valuelearn.exceptions import NotFittedError, ValueLearnInputError
from valuelearn.inference._birl_model import BIRLModel, Likelihood
from valuelearn.inference._birl_samplers import Target, policy_walk, soft_hmc
from valuelearn.inference._mce import check_fit_inputs
from valuelearn.inference._posterior import PredictiveCheck, RewardPosterior
from valuelearn.inference._priors import GaussianPrior, Prior, UniformPrior
from valuelearn.policy import value_iteration

Sampler = Literal["policy-walk", "hmc"]


class BayesianIRL:
    """Posterior over a person's reward (and rationality) from their demonstrations.

    The person is modelled as choosing ``a`` in ``s`` with probability ``exp(beta Q*(s, a)) / Z``
    (``likelihood="boltzmann"``, ``Q*`` the optimal action values; Ramachandran & Amir 2007) or as
    a soft-optimal planner with temperature ``1 / beta`` (``likelihood="soft"``). Every observed
    state-action pair counts once; the policy is stationary, so the MDP must be discounted.

    Parameters
    ----------
    reward : {"auto", "linear", "tabular"}
        ``"linear"`` infers weights on ``mdp.features``; ``"tabular"`` one reward per state;
        ``"auto"`` is linear when the MDP has features.
    likelihood : {"boltzmann", "soft"}
    sampler : {"policy-walk", "hmc"}
        PolicyWalk works with either likelihood; HMC needs the (differentiable) soft likelihood.
    prior : Prior
        On the weights; :class:`UniformPrior` (default ``[-1, 1]``), :class:`GaussianPrior` or
        :class:`LaplacePrior`, broadcast to every weight.
    beta : float > 0
        Rationality, held fixed unless ``beta_prior`` is given (then the chain's starting value).
    beta_prior : GaussianPrior, optional
        A prior on ``log beta`` (a log-normal prior on ``beta``); ``beta`` is then sampled.
        Without it the likelihood depends on ``beta * R`` only, so a fixed ``beta`` sets the
        reward's scale (see :func:`invariance_report`).
    n_samples, burn_in, thin : int
        Draws kept, draws discarded first (default ``max(1000, n_samples // 5, 50 *
        n_parameters)``), and the thinning interval.
    step : float, optional
        A fixed PolicyWalk grid step. By default each weight's step starts at 1/40 of the uniform
        prior's width (else 0.1 times the prior scale) and is tuned during burn-in towards an
        acceptance rate of 0.44, then held fixed. Ignored by HMC, which adapts its leapfrog step
        during burn-in.
    beta_step : float
        PolicyWalk step of ``log beta`` (the starting step when tuned).
    n_leapfrog : int
        Leapfrog steps per HMC trajectory.
    discount : float in [0, 1), optional
        Defaults to ``mdp.discount``.
    warm_start : bool
        ``False`` runs the straightforward PolicyWalk that re-plans from scratch at every move
        (the same chain, slower; for checks and benchmarks).
    random_state : Generator, int or None

    Attributes
    ----------
    posterior_ : RewardPosterior
    reward_ : array, shape (n_states,)
        Posterior-mean state reward.
    weights_ : array, shape (n_parameters,)
        Posterior-mean weights.
    beta_ : float
        Posterior-mean rationality.
    policy_ : array, shape (n_states, n_actions)
        Optimal policy for the posterior-mean reward (which maximises expected value for a
        linear reward; Ramachandran & Amir 2007, Thm 3).

    References
    ----------
    Ramachandran & Amir (2007), "Bayesian inverse reinforcement learning", IJCAI, eq. (2)-(3) and
    Fig. 3 (PolicyWalk). Neal (2011), "MCMC using Hamiltonian dynamics" (HMC).

    Examples
    --------
    >>> from valuelearn.data import feature_gridworld
    >>> from valuelearn.humans import BoltzmannRational
    >>> from valuelearn.policy import sample_trajectories
    >>> mdp = feature_gridworld(4, n_features=2, kind="gaussian", discount=0.9, rng=0)
    >>> truth = mdp.features @ np.array([1.0, -0.5])
    >>> person = BoltzmannRational(beta=5.0).policy(mdp, truth, horizon=None, discount=0.9)
    >>> demos = sample_trajectories(mdp, person, n=10, horizon=10, rng=1)
    >>> birl = BayesianIRL(beta=5.0, n_samples=2000, random_state=0).fit(mdp, demos)
    >>> low, high = birl.posterior_.credible_interval(0.9, of="weights")
    >>> bool(low[0] > 0 > high[1])  # a positive first weight, a negative second one
    True
    """

    def __init__(
        self,
        *,
        reward: Literal["auto", "linear", "tabular"] = "auto",
        likelihood: Likelihood = "boltzmann",
        sampler: Sampler = "policy-walk",
        prior: Prior | None = None,
        beta: float = 1.0,
        beta_prior: GaussianPrior | None = None,
        n_samples: int = 10_000,
        burn_in: int | None = None,
        thin: int = 1,
        step: float | None = None,
        beta_step: float = 0.1,
        n_leapfrog: int = 10,
        discount: float | None = None,
        warm_start: bool = True,
        random_state: RandomLike = None,
    ) -> None:
        self.reward = reward
        self.likelihood = likelihood
        self.sampler = sampler
        self.prior = prior
        self.beta = beta
        self.beta_prior = beta_prior
        self.n_samples = n_samples
        self.burn_in = burn_in
        self.thin = thin
        self.step = step
        self.beta_step = beta_step
        self.n_leapfrog = n_leapfrog
        self.discount = discount
        self.warm_start = warm_start
        self.random_state = random_state

    def fit(self, mdp: MDP, demonstrations: Demonstrations) -> BayesianIRL:
        """Sample the posterior given ``demonstrations`` in ``mdp``; return ``self``."""
        discount = self._discount(mdp, demonstrations)
        counts = action_counts(demonstrations, mdp.n_states, mdp.n_actions)
        return self.fit_counts(mdp, counts, discount=discount)

    def fit_counts(
        self,
        mdp: MDP,
        counts: NDArray[np.float64],
        *,
        discount: float,
        initial_weights: NDArray[np.float64] | None = None,
    ) -> BayesianIRL:
        """Sample the posterior from state-action counts ``c(s, a)`` (e.g. answers to questions).

        ``initial_weights`` (n_parameters,) starts the chain there (e.g. at an earlier posterior
        mean) instead of at zero, moved onto the PolicyWalk grid inside a uniform prior's box.
        """
        self._check_params()
        features = self._features(mdp)
        prior = (self.prior or UniformPrior()).broadcast(features.shape[1])
        target = Target(
            BIRLModel(mdp, counts, discount=discount),
            features,
            prior,
            self.likelihood,
            float(self.beta),
            None if self.beta_prior is None else self.beta_prior.broadcast(1),  # type: ignore[arg-type]
        )
        rng = as_generator(self.random_state)
        step = self.step if self.step is not None else _default_step(prior)
        start = _start(prior, features.shape[1], step, initial_weights)
        if self.beta_prior is not None:
            start = np.append(start, np.log(self.beta))
        burn_in = self.burn_in
        if burn_in is None:
            burn_in = max(1000, self.n_samples // 5, 50 * start.size)
        if self.sampler == "policy-walk":
            chain = policy_walk(
                target, start, step=step, beta_step=self.beta_step, n_samples=self.n_samples,
                burn_in=burn_in, thin=self.thin, rng=rng, warm_start=self.warm_start, mdp=mdp,
                adapt=self.step is None,
            )  # fmt: skip
        else:
            chain = soft_hmc(
                target, start, n_samples=self.n_samples, burn_in=burn_in,
                n_leapfrog=self.n_leapfrog, thin=self.thin, rng=rng,
            )  # fmt: skip
        weights = chain.samples[:, : features.shape[1]]
        betas = (
            np.exp(chain.samples[:, -1])
            if self.beta_prior is not None
            else np.full(self.n_samples, float(self.beta))
        )
        self.posterior_ = RewardPosterior(
            weights, betas, chain.log_likelihood, chain.log_prior, features, self.likelihood,
            discount, chain.acceptance_rate, chain.step_size, self.sampler,
        )  # fmt: skip
        self.weights_ = weights.mean(axis=0)
        self.reward_ = self.posterior_.mean_reward()
        self.beta_ = float(betas.mean())
        self.policy_ = np.asarray(
            value_iteration(mdp, self.reward_, horizon=None, discount=discount).policy
        )
        return self

    def predictive_check(
        self, mdp: MDP, held_out: Demonstrations, *, n_draws: int = 200, rng: RandomLike = None
    ) -> PredictiveCheck:
        """Posterior predictive check of held-out demonstrations (see :class:`PredictiveCheck`)."""
        if not hasattr(self, "posterior_"):
            raise NotFittedError("This BayesianIRL instance is not fitted yet; call fit() first.")
        return self.posterior_.predictive_check(mdp, held_out, n_draws=n_draws, rng=rng)

    # ------------------------------------------------------------------ validation
    def _discount(self, mdp: MDP, demonstrations: Demonstrations) -> float:
        discount = check_fit_inputs(
            "BayesianIRL", mdp, demonstrations, reward=self.reward, discount=self.discount
        )
        if discount >= 1.0:
            raise ValueLearnInputError(
                "The 'discount' parameter of BayesianIRL must be below 1 (the person's policy is "
                f"stationary); got {discount!r} instead. Pass discount=0.9, or set mdp.discount."
            )
        return discount

    def _features(self, mdp: MDP) -> NDArray[np.float64]:
        linear = self.reward == "linear" or (self.reward == "auto" and mdp.features is not None)
        if linear:
            if mdp.features is None:
                raise ValueLearnInputError("a linear reward needs an MDP with `features`.")
            return np.asarray(mdp.features, dtype=np.float64)
        return np.eye(mdp.n_states)

    def _check_params(self) -> None:
        owner = "BayesianIRL"
        choices = {
            "likelihood": (self.likelihood, ("boltzmann", "soft")),
            "sampler": (self.sampler, ("policy-walk", "hmc")),
        }
        for name, (value, allowed) in choices.items():
            if value not in allowed:
                raise ValueLearnInputError(
                    f"The '{name}' parameter of {owner} must be one of {list(allowed)}; got "
                    f"{value!r} instead."
                )
        if self.sampler == "hmc" and self.likelihood != "soft":
            raise ValueLearnInputError(
                "The 'sampler' parameter of BayesianIRL is 'hmc', which needs likelihood='soft' "
                "(the hard-Q likelihood is not differentiable where the optimal policy changes)."
            )
        for name in ("n_samples", "thin", "n_leapfrog"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueLearnInputError(
                    f"The '{name}' parameter of {owner} must be a positive integer; got "
                    f"{value!r} instead."
                )
        for name in ("beta", "beta_step") + (("step",) if self.step is not None else ()):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
                raise ValueLearnInputError(
                    f"The '{name}' parameter of {owner} must be a positive number; got "
                    f"{value!r} instead."
                )
        if self.prior is not None and not isinstance(self.prior, Prior):
            raise ValueLearnInputError(
                f"The 'prior' parameter of {owner} must be a Prior (UniformPrior, GaussianPrior, "
                f"LaplacePrior); got {type(self.prior).__name__} instead."
            )
        if self.beta_prior is not None and not isinstance(self.beta_prior, GaussianPrior):
            raise ValueLearnInputError(
                f"The 'beta_prior' parameter of {owner} must be a GaussianPrior on log beta; got "
                f"{type(self.beta_prior).__name__} instead."
            )


def _default_step(prior: Prior) -> float:
    if isinstance(prior, UniformPrior):
        return float(np.mean(np.asarray(prior.high) - np.asarray(prior.low))) / 40.0
    scale = getattr(prior, "scale", 1.0)
    return 0.1 * float(np.mean(scale))


def _start(
    prior: Prior, n_parameters: int, step: float, initial: NDArray[np.float64] | None = None
) -> NDArray[np.float64]:
    """``initial`` (default zero), moved onto the PolicyWalk grid ``low + step * k`` in a box."""
    point = np.zeros(n_parameters) if initial is None else np.asarray(initial, dtype=np.float64)
    if point.shape != (n_parameters,):
        raise ValueLearnInputError(
            f"The 'initial_weights' parameter of BayesianIRL.fit_counts must have shape "
            f"({n_parameters},); got {point.shape} instead."
        )
    if not isinstance(prior, UniformPrior):
        return point.copy()
    low, high = np.asarray(prior.low), np.asarray(prior.high)
    k = np.round((np.clip(point, low, high) - low) / step)
    k = np.minimum(k, np.floor((high - low) / step + 1e-9))
    return np.asarray(low + k * step, dtype=np.float64)
