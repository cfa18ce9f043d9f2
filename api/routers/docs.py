"""/docs without the network: Swagger UI served from the swagger-ui-bundle-v2 package, not a CDN."""

from __future__ import annotations

import base64
import hashlib
import re

from fastapi import APIRouter, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from swagger_ui_bundle import swagger_ui_path

from api.middleware import headers
from api.routing import Route

router = APIRouter(include_in_schema=False, route_class=Route)
ASSETS = "/static/swagger-ui"


@router.get("/docs", name="swagger_ui")
def swagger_ui(request: Request) -> HTMLResponse:
    root = request.scope.get("root_path", "").rstrip("/")
    page = get_swagger_ui_html(
        openapi_url=f"{root}{request.app.openapi_url}", title=f"{request.app.title} — API",
        swagger_js_url=f"{root}{ASSETS}/swagger-ui-bundle.js", swagger_css_url=f"{root}{ASSETS}/swagger-ui.css",
        swagger_favicon_url=f"{root}{ASSETS}/favicon-32x32.png",
        oauth2_redirect_url=f"{root}/docs/oauth2-redirect",
        swagger_ui_parameters={"validatorUrl": None})  # the default validator badge calls an outside host
    return _allow_inline_scripts(page)


def _allow_inline_scripts(page: HTMLResponse) -> HTMLResponse:
    """The page's own inline <script>s allowed by their hashes in its CSP (api/middleware/headers.py)."""
    scripts = re.findall(rb"<script>(.*?)</script>", page.body, re.S)
    hashes = tuple("sha256-" + base64.b64encode(hashlib.sha256(s).digest()).decode() for s in scripts)
    page.headers["Content-Security-Policy"] = headers.policy(hashes)
    return page


@router.get("/docs/oauth2-redirect")
def swagger_ui_redirect() -> HTMLResponse:
    return _allow_inline_scripts(get_swagger_ui_oauth2_redirect_html())


def mount_assets(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=str(swagger_ui_path)), name="swagger-ui-assets")
