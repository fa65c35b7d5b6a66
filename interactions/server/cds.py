"""CDS Hooks 2.0: the services, reading a hook request, and answering cards. No HTTP here.

One card per finding that involves a draft order; a card for every
medication that could not be recognised or read, and for existing
medications that could not be had, so that an EHR never reads silence as
safety.
"""

from __future__ import annotations

import random
import re
from functools import lru_cache
from dataclasses import dataclass, field
from typing import Any

from .. import DISCLAIMER
from ..engine import CheckResult, Finding, check, involves
from ..suggest import for_resolution
from .fhir import ORDER_TYPES, Entry, FhirError, Reader, age_of, resources

PREFETCH = {
    "patient": "Patient/{{context.patientId}}",
    "medicationRequests": "MedicationRequest?patient={{context.patientId}}&status=active",
    "medicationStatements": "MedicationStatement?patient={{context.patientId}}&status=active",
}
SERVICES: dict[str, dict[str, Any]] = {
    "check-meds-order-select": {
        "hook": "order-select",
        "title": "check-meds drug interactions (order selected)",
        "description": "Cited drug-interaction warnings for the selected draft medication orders against the patient's current medications.",
    },
    "check-meds-order-sign": {
        "hook": "order-sign",
        "title": "check-meds drug interactions (order signed)",
        "description": "Cited drug-interaction warnings for the draft medication orders about to be signed, against the patient's current medications.",
    },
    "check-meds-medication-prescribe": {
        "hook": "medication-prescribe",
        "title": "check-meds drug interactions (medication prescribe, for older clients)",
        "description": "Cited drug-interaction warnings for the medications being prescribed, against the patient's current medications.",
    },
}
INDICATOR = {"contraindicated": "critical", "major": "critical", "moderate": "warning", "minor": "info"}
OVERRIDE_SYSTEM = "urn:check-meds:override-reason"
OVERRIDE_REASONS = [
    {"code": "benefit-outweighs-risk", "system": OVERRIDE_SYSTEM, "display": "Benefit outweighs the risk"},
    {"code": "will-monitor", "system": OVERRIDE_SYSTEM, "display": "Will monitor or adjust the dose"},
    {"code": "tolerated-before", "system": OVERRIDE_SYSTEM, "display": "Patient has taken this combination before"},
    {"code": "not-taking", "system": OVERRIDE_SYSTEM, "display": "Patient no longer takes the other medication"},
]
TOPIC_SYSTEM = "urn:check-meds:rule"
SUMMARY_MAX = 140
# management text that tells the prescriber not to combine: offer to remove the draft order
_AVOID = re.compile(r"\bavoid\b|\bdo not (?:combine|use|give|co-?administer|prescribe)\b|\bcontraindicated\b", re.I)
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>~|])")  # emphasis, links, HTML, tables: enough inside a line
MED_KEYS = {"medicationRequests": "MedicationRequest", "medicationStatements": "MedicationStatement"}
CONTEXT_KEYS = {"order-select": "draftOrders", "order-sign": "draftOrders", "medication-prescribe": "medications"}


class RequestError(ValueError):
    """A hook request this service cannot read: answered 400 with this one-line message."""


def discovery() -> dict[str, Any]:
    return {"services": [{"id": sid, **s, "prefetch": dict(PREFETCH)} for sid, s in SERVICES.items()]}


@dataclass
class HookRequest:
    """A parsed hook call: what to check, and which prefetch keys are missing."""

    service: str
    hook: str
    context: dict[str, Any]
    prefetch: dict[str, Any]
    fhir_server: str | None
    token: str | None
    missing: list[str] = field(default_factory=list)  # prefetch keys neither sent nor yet fetched
    problems: dict[str, str] = field(default_factory=dict)  # prefetch key -> why its data could not be had


def parse(service: str, body: Any) -> HookRequest:
    if not isinstance(body, dict):
        raise RequestError("the request body must be a JSON object (a CDS Hooks request)")
    hook = body.get("hook")
    want = SERVICES[service]["hook"]
    if hook != want:
        raise RequestError(f"service {service} answers the {want!r} hook, the request says {hook!r}")
    if not isinstance(body.get("hookInstance"), str):
        raise RequestError("hookInstance (a string) is required")
    context = body.get("context")
    if not isinstance(context, dict):
        raise RequestError("context (an object) is required")
    prefetch = body.get("prefetch")
    if prefetch is None:
        prefetch = {}
    if not isinstance(prefetch, dict):
        raise RequestError("prefetch must be an object")
    server = body.get("fhirServer")
    if server is not None and not isinstance(server, str):
        raise RequestError("fhirServer must be a URL string")
    auth = body.get("fhirAuthorization")
    token = None
    if auth is not None:
        if not isinstance(auth, dict) or not isinstance(auth.get("access_token"), str):
            raise RequestError("fhirAuthorization must be an object with an access_token")
        token = auth["access_token"]
    if CONTEXT_KEYS[hook] not in context:
        raise RequestError(f"context.{CONTEXT_KEYS[hook]} is required")
    missing = [k for k in PREFETCH if k not in prefetch]
    return HookRequest(service, hook, context, dict(prefetch), server, token, missing)


def _selected(context: dict[str, Any]) -> set[str] | None:
    """order-select: the references of the selected orders (None: every draft order is; so is it when none matches)."""
    sel = context.get("selections")
    if sel is None:
        return None
    if not isinstance(sel, list) or not all(isinstance(s, str) for s in sel):
        raise RequestError("context.selections must be a list of references")
    return set(sel)


def _is_selected(ref: str | None, selected: set[str]) -> bool:
    """Whether a draft order is among context.selections (a relative reference, or a full URL ending in it)."""
    return ref is not None and (ref in selected or any(s.endswith("/" + ref) for s in selected))


def _issue(outcome: dict[str, Any]) -> str:
    """': <the first issue's text>' of an OperationOutcome, when it has one."""
    for issue in outcome.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details")
        text = issue.get("diagnostics") or (details.get("text") if isinstance(details, dict) else None)
        if isinstance(text, str) and text.strip():
            return ": " + _clip(text, 100)
    return ""


def answer(req: HookRequest, kb: Any, *, max_medications: int, existing_findings: bool, rule_url: Any,
           memo: dict[str, RuleText] | None = None) -> dict[str, Any]:
    """The cards for a hook request whose prefetch is complete (or whose gaps are in ``req.problems``)."""
    key = CONTEXT_KEYS[req.hook]
    try:
        drafts = resources(req.context[key], f"context.{key}")
        existing = []
        for k in MED_KEYS:
            res = resources(req.prefetch.get(k), f"prefetch.{k}")
            outcome = next((r for r in res if r["resourceType"] == "OperationOutcome"), None)
            if outcome is not None and not any(r["resourceType"] in ORDER_TYPES for r in res):
                req.problems.setdefault(k, f"an OperationOutcome came instead of {MED_KEYS[k]} resources{_issue(outcome)}")
            existing.extend(res)
        pv = req.prefetch.get("patient")
        if isinstance(pv, dict) and pv.get("resourceType") not in ("Patient", "Bundle", "OperationOutcome"):
            raise FhirError(f"prefetch.patient must be a FHIR Patient resource, got {pv.get('resourceType')!r}")
        patient = next((r for r in resources(pv, "prefetch.patient") if r["resourceType"] == "Patient"), None)
        if pv is not None and patient is None:
            req.problems.setdefault("patient", "the prefetch held no Patient resource")
    except FhirError as exc:
        raise RequestError(str(exc)) from None
    reader = Reader(kb)
    reader.learn(drafts)
    reader.learn(existing)
    selected = _selected(req.context) if req.hook == "order-select" else None
    entries: list[Entry] = []
    draft_entries = list(reader.entries(drafts, draft=True))
    if selected is not None and any(_is_selected(e.ref, selected) for e in draft_entries):
        for e in draft_entries:
            if not _is_selected(e.ref, selected):
                e.draft = False  # another draft order of the same session: checked with, not warned about
    entries.extend(draft_entries)
    entries.extend(reader.entries(existing, draft=False))
    labels = [e.label for e in entries if e.label]
    if len(labels) > max_medications:
        raise RequestError(f"{len(labels)} medications in one request; the limit is {max_medications}")
    age = age_of(patient)
    result = check(labels, kb, age=age)
    return {"cards": cards(result, entries, kb, req, existing_findings, rule_url, {} if memo is None else memo)}


def cards(result: CheckResult, entries: list[Entry], kb: Any, req: HookRequest, existing_findings: bool, rule_url: Any,
          memo: dict[str, RuleText]) -> list[dict[str, Any]]:
    draft_labels = {e.label for e in entries if e.draft and e.label}
    refs: dict[str, list[str]] = {}
    for e in entries:
        if e.draft and e.label and e.ref:
            refs.setdefault(e.label, []).append(e.ref)
    resolved = {r.input: r for r in result.resolutions}
    kb_label = f"check-meds knowledge base {kb.info['name']} {kb.info['version']}"
    out = []
    for f in result.findings:
        involved = involves(f, draft_labels)
        if involved or existing_findings:
            out.append(finding_card(f, kb, kb_label, involved, draft_labels, refs, rule_url(f.rule), resolved, memo))
    for r in result.unrecognized:
        out.append(unrecognized_card(r, kb, kb_label, r.input in draft_labels))
    for e in entries:
        if e.problem:
            out.append(_card(f"A medication was not checked: {e.problem}", "warning", kb_label,
                             f"{_md(e.problem)}.\n\nInteractions with this {'draft order' if e.draft else 'medication'} were not checked; "
                             f"check it by hand.\n\n_{DISCLAIMER}_"))
    for key, rtype in MED_KEYS.items():
        why = req.problems.get(key)
        if why:
            out.append(_card(f"Current medications ({rtype}) were not checked against this order", "warning", kb_label,
                             f"The patient's {rtype} resources could not be had: {_md(why)}.\n\nInteractions with those current "
                             f"medications were not checked; the rest of the list was.\n\n_{DISCLAIMER}_"))
    skipped = [f for f in result.skipped if existing_findings or involves(f, draft_labels)]
    if skipped:
        lines = "\n".join(f"- {_md(f.rule_data['title'])} ({', '.join(f.drugs)}): applies from age {f.rule_data['min_age']}" for f in skipped)
        why = f" ({_md(req.problems['patient'])})" if req.problems.get("patient") else ""
        out.append(_card(f"{len(skipped)} age-dependent rule{'s' if len(skipped) != 1 else ''} not applied: patient age unknown",
                         "info", kb_label, f"The patient's birth date was not available{why}, so these rules were not applied:\n\n{lines}\n\n_{DISCLAIMER}_"))
    return out


def _card(summary: str, indicator: str, kb_label: str, detail: str, **extra: Any) -> dict[str, Any]:
    return {"uuid": _uuid(), "summary": _clip(summary), "indicator": indicator, "detail": detail,
            "source": {"label": kb_label, **extra.pop("source", {})}, **extra}


class RuleText:
    """The parts of a finding card that depend on its rule alone, made once per rule."""

    __slots__ = ("title", "body", "references", "links", "topic", "avoid")

    def __init__(self, rid: str, r: dict[str, Any], kb: Any) -> None:
        self.title = f"**{r['severity'].capitalize()}**: {_md(r['title'])}"
        parts = [
            f"**Effect.** {r['effect']}",
            f"**Mechanism.** {r['mechanism']}",
            f"**Management.** {r['management']}",
            f"Evidence: {r['evidence']}." + (f" Applies from age {r['min_age']}." if r["min_age"] else ""),
        ]
        if r["site"]:
            parts.append(f"Site change: {_md(str(dict(r['site'])))}")
        self.body = "\n\n".join(parts)
        refs = [(ref, kb.references[ref]) for ref in r["references"]]
        self.references = "**References**\n\n" + "\n".join(
            f"{n}. {_md(d['citation'])}" + (f" <{d['url']}>" if d.get("url") else "") for n, (_, d) in enumerate(refs, 1))
        self.links = [{"label": _clip(f"{ref}: {d['citation']}", 80), "url": d["url"], "type": "absolute"} for ref, d in refs if d.get("url")]
        self.topic = {"system": TOPIC_SYSTEM, "code": rid, "display": _clip(r["title"])}
        self.avoid = r["severity"] == "contraindicated" or bool(_AVOID.search(r["management"]))


def rule_text(rid: str, kb: Any, memo: dict[str, RuleText]) -> RuleText:
    t = memo.get(rid)
    if t is None:
        t = memo[rid] = RuleText(rid, kb.rules[rid], kb)
    return t


def finding_card(f: Finding, kb: Any, kb_label: str, involves: bool, draft_labels: set[str], refs: dict[str, list[str]], url: str,
                 resolved: dict[str, Any], memo: dict[str, RuleText]) -> dict[str, Any]:
    r = f.rule_data
    sev = r["severity"]
    t = rule_text(f.rule, kb, memo)
    prefix = "" if involves else "Current medications: "
    summary = f"{prefix}{sev.capitalize()}: {' + '.join(f.drugs)}: {r['title']}"
    inputs = ", ".join(f"{_md(_shown(i, resolved))}{' (draft order)' if i in draft_labels else ''}" for i in f.inputs)
    parts = [t.title, f"Medications: {inputs}", t.body]
    if f.related:
        parts.append("Also: " + "; ".join(f"{_md(g.rule_data['title'])} ({g.severity})" for g in f.related))
    parts += [t.references, f"_{DISCLAIMER}_"]
    card = _card(summary, INDICATOR[sev], kb_label, "\n\n".join(parts),
                 source={"url": url, "topic": dict(t.topic)}, overrideReasons=list(OVERRIDE_REASONS))
    if t.links:
        card["links"] = [dict(x) for x in t.links]
    drafts = sorted({ref for i in f.inputs for ref in refs.get(i, ())})
    if involves and drafts and t.avoid:
        names = ", ".join(i for i in f.inputs if i in draft_labels)
        card["suggestions"] = [{
            "label": _clip(f"Remove the draft order: {names}", 80),
            "uuid": _uuid(),
            "actions": [{"type": "delete", "description": _clip(f"Remove the draft order for {names}"), "resourceId": drafts}],
        }]
        card["selectionBehavior"] = "at-most-one"
    return card


def _shown(label: str, resolved: dict[str, Any]) -> str:
    """An input as a person reads it: an RxNorm code is shown with the drug it names."""
    r = resolved.get(label)
    if label.startswith("rxcui:") and r is not None and r.ok:
        return f"{' + '.join(r.drugs)} ({label})"
    return label


def unrecognized_card(res: Any, kb: Any, kb_label: str, draft: bool) -> dict[str, Any]:
    what = "draft order" if draft else "medication"
    if res.status == "ambiguous":
        hint = "It could mean: " + ", ".join(_md(c) for c in res.candidates) + "."
    else:
        sugg = for_resolution(res, kb)
        hint = ("Did you mean: " + ", ".join(_md(s) for s in sugg) + "?") if sugg else "No close name is known."
    reason = res.reason[:1].lower() + res.reason[1:]
    detail = (f"The {what} **{_md(res.input)}** was not recognised ({_md(reason)}). {hint}\n\n"
              f"Interactions with it were **not checked**; check them by hand, or enter it as a known name or RxNorm code.\n\n_{DISCLAIMER}_")
    return _card(f"Interactions with {res.input} were not checked: not recognised", "warning", kb_label, detail,
                 source={"topic": {"system": TOPIC_SYSTEM, "code": "unrecognized", "display": "Medication not recognised"}})


def _uuid() -> str:
    """A random (version 4) UUID for a card or suggestion; unique, not secret, so not from os.urandom."""
    h = f"{(random.getrandbits(128) & ~(0xF000 << 64) & ~(0xC << 60)) | (0x4000 << 64) | (0x8 << 60):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _clip(text: str, limit: int = SUMMARY_MAX) -> str:
    text = " ".join(text.split())
    return text if len(text) < limit else text[: limit - 2].rstrip() + "…"


@lru_cache(maxsize=65536)
def _md(text: str) -> str:
    """Text from a request, safe inside Markdown (no links, HTML or emphasis of its own)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(text).split()))

