"""check-meds explain: a drug, product, rule or class as text or JSON."""

from __future__ import annotations

import json
import textwrap
from typing import Any

from .. import DISCLAIMER, __version__
from ..visible import visible as shown
from .chart import unrecognised_text
from .document import METHOD_TEXT, knowledge_base_info

INDENT = 19
GENERIC_UNKNOWN = "not a name the knowledge base knows"  # the normaliser's reason when nothing more is known


def field(label: str, text: str, width: int = 80, indent: int = INDENT, lead: str = "  ") -> list[str]:
    """'  Label:        text', wrapped with a hanging indent."""
    wrapped = textwrap.wrap(" ".join(str(text).split()), width=max(30, width - indent), break_on_hyphens=False, break_long_words=False) or ["-"]
    head = f"{lead}{label + ':' if label else '':<{indent - len(lead)}}"
    return [head + wrapped[0], *(" " * indent + w for w in wrapped[1:])]


CODE_LABELS = {"rxnorm": "RxNorm", "rxnorm_clinical": "RxNorm clinical", "atc": "ATC", "unii": "UNII"}


def rule_rows(items: list[dict[str, Any]], indent: str = "  ") -> list[str]:
    """'MAJOR            rule-id  Title', ids aligned (+ the site change and what fills the slot)."""
    col = max((len(i.get("rule") or i["id"]) for i in items), default=0)
    out = []
    for item in items:
        extra = f"  (via {', '.join(item['via'])})" if "via" in item else ""
        site = f"  [site: {item['site_change']['severity_from']} -> {item['severity']}]" if item.get("site_change") else ""
        out.append(f"{indent}{item['severity'].upper():<17}{item.get('rule') or item['id']:<{col}}  {item['title']}{site}{extra}")
    return out


def _references(refs: dict[str, dict[str, Any]], width: int) -> list[str]:
    if not refs:
        return []
    out = ["", "References:"]
    indent = max(INDENT, *(len(rid) + 5 for rid in refs))
    for rid, r in sorted(refs.items()):
        text = r["citation"] + (f" {r['url']}" if r.get("url") else "")
        out += field(rid, text, width, indent=indent)
    return out


def _drug(d: dict[str, Any], refs: dict, width: int) -> list[str]:
    out = [f"{d['id']}  (drug, defined at {d['origin']})"]
    for label, names in d["names"].items():
        out += field(label.capitalize(), ", ".join(names) or "-", width)
    codes = d["codes"]
    code_text = "; ".join(f"{CODE_LABELS.get(k, k)} {', '.join(v) if isinstance(v, list) else v}" for k, v in codes.items())
    out += field("Codes", code_text or "-", width)
    out += field("In products", ", ".join(d["products"]) or "-", width)
    if d.get("note"):
        out += field("Note", d["note"], width)
    out.append("  Classes:")
    for c in d["classes"]:
        out.append(f"    {c['id']}  ({c['name']})")
        for chain in c["chains"]:
            if len(chain) > 1:
                out.append(f"      {' > '.join(chain)}")
        ids = [s["id"] for s in c["sources"]]
        refs.update({s["id"]: s for s in c["sources"]})
        out.append(f"      sources ({'this drug' if c['sources_from'] == 'drug' else 'the class'}): {', '.join(ids)}")
    if not d["classes"]:
        out.append("    (none)")
    out.append(f"  Rules it can trigger ({len(d['rules'])}):")
    out += rule_rows(d["rules"], "    ") or ["    (none)"]
    rev = d.get("label_review")
    if rev is not None:
        refs[rev["label"]["id"]] = rev["label"]
        when = "revision date not stated" if rev["revised"] == "not stated" else f"revised {rev['revised']}"
        out.append(f"  Label review ({rev['label']['id']}, {when}; {rev['origin']}):")
        if rev.get("note"):
            out += field("Note", rev["note"], width, lead="    ")
        for item in rev["interactions"]:
            said = f"{item['level']}{', ' + item['section'] if item.get('section') else ''}"
            covered = f"rule {item['rule']}" if item.get("rule") else "no rule"
            text = f"{item['with']} [{said}]: {covered}{'. ' + item['decision'] if item.get('decision') else ''}"
            out += field("", text, width, indent=6, lead="    ")
    return out


def _rule(r: dict[str, Any], refs: dict, width: int) -> list[str]:
    if "disabled" in r:
        off = r["disabled"]
        return [f"{r['id']}  {r['title']}", f"  DISABLED by site configuration ({off['origin']}): {off['reason']}"]
    out = [f"{r['id']}  {r['title']}  (rule, defined at {r['origin']})"]
    out += field("Severity", f"{r['severity']}: {r['severity_definition']}", width)
    if r.get("site_change"):
        s = r["site_change"]
        out += field("Site change", f"severity {s['severity_from']} -> {s['severity']}: {s['reason']} ({s['origin']})", width)
    for i, s in enumerate(r["slots"], 1):
        out += field(f"Slot {i}", s["text"], width)
    if r.get("min_age"):
        out += field("Applies", f"from age {r['min_age']}", width)
    for label, k in (("Effect", "effect"), ("Mechanism", "mechanism"), ("Management", "management")):
        out += field(label, r[k], width)
    out += field("Evidence", f"{r['evidence']}: {r['evidence_definition']}", width)
    out += field("References", ", ".join(x["id"] for x in r["references"]), width)
    refs.update({x["id"]: x for x in r["references"]})
    if r.get("notes"):
        out += field("Notes", r["notes"], width)
    if r["aliases"]:
        out += field("Aliases", ", ".join(r["aliases"]), width)
    for kind, label in (("match", "Fires on"), ("no_match", "Not on")):
        for ex in r["examples"][kind]:
            out += field(label, ", ".join(ex["meds"]) + (f" (age {ex['age']})" if ex.get("age") else ""), width)
    return out


def _class(c: dict[str, Any], refs: dict, width: int) -> list[str]:
    out = [f"{c['id']}  {c['name']}  (class, defined at {c['origin']})"]
    out += field("Description", c["description"], width)
    for chain in c["chains"]:
        if len(chain) > 1:
            out += field("Parents", " > ".join(chain), width)
    out += field("Subclasses", ", ".join(c["subclasses"]) or "-", width)
    via = [m for m in c["members"] if m not in c["direct_members"]]
    out += field("Members", f"{len(c['members'])} ({len(c['direct_members'])} direct, {len(via)} through subclasses)", width)
    out += field("Direct", ", ".join(c["direct_members"]) or "-", width)
    if via:
        out += field("Via subclasses", ", ".join(via), width)
    for nm in c["not_members"]:
        out += field("Not a member", f"{nm['drug']}: {nm['reason']}", width)
    out += field("Sources", ", ".join(s["id"] for s in c["sources"]), width)
    refs.update({s["id"]: s for s in c["sources"]})
    out.append(f"  Rules its members can trigger through it ({len(c['rules'])}):")
    out += rule_rows(c["rules"], "    ") or ["    (none)"]
    return out


def render_text(doc: dict[str, Any], width: int = 80) -> str:
    refs: dict[str, dict[str, Any]] = {}
    kind = doc["kind"]
    out: list[str] = []
    if kind in ("drug", "product", "combination"):
        res = doc["resolution"]
        how = METHOD_TEXT.get(res["method"], res["method"])
        article = "an" if how[:1] in "aeiou" else "a"
        out.append(f"{doc['query']!r} resolves as {article} {how} ({res['matched']}).")
        if kind == "product":
            p = doc["product"]
            out.append(f"Combination product {p['id']}  (defined at {p['origin']})")
            out += field("Names", ", ".join(p["names"]), width)
            out += field("Ingredients", ", ".join(p["ingredients"]), width)
            if p["codes"]["rxnorm"]:
                out += field("Codes", "RxNorm " + ", ".join(p["codes"]["rxnorm"]), width)
        for d in doc["drugs"]:
            out.append("")
            out += _drug(d, refs, width)
    elif kind == "rule":
        out += _rule(doc["rule"], refs, width)
    elif kind == "class":
        out += _class(doc["class"], refs, width)
    elif kind == "non_medication":
        nm = doc["non_medication"]
        out += hanging(f"{doc['query']!r} is recognised as not a medication ({nm['kind']}, {nm['id']}; defined at "
                       f"{nm['origin']}): in a list it is shown as such, is not checked for interactions and does "
                       "not make the check incomplete.", width)
        if nm["note"]:
            out += hanging(nm["note"], width, 2, 2)
    elif kind == "ambiguous":
        a = doc["ambiguous"]
        out.append(f"{doc['query']!r} is ambiguous and never resolved automatically: it could be {', '.join(a['candidates'])}.")
        out.append(f"  {a['reason']}")
    else:
        sugg = doc["suggestions"]
        why = "" if doc["reason"] == GENERIC_UNKNOWN else f" ({doc['reason']})"
        out.append(f"{doc['query']!r} is not a drug, rule or class the knowledge base knows{why}.")
        out.append(f"Did you mean: {', '.join(sugg)}?" if sugg else "No similar name is known.")
    for other in doc.get("also", ()):
        out.append(f"Also a {other.partition(':')[0]}: check-meds explain {other}")
    out += _references(refs, width)
    out += ["", DISCLAIMER]
    return "\n".join(line.rstrip() for line in out) + "\n"


LIST_INDENT = 14  # explain A B: labels up to 'Management:', so 60 columns keep most of the line for text


def hanging(text: str, width: int, first: int = 0, rest: int = 0) -> list[str]:
    """Text wrapped at word boundaries to ``width``, the first line indented by ``first``, the others by ``rest``."""
    return textwrap.wrap(" ".join(text.split()), width=max(30, width), initial_indent=" " * first, subsequent_indent=" " * rest,
                         break_on_hyphens=False, break_long_words=False) or [""]


def _as_given(drug: str, inputs: list[str]) -> str:
    given = [shown(i) for i in inputs]
    return drug if given == [drug] else f"{drug} (as given: {', '.join(given)})"


def via_text(v: dict[str, Any], drug: str) -> str:
    """'by name', 'as a form of morphine', 'via class opioid-agonist > opioid (oxycodone is a member of opioid-agonist; sources: ...)'."""
    if v["by"] == "name":
        return "by name"
    if v["by"] == "form_of":
        return f"as a form of {v['drug']}"
    member = v.get("through_form_of", drug)
    src = f"; sources: {', '.join(v['sources'])}" if v["sources"] else ""
    return f"via class {' > '.join(v['path'])} ({member} is a member of {v['path'][0]}{src})"


def _explained(f: dict[str, Any], width: int) -> list[str]:
    age = f"  [applies from age {f['min_age']}]" if f.get("min_age") else ""
    out = hanging(f"{f['severity'].upper()}  {f['title']}  ({f['rule']}){age}", width, 0, 2)
    if "same_ingredient" in f:
        s = f["same_ingredient"]
        out += field("Why", f"the same ingredient ({', '.join(s['drugs'])}) is in more than one entry: "
                     f"{', '.join(shown(e) for e in s['entries'])}", width, LIST_INDENT)
    else:
        for i, slot in enumerate(f["slots"], 1):
            fills = "; ".join(f"{_as_given(x['drug'], x['inputs'])} fills it "
                              f"{' and '.join(via_text(v, x['drug']) for v in x['via'])}" for x in slot["filled_by"])
            out += field(f"Slot {i}", f"'{' or '.join(slot['names'])}' ({slot['text']}): {fills or '-'}", width, LIST_INDENT)
    out += field("Effect", f["effect"], width, LIST_INDENT)
    out += field("Management", f["management"], width, LIST_INDENT)
    if f["related"]:
        out += field("Also", "; ".join(f"{g['title']} ({g['severity']}, {g['rule']})" for g in f["related"]), width, LIST_INDENT)
    return out


def _classes_text(ingredient: dict[str, Any]) -> str:
    parts = []
    for c in ingredient["classes"]:
        ups = sorted({x for chain in c["chains"] for x in chain[1:]})
        parts.append(c["id"] + (f" (within {', '.join(ups)})" if ups else ""))
    form = f"; answers as {ingredient['answers_as']}" if ingredient.get("answers_as") else ""
    return (", ".join(parts) or "no class") + form


def render_list_text(doc: dict[str, Any], kb_version: str, width: int = 80) -> str:
    """``explain A B ...``: the verdict, each finding with the slot each drug filled, and the pairs no rule joins."""
    out = [*hanging(doc["verdict"], width), *hanging(f"Knowledge base: {kb_version}.", width)]
    for f in doc["findings"]:
        out += ["", *_explained(f, width)]
    if doc["skipped_rules"]:
        out += ["", "Not applied (no patient age given; use --age):"]
        for f in doc["skipped_rules"]:
            out += ["", *_explained(f, width)]
    if doc["not_joined"]:
        out += ["", *hanging(f"Not joined by any rule in {kb_version}:", width)]
        for p in doc["not_joined"]:
            a, b = (_as_given(d, [i]) for d, i in zip(p["drugs"], p["inputs"]))
            out += hanging(f"{a} and {b}: no rule joins them.", width, 2, 6)
    if doc["medications"]:
        out += ["", "Classes of each medication:"]
        for m in doc["medications"]:
            for ing in m["ingredients"]:
                label = _as_given(ing["drug"], m["inputs"])
                out += hanging(f"{label}: {_classes_text(ing)}", width, 2, 6)
    if doc["unrecognized"]:
        out += ["", "Not recognised (not checked):"]
        for u in doc["unrecognized"]:
            out += hanging(f"{shown(u['input'])}: {unrecognised_text(u)}", width, 2, 6)
    if doc["not_medications"]:
        out += ["", "Not medications (not checked):"]
        for m in doc["not_medications"]:
            out += hanging(f"{shown(m['input'])} ({m['kind']})", width, 2, 6)
    out += ["", *hanging(DISCLAIMER, width)]
    return "\n".join(line.rstrip() for line in out) + "\n"


def render_json(doc: dict[str, Any], kb: Any) -> str:
    full = {"check_meds_version": __version__, "knowledge_base": knowledge_base_info(kb), **doc}
    return json.dumps(full, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _text(doc: dict[str, Any], kb: Any, width: int) -> str:
    if doc["kind"] == "interaction":
        c = kb.counts
        return render_list_text(doc, f"{kb.info['name']} {kb.info['version']} ({c['rules']} rules, {c['classes']} classes)", width)
    return render_text(doc, width)


RENDER = {"text": _text, "json": lambda doc, kb, width: render_json(doc, kb)}
