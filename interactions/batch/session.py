"""One batch run from start to end: read, check, write, count, and the exit code."""

from __future__ import annotations

import contextlib
import functools
import gc
import importlib
import sys
from collections.abc import Iterable, Iterator
from itertools import chain
from typing import Any, TextIO

from ..errors import CheckMedsError, Interrupted
from ..exitcodes import ExitCode
from . import ReadOptions, Record
from .formats import read
from .progress import make_progress
from .runner import Budget, Checker, WorkerLost, auto_jobs, chunks, run
from .source import Source
from .tally import Tally

# output format -> writer module in interactions.reporters (imported only when used)
WRITERS = {"table": "batch_table", "jsonl": "batch_jsonl", "csv": "batch_csv"}
OUTPUT_FORMATS = tuple(WRITERS)


class BatchOptions:
    """What the command line asked for."""

    def __init__(
        self,
        path: str,
        input_format: str = "auto",
        id_column: str | None = None,
        med_column: str | None = None,
        fmt: str = "jsonl",
        fail_on: str = "minor",
        min_severity: str = "minor",
        age: int | None = None,
        rules: list[str] | None = None,
        jobs: int = 0,
        progress: bool = False,
        details: int = 20,
        detail: str = "full",
        color: bool = False,
        width: int = 100,
        sheet: str | None = None,
        merge: bool = True,
        include_inactive: bool = False,
    ) -> None:
        self.sheet = sheet
        self.merge = merge
        self.include_inactive = include_inactive
        self.path = path
        self.input_format = input_format
        self.id_column = id_column
        self.med_column = med_column
        self.fmt = fmt
        self.fail_on = fail_on
        self.min_severity = min_severity
        self.age = age
        self.rules = rules
        self.jobs = jobs
        self.progress = progress
        self.details = details
        self.detail = detail
        self.color = color
        self.width = width


def make_writer(opts: BatchOptions, kb: Any) -> Any:
    module = importlib.import_module(f"interactions.reporters.{WRITERS[opts.fmt]}")
    source = "<stdin>" if opts.path == "-" else opts.path
    return module.Writer(kb, min_severity=opts.min_severity, details=opts.details, detail=opts.detail, color=opts.color, width=opts.width, source=source)


def rebuild_checker(opts: BatchOptions) -> Checker:
    """A checker built from scratch (knowledge base from the cache), for workers that were not forked."""
    from ..cliutil import load_kb

    kb = load_kb(opts.rules)
    return Checker(kb, make_writer(opts, kb), opts.age)


def read_options(kb: Any, **kw: Any) -> ReadOptions:
    """Reader options that ask ``kb`` about RxNorm codes and about ids that look like medications."""
    from ..normalize import resolve

    names = kb.names
    return ReadOptions(
        has_code=lambda code: ("rxcui:" + code) in names, is_medication=lambda text: resolve(text, kb).ok, **kw,
    )


def run_batch(opts: BatchOptions, out: TextIO | None = None, err: TextIO | None = None) -> ExitCode:
    """Check every list of the input and write the report; returns the exit code over the whole run."""
    from ..cliutil import load_kb

    out = out or sys.stdout
    err = err or sys.stderr
    kb = load_kb(opts.rules)
    source = Source(opts.path, opts.sheet)
    try:
        read_opts = read_options(
            kb, id_column=opts.id_column, med_column=opts.med_column, merge=opts.merge, include_inactive=opts.include_inactive,
        )
        _, records = read(source, opts.input_format, read_opts)
        tally = Tally()
        budget = Budget()
        chunked = chunks(_counted(records, tally), budget)
        first = next(chunked, None)  # problems with the whole file surface before any output
        if first is None:
            raise CheckMedsError(f"{source.name}: no medication lists found", ExitCode.USAGE)
        writer = make_writer(opts, kb)
        checker = Checker(kb, writer, opts.age)
        second = next(chunked, None)
        jobs = opts.jobs if opts.jobs > 0 else auto_jobs(_size(opts.path))
        if second is None:
            jobs = 1  # one chunk: not worth a process
        head = [first] if second is None else [first, second]
        progress = make_progress(opts.progress)
        _write_notes(read_opts, err)  # the columns used, duplicate ids...: before the output, where they help
        writer.begin(out)
        threshold = gc.get_threshold()
        gc.freeze()  # the knowledge base is never garbage: keep it out of every collection (and shared after fork)
        gc.set_threshold(50_000, 20, 100)  # many short-lived objects per list; collect less often
        signals = Signals()
        last: tuple = (None, None)
        try:
            with signals:
                for packed, n, digests in run(chain(head, chunked), checker, jobs, functools.partial(rebuild_checker, opts)):
                    with signals.deferred():  # an entry is written whole or not at all
                        writer.emit(packed, out)
                        budget.learn(n, len(packed) if isinstance(packed, bytes) else 0)
                        tally.lists_out += n
                        tally.add(digests)
                        if digests:
                            last = digests[-1][:2]
                    progress.advance(n)
        except Interrupted as exc:
            raise Interrupted(exc.signum, _stopped(exc.signum, tally.lists_out, last)) from None
        except WorkerLost as exc:  # killed from outside (the out-of-memory killer): exit 5, the output ends there
            raise CheckMedsError(_lost(exc, tally.lists_out, last), ExitCode.INTERNAL) from None
        finally:
            progress.close()
            gc.set_threshold(*threshold)
            gc.unfreeze()
        writer.close(tally, out)
        out.flush()
        _write_notes(read_opts, err)
        if opts.fmt != "table":
            err.write(f"check-meds: {tally.line()}\n")
        if tally.lists_in != tally.lists_out:
            raise RuntimeError(f"{tally.line()}: lists were lost")
        return tally.exit_code(opts.fail_on)
    finally:
        source.close()


def _write_notes(read_opts: ReadOptions, err: TextIO) -> None:
    for note in read_opts.notes:
        err.write(f"check-meds: {note}\n")
    read_opts.notes.clear()


SIGNAL_NAMES = {2: "Ctrl-C", 1: "SIGHUP", 15: "SIGTERM"}


def _written(written: int, last: tuple) -> str:
    what = f"{written} list{'s' if written != 1 else ''} written"
    if written and last[0] is not None:
        what += f" (the last: {last[0]!r}" + (f", line {last[1]}" if last[1] is not None else "") + ")"
    return what


def _stopped(signum: int, written: int, last: tuple) -> str:
    """The stderr line of an interrupted run: how many lists were written, and the last of them."""
    return f"interrupted ({SIGNAL_NAMES.get(signum, f'signal {signum}')}): {_written(written, last)}; the output ends there, the rest was not checked"


def _lost(exc: WorkerLost, written: int, last: tuple) -> str:
    """The stderr line of a run whose worker process ended: what was written, and the first list lost."""
    first = exc.first
    lost = f"lists from {first[0]!r} (line {first[1]}) on" if first[1] is not None else f"lists from {first[0]!r} on"
    return (f"a worker process ended unexpectedly ({exc.how()}): {_written(written, last)}; {lost} were not checked "
            "(the output ends there; run again, with fewer --jobs if memory is short)")


class Signals:
    """Ctrl-C, SIGTERM and SIGHUP end the run with :class:`Interrupted`, never halfway through writing an entry."""

    SIGNALS = ("SIGINT", "SIGTERM", "SIGHUP")

    def __init__(self) -> None:
        self.pending: int | None = None
        self.holding = False
        self._old: dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        if self.holding:
            self.pending = signum
            return
        raise Interrupted(signum)

    def __enter__(self) -> Signals:
        import signal

        for name in self.SIGNALS:
            num = getattr(signal, name, None)
            if num is None:
                continue
            try:
                self._old[num] = signal.signal(num, self._handle)
            except (ValueError, OSError):  # not the main thread: leave signals as they are
                pass
        return self

    def __exit__(self, *exc: object) -> None:
        import signal

        for num, old in self._old.items():
            signal.signal(num, old)
        self._old.clear()

    @contextlib.contextmanager
    def deferred(self) -> Iterator[None]:
        self.holding = True
        try:
            yield
        finally:
            self.holding = False
        if self.pending is not None:
            signum, self.pending = self.pending, None
            raise Interrupted(signum)


def _size(path: str) -> int | None:
    """The input's size in bytes when it is a regular file."""
    import os
    import stat

    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_size if stat.S_ISREG(st.st_mode) else None


def _counted(records: Iterable[Record], tally: Tally) -> Iterator[Record]:
    for rec in records:
        tally.lists_in += 1
        yield rec
