"""No request can fill the disk or the memory of the server (issue 18, items 3 and 5).

Reproduced before: a 300 MiB unauthenticated POST /documents got its 401 only after all of it
was spooled to disk; a 20 MiB header line was answered 200 and half-sent ones stayed in memory;
200 wrong tokens in 0.2 s were all answered 401, never 429. The socket tests talk to the real
server (``serve_in_thread`` runs ``taizhang serve``'s protocol) and send only a request's head:
an answer that needs the body never comes, and the test fails on its timeout.
"""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from pipeline.settings import Settings
from search_api.limits import MAX_HEAD_BYTES, RequestLimits
from tests.robustness.conftest import TOKEN

MIB = 1 << 20


def _status_after_head(url: str, head: bytes, timeout: float = 10) -> int:
    """Send ``head`` only and return the status the server answers with while the declared body
    is still unsent (an answer that needs the body never comes: the test fails on its timeout)."""
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=timeout) as conn:
        conn.sendall(head)
        reply = b""
        deadline = time.monotonic() + timeout
        while b"\r\n" not in reply and time.monotonic() < deadline:
            chunk = conn.recv(4096)
            if not chunk:
                break
            reply += chunk
    assert reply.startswith(b"HTTP/1.1 "), reply[:200]
    return int(reply.split()[1])


def _upload_head(length: int, authorization: str | None = None) -> bytes:
    lines = [b"POST /documents HTTP/1.1", b"Host: localhost",
             b"Content-Type: multipart/form-data; boundary=xyz", b"Content-Length: %d" % length]
    if authorization:
        lines.append(b"Authorization: " + authorization.encode())
    return b"\r\n".join(lines) + b"\r\n\r\n"


@pytest.mark.timeout(60)
def test_an_unauthenticated_huge_upload_is_refused_before_its_body(secure_server: str,
                                                                   secure_settings: Settings) -> None:
    before = sum(1 for _ in secure_settings.data_dir.rglob("*"))
    assert _status_after_head(secure_server, _upload_head(300 * MIB)) == 401
    assert sum(1 for _ in secure_settings.data_dir.rglob("*")) == before


@pytest.mark.timeout(60)
def test_a_declared_size_over_the_limit_is_refused_before_the_body(secure_server: str,
                                                                   secure_settings: Settings) -> None:
    too_big = secure_settings.max_file_bytes + 2 * MIB
    assert _status_after_head(secure_server, _upload_head(too_big, f"Bearer {TOKEN}")) == 413


@pytest.mark.timeout(60)
def test_a_header_too_large_is_answered_431_while_it_arrives(secure_server: str) -> None:
    # one header line, never finished: httptools held it all before answering
    head = b"GET /health HTTP/1.1\r\nHost: localhost\r\nX-Filler: " + b"a" * (MAX_HEAD_BYTES + 4096)
    assert _status_after_head(secure_server, head) == 431


def test_a_body_without_a_declared_size_is_cut_at_the_limit(secure_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    small = secure_settings.model_copy(update={"max_file_bytes": 4096})
    with TestClient(create_app(small)) as client:
        def body():  # a generator: sent chunked, with no Content-Length
            for _ in range(64):
                yield b"x" * 8192

        response = client.post("/documents", content=body(), headers={
            "Authorization": f"Bearer {TOKEN}", "Content-Type": "multipart/form-data; boundary=xyz"})
    assert response.status_code == 413, response.text


def test_repeated_wrong_tokens_are_told_to_wait(secure_settings: Settings) -> None:
    from fastapi.testclient import TestClient

    from search_api.app import create_app

    with TestClient(create_app(secure_settings.model_copy(update={"failed_token_limit": 5}))) as client:
        codes = [client.post("/rebuild", headers={"Authorization": "Bearer wrong"}).status_code for _ in range(8)]
        assert codes == [401] * 5 + [429] * 3
        refused = client.post("/rebuild", headers={"Authorization": f"Bearer {TOKEN}"})
        assert refused.status_code == 429 and 0 < int(refused.headers["retry-after"]) <= 60
        assert refused.headers["x-content-type-options"] == "nosniff"
        assert client.get("/health").status_code == 200  # reads are not throttled


def test_heavy_requests_beyond_the_bound_get_429_with_retry_after() -> None:
    """Two exports at once run; the third is told to come back, and runs once one is done."""
    release = asyncio.Event()
    started: list[str] = []

    async def slow_app(scope, receive, send) -> None:
        started.append(scope["path"])
        await release.wait()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    limits = RequestLimits(slow_app, Settings(heavy_requests=2))

    async def call(path: str) -> tuple[int, dict[bytes, bytes]]:
        sent: list[dict] = []

        async def receive():
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message):
            sent.append(message)

        scope = {"type": "http", "method": "GET", "path": path, "headers": [], "client": ("1.2.3.4", 1)}
        await limits(scope, receive, send)
        return sent[0]["status"], dict(sent[0]["headers"])

    async def scenario() -> None:
        first = [asyncio.create_task(call("/export.xlsx")) for _ in range(2)]
        await asyncio.sleep(0.01)
        status, headers = await call("/export.xlsx")
        assert (status, headers[b"retry-after"]) == (429, b"5")
        release.set()
        assert [(await task)[0] for task in first] == [200, 200]
        assert (await call("/export.xlsx"))[0] == 200

    asyncio.run(scenario())
    assert started == ["/export.xlsx"] * 3


def test_every_write_endpoint_is_checked_before_its_body() -> None:
    """A write route missing from WRITE_ROUTES would read (and spool) its body before its token."""
    from search_api.app import create_app
    from search_api.limits import WRITE_ROUTES

    paths = create_app(Settings()).openapi()["paths"]  # every route, however its router is nested
    writes = {(method.upper(), path) for path, operations in paths.items() for method in operations
              if method in {"post", "put", "patch", "delete"}}
    assert writes == set(WRITE_ROUTES)
