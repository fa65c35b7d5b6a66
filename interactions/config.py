"""The site configuration file: rule directories a pharmacy loads on every run.

Precedence: ``--rules`` (command line) > ``CHECK_MEDS_RULES`` > the config
file. Directories from all three are loaded, config file first, so a later
directory sits on top of an earlier one (and may replace its ids with
``override: true``). The file is TOML, found at ``$CHECK_MEDS_CONFIG`` or
``$XDG_CONFIG_HOME/check-meds/config.toml`` (``~/.config/...``)::

    # relative paths are relative to this file
    rules = ["/srv/pharmacy/check-meds-rules"]
"""

from __future__ import annotations

import os
import re

from .errors import CheckMedsError
from .exitcodes import ExitCode

CONFIG_ENV = "CHECK_MEDS_CONFIG"
KEYS = ("rules",)
MAX_CONFIG_BYTES = 1 << 20
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")


def config_path() -> str | None:
    """The config file to read: ``$CHECK_MEDS_CONFIG`` (empty: none) or the XDG default."""
    explicit = os.environ.get(CONFIG_ENV)
    if explicit is not None:
        return explicit or None
    base = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(base, "check-meds", "config.toml")


def config_rule_dirs(path: str | None = None) -> list[str]:
    """The rule directories a config file lists ([] when there is no file).

    Raises CheckMedsError (exit 2) with ``path:line: message`` for a file that
    cannot be read or says something it should not; a file named explicitly by
    ``$CHECK_MEDS_CONFIG`` must exist.
    """
    explicit = path is not None or bool(os.environ.get(CONFIG_ENV))
    path = path if path is not None else config_path()
    if path is None:
        return []
    from .paths import read_regular

    try:
        raw = read_regular(path, MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        if explicit:
            raise CheckMedsError(f"{path}: config file not found ({CONFIG_ENV})", ExitCode.USAGE) from None
        return []
    except OSError as exc:
        raise CheckMedsError(f"{path}: cannot read config file: {exc.strerror or exc}", ExitCode.USAGE) from None
    if len(raw) > MAX_CONFIG_BYTES:
        raise CheckMedsError(f"{path}: config file larger than {MAX_CONFIG_BYTES >> 20} MiB; nothing was read", ExitCode.USAGE)
    data = _parse_toml(raw, path)
    for k in data:
        if k not in KEYS:
            raise CheckMedsError(f"{path}:{_line_of_key(raw, k)}: unknown setting {k!r} (known: {', '.join(KEYS)})", ExitCode.USAGE)
    dirs = data.get("rules", [])
    if isinstance(dirs, str):
        dirs = [dirs]
    if not isinstance(dirs, list) or not all(isinstance(d, str) and d for d in dirs):
        raise CheckMedsError(f"{path}:{_line_of_key(raw, 'rules')}: 'rules' must be a list of directory paths", ExitCode.USAGE)
    here = os.path.dirname(os.path.abspath(path))
    return [os.path.join(here, os.path.expanduser(d)) for d in dirs]


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
        m = _AT_LINE.search(msg)
        line = m.group(1) if m else "1"
        raise CheckMedsError(f"{path}:{line}: invalid TOML: {_AT_LINE.sub('', msg)}", ExitCode.USAGE) from None


def _line_of_key(raw: bytes, k: str) -> int:
    for i, line in enumerate(raw.decode("utf-8", "replace").splitlines(), 1):
        if re.match(rf"\s*[\"']?{re.escape(k)}[\"']?\s*[=.\]]", line) or line.strip() == f"[{k}]":
            return i
    return 1
