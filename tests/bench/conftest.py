"""Make the test-only scenarios (suite "test") visible to every benchmark test and its workers."""

from __future__ import annotations

from pathlib import Path

import pytest

from valuelearn.bench._registry import SCENARIOS_ENV, load_source

collect_ignore = ["scenarios_for_tests.py"]  # imported by path only, never twice

TEST_SCENARIOS = str(Path(__file__).with_name("scenarios_for_tests.py").resolve())


@pytest.fixture(autouse=True)
def _test_scenarios(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(SCENARIOS_ENV, TEST_SCENARIOS)
    load_source(TEST_SCENARIOS)
