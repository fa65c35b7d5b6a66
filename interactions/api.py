"""The public library API: load the knowledge base once, check lists, get the CLI's documents.

    from interactions import load_knowledge_base, check
    kb = load_knowledge_base()
    result = check(["baclofen", "Xanax 0.5 mg"], kb, age=81)
    result.findings[0].severity          # 'major'
    result.to_dict()                     # exactly `check-meds ... --format json`, as a dict

Many lists: :func:`check_many` yields one document per list, exactly the lines
of ``check-meds batch --format jsonl`` (parsed); :func:`check_partition` does
the same over JSON Lines text, for Dask, Spark or any engine that hands a
worker a partition of lines (docs/scale-out.md). Nothing here prints or exits.
check-meds supports, and does not replace, professional judgement.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from .engine import CheckResult, Finding, Medication, adding_view, involving
from .kb import KnowledgeBase
from .normalize import Resolution

__all__ = [
    "KnowledgeBase", "Result", "Finding", "Medication", "Resolution",
    "load_knowledge_base", "check", "check_many", "check_partition",
]


def load_knowledge_base(rules: Sequence[str] = (), *, site_config: bool = False, use_cache: bool = True) -> KnowledgeBase:
    """The shipped knowledge base plus site rule directories ``rules``, in load order.

    With ``site_config=True`` the directories the command line would add are
    loaded first (the config file's ``rules``, then ``CHECK_MEDS_RULES``), so
    the documents are exactly the CLI's on this machine. Load once and reuse:
    the knowledge base remembers every name it has resolved.

    Raises :class:`interactions.errors.InvalidRulesError` listing every problem.
    """
    from .kb import load_knowledge_base as _load

    if site_config:
        from .cliutil import site_dirs

        dirs = site_dirs(list(rules))
    else:
        dirs = list(rules)
    return _load(dirs, use_cache=use_cache)


class Result:
    """One checked list: findings (most severe first), medications, what was not recognised."""

    __slots__ = ("_result", "_kb", "_adding")

    def __init__(self, result: CheckResult, kb: KnowledgeBase, adding: Sequence[str] = ()) -> None:
        self._result = result
        self._kb = kb
        self._adding = tuple(a.strip() for a in adding)

    @property
    def inputs(self) -> list[str]:
        """The medication strings, after surrounding whitespace is removed."""
        return self._result.inputs

    @property
    def findings(self) -> list[Finding]:
        """Warnings, most severe first; each has ``rule``, ``severity``, ``drugs``, ``inputs``, ``related``.

        When the list was checked with ``adding``, only those that involve an added medication.
        """
        return involving(self._result.findings, self._adding) if self._adding else self._result.findings

    @property
    def adding(self) -> tuple[str, ...]:
        """The medications being added to the list (``check(..., adding=)``), or ()."""
        return self._adding

    @property
    def all_findings(self) -> list[Finding]:
        """Every warning of the whole list, whatever was being added."""
        return self._result.findings

    @property
    def skipped(self) -> list[Finding]:
        """Age-dependent rules not applied because no age was given (with ``adding``: those involving an added one)."""
        return involving(self._result.skipped, self._adding) if self._adding else self._result.skipped

    @property
    def medications(self) -> list[Medication]:
        return self._result.medications

    @property
    def resolutions(self) -> list[Resolution]:
        """How each input string resolved, in input order."""
        return self._result.resolutions

    @property
    def unrecognized(self) -> list[Resolution]:
        """Names not recognised or ambiguous: the check is then incomplete."""
        return self._result.unrecognized

    @property
    def complete(self) -> bool:
        """True only when every name was recognised (or known not to be a medicine)."""
        return self._result.complete

    @property
    def highest(self) -> str | None:
        """The most severe finding's severity (of :attr:`findings`), or None."""
        found = self.findings
        return found[0].severity if found else None

    @property
    def age(self) -> int | None:
        return self._result.age

    @property
    def raw(self) -> CheckResult:
        """The engine's result, as the reporters take it."""
        return self._result

    def exit_code(self, fail_on: str = "minor") -> int:
        """The exit code the CLI would give: 1 for a finding at or above ``fail_on``, 4 if incomplete, else 0."""
        from .outcome import exit_code

        return int(exit_code([adding_view(self._result, self._adding) if self._adding else self._result], fail_on))

    def to_dict(self, min_severity: str = "minor") -> dict[str, Any]:
        """Exactly the document of ``check-meds --format json`` (schema: interactions/schema/result.schema.json)."""
        from .reporters.document import document

        return document(self._result, self._kb, min_severity, self._adding)

    def to_json(self, min_severity: str = "minor") -> str:
        """Exactly what ``check-meds --format json`` prints."""
        from .reporters.json_format import render

        return render(self._result, self._kb, min_severity, self._adding)

    def __repr__(self) -> str:
        return f"<Result {len(self.inputs)} medications, {len(self.findings)} findings, complete={self.complete}>"


def check(meds: Iterable[str], kb: KnowledgeBase | None = None, age: int | None = None, *,
          adding: Iterable[str] = ()) -> Result:
    """Check one medication list (the strings as written: brands, doses, codes).

    ``kb`` defaults to the shipped knowledge base, loaded once per process.
    Surrounding whitespace is removed from each string, as the CLI and every
    batch reader do, so the same list gives the same document everywhere.
    ``adding``: medications about to be added (``check-meds --adding``); they
    are checked with the list, and the result's findings, exit code and
    document keep only what involves one of them.
    """
    from .engine import check as _check

    if isinstance(meds, str):
        raise TypeError("meds must be a list of strings, not one string")
    if isinstance(adding, str):
        raise TypeError("adding must be a list of strings, not one string")
    kb = kb if kb is not None else _default_kb()
    added = list(adding)
    return Result(_check([*meds, *added], kb, age=age), kb, added)


ListLike = Mapping[str, Any]


def check_many(lists: Iterable[ListLike | Sequence[str]], kb: KnowledgeBase | None = None, *, age: int | None = None,
               min_severity: str = "minor") -> Iterator[dict[str, Any]]:
    """One document per list, in order: the lines of ``check-meds batch --format jsonl``, parsed.

    Each list is a mapping as in JSON Lines input (``{"id": ..., "medications":
    [...], "age": ...}``) or a plain sequence of strings (its id is then its
    position, from 1). ``age`` is for lists that give none. A list that cannot
    be checked (no medications, a bad age) gets the same error document as in
    a batch; nothing is skipped.
    """
    encoder = _Lines(kb, age, min_severity)
    for n, item in enumerate(lists, 1):
        yield json.loads(encoder.line(item if isinstance(item, Mapping) else {"medications": list(item)}, n))


def check_partition(lines: Iterable[str], kb: KnowledgeBase | None = None, *, first_line: int = 1, age: int | None = None,
                    min_severity: str = "minor", rules: Sequence[str] = ()) -> Iterator[str]:
    """JSON Lines in, JSON Lines out: for each non-blank input line, the line ``check-meds batch --format jsonl`` writes.

    Meant for one partition of a distributed job (``dask.bag.map_partitions``,
    Spark's ``mapPartitions``): the knowledge base is loaded once per worker
    process (shipped plus ``rules``) unless ``kb`` is given, and lines are
    numbered from ``first_line``, so a partition that is a whole file gives
    what ``check-meds batch FILE`` gives for that file. Output lines carry no
    newline.
    """
    encoder = _Lines(kb if kb is not None else _default_kb(tuple(rules)), age, min_severity)
    from .batch.read_jsonl import json_problem

    for n, text in enumerate(lines, first_line):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
        except (ValueError, RecursionError) as exc:
            yield encoder.error(None, n, json_problem(exc))
            continue
        yield encoder.line(obj, n)


class _Lines:
    """Checks parsed JSON Lines objects and encodes them as the batch jsonl writer does."""

    def __init__(self, kb: KnowledgeBase | None, age: int | None, min_severity: str) -> None:
        from .reporters.batch_jsonl import Encoder

        self.kb = kb if kb is not None else _default_kb()
        self.age = age
        self.encoder = Encoder(self.kb, min_severity)

    def line(self, obj: Any, n: int) -> str:
        from .batch.read_jsonl import record
        from .engine import check as _check

        rec = record(obj, n)
        if rec.error is not None:
            return self.error(rec.id, rec.line, rec.error)
        result = _check(rec.meds, self.kb, age=rec.age if rec.age is not None else self.age)
        return self.encoder.encode(result, rec.id, rec.line)[:-1]

    def error(self, list_id: str | None, line: int | None, message: str) -> str:
        from .reporters.batch_jsonl import DUMPS
        from .reporters.document import error_document

        return DUMPS(error_document(list_id, line, message))


_KBS: dict[tuple[str, ...], KnowledgeBase] = {}


def _default_kb(rules: tuple[str, ...] = ()) -> KnowledgeBase:
    kb = _KBS.get(rules)
    if kb is None:
        kb = _KBS[rules] = load_knowledge_base(rules)
    return kb
