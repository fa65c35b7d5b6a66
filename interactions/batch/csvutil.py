"""What the CSV readers share: delimiters, the header, finding columns, and rows that may be broken."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import CheckMedsError
from ..exitcodes import ExitCode
from .source import Source

ID_COLUMNS = ("patient_id", "patient", "list_id", "id", "patient id", "mrn", "resident_id", "resident")
MED_COLUMNS = ("medication", "medication_name", "medications", "drug", "drug_name", "drugs", "name", "med", "meds")
AGE_COLUMNS = ("age", "patient_age", "age_years")
FIELD_LIMIT = 1 << 20


def delimiter_for(source: Source, fmt: str) -> str:
    """Tab for TSV (by format, extension, or a tab-separated first line), else comma."""
    if fmt == "tsv" or source.extension in (".tsv", ".tab"):
        return "\t"
    first = source.head().split(b"\n", 1)[0]
    return "\t" if b"\t" in first and b"," not in first else ","


def fold(name: str) -> str:
    return " ".join(name.strip().lstrip("\ufeff").casefold().replace("-", "_").split())


def find_column(header: list[str], wanted: str | None, defaults: tuple[str, ...], what: str, option: str, source: Source, required: bool = True) -> int | None:
    """Index of a column: the one named by an option, else the first default name present."""
    folded = [fold(h) for h in header]
    names = (wanted,) if wanted else defaults
    for n in names:
        f = fold(n)
        if f in folded:
            return folded.index(f)
        f2 = f.replace(" ", "_")
        if f2 in folded:
            return folded.index(f2)
    if not required:
        return None
    shown = ", ".join(repr(h) for h in header[:12])
    if wanted:
        raise CheckMedsError(f"{source.name}:1: no column {wanted!r} (columns: {shown})", ExitCode.USAGE)
    raise CheckMedsError(
        f"{source.name}:1: no {what} column (looked for {', '.join(defaults)}; name it with {option}); columns: {shown}",
        ExitCode.USAGE,
    )


class Rows:
    """CSV records of a source with their line numbers; a broken record is reported, never fatal."""

    def __init__(self, source: Source, delimiter: str) -> None:
        import csv

        csv.field_size_limit(FIELD_LIMIT)
        self.source = source
        self._csv = csv
        self.reader = csv.reader(source.lines(), delimiter=delimiter)
        self.prev = 0  # last physical line consumed

    def __iter__(self) -> Iterator[tuple[int, list[str] | None, str | None]]:
        """(first line, cells, error) per record; blank records skipped."""
        reader = self.reader
        source = self.source
        Error = self._csv.Error
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except Error as exc:
                start = self.prev + 1
                self.prev = reader.line_num
                yield start, None, f"not valid CSV: {exc}"
                continue
            start = self.prev + 1
            self.prev = end = reader.line_num
            if source.bad_lines:
                bad = source.claim_bad(start, end)
                if bad is not None:
                    yield bad, cells, "not valid UTF-8"
                    continue
            if not any(cells):  # a blank line, or only delimiters: no list there
                continue
            yield start, cells, None

    def ids(self, index: int) -> Iterator[str]:
        """Only the stripped cell ``index`` of each remaining record (a fast first pass)."""
        reader = self.reader
        while True:
            try:
                yield from (c[index].strip() for c in reader if len(c) > index)
                return
            except self._csv.Error:
                continue

    def header(self) -> tuple[int, list[str]]:
        """The first non-blank record, which must be readable."""
        for line, cells, error in self:
            if error is not None or cells is None:
                raise CheckMedsError(f"{self.source.name}:{line}: header: {error}", ExitCode.USAGE)
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
