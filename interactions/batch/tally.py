"""What a whole run adds up to: counts for the summary, the worst lists, and the exit code."""

from __future__ import annotations

from collections import Counter

from ..exitcodes import ExitCode
from ..kb import MEMO_KEY_MAX, UNRECOGNISED_LIMIT
from ..severity import RANK, SEVERITIES

MAX_DISTINCT_NAMES = UNRECOGNISED_LIMIT  # unrecognised names (of MEMO_KEY_MAX characters at most) counted one by one, in order of first sight; the rest only in total
MAX_ERRORS_KEPT = 50


class Tally:
    """Counts over every list of a run, from the digests the checker produces."""

    def __init__(self) -> None:
        self.lists_in = 0  # records the reader produced
        self.lists_out = 0  # entries the writer wrote
        self.errors = 0
        self.checked = 0
        self.incomplete = 0
        self.clean = 0  # complete and no findings
        self.not_applied = 0  # complete, no findings, but age-dependent rules not applied (no age)
        self.with_severity = dict.fromkeys(SEVERITIES, 0)
        self.rules: Counter[str] = Counter()
        self.names: Counter[str] = Counter()  # unrecognised input -> lists it appears in
        self.names_other = 0  # occurrences beyond MAX_DISTINCT_NAMES distinct names, and of overlong ones
        self.error_samples: list[tuple[str | None, int | None, str]] = []
        self.highest = 0

    def add(self, digests: list[tuple]) -> None:
        with_sev = self.with_severity
        rules = self.rules
        names = self.names
        for rid, line, error, rank, sevs, rule_ids, unrec, complete, skipped in digests:
            if error is not None:
                self.errors += 1
                if len(self.error_samples) < MAX_ERRORS_KEPT:
                    self.error_samples.append((rid, line, error))
                continue
            self.checked += 1
            if rank > self.highest:
                self.highest = rank
            for s in sevs:
                with_sev[s] += 1
            if rule_ids:
                rules.update(rule_ids)
            if not complete:
                self.incomplete += 1
                for n in unrec:
                    if n in names or (len(names) < MAX_DISTINCT_NAMES and len(n) <= MEMO_KEY_MAX):
                        names[n] += 1
                    else:
                        self.names_other += 1
            elif not rule_ids:
                if skipped:
                    self.not_applied += 1  # nothing found, but older-adult rules were not applied
                else:
                    self.clean += 1

    def exit_code(self, fail_on: str) -> ExitCode:
        """1 if any list has a finding at or above ``fail_on``; else 4 if any list was incomplete or had an error; else 0."""
        if self.highest and self.highest >= RANK.get(fail_on, 99):
            return ExitCode.FINDINGS
        if self.incomplete or self.errors:
            return ExitCode.INCOMPLETE
        return ExitCode.OK

    def line(self) -> str:
        """The one summary line every run ends with."""
        return f"lists in {self.lists_in}, lists out {self.lists_out}, errors {self.errors}"
