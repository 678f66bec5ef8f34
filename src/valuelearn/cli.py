"""The ``valuelearn`` command: simulate demonstrations, fit rewards, plan, evaluate.

Every command reads and writes the file formats of the README (File formats). Bad input anywhere (a
file, a field, a flag) ends the command with one line ``error: <message>`` on stderr and exit
code 2, never a traceback; summaries and warnings go to stderr, so stdout carries only results
meant for other programs (the JSON of ``evaluate``).
"""

from __future__ import annotations

import contextlib
import json
import sys
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.table import Table

from valuelearn import __version__
from valuelearn._cli_action import plan_constrained
from valuelearn._cli_bayes import fit_birl, identifiability
from valuelearn._cli_common import (
    DiscountOption,
    HorizonOption,
    InfiniteOption,
    MDPOption,
    check_positive,
    default_discount,
    finite_horizon,
    horizon_or_infinite,
    require_suffix,
    stderr,
)
from valuelearn._cli_elicit import elicit
from valuelearn._cli_games import off_switch
from valuelearn._cli_preferences import fit_preferences
from valuelearn._cli_text import fit_text_values, predict
from valuelearn._files import atomic_write
from valuelearn.bench import _console as bench_console
from valuelearn.bench._registry import scenarios
from valuelearn.bench._report import current_records, summarize, write_report
from valuelearn.bench._runner import default_workers, import_ray, plan_runs, run_suite
from valuelearn.bench._store import ResultStore, RunRecord, open_existing
from valuelearn.data import load_mdp, save_demonstrations
from valuelearn.data._io import read_demonstrations
from valuelearn.evaluation import epic_distance, regret
from valuelearn.exceptions import ValueLearnInputError
from valuelearn.inference import MCEIRL
from valuelearn.policy import occupancy, sample_trajectories, soft_value_iteration, value_iteration
from valuelearn.representation import Reward, load_reward, save_reward

PLAN_FORMAT = "valuelearn.plan/1"

app = typer.Typer(
    name="valuelearn",
    help="Learn what people value from what they do, and check what was learned.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)
fit_app = typer.Typer(
    help="Learn values from observations: rewards from demonstrations, item values from judgments.",
    no_args_is_help=True,
)
app.add_typer(fit_app, name="fit")


# ---------------------------------------------------------------------- commands
@app.command()
def simulate(
    mdp: MDPOption,
    reward: Annotated[Path, typer.Option(help="True reward file (.json).")],
    out: Annotated[Path, typer.Option(help="Demonstrations to write (.jsonl).")],
    n: Annotated[int, typer.Option("--n", min=1, help="Number of trajectories.")] = 100,
    seed: Annotated[int, typer.Option(min=0, help="Random seed (same seed, same file).")] = 0,
    horizon: HorizonOption = None,
    discount: DiscountOption = None,
    temperature: Annotated[
        float, typer.Option(help="Boltzmann temperature of the soft-optimal demonstrator (> 0).")
    ] = 1.0,
    stationary: Annotated[
        bool,
        typer.Option(
            help="The demonstrator follows the stationary policy of the discounted "
            "infinite-horizon problem (what `fit birl` assumes; needs a discount < 1); --horizon "
            "is then only the trajectory length."
        ),
    ] = False,
) -> None:
    """Sample demonstrations from a soft-optimal (Boltzmann-rational) demonstrator."""
    world = load_mdp(mdp)
    true_reward = load_reward(reward, world)
    steps = finite_horizon(horizon, world, mdp)
    gamma = default_discount(discount, world)
    check_positive(temperature, "--temperature")
    if stationary and gamma >= 1.0:
        raise ValueLearnInputError(
            f"--stationary needs a discount below 1; got {gamma} (pass --discount 0.9)."
        )
    plan = soft_value_iteration(
        world,
        true_reward.values,
        horizon=None if stationary else steps,
        discount=gamma,
        temperature=temperature,
        return_q=False,
    )
    demos = sample_trajectories(world, plan.policy, n=n, horizon=steps, rng=seed)
    save_demonstrations(demos, out)
    stderr.print(f"wrote {n} trajectories of {steps} actions to {out}")


@fit_app.command("mce-irl")
def fit_mce_irl(
    mdp: MDPOption,
    demos: Annotated[Path, typer.Option(help="Demonstrations (.jsonl).")],
    out: Annotated[Path, typer.Option(help="Reward file to write (.json).")],
    horizon: HorizonOption = None,
    infinite: InfiniteOption = False,
    discount: DiscountOption = None,
    l2: Annotated[
        float | None,
        typer.Option(min=0.0, help="Ridge penalty (default: 0 linear, 1e-3 tabular)."),
    ] = None,
    max_iter: Annotated[int, typer.Option(min=1, help="Most L-BFGS iterations.")] = 1000,
) -> None:
    """Maximum causal entropy IRL: a linear reward if the MDP has features, else tabular."""
    world = load_mdp(mdp)
    demonstrations, lines = read_demonstrations(demos, world)
    gamma = default_discount(discount, world)
    default = int(demonstrations.lengths[0])  # MCEIRL's own default, checked here to name the line
    steps = horizon_or_infinite(horizon, infinite, world, mdp, gamma, default=default)
    if steps is not None:
        for trajectory, line in zip(demonstrations, lines, strict=True):
            if len(trajectory) != steps:
                raise ValueLearnInputError(
                    f"{demos} line {line}: the trajectory has {len(trajectory)} actions, but a "
                    f"finite-horizon fit with horizon {steps} needs exactly {steps} in each (pass "
                    "--horizon, or --infinite)."
                )
    model = MCEIRL(
        horizon="infinite" if steps is None else steps, discount=gamma, l2=l2, max_iter=max_iter
    )
    model.fit(world, demonstrations)
    if world.features is not None:
        learned = Reward(
            "linear", model.reward_, weights=model.weights_, feature_names=world.feature_names
        )
    else:
        learned = Reward.state(model.reward_)
    save_reward(learned, out)
    _print_fit_summary(model, learned, len(demonstrations), out)


fit_app.command("birl")(fit_birl)
fit_app.command("preferences")(fit_preferences)
fit_app.command("text-values")(fit_text_values)


@app.command()
def plan(
    mdp: MDPOption,
    reward: Annotated[Path, typer.Option(help="Reward file (.json).")],
    out: Annotated[Path, typer.Option(help="Plan to write (.npz).")],
    soft: Annotated[bool, typer.Option("--soft", help="Soft-optimal (MCE) planning.")] = False,
    temperature: Annotated[
        float | None, typer.Option(help="Temperature for --soft (default 1, > 0).")
    ] = None,
    horizon: HorizonOption = None,
    infinite: InfiniteOption = False,
    discount: DiscountOption = None,
) -> None:
    """Plan for a reward: policy, values and state occupancy, written to an .npz file."""
    require_suffix(out, ".npz")
    world = load_mdp(mdp)
    values = load_reward(reward, world).values
    gamma = default_discount(discount, world)
    steps = horizon_or_infinite(horizon, infinite, world, mdp, gamma)
    if temperature is not None and not soft:
        raise ValueLearnInputError("--temperature applies only with --soft.")
    if soft:
        tau = 1.0 if temperature is None else temperature
        check_positive(tau, "--temperature")
        result = soft_value_iteration(world, values, horizon=steps, discount=gamma, temperature=tau)
    else:
        result = value_iteration(world, values, horizon=steps, discount=gamma)
    occ = occupancy(world, result.policy, horizon=steps, discount=gamma)
    arrays: dict[str, Any] = {
        "format": np.array(PLAN_FORMAT),
        "policy": result.policy,
        "values": result.values,
        "occupancy": occ.total,
        "discount": np.array(gamma),
        "temperature": np.array(result.temperature),
    }
    if result.q_values is not None:
        arrays["q_values"] = result.q_values
    if steps is not None:
        arrays["horizon"] = np.array(steps)
        arrays["occupancy_per_step"] = occ.per_step
        arrays["occupancy_final"] = occ.final

    def write(stream: IO[bytes]) -> None:
        contiguous = {name: np.asarray(array, order="C") for name, array in arrays.items()}
        np.savez(stream, **contiguous)  # type: ignore[arg-type]

    atomic_write(out, write)
    first = result.values[0] if result.values.ndim == 2 else result.values
    stderr.print(
        f"wrote the {'soft ' if soft else ''}plan to {out}; value of the initial distribution "
        f"{float(world.initial @ first):.6g}"
    )


@app.command()
def evaluate(
    mdp: MDPOption,
    true: Annotated[Path, typer.Option("--true", help="True reward file (.json).")],
    learned: Annotated[Path, typer.Option("--learned", help="Learned reward file (.json).")],
    horizon: HorizonOption = None,
    infinite: InfiniteOption = False,
    discount: DiscountOption = None,
) -> None:
    """Compare a learned reward with the true one: EPIC distance and regret, as JSON on stdout."""
    world = load_mdp(mdp)
    true_reward = load_reward(true, world)
    learned_reward = load_reward(learned, world)
    gamma = default_discount(discount, world)
    steps = horizon_or_infinite(horizon, infinite, world, mdp, gamma)
    epic = epic_distance(world, true_reward.values, learned_reward.values, discount=gamma)
    result = regret(world, true_reward.values, learned_reward.values, horizon=steps, discount=gamma)
    report = {
        "epic": epic,
        "regret": result.regret,
        "normalized_regret": result.normalized_regret,
        "optimal_return": result.optimal_return,
        "learned_return": result.learned_return,
        "uniform_return": result.uniform_return,
        "horizon": steps,
        "discount": gamma,
    }
    typer.echo(json.dumps(report))


app.command()(identifiability)
app.command()(elicit)
app.command("off-switch")(off_switch)
app.command("plan-constrained")(plan_constrained)
app.command()(predict)

ResultsOption = Annotated[
    Path, typer.Option("--results", help="Results directory (holds results.duckdb).")
]


@app.command()
def bench(
    suite: Annotated[str, typer.Option(help="Suite of scenarios to run.")] = "default",
    quick: Annotated[bool, typer.Option("--quick", help="Each scenario's quick sweep.")] = False,
    executor: Annotated[
        str, typer.Option(help="Where runs execute: 'local' processes or a 'ray' cluster.")
    ] = "local",
    address: Annotated[
        str | None, typer.Option(help="Ray cluster address (default: start a local Ray).")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, help="Local worker processes (default: usable CPUs).")
    ] = None,
    results: ResultsOption = Path("results"),
    list_: Annotated[
        bool, typer.Option("--list", help="List the scenarios and suites, and exit.")
    ] = False,
) -> None:
    """The main job: run a suite of value-learning scenarios, store every run, write the report.

    Each scenario simulates a person, fits the naive learner (MCE IRL assuming a soft-optimal
    human) and the aware one, and scores both against the truth (EPIC, normalised regret) over
    data sizes and seeds. Runs already in the results database are skipped, so an interrupted
    suite resumes where it stopped. Prints a summary table and writes RESULTS/report.html.
    """
    if list_:
        Console(highlight=False, width=140).print(bench_console.scenario_table(scenarios()))
        return
    if executor not in ("local", "ray"):
        raise ValueLearnInputError(f"--executor must be 'local' or 'ray'; got {executor!r}.")
    if address is not None and executor != "ray":
        raise ValueLearnInputError("--address applies only with --executor ray.")
    if executor == "ray":
        import_ray()
    plan_runs(suite, quick=quick)  # an unknown suite fails before the database is touched
    with ResultStore(results) as store:
        with bench_console.progress_bar(stderr) as advance:
            outcome = run_suite(
                store,
                suite,
                quick=quick,
                executor="ray" if executor == "ray" else "local",
                workers=default_workers() if workers is None else workers,
                address=address,
                progress=advance,
            )
        records = store.records(s.name for s in scenarios(suite))
    stderr.print(
        f"{outcome.executed} runs executed, {outcome.skipped} already stored "
        f"({outcome.seconds:.1f} s); results in {store.path}"
    )
    _print_summary(records, f"valuelearn bench --suite {suite}{' --quick' if quick else ''}")
    out = write_report(records, results / "report.html")
    stderr.print(f"report written to {out}")


@app.command()
def report(
    results: ResultsOption = Path("results"),
    out: Annotated[
        Path | None, typer.Option("--out", help="HTML file (default: RESULTS/report.html).")
    ] = None,
) -> None:
    """Write the HTML report (plots and summary tables) of every run in the results database."""
    target = results / "report.html" if out is None else out
    require_suffix(target, ".html")
    with open_existing(results) as store:
        records = store.records()
    _print_summary(records, f"results in {results}")
    stderr.print(f"report written to {write_report(records, target)}")


def _print_summary(records: list[RunRecord], title: str) -> None:
    kept = current_records(records)
    console = Console(highlight=False, width=120)
    for table in bench_console.summary_tables(summarize(kept), kept, title=title):
        console.print(table)


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[
        bool, typer.Option("--version", help="Print the version and exit.", is_eager=True)
    ] = False,
) -> None:
    """Learn what people value from what they do, and check what was learned."""
    if version:
        typer.echo(f"valuelearn {__version__}")
        raise typer.Exit()


# ---------------------------------------------------------------------- helpers
def _print_fit_summary(model: MCEIRL, reward: Reward, n_demos: int, out: Path) -> None:
    table = Table(title=f"MCE IRL: {reward.kind} reward -> {out}", show_header=False)
    table.add_column("quantity")
    table.add_column("value", justify="right")
    horizon = "infinite" if model.horizon_ is None else str(model.horizon_)
    for name, value in (
        ("trajectories", str(n_demos)),
        ("horizon", horizon),
        ("discount", f"{model.discount_:g}"),
        ("log-likelihood (mean per trajectory)", f"{model.log_likelihood_:.6g}"),
        ("gradient norm", f"{model.gradient_norm_:.3g}"),
        ("iterations", str(model.n_iter_)),
        ("converged", "yes" if model.converged_ else "no"),
    ):
        table.add_row(name, value)
    stderr.print(table)


# ---------------------------------------------------------------------- entry point
@contextlib.contextmanager
def _warnings_on_stderr() -> Iterator[None]:
    """Show warnings as one ``warning: <message>`` line each (no source lines)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")
        try:
            yield
        finally:
            for warning in caught:
                sys.stderr.write(f"warning: {_one_line(str(warning.message))}\n")


def _one_line(message: str) -> str:
    return " ".join(message.split())


def main(argv: Sequence[str] | None = None) -> None:
    """Run the command line (the ``valuelearn`` entry point); exits with the command's status.

    Bad input (:class:`ValueLearnInputError`, unreadable files) exits with status 2 after one
    ``error: <message>`` line on stderr; usage errors also exit with 2.
    """
    try:
        with _warnings_on_stderr():
            app(args=None if argv is None else list(argv), prog_name="valuelearn")
    except (ValueLearnInputError, json.JSONDecodeError) as error:
        _fail(str(error))
    except OSError as error:
        if error.filename is not None:
            _fail(f"{error.filename}: {(error.strerror or str(error)).lower()}.")
        _fail(str(error))


def _fail(message: str) -> None:
    sys.stderr.write(f"error: {_one_line(message)}\n")
    sys.stderr.flush()
    raise SystemExit(2)
