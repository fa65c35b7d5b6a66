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


def _suggest(query: str, kb: Any, limit: int, exhaustive: bool | None = None) -> tuple[str, ...]:
    """``exhaustive``: None to choose by the number of queries so far (:func:`_ratio`), True to score every name."""
    from rapidfuzz import fuzz  # imported lazily on purpose

    choices = _choices(kb)
    best: dict[str, float] = {}
    # word-set similarity matters only for several words: a one-word
    # misspelling is matched by edit similarity alone
    for name, score, _i in _ratio(query, choices, _choice_bags, kb, limit * 6, CUTOFF, exhaustive):
        best[name] = score
    if " " in query:
        for name, score in _word_set(query, choices, kb, limit * 6, exhaustive):
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


# Below this many distinct queries for a knowledge base, every name is scored: building the
# character-count index costs about as much as scoring all the names a few dozen times, which one
# command with one unknown name should not pay; a batch asks thousands.
INDEX_AFTER = 64


def _ratio(query: str, strings: list[str], bags: Any, kb: Any, limit: int | None, cutoff: float,
           exhaustive: bool | None = None) -> list[tuple[str, float, int]]:
    """What ``process.extract(query, strings, scorer=fuzz.ratio, limit, score_cutoff)`` gives: (string, score, index).

    After the first INDEX_AFTER queries (or with ``exhaustive`` False) only the
    strings whose character counts allow the cutoff are scored (:class:`_Bags`);
    the others cannot reach it, so the result is the same, in the same order
    (ties stay in list order, as the candidates keep it). ``exhaustive`` True
    scores every string.
    """
    from rapidfuzz import fuzz, process

    if exhaustive is None:
        asked = kb.__dict__.get("_suggest_asked", 0) + 1
        kb._suggest_asked = asked
        exhaustive = asked <= INDEX_AFTER
    if exhaustive:
        return process.extract(query, strings, scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
    index = bags(kb).candidates(query, cutoff)
    hits = process.extract(query, [strings[i] for i in index], scorer=fuzz.ratio, limit=limit, score_cutoff=cutoff)
    return [(name, score, index[j]) for name, score, j in hits]


class _Bags:
    """Which strings of a list can reach a ``fuzz.ratio`` cutoff against a query, from character counts alone.

    fuzz.ratio is 100 * 2 * LCS / (len(a) + len(b)), LCS the longest common
    subsequence; a common subsequence uses each character at most as often as
    the rarer of the two strings has it, so LCS <= the overlap of the two
    character counts (sum over characters of the smaller count). A string whose
    overlap with the query is below cutoff * (len(a) + len(b)) / 200 cannot
    reach the cutoff; in particular one of a length far from the query's cannot
    (the overlap is at most the shorter length). That leaves about 1% of the
    names for a misspelt one, and only those are scored.

    The counts are held as bit sets over the strings sorted by length (one big
    integer per "has at least k of character c"); a query adds up its own
    characters' sets in a bit-sliced counter and keeps, per length, the strings
    whose count reaches that length's threshold.
    """

    def __init__(self, strings: list[str]) -> None:
        from collections import Counter

        self.order = order = sorted(range(len(strings)), key=lambda i: len(strings[i]))
        n = len(order)
        self.all = (1 << n) - 1
        spans: dict[int, list[int]] = {}  # length -> [first, last + 1] position
        rows: dict[tuple[str, int], bytearray] = {}
        for pos, i in enumerate(order):
            s = strings[i]
            span = spans.get(len(s))
            if span is None:
                spans[len(s)] = [pos, pos + 1]
            else:
                span[1] = pos + 1
            byte, bit = pos >> 3, 1 << (pos & 7)
            for c, count in Counter(s).items():
                for k in range(1, count + 1):
                    row = rows.get((c, k))
                    if row is None:
                        row = rows[(c, k)] = bytearray((n + 7) // 8)
                    row[byte] |= bit
        self.sets = {ck: int.from_bytes(row, "little") for ck, row in rows.items()}
        # per length, ascending: (length, bits of the shorter strings, bits of these and the shorter)
        self.lengths = [(length, (1 << lo) - 1, (1 << hi) - 1) for length, (lo, hi) in sorted(spans.items())]

    def candidates(self, query: str, cutoff: float) -> list[int]:
        """The positions in the list of the strings that may score ``cutoff`` or more against ``query``, ascending."""
        from collections import Counter

        planes: list[int] = []  # bit-sliced overlap per string, least significant plane first
        for c, count in Counter(query).items():
            for k in range(1, count + 1):
                carry = self.sets.get((c, k))
                if carry is None:
                    break  # no string has k of them, so none has more
                for j, p in enumerate(planes):
                    planes[j] = p ^ carry
                    carry &= p
                    if not carry:
                        break
                if carry:
                    planes.append(carry)
        # per length, the least overlap that allows the cutoff (a hundredth of a point of margin
        # for the matcher's rounding); it grows with the length, so the lengths that can reach the
        # cutoff are one run of runs sharing a threshold, and each run is one range of bits
        lq = len(query)
        room = cutoff - 0.01
        found = 0
        run = None  # [threshold, bits below the run, bits up to its end]
        for length, below, upto in self.lengths:
            t = -(-int(room * (lq + length)) // 200)
            if t > length or t > lq:
                if length > lq:
                    break  # longer strings need still more
                continue
            if run is not None and run[0] == t:
                run[2] = upto
                continue
            if run is not None:
                found |= self._at_least(planes, run[0]) & (run[2] ^ run[1])
            run = [t, below, upto]
        if run is not None:
            found |= self._at_least(planes, run[0]) & (run[2] ^ run[1])
        positions = []
        bits = bin(found)
        top = len(bits) - 1
        j = bits.find("1", 2)
        while j != -1:
            positions.append(self.order[top - j])
            j = bits.find("1", j + 1)
        positions.sort()
        return positions

    def _at_least(self, planes: list[int], t: int) -> int:
        """The strings whose bit-sliced count is ``t`` or more."""
        if t <= 0:
            return self.all
        if t >> len(planes):
            return 0
        greater, equal = 0, self.all
        for j in range(len(planes) - 1, -1, -1):
            p = planes[j]
            if t >> j & 1:
                equal &= p
            else:
                greater |= equal & p
                equal &= ~p
        return greater | equal


def _choice_bags(kb: Any) -> _Bags:
    b = getattr(kb, "_suggest_bags", None)
    if b is None:
        b = kb._suggest_bags = _Bags(_choices(kb))
    return b


def _form_bags(kb: Any) -> _Bags:
    b = getattr(kb, "_suggest_form_bags", None)
    if b is None:
        b = kb._suggest_form_bags = _Bags(_word_tables(kb)[0])
    return b


def _word_set(query: str, choices: list[str], kb: Any, limit: int, exhaustive: bool | None = None) -> list[tuple[str, float]]:
    """The ``limit`` best word-set similarities (rapidfuzz token_set_ratio) at or above CUTOFF, as
    ``process.extract`` would give them, at the cost of a plain edit similarity.

    A name sharing no word with the query scores the edit similarity of the
    two sorted word sets, so one fast pass over the names' sorted word sets
    finds every such name that can reach the cutoff (with a point of margin for
    rounding); names sharing a word come from a word index. Only those few are
    scored exactly.
    """
    from rapidfuzz import fuzz

    forms, words = _word_tables(kb)
    q_words = set(query.split())
    near = {i for w in q_words for i in words.get(w, ())}
    q_form = " ".join(sorted(q_words))
    near.update(i for _f, _s, i in _ratio(q_form, forms, _form_bags, kb, None, CUTOFF - 1, exhaustive))
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
