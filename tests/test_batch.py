"""check-meds batch: every input format end to end, nothing lost, exit codes, output contracts."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from interactions.reporters.batch_jsonl import DUMPS

ROOT = Path(__file__).parent.parent
FIX = Path(__file__).parent / "fixtures" / "batch"
SCHEMAS = ROOT / "interactions" / "schema"


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "100")


def run(capsys, *args, stdin: bytes | None = None, monkeypatch=None):
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
    code = cli.run(["batch", *map(str, args)])
    out, err = capsys.readouterr()
    return int(code), out, err


def entries(out: str) -> list[dict]:
    return [json.loads(line) for line in out.splitlines()]


def summary_line(err: str) -> str:
    (line,) = [s for s in err.splitlines() if "lists in" in s]
    return line


def by_id(docs: list[dict]) -> dict:
    return {d["id"]: d for d in docs}


def rules_of(doc: dict) -> list[str]:
    return [f["rule"] for f in doc["findings"]]


# ---- every input format, end to end ----

EXPECTED = {  # the same three care-home residents, whatever the format
    "R01": (["Baclofen 10mg tablets", "alcohol"], ["alcohol-cns-depressant"], []),
    "R02": (["Xanax 0.5 mg PO qHS", "Percocet", "hydroxyzne"], ["opioid-benzodiazepine"], ["hydroxyzne"]),
    "R03": (["lisinopril 10 mg", "acetaminophen"], [], []),
}


@pytest.mark.parametrize(
    "name, fmt",
    [("long.csv", "csv"), ("long.tsv", "tsv"), ("long_unsorted.csv", "csv"), ("wide.csv", "csv-wide"), ("wide_noheader.csv", "csv-wide"), ("lists.jsonl", "jsonl")],
)
def test_tabular_formats_end_to_end(capsys, name, fmt):
    for how in ("auto", fmt):
        code, out, err = run(capsys, FIX / name, "--format", "jsonl", "--input-format", how)
        docs = entries(out)
        ids = [d["id"] for d in docs]
        expected_ids = ["R02", "R01", "R03"] if "unsorted" in name else ["R01", "R02", "R03"]
        if name == "lists.jsonl":
            expected_ids = ["R01", "R02", "3"]  # a numeric id becomes a string
        assert ids[:3] == expected_ids
        for d in docs:
            key = d["id"] if d["id"] != "3" else "R03"
            if key not in EXPECTED:
                continue
            meds, rules, unrec = EXPECTED[key]
            assert [m["input"] for m in d["medications"]] == meds
            assert rules_of(d) == rules
            assert [u["input"] for u in d["unrecognized"]] == unrec
        assert code == 1  # R01 and R02 have major findings
        n = len(docs)
        assert summary_line(err) == f"check-meds: lists in {n}, lists out {n}, errors 0"


def test_plain_text_ids_are_line_numbers(capsys):
    code, out, err = run(capsys, FIX / "lists.txt", "-f", "jsonl")
    docs = entries(out)
    assert [(d["id"], d["line"]) for d in docs] == [("2", 2), ("4", 4), ("5", 5)]  # comment and blank line skipped
    assert rules_of(docs[0]) == ["alcohol-cns-depressant"]
    assert [u["input"] for u in docs[1]["unrecognized"]] == ["hydroxyzne"]
    assert code == 1


def test_age_from_the_input_and_default_age(capsys):
    _, out, _ = run(capsys, FIX / "long.csv", "-f", "jsonl", "--age", "40")
    docs = by_id(entries(out))
    assert docs["R02"]["patient"]["age"] == 81  # from the age column
    assert docs["R01"]["patient"]["age"] == 40  # --age for lists without one


# ---- FHIR ----


def test_fhir_bundle(capsys):
    code, out, err = run(capsys, FIX / "bundle.json", "-f", "jsonl")
    docs = entries(out)
    assert [d["id"] for d in docs] == ["Patient/p1", "Patient/p2", None]
    p1, p2, bad = docs
    # an RxNorm code the knowledge base knows is used; otherwise the text (a clinical-drug code is not an ingredient)
    assert [m["input"] for m in p1["medications"]] == ["Oxycodone HCl 5 mg tablet", "rxcui:596", "Gabapentin 300 MG Oral Capsule"]
    assert [m["drug"] for m in p1["medications"]] == ["oxycodone", "alprazolam", "gabapentin"]
    assert "opioid-benzodiazepine" in rules_of(p1)
    assert p1["patient"]["age"] is not None and p1["patient"]["age"] >= 85  # born 1940
    # a code neither the knowledge base nor any text explains is reported, never dropped
    assert [u["input"] for u in p2["unrecognized"]] == ["rxcui:999999999"]
    assert "phenelzine 15 mg" not in [m["input"] for m in p2["medications"]]  # entered-in-error is not a medication
    assert "entry 10" in bad["error"] and "no subject" in bad["error"]
    assert "1 medication resource not used" in err
    assert summary_line(err) == "check-meds: lists in 3, lists out 3, errors 1"
    assert code == 1


def test_fhir_ndjson_groups_patients_across_the_file(capsys):
    code, out, err = run(capsys, FIX / "resources.ndjson", "-f", "jsonl")
    docs = entries(out)
    assert [d["id"] for d in docs] == ["Patient/p1", "Patient/p2", None, None]
    p1, p2, broken, nosubject = docs
    assert len(p1["medications"]) == 3  # its resources are on lines 4, 6 and 8
    assert broken["line"] == 7 and broken["error"].startswith("not valid JSON")
    assert nosubject["line"] == 11
    assert summary_line(err) == "check-meds: lists in 4, lists out 4, errors 2"


def test_fhir_code_known_to_the_knowledge_base_wins_over_text(capsys, tmp_path):
    res = {"resourceType": "MedicationStatement", "id": "x", "status": "active", "subject": {"reference": "Patient/9"},
           "medicationCodeableConcept": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "1292"}], "text": "Muscle relaxer (home supply)"}}
    other = dict(res, id="y", medicationCodeableConcept={"text": "alcohol"})
    f = tmp_path / "x.ndjson"
    f.write_text(json.dumps(res) + "\n" + json.dumps(other) + "\n")
    _, out, _ = run(capsys, f, "-f", "jsonl")
    (doc,) = entries(out)
    assert [m["drug"] for m in doc["medications"]] == ["baclofen", "alcohol"]


# ---- nothing lost ----


def test_malformed_long_csv_loses_nothing(capsys, tmp_path):
    data = (
        b"patient_id,medication,age\n"
        b"A,baclofen,70\n"
        b"A,alcohol,70\n"
        b"B\n"  # a row with missing columns: B cannot be checked
        b"C,\n"  # an empty medication: reported as not recognised
        b"C,lisinopril\n"
        b"D,oxycodone\n"
        b"D,Xan\xffax\n"  # invalid UTF-8 in the middle of the file
        b",sertraline\n"  # no id: an error entry of its own
        b"E,tramadol,old\n"  # an age that is not a number
        b"F,acetaminophen\n"
    )
    f = tmp_path / "bad.csv"
    f.write_bytes(data)
    code, out, err = run(capsys, f, "-f", "jsonl")
    docs = entries(out)
    assert [(d["id"], d.get("error") is not None) for d in docs] == [
        ("A", False), ("B", True), ("C", False), ("D", True), (None, True), ("E", True), ("F", False)]
    errors = {d["id"]: d for d in docs if "error" in d}
    assert errors["B"]["line"] == 4 and "1 field" in errors["B"]["error"]
    assert errors["D"]["line"] == 8 and errors["D"]["error"] == "not valid UTF-8"
    assert errors[None]["line"] == 9 and errors[None]["error"] == "empty list id"
    assert errors["E"]["line"] == 10 and "age" in errors["E"]["error"]
    c = by_id(docs)["C"]
    assert c["summary"]["complete"] is False and c["unrecognized"][0]["reason"].lower() == "empty medication name"
    assert summary_line(err) == "check-meds: lists in 7, lists out 7, errors 4"
    assert code == 1  # A (baclofen + alcohol) has a major finding


@pytest.mark.parametrize("fmt", ["csv", "table"])
def test_error_entries_appear_in_every_output_format(capsys, tmp_path, fmt):
    f = tmp_path / "bad.jsonl"
    f.write_bytes(b'{"id": "A", "medications": ["acetaminophen"]}\n{"id": "B", "medications": [\n[1, 2]\n{"id": "C", "medications": []}\n{"id": "D"}\n{"id": "E", "medications": ["lisinopril"], "age": 300}\n')
    code, out, err = run(capsys, f, "-f", fmt)
    assert code == 4  # nothing found, but lists were not checked: never clean
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert [(r["id"], r["line"], r["kind"]) for r in rows] == [
            ("A", "1", "no-findings"), ("", "2", "error"), ("", "3", "error"), ("C", "4", "error"), ("D", "5", "error"), ("E", "6", "error")]
        assert "no medications" in rows[3]["title"] and "outside 0-130" in rows[5]["title"]
        assert summary_line(err) == "check-meds: lists in 6, lists out 6, errors 5"
    else:
        flat = " ".join(out.split())  # the table wraps to the terminal width between words
        assert "lists in 6, lists out 6, errors 5" in flat
        assert f"{f}:line 2: not valid JSON" in flat and "line 5 (D): no \"medications\" list" in flat


def test_bad_lines_in_text_and_jsonl_are_error_entries(capsys, tmp_path):
    f = tmp_path / "lists.txt"
    f.write_bytes(b"baclofen, alcohol\nXanax, \xe9\xe9\nlisinopril\n")
    code, out, err = run(capsys, f, "-f", "jsonl", "-i", "text")
    docs = entries(out)
    assert [(d["id"], d.get("error")) for d in docs] == [("1", None), ("2", "not valid UTF-8"), ("3", None)]
    assert code == 1


def test_every_list_exactly_once_in_input_order_on_a_large_messy_input(capsys, tmp_path):
    lines = []
    expected = []
    for i in range(3000):
        if i % 97 == 5:
            lines.append(b'{"id": "x%d", "medications": ["a"\n' % i)  # broken JSON
        elif i % 89 == 3:
            lines.append(b'{"id": "x%d", "medications": ["caf\xc3"]}\n' % i)  # invalid UTF-8
        else:
            lines.append(b'{"id": "x%d", "medications": ["baclofen", "drug%d"]}\n' % (i, i % 7))
        expected.append(i + 1)
    f = tmp_path / "many.jsonl"
    f.write_bytes(b"".join(lines))
    code, out, err = run(capsys, f, "-f", "jsonl", "--jobs", "2")
    docs = entries(out)
    assert [d["line"] for d in docs] == expected
    n_err = sum(1 for d in docs if "error" in d)
    assert n_err == sum(1 for i in range(3000) if i % 97 == 5 or i % 89 == 3)
    assert summary_line(err) == f"check-meds: lists in 3000, lists out 3000, errors {n_err}"
    assert code == 4


def test_unsorted_long_form_gives_complete_lists(capsys, tmp_path):
    rows = [(f"P{i % 50}", med) for i, med in enumerate(["baclofen", "alcohol", "lisinopril", "Xanax"] * 50)]
    sorted_rows = sorted(rows, key=lambda r: int(r[0][1:]))  # stable: same order within a list
    a, b = tmp_path / "unsorted.csv", tmp_path / "sorted.csv"
    a.write_text("id,drug\n" + "".join(f"{p},{m}\n" for p, m in rows))
    b.write_text("id,drug\n" + "".join(f"{p},{m}\n" for p, m in sorted_rows))
    _, out_a, _ = run(capsys, a, "-f", "jsonl")
    _, out_b, _ = run(capsys, b, "-f", "jsonl")
    da, db = entries(out_a), entries(out_b)
    assert [d["id"] for d in da] == [f"P{i}" for i in range(50)]  # order of first appearance
    for x, y in zip(da, db):
        x.pop("line"), y.pop("line")
        assert x == y


# ---- output contracts ----


def test_jsonl_entries_match_the_published_schemas(capsys, tmp_path):
    import jsonschema

    result = json.loads((SCHEMAS / "result.schema.json").read_text())
    error = json.loads((SCHEMAS / "batch-error.schema.json").read_text())
    f = tmp_path / "mixed.jsonl"
    f.write_text('{"id": "a", "medications": ["Percocet", "Xanax 0.5 mg", "notadrug"], "age": 80}\n{"id": "b"}\nnot json\n{"medications": ["oxycodone", "zolpidem"]}\n')
    _, out, _ = run(capsys, f, "-f", "jsonl", "--min-severity", "major")
    docs = entries(out)
    for d in docs:
        jsonschema.validate(d, error if "error" in d else result)
    assert sum("error" in d for d in docs) == 2


def test_jsonl_document_is_the_single_checks_document_plus_id_and_line(capsys, kb):
    from interactions.engine import check
    from interactions.reporters.document import document

    _, out, _ = run(capsys, FIX / "long.csv", "-f", "jsonl")
    for line in out.splitlines():
        d = json.loads(line)
        meds = [m["input"] for m in d["medications"]]
        expected = document(check(meds, kb, d["patient"]["age"]), kb)
        expected.update(id=d["id"], line=d["line"])
        assert line == DUMPS(expected)


def test_csv_rows(capsys, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("patient_id,medication\n=1+1,baclofen\n=1+1,alcohol\nB,lisinopril\nB,tamsulosin\nC,acetaminophen\nD,oxycodone\n")
    code, out, _ = run(capsys, f, "-f", "csv", "--age", "50")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert list(rows[0]) == ["id", "line", "kind", "severity", "rule", "title", "drugs", "inputs", "management"]
    assert rows[0]["id"] == "'=1+1"  # not run as a formula by a spreadsheet
    assert rows[0]["kind"] == "finding" and rows[0]["drugs"] == "alcohol; baclofen" and rows[0]["management"]
    kinds = {r["id"]: r["kind"] for r in rows}
    assert kinds["C"] == "no-findings" and kinds["D"] == "no-findings"
    # --min-severity hides the moderate finding but the list still has its row
    _, out, _ = run(capsys, f, "-f", "csv", "--min-severity", "major")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["id"]: r["kind"] for r in rows}["B"] == "below-min-severity"


def test_table_summary(capsys, tmp_path):
    code, out, err = run(capsys, FIX / "long.csv", "-f", "table")
    assert err == f"check-meds: {FIX / 'long.csv'}: comma-separated; columns used: list id 'patient_id' (column 1), medication 'medication' (column 2), age 'age' (column 3)\n"
    text = " ".join(out.split())
    assert "lists in 4, lists out 4, errors 0" in text
    assert "Lists checked 4" in text and "with a major finding 2" in text and "incomplete (a name not recognised) 1" in text
    assert "1 hydroxyzne did you mean hydroxyzine" in text
    assert out.index("R02") > out.index("Lists to read first")
    assert "professional judgement" in out


# ---- exit codes ----


def test_exit_codes(capsys, tmp_path):
    clean = tmp_path / "clean.txt"
    clean.write_text("acetaminophen, lisinopril\nsertraline\n")
    assert run(capsys, clean, "-f", "jsonl")[0] == 0
    incomplete = tmp_path / "inc.txt"
    incomplete.write_text("acetaminophen\nnotadrug\n")
    assert run(capsys, incomplete, "-f", "jsonl")[0] == 4
    assert run(capsys, FIX / "long.csv", "-f", "jsonl", "--fail-on", "major")[0] == 1
    assert run(capsys, FIX / "long.csv", "-f", "jsonl", "--fail-on", "contraindicated")[0] == 4  # R02 has a name not recognised
    assert run(capsys, FIX / "long.csv", "-f", "jsonl", "--fail-on", "none")[0] == 4


@pytest.mark.parametrize(
    "content, message",
    [
        (None, "cannot read"),
        (b"patient_id,medication\nA,bac\x00lofen\n", ":2: not a text file (NUL byte)"),
        (b"PK\x03\x04\x14\x00\x06\x00", "a zip archive"),
        (b"patient_id,medic\xe9ation\nA,baclofen\n", ":1: not valid UTF-8"),
        (b"who,what\nA,baclofen\n", "no list id column"),
        (b"", "no medication lists found"),
        (b"patient_id,medication\n", "no medication lists found"),
    ],
)
def test_unreadable_input_exits_2_with_a_clear_line(capsys, tmp_path, content, message):
    f = tmp_path / "in.csv"
    if content is not None:
        f.write_bytes(content)
    code, out, err = run(capsys, f, "-f", "csv", "-i", "csv")
    assert code == 2 and out == "" and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) <= 2


def test_named_columns(capsys, tmp_path):
    f = tmp_path / "x.csv"
    f.write_text("resident,ward,item\nA,1,baclofen\nA,1,alcohol\n")
    code, out, err = run(capsys, f, "-f", "jsonl", "--id-column", "ward", "--med-column", "item")
    (doc,) = entries(out)
    assert doc["id"] == "1" and rules_of(doc) == ["alcohol-cns-depressant"]
    code, out, err = run(capsys, f, "-f", "jsonl", "--med-column", "nope")
    assert code == 2 and "no column 'nope'" in err


# ---- determinism and processes ----


def test_jobs_give_byte_identical_output(capsys, tmp_path):
    import random

    rnd = random.Random(7)
    names = ["baclofen", "alcohol", "Xanax 0.5 mg", "Percocet", "lisinopril", "hydroxyzne", "sertraline", "tramadol", "zolpidem", ""]
    f = tmp_path / "many.csv"
    rows = [f"P{i},{rnd.choice(names)}\n" for i in range(2500) for _ in range(rnd.randint(1, 6))]
    f.write_text("patient_id,medication\n" + "".join(rows))
    outs = []
    for jobs in ("1", "2"):
        code, out, err = run(capsys, f, "-f", "jsonl", "--jobs", jobs)
        outs.append((code, out, summary_line(err)))
    assert outs[0] == outs[1]
    assert len(outs[0][1].splitlines()) == 2500


def test_real_process_reads_stdin_and_stays_quiet(tmp_path):
    data = (FIX / "lists.jsonl").read_bytes()
    proc = subprocess.run([sys.executable, "-m", "cli", "batch", "-", "-f", "csv"], input=data, capture_output=True, cwd=ROOT)
    assert proc.returncode == 1
    assert proc.stderr.decode() == "check-meds: lists in 3, lists out 3, errors 0\n"  # no progress bar when not a terminal
    assert proc.stdout.decode().startswith("id,line,kind,")


def test_real_process_broken_pipe_with_jobs_is_quiet(tmp_path):
    f = tmp_path / "many.txt"
    f.write_text("baclofen, alcohol, Xanax\n" * 3000)
    proc = subprocess.run(f"'{sys.executable}' -m cli batch '{f}' -f jsonl --jobs 2 | head -c 100", shell=True, capture_output=True, cwd=ROOT, text=True)
    assert "Traceback" not in proc.stderr and len(proc.stdout) == 100


def test_help_has_disclaimer_and_options(capsys):
    code = cli.run(["batch", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0 and "professional judgement" in out
    for opt in ("--input-format", "--id-column", "--med-column", "--format", "--fail-on", "--min-severity", "--age", "--rules", "--jobs", "--progress"):
        assert opt in out


def test_fhir_contained_medication_dispense_and_missing_reference(capsys, tmp_path):
    rx = "http://www.nlm.nih.gov/research/umls/rxnorm"
    resources = [
        {"resourceType": "MedicationDispense", "id": "d1", "status": "completed", "subject": {"reference": "Patient/7"},
         "contained": [{"resourceType": "Medication", "id": "m", "code": {"coding": [{"system": rx, "code": "7804", "display": "oxycodone"}]}}],
         "medicationReference": {"reference": "#m"}},
        {"resourceType": "MedicationStatement", "id": "s1", "status": "active", "subject": {"reference": "Patient/7"},
         "medicationReference": {"reference": "Medication/nowhere"}},
        {"resourceType": "MedicationStatement", "id": "s2", "status": "active", "subject": {"reference": "Patient/8"},
         "medicationReference": {"reference": "Medication/nowhere", "display": "Xanax 1 mg"}},
    ]
    f = tmp_path / "x.ndjson"
    f.write_text("".join(json.dumps(r) + "\n" for r in resources))
    code, out, _ = run(capsys, f, "-f", "jsonl")
    p7, p8 = entries(out)
    assert p7["id"] == "Patient/7" and p7["line"] == 2 and "Medication/nowhere" in p7["error"]  # not checked half-way
    assert [m["drug"] for m in p8["medications"]] == ["alprazolam"]  # the reference's display stands in
    assert code == 4


def test_lists_without_an_age_are_not_counted_clean_when_older_adult_rules_were_skipped(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    f = tmp_path / "age.txt"
    f.write_text("prazosin, furosemide\nacetaminophen, amoxicillin\n")
    code, out, _ = run(capsys, f, "-f", "table")
    assert code == 0
    assert re.search(r"no findings, all names recognised\s+1\b", out)
    assert re.search(r"no findings without an age \(rules for 65\+ not applied\)\s+1\b", out)


def test_headerless_csv_whose_first_cell_is_a_medication_is_not_checked_as_an_id(capsys, tmp_path):
    f = tmp_path / "noid.csv"
    f.write_text("warfarin,fluconazole\nsimvastatin,clarithromycin\n")
    code, out, _ = run(capsys, f, "-f", "jsonl")
    docs = entries(out)
    assert [d["id"] for d in docs] == ["warfarin", "simvastatin"]
    assert all("medication" in d["error"] and "not a list id" in d["error"] for d in docs)
    assert code == 4


def test_fhir_administration_is_read_other_types_are_named_and_odd_values_do_not_crash(capsys, tmp_path):
    f = tmp_path / "meds.ndjson"
    f.write_text(
        '{"resourceType":"MedicationAdministration","id":"a1","status":"completed","subject":{"reference":"Patient/1"},"medicationCodeableConcept":{"text":"warfarin"}}\n'
        '{"resourceType":"MedicationRequest","id":"r1","status":"active","subject":{"reference":"Patient/1"},"medicationCodeableConcept":{"text":"fluconazole"}}\n'
        '{"resourceType":"MedicationUsage","id":"u1","subject":{"reference":"Patient/1"},"medicationCodeableConcept":{"text":"aspirin"}}\n'
        '{"resourceType":"MedicationRequest","id":"r2","status":["active"],"subject":{"reference":"Patient/2"},"medicationCodeableConcept":{"text":"baclofen"}}\n'
        '{"resourceType":{"x":1},"id":"r3"}\n'
    )
    code, out, err = run(capsys, f, "--input-format", "fhir", "-f", "jsonl")
    docs = by_id(entries(out))
    assert "warfarin-interacting-drug" in {x["rule"] for x in docs["Patient/1"]["findings"]}
    assert "1 MedicationUsage resource not read" in err
    assert code == 1 and "Traceback" not in err
