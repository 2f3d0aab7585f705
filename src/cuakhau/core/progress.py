"""Progress of long work, shown where the work was started.

Long work (the demo generator, loading the reference data) names its stages and advances them;
whoever started it decides how that shows: a live bar on a terminal (rich), one short line per
finished stage when the output is a log file or a pipe (CI logs stay short), nothing at all when
nobody asked (tests, services called from a page). The work never knows which::

    with progress.shown_on(self.stdout):          # in a management command
        generate(...)

    with progress.stage("Writing past trips", total=len(plans)) as step:   # in the work
        for chunk in chunks:
            ...
            step.advance(len(chunk))
        step.done_note = f"{len(plans):,} trips"

A command started by another command (``demo`` runs ``setup``) reports to the display that is
already showing, so its stages appear among the outer command's.
"""

from __future__ import annotations

import contextvars
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_reporter: contextvars.ContextVar[_Reporter | None] = contextvars.ContextVar(
    "cuakhau_progress", default=None
)


class Stage:
    """One stage of the work: how much there is (when known), how much is done."""

    def __init__(self, reporter: _Reporter, title: str, total: int | None):
        self.reporter = reporter
        self.title = title
        self.total = total
        self.completed = 0
        self.started = time.perf_counter()
        # Said after the title once the stage is over ("12,345 trips"); empty says nothing.
        self.done_note = ""

    def advance(self, amount: int = 1) -> None:
        self.completed += amount
        self.reporter.advanced(self)

    def set_total(self, total: int) -> None:
        self.total = total
        self.reporter.advanced(self)

    @property
    def seconds(self) -> float:
        return time.perf_counter() - self.started


class _Reporter:
    """Says nothing: the reporter of work nobody watches."""

    def started(self, stage: Stage) -> None:
        pass

    def advanced(self, stage: Stage) -> None:
        pass

    def finished(self, stage: Stage) -> None:
        pass

    def failed(self, stage: Stage) -> None:
        pass

    def say(self, message: str) -> None:
        pass

    def close(self) -> None:
        pass


_SILENT = _Reporter()


def _finished_line(stage: Stage) -> str:
    note = f": {stage.done_note}" if stage.done_note else ""
    return f"{stage.title}{note} ({stage.seconds:.1f} s)"


class _Lines(_Reporter):
    """A line per finished stage, none while it runs: for log files and pipes."""

    def __init__(self, stream):
        self.stream = stream

    def finished(self, stage: Stage) -> None:
        self.say(_finished_line(stage))

    def say(self, message: str) -> None:
        self.stream.write(message + "\n")
        flush = getattr(self.stream, "flush", None)
        if flush is not None:
            flush()


class _Terminal(_Reporter):
    """A live bar (or a spinner when the amount is unknown) per running stage; each finished
    stage stays on screen as one line."""

    def __init__(self, stream):
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            ProgressColumn,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )
        from rich.text import Text

        class Counted(ProgressColumn):
            """A column shown only for a stage whose amount is known: a bar, "12/340" and the
            time left mean nothing for one that only runs (the spinner and the clock say it)."""

            def __init__(self, column: ProgressColumn):
                super().__init__()
                self.column = column

            def render(self, task):
                return Text("") if task.total is None else self.column.render(task)

        # Django wraps the command's stdout; rich writes to the real stream underneath.
        self.console = Console(file=getattr(stream, "_out", stream), highlight=False)
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            Counted(BarColumn()),
            Counted(MofNCompleteColumn()),
            TimeElapsedColumn(),
            Counted(TimeRemainingColumn()),
            console=self.console,
            transient=True,
            # The work writes through the command's stdout, never through sys.stdout.
            redirect_stdout=False,
            redirect_stderr=False,
        )
        self.tasks: dict[int, object] = {}
        self.bars.start()

    def started(self, stage: Stage) -> None:
        self.tasks[id(stage)] = self.bars.add_task(stage.title, total=stage.total)

    def advanced(self, stage: Stage) -> None:
        self.bars.update(self.tasks[id(stage)], completed=stage.completed, total=stage.total)

    def finished(self, stage: Stage) -> None:
        from rich.text import Text

        self.bars.remove_task(self.tasks.pop(id(stage)))
        self.bars.console.print(Text.assemble(("✓ ", "green"), _finished_line(stage)))

    def failed(self, stage: Stage) -> None:
        self.bars.remove_task(self.tasks.pop(id(stage)))

    def say(self, message: str) -> None:
        self.bars.console.print(message, markup=False)

    def close(self) -> None:
        self.bars.stop()


@contextmanager
def shown_on(stream, *, quiet: bool = False) -> Iterator[None]:
    """Show the progress of the work done inside on ``stream`` (a command's stdout): live on a
    terminal, a line per stage otherwise, nothing when ``quiet``. Inside another display, the
    outer one goes on showing."""
    if _reporter.get() is not None:
        yield
        return
    if quiet:
        reporter = _SILENT
    elif hasattr(stream, "isatty") and stream.isatty():
        reporter = _Terminal(stream)
    else:
        reporter = _Lines(stream)
    token = _reporter.set(reporter)
    try:
        yield
    finally:
        _reporter.reset(token)
        reporter.close()


@contextmanager
def stage(title: str, total: int | None = None) -> Iterator[Stage]:
    """A stage of long work, shown as it runs; ``total`` makes a bar, else a spinner."""
    reporter = _reporter.get() or _SILENT
    current = Stage(reporter, title, total)
    reporter.started(current)
    try:
        yield current
    except BaseException:
        # A failed stage leaves no "done" line: the error says what happened.
        reporter.failed(current)
        raise
    reporter.finished(current)


def track(items: Iterable[T], title: str, total: int | None = None) -> Iterator[T]:
    """Iterate over ``items`` as one stage, advancing its bar by one per item."""
    if total is None and hasattr(items, "__len__"):
        total = len(items)
    with stage(title, total) as current:
        for item in items:
            yield item
            current.advance()


def say(message: str) -> None:
    """A line among the stages (above the live bars on a terminal); nothing when unwatched."""
    (_reporter.get() or _SILENT).say(message)


def watched() -> bool:
    """Whether anyone shows the progress (work may then skip counting it)."""
    return _reporter.get() not in (None, _SILENT)
