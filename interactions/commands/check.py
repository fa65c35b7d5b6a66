"""The single check: its options, declared once, and its work, with no command-line framework.

``ARGUMENT`` and ``OPTIONS`` are the only declaration of the check's command
line. ``cli.py`` turns them into the typer command (help, errors, every other
command); :mod:`interactions.fastcli` reads them to parse a plain check
without importing typer at all, and hands anything it is not sure of to
typer. ``run_check`` does the work for both, so the two paths cannot drift.
"""

from __future__ import annotations

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
    flag: bool = False  # a boolean flag: present or not, takes no value


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
    Param("adding", ("--adding",), "A medication being added to the list (repeatable): show only the findings that involve it; "
          "the exit code follows them.", None, multiple=True, metavar="MED"),
    Param("brief", ("--brief",), "One line per finding: severity, the drugs as given, the title.", False, flag=True),
    Param("verbose", ("--verbose",), "Each finding in full: also its mechanism, evidence and references.", False, flag=True),
    Param("show_resolutions", ("--show-resolutions",), "List how every medication was recognised, not only those that needed "
          "interpretation.", False, flag=True),
    Param("color", ("--color",), "Colour: 'auto' (a terminal, unless NO_COLOR is set; FORCE_COLOR or CLICOLOR_FORCE force it), "
          "'always' or 'never'.", "auto", choices=("auto", "always", "never")),
    Param("patient", ("--patient",), "Patient identifier shown on the html and markdown reports.", None, metavar="ID"),
)


def run_check(meds: list[str], fmt: str = "text", fail_on: str = "minor", min_severity: str = "minor",
              age: int | None = None, rules: list[str] | None = None, adding: list[str] | None = None,
              brief: bool = False, verbose: bool = False, show_resolutions: bool = False, color: str = "auto", patient: str | None = None) -> int:
    """Check one list as the command line asked and write the report; returns the exit code."""
    from ..cliutil import expand_meds, load_kb, split_pasted, terminal_width, use_rich_output
    from ..engine import adding_view, check
    from ..errors import CheckMedsError
    from ..exitcodes import ExitCode
    from ..outcome import exit_code

    if brief and verbose:
        raise CheckMedsError("--brief and --verbose cannot be used together", ExitCode.USAGE)
    meds = expand_meds(meds)
    added = expand_meds(adding or [])
    if not meds and not added:
        raise CheckMedsError("no medications given (pass names, or '-' to read them from standard input)", ExitCode.USAGE)
    kb = load_kb(rules)
    meds, splits = split_pasted(meds, kb)
    added, added_splits = split_pasted(added, kb)
    result = check([*meds, *added], kb, age=age)
    added = [a.strip() for a in added]
    if fmt == "json":
        from ..reporters.json_format import render

        sys.stdout.write(render(result, kb, min_severity, added))
    elif fmt in ("html", "markdown"):
        from ..reporters.markdown_format import PAGES

        sys.stdout.write(PAGES[fmt](result, kb, min_severity, patient, adding=added))
    else:
        view = {"detail": "brief" if brief else "verbose" if verbose else "normal",
                "show_resolutions": show_resolutions, "adding": added, "splits": splits + added_splits}
        width = terminal_width()
        if use_rich_output(color):
            from rich.console import Console

            from ..reporters.text_format import render_rich

            render_rich(result, kb, Console(highlight=False, width=width, force_terminal=True, no_color=False), min_severity, **view)
        else:
            from ..reporters.text_format import render_plain

            sys.stdout.write(render_plain(result, kb, width, min_severity, **view))
    if added:
        result = adding_view(result, added)
    return int(exit_code([result], fail_on))
