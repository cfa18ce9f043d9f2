"""The one error shape of the whole API, built by one helper (`error_body`).

Every error is an RFC 9457 problem document, `application/problem+json`:

    {"type": "about:blank", "title": "Not Found", "status": 404, "detail": "unknown place 'Atlantis' …",
     "candidates": [{"iri": …, "label": …}]}

`candidates` (names a parameter could have meant) and `errors` (what failed validation) appear only
when there are some. A browser that prefers HTML gets the same fields as a page."""

from __future__ import annotations

from http import HTTPStatus

from fastapi import Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from api.render import templates
from kg.errors import Busy, NotAcceptable, QueryError, QueryTimeout, UnknownName, WorkerCrashed
from kg.formats import HTML, JSON, PROBLEM, negotiate

EXTRA_FIELDS = ("candidates", "errors")


def error_body(status: int, detail: str, **extra) -> dict:
    """The JSON body of every error: type, title, status and detail, then `candidates` or `errors`."""
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status, "detail": detail}
    for key in EXTRA_FIELDS:
        if extra.get(key):
            body[key] = extra[key]
    unknown = set(extra) - set(EXTRA_FIELDS)
    if unknown:
        raise TypeError(f"error_body() takes no field(s) {', '.join(sorted(unknown))}")
    return body


class ApiError(Exception):
    """Raised by handlers for a client's mistake (or a server failure) they can name."""

    def __init__(self, status: int, detail: str, headers: dict | None = None, **extra):
        super().__init__(detail)
        self.status, self.detail, self.headers, self.extra = status, detail, headers, extra


def error_response(request: Request, status: int, detail: str, headers: dict | None = None, **extra) -> Response:
    body = error_body(status, detail, **extra)
    if negotiate(request.headers.get("accept"), [PROBLEM, JSON, HTML]) == HTML:
        return templates.TemplateResponse(request, "error.html", {"error": body}, status_code=status,
                                          headers=headers)
    return JSONResponse(jsonable_encoder(body), status_code=status, headers=headers, media_type=PROBLEM)


# --- exception handlers (installed by create_app) ----------------------------------------------


def on_api_error(request: Request, exc: ApiError) -> Response:
    return error_response(request, exc.status, exc.detail, exc.headers, **exc.extra)


def on_http_exception(request: Request, exc: StarletteHTTPException) -> Response:
    detail = exc.detail if isinstance(exc.detail, str) else HTTPStatus(exc.status_code).phrase
    if exc.status_code == 404 and detail == "Not Found":
        detail = f"nothing at {request.url.path}"
    return error_response(request, exc.status_code, detail, getattr(exc, "headers", None))


def on_validation_error(request: Request, exc: RequestValidationError) -> Response:
    errors = [{"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
              for e in exc.errors()]
    names = ", ".join(str(e["loc"][-1]) for e in errors if e["loc"])
    return error_response(request, 422, f"invalid parameter(s): {names}" if names else "invalid request",
                          errors=errors)


def on_unknown_name(request: Request, exc: UnknownName) -> Response:
    return error_response(request, 404, str(exc), candidates=exc.candidates)


def on_query_error(request: Request, exc: QueryError) -> Response:
    return error_response(request, 400, str(exc))


def on_storage_error(request: Request, exc: OSError) -> Response:
    return error_response(request, 500, f"the store failed: {exc}")


def on_not_acceptable(request: Request, exc: NotAcceptable) -> Response:
    return error_response(request, 406, str(exc))


def on_query_stopped(request: Request, exc: QueryTimeout | Busy | WorkerCrashed) -> Response:
    """A query stopped at the time limit, a full pool, or a worker that died: 503, nothing of a
    result sent, and a hint to retry (a different query, or later)."""
    return error_response(request, 503, str(exc), {"Retry-After": "5"})


HANDLERS = {
    ApiError: on_api_error,
    StarletteHTTPException: on_http_exception,
    RequestValidationError: on_validation_error,
    UnknownName: on_unknown_name,
    QueryError: on_query_error,
    OSError: on_storage_error,
    NotAcceptable: on_not_acceptable,
    QueryTimeout: on_query_stopped,
    Busy: on_query_stopped,
    WorkerCrashed: on_query_stopped,
}
