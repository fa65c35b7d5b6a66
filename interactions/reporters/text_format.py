"""--format text: the report people read.

One layout, two sinks: :func:`layout` builds lines of (text, style) segments;
:func:`render_plain` drops the styles (pipes, files, ``NO_COLOR``), and
:func:`render_rich` colours them on a terminal. Rich is imported only there.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from .. import DISCLAIMER, __version__
from ..engine import CheckResult, Finding, adding_view
from ..normalize import UNKNOWN_NAME, Resolution
from ..severity import RANK
from ..suggest import for_resolution
from ..visible import Line, Segment, visible, wrap  # noqa: F401 - Line and Segment are used by the batch table
from .document import METHOD_TEXT, drug_label, not_medicines, verdict

ORDER = ("contraindicated", "major", "moderate", "minor")


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


DETAILS = ("brief", "normal", "verbose")


def layout(result: CheckResult, kb: Any, width: int = 80, min_severity: str = "minor", *, detail: str = "normal",
           show_resolutions: bool = False, adding: Sequence[str] = (), splits: Sequence[tuple[str, int]] = ()) -> list[Line]:
    """The report as wrapped lines: the verdict first, findings most severe first, then the medications.

    ``detail``: ``brief`` (one line per finding), ``normal`` (drugs, effect,
    management), ``verbose`` (also mechanism, evidence and references).
    ``adding``: the inputs being added to the list; only findings that involve
    one of them are shown and counted. ``splits``: pasted strings that were
    split into several medications, with the number of parts, to say so.
    """
    lines: list[Line] = []

    def add(line: Line, hang: int | None = None) -> None:
        lines.extend(wrap(line, width, hang))

    view = adding_view(result, adding) if adding else result
    counted, skipped = view.findings, view.skipped
    floor = RANK.get(min_severity, 1)
    shown = [f for f in counted if f.rank >= floor]
    sentence = verdict(result, min_severity, adding)  # the sentence every report for people opens with
    style = "unknown" if not view.complete else counted[0].severity if counted else "warn" if skipped else "ok"
    add([(sentence, style)])
    unrec = [r.input for r in result.unrecognized]
    if unrec:  # which names (the incomplete notice repeats at the end)
        add([("  Not recognised: ", "unknown"), (", ".join(unrec), "")], 4)
    for original, n in splits:
        add([(f'  split "{original}" into {n} medications (commas and semicolons separate them)', "dim")], 4)
    if adding and len(counted) < len(result.findings):
        k = len(result.findings) - len(counted)
        add([(f"  {k} finding{'s' if k != 1 else ''} among the rest of the list not shown (they do not involve "
              f"{', '.join(adding)})", "dim")], 4)
    add([])

    # one line per finding (the inputs joined by ' + ', since an input may hold a comma): every finding in
    # --brief, else the major and contraindicated ones, so that the answer that matters is on the first
    # screen, above the detailed blocks (one finding alone is followed at once by its block)
    if detail == "brief":
        listed = shown
    else:
        listed = [f for f in shown if f.rank >= RANK["major"]] if len(shown) > 1 else []
    pad = max((len(f.severity) for f in listed), default=0) + 2
    for f in listed:
        sev = f.severity.upper()
        add([(f" {sev} ", f.severity), (" " * (pad - len(sev) - 1), ""), (" + ".join(f.inputs), ""), (": ", ""),
             (f.rule_data["title"], "title")], pad + 1)
    rest = len(shown) - len(listed)
    if rest and listed:
        add([(f"  and {_counts(shown[len(listed):])}; each finding in full below.", "dim")], 4)
    if listed:
        add([])
    if detail != "brief":
        for f in shown:
            _finding(f, kb, add, detail == "verbose")
            add([])
    if skipped:
        add([("Not applied (no patient age given; use --age):", "warn")])
        for f in skipped:
            add([(f"  {f.severity.upper()} from age {f.rule_data['min_age']}: {f.rule_data['title']} ({', '.join(f.drugs)})", "")])
        add([])
    if detail != "brief" or show_resolutions:
        _medications(result, kb, add, width, show_resolutions)
    elif not result.complete:  # brief: only the names not recognised, with their suggestions
        _medications(result, kb, add, width, False, problems_only=True)

    for line in _summary(result, counted, shown, skipped):
        add(line)
    info = kb.info
    add([(f"check-meds {__version__}, knowledge base {info['name']} {info['version']}", "dim")])
    for site in info["site_rules"]:
        add([(f"  + site rules {site['name']} {site['version']} ({site['path']})", "dim")], 4)
    disabled = kb.disabled
    if disabled:
        add([(f"  rules disabled by site configuration: {', '.join(sorted(disabled))}", "dim")], 4)
    if detail == "normal" and shown:
        add([("--verbose adds each finding's mechanism, evidence and references.", "dim")])
    add([(DISCLAIMER, "dim")])
    return lines


def _counts(findings: list[Finding]) -> str:
    """'2 major, 1 moderate interactions': the findings by severity, most severe first."""
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.severity] = counts.get(f.severity, 0) + 1
    parts = ", ".join(f"{counts[s]} {s}" for s in ORDER if s in counts)
    return f"{parts} interaction{'s' if len(findings) != 1 else ''}"


def _incomplete(unrec: list[str], n: int) -> Line:
    return [("INCOMPLETE: ", "unknown"),
            (f"{len(unrec)} of {n} medication{'s' if n != 1 else ''} not recognised ({', '.join(unrec)}); "
             f"interactions involving {'it' if len(unrec) == 1 else 'them'} were not checked.", "")]


def needs_interpretation(r: Resolution) -> bool:
    """Whether a resolution is worth showing in the compact list: anything but a generic name typed as such."""
    return not (r.ok and r.method == "generic" and not r.removed and not r.confirmed and not r.product)


def _medications(result: CheckResult, kb: Any, add: Callable[..., None], width: int, show_all: bool,
                 problems_only: bool = False) -> None:
    if problems_only:
        rows, plain_names = [r for r in result.resolutions if not r.settled], []
    else:
        rows = result.resolutions if show_all else [r for r in result.resolutions if needs_interpretation(r)]
        plain_names = [] if show_all else [r.input for r in result.resolutions if not needs_interpretation(r)]
    if rows:
        note = "" if show_all or not plain_names else "  (those that needed interpretation; --show-resolutions lists all)"
        add([("Medications", "title"), (note, "dim")])
    col = min(max((len(visible(r.input)) for r in rows), default=0), 32, max(8, width // 3))
    hang = col + 4
    for r in rows:
        shown = visible(r.input)
        shown = shown if len(shown) <= 40 else shown[:37] + "..."
        name = (f"  {shown:<{col}}  ", "")
        if len(shown) > col:  # a long name on a line of its own, what it resolved to under the column
            add([(f"  {shown}", "")], hang)
            name = (" " * hang, "")
        if r.ok:
            how = METHOD_TEXT.get(r.method, r.method)
            extra = f" (dose text set aside: {r.removed})" if r.removed else ""
            if r.confirmed:
                extra += f" (also named: {', '.join(r.confirmed)})"
            add([name, ("-> ", "dim"), (drug_label(r, kb), "ok"), (f"  [{how}]{extra}", "dim")], hang)
        elif r.status == "non_medication":
            kind = kb.non_medicines[r.product]["kind"]
            add([name, ("not a medication", "dim"), (f"  [{kind}; not checked]", "dim")], hang)
        elif r.status == "ambiguous":
            add([name, ("AMBIGUOUS", "unknown"), (f": could be {', '.join(r.candidates)}. {r.reason}", "")], hang)
        else:
            sugg = for_resolution(r, kb)
            tail = f": did you mean {', '.join(sugg)}?" if sugg else ": no similar name is known."
            if r.reason != UNKNOWN_NAME:
                tail += f" ({r.reason})"
            add([name, ("NOT RECOGNISED", "unknown"), (tail, "")], hang)
    if plain_names:
        label = "Also recognised by generic name: " if rows else "Medications, all recognised by generic name: "
        add([(label, "title" if not rows else "dim"), (", ".join(plain_names), "")], 2)
    add([])


def _finding(f: Finding, kb: Any, add: Callable[..., None], verbose: bool) -> None:
    r = f.rule_data
    sev = f.severity
    badge = f" {sev.upper()} "
    add([(badge, sev), ("  ", ""), (r["title"], "title"), (f"  ({f.rule})", "dim")], len(badge) + 2)
    pairs = []
    if r["site"]:
        s = r["site"]
        pairs.append(("Site change", f"severity {s['severity_from']} -> {s['severity']}: {s['reason']}"))
    pairs += [
        ("Drugs", ", ".join(f.drugs) + "   (as given: " + ", ".join(f.inputs) + ")"),
        ("Effect", r["effect"]),
        ("Management", r["management"]),
    ]
    if verbose:
        pairs += [
            ("Mechanism", r["mechanism"]),
            ("Evidence", f"{r['evidence']}; references: {', '.join(r['references'])}"),
        ]
    if r["min_age"]:
        pairs.append(("Applies", f"from age {r['min_age']}"))
    if f.related:
        pairs.append(("Also", "; ".join(f"{g.rule_data['title']} ({g.severity}, {g.rule})" for g in f.related)))
    indent = 14
    for label, text in pairs:
        style = "warn" if label == "Site change" else "label"
        add([(f"  {label + ':':<{indent - 3}} ", style), (" ".join(str(text).split()), "")], indent)


def _summary(result: CheckResult, counted: list[Finding], shown: list[Finding], skipped: list[Finding]) -> list[Line]:
    """The summary and the incomplete notice, repeated at the end of the report."""
    n_not = len(result.non_medications)
    n = len(result.resolutions) - n_not
    unrec = [r.input for r in result.unrecognized]
    lines: list[Line] = []
    if counted:
        k = len(counted)
        counts: dict[str, int] = {}
        for f in counted:
            counts[f.severity] = counts.get(f.severity, 0) + 1
        parts = ", ".join(f"{counts[s]} {s}" for s in ORDER if s in counts)
        text = f"Summary: {k} interaction warning{'s' if k != 1 else ''} ({parts})"
        hidden = k - len(shown)
        if hidden:
            text += f"; {hidden} below --min-severity not shown"
        lines.append([(text + ".", counted[0].severity)])
    if unrec:
        lines.append(_incomplete(unrec, n))
    elif not counted and skipped:
        k = len(skipped)
        lines.append([(f"No interactions found among the {n} medication{'s' if n != 1 else ''} checked (all recognised) "
                       f"without a patient age; {k} rule{'s' if k != 1 else ''} for older adults not applied (use --age).", "warn")])
    elif not counted:
        lines.append([(f"No interactions found among the {n} medication{'s' if n != 1 else ''} checked (all recognised).", "ok")])
    if n_not and not unrec:
        note = not_medicines(n_not)
        lines.append([(note[:1].upper() + note[1:] + ".", "")])
    return lines


def plain(lines: list[Line]) -> str:
    """Lines of segments as plain text (styles dropped; control characters made visible)."""
    return "\n".join(visible("".join(t for t, _ in line)).rstrip() for line in lines) + "\n"


def print_rich(lines: list[Line], console: Any) -> None:
    """Lines of segments, coloured, on a rich console (lines already wrapped; control characters made visible).

    ``Text.append`` takes the text literally, so a '[' in a name is never read as rich markup.
    """
    from rich.text import Text

    for line in lines:
        text = Text()
        for t, style in line:
            text.append(visible(t), style=STYLES.get(style, ""))
        console.print(text, soft_wrap=True, highlight=False, markup=False, emoji=False)


def render_plain(result: CheckResult, kb: Any, width: int = 80, min_severity: str = "minor", **view: Any) -> str:
    return plain(layout(result, kb, width, min_severity, **view))


def render_rich(result: CheckResult, kb: Any, console: Any, min_severity: str = "minor", **view: Any) -> None:
    print_rich(layout(result, kb, console.width, min_severity, **view), console)
