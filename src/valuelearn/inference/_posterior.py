"""What Bayesian IRL returns: posterior samples of reward weights and rationality, and summaries.

A :class:`RewardPosterior` holds the draws of a chain and answers the questions a user asks of
them: the posterior-mean and MAP reward, credible intervals per state or feature, effective
sample sizes, the behaviour each draw predicts, and how well held-out demonstrations are predicted.
It saves to and loads from ``.npz``.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray
from scipy.special import logsumexp

from valuelearn._random import RandomLike, as_generator
from valuelearn.data import MDP, Demonstrations, action_counts
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference._birl_model import BIRLModel, Likelihood
from valuelearn.inference._mcmc import effective_sample_size

FORMAT = "valuelearn.posterior/1"


@dataclass(frozen=True, eq=False)
class PredictiveCheck:
    """Posterior predictive check of held-out demonstrations.

    Attributes
    ----------
    log_predictive_density : float
        ``sum_{(s,a)} log mean_i pi_i(a | s)`` over held-out state-action pairs (the log pointwise
        predictive density; higher is better).
    mean_log_predictive : float
        The same per held-out pair.
    observed, replicated : array, shape (n_draws,)
        The discrepancy (log-likelihood under draw ``i``) of the held-out actions and of actions
        re-sampled from draw ``i`` at the same states.
    p_value : float
        ``P(replicated <= observed)``: values near 0 say the held-out behaviour is less likely
        than the model's own (a misfit); near 0.5 is a good fit.

    References
    ----------
    Gelman, Meng & Stern (1996), "Posterior predictive assessment of model fitness via realized
    discrepancies", Statistica Sinica 6, section 2.
    """

    log_predictive_density: float
    mean_log_predictive: float
    observed: NDArray[np.float64]
    replicated: NDArray[np.float64]
    p_value: float


@dataclass(frozen=True, eq=False)
class RewardPosterior:
    """Posterior draws of a state reward ``R = features @ weights`` and the rationality ``beta``.

    Attributes
    ----------
    weights : array, shape (n_samples, n_parameters)
    betas : array, shape (n_samples,)
    log_likelihood, log_prior : array, shape (n_samples,)
    features : array, shape (n_states, n_parameters)
        The identity for a tabular reward.
    likelihood : {"boltzmann", "soft"}
    discount : float
    acceptance_rate, step_size : float
    sampler : str
    """

    weights: NDArray[np.float64]
    betas: NDArray[np.float64]
    log_likelihood: NDArray[np.float64]
    log_prior: NDArray[np.float64]
    features: NDArray[np.float64]
    likelihood: Likelihood
    discount: float
    acceptance_rate: float
    step_size: float
    sampler: str

    # ------------------------------------------------------------------ summaries
    @property
    def n_samples(self) -> int:
        """Number of draws."""
        return int(self.weights.shape[0])

    @property
    def rewards(self) -> NDArray[np.float64]:
        """State rewards of every draw, shape (n_samples, n_states)."""
        return np.asarray(self.weights @ self.features.T, dtype=np.float64)

    def mean_reward(self) -> NDArray[np.float64]:
        """Posterior-mean state reward (optimal under squared loss), shape (n_states,)."""
        return np.asarray(self.features @ self.weights.mean(axis=0), dtype=np.float64)

    def map_index(self) -> int:
        """Index of the draw with the highest posterior density."""
        return int(np.argmax(self.log_likelihood + self.log_prior))

    def map_reward(self) -> NDArray[np.float64]:
        """State reward of the highest-posterior draw, shape (n_states,)."""
        return np.asarray(self.features @ self.weights[self.map_index()], dtype=np.float64)

    def credible_interval(
        self, level: float = 0.9, *, of: Literal["reward", "weights", "beta"] = "reward"
    ) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
        """Equal-tailed credible interval ``(lower, upper)`` per state, weight, or for ``beta``."""
        if not 0.0 < level < 1.0:
            raise ValueLearnInputError(
                f"The 'level' parameter of credible_interval must be in (0, 1); got {level!r} "
                "instead."
            )
        values = {"reward": self.rewards, "weights": self.weights, "beta": self.betas}.get(of)
        if values is None:
            raise ValueLearnInputError(
                f"The 'of' parameter of credible_interval must be 'reward', 'weights' or 'beta'; "
                f"got {of!r} instead."
            )
        tail = (1.0 - level) / 2.0
        lower, upper = np.quantile(values, [tail, 1.0 - tail], axis=0)
        return np.asarray(lower), np.asarray(upper)

    def effective_sample_size(self) -> NDArray[np.float64]:
        """ESS of every weight (and of ``beta`` last when it was sampled)."""
        chain = self.weights
        if np.ptp(self.betas) > 0:
            chain = np.column_stack([chain, self.betas])
        return np.asarray(effective_sample_size(chain))

    def summary(self, level: float = 0.9) -> dict[str, Any]:
        """JSON-ready summary: sizes, acceptance, ESS, mean / MAP / interval of weights and beta."""
        lower, upper = self.credible_interval(level, of="weights")
        beta_low, beta_high = self.credible_interval(level, of="beta")
        ess = self.effective_sample_size()
        return {
            "n_samples": self.n_samples,
            "sampler": self.sampler,
            "likelihood": self.likelihood,
            "acceptance_rate": round(self.acceptance_rate, 4),
            "ess_min": round(float(ess.min()), 1),
            "ess_median": round(float(np.median(ess)), 1),
            "weights_mean": self.weights.mean(axis=0).round(4).tolist(),
            "weights_map": self.weights[self.map_index()].round(4).tolist(),
            "weights_interval": [lower.round(4).tolist(), upper.round(4).tolist()],
            "interval_level": level,
            "beta_mean": round(float(self.betas.mean()), 4),
            "beta_interval": [round(float(beta_low), 4), round(float(beta_high), 4)],
            "max_log_posterior": round(float(np.max(self.log_likelihood + self.log_prior)), 4),
        }

    # ------------------------------------------------------------------ behaviour
    def policies(self, mdp: MDP, *, draws: NDArray[np.int64] | None = None) -> NDArray[np.float64]:
        """Behaviour ``pi_i(a | s)`` each draw predicts under its human model, (n_draws, S, A)."""
        self._check_world(mdp)
        model = BIRLModel(mdp, np.zeros((mdp.n_states, mdp.n_actions)), discount=self.discount)
        chosen = np.arange(self.n_samples) if draws is None else np.asarray(draws)
        out = np.empty((chosen.size, mdp.n_states, mdp.n_actions))
        hard, soft_values = None, None
        for k, i in enumerate(chosen):
            reward = self.features @ self.weights[i]
            if self.likelihood == "boltzmann":
                hard = model.solve_hard(reward, None if hard is None else hard.actions)
                scaled = self.betas[i] * hard.q_values
                out[k] = np.exp(scaled - logsumexp(scaled, axis=1, keepdims=True))
            else:
                soft = model.solve_soft(self.betas[i] * reward, soft_values)
                soft_values = soft.values
                out[k] = np.exp(soft.log_policy)
        return out

    def predictive_check(
        self,
        mdp: MDP,
        held_out: Demonstrations,
        *,
        n_draws: int = 200,
        rng: RandomLike = None,
    ) -> PredictiveCheck:
        """Score held-out demonstrations against ``n_draws`` evenly spaced posterior draws."""
        held_out.check_against(mdp.n_states, mdp.n_actions, "held-out demonstrations")
        generator = as_generator(rng)
        draws = np.unique(
            np.linspace(0, self.n_samples - 1, min(n_draws, self.n_samples)).astype(int)
        )
        policies = self.policies(mdp, draws=draws)
        counts = action_counts(held_out, mdp.n_states, mdp.n_actions)
        visits = counts.sum(axis=1).astype(np.int64)
        with np.errstate(divide="ignore"):
            log_pi = np.log(policies)
        observed = np.einsum("sa,isa->i", counts, log_pi)
        replicated = np.empty_like(observed)
        for k in range(draws.size):
            resampled = np.array(
                [generator.multinomial(n, p) for n, p in zip(visits, policies[k], strict=True)]
            )
            replicated[k] = float(np.sum(np.where(resampled > 0, resampled * log_pi[k], 0.0)))
        pointwise = logsumexp(log_pi, axis=0) - np.log(draws.size)
        lppd = float(np.sum(np.where(counts > 0, counts * pointwise, 0.0)))
        return PredictiveCheck(
            lppd,
            lppd / max(1.0, float(counts.sum())),
            observed,
            replicated,
            float(np.mean(replicated <= observed)),
        )

    def _check_world(self, mdp: MDP) -> None:
        if mdp.n_states != self.features.shape[0]:
            raise ValueLearnInputError(
                f"the posterior covers {self.features.shape[0]} states but the MDP has "
                f"{mdp.n_states}."
            )

    # ------------------------------------------------------------------ files
    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the draws to ``path`` (``.npz``) atomically: a temporary file, then a rename."""
        target = Path(path)
        temporary = target.with_name(target.name + ".tmp.npz")
        try:
            self._write(temporary)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)

    def _write(self, temporary: Path) -> None:
        np.savez_compressed(
            temporary,
            format=np.array(FORMAT),
            weights=self.weights,
            betas=self.betas,
            log_likelihood=self.log_likelihood,
            log_prior=self.log_prior,
            features=self.features,
            likelihood=np.array(self.likelihood),
            discount=np.array(self.discount),
            acceptance_rate=np.array(self.acceptance_rate),
            step_size=np.array(self.step_size),
            sampler=np.array(self.sampler),
        )


def load_posterior(path: str | os.PathLike[str]) -> RewardPosterior:
    """Read a posterior written by :meth:`RewardPosterior.save`, checking every field."""
    try:
        with np.load(path, allow_pickle=False) as data:
            fields = {name: data[name] for name in data.files}
    except (OSError, ValueError) as error:
        raise ValueLearnInputError(f"{path}: not a readable .npz file ({error}).") from None
    if str(fields.get("format", "")) != FORMAT:
        raise ValueLearnInputError(f"{path}: field 'format' must be {FORMAT!r}.")
    names = ("weights", "betas", "log_likelihood", "log_prior", "features")
    missing = [name for name in (*names, "likelihood", "discount") if name not in fields]
    if missing:
        raise ValueLearnInputError(f"{path}: missing field {missing[0]!r}.")
    weights, features = fields["weights"], fields["features"]
    if weights.ndim != 2 or features.ndim != 2 or weights.shape[1] != features.shape[1]:
        raise ValueLearnInputError(
            f"{path}: field 'weights' {weights.shape} does not match 'features' {features.shape}."
        )
    for name in ("betas", "log_likelihood", "log_prior"):
        if fields[name].shape != (weights.shape[0],):
            raise ValueLearnInputError(
                f"{path}: field {name!r} must have shape ({weights.shape[0]},); got "
                f"{fields[name].shape}."
            )
    likelihood = str(fields["likelihood"])
    if likelihood not in ("boltzmann", "soft"):
        raise ValueLearnInputError(f"{path}: field 'likelihood' must be 'boltzmann' or 'soft'.")
    arrays = [np.asarray(fields[name], dtype=np.float64) for name in names]
    return RewardPosterior(
        arrays[0],
        arrays[1],
        arrays[2],
        arrays[3],
        arrays[4],
        "soft" if likelihood == "soft" else "boltzmann",
        float(fields["discount"]),
        float(fields.get("acceptance_rate", np.nan)),
        float(fields.get("step_size", np.nan)),
        str(fields.get("sampler", "")),
    )
