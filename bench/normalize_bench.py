"""Resolution rate and speed of the normaliser over the medication-string corpus."""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import yaml  # noqa: E402

import medication_corpus as corpus  # noqa: E402
from interactions import normalize  # noqa: E402
from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs  # noqa: E402
from interactions.normalize import resolve  # noqa: E402


def rate(rows: list[corpus.Row], kb: KnowledgeBase) -> dict[str, int]:
    """How many rows expected to resolve did, and why the others did not."""
    out = {"expected": 0, "recognised": 0, "vocabulary missing": 0, "missed": 0, "wrong": 0}
    for row in rows:
        res = resolve(row.input, kb)
        if not row.expected.startswith("ok:"):
            out["wrong"] += corpus.outcome(res) != row.expected
            continue
        out["expected"] += 1
        if corpus.outcome(res) == row.expected:
            out["recognised"] += 1
        elif res.ok:
            out["wrong"] += 1
        elif corpus.missing(row, kb):
            out["vocabulary missing"] += 1
        else:
            out["missed"] += 1
    return out


def speed(inputs: list[str], data: dict, repeat: int) -> tuple[float, float]:
    """Strings per second: first sight (empty memos) and seen before (memo hit), best of ``repeat``."""
    first = seen = float("inf")
    for _ in range(repeat):
        normalize._kinds.clear()
        kb = KnowledgeBase(data)
        t = time.perf_counter()
        for s in inputs:
            resolve(s, kb)
        first = min(first, time.perf_counter() - t)
        t = time.perf_counter()
        for _ in range(20):
            for s in inputs:
                resolve(s, kb)
        seen = min(seen, (time.perf_counter() - t) / 20)
    return len(inputs) / first, len(inputs) / seen


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--repeat", type=int, default=5, help="timing rounds (the best is reported)")
    args = ap.parse_args()

    rows = corpus.load()
    kb = KnowledgeBase(compile_dirs(rule_dirs()))
    with tempfile.TemporaryDirectory() as tmp:
        with open(os.path.join(tmp, "vocabulary.yaml"), "w", encoding="utf-8") as fh:
            yaml.safe_dump(corpus.vocabulary_layer(rows, kb), fh, sort_keys=False)
        full = KnowledgeBase(compile_dirs(rule_dirs([tmp])))

    print(f"corpus: {len(rows)} strings, {corpus.PATH.relative_to(ROOT)}")
    for label, base in (("shipped knowledge base", kb), ("plus the vocabulary the corpus names", full)):
        r = rate(rows, KnowledgeBase(base.data))
        pct = 100 * r["recognised"] / r["expected"]
        print(f"  {label}: recognised {r['recognised']}/{r['expected']} expected-recognisable ({pct:.1f}%); "
              f"vocabulary missing {r['vocabulary missing']}, normaliser misses {r['missed']}, wrong {r['wrong']}")

    inputs = [r.input for r in rows]
    first, seen = speed(inputs, full.data, args.repeat)
    print(f"speed over {len(inputs)} strings (best of {args.repeat}):")
    print(f"  first sight:  {first:12,.0f} strings/s  ({1e6 / first:7.1f} µs each)")
    print(f"  seen before:  {seen:12,.0f} strings/s  ({1e6 / seen:7.3f} µs each)")


if __name__ == "__main__":
    main()
