"""The scenario registry: registration, look-up, suites, and loading extra scenario modules."""

from __future__ import annotations

from pathlib import Path

import pytest

from valuelearn.bench._registry import (
    SCENARIOS_ENV,
    Scenario,
    get,
    load_all,
    register,
    scenarios,
    source_of,
    suites,
)
from valuelearn.exceptions import ValueLearnInputError


def zero(learner: str, n: int, seed: int) -> dict[str, float]:
    return {"epic": 0.0, "normalized_regret": 0.0}


def test_baseline_is_registered_in_default_and_quick():
    baseline = get("baseline")
    assert baseline.learners == ("naive", "aware")
    assert baseline.sweep() == ((10, 100, 1000), (0, 1, 2))
    assert baseline.sweep(quick=True) == ((10, 100), (0, 1))
    assert {"default", "quick", "test"} <= set(suites())
    assert [s.name for s in scenarios("test")] == ["tiny"]


def test_baseline_run_is_deterministic_and_aware_equals_naive():
    naive = get("baseline").run("naive", 50, 3)
    assert naive == get("baseline").run("aware", 50, 3) == get("baseline").run("naive", 50, 3)
    assert 0.0 <= naive["normalized_regret"] < 0.05 and 0.0 <= naive["epic"] < 0.2
    with pytest.raises(ValueLearnInputError, match="'learner'.*got 'bogus'"):
        get("baseline").run("bogus", 10, 0)


def test_config_hash_depends_on_config_only():
    a = Scenario("h", "d", zero, sizes=(1,), config={"x": 1, "y": [1, 2]})
    b = Scenario("h", "other", zero, sizes=(5,), config={"y": [1, 2], "x": 1})
    c = Scenario("h", "d", zero, config={"x": 2, "y": [1, 2]})
    assert a.config_hash == b.config_hash != c.config_hash
    assert a.config_json == '{"x":1,"y":[1,2]}'
    assert a.sweep(quick=True) == a.sweep()  # no quick sweep: the full one


def test_register_refuses_a_different_config_under_the_same_name():
    register(Scenario("dup-check", "d", zero, suites=("x-dup",), config={"v": 1}))
    register(Scenario("dup-check", "d", zero, suites=("x-dup",), config={"v": 1}))  # same: fine
    assert len(scenarios("x-dup")) == 1
    with pytest.raises(ValueLearnInputError, match="'dup-check' is already registered"):
        register(Scenario("dup-check", "d", zero, config={"v": 2}))


@pytest.mark.parametrize(
    ("changes", "match"),
    [
        ({"name": "no spaces"}, "'name' parameter of Scenario must be"),
        ({"sizes": ()}, "'sizes' parameter of Scenario 'ok' must not be empty"),
        ({"seeds": (-1,)}, "'seeds' parameter .* non-negative integers; got \\(-1,\\)"),
        ({"config": {"f": zero}}, "'config' parameter .* JSON-serialisable"),
        ({"metrics": ()}, "'metrics' parameter of Scenario 'ok' must not be empty"),
        ({"x_scale": "log2"}, "'x_scale' parameter .* 'log' or 'linear'; got 'log2' instead"),
    ],
)
def test_scenario_validation(changes: dict[str, object], match: str):
    arguments: dict[str, object] = {"name": "ok", "description": "d", "run": zero, **changes}
    with pytest.raises(ValueLearnInputError, match=match):
        Scenario(**arguments)  # type: ignore[arg-type]


def test_get_unknown_names_the_known_ones():
    with pytest.raises(ValueLearnInputError, match="no scenario named 'nope'; known.*baseline"):
        get("nope")


def test_extra_scenarios_load_from_a_file_and_remember_their_source(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    module = tmp_path / "extra_scenarios_x.py"
    module.write_text(
        "from valuelearn.bench._registry import Scenario, register\n"
        "register(Scenario('extra-x', 'From a file.', lambda learner, n, s: {},\n"
        "                  suites=('x-extra',)))\n"
    )
    monkeypatch.setenv(SCENARIOS_ENV, f"{module}, ")
    load_all()
    assert [s.name for s in scenarios("x-extra")] == ["extra-x"]
    assert source_of("extra-x") == str(module.resolve())
    assert source_of("baseline") == "valuelearn.bench._baseline"


def test_extra_scenarios_that_cannot_be_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv(SCENARIOS_ENV, "no_such_module_xyz")
    with pytest.raises(ValueLearnInputError, match="cannot import scenario module"):
        load_all()
    monkeypatch.setenv(SCENARIOS_ENV, str(tmp_path / "missing.py"))
    with pytest.raises(ValueLearnInputError, match="missing.py does not exist"):
        load_all()
