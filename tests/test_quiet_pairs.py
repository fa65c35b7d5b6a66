"""Ordinary pairs that do not interact get no major or contraindicated finding.

The pairs live in tests/fixtures/quiet_pairs.txt, one a line: ``a | b  # why``.
A checker that warns about everything is as useless as one that warns about
nothing: every name must be recognised (an unrecognised name would make the
pair quiet for the wrong reason) and nothing may fire at major or above.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from interactions.engine import check

PAIRS_FILE = Path(__file__).parent / "fixtures" / "quiet_pairs.txt"
LOUD = {"major", "contraindicated"}


def _pairs() -> list[tuple[int, str, str]]:
    out = []
    for n, raw in enumerate(PAIRS_FILE.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split("|")]
        assert len(parts) == 2 and all(parts), f"{PAIRS_FILE.name}:{n}: expected 'a | b  # why', got {raw!r}"
        out.append((n, parts[0], parts[1]))
    return out


PAIRS = _pairs()


def test_the_quiet_set_is_large_and_has_no_repeats():
    keys = [frozenset((a.lower(), b.lower())) for _, a, b in PAIRS]
    assert len(PAIRS) >= 100
    assert len(set(keys)) == len(keys), "a pair is listed twice"
    assert all(len(k) == 2 for k in keys), "a pair names the same drug twice"


@pytest.mark.parametrize("line,a,b", PAIRS, ids=[f"{a}+{b}" for _, a, b in PAIRS])
def test_quiet_pair_has_no_major_finding(fresh_kb, line, a, b):
    r = check([a, b], fresh_kb)
    assert r.complete, f"{PAIRS_FILE.name}:{line}: not recognised: {[u.input for u in r.unrecognized]}"
    loud = [(f.rule, f.severity) for f in r.findings if f.severity in LOUD]
    assert not loud, f"{PAIRS_FILE.name}:{line}: {a} + {b} fired {loud}"
