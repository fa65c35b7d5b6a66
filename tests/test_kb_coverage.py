"""Coverage of the knowledge base against the lists the project promises to cover.

(a) the 15 ONC high-priority pairs, (b) the 2023 Beers Table 5 pairs, (c) the
checks named in the issue, (d) common safe pairs that must stay quiet, and
(e) the size floor. Severities are the knowledge base's choices; where a choice
differs from the source list, the test names the rule and a comment points to
the rule's notes.
"""

from __future__ import annotations

import pytest

from interactions.engine import check


def _fired(result, findings=None):
    """Every rule that fired, leading or folded in as related: {rule: severity}."""
    out = {}
    for f in result.findings if findings is None else findings:
        for g in (f, *f.related):
            out[g.rule] = g.severity
    return out


def _lead(kb, meds, age=None):
    r = check(list(meds), kb, age=age)
    assert r.complete, [u.input for u in r.unrecognized]
    assert r.findings, f"nothing fired for {meds}"
    return r, r.findings[0]


# --------------------------------------------------------------------------
# (a) ONC high-priority list (Phansalkar 2012): one representative pair per
# row, with the rule that leads and the severity the knowledge base chose.
ONC_HIGH_PRIORITY = [
    # ONC-01 sympathomimetics + MAO inhibitors
    (["phenelzine", "amphetamine"], "maoi-sympathomimetic", "contraindicated"),
    # ONC-02 atazanavir + proton-pump inhibitors
    (["atazanavir", "omeprazole"], "atazanavir-ppi", "contraindicated"),
    # ONC-03 febuxostat + azathioprine or mercaptopurine
    (["febuxostat", "azathioprine"], "thiopurine-febuxostat", "contraindicated"),
    # ONC-04 SSRIs, SNRIs, nefazodone + MAO inhibitors
    (["sertraline", "phenelzine"], "maoi-ssri-snri", "contraindicated"),
    # ONC-05 irinotecan + CYP3A4 inhibitors
    (["irinotecan", "ketoconazole"], "irinotecan-strong-cyp3a4-inhibitor", "contraindicated"),
    # ONC-06 serotonergic opioids and dextromethorphan + MAO inhibitors
    (["tramadol", "tranylcypromine"], "maoi-serotonergic-opioid", "contraindicated"),
    # ONC-07 tricyclics + MAO inhibitors
    (["amitriptyline", "isocarboxazid"], "maoi-tca", "contraindicated"),
    # ONC-08 QT-prolonging + QT-prolonging: major, not contraindicated, by
    # choice (most compendia rate the class pair major); see the notes of
    # qt-known-risk-combination. ANSM's contraindicated pairs are a separate
    # rule, checked below.
    (["amiodarone", "sotalol"], "qt-known-risk-combination", "major"),
    # ONC-09 ramelteon + CYP1A2 inhibitors
    (["ramelteon", "fluvoxamine"], "ramelteon-fluvoxamine", "contraindicated"),
    # ONC-10 strong CYP3A4 inducers + HIV protease inhibitors
    (["darunavir", "rifampin"], "hiv-protease-inhibitor-strong-inducer", "contraindicated"),
    # ONC-11 simvastatin or lovastatin + CYP3A4 inhibitors
    (["simvastatin", "clarithromycin"], "simvastatin-lovastatin-strong-cyp3a4-inhibitor", "contraindicated"),
    # ONC-12 ergot alkaloids + CYP3A4 inhibitors
    (["ergotamine", "ritonavir"], "ergot-cyp3a4-inhibitor", "contraindicated"),
    # ONC-13 tizanidine + CYP1A2 inhibitors
    (["tizanidine", "ciprofloxacin"], "tizanidine-strong-cyp1a2-inhibitor", "contraindicated"),
    # ONC-14 tranylcypromine + procarbazine
    (["tranylcypromine", "procarbazine"], "maoi-combination", "contraindicated"),
    # ONC-15 triptans + MAO inhibitors
    (["sumatriptan", "phenelzine"], "maoi-triptan-mao-metabolised", "contraindicated"),
]

# Members of ONC rows that the knowledge base grades below "contraindicated"
# on purpose; each rule's notes give the reason.
ONC_DELIBERATE_LOWER = [
    # ONC-05: moderate or weak CYP3A4 inhibitors named by ONC (rule notes)
    (["irinotecan", "fluconazole"], "irinotecan-other-cyp3a4-inhibitor", "major"),
    # ONC-08: ANSM contraindicates torsadogenic pairs with citalopram,
    # escitalopram, hydroxyzine or domperidone (a stricter, separate rule)
    (["citalopram", "amiodarone"], "qt-drug-citalopram-escitalopram-hydroxyzine", "contraindicated"),
    # ONC-09: only fluvoxamine is contraindicated on the label (rule notes)
    (["ramelteon", "ciprofloxacin"], "ramelteon-cyp1a2-inhibitor", "major"),
    # ONC-10: rifabutin and bosentan are moderate inducers in the FDA table
    (["darunavir", "rifabutin"], "hiv-protease-inhibitor-rifabutin", "major"),
    (["darunavir", "bosentan"], "hiv-protease-inhibitor-bosentan", "major"),
    # ONC-11: current labels cap the statin dose with moderate inhibitors
    (["simvastatin", "diltiazem"], "simvastatin-lovastatin-moderate-cyp3a4-inhibitor", "moderate"),
    (["simvastatin", "amiodarone"], "simvastatin-lovastatin-amiodarone", "moderate"),
    # ONC-13: the label contraindicates only fluvoxamine and ciprofloxacin
    (["tizanidine", "amiodarone"], "tizanidine-cyp1a2-inhibitor", "major"),
]


@pytest.mark.parametrize("meds,rule,severity", ONC_HIGH_PRIORITY + ONC_DELIBERATE_LOWER, ids=lambda v: "+".join(v) if isinstance(v, list) else None)
def test_onc_high_priority_pairs(fresh_kb, meds, rule, severity):
    _, lead = _lead(fresh_kb, meds)
    assert (lead.rule, lead.severity) == (rule, severity)


def test_every_onc_row_is_represented():
    assert len(ONC_HIGH_PRIORITY) == 15


# --------------------------------------------------------------------------
# (b) Beers 2023 Table 5: each pair fires at major from age 65. Rows that
# apply only from 65 are reported as skipped when no age is given.
BEERS_TABLE_5 = [
    # (medications, Beers rule, age-dependent)
    (["lisinopril", "amiloride"], "beers-ras-inhibitor-combination", True),
    (["lisinopril", "losartan"], "beers-ras-inhibitor-combination", True),
    # opioid + benzodiazepine and opioid + gabapentinoid: all-ages major rules
    (["oxycodone", "alprazolam"], "opioid-benzodiazepine", False),
    (["morphine", "gabapentin"], "opioid-gabapentinoid", False),
    (["amitriptyline", "diphenhydramine"], "beers-anticholinergic-combination", True),
    (["sertraline", "zolpidem", "oxycodone"], "beers-cns-active-three", True),
    (["lithium", "lisinopril"], "beers-lithium-ras-inhibitor", True),
    (["lithium", "furosemide"], "beers-lithium-loop-diuretic", True),
    (["phenytoin", "Bactrim"], "phenytoin-cotrimoxazole-older-adult", True),
    (["theophylline", "cimetidine"], "theophylline-cimetidine-older-adult", True),
    (["theophylline", "ciprofloxacin"], "theophylline-ciprofloxacin-older-adult", True),
    (["warfarin", "amiodarone"], "beers-warfarin-interacting-drug", True),
    (["warfarin", "sertraline"], "beers-warfarin-interacting-drug", True),
    (["warfarin", "clarithromycin"], "beers-warfarin-interacting-drug", True),
    (["warfarin", "Bactrim"], "beers-warfarin-interacting-drug", True),
]


@pytest.mark.parametrize("meds,rule,age_dependent", BEERS_TABLE_5, ids=lambda v: "+".join(v) if isinstance(v, list) else None)
def test_beers_table_5_pairs(fresh_kb, meds, rule, age_dependent):
    r, lead = _lead(fresh_kb, meds, age=70)
    assert lead.severity == "major"
    assert _fired(r).get(rule) == "major"
    young = check(meds, fresh_kb)
    if age_dependent:
        assert rule not in _fired(young)
        assert rule in _fired(young, young.skipped)
    else:
        assert _fired(young).get(rule) == "major"


def test_beers_alpha_blocker_loop_diuretic_is_moderate(fresh_kb):
    # Beers row on non-selective alpha-1 blockers with loop diuretics (urinary
    # incontinence in older women): moderate, not major, by choice because
    # the harm is not life-threatening; see beers-alpha-blocker-loop-diuretic.
    r, lead = _lead(fresh_kb, ["doxazosin", "furosemide"], age=70)
    assert (lead.rule, lead.severity) == ("beers-alpha-blocker-loop-diuretic", "moderate")
    young = check(["doxazosin", "furosemide"], fresh_kb)
    assert "beers-alpha-blocker-loop-diuretic" in _fired(young, young.skipped)


def test_beers_rules_do_not_apply_under_65(fresh_kb):
    r = check(["lithium", "furosemide"], fresh_kb, age=50)
    assert "beers-lithium-loop-diuretic" not in _fired(r) and not r.skipped


# --------------------------------------------------------------------------
# (c) the checks named in the issue warn at the right severity
ISSUE_CHECKS = [
    (["oxycodone", "alprazolam"], "opioid-benzodiazepine", "major"),
    (["Percocet", "Xanax"], "opioid-benzodiazepine", "major"),
    (["warfarin", "ibuprofen"], "oral-anticoagulant-nsaid", "major"),
    (["sildenafil", "nitroglycerin"], "pde5-inhibitor-nitrate", "contraindicated"),
    (["simvastatin", "clarithromycin"], "simvastatin-lovastatin-strong-cyp3a4-inhibitor", "contraindicated"),
    (["oxycodone", "ketoconazole"], "oxycodone-strong-cyp3a4-inhibitor", "major"),
    (["fentanyl", "ritonavir"], "fentanyl-strong-cyp3a4-inhibitor", "major"),
    (["tacrolimus", "clarithromycin"], "immunosuppressant-strong-cyp3a4-inhibitor", "major"),
    (["cyclosporine", "St John's wort"], "immunosuppressant-st-johns-wort", "contraindicated"),
    (["apixaban", "ketoconazole"], "apixaban-rivaroxaban-strong-cyp3a4-inhibitor", "major"),
    (["rivaroxaban", "ritonavir"], "apixaban-rivaroxaban-strong-cyp3a4-inhibitor", "major"),
    (["dabigatran", "dronedarone"], "dabigatran-pgp-inhibitor-contraindicated", "contraindicated"),
    (["Yaz", "rifampin"], "hormonal-contraceptive-enzyme-inducer", "major"),
    (["Yaz", "St John's wort"], "combined-contraceptive-st-johns-wort", "contraindicated"),
    (["clozapine", "fluvoxamine"], "fluvoxamine-cyp1a2-substrate", "moderate"),
    (["ciprofloxacin", "ferrous sulfate"], "fluoroquinolone-iron-sucralfate", "moderate"),
    (["doxycycline", "ferrous sulfate"], "tetracycline-calcium", "moderate"),
    (["phenytoin", "fluconazole"], "phenytoin-fluconazole", "moderate"),
]


@pytest.mark.parametrize("meds,rule,severity", ISSUE_CHECKS, ids=lambda v: "+".join(v) if isinstance(v, list) else None)
def test_issue_checks(fresh_kb, meds, rule, severity):
    _, lead = _lead(fresh_kb, meds)
    assert (lead.rule, lead.severity) == (rule, severity)


def test_sertraline_tramadol_is_serotonin_toxicity(fresh_kb):
    r, lead = _lead(fresh_kb, ["sertraline", "tramadol"])
    assert lead.severity == "moderate"
    fired = _fired(r)
    assert fired["serotonergic-opioid-serotonergic"] == "moderate"
    assert fired["tramadol-antidepressant"] == "moderate"


def test_lisinopril_spironolactone_potassium(fresh_kb):
    r = check(["lisinopril", "spironolactone", "potassium chloride"], fresh_kb)
    assert r.complete and r.highest == "contraindicated"
    by_pair = {frozenset(f.drugs): (f.rule, f.severity) for f in r.findings}
    assert by_pair[frozenset({"potassium chloride", "spironolactone"})] == ("potassium-supplement-potassium-sparing-diuretic", "contraindicated")
    assert by_pair[frozenset({"lisinopril", "spironolactone"})] == ("ras-inhibitor-potassium-sparing-diuretic", "major")
    assert by_pair[frozenset({"lisinopril", "potassium chloride"})] == ("potassium-supplement-ras-inhibitor", "major")


@pytest.mark.parametrize("meds", [["oxycodone", "alprazolam"], ["sertraline", "tramadol"], ["Percocet", "Xanax"]])
def test_issue_checks_fail_the_command(run_cli, meds):
    code, out, _ = run_cli("check", *meds)
    assert code == 1, out


# --------------------------------------------------------------------------
# (d) ordinary safe pairs stay quiet and the command exits 0
SAFE = [
    ["amoxicillin", "acetaminophen"],
    ["levothyroxine", "atorvastatin"],
    ["metformin", "lisinopril"],
    ["lisinopril", "amlodipine"],
    ["metformin", "atorvastatin"],
    ["omeprazole", "amoxicillin"],
    ["albuterol", "fluticasone"],
    ["sertraline", "acetaminophen"],
]


@pytest.mark.parametrize("meds", SAFE, ids=lambda v: "+".join(v))
def test_safe_pairs_stay_quiet(fresh_kb, run_cli, meds):
    r = check(meds, fresh_kb)
    assert r.complete and r.findings == [] and r.skipped == []
    code, out, _ = run_cli("check", *meds)
    assert code == 0, out


# --------------------------------------------------------------------------
# (e) the size floor
def test_counts_meet_the_floor(kb):
    c = kb.counts
    assert c["drugs"] >= 600
    assert c["names"] >= 2500
    assert c["rules"] >= 120
