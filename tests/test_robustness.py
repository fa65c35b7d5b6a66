"""Nothing a user types can break the check: documented exit codes, valid JSON, no traceback."""

from __future__ import annotations

import json
import os

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli
from conftest import fuzz_n

DOCUMENTED = {0, 1, 2, 3, 4, 5, 129, 130, 141, 143}
SETTINGS = settings(max_examples=fuzz_n(120), deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

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
        # surrounding whitespace is removed, as the library and every batch reader do
        assert [m["input"] for m in doc["medications"]] == [m.strip() for m in meds]
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


# ---- the batch reader: any bytes in any input format ------------------------

@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(["csv", "csv-wide", "text", "jsonl", "fhir", "auto"]),
    st.sampled_from(["jsonl", "csv", "table"]),
    st.lists(
        st.one_of(
            st.text(max_size=30),
            st.binary(max_size=30).map(lambda b: b.decode("latin-1")),
            st.sampled_from(['p1,baclofen', 'p1,alcohol', '{"id": 1, "medications": ["baclofen", "alcohol"]}', '{"id": 2, "medications": "x"}', "patient_id,medication", "a;b|c", '"unclosed', "\x00", "\ufeff"]),
        ),
        max_size=12,
    ),
    st.booleans(),
)
def test_any_batch_input_gives_a_documented_code_and_no_traceback(tmp_path_factory, capsys, monkeypatch, in_fmt, out_fmt, lines, bad_utf8):
    monkeypatch.setenv("NO_COLOR", "1")
    d = tmp_path_factory.mktemp("batch")
    data = "\n".join(lines).encode("utf-8", "replace")
    if bad_utf8:
        data += b"\nx,\xff\xfe\n"
    f = d / "input.dat"
    f.write_bytes(data)
    code = cli.run(["batch", str(f), "--input-format", in_fmt, "--format", out_fmt, "--no-progress"])
    out, err = capsys.readouterr()
    assert code in DOCUMENTED
    assert "Traceback" not in err and "internal error" not in err
    if code in (0, 1, 4) and out_fmt == "jsonl":
        for line in out.splitlines():
            json.loads(line)


def test_ctrl_c_during_a_batch_ends_quietly_with_130(tmp_path):
    import signal
    import subprocess
    import sys
    import time

    f = tmp_path / "lists.txt"
    f.write_text("\n".join("baclofen, alcohol, Percocet, Xanax 0.5 mg, sertraline, tramadol" for _ in range(200_000)))
    proc = subprocess.Popen(
        [sys.executable, "-m", "cli", "batch", str(f), "--format", "jsonl", "--jobs", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
    )
    assert proc.stdout.read(10_000)  # it is running and writing
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal's Ctrl-C reaches the whole group
    start = time.monotonic()
    rest, err = proc.communicate(timeout=60)
    assert proc.returncode == 130
    assert b"Traceback" not in err, err.decode(errors="replace")[-2000:]
    assert time.monotonic() - start < 60


def test_a_dash_with_standard_input_closed_is_a_usage_error():
    import subprocess
    import sys

    # standard input closed in the child, as with `check-meds - <&-`
    proc = subprocess.run([sys.executable, "-m", "interactions", "--format", "json", "--", "-"],
                          capture_output=True, text=True, preexec_fn=lambda: os.close(0))
    assert proc.returncode == 2 and "standard input" in proc.stderr and "Traceback" not in proc.stderr, proc.stderr
