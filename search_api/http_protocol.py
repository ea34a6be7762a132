"""uvicorn's httptools protocol with the request head capped while it arrives.

httptools holds a header line until it ends, however long: a 20 MiB header was answered 200 and
four half-sent 50 MiB ones held 163 MB. Here the bytes of a head are counted as they come in;
past ``MAX_HEAD_BYTES`` the client gets 431 and the connection is closed. ``taizhang serve``
names this class by its import string (``PROTOCOL``), so uvicorn's worker processes load it too.
"""

from __future__ import annotations

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from search_api.limits import MAX_HEAD_BYTES

PROTOCOL = "search_api.http_protocol:LimitedHttpToolsProtocol"
_TOO_LARGE = b"request headers too large"


class LimitedHttpToolsProtocol(HttpToolsProtocol):
    head_bytes: int | None = 0  # bytes of the head seen so far; None while a body is arriving

    def data_received(self, data: bytes) -> None:
        # counted before parsing: a chunk that ends the head (and maybe the whole message) resets
        # the count through the callbacks below, so a large body in the head's chunk is not counted
        if self.head_bytes is not None:
            self.head_bytes += len(data)
        super().data_received(data)
        if self.head_bytes is None or self.transport.is_closing():
            return
        if self.head_bytes > MAX_HEAD_BYTES:
            self.transport.write(b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-type: text/plain\r\n"
                                 b"content-length: %d\r\nconnection: close\r\n\r\n%s" % (len(_TOO_LARGE), _TOO_LARGE))
            self.transport.close()

    def on_headers_complete(self) -> None:
        self.head_bytes = None
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self.head_bytes = 0
