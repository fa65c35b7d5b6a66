"""What the knowledge base says about a drug, product, rule or class, as plain dicts.

Pure functions over a loaded knowledge base (no printing): ``check-meds
explain`` and ``check-meds rules list`` render what these return.
"""

from __future__ import annotations

from typing import Any

from .evidence import EVIDENCE
from .normalize import resolve
from .severity import DEFINITIONS, RANK
from .text import key

PREFIXES = ("drug", "rule", "class")
NAME_KINDS = (("names", "synonyms"), ("brands", "brands"), ("salts", "salts"), ("abbreviations", "abbreviations"))


def lookup(query: str, kb: Any) -> dict[str, Any]:
    """Find what ``query`` names and describe it.

    A drug name comes first (anything the normaliser resolves: generic, brand,
    salt, code, product, combination), then a rule id or alias, then a class
    id or name. ``drug:``, ``rule:`` or ``class:`` in front restricts the
    search to one kind. The result's ``kind`` is ``drug``, ``product``,
    ``combination``, ``rule``, ``class``, ``non_medication`` (a supply or a statement such as
    "diet controlled"), ``ambiguous`` or ``unknown``.
    """
    prefix, _, rest = query.partition(":")
    only = prefix.strip().lower() if rest.strip() and prefix.strip().lower() in PREFIXES else None
    q = rest.strip() if only else query
    out: dict[str, Any] = {"query": query}
    res = resolve(q, kb) if only in (None, "drug") else None
    rule = find_rule(q, kb) if only in (None, "rule") else None
    cls = find_class(q, kb) if only in (None, "class") else None
    if res is not None and res.ok:
        out["resolution"] = {"method": res.method, "matched": res.matched, **({"dose_text": res.removed} if res.removed else {})}
        if res.product:
            out["kind"] = "product"
            out["product"] = describe_product(res.product, kb)
        else:
            out["kind"] = "drug" if len(res.drugs) == 1 else "combination"
        ingredients = kb.products[res.product]["ingredients"] if res.product else res.drugs
        out["drugs"] = [describe_drug(d, kb) for d in ingredients]
        out["also"] = [f"{k}:{v}" for k, v in (("rule", rule), ("class", cls)) if v]
    elif rule is not None:
        out["kind"] = "rule"
        out["rule"] = describe_rule(rule, kb)
        out["also"] = [f"class:{cls}"] if cls else []
    elif cls is not None:
        out["kind"] = "class"
        out["class"] = describe_class(cls, kb)
        out["also"] = []
    elif res is not None and res.status == "non_medication":
        item = kb.non_medicines[res.product]
        out["kind"] = "non_medication"
        out["non_medication"] = {"id": res.product, "kind": item["kind"], "note": item["note"], "origin": item["origin"]}
    elif res is not None and res.status == "ambiguous":
        out["kind"] = "ambiguous"
        out["ambiguous"] = {"candidates": list(res.candidates), "reason": res.reason}
    else:
        out["kind"] = "unknown"
        out["reason"] = res.reason if res is not None else f"no {only} of that name"
        out["suggestions"] = suggest(q, kb, only)
    return out


def find_rule(q: str, kb: Any) -> str | None:
    """A rule id (active or disabled by the site) or alias, as its id."""
    k = key(q)
    if k in kb.rules or k in kb.disabled:
        return k
    for rid, r in kb.rules.items():
        if k in r["aliases"]:
            return rid
    return None


def find_class(q: str, kb: Any) -> str | None:
    """A class id, or a class's display name ('Opioids')."""
    k = key(q)
    if k in kb.classes:
        return k
    for cid, c in kb.classes.items():
        if key(c["name"]) == k:
            return cid
    return None


def suggest(q: str, kb: Any, only: str | None = None) -> list[str]:
    """Close drug names, rule ids and class ids, best first."""
    from rapidfuzz import fuzz, process

    from .suggest import suggestions

    out = suggestions(q, kb) if only in (None, "drug") else []
    ids: dict[str, str] = {}  # "rule:x" -> "x"
    if only in (None, "rule"):
        ids.update((f"rule:{r}", r) for r in kb.rules)
    if only in (None, "class"):
        ids.update((f"class:{c}", c) for c in kb.classes)
    hits = process.extract(key(q), ids, scorer=fuzz.WRatio, limit=5, score_cutoff=80.0)
    hits.sort(key=lambda h: (-h[1], h[2]))
    return out + [h[2] for h in hits][: max(0, 8 - len(out))]


def reference(ref: str, kb: Any) -> dict[str, Any]:
    return {"id": ref, **kb.references[ref]}


def class_chains(cid: str, kb: Any) -> list[list[str]]:
    """Every path from a class up to a root class: [[opioid, cns-depressant], [opioid, cns-active-beers]]."""
    parents = kb.classes[cid]["parents"]
    if not parents:
        return [[cid]]
    return [[cid, *chain] for p in parents for chain in class_chains(p, kb)]


def triggerable(tags: frozenset[str] | set[str], kb: Any) -> list[dict[str, Any]]:
    """Rules in which something with these tags can fill a slot, most severe first, with the tags that fill it."""
    out = []
    for rid, r in kb.rules.items():
        via: set[str] = set()
        for slot_tags, excl, _need in r["slots"]:
            hit = tags.intersection(slot_tags)
            if hit and tags.isdisjoint(excl):
                via |= hit
        if not r["slots"]:  # a same-ingredient rule for every ingredient
            via = {"*"}
        if via:
            shown = sorted("any ingredient" if t == "*" else f"drug:{t[1:]}" if t.startswith("@") else f"class:{t}" for t in via)
            item = {"rule": rid, "severity": r["severity"], "title": r["title"], "via": shown}
            if r["site"]:
                item["site_change"] = dict(r["site"])
            out.append(item)
    out.sort(key=lambda x: (-RANK[x["severity"]], x["rule"]))
    return out


def describe_drug(did: str, kb: Any) -> dict[str, Any]:
    d = kb.drugs[did]
    classes = []
    for c in d["classes"]:
        own = d["class_sources"].get(c)
        classes.append(
            {
                "id": c,
                "name": kb.classes[c]["name"],
                "chains": class_chains(c, kb),
                "sources": [reference(r, kb) for r in (own or kb.classes[c]["sources"])],
                "sources_from": "drug" if own else "class",
            }
        )
    codes = {k: list(d[k]) for k in ("rxnorm", "rxnorm_clinical", "atc") if d[k]}
    if d["unii"]:
        codes["unii"] = d["unii"]
    out = {
        "id": did,
        "names": {label: list(d[f]) for f, label in NAME_KINDS},
        "codes": codes,
        "classes": classes,
        "all_classes": list(d["all_classes"]),
        "products": sorted(pid for pid, p in kb.products.items() if did in p["ingredients"]),
        "rules": triggerable(kb.tags(did), kb),
        "origin": d["origin"],
    }
    if d["note"]:
        out["note"] = d["note"]
    if d["form_of"]:
        out["form_of"] = d["form_of"]
        out["route"] = d["route"]
        out["inherits"] = kb.same_as.get(did) == d["form_of"]  # the base drug's classes and rules apply
    rev = kb.label_reviews.get(did)
    if rev is not None:
        out["label_review"] = {
            "label": reference(rev["label"], kb),
            "revised": rev["revised"],
            "interactions": [{k: (list(v) if isinstance(v, tuple) else v) for k, v in i.items() if v} for i in rev["interactions"]],
            "origin": rev["origin"],
            **({"note": rev["note"]} if rev["note"] else {}),
        }
    return out


def describe_product(pid: str, kb: Any) -> dict[str, Any]:
    p = kb.products[pid]
    out = {"id": pid, "names": list(p["names"]), "ingredients": list(p["ingredients"]), "codes": {"rxnorm": list(p["rxnorm"])}, "origin": p["origin"]}
    if p["note"]:
        out["note"] = p["note"]
    return out


def describe_slot(slot: tuple, kb: Any) -> dict[str, Any]:
    tags, excl, need = slot
    out: dict[str, Any] = {
        "class": [t for t in tags if not t.startswith("@")],
        "drug": [t[1:] for t in tags if t.startswith("@")],
        "exclude_class": [t for t in excl if not t.startswith("@")],
        "exclude_drug": [t[1:] for t in excl if t.startswith("@")],
        "min": need,
    }
    out["text"] = slot_text(out)
    return out


def slot_text(s: dict[str, Any]) -> str:
    """'at least 3 medications: class cns-depressant, except drug alcohol'."""
    what = " or ".join([*(f"class {c}" for c in s["class"]), *(f"drug {d}" for d in s["drug"])])
    but = ", ".join([*(f"class {c}" for c in s["exclude_class"]), *(f"drug {d}" for d in s["exclude_drug"])])
    head = f"at least {s['min']} medications: " if s["min"] > 1 else ""
    return f"{head}{what}{', except ' + but if but else ''}"


def describe_rule(rid: str, kb: Any) -> dict[str, Any]:
    """Everything about a rule; a rule the site disabled says so, with the reason."""
    off = kb.disabled.get(rid)
    if off is not None:
        return {"id": rid, "title": off["title"], "disabled": {"reason": off["reason"], "origin": off["origin"]}}
    r = kb.rules[rid]
    out: dict[str, Any] = {
        "id": rid,
        "title": r["title"],
        "severity": r["severity"],
        "severity_definition": DEFINITIONS[r["severity"]],
        "slots": [describe_slot(s, kb) for s in r["slots"]],
        "effect": r["effect"],
        "mechanism": r["mechanism"],
        "management": r["management"],
        "evidence": r["evidence"],
        "evidence_definition": EVIDENCE.get(r["evidence"], ""),
        "references": [reference(ref, kb) for ref in r["references"]],
        "examples": {k: [{"meds": list(m), **({"age": a} if a else {})} for m, a in r["examples"][k]] for k in ("match", "no_match")},
        "aliases": list(r["aliases"]),
        "origin": r["origin"],
    }
    if r["notes"]:
        out["notes"] = r["notes"]
    if r["min_age"]:
        out["min_age"] = r["min_age"]
    if r["site"]:
        out["site_change"] = dict(r["site"])
    return out


def describe_class(cid: str, kb: Any) -> dict[str, Any]:
    c = kb.classes[cid]
    direct = sorted(d for d in c["members"] if cid in kb.drugs[d]["classes"])
    return {
        "id": cid,
        "name": c["name"],
        "description": c["description"],
        "chains": class_chains(cid, kb),
        "subclasses": sorted(k for k, v in kb.classes.items() if cid in v["parents"]),
        "members": list(c["members"]),
        "direct_members": direct,
        "not_members": [{"drug": d, "reason": why} for d, why in c["not_members"]],
        "sources": [reference(r, kb) for r in c["sources"]],
        "rules": triggerable(set(_ancestors(cid, kb)), kb),
        "origin": c["origin"],
    }


def _ancestors(cid: str, kb: Any) -> list[str]:
    return sorted({x for chain in class_chains(cid, kb) for x in chain})


def rule_summary(rid: str, kb: Any) -> dict[str, Any]:
    """One row of ``rules list``."""
    r = kb.rules[rid]
    out = {
        "id": rid,
        "severity": r["severity"],
        "title": r["title"],
        "evidence": r["evidence"],
        "slots": [describe_slot(s, kb)["text"] for s in r["slots"]],
        "references": list(r["references"]),
        "origin": r["origin"],
    }
    if r["min_age"]:
        out["min_age"] = r["min_age"]
    if r["site"]:
        out["site_change"] = dict(r["site"])
    return out


def select_rules(
    kb: Any,
    severities: list[str] | None = None,
    class_id: str | None = None,
    drug_tags: frozenset[str] | None = None,
    text: str | None = None,
) -> list[str]:
    """Rule ids matching every filter given, most severe first.

    ``class_id`` keeps the rules any member of the class can trigger through
    it (slots naming the class or one of its parents); ``drug_tags`` those a
    drug can trigger; ``text`` is a case-insensitive search of id, aliases,
    title, effect, mechanism, management and notes.
    """
    ids = list(kb.rules)
    if severities:
        ids = [r for r in ids if kb.rules[r]["severity"] in severities]
    for tags in (set(_ancestors(class_id, kb)) if class_id else None, drug_tags):
        if tags is not None:
            keep = {x["rule"] for x in triggerable(tags, kb)}
            ids = [r for r in ids if r in keep]
    if text:
        needle = key(text)
        ids = [r for r in ids if needle in _haystack(r, kb)]
    return sorted(ids, key=lambda r: (-kb.rules[r]["rank"], r))


def _haystack(rid: str, kb: Any) -> str:
    r = kb.rules[rid]
    return key(" | ".join([rid, *r["aliases"], r["title"], r["effect"], r["mechanism"], r["management"], r["notes"]]))


def explain_list(queries: list[str], kb: Any, age: int | None = None) -> dict[str, Any]:
    """Why two or more medications do, or do not, interact.

    Checks the list as the check does, then says for every finding which slot
    of the rule each drug filled and through which class (with the path from
    the drug's own class) or name; every pair of recognised medications that
    no rule joins is listed with the classes of both, so "no interaction" is a
    statement about what the knowledge base holds. Pure: returns a dict.
    """
    from .engine import check
    from .reporters.document import unrecognized, verdict

    result = check(queries, kb, age=age)
    meds = result.medications
    joined: set[frozenset[int]] = set()
    for f in (*result.findings, *result.skipped):
        joined.update(frozenset((i, j)) for i in f.meds for j in f.meds if i < j)
    unjoined = []
    for i in range(len(meds)):
        for j in range(i + 1, len(meds)):
            if frozenset((i, j)) not in joined:
                unjoined.append({"inputs": [meds[i].inputs[0], meds[j].inputs[0]], "drugs": [" + ".join(meds[i].drugs), " + ".join(meds[j].drugs)]})
    return {
        "kind": "interaction",
        "queries": list(result.inputs),
        "patient": {"age": age},
        "verdict": verdict(result),
        "medications": [_med_classes(m, kb) for m in meds],
        "unrecognized": [unrecognized(r, kb) for r in result.unrecognized],
        "not_medications": [{"input": r.input, "kind": kb.non_medicines[r.product]["kind"]} for r in result.non_medications],
        "findings": [_explained(f, meds, kb) for f in result.findings],
        "skipped_rules": [_explained(f, meds, kb) for f in result.skipped],
        "not_joined": unjoined,
    }


def _med_classes(m: Any, kb: Any) -> dict[str, Any]:
    """A recognised medication, its ingredients and each ingredient's classes (own classes and their parents)."""
    return {
        "inputs": list(m.inputs),
        "product": m.product or None,
        "ingredients": [
            {
                "drug": d,
                "classes": [{"id": c, "name": kb.classes[c]["name"], "chains": class_chains(c, kb)} for c in kb.drugs[d]["classes"]],
                **({"answers_as": kb.same_as[d]} if d in kb.same_as else {}),
            }
            for d in m.drugs
        ],
    }


def _explained(f: Any, meds: list[Any], kb: Any) -> dict[str, Any]:
    """A finding with, per slot, the drugs that filled it and how."""
    r = f.rule_data
    out: dict[str, Any] = {
        "rule": f.rule,
        "severity": f.severity,
        "title": r["title"],
        "drugs": list(f.drugs),
        "inputs": list(f.inputs),
        "effect": r["effect"],
        "management": r["management"],
        "related": [{"rule": g.rule, "severity": g.severity, "title": g.rule_data["title"]} for g in f.related],
    }
    if r["min_age"]:
        out["min_age"] = r["min_age"]
    if f.rule in kb.same_ingredient:
        out["same_ingredient"] = {"drugs": list(f.drugs), "entries": list(f.inputs)}
    slots = []
    for slot in r["slots"]:
        tags, excl, _need = slot
        fills = []
        for i in sorted(f.meds):
            m = meds[i]
            if excl and not m.facts.tags.isdisjoint(excl):
                continue
            for d in m.drugs:
                if d not in f.drugs:
                    continue
                hit = sorted(kb.tags(d).intersection(tags))
                if hit:
                    fills.append({"drug": d, "inputs": list(m.inputs), "via": [_via(d, t, kb) for t in hit]})
        slots.append({"text": describe_slot(slot, kb)["text"], "names": _slot_names(tags, kb), "filled_by": fills})
    out["slots"] = slots
    return out


def _slot_names(tags: tuple[str, ...], kb: Any) -> list[str]:
    """What a slot asks for, in words: class display names and drug names."""
    return [t[1:] if t.startswith("@") else kb.classes[t]["name"] for t in tags]


def _via(drug: str, tag: str, kb: Any) -> dict[str, Any]:
    """How ``drug`` answers to a slot's ``tag``: by its own name, as a form of a base drug, or through a class path."""
    if tag.startswith("@"):
        name = tag[1:]
        if name == drug:
            return {"by": "name", "drug": name}
        return {"by": "form_of", "drug": name}
    d = kb.drugs[drug]
    for own in d["classes"]:
        for chain in class_chains(own, kb):
            if tag in chain:
                path = chain[: chain.index(tag) + 1]
                sources = d["class_sources"].get(own) or kb.classes[own]["sources"]
                return {"by": "class", "class": tag, "name": kb.classes[tag]["name"], "path": path, "sources": list(sources)}
    base = kb.same_as.get(drug)
    if base:  # a systemic form answers to its base drug's classes
        via = _via(base, tag, kb)
        return {**via, "through_form_of": base}
    return {"by": "class", "class": tag, "name": kb.classes[tag]["name"], "path": [tag], "sources": []}
