"""What one request may cost the server, decided before the request costs anything.

- The head (request line and headers) is capped while it is still arriving
  (``search_api.http_protocol``, the protocol ``taizhang serve`` runs): a 20 MiB header line, or
  four half-sent 50 MiB ones, are answered 431 and closed instead of being held in memory.
- ``RequestLimits`` (an ASGI middleware, the outermost layer of the app) answers a write without
  the right token, or a body over its size, before a byte of the body is read: FastAPI would
  otherwise spool a whole multipart upload to a temporary file before the token dependency ran.
  Every write endpoint is listed in ``WRITE_ROUTES`` (a test checks the list against the app).
  A body with no declared size is counted as it streams in and cut at the limit.
- A client that keeps sending wrong tokens is told to wait (429 with ``Retry-After``), and the
  expensive requests (the workbook export, uploads and workbook imports, rebuilds) run at most
  ``heavy_requests`` at a time per process; one more is told to come back (429) rather than
  queued to starve the rest.
"""

from __future__ import annotations

import hmac
import json
import math
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

from pipeline.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

WRITE_ROUTES = frozenset({("POST", "/documents"), ("POST", "/rebuild"), ("POST", "/ledger/corrections"),
                          ("POST", "/ledger/reports"), ("POST", "/ledger/import"), ("POST", "/ledger/tasks")})
UPLOAD_ROUTES = frozenset({("POST", "/documents"), ("POST", "/ledger/import")})  # a file of up to max_file_bytes
HEAVY_ROUTES = UPLOAD_ROUTES | {("POST", "/rebuild"), ("GET", "/export.xlsx")}
MAX_HEAD_BYTES = 32 * 1024  # request line + headers; browsers send 1-2 KiB
MAX_OTHER_BODY_BYTES = 64 * 1024  # the other endpoints read at most a small JSON body
MULTIPART_OVERHEAD = 64 * 1024  # boundaries and part headers around an upload's bytes
HEAVY_RETRY_AFTER_S = 5


def token_refusal(settings: Settings, authorization: str | None) -> tuple[int, str] | None:
    """Why a write is refused (status, reason), or None when ``Authorization`` holds
    ``Bearer <TAIZHANG_API_TOKEN>``. Only that form passes; tokens are compared in constant time."""
    if not settings.api_token:
        return 403, "writes are disabled: set TAIZHANG_API_TOKEN"
    scheme, _, supplied = (authorization or "").partition(" ")
    matches = hmac.compare_digest(supplied.strip().encode(), settings.api_token.encode())
    if scheme != "Bearer" or not matches:
        return 401, "missing or wrong token"
    return None


def upload_limit(settings: Settings) -> int:
    """The largest upload request body: a file of ``max_file_bytes`` and its multipart wrapping."""
    return settings.max_file_bytes + MULTIPART_OVERHEAD


@dataclass
class FailedTokens:
    """Failed token attempts per client: past ``limit`` within ``window_s`` seconds, the client
    waits until the oldest of them leaves the window."""

    limit: int
    window_s: float = 60.0
    _seen: dict[str, deque[float]] = field(default_factory=lambda: defaultdict(deque))

    def wait_s(self, client: str, now: float) -> float:
        attempts = self._seen.get(client)
        if not attempts:
            return 0.0
        while attempts and attempts[0] <= now - self.window_s:
            attempts.popleft()
        if not attempts:
            del self._seen[client]
            return 0.0
        return attempts[0] + self.window_s - now if len(attempts) >= self.limit else 0.0

    def record(self, client: str, now: float) -> None:
        self._seen[client].append(now)
        if len(self._seen) > 10_000:  # a flood of addresses must not grow this without bound
            self._seen.pop(next(iter(self._seen)))


class RequestLimits:
    """The ASGI middleware described in the module docstring."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app, self.settings = app, settings
        self.failed_tokens = FailedTokens(settings.failed_token_limit)
        self.heavy_in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        route = (scope["method"], scope["path"])
        headers = scope.get("headers") or []
        head = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"") \
            + sum(len(name) + len(value) + 4 for name, value in headers)
        if head > MAX_HEAD_BYTES:  # another server (or a test client) let it through
            await _refuse(send, 431, f"request headers over {MAX_HEAD_BYTES:,} bytes")
            return
        if route in WRITE_ROUTES and await self._refused_write(scope, _header(headers, b"authorization"), send):
            return
        limit = upload_limit(self.settings) if route in UPLOAD_ROUTES else MAX_OTHER_BODY_BYTES
        declared = _header(headers, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, 413, f"request body is larger than the limit of {limit:,} bytes")
            return
        if route not in HEAVY_ROUTES:
            await _within_body_limit(self.app, scope, receive, send, limit)
            return
        if self.heavy_in_flight >= self.settings.heavy_requests:
            await _refuse(send, 429, "too many expensive requests at once: retry shortly",
                          retry_after=HEAVY_RETRY_AFTER_S)
            return
        self.heavy_in_flight += 1
        try:
            await _within_body_limit(self.app, scope, receive, send, limit)
        finally:
            self.heavy_in_flight -= 1

    async def _refused_write(self, scope: Scope, authorization: str | None, send: Send) -> bool:
        client = (scope.get("client") or ("?", 0))[0]
        now = time.monotonic()
        wait = self.failed_tokens.wait_s(client, now)
        if wait > 0:
            await _refuse(send, 429, "too many failed token attempts: wait and retry", retry_after=math.ceil(wait))
            return True
        refusal = token_refusal(self.settings, authorization)
        if refusal is None:
            return False
        if refusal[0] == 401:
            self.failed_tokens.record(client, now)
        await _refuse(send, *refusal)
        return True


def _header(headers: list[tuple[bytes, bytes]], name: bytes) -> str | None:
    for key, value in headers:
        if key.lower() == name:
            return value.decode("latin-1").strip()
    return None


async def _refuse(send: Send, status: int, detail: str, retry_after: int | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _within_body_limit(app: ASGIApp, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
    """Run ``app``, cutting a body that grows past ``limit`` as it streams in: the client gets 413
    and the app sees the client leave."""
    received = 0
    refused = False
    started = False

    async def counted_receive() -> Message:
        nonlocal received, refused
        if refused:
            return {"type": "http.disconnect"}
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                refused = True
                if not started:
                    await _refuse(send, 413, f"request body is larger than the limit of {limit:,} bytes")
                return {"type": "http.disconnect"}
        return message

    async def guarded_send(message: Message) -> None:
        nonlocal started
        if refused:
            return  # the 413 has been sent: what the app says after its client left is dropped
        started = started or message["type"] == "http.response.start"
        await send(message)

    await app(scope, counted_receive, guarded_send)
