"""Batch checking: many medication lists in one run, read lazily and reported in input order."""

from __future__ import annotations

from typing import Any


class Record:
    """One input list: its id, where it starts, its medications and age, or why it cannot be checked."""

    __slots__ = ("id", "line", "meds", "age", "error", "not_current")

    def __init__(self, id: str | None, line: int | None, meds: list[str], age: int | None = None, error: str | None = None, not_current: int = 0) -> None:
        self.id = id
        self.line = line  # 1-based line of the list (of the problem, for an error); None inside a FHIR Bundle
        self.meds = meds
        self.age = age
        self.error = error  # set when the list cannot be checked: it gets an error entry
        self.not_current = not_current  # FHIR: medication resources of this list skipped as not current

    def __repr__(self) -> str:
        return f"Record({self.id!r}, {self.line!r}, {self.meds!r}, age={self.age!r}, error={self.error!r}, not_current={self.not_current!r})"

    def __eq__(self, other: Any) -> bool:
        return isinstance(other, Record) and all(getattr(self, s) == getattr(other, s) for s in self.__slots__)

    def __reduce__(self) -> tuple:  # compact pickling for --jobs
        return (Record, (self.id, self.line, self.meds, self.age, self.error, self.not_current))


class ReadOptions:
    """What a reader needs besides the input: column names, and a way to ask the knowledge base about codes."""

    __slots__ = ("id_column", "med_column", "has_code", "is_medication", "notes", "merge", "include_inactive")

    def __init__(
        self, id_column: str | None = None, med_column: str | None = None, has_code: Any = None, is_medication: Any = None,
        merge: bool = True, include_inactive: bool = False,
    ) -> None:
        self.id_column = id_column
        self.med_column = med_column
        self.merge = merge  # rows of one id in wide CSV / JSON Lines become one list (as long form does)
        self.include_inactive = include_inactive  # FHIR: also check stopped, completed and old resources
        self.has_code = has_code or (lambda code: False)  # RxNorm code -> is it in the knowledge base?
        # text -> does it resolve to a medication? (a list id must not be one)
        self.is_medication = is_medication or (lambda text: False)
        self.notes: list[str] = []  # one-line remarks for stderr (e.g. FHIR resources not used)


def parse_age(value: Any) -> int:
    """An age in whole years, 0-130, from a cell or a JSON value. Raises ValueError with a message."""
    if isinstance(value, bool):
        raise ValueError(f"age {value!r} is not a whole number of years")
    if isinstance(value, str):
        text = value.strip()
        try:
            value = int(text)
        except ValueError:
            try:
                f = float(text)
            except ValueError:
                raise ValueError(f"age {text!r} is not a whole number of years") from None
            value = f
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"age {value!r} is not a whole number of years")
        value = int(value)
    if not isinstance(value, int):
        raise ValueError(f"age {value!r} is not a whole number of years")
    if not 0 <= value <= 130:
        raise ValueError(f"age {value} is outside 0-130")
    return value
