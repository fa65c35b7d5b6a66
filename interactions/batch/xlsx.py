"""Excel workbooks (.xlsx): one sheet read with openpyxl and turned into CSV lines, one line per row.

openpyxl is an optional dependency (``pip install 'check-meds[xlsx]'``),
imported only when a workbook is read. The first sheet is read unless
``--sheet`` names another. Cells become text as a person sees them: whole
numbers without a decimal point (an id 1001 stays "1001"), dates as ISO
dates, empty cells empty; a line break inside a cell becomes a space, so the
line numbers of the CSV are the workbook's row numbers.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from typing import Any, BinaryIO

from ..errors import CheckMedsError
from ..exitcodes import ExitCode

MAX_BYTES = 256 << 20


def cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, _dt.datetime):
        return v.date().isoformat() if v.time() == _dt.time() else v.isoformat(sep=" ")
    if isinstance(v, _dt.date):
        return v.isoformat()
    text = str(v)
    if "\n" in text or "\r" in text:  # one row, one line: the line numbers stay the row numbers
        text = " ".join(text.replace("\r", "\n").split("\n"))
    return text


def sheet_to_csv(source: Any, sheet: str | None) -> BinaryIO:
    """The sheet as UTF-8 CSV in a temporary file (header and rows, comma-separated)."""
    try:
        import openpyxl
    except ImportError:
        raise CheckMedsError(
            f"{source.name}: reading .xlsx workbooks needs openpyxl: pip install 'check-meds[xlsx]' (or save the sheet as CSV)",
            ExitCode.USAGE,
        ) from None
    import tempfile
    import zipfile

    with source.raw() as fh:
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise CheckMedsError(f"{source.name}: workbook larger than {MAX_BYTES >> 20} MiB; save the sheet as CSV", ExitCode.USAGE)
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise CheckMedsError(f"{source.name}: not a readable .xlsx workbook ({type(exc).__name__}: {exc})", ExitCode.USAGE) from None
    try:
        names = wb.sheetnames
        if sheet is None:
            ws = wb.worksheets[0] if names else None
        elif sheet in names:
            ws = wb[sheet]
        else:
            raise CheckMedsError(f"{source.name}: no sheet {sheet!r} (sheets: {', '.join(map(repr, names))})", ExitCode.USAGE)
        if ws is None:
            raise CheckMedsError(f"{source.name}: the workbook has no sheets", ExitCode.USAGE)
        text = io.TextIOWrapper(tempfile.TemporaryFile(), encoding="utf-8", newline="")
        writer = csv.writer(text, lineterminator="\n")
        for row in ws.iter_rows(values_only=True):
            writer.writerow([cell_text(v) for v in row])
        text.flush()
        spool = text.detach()
    finally:
        wb.close()
    spool.seek(0)
    return spool  # type: ignore[return-value]
