"""JSON Lines: one object per list, ``{"id": ..., "medications": [...], "age": ...}``.

``id`` is a string or a number (the line number when absent); ``age`` is
optional. Other keys are ignored. A line that is not such an object becomes
an error entry and the run goes on.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from typing import Any

from . import ReadOptions, Record, parse_age
from .source import Source


def read(source: Source, opts: ReadOptions, fmt: str = "jsonl") -> Iterator[Record]:
    """One list per non-blank line, in input order; lines of one id merged (see :mod:`.duplicates`)."""
    from .duplicates import merged

    return merged(source, opts, lambda: _records(source))


def _records(source: Source) -> Iterator[Record]:
    loads = json.loads
    bad = source.bad_lines
    for n, line in enumerate(source.lines(), 1):
        if bad and source.claim_bad(n, n) is not None:
            yield Record(None, n, [], None, source.why(n))
            continue
        if not line.strip():
            continue
        try:
            obj = loads(line)
        except (ValueError, RecursionError) as exc:
            yield Record(None, n, [], None, json_problem(exc))
            continue
        yield record(obj, n)


def record(obj: Any, n: int) -> Record:
    """A Record from one parsed JSON Lines object (an error Record if it is not a valid list)."""
    if not isinstance(obj, dict):
        return Record(None, n, [], None, f"expected a JSON object with \"medications\", got {type(obj).__name__}")
    rid = obj.get("id")
    if rid is None:
        rid = str(n)
    elif isinstance(rid, float) and not math.isfinite(rid):  # 1e400 parses as inf
        return Record(None, n, [], None, f"\"id\" must be a string or a finite number, got {rid!r}")
    elif isinstance(rid, (int, float)) and not isinstance(rid, bool):
        rid = str(rid)
    elif not isinstance(rid, str) or not text_ok(rid):
        return Record(None, n, [], None, "\"id\" must be a string or a number")
    elif not rid.strip():
        return Record(None, n, [], None, "empty list id")
    meds = obj.get("medications")
    if not isinstance(meds, list):
        return Record(rid, n, [], None, "\"medications\" must be a list of strings" if "medications" in obj else "no \"medications\" list")
    if not all(isinstance(m, str) and text_ok(m) for m in meds):
        return Record(rid, n, [], None, "\"medications\" must be a list of strings")
    if not meds:
        return Record(rid, n, [], None, "no medications")
    age = obj.get("age")
    if age is not None:
        try:
            age = parse_age(age)
        except ValueError as exc:
            return Record(rid, n, [], None, str(exc))
    return Record(rid, n, [m.strip() for m in meds], age)


def text_ok(s: str) -> bool:
    """False for strings with lone surrogates ('\\ud800' in JSON), which cannot be written as UTF-8."""
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def json_problem(exc: Exception) -> str:
    """'not valid JSON: <what> at column N' for a line that did not parse."""
    if isinstance(exc, json.JSONDecodeError):
        return f"not valid JSON: {exc.msg} at column {exc.colno}"
    if isinstance(exc, RecursionError):
        return "not valid JSON: nested too deeply"
    msg = str(exc)
    return f"not valid JSON: {msg if len(msg) <= 120 else msg[:117] + '...'}"
