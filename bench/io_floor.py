"""The batch I/O floor: read the input and write the same bytes with a fast JSON library, nothing else.

python bench/io_floor.py INPUT.csv REFERENCE.jsonl > /dev/null

Reads long-form CSV (patient_id, medication, age) with the csv module,
grouping contiguous rows into lists, and writes, for each list, its line of
REFERENCE.jsonl (the output of `check-meds batch INPUT --format jsonl`)
re-encoded with orjson (sorted keys; the bytes are the same). Parsing the
reference lines is not the floor's work, so it is done in untimed batches and
only reading the input, encoding and writing are timed; the timed seconds go
to standard error as `floor_seconds=S` (wall) and `floor_cpu_seconds=S` (CPU
time of this process: the measure that holds on a shared machine). Needs orjson (pip install orjson).
"""

from __future__ import annotations

import csv
import sys
import time

import orjson

BATCH = 2000


def group_rows(fin) -> list[list[str]]:
    """The medications of each list, from long-form CSV with contiguous lists: the floor's reading."""
    rows = csv.reader(fin)
    next(rows)
    lists: list[list[str]] = []
    last = None
    for row in rows:
        if row[0] != last:
            lists.append([])
            last = row[0]
        lists[-1].append(row[1])
    return lists


def main() -> None:
    src, ref = sys.argv[1], sys.argv[2]
    out = sys.stdout.buffer
    timed = 0.0
    cpu = 0.0
    clock = time.process_time
    with open(src, newline="", encoding="utf-8") as fin, open(ref, "rb") as fref:
        t, c = time.perf_counter(), clock()
        lists = group_rows(fin)
        timed += time.perf_counter() - t
        cpu += clock() - c
        done = 0
        while done < len(lists):
            docs = [orjson.loads(fref.readline()) for _ in range(min(BATCH, len(lists) - done))]  # untimed
            t, c = time.perf_counter(), clock()
            out.write(b"".join(orjson.dumps(d, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE) for d in docs))
            timed += time.perf_counter() - t
            cpu += clock() - c
            done += len(docs)
    out.flush()
    sys.stderr.write(f"floor_seconds={timed:.3f} floor_cpu_seconds={cpu:.3f} lists={len(lists)}\n")


if __name__ == "__main__":
    main()
