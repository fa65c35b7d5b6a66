"""'Did you mean' suggestions for names the knowledge base does not know.

Suggestions are only ever offered, never applied: look-alike and sound-alike
names (hydroxyzine/hydralazine, tramadol/trazodone) are a known cause of harm.
The fuzzy matcher is imported only when a name is not recognised.
"""

from __future__ import annotations

import re
from typing import Any

from .kb import UNRECOGNISED_LIMIT
from .text import key

LIMIT = 5
CUTOFF = 70.0
# names are short (the longest known is well under 100 characters); the fuzzy
# matcher's work grows with the length of the query, so a longer string gets
# no suggestions (and stays unrecognised)
MAX_QUERY = 160


def suggestions(text: str, kb: Any, limit: int = LIMIT) -> list[str]:
    """Up to ``limit`` known names close to ``text``, best first, one per drug or product.

    The score of a name is the better of its plain edit similarity (a
    misspelling: 'hydroxyzne') and its word-set similarity (several names in
    one entry: 'oxycodone and alprazolam'); partial matching is not used, as it
    ranks any short name found inside a long one ('wine' in 'hydroxizine').
    """
    if len(text) > 4 * MAX_QUERY:
        return []
    query = " ".join(re.sub(r"[/+&,;()\[\]]", " ", key(text)).split())
    if not query or len(query) > MAX_QUERY:
        return []
    # remembered per knowledge base: a batch asks the fuzzy matcher once per
    # distinct misspelt name
    memo = kb.__dict__.setdefault("_suggest_memo", {})
    hit = memo.get((query, limit))
    if hit is None:
        hit = _suggest(query, kb, limit)
        if len(memo) < UNRECOGNISED_LIMIT:
            memo[(query, limit)] = hit
    return list(hit)


def _suggest(query: str, kb: Any, limit: int) -> tuple[str, ...]:
    from rapidfuzz import fuzz, process  # imported lazily on purpose

    choices = _choices(kb)
    best: dict[str, float] = {}
    # word-set similarity matters only for several words: a one-word
    # misspelling is matched by edit similarity alone
    for name, score, _i in process.extract(query, choices, scorer=fuzz.ratio, limit=limit * 6, score_cutoff=CUTOFF):
        best[name] = score
    if " " in query:
        for name, score in _word_set(query, choices, kb, limit * 6):
            if score > best.get(name, 0.0):
                best[name] = score
    ranked = sorted(best.items(), key=lambda h: (-h[1], len(h[0]), h[0]))
    out: list[str] = []
    seen: set[tuple] = set()
    for name, _score in ranked:
        method, drugs, product = kb.names[name]
        target = (drugs, product)
        if target in seen:
            continue
        seen.add(target)
        out.append(display(name, method, drugs, product, kb))
        if len(out) >= limit:
            break
    return tuple(out)


def _word_set(query: str, choices: list[str], kb: Any, limit: int) -> list[tuple[str, float]]:
    """The ``limit`` best word-set similarities (rapidfuzz token_set_ratio) at or above CUTOFF, as
    ``process.extract`` would give them, at the cost of a plain edit similarity.

    A name sharing no word with the query scores the edit similarity of the
    two sorted word sets, so one fast pass over the names' sorted word sets
    finds every such name that can reach the cutoff (with a point of margin for
    rounding); names sharing a word come from a word index. Only those few are
    scored exactly.
    """
    from rapidfuzz import fuzz, process

    forms, words = _word_tables(kb)
    q_words = set(query.split())
    near = {i for w in q_words for i in words.get(w, ())}
    q_form = " ".join(sorted(q_words))
    near.update(i for _f, _s, i in process.extract(q_form, forms, scorer=fuzz.ratio, limit=None, score_cutoff=CUTOFF - 1))
    scored = []
    for i in near:
        score = fuzz.token_set_ratio(query, choices[i], score_cutoff=CUTOFF)
        if score >= CUTOFF:
            scored.append((-score, i))
    scored.sort()
    return [(choices[i], -neg) for neg, i in scored[:limit]]


def _word_tables(kb: Any) -> tuple[list[str], dict[str, list[int]]]:
    """Per suggestion choice, its sorted set of words; and each word's choices."""
    t = getattr(kb, "_suggest_words", None)
    if t is None:
        forms: list[str] = []
        words: dict[str, list[int]] = {}
        for i, name in enumerate(_choices(kb)):
            ws = set(name.split())
            forms.append(" ".join(sorted(ws)))
            for w in ws:
                words.setdefault(w, []).append(i)
        t = kb._suggest_words = (forms, words)
    return t


def for_resolution(res: Any, kb: Any, limit: int = LIMIT) -> list[str]:
    """Suggestions for an unrecognised :class:`~interactions.normalize.Resolution`, from its name part."""
    return suggestions(res.query or res.input, kb, limit)


def display(name: str, method: str, drugs: tuple[str, ...], product: str, kb: Any) -> str:
    """How a known name is shown in a suggestion: 'hydroxyzine' or 'Xanax (alprazolam)'."""
    if method == "generic":
        return name
    if method == "non-medication":
        return f"{_original(name, kb.non_medicines[product]['names']) or name} (not a medication)"
    if product:
        shown = _original(name, kb.products[product]["names"]) or name
        return f"{shown} ({' + '.join(kb.products[product]['ingredients'])})"
    if method == "code":
        return f"{name} ({drugs[0]})"
    d = kb.drugs[drugs[0]]
    shown = _original(name, d["brands"] + d["names"] + d["salts"] + d["abbreviations"]) or name
    return f"{shown} ({drugs[0]})"


def _original(k: str, names: tuple[str, ...]) -> str | None:
    for n in names:
        if key(n) == k:
            return n
    return None


def closest_score(text: str, kb: Any) -> float:
    """The similarity (0-1: 1 - edits / length, a swap of neighbours one edit) of ``text`` to the closest known name."""
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    hit = process.extractOne(key(text), _choices(kb), scorer=OSA.normalized_similarity)
    return hit[1] if hit else 0.0


def _choices(kb: Any) -> list[str]:
    c = getattr(kb, "_suggest_choices", None)
    if c is None:
        c = [n for n in kb.names if not n.startswith("rxcui:")]
        kb._suggest_choices = c
    return c
