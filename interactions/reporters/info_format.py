"""check-meds info: what the knowledge base holds, so users know its reach."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..severity import SEVERITIES
from .document import knowledge_base_info


def render_json(kb: Any) -> str:
    doc = {"check_meds_version": __version__, "knowledge_base": knowledge_base_info(kb)}
    return json.dumps(doc, sort_keys=True, indent=2) + "\n"


def render_text(kb: Any) -> str:
    c = kb.counts
    info = kb.info
    lines = [
        f"check-meds {__version__}",
        f"Knowledge base: {info['name']} {info['version']}",
    ]
    for s in info["site_rules"]:
        lines.append(f"  + site rules: {s['name']} {s['version']} ({s['path']})")
    lines += [
        f"  drugs (active ingredients): {c['drugs']:>6}",
        f"  names that resolve:         {c['names']:>6}",
        f"  combination products:       {c['products']:>6}",
        f"  classes:                    {c['classes']:>6}",
        f"  rules:                      {c['rules']:>6}",
    ]
    for s in reversed(SEVERITIES):
        lines.append(f"    {s + ':':<26}{c['rules_by_severity'][s]:>6}")
    lines.append(f"  references:                 {c['references']:>6}")
    disabled = kb.disabled
    if disabled:
        lines.append(f"  rules disabled by site configuration: {', '.join(sorted(disabled))}")
    lines.append("")
    lines.append("A drug that is not in the knowledge base is reported as not recognised, never ignored.")
    lines.append("check-meds supports, and does not replace, professional judgement.")
    return "\n".join(lines) + "\n"
