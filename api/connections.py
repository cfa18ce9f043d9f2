"""The HTTP connection guard: what a client may hold before the app sees a request (issue 15,
items 2 and 5). uvicorn's httptools protocol, with four bounds it lacks:

- a header timeout: the request line and headers must arrive within `header_timeout` seconds of
  the connection (or, on a kept-alive connection, of the request's first byte), else the
  connection is closed (408). uvicorn has no such timer: a half-sent request held its file
  descriptor for ever (slowloris).
- the head's size (request line + headers, `max_head` bytes) and the number of headers
  (`max_headers`): counted as the bytes arrive, before httptools buffers them, so a 32 MB header
  costs no more than `max_head` plus one read; answered 431. The app's middleware
  (api/middleware/limits.py) never sees an unbounded header, nor does the answer cache key on one.
- connections per client address (`per_client`): past it a new connection from that address is
  answered 503 and closed at once, so one client cannot take every descriptor;
- connections in all (`max_connections`), below the process's descriptor limit.

Why here and not uvicorn's own options: `limit_concurrency` answers 503 to *everyone* once the
slow connections fill it (the well-behaved client fails too); `timeout_keep_alive` only runs between
requests; `h11_max_incomplete_event_size` exists only for the pure-Python h11 parser, several
times slower than httptools. A reverse proxy in front would do the same, but `kg serve` is meant to
be safe on its own. Refusals are RFC 9457 problem+json like every other error."""

from __future__ import annotations

import json
import resource
from collections import Counter

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT = 10.0
MAX_HEAD = 32 * 1024
MAX_HEADERS = 100
PER_CLIENT = 64


def default_max_connections() -> int:
    """Most connections at once: the descriptor limit, less room for the store and the workers."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    return max(64, min(soft - 256, 16384) if soft > 0 else 1024)


def _problem(status: int, reason: str, detail: str) -> bytes:
    body = json.dumps({"type": "about:blank", "title": reason, "status": status, "detail": detail}).encode()
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/problem+json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n"
            + ("retry-after: 5\r\n" if status == 503 else "") + "\r\n").encode() + body


class GuardedHttpTools(HttpToolsProtocol):
    """HttpToolsProtocol under the bounds above (class attributes; `guarded()` makes a configured copy)."""

    header_timeout = HEADER_TIMEOUT
    max_head = MAX_HEAD
    max_headers = MAX_HEADERS
    per_client = PER_CLIENT
    max_connections = 1024
    clients: Counter  # open connections per client address (shared by the class's connections)

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._peer = self.client[0] if self.client else None
        self._head_timer = None
        self._head_bytes, self._head_size, self._header_count, self._in_head = 0, 0, 0, True
        self.clients[self._peer] += 1
        if self.clients[self._peer] > self.per_client:
            return self._refuse(503, "Service Unavailable",
                                f"this client has {self.per_client} connections open already")
        if len(self.connections) > self.max_connections:
            return self._refuse(503, "Service Unavailable", "the server has all the connections it takes")
        self._arm()

    def connection_lost(self, exc) -> None:
        self._disarm()
        if self._peer in self.clients:
            self.clients[self._peer] -= 1
            if self.clients[self._peer] <= 0:
                del self.clients[self._peer]
        self._peer = object()  # counted down once
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._in_head:  # every byte before this chunk was head (the headers are not complete yet)
            if self._head_bytes > self.max_head:  # past it already: do not buffer more of it
                return self._refuse(431, "Request Header Fields Too Large", self._head_detail())
            self._head_bytes += len(data)  # (this chunk may also hold the start of a body)
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if not self._in_head:  # a new request on a kept-alive connection
            self._in_head, self._head_bytes, self._head_size, self._header_count = True, 0, 0, 0
        self._arm()

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        self._check_head(len(url))

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_count += 1
        if self._header_count > self.max_headers:
            return self._refuse(431, "Request Header Fields Too Large",
                                f"more than {self.max_headers} header fields")
        self._check_head(len(name) + len(value) + 4)
        super().on_header(name, value)

    def on_headers_complete(self) -> None:
        self._in_head = False
        self._disarm()
        if self.transport.is_closing():
            return
        super().on_headers_complete()

    # --

    def _check_head(self, n: int) -> None:
        self._head_size += n
        if self._head_size > self.max_head:
            self._refuse(431, "Request Header Fields Too Large", self._head_detail())

    def _head_detail(self) -> str:
        return f"the request line and headers are larger than this service takes ({self.max_head} bytes)"

    def _arm(self) -> None:
        if self._head_timer is None and not self.transport.is_closing():
            self._head_timer = self.loop.call_later(self.header_timeout, self._head_timeout)

    def _disarm(self) -> None:
        if getattr(self, "_head_timer", None) is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_timeout(self) -> None:
        self._head_timer = None
        if self._in_head and not self.transport.is_closing():
            self._refuse(408, "Request Timeout",
                         f"the request's headers did not arrive within {self.header_timeout:g} s")

    def _refuse(self, status: int, reason: str, detail: str) -> None:
        self._disarm()
        self._in_head = False
        if not self.transport.is_closing():
            self.transport.write(_problem(status, reason, detail))
            self.transport.close()


def guarded(header_timeout: float = HEADER_TIMEOUT, max_head: int = MAX_HEAD, max_headers: int = MAX_HEADERS,
            per_client: int = PER_CLIENT, max_connections: int | None = None) -> type[GuardedHttpTools]:
    """A GuardedHttpTools class with these bounds (uvicorn.run(http=…) takes a protocol class)."""
    return type("GuardedHttpTools", (GuardedHttpTools,), {
        "header_timeout": header_timeout, "max_head": max_head, "max_headers": max_headers,
        "per_client": per_client, "max_connections": max_connections or default_max_connections(),
        "clients": Counter()})
