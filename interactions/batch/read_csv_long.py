"""CSV/TSV in long form: one row per medication, with a list id column and a medication column.

An optional age column (``age``) gives the patient's age; it may be on any
row of the list. Rows of one list need not be contiguous (see grouping).
"""

from __future__ import annotations

from collections.abc import Iterator

from . import ReadOptions, Record, parse_age
from .csvutil import AGE_COLUMNS, ID_COLUMNS, MED_COLUMNS, Rows, cell_id, columns_note, delimiter_for, find_column
from .grouping import group
from .source import Source


def read(source: Source, opts: ReadOptions, fmt: str = "csv") -> Iterator[Record]:
    """Lists from a long-form CSV/TSV file, in the order of their first row."""
    source.rewindable()
    delimiter = delimiter_for(source, fmt)
    rows = Rows(source, delimiter)
    _, header = rows.header()
    id_i = find_column(header, opts.id_column, ID_COLUMNS, "list id", "--id-column", source)
    med_i = find_column(header, opts.med_column, MED_COLUMNS, "medication", "--med-column", source)
    age_i = find_column(header, None, AGE_COLUMNS, "age", "", source, required=False)
    opts.notes.append(columns_note(source, header, delimiter, [("list id", id_i), ("medication", med_i), ("age", age_i)]))
    need = max(id_i, med_i) + 1  # type: ignore[operator]

    def ids() -> Iterator[str]:
        r = Rows(source, delimiter)
        r.header()
        return r.ids(id_i)  # type: ignore[arg-type]

    def make_rows() -> Iterator[tuple]:
        r = Rows(source, delimiter)
        r.header()
        ages: dict[str, int] = {}  # cell -> age: every row of a list repeats it
        for line, cells, error in r:
            rid = cell_id(cells, id_i)  # type: ignore[arg-type]
            if error is None and len(cells) < need:  # type: ignore[arg-type]
                error = f"row has {len(cells)} field{'s' if len(cells) != 1 else ''}, expected at least {need}"  # type: ignore[arg-type]
            if error is None and rid is None:
                error = "empty list id"
            if error is not None:
                yield (rid, line, None, None, error)
                continue
            age = None
            if age_i is not None and age_i < len(cells) and cells[age_i].strip():  # type: ignore[index, arg-type]
                cell = cells[age_i]  # type: ignore[index]
                age = ages.get(cell)
                if age is None:
                    try:
                        age = parse_age(cell)
                    except ValueError as exc:
                        yield (rid, line, None, None, str(exc))
                        continue
                    if len(ages) < 1000:
                        ages[cell] = age
            yield (rid, line, cells[med_i].strip(), age, None)  # type: ignore[index]

    return group(ids, make_rows)
