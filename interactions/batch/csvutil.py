"""What the CSV readers share: delimiters, the header, finding columns, and rows that may be broken."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..errors import CheckMedsError
from ..exitcodes import ExitCode
from .source import Source

ID_COLUMNS = ("patient_id", "patient", "list_id", "id", "mrn", "resident_id", "resident", "client_id", "person_id", "nhs_number")
MED_COLUMNS = ("medication", "medication_name", "medications", "drug", "drug_name", "drugs", "medicine", "medicines", "rx", "name", "med", "meds")
AGE_COLUMNS = ("age", "patient_age", "age_years")
FIELD_LIMIT = 1 << 20
DELIMITERS = (",", "\t", ";")
DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon"}
_NOT_ALNUM = re.compile(r"[\W_]+")


def fold(name: str) -> str:
    """A header name as matched: case, spaces, underscores and punctuation ignored ('Patient ID' == 'PATIENT_ID' == 'patientid')."""
    return _NOT_ALNUM.sub("", name.lstrip("\ufeff").casefold())


HEADER_NAMES = frozenset(fold(n) for n in (*ID_COLUMNS, *MED_COLUMNS, *AGE_COLUMNS))
ID_NAMES = frozenset(fold(n) for n in ID_COLUMNS)


def first_line(source: Source) -> str:
    """The first line that is not blank or a '#' comment (decoded as the readers will)."""
    text = source.head().decode("utf-8", "replace")
    lines = text.split("\n")
    if len(lines) > 1:
        lines.pop()  # possibly cut short by the end of the peek
    for line in lines:
        if line.strip() and not line.lstrip().startswith("#"):
            return line.rstrip("\r")
    return ""


def sniff(first: str) -> str:
    """The delimiter of a CSV whose first line is ``first``: the one that splits it into known
    column names (the most columns wins), else tab for a tab-only line, comma, or semicolon."""
    import csv

    best: tuple[int, str] | None = None
    for d in DELIMITERS:
        if d not in first:
            continue
        try:
            cells = next(csv.reader([first], delimiter=d))
        except (csv.Error, StopIteration):
            continue
        if len(cells) >= 2 and any(fold(c) in HEADER_NAMES for c in cells) and (best is None or len(cells) > best[0]):
            best = (len(cells), d)
    if best is not None:
        return best[1]
    if "\t" in first and "," not in first:
        return "\t"
    if "," in first or ";" not in first:
        return ","
    return ";"


def delimiter_for(source: Source, fmt: str) -> str:
    """Tab for TSV (by format or extension), else sniffed from the first line: ',', tab or ';'."""
    if fmt == "tsv" or source.extension in (".tsv", ".tab"):
        return "\t"
    return sniff(first_line(source))


def find_column(header: list[str], wanted: str | None, defaults: tuple[str, ...], what: str, option: str, source: Source, required: bool = True) -> int | None:
    """Index of a column: the one named by an option, else the first default name present (names folded)."""
    folded = [fold(h) for h in header]
    names = (wanted,) if wanted else defaults
    for n in names:
        f = fold(n)
        if f and f in folded:
            return folded.index(f)
    if not required:
        return None
    shown = ", ".join(repr(h) for h in header[:12])
    if wanted:
        raise CheckMedsError(f"{source.name}:1: no column {wanted!r} (columns: {shown})", ExitCode.USAGE)
    raise CheckMedsError(
        f"{source.name}:1: no {what} column (looked for {', '.join(defaults)}; name it with {option}); columns: {shown}",
        ExitCode.USAGE,
    )


def columns_note(source: Source, header: list[str], delimiter: str, used: list[tuple[str, int | None]]) -> str:
    """The stderr line saying which columns were read, so a misread header is seen at once."""
    parts = [f"{what} {header[i].strip().lstrip(chr(0xFEFF))!r} (column {i + 1})" for what, i in used if i is not None]
    return f"{source.name}: {DELIMITER_NAMES[delimiter]}-separated; columns used: {', '.join(parts)}"


class Rows:
    """CSV records of a source with their line numbers; a broken record is reported, never fatal.

    A quoted field that runs over line ends and swallows lines that read as
    rows on their own (the header's number of fields, balanced quotes) is
    reported as an error at the line where the quote opened, and the lines
    after it are read again as rows: an unbalanced quote costs one row, never
    the rest of the file.
    """

    def __init__(self, source: Source, delimiter: str) -> None:
        import csv

        csv.field_size_limit(FIELD_LIMIT)
        self.source = source
        self.delimiter = delimiter
        self._csv = csv
        self._lines = source.lines()
        self._taken: list[str] = []  # physical lines of the record being read
        self._again: list[str] = []  # lines pushed back to be read again (after a runaway quote)
        self.reader = csv.reader(self._feed(), delimiter=delimiter)
        self.prev = 0  # last physical line consumed
        self.width: int | None = None  # fields in the header, once read
        self._eof = False

    def _feed(self) -> Iterator[str]:
        taken = self._taken
        again = self._again
        for line in self._lines:
            while again:  # lines a runaway quote swallowed come back first, in order
                s = again.pop()
                taken.append(s)
                yield s
            taken.append(line)
            yield line
        while again:
            s = again.pop()
            taken.append(s)
            yield s
        self._eof = True

    def _runaway(self, start: int, error: str | None) -> str | None:
        """For a record read over several lines: why it is an error, pushing back the lines to read again; None if it is fine."""
        taken = self._taken
        n = len(taken)
        for k in range(1, n - 1 if error is None else n):
            if self._looks_like_row(taken[k]):
                self._again.extend(reversed(taken[k:]))
                self.prev = start + k - 1
                return f"a quoted field opened on this line is not closed before line {start + k}, which is read as the next row"
        if error is not None:
            return f"not valid CSV: {error}"
        if "".join(taken).count('"') % 2:
            return f"a quoted field opened on this line is never closed (lines {start}-{start + n - 1} not read)"
        return None  # a quoted value over several lines, closed: fine

    def _opening_cells(self) -> list[str] | None:
        """The fields of a runaway record's first line, read on their own (for the list id)."""
        if not self._taken:
            return None
        try:
            return next(self._csv.reader([self._taken[0].split('"', 1)[0] + "\n"], delimiter=self.delimiter))
        except (self._csv.Error, StopIteration):
            return None

    def _looks_like_row(self, line: str) -> bool:
        if line.count('"') % 2 or not line.strip():
            return False
        try:
            cells = next(self._csv.reader([line], delimiter=self.delimiter))
        except (self._csv.Error, StopIteration):
            return False
        if not cells or not cells[0].strip():
            return False
        return len(cells) == self.width if self.width else len(cells) >= 2

    def __iter__(self) -> Iterator[tuple[int, list[str] | None, str | None]]:
        """(first line, cells, error) per record; blank records skipped."""
        reader = self.reader
        source = self.source
        taken = self._taken
        Error = self._csv.Error
        while True:
            taken.clear()
            start = self.prev + 1
            error = None
            try:
                cells = next(reader)
            except StopIteration:
                return
            except Error as exc:
                cells, error = None, str(exc)
            end = self.prev = start + len(taken) - 1
            if end > start:
                why = self._runaway(start, error)
                if why is not None:
                    if self._again and self._eof:  # the reader saw the end: a fresh one reads the lines again
                        self._eof = False
                        reader = self.reader = self._csv.reader(self._feed(), delimiter=self.delimiter)
                    # the opening line's own fields (its id) say whose row could not be read
                    yield start, self._opening_cells(), why
                    continue
            if error is not None:
                yield start, None, f"not valid CSV: {error}"
                continue
            if self._eof and any(c.endswith("\n") for c in cells):  # type: ignore[union-attr]  # the file ended inside quotes
                yield start, self._opening_cells(), "a quoted field opened on this line is never closed (the file ends first)"
                continue
            if source.bad_lines:
                bad = source.claim_bad(start, end)
                if bad is not None:
                    yield bad, cells, source.why(bad)
                    continue
            if not any(cells):  # type: ignore[arg-type]  # a blank line, or only delimiters: no list there
                continue
            yield start, cells, None

    def ids(self, index: int) -> Iterator[str | None]:
        """Only the id cell ``index`` of each readable record (a first pass, split exactly as the second)."""
        for _line, cells, _error in self:
            if cells is not None:
                yield cell_id(cells, index)

    def header(self) -> tuple[int, list[str]]:
        """The first non-blank record, which must be readable."""
        for line, cells, error in self:
            if error is not None or cells is None:
                raise CheckMedsError(f"{self.source.name}:{line}: header: {error}", ExitCode.USAGE)
            self.width = len(cells)
            return line, cells
        raise CheckMedsError(f"{self.source.name}: no medication lists found (the file is empty)", ExitCode.USAGE)


def cell_id(cells: list[Any] | None, index: int) -> str | None:
    """The id in a row, or None when it is missing, empty or garbled."""
    if cells is None or index >= len(cells):
        return None
    v = cells[index].strip()
    if not v or "\ufffd" in v:
        return None
    return v
