"""Eye, ear, skin, mouth and vaginal products have their own entries (rules/drugs/local-forms-7.yaml):
a string that names the route reaches the local entry, one that does not stays systemic; the local
entry gives what its label says and none of the systemic-only warnings, and the systemic forms still warn."""

from __future__ import annotations

import pytest

from interactions.engine import check
from interactions.examples import fired as rules_fired
from interactions.normalize import resolve

# (string as typed, the entries it must resolve to)
NAMES = [
    ("Vigamox", ("moxifloxacin ophthalmic",)),
    ("Vigamox 1 drop OU", ("moxifloxacin ophthalmic",)),
    ("moxifloxacin eye drops", ("moxifloxacin ophthalmic",)),
    ("moxifloxacin 0.5% eye drops", ("moxifloxacin ophthalmic",)),
    ("MOXIFLOXACIN 0.5% SOLN,OPH", ("moxifloxacin ophthalmic",)),
    ("moxifloxacin 400 mg", ("moxifloxacin",)),
    ("Avelox 400 mg", ("moxifloxacin",)),
    ("Ciloxan", ("ciprofloxacin ophthalmic",)),
    ("ciprofloxacin 0.3% 1 gtt OU q4h", ("ciprofloxacin ophthalmic",)),
    ("Ciprodex", ("ciprofloxacin auricular",)),
    ("Otiprio", ("ciprofloxacin auricular",)),
    ("ciprofloxacin 500 mg", ("ciprofloxacin",)),
    ("Ocuflox", ("ofloxacin ophthalmic",)),
    ("Floxin Otic", ("ofloxacin auricular",)),
    ("Quixin", ("levofloxacin ophthalmic",)),
    ("AzaSite", ("azithromycin ophthalmic",)),
    ("Zithromax 250 mg", ("azithromycin",)),
    ("erythromycin 0.5% eye ointment", ("erythromycin ophthalmic",)),
    ("Tobrex", ("tobramycin ophthalmic",)),
    ("TOBI 300 mg", ("tobramycin",)),
    ("Genoptic", ("gentamicin ophthalmic",)),
    ("TobraDex", ("dexamethasone ophthalmic", "tobramycin ophthalmic")),
    ("Maxitrol", ("dexamethasone ophthalmic", "neomycin ophthalmic", "polymyxin b topical")),
    ("chloramphenicol 0.5% eye drops", ("chloramphenicol ophthalmic",)),
    ("Zirgan", ("ganciclovir ophthalmic",)),
    ("acyclovir 5% cream", ("acyclovir topical",)),
    ("Sitavig", ("acyclovir buccal",)),
    ("Zovirax 400 mg", ("acyclovir",)),
    ("Lamisil AT", ("terbinafine topical",)),
    ("Lamisil 250 mg", ("terbinafine",)),
    ("Monistat 7", ("miconazole vaginal",)),
    ("miconazole 2% cream", ("miconazole topical",)),
    ("Oravig", ("miconazole",)),
    ("MetroGel", ("metronidazole topical",)),
    ("MetroGel-Vaginal 0.75% gel", ("metronidazole vaginal",)),
    ("Flagyl 500 mg", ("metronidazole",)),
    ("Protopic 0.1% ointment", ("tacrolimus topical",)),
    ("Prograf 1 mg", ("tacrolimus",)),
    ("Efudex 5% cream", ("fluorouracil topical",)),
    ("Aczone", ("dapsone topical",)),
    ("Vuity", ("pilocarpine ophthalmic",)),
    ("Salagen 5 mg", ("pilocarpine",)),
    ("fusidic acid 2% cream", ("fusidic acid topical",)),
    ("Fucithalmic", ("fusidic acid ophthalmic",)),
    ("Voltaren Ophthalmic", ("diclofenac ophthalmic",)),
    ("Voltaren Gel", ("diclofenac topical",)),
    ("Lidoderm 5% patch", ("lidocaine topical",)),
    ("lidocaine 2% injection", ("lidocaine",)),
]


@pytest.mark.parametrize(("text", "drugs"), NAMES, ids=[t for t, _ in NAMES])
def test_a_string_reaches_the_entry_of_its_route(text, drugs, kb):
    res = resolve(text, kb)
    assert res.ok, res.reason
    assert res.drugs == drugs


# (local product, systemic partner, rules the systemic form fires that the local one must not)
QUIET = [
    ("Vigamox", "amiodarone", {"antiarrhythmic-fluoroquinolone", "qt-known-risk-combination"}),
    ("moxifloxacin 0.5% eye drops", "amiodarone", {"antiarrhythmic-fluoroquinolone", "qt-known-risk-combination"}),
    ("Ciloxan", "tizanidine", {"tizanidine-strong-cyp1a2-inhibitor"}),
    ("Ciprodex", "warfarin", {"warfarin-interacting-drug"}),
    ("AzaSite", "amiodarone", {"qt-known-risk-combination"}),
    ("erythromycin 0.5% eye ointment", "simvastatin", {"simvastatin-lovastatin-strong-cyp3a4-inhibitor"}),
    ("Maxitrol", "furosemide", {"furosemide-aminoglycoside"}),
    ("Tobrex", "furosemide", {"furosemide-aminoglycoside"}),
    ("TobraDex", "tacrolimus", {"calcineurin-inhibitor-nephrotoxic-drug"}),
    ("Genoptic", "cisplatin", {"furosemide-aminoglycoside"}),
    ("Lamisil AT", "tamoxifen", {"terbinafine-tamoxifen"}),
    ("miconazole 2% cream", "warfarin", {"warfarin-interacting-drug", "miconazole-vaginal-vitamin-k-antagonist"}),
    ("Zirgan", "imipenem", {"ganciclovir-imipenem"}),
    ("Protopic", "clarithromycin", {"immunosuppressant-strong-cyp3a4-inhibitor"}),
    ("chloramphenicol 0.5% eye drops", "phenytoin", {"phenytoin-level-raiser"}),
    ("pilocarpine 1% eye drops", "donepezil", {"donepezil-cholinergic"}),
    ("fusidic acid 2% cream", "atorvastatin", {"statin-systemic-fusidic-acid"}),
    ("Cleocin T", "warfarin", set()),
    ("Lidoderm", "ritonavir", {"ritonavir-label-substrate"}),
    ("Clear Eyes", "phenelzine", {"maoi-nasal-decongestant"}),
]


@pytest.mark.parametrize(("local", "partner", "silent"), QUIET, ids=[f"{a} + {b}" for a, b, _ in QUIET])
def test_a_local_form_gives_no_systemic_only_warning(local, partner, silent, kb):
    r = check([local, partner], kb)
    assert r.complete
    fired = rules_fired(r)
    assert not silent & set(fired), fired
    assert "major" not in fired.values() and "contraindicated" not in fired.values(), fired


# (list, rule that must fire, its severity): what the local label says
LABEL = [
    (["Voltaren Ophthalmic", "warfarin"], "ophthalmic-nsaid-bleeding-drug", "minor"),
    (["Acular", "clopidogrel"], "ophthalmic-nsaid-bleeding-drug", "minor"),
    (["MetroGel", "warfarin"], "metronidazole-topical-vitamin-k-antagonist", "minor"),
    (["Monistat 7", "warfarin"], "miconazole-vaginal-vitamin-k-antagonist", "moderate"),
    (["Voltaren Gel", "warfarin"], "diclofenac-topical-oral-anticoagulant", "moderate"),
    (["Voltaren Gel", "lithium"], "diclofenac-topical-lithium", "moderate"),
    (["MetroGel-Vaginal", "warfarin"], "warfarin-interacting-drug", "major"),
    (["MetroGel-Vaginal", "disulfiram"], "metronidazole-disulfiram", "contraindicated"),
    (["Vandazole", "lithium"], "lithium-metronidazole", "moderate"),
    (["Lidoderm", "mexiletine"], "lidocaine-topical-class-i-antiarrhythmic", "minor"),
]


@pytest.mark.parametrize(("meds", "rule", "severity"), LABEL, ids=[" + ".join(m) for m, _, _ in LABEL])
def test_a_local_form_gives_what_its_label_says(meds, rule, severity, kb):
    r = check(meds, kb)
    assert r.complete
    fired = rules_fired(r)
    assert fired.get(rule) == severity, fired
    assert r.findings[0].severity == severity, fired  # nothing graver leads


# (list, rule that must still fire): the systemic forms keep their warnings
SYSTEMIC = [
    (["moxifloxacin 400 mg", "amiodarone"], "antiarrhythmic-fluoroquinolone"),
    (["Avelox", "amiodarone"], "qt-known-risk-combination"),
    (["ciprofloxacin 500 mg", "tizanidine"], "tizanidine-strong-cyp1a2-inhibitor"),
    (["Zithromax", "amiodarone"], "qt-known-risk-combination"),
    (["TOBI", "furosemide"], "furosemide-aminoglycoside"),
    (["neomycin 500 mg tablet", "furosemide"], "furosemide-aminoglycoside"),
    (["Lamisil 250 mg", "tamoxifen"], "terbinafine-tamoxifen"),
    (["Flagyl", "warfarin"], "warfarin-interacting-drug"),
    (["Oravig", "warfarin"], "warfarin-interacting-drug"),
    (["Prograf", "clarithromycin"], "immunosuppressant-strong-cyp3a4-inhibitor"),
    (["ganciclovir", "imipenem-cilastatin"], "ganciclovir-imipenem"),
    (["Salagen", "donepezil"], "donepezil-cholinergic"),
    (["diclofenac 50 mg", "warfarin"], "oral-anticoagulant-nsaid"),
    (["diclofenac 50 mg", "lithium"], "lithium-nsaid"),
    (["lidocaine 2% injection", "ritonavir"], "ritonavir-label-substrate"),
    (["Privine", "phenelzine"], "maoi-nasal-decongestant"),
]


@pytest.mark.parametrize(("meds", "rule"), SYSTEMIC, ids=[" + ".join(m) for m, _ in SYSTEMIC])
def test_the_systemic_form_still_warns(meds, rule, kb):
    r = check(meds, kb)
    assert r.complete
    assert rule in rules_fired(r)


LOCAL_ENTRIES = [
    "moxifloxacin ophthalmic", "ciprofloxacin ophthalmic", "ciprofloxacin auricular", "ofloxacin ophthalmic", "ofloxacin auricular",
    "levofloxacin ophthalmic", "azithromycin ophthalmic", "erythromycin ophthalmic", "gentamicin ophthalmic",
    "gentamicin topical", "tobramycin ophthalmic", "neomycin ophthalmic", "neomycin topical", "acyclovir topical",
    "acyclovir buccal", "ganciclovir ophthalmic", "terbinafine topical", "miconazole topical", "miconazole vaginal",
    "fluorouracil topical", "dapsone topical", "chloramphenicol ophthalmic", "pilocarpine ophthalmic",
    "fusidic acid topical", "fusidic acid ophthalmic", "naphazoline ophthalmic",
]


def test_each_local_entry_states_its_route_base_and_reason_and_keeps_no_systemic_class(kb):
    for drug in LOCAL_ENTRIES:
        d = kb.drugs[drug]
        assert d["route"] and d["route"] != "systemic" and d["form_of"] and d["note"], drug
        assert not kb.drug_classes[drug], (drug, kb.drug_classes[drug])


def test_vaginal_metronidazole_keeps_the_classes_its_label_names(kb):
    d = kb.drugs["metronidazole vaginal"]
    assert d["route"] == "vaginal" and d["form_of"] == "metronidazole"
    assert set(kb.drug_classes["metronidazole vaginal"]) == {"disulfiram-like", "warfarin-potentiator"}


SEIZURE = [
    (["bupropion", "ciprofloxacin"], True),
    (["tramadol", "imipenem-cilastatin"], True),
    (["Wellbutrin XL", "meperidine"], True),
    (["bupropion", "Ciloxan"], False),
    (["ciprofloxacin", "clozapine"], False),
    (["tramadol", "amoxicillin"], False),
]


@pytest.mark.parametrize(("meds", "fires"), SEIZURE, ids=[" + ".join(m) for m, _ in SEIZURE])
def test_bupropion_and_tramadol_meet_other_seizure_threshold_drugs(meds, fires, kb):
    r = check(meds, kb)
    assert r.complete
    fired = rules_fired(r)
    assert ("bupropion-tramadol-seizure-threshold-drug" in fired) == fires, fired
    if fires:
        assert fired["bupropion-tramadol-seizure-threshold-drug"] == "moderate"
