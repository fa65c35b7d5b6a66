"""Invariants of the engine over the shipped knowledge base (property-based)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import fuzz_n
from interactions.engine import check
from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs

_KB = KnowledgeBase(compile_dirs(rule_dirs()))
NAMES = sorted(k for k, v in _KB.names.items() if not k.startswith("rxcui:") and v[0] != "non-medication")
med_lists = st.lists(st.sampled_from(NAMES), min_size=0, max_size=8)
SETTINGS = settings(max_examples=fuzz_n(150), deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])


def signature(result):
    return (
        [(f.rule, f.severity, f.drugs, f.inputs, tuple(g.rule for g in f.related)) for f in result.findings],
        [(f.rule, f.drugs) for f in result.skipped],
        [u.input for u in result.unrecognized],
    )


def about(result, drugs_subset):
    return {(f.rule, f.drugs) for f in result.findings if set(f.drugs) <= drugs_subset}


@SETTINGS
@given(med_lists, st.randoms(use_true_random=False))
def test_order_never_changes_the_result(meds, rnd):
    shuffled = list(meds)
    rnd.shuffle(shuffled)
    assert signature(check(meds, _KB)) == signature(check(shuffled, _KB))


@SETTINGS
@given(med_lists)
def test_listing_a_medication_twice_changes_nothing_but_inputs(meds):
    a = check(meds, _KB)
    b = check(meds + meds, _KB)
    assert [(f.rule, f.drugs) for f in a.findings] == [(f.rule, f.drugs) for f in b.findings]


@SETTINGS
@given(med_lists, st.sampled_from(NAMES))
def test_adding_a_medication_never_removes_a_finding_about_the_others(meds, extra):
    """Every earlier warning is still there, possibly widened to include the new drug.

    (Count-based rules such as "two or more sedatives" report one finding for
    the whole group, so a third sedative widens the finding rather than adding
    one.)
    """
    before = check(meds, _KB)
    after = check([*meds, extra], _KB)
    now = [(f.rule, set(f.drugs)) for f in after.findings] + [(g.rule, set(f.drugs)) for f in after.findings for g in f.related]
    for f in before.findings:
        for rule in [f.rule, *(g.rule for g in f.related)]:
            assert any(r == rule and set(f.drugs) <= d for r, d in now), (rule, f.drugs)


@SETTINGS
@given(med_lists)
def test_every_input_is_accounted_for(meds):
    r = check(meds, _KB)
    assert [x.input for x in r.resolutions] == meds
    assert all(x.ok for x in r.resolutions)  # every name comes from the vocabulary
    assert r.complete
