"""The knowledge-base model beyond drugs and rules: class-side member lists, aliases, route-specific
entries, non-medicines, same-ingredient and therapeutic-duplication rules, label reviews."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from interactions.engine import check
from interactions.errors import InvalidRulesError
from interactions.kb import KnowledgeBase, compile_dirs

MINI = Path(__file__).parent / "fixtures" / "mini_kb"

EXTRA = """\
schema_version: 1
references:
  - {id: LIST, citation: "A list of inhibitors."}
  - {id: PI, citation: "Prescribing information of pril, revised 2024."}
classes:
  - id: inhibitor
    name: Inhibitors
    description: Inhibit something.
    sources: [LIST]
    not_members: [{drug: diaz, reason: "Not in the list."}]
memberships:
  - {class: inhibitor, drugs: [oxy, pril], sources: [LIST]}
aliases:
  - {drug: alpra, brands: [Alpbar], abbreviations: [ALP]}
  - {product: oxy-para, names: [Oxybar]}
drugs:
  - {id: pril topical, route: topical, form_of: pril, classes: [], note: "Skin use; no systemic effect."}
  - {id: oxy er, route: systemic, form_of: oxy, brands: [Oxylong], classes: [acei], note: "Extended release: oxy, and more."}
non_medicines:
  - {id: strips, kind: test, names: [test strips, glucose test strips]}
rules:
  - id: dup-any
    kind: same-ingredient
    title: Same ingredient twice
    severity: moderate
    effect: e
    mechanism: m
    management: g
    evidence: consensus
    references: [REF]
    examples: {match: [[Oxypara, oxy]], no_match: [[oxy, morph]]}
  - id: dup-para
    kind: same-ingredient
    title: Para twice
    severity: major
    slots: [{drug: para}]
    effect: e
    mechanism: m
    management: g
    evidence: consensus
    references: [REF]
    examples: {match: [[Oxypara, paramol]]}
  - id: inhibitor-benzo
    title: Inhibitor with a benzodiazepine
    severity: moderate
    slots: [{class: inhibitor}, {class: benzo}]
    effect: e
    mechanism: m
    management: g
    evidence: label
    references: [LIST]
    examples: {match: [[pril, alpra]]}
duplications:
  - {class: acei, severity: moderate, references: [REF], example: [pril, pril2]}
label_reviews:
  - drug: pril
    label: PI
    revised: "2024-05"
    interactions:
      - {with: benzodiazepines, level: monitor, section: drug-interactions, rule: inhibitor-benzo, example: [alpra]}
      - {with: grapefruit, level: caution, decision: "Not a rule: the label gives no effect size."}
"""


def build(tmp_path: Path, extra: str = EXTRA, more_drugs: str = "") -> KnowledgeBase:
    d = tmp_path / "kb"
    shutil.copytree(MINI, d)
    (d / "extra.yaml").write_text(extra + more_drugs, encoding="utf-8")
    return KnowledgeBase(compile_dirs([(str(d), True)]))


@pytest.fixture()
def kb2(tmp_path):
    return build(tmp_path, EXTRA.replace("drugs:\n", "drugs:\n  - {id: pril2, classes: [acei]}\n"))


def rules_fired(result) -> list[tuple[str, tuple[str, ...], tuple[str, ...]]]:
    return [(f.rule, f.drugs, f.inputs) for f in result.findings]


def test_member_lists_add_classes_with_their_sources(kb2):
    assert "inhibitor" in kb2.drug_classes["oxy"] and "inhibitor" in kb2.drug_classes["pril"]
    assert kb2.drugs["pril"]["class_sources"]["inhibitor"] == ("LIST",)
    assert kb2.classes["inhibitor"]["members"] == ("oxy", "oxy er", "pril")  # the systemic form of oxy too
    assert ("inhibitor-benzo", ("alpra", "pril"), ("alpra", "pril")) in rules_fired(check(["pril", "alpra"], kb2))


def test_aliases_add_names_to_drugs_and_products(kb2):
    r = check(["Alpbar", "ALP", "Oxybar"], kb2)
    assert [x.drugs for x in r.resolutions] == [("alpra",), ("alpra",), ("oxy", "para")]
    assert "Alpbar" in kb2.drugs["alpra"]["brands"] and "ALP" in kb2.drugs["alpra"]["abbreviations"]
    assert "Oxybar" in kb2.products["oxy-para"]["names"]


def test_a_route_specific_entry_keeps_its_own_classes(kb2):
    assert kb2.drugs["pril topical"]["form_of"] == "pril" and kb2.drugs["pril topical"]["route"] == "topical"
    assert kb2.drug_classes["pril topical"] == ()


def test_a_systemic_form_is_its_base_drug_with_more_to_say(kb2):
    assert {"opioid", "depressant", "inhibitor", "acei"} <= set(kb2.drug_classes["oxy er"])
    assert "@oxy" in kb2.tags("oxy er") and "@pril" not in kb2.tags("pril topical")
    assert [f.rule for f in check(["Oxylong", "alpra"], kb2).findings] == ["opioid-benzo"]
    # a different entry, not the same ingredient twice; two opioids all the same
    assert "opioid-duplication" in {f.rule for f in check(["Oxylong", "Oxyfoo"], kb2).findings}


def test_a_form_of_a_form_is_refused(tmp_path):
    extra = EXTRA.replace("drugs:\n", "drugs:\n  - {id: oxy er2, route: systemic, form_of: oxy er, classes: [], note: n}\n")
    with pytest.raises(InvalidRulesError) as info:
        build(tmp_path, extra)
    assert any("itself a form of 'oxy'" in str(p) for p in info.value.problems)


def test_non_medicines_are_listed_not_checked_and_keep_the_check_complete(kb2):
    r = check(["Glucose Test Strips", "oxy"], kb2)
    assert [x.status for x in r.resolutions] == ["non_medication", "ok"]
    assert r.complete and not r.unrecognized and [x.product for x in r.non_medications] == ["strips"]
    assert not check(["glucose test strip", "oxy"], kb2).complete  # a misspelling is still unknown


def test_one_ingredient_in_two_entries_is_one_finding_naming_every_entry(kb2):
    r = check(["Oxypara", "paramol", "para"], kb2)
    assert rules_fired(r) == [("dup-para", ("para",), ("Oxypara", "para", "paramol"))]
    # the most severe matching same-ingredient rule leads; the catch-all covers the rest
    assert rules_fired(check(["Oxypara", "Oxyfoo"], kb2)) == [("dup-any", ("oxy",), ("Oxyfoo", "Oxypara"))]


def test_two_strings_for_one_drug_are_a_duplicate_and_one_string_twice_is_not(kb2):
    assert rules_fired(check(["oxy 5 mg", "Oxyfoo 10 mg"], kb2)) == [("dup-any", ("oxy",), ("Oxyfoo 10 mg", "oxy 5 mg"))]
    assert rules_fired(check(["oxy 5 mg", "oxy 5 mg"], kb2)) == []


def test_a_duplicate_is_never_folded_under_an_interaction(kb2):
    fired = rules_fired(check(["Oxypara", "Oxyfoo", "alpra"], kb2))
    assert ("dup-any", ("oxy",), ("Oxyfoo", "Oxypara")) in fired
    assert any(rule == "opioid-benzo" for rule, _, _ in fired)


def test_slots_take_distinct_ingredients(kb2):
    # Oxypara (oxy + para) with oxy: one opioid twice, not "two opioids"
    r = check(["Oxypara", "Oxyfoo"], kb2)
    assert all(f.rule != "opioid-duplication" for f in r.findings)
    assert "opioid-duplication" in {f.rule for f in check(["Oxypara", "morph"], kb2).findings}
    # a one-slot min-2 rule likewise
    assert all(f.rule != "depressant-pair" for f in check(["Oxypara", "oxy"], kb2).findings)


def test_a_duplication_line_is_a_rule_with_one_slot_of_two(kb2):
    rule = kb2.rules["duplication-acei"]
    assert rule["slots"] == ((("acei",), (), 2),) and rule["title"] == "Therapeutic duplication: ACE inhibitors"
    assert rule["examples"]["match"] == ((("pril", "pril2"), 0),)
    assert [f.rule for f in check(["pril", "pril2"], kb2).findings] == ["duplication-acei"]


def test_label_reviews_are_compiled_with_their_decisions(kb2):
    rev = kb2.label_reviews["pril"]
    assert rev["label"] == "PI" and rev["revised"] == "2024-05"
    assert [i["rule"] or i["decision"] for i in rev["interactions"]] == ["inhibitor-benzo", "Not a rule: the label gives no effect size."]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("{class: inhibitor, drugs: [oxy, pril]", "{class: inhibitor, drugs: [oxy, nodrug]"), "members of class 'inhibitor': unknown drug 'nodrug'"),
        (("{class: inhibitor, drugs: [oxy, pril]", "{class: inhibitor, drugs: [oxy, diaz]"), "'diaz' is listed under the class's not_members"),
        (("{class: inhibitor, drugs", "{class: noclass, drugs"), "members of unknown class 'noclass'"),
        (("{drug: alpra, brands", "{drug: nodrug, brands"), "aliases of unknown drug 'nodrug'"),
        (("form_of: pril,", "form_of: nodrug,"), "form_of names unknown drug 'nodrug'"),
        (("rule: inhibitor-benzo, example", "rule: no-rule, example"), "label review of 'pril': unknown rule 'no-rule'"),
        (("label: PI", "label: NOPE"), "unknown reference 'NOPE'"),
        (("{class: acei, severity: moderate, references: [REF]", "{class: acei, id: dup-any, severity: moderate, references: [REF]"), "a rule has the same id"),
        (("{with: grapefruit, level: caution, decision", "{with: grapefruit, level: caution, rule: dup-any, decision"), "interactions.1: 'example' is a dependency of 'rule'"),
    ],
)
def test_mistakes_in_the_new_sections_are_reported_with_their_line(tmp_path, change, message):
    with pytest.raises(InvalidRulesError) as info:
        build(tmp_path, EXTRA.replace(*change))
    shown = [str(p) for p in info.value.problems]
    assert any(message in p and p.startswith("rules/extra.yaml:") for p in shown), shown


def test_shipped_duplicate_cases_name_the_ingredient(kb):
    cases = {
        ("Tylenol", "Norco", "Percocet"): ("duplicate-acetaminophen", ("acetaminophen",)),
        ("Hyzaar", "losartan"): ("duplicate-ingredient", ("losartan",)),
        ("Zestoretic", "lisinopril"): ("duplicate-ingredient", ("lisinopril",)),
        ("warfarin 5 mg", "Coumadin 2 mg"): ("duplicate-anticoagulant-ingredient", ("warfarin",)),
        ("Eliquis 5 mg", "apixaban 2.5 mg"): ("duplicate-anticoagulant-ingredient", ("apixaban",)),
    }
    for meds, (rule, drugs) in cases.items():
        r = check(list(meds), kb)
        lead = [f for f in r.findings if f.rule == rule]
        assert lead and lead[0].drugs == drugs and set(lead[0].inputs) == set(meds), (meds, [(f.rule, f.drugs) for f in r.findings])


def test_no_shipped_finding_names_a_single_ingredient_unless_it_is_a_duplicate(kb):
    r = check(["Hyzaar", "losartan", "spironolactone"], kb)
    for f in r.findings:
        assert f.rule_data["kind"] == "same-ingredient" or len(f.drugs) >= 2, (f.rule, f.drugs)
