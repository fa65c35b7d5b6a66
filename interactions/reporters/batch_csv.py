"""Batch --format csv: one row per finding for spreadsheets, and a row for every list that has none.

Columns: id, line, kind, severity, rule, title, drugs, inputs, management
(``--detail brief``: without management).
``kind`` is ``finding``; ``unrecognized`` or ``ambiguous`` (one row per name
not recognised: the name in ``inputs``, suggestions in ``title``);
``not-applied`` (an age-dependent rule skipped for want of an age);
``no-findings`` (checked, every name recognised, nothing found);
``below-min-severity`` (findings exist but --min-severity hides them); or
``error`` (the list could not be checked; the reason in ``title``). So every
list has at least one row. Cells that a spreadsheet would run as a formula
(starting with = + - @) get a leading apostrophe; control characters in ids
and names are written visibly (``\x1b``), as in every output for people.
"""

from __future__ import annotations

from typing import Any

from ..engine import CheckResult
from ..kb import MEMO_KEY_MAX, UNRECOGNISED_LIMIT
from ..suggest import for_resolution
from .batch_stream import StreamWriter, write_bytes
from ..visible import visible
from .document import shown_findings

COLUMNS = ("id", "line", "kind", "severity", "rule", "title", "drugs", "inputs", "management")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str | None) -> str:
    """A cell safe to open in a spreadsheet and to show: control characters made visible, no formula."""
    if not value:
        return ""
    value = visible(value)
    return "'" + value if value.startswith(_FORMULA) else value


def q(value: str) -> str:
    """A CSV field, quoted as the csv module's QUOTE_MINIMAL would."""
    if '"' in value:
        return '"' + value.replace('"', '""') + '"'
    if "," in value or "\n" in value or "\r" in value:
        return '"' + value + '"'
    return value


def row(*fields: str) -> str:
    return ",".join(map(q, fields)) + "\n"


class Writer(StreamWriter):
    """Batch writer: CSV on standard output, rows in input order."""

    def __init__(self, kb: Any, min_severity: str = "minor", detail: str = "full", **_: Any) -> None:
        self.kb = kb
        self.min_severity = min_severity
        self.brief = detail == "brief"  # no management column
        self._rules: dict[tuple[str, str], tuple[str, str]] = {}  # (kind, rule) -> quoted fields around drugs and inputs
        self._unrec: dict[str, str] = {}

    def begin(self, out: Any) -> None:
        write_bytes(out, row(*(COLUMNS[:-1] if self.brief else COLUMNS)).encode("utf-8"))

    def _rule(self, kind: str, f: Any) -> tuple[str, str]:
        hit = self._rules.get((kind, f.rule))
        if hit is None:
            r = f.rule_data
            management = r["management"]
            if kind == "not-applied":
                management = f"Not applied: patient age not given (applies from age {r['min_age']}). {management}"
            hit = self._rules[(kind, f.rule)] = (f"{kind},{q(f.severity)},{q(f.rule)},{q(r['title'])}", "" if self.brief else "," + q(management))
        return hit

    def render(self, rec: Any, result: CheckResult) -> str:
        head = q(cell(rec.id)) + "," + ("" if rec.line is None else str(rec.line)) + ","
        rows = []
        for kind, findings in (("finding", shown_findings(result, self.min_severity)), ("not-applied", result.skipped)):
            for f in findings:
                middle, management = self._rule(kind, f)
                rows.append(f"{head}{middle},{q('; '.join(f.drugs))},{q(cell('; '.join(f.inputs)))}{management}\n")
        for u in result.unrecognized:
            rows.append(head + self._unrecognized(u))
        if not rows:
            if result.findings:
                n = len(result.findings)
                rows.append(head + self._row("below-min-severity", "", "", f"{n} finding{'s' if n != 1 else ''} below --min-severity {self.min_severity}", "", "", ""))
            else:
                rows.append(head + self._row("no-findings", "", "", "No interactions found (all medications recognised)", "", "", ""))
        return "".join(rows)

    def _unrecognized(self, res: Any) -> str:
        hit = self._unrec.get(res.input)
        if hit is None:
            if res.status == "ambiguous":
                kind, title = "ambiguous", f"Ambiguous: could be {', '.join(res.candidates)}. {res.reason}"
            else:
                sugg = for_resolution(res, self.kb)
                kind, title = "unrecognized", f"Not recognised: did you mean {', '.join(sugg)}?" if sugg else f"Not recognised: {res.reason}"
            hit = self._row(kind, "", "", visible(title), "", cell(res.input), "")
            if len(self._unrec) < UNRECOGNISED_LIMIT and len(res.input) <= MEMO_KEY_MAX:
                self._unrec[res.input] = hit
        return hit

    def _row(self, *fields: str) -> str:
        """A row from its fields after id and line; the last (management) is left out with brief detail."""
        return row(*(fields[:-1] if self.brief else fields))

    def error(self, rec: Any) -> str:
        return row(cell(rec.id), "" if rec.line is None else str(rec.line), *(("error", "", "", visible(f"Not checked: {rec.error}"), "", "")
                                                                              + (() if self.brief else ("",))))
