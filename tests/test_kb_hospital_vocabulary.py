"""Hospital, oncology, vaccine and international vocabulary: names resolve, and the classes they carry
make the shipped rules reach them (or, for local forms, keep them quiet)."""

from __future__ import annotations

import pytest

from interactions.engine import check
from interactions.normalize import resolve

# (string as written in an inpatient, oncology or UK/Australian/Canadian list, ingredients expected)
NAMES = [
    ("PIPERACILLIN/TAZOBACTAM 4.5GM INJ", {"piperacillin", "tazobactam"}),
    ("Tazocin 4.5 g IV q8h", {"piperacillin", "tazobactam"}),
    ("pip-tazo 4.5g", {"piperacillin", "tazobactam"}),
    ("Meronem 1 g IV", {"meropenem"}),
    ("Primaxin 500 mg", {"imipenem", "cilastatin"}),
    ("Zavicefta 2.5 g", {"ceftazidime", "avibactam"}),
    ("Fortum 1g", {"ceftazidime"}),
    ("Cefepime HCl 1 g injection", {"cefepime"}),
    ("amikacin sulfate 500 mg/2 mL", {"amikacin"}),
    ("Targocid 400 mg", {"teicoplanin"}),
    ("AmBisome 3 mg/kg", {"amphotericin b"}),
    ("Cymevene 500 mg", {"ganciclovir"}),
    ("Rulide 150 mg", {"roxithromycin"}),
    ("Flucil 500 mg", {"flucloxacillin"}),
    ("Alprim 300 mg", {"trimethoprim"}),
    ("Rifinah 300", {"rifampin", "isoniazid"}),
    ("Keytruda 200 mg", {"pembrolizumab"}),
    ("Paclitaxel 175 mg/m2", {"paclitaxel"}),
    ("Caelyx 40 mg/m2", {"doxorubicin"}),
    ("Lonsurf 20 mg", {"trifluridine", "tipiracil"}),
    ("Zoladex LA 10.8 mg", {"goserelin"}),
    ("Amgevita 40 mg", {"adalimumab"}),
    ("Thymoglobulin", {"antithymocyte globulin"}),
    ("Omnipaque 350", {"iohexol"}),
    ("Gadovist 1.0", {"gadobutrol"}),
    ("Intralipid 20%", {"lipid injectable emulsion"}),
    ("Plasma-Lyte 148", {"multiple electrolytes injection"}),
    ("D5 1/2NS with 20 mEq KCl 1000 mL", {"dextrose", "sodium chloride", "potassium chloride"}),
    ("TPN", {"amino acids", "dextrose"}),
    ("Kabiven 1440 mL", {"amino acids", "dextrose", "lipid injectable emulsion"}),
    ("Shingrix 0.5 mL IM", {"zoster vaccine recombinant"}),
    ("Prevenar 13", {"pneumococcal conjugate vaccine"}),
    ("Boostrix", {"tetanus toxoid", "diphtheria toxoid", "pertussis vaccine acellular"}),
    ("IVIG 2 g/kg", {"immune globulin"}),
    ("Kapanol 20 mg", {"morphine"}),
    ("co-danthramer", {"dantron", "poloxamer 188"}),
    ("co-magaldrox", {"aluminum hydroxide", "magnesium"}),
    ("oxygen 28%", {"oxygen"}),
    ("Diprobase cream", {"emollient"}),
    ("white soft paraffin 50%", {"petrolatum"}),
    ("Debrox 6.5% drops", {"carbamide peroxide"}),
    ("Grazax tablet", {"timothy grass pollen allergen extract"}),
]


@pytest.mark.parametrize("text,ingredients", NAMES, ids=[n for n, _ in NAMES])
def test_hospital_and_international_names_resolve(text, ingredients, kb):
    res = resolve(text, kb)
    assert res.ok, res.reason
    assert set(res.drugs) == ingredients


def test_a_uk_range_name_is_ambiguous_not_guessed(kb):
    res = resolve("Solpadeine", kb)
    assert res.status == "ambiguous" and len(res.candidates) >= 2


# (list, rule that must fire): each pair exercises a class membership given to a new drug
FIRES = [
    (["telithromycin", "simvastatin"], "simvastatin-lovastatin-strong-cyp3a4-inhibitor"),
    (["Viekira Pak", "simvastatin"], "simvastatin-lovastatin-strong-cyp3a4-inhibitor"),
    (["lonafarnib", "midazolam"], "triazolobenzodiazepine-strong-cyp3a4-inhibitor"),
    (["Prevymis", "simvastatin"], "simvastatin-lovastatin-moderate-cyp3a4-inhibitor"),
    (["halofantrine", "moxifloxacin"], "qt-known-risk-combination"),
    (["AmBisome", "sotalol"], "qt-drug-potassium-lowering"),
    (["Tazocin 4.5 g IV", "methotrexate 15 mg weekly"], "methotrexate-penicillin"),
    (["cefamandole", "alcohol"], "disulfiram-like-drug-alcohol"),
    (["Nuzyra", "calcium carbonate"], "tetracycline-calcium"),
    (["norfloxacin", "tizanidine"], "tizanidine-cyp1a2-inhibitor"),
    (["co-trimazine", "methotrexate"], "methotrexate-trimethoprim"),
    (["propantheline", "oxybutynin"], "anticholinergic-combination"),
    (["D5 1/2NS with 20 mEq KCl", "spironolactone"], "potassium-supplement-potassium-sparing-diuretic"),
]


@pytest.mark.parametrize("meds,rule", FIRES, ids=[" + ".join(m) for m, _ in FIRES])
def test_new_members_reach_the_class_rules(meds, rule, fresh_kb):
    r = check(meds, fresh_kb)
    assert r.complete
    assert rule in {f.rule for f in r.findings} | {s.rule for f in r.findings for s in f.related}


def test_local_forms_carry_no_systemic_class(kb):
    # eye drops, skin, nail and vaginal antifungals and antiseptics: negligible blood levels
    for drug in ("besifloxacin", "gatifloxacin ophthalmic", "luliconazole", "efinaconazole", "ciclopirox", "terconazole",
                 "tioconazole", "penciclovir", "chlorhexidine", "povidone-iodine", "malathion", "spinosad"):
        d = kb.drugs[drug]
        assert d["route"] and not d["classes"], drug


def test_eye_drops_of_a_fluoroquinolone_do_not_inhibit_cyp1a2(fresh_kb):
    assert "tizanidine-cyp1a2-inhibitor" in {f.rule for f in check(["gatifloxacin", "tizanidine"], fresh_kb).findings}
    r = check(["gatifloxacin eye drops", "tizanidine"], fresh_kb)
    assert r.complete and not r.findings


def test_intravenous_only_tetracyclines_are_not_chelated(fresh_kb):
    for iv in ("tigecycline", "eravacycline"):
        r = check([iv, "calcium carbonate"], fresh_kb)
        assert r.complete and not r.findings, iv


def test_vaccines_contrast_and_nutrition_are_recognised_and_quiet(fresh_kb):
    r = check(["Shingrix", "Fluad Quad", "Omnipaque 300", "Intralipid 20%", "Plasma-Lyte 148"], fresh_kb)
    assert r.complete and not r.findings
