"""Reproducible synthetic medication lists for benchmarks: python bench/generate.py --lists 100000 > lists.csv

Each list has 5-15 medications drawn from the knowledge base's vocabulary:
mostly generic names, also brands, salt forms and combination products,
often with dose, form and frequency text as exported by prescribing systems
("Baclofen 10mg tablets", "Metoprolol Succinate ER 25 MG 24HR Oral Tablet",
"Xanax 0.5 mg PO qHS"). As in a pharmacy's export, most strings come from a
product catalogue (one to three fixed descriptions per name), the rest are
typed by hand: mixed case and any dose text; 1% of all strings are misspelt,
each name having one or two typos that recur as real ones do (check-meds
reports those as not recognised, with suggestions). A seed makes the output identical from run to run
for a given knowledge base.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

DOSES = [
    "{n} mg", "{n}mg", "{n} MG Oral Tablet", "{n}mg tablets", "{n} mg PO daily", "{n} mg PO BID", "{n} mg PO TID",
    "{n} mg PO qHS", "{n} mg tab", "{n} mg capsule", "ER {n} MG 24HR Extended Release Oral Tablet", "{n} mg oral solution",
    "{n} mg once daily", "{n} mg twice a day", "{n} mg PRN", "{n} MG/ML Injectable Solution",
]
STRENGTHS = [0.5, 1, 2, 2.5, 5, 10, 12.5, 20, 25, 40, 50, 75, 100, 150, 200, 250, 300, 500]
FORMATS = ("csv", "csv-wide", "text", "jsonl")


def vocabulary() -> tuple[list[str], list[str], list[str], list[str]]:
    """Generic names, brands, salt forms and product names, sorted (so the draw is reproducible)."""
    from interactions.kb import load_knowledge_base

    kb = load_knowledge_base()
    generics = sorted(kb.drugs)
    brands = sorted({b for d in kb.drugs.values() for b in d["brands"]})
    salts = sorted({s for d in kb.drugs.values() for s in d["salts"]})
    products = sorted({n for p in kb.products.values() for n in p["names"]})
    return generics, brands, salts, products


def misspell(name: str, rnd: random.Random) -> str:
    if len(name) < 5:
        return name + name[-1]
    i = rnd.randrange(1, len(name) - 1)
    if rnd.random() < 0.5:
        return name[:i] + name[i + 1 :]  # a letter dropped
    return name[:i] + name[i + 1] + name[i] + name[i + 2 :]  # two letters swapped


def medication(rnd: random.Random, vocab: tuple[list[str], ...], catalogue: dict[str, list[str]] | None = None, typos: dict[str, list[str]] | None = None) -> str:
    """One medication string: from the catalogue (85%), else typed by hand."""
    generics, brands, salts, products = vocab
    r = rnd.random()
    if r < 0.55:
        name = rnd.choice(generics)
    elif r < 0.80:
        name = rnd.choice(brands)
    elif r < 0.92 and salts:
        name = rnd.choice(salts)
    else:
        name = rnd.choice(products)
    if catalogue is not None and rnd.random() < 0.85:
        return rnd.choice(catalogue[name])
    if typos is not None and rnd.random() < 0.067:  # 1% of all strings: 6.7% of the 15% typed by hand
        name = rnd.choice(typos[name])
    case = rnd.random()
    if case < 0.4:
        name = name.title()
    elif case < 0.5:
        name = name.upper()
    if rnd.random() < 0.5 and not name[-1].isdigit():  # not 'Tylenol #3 10 mg'
        n = rnd.choice(STRENGTHS)
        name = f"{name} {rnd.choice(DOSES).format(n=f'{n:g}')}"
    return name


def make_catalogue(vocab: tuple[list[str], ...], rnd: random.Random) -> dict[str, list[str]]:
    """One to three fixed product descriptions per name, as a dispensing system's drug file has."""
    out = {}
    for name in sorted({n for group in vocab for n in group}):
        entries = []
        for _ in range(rnd.randint(1, 3)):
            if rnd.random() < 0.7 and not name[-1].isdigit():
                n = rnd.choice(STRENGTHS)
                entries.append(f"{name[:1].upper()}{name[1:]} {rnd.choice(DOSES).format(n=f'{n:g}')}")
            else:
                entries.append(name)
        out[name] = entries
    return out


def lists(count: int, seed: int, sizes: tuple[int, int] = (5, 15)) -> list[tuple[str, int | None, list[str]]]:
    rnd = random.Random(seed)
    vocab = vocabulary()
    catalogue = make_catalogue(vocab, rnd)
    typos = {name: sorted({misspell(name, rnd) for _ in range(rnd.randint(1, 2))}) for name in sorted(catalogue)}
    out = []
    for i in range(1, count + 1):
        meds = [medication(rnd, vocab, catalogue, typos) for _ in range(rnd.randint(*sizes))]
        age = rnd.randint(18, 99) if rnd.random() < 0.7 else None
        out.append((f"P{i:07d}", age, meds))
    return out


def write(data: list[tuple[str, int | None, list[str]]], fmt: str, out, shuffle_rows: bool = False, seed: int = 0) -> None:
    if fmt == "csv":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["patient_id", "medication", "age"])
        rows = [(pid, m, "" if age is None else age) for pid, age, meds in data for m in meds]
        if shuffle_rows:
            random.Random(seed + 1).shuffle(rows)
        w.writerows(rows)
    elif fmt == "csv-wide":
        w = csv.writer(out, lineterminator="\n")
        w.writerow(["patient_id", "medications", "age"])
        w.writerows((pid, "; ".join(meds), "" if age is None else age) for pid, age, meds in data)
    elif fmt == "text":
        out.writelines(", ".join(meds) + "\n" for _pid, _age, meds in data)
    elif fmt == "jsonl":
        for pid, age, meds in data:
            obj = {"id": pid, "medications": meds}
            if age is not None:
                obj["age"] = age
            out.write(json.dumps(obj) + "\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lists", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=20261125)
    ap.add_argument("--format", choices=FORMATS, default="csv")
    ap.add_argument("--shuffle", action="store_true", help="csv: shuffle the rows (lists no longer contiguous)")
    ap.add_argument("--out", default="-")
    ap.add_argument("--meds", default="5-15", help="medications per list, LOW-HIGH (default 5-15)")
    a = ap.parse_args(argv)
    low, _, high = a.meds.partition("-")
    data = lists(a.lists, a.seed, (int(low), int(high or low)))
    if a.out == "-":
        write(data, a.format, sys.stdout, a.shuffle, a.seed)
    else:
        with open(a.out, "w", encoding="utf-8", newline="") as fh:
            write(data, a.format, fh, a.shuffle, a.seed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
