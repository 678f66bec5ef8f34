"""Running the command line in-process, shared by the CLI tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from valuelearn.cli import main


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    """Run ``valuelearn argv`` through :func:`main`; return (exit code, stdout, stderr)."""
    try:
        main([str(arg) for arg in argv])
        code = 0
    except SystemExit as exit_info:
        code = 0 if exit_info.code is None else int(exit_info.code)
    captured = capsys.readouterr()
    return code, captured.out, captured.err
