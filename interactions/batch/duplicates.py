"""One id on several rows of a wide CSV or JSON Lines file: said on stderr, and merged into one list as long form does.

A first pass reads only the ids. When none repeats, the second pass streams
the records unchanged. When some do, the run says how many (with the first
few and their lines) and, unless ``--no-merge``, the rows of each id become
one list, in the order of its first row, with the grouping long form uses (a
bad row makes the whole list an error entry; two different ages are an
error). Ids that differ only in case or surrounding spaces ('R01', ' r01')
are different lists, and said so, since a person probably meant one.

Ids are remembered exactly up to 65,536 of them (then the repeat test is a
fixed 16 MiB Bloom filter, and case variants are no longer looked for), so the
first pass runs in bounded memory. Past that cap every real repeat is still
found; a new id taken for a repeat by chance (about 1e-3 expected over a
million ids) only makes the warning's count too high, since merging by id
changes nothing for an id that does not repeat (docs/batch.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from . import ReadOptions, Record
from .grouping import _EXACT, Contiguity, _Bloom, lists
from .source import Source

EXAMPLES = 3


class _Ids:
    def __init__(self) -> None:
        self.order = Contiguity()
        self.first: dict[str, int | None] | None = {}  # id -> line of its first row
        self.bloom: _Bloom | None = None
        self.folded: dict[str, tuple[str, int | None]] = {}
        self.repeated = 0  # rows whose id came before
        self.examples: list[tuple[str, int | None, int | None]] = []
        self.variants: list[tuple[str, int | None, str, int | None]] = []

    def add(self, rid: str, line: int | None) -> None:
        self.order.add(rid)
        first = self.first
        if first is not None:
            if rid in first:
                self._repeat(rid, first[rid], line)
                return
            first[rid] = line
            if len(first) > _EXACT:
                self.bloom = _Bloom()
                for i in first:
                    self.bloom.add_and_test(i)
                self.first = None
                self.folded.clear()
                return
            f = rid.strip().casefold()
            other = self.folded.get(f)
            if other is None:
                self.folded[f] = (rid, line)
            else:
                self.variants.append((other[0], other[1], rid, line))
        elif self.bloom.add_and_test(rid):  # type: ignore[union-attr]
            self._repeat(rid, None, line)

    def _repeat(self, rid: str, first: int | None, line: int | None) -> None:
        self.repeated += 1
        if len(self.examples) < EXAMPLES:
            self.examples.append((rid, first, line))


def _at(line: int | None) -> str:
    return "" if line is None else f" (line {line})"


def merged(source: Source, opts: ReadOptions, records: Callable[[], Iterator[Record]]) -> Iterator[Record]:
    """The records of ``records()``, with rows of one id merged (unless ``opts.merge`` is False)."""
    source.rewindable()
    ids = _Ids()
    for rec in records():
        if rec.id is not None:
            ids.add(rec.id, rec.line)
    if ids.variants:
        shown = "; ".join(f"{a!r}{_at(la)} and {b!r}{_at(lb)}" for a, la, b, lb in ids.variants[:EXAMPLES])
        n = len(ids.variants)
        opts.notes.append(
            f"{source.name}: {n} list id{'s differ' if n != 1 else ' differs'} from another only in case or surrounding spaces, "
            f"and are checked as different lists: {shown}{' ...' if n > EXAMPLES else ''}"
        )
    if not ids.repeated:
        return records()
    n = ids.repeated
    shown = "; ".join(f"{rid!r} on line {first} and {line}" if first is not None else f"{rid!r} again on line {line}" for rid, first, line in ids.examples)
    if opts.merge:
        what = "their rows were merged into one list each, as in long form (--no-merge keeps them apart)"
    else:
        what = "each row is checked as a list of its own (--no-merge)"
    opts.notes.append(f"{source.name}: {n} row{'s repeat' if n != 1 else ' repeats'} a list id of an earlier row ({shown}{' ...' if n > EXAMPLES else ''}); {what}")
    if not opts.merge:
        return records()
    return lists(lambda: _rows(records()), ids.order.ok)


def _rows(records: Iterator[Record]) -> Iterator[tuple]:
    for rec in records:
        if rec.error is not None:
            yield (rec.id, rec.line, None, None, rec.error)
            continue
        age = rec.age
        for med in rec.meds:
            yield (rec.id, rec.line, med, age, None)
