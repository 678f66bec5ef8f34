"""The elicitation page's web server (Python's standard ``http.server``; no other dependency).

Routes: ``GET /`` (the page), ``GET /elicit.js`` and ``GET /elicit.css`` (its script and style,
shipped with the package: the page loads nothing from the network), ``GET /api/state``,
``POST /api/answer`` (JSON body; see :meth:`ElicitationSession.answer`) and
``GET /api/answers.jsonl`` (the answers as a comparisons file). Errors are JSON
``{"error": "<one line>"}`` with status 400 (malformed), 409 (not the current question), 404, 405,
411, 413 or 415. Bound to a loopback address, the server also refuses requests whose ``Host``
header names another host (a guard against DNS rebinding), and it sends no CORS headers, so
other sites' pages can neither read its answers nor post JSON to it.
"""

from __future__ import annotations

import ipaddress
import json
import tempfile
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any

from valuelearn.data import save_comparisons
from valuelearn.elicit._session import AnswerConflict, ElicitationSession
from valuelearn.exceptions import ValueLearnInputError

#: Largest answer body accepted, in bytes (an answer is well under 200).
MAX_BODY = 4096
_STATIC = {
    "/": ("index.html", "text/html; charset=utf-8"),
    "/elicit.js": ("elicit.js", "text/javascript; charset=utf-8"),
    "/elicit.css": ("elicit.css", "text/css; charset=utf-8"),
}
_SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


class _HTTPError(Exception):
    def __init__(self, status: HTTPStatus, message: str) -> None:
        super().__init__(message)
        self.status = status


def static_files() -> dict[str, bytes]:
    """The page's files, read from the package (``index.html``, ``elicit.js``, ``elicit.css``)."""
    folder = resources.files("valuelearn.elicit") / "static"
    return {name: (folder / name).read_bytes() for name, _ in _STATIC.values()}


def allowed_hosts(host: str, port: int) -> frozenset[str] | None:
    """``Host`` headers a loopback-bound server accepts; ``None`` (any) for other bindings."""
    try:
        loopback = ipaddress.ip_address(host).is_loopback
    except ValueError:
        loopback = host == "localhost"
    if not loopback:
        return None
    names = {host, "localhost", "127.0.0.1", "[::1]"}
    return frozenset(f"{name}:{port}" for name in names) | frozenset(names)


class ElicitServer(ThreadingHTTPServer):
    """A threading HTTP server that serves one :class:`ElicitationSession`.

    Parameters
    ----------
    session : ElicitationSession
    host : str
        Address to bind (``127.0.0.1`` keeps the page on this machine).
    port : int
        Port to bind; ``0`` picks a free one (see ``server_port``).

    Examples
    --------
    >>> import tempfile, pathlib, threading, urllib.request, json
    >>> from valuelearn.elicit import AnswerStore, ElicitationSession, default_items
    >>> store = AnswerStore(pathlib.Path(tempfile.mkdtemp()) / "answers.sqlite")
    >>> server = ElicitServer(ElicitationSession(default_items(), store), "127.0.0.1", 0)
    >>> thread = threading.Thread(target=server.serve_forever, daemon=True)
    >>> thread.start()
    >>> with urllib.request.urlopen(f"{server.url}api/state") as response:
    ...     json.load(response)["answered"]
    0
    >>> server.shutdown(); server.server_close(); store.close()
    """

    daemon_threads = True

    def __init__(self, session: ElicitationSession, host: str, port: int) -> None:
        self.session = session
        self.files = static_files()
        super().__init__((host, port), _Handler)
        self.hosts = allowed_hosts(host, self.server_port)

    @property
    def url(self) -> str:
        """The page's address, ``http://host:port/``."""
        host = str(self.server_address[0])
        return f"http://{f'[{host}]' if ':' in host else host}:{self.server_port}/"


class _Handler(BaseHTTPRequestHandler):
    server: ElicitServer
    server_version = "valuelearn-elicit"

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:
        self._respond(self._get)

    def do_POST(self) -> None:
        self._respond(self._post)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the command prints its own summary."""

    def _respond(self, route: Any) -> None:
        try:
            self._check_host()
            status, content_type, body, extra = route()
        except _HTTPError as error:
            status, content_type, extra = error.status, "application/json", {}
            body = json.dumps({"error": str(error)}).encode()
        self.send_response(status)
        for name, value in {**_SECURITY_HEADERS, **extra}.items():
            self.send_header(name, value)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _check_host(self) -> None:
        hosts = self.server.hosts
        if hosts is not None and self.headers.get("Host", "") not in hosts:
            raise _HTTPError(HTTPStatus.FORBIDDEN, "the Host header names another host.")

    def _get(self) -> tuple[HTTPStatus, str, bytes, dict[str, str]]:
        path = self.path.split("?", 1)[0]
        if path in _STATIC:
            name, content_type = _STATIC[path]
            return HTTPStatus.OK, content_type, self.server.files[name], {}
        if path == "/favicon.ico":
            return HTTPStatus.NO_CONTENT, "image/x-icon", b"", {}
        if path == "/api/state":
            return _json(self.server.session.state())
        if path == "/api/answers.jsonl":
            disposition = {"Content-Disposition": 'attachment; filename="answers.jsonl"'}
            body = export_bytes(self.server.session)
            return HTTPStatus.OK, "application/x-ndjson", body, disposition
        if path == "/api/answer":
            raise _HTTPError(HTTPStatus.METHOD_NOT_ALLOWED, "POST an answer to /api/answer.")
        raise _HTTPError(HTTPStatus.NOT_FOUND, f"no page at {path}.")

    def _post(self) -> tuple[HTTPStatus, str, bytes, dict[str, str]]:
        if self.path.split("?", 1)[0] != "/api/answer":
            raise _HTTPError(HTTPStatus.NOT_FOUND, f"no page to post to at {self.path}.")
        payload = self._json_body()
        try:
            return _json(self.server.session.answer(payload))
        except AnswerConflict as error:
            raise _HTTPError(HTTPStatus.CONFLICT, str(error)) from None
        except ValueLearnInputError as error:
            raise _HTTPError(HTTPStatus.BAD_REQUEST, str(error)) from None

    def _json_body(self) -> object:
        content_type = self.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type != "application/json":
            raise _HTTPError(
                HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
                f"an answer must be sent as application/json; got {content_type or 'none'}.",
            )
        length_header = self.headers.get("Content-Length")
        if length_header is None or not length_header.isdigit():
            raise _HTTPError(HTTPStatus.LENGTH_REQUIRED, "an answer needs a Content-Length.")
        length = int(length_header)
        if length > MAX_BODY:
            self.close_connection = True  # the unread body must not be parsed as a request
            raise _HTTPError(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                f"an answer is at most {MAX_BODY} bytes; got {length}.",
            )
        raw = self.rfile.read(length)
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as error:
            raise _HTTPError(HTTPStatus.BAD_REQUEST, f"the answer is not JSON: {error}.") from None


def _json(document: dict[str, Any]) -> tuple[HTTPStatus, str, bytes, dict[str, str]]:
    return HTTPStatus.OK, "application/json", json.dumps(document).encode(), {}


def export_bytes(session: ElicitationSession) -> bytes:
    """The session's answers as a comparisons JSON Lines file (see ``save_comparisons``)."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "answers.jsonl"
        save_comparisons(session.comparisons(), path)
        return path.read_bytes()
