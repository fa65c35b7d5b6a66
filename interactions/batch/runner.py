"""Check records and hand back rendered output in input order, on one core or several.

Each list is checked and rendered where it is checked (in a worker with
``--jobs``), so only text and a small digest cross between processes. The
knowledge base is never sent to a worker: workers are forked after it is
loaded (or, where fork is unavailable, load it themselves from the cache).
At most a few chunks are in flight, so memory stays bounded however long
the input.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..engine import check
from . import Record

# A chunk of lists is checked and rendered in one piece (in a worker with
# --jobs), and at most a few chunks per worker are in flight, so memory is
# bounded by the chunk's size in bytes, whatever the lists look like: a chunk
# holds at most CHUNK lists and CHUNK_MEDS medications, and fewer lists once
# the output per list is known to be large (about CHUNK_BYTES of output each).
CHUNK = 256
CHUNK_MEDS = 1024
CHUNK_BYTES = 1 << 20

# (id, line, error, highest rank, severities present, lead rule ids, unrecognised inputs, complete,
#  age-dependent rules not applied for want of an age)
Digest = tuple


class Checker:
    """Everything one process needs to check and render a list."""

    def __init__(self, kb: Any, writer: Any, default_age: int | None) -> None:
        self.kb = kb
        self.writer = writer
        self.default_age = default_age

    def chunk(self, records: list[Record]) -> tuple[Any, int, list[Digest]]:
        """The chunk's output as the writer packs it, how many entries it holds, and each record's digest."""
        kb = self.kb
        writer = self.writer
        default_age = self.default_age
        out: list[Any] = []
        digests: list[Digest] = []
        for rec in records:
            if rec.error is not None:
                out.append(writer.error(rec))
                digests.append((rec.id, rec.line, rec.error, 0, (), (), (), False, 0))
                continue
            age = rec.age if rec.age is not None else default_age
            result = check(rec.meds, kb, age=age)
            out.append(writer.render(rec, result))
            findings = result.findings
            unrec = result.unrecognized
            digests.append(
                (
                    rec.id,
                    rec.line,
                    None,
                    findings[0].rank if findings else 0,
                    tuple({f.severity for f in findings}),
                    tuple(f.rule for f in findings),
                    tuple(u.input for u in unrec),
                    not unrec,
                    len(result.skipped),
                )
            )
        return writer.pack(out), len(out), digests


class Budget:
    """How many lists the next chunk may hold, learnt from the output of the chunks before it."""

    def __init__(self, lists: int = CHUNK) -> None:
        self.lists = lists
        self.most = lists

    def learn(self, entries: int, size: int) -> None:
        """A chunk of ``entries`` lists gave ``size`` bytes of output."""
        if entries and size:
            self.lists = max(1, min(self.most, int(CHUNK_BYTES * entries / size)))


def chunks(records: Iterable[Record], size: int | Budget = CHUNK) -> Iterator[list[Record]]:
    """Records in chunks of at most ``size`` lists (a :class:`Budget` may change it as it goes) and CHUNK_MEDS medications."""
    budget = size if isinstance(size, Budget) else Budget(size)
    c: list[Record] = []
    meds = 0
    for rec in records:
        c.append(rec)
        meds += len(rec.meds)
        if len(c) >= budget.lists or meds >= CHUNK_MEDS:
            yield c
            c = []
            meds = 0
    if c:
        yield c


def cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


# --jobs 0 (the default) uses one process for inputs under AUTO_MIN_BYTES: starting
# workers and sending them lists costs more than it saves (bench/README.md);
# above it, one worker per core that is idle (cores less the load average).
AUTO_MIN_BYTES = 8 << 20


def auto_jobs(input_bytes: int | None) -> int:
    """The number of processes --jobs 0 picks for an input of ``input_bytes`` (None: unknown, a pipe)."""
    if input_bytes is None or input_bytes < AUTO_MIN_BYTES:
        return 1
    n = cores()
    try:
        idle = n - int(os.getloadavg()[0] + 0.5)
    except (AttributeError, OSError):
        idle = n
    return max(1, min(n, idle))


def run(chunked: Iterable[list[Record]], checker: Checker, jobs: int, rebuild: Callable[[], Checker] | None = None) -> Iterator[tuple[Any, int, list[Digest]]]:
    """(packed output, entries, digests) per chunk, in input order.

    Args:
        chunked: records in chunks (see :func:`chunks`).
        checker: checks and renders in this process, or in forked workers.
        jobs: worker processes; 1 checks in this process.
        rebuild: how a worker that was not forked builds its own checker.
    """
    if jobs <= 1:
        for c in chunked:
            yield checker.chunk(c)
        return
    yield from _parallel(chunked, checker, jobs, rebuild)


_CHECKER: Checker | None = None


def _init(rebuild: Callable[[], Checker] | None) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle: no worker tracebacks
    for name in ("SIGTERM", "SIGHUP"):  # not the parent's handlers: a worker just ends, quietly
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), _end_worker)
    global _CHECKER
    if _CHECKER is None and rebuild is not None:
        _CHECKER = rebuild()


def _end_worker(signum: int, frame: Any) -> None:
    # SystemExit, not the default action: unwinding releases the pool's queue locks a
    # waiting worker holds, so the parent's pool.terminate() cannot deadlock on them
    raise SystemExit(128 + signum)


class WorkerLost(Exception):
    """A worker process ended in the middle of a run (killed, out of memory): its chunk is lost.

    Carries the first list not written (id, line) and how the worker ended; the
    lists before it were all yielded, in order.
    """

    def __init__(self, first: tuple, exitcode: int | None) -> None:
        super().__init__(first, exitcode)
        self.first = first
        self.exitcode = exitcode

    def how(self) -> str:
        code = self.exitcode
        if code is not None and code < 0:
            return f"killed by signal {-code}"
        return f"exit status {code}" if code is not None else "ended"


# How often (seconds) the main process, waiting for a chunk, checks that no worker has ended.
WATCH = 0.2


def _collect(entry: tuple, workers: list[Any], results: Any = None) -> tuple[Any, int, list[Digest]]:
    """The result of an in-flight chunk; :class:`WorkerLost` when a worker ends before it is ready.

    A pool whose worker is killed quietly replaces it, and the chunk it held is
    never answered: without this watch the run would wait for it forever.
    """
    result, first = entry
    if isinstance(result, _Done):
        return result.get()
    while not result.ready():
        result.wait(WATCH)
        if result.ready():
            break
        ended = next((w for w in workers if w.exitcode is not None), None)
        if ended is not None:
            raise WorkerLost(first, ended.exitcode)
        if results is not None and not results.is_alive():  # the pool's result thread failed: nothing more will arrive
            raise WorkerLost(first, None)
    return result.get()


def _work(records: list[Record]) -> tuple[Any, int, list[Digest]]:
    return _CHECKER.chunk(records)  # type: ignore[union-attr]


class _Done:
    """A chunk the main process checked itself, queued in order with the workers' results."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def ready(self) -> bool:
        return True

    def get(self) -> Any:
        return self.value


def _parallel(chunked: Iterable[list[Record]], checker: Checker, jobs: int, rebuild: Callable[[], Checker] | None) -> Iterator[tuple[Any, int, list[Digest]]]:
    """Workers check chunks; when they are all busy the main process checks the next chunk itself
    rather than wait, so a run never waits on loaded workers (and is not slower than one process)."""
    import multiprocessing

    global _CHECKER
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    _CHECKER = checker  # inherited by forked workers; never pickled
    pool = ctx.Pool(jobs, initializer=_init, initargs=(None if ctx.get_start_method() == "fork" else rebuild,))
    workers = list(getattr(pool, "_pool", ()))  # the pool's processes: one ending means a lost chunk
    restore = _quiet_pool_threads(pool)
    results = getattr(pool, "_result_handler", None)
    finished = False
    try:
        inflight: deque = deque()  # (result, (id, line) of the chunk's first list)
        busy = 0  # chunks handed to workers and not yet collected
        for c in chunked:
            if busy < jobs * 2:
                inflight.append((pool.apply_async(_work, (c,)), (c[0].id, c[0].line)))
                busy += 1
            else:
                inflight.append((_Done(checker.chunk(c)), None))
            while inflight and (inflight[0][0].ready() or len(inflight) > jobs * 4):
                head = inflight.popleft()
                busy -= not isinstance(head[0], _Done)
                yield _collect(head, workers, results)
        while inflight:
            yield _collect(inflight.popleft(), workers, results)
        pool.close()
        pool.join()
        finished = True
    finally:
        if finished:
            pool.terminate()
            restore()
        else:  # the hook stays: the pool's threads outlive a run cut short
            _stop_now(pool)
        _CHECKER = None


def _stop_now(pool: Any) -> None:
    """Stop the workers of a run cut short (a signal, a closed pipe).

    ``pool.terminate()`` can wait forever here: a worker stopped while sending
    a result leaves half a message in the result pipe, and the pool's result
    thread waits for the rest. So the workers are killed, the pool's own
    teardown is cancelled (its threads are daemons and end with the process),
    and the dead workers are reaped.
    """
    import multiprocessing.pool as mpool
    import time

    finalizer = getattr(pool, "_terminate", None)
    handler = getattr(pool, "_worker_handler", None)
    if not hasattr(pool, "_pool") or handler is None or not hasattr(finalizer, "cancel"):
        pool.terminate()
        return
    handler._state = mpool.TERMINATE  # no replacement workers from here on
    workers: dict[int, Any] = {}
    for _ in range(3):  # the handler may be replacing a worker that just ended: catch that one too
        for w in list(pool._pool):
            workers[id(w)] = w
            try:
                w.kill()
            except (OSError, ValueError, AttributeError):
                pass
        time.sleep(0.1)
    finalizer.cancel()  # type: ignore[union-attr]
    for w in workers.values():
        try:
            w.join(timeout=5)
        except (OSError, ValueError, AssertionError):
            pass


def _quiet_pool_threads(pool: Any) -> Callable[[], None]:
    """Errors in the pool's own threads are silent; returns the function that restores the hook.

    A worker stopped by a signal while it writes a result leaves part of a
    message in the result pipe, and the pool's result thread then fails to
    unpickle it. The run ends with its own one-line message (the signal, or
    a lost worker, which :func:`_collect` notices), so that thread's
    traceback must never reach the user. Errors in any other thread still
    go to the previous hook.
    """
    import threading

    threads = {getattr(pool, n, None) for n in ("_result_handler", "_task_handler", "_worker_handler")}
    threads.discard(None)
    previous = threading.excepthook

    def hook(args: Any) -> None:
        if args.thread not in threads:
            previous(args)

    def restore() -> None:
        if threading.excepthook is hook:
            threading.excepthook = previous

    threading.excepthook = hook
    return restore
