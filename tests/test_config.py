"""The site configuration file: rule directories, relative to the file; errors as path:line, exit 2."""

from __future__ import annotations

import pytest

import cli
from interactions.cliutil import site_dirs
from interactions.config import config_path, config_rule_dirs, settings
from interactions.errors import CheckMedsError


def test_default_location_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv("CHECK_MEDS_CONFIG")
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert config_path() == str(tmp_path / "check-meds" / "config.toml")
    assert config_rule_dirs() == []  # no file there: nothing configured, no error
    (tmp_path / "check-meds").mkdir()
    (tmp_path / "check-meds" / "config.toml").write_text('rules = ["site"]\n')
    assert config_rule_dirs() == [str(tmp_path / "check-meds" / "site")]


def test_relative_paths_are_relative_to_the_file_and_order_is_config_env_cli(monkeypatch, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text('# the formulary\nrules = ["formulary", "/abs/site"]\n')
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(cfg))
    monkeypatch.setenv("CHECK_MEDS_RULES", "env1:env2")
    assert site_dirs(["cli"]) == [str(tmp_path / "formulary"), "/abs/site", "env1", "env2", "cli"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('rules = ["a"]\nrule = ["b"]\n', ":2: unknown setting 'rule' (known: {known}, rules, [batch])"),
        ('fail-on = "major"\n\n[batch]\nformat = "json"\n', ":4: 'format' must be one of table, jsonl, csv (not 'json')"),
        ('format = "csv"\n', ":1: 'format' must be one of {formats} (not 'csv')"),
        ('[batch]\nfail-on = "severe"\n', ":2: 'fail-on' must be one of minor, moderate, major, contraindicated, none (not 'severe')"),
        ('min-severity = "none"\n', ":1: 'min-severity' must be one of minor, moderate, major, contraindicated (not 'none')"),
        ('format = "json"\n[batch]\nage = 80\n', ":3: unknown setting [batch] 'age' (known: fail-on, format, min-severity)"),
        ('batch = "csv"\n', ":1: 'batch' must be a table ([batch])"),
        ("rules = \n", ":1: invalid TOML: Invalid value"),
        ('rules = [1, 2]\n', ":1: 'rules' must be a list of directory paths"),
        ('\n\nrules = [""]\n', ":3: 'rules' must be a list of directory paths"),
    ],
)
def test_a_bad_config_file_is_a_one_line_error_with_its_line(tmp_path, text, message):
    cfg = tmp_path / "config.toml"
    cfg.write_text(text)
    with pytest.raises(CheckMedsError) as info:
        config_rule_dirs(str(cfg))
    # the top-level keys are the check's configurable options (with --color once the check declares it)
    known = ", ".join(sorted(s.key for s in settings() if s.command == "check"))
    formats = ", ".join(next(s.choices for s in settings() if (s.command, s.key) == ("check", "format")))
    assert str(info.value) == f"{cfg}{message.format(known=known, formats=formats)}"


def test_a_named_config_file_must_exist_and_the_cli_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(tmp_path / "missing.toml"))
    assert cli.run(["baclofen"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"check-meds: {tmp_path / 'missing.toml'}: config file not found (CHECK_MEDS_CONFIG)\n"


def test_a_configured_directory_that_is_missing_stops_the_check(monkeypatch, tmp_path, capsys):
    cfg = tmp_path / "config.toml"
    cfg.write_text('rules = ["gone"]\n')
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(cfg))
    assert cli.run(["baclofen"]) == 2
    assert capsys.readouterr().err == f"check-meds: {tmp_path / 'gone'}: rule directory not found; nothing was checked\n"


# --- option defaults: command line > CHECK_MEDS_* > config file > built-in ---------------------------------

import json  # noqa: E402

from interactions import fastcli  # noqa: E402
from interactions.config import default_map, effective  # noqa: E402

SITE_DEFAULTS = 'fail-on = "major"\nmin-severity = "moderate"\nformat = "json"\n\n[batch]\nformat = "csv"\n'


@pytest.fixture()
def configured(monkeypatch, tmp_path):
    cfg = tmp_path / "config.toml"
    cfg.write_text(SITE_DEFAULTS)
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(cfg))
    for name in ("FORMAT", "FAIL_ON", "MIN_SEVERITY", "COLOR", "BATCH_FORMAT", "BATCH_FAIL_ON", "BATCH_MIN_SEVERITY"):
        monkeypatch.delenv(f"CHECK_MEDS_{name}", raising=False)
    monkeypatch.setenv("NO_COLOR", "1")
    return cfg


def test_file_then_environment_then_command_line(configured, monkeypatch):
    assert default_map() == {"check": {"fail_on": "major", "min_severity": "moderate", "fmt": "json"},
                             "batch": {"fail_on": "major", "min_severity": "moderate", "fmt": "csv"}}
    monkeypatch.setenv("CHECK_MEDS_FAIL_ON", "contraindicated")
    monkeypatch.setenv("CHECK_MEDS_BATCH_MIN_SEVERITY", "minor")
    monkeypatch.setenv("CHECK_MEDS_FORMAT", "")  # empty: unset
    assert default_map() == {"check": {"fail_on": "contraindicated", "min_severity": "moderate", "fmt": "json"},
                             "batch": {"fail_on": "contraindicated", "min_severity": "minor", "fmt": "csv"}}
    assert fastcli.parse(["baclofen", "lisinopril"])["fail_on"] == "contraindicated"
    assert fastcli.parse(["baclofen", "lisinopril", "--fail-on", "moderate"])["fail_on"] == "moderate"


@pytest.mark.parametrize("entry", [fastcli.run, cli.run], ids=["fast", "typer"])
def test_a_check_uses_the_configured_defaults(configured, entry, capsys, monkeypatch):
    # baclofen + lisinopril is a moderate finding: under fail-on = major it does not fail the check
    assert entry(["baclofen", "lisinopril"]) == 0
    doc = json.loads(capsys.readouterr().out)  # format = "json" from the file
    assert doc["findings"]
    assert entry(["baclofen", "lisinopril", "--fail-on", "moderate", "-f", "text"]) == 1
    assert not capsys.readouterr().out.startswith("{")
    monkeypatch.setenv("CHECK_MEDS_FAIL_ON", "moderate")
    assert entry(["baclofen", "lisinopril"]) == 1


def test_batch_uses_the_configured_defaults(configured, tmp_path, capsys):
    lists = tmp_path / "lists.txt"
    lists.write_text("baclofen, lisinopril\n")
    assert cli.run(["batch", str(lists), "--no-progress"]) == 0  # fail-on = major
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("id,line,kind,severity,rule,")  # [batch] format = "csv"
    assert cli.run(["batch", str(lists), "--no-progress", "--fail-on", "minor", "--format", "jsonl"]) == 1
    assert json.loads(capsys.readouterr().out.splitlines()[0])


@pytest.mark.parametrize("entry", [fastcli.run, cli.run], ids=["fast", "typer"])
def test_a_bad_value_in_the_file_is_a_one_line_error_with_its_line(configured, entry, capsys):
    configured.write_text('# site\nfail-on = "severe"\n')
    assert entry(["baclofen", "alcohol"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == (f"check-meds: {configured}:2: 'fail-on' must be one of minor, moderate, major, "
                                 "contraindicated, none (not 'severe')\n")


def test_a_bad_variable_is_a_one_line_error_naming_it(configured, monkeypatch, capsys):
    monkeypatch.setenv("CHECK_MEDS_BATCH_FORMAT", "json")
    assert fastcli.run(["batch", "-"]) == 2
    assert capsys.readouterr().err == "check-meds: CHECK_MEDS_BATCH_FORMAT='json': must be one of table, jsonl, csv\n"


def test_config_command_shows_each_value_and_its_source(configured, monkeypatch, capsys):
    monkeypatch.setenv("CHECK_MEDS_MIN_SEVERITY", "major")
    monkeypatch.setenv("CHECK_MEDS_RULES", "/srv/env-rules")
    assert fastcli.run(["config", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["config_file"] == {"path": str(configured), "found": True}
    check = doc["settings"]["check"]
    assert check["fail-on"] == {"value": "major", "source": "config file", "origin": f"{configured}:1", "env": "CHECK_MEDS_FAIL_ON"}
    assert check["min-severity"] == {"value": "major", "source": "environment", "origin": "CHECK_MEDS_MIN_SEVERITY",
                                     "env": "CHECK_MEDS_MIN_SEVERITY"}
    assert doc["settings"]["batch"]["format"]["origin"] == f"{configured}:6"
    assert doc["settings"]["batch"]["min-severity"]["source"] == "environment"
    assert doc["rules"] == [{"path": "/srv/env-rules", "source": "environment", "origin": "CHECK_MEDS_RULES"}]
    assert fastcli.run(["config"]) == 0
    text = capsys.readouterr().out
    assert f"Config file: {configured}\n" in text
    assert any(ln.split()[:3] == ["fail-on", "major", "config"] and ln.endswith(f"{configured}:1") for ln in text.splitlines())
    assert any(ln.split() == ["min-severity", "major", "environment", "CHECK_MEDS_MIN_SEVERITY"] for ln in text.splitlines())


def test_config_command_without_a_file_shows_the_defaults(monkeypatch, capsys):
    monkeypatch.setenv("CHECK_MEDS_CONFIG", "")
    assert cli.run(["config", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["config_file"] == {"path": None, "found": False}
    assert {v["source"] for c in doc["settings"].values() for v in c.values()} == {"default"}
    assert {v.setting.key: v.value for v in effective() if v.setting.command == "check"}.items() >= {
        "format": "text", "fail-on": "minor", "min-severity": "minor"}.items()


def test_batch_settings_match_the_batch_command():
    """The config module declares batch's choices without importing typer; they must be the batch command's."""
    batch = cli.build_app("batch").commands["batch"]
    params = {p.name: p for p in batch.params}
    for v in effective():
        if v.setting.command == "batch":
            p = params[v.setting.param]
            assert tuple(p.type.choices) == v.setting.choices
            assert (p.default.value if hasattr(p.default, "value") else p.default) == v.setting.default


def test_color_is_a_setting_of_the_check(configured, monkeypatch, capsys):
    configured.write_text('color = "always"\n')
    assert fastcli.parse(["baclofen", "alcohol"])["color"] == "always"
    monkeypatch.setenv("CHECK_MEDS_COLOR", "never")
    assert fastcli.parse(["baclofen", "alcohol"])["color"] == "never"
    assert fastcli.parse(["baclofen", "alcohol", "--color", "auto"])["color"] == "auto"
    monkeypatch.setenv("CHECK_MEDS_COLOR", "sometimes")
    assert fastcli.run(["baclofen"]) == 2
    assert capsys.readouterr().err == "check-meds: CHECK_MEDS_COLOR='sometimes': must be one of auto, always, never\n"
