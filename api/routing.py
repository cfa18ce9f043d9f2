"""The route class of every router: plain `def` handlers, with query results kept on their thread;
and what the hot handlers (/sparql, /api/<name>) use to stay on the event loop.

FastAPI runs a plain `def` handler in a worker thread (pyoxigraph releases the GIL, so queries run in
parallel). pyoxigraph's lazy results (QuerySolutions, QueryTriples, quad iterators) must be dropped
on the thread that made them; an exception leaving a handler carries its frames, and with them any
such result, to the event loop's thread. So the frames of an escaping exception are cleared before
it leaves the worker thread.

The query handlers are `async def` instead: their queries run in the executor's worker processes
(`arun`: the loop waits on the worker's pipe, no thread), and the answer comes back as bytes."""

from __future__ import annotations

import functools
import inspect
import traceback

from fastapi.routing import APIRoute

from kg.errors import QueryTimeout, WorkerCrashed


def _clear(exc: BaseException | None, seen: set) -> None:
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        traceback.clear_frames(exc.__traceback__)
        _clear(exc.__cause__, seen)
        exc = exc.__context__


def confined(handler):
    """`handler`, but an exception it raises no longer holds the locals of the frames it came through."""
    if inspect.iscoroutinefunction(handler) or inspect.iscoroutinefunction(getattr(handler, "__call__", None)):
        return handler

    @functools.wraps(handler)
    def run(*args, **kwargs):
        try:
            return handler(*args, **kwargs)
        except BaseException as e:
            _clear(e, set())
            raise

    run.__signature__ = inspect.signature(handler, eval_str=True)  # FastAPI reads this, not `run`'s
    return run


class Route(APIRoute):
    def __init__(self, path: str, endpoint, **kwargs):
        super().__init__(path, confined(endpoint), **kwargs)


async def run_job(executor, fn, *args, request=None):
    """fn(ctx, *args) on the executor, from the event loop: `arun` when the executor has it (no
    thread; a worker process), else `run` in the thread pool. With `request`, within its client's
    fair share of the workers (kg/executor/share.py; app.state.shares)."""
    shares = getattr(request.app.state, "shares", None) if request is not None else None
    if shares is not None:
        async with shares.hold(client_of(request)) as slot:
            try:
                return await run_job(executor, fn, *args)
            except (QueryTimeout, WorkerCrashed):  # its worker was killed: the client's slot stays taken
                refilled = getattr(executor, "refilled", None)  # until the replacement is up, so the client
                if refilled is not None:  # cannot take the worker left for others meanwhile; the 503 goes now
                    slot.until = refilled(shares.wait)
                raise
    arun = getattr(executor, "arun", None)
    if arun is not None:
        return await arun(fn, *args)
    import anyio.to_thread

    return await anyio.to_thread.run_sync(executor.run, fn, *args)


def client_of(request) -> str:
    """Who a request is, for the fair share: its bearer token (hashed) when it sends one, else its address."""
    auth = request.headers.get("authorization", "")
    if auth[:7].lower() == "bearer " and len(auth) > 7:
        import hashlib

        return "token:" + hashlib.sha256(auth[7:].encode()).hexdigest()[:16]
    return "address:" + (request.client.host if request.client else "?")
