"""The normaliser: every form a medication string arrives in, and that it never guesses."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from interactions import normalize
from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs
from interactions.normalize import resolve
from interactions.suggest import for_resolution
from interactions.text import key

from conftest import FIXTURES

_KB = KnowledgeBase(compile_dirs(rule_dirs()))
NAMES = sorted(k for k in _KB.names if not k.startswith("rxcui:"))
SETTINGS = settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])

# look-alike / sound-alike pairs: a known cause of dispensing errors
LASA = [
    ("hydroxyzine", "hydralazine"),
    ("clonidine", "Klonopin"),
    ("tramadol", "trazodone"),
    ("Celebrex", "Celexa"),
    ("hydrocodone", "hydromorphone"),
    ("oxycodone", "oxymorphone"),
]
# (as typed, the name meant): suggestions must put the meant name first
MISSPELLINGS = [
    ("hydroxyzne", "hydroxyzine"), ("hydroxizine", "hydroxyzine"), ("hydralazne", "hydralazine"),
    ("hydralizine", "hydralazine"), ("clonodine", "clonidine"), ("klonipin", "Klonopin"), ("clonazapam", "clonazepam"),
    ("tramdol", "tramadol"), ("trazadone", "trazodone"), ("celebrax", "Celebrex"), ("alprazalam", "alprazolam"),
    ("zanax", "Xanax"), ("lorazapam", "lorazepam"), ("diazapam", "diazepam"), ("sertaline", "sertraline"),
    ("lisinipril", "lisinopril"), ("amlodapine", "amlodipine"), ("metropolol", "metoprolol"),
    ("furosamide", "furosemide"), ("gabapenton", "gabapentin"), ("oxycodne", "oxycodone"), ("percoset", "Percocet"),
    ("hydrocodine", "hydrocodone"), ("hydromorphine", "hydromorphone"), ("oxymorphine", "oxymorphone"),
    ("acetaminophin", "acetaminophen"), ("ibuprofin", "ibuprofen"), ("asprin", "aspirin"),
    ("propanolol", "propranolol"), ("flexaril", "Flexeril"), ("neurotin", "Neurontin"),
    ("hydroxyzne 25 mg tab", "hydroxyzine"),
]


def need(kb, *names):
    missing = [n for n in names if key(n) not in kb.names]
    if missing:
        pytest.skip(f"needs {', '.join(missing)} in the knowledge base")


@pytest.fixture(scope="module")
def code_kb(tmp_path_factory):
    """The tiny knowledge base plus a drug and a product with RxNorm clinical-drug codes."""
    layer = tmp_path_factory.mktemp("clinical-codes")
    (layer / "codes.yaml").write_text(
        "schema_version: 1\n"
        "drugs:\n"
        "  - {id: clin, classes: [], codes: {rxnorm: '21', rxnorm_clinical: ['2101', '2102']}}\n"
        "products:\n"
        "  - {id: clin-para, names: [Clinpara], ingredients: [clin, para], codes: {rxnorm_clinical: ['2199']}}\n"
    )
    return KnowledgeBase(compile_dirs([(str(FIXTURES / "mini_kb"), True), (str(layer), False)]))


# ---------------------------------------------------------------- look-alikes


@pytest.mark.parametrize(("a", "b"), LASA)
def test_look_alike_names_each_resolve_exactly_and_never_to_each_other(fresh_kb, a, b):
    need(fresh_kb, a, b)
    ra, rb = resolve(a, fresh_kb), resolve(b, fresh_kb)
    assert ra.ok and rb.ok
    assert ra.drugs == fresh_kb.names[key(a)][1] and rb.drugs == fresh_kb.names[key(b)][1]
    assert set(ra.drugs).isdisjoint(rb.drugs)


@pytest.mark.parametrize(("typed", "meant"), MISSPELLINGS)
def test_a_misspelling_is_never_resolved_and_the_meant_name_is_suggested_first(fresh_kb, typed, meant):
    need(fresh_kb, meant)
    res = resolve(typed, fresh_kb)
    assert res.status == "unknown" and res.drugs == ()
    first = for_resolution(res, fresh_kb)[0]
    assert first.split(" (")[0].casefold() == meant.casefold()


@pytest.mark.parametrize("typed", ["hydroxyzinex", "clonid", "baclofe", "tramadols", "Xanaxx"])
def test_no_prefix_or_near_match_is_ever_resolved(kb, typed):
    assert not resolve(typed, kb).ok


# ---------------------------------------------------------------- ambiguous names


@pytest.mark.parametrize("typed", ["Humulin 7/30", "humulin 0/70", "humulin 3u/70", "Novolin 7/3", "Tylenol 300/30", "insulin 7/30"])
def test_a_mistyped_numbered_product_is_not_read_as_its_base_name_with_dose_text(kb, typed):
    """Humulin 70/30 holds two insulins; "Humulin 7/30" must not settle as Humulin (one insulin) with a dose."""
    res = resolve(typed, kb)
    assert res.status == "unknown" and not res.settled and "with a number hold other ingredients" in res.reason


@pytest.mark.parametrize(("typed", "drugs"), [
    ("Humulin 70/30", {"insulin human", "insulin isophane"}), ("Humulin 100 units/mL", {"insulin human"}),
    ("Norco 7.5/325", {"hydrocodone", "acetaminophen"}), ("Humalog Mix 75/25", {"insulin lispro"}),
    ("Tylenol 325 mg", {"acetaminophen"}), ("Tylenol 500", {"acetaminophen"}), ("Os-Cal 500", {"calcium"}),
])
def test_a_number_after_a_name_whose_numbered_products_agree_stays_dose_text(kb, typed, drugs):
    res = resolve(typed, kb)
    assert res.ok and set(res.drugs) == drugs


def test_every_shipped_ambiguous_name_is_reported_with_its_candidates(kb):
    assert kb.ambiguous, "rules/drugs/ambiguous.yaml lists names"
    for k, entry in kb.ambiguous.items():
        for typed in (entry["name"], entry["name"].upper(), f"{entry['name']} 10 mg PO BID"):
            res = resolve(typed, kb)
            assert res.status == "ambiguous", typed
            assert res.candidates == entry["candidates"] and len(res.candidates) >= 2
            assert all(c in kb.drugs for c in res.candidates)


def test_an_ambiguous_part_makes_a_combination_ambiguous(mini_kb):
    res = resolve("OP/paramol 5/325", mini_kb)
    assert res.status == "ambiguous" and res.candidates == ("oxy", "pril")


def test_a_bracketed_name_that_disagrees_is_ambiguous(mini_kb):
    res = resolve("Oxyfoo (alpra) 5 mg", mini_kb)
    assert res.status == "ambiguous" and set(res.candidates) == {"oxy", "alpra"}


# ---------------------------------------------------------------- codes


@pytest.mark.parametrize(
    "typed", ["rxcui:11", "RxNorm:11", "RXCUI 11", "rxnorm#11", "RxCUI: 11", "rxcui=11", "RxNorm CUI 11", "RXNORM 11"]
)
def test_rxnorm_code_forms(mini_kb, typed):
    res = resolve(typed, mini_kb)
    assert (res.status, res.drugs, res.method, res.matched) == ("ok", ("oxy",), "code", "rxcui:11")


def test_a_bare_number_is_not_a_code(mini_kb):
    res = resolve("11", mini_kb)
    assert res.status == "unknown" and "rxcui:11" in res.reason


def test_an_unknown_code_says_so(mini_kb):
    res = resolve("rxcui:424242", mini_kb)
    assert res.status == "unknown" and "424242" in res.reason


def test_clinical_drug_codes_resolve_to_their_drug_or_product(code_kb):
    assert resolve("rxcui:2102", code_kb).drugs == ("clin",)
    res = resolve("RxNorm:2199", code_kb)
    assert (res.drugs, res.product, res.method) == (("clin", "para"), "clin-para", "code")


def test_a_code_in_brackets_must_agree_with_the_name(mini_kb):
    assert resolve("Oxyfoo (rxcui:11)", mini_kb).ok
    assert resolve("alpra (RxNorm: 11)", mini_kb).status == "ambiguous"


# ---------------------------------------------------------------- combinations


def test_combination_notations_resolve_to_the_product(mini_kb):
    typed_forms = ("oxy/paramol 5/325", "Oxyfoo-para 10-325 mg", "oxy and para", "para + oxy", "oxy w/para",
                   "oxy 5 mg / para 325 mg tablet")
    for typed in typed_forms:
        res = resolve(typed, mini_kb)
        assert (res.status, res.drugs, res.product, res.method) == ("ok", ("oxy", "para"), "oxy-para", "combination"), typed


def test_two_names_side_by_side_inside_a_list_of_three_are_read_when_the_product_exists(kb):
    res = resolve("BUTALBITAL ACETAMINOPHEN AND CAFFEINE 50-325-40 MG TAB", kb)
    assert res.drugs == ("acetaminophen", "butalbital", "caffeine") and res.method == "combination"
    assert resolve("aspirin acetaminophen and caffeine", kb).drugs == ("acetaminophen", "aspirin", "caffeine")
    for typed in ("warfarin aspirin and caffeine", "oxycodone acetaminophen and ibuprofen"):
        assert not resolve(typed, kb).ok, typed


def test_a_combination_of_products_or_unknown_parts_is_not_resolved(mini_kb):
    for typed in ("Oxypara/alpra", "oxy/banana", "oxy/alpra", "oxy or para"):
        assert not resolve(typed, mini_kb).ok, typed


def test_a_bracketed_product_widens_a_single_ingredient(mini_kb):
    res = resolve("oxy (Oxypara)", mini_kb)
    assert res.drugs == ("oxy", "para") and res.confirmed == ("Oxypara",)


# ---------------------------------------------------------------- nothing lost, nothing guessed


def test_set_aside_text_and_bracketed_names_are_kept_as_typed(kb):
    res = resolve("Tab. BACLOFEN (Lioresal) 10MG Tablets PO TID", kb)
    assert res.ok and res.input == "Tab. BACLOFEN (Lioresal) 10MG Tablets PO TID"
    assert res.removed == "Tab.; 10MG Tablets PO TID"
    assert res.confirmed == ("Lioresal",)
    assert res.matched == "baclofen" and res.method == "generic"


def test_bracketed_dose_and_salt_text_is_set_aside(kb):
    res = resolve("sertraline (as hydrochloride) 50 mg tablets", kb)
    assert res.ok and res.removed == "(as hydrochloride) 50 mg tablets"


@pytest.mark.parametrize(
    "typed",
    [
        "baclofen banana",
        "baclofen 10 mg for spasticity",
        "lisinopril 10 mg (Patient taking differently: 5 mg daily)",
        "Panadol Night",  # a product suffix, not dose text
        "Tylenol #2",  # a product number: acetaminophen with codeine, not plain Tylenol
        "Tylenol 2",
        "Lopressor HCL",  # salt words qualify generic names only; after a brand it may be a slip for HCT
    ],
)
def test_words_that_are_not_dose_text_keep_a_string_unrecognised(kb, typed):
    need(kb, typed.split()[0])
    res = resolve(typed, kb)
    assert res.status == "unknown" and res.reason


def test_stripping_a_salt_never_leaves_only_a_cation(tmp_path):
    (tmp_path / "kb.yaml").write_text(
        "schema_version: 1\nknowledge_base: {name: t, version: '1'}\n"
        "drugs:\n  - {id: calcium carbonate, names: [calcium], classes: []}\n"
    )
    kb = KnowledgeBase(compile_dirs([(str(tmp_path), True)]))
    assert resolve("calcium carbonate 500 mg", kb).ok
    assert not resolve("calcium acetate 667 mg", kb).ok


def test_unknown_reasons_name_the_problem(kb):
    assert "'banana'" in resolve("baclofen banana", kb).reason
    assert "separately" in resolve("oxycodone and alprazolam", kb).reason
    assert "separately" in resolve("Xanax or Valium", kb).reason
    assert "only dose" in resolve("10 mg tablet", kb).reason


def test_a_seen_string_costs_one_dictionary_look_up(fresh_kb, monkeypatch):
    first = resolve("Baclofen 10 mg tablets", fresh_kb)
    monkeypatch.setattr(normalize, "_resolve", lambda *a: pytest.fail("resolved twice"))
    assert resolve("Baclofen 10 mg tablets", fresh_kb) is first
    assert fresh_kb.resolved["Baclofen 10 mg tablets"] is first


# ---------------------------------------------------------------- properties over the whole vocabulary

DOSE_TEXT = ["10 mg", "25 MG ORAL TABLET", "100 mg po bid", "20mg tablets", "12.5 mg daily prn pain",
             "40 MG 24HR Extended Release Oral Tablet", "50 mcg/hr patch q72h", "10 mg/5 mL oral solution"]
LEADING = ["", "Tab ", "Take ", "1. ", "- "]


@SETTINGS
@given(
    st.sampled_from(NAMES), st.sampled_from(DOSE_TEXT), st.sampled_from(LEADING),
    st.sampled_from([str.lower, str.upper, str.title]),
)
def test_dose_text_never_changes_what_a_name_means(name, dose, lead, case):
    if all(normalize._kind(w) for w in name.split()):
        # a name made only of dose and form words ("50/50 ointment") cannot be told from the dose text
        # written after it; alone it still resolves
        assert resolve(case(name), _KB).ok
        return
    res = resolve(f"{lead}{case(name)} {dose}", _KB)
    if _KB.names[name][0] == "non-medication":
        # a strength belongs to a medicine: "syringes 10 mg" names something else, and is not settled
        # ("Tab oral syringe 10 mg" reads as dose and form text only: unknown either way)
        assert res.status == "unknown" and not res.settled
        return
    assert res.settled
    want = _KB.names[name][1:]
    if (res.drugs, res.product) != want and len(res.drugs) == 1 and len(want[0]) == 1:
        # a form word of the dose text may pick the drug's route-specific entry ("diclofenac ... patch"
        # is topical diclofenac), never another drug
        assert _KB.drugs[res.drugs[0]].get("form_of") == want[0][0] and not want[1], (res.drugs, want)
        return
    assert (res.drugs, res.product) == want


@SETTINGS
@given(
    st.sampled_from(NAMES), st.integers(0, 40), st.sampled_from(["delete", "replace", "insert", "swap"]),
    st.sampled_from(string.ascii_lowercase),
)
def test_a_misspelt_name_never_resolves_to_another_drug(name, at, op, letter):
    i = at % len(name)
    typo = {
        "delete": name[:i] + name[i + 1:],
        "replace": name[:i] + letter + name[i + 1:],
        "insert": name[:i] + letter + name[i:],
        "swap": name[:i] + name[i + 1:i + 2] + name[i:i + 1] + name[i + 2:],
    }[op]
    assume(key(typo) not in _KB.names and key(typo) not in _KB.ambiguous)
    res = resolve(typo, _KB)
    assert not res.ok or set(res.drugs) == set(_KB.names[name][1]), (typo, res.drugs)


_VOCABULARY = normalize._STRONG | normalize._WEAK | normalize._SALT_WORDS


@SETTINGS
@given(st.sampled_from(NAMES), st.text(string.ascii_lowercase, min_size=3, max_size=9))
def test_an_unknown_word_keeps_a_name_unrecognised(name, word):
    assume(word not in _VOCABULARY and word not in _KB.names and word not in _KB.ambiguous)
    assume(key(f"{name} {word}") not in _KB.names)
    assert not resolve(f"{name} {word}", _KB).ok


@SETTINGS
@given(
    st.text(max_size=80)
    | st.lists(st.sampled_from(NAMES + ["10 mg", "(", ")", "/", "-", "and", "#3", "tab", "x", "rxcui:1292", ","]), max_size=8)
    .map(" ".join)
)
def test_any_text_gets_an_answer_and_keeps_its_input(text):
    res = resolve(text, _KB)
    assert res.input == text and res.status in ("ok", "unknown", "ambiguous", "non_medication")
    assert res.ok == bool(res.drugs)
    assert res.settled or res.reason


def test_invisible_characters_from_pasted_text_are_ignored(kb):
    assert resolve("\u200bbaclofen\u00ad 10\ufeff mg", kb).drugs == ("baclofen",)


def test_an_overlong_string_is_not_taken_apart(kb):
    res = resolve("baclofen " + "10 mg " * 200, kb)
    assert res.status == "unknown" and "characters" in res.reason


def test_a_form_set_aside_that_names_its_own_entry_is_used(kb):
    # the cream is the cream whether or not a strength stands between name and form
    plain = resolve("ketoconazole cream", kb)
    with_strength = resolve("ketoconazole 2% cream", kb)
    assert plain.ok and with_strength.ok and plain.drugs == with_strength.drugs == ("ketoconazole topical",)
    assert resolve("ketoconazole 200 mg tablet", kb).drugs == ("ketoconazole",)


def test_ac_is_not_stripped_from_a_product_name(kb):
    # Guaifenesin AC contains codeine: "AC" must not be set aside as "before meals"
    assert resolve("guaifenesin AC", kb).drugs == ("codeine", "guaifenesin")
    assert resolve("baclofen 10 mg po ac", kb).drugs == ("baclofen",)


# ---------------------------------------------------------------- export styles

def test_comma_joined_pharmacy_forms_are_dose_text_only_when_every_piece_is(kb):
    assert resolve("ATENOLOL 50MG TAB,UD", kb).drugs == ("atenolol",)
    assert resolve("DILTIAZEM HCL 120MG CAP,SA", kb).removed == "120MG CAP,SA"
    res = resolve("ATENOLOL 50MG TAB,XYZ", kb)
    assert res.status == "unknown" and "tab,xyz" in res.reason


def test_salt_abbreviations_qualify_generic_names_only(kb):
    assert resolve("Amlodipine Besy 10mg tab", kb).drugs == ("amlodipine",)
    assert resolve("PANTOPRAZOLE NA 40MG TAB,EC", kb).drugs == ("pantoprazole",)
    assert not resolve("Lopressor Tart 50mg", kb).ok  # after a brand a salt word is not set aside
    assert not resolve("K Na 10 mEq", kb).ok  # cations alone are not a drug


def test_a_brand_with_the_salt_its_own_drug_is_made_as_is_that_drug(kb):
    # NDC product names: "CLEOCIN HYDROCHLORIDE", "VIBRAMYCIN HYCLATE", "ERYTHROCIN STEARATE"
    for text, drug in (("CLEOCIN HYDROCHLORIDE", "clindamycin"), ("Cleocin Phosphate 600 mg/4 mL", "clindamycin"),
                       ("Cleocin HCl 300 mg cap", "clindamycin"), ("VIBRAMYCIN HYCLATE", "doxycycline"),
                       ("ERYTHROCIN STEARATE 250 MG", "erythromycin"), ("Lopressor Tartrate 50 mg", "metoprolol")):
        res = resolve(text, kb)
        assert res.drugs == (drug,) and res.method == "brand", text
    # a salt the brand's drug is not made as, or HCL where the brand has an HCT product, stays unknown
    for text in ("Lopressor HCL 50 mg", "Lotensin HCL 20 mg", "Zestril HCL", "Cleocin Sodium", "Lopressor Tart 50mg"):
        assert not resolve(text, kb).ok, text


def test_the_fluid_an_infusion_is_made_up_in_is_dose_text(kb):
    for text, drug in (("vancomycin 1 g in sodium chloride 0.9% 250 mL IVPB", "vancomycin"),
                       ("heparin 25,000 units in dextrose 5% 250 mL", "heparin"),
                       ("FLUCONAZOLE IN SODIUM CHLORIDE", "fluconazole"),
                       ("CLINDAMYCIN IN 5 PERCENT DEXTROSE", "clindamycin"),
                       ("cefazolin 2 g in D5W", "cefazolin"), ("morphine 1 mg/mL in NS 100 mL bag", "morphine")):
        res = resolve(text, kb)
        assert res.drugs == (drug,), text
        assert " in " in f" {res.removed.lower()}", text  # what was set aside is shown, not dropped
    # only after "in": the same fluids listed on their own, or another drug after "in", are not set aside
    assert resolve("sodium chloride 1 g tab", kb).drugs == ("sodium chloride",)
    assert resolve("dextrose", kb).ok
    assert not resolve("heparin in potassium chloride", kb).ok
    assert not resolve("vancomycin 1 g dextrose", kb).ok


def test_controlled_substance_schedules_and_more_form_words_are_dose_text(kb):
    for text, drug in (("Oxycodone HCl 5 mg tablet CII", "oxycodone"),
                       ("MORPHINE SULFATE ORAL SOLUTION CII", "morphine"),
                       ("OXYCODONE HCL CONTROLLED-RELEASE", "oxycodone"), ("Diazepam Intensol", "diazepam"),
                       ("RISPERIDONE M-TAB", "risperidone"), ("NITROGLYCERIN TRANSDERMAL DELIVERY SYSTEM", "nitroglycerin"),
                       ("ERYTHROMYCIN BASE FILMTAB", "erythromycin")):
        assert resolve(text, kb).drugs == (drug,), text
    assert not resolve("CII", kb).ok


def test_eye_and_ear_words_choose_the_local_entry_where_one_exists(kb):
    for text in ("timolol 0.5% eye drops", "Timolol 0.5% gtt OU BID", "TIMOLOL MALEATE 0.5% SOLN,OPH",
                 "timolol 0.25% 1 drop left eye bid"):
        assert resolve(text, kb).drugs == ("timolol ophthalmic",), text
    assert resolve("timolol 10 mg tablet", kb).drugs == ("timolol",)
    # OD is "once daily" in British use: it names no route, so the entry stays as named
    assert resolve("dexamethasone 0.1% 1 gtt OD qid", kb).drugs == ("dexamethasone",)
    # an eye ointment is not for the skin: the ophthalmic entry, never the topical one
    assert resolve("erythromycin 0.5% eye ointment", kb).drugs == ("erythromycin ophthalmic",)
    # a skin and a rectal entry both named: the rectal word wins over the form word
    assert resolve("HYDROCORTISONE 2.5% CREAM,RTL", kb).drugs == ("hydrocortisone rectal",)


def test_a_bracket_naming_the_local_form_of_the_drug_outside_is_that_form(kb):
    assert resolve("timolol (TIMOPTIC) 0.5 % ophthalmic solution", kb).drugs == ("timolol ophthalmic",)
    assert resolve("lisinopril (LIPITOR) 10 mg tablet", kb).status == "ambiguous"


def test_a_bracketed_brand_of_a_local_entry_agrees_with_the_name_and_its_form_words(kb):
    # Restasis is the eye entry of cyclosporine: the name with "ophthalmic" says the same
    assert resolve("cyclosporine (RESTASIS) 0.05 % ophthalmic emulsion", kb).drugs == ("cyclosporine ophthalmic",)
    assert resolve("metronidazole (METROGEL) 0.75 % gel", kb).drugs == ("metronidazole topical",)
    assert resolve("Ketoconazole 20 MG/G Topical Foam [Extina]", kb).drugs == ("ketoconazole topical",)
    # the same brand with a form of another route still disagrees
    assert resolve("metronidazole (METROGEL) 500 mg tablet", kb).status == "ambiguous"
    assert resolve("cyclosporine (RESTASIS) 100 mg capsule", kb).status == "ambiguous"


def test_combination_short_names_are_read_inside_a_combination_only(kb):
    assert resolve("GG 100MG/DM 10MG/5ML LIQUID", kb).drugs == ("dextromethorphan", "guaifenesin")
    assert resolve("BUTALBITAL 50MG/APAP 325MG/CAFN 40MG TAB", kb).drugs == ("acetaminophen", "butalbital", "caffeine")
    for alone in ("DM", "DM 30MG", "PE 10MG TAB"):  # diabetes mellitus, pulmonary embolism
        assert resolve(alone, kb).status == "unknown", alone


def test_more_combination_short_names_are_read_inside_a_combination_only(kb):
    assert resolve("Norgestimate-EE 0.25-0.035 mg tab", kb).drugs == ("ethinyl estradiol", "norgestimate")
    assert resolve("AMOX/K CLAV 500/125MG TAB", kb).drugs == ("amoxicillin", "clavulanic acid")
    assert resolve("Amoxicillin/Clav Pot 875/125", kb).drugs == ("amoxicillin", "clavulanic acid")
    for alone in ("EE 0.035MG", "Clav 125mg", "K Clav 125mg", "Amox"):  # no drug named alone
        assert resolve(alone, kb).status == "unknown", alone


def test_a_combination_of_base_names_finds_the_product_made_with_a_local_form(kb):
    # Combigan is brimonidine with timolol's eye-drop entry; the string names plain timolol
    res = resolve("BRIMONIDINE 0.2%/TIMOLOL 0.5% SOLN,OPH", kb)
    assert (res.product, res.drugs) == ("brimonidine-timolol", ("brimonidine", "timolol ophthalmic"))
    assert resolve("tobramycin-dexamethasone 0.3-0.1 % ophthalmic suspension", kb).product == (
        "tobramycin-dexamethasone-ophthalmic")
    assert resolve("Clotrimazole/Betamethasone Diprop 1/0.05% cream", kb).product == "clotrimazole-betamethasone"
    # base drugs that make no known product stay unrecognised, as before
    assert resolve("timolol/tobramycin eye drops", kb).status == "unknown"


def test_a_supplier_in_closing_brackets_is_set_aside(kb):
    # UK dm+d product names end with the supplier: "Zestril 10mg tablets (AstraZeneca UK Ltd)"
    res = resolve("Lisinopril 10mg tablets (A A H Pharmaceuticals Ltd)", kb)
    assert res.drugs == ("lisinopril",) and "Ltd" in res.removed
    assert resolve("Co-codamol 30mg/500mg tablets (Zentiva Pharma UK Ltd)", kb).drugs == ("acetaminophen", "codeine")
    # only a closing bracket ending with a company word, and never the name itself
    assert resolve("Paracetamol (Teva UK Ltd) 500mg tablets", kb).status == "unknown"
    assert resolve("Paracetamol 500mg tablets (Teva UK)", kb).status == "unknown"
    assert resolve("(Teva UK Ltd)", kb).status == "unknown"


def test_ehr_dose_form_descriptions_are_dose_text(kb):
    for text, drug in (("albuterol sulfate 2.5 mg/3 mL (0.083 %) solution for nebulization", "albuterol"),
                       ("testosterone cypionate 200 mg/mL intramuscular oil", "testosterone"),
                       ("estradiol 0.1 mg/24 hr semiweekly patch", "estradiol"),
                       ("nitroglycerin 0.4 mg/dose spray,non-aerosol", "nitroglycerin"),
                       ("amoxicillin 400 mg/5 mL suspension for reconstitution", "amoxicillin")):
        assert resolve(text, kb).drugs == (drug,), text
    assert resolve("umeclidinium-vilanterol 62.5-25 mcg/actuation blister with device", kb).drugs == (
        "umeclidinium", "vilanterol")
    assert resolve("Fluticasone-Salmeterol 250-50 inhal powder", kb).drugs == ("fluticasone", "salmeterol")
    # "oil" only continues dose text: an oil's own name keeps it
    assert resolve("mineral oil 30 mL", kb).drugs == ("mineral oil",)
    assert not resolve("oil", kb).ok


def test_cyp_after_a_name_is_the_cypionate_salt(kb):
    assert resolve("Testosterone Cyp 200mg/ml inj", kb).drugs == ("testosterone",)
    assert resolve("ESTRADIOL CYP 5MG/ML INJ", kb).drugs == ("estradiol",)
    assert not resolve("CYP 200mg", kb).ok


def test_osmotic_and_modified_release_marks_are_dose_text(kb):
    assert resolve("Nifedipine ER (OSM) 30mg tab", kb).drugs == ("nifedipine",)
    assert resolve("Metformin HCl ER (MOD) 500mg", kb).drugs == ("metformin",)


def test_drug_database_form_codes_are_dose_text(kb):
    # the short dose-form codes e-prescriptions and pharmacy labels print
    for text, drug in (("omeprazole 20 MG CPDR", "omeprazole"), ("bupropion XL 150 MG TB24", "bupropion"),
                       ("insulin glargine 100 UNIT/ML SOPN", "insulin glargine"),
                       ("albuterol 90 MCG/ACT AERS", "albuterol"), ("ondansetron 4 MG TBDP", "ondansetron")):
        assert resolve(text, kb).drugs == (drug,), text
    # a skin or rectal code leads to the local entry like the word it stands for
    assert resolve("triamcinolone 0.1 % CREA", kb).drugs == ("triamcinolone topical",)
    assert resolve("hydrocortisone 100 MG/60ML ENEM", kb).drugs == ("hydrocortisone rectal",)
    assert not resolve("CPDR", kb).ok


def test_a_release_suffix_joined_by_a_hyphen_is_the_release_word(kb):
    assert resolve("metFORMIN (GLUCOPHAGE-XR) 500 mg 24 hr tablet", kb).drugs == ("metformin",)


def test_a_quantity_is_dose_text_but_a_product_number_is_not(kb):
    assert resolve("glucose test strips #100", kb).status == "non_medication"
    assert not resolve("Tylenol #9", kb).ok


# ---------------------------------------------------------------- things that are not medicines

def test_supplies_devices_and_statements_are_settled_without_being_medicines(kb):
    for text in ("Lancets 30G", "BD Pen Needles 32G 4mm", "Dexcom G6 sensor", "Omnipod 5 pods", "AeroChamber Plus",
                 "BP cuff", "Compression stockings 20-30 mmHg", "ostomy bags", "diet controlled", "No current meds",
                 "syringes", "Syringe 1 mL", "insulin syringes 0.5 mL 31G x 5/16\""):
        res = resolve(text, kb)
        assert res.status == "non_medication" and res.settled and not res.drugs, text


def test_a_strength_after_a_supply_belongs_to_a_medicine_it_does_not_name(kb):
    # "syringes" is both a form word and a supply: alone or with a volume or gauge it is the supply,
    # with a strength it names some medicine in a syringe, which the string does not say
    for text in ("syringes 10 mg", "pen needles 40 mg", "lancets 5%", "alcohol swabs 50 mcg/hr"):
        res = resolve(text, kb)
        # ("Tab oral syringe 10 mg" reads as dose and form text only: unknown either way)
        assert res.status == "unknown" and not res.settled, text


def test_a_supply_named_with_a_medicine_is_not_settled(kb):
    for text in ("insulin pump with Humalog", "Lantus pen needles", "alcohol 70% pads"):
        assert not resolve(text, kb).settled, text
    assert resolve("Humalog syringes", kb).drugs == ("insulin lispro",)  # the medicine, in syringes
