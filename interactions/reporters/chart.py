"""What a printable report for the chart holds, shared by ``--format html`` and ``--format markdown``.

Built from the JSON document (so the page says exactly what ``--format json``
says), plus the patient id, the time of the check and the verdict sentence.
Pure: the time is passed in (see :func:`generated_at`).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any

from .. import DISCLAIMER, __version__
from ..engine import CheckResult
from .document import document, verdict

TITLE = "Medication interaction check"


def generated_at() -> str:
    """Now in UTC, ISO 8601 to the second; ``SOURCE_DATE_EPOCH`` (seconds) fixes it for reproducible output."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    when = datetime.fromtimestamp(int(epoch), timezone.utc) if epoch.isdigit() else datetime.now(timezone.utc)
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def link(url: str | None) -> str | None:
    """A reference URL that may be a link: http(s) only (a rule file cannot plant a javascript: link)."""
    if url and url.split(":", 1)[0].lower() in ("http", "https"):
        return url
    return None


def context(result: CheckResult, kb: Any, min_severity: str = "minor", patient: str | None = None,
            when: str | None = None, adding: Sequence[str] = ()) -> dict[str, Any]:
    """Everything the report shows, as plain data (text not yet escaped).

    ``adding``: the inputs being added to the list (``--adding``); only the
    findings that involve one of them are shown and counted in the verdict.
    """
    doc = document(result, kb, min_severity, adding)
    info = doc["knowledge_base"]
    return {
        "title": TITLE,
        "patient": {"id": patient, "age": result.age},
        "generated": when or generated_at(),
        "check_meds_version": __version__,
        "knowledge_base": f"{info['name']} {info['version']}",
        "site_rules": [f"{s['name']} {s['version']}" for s in info["site_rules"]],
        "disabled_rules": [d["rule"] for d in info["disabled_rules"]],
        "verdict": verdict(result, min_severity, adding),
        "highest": doc["adding"]["highest_severity"] if adding else result.highest,
        "adding": doc.get("adding"),
        "complete": result.complete,
        "findings": doc["findings"],
        "skipped_rules": doc["skipped_rules"],
        "unrecognized": doc["unrecognized"],
        "medications": doc["medications"],
        "disclaimer": DISCLAIMER,
    }


def finding_fields(f: dict[str, Any]) -> list[tuple[str, str]]:
    """A finding's labelled fields, in reading order, as plain text."""
    out = [("Drugs", f"{', '.join(f['drugs'])} (as given: {'; '.join(f['inputs'])})"),
           ("Effect", f["effect"]), ("Management", f["management"]), ("Mechanism", f["mechanism"]), ("Evidence", f["evidence"])]
    if f.get("site_change"):
        c = f["site_change"]
        out.insert(0, ("Site change", f"severity {c['severity_from']} -> {c['severity']}: {' '.join(c['reason'].split())} ({c['origin']})"))
    if f.get("min_age"):
        out.append(("Applies", f"from age {f['min_age']}"))
    if f["related"]:
        out.append(("Also", "; ".join(f"{g['title']} ({g['severity']}, {g['rule']})" for g in f["related"])))
    return out


def unrecognised_text(u: dict[str, Any]) -> str:
    """What to say about a name not recognised: its candidates or suggestions."""
    sugg = u["suggestions"]
    if u["ambiguous"]:
        return f"ambiguous: could be {', '.join(sugg)}"
    return f"did you mean {', '.join(sugg)}?" if sugg else "no similar name is known"


def adding_note(ctx: dict[str, Any]) -> str | None:
    """With --adding, how many findings among the rest of the list the report leaves out."""
    a = ctx["adding"]
    if not a or not a["findings_not_involving"]:
        return None
    k = a["findings_not_involving"]
    return f"{k} finding{'s' if k != 1 else ''} among the rest of the list not shown (they do not involve {', '.join(a['medications'])})."


def medication_text(m: dict[str, Any]) -> str:
    """What an entry was recognised as."""
    if m["status"] == "recognized":
        return m["drug"]
    if m["status"] == "not_medication":
        return f"not a medication ({m['kind']}); not checked"
    return "ambiguous" if m["status"] == "ambiguous" else "not recognised"
