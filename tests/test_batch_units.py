"""Batch internals: streaming stays lazy, contiguity is detected, the fast JSON equals the document."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions.batch import grouping
from interactions.batch.progress import make_progress
from interactions.engine import check
from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs
from interactions.reporters.batch_jsonl import DUMPS, Encoder
from interactions.reporters.document import document

_DATA = compile_dirs(rule_dirs())
NAMES = sorted(k for k in _DATA["names"] if not k.startswith("rxcui:"))
ODD = ["", "notadrug", "hydroxyzne 25 mg tabs", "MS", "Xanax 0.5 mg PO qHS", "Percocet", "rxcui:596", "rxcui:1", 'quote " and \\ and é ☃', "100%"]


def test_contiguous_rows_stream_one_list_at_a_time():
    pulled = []

    def rows():
        for i in range(1_000_000):
            pulled.append(i)
            yield (f"P{i // 3}", i + 2, f"med{i}", None, None)

    lists = grouping.lists(rows, True)
    first = next(lists)
    assert first.id == "P0" and first.meds == ["med0", "med1", "med2"]
    assert len(pulled) == 4  # the first row of the next list tells that P0 is complete
    second = next(lists)
    assert second.id == "P1" and len(pulled) == 7


def test_errors_without_an_id_keep_their_place():
    rows = [("A", 2, "x", None, None), (None, 3, None, None, "bad"), ("A", 4, "y", None, None), ("B", 5, "z", None, None)]
    for contiguous in (True, False):
        out = list(grouping.lists(lambda: iter(rows), contiguous))
        assert [(r.id, r.line, r.meds, r.error) for r in out] == [("A", 2, ["x", "y"], None), (None, 3, [], "bad"), ("B", 5, ["z"], None)]


def test_contiguity_detection_including_past_the_exact_set():
    assert grouping.contiguous(["a", "a", "b", "b", "c"])
    assert not grouping.contiguous(["a", "b", "a"])
    many = [f"id{i}" for i in range(grouping._EXACT + 5000)]
    assert grouping.contiguous(many)  # exact set, then the Bloom filter
    assert not grouping.contiguous([*many, "id10"])
    assert not grouping.contiguous([*many, many[-3000]])


def test_a_list_with_a_bad_row_is_an_error_at_that_row():
    rows = [("A", 2, "x", None, None), ("A", 3, None, None, "row has 1 field"), ("A", 4, "y", None, None)]
    (rec,) = grouping.lists(lambda: iter(rows), True)
    assert (rec.id, rec.line, rec.error) == ("A", 3, "row has 1 field")


def test_conflicting_ages_in_one_list_are_an_error():
    rows = [("A", 2, "x", 70, None), ("A", 3, "y", 71, None)]
    (rec,) = grouping.lists(lambda: iter(rows), True)
    assert rec.error and "age 71 differs" in rec.error and rec.line == 3


def test_progress_is_silent_when_stderr_is_not_a_terminal(capsys):
    bar = make_progress(True)
    bar.advance(10)
    bar.close()
    assert capsys.readouterr().err == ""


@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.sampled_from(NAMES + ODD), min_size=1, max_size=12),
    st.sampled_from([None, 30, 80]),
    st.sampled_from(["minor", "moderate", "major", "contraindicated"]),
    st.one_of(st.none(), st.text(max_size=8)),
    st.one_of(st.none(), st.integers(1, 10**6)),
)
def test_fast_jsonl_is_byte_identical_to_the_document(meds, age, floor, list_id, line):
    kb = KnowledgeBase(_DATA)
    enc = Encoder(kb, floor)
    result = check(meds, kb, age)
    expected = document(result, kb, floor)
    expected.update(id=list_id, line=line)
    assert enc.encode(result, list_id, line) == DUMPS(expected) + "\n"
    assert enc.encode(result, list_id, line) == DUMPS(expected) + "\n"  # from the remembered pieces too


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.lists(st.text(alphabet=st.sampled_from('ab ,"\n\r\t;=é'), max_size=8), min_size=9, max_size=9))
def test_csv_rows_read_back_as_written(fields):
    import csv
    import io

    from interactions.reporters.batch_csv import row

    text = row(*fields)
    assert list(csv.reader(io.StringIO(text, newline=""))) == [fields]
    if not any("\r" in f for f in fields):  # the csv module leaves a lone CR unquoted; we quote it
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(fields)
        assert text == buf.getvalue()


def test_closing_a_source_closes_what_a_reader_left_open(tmp_path):
    # a reader that stops early (an error, an interrupted run) must not leave the input open until a
    # garbage collection that the batch run postpones
    from interactions.batch.source import Source

    f = tmp_path / "lists.txt"
    f.write_text("baclofen\nalcohol\n", encoding="utf-8")
    src = Source(str(f))
    lines = src.lines()
    assert next(lines) == "baclofen\n"
    raw = src.raw()
    src.close()
    assert raw.closed
    with pytest.raises(StopIteration):
        next(lines)


def test_fast_jsonl_summary_counts_every_kind_of_entry():
    """The summary is filled from counts into a template: each count must match document()'s."""
    kb = KnowledgeBase(_DATA)
    enc = Encoder(kb, "major")
    cases = [
        ["alcohol swabs", "warfarin", "aspirin", "notadrug"],  # a non-medicine, a finding, an unknown
        ["alcohol swabs", "lancets"],  # settled, nothing checked
        ["warfarin", "ibuprofen", "fluconazole", "simvastatin"],  # findings, some below the floor
        ["notadrug"],
    ]
    for meds in cases:
        for age in (None, 80):
            result = check(meds, kb, age)
            expected = document(result, kb, "major")
            expected.update(id="x", line=3)
            assert enc.encode(result, "x", 3) == DUMPS(expected) + "\n", meds
