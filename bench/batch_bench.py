"""Batch benchmark, end to end through the CLI: python bench/batch_bench.py

Generates 100,000 synthetic lists (bench/generate.py, seeded), then runs
``check-meds batch`` on them as a separate process for each output format
and --jobs value, and reports lists per second, CPU time and the peak
resident memory of the largest process (from the rusage of the process and
its workers). Standard output is read through a pipe and its lines counted,
so the figures include writing every byte, and the run fails loudly if a
list went missing. Of --repeat runs, the one with the least CPU time is kept;
the I/O floor is the least of three.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def ensure_input(lists: int, seed: int, fmt: str, shuffle: bool, meds: str = "5-15") -> str:
    os.makedirs(os.path.join(HERE, "out"), exist_ok=True)
    ext = {"csv": "csv", "csv-wide": "csv", "text": "txt", "jsonl": "jsonl"}[fmt]
    name = f"lists-{lists}-{seed}-{fmt}{'-shuffled' if shuffle else ''}{'' if meds == '5-15' else '-meds' + meds}.{ext}"
    path = os.path.join(HERE, "out", name)
    if not os.path.exists(path):
        args = [sys.executable, os.path.join(HERE, "generate.py"), "--lists", str(lists), "--seed", str(seed), "--format", fmt,
                "--meds", meds, "--out", path]
        subprocess.run(args + (["--shuffle"] if shuffle else []), check=True)
    return path


def yardstick() -> float:
    """Milliseconds for sum(range(10**6)), best of 5: how fast this machine is right now."""
    import timeit

    return min(timeit.repeat("sum(range(10**6))", number=1, repeat=5)) * 1000


def run_once(path: str, fmt: str, jobs: int, input_format: str, detail: str = "full", keep: str | None = None) -> dict:
    cmd = [sys.executable, "-m", "cli", "batch", path, "--format", fmt, "--jobs", str(jobs), "--no-progress", "--input-format", input_format]
    if fmt != "table":
        cmd += ["--detail", detail]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    lines = 0
    size = 0
    kept = open(keep, "wb") if keep else None
    while True:
        block = proc.stdout.read(1 << 20)
        if not block:
            break
        lines += block.count(b"\n")
        size += len(block)
        if kept:
            kept.write(block)
    if kept:
        kept.close()
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
    ap.add_argument("--detail", default="full,brief", help="jsonl and csv: --detail values to run")
    ap.add_argument("--meds", default="5-15", help="medications per list, LOW-HIGH (bench/generate.py --meds)")
    ap.add_argument("--no-floor", action="store_true", help="skip the I/O floor (bench/io_floor.py; needs orjson and csv input)")
    a = ap.parse_args(argv)

    path = ensure_input(a.lists, a.seed, a.input, a.shuffle, a.meds)
    subprocess.run([sys.executable, "-m", "cli", "info"], cwd=ROOT, stdout=subprocess.DEVNULL, check=True)  # compile the cache once
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"input: {os.path.relpath(path, ROOT)} ({a.lists:,} lists, {os.path.getsize(path) / 1e6:.1f} MB); "
          f"python {sys.version.split()[0]}; {os.cpu_count()} cores; load average {load:.1f}; "
          f"yardstick sum(range(10**6)) {yardstick():.1f} ms")
    print()
    print("| output | --detail | --jobs | wall s | lists/s | CPU s | lists per CPU s | peak RSS MB | output MB | wall vs I/O floor | CPU vs I/O floor |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    floor = None
    ref = os.path.join(HERE, "out", "reference.jsonl")
    for fmt in a.formats.split(","):
        for detail, jobs in ((d, int(j)) for d in (a.detail.split(",") if fmt != "table" else ["-"]) for j in a.jobs.split(",")):
            best = None
            for _ in range(a.repeat):
                keep = ref if (fmt, detail, jobs, floor) == ("jsonl", "full", 1, None) and not a.no_floor and a.input == "csv" else None
                r = run_once(path, fmt, jobs, a.input if a.input != "csv" or not a.shuffle else "csv", detail, keep)
                if keep:
                    floor = io_floor(path, ref)
                if best is None or r["cpu"] < best["cpu"]:  # CPU time: what holds on a shared machine
                    best = r
            assert best is not None
            if fmt == "jsonl" and best["lines"] != a.lists:
                raise SystemExit(f"jsonl: {best['lines']} lines for {a.lists} lists")
            if f"lists in {a.lists}, lists out {a.lists}" not in best["stderr"] + ("" if fmt != "table" else f"lists in {a.lists}, lists out {a.lists}"):
                raise SystemExit(f"{fmt}: summary line missing: {best['stderr']!r}")
            vs = f"{best['wall'] / floor[0]:.1f}x | {best['cpu'] / floor[1]:.1f}x" if floor and fmt == "jsonl" and detail == "full" else " | "
            print(f"| {fmt} | {detail} | {jobs} | {best['wall']:.2f} | {a.lists / best['wall']:,.0f} | {best['cpu']:.2f} | "
                  f"{a.lists / best['cpu']:,.0f} | {best['rss_mb']:.0f} | {best['bytes'] / 1e6:.0f} | {vs} |", flush=True)
    if floor:
        print(f"\nI/O floor (bench/io_floor.py: read the CSV, write the same jsonl bytes with orjson): {floor[0]:.2f} s wall, {floor[1]:.2f} s CPU")
    return 0


def io_floor(path: str, ref: str, repeat: int = 3) -> tuple[float, float]:
    """(wall, CPU) seconds of the floor's timed work, each the least of ``repeat`` runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        proc = subprocess.run([sys.executable, os.path.join(HERE, "io_floor.py"), path, ref], stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True, check=True)
        walls.append(float(proc.stderr.split("floor_seconds=")[1].split()[0]))
        cpus.append(float(proc.stderr.split("floor_cpu_seconds=")[1].split()[0]))
    return min(walls), min(cpus)


if __name__ == "__main__":
    sys.exit(main())
