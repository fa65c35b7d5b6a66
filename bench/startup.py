#!/usr/bin/env python3
"""Start-up benchmark: whole-process time of the single check against its floor.

Runs, interleaved and many times, in the same environment:
  python -c pass; python -c "import typer"; python bench/floor_check.py (the floor: load the
  compiled knowledge base, look up the two names, print the same JSON document);
  check-meds baclofen alcohol --format json; check-meds baclofen alcohol (plain text, as when piped)
and reports the median and the ratio to the floor (the floor's output is first
checked to be byte for byte the check's). Also times loading the
compiled knowledge base in-process (cache hit) and compiling it from YAML (cache miss).

Usage: python bench/startup.py [--runs 40]   (uses the check-meds next to this Python)
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, check=False)
    return time.perf_counter() - start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=40)
    args = ap.parse_args()

    py = sys.executable
    exe = shutil.which("check-meds", path=os.path.dirname(py)) or shutil.which("check-meds")
    if exe is None:
        sys.exit("check-meds is not installed next to this Python")
    floor_script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "floor_check.py")
    cache = tempfile.mkdtemp(prefix="check-meds-bench-")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "NO_COLOR")}
    env["CHECK_MEDS_CACHE_DIR"] = cache
    cases = {
        "python -c pass": [py, "-c", "pass"],
        'python -c "import typer"': [py, "-c", "import typer"],
        "floor: bench/floor_check.py": [py, floor_script],
        "check-meds baclofen alcohol --format json": [exe, "baclofen", "alcohol", "--format", "json"],
        "check-meds baclofen alcohol (text, piped)": [exe, "baclofen", "alcohol"],
    }
    for cmd in cases.values():  # warm: byte-code compiled, knowledge base cached
        timed(cmd, env)
    same = [subprocess.run(cases[k], capture_output=True, env=env).stdout for k in ("floor: bench/floor_check.py", "check-meds baclofen alcohol --format json")]
    if same[0] != same[1]:
        sys.exit("the floor script's output differs from check-meds --format json")
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(args.runs):
        for name, cmd in cases.items():
            samples[name].append(timed(cmd, env))
    floor = statistics.median(samples["floor: bench/floor_check.py"])
    print(f"{'command':<45} {'median ms':>10} {'vs floor':>9}")
    for name, s in samples.items():
        m = statistics.median(s)
        print(f"{name:<45} {m * 1000:>10.1f} {m / floor:>8.2f}x")

    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    os.environ["CHECK_MEDS_CACHE_DIR"] = cache
    from interactions.kb import compile_dirs, load_knowledge_base, rule_dirs

    loads = []
    for _ in range(50):
        t = time.perf_counter()
        load_knowledge_base()
        loads.append(time.perf_counter() - t)
    t = time.perf_counter()
    kb = compile_dirs(rule_dirs())
    compile_s = time.perf_counter() - t
    c = kb["counts"]
    print(f"\nknowledge base: {c['drugs']} drugs, {c['names']} names, {c['rules']} rules")
    print(f"load compiled knowledge base (cache hit), median: {statistics.median(loads) * 1000:.2f} ms")
    print(f"compile from YAML (cache miss): {compile_s * 1000:.0f} ms")
    shutil.rmtree(cache, ignore_errors=True)


if __name__ == "__main__":
    main()
