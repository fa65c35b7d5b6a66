"""A list pasted as one string is split on commas and semicolons, and only then."""

from __future__ import annotations

from medication_corpus import load

from interactions.cliutil import split_pasted


def test_a_pasted_list_is_split_and_the_split_is_shown(run_cli):
    code, out, _ = run_cli("baclofen, alcohol, sertraline")
    assert code == 1
    assert 'split "baclofen, alcohol, sertraline" into 3 medications' in " ".join(out.split())
    assert "Alcohol with a CNS depressant" in out
    code, out, _ = run_cli("baclofen; zzzq; alcohol", "--format", "json")
    assert code == 1  # the finding decides before the unrecognised name
    assert '"input": "zzzq"' in out and '"input": "baclofen"' in out


def test_what_must_not_split(kb):
    for s in ("baclofen 1,000 mg", "paracetamol 2,5 mg", "DILTIAZEM HCL 120MG CAP,SA", "ATENOLOL 50MG TAB,XYZ",
              "lisinopril (PRINIVIL,ZESTRIL) 10 MG tablet", "Hydrocodone Bit/APAP 5/325", "baclofen, zzzq",
              "estrogens, conjugated", "estrogens, conjugated 0.625 mg; zzzq, alcohol, baclofen"):
        assert split_pasted([s], kb) == ([s], []), s
    assert split_pasted(["warfarin; Zoloft", "lisinopril"], kb) == (["warfarin", "Zoloft", "lisinopril"], [("warfarin; Zoloft", 2)])
    assert split_pasted(["baclofen 1,000 mg, alcohol"], kb)[0] == ["baclofen 1,000 mg", "alcohol"]


def test_no_corpus_string_is_split(kb):
    rows = [r for r in load() if "," in r.input or ";" in r.input]
    assert len(rows) > 50
    for r in rows:
        assert split_pasted([r.input], kb) == ([r.input], []), r.input  # so each still resolves as test_corpus expects
