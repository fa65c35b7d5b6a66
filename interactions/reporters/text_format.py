"""--format text: the report people read.

One layout, two sinks: :func:`layout` builds lines of (text, style) segments;
:func:`render_plain` drops the styles (pipes, files, ``NO_COLOR``), and
:func:`render_rich` colours them on a terminal. Rich is imported only there.
"""

from __future__ import annotations

import textwrap
from typing import Any

from .. import DISCLAIMER, __version__
from ..engine import CheckResult, Finding
from ..severity import RANK
from ..normalize import UNKNOWN_NAME
from ..suggest import for_resolution
from .document import METHOD_TEXT, drug_label

Segment = tuple[str, str]  # (text, style name)
Line = list[Segment]


STYLES = {
    "contraindicated": "bold white on red",
    "major": "bold red",
    "moderate": "bold yellow",
    "minor": "bold cyan",
    "title": "bold",
    "label": "dim",
    "unknown": "bold magenta",
    "ok": "green",
    "dim": "dim",
    "warn": "bold magenta",
    "": "",
}


def layout(result: CheckResult, kb: Any, width: int = 80, min_severity: str = "minor") -> list[Line]:
    lines: list[Line] = []
    add = lines.append
    info = kb.info
    add([(f"check-meds {__version__}", "title"), (f"  knowledge base {info['name']} {info['version']}", "dim")])
    for site in info["site_rules"]:
        add([(f"  + site rules {site['name']} {site['version']} ({site['path']})", "dim")])
    disabled = kb.disabled
    if disabled:
        add([(f"  rules disabled by site configuration: {', '.join(sorted(disabled))}", "dim")])
    add([])

    add([("Medications", "title")])
    col = min(max((len(r.input) for r in result.resolutions), default=0), 32)
    for r in result.resolutions:
        shown = r.input if len(r.input) <= 40 else r.input[:37] + "..."
        if r.ok:
            how = METHOD_TEXT.get(r.method, r.method)
            extra = f" (dose text set aside: {r.removed})" if r.removed else ""
            if r.confirmed:
                extra += f" (also named: {', '.join(r.confirmed)})"
            add([(f"  {shown:<{col}}  ", ""), ("-> ", "dim"), (drug_label(r, kb), "ok"), (f"  [{how}]{extra}", "dim")])
        elif r.status == "non_medication":
            kind = kb.non_medicines[r.product]["kind"]
            add([(f"  {shown:<{col}}  ", ""), ("not a medication", "dim"), (f"  [{kind}; not checked]", "dim")])
        elif r.status == "ambiguous":
            add([(f"  {shown:<{col}}  ", ""), ("AMBIGUOUS", "unknown"), (f": could be {', '.join(r.candidates)}. {r.reason}", "")])
        else:
            sugg = for_resolution(r, kb)
            tail = f": did you mean {', '.join(sugg)}?" if sugg else ": no similar name is known."
            if r.reason != UNKNOWN_NAME:
                tail += f" ({r.reason})"
            add([(f"  {shown:<{col}}  ", ""), ("NOT RECOGNISED", "unknown"), (tail, "")])
    add([])

    floor = RANK.get(min_severity, 1)
    shown_findings = [f for f in result.findings if f.rank >= floor]
    for f in shown_findings:
        lines.extend(_finding(f, kb, width))
        add([])
    if result.skipped:
        add([("Not applied (no patient age given; use --age):", "warn")])
        for f in result.skipped:
            add([(f"  {f.severity.upper()} from age {f.rule_data['min_age']}: {f.rule_data['title']} ({', '.join(f.drugs)})", "")])
        add([])

    for line in _summary(result, shown_findings):
        add(line)
    add([(DISCLAIMER, "dim")])
    return lines


def _finding(f: Finding, kb: Any, width: int) -> list[Line]:
    r = f.rule_data
    sev = f.severity
    out: list[Line] = [[(f" {sev.upper()} ", sev), ("  ", ""), (r["title"], "title"), (f"  ({f.rule})", "dim")]]
    if r["site"]:
        s = r["site"]
        text = f"severity {s['severity_from']} -> {s['severity']}: {' '.join(s['reason'].split())}"
        wrapped = textwrap.wrap(text, width=max(30, width - 15), break_on_hyphens=False) or [""]
        out.append([("  Site change: ", "warn"), (wrapped[0], "")])
        out.extend([[(" " * 15, ""), (w, "")] for w in wrapped[1:]])
    pairs = [
        ("Drugs", ", ".join(f.drugs) + "   (as given: " + ", ".join(f.inputs) + ")"),
        ("Effect", r["effect"]),
        ("Management", r["management"]),
        ("Mechanism", r["mechanism"]),
        ("Evidence", f"{r['evidence']}; references: {', '.join(r['references'])}"),
    ]
    if r["min_age"]:
        pairs.append(("Applies", f"from age {r['min_age']}"))
    if f.related:
        pairs.append(("Also", "; ".join(f"{g.rule_data['title']} ({g.severity}, {g.rule})" for g in f.related)))
    indent = 14
    for label, text in pairs:
        wrapped = textwrap.wrap(" ".join(str(text).split()), width=max(30, width - indent), break_on_hyphens=False) or [""]
        out.append([(f"  {label + ':':<{indent - 2}}", "label"), (wrapped[0], "")])
        out.extend([[(" " * indent, ""), (w, "")] for w in wrapped[1:]])
    return out


def _summary(result: CheckResult, shown: list[Finding]) -> list[Line]:
    n = len(result.resolutions)
    unrec = [r.input for r in result.unrecognized]
    lines: list[Line] = []
    if result.findings:
        counts: dict[str, int] = {}
        for f in result.findings:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        parts = ", ".join(f"{counts[s]} {s}" for s in ("contraindicated", "major", "moderate", "minor") if s in counts)
        k = len(result.findings)
        text = f"Summary: {k} interaction warning{'s' if k != 1 else ''} ({parts})"
        hidden = k - len(shown)
        if hidden:
            text += f"; {hidden} below --min-severity not shown"
        lines.append([(text + ".", result.findings[0].severity)])
    if unrec:
        lines.append(
            [
                ("INCOMPLETE: ", "unknown"),
                (
                    f"{len(unrec)} of {n} medication{'s' if n != 1 else ''} not recognised ({', '.join(unrec)}); "
                    "interactions involving them were not checked.",
                    "",
                ),
            ]
        )
    elif not result.findings and result.skipped:
        k = len(result.skipped)
        lines.append([(f"No interactions found among the {n} medication{'s' if n != 1 else ''} checked (all recognised) "
                       f"without a patient age; {k} rule{'s' if k != 1 else ''} for older adults not applied (use --age).", "warn")])
    elif not result.findings:
        lines.append([(f"No interactions found among the {n} medication{'s' if n != 1 else ''} checked (all recognised).", "ok")])
    return lines


def plain(lines: list[Line]) -> str:
    """Lines of segments as plain text (styles dropped)."""
    return "\n".join("".join(t for t, _ in line).rstrip() for line in lines) + "\n"


def print_rich(lines: list[Line], console: Any) -> None:
    """Lines of segments, coloured, on a rich console."""
    from rich.text import Text

    for line in lines:
        text = Text()
        for t, style in line:
            text.append(t, style=STYLES.get(style, ""))
        console.print(text, soft_wrap=True, highlight=False)


def render_plain(result: CheckResult, kb: Any, width: int = 80, min_severity: str = "minor") -> str:
    return plain(layout(result, kb, width, min_severity))


def render_rich(result: CheckResult, kb: Any, console: Any, min_severity: str = "minor") -> None:
    print_rich(layout(result, kb, console.width, min_severity), console)
