"""The benchmark: scenarios, runner, results store and report (see ARCHITECTURE.md)."""

from valuelearn.bench._demo import DEMO_WEIGHTS, DemoRow, run_demo, run_risky_path_demo

__all__ = ["DEMO_WEIGHTS", "DemoRow", "run_demo", "run_risky_path_demo"]
