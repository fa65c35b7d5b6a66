"""The corpus of medication strings (tests/corpus/medication_strings.tsv): reading it and scoring a resolution."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

from interactions.text import key

PATH = Path(__file__).parent / "corpus" / "medication_strings.tsv"
OUTCOMES = ("unrecognized", "ambiguous", "not_medication")


class Row(NamedTuple):
    """One corpus line: the string as pasted and what it must resolve to."""

    line: int
    input: str
    expected: str  # "ok:a+b" (ingredients sorted), "unrecognized", "ambiguous" or "not_medication"
    category: str
    requires: tuple[str, ...]  # names the knowledge base must hold for the row to be tested

    @property
    def ingredients(self) -> tuple[str, ...]:
        return tuple(self.expected[3:].split("+")) if self.expected.startswith("ok:") else ()


def load(path: Path = PATH) -> list[Row]:
    """Every row of the corpus; raises ValueError naming the line of a malformed one."""
    rows = []
    for n, text in enumerate(path.read_text(encoding="utf-8").split("\n"), 1):
        if not text.strip() or text.startswith("#") or text.startswith("input\t"):
            continue
        cells = text.split("\t")
        if len(cells) != 4:
            raise ValueError(f"{path}:{n}: expected 4 tab-separated cells, found {len(cells)}")
        inp, expected, category, requires = cells
        if expected.startswith("ok:"):
            expected = "ok:" + "+".join(sorted(expected[3:].split("+")))
        elif expected not in OUTCOMES:
            raise ValueError(f"{path}:{n}: unknown expected outcome {expected!r}")
        rows.append(Row(n, inp, expected, category, tuple(r.strip() for r in requires.split(",") if r.strip())))
    return rows


def outcome(res: Any) -> str:
    """A resolution written the way the corpus writes expectations."""
    if res.ok:
        return "ok:" + "+".join(sorted(res.drugs))
    return {"unknown": "unrecognized", "non_medication": "not_medication"}.get(res.status, "ambiguous")


def missing(row: Row, kb: Any) -> list[str]:
    """What the knowledge base lacks for this row to be tested: drugs, then names."""
    out = [f"drug {d!r}" for d in row.ingredients if d not in kb.drugs]
    out += [f"name {n!r}" for n in row.requires if key(n) not in kb.names]
    return out


def vocabulary_layer(rows: list[Row], kb: Any) -> dict[str, Any]:
    """A rule file adding every drug and name the corpus needs and ``kb`` lacks.

    Names of a single drug become synonyms (abbreviations when written in
    capitals, RxNorm codes when written rxcui:N); names of several
    ingredients become combination products. Rows whose name belongs to a
    drug that ``kb`` already has cannot be covered this way and are left out.
    """
    drugs: dict[str, dict[str, Any]] = {}
    products: dict[tuple[str, ...], list[str]] = {}
    for row in rows:
        for d in row.ingredients:
            if d not in kb.drugs:
                drugs.setdefault(d, {"id": d, "classes": []})
        for name in row.requires:
            if key(name) in kb.names:
                continue
            if len(row.ingredients) > 1:
                names = products.setdefault(row.ingredients, [])
                if name not in names:
                    names.append(name)
                continue
            entry = drugs.get(row.ingredients[0])
            if entry is None:
                continue
            if name.startswith("rxcui:"):
                entry.setdefault("codes", {"rxnorm": []})["rxnorm"].append(name[6:])
            else:
                field = "abbreviations" if name.isupper() else "names"
                if name not in entry.setdefault(field, []):
                    entry[field].append(name)
    return {
        "schema_version": 1,
        "knowledge_base": {"name": "corpus-vocabulary", "version": "1"},
        "drugs": list(drugs.values()),
        "products": [
            {"id": "-".join(ings).replace(" ", "-"), "names": names, "ingredients": list(ings)}
            for ings, names in products.items()
        ],
    }
