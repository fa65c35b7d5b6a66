"""Run every rule's own examples: each 'match' list must fire the rule, each 'no_match' list must not.

One implementation for ``check-meds rules test`` and the test suite.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .engine import check

KINDS = ("match", "no_match")


class Example(NamedTuple):
    """One example list of one rule, with the file and line it was written at."""

    rule: str
    kind: str  # "match" | "no_match"
    meds: tuple[str, ...]
    age: int  # 0: no age given
    origin: str  # "path:line" of the example (of the rule, for an old compiled cache)

    @property
    def label(self) -> str:
        return f"[{', '.join(self.meds)}]" + (f" at age {self.age}" if self.age else "")


def examples(kb: Any) -> list[Example]:
    """Every example of every active rule, by rule id then kind then order of writing."""
    out = []
    for rid, r in sorted(kb.rules.items()):
        path, _, rule_line = r["origin"].rpartition(":")
        lines = r.get("example_lines", {})
        for kind in KINDS:
            for i, (meds, age) in enumerate(r["examples"][kind]):
                at = lines.get(kind, ())
                out.append(Example(rid, kind, tuple(meds), age, f"{path}:{at[i] if i < len(at) else rule_line}"))
    return out


def fired(result: Any) -> dict[str, str]:
    """Rule id -> severity for every rule that fired, leading or folded under another."""
    out = {}
    for f in result.findings:
        out[f.rule] = f.severity
        for g in f.related:
            out[g.rule] = g.severity
    return out


def failure(ex: Example, kb: Any) -> str | None:
    """Why an example fails (one line, ``path:line: ...``), or None when it passes."""
    result = check(list(ex.meds), kb, age=ex.age or None)
    head = f"{ex.origin}: rule {ex.rule!r}: {ex.kind} example {ex.label}"
    unknown = [r.input for r in result.resolutions if not r.ok]
    if unknown:
        return f"{head}: names not in the knowledge base: {', '.join(unknown)}"
    rules = fired(result)
    if ex.kind == "match" and ex.rule not in rules:
        skipped = any(f.rule == ex.rule for f in result.skipped)
        why = " (it applies only from an age: give the example an age)" if skipped else ""
        return f"{head} did not fire{why}; fired: {', '.join(sorted(rules)) or 'nothing'}"
    if ex.kind == "no_match" and ex.rule in rules:
        return f"{head} fired"
    return None


def run_examples(kb: Any) -> tuple[int, list[str]]:
    """Run every example; return how many ran and the failures."""
    exs = examples(kb)
    return len(exs), [msg for msg in (failure(ex, kb) for ex in exs) if msg]
