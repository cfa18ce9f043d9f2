"""Security headers on every response (issue 15): a strict Content-Security-Policy, so a value that
slipped into a page as markup still runs no script and loads nothing from elsewhere; and nosniff.

Scripts only from this server's own files (`script-src 'self'`: no inline script, no eval, no CDN);
styles from its files, plus inline `style` attributes and the <style> elements CodeMirror and
Leaflet insert (`'unsafe-inline'` for styles only: a style cannot run code); images also as data:
URLs (Leaflet's icons); no plugins, no framing, no <base>, forms only to this server. A response
that sets its own policy keeps it (the Swagger UI page allows its one inline script by its hash)."""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; "
       "form-action 'self'")


def policy(script_hashes: tuple[str, ...] = ()) -> str:
    """CSP, with inline scripts of these hashes ('sha256-…') allowed."""
    if not script_hashes:
        return CSP
    return CSP.replace("script-src 'self'", "script-src 'self' " + " ".join(f"'{h}'" for h in script_hashes))


class SecurityHeaders:
    """ASGI middleware: Content-Security-Policy and X-Content-Type-Options on every HTTP response."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                names = {n.lower() for n, _ in headers}
                if b"content-security-policy" not in names:
                    headers.append((b"content-security-policy", CSP.encode()))
                if b"x-content-type-options" not in names:
                    headers.append((b"x-content-type-options", b"nosniff"))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, with_headers)
