"""FHIR R4: a Bundle, or NDJSON (one resource per line), of medication resources grouped by patient.

MedicationRequest, MedicationStatement, MedicationDispense and
MedicationAdministration resources are read (other Medication* resource types
are counted and named on standard error); each becomes one medication of its subject's list (the list id is the
reference, e.g. ``Patient/123``). The medication is the RxNorm code when the
knowledge base knows it (``rxcui:N``), else the concept's text or display,
else the code itself, which is then reported as not recognised: never
dropped. ``medicationReference`` is followed to a Medication resource in the
input (or contained in the resource). Resources whose status says they did
not happen (entered-in-error, cancelled, declined, not-taken, not-done) are not used,
and the run says how many. A Patient resource's birthDate gives the age.

Only current medications are checked unless ``--include-inactive``: a
MedicationRequest that is ``stopped`` or ``completed``, a MedicationStatement
that is ``stopped`` or ``completed``, and a MedicationDispense or
MedicationAdministration dated more than :data:`WINDOW_DAYS` days before
today are skipped; each list says how many of its resources were skipped
(``not_current``). A status that is missing or ``unknown``, or a dispense or
administration without a date, is checked: when in doubt, check.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Iterator
from typing import Any

from . import ReadOptions, Record
from .grouping import Contiguity, lists
from .read_jsonl import json_problem, text_ok
from .source import Source

RXNORM = "http://www.nlm.nih.gov/research/umls/rxnorm"
MED_TYPES = frozenset({"MedicationRequest", "MedicationStatement", "MedicationDispense", "MedicationAdministration"})
NOT_HAPPENED = frozenset({"entered-in-error", "cancelled", "declined", "not-taken", "not-done"})
ENDED = {  # statuses saying the medication is no longer taken (others, and no status, count as current)
    "MedicationRequest": frozenset({"stopped", "completed"}),
    "MedicationStatement": frozenset({"stopped", "completed"}),
    "MedicationDispense": frozenset({"stopped"}),
}
WINDOW_DAYS = 90  # a dispense or administration older than this is not a current medication (90 days: the longest usual supply)
DATED = {  # where each event resource keeps its date, in order of preference
    "MedicationDispense": ("whenHandedOver", "whenPrepared"),
    "MedicationAdministration": ("effectiveDateTime", "occurenceDateTime", "effectivePeriod"),
}


def _text(value: Any) -> str | None:
    """A JSON value used as a key, if it is a string (a list or object there is malformed input)."""
    return value if isinstance(value, str) else None


class _Context:
    """What a pass over the input learns before lists are built: Medication resources, patients' ages."""

    def __init__(self, opts: ReadOptions, today: _dt.date | None = None) -> None:
        self.opts = opts
        self.today = today or _dt.date.today()
        self.medications: dict[str, Any] = {}  # "Medication/id" or fullUrl -> resource
        self.ages: dict[str, int] = {}  # "Patient/id" -> age in years
        self.patient_urls: dict[str, str] = {}  # fullUrl -> "Patient/id"
        self.not_used = 0
        self.not_current = 0
        self.other_types: dict[str, int] = {}  # Medication* resource types this reader does not use


    def learn(self, res: Any, full_url: Any = None) -> None:
        if not isinstance(res, dict):
            return
        rt = _text(res.get("resourceType"))
        rid = res.get("id")
        if rt == "Medication":
            if isinstance(rid, str):
                self.medications[f"Medication/{rid}"] = res
            if isinstance(full_url, str):
                self.medications[full_url] = res
        elif rt == "Patient" and isinstance(rid, str):
            ref = f"Patient/{rid}"
            if isinstance(full_url, str):
                self.patient_urls[full_url] = ref
            age = _age(res.get("birthDate"), self.today)
            if age is not None:
                self.ages[ref] = age

    def patient(self, res: dict[str, Any]) -> str | None:
        subject = res.get("subject") or res.get("patient")
        ref = subject.get("reference") if isinstance(subject, dict) else None
        if not isinstance(ref, str) or not ref.strip() or not text_ok(ref):
            return None
        ref = ref.strip()
        if ref in self.patient_urls:
            return self.patient_urls[ref]
        ref = ref.split("/_history/", 1)[0]
        i = ref.rfind("Patient/")
        return ref[i:] if i > 0 else ref

    def medication(self, res: dict[str, Any]) -> tuple[str | None, str | None]:
        """(medication string, None) or (None, why there is none)."""
        cc = res.get("medicationCodeableConcept")
        ref = res.get("medicationReference")
        r5 = res.get("medication")  # R5 CodeableReference
        if cc is None and isinstance(r5, dict):
            cc = r5.get("concept")
            ref = r5.get("reference", ref)
        display = None
        if cc is None and isinstance(ref, dict):
            target = ref.get("reference")
            display = ref.get("display")
            med = None
            if isinstance(target, str):
                if target.startswith("#"):
                    med = next((c for c in res.get("contained") or [] if isinstance(c, dict) and c.get("id") == target[1:]), None)
                else:
                    med = self.medications.get(target.split("/_history/", 1)[0])
                    if med is None and "Medication/" in target:
                        med = self.medications.get(target[target.rfind("Medication/"):])
            if isinstance(med, dict):
                cc = med.get("code")
            elif not display:
                return None, f"medication reference {target!r} not found in the input"
        name = self._name(cc) if isinstance(cc, dict) else None
        name = name or (display.strip() if isinstance(display, str) else None)
        if not name:
            return None, "no medication code or text"
        if not text_ok(name):
            return None, "medication text is not valid Unicode"
        return name, None

    def _name(self, cc: dict[str, Any]) -> str | None:
        codings = [c for c in cc.get("coding") or [] if isinstance(c, dict)]
        rx = [c for c in codings if c.get("system") == RXNORM and isinstance(c.get("code"), str) and c["code"].strip()]
        for c in rx:
            if self.opts.has_code(c["code"].strip()):
                return "rxcui:" + c["code"].strip()
        text = cc.get("text")
        if isinstance(text, str) and text.strip():
            return text.strip()
        for c in rx + codings:
            d = c.get("display")
            if isinstance(d, str) and d.strip():
                return d.strip()
        if rx:
            return "rxcui:" + rx[0]["code"].strip()
        for c in codings:
            if isinstance(c.get("code"), str) and c["code"].strip():
                return f"{c.get('system') or 'code'}|{c['code'].strip()}"
        return None

    def rows(self, res: Any, line: int | None, where: str) -> Iterator[tuple]:
        if not isinstance(res, dict):
            return
        rt = _text(res.get("resourceType"))
        if rt not in MED_TYPES:
            if rt and rt.startswith("Medication") and rt != "Medication":
                self.other_types[rt] = self.other_types.get(rt, 0) + 1
            return
        status = _text(res.get("status"))
        if status in NOT_HAPPENED:
            self.not_used += 1
            pid = self.patient(res)
            if pid is not None:
                yield (pid, line, None, None, None)  # counted as not current in its list
            return
        if not self.opts.include_inactive and not self.current(rt, status, res):
            self.not_current += 1
            pid = self.patient(res)
            if pid is not None:
                yield (pid, line, None, None, None)
            return
        label = f"{res['resourceType']}/{res.get('id')}" if isinstance(res.get("id"), str) else res["resourceType"]
        pid = self.patient(res)
        if pid is None:
            yield (None, line, None, None, f"{where}{label} has no subject (patient) reference")
            return
        med, why = self.medication(res)
        if med is None:
            yield (pid, line, None, None, f"{where}{label}: {why}")
            return
        yield (pid, line, med, self.ages.get(pid), None)


    def current(self, rt: str, status: str | None, res: dict[str, Any]) -> bool:
        """Is this a medication the patient takes now (see the module docstring)?"""
        if status in ENDED.get(rt, ()):
            return False
        fields = DATED.get(rt)
        if fields:
            for f in fields:
                v = res.get(f)
                if isinstance(v, dict):  # a Period: its end, else its start
                    v = v.get("end") or v.get("start")
                when = _date(v)
                if when is not None:
                    return (self.today - when).days <= WINDOW_DAYS
        return True


def _date(value: Any) -> _dt.date | None:
    """A FHIR date or dateTime ('2026', '2026-03', '2026-03-04T10:00:00Z') as the last day it can mean."""
    if not isinstance(value, str) or len(value) < 4 or not value[:4].isdigit():
        return None
    try:
        y = int(value[:4])
        if len(value) >= 10:
            return _dt.date(y, int(value[5:7]), int(value[8:10]))
        if len(value) >= 7:
            m = int(value[5:7])
            return _dt.date(y + m // 12, m % 12 + 1, 1) - _dt.timedelta(days=1)
        return _dt.date(y, 12, 31)
    except ValueError:
        return None


def _age(birth: Any, today: _dt.date) -> int | None:
    if not isinstance(birth, str) or len(birth) < 4 or not birth[:4].isdigit():
        return None
    try:
        y = int(birth[:4])
        m = int(birth[5:7]) if len(birth) >= 7 else 1
        d = int(birth[8:10]) if len(birth) >= 10 else 1
        born = _dt.date(y, m, d)
    except ValueError:
        return None
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return age if 0 <= age <= 130 else None


def _entries(bundle: dict[str, Any]) -> Iterator[tuple[int, Any, Any]]:
    for i, e in enumerate(bundle.get("entry") or [], 1):
        if isinstance(e, dict):
            yield i, e.get("resource"), e.get("fullUrl")


def read(source: Source, opts: ReadOptions, fmt: str = "fhir", today: _dt.date | None = None) -> Iterator[Record]:
    """Lists (one per patient) from a FHIR Bundle or NDJSON, in the order of each patient's first resource."""
    head = source.head().lstrip(b"\xef\xbb\xbf \t\r\n")
    first = head.split(b"\n", 1)[0].strip()
    try:
        one_line = isinstance(json.loads(first), dict) if first else False
    except (ValueError, RecursionError):
        one_line = False
    ctx = _Context(opts, today)
    if one_line:
        return _ndjson(source, ctx)
    return _bundle(source, ctx)


def _bundle(source: Source, ctx: _Context) -> Iterator[Record]:
    from ..errors import CheckMedsError

    data = source.read_all()
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CheckMedsError(f"{source.name}:{line}: not valid UTF-8") from None
    except (ValueError, RecursionError) as exc:
        raise CheckMedsError(f"{source.name}: not a FHIR Bundle or NDJSON: {exc}") from None
    if not isinstance(doc, dict) or doc.get("resourceType") != "Bundle":
        got = doc.get("resourceType") if isinstance(doc, dict) else type(doc).__name__
        raise CheckMedsError(f"{source.name}: expected a FHIR Bundle, got {got!r}")
    entries = list(_entries(doc))
    for _i, res, url in entries:
        ctx.learn(res, url)

    def rows() -> Iterator[tuple]:
        for i, res, _url in entries:
            yield from ctx.rows(res, None, f"entry {i}: ")

    yield from lists(rows, False)
    _note(ctx, source)


def _resources(source: Source) -> Iterator[tuple[int, Any, Any, str, str | None]]:
    """(line, resource, fullUrl, where, error) per resource, Bundles on a line expanded; bad lines as errors."""
    bad = source.bad_lines
    for n, line in enumerate(source.lines(), 1):
        if bad and source.claim_bad(n, n) is not None:
            yield n, None, None, "", source.why(n)
            continue
        if not line.strip():
            continue
        try:
            res = json.loads(line)
        except (ValueError, RecursionError) as exc:
            yield n, None, None, "", json_problem(exc)
            continue
        if isinstance(res, dict) and _text(res.get("resourceType")) == "Bundle":
            for i, r, url in _entries(res):
                yield n, r, url, f"entry {i}: ", None
        else:
            yield n, res, None, "", None


NDJSON_LINE_LIMIT = 16 << 20  # a Bundle may sit on one line


def _ndjson(source: Source, ctx: _Context) -> Iterator[Record]:
    source.rewindable()
    source.line_limit = NDJSON_LINE_LIMIT
    order = Contiguity()
    for _n, res, url, _where, _error in _resources(source):
        ctx.learn(res, url)
        if isinstance(res, dict) and _text(res.get("resourceType")) in MED_TYPES:
            order.add(ctx.patient(res))
    # a fullUrl naming a Patient maps two spellings to one list: group to be safe
    is_contiguous = order.ok and not ctx.patient_urls

    def rows() -> Iterator[tuple]:
        for n, res, _url, where, error in _resources(source):
            if error is not None:
                yield (None, n, None, None, error)
                continue
            yield from ctx.rows(res, n, where)

    yield from lists(rows, is_contiguous)
    _note(ctx, source)


def _note(ctx: _Context, source: Source) -> None:
    for rt, n in sorted(ctx.other_types.items()):
        ctx.opts.notes.append(f"{source.name}: {n} {rt} resource{'s' if n != 1 else ''} not read (not a medication list resource check-meds reads)")
    if ctx.not_used:
        n = ctx.not_used
        ctx.opts.notes.append(
            f"{source.name}: {n} medication resource{'s' if n != 1 else ''} not used: status entered-in-error, cancelled, declined, not-taken or not-done"
        )
    if ctx.not_current:
        n = ctx.not_current
        ctx.opts.notes.append(
            f"{source.name}: {n} medication resource{'s' if n != 1 else ''} not current (stopped, completed, or dispensed or given more than "
            f"{WINDOW_DAYS} days ago) and not checked; each list's not_current says how many were its own; --include-inactive checks them"
        )
