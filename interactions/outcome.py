"""From results to a process exit code (the only policy the CLI applies)."""

from __future__ import annotations

from collections.abc import Iterable

from .engine import CheckResult
from .exitcodes import ExitCode
from .severity import RANK

FAIL_ON_CHOICES = ("minor", "moderate", "major", "contraindicated", "none")


def exit_code(results: Iterable[CheckResult], fail_on: str = "minor") -> ExitCode:
    """1 if any finding reaches ``fail_on``; else 4 if any name was not recognised; else 0."""
    threshold = RANK.get(fail_on, 99)  # "none": findings never fail the run
    incomplete = False
    for r in results:
        if r.findings and max(f.rank for f in r.findings) >= threshold:
            return ExitCode.FINDINGS
        if not r.complete:
            incomplete = True
    return ExitCode.INCOMPLETE if incomplete else ExitCode.OK
