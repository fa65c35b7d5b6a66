"""The site configuration file and CHECK_MEDS_* variables: defaults for the check and batch options.

Precedence, as ruff has it: the command line beats the environment, which
beats the config file, which beats the built-in default. The file is TOML,
found at ``$CHECK_MEDS_CONFIG`` or ``$XDG_CONFIG_HOME/check-meds/config.toml``
(``~/.config/...``)::

    # relative paths are relative to this file
    rules = ["/srv/pharmacy/check-meds-rules"]
    fail-on = "major"          # the check's, and the batch's unless [batch] says
    min-severity = "moderate"  # the same
    format = "text"            # the check's only (batch formats differ)

    [batch]
    format = "csv"
    fail-on = "moderate"

Every setting has a variable: ``CHECK_MEDS_FAIL_ON``, ``CHECK_MEDS_MIN_SEVERITY``,
``CHECK_MEDS_FORMAT`` (and ``CHECK_MEDS_COLOR`` when the check has ``--color``)
for the top level, ``CHECK_MEDS_BATCH_FORMAT`` and so on for ``[batch]``; an
empty variable counts as unset. ``rules`` is not a default but a list:
directories from the file, ``CHECK_MEDS_RULES`` and ``--rules`` are all
loaded, in that order, so a later one sits on top of an earlier one.

This module is read on the fast path of a plain check: it imports no
command-line framework, and reads and parses the file once per process.
"""

from __future__ import annotations

import os
import re
from typing import Any

from .errors import CheckMedsError
from .exitcodes import ExitCode
from .severity import SEVERITIES

CONFIG_ENV = "CHECK_MEDS_CONFIG"
RULES_ENV = "CHECK_MEDS_RULES"
MAX_CONFIG_BYTES = 1 << 20
# patterns are compiled on first use (re caches them): a check without a config file never needs them
_AT_LINE = r"\s*\(at line (\d+), column \d+\)$"
# the check options the file may set (by their long flag), when the check declares them
_CHECK_FLAGS = ("--format", "--fail-on", "--min-severity", "--color")


class Setting:
    """One option default the config file and the environment may set.

    (Plain classes here, not NamedTuple: this module is imported on every
    check, and building a NamedTuple class costs a few hundred microseconds.)
    """

    __slots__ = ("command", "key", "param", "choices", "default", "table")

    def __init__(self, command: str, key: str, param: str, choices: tuple[str, ...], default: Any, table: str | None) -> None:
        self.command = command  # "check" or "batch"
        self.key = key  # in the file ("fail-on"), and in `check-meds config`
        self.param = param  # the command's parameter (run_check's keyword, batch_cmd's argument)
        self.choices = choices
        self.default = default  # the built-in default (None: batch's format is chosen by where output goes)
        self.table = table  # the file's table holding it: None for the top level, "batch" for [batch]

    @property
    def env(self) -> str:
        return "CHECK_MEDS_" + (f"{self.table}_" if self.table else "").upper() + self.key.upper().replace("-", "_")


def settings() -> tuple[Setting, ...]:
    """Every setting: the check's from its declaration (interactions/commands/check.py), then batch's."""
    from .commands.check import OPTIONS

    out = []
    for flag in _CHECK_FLAGS:
        for p in OPTIONS:
            if flag in p.flags and p.choices is not None:
                out.append(Setting("check", flag[2:], p.name, tuple(p.choices), p.default, None))
    # batch's options are declared with typer (interactions/commands/batch.py); tests/test_config.py
    # checks these choices and defaults against that declaration
    out += [
        Setting("batch", "format", "fmt", ("table", "jsonl", "csv"), None, "batch"),
        Setting("batch", "fail-on", "fail_on", (*SEVERITIES, "none"), "minor", "batch"),
        Setting("batch", "min-severity", "min_severity", SEVERITIES, "minor", "batch"),
    ]
    return tuple(out)


class Value:
    """A setting's effective value and where it came from."""

    __slots__ = ("setting", "value", "source", "origin")

    def __init__(self, setting: Setting, value: Any, source: str, origin: str | None) -> None:
        self.setting = setting
        self.value = value
        self.source = source  # "default", "config file" or "environment"
        self.origin = origin  # "path:line" or the variable's name; None for the default


def config_path() -> str | None:
    """The config file to read: ``$CHECK_MEDS_CONFIG`` (empty: none) or the XDG default."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit is not None:
        return explicit or None
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "check-meds", "config.toml")


class ConfigFile:
    """A config file as read: its path, whether it exists, its settings, and the line of each key."""

    __slots__ = ("path", "found", "data", "lines")

    def __init__(self, path: str | None, found: bool, data: dict, lines: dict) -> None:
        self.path = path  # None: no file is consulted (CHECK_MEDS_CONFIG is empty)
        self.found = found
        self.data = data
        self.lines = lines  # (table or None, key) -> line number


_memo: dict[tuple, ConfigFile] = {}


def read_config(path: str | None = None) -> ConfigFile:
    """The config file, read, parsed and checked (an absent default file is an empty one).

    Raises CheckMedsError (exit 2) with ``path:line: message`` for a file that
    cannot be read or says something it should not; a file named explicitly by
    ``$CHECK_MEDS_CONFIG`` must exist.
    """
    explicit = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path if path is not None else config_path()
    if path is None:
        return ConfigFile(None, False, {}, {})
    try:
        st = os.stat(path)
        key = (path, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    except OSError:
        key = None
    if key is not None and key in _memo:
        return _memo[key]
    from .paths import read_regular

    try:
        raw = read_regular(path, MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        if explicit:
            raise CheckMedsError(f"{path}: config file not found ({CONFIG_ENV})", ExitCode.USAGE) from None
        return ConfigFile(path, False, {}, {})
    except OSError as exc:
        raise CheckMedsError(f"{path}: cannot read config file: {exc.strerror or exc}", ExitCode.USAGE) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise CheckMedsError(f"{path}: config file larger than {MAX_CONFIG_BYTES >> 20} MiB; nothing was read", ExitCode.USAGE)
    data = _parse_toml(raw, path)
    lines = _key_lines(raw)
    _check(data, lines, path)
    cfg = ConfigFile(path, True, data, lines)
    if key is not None:
        _memo[key] = cfg
    return cfg


def _check(data: dict, lines: dict, path: str) -> None:
    """Every key known and every value one its option accepts; else ``path:line: message``."""
    by_table: dict[str | None, dict[str, Setting]] = {}
    for s in settings():
        by_table.setdefault(s.table, {})[s.key] = s
        if s.table == "batch" and s.key != "format":
            by_table[None].setdefault(s.key, s)  # top-level fail-on, min-severity: batch's too
    tables = {t for t in by_table if t}

    def where(table, k):
        return f"{path}:{lines.get((table, k), lines.get((None, table), 1) if table else 1)}"

    for table, entries in [(None, data), *((t, data[t]) for t in tables if t in data)]:
        known = sorted(by_table[table]) if table else [*sorted([*by_table[None], "rules"]), *(f"[{t}]" for t in sorted(tables))]
        if table and not isinstance(entries, dict):
            raise CheckMedsError(f"{where(None, table)}: '{table}' must be a table ([{table}])", ExitCode.USAGE)
        for k, v in entries.items():
            if table is None and (k == "rules" or k in tables):
                continue
            s = by_table[table].get(k)
            if s is None:
                scope = f"[{table}] " if table else ""
                raise CheckMedsError(f"{where(table, k)}: unknown setting {scope}{k!r} (known: {', '.join(known)})", ExitCode.USAGE)
            if v not in s.choices:
                raise CheckMedsError(f"{where(table, k)}: '{k}' must be one of {', '.join(s.choices)} (not {v!r})", ExitCode.USAGE)
    dirs = data.get("rules", [])
    if isinstance(dirs, str):
        dirs = [dirs]
    if not isinstance(dirs, list) or not all(isinstance(d, str) and d for d in dirs):
        raise CheckMedsError(f"{where(None, 'rules')}: 'rules' must be a list of directory paths", ExitCode.USAGE)


def config_rule_dirs(path: str | None = None) -> list[str]:
    """The rule directories a config file lists, relative paths made relative to it ([] when there is no file)."""
    cfg = read_config(path)
    dirs = cfg.data.get("rules", [])
    if isinstance(dirs, str):
        dirs = [dirs]
    here = os.path.dirname(os.path.abspath(cfg.path)) if cfg.path else ""
    return [os.path.join(here, os.path.expanduser(d)) for d in dirs]


def effective(path: str | None = None) -> list[Value]:
    """Every setting's value and its source: environment over config file over the built-in default.

    A ``[batch]`` setting falls back on the top-level one of the same name
    (variables included), then on the default. A variable whose value the
    option does not accept raises CheckMedsError (exit 2) naming it.
    """
    cfg = read_config(path)
    out = []
    for s in settings():
        scopes = [s.table, None] if s.table and s.key != "format" else [s.table]
        found = None
        for table in scopes:  # environment first, the more specific variable before the general one
            name = Setting(s.command, s.key, s.param, s.choices, s.default, table).env
            v = os.environ.get(name)
            if v:
                if v not in s.choices:
                    raise CheckMedsError(f"{name}={v!r}: must be one of {', '.join(s.choices)}", ExitCode.USAGE)
                found = Value(s, v, "environment", name)
                break
        if found is None:
            for table in scopes:
                entries = cfg.data.get(table, {}) if table else cfg.data
                if s.key in entries:
                    found = Value(s, entries[s.key], "config file", f"{cfg.path}:{cfg.lines.get((table, s.key), 1)}")
                    break
        out.append(found or Value(s, s.default, "default", None))
    return out


def default_map(path: str | None = None) -> dict[str, dict[str, Any]]:
    """Click's ``default_map`` for the typer app: ``{"check": {param: value}, "batch": {...}}``, set values only."""
    out: dict[str, dict[str, Any]] = {"check": {}, "batch": {}}
    for v in effective(path):
        if v.source != "default":
            out[v.setting.command][v.setting.param] = v.value
    return out


def check_defaults() -> dict[str, Any] | None:
    """The check's parameter defaults with the configured ones on top; None when the configuration is wrong.

    The fast path (interactions/fastcli.py) takes a configuration problem as
    a line to leave to typer, which reports it as a one-line error.
    """
    from .commands.check import OPTIONS

    try:
        configured = default_map()["check"]
    except CheckMedsError:
        return None
    return {p.name: configured.get(p.name, p.default) for p in OPTIONS}


def rule_sources(rules: list[str] | None = None) -> list[tuple[str, str, str | None]]:
    """Site rule directories in load order, each with its source: (directory, source, origin)."""
    cfg = read_config()
    line = cfg.lines.get((None, "rules"), 1)
    out = [(d, "config file", f"{cfg.path}:{line}") for d in config_rule_dirs()]
    out += [(d, "environment", RULES_ENV) for d in os.environ.get(RULES_ENV, "").split(os.pathsep) if d]
    out += [(d, "command line", "--rules") for d in rules or []]
    return out


def _parse_toml(raw: bytes, path: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10: the tomli backport (a dependency there)
        import tomli as tomllib  # type: ignore[no-redef]
    try:
        return tomllib.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CheckMedsError(f"{path}:{line}: not valid UTF-8", ExitCode.USAGE) from None
    except tomllib.TOMLDecodeError as exc:
        msg = str(exc)
        m = re.search(_AT_LINE, msg)
        line = m.group(1) if m else "1"
        raise CheckMedsError(f"{path}:{line}: invalid TOML: {re.sub(_AT_LINE, '', msg)}", ExitCode.USAGE) from None


_HEADER = r"\s*\[\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*\]"
_KEY = r"\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*[=.]"


def _key_lines(raw: bytes) -> dict[tuple[str | None, str], int]:
    """Where each key is set, by table: {(None, "rules"): 2, ("batch", "format"): 7, (None, "batch"): 6}."""
    out: dict[tuple[str | None, str], int] = {}
    table = None
    for i, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        m = re.match(_HEADER, line)
        if m:
            table = m.group(1)
            out.setdefault((None, table), i)
            continue
        m = re.match(_KEY, line)
        if m:
            out.setdefault((table, m.group(1)), i)
    return out
