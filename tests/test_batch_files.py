"""Batch files read exactly as meant: each case is a real file in tests/fixtures/batch/."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

import cli

FIX = Path(__file__).parent / "fixtures" / "batch"


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")


def run(capsys, *args):
    code = cli.run(["batch", *map(str, args)])
    out, err = capsys.readouterr()
    return int(code), out, err


def docs(out: str) -> list[dict]:
    return [json.loads(s) for s in out.splitlines()]


def view(d: dict) -> tuple:
    """(id, line, medications or the error, rules)"""
    return (d["id"], d["line"], d.get("error") or [m["input"] for m in d["medications"]], [f["rule"] for f in d.get("findings", [])])


def counts(err: str) -> tuple[int, int, int]:
    (line,) = [s for s in err.splitlines() if "lists in" in s]
    words = line.replace(",", "").split()
    return int(words[3]), int(words[6]), int(words[8])


THREE = [  # the same residents, whatever the file
    ("R01", 2, ["Baclofen 10mg tablets", "alcohol"], ["alcohol-cns-depressant"]),
    ("R02", 4, ["Xanax 0.5 mg PO qHS", "Percocet", "hydroxyzne"], ["opioid-benzodiazepine"]),
    ("R03", 7, ["lisinopril 10 mg", "acetaminophen"], []),
]


def test_semicolon_csv_with_spaced_headers_and_decimal_commas(capsys):
    code, out, err = run(capsys, FIX / "semicolon.csv", "-f", "jsonl")
    got = [view(d) for d in docs(out)]
    assert got[0] == THREE[0] and got[2] == THREE[2]
    assert got[1][2] == ["Xanax 0,5 mg PO qHS", "Percocet", "hydroxyzne"] and got[1][3] == ["opioid-benzodiazepine"]
    assert docs(out)[1]["patient"]["age"] == 81
    assert "semicolon-separated; columns used: list id 'Patient ID' (column 1), medication 'Medication Name' (column 2), age 'Age' (column 4)" in err
    assert counts(err) == (3, 3, 0) and code == 1


def test_excel_unicode_text_utf16_tab_separated(capsys):
    code, out, err = run(capsys, FIX / "unicode_text.txt", "-f", "jsonl")
    got = [view(d) for d in docs(out)]
    assert got[:3] == THREE
    assert got[3][:3] == ("R04", 9, ["paracétamol"])  # non-ASCII survives the decoding
    assert "tab-separated; columns used: list id 'RESIDENT_ID' (column 1), medication 'DRUG_NAME' (column 2)" in err
    assert counts(err) == (4, 4, 0)


def test_excel_unicode_text_on_standard_input(capsys, monkeypatch):
    import io

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO((FIX / "unicode_text.txt").read_bytes())))
    code, out, err = run(capsys, "-", "-f", "jsonl")
    assert [view(d) for d in docs(out)][:3] == THREE


def test_utf8_with_a_byte_order_mark_and_ehr_headers(capsys):
    code, out, err = run(capsys, FIX / "bom.csv", "-f", "jsonl")
    assert [view(d) for d in docs(out)] == THREE
    assert "list id 'Patient Id' (column 1), medication 'Rx' (column 2), age 'Patient Age' (column 3)" in err


def test_header_names_are_matched_ignoring_case_spaces_underscores_and_punctuation(capsys, tmp_path):
    for header in ("Patient ID,Medication Name", "PATIENT_ID,DRUG_NAME", "patient-id;Drug Name", "Resident Id\tRx", "MRN,Medicine"):
        f = tmp_path / "x.csv"
        sep = ";" if ";" in header else "\t" if "\t" in header else ","
        f.write_text(f"{header}\nA{sep}baclofen\nA{sep}alcohol\n")
        code, out, err = run(capsys, f, "-f", "jsonl")
        assert [view(d) for d in docs(out)] == [("A", 2, ["baclofen", "alcohol"], ["alcohol-cns-depressant"])], header


def test_xlsx_workbook_first_sheet_and_named_sheet(capsys):
    pytest.importorskip("openpyxl")
    code, out, err = run(capsys, FIX / "residents.xlsx", "-f", "jsonl")
    got = [view(d) for d in docs(out)]
    assert [g[0] for g in got] == ["1001", "1002", "1003"]  # whole-number ids without '.0'
    assert got[0][2:] == THREE[0][2:] and got[1][2:] == THREE[1][2:]
    assert got[2][2] == ["lisinopril 10 mg", "acetaminophen (as needed)"] and got[2][1] == 7  # a line break in a cell stays in its row
    assert docs(out)[1]["patient"]["age"] == 81
    assert "list id 'Resident ID' (column 1)" in err and counts(err) == (3, 3, 0)
    code, out, err = run(capsys, FIX / "residents.xlsx", "-f", "jsonl", "--sheet", "Notes")
    assert code == 4 and [view(d)[2] for d in docs(out)] == ["no medications"]  # that sheet holds no list
    code, out, err = run(capsys, FIX / "residents.xlsx", "--sheet", "Nope")
    assert code == 2 and "no sheet 'Nope' (sheets: 'Residents', 'Notes')" in err


def test_runaway_quote_in_long_form_costs_one_row_and_every_list_is_accounted_for(capsys):
    code, out, err = run(capsys, FIX / "runaway_long.csv", "-f", "jsonl", "--fail-on", "none")
    assert [view(d) for d in docs(out)] == [
        ("R01", 3, "a quoted field opened on this line is not closed before line 4, which is read as the next row", []),
        ("R02", 4, ["Xanax 0.5 mg", "Percocet"], ["opioid-benzodiazepine"]),
        ("R04", 6, ["sertraline\n 50 mg", "tramadol"], ["tramadol-antidepressant"]),  # a closed value over two lines is fine
        ("R03", 10, "a quoted field opened on this line is never closed (the file ends first)", []),
    ]
    assert counts(err) == (4, 4, 2) and code == 4


@pytest.mark.parametrize("name, fmt", [("runaway_wide.csv", "jsonl"), ("runaway.tsv", "csv")])
def test_runaway_quote_in_wide_form_and_tsv(capsys, name, fmt):
    code, out, err = run(capsys, FIX / name, "-f", "jsonl")
    got = [view(d) for d in docs(out)]
    assert got[0][:2] == ("R01", 3 if name.endswith("tsv") else 2) and "not closed before line" in got[0][2]
    assert got[1][:3] == ("R02", 4 if name.endswith("tsv") else 3, ["Xanax 0.5 mg", "Percocet"])
    assert len(got) == {"runaway_wide.csv": 4, "runaway.tsv": 3}[name]
    assert counts(err)[:2] == (len(got), len(got))


def test_duplicate_ids_in_wide_csv_are_merged_and_case_variants_reported(capsys):
    code, out, err = run(capsys, FIX / "duplicates_wide.csv", "-f", "jsonl")
    assert [view(d) for d in docs(out)] == [
        ("R01", 2, ["baclofen", "alcohol"], ["alcohol-cns-depressant"]),
        ("R02", 3, ["Xanax 0.5 mg", "Percocet"], ["opioid-benzodiazepine"]),
        ("r01", 5, ["oxycodone"], []),
        ("R03", 6, ["lisinopril"], []),
    ]
    assert "1 row repeats a list id of an earlier row ('R01' on line 2 and 4); their rows were merged" in err
    assert "'R01' (line 2) and 'r01' (line 5)" in err
    code, out, err = run(capsys, FIX / "duplicates_wide.csv", "-f", "jsonl", "--no-merge")
    assert [view(d)[:3] for d in docs(out)][:3] == [("R01", 2, ["baclofen"]), ("R02", 3, ["Xanax 0.5 mg", "Percocet"]), ("R01", 4, ["alcohol"])]
    assert "each row is checked as a list of its own" in err and counts(err) == (5, 5, 0)


def test_duplicate_ids_in_jsonl_are_merged_and_space_variants_reported(capsys):
    code, out, err = run(capsys, FIX / "duplicates.jsonl", "-f", "jsonl")
    assert [view(d) for d in docs(out)] == [
        ("R01", 1, ["baclofen", "alcohol"], ["alcohol-cns-depressant"]),
        ("R02", 2, ["Xanax 0.5 mg", "Percocet"], ["opioid-benzodiazepine"]),
        (" R02", 5, ["lisinopril"], []),
    ]
    assert "2 rows repeat a list id" in err and "'R02' (line 2) and ' R02' (line 5)" in err
    code, out, err = run(capsys, FIX / "duplicates.jsonl", "-f", "jsonl", "--no-merge")
    assert counts(err) == (5, 5, 0)


def test_fhir_checks_only_current_medications_and_counts_what_it_skipped(capsys):
    code, out, err = run(capsys, FIX / "bundle_status.json", "-f", "jsonl")
    got = {d["id"]: d for d in docs(out)}
    a, b, c = got["Patient/A"], got["Patient/B"], got["Patient/C"]
    # the stopped alprazolam and completed Xanax are not current: no opioid-benzodiazepine warning
    assert [m["input"] for m in a["medications"]] == ["oxycodone 5 mg", "baclofen 10 mg"] and a["not_current"] == 2
    assert "opioid-benzodiazepine" not in [f["rule"] for f in a["findings"]]
    assert b["medications"] == [] and b["not_current"] == 2  # a list with nothing current is still reported
    # a 2020 dispense is old; an undated one and a draft order are checked
    assert [m["input"] for m in c["medications"]] == ["simvastatin 40 mg", "amlodipine 5 mg", "alcohol"] and c["not_current"] == 1
    assert "4 medication resources not current" in err and "--include-inactive" in err
    code, out, err = run(capsys, FIX / "bundle_status.json", "-f", "jsonl", "--include-inactive")
    got = {d["id"]: d for d in docs(out)}
    assert "opioid-benzodiazepine" in [f["rule"] for f in got["Patient/A"]["findings"]]
    assert "not_current" not in got["Patient/A"] and got["Patient/B"]["not_current"] == 1  # entered-in-error never counts as taken
    assert "clarithromycin 500 mg" in [m["input"] for m in got["Patient/C"]["medications"]]


def test_fhir_entries_with_not_current_match_the_published_schema(capsys):
    import jsonschema

    schema = json.loads((Path(__file__).parent.parent / "interactions" / "schema" / "result.schema.json").read_text())
    _, out, _ = run(capsys, FIX / "bundle_status.json", "-f", "jsonl")
    for d in docs(out):
        jsonschema.validate(d, schema)


def test_an_overlong_line_is_an_error_entry_and_the_rest_is_read(capsys, tmp_path):
    f = tmp_path / "lists.txt"
    f.write_bytes(b"baclofen, alcohol\n" + b"x" * (3 << 20) + b"\nXanax, Percocet\n" + b"y" * (3 << 20))
    code, out, err = run(capsys, f, "-f", "jsonl")
    got = [view(d) for d in docs(out)]
    assert got == [
        ("1", 1, ["baclofen", "alcohol"], ["alcohol-cns-depressant"]),
        ("2", 2, "line longer than 1 MiB (not read)", []),
        ("3", 3, ["Xanax", "Percocet"], ["opioid-benzodiazepine"]),
        ("4", 4, "line longer than 1 MiB (not read)", []),
    ]


def test_overlong_lines_in_csv_and_jsonl(capsys, tmp_path):
    f = tmp_path / "long.csv"
    f.write_bytes(b"patient_id,medication\nA,baclofen\nB," + b"z" * (2 << 20) + b"\nC,alcohol\n")
    code, out, err = run(capsys, f, "-f", "jsonl")
    assert [view(d)[:3] for d in docs(out)] == [("A", 2, ["baclofen"]), (None, 3, "line longer than 1 MiB (not read)"), ("C", 4, ["alcohol"])]
    f = tmp_path / "long.jsonl"
    f.write_bytes(b'{"id": "a", "medications": ["baclofen"]}\n{"id": "b", "medications": ["' + b"q" * (2 << 20) + b'"]}\n')
    code, out, err = run(capsys, f, "-f", "jsonl")
    assert [view(d)[:3] for d in docs(out)] == [("a", 1, ["baclofen"]), (None, 2, "line longer than 1 MiB (not read)")]


@pytest.mark.parametrize("line, message", [('{"id": "", "medications": ["baclofen"]}', "empty list id"), ('{"id": 1e400, "medications": ["baclofen"]}', "finite number")])
def test_jsonl_ids_that_are_empty_or_infinite_are_errors(capsys, tmp_path, line, message):
    f = tmp_path / "x.jsonl"
    f.write_text(line + "\n")
    code, out, err = run(capsys, f, "-f", "jsonl")
    (d,) = docs(out)
    assert message in d["error"] and code == 4
