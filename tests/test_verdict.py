"""The verdict: one sentence that says the outcome of a check before anything else."""

from __future__ import annotations

from interactions.engine import check
from interactions.reporters.document import verdict


def test_findings_give_the_highest_severity_and_the_counts(kb):
    v = verdict(check(["oxycodone", "alprazolam", "gabapentin"], kb))
    assert v.startswith("Highest severity major: 3 interaction warnings (2 major, 1 moderate)")
    assert "3 medications, all recognised" in v and v.endswith(".")


def test_hidden_findings_are_counted_and_said_to_be_hidden(kb):
    result = check(["oxycodone", "alprazolam", "gabapentin"], kb)
    assert "not shown" not in verdict(result, "minor")
    assert verdict(result, "major").endswith("; 1 below major not shown.")


def test_an_unrecognised_name_makes_the_verdict_incomplete_first(kb):
    v = verdict(check(["baclofen", "alcohol", "zzqxv"], kb))
    assert v.startswith("Incomplete: 1 of 3 medications not recognised (interactions involving it were not checked); ")
    assert "highest severity major" in v and "among the rest" in v


def test_no_interaction_is_said_with_every_name_recognised(kb):
    assert verdict(check(["oxycodone", "ibuprofen"], kb)) == "No interactions found among 2 medications, all recognised."
    assert verdict(check(["baclofen"], kb)) == "No interactions found among 1 medication, all recognised."


def test_nothing_recognised_is_not_called_no_interaction(kb):
    v = verdict(check(["zzqxv", "qqzzv"], kb))
    assert v == "Incomplete: 2 of 2 medications not recognised (interactions involving them were not checked); nothing could be checked."


def test_adding_counts_only_the_findings_that_involve_the_new_drug(kb):
    result = check(["warfarin", "simvastatin 40 mg", "clarithromycin", "fluconazole"], kb)
    v = verdict(result, adding=["fluconazole"])
    assert v.startswith("Adding fluconazole: highest severity major: ") and "(contraindicated" not in v
    assert verdict(result).startswith("Highest severity contraindicated: ")
    quiet = check(["warfarin", "simvastatin 40 mg", "clarithromycin", "lisinopril"], kb)
    assert verdict(quiet, adding=["lisinopril"]) == "Adding lisinopril: no interactions found among 4 medications, all recognised."


def test_supplies_and_statements_are_not_counted_as_medications(kb):
    # lancets and "diet controlled" are listed and not checked; calling them medications would
    # overstate what was checked
    v = verdict(check(["lancets", "warfarin", "diet controlled"], kb))
    assert v == ("No interactions found among 1 medication, all recognised "
                 "(2 entries are not a medication and were not checked).")
    v = verdict(check(["lancets", "warfarin", "zzqxv"], kb))
    assert v.startswith("Incomplete: 1 of 2 medications not recognised")
