"""Nothing a user types can break the check: documented exit codes, valid JSON, no traceback."""

from __future__ import annotations

import json

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli

DOCUMENTED = {0, 1, 2, 3, 4, 5, 130, 141}
SETTINGS = settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

names = st.one_of(
    st.text(min_size=0, max_size=40),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=0, max_size=300),
    st.sampled_from(["baclofen", "Xanax 0.5 mg", "Percocet", "-x", "--", "rxcui:", "rxcui:99999999999", "\x00", "\u202e", " ", "mg", "/", "and"]),
)


@SETTINGS
@given(st.lists(names, min_size=1, max_size=12))
def test_any_input_gives_a_documented_code_and_valid_json(capsys, meds):
    args = ["check", "--format", "json", "--", *meds]
    code = cli.run(args)
    out, err = capsys.readouterr()
    assert code in DOCUMENTED
    assert "Traceback" not in err
    if code in (0, 1, 4):
        doc = json.loads(out)
        assert len(doc["medications"]) == len(meds)
        assert [m["input"] for m in doc["medications"]] == meds
        assert doc["summary"]["complete"] == all(m["status"] == "recognized" for m in doc["medications"])


@SETTINGS
@given(st.lists(names, min_size=1, max_size=6))
def test_any_input_in_text_mode_is_rendered(capsys, monkeypatch, meds):
    monkeypatch.setenv("NO_COLOR", "1")
    code = cli.run(["check", "--", *meds])
    out, err = capsys.readouterr()
    assert code in DOCUMENTED and "Traceback" not in err
    if code == 4:
        assert "No interactions found" not in out


def test_huge_list(capsys, kb):
    pool = sorted(k for k in kb.names if not k.startswith("rxcui:"))
    meds = [pool[i % len(pool)] for i in range(10_000)] + ["notadrug"]
    code = cli.run(["check", "--format", "json", "--", *meds])
    doc = json.loads(capsys.readouterr()[0])
    assert code == 1 and len(doc["medications"]) == 10_001
    assert doc["unrecognized"][0]["input"] == "notadrug"


def test_output_is_byte_identical_across_runs(capsys):
    meds = ["Percocet", "Xanax", "baclofen", "lisinopril", "alcohol", "sertraline", "phenelzine", "hydroxyzne"]
    outs = set()
    for order in (meds, list(reversed(meds))):
        cli.run(["check", "--format", "json", "--", *order])
        doc = json.loads(capsys.readouterr()[0])
        doc.pop("medications")  # one entry per input, in input order
        outs.add(json.dumps(doc, sort_keys=True))
    assert len(outs) == 1
