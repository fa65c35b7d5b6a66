"""Wall time of check-meds commands from a warm cache: median of N runs each (python bench/commands.py [N])."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE = str(ROOT / "tests" / "fixtures" / "site")
COMMANDS = [
    ["baclofen", "alcohol"],
    ["baclofen", "alcohol", "--rules", SITE],
    ["explain", "Lioresal"],
    ["explain", "opioid-benzodiazepine", "--format", "json"],
    ["rules", "list"],
    ["rules", "validate"],
    ["rules", "test"],
]


def main(n: int = 10) -> None:
    with tempfile.TemporaryDirectory() as cache:
        env = {**os.environ, "CHECK_MEDS_CACHE_DIR": cache, "CHECK_MEDS_CONFIG": "", "NO_COLOR": "1"}
        for args in COMMANDS:
            cmd = [sys.executable, "-m", "cli", *args]
            subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True)  # warm the cache
            times = []
            for _ in range(n):
                t = time.perf_counter()
                subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True)
                times.append(time.perf_counter() - t)
            print(f"{statistics.median(times) * 1000:7.1f} ms  check-meds {' '.join(a if a != SITE else 'SITE' for a in args)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
