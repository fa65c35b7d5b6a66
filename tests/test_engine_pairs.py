"""The per-pair shortcut for simple pair rules gives exactly what enumerating each rule gives."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import interactions.engine as engine
from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs

_DATA = compile_dirs(rule_dirs())
NAMES = sorted(k for k in _DATA["names"] if not k.startswith("rxcui:"))


def signature(result):
    return (
        [(f.rule, f.drugs, f.inputs, sorted(f.meds), [g.rule for g in f.related]) for f in result.findings],
        [(f.rule, f.drugs, f.inputs, [g.rule for g in f.related]) for f in result.skipped],
    )


@settings(max_examples=200, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(NAMES), min_size=2, max_size=20), st.sampled_from([None, 40, 80]))
def test_pairs_match_enumeration(meds, age):
    fast = engine.check(meds, KnowledgeBase(_DATA), age)
    old = engine.PAIR_LIMIT
    engine.PAIR_LIMIT = -1  # every rule through _fire
    try:
        slow = engine.check(meds, KnowledgeBase(_DATA), age)
    finally:
        engine.PAIR_LIMIT = old
    assert signature(fast) == signature(slow)


def test_memo_does_not_leak_between_lists():
    kb = KnowledgeBase(_DATA)
    first = engine.check(["oxycodone", "alprazolam"], kb)
    again = engine.check(["alprazolam", "Percocet"], kb)
    assert first.findings and again.findings
    assert signature(engine.check(["alprazolam", "Percocet"], KnowledgeBase(_DATA))) == signature(again)
