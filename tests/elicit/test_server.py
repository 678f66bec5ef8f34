"""The page's server over real HTTP: files, the API, status codes, export, restarts."""

from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from valuelearn.data import Items, load_comparisons
from valuelearn.elicit import AnswerStore, ElicitationSession, ElicitServer

ITEMS = Items(["tea", "coffee", "water"], features=[[1.0], [2.0], [0.0]], texts=["a", "b", "c"])


@contextmanager
def serving(path: Path) -> Iterator[ElicitServer]:
    with AnswerStore(path) as store:
        server = ElicitServer(ElicitationSession(ITEMS, store), "127.0.0.1", 0)
        thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
        thread.start()
        try:
            yield server
        finally:
            server.shutdown()
            server.server_close()
            thread.join()


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ElicitServer]:
    with serving(tmp_path / "answers.sqlite") as running:
        yield running


def request(
    server: ElicitServer,
    method: str,
    path: str,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
) -> tuple[int, dict[str, str], bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", server.server_port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def post(server: ElicitServer, document: Any) -> tuple[int, dict[str, Any]]:
    body = json.dumps(document).encode()
    status, _, reply = request(
        server, "POST", "/api/answer", body, {"Content-Type": "application/json"}
    )
    return status, json.loads(reply)


def answer_current(server: ElicitServer, preferred: str) -> dict[str, Any]:
    question = json.loads(request(server, "GET", "/api/state")[2])["question"]
    status, state = post(
        server,
        {
            "question": question["number"],
            "a": question["a"]["id"],
            "b": question["b"]["id"],
            "preferred": preferred,
        },
    )
    assert status == 200, state
    return state


def test_the_page_and_its_files_come_from_the_package(server: ElicitServer) -> None:
    status, headers, page = request(server, "GET", "/")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b'src="/elicit.js"' in page and b'href="/elicit.css"' in page
    assert b"http" not in page  # nothing from the network
    for path, kind in (("/elicit.js", "text/javascript"), ("/elicit.css", "text/css")):
        status, headers, body = request(server, "GET", path)
        assert status == 200 and headers["Content-Type"].startswith(kind) and body
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")


def test_answers_round_trip_through_the_api_and_export(
    server: ElicitServer, tmp_path: Path
) -> None:
    given = [answer_current(server, p) for p in ("a", "equal", "b")]
    assert [state["answered"] for state in given] == [1, 2, 3]
    status, headers, body = request(server, "GET", "/api/answers.jsonl")
    assert status == 200 and "attachment" in headers["Content-Disposition"]
    exported = tmp_path / "exported.jsonl"
    exported.write_bytes(body)
    answers = load_comparisons(exported, ITEMS)
    stored = server.session.store.comparisons()
    assert (answers.a, answers.b, answers.preferred) == (stored.a, stored.b, stored.preferred)
    assert answers.preferred == ("a", "equal", "b")


def test_a_restarted_server_resumes_the_session(tmp_path: Path) -> None:
    path = tmp_path / "answers.sqlite"
    with serving(path) as first:
        answer_current(first, "a")
        before = answer_current(first, "b")
    with serving(path) as second:
        after = json.loads(request(second, "GET", "/api/state")[2])
    assert after == before and after["answered"] == 2


@pytest.mark.parametrize(
    ("method", "path", "body", "headers", "status", "message"),
    [
        ("GET", "/nowhere", None, {}, 404, "no page at /nowhere"),
        ("POST", "/api/state", b"{}", {"Content-Type": "application/json"}, 404, "no page to"),
        ("GET", "/api/answer", None, {}, 405, "POST an answer"),
        ("POST", "/api/answer", b"{}", {"Content-Type": "text/plain"}, 415, "application/json"),
        ("POST", "/api/answer", b"{", {"Content-Type": "application/json"}, 400, "not JSON"),
        ("POST", "/api/answer", b"[]", {"Content-Type": "application/json"}, 400, "JSON object"),
        (
            "POST",
            "/api/answer",
            b" " * 5000,
            {"Content-Type": "application/json"},
            413,
            "at most 4096 bytes; got 5000",
        ),
        ("GET", "/api/state", None, {"Host": "attacker.example"}, 403, "Host header"),
    ],
)
def test_bad_requests_get_a_status_and_one_line(
    server: ElicitServer,
    method: str,
    path: str,
    body: bytes | None,
    headers: dict[str, str],
    status: int,
    message: str,
) -> None:
    got, reply_headers, reply = request(server, method, path, body, headers)
    assert got == status
    assert reply_headers["Content-Type"] == "application/json"
    assert message in json.loads(reply)["error"]
    assert len(server.session.store) == 0


def test_a_double_submission_conflicts_and_is_stored_once(server: ElicitServer) -> None:
    question = json.loads(request(server, "GET", "/api/state")[2])["question"]
    answer = {"question": 0, "a": question["a"]["id"], "b": question["b"]["id"], "preferred": "a"}
    assert post(server, answer)[0] == 200
    status, reply = post(server, answer)
    assert status == 409 and "already answered" in reply["error"]
    status, reply = post(server, {**answer, "question": 1, "a": "tee"})
    assert status == 400 and "field 'a'" in reply["error"]
    assert len(server.session.store) == 1


def test_concurrent_posts_of_one_answer_store_it_once(server: ElicitServer) -> None:
    question = json.loads(request(server, "GET", "/api/state")[2])["question"]
    answer = {"question": 0, "a": question["a"]["id"], "b": question["b"]["id"], "preferred": "b"}
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(post(server, answer)[0])) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200, 409, 409, 409]
    assert len(server.session.store) == 1
