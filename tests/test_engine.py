"""The engine on a tiny in-memory knowledge base, so engine bugs and data bugs fail apart."""

from __future__ import annotations

from pathlib import Path

from interactions.engine import check
from interactions.kb import KnowledgeBase


def rules_of(result):
    return [(f.rule, f.drugs) for f in result.findings]


def test_pair_fires_and_names_both_drugs(mini_kb):
    r = check(["oxy", "alpra"], mini_kb)
    assert rules_of(r) == [("opioid-benzo", ("alpra", "oxy"))]
    # the broader rule about the same two medications is folded in, not repeated
    assert [g.rule for g in r.findings[0].related] == ["depressant-pair"]


def test_most_severe_rule_leads_when_folding(mini_kb):
    r = check(["oxy", "alpra"], mini_kb)
    assert r.findings[0].severity == "major"


def test_no_finding_for_unrelated_drugs(mini_kb):
    r = check(["para", "pril"], mini_kb)
    assert r.findings == [] and r.complete


def test_same_medication_twice_is_one_medication(mini_kb):
    r = check(["oxy", "OXY 5 mg tablets", "alpra"], mini_kb)
    assert len(r.medications) == 2
    assert len(r.findings) == 1
    assert r.findings[0].inputs == ("OXY 5 mg tablets", "alpra", "oxy")


def test_duplicate_class_needs_two_distinct_medications(mini_kb):
    assert rules_of(check(["oxy", "oxy"], mini_kb)) == []
    assert rules_of(check(["oxy", "morph"], mini_kb)) == [("opioid-duplication", ("morph", "oxy"))]


def test_triple_rule_needs_all_three_slots(mini_kb):
    assert rules_of(check(["pril", "thiaz"], mini_kb)) == []
    assert rules_of(check(["pril", "TZ", "profen"], mini_kb)) == [("triple", ("pril", "profen", "thiaz"))]


def test_combination_product_carries_every_ingredient(mini_kb):
    r = check(["Oxypara", "Alpfoo"], mini_kb)
    assert rules_of(r) == [("opioid-benzo", ("alpra", "oxy"))]
    assert r.findings[0].inputs == ("Alpfoo", "Oxypara")


def test_product_and_its_ingredient_are_distinct_medications(mini_kb):
    r = check(["Oxypara", "morph"], mini_kb)
    assert ("opioid-duplication", ("morph", "oxy")) in rules_of(r)


def test_age_dependent_rule_is_skipped_without_age_and_reported(mini_kb):
    meds = ["oxy", "morph", "alpra"]
    r = check(meds, mini_kb)
    assert "three-depressants-older" not in {f.rule for f in r.findings}
    assert [f.rule for f in r.skipped] == ["three-depressants-older"]
    r = check(meds, mini_kb, age=70)
    assert "three-depressants-older" in {f.rule for f in r.findings}
    assert r.skipped == []
    r = check(meds, mini_kb, age=40)
    assert "three-depressants-older" not in {f.rule for f in r.findings} and r.skipped == []


def test_exclusion_in_a_slot(mini_kb):
    # 'sleepy' is excluded from the three-depressants rule, so only two count
    r = check(["oxy", "sleepy", "alpra"], mini_kb, age=80)
    assert "three-depressants-older" not in {f.rule for f in r.findings}


def test_unknown_and_ambiguous_are_reported_not_dropped(mini_kb):
    r = check(["oxy", "oxyy", "OP"], mini_kb)
    assert not r.complete
    assert {(u.input, u.status) for u in r.unrecognized} == {("oxyy", "unknown"), ("OP", "ambiguous")}
    amb = next(u for u in r.unrecognized if u.status == "ambiguous")
    assert amb.candidates == ("oxy", "pril")


def test_resolution_methods(mini_kb):
    kb = KnowledgeBase(mini_kb.data)
    r = check(["Oxyfoo", "alpra hydrochloride", "paramol", "TZ", "rxcui:11", "Oxypara", "alpra hcl", "morph 10 mg po bid", "paramol/oxy"], kb)
    got = [(x.method, x.drugs) for x in r.resolutions]
    assert got == [
        ("brand", ("oxy",)),
        ("salt", ("alpra",)),
        ("synonym", ("para",)),
        ("abbreviation", ("thiaz",)),
        ("code", ("oxy",)),
        ("product", ("oxy", "para")),
        ("salt", ("alpra",)),
        ("generic", ("morph",)),
        ("combination", ("oxy", "para")),
    ]
    assert r.resolutions[7].removed == "10 mg po bid"
    assert r.resolutions[8].product == "oxy-para"


def test_combination_notation_must_be_a_known_product(mini_kb):
    # one string naming two drugs is one medication to the engine: an opioid and a
    # benzodiazepine written as "oxy/alpra" would then never be checked against each other
    r = check(["oxy/alpra"], mini_kb)
    assert not r.complete
    assert "list each medication separately" in r.resolutions[0].reason


def test_unknown_words_are_not_stripped_away(mini_kb):
    # only dose vocabulary may be set aside; an unknown word keeps the name unrecognised
    r = check(["oxy banana"], mini_kb)
    assert not r.complete


def test_findings_are_sorted_by_severity_then_rule(mini_kb):
    r = check(["oxy", "alpra", "morph", "diaz", "pril", "thiaz", "profen"], mini_kb)
    keys = [f.sort_key() for f in r.findings]
    assert keys == sorted(keys)
    assert r.findings[0].severity == "major"


def test_rule_index_only_consults_relevant_rules(mini_kb):
    # the index maps each rule under one slot's tags; every rule is reachable
    reachable = {rid for rids in mini_kb.index.values() for rid in rids}
    assert reachable == set(mini_kb.rules)


def test_ingredients_of_one_product_can_fill_different_slots(tmp_path):
    from interactions.kb import compile_dirs

    kbdir = tmp_path / "kb"
    kbdir.mkdir()
    src = (Path(__file__).parent / "fixtures" / "mini_kb" / "kb.yaml").read_text()
    src = src.replace("products:\n", "products:\n  - {id: pril-thiaz, names: [Prilthiaz], ingredients: [pril, thiaz]}\n")
    (kbdir / "kb.yaml").write_text(src)
    kb = KnowledgeBase(compile_dirs([(str(kbdir), True)]))
    # a combination product plus an NSAID is the full triple
    assert rules_of(check(["Prilthiaz", "profen"], kb)) == [("triple", ("pril", "profen", "thiaz"))]
    # but a product never warns about its own ingredients
    assert rules_of(check(["Prilthiaz"], kb)) == []


def test_a_unit_standing_alone_is_dose_text(mini_kb):
    # RxNorm clinical drug names write concentrations as '10 MG/ML', the unit a word of its own
    r = check(["morph 10 MG/ML Injectable Solution", "morph 160 MG/5ML Oral Suspension"], mini_kb)
    assert r.complete and [x.removed for x in r.resolutions] == ["10 MG/ML Injectable Solution", "160 MG/5ML Oral Suspension"]
    assert not check(["morph mg/ml banana"], mini_kb).complete


def test_a_brand_ending_in_release_words_keeps_them(kb):
    # 'XL', 'XR', 'ER' are dose words, but also part of brand names: the longest known name wins
    r = check(["Toprol XL 50 mg tablet", "Cartia XT 120 mg (generic)", "Toprol 50 mg ER tablet"], kb)
    assert [(x.drugs, x.matched, x.removed) for x in r.resolutions[:2]] == [
        (("metoprolol",), "toprol xl", "50 mg tablet"), (("diltiazem",), "cartia xt", "120 mg (generic)")]
    assert not r.resolutions[2].ok  # 'toprol' alone is not a name: not guessed
