"""Helpers the CLI shares between commands: reading input, loading, printing errors."""

from __future__ import annotations

import os
import sys
from typing import Any

from .errors import CheckMedsError, InvalidRulesError
from .exitcodes import ExitCode

MAX_INPUT_BYTES = 256 * 1024 * 1024


def err(message: str) -> None:
    """One line on stderr, prefixed with the program name (control characters in it made visible)."""
    from .visible import visible

    sys.stderr.write(f"check-meds: {visible(message)}\n")


def read_stdin_lines() -> list[str]:
    """Medications from standard input, one per line; blank lines and # comments skipped."""
    stream = getattr(sys.stdin, "buffer", None)
    if stream is None:
        raise CheckMedsError("'-' reads standard input, which is closed", ExitCode.USAGE)
    try:
        data = stream.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise CheckMedsError(f"cannot read standard input: {exc.strerror or exc}", ExitCode.USAGE) from None
    if len(data) > MAX_INPUT_BYTES:
        raise CheckMedsError("standard input is larger than 256 MiB", ExitCode.USAGE)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise CheckMedsError(f"<stdin>:{line}: not valid UTF-8", ExitCode.USAGE) from None
    return [s.strip() for s in text.splitlines() if s.strip() and not s.lstrip().startswith("#")]


def expand_meds(meds: list[str]) -> list[str]:
    """Replace a '-' argument by the medications read from standard input."""
    out: list[str] = []
    for m in meds:
        if m == "-":
            out.extend(read_stdin_lines())
        else:
            out.append(_escape_undecodable(m))
    return out


def _escape_undecodable(arg: str) -> str:
    """An argument holding bytes that are not UTF-8 (surrogate escapes): those bytes as visible \\xNN text."""
    try:
        arg.encode("utf-8")
        return arg
    except UnicodeEncodeError:
        return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def site_dirs(rules: list[str] | None) -> list[str]:
    """Site rule directories in load order: config file, then CHECK_MEDS_RULES (os.pathsep-separated), then --rules.

    A later directory sits on top of an earlier one, so the command line takes
    precedence over the environment, and both over the config file.
    """
    from .config import config_rule_dirs

    env = [d for d in os.environ.get("CHECK_MEDS_RULES", "").split(os.pathsep) if d]
    return [*config_rule_dirs(), *env, *(rules or [])]


def load_kb(rules: list[str] | None) -> Any:
    from .kb import load_knowledge_base

    kb = load_knowledge_base(site_dirs(rules))
    for note in kb.notes:
        err(note)
    return kb


def report_invalid(exc: InvalidRulesError, limit: int = 200) -> None:
    for p in exc.problems[:limit]:
        sys.stderr.write(f"{p}\n")
    more = len(exc.problems) - limit
    if more > 0:
        sys.stderr.write(f"... and {more} more\n")
    err(f"{exc}; nothing was checked")


def use_rich_output(color: str = "auto") -> bool:
    """Whether to colour the text report.

    ``--color always``/``never`` decide. With ``auto``: ``NO_COLOR`` set to a
    non-empty value turns colour off (an empty value is ignored, as
    no-color.org asks), then ``FORCE_COLOR`` (non-empty) or ``CLICOLOR_FORCE``
    (non-empty, not ``0``) turn it on; otherwise colour only on a terminal
    that is not ``TERM=dumb``.
    """
    if color != "auto":
        return color == "always"
    env = os.environ
    if env.get("NO_COLOR"):
        return False
    if env.get("FORCE_COLOR") or env.get("CLICOLOR_FORCE", "0") not in ("", "0"):
        return True
    if env.get("TERM") == "dumb":
        return False
    try:
        return sys.stdout.isatty()
    except (AttributeError, ValueError):
        return False


def terminal_width(default: int = 80) -> int:
    """Columns to wrap to: ``COLUMNS`` if it is a positive number, else the terminal's width, else ``default``."""
    cols = os.environ.get("COLUMNS", "")
    if cols.isascii() and cols.isdigit() and 0 < int(cols) < 10000:
        return int(cols)
    try:
        if sys.stdout.isatty():
            return os.get_terminal_size(sys.stdout.fileno()).columns or default
    except (AttributeError, ValueError, OSError):
        pass
    return default


def split_pasted(meds: list[str], kb: Any) -> tuple[list[str], list[tuple[str, int]]]:
    """A list pasted as one string ('baclofen, alcohol, sertraline') as its medications.

    A string is split on commas and semicolons only when it is not itself a
    known name, holds no known name that contains a comma or semicolon
    ('estrogens, conjugated'), and at least two of its parts are recognised;
    commas inside brackets ('lisinopril (PRINIVIL,ZESTRIL) 10 MG') and between
    digits ('1,000 mg', '2,5 mg') never split. So a dose string or an export's
    comma-joined form ('DILTIAZEM HCL 120MG CAP,SA') stays one medication.
    Returns the medications and, for the report, each split string with its
    number of parts.
    """
    out: list[str] = []
    splits: list[tuple[str, int]] = []
    for m in meds:
        parts = _pasted_parts(m, kb) if ("," in m or ";" in m) else None
        if parts:
            out.extend(parts)
            splits.append((m.strip(), len(parts)))
        else:
            out.append(m)
    return out, splits


def _pasted_parts(s: str, kb: Any) -> list[str] | None:
    from .normalize import resolve
    from .text import key

    if resolve(s.strip(), kb).settled:
        return None
    k = key(s)
    if any(name in k for name in kb.names if "," in name or ";" in name):
        return None
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(s):
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(0, depth - 1)
        elif depth == 0 and (ch == ";" or (ch == "," and not (s[i - 1:i].isdigit() and s[i + 1:i + 2].isdigit()))):
            parts.append(s[start:i])
            start = i + 1
    parts.append(s[start:])
    parts = [p.strip() for p in parts if p.strip()]
    if len(parts) < 2 or sum(resolve(p, kb).ok for p in parts) < 2:
        return None
    return parts

