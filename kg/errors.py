"""Every exception of kg, in one place: each says what went wrong, in words a caller can show.

The API maps them to HTTP statuses in one table (api/errors.py). Those a query worker raises are
pickled back to the server, so each one that takes arguments says how to rebuild it (`__reduce__`)."""

from __future__ import annotations

from pathlib import Path


class AnnotationError(Exception):
    """A problem in an annotation file. Loading stops, and nothing of the load is written."""

    def __init__(self, path: Path | str, line: int | None, problem: str):
        self.path = Path(path)
        self.line = line
        self.problem = problem
        where = f"{self.path}:{line}" if line else str(self.path)
        super().__init__(f"{where}: {problem}")

    def __reduce__(self):
        return AnnotationError, (self.path, self.line, self.problem)


class UploadError(ValueError):
    """An article sent over HTTP that cannot be taken (before the loader reads it): `status` says
    how (422: bad names; 409: the store's shared entities are not the service's; 500: those are bad)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


class QueryError(ValueError):
    """A bad canned-query file or a bad parameter value (the caller's mistake: a 4xx)."""


class UnknownName(QueryError):
    """A name or IRI given for a place, actor or article that the graph does not have (a 404), with
    the candidates it might have meant."""

    def __init__(self, message: str, candidates: list[dict]):
        super().__init__(message)
        self.candidates = candidates

    def __reduce__(self):
        return UnknownName, (str(self), self.candidates)


class SparqlError(ValueError):
    """A request the service will not run (the caller's mistake: a 4xx)."""


class NotAcceptable(Exception):
    """Nothing the client accepts can be offered (a 406)."""

    def __init__(self, accept: str | None, offered: list[str]):
        super().__init__(f"cannot answer in {accept!r}; this resource is available as: {', '.join(offered)}")
        self.accept, self.offered = accept, offered

    def __reduce__(self):
        return NotAcceptable, (self.accept, self.offered)


class QueryTimeout(Exception):
    """The query ran past the time limit and was stopped."""

    def __init__(self, timeout: float):
        super().__init__(f"the query ran longer than the limit of {timeout:g} s and was stopped")
        self.timeout = timeout

    def __reduce__(self):
        return QueryTimeout, (self.timeout,)


class Busy(Exception):
    """No worker became free in time."""

    def __init__(self, waited: float):
        super().__init__(f"the service is busy: no query worker became free within {waited:g} s")
        self.waited = waited

    def __reduce__(self):
        return Busy, (self.waited,)


class WorkerCrashed(Exception):
    """The worker process running the query died (e.g. it hit its memory cap)."""


class WriteStopped(Exception):
    """A write stopped at its limit (kg.executor.writer): its worker was killed and nothing of the
    write is in the store. `status`: 503 past the time limit (try later, or a smaller write), 413
    past the memory cap (the write is too large)."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status

    def __reduce__(self):
        return WriteStopped, (self.status, str(self))

    @classmethod
    def time(cls, timeout: float) -> WriteStopped:
        return cls(503, f"the write ran longer than the limit of {timeout:g} s and was stopped; nothing of it "
                        "was written")

    @classmethod
    def memory(cls, cap: int, code: int | None) -> WriteStopped:
        cap_text = f"the memory cap of {cap >> 20} MiB" if cap else "its memory"
        exit_text = f" (exit status {code})" if code is not None else ""
        return cls(413, f"the write needed more than {cap_text} and was stopped{exit_text}; nothing of it was "
                        "written: send a smaller one")

    @classmethod
    def died(cls, cap: int, code: int | None) -> WriteStopped:
        """The write worker ended during a write: killed by a signal (an allocation past the cap aborts
        the process), or exited with `code` (what it said is in the server's log)."""
        if code is None or code < 0:
            return cls.memory(cap, code)
        return cls(503, f"the write worker stopped during the write (exit status {code}); nothing of it was written")


class ConflictError(Exception):
    """A file changed since the editor read it: the save is refused, nothing is overwritten (409)."""


class ValidationFailed(Exception):
    """An article that does not check: every AnnotationError of it, with its line."""

    def __init__(self, errors: list):
        self.errors = errors
        super().__init__(f"{len(errors)} error{'s' if len(errors) != 1 else ''}: {errors[0]}" if errors else "invalid")
