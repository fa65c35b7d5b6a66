"""The library gives exactly the command line's documents, for the whole corpus of medication strings."""

from __future__ import annotations

import json

import pytest

import cli
import interactions
import medication_corpus as corpus
from interactions import check, check_many, check_partition, load_knowledge_base

ROWS = corpus.load()
# the corpus one string at a time, and as lists of eight neighbouring strings (so findings occur)
LISTS = [[r.input] for r in ROWS] + [[r.input for r in ROWS[i:i + 8]] for i in range(0, len(ROWS), 8)]


@pytest.fixture(scope="module")
def lib_kb():
    return load_knowledge_base(site_config=True)


def cli_json(capsys, meds, *extra):
    code = cli.run(["check", "--format", "json", *extra, "--", *meds])
    out, _ = capsys.readouterr()
    return code, json.loads(out)


def test_public_names_are_exported():
    assert set(interactions.__all__) >= {"check", "check_many", "check_partition", "load_knowledge_base", "Result"}
    assert interactions.check is check


def test_library_and_cli_give_identical_documents_for_the_corpus(capsys, lib_kb, tmp_path):
    # `check` in process for every other list of eight strings and every sixteenth single string
    # (each call loads the knowledge base, as a run does); every single string through one batch run
    findings = 0
    for meds in LISTS[len(ROWS)::2] + LISTS[:len(ROWS):16]:
        result = check(meds, lib_kb)
        code, doc = cli_json(capsys, meds)
        assert result.to_dict() == doc, meds
        assert result.exit_code() == code, meds
        findings += len(doc["findings"])
    assert findings > 20  # the lists do exercise findings, not only names
    path = tmp_path / "singles.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "medications": meds}) + "\n" for i, meds in enumerate(LISTS[:len(ROWS)])),
                    encoding="utf-8")
    cli.run(["batch", str(path), "--format", "jsonl", "--no-progress", "--jobs", "1"])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == len(ROWS)
    for line in lines:
        doc = json.loads(line)
        meds = LISTS[int(doc["id"])]
        assert {k: v for k, v in doc.items() if k not in ("id", "line")} == check(meds, lib_kb).to_dict(), meds


def test_to_json_is_the_cli_output_byte_for_byte(capsys, lib_kb):
    meds = ["Norco 10-325", "Xanax 0.5 mg PO qHS", "hydroxyzne"]
    cli.run(["check", "--format", "json", "--age", "80", "--min-severity", "major", *meds])
    out, _ = capsys.readouterr()
    assert check(meds, lib_kb, age=80).to_json("major") == out


def test_surrounding_whitespace_is_normalised_everywhere(capsys, lib_kb, tmp_path):
    plain = check(["baclofen", "alcohol"], lib_kb).to_dict()
    assert check(["  baclofen ", "alcohol\t"], lib_kb).to_dict() == plain
    assert cli_json(capsys, ["  baclofen ", "alcohol\t"])[1] == plain
    path = tmp_path / "lists.jsonl"
    path.write_text(json.dumps({"id": "a", "medications": [" baclofen", "alcohol  "]}) + "\n", encoding="utf-8")
    cli.run(["batch", str(path), "--format", "jsonl", "--no-progress"])
    batch_doc = json.loads(capsys.readouterr().out)
    assert {k: v for k, v in batch_doc.items() if k not in ("id", "line")} == plain



def test_check_many_and_check_partition_are_the_batch_lines(capsys, lib_kb, tmp_path):
    objs = [{"id": f"L{i}", "medications": meds, **({"age": 70 + i % 20} if i % 3 else {})} for i, meds in enumerate(LISTS[-40:])]
    objs.append({"id": "empty", "medications": []})  # an error entry, as in a batch
    text = "".join(json.dumps(o) + "\n" for o in objs) + "not json\n"
    path = tmp_path / "lists.jsonl"
    path.write_text(text, encoding="utf-8")
    code = cli.run(["batch", str(path), "--format", "jsonl", "--no-progress", "--jobs", "1"])
    out, err = capsys.readouterr()
    lines = out.splitlines()
    assert code == 1 and "lists in 42, lists out 42, errors 2" in err, err
    assert len(lines) == len(objs) + 1
    assert list(check_partition(text.splitlines(), lib_kb)) == lines
    assert list(check_many(objs, lib_kb)) == [json.loads(s) for s in lines[:-1]]


def test_check_many_numbers_plain_lists(lib_kb):
    docs = list(check_many([["baclofen", "alcohol"], ["acetaminophen"]], lib_kb, age=70))
    assert [d["id"] for d in docs] == ["1", "2"]
    assert docs[0]["findings"][0]["rule"] and docs[1]["patient"] == {"age": 70}


def test_a_string_is_not_a_list(lib_kb):
    with pytest.raises(TypeError):
        check("baclofen", lib_kb)


def test_batch_lines_do_not_share_entries_between_strings_that_differ_beyond_the_name(capsys, lib_kb, tmp_path):
    # the same drug with and without a confirming brand, and unrecognised names with dose text
    lists = [["rivaroxaban (XARELTO) 20 mg tablet"], ["rivaroxaban 20 mg tablet"], ["zzqxv 10 mg tablet"], ["zzqxw 5 mg"]]
    path = tmp_path / "lists.jsonl"
    path.write_text("".join(json.dumps({"id": str(i), "medications": m}) + "\n" for i, m in enumerate(lists)), encoding="utf-8")
    code = cli.run(["batch", str(path), "--format", "jsonl", "--no-progress", "--jobs", "1"])
    out, err = capsys.readouterr()
    assert code in (0, 1, 4), err
    docs = [json.loads(line) for line in out.splitlines()]
    assert [d["medications"] for d in docs] == [check(m, lib_kb).to_dict()["medications"] for m in lists]
    assert "confirmed_by" in docs[0]["medications"][0] and "confirmed_by" not in docs[1]["medications"][0]
