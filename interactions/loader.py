"""Load and validate the YAML knowledge base; every problem carries file:line.

The loader is the single source of truth for what a rule file may say: each
file is checked against the published JSON Schema (``interactions/schema``),
then the files are checked together (duplicate ids, undefined classes, drugs
and references, class cycles, empty classes, colliding names). All problems are
collected and raised together as :class:`InvalidRulesError`.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field
from typing import Any

from . import yamlsafe
from .errors import InvalidRulesError, Problem
from .paths import read_regular, rule_files, schema_path
from .text import key

SECTIONS = (
    "references", "classes", "memberships", "drugs", "aliases", "products", "non_medicines", "ambiguous", "rules",
    "duplications", "label_reviews", "overrides",
)
_ID_FIELD = {
    "references": "id", "classes": "id", "memberships": "class", "drugs": "id", "aliases": "drug", "products": "id",
    "non_medicines": "id", "ambiguous": "name", "rules": "id", "duplications": "class", "label_reviews": "drug",
    "overrides": "rule",
}
_SINGULAR = {
    "references": "reference", "classes": "class", "memberships": "membership list of", "drugs": "drug",
    "aliases": "aliases of", "products": "product", "non_medicines": "non-medicine", "ambiguous": "ambiguous name",
    "rules": "rule", "duplications": "duplication of", "label_reviews": "label review of", "overrides": "override of",
}
# sections whose items are not unique by their id field: several lists may add
# members to one class, several files names to one drug
_MANY_PER_ID = frozenset({"memberships", "aliases"})


def duplication_id(item: dict[str, Any]) -> str:
    """The rule id a duplication line compiles to."""
    if isinstance(item.get("id"), str):
        return item["id"]
    return "duplication-" + "-".join(_as_list(item.get("class")))


def _item_id(section: str, item: dict[str, Any]) -> str | None:
    if section == "aliases":
        ident = item.get("drug", item.get("product"))
    elif section == "duplications":
        ident = duplication_id(item) if _as_list(item.get("class")) else None
    else:
        ident = item.get(_ID_FIELD[section])
    return ident if isinstance(ident, str) else None


@dataclass
class Entry:
    """One item of a section, with where it came from."""

    data: dict[str, Any]
    path: str  # display path
    lines: dict[tuple[Any, ...], int]
    base: tuple[Any, ...]  # path of the item inside its file
    layer: int  # 0 = shipped knowledge base, 1.. = each --rules directory

    def line(self, *sub: Any) -> int:
        p = (*self.base, *sub)
        while p:
            if p in self.lines:
                return self.lines[p]
            p = p[:-1]
        return self.lines.get((), 1)


@dataclass
class Source:
    """Everything read from the rule directories, validated."""

    layers: list[dict[str, Any]] = field(default_factory=list)  # knowledge_base metadata per layer
    files: list[str] = field(default_factory=list)
    sections: dict[str, dict[str, Entry]] = field(default_factory=dict)
    overridden: dict[str, list[str]] = field(default_factory=dict)  # section -> ids a site replaced


def display_path(path: str, directory: str, shipped: bool) -> str:
    rel = os.path.relpath(path, directory)
    if shipped:
        return os.path.join("rules", rel)
    return shown_path(os.path.join(directory, rel) if not os.path.isabs(directory) else path)


def shown_path(path: str) -> str:
    """A path as reports show it: bytes that are not UTF-8 written as \\xNN, so every output stays valid UTF-8."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


_validator = None
_quick = None


def _schema() -> dict:
    with open(schema_path(), encoding="utf-8") as fh:
        return json.load(fh)


def _schema_validator():
    global _validator
    if _validator is None:
        import jsonschema

        _validator = jsonschema.Draft202012Validator(_schema())
    return _validator


def _quick_schema(node: Any) -> Any:
    """The schema with dependentRequired spelt as draft 7's dependencies.

    fastjsonschema compiles this 2020-12 schema as draft 2019-09 but does not
    implement dependentRequired, which it would otherwise ignore.
    """
    if isinstance(node, dict):
        return {("dependencies" if k == "dependentRequired" else k): _quick_schema(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_quick_schema(v) for v in node]
    return node


def _quick_check():
    """A compiled yes/no check of a whole file, or None without fastjsonschema.

    It is several times faster than walking the schema with jsonschema, which
    is kept to name every problem with its line: it runs only on a file the
    quick check rejects. tests/test_schema_quick.py checks that the quick check
    accepts nothing the full validator rejects.
    """
    global _quick
    if _quick is None:
        try:
            import fastjsonschema
        except ImportError:  # pragma: no cover - it is a dependency; the full validator alone is correct too
            _quick = False
        else:
            _quick = fastjsonschema.compile(_quick_schema(_schema()))
    return _quick or None


def _schema_problems(data: Any, lines: dict, path: str) -> list[Problem]:
    quick = _quick_check()
    if quick is not None:
        try:
            quick(data)
        except Exception:  # noqa: BLE001 - any refusal (or a failure of the quick check) means: look closely
            pass
        else:
            return []
    from jsonschema.exceptions import best_match

    problems = []
    for err in _schema_validator().iter_errors(data):
        leaf = best_match(err.context) if err.context else err
        loc = tuple(leaf.absolute_path)
        problems.append(Problem(path, _line_of(lines, loc), _describe(data, loc, leaf.message)))
    return problems


def _line_of(lines: dict, loc: tuple) -> int:
    while loc:
        if loc in lines:
            return lines[loc]
        loc = loc[:-1]
    return lines.get((), 1)


def _describe(data: Any, loc: tuple, message: str) -> str:
    """Prefix a message with the item it concerns: "rule 'x': severity: ..."."""
    prefix = ""
    rest = loc
    if len(loc) >= 2 and loc[0] in SECTIONS and isinstance(loc[1], int):
        item = data.get(loc[0], [])
        ident = None
        if isinstance(item, list) and loc[1] < len(item) and isinstance(item[loc[1]], dict):
            ident = _item_id(loc[0], item[loc[1]])
        what = _SINGULAR[loc[0]]
        prefix = f"{what} {ident!r}: " if isinstance(ident, str) else f"{what} #{loc[1] + 1}: "
        rest = loc[2:]
    field_path = ".".join(str(p) for p in rest)
    if len(message) > 300:
        message = message[:297] + "..."
    return f"{prefix}{field_path + ': ' if field_path else ''}{message}"


def read_directories(directories: list[tuple[str, bool]]) -> Source:
    """Read and validate rule directories, shipped first. Raises InvalidRulesError."""
    src = Source(sections={s: {} for s in SECTIONS})
    problems: list[Problem] = []
    for layer, (directory, shipped) in enumerate(directories):
        if not os.path.isdir(directory):
            problems.append(Problem(directory, 1, "rule directory not found"))
            continue
        files = rule_files(directory)
        if not files:
            problems.append(Problem(directory, 1, "no rule files (*.yaml) in this directory"))
        # the path as shown in reports: bytes that are not UTF-8 escaped as \\xNN
        meta: dict[str, Any] = {"path": "rules" if shipped else shown_path(directory)}
        digest = hashlib.sha256()
        for fpath in files:
            shown = display_path(fpath, directory, shipped)
            src.files.append(fpath)
            digest.update(os.fsencode(os.path.relpath(fpath, directory)) + b"\0")
            data, lines = _read_file(fpath, shown, problems, digest)
            if data is None:
                continue
            if isinstance(data.get("knowledge_base"), dict):
                if "name" in meta:
                    problems.append(Problem(shown, lines.get(("knowledge_base",), 1), "knowledge_base is declared twice in this directory"))
                else:
                    meta.update(data["knowledge_base"])
            for section in SECTIONS:
                items = data.get(section)
                for i, item in enumerate(items if isinstance(items, list) else []):
                    if isinstance(item, dict) and _item_id(section, item) is not None:
                        _add(src, section, Entry(_clean(section, item), shown, lines, (section, i), layer), problems)
        if "name" not in meta:
            if shipped:
                problems.append(Problem(os.path.join("rules", "knowledge-base.yaml"), 1, "the shipped rules must declare knowledge_base: {name, version}"))
            meta.update(name=os.path.basename(os.path.normpath(directory)), version="unversioned")
        if not shipped:  # what an audit needs: exactly which site files produced a warning
            meta["digest"] = "sha256:" + digest.hexdigest()
        src.layers.append(meta)
    problems.extend(_cross_check(src))
    if problems:
        raise InvalidRulesError(problems)
    return src


def _read_file(fpath: str, shown: str, problems: list[Problem], digest: Any = None) -> tuple[dict | None, dict]:
    try:
        raw = read_regular(fpath, yamlsafe.MAX_FILE_BYTES + 1)
    except OSError as exc:
        problems.append(Problem(shown, 1, f"cannot read: {exc.strerror or exc}"))
        return None, {}
    if digest is not None:
        digest.update(raw + b"\0")
    if len(raw) > yamlsafe.MAX_FILE_BYTES:
        problems.append(Problem(shown, 1, f"file is larger than {yamlsafe.MAX_FILE_BYTES // (1024 * 1024)} MiB"))
        return None, {}
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.append(Problem(shown, line, "not valid UTF-8"))
        return None, {}
    try:
        data, lines = yamlsafe.parse(text)
    except yamlsafe.YamlProblem as exc:
        problems.append(Problem(shown, exc.line, exc.message))
        return None, {}
    if not isinstance(data, dict):
        problems.append(Problem(shown, 1, "a rule file must be a mapping with schema_version: 1"))
        return None, {}
    problems.extend(_schema_problems(data, lines, shown))
    # even a file with schema problems contributes its well-formed items, so
    # that every problem in every file is reported in one run
    return data, lines


_LIST_FIELDS = {
    "classes": ("parents", "sources", "not_members"),
    "drugs": ("classes", "names", "brands", "salts", "abbreviations"),
    "products": ("names", "ingredients"),
    "ambiguous": ("candidates",),
    "rules": ("references", "slots", "aliases"),
    "references": (),
    "overrides": (),
    "memberships": ("drugs", "sources"),
    "aliases": ("names", "brands", "salts", "abbreviations"),
    "non_medicines": ("names",),
    "duplications": ("references", "example"),
    "label_reviews": ("interactions",),
}


def _clean(section: str, item: dict[str, Any]) -> dict[str, Any]:
    """Give malformed fields harmless values so cross-file checks can still run.

    The schema has already reported what is wrong with them.
    """
    out = dict(item)
    for f in _LIST_FIELDS[section]:
        v = out.get(f)
        if v is not None and not isinstance(v, list):
            out[f] = []
        elif isinstance(v, list):
            if f == "slots":
                out[f] = [x for x in v if isinstance(x, dict)]
            elif f == "not_members":
                out[f] = [x for x in v if isinstance(x, dict) and isinstance(x.get("drug"), str)]
            elif f == "interactions":
                out[f] = [x for x in v if isinstance(x, dict)]
            else:
                out[f] = [x for x in v if isinstance(x, str)]
    for f in ("class_sources", "codes", "examples"):
        if f in out and not isinstance(out[f], dict):
            out[f] = {}
    for f in ("sources", "references", "classes", "ingredients", "candidates"):
        out.setdefault(f, [])
    if section == "rules":
        out["slots"] = out.get("slots") or []
    return out


def _add(src: Source, section: str, entry: Entry, problems: list[Problem]) -> None:
    ident = _item_id(section, entry.data)
    if section in _MANY_PER_ID:
        src.sections[section][f"{entry.path}#{entry.base[1]}"] = entry
        return
    if section == "ambiguous":
        ident = key(ident)
    if section == "overrides":
        existing = src.sections[section].get(ident)
        if existing is not None:
            problems.append(Problem(entry.path, entry.line(), f"rule {ident!r} is overridden twice (also at {existing.path}:{existing.line()})"))
            return
        src.sections[section][ident] = entry
        return
    existing = src.sections[section].get(ident)
    if existing is None:
        src.sections[section][ident] = entry
        return
    what = _SINGULAR[section]
    if entry.layer > existing.layer and entry.data.get("override") is True:
        src.sections[section][ident] = entry
        src.overridden.setdefault(section, []).append(ident)
        return
    hint = " (a site file may replace it with override: true)" if entry.layer > existing.layer else ""
    problems.append(Problem(entry.path, entry.line(), f"duplicate {what} id {ident!r}: already defined at {existing.path}:{existing.line()}{hint}"))


def _as_list(value: Any) -> list[Any]:
    """A selector value (one id or a list of ids) as a list of strings."""
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str)]


def _cross_check(src: Source) -> list[Problem]:
    """Checks that need every file: references between items."""
    problems: list[Problem] = []
    S = src.sections
    refs, classes, drugs, products = S["references"], S["classes"], S["drugs"], S["products"]

    def need_refs(entry: Entry, ids: list[str], where: tuple, label: str) -> None:
        for i, r in enumerate(ids):
            if r not in refs:
                problems.append(Problem(entry.path, entry.line(*where, i), f"{label}: unknown reference {r!r} (define it under references:)"))

    for cid, c in classes.items():
        need_refs(c, c.data["sources"], ("sources",), f"class {cid!r}")
        for i, p in enumerate(c.data.get("parents", [])):
            if p not in classes:
                problems.append(Problem(c.path, c.line("parents", i), f"class {cid!r}: unknown parent class {p!r}"))
        for i, nm in enumerate(c.data.get("not_members", [])):
            if nm["drug"] not in drugs:
                problems.append(Problem(c.path, c.line("not_members", i), f"class {cid!r}: not_members names unknown drug {nm['drug']!r}"))
    problems.extend(_cycles(classes))

    members: dict[str, int] = dict.fromkeys(classes, 0)
    for m in S["memberships"].values():
        cid = m.data["class"]
        need_refs(m, m.data["sources"], ("sources",), f"members of class {cid!r}")
        if cid not in classes:
            problems.append(Problem(m.path, m.line("class"), f"members of unknown class {cid!r}"))
            continue
        excluded = {nm["drug"]: nm["reason"] for nm in classes[cid].data.get("not_members", [])}
        for i, did in enumerate(m.data["drugs"]):
            if did not in drugs:
                problems.append(Problem(m.path, m.line("drugs", i), f"members of class {cid!r}: unknown drug {did!r}"))
            elif did in excluded:
                problems.append(Problem(m.path, m.line("drugs", i), f"members of class {cid!r}: {did!r} is listed under the class's not_members ({excluded[did]})"))
            else:
                members[cid] += 1
    for a in S["aliases"].values():
        if "drug" in a.data and a.data["drug"] not in drugs:
            problems.append(Problem(a.path, a.line("drug"), f"aliases of unknown drug {a.data['drug']!r}"))
        if "product" in a.data and a.data["product"] not in products:
            problems.append(Problem(a.path, a.line("product"), f"aliases of unknown product {a.data['product']!r}"))
    for did, d in drugs.items():
        base = d.data.get("form_of")
        if isinstance(base, str) and (base not in drugs or base == did):
            problems.append(Problem(d.path, d.line("form_of"), f"drug {did!r}: form_of names {'itself' if base == did else 'unknown drug ' + repr(base)}"))
        elif isinstance(base, str) and drugs[base].data.get("form_of"):
            problems.append(Problem(d.path, d.line("form_of"), f"drug {did!r}: form_of names {base!r}, itself a form of {drugs[base].data['form_of']!r}; name the base drug"))
        for i, c in enumerate(d.data["classes"]):
            if c not in classes:
                problems.append(Problem(d.path, d.line("classes", i), f"drug {did!r}: unknown class {c!r}"))
            else:
                members[c] += 1
        for c, ids in d.data.get("class_sources", {}).items():
            ids = [x for x in ids if isinstance(x, str)] if isinstance(ids, list) else []
            if c not in d.data["classes"]:
                problems.append(Problem(d.path, d.line("class_sources", c), f"drug {did!r}: class_sources names {c!r}, which is not one of its classes"))
            need_refs(d, ids, ("class_sources", c), f"drug {did!r}")
    for pid, p in products.items():
        for i, ing in enumerate(p.data["ingredients"]):
            if ing not in drugs:
                problems.append(Problem(p.path, p.line("ingredients", i), f"product {pid!r}: unknown ingredient {ing!r}"))
    for name, a in S["ambiguous"].items():
        for i, cand in enumerate(a.data["candidates"]):
            if cand not in drugs:
                problems.append(Problem(a.path, a.line("candidates", i), f"ambiguous name {a.data['name']!r}: unknown drug {cand!r}"))

    # a class is "used" if it has members directly or through a subclass
    populated = {c for c, n in members.items() if n}
    changed = True
    while changed:
        changed = False
        for cid, c in classes.items():
            if cid in populated:
                for p in c.data.get("parents", []):
                    if p in classes and p not in populated:
                        populated.add(p)
                        changed = True

    def check_selector(entry: Entry, label: str, slot: dict[str, Any], where: tuple) -> None:
        for fld in ("class", "exclude_class"):
            for c in _as_list(slot.get(fld)):
                if c not in classes:
                    problems.append(Problem(entry.path, entry.line(*where, fld), f"{label}: unknown class {c!r}"))
                elif c not in populated and fld == "class":
                    problems.append(Problem(entry.path, entry.line(*where, fld), f"{label}: class {c!r} has no member drugs, so this slot can never be filled"))
        for fld in ("drug", "exclude_drug"):
            for d in _as_list(slot.get(fld)):
                if d not in drugs:
                    problems.append(Problem(entry.path, entry.line(*where, fld), f"{label}: unknown drug {d!r}"))

    for rid, r in S["rules"].items():
        need_refs(r, r.data["references"], ("references",), f"rule {rid!r}")
        for si, slot in enumerate(r.data["slots"]):
            check_selector(r, f"rule {rid!r}", slot, ("slots", si))
    for rid, dup in S["duplications"].items():
        label = f"duplication {rid!r}"
        need_refs(dup, dup.data["references"], ("references",), label)
        check_selector(dup, label, dup.data, ())
        if rid in S["rules"]:
            other = S["rules"][rid]
            problems.append(Problem(dup.path, dup.line(), f"{label}: a rule has the same id ({other.path}:{other.line()}); give the line an id"))
    for did, rev in S["label_reviews"].items():
        if did not in drugs:
            problems.append(Problem(rev.path, rev.line("drug"), f"label review of unknown drug {did!r}"))
        need_refs(rev, [rev.data["label"]] if isinstance(rev.data.get("label"), str) else [], ("label",), f"label review of {did!r}")
        for i, item in enumerate(rev.data["interactions"]):
            rid = item.get("rule")
            if isinstance(rid, str) and rid not in S["rules"] and rid not in S["duplications"]:
                problems.append(Problem(rev.path, rev.line("interactions", i, "rule"), f"label review of {did!r}: unknown rule {rid!r}"))
        for alias in r.data.get("aliases", []):
            if alias in S["rules"]:
                problems.append(Problem(r.path, r.line("aliases"), f"rule {rid!r}: alias {alias!r} is also a rule id"))
    for rid, o in S["overrides"].items():
        if rid not in S["rules"] and rid not in S["duplications"]:
            problems.append(Problem(o.path, o.line(), f"override of unknown rule {rid!r}"))
    return problems


def _cycles(classes: dict[str, Entry]) -> list[Problem]:
    problems = []
    state: dict[str, int] = {}  # 1 = visiting, 2 = done

    def visit(cid: str, trail: list[str]) -> None:
        state[cid] = 1
        for p in classes[cid].data.get("parents", []):
            if p not in classes:
                continue
            if state.get(p) == 1:
                cycle = [*trail[trail.index(p):], cid, p] if p in trail else [cid, p]
                c = classes[cid]
                problems.append(Problem(c.path, c.line("parents"), f"class {cid!r}: parent classes form a cycle: {' -> '.join(cycle)}"))
            elif state.get(p) is None:
                visit(p, [*trail, cid])
        state[cid] = 2

    for cid in sorted(classes):
        if cid not in state:
            visit(cid, [])
    return problems
