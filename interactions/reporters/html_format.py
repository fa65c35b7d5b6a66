"""--format html: one self-contained page for the patient's chart.

No network resource of any kind: the CSS is inline, there is no script, font
or image; the only URLs are the references' own links (http and https only).
Every piece of text is escaped with :func:`html.escape`. The page prints on
A4 or Letter without colour (severity is written, not only coloured).
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from ..engine import CheckResult
from ..visible import visible as shown
from .chart import adding_note, context, finding_fields, link, medication_text, unrecognised_text

CSS = """
:root { --ink: #1a1a1a; --muted: #555; --line: #ccc; --contraindicated: #7a0010; --major: #b00020;
  --moderate: #8a5a00; --minor: #245f8a; --incomplete: #6b2c91; --ok: #1d6b32; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
  color: var(--ink); margin: 0; background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1.5rem 2rem 2rem; }
h1 { font-size: 1.5rem; margin: 0 0 .6rem; }
h2 { font-size: 1.15rem; margin: 1.6rem 0 .6rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1.05rem; margin: 0 0 .4rem; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .15rem 1rem; margin: 0 0 1rem; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; font-weight: 600; }
.verdict { font-size: 1.1rem; font-weight: 700; padding: .7rem 1rem; border-left: .5rem solid var(--ok);
  background: #f3f7f4; margin: 0 0 1rem; }
.verdict.sev-contraindicated { border-color: var(--contraindicated); background: #fbeff1; }
.verdict.sev-major { border-color: var(--major); background: #fdf0f2; }
.verdict.sev-moderate { border-color: var(--moderate); background: #fbf6ec; }
.verdict.sev-minor { border-color: var(--minor); background: #eef4f9; }
.verdict.incomplete { border-color: var(--incomplete); background: #f6f0fa; }
.finding { border: 1px solid var(--line); border-left: .4rem solid var(--line); border-radius: 4px;
  padding: .8rem 1rem; margin: 0 0 .9rem; break-inside: avoid; page-break-inside: avoid; }
.finding.sev-contraindicated { border-left-color: var(--contraindicated); }
.finding.sev-major { border-left-color: var(--major); }
.finding.sev-moderate { border-left-color: var(--moderate); }
.finding.sev-minor { border-left-color: var(--minor); }
.badge { display: inline-block; font-size: .78rem; font-weight: 700; letter-spacing: .04em; color: #fff;
  background: var(--muted); border-radius: 3px; padding: .05rem .45rem; margin-right: .4rem; vertical-align: .1rem; }
.sev-contraindicated .badge { background: var(--contraindicated); }
.sev-major .badge { background: var(--major); }
.sev-moderate .badge { background: var(--moderate); }
.sev-minor .badge { background: var(--minor); }
.finding dl { display: grid; grid-template-columns: 8.5rem 1fr; gap: .25rem .8rem; margin: .4rem 0; }
.finding dt { color: var(--muted); }
.finding dd { margin: 0; }
.rule-id, .muted { color: var(--muted); font-size: .85rem; font-weight: 400; }
ol.refs { margin: .2rem 0 0; padding-left: 1.4rem; font-size: .88rem; }
ol.refs a { color: #1a4f8a; overflow-wrap: anywhere; }
table { border-collapse: collapse; width: 100%; font-size: .92rem; }
th, td { text-align: left; padding: .3rem .5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
.unrecognised li { margin-bottom: .3rem; }
.unrecognised strong { color: var(--incomplete); }
footer { margin-top: 2rem; padding-top: .6rem; border-top: 2px solid var(--line); font-size: .88rem; color: var(--muted); }
footer .disclaimer { font-size: 1rem; font-weight: 700; color: var(--ink); }
@page { margin: 15mm; }
@media print {
  body { font-size: 11pt; }
  main { max-width: none; padding: 0; }
  .verdict, .finding, .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  ol.refs a { color: inherit; text-decoration: none; }
  h2 { break-after: avoid; page-break-after: avoid; }
}
"""


def e(text: Any) -> str:
    """Text for the page: control characters shown visibly, then HTML-escaped (quotes too, for attributes)."""
    return escape(shown(str(text)), quote=True)


def _meta(ctx: dict[str, Any]) -> list[str]:
    rows = []
    p = ctx["patient"]
    if p["id"] is not None:
        rows.append(("Patient", e(p["id"])))
    if p["age"] is not None:
        rows.append(("Age", f"{p['age']} years"))
    rows.append(("Date (UTC)", f'<time datetime="{e(ctx["generated"])}">{e(ctx["generated"])}</time>'))
    kb = e(ctx["knowledge_base"]) + "".join(f" + site rules {e(s)}" for s in ctx["site_rules"])
    rows.append(("Knowledge base", kb))
    if ctx["disabled_rules"]:
        rows.append(("Rules disabled by site", e(", ".join(ctx["disabled_rules"]))))
    rows.append(("Checked with", f"check-meds {e(ctx['check_meds_version'])}"))
    return ['<dl class="meta">', *(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in rows), "</dl>"]


def _reference(ref: dict[str, Any]) -> str:
    url = link(ref.get("url"))
    tail = f' <a href="{e(url)}">{e(url)}</a>' if url else (f" {e(ref['url'])}" if ref.get("url") else "")
    return f'<li><span class="muted">[{e(ref["id"])}]</span> {e(ref["citation"])}{tail}</li>'


def _finding(f: dict[str, Any]) -> list[str]:
    sev = f["severity"]
    out = [f'<article class="finding sev-{e(sev)}">',
           f'<h3><span class="badge">{e(sev.upper())}</span>{e(f["title"])} <span class="rule-id">({e(f["rule"])})</span></h3>',
           "<dl>", *(f"<dt>{e(k)}</dt><dd>{e(v)}</dd>" for k, v in finding_fields(f)), "</dl>"]
    if f["references"]:
        out += ['<ol class="refs">', *(_reference(r) for r in f["references"]), "</ol>"]
    out.append("</article>")
    return out


def _unrecognised(u: dict[str, Any]) -> str:
    return f"<li><strong>{e(u['input'])}</strong>: {e(unrecognised_text(u))}</li>"


def _medication(m: dict[str, Any]) -> str:
    what = e(medication_text(m))
    if m["status"] != "recognized":
        what = f'<span class="muted">{what}</span>'
    return f"<tr><td>{e(m['input'])}</td><td>{what}</td></tr>"


def render_context(ctx: dict[str, Any]) -> str:
    """The page for a report context (see :func:`interactions.reporters.chart.context`)."""
    who = f" \u2014 {ctx['patient']['id']}" if ctx["patient"]["id"] is not None else ""
    level = "incomplete" if not ctx["complete"] else f"sev-{ctx['highest']}" if ctx["highest"] else "ok"
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           '<meta name="viewport" content="width=device-width, initial-scale=1">',
           f"<title>{e(ctx['title'] + who)} \u2014 {e(ctx['generated'])}</title>",
           f"<style>{CSS}</style>", "</head>", "<body>", "<main>", "<header>", f"<h1>{e(ctx['title'])}</h1>",
           *_meta(ctx), "</header>",
           f'<p class="verdict {level}" id="verdict">{e(ctx["verdict"])}</p>']
    note = adding_note(ctx)
    if note:
        out.append(f'<p class="muted" id="adding">{e(note)}</p>')
    if ctx["unrecognized"]:
        out += ['<section class="unrecognised" id="unrecognised">', "<h2>Not recognised: interactions with these were not checked</h2>", "<ul>",
                *(_unrecognised(u) for u in ctx["unrecognized"]), "</ul>", "</section>"]
    out += ['<section id="findings">', f"<h2>Findings ({len(ctx['findings'])}), most severe first</h2>"]
    for f in ctx["findings"]:
        out += _finding(f)
    if not ctx["findings"]:
        out.append('<p class="muted">No interaction found among the recognised medications.</p>')
    out.append("</section>")
    if ctx["skipped_rules"]:
        out += ['<section id="not-applied">', "<h2>Not applied: no patient age given</h2>", "<ul>"]
        out += [f"<li>{e(s['severity'].upper())} from age {e(s['min_age'])}: {e(s['title'])} ({e(', '.join(s['drugs']))})</li>"
                for s in ctx["skipped_rules"]]
        out += ["</ul>", "</section>"]
    out += ['<section id="medications">', f"<h2>Medications ({len(ctx['medications'])})</h2>", "<table>",
            "<thead><tr><th>As given</th><th>Recognised as</th></tr></thead>", "<tbody>",
            *(_medication(m) for m in ctx["medications"]), "</tbody>", "</table>", "</section>",
            "<footer>", f'<p class="disclaimer">{e(ctx["disclaimer"])}</p>',
            f"<p>Generated {e(ctx['generated'])} by check-meds {e(ctx['check_meds_version'])} from knowledge base "
            f"{e(ctx['knowledge_base'])}. It lists only what that knowledge base holds.</p>",
            "</footer>", "</main>", "</body>", "</html>"]
    return "\n".join(out) + "\n"


def render(result: CheckResult, kb: Any, min_severity: str = "minor", patient: str | None = None, when: str | None = None,
           adding: Sequence[str] = ()) -> str:
    return render_context(context(result, kb, min_severity, patient, when, adding))
