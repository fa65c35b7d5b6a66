"""Batch --format jsonl: one line per list, the single check's document plus ``id`` and ``line``.

Documents are assembled from pieces serialised once: the knowledge-base
block, each distinct medication string, each rule's finding text. The pieces
come from :mod:`.document` itself (templates are made by serialising its
output with placeholders), so a line is byte for byte what
``json.dumps(document(...) | {"id": ..., "line": ...}, sort_keys=True,
separators=(",", ":"), ensure_ascii=False)`` would give, only much faster.
With ``detail="brief"`` each finding is :func:`.document.brief_finding`.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring as _str
from typing import Any

from ..engine import CheckResult, Finding
from ..kb import MEMO_KEY_MAX, UNRECOGNISED_LIMIT
from ..normalize import Resolution
from .batch_stream import StreamWriter
from .document import brief_finding, document, error_document, finding, medication, related, shown_findings, skipped_rule, summary, unrecognized

DUMPS = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode
CACHE_LIMIT = 100_000  # distinct strings remembered per cache (of MEMO_KEY_MAX characters at most); beyond, pieces are made afresh
DRUGS_LIMIT = 32_768  # drug-name arrays of findings (cheap to make again)


def _slot(name: str) -> str:
    return f"\x00{name}\x00"


def template(obj: Any, names: tuple[str, ...]) -> str:
    """``obj`` serialised, with each placeholder value made a ``%(name)s`` field."""
    s = DUMPS(obj).replace("%", "%%")
    for n in names:
        enc = _str(_slot(n))
        if s.count(enc) != 1:
            raise AssertionError(f"placeholder {n!r} appears {s.count(enc)} times")
        s = s.replace(enc, f"%({n})s")
    return s


def strings(items: Any) -> str:
    """A JSON array of strings."""
    return "[" + ",".join(map(_str, items)) + "]"


class Encoder:
    """Serialises results for one knowledge base, remembering every piece it has made."""

    def __init__(self, kb: Any, min_severity: str = "minor", detail: str = "full") -> None:
        self.kb = kb
        self.min_severity = min_severity
        self.brief = detail == "brief"  # findings with rule, severity, title, drugs and inputs only
        self._meds: dict[str, str] = {}
        self._med_templates: dict[tuple, str] = {}
        self._unrec: dict[str, str] = {}
        self._findings: dict[str, str] = {}  # rule -> template
        self._drugs: dict[tuple[str, ...], str] = {}  # canonical drug names -> JSON array
        self._related: dict[str, str] = {}
        self._skipped: dict[str, str] = {}
        self._ages: dict[Any, str] = {}
        empty = CheckResult([], [], [], [], [], None)
        doc = document(empty, kb, min_severity)
        names = ("findings", "id", "line", "medications", "patient", "skipped_rules", "summary", "unrecognized")
        for n in names:
            doc[n] = _slot(n)
        self._doc = template(doc, names) + "\n"
        # the summary's every value a field: counts filled in by _summary
        fields = summary(empty, [])
        sevs = tuple(fields["by_severity"])
        for n in fields:
            fields[n] = _slot(n)
        fields["by_severity"] = {s: _slot("sev_" + s) for s in sevs}
        self._sevs = sevs
        self._summary = template(fields, tuple(n for n in fields if n != "by_severity") + tuple("sev_" + s for s in sevs))

    def encode(self, result: CheckResult, list_id: str | None, line: int | None) -> str:
        """One JSON line (with its newline) for a checked list."""
        kb = self.kb
        meds = self._meds
        pieces = []
        for r in result.resolutions:
            p = meds.get(r.input)
            if p is None:
                p = self._medication(r)
                if len(meds) < CACHE_LIMIT and len(r.input) <= MEMO_KEY_MAX:
                    meds[r.input] = p
            pieces.append(p)
        unrec = []
        for r in result.unrecognized:
            p = self._unrec.get(r.input)
            if p is None:
                p = DUMPS(unrecognized(r, kb))
                if len(self._unrec) < UNRECOGNISED_LIMIT and len(r.input) <= MEMO_KEY_MAX:
                    self._unrec[r.input] = p
            unrec.append(p)
        shown = shown_findings(result, self.min_severity)
        age = self._ages.get(result.age)
        if age is None:
            age = self._ages[result.age] = DUMPS({"age": result.age})
        return self._doc % {
            "findings": "[" + ",".join(map(self._finding, shown)) + "]",
            "id": "null" if list_id is None else _str(list_id),
            "line": "null" if line is None else str(line),
            "medications": "[" + ",".join(pieces) + "]",
            "patient": age,
            "skipped_rules": "[" + ",".join(map(self._skipped_rule, result.skipped)) + "]",
            "summary": self._summary_of(result, shown),
            "unrecognized": "[" + ",".join(unrec) + "]",
        }

    def _summary_of(self, result: CheckResult, shown: list[Finding]) -> str:
        """What ``DUMPS(document.summary(result, shown))`` gives, from counts and a template."""
        findings = result.findings
        by_sev = dict.fromkeys(self._sevs, 0)
        for f in findings:
            by_sev[f.severity] += 1
        n_ok = n_not = 0
        for r in result.resolutions:
            st = r.status
            if st == "ok":
                n_ok += 1
            elif st == "non_medication":
                n_not += 1
        n = len(result.resolutions)
        values = {"sev_" + s: c for s, c in by_sev.items()}
        values.update(
            complete="true" if n_ok + n_not == n else "false",
            medications=n,
            recognized=n_ok,
            unrecognized=n - n_ok - n_not,
            not_medications=n_not,
            findings=len(findings),
            findings_shown=len(shown),
            highest_severity=_str(findings[0].severity) if findings else "null",
            skipped_rules=len(result.skipped),
        )
        return self._summary % values

    def _medication(self, r: Resolution) -> str:
        """A medication entry, from a template per what it resolved to (many strings name one drug)."""
        # every field of the entry but the input and the dose text is in the key
        target = (r.status, r.drugs, r.product, r.method, r.matched, bool(r.removed), r.confirmed, r.candidates, r.reason)
        t = self._med_templates.get(target)
        if t is None:
            fake = Resolution(_slot("input"), r.status, r.drugs, r.product, r.method, r.matched,
                              _slot("dose_text") if r.removed else "", r.candidates, r.reason, r.confirmed)
            d = medication(fake, self.kb)
            # an entry states its dose text only when it was recognised
            t = template(d, ("input", "dose_text") if d.get("dose_text") == fake.removed != "" else ("input",))
            if len(self._med_templates) < CACHE_LIMIT:
                self._med_templates[target] = t
        return t % {"input": _str(r.input), "dose_text": _str(r.removed)}

    def _finding(self, f: Finding) -> str:
        t = self._findings.get(f.rule)
        if t is None:
            fake = Finding(f.rule, f.rule_data, (_slot("drugs"),), (_slot("inputs"),), frozenset())
            if self.brief:
                d = brief_finding(fake)
                d["drugs"], d["inputs"] = _slot("drugs"), _slot("inputs")
                t = self._findings[f.rule] = template(d, ("drugs", "inputs"))
            else:
                d = finding(fake, self.kb)
                d["drugs"], d["inputs"], d["related"] = _slot("drugs"), _slot("inputs"), _slot("related")
                t = self._findings[f.rule] = template(d, ("drugs", "inputs", "related"))
        drugs = self._drugs.get(f.drugs)
        if drugs is None:
            drugs = strings(f.drugs)
            if len(self._drugs) < DRUGS_LIMIT:
                self._drugs[f.drugs] = drugs
        if self.brief:
            return t % {"drugs": drugs, "inputs": strings(f.inputs)}
        related = "[" + ",".join(map(self._related_rule, f.related)) + "]" if f.related else "[]"
        return t % {"drugs": drugs, "inputs": strings(f.inputs), "related": related}

    def _related_rule(self, g: Finding) -> str:
        t = self._related.get(g.rule)
        if t is None:
            t = self._related[g.rule] = DUMPS(related(g))
        return t

    def _skipped_rule(self, f: Finding) -> str:
        t = self._skipped.get(f.rule)
        if t is None:
            d = skipped_rule(Finding(f.rule, f.rule_data, (), (), frozenset()))
            d["drugs"], d["inputs"] = _slot("drugs"), _slot("inputs")
            t = self._skipped[f.rule] = template(d, ("drugs", "inputs"))
        return t % {"drugs": strings(f.drugs), "inputs": strings(f.inputs)}


class Writer(StreamWriter):
    """Batch writer: JSON Lines on standard output, in input order."""

    def __init__(self, kb: Any, min_severity: str = "minor", detail: str = "full", **_: Any) -> None:
        self.encoder = Encoder(kb, min_severity, detail)

    def render(self, rec: Any, result: CheckResult) -> str:
        s = self.encoder.encode(result, rec.id, rec.line)
        if rec.not_current:  # FHIR: resources of this list skipped as not current (the key sorts just before "patient")
            s = s.replace(',"patient":', f',"not_current":{int(rec.not_current)},"patient":', 1)
        return s

    def error(self, rec: Any) -> str:
        return DUMPS(error_document(rec.id, rec.line, rec.error)) + "\n"
