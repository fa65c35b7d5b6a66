"""Engine time per list against list size: python bench/list_size.py

Checks lists of N distinct medications (N from 2 to 300, drawn from the
knowledge base's generic names, seeded; the list of N is the first N of a
fixed draw) in-process, memos warm, and prints
microseconds per list and per medication, so a step at some list size shows
as a jump in the per-medication column between neighbouring sizes.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from interactions.engine import check  # noqa: E402
from interactions.kb import load_knowledge_base  # noqa: E402

SIZES = (2, 5, 10, 20, 50, 100, 140, 141, 142, 143, 150, 200, 300)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lists", type=int, default=40, help="lists per size")
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    kb = load_knowledge_base()
    generics = sorted(n for n, (method, _d, _p) in kb.names.items() if method == "generic")
    rng = random.Random(a.seed)
    # each list of size N is the first N of a fixed draw, so neighbouring sizes differ by one medication
    base = [rng.sample(generics, max(SIZES)) for _ in range(a.lists)]
    print(f"{'meds':>5} {'us/list':>10} {'us/med':>8}")
    for n in SIZES:
        lists = [b[:n] for b in base]
        for meds in lists:  # warm: names resolved, pair memo filled
            check(meds, kb)
        best = float("inf")
        for _ in range(3):
            t = time.perf_counter()
            for meds in lists:
                check(meds, kb)
            best = min(best, (time.perf_counter() - t) / len(lists))
        print(f"{n:>5} {best * 1e6:>10.0f} {best * 1e6 / n:>8.1f}", flush=True)


if __name__ == "__main__":
    main()
