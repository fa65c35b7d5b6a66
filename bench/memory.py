"""Memory against the number of lists: python bench/memory.py --lists 100000,1000000 --jobs 1,2

Generates JSON Lines (bench/generate.py, seeded; kept in bench/out/), runs
``check-meds batch FILE --format jsonl --jobs J`` with its output to
/dev/null, and samples every process of the run (the main process and its
workers, found through /proc) every --interval seconds:

- RSS of the main process and of the largest worker (VmRSS);
- the sum of PSS over all of them (/proc/PID/smaps_rollup: pages shared by
  forked workers are counted once between them, so the sum is what the run
  really holds);
- the main process's RSS at 10% and 90% of the run's wall time, to show
  whether memory still grows late in a run;
- ru_maxrss of the largest process, from wait4 (a cross-check of the
  sampled peaks that a short spike between samples cannot escape).

Memory is flat when the peaks at 1,000,000 lists are those at 100,000: every
memo is capped (see bench/README.md). Linux only (/proc). Run it with
``nice``: a million lists take minutes per run.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from batch_bench import ensure_input  # noqa: E402


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    out = [pid]
    i = 0
    while i < len(out):
        try:
            tasks = os.listdir(f"/proc/{out[i]}/task")
        except OSError:
            tasks = []
        for t in tasks:
            try:
                with open(f"/proc/{out[i]}/task/{t}/children") as f:
                    out += [int(k) for k in f.read().split()]
            except OSError:
                pass
        i += 1
    return out


def _kb(path: str, field: str) -> int:
    """A ``field: N kB`` value of a /proc file, in kB (0 when the process is gone)."""
    try:
        with open(path) as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


class Sampler(threading.Thread):
    def __init__(self, pid: int, interval: float) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.samples: list[tuple[float, int, int, int]] = []  # (time, main RSS kB, largest worker RSS kB, sum PSS kB)
        self.stop = threading.Event()

    def run(self) -> None:
        start = time.perf_counter()
        while not self.stop.is_set():
            pids = tree(self.pid)
            main = _kb(f"/proc/{self.pid}/status", "VmRSS:")
            worker = max((_kb(f"/proc/{p}/status", "VmRSS:") for p in pids[1:]), default=0)
            pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
            if main:
                self.samples.append((time.perf_counter() - start, main, worker, pss))
            self.stop.wait(self.interval)


def run_once(path: str, lists: int, jobs: int, interval: float) -> dict:
    cmd = [sys.executable, "-m", "cli", "batch", path, "--format", "jsonl", "--jobs", str(jobs), "--no-progress", "--input-format", "jsonl"]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = Sampler(proc.pid, interval)
    sampler.start()
    err = proc.stderr.read().decode()
    sampler.stop.set()
    _pid, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    sampler.join()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1, 4) or f"lists in {lists}, lists out {lists}," not in err:
        raise SystemExit(f"check-meds exited {code}, or lists went missing: {err[-500:]}")
    s = sampler.samples
    if not s:
        raise SystemExit("no samples: is /proc mounted?")

    def main_at(frac: float) -> int:
        t = wall * frac
        return min(s, key=lambda x: abs(x[0] - t))[1]

    mb = 1024
    return {
        "lists": lists, "jobs": jobs, "wall": wall, "samples": len(s),
        "main_peak": max(x[1] for x in s) / mb, "worker_peak": max(x[2] for x in s) / mb,
        "pss_peak": max(x[3] for x in s) / mb, "main_10": main_at(0.1) / mb, "main_90": main_at(0.9) / mb,
        "maxrss": usage.ru_maxrss / mb,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists", default="100000,1000000", help="comma-separated numbers of lists")
    ap.add_argument("--jobs", default="1,2", help="comma-separated --jobs values")
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--interval", type=float, default=0.25, help="seconds between samples")
    a = ap.parse_args(argv)
    subprocess.run([sys.executable, "-m", "cli", "info"], cwd=ROOT, stdout=subprocess.DEVNULL, check=True)  # compile the cache once
    print("| lists | --jobs | wall s | main RSS peak MB | main RSS at 10% / 90% of the run MB | largest worker RSS peak MB | sum of PSS peak MB | ru_maxrss MB |")
    print("|---|---|---|---|---|---|---|---|")
    for n in (int(x) for x in a.lists.split(",")):
        path = ensure_input(n, a.seed, "jsonl", False)
        for jobs in (int(x) for x in a.jobs.split(",")):
            r = run_once(path, n, jobs, a.interval)
            worker = f"{r['worker_peak']:.0f}" if jobs > 1 else "-"
            print(f"| {n:,} | {jobs} | {r['wall']:.1f} | {r['main_peak']:.0f} | {r['main_10']:.0f} / {r['main_90']:.0f} | {worker} | {r['pss_peak']:.0f} | {r['maxrss']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
