"""The single check: its options, declared once, and its work, with no command-line framework.

``ARGUMENT`` and ``OPTIONS`` are the only declaration of the check's command
line. ``cli.py`` turns them into the typer command (help, errors, every other
command); :mod:`interactions.fastcli` reads them to parse a plain check
without importing typer at all, and hands anything it is not sure of to
typer. ``run_check`` does the work for both, so the two paths cannot drift.
"""

from __future__ import annotations

import os
import sys
from typing import Any, NamedTuple

from ..severity import SEVERITIES


class Param(NamedTuple):
    """One parameter of the check command."""

    name: str  # keyword of run_check
    flags: tuple[str, ...]  # option names; () for the positional argument
    help: str
    default: Any = None
    choices: tuple[str, ...] | None = None  # allowed values, matched exactly (case-sensitive)
    int_range: tuple[int, int] | None = None  # an integer option's inclusive bounds
    multiple: bool = False  # may be given several times; the values are collected in order
    metavar: str | None = None


ARGUMENT = Param("meds", (), "Medications to check ('-' reads standard input).", metavar="MED...")

OPTIONS: tuple[Param, ...] = (
    Param("fmt", ("--format", "-f"), "Output format.", "text", choices=("text", "json", "html", "markdown")),
    Param("fail_on", ("--fail-on",), "Exit 1 when a finding is at or above this severity ('none': never).", "minor",
          choices=(*SEVERITIES, "none")),
    Param("min_severity", ("--min-severity",), "Hide findings below this severity from the display (JSON summary still counts them).",
          "minor", choices=SEVERITIES),
    Param("age", ("--age",), "Patient age in years; enables age-dependent rules (Beers criteria, 65+).", None, int_range=(0, 130)),
    Param("rules", ("--rules",), "Also load this directory of rule files (repeatable; also CHECK_MEDS_RULES and the config file's 'rules').",
          None, multiple=True, metavar="DIR"),
    Param("patient", ("--patient",), "Patient identifier shown on the html and markdown reports.", None, metavar="ID"),
)


def run_check(meds: list[str], fmt: str = "text", fail_on: str = "minor", min_severity: str = "minor",
              age: int | None = None, rules: list[str] | None = None, patient: str | None = None) -> int:
    """Check one list as the command line asked and write the report; returns the exit code."""
    from ..cliutil import expand_meds, load_kb, use_rich_output
    from ..engine import check
    from ..errors import CheckMedsError
    from ..exitcodes import ExitCode
    from ..outcome import exit_code

    meds = expand_meds(meds)
    if not meds:
        raise CheckMedsError("no medications given (pass names, or '-' to read them from standard input)", ExitCode.USAGE)
    kb = load_kb(rules)
    result = check(meds, kb, age=age)
    if fmt == "json":
        from ..reporters.json_format import render

        sys.stdout.write(render(result, kb, min_severity))
    elif fmt in ("html", "markdown"):
        from ..reporters.markdown_format import PAGES

        sys.stdout.write(PAGES[fmt](result, kb, min_severity, patient))
    elif use_rich_output():
        from rich.console import Console

        from ..reporters.text_format import render_rich

        render_rich(result, kb, Console(highlight=False), min_severity)
    else:
        from ..reporters.text_format import render_plain

        width = int(os.environ.get("COLUMNS", "0") or 0) or 80
        sys.stdout.write(render_plain(result, kb, width, min_severity))
    return int(exit_code([result], fail_on))
