"""Run the real app with uvicorn on a free loopback port in a background thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.settings import Settings


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve_in_thread(settings: Settings, start_timeout: float = 30) -> Iterator[str]:
    """Yields the base URL; stops the server on exit."""
    import uvicorn

    from search_api.app import create_app

    port = free_port()
    from search_api.http_protocol import PROTOCOL

    config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning",
                            http=PROTOCOL)  # what ``taizhang serve`` runs
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.time() + start_timeout
    while not server.started:
        if time.time() > deadline:
            raise RuntimeError("server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
