"""check-meds explain: drugs by any name, products, rules, classes; unknown names exit 4 with suggestions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import cli
from interactions.describe import lookup
from interactions.engine import check
from interactions.examples import examples

ROOT = Path(__file__).parent.parent


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("COLUMNS", "100")


def explain(capsys, *args) -> tuple[int, dict]:
    code = cli.run(["explain", *args, "--format", "json"])
    return int(code), json.loads(capsys.readouterr().out)


def test_a_brand_explains_its_drug(capsys, kb):
    code, doc = explain(capsys, "Lioresal")
    assert code == 0 and doc["kind"] == "drug" and doc["resolution"]["method"] == "brand"
    (d,) = doc["drugs"]
    assert d["id"] == "baclofen" and "Lioresal" in d["names"]["brands"]
    assert d["codes"]["rxnorm"] == list(kb.drugs["baclofen"]["rxnorm"])
    assert {c["id"] for c in d["classes"]} == set(kb.drugs["baclofen"]["classes"])
    for c in d["classes"]:
        assert all(chain[0] == c["id"] for chain in c["chains"]) and c["sources"]
        assert all({"id", "citation"} <= set(s) for s in c["sources"])
    chains = {tuple(ch) for c in d["classes"] for ch in c["chains"]}
    assert any("cns-depressant" in ch for ch in chains)  # the parent chain, not just the direct class
    assert "alcohol-cns-depressant" in {r["rule"] for r in d["rules"]}
    assert doc["knowledge_base"]["name"] == kb.info["name"]


def test_a_code_and_a_dosed_name_resolve_too(capsys):
    assert explain(capsys, "rxcui:1292")[1]["drugs"][0]["id"] == "baclofen"
    code, doc = explain(capsys, "Xanax 0.5 mg")
    assert code == 0 and doc["drugs"][0]["id"] == "alprazolam" and doc["resolution"]["dose_text"] == "0.5 mg"


def test_a_supply_is_explained_as_not_a_medication_not_as_unknown(capsys, kb):
    code, doc = explain(capsys, "glucose test strips")
    assert code == 0 and doc["kind"] == "non_medication"
    assert doc["non_medication"]["id"] in kb.non_medicines and doc["non_medication"]["kind"] == "test"
    assert cli.run(["explain", "lancets"]) == 0
    assert "recognised as not a medication" in capsys.readouterr().out


def test_a_product_explains_each_ingredient(capsys, kb):
    code, doc = explain(capsys, "Percocet")
    assert code == 0 and doc["kind"] == "product"
    assert doc["product"]["ingredients"] == ["oxycodone", "acetaminophen"]
    assert [d["id"] for d in doc["drugs"]] == ["oxycodone", "acetaminophen"]
    assert doc["product"]["id"] in doc["drugs"][0]["products"]


def test_every_drug_in_a_finding_lists_that_rule(kb):
    """The rules explain says a drug can trigger agree with what the engine fires."""
    for ex in examples(kb):
        if ex.kind != "match":
            continue
        for f in check(list(ex.meds), kb, age=ex.age or None).findings:
            for g in (f, *f.related):
                for drug in g.drugs:
                    assert g.rule in {r["rule"] for r in lookup(drug, kb)["drugs"][0]["rules"]}, (drug, g.rule)


def test_a_rule_in_full(capsys, kb):
    code, doc = explain(capsys, "opioid-benzodiazepine")
    r = doc["rule"]
    assert code == 0 and doc["kind"] == "rule"
    for k in ("title", "severity", "severity_definition", "effect", "mechanism", "management", "evidence", "evidence_definition"):
        assert r[k], k
    assert [s["class"] for s in r["slots"]] == [["opioid"], ["benzodiazepine"]]
    assert [x["id"] for x in r["references"]] == list(kb.rules["opioid-benzodiazepine"]["references"])
    assert r["examples"]["match"] and r["examples"]["no_match"]
    assert r["origin"].startswith("rules/interactions/")
    cli.run(["explain", "opioid-benzodiazepine"])
    text = capsys.readouterr().out
    for label in ("Severity:", "Slot 1:", "Effect:", "Mechanism:", "Management:", "Evidence:", "References:", "Fires on:", "Not on:"):
        assert label in text


def test_a_class_lists_its_members(capsys, kb):
    code, doc = explain(capsys, "class:benzodiazepine")
    c = doc["class"]
    assert code == 0 and doc["kind"] == "class"
    assert set(c["members"]) == set(kb.classes["benzodiazepine"]["members"]) and "alprazolam" in c["members"]
    assert "opioid-benzodiazepine" in {r["rule"] for r in c["rules"]}
    code, doc = explain(capsys, "Benzodiazepines")  # its display name
    assert doc["kind"] == "class" and doc["class"]["id"] == "benzodiazepine"


def test_a_drug_name_comes_before_a_class_of_the_same_name(capsys):
    code, doc = explain(capsys, "alcohol")
    assert doc["kind"] == "drug" and doc["also"] == ["class:alcohol"]
    code, doc = explain(capsys, "class:alcohol")
    assert doc["kind"] == "class"
    cli.run(["explain", "alcohol"])
    assert "Also a class: check-meds explain class:alcohol" in capsys.readouterr().out


def test_unknown_name_exits_4_with_suggestions(capsys):
    code, doc = explain(capsys, "opioid-benzo")
    assert code == 4 and doc["kind"] == "unknown" and "rule:opioid-benzodiazepine" in doc["suggestions"]
    code, doc = explain(capsys, "hydroxyzne")
    assert code == 4 and "hydroxyzine" in doc["suggestions"]
    assert cli.run(["explain", "hydroxyzne"]) == 4
    assert "did you mean: hydroxyzine" in capsys.readouterr().out.lower()


def test_site_drug_rule_alias_and_disabled_rule(capsys):
    site = ["--rules", "tests/fixtures/site"]
    code, doc = explain(capsys, "Zurzuvae", *site)
    (d,) = doc["drugs"]
    assert code == 0 and d["origin"].startswith("tests/fixtures/site/formulary.yaml:")
    assert d["classes"][0]["chains"][0][:2] == ["neuroactive-steroid", "cns-depressant"]
    assert "neuroactive-steroid-cyp3a4-strong-inhibitor" in {r["rule"] for r in d["rules"]}
    code, doc = explain(capsys, "zuranolone-cyp3a4-inhibitor", *site)
    assert doc["kind"] == "rule" and doc["rule"]["id"] == "neuroactive-steroid-cyp3a4-strong-inhibitor"
    code, doc = explain(capsys, "antihypertensive-hypotensive-drug", *site)
    assert doc["rule"]["severity"] == "minor" and doc["rule"]["site_change"]["severity_from"] == "moderate"
    code, doc = explain(capsys, "alpha-blocker-pde5-inhibitor", *site)
    assert code == 0 and "urology" in doc["rule"]["disabled"]["reason"]
    cli.run(["explain", "alpha-blocker-pde5-inhibitor", *site])
    assert "DISABLED by site configuration" in capsys.readouterr().out


def test_an_ambiguous_name_is_explained_and_exits_4(capsys, tmp_path):
    (tmp_path / "a.yaml").write_text(
        "schema_version: 1\nambiguous:\n  - {name: OXY-ALP, candidates: [oxycodone, alprazolam], reason: Local shorthand for either.}\n"
    )
    code, doc = explain(capsys, "oxy-alp", "--rules", str(tmp_path))
    assert code == 4 and doc["kind"] == "ambiguous" and doc["ambiguous"]["candidates"] == ["oxycodone", "alprazolam"]


# explain A B ...: why two or more medications do, or do not, interact

from interactions.describe import explain_list  # noqa: E402


def explain_text(capsys, *args) -> tuple[int, str]:
    code = cli.run(["explain", *args])
    return int(code), capsys.readouterr().out


def _slot_fills(finding: dict) -> list[list[tuple[str, str]]]:
    return [[(x["drug"], v["by"]) for x in s["filled_by"] for v in x["via"]] for s in finding["slots"]]


def test_a_pair_that_interacts_names_the_slot_each_drug_filled(capsys):
    code, doc = explain(capsys, "warfarin", "Diflucan")
    assert code == 0 and doc["kind"] == "interaction"
    (f,) = doc["findings"]
    assert f["rule"] == "warfarin-interacting-drug" and f["severity"] == "major"
    assert _slot_fills(f) == [[("warfarin", "name")], [("fluconazole", "class")]]
    (via,) = f["slots"][1]["filled_by"][0]["via"]
    assert via["class"] == "warfarin-potentiator" and via["path"] == ["warfarin-potentiator"] and via["sources"]
    assert f["slots"][1]["filled_by"][0]["inputs"] == ["Diflucan"]
    assert doc["not_joined"] == [] and doc["verdict"].startswith("Highest severity major")
    code, text = explain_text(capsys, "warfarin", "Diflucan")
    assert code == 0
    assert "warfarin fills it by name" in text
    assert "fluconazole (as given: Diflucan) fills it via class warfarin-potentiator" in " ".join(text.split())


def test_a_class_reached_through_a_parent_shows_the_path(kb):
    doc = explain_list(["Percocet", "Xanax"], kb)
    f = next(f for f in doc["findings"] if f["rule"] == "opioid-benzodiazepine")
    (fill,) = f["slots"][0]["filled_by"]
    assert fill["drug"] == "oxycodone" and fill["inputs"] == ["Percocet"]
    (via,) = fill["via"]
    assert via["path"][-1] == "opioid" and via["path"][0] in kb.drugs["oxycodone"]["classes"] and len(via["path"]) > 1


def test_a_pair_that_does_not_interact_is_an_explained_statement(capsys, kb):
    code, doc = explain(capsys, "lisinopril", "acetaminophen")
    assert code == 0 and doc["findings"] == [] and doc["skipped_rules"] == []
    assert doc["not_joined"] == [{"inputs": ["acetaminophen", "lisinopril"], "drugs": ["acetaminophen", "lisinopril"]}]
    lis = next(m for m in doc["medications"] if m["inputs"] == ["lisinopril"])
    assert [c["id"] for c in lis["ingredients"][0]["classes"]] == list(kb.drugs["lisinopril"]["classes"])
    assert doc["knowledge_base"]["version"] == kb.info["version"]
    code, text = explain_text(capsys, "lisinopril", "acetaminophen")
    flat = " ".join(text.split())
    assert text.startswith("No interactions found among 2 medications, all recognised.")
    assert f"Not joined by any rule in check-meds {kb.info['version']}" in flat
    assert "acetaminophen and lisinopril: no rule joins them." in flat and "lisinopril: ace-inhibitor" in flat


def test_an_unknown_name_exits_4_with_suggestions_and_explains_the_rest(capsys):
    code, doc = explain(capsys, "warfarn", "fluconazole", "baclofen")
    assert code == 4
    (u,) = doc["unrecognized"]
    assert u["input"] == "warfarn" and "warfarin" in u["suggestions"]
    assert doc["verdict"].startswith("Incomplete: 1 of 3 medications not recognised")
    code, text = explain_text(capsys, "warfarn", "fluconazole", "baclofen")
    assert code == 4 and "warfarn: did you mean warfarin?" in text


def test_age_dependent_rules_are_explained_as_not_applied_until_an_age_is_given(capsys):
    code, doc = explain(capsys, "oxycodone", "alprazolam", "gabapentin")
    assert "beers-cns-active-three" in [f["rule"] for f in doc["skipped_rules"]]
    assert "beers-cns-active-three" not in [f["rule"] for f in doc["findings"]]
    skipped = next(f for f in doc["skipped_rules"] if f["rule"] == "beers-cns-active-three")
    assert sorted(x["drug"] for x in skipped["slots"][0]["filled_by"]) == ["alprazolam", "gabapentin", "oxycodone"]
    code, doc = explain(capsys, "oxycodone", "alprazolam", "gabapentin", "--age", "78")
    assert "beers-cns-active-three" in [f["rule"] for f in doc["findings"]] and doc["patient"]["age"] == 78


def test_one_ingredient_in_two_entries_is_explained_as_such(kb):
    doc = explain_list(["Percocet", "Tylenol"], kb)
    f = next(f for f in doc["findings"] if f["rule"] == "duplicate-acetaminophen")
    assert f["same_ingredient"] == {"drugs": ["acetaminophen"], "entries": ["Percocet", "Tylenol"]}


def test_every_rule_example_is_explained_slot_by_slot(kb):
    """Whatever fires, each slot of its rule names the drugs that filled it, and they are the finding's drugs."""
    seen = 0
    for ex in examples(kb):
        if ex.kind != "match":
            continue
        doc = explain_list(list(ex.meds), kb, age=ex.age or None)
        for f in doc["findings"]:
            if "same_ingredient" in f:
                continue
            filled = set()
            for slot in f["slots"]:
                assert slot["filled_by"], (ex.label, f["rule"], slot["text"])
                filled.update(x["drug"] for x in slot["filled_by"])
            assert filled <= set(f["drugs"]), (ex.label, f["rule"])
            seen += 1
    assert seen > 250


def test_every_pair_is_either_in_a_finding_or_not_joined(kb):
    doc = explain_list(["warfarin", "fluconazole", "lisinopril", "baclofen", "alcohol"], kb)
    pairs = {frozenset(p["inputs"]) for p in doc["not_joined"]}
    joined = {frozenset((a, b)) for f in doc["findings"] + doc["skipped_rules"] for a in f["inputs"] for b in f["inputs"] if a != b}
    everyone = {frozenset((a, b)) for a in doc["queries"] for b in doc["queries"] if a != b}
    assert pairs | joined == everyone and not pairs & joined


@pytest.mark.parametrize("columns", ["60", "80", "120"])
def test_explain_of_a_list_fits_the_terminal_and_shows_names_visibly(columns, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", columns)
    code, text = explain_text(capsys, "Percocet", "Xanax", "lisinopril", "Tylenol 500", "\x1b[2Jzzqx\nSummary: ok")
    assert code == 4 and "\x1b" not in text and "\nSummary: ok" not in text and "\\x1b[2Jzzqx\\nSummary: ok" in text
    assert max(len(line) for line in text.splitlines()) <= int(columns)
    assert text.splitlines()[0].startswith("Incomplete: 1 of 5 medications not recognised")


def test_ambiguous_names_and_non_medicines_are_listed_not_dropped(capsys):
    code, doc = explain(capsys, "warfarin", "test strips", "isosorbide")
    assert code == 4
    (u,) = doc["unrecognized"]
    assert u["input"] == "isosorbide" and u["ambiguous"] and len(u["suggestions"]) > 1
    assert [m["input"] for m in doc["not_medications"]] == ["test strips"]
    code, text = explain_text(capsys, "warfarin", "test strips", "isosorbide")
    assert "isosorbide: ambiguous: could be" in text and "Not medications (not checked):\n  test strips (" in text


def test_explain_of_a_list_matches_its_published_schema(capsys):
    import jsonschema

    schema = json.loads((ROOT / "interactions" / "schema" / "explain-interaction.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for args in (("warfarin", "Diflucan"), ("Percocet", "Tylenol", "Xanax", "zzqx", "test strips"),
                 ("oxycodone", "alprazolam", "gabapentin"), ("lisinopril", "acetaminophen", "--age", "70")):
        _code, doc = explain(capsys, *args)
        jsonschema.validate(doc, schema)
