"""CSV with one list per row: an id, then medications separated by ';' or '|'.

With a header (its first cell is an id column name such as ``patient_id``),
the id, medication and optional ``age`` columns are found by name. Without
one, the first cell is the id and every other cell holds medications.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from . import ReadOptions, Record, parse_age
from .csvutil import AGE_COLUMNS, DELIMITER_NAMES, ID_COLUMNS, ID_NAMES, MED_COLUMNS, Rows, cell_id, columns_note, delimiter_for, find_column, fold
from .source import Source

SEPARATORS = re.compile(r"\s*[;|]\s*")


def split_meds(cell: str) -> list[str]:
    """'baclofen; alcohol|Xanax' -> ['baclofen', 'alcohol', 'Xanax'] (empty items kept, as '')."""
    cell = cell.strip()
    return SEPARATORS.split(cell) if cell else []


def read(source: Source, opts: ReadOptions, fmt: str = "csv-wide") -> Iterator[Record]:
    """One list per CSV row, in input order; rows of one id merged (see :mod:`.duplicates`)."""
    from .duplicates import merged

    source.rewindable()
    delimiter = delimiter_for(source, fmt)
    _records(source, opts, delimiter, note=True)  # the header's problems surface now, and its note once
    return merged(source, opts, lambda: _records(source, opts, delimiter))


def _records(source: Source, opts: ReadOptions, delimiter: str, note: bool = False) -> Iterator[Record]:
    rows = Rows(source, delimiter)
    it = iter(rows)
    first = next(it, None)
    if first is None:
        return iter(())
    line, cells, error = first
    id_names = {fold(n) for n in (opts.id_column,) if n} or ID_NAMES
    has_header = error is None and cells and fold(cells[0]) in id_names
    if opts.id_column or opts.med_column or has_header:
        if error is not None or not cells:
            from ..errors import CheckMedsError

            raise CheckMedsError(f"{source.name}:{line}: header: {error or 'empty'}")
        rows.width = len(cells)
        id_i = find_column(cells, opts.id_column, ID_COLUMNS, "list id", "--id-column", source)
        med_i = find_column(cells, opts.med_column, MED_COLUMNS, "medication", "--med-column", source)
        age_i = find_column(cells, None, AGE_COLUMNS, "age", "", source, required=False)
        if note:
            opts.notes.append(columns_note(source, cells, delimiter, [("list id", id_i), ("medications", med_i), ("age", age_i)]))
        return _with_header(it, id_i, med_i, age_i)  # type: ignore[arg-type]
    if note:
        opts.notes.append(f"{source.name}: {DELIMITER_NAMES[delimiter]}-separated, no header: the first column is the list id, the others hold medications")
    return _without_header(first, it, opts)


def _with_header(it: Iterator, id_i: int, med_i: int, age_i: int | None) -> Iterator[Record]:
    for line, cells, error in it:
        rid = cell_id(cells, id_i)
        if error is None and len(cells) <= max(id_i, med_i):
            error = f"row has {len(cells)} field{'s' if len(cells) != 1 else ''}, expected at least {max(id_i, med_i) + 1}"
        if error is None and rid is None:
            error = "empty list id"
        if error is not None:
            yield Record(rid, line, [], None, error)
            continue
        age = None
        if age_i is not None and age_i < len(cells) and cells[age_i].strip():
            try:
                age = parse_age(cells[age_i])
            except ValueError as exc:
                yield Record(rid, line, [], None, str(exc))
                continue
        meds = split_meds(cells[med_i])
        yield Record(rid, line, meds, age, None if meds else "no medications")


def _without_header(first: tuple, it: Iterator, opts: ReadOptions) -> Iterator[Record]:
    for line, cells, error in _prepend(first, it):
        rid = cell_id(cells, 0)
        if error is None and rid is None:
            error = "empty list id"
        elif error is None and opts.is_medication(rid):
            # "warfarin,fluconazole" is a list without an id, not list 'warfarin'
            # holding fluconazole: never check it as the latter
            error = (
                f"the first column holds a medication ({rid!r}), not a list id: give the file a header row "
                "(id,medications) or read it as one list per line (--input-format text)"
            )
        if error is not None:
            yield Record(rid, line, [], None, error)
            continue
        meds = [m for cell in cells[1:] for m in split_meds(cell)]
        yield Record(rid, line, meds, None, None if meds else "no medications")


def _prepend(first: tuple, it: Iterator) -> Iterator:
    yield first
    yield from it
