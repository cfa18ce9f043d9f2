"""A loopback TCP listener that counts the connections it is offered: the witness that nothing
reached the network (tests/unit/test_hardening_network.py)."""

from __future__ import annotations

import contextlib
import socket
import threading


class Listener:
    """Accepts on 127.0.0.1 (a free port) until closed; `hits` counts the connections accepted."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/"
        self.hits = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except (TimeoutError, OSError):
                continue
            self.hits += 1
            with contextlib.suppress(OSError):
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/sparql-results+json\r\n"
                             b"Content-Length: 44\r\n\r\n{\"head\":{\"vars\":[]},\"results\":{\"bindings\":[]}}")
            conn.close()

    def close(self):
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@contextlib.contextmanager
def listening():
    listener = Listener()
    try:
        yield listener
    finally:
        listener.close()
