"""'Can I add this?': --adding MED shows only what the new drug brings, and the exit code follows it."""

from __future__ import annotations

import json
from pathlib import Path

import interactions
from interactions.engine import check, involving

LIST = ["warfarin", "simvastatin 40 mg", "Zoloft"]
SCHEMA = Path(__file__).parent.parent / "interactions" / "schema" / "result.schema.json"


def test_involving_keeps_findings_that_name_an_added_input(kb):
    result = check([*LIST, "fluconazole"], kb)
    kept = involving(result.findings, [" fluconazole "])
    assert kept and all("fluconazole" in f.inputs for f in kept)
    rest = [f for f in result.findings if f not in kept]
    assert rest and all("fluconazole" not in f.inputs for f in rest)  # warfarin + Zoloft, warfarin + simvastatin
    assert involving(result.findings, []) == []


def test_only_findings_with_the_new_drug_are_shown(run_cli):
    code, out, _ = run_cli("--adding", "fluconazole", *LIST)
    assert code == 1
    assert " ".join(out.split()).startswith(
        "Adding fluconazole: highest severity major: 2 interaction warnings (1 major, 1 moderate) among 4 medications")
    assert "Warfarin with a drug that raises the INR" in out
    assert "Anticoagulant with an SSRI or SNRI" not in out  # warfarin + Zoloft: already on the list
    assert "2 findings among the rest of the list not shown" in out


def test_the_exit_code_follows_the_new_drug(run_cli):
    code, out, _ = run_cli("--adding", "omeprazole", "baclofen", "alcohol")
    assert code == 0
    assert out.splitlines()[0] == "Adding omeprazole: no interactions found among 3 medications, all recognised."
    code, _, _ = run_cli("baclofen", "alcohol", "omeprazole")
    assert code == 1  # the same list, not as an addition


def test_a_duplicate_of_the_new_drug_shows(run_cli):
    code, out, _ = run_cli("--adding", "Tylenol", "Norco 10-325", "lisinopril")
    assert code == 1
    assert "Acetaminophen in more than one product" in out


def test_an_unrecognised_name_in_the_list_still_makes_it_incomplete(run_cli):
    code, out, _ = run_cli("--adding", "omeprazole", "baclofen", "zzzqq")
    assert code == 4
    assert "INCOMPLETE: 1 of 3 medications not recognised (zzzqq)" in out
    assert "No interactions found" not in out


def test_json_marks_the_addition_and_the_library_agrees(run_cli, kb):
    import jsonschema

    code, out, _ = run_cli("--adding", "fluconazole", *LIST, "--format", "json")
    doc = json.loads(out)
    jsonschema.validate(doc, json.loads(SCHEMA.read_text()))
    assert doc["adding"]["medications"] == ["fluconazole"]
    assert doc["adding"]["findings"] == len(doc["findings"]) == 2
    assert doc["adding"]["findings_not_involving"] == 2 and doc["summary"]["findings"] == 4
    assert all("fluconazole" in f["inputs"] for f in doc["findings"])
    assert [m["input"] for m in doc["medications"]] == [*LIST, "fluconazole"]
    result = interactions.check(LIST, kb, adding=["fluconazole"])
    assert json.loads(result.to_json()) == doc
    assert result.exit_code() == code == 1 and result.highest == "major"
    assert len(result.all_findings) == 4 and len(result.findings) == 2
    assert interactions.check(["baclofen", "alcohol"], kb, adding=["omeprazole"]).exit_code() == 0
