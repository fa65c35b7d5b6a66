"""Command-line conventions: -h, examples and exit codes in help, mistyped commands, --version, packaging."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import cli
from interactions import fastcli
from interactions.commands import COMMANDS
from interactions.exitcodes import ExitCode

ROOT = Path(__file__).parent.parent
# every command and subcommand, as typed after check-meds
COMMAND_PATHS = [[], *([c] for c in COMMANDS), ["rules", "list"], ["rules", "validate"], ["rules", "test"], ["rules", "schema"]]


@pytest.fixture(autouse=True)
def _plain(monkeypatch):
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")


def run(capsys, *args):
    code = fastcli.run(list(args))
    out, err = capsys.readouterr()
    return int(code), out, err


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "(top)")
def test_h_is_help_everywhere_with_examples_and_every_exit_code_single_spaced(path, capsys):
    code, short, _ = run(capsys, *path, "-h")
    assert code == 0
    assert run(capsys, *path, "--help")[1] == short
    lines = [ln.strip() for ln in short.splitlines()]
    start = lines.index("Examples:")
    assert lines[start + 1].startswith("check-meds ") or lines[start + 1].startswith("CHECK_MEDS_")
    first = lines.index("Exit codes:")
    listed = lines[first + 1: first + 1 + len(ExitCode)]
    # one line per code, in order, with no blank line between them
    assert [int(ln.split()[0]) for ln in listed] == [int(c) for c in ExitCode]


def test_examples_in_help_are_real_command_lines():
    """Each example names the command whose help shows it (or, at the top, any command), with options it declares."""
    app = cli.build_app()
    for path, examples in cli.EXAMPLES.items():
        for example in examples:
            words = example.split("check-meds ", 1)[1].split()
            command, walked = app, []
            while words and words[0] in getattr(command, "commands", {}):
                walked.append(words.pop(0))
                command = command.commands[walked[-1]]
            if command is app:  # the default command
                command, walked = app.commands["check"], ["check"]
            assert tuple(walked[: len(path)]) == path, example
            declared = {opt for p in command.params for opt in p.opts}
            for w in words:
                if w.startswith("-") and w != "-":
                    assert w in declared, (example, w)


@pytest.mark.parametrize("columns", ["80", "60"])
@pytest.mark.parametrize("path", [["check"], ["batch"], ["rules", "list"], ["info"]], ids=" ".join)
def test_choices_are_never_broken_mid_word(path, columns, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", columns)
    out = run(capsys, *path, "--help")[1]
    command = cli.build_app()
    for name in path:
        command = command.commands[name]
    choices = {str(c) for p in command.params for c in (getattr(p.type, "choices", None) or ())}
    assert choices
    words = set(re.findall(r"[a-z][a-z-]*[a-z]", out))
    for choice in choices:
        if columns == "80" or len(choice) < 14:  # the 60-column help column is 15 wide
            assert choice in words, choice
    assert "contrain" not in words and "traindicated" not in words


@pytest.mark.parametrize(("word", "command"), [("exlpain", "explain"), ("bacth", "batch"), ("rule", "rules"),
                                                ("infoo", "info"), ("chek", "check"), ("serv", "serve"), ("confg", "config")])
def test_a_mistyped_command_is_named_not_checked(word, command, capsys):
    code, out, err = run(capsys, word, "list")
    assert code == 2 and out == ""
    assert f"did you mean the command {command}?" in err
    assert "not recognised" not in err and len(err.splitlines()) == 2


@pytest.mark.parametrize("word", ["onfi", "ino", "deplin", "serevent"])
def test_a_medication_close_to_a_command_is_still_checked(word, capsys):
    code, out, err = run(capsys, word, "alcohol", "--format", "json")
    assert code in (0, 1), err
    assert '"status": "ok"' in out or '"recognized": 2' in out


def test_a_misspelt_medication_close_to_a_command_is_a_misspelt_medication(capsys):
    code, out, err = run(capsys, "seravent", "alcohol")
    assert code == 4 and err == ""
    assert "did you mean Serevent" in out


def test_check_before_a_word_always_checks_it(capsys):
    code, out, err = run(capsys, "check", "exlpain")
    assert code == 4 and "exlpain" in out and "command" not in err


def test_the_fast_path_leaves_words_near_a_command_to_typer():
    for word in ("exlpain", "bacth", "rule", "infoo", "confg"):
        assert fastcli.parse([word, "alcohol"]) is None
    assert fastcli.parse(["baclofen", "alcohol"]) is not None


def test_version_names_the_knowledge_base(capsys):
    from interactions.kb import load_knowledge_base

    info = load_knowledge_base().info
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.splitlines()[:2] == [f"check-meds {cli.__version__}", f"knowledge base: {info['name']} {info['version']}"]


def test_version_lists_site_rule_sets(capsys, monkeypatch):
    monkeypatch.setenv("CHECK_MEDS_RULES", str(ROOT / "tests" / "fixtures" / "site"))
    out = run(capsys, "--version")[1]
    assert len(out.splitlines()) == 3 and out.splitlines()[2].startswith("site rules: ")


def test_python_m_interactions_is_check_meds(tmp_path):
    env = {**os.environ, "NO_COLOR": "1", "CHECK_MEDS_CACHE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "interactions", "baclofen", "alcohol", "--format", "json"],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 1 and proc.stderr == "" and '"findings"' in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "interactions", "-h"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and "Exit codes:" in proc.stdout


def test_the_root_cli_module_is_the_packaged_one():
    from interactions import cli as packaged

    assert cli is packaged


def test_the_wheel_has_no_top_level_cli_module(tmp_path):
    pytest.importorskip("hatchling")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), str(ROOT)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "interactions/cli.py" in names and "interactions/__main__.py" in names
    assert "interactions/_rules/" in {n[: len("interactions/_rules/")] for n in names}
    top = {n.split("/")[0] for n in names}
    assert top <= {"interactions"} | {t for t in top if t.endswith(".dist-info")}, top


@pytest.mark.parametrize("args", [["baclofen", "--rules", "/nonexistent"], ["info", "--rules", "/nonexistent"],
                                  ["explain", "baclofen", "--rules", "/nonexistent"], ["rules", "list", "--rules", "/nonexistent"],
                                  ["rules", "validate", "/nonexistent"], ["rules", "test", "/nonexistent"]], ids=" ".join)
def test_a_missing_rules_path_is_a_usage_error_without_a_line_number(args, capsys):
    code, out, err = run(capsys, *args)
    assert code == 2 and out == ""
    assert err == "check-meds: /nonexistent: rule directory not found; nothing was checked\n"


def test_a_missing_rules_path_in_the_environment_is_a_usage_error(capsys, monkeypatch):
    monkeypatch.setenv("CHECK_MEDS_RULES", "/nonexistent")
    assert run(capsys, "baclofen")[0] == 2


def complete(tmp_path, line: str) -> list[str]:
    """What bash completion offers for ``line`` (the last word is the one being completed)."""
    words = line.split(" ")
    env = {**os.environ, "_CHECK_MEDS_COMPLETE": "complete_bash", "COMP_WORDS": line, "COMP_CWORD": str(len(words) - 1),
           "CHECK_MEDS_CACHE_DIR": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "interactions"], capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0 and proc.stderr == "", proc.stderr
    return proc.stdout.splitlines()


def test_shell_completion_offers_commands_options_and_medication_names(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "interactions", "--show-completion", "bash"], capture_output=True, text=True, cwd=tmp_path)
    assert proc.returncode == 0 and "_CHECK_MEDS_COMPLETE" in proc.stdout
    first = complete(tmp_path, "check-meds ex")
    assert "explain" in first and "exelon" in first  # a command, or the check's first medication
    assert "alcohol" in complete(tmp_path, "check-meds baclofen alc")
    assert complete(tmp_path, "check-meds check baclofen warf")[:2] == ["warfarin", "warfarin sodium"]
    assert complete(tmp_path, "check-meds baclofen --fail-on ") == ["minor", "moderate", "major", "contraindicated", "none"]


def test_the_check_examples_run(capsys):
    """The check's examples (the ones with no shell syntax) are accepted and checked."""
    import shlex

    for example in cli.EXAMPLES[("check",)]:
        words = shlex.split(example)
        if words[0] != "check-meds" or ">" in words:
            continue
        code, out, err = run(capsys, *words[1:])
        assert code in (0, 1) and out and err == "", (example, err)


def test_a_mistyped_subcommand_of_rules_is_suggested(capsys):
    code, out, err = run(capsys, "rules", "lst")
    assert code == 2 and out == "" and "No such command 'lst'. Did you mean 'list'?" in err
