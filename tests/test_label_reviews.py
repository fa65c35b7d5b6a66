"""The label review: every co-medication a reviewed label names is a rule that fires, or a recorded decision."""

from __future__ import annotations

import pytest

from interactions.engine import check
from interactions.kb import load_knowledge_base

KB = load_knowledge_base()
CASES = [
    pytest.param(drug, i, item, id=f"{drug}-{i}-{item['rule']}")
    for drug, rev in sorted(KB.label_reviews.items())
    for i, item in enumerate(rev["interactions"])
    if item["rule"]
]


def fired(result) -> set[str]:
    out = set()
    for f in (*result.findings, *result.skipped):
        out.add(f.rule)
        out.update(g.rule for g in f.related)
    return out


@pytest.mark.parametrize(("drug", "i", "item"), CASES)
def test_a_covered_label_interaction_fires_its_rule(drug, i, item):
    rule = KB.rules[item["rule"]]
    result = check([drug, *item["example"]], KB, age=rule["min_age"] or None)
    assert result.complete, [r.input for r in result.unrecognized]
    assert item["rule"] in fired(result), (drug, item["example"], sorted(fired(result)))


def test_every_label_review_is_of_a_drug_and_cites_a_label_with_a_url():
    for drug, rev in KB.label_reviews.items():
        assert drug in KB.drugs
        ref = KB.references[rev["label"]]
        # a copy read only at a plain http address keeps that address and says so (docs: "Sources to replace")
        assert ref["url"].startswith("https://") or (
            ref["url"].startswith("http://") and "Read at a plain http address." in ref["citation"]), (drug, rev["label"])


def test_a_review_of_a_label_that_names_no_co_medication_can_be_entered(tmp_path):
    # a label read and found to name no co-medication is a review too: it records that the label
    # was read; its reference is used by the review, and no rule has to cite it (the drug is any
    # shipped drug not reviewed yet, so that the shipped reviews can grow)
    drug = next(d for d in sorted(KB.drugs) if d not in KB.label_reviews and d.replace(" ", "").isalnum())
    (tmp_path / "site.yaml").write_text(
        "schema_version: 1\n"
        "references:\n"
        "  - {id: SITE-EMPTY-LABEL, citation: A label whose sections name no co-medication., url: 'https://example.org/label'}\n"
        "label_reviews:\n"
        f"  - {{drug: '{drug}', label: SITE-EMPTY-LABEL, revised: not stated, note: Names no co-medication., interactions: []}}\n"
    )
    kb = load_knowledge_base([str(tmp_path)], use_cache=False)
    assert not kb.label_reviews[drug]["interactions"]
    assert "SITE-EMPTY-LABEL" in kb.references
