"""The rule engine: a pure function from a medication list to a result.

``check(meds, kb)`` resolves every string, merges strings that name the same
medication, asks only the rules that some medication can start (the index is
keyed by class and drug, so the cost of a list does not grow with the number
of rules), fills each rule's slots with distinct medications, and folds
findings about the same medications into one warning: the most severe, then
most specific, rule leads and the others are listed as related. Nothing here
prints, exits or reads files.
"""

from __future__ import annotations

from collections.abc import Container, Iterable, Sequence
from itertools import product
from typing import Any

from .normalize import Resolution, resolve

# A list can name hundreds of drugs (a robustness test uses 10,000 strings);
# enumerating every combination of a broad rule is then quadratic or worse.
# Past this many combinations a rule reports one finding covering them all.
MAX_COMBINATIONS = 20_000
# Simple pair rules are answered per pair of medications (exactly what
# enumerating each rule gives; tests check it), except a pair rule that a list
# fills in more than MAX_COMBINATIONS ways: that one goes through _fire, which
# reports one finding for the group. Only lists past PAIR_SAFE distinct
# medications can have such a rule, so only they count. PAIR_PATH = False sends
# every rule through _fire (the reference the tests compare with).
PAIR_SAFE = 141
PAIR_PATH = True


class Medication:
    """One distinct medication of a list: every input string that resolved to it."""

    __slots__ = ("drugs", "product", "inputs", "facts")

    def __init__(self, drugs: tuple[str, ...], product: str, inputs: list[str], facts: Any) -> None:
        self.drugs = drugs
        self.product = product
        self.inputs = inputs
        self.facts = facts  # kb.MedFacts: tags, rules, pair masks


class Finding:
    """One warning: a rule that fired on a set of medications."""

    __slots__ = ("rule", "rule_data", "drugs", "inputs", "meds", "related")

    def __init__(self, rule: str, rule_data: dict[str, Any], drugs: tuple[str, ...], inputs: tuple[str, ...], meds: frozenset[int]) -> None:
        self.rule = rule
        self.rule_data = rule_data
        self.drugs = drugs
        self.inputs = inputs
        self.meds = meds
        self.related: list[Finding] = []

    @property
    def severity(self) -> str:
        return self.rule_data["severity"]

    @property
    def rank(self) -> int:
        return self.rule_data["rank"]

    def sort_key(self) -> tuple:
        return (-self.rank, self.rule, self.drugs, self.inputs)


class CheckResult:
    """Everything a reporter needs about one checked list."""

    __slots__ = ("inputs", "resolutions", "medications", "findings", "skipped", "age")

    def __init__(self, inputs, resolutions, medications, findings, skipped, age) -> None:
        self.inputs: list[str] = inputs
        self.resolutions: list[Resolution] = resolutions
        self.medications: list[Medication] = medications
        self.findings: list[Finding] = findings
        self.skipped: list[Finding] = skipped  # age-dependent rules not applied: no age given
        self.age: int | None = age

    @property
    def unrecognized(self) -> list[Resolution]:
        seen: dict[str, Resolution] = {}
        for r in self.resolutions:
            st = r.status
            if st != "ok" and st != "non_medication" and r.input not in seen:  # not r.settled, inline
                seen[r.input] = r
        return [seen[k] for k in sorted(seen)]

    @property
    def non_medications(self) -> list[Resolution]:
        """Entries recognised as not medicines (test strips, lancets): listed, not checked."""
        return [r for r in self.resolutions if r.status == "non_medication"]

    @property
    def complete(self) -> bool:
        """True when every entry is settled: a known medication or a known non-medicine."""
        return all(r.settled for r in self.resolutions)

    @property
    def highest(self) -> str | None:
        return self.findings[0].severity if self.findings else None


def involves(finding: Finding, inputs: Container[str]) -> bool:
    """Whether a finding concerns one of ``inputs`` (input strings as given, e.g. the drugs being added)."""
    return any(i in inputs for i in finding.inputs)


def involving(findings: Iterable[Finding], inputs: Iterable[str]) -> list[Finding]:
    """The findings that concern one of ``inputs``, in order: what adding those medications to a list brings.

    ``inputs`` are strings as given to :func:`check` (surrounding whitespace
    is ignored, as there). A finding names every input of the medications it
    is about, so one that involves a new drug and a drug already on the list,
    or two new drugs, is kept; one among the existing medications only is not.
    """
    wanted = {i.strip() for i in inputs}
    return [f for f in findings if involves(f, wanted)]


def adding_view(result: CheckResult, inputs: Iterable[str]) -> CheckResult:
    """The result as it answers "what does adding ``inputs`` bring": its findings and skipped rules that involve them.

    Resolutions (and so completeness) stay those of the whole list, so an
    unrecognised name anywhere still makes the check incomplete.
    """
    inputs = list(inputs)
    return CheckResult(result.inputs, result.resolutions, result.medications, involving(result.findings, inputs),
                       involving(result.skipped, inputs), result.age)


def check(meds: Sequence[str], kb: Any, age: int | None = None) -> CheckResult:
    """Check one medication list.

    Args:
        meds: the medication strings as given (brands, doses and codes allowed);
            surrounding whitespace is removed, as every batch reader does.
        kb: a loaded :class:`~interactions.kb.KnowledgeBase`.
        age: the patient's age in years, if known; rules that apply only from
            a given age (Beers criteria) are otherwise reported as skipped.
    """
    inputs = [m.strip() for m in meds]
    memo = kb.resolved
    resolutions = [memo.get(m) or resolve(m, kb) for m in inputs]

    merged: dict[tuple[str, ...], Medication] = {}
    known = kb.known_meds  # kb.med's memo, read directly: a list asks it for every entry
    for r in resolutions:
        if r.status != "ok":
            continue
        m = merged.get(r.drugs)
        if m is None:
            merged[r.drugs] = Medication(r.drugs, r.product, [r.input], known.get(r.drugs) or kb.med(r.drugs))
        elif r.input not in m.inputs:
            m.inputs.append(r.input)
    medications = [merged[k] for k in sorted(merged)]  # order-independent
    for m in medications:
        if len(m.inputs) > 1:
            m.inputs.sort()

    dups, dups_skipped = _same_ingredient(medications, kb, age)
    if len(medications) < 2:  # every other finding involves two medications
        return CheckResult(inputs, resolutions, medications, dups, dups_skipped, age)

    n = len(medications)
    candidates: set[str] = set()
    members: dict[str, list[int]] = {}  # pair rule -> the medications that fill any of its slots (when enumerated)
    for m in medications:
        candidates.update(m.facts.rules)
    by_pairs = PAIR_PATH
    enumerated = 0  # pair rules sent through _fire instead, as bits
    if not by_pairs or n > PAIR_SAFE:
        enumerated = _enumerated_pairs(medications, kb, members, everything=not by_pairs)
        bits = enumerated
        while bits:  # set bits only
            low = bits & -bits
            bits ^= low
            candidates.add(kb.pair_rules[low.bit_length() - 1])

    raw: list[Finding] = []
    skipped: list[Finding] = []
    rules = kb.rules
    ins_memo: dict[frozenset[int], tuple[str, ...]] = {}
    if by_pairs:
        # simple pair rules: two integer masks say whether a pair of
        # medications can fire any; the details are remembered across lists
        pair = kb.pair
        facts = [m.facts for m in medications]
        keep = ~enumerated
        m0s = [f.m0 & keep for f in facts]
        m1s = [f.m1 & keep for f in facts]
        for i in range(n - 1):
            am0 = m0s[i]
            am1 = m1s[i]
            if not (am0 | am1):
                continue
            for j in [j for j in range(i + 1, n) if (am0 & m1s[j]) or (m0s[j] & am1)]:
                hits = pair(facts[i], facts[j])
                if not hits:
                    continue
                used = frozenset((i, j))
                ins = tuple(sorted({*medications[i].inputs, *medications[j].inputs}))
                for rid, rule, drugs in hits:
                    if enumerated and rid in candidates:
                        continue
                    min_age = rule["min_age"]
                    if min_age:
                        if age is None:
                            skipped.append(Finding(rid, rule, drugs, ins, used))
                            continue
                        if age < min_age:
                            continue
                    raw.append(Finding(rid, rule, drugs, ins, used))
    if candidates:
        # the medications that can fill one of each candidate rule's slots
        touched: dict[str, list[int]] = {}
        for i, m in enumerate(medications):
            for rid in m.facts.touches & candidates:
                t = touched.get(rid)
                if t is None:
                    touched[rid] = [i]
                else:
                    t.append(i)
        touched.update(members)
    for rid in sorted(candidates):
        idx = touched.get(rid)
        if idx is None or len(idx) < 2:
            continue
        rule = rules[rid]
        min_age = rule["min_age"]
        if min_age and age is not None and age < min_age:
            continue
        out = skipped if min_age and age is None else raw
        for meds_used, drugs in _fire(rid, rule, medications, kb, idx):
            ins = ins_memo.get(meds_used)
            if ins is None:
                ins = ins_memo[meds_used] = tuple(sorted({i for j in meds_used for i in medications[j].inputs}))
            out.append(Finding(rid, rule, drugs, ins, meds_used))

    # an ingredient taken twice is its own problem: never folded under an interaction
    findings = _fold(raw) + dups
    findings.sort(key=Finding.sort_key)
    skipped = _fold(skipped) + dups_skipped
    skipped.sort(key=Finding.sort_key)
    return CheckResult(inputs, resolutions, medications, findings, skipped, age)


def _enumerated_pairs(meds: list[Medication], kb: Any, members: dict[str, list[int]], everything: bool) -> int:
    """Bits of the pair rules to enumerate with _fire: those filled in more than
    MAX_COMBINATIONS ways (or all, with ``everything``); records their members."""
    units: dict[int, list[int]] = {}  # bit -> [slot 0 units, slot 1 units]
    for m in meds:
        for k, u0, u1 in m.facts.pair_units:
            u = units.get(k)
            if u is None:
                units[k] = [u0, u1]
            else:
                u[0] += u0
                u[1] += u1
    out = 0
    for k, (a, b) in units.items():
        if everything or a * b > MAX_COMBINATIONS:
            out |= 1 << k
    if out:
        rules = kb.pair_rules
        for i, m in enumerate(meds):
            for k, _u0, _u1 in m.facts.pair_units:
                if out >> k & 1:
                    members.setdefault(rules[k], []).append(i)
    return out


def _fire(rid: str, rule: dict[str, Any], meds: list[Medication], kb: Any, idx: Sequence[int]) -> list[tuple[frozenset[int], tuple[str, ...]]]:
    """Every distinct way the rule's slots are filled, as (medications, ingredients).

    Slots are filled by ingredients, so Hyzaar (losartan + hydrochlorothiazide)
    with naproxen fills all three slots of "RAS inhibitor + diuretic + NSAID".
    A finding must involve at least two medications, so a combination product
    on its own never warns about its own design; ingredients filling the rule
    in several ways with the same medications are named in one finding.
    """
    slots = rule["slots"]
    n_slots = len(slots)
    if len(idx) < 2:
        return []
    fills = []  # per medication that fills any slot (``idx``): per slot, its ingredients that fill it, or None
    for i in idx:
        facts = meds[i].facts
        f = facts.fills.get(rid)
        if f is None:
            f = kb.fill(facts, rid)
        fills.append((i, f))
    cands: list[list[tuple[int, str]]] = []  # per slot: the (medication, ingredient) units that fill it
    for si in range(n_slots):
        c = [(i, d) for i, f in fills if f[si] is not None for d in f[si]]
        if len(c) < slots[si][2]:
            return []
        cands.append(c)

    singles = [i for i, s in enumerate(slots) if s[2] == 1]
    multis = [i for i, s in enumerate(slots) if s[2] > 1]
    size = 1
    for i in singles:
        size *= len(cands[i])
    found: set[frozenset[tuple[int, str]]] = set()

    if size > MAX_COMBINATIONS:
        # one finding for the whole group rather than an explosion of pairs
        if len({d for c in cands for _, d in c}) >= sum(s[2] for s in slots):
            found.add(frozenset(u for c in cands for u in c))
    else:
        # distinct slots take distinct ingredients: Hyzaar (losartan + HCTZ)
        # with losartan is one drug twice, not "two drugs that raise potassium"
        for choice in product(*(cands[i] for i in singles)):
            taken = {d for _, d in choice}
            if len(taken) != len(choice):
                continue
            used = set(choice)
            ok = True
            for si in multis:
                avail = [u for u in cands[si] if u[1] not in taken]
                fresh = {d for _, d in avail}
                if len(fresh) < slots[si][2]:
                    ok = False
                    break
                used.update(avail)
                taken |= fresh
            if ok:
                found.add(frozenset(used))

    by_meds: dict[frozenset[int], set[str]] = {}
    for units in found:
        med_set = frozenset(i for i, _ in units)
        if len(med_set) >= 2:
            by_meds.setdefault(med_set, set()).update(d for _, d in units)
    return [(m, tuple(sorted(d))) for m, d in by_meds.items()]


def _same_ingredient(meds: list[Medication], kb: Any, age: int | None) -> tuple[list[Finding], list[Finding]]:
    """One ingredient carried by two entries of the list: Tylenol + Norco, Hyzaar + losartan, warfarin + Coumadin.

    Ingredients carried by exactly the same entries make one finding; its rule
    is the most severe (then most specific) same-ingredient rule that selects
    any of them. Returns (findings, skipped for want of an age).
    """
    rids = kb.same_ingredient
    if not rids:
        return [], []
    drugs = [d for m in meds for d in m.drugs]
    if len(set(drugs)) == len(drugs) and all(len(m.inputs) == 1 for m in meds):
        return [], []  # no ingredient in two entries: the common case
    carriers: dict[str, list[int]] = {}
    for i, m in enumerate(meds):
        for d in m.drugs:
            carriers.setdefault(d, []).append(i)
    groups: dict[tuple[int, ...], list[str]] = {}
    for d, idx in carriers.items():
        if len(idx) > 1 or len(meds[idx[0]].inputs) > 1:
            groups.setdefault(tuple(idx), []).append(d)
    found: list[Finding] = []
    skipped: list[Finding] = []
    rules = kb.rules
    for idx, ds in groups.items():
        best = None
        for d in ds:
            tags = kb.tags(d)
            for rid in rids:
                rule = rules[rid]
                if rule["slots"]:
                    sel, excl, _ = rule["slots"][0]
                    if tags.isdisjoint(sel) or (excl and not tags.isdisjoint(excl)):
                        continue
                rank = (-rule["rank"], -rule["specificity"], rid)
                if best is None or rank < best[0]:
                    best = (rank, rid, rule)
        if best is None:
            continue
        _, rid, rule = best
        ins = tuple(sorted({i for j in idx for i in meds[j].inputs}))
        f = Finding(rid, rule, tuple(sorted(ds)), ins, frozenset(idx))
        min_age = rule["min_age"]
        if not min_age or (age is not None and age >= min_age):
            found.append(f)
        elif age is None:
            skipped.append(f)
    return found, skipped


def _fold(findings: list[Finding]) -> list[Finding]:
    """One problem, one warning: keep the strongest rule per set of medications."""
    groups: dict[frozenset[int], list[Finding]] = {}
    for f in findings:
        groups.setdefault(f.meds, []).append(f)
    out = []
    for group in groups.values():
        if len(group) > 1:
            group.sort(key=lambda f: (-f.rank, -f.rule_data["specificity"], f.rule, f.drugs))
            group[0].related = group[1:]
        out.append(group[0])
    return out
