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

_CACHE_FORMAT = 2


class KnowledgeBase:
    """Compiled drugs, names, classes and rules, with a memo of resolved names."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.names: dict[str, tuple] = data["names"]
        self.ambiguous: dict[str, Any] = data["ambiguous"]
        self.drugs: dict[str, Any] = data["drugs"]
        self.products: dict[str, Any] = data["products"]
        self.classes: dict[str, Any] = data["classes"]
        self.rules: dict[str, Any] = data["rules"]
        self.index: dict[str, tuple[str, ...]] = data["index"]
        self.references: dict[str, Any] = data["references"]
        self.info: dict[str, Any] = data["knowledge_base"]
        self.counts: dict[str, Any] = data["counts"]
        self.resolved: dict[str, Any] = {}  # input string -> Resolution (memo)
        self._tags: dict[str, frozenset[str]] = {}
        self._facts: dict[tuple[str, ...], tuple[frozenset[str], frozenset[str], frozenset[str]]] = {}
        self.pair_memo: dict[tuple[tuple[str, ...], tuple[str, ...]], tuple] = {}  # see pair()
        self.fill_memo: dict[tuple[str, tuple[str, ...]], tuple] = {}  # (rule, drugs) -> per slot, drugs filling it

    def tags(self, drug: str) -> frozenset[str]:
        """Every selector a drug answers to: its own id (as '@id') and all its classes."""
        t = self._tags.get(drug)
        if t is None:
            t = self._tags[drug] = frozenset(("@" + drug, *self.drugs[drug]["all_classes"]))
        return t


    def facts(self, drugs: tuple[str, ...]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
        """For a medication (its ingredients): every tag it answers to, and the rules it can start.

        The rules come in two sets: simple pairs (two slots of one medication
        each, answered per pair of medications by :meth:`pair`) and the rest.
        """
        f = self._facts.get(drugs)
        if f is None:
            tags: set[str] = set()
            for d in drugs:
                tags |= self.tags(d)
            rules: set[str] = set()
            for t in tags:
                hit = self.index.get(t)
                if hit:
                    rules.update(hit)
            pairs = {r for r in rules if _is_pair(self.rules[r])}
            f = self._facts[drugs] = (frozenset(tags), frozenset(rules - pairs), frozenset(pairs))
        return f

    def pair(self, a: tuple[str, ...], b: tuple[str, ...]) -> tuple:
        """The simple-pair rules two medications fire, ``a`` < ``b``: ((rule id, rule, drugs), ...).

        Either medication may fill either slot; ``drugs`` names every ingredient
        that fills the rule with this pair, as :func:`engine._fire` does.
        """
        key = (a, b)
        hit = self.pair_memo.get(key)
        if hit is None:
            out = []
            for rid in sorted(self.facts(a)[2] | self.facts(b)[2]):
                rule = self.rules[rid]
                fa = self.fills(rid, rule, a)
                fb = self.fills(rid, rule, b)
                drugs: set[str] = set()
                if fa[0] is not None and fb[1] is not None:
                    drugs.update(fa[0], fb[1])
                if fb[0] is not None and fa[1] is not None:
                    drugs.update(fb[0], fa[1])
                if drugs:
                    out.append((rid, rule, tuple(sorted(drugs))))
            hit = tuple(out)
            if len(self.pair_memo) < 1_000_000:
                self.pair_memo[key] = hit
        return hit

    def fills(self, rid: str, rule: dict[str, Any], drugs: tuple[str, ...]) -> tuple:
        """For a rule and a medication: per slot, the medication's drugs that fill it, or None if it does not."""
        key = (rid, drugs)
        f = self.fill_memo.get(key)
        if f is None:
            mtags = self.facts(drugs)[0]
            out = []
            for tags, excl, _need in rule["slots"]:
                if mtags.isdisjoint(tags) or (excl and not mtags.isdisjoint(excl)):
                    out.append(None)
                    continue
                # exclusions apply to the whole medication (checked above)
                out.append(tuple(d for d in drugs if not self.tags(d).isdisjoint(tags)))
            f = self.fill_memo[key] = tuple(out)
        return f


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
                key, data = marshal.loads(fh.read())
            if key == fingerprint and isinstance(data, dict):
                return KnowledgeBase(data)
        except (OSError, EOFError, ValueError, TypeError):
            pass  # no cache yet, or an unreadable one: compile afresh
    data = compile_dirs(dirs)
    if cfile is not None:
        _write_cache(cfile, (fingerprint, data))
    return KnowledgeBase(data)


def _write_cache(cfile: str, data: tuple[str, dict[str, Any]]) -> None:
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
