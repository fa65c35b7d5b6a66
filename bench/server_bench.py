#!/usr/bin/env python3
"""Load check of check-meds serve: requests per second and p50/p99 latency, on one worker and on two.

Starts the server from this Python (`python -m cli serve`, so the [server] extra must be
installed) on a free port of 127.0.0.1, and only ever sends to that address. For each
scenario it keeps CONCURRENCY keep-alive connections busy for a bounded time and count
(after a short warm-up), and counts every answer that is not 200 (or, for the hook, has no
card) as an error. It also reads the server processes' CPU time (Linux /proc), so the cost of a
request can be told apart from what else a shared machine is running:

  check   POST /check with a 5-medication list (two findings, one name not recognised)
  hook    POST order-select: one draft order against a 10-medication prefetch

Usage: python bench/server_bench.py [--seconds 5] [--max-requests 20000] [--concurrency 16] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

HOST = "127.0.0.1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"

CHECK = {"medications": ["warfarin 5 mg", "Diflucan 150 mg", "metoprolol succinate ER 25 mg", "lisinoprl", "Norco 10-325"], "age": 78}
EXISTING = ["warfarin 5 mg PO daily", "metoprolol succinate ER 25 mg", "lisinopril 10 mg", "atorvastatin 40 mg", "metformin 500 mg BID",
            "omeprazole 20 mg", "sertraline 50 mg", "amlodipine 5 mg", "levothyroxine 50 mcg", "furosemide 40 mg"]


def med_request(i: int, text: str, status: str = "active") -> dict:
    return {"resourceType": "MedicationRequest", "id": f"m{i}", "status": status, "intent": "order",
            "subject": {"reference": "Patient/p1"}, "medicationCodeableConcept": {"text": text}}


HOOK = {
    "hook": "order-select", "hookInstance": "5c1e1f3a-0d0f-4d6b-9d5e-2b8e1f7c9a10",
    "context": {"userId": "Practitioner/1", "patientId": "p1", "selections": ["MedicationRequest/d1"],
                "draftOrders": {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": med_request(0, "clarithromycin 500 mg", "draft") | {"id": "d1"}}]}},
    "prefetch": {"patient": {"resourceType": "Patient", "id": "p1", "birthDate": "1946-02-11"},
                 "medicationRequests": {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": med_request(i, t)} for i, t in enumerate(EXISTING, 1)]},
                 "medicationStatements": {"resourceType": "Bundle", "type": "searchset", "entry": []}},
}
SCENARIOS = {"check": ("/check", CHECK), "hook": ("/cds-services/check-meds-order-select", HOOK)}


def tree(pid: int) -> list[int]:
    """A process and its descendants (Linux /proc; [pid] elsewhere)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            with open(f"/proc/{p}/task/{p}/children") as fh:
                todo.extend(int(c) for c in fh.read().split())
        except OSError:
            pass
    return out


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU time of the server's processes: what a request costs, whatever else the machine runs."""
    total = 0.0
    try:
        tick = os.sysconf("SC_CLK_TCK")
        for p in tree(pid):
            with open(f"/proc/{p}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
    except (OSError, ValueError, IndexError):
        return None
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def start(workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--host", HOST, "--port", str(port), "--workers", str(workers)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=2) as r:
                if r.status == 200:
                    time.sleep(0.5 * workers)  # let every worker come up
                    return proc, port
        except OSError:
            time.sleep(0.1)
        if proc.poll() is not None:
            break
    proc.kill()
    sys.exit("the server did not start (is the [server] extra installed?)")


async def client(port: int, request: bytes, until: float, budget: list[int], lat: list[float], errors: list[str], check_cards: bool) -> None:
    reader, writer = await asyncio.open_connection(HOST, port)
    try:
        while time.perf_counter() < until and budget[0] > 0:
            budget[0] -= 1
            t0 = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:"))
            body = await reader.readexactly(length)
            lat.append(time.perf_counter() - t0)
            status = int(head.split(b" ", 2)[1])
            if status != 200 or (check_cards and b'"cards":[{' not in body):
                errors.append(f"{status}: {body[:120]!r}")
    finally:
        writer.close()


async def load(pid: int, port: int, path: str, body: dict, seconds: float, max_requests: int, concurrency: int) -> dict:
    data = json.dumps(body).encode()
    request = (f"POST {path} HTTP/1.1\r\nHost: {HOST}:{port}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(data)}\r\n\r\n").encode() + data
    cards = "cds-services" in path
    # warm-up: every connection, a second
    await asyncio.gather(*(client(port, request, time.perf_counter() + 1.0, [200], [], [], cards) for _ in range(concurrency)))
    lat: list[float] = []
    errors: list[str] = []
    budget = [max_requests]
    cpu0 = cpu_seconds(pid)
    t0 = time.perf_counter()
    await asyncio.gather(*(client(port, request, t0 + seconds, budget, lat, errors, cards) for _ in range(concurrency)))
    wall = time.perf_counter() - t0
    cpu1 = cpu_seconds(pid)
    cpu_ms = 1000 * (cpu1 - cpu0) / len(lat) if cpu0 is not None and cpu1 is not None and lat else float("nan")
    lat.sort()
    return {"requests": len(lat), "rps": len(lat) / wall, "p50_ms": 1000 * statistics.median(lat),
            "p99_ms": 1000 * lat[min(len(lat) - 1, int(0.99 * len(lat)))], "errors": len(errors), "first_error": errors[:1], "cpu_ms": cpu_ms}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=5.0, help="measured time per scenario (at most 60)")
    ap.add_argument("--max-requests", type=int, default=20000, help="at most this many measured requests per scenario")
    ap.add_argument("--concurrency", type=int, default=16)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--scenario", choices=sorted(SCENARIOS), nargs="+", default=["check", "hook"])
    args = ap.parse_args()
    seconds = min(args.seconds, 60.0)
    try:
        import uvloop  # the client is Python too: give it the faster loop when there is one

        uvloop.install()
    except ImportError:
        pass
    print(f"load average before: {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores" if hasattr(os, "getloadavg") else "")
    print(f"{'workers':>7} {'scenario':>8} {'requests':>9} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6} {'server CPU/req':>14} {'req/s per CPU':>13}")
    for w in args.workers:
        proc, port = start(w)
        try:
            for name in args.scenario:
                path, body = SCENARIOS[name]
                r = asyncio.run(load(proc.pid, port, path, body, seconds, args.max_requests, args.concurrency))
                print(f"{w:>7} {name:>8} {r['requests']:>9} {r['rps']:>8.0f} {r['p50_ms']:>7.2f} {r['p99_ms']:>7.2f} {r['errors']:>6} {r['cpu_ms']:>11.3f} ms {1000 / r['cpu_ms']:>13.0f}"
                      + (f"  {r['first_error'][0]}" if r["errors"] else ""), flush=True)
        finally:
            proc.terminate()
            proc.wait(timeout=20)


if __name__ == "__main__":
    main()
