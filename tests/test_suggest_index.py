"""The character-count index gives the same suggestions as scoring every known name.

The index (interactions/suggest.py, _Bags) leaves out only names whose character
counts cannot reach the cutoff; these tests hold it to that on the bench's
misspellings and on every misspelling of the corpus: the same fuzz.ratio hits in
the same order, the same word-set candidates, the same suggestions.
"""

from __future__ import annotations

import random
import re
import sys
from pathlib import Path

from rapidfuzz import fuzz, process

from interactions import suggest
from interactions.text import key

from medication_corpus import load

sys.path.insert(0, str(Path(__file__).parent.parent / "bench"))
import generate  # noqa: E402


def query(text: str) -> str:
    """The query suggestions() makes of a text."""
    return " ".join(re.sub(r"[/+&,;()\[\]]", " ", key(text)).split())


def bench_misspellings(n: int = 3000, seed: int = 7) -> list[str]:
    """Misspellings as the bench generates them, of names drawn as it draws them, some with words added."""
    rng = random.Random(seed)
    generics, brands, salts, products = generate.vocabulary()
    out = []
    for _ in range(n):
        pool = rng.choices((generics, brands, salts, products), weights=(55, 25, 12, 8))[0]
        name = generate.misspell(rng.choice(pool), rng)
        out.append(name + rng.choice(["", "", "", " and aspirin", " sodium", " xr"]))
    return list(dict.fromkeys(query(q) for q in out if query(q)))


def corpus_misspellings() -> list[str]:
    return [query(r.input) for r in load() if r.category == "misspelling" and query(r.input)]


def same(fresh_kb, queries, whole=True):
    """The index's fuzz.ratio hits are those of every name (and so the suggestions, made from them alone)."""
    choices = suggest._choices(fresh_kb)
    forms = suggest._word_tables(fresh_kb)[0]
    for q in queries:
        tables = [(choices, suggest._choice_bags, 30, suggest.CUTOFF)]
        if " " in q:  # the word-set pass, for several words only
            tables.append((forms, suggest._form_bags, None, suggest.CUTOFF - 1))
        for strings, bags, limit, cutoff in tables:
            slow = suggest._ratio(q, strings, bags, fresh_kb, limit, cutoff, exhaustive=True)
            fast = suggest._ratio(q, strings, bags, fresh_kb, limit, cutoff, exhaustive=False)
            assert fast == slow, q
        if whole:
            assert suggest._suggest(q, fresh_kb, 5, exhaustive=False) == suggest._suggest(q, fresh_kb, 5, exhaustive=True), q


def test_index_matches_exhaustive_on_bench_misspellings(fresh_kb):
    queries = bench_misspellings()
    assert len(queries) > 2000
    same(fresh_kb, queries, whole=False)


def test_index_matches_exhaustive_on_corpus_misspellings(fresh_kb):
    queries = corpus_misspellings()
    assert len(queries) > 50
    same(fresh_kb, queries)


def test_index_keeps_every_string_that_reaches_the_cutoff(fresh_kb):
    """Stronger than the top hits: every name at or above the cutoff is a candidate, for short and long queries too."""
    choices = suggest._choices(fresh_kb)
    bags = suggest._choice_bags(fresh_kb)
    rng = random.Random(3)
    queries = corpus_misspellings() + [rng.choice(choices)[: rng.randint(1, 6)] for _ in range(200)] + [
        " ".join(rng.sample(choices, 3)) for _ in range(50)]
    for q in queries:
        kept = set(bags.candidates(q, suggest.CUTOFF))
        reach = {i for _n, _s, i in process.extract(q, choices, scorer=fuzz.ratio, limit=None, score_cutoff=suggest.CUTOFF)}
        assert reach <= kept, q
        assert len(kept) < len(choices) / 4 or len(q) < 4, q  # and it does leave most names out


def test_batch_switches_to_the_index(fresh_kb):
    """The first queries score every name; later ones use the index; both give the same."""
    queries = corpus_misspellings()[: suggest.INDEX_AFTER + 10]
    answers = [suggest._suggest(q, fresh_kb, 5) for q in queries]
    assert getattr(fresh_kb, "_suggest_bags", None) is not None
    assert answers == [suggest._suggest(q, fresh_kb, 5, exhaustive=True) for q in queries]
