"""Compile a validated knowledge base into plain, fast-loading look-up tables.

The compiled form holds only builtins (dict, list, tuple, str, int) so it can
be cached with :mod:`marshal` and loaded in a few milliseconds. YAML stays the
single source of truth: the cache is keyed by the rule files and rebuilt when
they change (see :mod:`interactions.kb`).
"""

from __future__ import annotations

from typing import Any

from .errors import InvalidRulesError, Problem
from .loader import Entry, Source, _as_list, duplication_id
from .severity import RANK, SEVERITIES
from .text import key

FORMAT = 1

# a route- or release-specific entry on these routes is the base drug with more to say
SYSTEMIC_ROUTES = ("systemic", "transdermal")

# how a name resolves, in the order a person would expect to see it explained
METHODS = ("generic", "synonym", "salt", "brand", "abbreviation", "code", "product", "non-medication")


def compile_source(src: Source, package_version: str) -> dict[str, Any]:
    S = src.sections
    problems: list[Problem] = []
    classes = S["classes"]

    ancestors: dict[str, tuple[str, ...]] = {}

    def closure(cid: str) -> tuple[str, ...]:
        if cid not in ancestors:
            out = {cid}
            for p in classes[cid].data.get("parents", []):
                out.update(closure(p))
            ancestors[cid] = tuple(sorted(out))
        return ancestors[cid]

    depth: dict[str, int] = {}

    def depth_of(cid: str) -> int:
        if cid not in depth:
            parents = classes[cid].data.get("parents", [])
            depth[cid] = 1 + max((depth_of(p) for p in parents), default=0)
        return depth[cid]

    # class-side member lists (property classes: enzymes, QT, bleeding...) add
    # to each drug's own classes, with the list's sources as the provenance
    listed: dict[str, dict[str, list[str]]] = {}  # drug -> class -> sources
    for m in S["memberships"].values():
        for did in m.data["drugs"]:
            srcs = listed.setdefault(did, {}).setdefault(m.data["class"], [])
            srcs.extend(x for x in m.data["sources"] if x not in srcs)
    extra_names: dict[str, dict[str, list[str]]] = {}  # drug -> field -> names from aliases:
    for a in S["aliases"].values():
        if "drug" in a.data:
            for fld in ("names", "brands", "salts", "abbreviations"):
                extra_names.setdefault(a.data["drug"], {}).setdefault(fld, []).extend(a.data.get(fld, ()))

    def direct_of(did: str) -> set[str]:
        return {*S["drugs"][did].data["classes"], *listed.get(did, {})}

    drugs: dict[str, Any] = {}
    drug_classes: dict[str, tuple[str, ...]] = {}  # what a check needs of a drug
    same_as: dict[str, str] = {}  # a systemic form -> the drug whose rules it answers to as well
    members: dict[str, list[str]] = {c: [] for c in classes}
    for did, e in sorted(S["drugs"].items()):
        d = e.data
        own = listed.get(did, {})
        direct = sorted(direct_of(did))
        inherited: set[str] = set()
        base = d.get("form_of")
        if base in S["drugs"] and d.get("route") in SYSTEMIC_ROUTES:
            # OxyContin is oxycodone with more to say: the base drug's classes and rules apply too
            same_as[did] = base
            inherited = direct_of(base)
        all_classes: set[str] = set()
        for c in {*direct, *inherited}:
            all_classes.update(closure(c))
        for c in all_classes:
            members[c].append(did)
        codes = d.get("codes", {})
        drug_classes[did] = tuple(sorted(all_classes))
        more = extra_names.get(did, {})
        class_sources = {c: tuple(v) for c, v in d.get("class_sources", {}).items()}
        for c, srcs in own.items():
            class_sources[c] = tuple(dict.fromkeys((*class_sources.get(c, ()), *srcs)))
        drugs[did] = {
            "classes": tuple(direct),
            "all_classes": drug_classes[did],
            "names": tuple(dict.fromkeys((*d.get("names", ()), *more.get("names", ())))),
            "brands": tuple(dict.fromkeys((*d.get("brands", ()), *more.get("brands", ())))),
            "salts": tuple(dict.fromkeys((*d.get("salts", ()), *more.get("salts", ())))),
            "abbreviations": tuple(dict.fromkeys((*d.get("abbreviations", ()), *more.get("abbreviations", ())))),
            "route": d.get("route", ""),
            "form_of": d.get("form_of", ""),
            "rxnorm": tuple(_as_list(codes.get("rxnorm"))),
            "rxnorm_clinical": tuple(codes.get("rxnorm_clinical", ())),
            "atc": tuple(codes.get("atc", ())),
            "unii": codes.get("unii", ""),
            "class_sources": class_sources,
            "note": d.get("note", ""),
            "origin": f"{e.path}:{e.line()}",
        }

    product_aliases: dict[str, list[str]] = {}
    for a in S["aliases"].values():
        if "product" in a.data:
            product_aliases.setdefault(a.data["product"], []).extend(a.data.get("names", ()))
    products: dict[str, Any] = {}
    for pid, e in sorted(S["products"].items()):
        p = e.data
        codes = p.get("codes", {})
        products[pid] = {
            "names": tuple(dict.fromkeys((*p["names"], *product_aliases.get(pid, ())))),
            "ingredients": tuple(p["ingredients"]),
            "rxnorm": tuple(_as_list(codes.get("rxnorm"))) + tuple(codes.get("rxnorm_clinical", ())),
            "note": p.get("note", ""),
            "origin": f"{e.path}:{e.line()}",
        }

    # ---- the name index: normalised name -> (method, ingredients, product id)
    names: dict[str, tuple[str, tuple[str, ...], str]] = {}
    where: dict[str, tuple[Entry, tuple]] = {}
    shared: dict[tuple, tuple] = {}

    def add(name: str, method: str, target: tuple[str, ...], product: str, entry: Entry, loc: tuple) -> None:
        k = key(name)
        if not k:
            problems.append(Problem(entry.path, entry.line(*loc), f"name {name!r} is empty once normalised"))
            return
        old = names.get(k)
        if old is not None:
            if old[1] == target and old[2] == product:
                if METHODS.index(method) < METHODS.index(old[0]):
                    value = (method, target, product)
                    names[k] = shared.setdefault(value, value)
                return
            oe, oloc = where[k]
            problems.append(
                Problem(entry.path, entry.line(*loc), f"name {name!r} would resolve to both {_show(old)} ({oe.path}:{oe.line(*oloc)}) and {_show((method, target, product))}; list it under ambiguous: instead")
            )
            return
        # one shared tuple per distinct value: marshal writes it once and the
        # cache loads faster
        value = (method, target, product)
        names[k] = shared.setdefault(value, value)
        where[k] = (entry, loc)

    NAME_FIELDS = (("names", "synonym"), ("salts", "salt"), ("brands", "brand"), ("abbreviations", "abbreviation"))
    for did, e in sorted(S["drugs"].items()):
        d = e.data
        add(did, "generic", (did,), "", e, ("id",))
        for fld, method in NAME_FIELDS:
            for i, n in enumerate(d.get(fld, ())):
                add(n, method, (did,), "", e, (fld, i))
        for code in drugs[did]["rxnorm"] + drugs[did]["rxnorm_clinical"]:
            add("rxcui:" + code, "code", (did,), "", e, ("codes",))
    for pid, e in sorted(S["products"].items()):
        target = tuple(sorted(products[pid]["ingredients"]))
        for i, n in enumerate(e.data["names"]):
            add(n, "product", target, pid, e, ("names", i))
        for code in products[pid]["rxnorm"]:
            add("rxcui:" + code, "code", target, pid, e, ("codes",))
    for _, e in sorted(S["aliases"].items()):
        a = e.data
        if "product" in a:
            if a["product"] in products:
                target = tuple(sorted(products[a["product"]]["ingredients"]))
                for i, n in enumerate(a.get("names", ())):
                    add(n, "product", target, a["product"], e, ("names", i))
            continue
        for fld, method in NAME_FIELDS:
            for i, n in enumerate(a.get(fld, ())):
                add(n, method, (a["drug"],), "", e, (fld, i))
    n_medicine_names = len(names)
    # things lists hold that are not medicines: resolved, never checked
    non_medicines: dict[str, Any] = {}
    for nid, e in sorted(S["non_medicines"].items()):
        nm = e.data
        non_medicines[nid] = {"kind": nm["kind"], "names": tuple(nm["names"]), "note": nm.get("note", ""), "origin": f"{e.path}:{e.line()}"}
        for i, n in enumerate(nm["names"]):
            add(n, "non-medication", (), nid, e, ("names", i))

    ambiguous: dict[str, Any] = {}
    for k, e in sorted(S["ambiguous"].items()):
        if k in names:
            problems.append(Problem(e.path, e.line(), f"ambiguous name {e.data['name']!r} also resolves to {_show(names[k])}; remove one of them"))
            continue
        ambiguous[k] = {"name": e.data["name"], "candidates": tuple(e.data["candidates"]), "reason": e.data["reason"]}

    if problems:
        raise InvalidRulesError(problems)

    # ---- rules (therapeutic duplication lines are rules with one slot, min 2)
    rule_entries = dict(S["rules"])
    for rid, e in S["duplications"].items():
        rule_entries[rid] = Entry(_duplication_rule(e.data, classes), e.path, e.lines, e.base, e.layer)
    overrides = {rid: o for rid, o in S["overrides"].items()}
    rules: dict[str, Any] = {}
    disabled: dict[str, Any] = {}
    index: dict[str, list[str]] = {}
    same_ingredient: list[str] = []
    for rid, e in sorted(rule_entries.items()):
        r = e.data
        slots = []
        specificity = 0
        for slot in r.get("slots", ()):
            tags = tuple(sorted({*_as_list(slot.get("class")), *("@" + d for d in _as_list(slot.get("drug")))}))
            excl = tuple(sorted({*_as_list(slot.get("exclude_class")), *("@" + d for d in _as_list(slot.get("exclude_drug")))}))
            slots.append((tags, excl, int(slot.get("min", 1))))
            specificity += max(100 if t.startswith("@") else 10 * depth_of(t) for t in tags) + 5 * len(excl)
        severity = r["severity"]
        site = None
        o = overrides.get(rid)
        if o is not None:
            od = o.data
            if od.get("disabled"):
                disabled[rid] = {"title": r["title"], "reason": od["reason"], "origin": f"{o.path}:{o.line()}"}
                continue
            site = {"severity_from": severity, "severity": od["severity"], "reason": od["reason"], "origin": f"{o.path}:{o.line()}"}
            severity = od["severity"]
        ex = r["examples"]
        kind = r.get("kind", "interaction")
        rules[rid] = {
            "kind": kind,
            "title": r["title"],
            "severity": severity,
            "rank": RANK[severity],
            "slots": tuple(slots),
            "specificity": specificity,
            "effect": r["effect"],
            "mechanism": r["mechanism"],
            "management": r["management"],
            "evidence": r["evidence"],
            "references": tuple(r["references"]),
            "min_age": (r.get("applies_if") or {}).get("min_age", 0),
            "notes": r.get("notes", ""),
            "aliases": tuple(r.get("aliases", ())),
            "examples": {"match": tuple(_example(x) for x in ex["match"]), "no_match": tuple(_example(x) for x in ex.get("no_match", ()))},
            "example_lines": {k: tuple(e.line("examples", k, i) for i in range(len(ex.get(k, ())))) for k in ("match", "no_match")},
            "site": site,
            "layer": e.layer,
            "origin": f"{e.path}:{e.line()}",
        }
        if kind == "same-ingredient":  # the engine asks these of every shared ingredient
            same_ingredient.append(rid)
            continue
        # index the rule under the tags of its most selective slot, so a list
        # only ever looks at rules that one of its medications can start
        anchor = min(slots, key=lambda s: (sum(_size(t, members) for t in s[0]), s[0]))
        for t in anchor[0]:
            index.setdefault(t, []).append(rid)

    references = {rid: {"citation": e.data["citation"], "url": e.data.get("url", "")} for rid, e in sorted(S["references"].items())}
    class_table = {
        cid: {
            "name": e.data["name"],
            "description": e.data["description"],
            "parents": tuple(e.data.get("parents", ())),
            "sources": tuple(e.data["sources"]),
            "not_members": tuple((nm["drug"], nm["reason"]) for nm in e.data.get("not_members", ())),
            "members": tuple(sorted(members[cid])),
            "depth": depth_of(cid),
            "origin": f"{e.path}:{e.line()}",
        }
        for cid, e in sorted(classes.items())
    }
    label_reviews = {
        did: {
            "label": e.data["label"],
            "revised": e.data["revised"],
            "note": e.data.get("note", ""),
            "interactions": tuple(
                {
                    "with": item["with"],
                    "level": item["level"],
                    "section": item.get("section", ""),
                    "rule": item.get("rule", ""),
                    "example": tuple(item.get("example", ())),
                    "decision": item.get("decision", ""),
                }
                for item in e.data["interactions"]
            ),
            "origin": f"{e.path}:{e.line()}",
        }
        for did, e in sorted(S["label_reviews"].items())
    }
    by_severity = dict.fromkeys(SEVERITIES, 0)
    for r in rules.values():
        by_severity[r["severity"]] += 1
    shipped = src.layers[0] if src.layers else {"name": "check-meds", "version": "unknown"}
    return {
        "format": FORMAT,
        "package_version": package_version,
        "knowledge_base": {
            "name": shipped.get("name", ""),
            "version": shipped.get("version", ""),
            "site_rules": [
                {"name": m.get("name", ""), "version": m.get("version", ""), "path": m.get("path", ""), "digest": m.get("digest", "")}
                for m in src.layers[1:]
            ],
        },
        "counts": {
            "drugs": len(drugs),
            "names": n_medicine_names,
            "non_medicines": len(non_medicines),
            "label_reviews": len(label_reviews),
            "products": len(products),
            "classes": len(class_table),
            "rules": len(rules),
            "rules_by_severity": by_severity,
            "references": len(references),
        },
        "names": names,
        "ambiguous": ambiguous,
        "drugs": drugs,
        "drug_classes": drug_classes,
        "same_as": same_as,
        "products": products,
        "classes": class_table,
        "rules": rules,
        "same_ingredient": tuple(same_ingredient),
        "non_medicines": non_medicines,
        "label_reviews": label_reviews,
        "disabled": disabled,
        "index": {t: tuple(v) for t, v in sorted(index.items())},
        "references": references,
    }


DUPLICATION_TEXT = {
    "effect": (
        "Two different {what} at once: their effects and adverse effects add up. Two drugs of one class are "
        "often an unintended duplicate (a switch not completed, two prescribers, a brand and a generic name)."
    ),
    "mechanism": "The same pharmacological action twice (therapeutic duplication).",
    "management": (
        "Confirm that both are intended. If not, stop one; if so, review the combined dose and monitor for the "
        "class's adverse effects."
    ),
}


def _duplication_rule(d: dict[str, Any], classes: dict[str, Entry]) -> dict[str, Any]:
    """A therapeutic-duplication line as the rule it stands for."""
    cids = _as_list(d["class"])
    what = " or ".join(classes[c].data["name"] if c in classes else c for c in cids)
    slot: dict[str, Any] = {"class": cids, "min": 2}
    for fld in ("exclude_class", "exclude_drug"):
        if fld in d:
            slot[fld] = d[fld]
    lower = what[0].lower() + what[1:] if what[:2] != what[:2].upper() else what
    return {
        "id": duplication_id(d),
        "kind": "interaction",
        "title": d.get("title") or f"Therapeutic duplication: {lower}",
        "severity": d["severity"],
        "slots": [slot],
        **{k: d.get(k) or v.format(what=lower) for k, v in DUPLICATION_TEXT.items()},
        "evidence": d.get("evidence", "consensus"),
        "references": d["references"],
        "notes": d.get("notes", ""),
        "examples": {"match": [d["example"]], "no_match": d.get("no_match", [])},
    }


def _size(tag: str, members: dict[str, list[str]]) -> int:
    return 1 if tag.startswith("@") else len(members.get(tag, ()))


def _example(x: Any) -> tuple[tuple[str, ...], int]:
    if isinstance(x, dict):
        return (tuple(x["meds"]), int(x.get("age", 0)))
    return (tuple(x), 0)


def _show(target: tuple[str, tuple[str, ...], str]) -> str:
    method, ingredients, product = target
    return f"product {product!r}" if product else f"drug {ingredients[0]!r}"
