"""The fast word-set matcher gives exactly what rapidfuzz's process.extract with token_set_ratio gives."""

from __future__ import annotations

import random

from rapidfuzz import fuzz, process

from interactions import suggest


def reference(query, choices, limit):
    return [(name, score) for name, score, _i in process.extract(query, choices, scorer=fuzz.token_set_ratio, limit=limit,
                                                                 score_cutoff=suggest.CUTOFF)]


def queries(choices, n=150, seed=5):
    rng = random.Random(seed)
    several = [c for c in choices if " " in c]
    out = []
    for _ in range(n):
        chars = list(rng.choice(several))
        i = rng.randrange(len(chars))
        op = rng.choice("dsi")
        if op == "d":
            del chars[i]
        elif op == "s":
            chars[i] = rng.choice("abcdefghij ")
        else:
            chars.insert(i, rng.choice("aeio"))
        q = " ".join(("".join(chars) + rng.choice(["", " tablet", " and aspirin", " oxycodone"])).split())
        if " " in q:
            out.append(q)
    return out + ["oxycodone and alprazolam", "tylenolw / codeine #4", "osyter shell calcium"]


def test_word_set_matches_process_extract(fresh_kb):
    choices = suggest._choices(fresh_kb)
    for q in queries(choices):
        fast = suggest._word_set(q, choices, fresh_kb, 30)
        slow = reference(q, choices, 30)
        # same names with the same scores; order among equal scores may differ, and the last place
        # may be any of several tied names
        assert sorted(s for _n, s in fast) == sorted(s for _n, s in slow), q
        cut = slow[-1][1] if len(slow) == 30 else -1
        assert {n for n, s in fast if s > cut} == {n for n, s in slow if s > cut}, q
