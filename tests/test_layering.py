"""The pipeline's import order: a stage imports only from stages to its left (README)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SOURCE = Path(__file__).parents[1] / "src" / "valuelearn"
#: data/ -> policy/ -> humans/ -> inference/ -> representation/ -> evaluation/
STAGES = ("data", "policy", "humans", "inference", "representation", "evaluation")


def runtime_imports(path: Path) -> set[str]:
    """Modules imported when ``path`` runs: top level and inside functions, not under
    ``if TYPE_CHECKING:``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = {
        id(node)
        for branch in ast.walk(tree)
        if isinstance(branch, ast.If) and "TYPE_CHECKING" in ast.unparse(branch.test)
        for node in ast.walk(branch)
    }
    names = set()
    for node in ast.walk(tree):
        if id(node) in typing_only:
            continue
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


@pytest.mark.parametrize("stage", STAGES)
def test_no_stage_imports_a_later_one(stage: str) -> None:
    later = STAGES[STAGES.index(stage) + 1 :]
    offending = sorted(
        f"{path.relative_to(SOURCE)} imports {name}"
        for path in (SOURCE / stage).glob("*.py")
        for name in runtime_imports(path)
        if name.split(".")[:2] in [["valuelearn", other] for other in (*later, "bench", "cli")]
    )
    assert not offending, offending


def test_the_checker_sees_function_level_imports(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from valuelearn.inference import X\n"
        "def f():\n    from valuelearn.evaluation import y\n"
    )
    assert runtime_imports(module) == {"typing", "valuelearn.evaluation"}
