"""Request size limits, before any handler runs: a path and query string longer than
`Settings.max_url`, or a body larger than `Settings.max_body` (by its Content-Length, or counted as
it streams in), is answered 413 in the one error shape; headers past MAX_HEAD bytes or MAX_HEADERS
fields, 431 (the connection guard, api/connections.py, refuses them earlier on a real server)."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM, error_body

MAX_HEAD, MAX_HEADERS = 32 * 1024, 100  # as api/connections.py


class _TooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes the limit: an HTTPException, so FastAPI's
    body parsing lets it through and the app's handler answers it in the one error shape."""

    def __init__(self, detail: str):
        super().__init__(413, detail, headers={"Connection": "close"})


def _size(n: int) -> str:
    return f"{n // (1 << 20)} MiB" if n >= 1 << 20 and n % (1 << 20) == 0 else \
        f"{n // 1024} KiB" if n >= 1024 and n % 1024 == 0 else f"{n} bytes"


class SizeLimits:
    """ASGI middleware: 413 for an over-long URL or an over-large body."""

    def __init__(self, app: ASGIApp, max_url: int, max_body: int):
        self.app, self.max_url, self.max_body = app, max_url, max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = scope.get("headers") or ()
        if len(headers) > MAX_HEADERS or sum(len(n) + len(v) + 4 for n, v in headers) > MAX_HEAD:
            return await self._refuse(send, f"more than {MAX_HEADERS} header fields or {_size(MAX_HEAD)} of them",
                                      status=431)
        url = len(scope.get("raw_path") or scope["path"].encode("utf-8")) + len(scope.get("query_string", b""))
        if url > self.max_url:
            return await self._refuse(send, f"the URL is longer than this service takes ({_size(self.max_url)}): "
                                            "send a long query by POST")
        declared = dict(scope.get("headers") or ()).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body:
            return await self._refuse(send, self._body_detail())
        received, started = 0, False

        async def counted() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge(self._body_detail())
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted, watched)
        except _TooLarge:
            if started:
                raise
            await self._refuse(send, self._body_detail())

    def _body_detail(self) -> str:
        return f"the request body is larger than this service takes ({_size(self.max_body)})"

    @staticmethod
    async def _refuse(send: Send, detail: str, status: int = 413) -> None:
        response = JSONResponse(error_body(status, detail), status_code=status,
                                media_type=PROBLEM, headers={"Connection": "close"})
        await response({"type": "http"}, None, send)
