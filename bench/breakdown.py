"""Where a batch run's time goes, stage by stage, against the I/O floor, in one process and one run.

python bench/breakdown.py INPUT.csv [--repeat N]

INPUT.csv is long-form CSV (patient_id, medication, age), as `bench/generate.py` writes. Every
stage runs in this process on the same input, one after the other, and is timed in CPU seconds
(`time.process_time`), the measure that holds on a shared machine; of `--repeat` runs (default 3)
the least is kept. The stages are those `check-meds batch --format jsonl --jobs 1` runs, taken
apart:

  floor      read the CSV with the csv module and group rows into lists, then write the
             reference documents' bytes with orjson (what bench/io_floor.py times)
  read       check-meds's own reader: detection, UTF-8 and line checks, ids, ages, grouping
  resolve    every distinct medication string resolved once, with a cold memo
  engine     every list checked, with every string already resolved (the rules alone)
  encode     every result encoded as its jsonl line, with cold piece caches (suggestions for
             unrecognised names are made here)
  write      joining the lines, encoding them as UTF-8 and writing them (to /dev/null), 2,000
             lines at a time as the floor writes

Each stage is printed with its share of the sum and its ratio to the floor. The point is the
ratio of `resolve` and `engine` alone: work the floor does not do at all.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import orjson

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.join(HERE, "..")]

from io_floor import BATCH, group_rows  # noqa: E402

from interactions.batch.formats import read  # noqa: E402
from interactions.batch.session import read_options  # noqa: E402
from interactions.batch.source import Source  # noqa: E402
from interactions.engine import check  # noqa: E402
from interactions.kb import load_knowledge_base  # noqa: E402
from interactions.normalize import resolve  # noqa: E402
from interactions.reporters.batch_jsonl import Encoder  # noqa: E402

clock = time.process_time


def records(path: str, kb) -> list:
    source = Source(path)
    try:
        _, recs = read(source, "auto", read_options(kb))
        return list(recs)
    finally:
        source.close()


def one_run(path: str) -> dict[str, float]:
    t: dict[str, float] = {}
    kb = load_knowledge_base(use_cache=True)  # a fresh knowledge base: every memo cold

    c = clock()
    recs = records(path, kb)
    t["read"] = clock() - c
    kb.resolved.clear()  # the reader may have resolved a list id to see whether it is a medication
    distinct = {m.strip() for r in recs for m in r.meds}

    c = clock()
    memo = kb.resolved
    for s in distinct:
        if s not in memo:
            resolve(s, kb)
    t["resolve"] = clock() - c

    c = clock()
    results = [check(r.meds, kb, age=r.age) for r in recs]
    t["engine"] = clock() - c

    enc = Encoder(kb)
    c = clock()
    lines = [enc.encode(res, r.id, r.line) for res, r in zip(results, recs)]
    t["encode"] = clock() - c

    with open(os.devnull, "wb") as out:
        c = clock()
        for k in range(0, len(lines), BATCH):  # a batch of lines at a time, as the floor writes
            out.write("".join(lines[k:k + BATCH]).encode("utf-8"))
        t["write"] = clock() - c

    # the floor: the csv module and orjson, on the same input and the same documents
    docs = [orjson.loads(line) for line in lines]  # untimed: the floor is given the documents
    c = clock()
    with open(path, newline="", encoding="utf-8") as fin:
        grouped = group_rows(fin)
    with open(os.devnull, "wb") as out:
        for k in range(0, len(docs), BATCH):
            out.write(b"".join(orjson.dumps(d, option=orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE) for d in docs[k:k + BATCH]))
    t["floor"] = clock() - c
    if len(grouped) != len(recs) or len(lines) != len(recs):
        raise SystemExit(f"lists: csv module {len(grouped)}, check-meds {len(recs)}, lines {len(lines)}")
    t["lists"] = len(recs)
    t["distinct"] = len(distinct)
    return t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("input")
    ap.add_argument("--repeat", type=int, default=3)
    a = ap.parse_args()
    runs = [one_run(a.input) for _ in range(a.repeat)]
    stages = ("read", "resolve", "engine", "encode", "write")
    best = {k: min(r[k] for r in runs) for k in (*stages, "floor")}
    n, distinct = runs[0]["lists"], runs[0]["distinct"]
    total = sum(best[k] for k in stages)
    floor = best["floor"]
    print(f"{n:,} lists, {distinct:,} distinct medication strings; CPU seconds, least of {a.repeat} runs; "
          f"load average {os.getloadavg()[0]:.2f}")
    print("| stage | CPU s | share | vs floor | us per list |")
    print("|---|---|---|---|---|")
    for k in stages:
        print(f"| {k} | {best[k]:.3f} | {best[k] / total:.0%} | {best[k] / floor:.2f}x | {best[k] / n * 1e6:.1f} |")
    print(f"| **all stages** | {total:.3f} | 100% | **{total / floor:.2f}x** | {total / n * 1e6:.1f} |")
    print(f"| floor (csv module + orjson) | {floor:.3f} | | 1.00x | {floor / n * 1e6:.1f} |")
    print(f"resolve + engine alone: {(best['resolve'] + best['engine']) / floor:.2f}x the floor; "
          f"lists per CPU second of the engine alone: {n / best['engine']:,.0f}")


if __name__ == "__main__":
    main()
