"""Dask against the CLI on the same lists: python bench/scale_out.py --lists 1000000 --workers 2

Generates JSON Lines (bench/generate.py, seeded), splits them into --parts
files, and times, on this machine:
  - check-meds batch FILE --format jsonl (one process, then --jobs WORKERS), output through a pipe;
  - a dask.distributed LocalCluster of WORKERS single-threaded worker processes running
    dask.bag.read_text(parts).map_partitions(check_partition).to_textfiles(...) (docs/scale-out.md).
Every run must account for every list. Needs the 'dask' extra: pip install -e ".[dask]".
"""

from __future__ import annotations

import argparse
import glob
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)


def split(path: str, parts: int, outdir: str) -> list[str]:
    os.makedirs(outdir, exist_ok=True)
    with open(path, encoding="utf-8") as fh:
        lines = fh.readlines()
    size = -(-len(lines) // parts)
    names = []
    for p in range(parts):
        name = os.path.join(outdir, f"part-{p:05d}.jsonl")
        with open(name, "w", encoding="utf-8") as out:
            out.writelines(lines[p * size:(p + 1) * size])
        names.append(name)
    return names


def cli(path: str, jobs: int) -> tuple[float, int]:
    cmd = [sys.executable, "-m", "cli", "batch", path, "--format", "jsonl", "--no-progress", "--jobs", str(jobs)]
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    lines = sum(block.count(b"\n") for block in iter(lambda: proc.stdout.read(1 << 20), b""))
    proc.wait()
    return time.perf_counter() - t, lines


def dask_run(parts_glob: str, outdir: str, workers: int) -> tuple[float, int]:
    import dask.bag as db
    from dask.distributed import Client, LocalCluster

    from interactions import check_partition

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, Client(cluster):
        t = time.perf_counter()
        bag = db.read_text(parts_glob).map_partitions(check_partition)
        bag.to_textfiles(os.path.join(outdir, "*.jsonl"))
        wall = time.perf_counter() - t
    lines = 0
    for name in glob.glob(os.path.join(outdir, "*.jsonl")):
        with open(name, "rb") as fh:  # to_textfiles puts no newline after a file's last line
            lines += sum(1 for line in fh if line.strip())
    return wall, lines


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists", type=int, default=1_000_000)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--parts", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    out = os.path.join(HERE, "out")
    os.makedirs(out, exist_ok=True)
    src = os.path.join(out, f"lists-{a.lists}-{a.seed}-jsonl.jsonl")
    if not os.path.exists(src):
        subprocess.run([sys.executable, os.path.join(HERE, "generate.py"), "--lists", str(a.lists), "--seed", str(a.seed),
                        "--format", "jsonl", "--out", src], check=True)
    parts_dir = os.path.join(out, f"parts-{a.lists}-{a.parts}")
    if not os.path.isdir(parts_dir):
        split(src, a.parts, parts_dir)
    subprocess.run([sys.executable, "-m", "cli", "info"], cwd=ROOT, stdout=subprocess.DEVNULL, check=True)  # compile the cache once
    print(f"{a.lists:,} lists in {a.parts} parts; {os.cpu_count()} cores; python {sys.version.split()[0]}")
    print("| run | wall s | lists/s | lines out |")
    print("|---|---|---|---|")
    for jobs in (1, a.workers):
        wall, lines = cli(src, jobs)
        print(f"| check-meds batch --jobs {jobs} | {wall:.1f} | {a.lists / wall:,.0f} | {lines:,} |", flush=True)
    result_dir = os.path.join(out, f"dask-out-{a.lists}")
    for old in glob.glob(os.path.join(result_dir, "*.jsonl")):
        os.unlink(old)
    wall, lines = dask_run(os.path.join(parts_dir, "part-*.jsonl"), result_dir, a.workers)
    print(f"| dask.bag, LocalCluster {a.workers} workers | {wall:.1f} | {a.lists / wall:,.0f} | {lines:,} |", flush=True)
    if lines != a.lists:
        sys.exit(f"dask wrote {lines} lines for {a.lists} lists")


if __name__ == "__main__":
    main()
