"""`valuelearn elicit` through the command-line entry point (serving is tested in tests/elicit)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from valuelearn.cli import main
from valuelearn.data import load_comparisons
from valuelearn.elicit import AnswerStore


def run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str]:
    """``valuelearn argv`` in-process: (exit code, stderr)."""
    with pytest.raises(SystemExit) as exit_info:
        main([str(arg) for arg in argv])
    return int(exit_info.value.code or 0), capsys.readouterr().err


def test_export_writes_the_answers_as_a_comparisons_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db, out = tmp_path / "answers.sqlite", tmp_path / "c.jsonl"
    with AnswerStore(db) as store:
        store.append("return_wallet", "litter", "a", "ann")
        store.append("hold_door", "make_tea", "equal", "ann")
    code, err = run(capsys, "elicit", "--db", db, "--export", out)
    assert code == 0 and f"wrote 2 answers from {db} to {out}" in err
    answers = load_comparisons(out)
    assert answers.preferred == ("a", "equal") and answers.rater == ("ann", "ann")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--db", "missing.sqlite", "--export", "c.jsonl"), "missing.sqlite: no answers database"),
        (("--export", "c.json"), "the output file must end in .jsonl"),
        (("--items", "nothing.csv"), "nothing.csv: no such file or directory"),
        (("--port", "70000"), "less than or equal to 65535"),
    ],
)
def test_bad_input_is_one_error_line(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: tuple[str, ...],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    code, err = run(capsys, "elicit", *extra)
    assert code == 2 and message in err and "Traceback" not in err
    assert not (tmp_path / "missing.sqlite").exists()


def test_items_naming_other_actions_than_the_stored_answers_are_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    items, db = tmp_path / "items.csv", tmp_path / "answers.sqlite"
    items.write_text("id,text\nx,Do x\ny,Do y\n")
    with AnswerStore(db) as store:
        store.append("return_wallet", "litter", "a")
    code, err = run(capsys, "elicit", "--items", items, "--db", db)
    assert code == 2
    assert "name item 'return_wallet', which is not among the 2 items" in err


def test_a_busy_port_is_one_error_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, err = run(capsys, "elicit", "--db", tmp_path / "a.sqlite", "--port", str(port))
    assert code == 2
    assert f"cannot serve on 127.0.0.1:{port}: address already in use; pass another" in err
