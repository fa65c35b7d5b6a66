"""Batch --format csv: one row per finding for spreadsheets, and a row for every list that has none.

Columns: id, line, kind, severity, rule, title, drugs, inputs, management.
``kind`` is ``finding``; ``unrecognized`` or ``ambiguous`` (one row per name
not recognised: the name in ``inputs``, suggestions in ``title``);
``not-applied`` (an age-dependent rule skipped for want of an age);
``no-findings`` (checked, every name recognised, nothing found);
``below-min-severity`` (findings exist but --min-severity hides them); or
``error`` (the list could not be checked; the reason in ``title``). So every
list has at least one row. Cells that a spreadsheet would run as a formula
(starting with = + - @) get a leading apostrophe.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from ..engine import CheckResult
from ..suggest import suggestions
from .document import shown_findings

COLUMNS = ("id", "line", "kind", "severity", "rule", "title", "drugs", "inputs", "management")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str | None) -> str:
    """A cell safe to open in a spreadsheet."""
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA) else value


class Writer:
    """Batch writer: CSV on standard output, rows in input order."""

    def __init__(self, kb: Any, min_severity: str = "minor", **_: Any) -> None:
        self.kb = kb
        self.min_severity = min_severity
        self._buf = io.StringIO()
        self._csv = csv.writer(self._buf, lineterminator="\n")
        self._unrec: dict[str, tuple[str, str]] = {}

    def _take(self) -> str:
        s = self._buf.getvalue()
        self._buf.seek(0)
        self._buf.truncate()
        return s

    def begin(self, out: Any) -> None:
        self._csv.writerow(COLUMNS)
        out.write(self._take())

    def render(self, rec: Any, result: CheckResult) -> str:
        rid = cell(rec.id)
        line = "" if rec.line is None else str(rec.line)
        rows = []
        for f in shown_findings(result, self.min_severity):
            r = f.rule_data
            rows.append((rid, line, "finding", f.severity, f.rule, r["title"], "; ".join(f.drugs), cell("; ".join(f.inputs)), r["management"]))
        for u in result.unrecognized:
            kind, title = self._unrecognized(u)
            rows.append((rid, line, kind, "", "", title, "", cell(u.input), ""))
        for f in result.skipped:
            r = f.rule_data
            rows.append((rid, line, "not-applied", f.severity, f.rule, r["title"], "; ".join(f.drugs), cell("; ".join(f.inputs)),
                         f"Not applied: patient age not given (applies from age {r['min_age']}). {r['management']}"))
        if not rows:
            if result.findings:
                n = len(result.findings)
                rows.append((rid, line, "below-min-severity", "", "", f"{n} finding{'s' if n != 1 else ''} below --min-severity {self.min_severity}", "", "", ""))
            else:
                rows.append((rid, line, "no-findings", "", "", "No interactions found (all medications recognised)", "", "", ""))
        self._csv.writerows(rows)
        return self._take()

    def _unrecognized(self, res: Any) -> tuple[str, str]:
        hit = self._unrec.get(res.input)
        if hit is None:
            if res.status == "ambiguous":
                hit = ("ambiguous", f"Ambiguous: could be {', '.join(res.candidates)}. {res.reason}")
            else:
                sugg = suggestions(res.input, self.kb)
                hit = ("unrecognized", f"Not recognised: did you mean {', '.join(sugg)}?" if sugg else f"Not recognised: {res.reason}")
            if len(self._unrec) < 200_000:
                self._unrec[res.input] = hit
        return hit

    def error(self, rec: Any) -> str:
        self._csv.writerow((cell(rec.id), "" if rec.line is None else str(rec.line), "error", "", "", f"Not checked: {rec.error}", "", "", ""))
        return self._take()

    def emit(self, rendered: list[str], out: Any) -> None:
        out.write("".join(rendered))

    def close(self, tally: Any, out: Any) -> None:
        pass
