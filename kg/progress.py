"""Progress of long work (loading, validating, exporting) for the person waiting on it.

On a terminal: one progress bar (rich) with the count, the rate and the time left, redrawn in
place. Otherwise (a log, a pipe, CI): a handful of summary lines, one when the work starts, one at
each quarter and one when the last item is done ("checking: 40/40 files (100%), …": a process
reading the output can tell checking is over), however many items there are, instead of one line
per item. The caller prints
the final line (what was done, how much, in how many seconds)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, TypeVar

T = TypeVar("T")
QUARTERS = (0.25, 0.5, 0.75)


class Progress:
    """`with Progress("checking", total, unit="files") as p: ... p.step()`."""

    def __init__(self, what: str, total: int, unit: str = "items", stream: IO[str] | None = None,
                 tty: bool | None = None):
        self.what, self.total, self.unit = what, total, unit
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.done, self.started = 0, time.perf_counter()
        self._bar = self._task = None
        self._quarters = list(QUARTERS)

    def __enter__(self) -> Progress:
        if self.tty:
            from rich.console import Console
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                TaskProgressColumn,
                TextColumn,
                TimeElapsedColumn,
                TimeRemainingColumn,
            )
            from rich.progress import Progress as Bar

            console = Console(file=self.stream, force_terminal=True)
            self._bar = Bar(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TaskProgressColumn(),
                            TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TextColumn("eta"),
                            TimeRemainingColumn(), console=console, transient=False, refresh_per_second=8)
            self._bar.start()
            self._task = self._bar.add_task(self.what, total=self.total or None, rate="")
        else:
            self._line(f"{self.what}: {self.total} {self.unit}")
        return self

    def step(self, _item=None, n: int = 1) -> None:
        self.done += n
        if self._bar is not None:
            self._bar.update(self._task, advance=n, rate=self.rate())
            return
        while self._quarters and self.total and self.done >= self._quarters[0] * self.total:
            self._quarters.pop(0)
            if self.done < self.total:
                self._summary()
        if self.done == self.total:
            self._summary()  # the last: the work this bar counts is done

    def _summary(self) -> None:
        self._line(f"{self.what}: {self.done}/{self.total} {self.unit} ({100 * self.done // self.total}%), "
                   f"{self.rate()}, {self.elapsed():.1f} s")

    def rate(self) -> str:
        seconds = self.elapsed()
        return f"{self.done / seconds:.0f} {self.unit}/s" if seconds > 0 and self.done else ""

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    def _line(self, text: str) -> None:
        print(text, file=self.stream, flush=True)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.stop()


def counted(items: Iterable[T], progress: Progress, every: int = 1000) -> Iterator[T]:
    """`items`, stepping `progress` once per `every` items (and for the rest at the end)."""
    n = 0
    for item in items:
        yield item
        n += 1
        if n == every:
            progress.step(n=n)
            n = 0
    if n:
        progress.step(n=n)
