"""The fast path of a plain check and typer accept and reject the same command lines, with the same results.

``check-meds`` parses a plain check itself (interactions/fastcli.py) and leaves
everything else to typer. Two properties, over chosen and generated command
lines: when the fast path accepts a line, typer accepts it too and passes the
check exactly the same values; and the whole run (exit code, standard output,
standard error) is the same whichever entry point serves it.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cli
from interactions import fastcli
from interactions.commands.check import ARGUMENT, OPTIONS
from interactions.commands.options import typer_command

SITE = str(Path(__file__).parent / "fixtures" / "site")

ACCEPTED = [
    ["baclofen", "alcohol"],
    ["check", "baclofen", "alcohol"],
    ["baclofen", "alcohol", "--format", "json"],
    ["--format", "json", "baclofen", "alcohol"],
    ["baclofen", "--format=json", "alcohol"],
    ["baclofen", "-f", "json", "alcohol"],
    ["baclofen", "-fjson", "alcohol"],
    ["oxycodone", "alprazolam", "--age", "78", "--fail-on", "major", "--min-severity", "moderate"],
    ["oxycodone", "alprazolam", "--age=0"],
    ["oxycodone", "alprazolam", "--age", "130", "--fail-on=none"],
    ["baclofen", "alcohol", "--rules", SITE, "--rules", SITE],
    ["--", "--format", "baclofen"],
    ["hydroxyzne", "alcohol"],
    ["Norco 10-325", "Xanax 0.5 mg PO qHS", "-f", "text"],
    ["baclofen", "alcohol", "--brief"],
    ["--verbose", "baclofen", "alcohol", "--show-resolutions"],
    ["baclofen", "alcohol", "--brief", "--verbose"],
    ["baclofen", "alcohol", "--color", "never"],
    ["baclofen", "alcohol", "--color=always"],
    ["--adding", "fluconazole", "warfarin", "simvastatin 40 mg", "Zoloft"],
    ["--adding", "fluconazole", "--adding=alcohol", "warfarin", "-f", "json"],
    ["oxycodone", "alprazolam", "--format", "html", "--patient", "MRN 42", "--age", "78"],
    ["oxycodone", "alprazolam", "-fmarkdown", "--patient=<b>A&1</b>"],
]
DEFERRED = [
    [], ["--help"], ["-h"], ["--version"], ["check"], ["check", "--help"], ["baclofen", "--help"], ["info"],
    ["baclofen", "--format"], ["baclofen", "--format", "xml"], ["baclofen", "--format", "JSON"],
    ["baclofen", "--age", "131"], ["baclofen", "--age", "-1"], ["baclofen", "--age", "+5"], ["baclofen", "--age", "x"],
    ["baclofen", "--age", "80", "--age", "81"], ["baclofen", "--rules="], ["baclofen", "--fo", "json"],
    ["baclofen", "-x"], ["baclofen", "-5"], ["baclofen", "--format", "--age"], ["--version", "baclofen"],
    ["baclofen", "--version"], ["--rules", SITE],
    ["baclofen", "--brief=yes"], ["baclofen", "--brief", "--brief"], ["baclofen", "--color"], ["baclofen", "--color", "auto2"],
    ["baclofen", "--adding"], ["baclofen", "--adding", "-"], ["--adding", "fluconazole"],
    ["baclofen", "--patient"], ["baclofen", "--patient", "-1"], ["baclofen", "--patient", "a", "--patient", "b"],
    ["baclofen", "--format", "HTML"], ["baclofen", "--format", "md"],
]


def typer_values(args: list[str]) -> dict | None:
    """The values typer passes to the check for ``args`` (through cli's own app and router), or None if it does not run it."""
    seen: list[dict] = []

    def record(**kwargs):
        seen.append(kwargs)
        return 0

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cli, "check_cmd", typer_command(ARGUMENT, OPTIONS, record))
        cli.run(args)
    return seen[0] if seen else None


def outcome(entry, args: list[str], capsys, monkeypatch, stdin: str | None) -> tuple[int, str, str]:
    if stdin is not None:
        monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin.encode())))
    code = entry(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")  # the reports' date, the same for both runs


@pytest.mark.parametrize("args", ACCEPTED, ids=" ".join)
def test_plain_checks_take_the_fast_path_with_typers_values(args, capsys):
    fast = fastcli.parse(args)
    assert fast is not None
    assert fast == typer_values(args)


@pytest.mark.parametrize("args", DEFERRED, ids=lambda a: " ".join(a) or "(none)")
def test_anything_else_is_left_to_typer(args):
    assert fastcli.parse(args) is None


@pytest.mark.parametrize("args", ACCEPTED + DEFERRED + [["-"], ["-", "alcohol", "-f", "json"]], ids=lambda a: " ".join(a) or "(none)")
def test_same_output_either_way(args, capsys, monkeypatch):
    stdin = "baclofen\n# a comment\n\nXanax 0.5 mg\n"
    assert outcome(fastcli.run, args, capsys, monkeypatch, stdin) == outcome(cli.run, args, capsys, monkeypatch, stdin)


def test_every_command_word_is_left_to_typer():
    for word in (*cli.SUBCOMMANDS, *cli.TOP_LEVEL):
        if word != "check":
            assert fastcli.parse([word, "baclofen"]) is None, word


TOKENS = st.sampled_from([
    "baclofen", "alcohol", "hydroxyzne", "Xanax 0.5 mg", "", " ", "check", "info", "--", "--format", "-f", "json", "text",
    "xml", "JSON", "--format=json", "--format=", "-fjson", "-ftext", "--fail-on", "none", "major", "--fail-on=minor",
    "--min-severity", "moderate", "--min-severity=none", "--age", "80", "0", "130", "131", "007", "-1", "+5", "\u0663",
    "--age=65", "--rules", SITE, "--rules=" + SITE, "--help", "-h", "--version", "--unknown", "-x", "-", "---",
    "--brief", "--verbose", "--brief=1", "--show-resolutions", "--color", "never", "always", "--color=auto", "--adding",
    "fluconazole", "--adding=warfarin",
    "html", "markdown", "--format=html", "-fmarkdown", "--patient", "--patient=P<1>", "MRN 7",
])


@settings(max_examples=300, deadline=None)
@given(args=st.lists(TOKENS, max_size=7))
def test_generated_command_lines_parse_alike(args):
    fast = fastcli.parse(args)
    if fast is not None:
        assert fast == typer_values(args)


# each example runs the whole command twice, loading the knowledge base each time
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(args=st.lists(TOKENS, max_size=7))
def test_generated_command_lines_agree(args, capsys, monkeypatch):
    if "-" in args:  # standard input is read once per run; chosen lines above cover it
        return
    assert outcome(fastcli.run, args, capsys, monkeypatch, None) == outcome(cli.run, args, capsys, monkeypatch, None)


CONFIGURED = [
    ["baclofen", "lisinopril"],
    ["baclofen", "lisinopril", "--fail-on", "minor"],
    ["baclofen", "lisinopril", "-f", "text", "--min-severity", "minor"],
    ["check", "oxycodone", "alprazolam", "--age", "78"],
    ["hydroxyzne", "alcohol"],
]


@pytest.mark.parametrize("env", [{}, {"CHECK_MEDS_FAIL_ON": "moderate", "CHECK_MEDS_FORMAT": "text"}], ids=["file", "file+env"])
@pytest.mark.parametrize("args", CONFIGURED, ids=" ".join)
def test_configured_defaults_are_the_same_either_way(args, env, tmp_path, capsys, monkeypatch):
    """The config file's and CHECK_MEDS_* defaults reach the check identically on both paths."""
    cfg = tmp_path / "config.toml"
    cfg.write_text('fail-on = "major"\nmin-severity = "major"\nformat = "json"\n')
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(cfg))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    fast = fastcli.parse(args)
    assert fast is not None and fast["fail_on"] == ("minor" if "--fail-on" in args else env.get("CHECK_MEDS_FAIL_ON", "major"))
    assert fast == typer_values(args)
    assert outcome(fastcli.run, args, capsys, monkeypatch, None) == outcome(cli.run, args, capsys, monkeypatch, None)


def test_a_bad_config_file_is_left_to_typer(tmp_path, monkeypatch):
    cfg = tmp_path / "config.toml"
    cfg.write_text('format = "xml"\n')
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(cfg))
    assert fastcli.parse(["baclofen", "alcohol"]) is None


@pytest.mark.parametrize("args", [["exlpain", "warfarin"], ["bacth", "x.csv"], ["onfi", "alcohol"], ["seravent"], ["config"],
                                  ["config", "-h"], ["baclofen", "-h"], ["ino", "alcohol", "-f", "json"]], ids=" ".join)
def test_command_words_typos_and_help_are_the_same_either_way(args, capsys, monkeypatch):
    assert outcome(fastcli.run, args, capsys, monkeypatch, None) == outcome(cli.run, args, capsys, monkeypatch, None)
