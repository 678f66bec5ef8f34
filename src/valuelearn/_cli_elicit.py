"""``valuelearn elicit``: serve the page where a person teaches the system their values.

Registered on the ``valuelearn`` app by :mod:`valuelearn.cli`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from valuelearn._cli_common import check_output, stderr
from valuelearn.data import load_items, save_comparisons
from valuelearn.elicit import AnswerStore, ElicitationSession, ElicitServer, default_items
from valuelearn.exceptions import ValueLearnInputError


def elicit(
    items: Annotated[
        Path | None,
        typer.Option(
            help="Items CSV (id, text, numeric features); default: the package's 52 everyday "
            "actions."
        ),
    ] = None,
    db: Annotated[
        Path,
        typer.Option(help="Answers database (SQLite); an existing one resumes its session."),
    ] = Path("answers.sqlite"),
    host: Annotated[
        str, typer.Option(help="Address to serve on (127.0.0.1: this machine only).")
    ] = "127.0.0.1",
    port: Annotated[
        int, typer.Option(min=0, max=65535, help="Port to serve on (0: any free port).")
    ] = 8000,
    export: Annotated[
        Path | None,
        typer.Option(help="Write the database's answers as a comparisons file (.jsonl) and exit."),
    ] = None,
    rater: Annotated[
        str | None, typer.Option(help="Name recorded with each new answer ('rater').")
    ] = None,
) -> None:
    """Serve a web page that asks which of two actions is better and learns your values."""
    if export is not None:
        check_output(export, ".jsonl")
        with AnswerStore(db, create=False) as store:
            answers = store.comparisons()
        save_comparisons(answers, export)
        stderr.print(f"wrote {len(answers)} answers from {db} to {export}")
        return
    item_set = default_items() if items is None else load_items(items)
    with AnswerStore(db) as store:
        session = ElicitationSession(item_set, store, rater=rater)
        try:
            server = ElicitServer(session, host, port)
        except OSError as error:
            reason = (error.strerror or str(error)).lower()
            raise ValueLearnInputError(
                f"cannot serve on {host}:{port}: {reason}; pass another --port (0 picks a free "
                "one) or --host."
            ) from None
        resumed = f", resuming after {len(session.answers)} answers" if len(session.answers) else ""
        stderr.print(
            f"valuelearn elicit: serving {server.url} ({item_set.n_items} items; answers go to "
            f"{db}{resumed}); press Ctrl-C to stop"
        )
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            server.server_close()
        stderr.print(f"stopped; {len(session.answers)} answers are in {db}")
