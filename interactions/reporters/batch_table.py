"""Batch --format table: a summary of the whole run, then the lists worth reading first.

Workers reduce each list to a few tuples; this process keeps only the
``details`` most severe lists (a bounded heap), so memory does not grow with
the input.
"""

from __future__ import annotations

import heapq
from typing import Any

from .. import __version__
from ..engine import CheckResult
from ..severity import SEVERITIES
from ..suggest import suggestions
from .document import shown_findings
from ..visible import visible, wrap_all
from .text_format import DISCLAIMER, Line, plain, print_rich

TOP_RULES = 10
TOP_NAMES = 20
ERRORS_SHOWN = 20
FINDINGS_SHOWN = 8  # per list in the details


class Writer:
    """Batch writer: the summary table, on standard output at the end of the run."""

    def __init__(self, kb: Any, min_severity: str = "minor", details: int = 20, color: bool = False, width: int = 100, source: str = "", **_: Any) -> None:
        self.kb = kb
        self.min_severity = min_severity
        self.details = max(0, details)
        self.color = color
        self.width = width
        self.source = source
        self._heap: list[tuple] = []  # (rank, findings, -seq, entry): the most severe lists
        self._seq = 0
        self._worth = 0  # lists with findings or unrecognised names

    def begin(self, out: Any) -> None:
        pass

    def render(self, rec: Any, result: CheckResult) -> tuple | None:
        """What the summary needs to show one list, or None for a clean list."""
        unrec = result.unrecognized
        if not result.findings and not unrec:
            return None
        shown = shown_findings(result, self.min_severity)
        brief = tuple((f.severity, f.rule_data["title"], f.rule, ", ".join(f.drugs), ", ".join(f.inputs)) for f in shown)
        rank = result.findings[0].rank if result.findings else 0
        return (rank, len(result.findings), rec.id, rec.line, brief, tuple(u.input for u in unrec), len(result.findings) - len(shown))

    def error(self, rec: Any) -> None:
        return None  # errors are listed from the tally

    def pack(self, rendered: list[tuple | None]) -> list[tuple | None]:
        return rendered

    def emit(self, rendered: list[tuple | None], out: Any) -> None:
        heap = self._heap
        for entry in rendered:
            self._seq += 1
            if entry is None:
                continue
            self._worth += 1
            if not self.details:
                continue
            item = (entry[0], entry[1], -self._seq, entry)
            if len(heap) < self.details:
                heapq.heappush(heap, item)
            elif item > heap[0]:
                heapq.heapreplace(heap, item)

    def close(self, tally: Any, out: Any) -> None:
        lines = wrap_all(self.layout(tally), self.width)  # ids and names made visible, then wrapped between words
        if self.color:
            from rich.console import Console

            print_rich(lines, Console(file=out, highlight=False, width=self.width))
        else:
            out.write(plain(lines))

    def layout(self, tally: Any) -> list[Line]:
        kb = self.kb
        lines: list[Line] = []
        add = lines.append
        add([(f"check-meds {__version__}", "title"), (f"  knowledge base {kb.info['name']} {kb.info['version']}", "dim")])
        add([("Batch", "title"), (f" {self.source}: " if self.source else ": ", ""), (tally.line(), "")])
        add([])
        add(_count("Lists checked", tally.checked, "title"))
        for s in reversed(SEVERITIES):
            add(_count(f"  with a {s} finding", tally.with_severity[s], s))
        add(_count("  incomplete (a name not recognised)", tally.incomplete, "unknown"))
        add(_count("  no findings, all names recognised", tally.clean, "ok"))
        if tally.not_applied:
            add(_count("  no findings without an age (rules for 65+ not applied)", tally.not_applied, "warn"))
        add(_count("Lists not checked (errors)", tally.errors, "unknown"))
        if tally.rules:
            add([])
            add([("Most frequent rules", "title"), ("  (warnings, all lists)", "dim")])
            for rule, n in sorted(tally.rules.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_RULES]:
                r = kb.rules.get(rule, {})
                sev = r.get("severity", "")
                add([(f"  {n:>7}  ", ""), (f"{sev.upper():<15}", sev), (f" {rule}", "dim"), (f"  {r.get('title', '')}", "")])
        if tally.names:
            add([])
            add([("Names not recognised", "unknown"), ("  (lists they appear in; fix the data or add them to the knowledge base)", "dim")])
            for name, n in sorted(tally.names.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_NAMES]:
                sugg = suggestions(name, kb, limit=3)
                hint = f"did you mean {', '.join(sugg)}?" if sugg else ""
                add([(f"  {n:>7}  ", ""), (f"{_short(name or '(empty)', 40):<40}", ""), (f"  {hint}", "dim")])
            more = len(tally.names) - TOP_NAMES
            if more > 0 or tally.names_other:
                add([(f"  ... and {max(more, 0)} more distinct names" + (f", {tally.names_other} further occurrences" if tally.names_other else ""), "dim")])
        if self._heap:
            top = sorted(self._heap, reverse=True)
            add([])
            add([("Lists to read first", "title"), (f"  ({len(top)} of {self._worth} with findings or unrecognised names; most severe first)", "dim")])
            for _r, _n, _s, entry in top:
                lines.extend(self._entry(entry))
        if tally.errors:
            add([])
            add([("Lists not checked", "unknown"), (f"  ({tally.errors}; fix these lines and run again)", "dim")])
            for rid, line, msg in tally.error_samples[:ERRORS_SHOWN]:
                where = f"line {line}" if line is not None else "entry"
                add([(f"  {self.source + ':' if self.source else ''}{where}", ""), (f" ({rid})" if rid is not None else "", "dim"), (f": {msg}", "")])
            if tally.errors > ERRORS_SHOWN:
                add([(f"  ... and {tally.errors - ERRORS_SHOWN} more", "dim")])
        add([])
        add([(f"Summary: {tally.line()}.", "title")])
        add([(DISCLAIMER, "dim")])
        return lines

    def _entry(self, entry: tuple) -> list[Line]:
        rank, _n, rid, line, brief, unrec, hidden = entry
        out: list[Line] = [[(f"  {rid}", "title"), (f"  (line {line})" if line is not None else "", "dim")]]
        for sev, title, rule, drugs, inputs in brief[:FINDINGS_SHOWN]:
            out.append([("    ", ""), (f" {sev.upper()} ", sev), (f"  {title}", ""), (f"  ({drugs}; as given: {inputs})", "dim"), (f"  {rule}", "dim")])
        if len(brief) > FINDINGS_SHOWN:
            more = len(brief) - FINDINGS_SHOWN
            out.append([(f"    ... and {more} more (--format jsonl or csv lists them all)", "dim")])
        if hidden:
            out.append([(f"    {hidden} finding{'s' if hidden != 1 else ''} below --min-severity {self.min_severity}", "dim")])
        if unrec:
            out.append([("    ", ""), ("NOT RECOGNISED", "unknown"), (f": {', '.join(_short(u or '(empty)', 40) for u in unrec)}; not checked against the rest", "")])
        return out


def _count(label: str, n: int, style: str) -> Line:
    return [(f"{label:<38}", style if n else ""), (f"{n:>9}", "")]


def _short(s: str, n: int) -> str:
    """``s`` made visible (control characters escaped), cut to ``n`` characters."""
    s = visible(s)
    return s if len(s) <= n else s[: n - 3] + "..."

