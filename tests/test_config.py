"""The site configuration file: rule directories, relative to the file; errors as path:line, exit 2."""

from __future__ import annotations

import pytest

import cli
from interactions.cliutil import site_dirs
from interactions.config import config_path, config_rule_dirs
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
        ('rules = ["a"]\nrule = ["b"]\n', ":2: unknown setting 'rule' (known: rules)"),
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
    assert str(info.value) == f"{cfg}{message}"


def test_a_named_config_file_must_exist_and_the_cli_exits_2(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(tmp_path / "missing.toml"))
    assert cli.run(["baclofen"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == f"check-meds: {tmp_path / 'missing.toml'}: config file not found (CHECK_MEDS_CONFIG)\n"


def test_a_configured_directory_that_is_missing_stops_the_check(monkeypatch, tmp_path, capsys):
    cfg = tmp_path / "config.toml"
    cfg.write_text('rules = ["gone"]\n')
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(cfg))
    assert cli.run(["baclofen"]) == 3
    assert capsys.readouterr().err == f"check-meds: {tmp_path / 'gone'}: rule directory not found; nothing was checked\n"
