"""--format markdown: the chart report for tickets and emails (the same content as --format html).

Every piece of text is escaped: markdown's special characters get a
backslash, so a name like ``*Xanax*`` or ``[x](http://...)`` shows as
written and cannot format or link; control characters are written visibly
(``\\x1b``), so a name cannot break a line into a fake heading.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ..engine import CheckResult
from ..visible import visible as shown
from .chart import adding_note, context, finding_fields, link, medication_text, unrecognised_text
from .html_format import render as render_html

# Characters that can start markup inside a line. Every line starts with this module's own markup
# ('- **Label:**', '### ', '| '), and control characters are escaped, so line-start markers (1. + -) cannot occur.
SPECIAL = frozenset("\\`*_[]<>#|~&")


def md(text: Any) -> str:
    """Text that markdown shows exactly as written."""
    return "".join("\\" + ch if ch in SPECIAL else ch for ch in shown(str(text)))


def _finding(f: dict[str, Any]) -> list[str]:
    out = [f"### {md(f['severity'].upper())}: {md(f['title'])} ({md(f['rule'])})", "", *(f"- **{k}:** {md(v)}" for k, v in finding_fields(f))]
    for r in f["references"]:
        url = link(r.get("url"))
        autolink = url is not None and url.isprintable() and not any(c in url for c in " <>")
        tail = f" <{url}>" if autolink else f" {md(r['url'])}" if r.get("url") else ""
        out.append(f"- **Reference {md(r['id'])}:** {md(r['citation'])}{tail}")
    return [*out, ""]


def render_context(ctx: dict[str, Any]) -> str:
    p = ctx["patient"]
    out = [f"# {md(ctx['title'])}", ""]
    if p["id"] is not None:
        out.append(f"- **Patient:** {md(p['id'])}")
    if p["age"] is not None:
        out.append(f"- **Age:** {p['age']} years")
    out.append(f"- **Date (UTC):** {md(ctx['generated'])}")
    out.append(f"- **Knowledge base:** {md(ctx['knowledge_base'])}" + "".join(f" + site rules {md(s)}" for s in ctx["site_rules"]))
    if ctx["disabled_rules"]:
        out.append(f"- **Rules disabled by site:** {md(', '.join(ctx['disabled_rules']))}")
    out += ["", f"**{md(ctx['verdict'])}**", ""]
    note = adding_note(ctx)
    if note:
        out += [md(note), ""]
    if ctx["unrecognized"]:
        out += ["## Not recognised: interactions with these were not checked", ""]
        for u in ctx["unrecognized"]:
            out.append(f"- **{md(u['input'])}**: {md(unrecognised_text(u))}")
        out.append("")
    out += [f"## Findings ({len(ctx['findings'])}), most severe first", ""]
    for f in ctx["findings"]:
        out += _finding(f)
    if not ctx["findings"]:
        out += ["No interaction found among the recognised medications.", ""]
    if ctx["skipped_rules"]:
        out += ["## Not applied: no patient age given", ""]
        out += [f"- {md(s['severity'].upper())} from age {s['min_age']}: {md(s['title'])} ({md(', '.join(s['drugs']))})"
                for s in ctx["skipped_rules"]]
        out.append("")
    out += [f"## Medications ({len(ctx['medications'])})", "", "| As given | Recognised as |", "|---|---|"]
    for m in ctx["medications"]:
        what = md(medication_text(m)) if m["status"] in ("recognized", "not_medication") else f"**{medication_text(m)}**"
        out.append(f"| {md(m['input'])} | {what} |")
    out += ["", "---", "", f"**{md(ctx['disclaimer'])}**", "",
            f"Generated {md(ctx['generated'])} by check-meds {md(ctx['check_meds_version'])} from knowledge base {md(ctx['knowledge_base'])}."]
    return "\n".join(out) + "\n"


def render(result: CheckResult, kb: Any, min_severity: str = "minor", patient: str | None = None, when: str | None = None,
           adding: Sequence[str] = ()) -> str:
    return render_context(context(result, kb, min_severity, patient, when, adding))


PAGES = {"html": render_html, "markdown": render}
