"""Reading and writing files for the loaders: strict JSON, atomic writes, one-line errors.

Every problem with a file becomes a :class:`~valuelearn.exceptions.ValueLearnInputError` whose
message starts with the file name (and the line, for JSON Lines), so the command line can print
it as one line. Missing or unreadable files raise the usual :class:`OSError`.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from valuelearn.exceptions import ValueLearnInputError

PathLike = str | os.PathLike[str]

_STRING = r'"(?:[^"\\]|\\.)*"'


class _NonFiniteNumber(Exception):
    """Raised while parsing on ``NaN`` / ``Infinity`` tokens and on numbers that overflow."""


def _reject_constant(token: str) -> Any:
    raise _NonFiniteNumber(token, "is not a JSON number")


def _finite_float(token: str) -> float:
    value = float(token)
    if value - value != 0.0:  # inf (NaN cannot be spelt as a JSON number)
        raise _NonFiniteNumber(token, "overflows a float")
    return value


def parse_json(text: str, source: str, *, multiline: bool = True) -> Any:
    """Parse strict JSON: every number must be finite.

    Python's ``json`` accepts the non-standard tokens ``NaN``, ``Infinity`` and ``-Infinity`` and
    turns ``1e400`` into infinity; all of these are rejected here.

    Parameters
    ----------
    text : str
        The document (a whole file, or one line of a JSON Lines file).
    source : str
        Prefix of error messages: the file name, or ``"file line n"``.
    multiline : bool
        Report the line as well as the column of a syntax error (whole files).

    Raises
    ------
    ValueLearnInputError
        ``"<source>: invalid JSON at line 3, column 7: Expecting ',' delimiter."``.
    """
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
    except json.JSONDecodeError as error:
        where = f"column {error.colno}"
        if multiline:
            where = f"line {error.lineno}, {where}"
        raise ValueLearnInputError(f"{source}: invalid JSON at {where}: {error.msg}.") from None
    except _NonFiniteNumber as error:
        token, problem = error.args
        position = _first_token(text, token)
        line = text.count("\n", 0, position) + 1
        column = position - (text.rfind("\n", 0, position) + 1) + 1
        where = f"line {line}, column {column}" if multiline else f"column {column}"
        raise ValueLearnInputError(
            f"{source}: invalid JSON at {where}: {token} {problem} (numbers must be finite)."
        ) from None
    except RecursionError:
        raise ValueLearnInputError(f"{source}: invalid JSON: nested too deeply.") from None


def _first_token(text: str, token: str) -> int:
    """Offset of the first ``token`` outside a string (0 if none is found)."""
    pattern = re.compile(f"{_STRING}|(?<![\\w.+-]){re.escape(token)}")
    for match in pattern.finditer(text):
        if not match.group().startswith('"'):
            return match.start()
    return 0


def read_text(path: PathLike) -> str:
    """Return the UTF-8 text of ``path``.

    Raises
    ------
    OSError
        If the file is missing or unreadable (``FileNotFoundError`` and friends).
    ValueLearnInputError
        If it is a directory or not UTF-8 text.
    """
    path = Path(path)
    if path.is_dir():
        raise ValueLearnInputError(f"{path}: is a directory, not a file.")
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValueLearnInputError(
            f"{path}: not UTF-8 text (byte 0x{data[error.start]:02x} at offset {error.start})."
        ) from None


def read_json_document(path: PathLike, what: str) -> Any:
    """Read and parse a whole-file JSON document; ``what`` names it in the empty-file message."""
    text = read_text(path)
    if not text.strip():
        raise ValueLearnInputError(f"{path}: the file is empty; expected {what}.")
    return parse_json(text, str(path))


def atomic_write(path: PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Write a file atomically: ``write`` fills a temporary file that then replaces ``path``.

    The temporary file lives in the same directory (so :func:`os.replace` is atomic), is flushed
    to disk before the rename and removed if anything fails; readers never see a partial file.
    A new file gets the permissions the process umask allows; a replaced file keeps its own.

    Raises
    ------
    ValueLearnInputError
        If the directory does not exist or ``path`` is a directory.
    OSError
        If writing fails (permissions, full disk).
    """
    path = Path(path)
    directory = path.parent
    if not directory.is_dir():
        raise ValueLearnInputError(
            f"{path}: cannot write: the directory {directory} does not exist."
        )
    if path.is_dir():
        raise ValueLearnInputError(f"{path}: cannot write: it is a directory.")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as stream:
            write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        mode = path.stat().st_mode & 0o777 if path.exists() else 0o666 & ~_umask()
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def atomic_write_text(path: PathLike, text: str) -> None:
    """Write UTF-8 ``text`` to ``path`` atomically (see :func:`atomic_write`)."""
    data = text.encode("utf-8")

    def write(stream: IO[bytes]) -> None:
        stream.write(data)

    atomic_write(path, write)


def atomic_write_lines(path: PathLike, lines: Iterator[str]) -> None:
    """Write one string per line to ``path`` atomically (streamed, for large files)."""

    def write(stream: IO[bytes]) -> None:
        while chunk := list(itertools.islice(lines, 4096)):
            chunk.append("")
            stream.write("\n".join(chunk).encode("utf-8"))

    atomic_write(path, write)


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
