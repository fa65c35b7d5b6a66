"""The runtime knowledge base: compiled tables, cached between runs.

Loading the YAML and validating it takes a while; loading the compiled tables
takes milliseconds. The compiled form is cached in the user's cache directory
under a key made of the package version, the compiled-format version and the
path, size and modification time of every rule file (the same test Python
uses for its .pyc files), so editing a rule file or adding ``--rules DIR``
compiles afresh. Set ``CHECK_MEDS_NO_CACHE=1`` to bypass the cache, or
``CHECK_MEDS_CACHE_DIR`` to move it.
"""

from __future__ import annotations

import marshal
import os
import zlib
from typing import Any

from . import __version__
from .paths import rule_files, schema_path, shipped_rules_dir

# tables a check does not read, kept marshalled in the cache until first use
DETAILS = ("drugs", "classes", "label_reviews")
_CACHE_FORMAT = 5
# memos are capped so that memory does not grow with the run: beyond, answers are computed afresh
PAIR_MEMO_LIMIT = 250_000  # pairs of medications (about 40 MB)
RESOLVED_LIMIT = 250_000  # distinct input strings (about 70 MB)


class KnowledgeBase:
    """Compiled drugs, names, classes and rules, with a memo of resolved names."""

    def __init__(self, data: dict[str, Any], details: bytes | None = None) -> None:
        """``data`` is the compiled knowledge base; from the cache, the tables a
        check does not need (full drug entries, classes) arrive as ``details``,
        still marshalled, and are unpacked on first use."""
        self._data = data
        self._details = details
        self.names: dict[str, tuple] = data["names"]
        self.ambiguous: dict[str, Any] = data["ambiguous"]
        self.drug_classes: dict[str, tuple[str, ...]] = data["drug_classes"]
        self.products: dict[str, Any] = data["products"]
        self.rules: dict[str, Any] = data["rules"]
        self.index: dict[str, tuple[str, ...]] = data["index"]
        self.references: dict[str, Any] = data["references"]
        self.info: dict[str, Any] = data["knowledge_base"]
        self.counts: dict[str, Any] = data["counts"]
        self.disabled: dict[str, Any] = data["disabled"]  # rules a site configuration disabled
        self.same_ingredient: tuple[str, ...] = data["same_ingredient"]  # rules about one ingredient in two entries
        self.non_medicines: dict[str, Any] = data["non_medicines"]
        self.same_as: dict[str, str] = data["same_as"]  # systemic forms answer to their base drug's rules
        self.resolved: dict[str, Any] = {}  # input string -> Resolution (memo)
        self._tags: dict[str, frozenset[str]] = {}
        self._meds: dict[tuple[str, ...], MedFacts] = {}
        self.pair_memo: dict[tuple[int, int], tuple] = {}  # see pair()
        # simple pair rules (two slots, one medication each) get a bit each, in
        # rule-id order, and an index by the tags of either slot
        self.pair_rules: list[str] = [rid for rid in sorted(self.rules) if _is_pair(self.rules[rid])]
        self._pair_bit = {rid: 1 << i for i, rid in enumerate(self.pair_rules)}
        self._pair_index: dict[str, list[str]] = {}
        for rid in self.pair_rules:
            for tags, _excl, _need in self.rules[rid]["slots"]:
                for t in tags:
                    self._pair_index.setdefault(t, []).append(rid)
        # the other indexed rules by the tags of every slot: which rules a medication can fill at all
        self._slot_index: dict[str, set[str]] = {}
        for rid in {r for rids in self.index.values() for r in rids if r not in self._pair_bit}:
            for tags, _excl, _need in self.rules[rid]["slots"]:
                for t in tags:
                    self._slot_index.setdefault(t, set()).add(rid)

    def tags(self, drug: str) -> frozenset[str]:
        """Every selector a drug answers to: its own id (as '@id') and all its classes."""
        t = self._tags.get(drug)
        if t is None:
            base = self.same_as.get(drug)
            extra = ("@" + base,) if base else ()
            t = self._tags[drug] = frozenset(("@" + drug, *extra, *self.drug_classes[drug]))
        return t

    @property
    def data(self) -> dict[str, Any]:
        """The whole compiled knowledge base (unpacking the cached details if needed)."""
        if self._details is not None:
            self._data.update(marshal.loads(self._details))
            self._details = None
        return self._data

    @property
    def drugs(self) -> dict[str, Any]:
        """Full drug entries: names, brands, salts, codes, classes, provenance."""
        return self.data["drugs"]

    @property
    def classes(self) -> dict[str, Any]:
        return self.data["classes"]

    @property
    def label_reviews(self) -> dict[str, Any]:
        """Per drug: the review of its US prescribing information (see docs/knowledge-base.md)."""
        return self.data["label_reviews"]

    def med(self, drugs: tuple[str, ...]) -> MedFacts:
        """What the engine needs about a medication (its ingredients), computed once per process."""
        f = self._meds.get(drugs)
        if f is None:
            f = self._meds[drugs] = self._med_facts(drugs)
        return f

    def _med_facts(self, drugs: tuple[str, ...]) -> MedFacts:
        tags: set[str] = set()
        for d in drugs:
            tags |= self.tags(d)
        mf = MedFacts(drugs, len(self._meds), frozenset(tags))
        rules: set[str] = set()
        pairs: set[str] = set()
        for t in tags:
            hit = self.index.get(t)
            if hit:
                rules.update(hit)
            hit = self._pair_index.get(t)
            if hit:
                pairs.update(hit)
        mf.rules = frozenset(r for r in rules if r not in self._pair_bit)
        touches: set[str] = set()
        for t in tags:
            hit = self._slot_index.get(t)
            if hit:
                touches |= hit
        mf.touches = frozenset(touches)
        units = []
        for rid in pairs:
            f = self.fill(mf, rid)
            if f[0] is not None:
                mf.m0 |= self._pair_bit[rid]
            if f[1] is not None:
                mf.m1 |= self._pair_bit[rid]
            if f[0] is not None or f[1] is not None:
                units.append((self._pair_bit[rid].bit_length() - 1, len(f[0] or ()), len(f[1] or ())))
        mf.pair_units = tuple(sorted(units))
        return mf

    def fill(self, mf: MedFacts, rid: str) -> tuple:
        """For a medication and a rule: per slot, the medication's ingredients that fill it, or None.

        Exclusions apply to the whole medication: the naltrexone of Embeda
        (morphine + naltrexone) is not an antagonist without an opioid.
        """
        f = mf.fills.get(rid)
        if f is None:
            mtags = mf.tags
            out = []
            for tags, excl, _need in self.rules[rid]["slots"]:
                if mtags.isdisjoint(tags) or (excl and not mtags.isdisjoint(excl)):
                    out.append(None)
                else:
                    out.append(tuple(d for d in mf.drugs if not self.tags(d).isdisjoint(tags)))
            f = mf.fills[rid] = tuple(out)
        return f

    def pair(self, a: MedFacts, b: MedFacts) -> tuple:
        """The simple-pair rules two medications fire: ((rule id, rule, drugs), ...) in rule-id order.

        Either medication may fill either slot; ``drugs`` names every ingredient
        that fills the rule with this pair, as :func:`engine._fire` does.
        """
        key = (a.uid, b.uid) if a.uid < b.uid else (b.uid, a.uid)
        hit = self.pair_memo.get(key)
        if hit is None:
            bits = (a.m0 & b.m1) | (b.m0 & a.m1)
            out = []
            i = 0
            while bits:
                if bits & 1:
                    rid = self.pair_rules[i]
                    fa, fb = self.fill(a, rid), self.fill(b, rid)
                    # each way round, the two slots need two different ingredients
                    drugs: set[str] = set()
                    if fa[0] is not None and fb[1] is not None and len({*fa[0], *fb[1]}) > 1:
                        drugs.update(fa[0], fb[1])
                    if fb[0] is not None and fa[1] is not None and len({*fb[0], *fa[1]}) > 1:
                        drugs.update(fb[0], fa[1])
                    if drugs:
                        out.append((rid, self.rules[rid], tuple(sorted(drugs))))
                bits >>= 1
                i += 1
            hit = tuple(out)
            if len(self.pair_memo) < PAIR_MEMO_LIMIT:
                self.pair_memo[key] = hit
        return hit


class MedFacts:
    """A medication's tags, the rules it can start, and its pair-rule masks (bit per pair rule)."""

    __slots__ = ("drugs", "uid", "tags", "rules", "touches", "m0", "m1", "pair_units", "fills")

    def __init__(self, drugs: tuple[str, ...], uid: int, tags: frozenset[str]) -> None:
        self.drugs = drugs
        self.uid = uid
        self.tags = tags
        self.rules: frozenset[str] = frozenset()  # rules other than simple pairs, by the index
        self.touches: frozenset[str] = frozenset()  # rules other than simple pairs with a slot it may fill
        self.m0 = 0  # pair rules whose first slot this medication fills
        self.m1 = 0  # ... whose second slot it fills
        self.pair_units: tuple[tuple[int, int, int], ...] = ()  # (bit, ingredients filling slot 0, ... slot 1)
        self.fills: dict[str, tuple] = {}


def _is_pair(rule: dict[str, Any]) -> bool:
    """Two slots, one medication each: findings are a function of a pair of medications."""
    slots = rule["slots"]
    return len(slots) == 2 and slots[0][2] == 1 and slots[1][2] == 1


def rule_dirs(extra: list[str] | tuple[str, ...] = ()) -> list[tuple[str, bool]]:
    return [(shipped_rules_dir(), True), *((d, False) for d in extra)]


def _fingerprint(dirs: list[tuple[str, bool]]) -> str:
    """The cache key: package and format versions, the directories as given
    (the compiled tables show paths as given), and every rule file's path, size
    and mtime."""
    parts = [f"{__version__}|{_CACHE_FORMAT}", "|".join(d for d, _ in dirs)]
    for path in [schema_path(), *(f for d, _ in dirs for f in (rule_files(d) if os.path.isdir(d) else [d]))]:
        try:
            st = os.stat(path)
            parts.append(f"{os.path.abspath(path)}|{st.st_size}|{st.st_mtime_ns}")
        except OSError:
            parts.append(f"{path}|missing")
    return "\n".join(parts)


def cache_dir() -> str | None:
    if os.environ.get("CHECK_MEDS_NO_CACHE"):
        return None
    d = os.environ.get("CHECK_MEDS_CACHE_DIR")
    if d:
        return d
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "check-meds")


def compile_dirs(dirs: list[tuple[str, bool]]) -> dict[str, Any]:
    """Read, validate and compile rule directories (no cache). Raises InvalidRulesError."""
    from .compiler import compile_source
    from .loader import read_directories

    return compile_source(read_directories(dirs), __version__)


def load_knowledge_base(extra_dirs: list[str] | tuple[str, ...] = (), use_cache: bool = True) -> KnowledgeBase:
    """Load the shipped knowledge base plus any site rule directories.

    Raises InvalidRulesError (exit code 3) with every problem found.
    """
    dirs = rule_dirs(extra_dirs)
    cdir = cache_dir() if use_cache else None
    cfile = None
    if cdir is not None:
        fingerprint = _fingerprint(dirs)
        # the file name only spreads entries; the full key stored inside decides
        cfile = os.path.join(cdir, f"kb-{zlib.crc32(fingerprint.encode()):08x}-{len(fingerprint)}.marshal")
        try:
            with open(cfile, "rb") as fh:
                key, core, details = marshal.loads(fh.read())
            if key == fingerprint and isinstance(core, dict) and isinstance(details, bytes):
                return KnowledgeBase(core, details)
        except (OSError, EOFError, ValueError, TypeError):
            pass  # no cache yet, or an unreadable one: compile afresh
    data = compile_dirs(dirs)
    if cfile is not None:
        core = {k: v for k, v in data.items() if k not in DETAILS}
        _write_cache(cfile, (fingerprint, core, marshal.dumps({k: data[k] for k in DETAILS})))
    return KnowledgeBase(data)


def _write_cache(cfile: str, data: tuple[str, dict[str, Any], bytes]) -> None:
    tmp = f"{cfile}.{os.getpid()}.tmp"
    try:
        os.makedirs(os.path.dirname(cfile), exist_ok=True)
        with open(tmp, "wb") as fh:
            marshal.dump(data, fh)
        os.replace(tmp, cfile)
    except OSError:
        try:  # a read-only or full cache directory only costs speed
            os.unlink(tmp)
        except OSError:
            pass
