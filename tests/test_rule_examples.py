"""Every rule's own examples run as tests: 'match' must fire the rule, 'no_match' must not."""

from __future__ import annotations

import pytest

from interactions.examples import examples, failure
from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs

_KB = KnowledgeBase(compile_dirs(rule_dirs()))
CASES = [pytest.param(ex, id=f"{ex.rule}-{ex.kind}-{'+'.join(ex.meds)}") for ex in examples(_KB)]


@pytest.mark.parametrize("example", CASES)
def test_rule_example(example):
    assert failure(example, _KB) is None


def test_every_rule_has_examples():
    assert CASES
    for rid, rule in _KB.rules.items():
        assert rule["examples"]["match"], rid
