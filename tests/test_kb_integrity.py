"""The shipped knowledge base is complete and traceable."""

from __future__ import annotations


def test_every_class_has_members(kb):
    empty = [c for c, d in kb.classes.items() if not d["members"]]
    assert empty == []


def test_every_rule_is_cited_and_complete(kb):
    for rid, r in kb.rules.items():
        assert r["references"], rid
        for field in ("title", "effect", "mechanism", "management", "evidence"):
            assert r[field].strip(), (rid, field)
        assert all(ref in kb.references for ref in r["references"]), rid


def test_every_class_membership_is_traceable(kb):
    for did, d in kb.drugs.items():
        for c in d["classes"]:
            sources = d["class_sources"].get(c) or kb.classes[c]["sources"]
            assert sources and all(s in kb.references for s in sources), (did, c)


def test_every_reference_is_used(kb):
    used = {ref for r in kb.rules.values() for ref in r["references"]}
    used |= {ref for c in kb.classes.values() for ref in c["sources"]}
    used |= {ref for d in kb.drugs.values() for refs in d["class_sources"].values() for ref in refs}
    # the label a review read is used by the review, even when that label names no co-medication
    # (a review with no interactions records that the label was read and found to name none)
    used |= {rev["label"] for rev in kb.label_reviews.values()}
    unused = sorted(set(kb.references) - used)
    # every reference is cited by a rule, a class membership or a label review, except
    # the name and product-ingredient data sets (names and products have no
    # citation field; NOTICE credits them)
    assert set(unused) <= {"DRUGBANK-OPEN", "FDA-NDC", "FDA-UNII"}, unused


def test_the_seed_checks(fresh_kb):
    from interactions.engine import check

    def top(*meds):
        r = check(list(meds), fresh_kb)
        assert r.complete, [u.input for u in r.unrecognized]
        return (r.findings[0].rule, r.findings[0].severity) if r.findings else None

    assert top("baclofen", "alcohol") == ("alcohol-cns-depressant", "major")
    assert top("Lioresal", "Xanax 0.5 mg")[1] in ("moderate", "major")
    assert top("baclofen", "lisinopril") == ("antihypertensive-hypotensive-drug", "moderate")
    assert top("Percocet", "Xanax") == ("opioid-benzodiazepine", "major")
    assert top("sildenafil", "nitroglycerin") == ("pde5-inhibitor-nitrate", "contraindicated")
