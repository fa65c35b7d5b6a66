"""Batch --detail, chunking by size, and the --jobs default."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path

import pytest

import cli
from interactions.batch import Record, runner

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import generate  # noqa: E402


@pytest.fixture(scope="module")
def lists_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("detail") / "lists.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        generate.write(generate.lists(300, 11), "jsonl", fh)
    return path


def batch(capsys, *args):
    code = cli.run(["batch", *map(str, args), "--no-progress"])
    out, err = capsys.readouterr()
    return code, out, err


def test_brief_jsonl_is_the_full_document_with_short_findings(capsys, lists_file):
    code, full, _ = batch(capsys, lists_file, "--format", "jsonl")
    code_b, brief, _ = batch(capsys, lists_file, "--format", "jsonl", "--detail", "brief")
    assert code == code_b
    n = 0
    for f, b in zip(map(json.loads, full.splitlines()), map(json.loads, brief.splitlines()), strict=True):
        assert {k: v for k, v in f.items() if k != "findings"} == {k: v for k, v in b.items() if k != "findings"}
        assert b["findings"] == [{k: x[k] for k in ("rule", "severity", "title", "drugs", "inputs")} for x in f["findings"]]
        n += len(b["findings"])
    assert n > 100
    assert len(brief) < len(full) * 0.75


def test_brief_csv_is_the_full_csv_without_management(capsys, lists_file):
    _, full, _ = batch(capsys, lists_file, "--format", "csv")
    _, brief, _ = batch(capsys, lists_file, "--format", "csv", "--detail", "brief")
    full_rows = list(csv.reader(io.StringIO(full)))
    assert full_rows[0][-1] == "management"
    assert list(csv.reader(io.StringIO(brief))) == [r[:-1] for r in full_rows]


def test_jobs_give_the_same_bytes_as_one_process(capsys, lists_file):
    one = batch(capsys, lists_file, "--format", "jsonl", "--jobs", "1")
    assert batch(capsys, lists_file, "--format", "jsonl", "--jobs", "2") == one


def test_chunks_follow_medications_and_output_size():
    recs = [Record(str(i), i, ["x"] * 200) for i in range(100)]
    assert max(len(c) for c in runner.chunks(recs)) == -(-runner.CHUNK_MEDS // 200)  # the list that reaches the limit closes the chunk
    budget = runner.Budget()
    sizes = []
    for c in runner.chunks([Record(str(i), i, ["x"]) for i in range(2000)], budget):
        sizes.append(len(c))
        budget.learn(len(c), len(c) * 100_000)  # 100 kB of output per list
    assert sizes[0] == runner.CHUNK and max(sizes[1:]) == runner.CHUNK_BYTES // 100_000
    assert sum(sizes) == 2000


def test_default_jobs_are_one_process_for_small_or_piped_input(monkeypatch):
    assert runner.auto_jobs(None) == 1
    assert runner.auto_jobs(runner.AUTO_MIN_BYTES - 1) == 1
    monkeypatch.setattr(runner, "cores", lambda: 8)
    monkeypatch.setattr(runner.os, "getloadavg", lambda: (2.6, 0, 0))
    assert runner.auto_jobs(runner.AUTO_MIN_BYTES) == 5  # the idle cores
    monkeypatch.setattr(runner.os, "getloadavg", lambda: (9.0, 0, 0))
    assert runner.auto_jobs(runner.AUTO_MIN_BYTES) == 1


def test_an_error_in_the_pools_own_threads_is_silent_but_other_threads_still_report(capsys):
    # a worker killed while writing a result leaves half a message: the pool's result
    # thread then fails to unpickle it, and that traceback must not reach the user
    import threading

    def fail():
        raise TypeError("half a message")

    pool_thread, other = threading.Thread(target=fail), threading.Thread(target=fail)

    class Pool:
        _result_handler = pool_thread

    seen = []
    previous = threading.excepthook
    threading.excepthook = lambda args: seen.append(args.thread)
    try:
        restore = runner._quiet_pool_threads(Pool())
        for t in (pool_thread, other):
            t.start()
            t.join()
        restore()
        assert threading.excepthook is not previous and seen == [other]
    finally:
        threading.excepthook = previous


def test_a_failed_result_thread_ends_the_wait_as_a_lost_chunk():
    import threading

    dead = threading.Thread(target=lambda: None)
    dead.start()
    dead.join()

    class Pending:
        def ready(self):
            return False

        def wait(self, timeout):
            pass

    class Alive:
        exitcode = None

    with pytest.raises(runner.WorkerLost) as lost:
        runner._collect((Pending(), ("7", 7)), [Alive()], dead)
    assert lost.value.first == ("7", 7)
