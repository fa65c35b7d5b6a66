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
    assert signature(fast) == signature(enumerated(meds, age))


def enumerated(meds, age):
    old = engine.PAIR_PATH
    engine.PAIR_PATH = False  # every rule through _fire
    try:
        return engine.check(meds, KnowledgeBase(_DATA), age)
    finally:
        engine.PAIR_PATH = old


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(NAMES), min_size=140, max_size=400), st.sampled_from([None, 80]))
def test_long_lists_match_enumeration(meds, age):
    """Past PAIR_SAFE distinct medications the pair path still gives what enumeration gives,
    a rule filled in more than MAX_COMBINATIONS ways included (one finding for the group)."""
    assert signature(engine.check(meds, KnowledgeBase(_DATA), age)) == signature(enumerated(meds, age))


def test_memo_does_not_leak_between_lists():
    kb = KnowledgeBase(_DATA)
    first = engine.check(["oxycodone", "alprazolam"], kb)
    again = engine.check(["alprazolam", "Percocet"], kb)
    assert first.findings and again.findings
    assert signature(engine.check(["alprazolam", "Percocet"], KnowledgeBase(_DATA))) == signature(again)
