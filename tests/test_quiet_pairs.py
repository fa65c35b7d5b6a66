"""Ordinary pairs stay quiet: no pair of tests/fixtures/quiet_pairs*.txt may give a major or
contraindicated finding, and both of its names must be recognised (so a pair cannot pass by
not being checked).

The pairs live one a line, ``a | b  # why quiet``. A checker that warns about everything is as
useless as one that warns about nothing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import interactions.engine as engine
from interactions.severity import RANK

FIXTURES = Path(__file__).parent / "fixtures"


def _pairs():
    for path in sorted(FIXTURES.glob("quiet_pairs*.txt")):
        for n, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            parts = [p.strip() for p in line.split("|")]
            assert len(parts) == 2 and all(parts), f"{path.name}:{n}: expected 'a | b  # why quiet', got {raw!r}"
            yield pytest.param(parts[0], parts[1], id=f"{path.stem}:{n}:{parts[0]}+{parts[1]}")


PAIRS = list(_pairs())


def test_the_quiet_set_is_large_and_has_no_repeats():
    keys = [frozenset(s.lower() for s in p.values[:2]) for p in PAIRS]
    assert len(PAIRS) >= 200
    assert all(len(k) == 2 for k in keys), "a pair names the same drug twice"
    assert len(set(keys)) == len(keys), "a quiet pair is listed twice"


@pytest.mark.parametrize(("a", "b"), PAIRS)
def test_quiet_pair_has_no_major_finding(kb, a, b):
    result = engine.check([a, b], kb)
    assert result.complete and not result.unrecognized, f"{a} | {b}: a name is not recognised"
    loud = [(f.rule, f.severity) for f in result.findings if RANK[f.severity] >= RANK["major"]]
    assert not loud, f"{a} | {b}: {loud}"
