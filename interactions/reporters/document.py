"""The JSON document for one checked list (schema: interactions/schema/result.schema.json).

Shared by ``--format json`` and the batch ``jsonl`` output, so both stay the
same contract. Keys are sorted and lists ordered deterministically.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .. import __version__
from ..engine import CheckResult, Finding, adding_view, involving
from ..normalize import Resolution
from ..severity import RANK, SEVERITIES
from ..suggest import for_resolution

SCHEMA_VERSION = 1

METHOD_TEXT = {
    "generic": "generic name",
    "synonym": "synonym or international name",
    "salt": "salt form",
    "brand": "brand name",
    "abbreviation": "abbreviation",
    "code": "RxNorm code",
    "product": "combination product",
    "combination": "combination of names",
}


def knowledge_base_info(kb: Any) -> dict[str, Any]:
    c = kb.counts
    return {
        "name": kb.info["name"],
        "version": kb.info["version"],
        "site_rules": kb.info["site_rules"],
        "counts": {
            "drugs": c["drugs"],
            "names": c["names"],
            "products": c["products"],
            "classes": c["classes"],
            "rules": c["rules"],
            "rules_by_severity": c["rules_by_severity"],
        },
        "disabled_rules": [{"rule": rid, **d} for rid, d in sorted(kb.disabled.items())],
    }


def drug_label(res: Resolution, kb: Any) -> str:
    """The canonical name of what a string resolved to ('oxycodone + acetaminophen' for a product)."""
    if res.product:
        return " + ".join(kb.products[res.product]["ingredients"])
    return " + ".join(res.drugs)


def medication(res: Resolution, kb: Any) -> dict[str, Any]:
    if res.status == "non_medication":
        nm = kb.non_medicines[res.product]
        return {"input": res.input, "status": "not_medication", "drug": None, "ingredients": [], "classes": [],
                "item": res.product, "kind": nm["kind"], "matched": res.matched, "resolved_by": res.method}
    if not res.ok:
        return {"input": res.input, "status": "unrecognized" if res.status == "unknown" else "ambiguous", "drug": None, "ingredients": [], "classes": []}
    classes: set[str] = set()
    for d in res.drugs:
        classes.update(kb.drug_classes[d])
    out = {
        "input": res.input,
        "status": "recognized",
        "drug": drug_label(res, kb),
        "ingredients": list(kb.products[res.product]["ingredients"]) if res.product else list(res.drugs),
        "classes": sorted(classes),
        "resolved_by": res.method,
        "matched": res.matched,
    }
    if res.product:
        out["product"] = res.product
    if res.removed:
        out["dose_text"] = res.removed
    if res.confirmed:
        out["confirmed_by"] = list(res.confirmed)
    return out


def unrecognized(res: Resolution, kb: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"input": res.input, "reason": res.reason}
    if res.status == "ambiguous":
        out["ambiguous"] = True
        out["suggestions"] = list(res.candidates)
    else:
        out["ambiguous"] = False
        out["suggestions"] = for_resolution(res, kb)
    return out


def related(g: Finding) -> dict[str, Any]:
    """A rule folded into a stronger warning about the same medications."""
    return {"rule": g.rule, "severity": g.severity, "title": g.rule_data["title"]}


def finding(f: Finding, kb: Any) -> dict[str, Any]:
    r = f.rule_data
    out = {
        "rule": f.rule,
        "kind": r["kind"],
        "severity": r["severity"],
        "title": r["title"],
        "drugs": list(f.drugs),
        "inputs": list(f.inputs),
        "effect": r["effect"],
        "mechanism": r["mechanism"],
        "management": r["management"],
        "evidence": r["evidence"],
        "references": [{"id": ref, **kb.references[ref]} for ref in r["references"]],
        "related": [related(g) for g in f.related],
    }
    if r["min_age"]:
        out["min_age"] = r["min_age"]
    if r["site"]:
        out["site_change"] = dict(r["site"])
    return out


def brief_finding(f: Finding) -> dict[str, Any]:
    """A finding as ``--detail brief`` gives it: which rule, how severe, about which drugs and inputs."""
    return {"rule": f.rule, "severity": f.severity, "title": f.rule_data["title"], "drugs": list(f.drugs), "inputs": list(f.inputs)}


def shown_findings(result: CheckResult, min_severity: str = "minor") -> list[Finding]:
    """The findings at or above ``min_severity`` (the display floor), in order."""
    floor = RANK.get(min_severity, 1)
    return [f for f in result.findings if f.rank >= floor]


def skipped_rule(f: Finding) -> dict[str, Any]:
    """An age-dependent rule that was not applied because no age was given."""
    r = f.rule_data
    return {"rule": f.rule, "severity": f.severity, "title": r["title"], "drugs": list(f.drugs), "inputs": list(f.inputs), "min_age": r["min_age"], "reason": "patient age not given"}


def summary(result: CheckResult, shown: list[Finding]) -> dict[str, Any]:
    """Counts over the whole list: every finding, however many are shown."""
    by_sev = dict.fromkeys(SEVERITIES, 0)
    for f in result.findings:
        by_sev[f.severity] += 1
    n_ok = sum(1 for r in result.resolutions if r.ok)
    n_not = sum(1 for r in result.resolutions if r.status == "non_medication")
    return {
        "complete": result.complete,
        "medications": len(result.resolutions),
        "recognized": n_ok,
        "unrecognized": len(result.resolutions) - n_ok - n_not,
        "not_medications": n_not,
        "findings": len(result.findings),
        "findings_shown": len(shown),
        "by_severity": by_sev,
        "highest_severity": result.highest,
        "skipped_rules": len(result.skipped),
    }


def document(result: CheckResult, kb: Any, min_severity: str = "minor", adding: Sequence[str] = (),
             splits: Sequence[tuple[str, int]] = ()) -> dict[str, Any]:
    """The full JSON-ready document for one list.

    ``min_severity`` hides lower findings from ``findings`` only; the summary
    still counts every finding, and says how many were hidden. ``adding``
    (inputs being added to the list): ``findings`` and ``skipped_rules`` keep
    only those that involve one of them, and an ``adding`` block counts those;
    the summary still describes the whole list. ``splits``: strings given as
    one argument that the command line split into several medications, with
    the number of parts (the ``split`` key, present only then).
    """
    shown = shown_findings(result, min_severity)
    doc = _adding(result, kb, min_severity, shown, adding) if adding else _document(result, kb, shown)
    if splits:
        doc["split"] = [{"input": s, "medications": n} for s, n in splits]
    return doc


def _document(result: CheckResult, kb: Any, shown: list[Finding]) -> dict[str, Any]:
    return {
        "schema_version": SCHEMA_VERSION,
        "check_meds_version": __version__,
        "knowledge_base": knowledge_base_info(kb),
        "patient": {"age": result.age},
        "medications": [medication(r, kb) for r in result.resolutions],
        "unrecognized": [unrecognized(r, kb) for r in result.unrecognized],
        "findings": [finding(f, kb) for f in shown],
        "skipped_rules": [skipped_rule(f) for f in result.skipped],
        "summary": summary(result, shown),
    }


def _adding(result: CheckResult, kb: Any, min_severity: str, shown: list[Finding], adding: Sequence[str]) -> dict[str, Any]:
    doc = _document(result, kb, shown)
    involved = involving(result.findings, adding)
    by_sev = dict.fromkeys(SEVERITIES, 0)
    for f in involved:
        by_sev[f.severity] += 1
    doc["findings"] = [finding(f, kb) for f in involving(shown, adding)]
    doc["skipped_rules"] = [skipped_rule(f) for f in involving(result.skipped, adding)]
    doc["adding"] = {
        "medications": [a.strip() for a in adding],
        "findings": len(involved),
        "findings_shown": len(doc["findings"]),
        "by_severity": by_sev,
        "highest_severity": involved[0].severity if involved else None,
        "findings_not_involving": len(result.findings) - len(involved),
    }
    return doc


def error_document(list_id: str | None, line: int | None, message: str) -> dict[str, Any]:
    """A batch entry for a list that could not be checked (schema: batch-error.schema.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "check_meds_version": __version__,
        "id": list_id,
        "line": line,
        "error": message,
        "summary": {"complete": False, "checked": False},
    }


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def not_medicines(n: int) -> str:
    """'1 entry is not a medication and was not checked': supplies and statements such as lancets, 'diet controlled'."""
    return f"{n} entr{'y is' if n == 1 else 'ies are'} not a medication and {'was' if n == 1 else 'were'} not checked"


def verdict(result: CheckResult, min_severity: str = "minor", adding: Sequence[str] = ()) -> str:
    """The outcome of a check in one sentence, for the first line of every human-facing report.

    The highest severity and how many warnings (by severity), or that the
    check is incomplete (how many names were not recognised), or that no
    interaction was found with every medication recognised. Counts cover every
    finding; findings below ``min_severity`` are said to be hidden. With
    ``adding`` (inputs being added to the list) only the findings that involve
    one of them count, and the sentence starts by naming them.
    """
    if adding:
        sentence = verdict(adding_view(result, adding), min_severity)
        return f"Adding {', '.join(a.strip() for a in adding)}: {sentence[:1].lower()}{sentence[1:]}"
    n_not = len(result.non_medications)
    n = len(result.resolutions) - n_not  # supplies and statements are listed, not counted as medications
    unrec = len(result.unrecognized)
    if unrec:
        head = (f"Incomplete: {unrec} of {_plural(n, 'medication')} not recognised "
                f"(interactions involving {'it' if unrec == 1 else 'them'} were not checked); ")
        among = "the rest"
    else:
        head, among = "", f"{_plural(n, 'medication')}, all recognised"
    if result.findings:
        counts = dict.fromkeys(reversed(SEVERITIES), 0)
        for f in result.findings:
            counts[f.severity] += 1
        parts = ", ".join(f"{k} {s}" for s, k in counts.items() if k)
        text = f"highest severity {result.highest}: {_plural(len(result.findings), 'interaction warning')} ({parts}) among {among}"
        hidden = len(result.findings) - len(shown_findings(result, min_severity))
        if hidden:
            text += f"; {hidden} below {min_severity} not shown"
    elif unrec and not any(r.ok for r in result.resolutions):
        text = "nothing could be checked"
    else:
        text = f"no interactions found among {among}"
        if result.skipped:
            text += f"; {_plural(len(result.skipped), 'rule')} for older adults not applied (no patient age given)"
    if n_not:
        text += f" ({not_medicines(n_not)})"
    sentence = head + text
    return sentence[:1].upper() + sentence[1:] + "."
