"""Every rule's own examples run as tests: 'match' must fire the rule, 'no_match' must not."""

from __future__ import annotations

import pytest

from interactions.engine import check
from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs

_KB = KnowledgeBase(compile_dirs(rule_dirs()))
CASES = [
    pytest.param(rid, kind, meds, age, id=f"{rid}-{kind}-{i}")
    for rid, rule in sorted(_KB.rules.items())
    for kind in ("match", "no_match")
    for i, (meds, age) in enumerate(rule["examples"][kind])
]


def fired(result) -> dict[str, str]:
    out = {}
    for f in result.findings:
        out[f.rule] = f.severity
        for g in f.related:
            out[g.rule] = g.severity
    return out


@pytest.mark.parametrize(("rule_id", "kind", "meds", "age"), CASES)
def test_rule_example(rule_id, kind, meds, age):
    result = check(list(meds), _KB, age=age or None)
    unknown = [r.input for r in result.resolutions if not r.ok]
    assert not unknown, f"example names not in the knowledge base: {unknown}"
    rules = fired(result)
    if kind == "match":
        assert rules.get(rule_id) == _KB.rules[rule_id]["severity"], f"{rule_id} did not fire on {meds}; fired: {rules}"
    else:
        assert rule_id not in rules, f"{rule_id} fired on {meds}, listed as no_match"


def test_every_rule_has_examples():
    assert CASES
    for rid, rule in _KB.rules.items():
        assert rule["examples"]["match"], rid
