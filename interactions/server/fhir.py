"""FHIR R4 for CDS Hooks: medications out of draft orders and prefetch, and fetching what was not prefetched.

The reading of a medication resource (RxNorm code the knowledge base knows,
else the concept's text or display, else the code itself, reported as not
recognised) is the batch FHIR reader's, so a list reads the same whichever way
it arrives. A resource that names no medication becomes an entry with a
problem: it gets a card, never silence.
"""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ..batch import ReadOptions
from ..batch.read_fhir import MED_TYPES, NOT_HAPPENED, _age, _Context

# a medication the patient no longer takes is not part of the current list
NOT_CURRENT = NOT_HAPPENED | {"stopped", "completed"}
ORDER_TYPES = MED_TYPES | {"MedicationOrder"}  # MedicationOrder: the DSTU2 resource of older clients


class FhirError(ValueError):
    """Malformed FHIR in a request: answered 400 with this one-line message."""


@dataclass
class Entry:
    """One medication of the request: what is checked, where it came from, or why it could not be read."""

    label: str | None  # the string checked; None when the resource names no medication
    ref: str | None  # "MedicationRequest/123"
    draft: bool
    problem: str | None = None


def resources(value: Any, where: str) -> list[dict[str, Any]]:
    """The resources of a Bundle, a single resource, or a list of resources (null: none)."""
    if value is None:
        return []
    if isinstance(value, list):
        items = value
    elif isinstance(value, dict):
        rt = value.get("resourceType")
        if not isinstance(rt, str):
            raise FhirError(f"{where} is not a FHIR resource (no resourceType)")
        if rt != "Bundle":
            return [value]
        entries = value.get("entry") or []
        if not isinstance(entries, list):
            raise FhirError(f"{where}.entry must be a list")
        items = [e.get("resource") if isinstance(e, dict) else e for e in entries]
    else:
        raise FhirError(f"{where} must be a FHIR Bundle or resource, got {type(value).__name__}")
    out = []
    for i, r in enumerate(items):
        if not isinstance(r, dict) or not isinstance(r.get("resourceType"), str):
            raise FhirError(f"{where}: entry {i + 1} is not a FHIR resource")
        out.append(r)
    return out


class Reader:
    """Medication entries from FHIR resources, with Medication resources looked up across all of them."""

    def __init__(self, kb: Any) -> None:
        names = kb.names
        self.ctx = _Context(ReadOptions(has_code=lambda code: ("rxcui:" + code) in names))

    def learn(self, res: list[dict[str, Any]]) -> None:
        for r in res:
            if r["resourceType"] in ("Medication", "Patient"):
                self.ctx.learn(r)

    def entries(self, res: list[dict[str, Any]], draft: bool) -> Iterator[Entry]:
        skip = NOT_HAPPENED if draft else NOT_CURRENT
        for r in res:
            rt = r["resourceType"]
            if rt not in ORDER_TYPES or r.get("status") in skip:
                continue
            rid = r.get("id")
            ref = f"{rt}/{rid}" if isinstance(rid, str) and rid else None
            if rt == "MedicationOrder" and "medicationCodeableConcept" not in r and "medicationReference" not in r:
                r = {**r, "medicationCodeableConcept": r.get("medication")}
            label, why = self.ctx.medication(r)
            yield Entry(label, ref, draft, None if label else f"{ref or rt}: {why}")


def age_of(patient: Any) -> int | None:
    if isinstance(patient, dict) and patient.get("resourceType") == "Patient":
        return _age(patient.get("birthDate"), _today())
    return None


def _today():
    import datetime

    return datetime.date.today()


_TOKEN = re.compile(r"\{\{\s*context\.(\w+)\s*\}\}")


def fill_template(template: str, context: dict[str, Any]) -> str | None:
    """A prefetch template with its {{context.x}} tokens filled in (None when a token has no value)."""
    missing = False

    def sub(m: re.Match) -> str:
        nonlocal missing
        v = context.get(m.group(1))
        if not isinstance(v, str) or not v:
            missing = True
            return ""
        return urllib.parse.quote(v, safe="")

    out = _TOKEN.sub(sub, template)
    return None if missing else out


def fetch(base: str, query: str, token: str | None, timeout: float, max_bytes: int, max_pages: int) -> Any:
    """GET a resource or search from a FHIR server (blocking: run it in a thread); paged searches merged.

    Raises FhirError with a one-line reason; follows 'next' links only on the same server.
    """
    if not base.startswith(("http://", "https://")):
        raise FhirError(f"fhirServer must be an http(s) URL, got {base[:80]!r}")
    base = base.rstrip("/") + "/"
    url = base + query.lstrip("/")
    doc = _get(url, token, timeout, max_bytes)
    pages = 1
    while isinstance(doc, dict) and doc.get("resourceType") == "Bundle":
        nxt = next((ln.get("url") for ln in doc.get("link") or [] if isinstance(ln, dict) and ln.get("relation") == "next"), None)
        if not isinstance(nxt, str) or not nxt.startswith(base):
            break
        if pages >= max_pages:
            raise FhirError(f"{query}: more than {max_pages} pages of results")
        more = _get(nxt, token, timeout, max_bytes)
        pages += 1
        if not isinstance(more, dict):
            break
        doc = {**more, "entry": [*(doc.get("entry") or []), *(more.get("entry") or [])]}
    return doc


def _get(url: str, token: str | None, timeout: float, max_bytes: int) -> Any:
    headers = {"Accept": "application/fhir+json, application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) checked by fetch()
            data = resp.read(max_bytes + 1)
    except urllib.error.HTTPError as exc:
        raise FhirError(f"FHIR server answered {exc.code} for {_short(url)}") from None
    except (urllib.error.URLError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise FhirError(f"FHIR server not reached for {_short(url)}: {reason}") from None
    if len(data) > max_bytes:
        raise FhirError(f"FHIR response over {max_bytes} bytes for {_short(url)}")
    try:
        return json.loads(data)
    except (ValueError, RecursionError):
        raise FhirError(f"FHIR server sent something that is not JSON for {_short(url)}") from None


def _short(url: str) -> str:
    return url if len(url) <= 120 else url[:117] + "..."
