"""Evidence levels a rule may cite, strongest kind of source first (the schema's ``evidence`` enum)."""

from __future__ import annotations

EVIDENCE: dict[str, str] = {
    "regulatory": "A regulator's safety communication or boxed warning (FDA, EMA, MHRA) about this combination.",
    "label": "The official product labelling (US prescribing information, SmPC) names the interaction.",
    "guideline": "A clinical practice guideline or criteria from a professional body (e.g. the AGS Beers Criteria).",
    "consensus": "An expert-consensus list or national interaction thesaurus (e.g. the ONC high-priority list, ANSM).",
    "observational": "Cohort, case-control or other observational studies in patients.",
    "pk-study": "Pharmacokinetic studies show changed exposure; clinical outcomes not established.",
    "case-reports": "Published case reports or case series only.",
    "theoretical": "Expected from the drugs' pharmacology; not shown in patients.",
}
