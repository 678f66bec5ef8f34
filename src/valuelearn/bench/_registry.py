"""The scenario registry: what the benchmark runs, and where each scenario comes from.

A :class:`Scenario` fixes a world and true values, and knows how to score one learner on one data
size and seed (its ``run`` function). Scenarios register themselves when their module is imported.
The registry finds them in three places, in this order:

1. the built-in baseline (:mod:`valuelearn.bench._baseline`);
2. every module of :mod:`valuelearn.bench` whose name starts with ``_scenarios``;
3. the modules named in the environment variable ``VALUELEARN_SCENARIOS`` (comma-separated; an
   entry ending in ``.py`` is a file path, anything else a module name). Tests and users add their
   own scenarios this way without touching the package.

Each scenario remembers the module that registered it (its ``source``), so a worker process or a
Ray worker can import exactly that module before running it.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import json
import os
import pkgutil
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from valuelearn.exceptions import ValueLearnInputError

#: Environment variable naming extra scenario modules (comma-separated names or ``.py`` paths).
SCENARIOS_ENV: Final = "VALUELEARN_SCENARIOS"

RunFunction = Callable[[str, int, int], Mapping[str, float]]
#: Extra HTML for a scenario's report section, built from its current runs (``RunRecord``s).
FigureFunction = Callable[[Sequence[Any]], str]

#: The metrics a scenario reports unless it names its own.
DEFAULT_METRICS: Final[tuple[str, ...]] = ("normalized_regret", "epic")

_BUILTIN: Final = ("valuelearn.bench._baseline",)
_REGISTRY: dict[str, Scenario] = {}
_SOURCES: dict[str, str] = {}  # scenario name -> the spec that loads its module
_LOADED: set[str] = set()  # specs already imported
_LOADING: list[str] = []  # the spec being imported right now (registrations are tagged with it)
_BUILTINS_LOADED = False


@dataclass(frozen=True)
class Scenario:
    """One benchmark challenge: a world, true values, and how to score a learner on it.

    Parameters
    ----------
    name : str
        Unique name (``[a-z0-9_-]+``), used on the command line and in the results database.
    description : str
        One line saying what breaks and what mends it.
    run : callable ``(learner, n, seed) -> dict[str, float]``
        Pure function: simulate ``n`` observations with ``seed``, fit ``learner``, and return its
        scores. It must return at least every name in ``metrics``; other keys are stored too.
        Same arguments, same numbers.
    learners : tuple of str
        Learner names passed to ``run`` (``"naive"``: MCE IRL assuming a soft-optimal human;
        ``"aware"``: the learner that models the human correctly).
    sizes, seeds : tuple of int
        The full sweep: data sizes and seeds.
    quick_sizes, quick_seeds : tuple of int
        The ``--quick`` sweep (keep it a subset of the full one so quick runs are reused).
    suites : tuple of str
        Suites the scenario belongs to (``"default"`` is what ``valuelearn bench`` runs).
    config : mapping
        JSON-serialisable settings of the world and learners. Its hash is part of every result's
        key: change a setting and the old results no longer count as done.
    metrics : tuple of str
        The metrics ``run`` must return, plotted (one panel each) and tabulated in this order;
        default ``("normalized_regret", "epic")``.
    x_label, x_scale : str
        What the integer ``n`` means on the report's x axis (default ``"data size"``), and that
        axis's scale, ``"log"`` (default) or ``"linear"``. A scenario that sweeps something other
        than data size (an alignment level in percent, an optimisation pressure) says so here.
    figures : callable ``(records) -> str``, optional
        Extra HTML for the scenario's report section (figures, tables), built from the
        scenario's current runs (:class:`~valuelearn.bench._store.RunRecord`). Embed Matplotlib
        figures with :func:`valuelearn.bench._report.png_img`.

    Examples
    --------
    >>> def run(learner, n, seed):
    ...     return {"epic": 0.0, "normalized_regret": 0.0}
    >>> scenario = Scenario("toy", "A toy.", run, sizes=(1, 10), seeds=(0,))
    >>> scenario.config_hash == Scenario("toy", "A toy.", run, sizes=(1,), seeds=(1,)).config_hash
    True
    """

    name: str
    description: str
    run: RunFunction
    learners: tuple[str, ...] = ("naive", "aware")
    sizes: tuple[int, ...] = (10, 100, 1000)
    seeds: tuple[int, ...] = (0, 1, 2)
    quick_sizes: tuple[int, ...] | None = None
    quick_seeds: tuple[int, ...] | None = None
    suites: tuple[str, ...] = ("default",)
    config: Mapping[str, Any] = field(default_factory=dict)
    metrics: tuple[str, ...] = DEFAULT_METRICS
    x_label: str = "data size"
    x_scale: str = "log"
    figures: FigureFunction | None = None

    def __post_init__(self) -> None:
        if not self.name or not all(c.isalnum() or c in "_-" for c in self.name):
            raise ValueLearnInputError(
                f"The 'name' parameter of Scenario must be letters, digits, '_' or '-'; got "
                f"{self.name!r} instead."
            )
        for label in ("learners", "sizes", "seeds", "suites", "metrics"):
            if not getattr(self, label):
                raise ValueLearnInputError(
                    f"The '{label}' parameter of Scenario {self.name!r} must not be empty."
                )
        for label in ("sizes", "seeds", "quick_sizes", "quick_seeds"):
            values = getattr(self, label)
            if values is not None and not all(isinstance(v, int) and v >= 0 for v in values):
                raise ValueLearnInputError(
                    f"The '{label}' parameter of Scenario {self.name!r} must hold non-negative "
                    f"integers; got {values!r} instead."
                )
        if self.x_scale not in ("log", "linear"):
            raise ValueLearnInputError(
                f"The 'x_scale' parameter of Scenario {self.name!r} must be 'log' or 'linear'; "
                f"got {self.x_scale!r} instead."
            )
        try:
            json.dumps(dict(self.config), sort_keys=True, allow_nan=False)
        except (TypeError, ValueError) as error:
            raise ValueLearnInputError(
                f"The 'config' parameter of Scenario {self.name!r} must be JSON-serialisable; "
                f"{error}."
            ) from None

    @property
    def config_json(self) -> str:
        """The configuration as canonical JSON (sorted keys, no spaces)."""
        return json.dumps(dict(self.config), sort_keys=True, separators=(",", ":"))

    @property
    def config_hash(self) -> str:
        """First 16 hex digits of the SHA-256 of :attr:`config_json` (part of each run's key)."""
        return hashlib.sha256(self.config_json.encode("utf-8")).hexdigest()[:16]

    def sweep(self, *, quick: bool = False) -> tuple[tuple[int, ...], tuple[int, ...]]:
        """The (sizes, seeds) to run; the quick ones fall back to the full ones when unset."""
        if not quick:
            return self.sizes, self.seeds
        sizes = self.sizes if self.quick_sizes is None else self.quick_sizes
        seeds = self.seeds if self.quick_seeds is None else self.quick_seeds
        return sizes, seeds


def register(scenario: Scenario) -> Scenario:
    """Add ``scenario`` to the registry and return it.

    Registering the same name again is allowed only with the same configuration (a module
    imported twice); it then replaces the earlier entry.

    Raises
    ------
    ValueLearnInputError
        If another scenario with this name but a different configuration is registered.

    Examples
    --------
    >>> def run(learner, n, seed):
    ...     return {"epic": 0.0, "normalized_regret": 0.0}
    >>> register(Scenario("doctest-toy", "A toy.", run, suites=("doctest",))).name
    'doctest-toy'
    >>> [s.name for s in scenarios("doctest")]
    ['doctest-toy']
    """
    existing = _REGISTRY.get(scenario.name)
    if existing is not None and existing.config_hash != scenario.config_hash:
        raise ValueLearnInputError(
            f"a scenario named {scenario.name!r} is already registered with another "
            f"configuration ({existing.config_json}); got {scenario.config_json}."
        )
    _REGISTRY[scenario.name] = scenario
    _SOURCES[scenario.name] = _LOADING[-1] if _LOADING else scenario.run.__module__
    return scenario


def get(name: str) -> Scenario:
    """The registered scenario called ``name``.

    Raises
    ------
    ValueLearnInputError
        If there is none (the message lists the known names).

    Examples
    --------
    >>> get("baseline").learners
    ('naive', 'aware')
    """
    load_all()
    if name not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise ValueLearnInputError(f"no scenario named {name!r}; known scenarios: {known}.")
    return _REGISTRY[name]


def scenarios(suite: str | None = None) -> list[Scenario]:
    """Registered scenarios in registration order; only those in ``suite`` when given.

    Examples
    --------
    >>> "baseline" in [s.name for s in scenarios("default")]
    True
    """
    load_all()
    return [s for s in _REGISTRY.values() if suite is None or suite in s.suites]


def suites() -> list[str]:
    """Every suite name that at least one registered scenario belongs to, sorted.

    Examples
    --------
    >>> "default" in suites()
    True
    """
    return sorted({suite for s in scenarios() for suite in s.suites})


def source_of(name: str) -> str:
    """The spec (module name or ``.py`` path) whose import registers scenario ``name``."""
    get(name)
    return _SOURCES[name]


def load_all() -> None:
    """Import the built-in scenario modules and those named by ``VALUELEARN_SCENARIOS``."""
    global _BUILTINS_LOADED
    if not _BUILTINS_LOADED:
        _BUILTINS_LOADED = True
        for spec in _BUILTIN + _package_scenario_modules():
            load_source(spec)
    for spec in os.environ.get(SCENARIOS_ENV, "").split(","):
        if spec.strip():
            load_source(spec.strip())


def load_source(spec: str) -> None:
    """Import the module ``spec`` (a module name, or a path ending in ``.py``) once.

    Raises
    ------
    ValueLearnInputError
        If the module or file cannot be found.
    """
    if spec.endswith(".py"):
        spec = str(Path(spec).resolve())
    if spec in _LOADED:
        return
    _LOADED.add(spec)
    _LOADING.append(spec)
    try:
        if spec.endswith(".py"):
            _import_path(Path(spec))
        else:
            try:
                importlib.import_module(spec)
            except ModuleNotFoundError as error:
                raise ValueLearnInputError(
                    f"{SCENARIOS_ENV}: cannot import scenario module {spec!r}: {error}."
                ) from None
    except BaseException:
        _LOADED.discard(spec)
        raise
    finally:
        _LOADING.pop()


def _import_path(path: Path) -> None:
    if not path.is_file():
        raise ValueLearnInputError(f"{SCENARIOS_ENV}: scenario file {path} does not exist.")
    digest = hashlib.sha256(str(path).encode()).hexdigest()[:8]
    module_name = f"valuelearn_scenarios_{path.stem}_{digest}"
    if module_name in sys.modules:
        return
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ValueLearnInputError(f"{SCENARIOS_ENV}: cannot import {path} as a Python module.")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)


def _package_scenario_modules() -> tuple[str, ...]:
    package = importlib.import_module("valuelearn.bench")
    return tuple(
        f"valuelearn.bench.{info.name}"
        for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda i: i.name)
        if info.name.startswith("_scenarios")
    )
