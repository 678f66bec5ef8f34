"""Kernel agents that learn a person's values by acting: the personalisation loop.

A person values ``n`` actions (value scores on 0-100). The agent sees the actions only through a
similarity kernel. In the **personalisation phase** it repeatedly chooses one of the first
``n_personal`` actions, receives a noisy reward ``value[a] + reward_noise * N(0, 1)``, and updates
its value estimates. The remaining actions are never shown; the final estimates of their values
are the **generalisation phase** (see :mod:`valuelearn.evaluation`).

Agents (:data:`KERNEL_AGENTS`):

- ``"krr"``: kernel ridge regression (no intercept, regularisation ``krr_alpha``) on the rewards
  minus ``prior_mean``; greedy.
- ``"gp"`` / ``"gp-ucb"``: Gaussian-process regression with prior mean ``prior_mean``, prior
  covariance ``prior_scale**2 * K`` and noise variance ``reward_noise**2``; greedy on the
  posterior mean, or upper confidence bound ``mean + ucb_scale * std`` (GP-UCB).
- ``"svr"``: epsilon-SVR over the kernel (``svr_C``, ``svr_epsilon``, intercept) fitted to each
  visited action's mean reward minus ``prior_mean``, weighted by its number of visits
  (scikit-learn's ``sample_weight``, which multiplies ``C``); greedy. Unvisited actions'
  predictions come from the kernel.
- ``"thompson"``: the baseline without representation: independent Gaussian arms (prior
  ``N(prior_mean, prior_scale**2)``, known noise), Thompson sampling.

Greedy choices break exact ties uniformly at random (a fresh priority each step). All random numbers
are drawn up front from ``rng``, so the batched engine and the per-step scikit-learn engine
(:mod:`valuelearn.policy._kernel_agents_sklearn`) see the same rewards and make the same choices.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from valuelearn._random import RandomLike, as_generator
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.policy._kernel_regression import gp_posterior_update, svr_fit_precomputed

#: The agents :func:`personalise` runs.
KERNEL_AGENTS = ("krr", "gp", "gp-ucb", "svr", "thompson")
_JITTER = 1e-9  # size of the random tie-breaking priority, far below any real value gap


@dataclass(frozen=True)
class AgentSettings:
    """Hyper-parameters shared by the kernel agents (value scores on a 0-100 scale).

    Attributes
    ----------
    prior_mean, prior_scale : float
        Prior mean and standard deviation of an action's value (GP and Thompson); the mean is
        also the offset the KRR and SVR targets are centred on.
    reward_noise : float
        Standard deviation of the reward noise (the simulated person's), known to GP and Thompson.
    krr_alpha : float
        Kernel ridge regularisation.
    svr_C, svr_epsilon, svr_tol : float
        SVR box constraint (per visit), insensitive-tube width and SMO tolerance.
    ucb_scale : float
        GP-UCB exploration weight on the posterior standard deviation.
    """

    prior_mean: float = 50.0
    prior_scale: float = 25.0
    reward_noise: float = 10.0
    krr_alpha: float = 1.0
    svr_C: float = 10.0
    svr_epsilon: float = 5.0
    svr_tol: float = 1e-2
    ucb_scale: float = 2.0
    temperature: float = 5.0


@dataclass(frozen=True, eq=False)
class Personalisation:
    """What happened in a batch of personalisation runs.

    Attributes
    ----------
    actions : int array, shape (B, n_steps)
        The chosen action at each step (indices below ``n_personal``).
    rewards : array, shape (B, n_steps)
        The noisy rewards received.
    predictions : array, shape (B, n)
        The agent's final value estimates for every action (the held-out ones included).
    best : int array, shape (B, n_steps)
        After each step's update, the personalisation action with the highest estimate (the
        posterior or fitted mean; first index on ties): what the agent believes is best.
    """

    actions: NDArray[np.intp]
    rewards: NDArray[np.float64]
    predictions: NDArray[np.float64]
    best: NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class Draws:
    """The random numbers of a batch of runs, drawn once (shared by both engines)."""

    noise: NDArray[np.float64]  # (B, n_steps) standard normal reward noise
    priority: NDArray[np.float64]  # (B, n_steps, n_personal) tie-breaking priority in [0, 1)
    thompson: NDArray[np.float64] | None  # (B, n_steps, n_personal) standard normals


def draw(
    n_problems: int, n_steps: int, n_personal: int, *, thompson: bool, rng: RandomLike
) -> Draws:
    """Draw a batch's random numbers in a fixed order (noise, priority, Thompson normals)."""
    generator = as_generator(rng)
    noise = generator.standard_normal((n_problems, n_steps))
    priority = generator.random((n_problems, n_steps, n_personal))
    normals = generator.standard_normal((n_problems, n_steps, n_personal)) if thompson else None
    return Draws(noise, priority, normals)


def check_problem(
    values: NDArray[np.float64], kernel: NDArray[np.float64] | None, n_personal: int | None
) -> tuple[NDArray[np.float64], NDArray[np.float64] | None, int]:
    """Validate and batch ``values`` (B, n) and ``kernel`` (B, n, n); default ``n_personal`` n."""
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:
        values = values[None]
    if values.ndim != 2 or values.shape[1] < 1 or not np.all(np.isfinite(values)):
        raise ValueLearnInputError(
            f"The 'values' parameter of personalise must be a finite (B, n) or (n,) array; got "
            f"shape {values.shape} instead."
        )
    n = values.shape[1]
    if kernel is not None:
        kernel = np.asarray(kernel, dtype=np.float64)
        if kernel.shape == (n, n):
            kernel = np.broadcast_to(kernel, (values.shape[0], n, n))
        if kernel.shape != (values.shape[0], n, n) or not np.all(np.isfinite(kernel)):
            raise ValueLearnInputError(
                f"The 'kernel' parameter of personalise must be a finite {(values.shape[0], n, n)}"
                f" or {(n, n)} array; got shape {kernel.shape} instead."
            )
    n_personal = n if n_personal is None else n_personal
    if not (isinstance(n_personal, int | np.integer) and 1 <= n_personal <= n):
        raise ValueLearnInputError(
            f"The 'n_personal' parameter of personalise must be an integer from 1 to {n}; got "
            f"{n_personal!r} instead."
        )
    return values, kernel, int(n_personal)


def personalise(
    values: NDArray[np.float64],
    kernel: NDArray[np.float64] | None,
    *,
    agent: str,
    n_steps: int,
    n_personal: int | None = None,
    settings: AgentSettings | None = None,
    rng: RandomLike = None,
    draws: Draws | None = None,
) -> Personalisation:
    """Run the personalisation phase for a batch of problems, vectorised over the batch.

    Parameters
    ----------
    values : array, shape (B, n) or (n,)
        The person's value score of each action (0-100).
    kernel : array, shape (B, n, n) or (n, n); None for ``"thompson"``
        The agent's similarity kernel over all ``n`` actions (positive semi-definite).
    agent : str
        One of :data:`KERNEL_AGENTS`.
    n_steps : int
        Number of choices.
    n_personal : int, optional
        The first ``n_personal`` actions can be chosen; the rest are held out (default: all).
    settings : AgentSettings, optional
    rng : Generator, int or None
        Source of all random numbers (ignored when ``draws`` is given).
    draws : Draws, optional
        Pre-drawn random numbers (from :func:`draw`), to replay a run exactly.

    Returns
    -------
    Personalisation

    References
    ----------
    Wynn, Sucholutsky & Griffiths (2024), "Learning human-like representations to enable
    learning human values", NeurIPS, section 4 (the personalisation and generalisation phases);
    Srinivas et al. (2010), "Gaussian process optimization in the bandit setting", ICML, eq. 6
    (GP-UCB); Thompson (1933), Biometrika 25:285-294.

    Examples
    --------
    >>> values = np.array([10.0, 90.0, 80.0, 20.0])
    >>> kernel = np.array([[1, 0, 0, .9], [0, 1, .9, 0], [0, .9, 1, 0], [.9, 0, 0, 1]])
    >>> run = personalise(values, kernel, agent="gp", n_steps=6, n_personal=2, rng=0)
    >>> run.actions.shape, int(run.actions[0, -1]), bool(run.predictions[0, 2] > 70)
    ((1, 6), 1, True)
    """
    settings = AgentSettings() if settings is None else settings
    if agent not in KERNEL_AGENTS:
        raise ValueLearnInputError(
            f"The 'agent' parameter of personalise must be one of {KERNEL_AGENTS}; got {agent!r} "
            "instead."
        )
    if agent != "thompson" and kernel is None:
        raise ValueLearnInputError(f"The {agent!r} agent needs a kernel; got None.")
    values, kernel, n_personal = check_problem(values, kernel, n_personal)
    if not (isinstance(n_steps, int) and n_steps >= 1):
        raise ValueLearnInputError(
            f"The 'n_steps' parameter of personalise must be a positive integer; got {n_steps!r} "
            "instead."
        )
    if draws is None:
        draws = draw(values.shape[0], n_steps, n_personal, thompson=agent == "thompson", rng=rng)
    if agent == "thompson":
        return _thompson(values, n_steps, n_personal, settings, draws)
    assert kernel is not None
    if agent == "svr":
        return _svr(values, kernel, n_steps, n_personal, settings, draws)
    return _gaussian(values, kernel, agent, n_steps, n_personal, settings, draws)


def _loop(
    values: NDArray[np.float64],
    n_steps: int,
    draws: Draws,
    reward_noise: float,
    choose: Callable[[int], NDArray[np.intp]],
    learn: Callable[[NDArray[np.intp], NDArray[np.float64]], None],
    estimate: Callable[[], NDArray[np.float64]],
    n_personal: int,
) -> Personalisation:
    rows = np.arange(values.shape[0])
    actions = np.zeros((values.shape[0], n_steps), dtype=np.intp)
    best = np.zeros((values.shape[0], n_steps), dtype=np.intp)
    rewards = np.zeros((values.shape[0], n_steps))
    for step in range(n_steps):
        chosen = choose(step)
        reward = values[rows, chosen] + reward_noise * draws.noise[:, step]
        learn(chosen, reward)
        actions[:, step], rewards[:, step] = chosen, reward
        best[:, step] = np.argmax(estimate()[:, :n_personal], axis=1)
    return Personalisation(actions, rewards, np.array(estimate()), best)


def greedy(
    scores: NDArray[np.float64], priority: NDArray[np.float64], temperature: float = 0.0
) -> NDArray[np.intp]:
    """Index of the highest score per row; exact ties go to the highest ``priority``.

    With ``temperature > 0``, a draw from ``softmax(scores / temperature)`` instead (Gumbel-max
    with the Gumbel noise ``-log(-log(priority))``).
    """
    if temperature > 0:
        with np.errstate(divide="ignore"):
            gumbel = -np.log(-np.log(priority))
        return np.asarray(np.argmax(scores / temperature + gumbel, axis=1), dtype=np.intp)
    return np.asarray(np.argmax(scores + _JITTER * priority, axis=1), dtype=np.intp)


def _gaussian(
    values: NDArray[np.float64],
    kernel: NDArray[np.float64],
    agent: str,
    n_steps: int,
    n_personal: int,
    settings: AgentSettings,
    draws: Draws,
) -> Personalisation:
    if agent == "krr":
        prior_variance, noise_variance = 1.0, settings.krr_alpha
    else:
        prior_variance, noise_variance = settings.prior_scale**2, settings.reward_noise**2
    mean = np.full(values.shape, settings.prior_mean)
    covariance = prior_variance * np.array(kernel, dtype=np.float64)

    def choose(step: int) -> NDArray[np.intp]:
        scores = mean[:, :n_personal]
        if agent == "gp-ucb":
            variance = np.diagonal(covariance, axis1=1, axis2=2)[:, :n_personal]
            scores = scores + settings.ucb_scale * np.sqrt(np.maximum(variance, 0.0))
        return greedy(
            scores, draws.priority[:, step], settings.temperature if agent != "gp-ucb" else 0.0
        )

    def learn(chosen: NDArray[np.intp], reward: NDArray[np.float64]) -> None:
        gp_posterior_update(mean, covariance, chosen, reward, noise_variance=noise_variance)

    return _loop(
        values, n_steps, draws, settings.reward_noise, choose, learn, lambda: mean, n_personal
    )


def _svr(
    values: NDArray[np.float64],
    kernel: NDArray[np.float64],
    n_steps: int,
    n_personal: int,
    settings: AgentSettings,
    draws: Draws,
) -> Personalisation:
    rows = np.arange(values.shape[0])
    counts = np.zeros(values.shape)
    sums = np.zeros(values.shape)
    predictions = np.full(values.shape, settings.prior_mean)
    state: dict[str, NDArray[np.float64] | None] = {"alpha": None}

    def choose(step: int) -> NDArray[np.intp]:
        return greedy(predictions[:, :n_personal], draws.priority[:, step], settings.temperature)

    def learn(chosen: NDArray[np.intp], reward: NDArray[np.float64]) -> None:
        counts[rows, chosen] += 1
        sums[rows, chosen] += reward
        visited = counts > 0
        targets = np.where(visited, sums / np.maximum(counts, 1) - settings.prior_mean, 0.0)
        fit = svr_fit_precomputed(
            kernel,
            targets,
            counts,
            C=settings.svr_C,
            epsilon=settings.svr_epsilon,
            tol=settings.svr_tol,
            warm_start=state["alpha"],
        )
        state["alpha"] = fit.alpha
        predictions[:] = (
            np.einsum("bij,bj->bi", kernel, fit.dual_coef)
            + fit.intercept[:, None]
            + settings.prior_mean
        )

    return _loop(
        values,
        n_steps,
        draws,
        settings.reward_noise,
        choose,
        learn,
        lambda: predictions,
        n_personal,
    )


def thompson_posterior(
    counts: NDArray[np.float64], sums: NDArray[np.float64], settings: AgentSettings
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Posterior mean and variance of independent Gaussian arms (conjugate, known noise)."""
    precision = 1.0 / settings.prior_scale**2 + counts / settings.reward_noise**2
    variance = 1.0 / precision
    mean = variance * (
        settings.prior_mean / settings.prior_scale**2 + sums / settings.reward_noise**2
    )
    return mean, variance


def _thompson(
    values: NDArray[np.float64],
    n_steps: int,
    n_personal: int,
    settings: AgentSettings,
    draws: Draws,
) -> Personalisation:
    if draws.thompson is None:
        raise ValueLearnInputError("the Thompson agent needs draws made with thompson=True.")
    normals = draws.thompson
    rows = np.arange(values.shape[0])
    counts = np.zeros(values.shape)
    sums = np.zeros(values.shape)

    def choose(step: int) -> NDArray[np.intp]:
        mean, variance = thompson_posterior(counts, sums, settings)
        sample = mean[:, :n_personal] + np.sqrt(variance[:, :n_personal]) * normals[:, step]
        return np.asarray(np.argmax(sample, axis=1), dtype=np.intp)

    def learn(chosen: NDArray[np.intp], reward: NDArray[np.float64]) -> None:
        counts[rows, chosen] += 1
        sums[rows, chosen] += reward

    def estimate() -> NDArray[np.float64]:
        return thompson_posterior(counts, sums, settings)[0]

    return _loop(values, n_steps, draws, settings.reward_noise, choose, learn, estimate, n_personal)
