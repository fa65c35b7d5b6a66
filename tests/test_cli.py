"""The command line: one test per exit code, golden output, clean JSON on stdout."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import cli

ROOT = Path(__file__).parent.parent


def run(capsys, *args, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.run(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")


def test_exit_0_clean_and_complete(capsys):
    code, out, _ = run(capsys, "acetaminophen", "lisinopril")
    assert code == 0
    assert "No interactions found among the 2 medications checked (all recognised)." in out


def test_exit_1_interaction_found(capsys, golden):
    code, out, err = run(capsys, "baclofen", "alcohol")
    assert code == 1 and err == ""
    assert "MAJOR" in out and "Alcohol with a CNS depressant" in out
    golden("baclofen-alcohol.txt", out)


def test_exit_2_usage_errors(capsys):
    code, out, err = run(capsys, "--format", "nonsense", "baclofen")
    assert code == 2 and out == "" and "Traceback" not in err and "nonsense" in err
    code, _, err = run(capsys, "check")
    assert code == 2 and "Traceback" not in err


def test_exit_2_unreadable_stdin(capsys, monkeypatch):
    code, out, err = run(capsys, "-", stdin=b"baclofen\n\xff\xfe\n", monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    assert err == "check-meds: <stdin>:2: not valid UTF-8\n"


def test_exit_3_invalid_rules(capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run(capsys, "baclofen", "--rules", "tests/fixtures/broken_rules")
    assert code == 3 and out == ""
    assert "tests/fixtures/broken_rules/c-rules.yaml:5: rule 'sedative-pair': severity: 'hi' is not one of" in err
    assert err.rstrip().endswith("problems in the rule files; nothing was checked")


def test_exit_4_unrecognised_is_reported_with_suggestions(capsys):
    code, out, err = run(capsys, "baclofen", "notadrug", "--format", "json")
    assert code == 4
    doc = json.loads(out)
    assert [u["input"] for u in doc["unrecognized"]] == ["notadrug"]
    assert doc["summary"]["complete"] is False
    code, out, _ = run(capsys, "hydroxyzne")
    assert code == 4
    assert "NOT RECOGNISED: did you mean hydroxyzine" in out
    assert "No interactions found" not in out


def test_unrecognised_never_looks_clean(capsys):
    code, out, _ = run(capsys, "acetaminophen", "zzzzqqq")
    assert code == 4
    assert "No interactions found" not in out and "INCOMPLETE" in out


def test_exit_5_internal_error_without_traceback(capsys, monkeypatch):
    import interactions.engine

    def boom(*a, **k):
        raise RuntimeError("simulated")

    monkeypatch.setattr(interactions.engine, "check", boom)
    code, out, err = run(capsys, "baclofen")
    assert code == 5 and "Traceback" not in err and "internal error" in err


def test_exit_130_on_interrupt(capsys, monkeypatch):
    import interactions.engine

    def interrupted(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(interactions.engine, "check", interrupted)
    code, _, err = run(capsys, "baclofen")
    assert code == 130 and "Traceback" not in err


def test_fail_on_threshold(capsys):
    assert run(capsys, "baclofen", "lisinopril", "--fail-on", "major")[0] == 0
    assert run(capsys, "baclofen", "lisinopril", "--fail-on", "moderate")[0] == 1
    assert run(capsys, "baclofen", "lisinopril", "notadrug", "--fail-on", "major")[0] == 4
    assert run(capsys, "baclofen", "alcohol", "--fail-on", "none")[0] == 0


def test_json_document(capsys, golden):
    code, out, err = run(capsys, "baclofen", "alcohol", "--format", "json")
    assert code == 1 and err == ""
    doc = json.loads(out)
    assert set(doc) >= {"schema_version", "knowledge_base", "medications", "unrecognized", "findings", "summary"}
    assert set(doc["knowledge_base"]["counts"]) >= {"drugs", "names", "classes", "rules"}
    (f,) = doc["findings"]
    assert f["rule"] == "alcohol-cns-depressant" and f["severity"] == "major"
    assert f["drugs"] == ["alcohol", "baclofen"] and f["inputs"] == ["alcohol", "baclofen"]
    assert all({"id", "citation"} <= set(r) for r in f["references"])
    doc.pop("knowledge_base")
    golden("baclofen-alcohol.json", json.dumps(doc, indent=2, sort_keys=True) + "\n")


def test_json_combination_product(capsys):
    _, out, _ = run(capsys, "Percocet", "Xanax", "--format", "json")
    doc = json.loads(out)
    meds = {m["input"]: m for m in doc["medications"]}
    assert meds["Percocet"]["drug"] == "oxycodone + acetaminophen"
    assert meds["Percocet"]["ingredients"] == ["oxycodone", "acetaminophen"]
    assert doc["findings"][0]["rule"] == "opioid-benzodiazepine"
    assert doc["findings"][0]["inputs"] == ["Percocet", "Xanax"]


def test_medications_from_stdin(capsys, monkeypatch):
    code, out, _ = run(capsys, "-", "--format", "json", stdin=b"baclofen\n\n# a comment\nalcohol\n", monkeypatch=monkeypatch)
    assert code == 1
    assert [m["input"] for m in json.loads(out)["medications"]] == ["baclofen", "alcohol"]


def test_help_explains_exit_codes_and_disclaimer(capsys):
    code, out, _ = run(capsys, "--help")
    assert code == 0
    text = " ".join(out.split())
    assert "supports, and does not replace, professional judgement" in text
    for c in ("0", "1", "2", "3", "4", "5", "130"):
        assert f" {c} " in text
    code, out, _ = run(capsys, "check", "--help")
    assert "professional judgement" in " ".join(out.split()) and "--fail-on" in out


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0 and out.startswith("check-meds ")


def test_info_counts(capsys):
    code, out, _ = run(capsys, "info", "--format", "json")
    counts = json.loads(out)["knowledge_base"]["counts"]
    assert code == 0 and counts["rules"] > 0 and counts["names"] >= counts["drugs"] > 0


def test_real_process_broken_pipe_is_quiet(tmp_path):
    proc = subprocess.run(
        f"'{sys.executable}' -m cli baclofen alcohol --format json | head -c 5",
        shell=True, capture_output=True, cwd=tmp_path, text=True,
    )
    assert "Traceback" not in proc.stderr
    assert proc.stdout == '{\n  "'


def test_json_output_matches_published_schema(capsys):
    import jsonschema

    schema = json.loads((ROOT / "interactions" / "schema" / "result.schema.json").read_text())
    for args in (
        ["baclofen", "alcohol"],
        ["Percocet", "notadrug", "Xanax 0.5 mg"],
        ["acetaminophen"],
        ["baclofen (Lioresal) 10 mg", "oxy", "HYDROcodone-acetaminophen (NORCO) 10-325 mg per tablet"],
    ):
        _, out, _ = run(capsys, *args, "--format", "json")
        jsonschema.validate(json.loads(out), schema)


def test_opioid_benzodiazepine_warning_names_both_inputs_as_typed(capsys):
    code, out, _ = run(capsys, "Norco 10-325", "Xanax 0.5 mg PO qHS", "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert doc["findings"][0]["rule"] == "opioid-benzodiazepine"
    assert doc["findings"][0]["inputs"] == ["Norco 10-325", "Xanax 0.5 mg PO qHS"]
    norco, xanax = doc["medications"]
    assert (norco["ingredients"], norco["dose_text"]) == (["hydrocodone", "acetaminophen"], "10-325")
    assert (xanax["drug"], xanax["resolved_by"], xanax["dose_text"]) == ("alprazolam", "brand", "0.5 mg PO qHS")


def test_misspelling_is_suggested_never_resolved(capsys):
    code, out, _ = run(capsys, "hydroxyzne", "--format", "json")
    doc = json.loads(out)
    assert code == 4 and doc["summary"]["recognized"] == 0
    assert doc["medications"][0]["status"] == "unrecognized" and doc["medications"][0]["drug"] is None
    assert doc["unrecognized"][0]["suggestions"][0] == "hydroxyzine"


def test_rxnorm_code_resolves_like_the_name(capsys):
    code, out, _ = run(capsys, "rxcui:1292", "alcohol", "--format", "json")
    doc = json.loads(out)
    assert code == 1
    assert (doc["medications"][0]["drug"], doc["medications"][0]["resolved_by"]) == ("baclofen", "code")
    assert doc["findings"][0]["inputs"] == ["alcohol", "rxcui:1292"]


def test_ambiguous_name_lists_candidates_and_is_incomplete(capsys):
    code, out, _ = run(capsys, "oxy 5 mg", "alprazolam")
    assert code == 4
    assert "AMBIGUOUS: could be oxycodone, oxymorphone" in out and "No interactions found" not in out


def test_real_process_resolves_a_pasted_list(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "Norco 10-325", "Xanax 0.5 mg PO qHS", "hydroxyzne"],
        capture_output=True, cwd=ROOT, text=True, env={**os.environ, "NO_COLOR": "1", "CHECK_MEDS_CACHE_DIR": str(tmp_path)},
    )
    assert proc.returncode == 1 and proc.stderr == ""
    assert "MAJOR" in proc.stdout and "Opioid with a benzodiazepine" in proc.stdout
    assert "NOT RECOGNISED: did you mean hydroxyzine" in proc.stdout
    assert "INCOMPLETE" in proc.stdout


def test_no_age_is_never_reported_as_a_complete_all_clear(capsys):
    code, out, _ = run(capsys, "prazosin", "furosemide")
    assert code == 0
    assert "Not applied (no patient age given" in out
    assert "without a patient age; 1 rule for older adults not applied (use --age)" in " ".join(out.split())
    code, out, _ = run(capsys, "prazosin", "furosemide", "--age", "80")
    assert code == 1 and "Older adult" in out
