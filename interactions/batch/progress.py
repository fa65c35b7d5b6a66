"""A progress bar on standard error for long runs (rich, imported only when it is shown)."""

from __future__ import annotations

import sys
import time
from typing import Any


class _Silent:
    def advance(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


class _Bar:
    """Lists checked, rate and elapsed time; refreshed by hand (no thread, so workers fork cleanly)."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self._p = Progress(
            SpinnerColumn(),
            TextColumn("checking lists: {task.completed:,}"),
            TextColumn("({task.fields[rate]:,.0f}/s)"),
            TimeElapsedColumn(),
            console=Console(file=sys.stderr),
            auto_refresh=False,
            transient=True,
        )
        self._task = self._p.add_task("check", total=None, rate=0.0)
        self._start = time.perf_counter()
        self._last = 0.0
        self._p.start()

    def advance(self, n: int) -> None:
        now = time.perf_counter()
        self._p.advance(self._task, n)
        if now - self._last > 0.1:
            done = self._p.tasks[0].completed
            self._p.update(self._task, rate=done / max(now - self._start, 1e-9))
            self._p.refresh()
            self._last = now

    def close(self) -> None:
        self._p.stop()


def make_progress(wanted: bool) -> Any:
    """A bar when wanted and standard error is a terminal; otherwise nothing at all."""
    try:
        tty = sys.stderr.isatty()
    except (AttributeError, ValueError):
        tty = False
    return _Bar() if wanted and tty else _Silent()
