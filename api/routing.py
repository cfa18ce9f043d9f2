"""The route class of every router: plain `def` handlers, with query results kept on their thread;
and what the hot handlers (/sparql, /api/<name>) use to stay on the event loop.

FastAPI runs a plain `def` handler in a worker thread (pyoxigraph releases the GIL, so queries run in
parallel). pyoxigraph's lazy results (QuerySolutions, QueryTriples, quad iterators) must be dropped
on the thread that made them; an exception leaving a handler carries its frames, and with them any
such result, to the event loop's thread. So the frames of an escaping exception are cleared before
it leaves the worker thread.

The query handlers are `async def` instead: their queries run in the executor's worker processes
(`arun`: the loop waits on the worker's pipe, no thread), and the answer comes back as bytes. FastAPI
runs every plain `def` dependency in the thread pool too (a thread hop each, measured in
bench/RESULTS.md), so those handlers get the store, settings and executor from `resolve`, which
calls the same dependency functions (or the app's overrides of them) in place."""

from __future__ import annotations

import functools
import inspect
import traceback

from fastapi import Request
from fastapi.routing import APIRoute


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


def resolve(request: Request, dependency):
    """`dependency(request)` — or the app's override of it (`app.dependency_overrides`, as tests set
    them), called with the request if it takes an argument — without a trip to the thread pool.
    For the cheap dependencies of api/deps.py only (they read app.state)."""
    call = request.app.dependency_overrides.get(dependency)
    return dependency(request) if call is None else _override(call, request)


def _override(call, request: Request):
    params = inspect.signature(call).parameters
    if any(p.annotation is Request or name == "request" for name, p in params.items()):
        return call(request)
    return call()


def executor_for(request: Request):
    """The store, the settings and the executor of this request, as api/deps.py gives them."""
    from api.deps import get_executor, get_settings, get_store

    store = resolve(request, get_store)
    call = request.app.dependency_overrides.get(get_executor)
    executor = get_executor(request, store) if call is None else _override(call, request)
    return store, resolve(request, get_settings), executor


async def run_job(executor, fn, *args):
    """fn(ctx, *args) on the executor, from the event loop: `arun` when the executor has it (no
    thread; a worker process), else `run` in the thread pool."""
    arun = getattr(executor, "arun", None)
    if arun is not None:
        return await arun(fn, *args)
    import anyio.to_thread

    return await anyio.to_thread.run_sync(executor.run, fn, *args)
