"""The enzyme and transporter layer: consistent strength classes, and the
victims' own labels leading over the class rules.
"""

from __future__ import annotations

import pytest

from interactions.engine import check

# one drug cannot be both a strong and a moderate perpetrator of one enzyme
EXCLUSIVE = [
    ("cyp3a4-strong-inhibitor", "cyp3a4-moderate-inhibitor"),
    ("cyp3a4-strong-inducer", "cyp3a4-moderate-inducer"),
    ("cyp2d6-strong-inhibitor", "cyp2d6-moderate-inhibitor"),
    ("cyp2c8-strong-inhibitor", "cyp2c8-moderate-inhibitor"),
    ("cyp2b6-strong-inducer", "cyp2b6-moderate-inducer"),
    ("cyp2c19-strong-inducer", "cyp2c19-moderate-inducer"),
    ("cyp3a-sensitive-substrate", "cyp3a-moderate-sensitive-substrate"),
]


@pytest.mark.parametrize("strong,moderate", EXCLUSIVE)
def test_no_drug_is_both_strong_and_moderate(kb, strong, moderate):
    both = [d for d, e in sorted(kb.drugs.items()) if {strong, moderate} <= set(e["all_classes"])]
    assert any(strong in e["all_classes"] for e in kb.drugs.values()), f"{strong} has no members"
    assert not both, f"{both} are in both {strong} and {moderate}"


# the checks of the enzyme layer: (meds, rule that leads, its level)
LEADS = [
    # the EU ketoconazole label contraindicates atorvastatin: the stricter regulator leads
    (["ketoconazole", "atorvastatin"], "ketoconazole-eu-contraindicated-substrate", "contraindicated"),
    (["clarithromycin", "atorvastatin"], "atorvastatin-strong-cyp3a4-inhibitor", "moderate"),
    (["lovastatin", "gemfibrozil"], "statin-gemfibrozil", "major"),
    (["rifampin", "apixaban"], "doac-pgp-cyp3a-strong-inducer", "major"),
    (["Xarelto", "carbamazepine"], "doac-pgp-cyp3a-strong-inducer", "major"),
    (["fluconazole", "alprazolam"], "alprazolam-azole-antifungal", "major"),
    (["itraconazole", "Xanax"], "alprazolam-ketoconazole-itraconazole", "contraindicated"),
    (["pravastatin", "clarithromycin"], "pravastatin-cyclosporine-clarithromycin", "moderate"),
    (["fentanyl", "diltiazem"], "fentanyl-strong-cyp3a4-inhibitor", "major"),
    (["simvastatin", "clarithromycin"], "simvastatin-lovastatin-strong-cyp3a4-inhibitor", "contraindicated"),
    (["gemfibrozil", "repaglinide"], "gemfibrozil-repaglinide", "contraindicated"),
    (["ibrutinib", "clarithromycin"], "cyp3a-strong-inhibitor-sensitive-substrate", "major"),
    (["Norco", "clarithromycin"], "hydrocodone-cyp3a4-inhibitor", "major"),
]


@pytest.mark.parametrize("meds,rule,severity", LEADS, ids=lambda v: "+".join(v) if isinstance(v, list) else None)
def test_victim_labels_lead(fresh_kb, meds, rule, severity):
    r = check(meds, fresh_kb)
    assert r.complete and r.findings, meds
    lead = r.findings[0]
    assert (lead.rule, lead.severity) == (rule, severity)


def test_class_rule_folds_under_the_specific_rule(fresh_kb):
    # clarithromycin with atorvastatin: the atorvastatin label leads, the class rule is listed under it
    lead = check(["clarithromycin", "atorvastatin"], fresh_kb).findings[0]
    assert "cyp3a-strong-inhibitor-moderately-sensitive-substrate" in {g.rule for g in lead.related}


def test_immunosuppressant_inducer_level_is_not_overruled(fresh_kb):
    # the class rule for strong inducers must not lead above the ANSM-based immunosuppressant rule
    lead = check(["tacrolimus", "rifampin"], fresh_kb).findings[0]
    assert lead.severity == "moderate"


@pytest.mark.parametrize("meds", [["amlodipine", "lisinopril"], ["pravastatin", "fluconazole"], ["coffee", "ciprofloxacin"]])
def test_controls_stay_quiet(fresh_kb, meds):
    r = check(meds, fresh_kb)
    assert r.complete and not r.findings, [(f.rule, f.severity) for f in r.findings]
