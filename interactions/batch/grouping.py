"""Long-form rows (one medication per row) to lists, streaming when each list's rows are contiguous.

A first pass reads only the ids to learn whether every list's rows are
contiguous (an id never comes back after another id). If they are, the second
pass streams: a list is complete when its id changes, so memory holds one list
at a time. If not, the second pass groups every row by id (memory grows with
the input) so that each list is still checked whole, once, in the order of
its first row. Rows that cannot be read and whose id is unknown become error
entries of their own, in line order.

Ids already finished are remembered exactly up to 65,536 lists, then in a
fixed-size (16 MiB) Bloom filter, so the first pass also runs in bounded
memory; a false positive only costs the grouped second pass, never a wrong
answer.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from . import Record

# A row: (id or None, line, medication or None, age or None, error or None);
# a row with an id and neither medication nor error counts as skipped (not current)
Row = tuple

_BLOOM_BITS = 1 << 27  # 16 MiB: a false positive is unlikely below about a million lists
_BLOOM_HASHES = 6


class _Bloom:
    def __init__(self) -> None:
        self.bits = bytearray(_BLOOM_BITS >> 3)
        self.mask = _BLOOM_BITS - 1

    def add_and_test(self, item: str) -> bool:
        """Add ``item``; True if it was (probably) there already."""
        h = hash(item)
        h1 = h & 0xFFFFFFFF
        h2 = ((h >> 32) & 0xFFFFFFFF) | 1
        bits = self.bits
        mask = self.mask
        present = True
        for i in range(_BLOOM_HASHES):
            b = (h1 + i * h2) & mask
            byte = b >> 3
            bit = 1 << (b & 7)
            if not bits[byte] & bit:
                present = False
                bits[byte] |= bit
        return present


_EXACT = 1 << 16


class Contiguity:
    """Fed ids in row order; ``ok`` stays True while no id has come back after another id."""

    def __init__(self) -> None:
        self.ok = True
        self._prev: str | None = None
        self._exact: set[str] | None = set()
        self._bloom: _Bloom | None = None

    def add(self, rid: str | None) -> None:
        if not rid or rid == self._prev or not self.ok:
            return
        self._prev = rid
        exact = self._exact
        if exact is not None:
            if rid in exact:
                self.ok = False
                return
            exact.add(rid)
            if len(exact) > _EXACT:
                self._bloom = _Bloom()
                for i in exact:
                    self._bloom.add_and_test(i)
                self._exact = None
        elif self._bloom.add_and_test(rid):  # type: ignore[union-attr]
            self.ok = False


def contiguous(ids: Iterable[str | None]) -> bool:
    """True if no id comes back after another id (empty ids are ignored)."""
    c = Contiguity()
    prev = None
    for rid in ids:
        if rid != prev:  # most rows continue the list before them
            prev = rid
            c.add(rid)
            if not c.ok:
                return False
    return True


def group(ids: Callable[[], Iterable[str | None]], rows: Callable[[], Iterator[Row]]) -> Iterator[Record]:
    """Lists from long-form rows.

    Args:
        ids: a first pass over the input giving each row's id, normalised
            exactly as ``rows`` gives it.
        rows: the second pass, giving full rows.
    """
    yield from lists(rows, contiguous(ids()))


def lists(rows: Callable[[], Iterator[Row]], is_contiguous: bool) -> Iterator[Record]:
    """Stream lists from contiguous rows, or group all rows by id first."""
    yield from _stream(rows()) if is_contiguous else _grouped(rows())


class _Acc:
    __slots__ = ("id", "line", "meds", "age", "error", "skipped")

    def __init__(self, rid: str, line: int | None) -> None:
        self.id = rid
        self.line = line
        self.meds: list[str] = []
        self.age: int | None = None
        self.error: str | None = None
        self.skipped = 0  # rows that name a medication not to check (FHIR: not current)

    def add(self, row: Row) -> None:
        _rid, line, med, age, error = row
        if self.error is not None:
            return
        if error is not None:
            self.error = error
            self.line = line
            return
        if med is None:
            self.skipped += 1
            return
        self.meds.append(med)
        if age is not None:
            if self.age is None:
                self.age = age
            elif age != self.age:
                self.error = f"age {age} differs from age {self.age} given on an earlier row of this list"
                self.line = line

    def record(self) -> Record:
        if self.error is not None:
            return Record(self.id, self.line, [], None, self.error)
        return Record(self.id, self.line, self.meds, self.age, None, self.skipped)


def _stream(rows: Iterator[Row]) -> Iterator[Record]:
    acc: _Acc | None = None
    waiting: list[Record] = []  # errors without an id that came after the open list started
    for row in rows:
        rid = row[0]
        if rid is None:
            rec = Record(None, row[1], [], None, row[4])
            if acc is None:
                yield rec
            else:
                waiting.append(rec)
            continue
        if acc is None or rid != acc.id:
            if acc is not None:
                yield acc.record()
                yield from waiting
                waiting.clear()
            acc = _Acc(rid, row[1])
        acc.add(row)
    if acc is not None:
        yield acc.record()
    yield from waiting


def _grouped(rows: Iterator[Row]) -> Iterator[Record]:
    lists: dict[object, _Acc | Record] = {}
    for n, row in enumerate(rows):
        rid = row[0]
        if rid is None:
            lists[("error", n)] = Record(None, row[1], [], None, row[4])  # a key no id can equal
            continue
        acc = lists.get(rid)
        if acc is None:
            acc = lists[rid] = _Acc(rid, row[1])
        acc.add(row)  # type: ignore[union-attr]
    for v in lists.values():
        yield v.record() if isinstance(v, _Acc) else v
