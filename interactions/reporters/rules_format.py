"""check-meds rules list / validate / test: text or JSON."""

from __future__ import annotations

import json
from typing import Any

from .. import __version__
from ..visible import visible, wrap
from .document import knowledge_base_info
from .explain_format import rule_rows


def _dump(doc: dict[str, Any]) -> str:
    return json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _header(kb: Any) -> dict[str, Any]:
    return {"check_meds_version": __version__, "knowledge_base": knowledge_base_info(kb)}


def list_text(rows: list[dict[str, Any]], kb: Any, filters: dict[str, Any], width: int | None = None) -> str:
    """The rules, one per row (severity, id, title), wrapped to ``width`` (default: the terminal's) between words."""
    if width is None:
        from ..cliutil import terminal_width

        width = terminal_width()
    shown = ", ".join(f"{k}={v}" for k, v in filters.items() if v)
    out = [f"{len(rows)} of {kb.counts['rules']} rules" + (f" ({shown})" if shown else "") + ":"]
    col = max((len(r.get("rule") or r["id"]) for r in rows), default=0)
    hang = 2 + 17 + col + 2  # under the title, while that leaves room for it; else under the id
    if width - hang < 30:
        hang = 19
    out += [text for row in rule_rows(rows) for text in _wrapped(row, width, hang)]
    disabled = kb.disabled
    if disabled and not shown:
        out.append("Disabled by site configuration:")
        for rid, d in sorted(disabled.items()):
            out += _wrapped(f"  {rid}  {d['title']}: {d['reason']} ({d['origin']})", width, 4)
    out.append("'check-meds explain RULE-ID' shows a rule in full.")
    return "\n".join(out) + "\n"


def _wrapped(text: str, width: int, hang: int) -> list[str]:
    return [visible("".join(t for t, _ in line)).rstrip() for line in wrap([(text, "")], width, hang)]


def list_json(rows: list[dict[str, Any]], kb: Any, filters: dict[str, Any]) -> str:
    return _dump({**_header(kb), "filters": {k: v for k, v in filters.items() if v}, "rules": rows})


def _counts(data: dict[str, Any]) -> str:
    c = data["counts"]
    return f"{c['drugs']} drugs, {c['names']} names, {c['products']} products, {c['classes']} classes, {c['rules']} rules, {c['references']} references"


def validate_text(report: dict[str, Any]) -> str:
    out = [str(p) for p in report["problems"]]
    dirs = " + ".join(report["directories"])
    n = len(report["problems"])
    if n:
        out.append(f"{n} problem{'s' if n != 1 else ''} in {dirs}.")
    else:
        extra = f"; {len(report['disabled'])} rule(s) disabled by site configuration" if report["disabled"] else ""
        out.append(f"Valid: {dirs}: {report['files']} files; {_counts(report['data'])}{extra}.")
    return "\n".join(out) + "\n"


def validate_json(report: dict[str, Any]) -> str:
    doc = {
        "check_meds_version": __version__,
        "valid": not report["problems"],
        "directories": report["directories"],
        "files": report["files"],
        "problems": [{"path": p.path, "line": p.line, "message": p.message} for p in report["problems"]],
    }
    if report["data"] is not None:
        from ..kb import KnowledgeBase

        doc["knowledge_base"] = knowledge_base_info(KnowledgeBase(report["data"]))
    return _dump(doc)


def test_text(report: dict[str, Any], kb: Any) -> str:
    out = list(report["failures"])
    skipped = f"; {len(kb.disabled)} disabled rule(s) not run" if kb.disabled else ""
    verdict = f"{len(report['failures'])} failed" if report["failures"] else "all passed"
    out.append(f"{report['examples']} examples of {kb.counts['rules']} rules: {verdict}{skipped}.")
    return "\n".join(out) + "\n"


def test_json(report: dict[str, Any], kb: Any) -> str:
    return _dump({**_header(kb), "examples": report["examples"], "failures": report["failures"], "passed": not report["failures"]})


LIST = {"text": list_text, "json": list_json}
VALIDATE = {"text": validate_text, "json": validate_json}
TEST = {"text": test_text, "json": test_json}
