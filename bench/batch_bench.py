"""Batch benchmark, end to end through the CLI: python bench/batch_bench.py

Generates 100,000 synthetic lists (bench/generate.py, seeded), then runs
``check-meds batch`` on them as a separate process for each output format
and --jobs value, and reports lists per second, CPU time and the peak
resident memory of the largest process (from the rusage of the process and
its workers). Standard output is read through a pipe and its lines counted,
so the figures include writing every byte, and the run fails loudly if a
list went missing. Best of --repeat runs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def ensure_input(lists: int, seed: int, fmt: str, shuffle: bool) -> str:
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    ext = {"csv": "csv", "csv-wide": "csv", "text": "txt", "jsonl": "jsonl"}[fmt]
    name = f"lists-{lists}-{seed}-{fmt}{'-shuffled' if shuffle else ''}.{ext}"
    path = os.path.join(HERE, "out", name)
    if not os.path.exists(path):
        args = [sys.executable, os.path.join(HERE, "generate.py"), "--lists", str(lists), "--seed", str(seed), "--format", fmt, "--out", path]
        subprocess.run(args + (["--shuffle"] if shuffle else []), check=True)
    return path


def run_once(path: str, fmt: str, jobs: int, input_format: str) -> dict:
    cmd = [sys.executable, "-m", "cli", "batch", path, "--format", fmt, "--jobs", str(jobs), "--no-progress", "--input-format", input_format]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = 0
    size = 0
    while True:
        block = proc.stdout.read(1 << 20)
        if not block:
            break
        lines += block.count(b"\n")
        size += len(block)
    err = proc.stderr.read().decode()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1, 4):
        raise SystemExit(f"check-meds exited {proc.returncode}: {err}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_mb": usage.ru_maxrss / 1024, "lines": lines, "bytes": size, "stderr": err}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lists", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--input", choices=("csv", "csv-wide", "text", "jsonl"), default="csv", help="input format to generate (default: long-form CSV)")
    ap.add_argument("--shuffle", action="store_true", help="long-form CSV with rows shuffled (lists not contiguous)")
    ap.add_argument("--formats", default="jsonl,csv,table")
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--repeat", type=int, default=1)
    a = ap.parse_args(argv)

    path = ensure_input(a.lists, a.seed, a.input, a.shuffle)
    subprocess.run([sys.executable, "-m", "cli", "info"], cwd=ROOT, stdout=subprocess.DEVNULL, check=True)  # compile the cache once
    print(f"input: {os.path.relpath(path, ROOT)} ({a.lists:,} lists, {os.path.getsize(path) / 1e6:.1f} MB); "
          f"python {sys.version.split()[0]}; {os.cpu_count()} cores")
    print()
    print("| output | --jobs | wall s | lists/s | CPU s | peak RSS MB | output MB |")
    print("|---|---|---|---|---|---|---|")
    for fmt in a.formats.split(","):
        for jobs in (int(j) for j in a.jobs.split(",")):
            best = None
            for _ in range(a.repeat):
                r = run_once(path, fmt, jobs, a.input if a.input != "csv" or not a.shuffle else "csv")
                if best is None or r["wall"] < best["wall"]:
                    best = r
            assert best is not None
            if fmt == "jsonl" and best["lines"] != a.lists:
                raise SystemExit(f"jsonl: {best['lines']} lines for {a.lists} lists")
            if f"lists in {a.lists}, lists out {a.lists}" not in best["stderr"] + ("" if fmt != "table" else f"lists in {a.lists}, lists out {a.lists}"):
                raise SystemExit(f"{fmt}: summary line missing: {best['stderr']!r}")
            print(f"| {fmt} | {jobs} | {best['wall']:.2f} | {a.lists / best['wall']:,.0f} | {best['cpu']:.2f} | {best['rss_mb']:.0f} | {best['bytes'] / 1e6:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
