"""Issue 15, items 2 and 5, against a real `kg serve`: a half-sent request is closed at the header
timeout (slowloris), a huge or over-numerous set of headers is refused 431 before it is buffered,
and one client address cannot hold more than its share of connections while another is served."""

from __future__ import annotations

import socket
import time

import httpx
import pytest

from support.servers import running_server

pytestmark = pytest.mark.server


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("connections"), "--header-timeout", "1.5",
                        "--connections-per-client", "8", "--query-workers", "2") as url:
        yield url


def address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


def closed_within(sock: socket.socket, seconds: float) -> bytes | None:
    """What the server sent before closing, if it closed within `seconds`; None if it did not."""
    sock.settimeout(seconds)
    data = b""
    try:
        while chunk := sock.recv(65536):
            data += chunk
    except TimeoutError:
        return None
    except ConnectionResetError:
        pass
    return data


def test_a_half_sent_request_is_closed_at_the_header_timeout(server):
    started = time.monotonic()
    with socket.create_connection(address(server)) as sock:
        sock.sendall(b"GET /sparql?query=ASK%7B%7D HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        data = closed_within(sock, 6)
    assert data is not None, "the server kept a half-sent request open"
    assert b" 408 " in data.split(b"\r\n")[0] and b"application/problem+json" in data
    assert time.monotonic() - started < 5
    with socket.create_connection(address(server)) as sock:  # and one that sends nothing at all
        assert closed_within(sock, 6) is not None


def test_huge_or_numerous_headers_are_refused_431(server):
    for headers in ({"accept": "text/csv," + "x" * 4_000_000}, {f"x-h{i}": "1" for i in range(300)}):
        r = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers=headers, timeout=30)
        assert r.status_code == 431, r.text[:200]
        assert r.headers["content-type"] == "application/problem+json"
    assert httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"accept": "text/csv"}).status_code == 200


def test_one_client_cannot_hold_every_connection(server):
    host, port = address(server)
    hogs = []
    try:
        for _ in range(30):  # from 127.0.0.2: another client address on the loopback
            s = socket.socket()
            s.bind(("127.0.0.2", 0))
            s.connect((host, port))
            s.sendall(b"GET / HTTP/1.1\r\n")
            hogs.append(s)
        refused = sum(1 for s in hogs if closed_within(s, 0.5) is not None)
        assert refused >= 30 - 8
        r = httpx.get(f"{server}/sparql", params={"query": "ASK {}"}, headers={"accept": "text/csv"})
        assert r.status_code == 200
    finally:
        for s in hogs:
            s.close()


def test_a_large_body_in_the_same_read_as_its_headers_is_not_mistaken_for_a_large_head(server):
    body = b"query=" + b"%23" + b"x" * 1_000_000 + b"%0AASK%7B%7D"
    with socket.create_connection(address(server)) as sock:
        sock.sendall(b"POST /sparql HTTP/1.1\r\nHost: x\r\nAccept: text/csv\r\nConnection: close\r\n"
                     b"Content-Type: application/x-www-form-urlencoded\r\n"
                     b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
        data = closed_within(sock, 30)
    assert data is not None and data.startswith(b"HTTP/1.1 200"), data[:300]
