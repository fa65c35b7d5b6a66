"""The runtime knowledge base: compiled tables, cached between runs.

Loading the YAML and validating it takes a while; loading the compiled tables
takes milliseconds. The compiled form is cached in the user's cache directory
under a key made of the package version, the compiled-format version and the
inode, size, mtime and ctime of every rule file, and the content checksum of
every site rule file, so editing a rule file (even keeping its size and
mtime) or adding ``--rules DIR`` compiles afresh. A cache file carries a
checksum over all its bytes, checked before anything is unpacked, and is used
only from a directory owned by the current user and writable by no one else.
Set ``CHECK_MEDS_NO_CACHE=1`` to bypass the cache, or ``CHECK_MEDS_CACHE_DIR``
to move it.
"""

from __future__ import annotations

import marshal
import os
import stat
import zlib
from typing import Any

from . import __version__
from .paths import rule_files, schema_path, shipped_rules_dir

# tables a check does not read, kept marshalled in the cache until first use
DETAILS = ("drugs", "classes", "label_reviews")
_CACHE_FORMAT = 8
# memos are capped, in entries and in the length of the strings they keep, so that memory does
# not grow with the run (bench/memory.py): beyond, answers are computed afresh. 100,000 lists of a
# dispensing export hold about as many distinct strings, so a run is at its caps from there on.
PAIR_MEMO_LIMIT = 32_768  # pairs of medications (about 6 MB)
RESOLVED_LIMIT = 100_000  # distinct input strings (about 30 MB)
# unrecognised strings: output pieces (each carries its suggestions, about 450 bytes), names
# counted one by one in a run's summary, and suggestions (per distinct misspelt name); typos
# recur, hand-typed strings with dose text seldom do
UNRECOGNISED_LIMIT = 8_192
MEMO_KEY_MAX = 256  # characters: a longer string (never a real name) is never remembered


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
        self.notes: list[str] = []  # remarks about loading (e.g. a cache directory refused), for stderr
        self.resolved: dict[str, Any] = {}  # input string -> Resolution (memo)
        self._tags: dict[str, frozenset[str]] = {}
        self._meds: dict[tuple[str, ...], MedFacts] = {}
        self.known_meds = self._meds  # read-only view for the engine's inner loop (see med())
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
            while bits:  # set bits only, lowest first (rule-id order): a mask is hundreds of bits wide
                low = bits & -bits
                bits ^= low
                rid = self.pair_rules[low.bit_length() - 1]
                fa, fb = self.fill(a, rid), self.fill(b, rid)
                # each way round, the two slots need two different ingredients
                drugs: set[str] = set()
                if fa[0] is not None and fb[1] is not None and len({*fa[0], *fb[1]}) > 1:
                    drugs.update(fa[0], fb[1])
                if fb[0] is not None and fa[1] is not None and len({*fb[0], *fa[1]}) > 1:
                    drugs.update(fb[0], fa[1])
                if drugs:
                    out.append((rid, self.rules[rid], tuple(sorted(drugs))))
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


def _stat_part(path: str, st: os.stat_result) -> str:
    # ctime cannot be set back by the file's owner (touch -d restores only
    # mtime), and a file replaced by another gets a new inode
    return f"{os.path.abspath(path)}|{st.st_ino}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}"


def _fingerprint(dirs: list[tuple[str, bool]]) -> str:
    """The cache key: package and format versions, the directories as given
    (the compiled tables show paths as given), every rule file's inode, size,
    mtime and ctime, and for site rule files (small, and the ones people edit)
    a checksum of their content as well."""
    parts = [f"{__version__}|{_CACHE_FORMAT}", "|".join(d for d, _ in dirs)]
    files = [(schema_path(), False)]
    for d, shipped in dirs:
        files.extend((f, not shipped) for f in (rule_files(d) if os.path.isdir(d) else [d]))
    for path, content in files:
        try:
            st = os.stat(path)
        except OSError:
            parts.append(f"{path}|missing")
            continue
        part = _stat_part(path, st)
        if content and stat.S_ISREG(st.st_mode) and st.st_size <= _MAX_HASHED:
            try:
                with open(path, "rb") as fh:
                    part += f"|{zlib.crc32(fh.read(_MAX_HASHED + 1)):08x}"
            except OSError:
                part += "|unreadable"
        parts.append(part)
    return "\n".join(parts)


_MAX_HASHED = 8 << 20  # site rule files are far smaller; beyond this, stat alone
_MAGIC = b"check-meds-kb\x00"
_HEAD = len(_MAGIC) + 12  # magic, crc32 of the payload (4 bytes), payload length (8 bytes)
_MAX_CACHE_BYTES = 256 << 20
_KEEP = 8  # compiled files kept per cache directory (one per set of rule directories)


def default_cache_dir() -> str:
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "check-meds")


def cache_dir() -> str | None:
    if os.environ.get("CHECK_MEDS_NO_CACHE"):
        return None
    return os.environ.get("CHECK_MEDS_CACHE_DIR") or default_cache_dir()


def _cache_dirs() -> list[str]:
    """Where to look for and write the compiled cache: the chosen directory, then the per-user default."""
    first = cache_dir()
    if first is None:
        return []
    default = default_cache_dir()
    return [first] if os.path.abspath(first) == os.path.abspath(default) else [first, default]


def _unsafe(st: os.stat_result) -> str | None:
    """Why a cache directory or file must not be trusted, or None."""
    uid = os.geteuid() if hasattr(os, "geteuid") else None
    if uid is not None and st.st_uid != uid:
        return "owned by another user"
    if st.st_mode & 0o022:
        return "writable by other users"
    return None


def _safe_dir(d: str, create: bool) -> tuple[bool, str | None]:
    """(usable, why not): a cache directory must be ours and writable by us alone (created mode 0700)."""
    try:
        st = os.stat(d)
    except FileNotFoundError:
        if not create:
            return False, None
        try:
            os.makedirs(os.path.dirname(os.path.abspath(d)), exist_ok=True)
            os.mkdir(d, 0o700)
            st = os.stat(d)
        except OSError as exc:
            return False, f"cannot create it: {exc.strerror or exc}"
    except OSError as exc:
        return False, f"cannot use it: {exc.strerror or exc}"
    if not stat.S_ISDIR(st.st_mode):
        return False, "not a directory"
    why = _unsafe(st)
    return (why is None), why


def _read_cache(cfile: str, fingerprint: str, debug: list[str]) -> tuple[dict[str, Any], bytes] | None:
    """The cached tables, only if the file is ours, whole (checksum over every byte) and for this key."""
    try:
        fd = os.open(cfile, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        with os.fdopen(fd, "rb") as fh:
            st = os.fstat(fh.fileno())
            why = "not a regular file" if not stat.S_ISREG(st.st_mode) else _unsafe(st)
            if why is None and st.st_size > _MAX_CACHE_BYTES:
                why = "too large"
            if why is not None:
                debug.append(f"cache file {cfile} not used: {why}")
                return None
            raw = fh.read()
    except OSError:
        return None
    payload = memoryview(raw)[_HEAD:]
    head = raw[:_HEAD]
    if (
        len(raw) < _HEAD
        or not head.startswith(_MAGIC)
        or int.from_bytes(head[len(_MAGIC) + 4 :], "little") != len(payload)
        or int.from_bytes(head[len(_MAGIC) : len(_MAGIC) + 4], "little") != zlib.crc32(payload)
    ):
        debug.append(f"cache file {cfile} is damaged (checksum mismatch): compiling afresh")
        return None
    try:  # the checksum matched, so these are the bytes this program wrote
        key, core, details = marshal.loads(payload)
    except (EOFError, ValueError, TypeError):
        debug.append(f"cache file {cfile} could not be read: compiling afresh")
        return None
    if key != fingerprint or not isinstance(core, dict) or not isinstance(details, bytes):
        return None
    return core, details


def compile_dirs(dirs: list[tuple[str, bool]]) -> dict[str, Any]:
    """Read, validate and compile rule directories (no cache). Raises InvalidRulesError."""
    from .compiler import compile_source
    from .loader import read_directories

    return compile_source(read_directories(dirs), __version__)


def check_rule_dirs(extra_dirs: list[str] | tuple[str, ...]) -> None:
    """A site rule path that is missing or not a directory stops the run in one line: a usage error (exit 2).

    The path is wrong, not a rule file in it, so no ``path:line`` is given.
    """
    from .errors import CheckMedsError
    from .exitcodes import ExitCode

    for d in extra_dirs:
        shown = d.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
        try:
            st = os.stat(d)
        except FileNotFoundError:
            raise CheckMedsError(f"{shown}: rule directory not found; nothing was checked", ExitCode.USAGE) from None
        except (OSError, ValueError) as exc:
            raise CheckMedsError(f"{shown}: cannot read rule directory: {getattr(exc, 'strerror', None) or exc}; nothing was checked", ExitCode.USAGE) from None
        if not stat.S_ISDIR(st.st_mode):
            raise CheckMedsError(f"{shown}: not a directory (rules are loaded from a directory of rule files); nothing was checked", ExitCode.USAGE)


def load_knowledge_base(extra_dirs: list[str] | tuple[str, ...] = (), use_cache: bool = True) -> KnowledgeBase:
    """Load the shipped knowledge base plus any site rule directories.

    The cache is used only from a directory owned by the current user and
    writable by nobody else, and only when a checksum over the whole file
    matches; anything else is compiled afresh. Remarks for the user (a cache
    directory refused, or no cache possible) are left in ``kb.notes``.

    Raises CheckMedsError (exit 3, one line) for a site rule path that is not
    a directory, InvalidRulesError (exit 3) with every problem found.
    """
    check_rule_dirs(extra_dirs)
    dirs = rule_dirs(extra_dirs)
    candidates = _cache_dirs() if use_cache else []
    notes: list[str] = []
    debug: list[str] = []
    fingerprint = _fingerprint(dirs) if candidates else ""
    name = f"kb-{zlib.crc32(fingerprint.encode('utf-8', 'surrogateescape')):08x}-{len(fingerprint)}.marshal"
    usable: list[str] = []
    for d in candidates:
        ok, why = _safe_dir(d, create=False)
        if why is not None:
            notes.append(f"cache directory {d} not used: {why} (see CHECK_MEDS_CACHE_DIR in the README)")
        elif not ok:
            break  # not there yet: it is created below
        if ok:
            usable.append(d)
            hit = _read_cache(os.path.join(d, name), fingerprint, debug)
            if hit is not None:
                kb = KnowledgeBase(*hit)
                kb.notes = notes + _debug(debug)
                return kb
            if os.access(d, os.W_OK):
                break  # the per-user default is only a fallback for a directory we cannot use
    data = compile_dirs(dirs)
    if candidates and _fingerprint(dirs) == fingerprint:  # not cached if a file changed while compiling
        core = {k: v for k, v in data.items() if k not in DETAILS}
        payload = marshal.dumps((fingerprint, core, marshal.dumps({k: data[k] for k in DETAILS})))
        written = False
        for d in candidates:
            if d in usable and not os.access(d, os.W_OK):
                continue
            if d not in usable:
                ok, why = _safe_dir(d, create=True)
                if not ok:
                    if why is not None and not any(n.startswith(f"cache directory {d} ") for n in notes):
                        notes.append(f"cache directory {d} not used: {why}")
                    continue
            if _write_cache(d, name, payload, debug):
                written = True
                break
        if not written:
            notes.append("the compiled knowledge base could not be cached: every run compiles it afresh (slower)")
    kb = KnowledgeBase(data)
    kb.notes = notes + _debug(debug)
    return kb


def _debug(lines: list[str]) -> list[str]:
    return lines if os.environ.get("CHECK_MEDS_DEBUG") else []


def _write_cache(d: str, name: str, payload: bytes, debug: list[str]) -> bool:
    """Write atomically through a private temporary file (never a predictable name), then prune old files."""
    import tempfile

    head = _MAGIC + zlib.crc32(payload).to_bytes(4, "little") + len(payload).to_bytes(8, "little")
    try:
        fd, tmp = tempfile.mkstemp(prefix=".kb-", suffix=".tmp", dir=d)  # O_EXCL, mode 0600
    except OSError as exc:
        debug.append(f"cache directory {d}: cannot write: {exc.strerror or exc}")
        return False
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(head)
            fh.write(payload)
        os.replace(tmp, os.path.join(d, name))
    except OSError as exc:
        debug.append(f"cache directory {d}: cannot write: {exc.strerror or exc}")
        try:
            os.unlink(tmp)
        except OSError:
            pass
        return False
    _prune(d, name)
    return True


def _prune(d: str, keep_name: str) -> None:
    """Keep the most recently written compiled files; remove older ones and abandoned temporary files."""
    import time

    try:
        entries = list(os.scandir(d))
    except OSError:
        return
    now = time.time()
    compiled = []
    for e in entries:
        try:
            if e.name.startswith("kb-") and e.name.endswith(".marshal") and e.name != keep_name:
                compiled.append((e.stat(follow_symlinks=False).st_mtime, e.path))
            elif e.name.startswith(".kb-") and e.name.endswith(".tmp") and now - e.stat(follow_symlinks=False).st_mtime > 3600:
                os.unlink(e.path)
        except OSError:
            pass
    compiled.sort(reverse=True)
    for _mtime, path in compiled[_KEEP - 1 :]:
        try:
            os.unlink(path)
        except OSError:
            pass
