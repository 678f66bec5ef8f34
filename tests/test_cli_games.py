"""`valuelearn off-switch` through the command-line entry point."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from valuelearn.cli import main


def invoke(capsys: pytest.CaptureFixture[str], *argv: str | Path, status: int = 0) -> str:
    """``valuelearn off-switch argv`` in-process; checks the exit status and returns stdout, or
    the single ``error:`` line (no traceback) when ``status`` is 2."""
    with pytest.raises(SystemExit) as exit_info:
        main(["off-switch", *(str(arg) for arg in argv)])
    out, err = capsys.readouterr()
    assert int(exit_info.value.code or 0) == status, err
    if status == 0:
        return out
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1, err
    assert err.startswith("error: "), err
    return err.strip()


def test_table(capsys: pytest.CaptureFixture[str]) -> None:
    out = invoke(capsys, "--mean", "0", "--sd", "1")
    assert "0.39894" in out and "defer to the human  <- best" in out


@pytest.mark.parametrize(
    ("argv", "incentive", "best"),
    [
        (("--mean", "1", "--sd", "1"), 0.08332, "defer"),
        (("--mean", "1", "--sd", "1", "--rationality", "1"), -0.12532, "act"),
        (("--mean", "-1", "--sd", "1", "--rationality", "1"), -0.12532, "switch_off"),
    ],
)
def test_json(
    capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], incentive: float, best: str
) -> None:
    values = json.loads(invoke(capsys, *argv, "--json"))
    assert round(values["incentive"], 5) == incentive and values["best"] == best
    assert values["defer"] - max(values["act"], 0.0) == pytest.approx(values["incentive"])


def test_samples_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    belief = tmp_path / "u.txt"
    belief.write_text("# utility,probability\n-2,0.5\n1,0.25\n3,0.25\n")
    values = json.loads(invoke(capsys, "--samples", belief, "--json"))
    assert values["defer"] == pytest.approx(1.0) and values["act"] == pytest.approx(0.0)
    draws = tmp_path / "d.txt"
    draws.write_text("-1\n3\n")
    assert json.loads(invoke(capsys, "--samples", draws, "--json"))["incentive"] == pytest.approx(
        0.5
    )


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (("--mean", "1"), "give --mean and --sd"),
        (("--mean", "1", "--sd", "-1"), "--sd must be >= 0"),
        (("--mean", "nan", "--sd", "1"), "--mean must be a finite number"),
        (("--mean", "0", "--sd", "1", "--rationality", "0"), "--rationality must be > 0"),
        (("--mean", "0", "--sd", "1", "--samples", "x.txt"), "either --samples or"),
        (("--samples", "missing.txt"), "missing.txt: no such file"),
    ],
)
def test_bad_input(
    capsys: pytest.CaptureFixture[str],
    argv: tuple[str, ...],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    assert message in invoke(capsys, *argv, status=2)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1\nx\n", "line 2: expected 'utility'"),
        ("1,0.5\n2\n", "line 2: 1 columns"),
        ("1,0.7\n2,0.7\n", "sum to 1.4"),
        ("# nothing\n", "no utilities"),
        ("1,-0.5\n2,1.5\n", "line 1: a negative probability"),
    ],
)
def test_bad_samples_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "u.txt"
    path.write_text(text)
    assert message in invoke(capsys, "--samples", path, status=2)
