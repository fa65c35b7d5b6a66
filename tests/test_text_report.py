"""The text report people read: the verdict first, wrapped to the terminal, nothing on screen but what it says.

Control characters in a name (an escape sequence, a newline, a bidi override)
are written visibly in every human-facing output, so an input cannot clear a
warning off the screen or fake a verdict; JSON keeps the exact strings.
"""

from __future__ import annotations

import json
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions.engine import check
from interactions.reporters.document import verdict
from interactions.reporters.text_format import layout, plain, print_rich
from interactions.visible import visible, wrap

TWELVE = ["warfarin", "fluconazole", "simvastatin 40 mg", "Zoloft", "Xanax 0.5 mg", "Norco 10-325", "lisinopril",
          "metoprolol succinate ER 25 mg", "omeprazole", "Lasix 40 mg", "acetaminophen", "aspirin 81 mg"]

ESCAPED = {"Cc", "Cf", "Zl", "Zp"}


# --- verdict first -----------------------------------------------------------------------------------


def _opens_with(out: str, sentence: str) -> bool:
    """Whether the report starts with ``sentence`` (which may wrap over several lines)."""
    return " ".join(out.split()).startswith(sentence)


def test_the_verdict_comes_first_and_the_majors_follow(run_cli, kb):
    code, out, _ = run_cli(*TWELVE)
    lines = out.splitlines()
    assert code == 1
    sentence = verdict(check(TWELVE, kb))
    assert sentence.startswith("Highest severity major: 19 interaction warnings (6 major, ")
    assert _opens_with(out, sentence)
    majors = [ln for ln in lines if ln.startswith(" MAJOR  ") and ":" in ln]
    assert len(majors) == 6 and lines.index(majors[0]) == lines.index("") + 1  # the one-line overview comes next
    assert out.rstrip().splitlines()[-1].startswith("check-meds supports")
    assert any(ln.startswith("Summary: ") for ln in lines[-6:])  # the summary is repeated at the end


def test_incomplete_is_said_first_and_last(run_cli, kb):
    code, out, _ = run_cli("acetaminophen", "lisinopril", "zzzzqqq")
    lines = out.splitlines()
    assert code == 4
    assert _opens_with(out, "Incomplete: 1 of 3 medications not recognised")
    assert "Not recognised: zzzzqqq" in [ln.strip() for ln in lines[:4]]
    (at,) = [i for i, ln in enumerate(lines) if ln.startswith("INCOMPLETE: ")]  # the notice, repeated at the end
    assert at >= len(lines) - 5 and lines[at].startswith("INCOMPLETE: 1 of 3 medications not recognised (zzzzqqq)")
    assert "No interactions found" not in out


def test_clean_verdict_only_when_every_name_is_recognised(run_cli):
    code, out, _ = run_cli("acetaminophen", "lisinopril")
    assert code == 0
    assert out.splitlines()[0] == "No interactions found among 2 medications, all recognised."


def test_compact_resolutions_show_only_what_needed_interpretation(run_cli):
    _, out, _ = run_cli("warfarin", "Zoloft", "Xanax 0.5 mg")
    assert "Zoloft" in out and "[brand name]" in out and "dose text set aside: 0.5 mg" in out
    assert "warfarin  -> warfarin" not in out
    assert "Also recognised by generic name: warfarin" in out
    _, full, _ = run_cli("warfarin", "Zoloft", "Xanax 0.5 mg", "--show-resolutions")
    assert "-> warfarin  [generic name]" in full and "Also recognised" not in full


# --- brief and verbose ---------------------------------------------------------------------------------


def test_brief_is_one_line_per_finding(run_cli, kb):
    _, out, _ = run_cli(*TWELVE, "--brief", "--min-severity", "minor")
    result = check(TWELVE, kb)
    rows = [ln for ln in out.splitlines() if ln[:2] == " " + ln[1:2] and ln[1:2].isupper() and ": " in ln]
    assert len(rows) == len(result.findings)
    assert "Management:" not in out and "Effect:" not in out
    first = result.findings[0]
    assert rows[0].split()[0] == first.severity.upper() and first.rule_data["title"] in rows[0]
    assert " + ".join(first.inputs) in rows[0]


def test_brief_still_gives_the_suggestion_for_a_name_not_recognised(run_cli):
    code, out, _ = run_cli("baclofen", "alcohol", "hydroxyzne", "--brief")
    assert code == 1
    assert "hydroxyzne  NOT RECOGNISED: did you mean hydroxyzine" in out
    assert "Effect:" not in out and "-> baclofen" not in out


def test_verbose_adds_mechanism_and_evidence(run_cli):
    _, normal, _ = run_cli("baclofen", "alcohol")
    _, verbose, _ = run_cli("baclofen", "alcohol", "--verbose")
    assert "Mechanism:" not in normal and "Evidence:" not in normal and "Management:" in normal
    assert "Mechanism:" in verbose and "Evidence:" in verbose and "references: " in verbose


def test_brief_and_verbose_together_is_a_usage_error(run_cli):
    code, out, err = run_cli("baclofen", "alcohol", "--brief", "--verbose")
    assert code == 2 and out == ""
    assert err == "check-meds: --brief and --verbose cannot be used together\n"


# --- wrapping ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("width", [60, 80, 120])
def test_every_line_fits_and_no_word_is_broken(run_cli, monkeypatch, width, kb):
    monkeypatch.setenv("COLUMNS", str(width))
    _, out, _ = run_cli(*TWELVE, "--verbose")
    words = set()
    for f in check(TWELVE, kb).findings:
        for field in ("title", "effect", "management", "mechanism"):
            words.update(f.rule_data[field].split())
    for line in out.splitlines():
        assert len(line) <= width, line
    shown = set(out.split())
    broken = {w for w in words if w not in shown and "-" not in w and "/" not in w}
    assert not broken  # every word of the rule texts appears whole


def test_wrap_keeps_styles_and_hangs():
    lines = wrap([("  Effect:     ", "label"), ("one two three four five six seven", "")], 24, 14)
    assert ["".join(t for t, _ in ln) for ln in lines] == [
        "  Effect:     one two", " " * 14 + "three four", " " * 14 + "five six", " " * 14 + "seven"]
    assert ("Effect:", "label") in lines[0] and ("one", "") in lines[0]


# --- escaping -------------------------------------------------------------------------------------------


def test_visible_escapes():
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("x\ny\tz\r") == "x\\ny\\tz\\r"
    assert visible("\u202eevil") == "\\u202eevil"
    assert visible("\x7f\x85\u2028\U000e0001") == "\\x7f\\x85\\u2028\\U000e0001"
    assert visible("Zoloft® 50 mg, paracétamol, 扑热息痛") == "Zoloft® 50 mg, paracétamol, 扑热息痛"


def _no_controls(text: str) -> None:
    bad = [ch for ch in text if ch != "\n" and unicodedata.category(ch) in ESCAPED]
    assert not bad, bad


def test_an_escape_sequence_cannot_clear_a_warning(run_cli):
    fake = "baclofen\x1b[2J\x1b[H\x1b[1A\x1b[2KNo interactions found"
    code, out, err = run_cli(fake, "alcohol", "oxycodone")
    assert code in (1, 4)
    assert "\x1b" not in out and "\x1b" not in err
    assert "\\x1b[2J" in out
    assert not any(ln.startswith("No interactions found") for ln in out.splitlines())


def test_a_newline_cannot_fake_a_summary_line(run_cli):
    fake = "zzq\nSummary: no interaction warnings.\nNo interactions found among the 2 medications checked (all recognised)."
    code, out, _ = run_cli("oxycodone", "alprazolam", fake)
    lines = out.splitlines()
    assert code == 1
    assert all(ln.startswith("Summary: ") is False or "interaction warning" in ln and "no interaction" not in ln for ln in lines)
    assert not any(ln.startswith("No interactions found") for ln in lines)
    assert "zzq\\nSummary: no interaction warnings.\\nNo interactions" in " ".join(out.split())


def test_json_keeps_the_exact_string(run_cli):
    name = "zzq\x1b[2J\u202e"
    _, out, _ = run_cli("baclofen", name, "--format", "json")
    assert json.loads(out)["medications"][1]["input"] == name


def test_rich_output_escapes_and_takes_brackets_literally(kb):
    import io

    from rich.console import Console

    buf = io.StringIO()
    result = check(["oxycodone", "[bold red]alprazolam[/]", "zz\x1b]0;title\x07q", "alprazolam"], kb)
    print_rich(layout(result, kb, 60), Console(file=buf, width=60, force_terminal=True, no_color=False, highlight=False))
    out = buf.getvalue()
    assert "[bold red]alprazolam[/]" in out  # printed as typed, not read as markup
    assert "\x1b]0;" not in out and "\x07" not in out and "zz\\x1b]0;title\\x07q" in out


NAMES = st.text(st.characters(codec="utf-8"), max_size=30)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(names=st.lists(NAMES, min_size=1, max_size=4), width=st.integers(20, 140))
def test_no_control_character_reaches_the_text_report(names, width, kb):
    result = check(["oxycodone", *names, "alprazolam"], kb)
    text = plain(layout(result, kb, width, detail="verbose", show_resolutions=True))
    _no_controls(text)
    for line in text.splitlines():
        assert len(line) <= max(width, 24), line


@settings(max_examples=200, deadline=None)
@given(s=st.text(st.characters(codec="utf-8")))
def test_visible_leaves_no_control_character_and_is_idempotent(s):
    v = visible(s)
    _no_controls(v.replace("\n", "?"))
    assert visible(v) == v
    if s.isprintable():
        assert v == s


# --- the batch table, CSV and rules list -----------------------------------------------------------------

ROOT = __import__("pathlib").Path(__file__).parent.parent


def _cli(*args: str, columns: int = 60) -> str:
    import os
    import subprocess
    import sys

    env = {**os.environ, "COLUMNS": str(columns), "NO_COLOR": "1"}
    return subprocess.run([sys.executable, str(ROOT / "cli.py"), *args], capture_output=True, text=True, env=env,
                          cwd=ROOT).stdout


BATCH = 'id,med\np1,baclofen\np1,alcohol\np2,"zz\x1b[2J\x1b[HNo interactions found"\np2,Xanax\np3,oxycodone\np3,alprazolam\n'


def test_batch_table_wraps_and_escapes(tmp_path):
    path = tmp_path / "lists.csv"
    path.write_text(BATCH, encoding="utf-8")
    out = _cli("batch", str(path), "--format", "table")
    assert "Lists to read first" in out
    assert "\x1b" not in out and "zz\\x1b[2J\\x1b[HNo" in " ".join(out.split())
    assert all(len(line) <= 60 for line in out.splitlines())
    assert not any(line.startswith("No interactions found") for line in out.splitlines())


def test_batch_csv_escapes_names_and_ids(tmp_path):
    path = tmp_path / "lists.csv"
    path.write_text(BATCH.replace("p2,", "p\x1b[2K2,"), encoding="utf-8")
    out = _cli("batch", str(path), "--format", "csv")
    assert "\x1b" not in out
    assert "p\\x1b[2K2," in out and "zz\\x1b[2J\\x1b[HNo interactions found" in out


def test_rules_list_wraps_between_words():
    out = _cli("rules", "list", columns=60)
    lines = out.splitlines()
    assert len(lines) > 300 and all(len(line) <= 60 for line in lines)
    wide = _cli("rules", "list", columns=200).splitlines()
    import re

    def words(text: str) -> str:  # a rule id too long for the line breaks after one of its hyphens
        return re.sub(r"-\s+", "-", " ".join(text.split()))

    assert words(out) == words(" ".join(wide))  # the same words, only the line breaks differ


# --- goldens: a 12-medication list at 60, 80 and 120 columns, and brief -------------------------------


@pytest.mark.parametrize("width", [60, 80, 120])
def test_golden_twelve_medications(run_cli, monkeypatch, golden, width):
    monkeypatch.setenv("COLUMNS", str(width))
    code, out, err = run_cli(*TWELVE)
    assert code == 1 and err == ""
    golden(f"twelve-{width}.txt", out)


def test_golden_twelve_medications_brief(run_cli, monkeypatch, golden):
    monkeypatch.setenv("COLUMNS", "80")
    _, out, _ = run_cli(*TWELVE, "--brief")
    golden("twelve-brief.txt", out)


# --- colour ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("env, option, coloured", [
    ({"NO_COLOR": "1"}, "always", True),  # the command line beats the environment
    ({}, "never", False),
    ({"FORCE_COLOR": "1"}, "never", False),
    ({"FORCE_COLOR": "1"}, "auto", True),
    ({"CLICOLOR_FORCE": "1"}, "auto", True),
    ({"CLICOLOR_FORCE": "0"}, "auto", False),
    ({"NO_COLOR": "1", "FORCE_COLOR": "1"}, "auto", False),  # NO_COLOR (non-empty) wins
    ({"NO_COLOR": "", "FORCE_COLOR": "1"}, "auto", True),  # an empty NO_COLOR is ignored
    ({"NO_COLOR": ""}, "auto", False),  # not a terminal
])
def test_color_option_and_environment(run_cli, monkeypatch, env, option, coloured):
    for name in ("NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    code, out, _ = run_cli("baclofen", "alcohol", "--color", option)
    assert code == 1
    assert ("\x1b[" in out) is coloured
    plain_text = __import__("re").sub(r"\x1b\[[0-9;]*m", "", out)
    assert plain_text.startswith("Highest severity major: 1 interaction warning (1 major) among 2 medications")


class _Rec:
    def __init__(self, rid: str, line: int, error: str = "") -> None:
        self.id, self.line, self.error = rid, line, error


@settings(max_examples=60, deadline=None)
@given(rid=NAMES, names=st.lists(NAMES, min_size=1, max_size=3), width=st.integers(40, 140))
def test_no_control_character_reaches_the_batch_table_or_csv(rid, names, width, kb):
    from interactions.batch.tally import Tally
    from interactions.reporters import batch_csv, batch_table
    from interactions.visible import wrap_all

    result = check(["oxycodone", *names, "alprazolam"], kb)
    rec = _Rec(rid, 3, error=f"bad row {rid}")
    table = batch_table.Writer(kb, width=width, source=f"lists{rid}.csv")
    table.emit([table.render(rec, result)], None)
    tally = Tally()
    tally.lists_in = tally.lists_out = tally.checked = tally.errors = 1
    tally.names.update(u.input for u in result.unrecognized)
    tally.error_samples.append((rid, 4, rec.error))
    _no_controls(plain(wrap_all(table.layout(tally), width)))
    csv_writer = batch_csv.Writer(kb)
    rows = csv_writer.render(rec, result) + csv_writer.error(rec)
    assert rows.endswith("\n")
    _no_controls(rows)
