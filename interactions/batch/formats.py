"""Input formats: the reader for each, and how ``auto`` picks one from the extension and the content."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator

from . import ReadOptions, Record
from .csvutil import ID_NAMES, MED_COLUMNS, fold, sniff
from .source import Source

# format -> reader module (imported only when used)
READERS = {
    "csv": "read_csv_long",
    "tsv": "read_csv_long",
    "csv-wide": "read_csv_wide",
    "text": "read_text",
    "jsonl": "read_jsonl",
    "fhir": "read_fhir",
}
INPUT_FORMATS = ("auto", *READERS, "xlsx")


def read(source: Source, fmt: str, opts: ReadOptions) -> tuple[str, Iterator[Record]]:
    """(the format used, its records) for ``fmt`` ('auto' detects it; 'xlsx' reads a workbook's sheet as CSV)."""
    if fmt == "xlsx" or (fmt in ("auto", "csv", "csv-wide") and source.is_workbook()):
        source.convert_workbook()
        if fmt == "xlsx":
            fmt = "auto"
    if fmt == "auto":
        fmt = detect(source)
    module = importlib.import_module(f"{__package__}.{READERS[fmt]}")
    return fmt, module.read(source, opts, fmt)


def detect(source: Source) -> str:
    """The input format, from the extension where it is decisive, else from the first lines."""
    ext = source.extension
    head = source.head()
    text = head.decode("utf-8-sig", "replace")
    lines = [s for s in text.splitlines()[:-1] or text.splitlines() if s.strip() and not s.lstrip().startswith("#")]
    first = lines[0].strip() if lines else ""
    if ext in (".json", ".jsonl", ".ndjson") or first.startswith(("{", "[")):
        return _json_kind(first, ext)
    delimiter = "\t" if ext in (".tsv", ".tab") else sniff(first)
    if ext in (".csv", ".tsv", ".tab") or _has_id_header(first, delimiter):
        return _csv_kind(lines, delimiter)
    return "text"


def _json_kind(first: str, ext: str) -> str:
    try:
        obj = json.loads(first)
    except (ValueError, RecursionError):  # RecursionError: nested too deeply; the reader reports the line
        return "fhir" if ext != ".jsonl" else "jsonl"  # a pretty-printed document: a Bundle
    if isinstance(obj, dict) and "resourceType" in obj:
        return "fhir"
    return "jsonl"


def _has_id_header(first: str, delimiter: str) -> bool:
    import csv

    try:
        cells = next(csv.reader([first], delimiter=delimiter))
    except (csv.Error, StopIteration):
        return False
    return bool(cells) and fold(cells[0]) in ID_NAMES and len(cells) >= 2


def _csv_kind(lines: list[str], delimiter: str) -> str:
    """Long form (a row per medication) unless the rows hold ';'/'|'-separated lists or there is no header."""
    import csv

    long_name = "tsv" if delimiter == "\t" else "csv"
    try:
        rows = list(csv.reader(lines[:500], delimiter=delimiter))
    except csv.Error:
        return long_name
    if not rows:
        return long_name
    header = [fold(h) for h in rows[0]]
    ids = ID_NAMES
    if not header or header[0] not in ids and not ids & set(header):
        return "csv-wide"  # no header: an id, then medications
    meds = [i for i, h in enumerate(header) if h in {fold(n) for n in MED_COLUMNS}]
    med_i = meds[0] if meds else (1 if len(header) > 1 else 0)
    for r in rows[1:]:
        if med_i < len(r) and any(sep in r[med_i] for sep in ";|"):
            return "csv-wide"
    return long_name
