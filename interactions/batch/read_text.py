"""Plain text: one list per line, medications separated by commas; the id is the line number.

Blank lines and lines starting with '#' are not lists.
"""

from __future__ import annotations

from collections.abc import Iterator

from . import ReadOptions, Record
from .source import Source


def read(source: Source, opts: ReadOptions, fmt: str = "text") -> Iterator[Record]:
    """One list per non-blank, non-comment line, in input order."""
    bad = source.bad_lines
    for n, line in enumerate(source.lines(), 1):
        if bad and source.claim_bad(n, n) is not None:
            yield Record(str(n), n, [], None, source.why(n))
            continue
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        yield Record(str(n), n, [m.strip() for m in text.split(",")])
