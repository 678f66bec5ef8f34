"""``valuelearn fit birl`` and ``valuelearn identifiability``: reward posteriors and invariances.

Registered on the app by :mod:`valuelearn.cli`, with its conventions: bad input ends the command
with one ``error:`` line and exit code 2, results go to files and to stdout as one JSON object,
messages to stderr.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
import typer

from valuelearn._cli_common import (
    DiscountOption,
    HorizonOption,
    InfiniteOption,
    MDPOption,
    check_output,
    check_positive,
    default_discount,
    horizon_or_infinite,
    stderr,
)
from valuelearn.data import MDP, Demonstrations, load_mdp
from valuelearn.data._io import read_demonstrations
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.humans import BoltzmannRational, HumanModel, SoftOptimal
from valuelearn.inference import (
    BayesianIRL,
    GaussianPrior,
    LaplacePrior,
    Prior,
    RewardPosterior,
    UniformPrior,
    invariance_report,
)
from valuelearn.representation import Reward, load_reward, save_reward

PersonChoice = Literal["boltzmann", "soft"]
PriorChoice = Literal["uniform", "gaussian", "laplace"]

SeedOption = Annotated[int, typer.Option(min=0, help="Random seed (same seed, same output).")]
BetaOption = Annotated[
    float, typer.Option(help="Rationality beta > 0 (soft: temperature 1 / beta).")
]
PersonOption = Annotated[
    PersonChoice,
    typer.Option(help="boltzmann: noisy choices over optimal Q; soft: soft-optimal (MCE) planner."),
]


def fit_birl(
    mdp: MDPOption,
    demos: Annotated[Path, typer.Option(help="Demonstrations (.jsonl).")],
    out: Annotated[Path, typer.Option(help="Posterior draws to write (.npz).")],
    samples: Annotated[int, typer.Option(min=1, help="Posterior draws kept.")] = 10_000,
    burn_in: Annotated[
        int | None,
        typer.Option(min=0, help="Draws discarded first (default max(1000, samples/5))."),
    ] = None,
    thin: Annotated[int, typer.Option(min=1, help="Keep every n-th draw after burn-in.")] = 1,
    step: Annotated[
        float | None,
        typer.Option(help="PolicyWalk step (default: box width / 40, else 0.1 x --prior-scale)."),
    ] = None,
    reward: Annotated[
        Literal["auto", "linear", "tabular"],
        typer.Option(help="linear: weights on the MDP's features; tabular: one per state."),
    ] = "auto",
    likelihood: PersonOption = "boltzmann",
    sampler: Annotated[
        Literal["policy-walk", "hmc"], typer.Option(help="hmc needs --likelihood soft.")
    ] = "policy-walk",
    prior: Annotated[PriorChoice, typer.Option(help="Prior on each weight.")] = "uniform",
    reward_max: Annotated[
        float | None, typer.Option(help="Uniform prior on [-x, x] per weight (default 1).")
    ] = None,
    prior_scale: Annotated[
        float | None, typer.Option(help="Scale of the gaussian or laplace prior (default 1).")
    ] = None,
    beta: BetaOption = 1.0,
    infer_beta: Annotated[
        bool, typer.Option("--infer-beta", help="Sample beta too (log-normal prior at --beta).")
    ] = False,
    beta_prior_sigma: Annotated[
        float | None, typer.Option(help="Std of log beta with --infer-beta (default 1).")
    ] = None,
    discount: DiscountOption = None,
    seed: SeedOption = 0,
    level: Annotated[float, typer.Option(help="Credible level of the intervals.")] = 0.9,
    held_out: Annotated[
        Path | None, typer.Option(help="Held-out demonstrations (.jsonl) to check predictions.")
    ] = None,
    reward_out: Annotated[
        Path | None, typer.Option(help="Also write the posterior-mean reward (.json).")
    ] = None,
) -> None:
    """Bayesian IRL: posterior draws of the reward (and beta), and a JSON summary on stdout."""
    weight_prior = _prior(prior, reward_max, prior_scale)
    _check_birl_flags(likelihood, sampler, beta, step, level, infer_beta, beta_prior_sigma)
    check_output(out, ".npz")
    if reward_out is not None:
        check_output(reward_out, ".json")
    world = load_mdp(mdp)
    demonstrations, _ = read_demonstrations(demos, world)
    check = None if held_out is None else read_demonstrations(held_out, world)[0]
    gamma = default_discount(discount, world)
    if gamma >= 1.0:
        raise ValueLearnInputError(
            "fit birl needs a discount below 1 (the person's policy is stationary); pass "
            f"--discount or set 'discount' in {mdp}."
        )
    linear = reward == "linear" or (reward == "auto" and world.features is not None)
    if linear and world.features is None:
        raise ValueLearnInputError(f"--reward linear needs an MDP with 'features'; {mdp} has none.")
    sigma = 1.0 if beta_prior_sigma is None else beta_prior_sigma
    model = BayesianIRL(
        reward="linear" if linear else "tabular", likelihood=likelihood, sampler=sampler,
        prior=weight_prior, beta=beta,
        beta_prior=GaussianPrior(math.log(beta), sigma) if infer_beta else None,
        n_samples=samples, burn_in=burn_in, thin=thin, step=step, discount=gamma,
        random_state=seed,
    ).fit(world, demonstrations)  # fmt: skip
    posterior = model.posterior_
    posterior.save(out)
    if reward_out is not None:
        save_reward(_mean_reward(posterior, world, linear), reward_out)
    summary = {
        "posterior_file": str(out),
        "reward_file": None if reward_out is None else str(reward_out),
        **_birl_summary(posterior, world, demonstrations, linear, level),
    }
    if check is not None:
        summary["predictive_check"] = _predictive_check(posterior, world, check, seed)
    stderr.print(f"wrote {posterior.n_samples} posterior draws to {out}")
    typer.echo(json.dumps(summary))


def identifiability(
    mdp: MDPOption,
    reward: Annotated[Path, typer.Option(help="Reward file (.json).")],
    human: PersonOption = "boltzmann",
    beta: BetaOption = 1.0,
    horizon: HorizonOption = None,
    infinite: InfiniteOption = False,
    discount: DiscountOption = None,
    demos: Annotated[
        Path | None, typer.Option(help="Demonstrations (.jsonl): also measure their likelihood.")
    ] = None,
    directions: Annotated[int, typer.Option(min=1, help="Random paths per transformation.")] = 3,
    seed: SeedOption = 0,
) -> None:
    """Which reward transformations the person's behaviour cannot reveal, as JSON on stdout."""
    check_positive(beta, "--beta")
    world = load_mdp(mdp)
    values = load_reward(reward, world).values
    gamma = default_discount(discount, world)
    steps = horizon_or_infinite(horizon, infinite, world, mdp, gamma)
    demonstrations = None
    if demos is not None:
        demonstrations, lines = read_demonstrations(demos, world)
        for trajectory, line in zip(demonstrations, lines, strict=True):
            if steps is not None and len(trajectory) > steps:
                raise ValueLearnInputError(
                    f"{demos} line {line}: the trajectory has {len(trajectory)} actions, more "
                    f"than the horizon {steps} (pass --horizon, or --infinite)."
                )
    person: HumanModel = (
        BoltzmannRational(beta) if human == "boltzmann" else SoftOptimal(temperature=1.0 / beta)
    )
    report = invariance_report(
        world, person, values, horizon=steps, discount=gamma, demonstrations=demonstrations,
        rng=seed, n_directions=directions,
    )  # fmt: skip
    typer.echo(json.dumps(report.to_dict()))


# ---------------------------------------------------------------------- helpers
def _prior(kind: PriorChoice, reward_max: float | None, scale: float | None) -> Prior:
    if kind == "uniform":
        if scale is not None:
            raise ValueLearnInputError(
                "--prior-scale applies only with --prior gaussian or laplace."
            )
        bound = 1.0 if reward_max is None else reward_max
        check_positive(bound, "--reward-max")
        return UniformPrior(-bound, bound)
    if reward_max is not None:
        raise ValueLearnInputError("--reward-max applies only with --prior uniform.")
    width = 1.0 if scale is None else scale
    check_positive(width, "--prior-scale")
    return GaussianPrior(0.0, width) if kind == "gaussian" else LaplacePrior(0.0, width)


def _check_birl_flags(
    likelihood: PersonChoice,
    sampler: str,
    beta: float,
    step: float | None,
    level: float,
    infer_beta: bool,
    beta_prior_sigma: float | None,
) -> None:
    if sampler == "hmc" and likelihood != "soft":
        raise ValueLearnInputError(
            "--sampler hmc needs --likelihood soft (the boltzmann likelihood is not "
            "differentiable where the optimal policy changes)."
        )
    check_positive(beta, "--beta")
    if step is not None:
        check_positive(step, "--step")
    if not 0.0 < level < 1.0:
        raise ValueLearnInputError(f"--level must be between 0 and 1; got {level}.")
    if beta_prior_sigma is not None:
        if not infer_beta:
            raise ValueLearnInputError("--beta-prior-sigma applies only with --infer-beta.")
        check_positive(beta_prior_sigma, "--beta-prior-sigma")


def _mean_reward(posterior: RewardPosterior, world: MDP, linear: bool) -> Reward:
    """The posterior-mean reward in the reward file format (linear when the fit was)."""
    if not linear:
        return Reward.state(posterior.mean_reward())
    weights = posterior.weights.mean(axis=0)
    return Reward(
        "linear", posterior.mean_reward(), weights=weights, feature_names=world.feature_names
    )


def _birl_summary(
    posterior: RewardPosterior, world: MDP, demos: Demonstrations, linear: bool, level: float
) -> dict[str, Any]:
    return {
        "reward_kind": "linear" if linear else "tabular",
        "feature_names": list(world.feature_names or ()) if linear else None,
        "n_trajectories": len(demos),
        "n_steps": int(np.sum(demos.lengths)),
        "discount": posterior.discount,
        **posterior.summary(level),
    }


def _predictive_check(
    posterior: RewardPosterior, world: MDP, held_out: Demonstrations, seed: int
) -> dict[str, Any]:
    result = posterior.predictive_check(world, held_out, rng=seed)
    return {
        "n_trajectories": len(held_out),
        "n_draws": int(result.observed.size),
        "log_predictive_density": round(result.log_predictive_density, 4),
        "mean_log_predictive": round(result.mean_log_predictive, 4),
        "p_value": round(result.p_value, 4),
    }
