"""The quick schema check never accepts a rule file that the full validator rejects.

A file the quick (compiled) check accepts is not looked at again, so a problem
it missed would be a rule file loaded without its problem being reported.
"""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from interactions import loader, yamlsafe
from interactions.paths import shipped_rules_dir

FILES = sorted(Path(shipped_rules_dir()).rglob("*.yaml"))


def _keys(node, prefix=()):
    """Every key path of a value, list positions left out."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield (*prefix, k)
            yield from _keys(v, (*prefix, k))
    elif isinstance(node, list):
        for v in node:
            yield from _keys(v, prefix)


# per section, shipped items that between them use every key any item of that section uses
SAMPLES = {}
for path in FILES:
    data, _ = yamlsafe.parse(path.read_text(encoding="utf-8"))
    for section, items in data.items():
        if not isinstance(items, list):
            continue
        doc = SAMPLES.setdefault(section, {"schema_version": 1, section: []})
        seen = set(_keys(doc[section]))
        for item in items:
            if set(_keys(item)) - seen:
                doc[section].append(copy.deepcopy(item))
                seen |= set(_keys(item))
SAMPLES = {k: v for k, v in SAMPLES.items() if v[k]}

ODD = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(allow_nan=False, width=16),
                st.sampled_from(["", "x", "major", "contraindicated", "CM-1", "http://x", " "]),
                st.lists(st.sampled_from(["", "a", 1, None]), max_size=3), st.dictionaries(st.sampled_from(["a", "id", "drug"]), st.just("v"), max_size=2))


def _full_accepts(doc) -> bool:
    return not any(True for _ in loader._schema_validator().iter_errors(doc))


def _quick_accepts(doc) -> bool:
    try:
        loader._quick_check()(doc)
    except Exception:  # noqa: BLE001
        return False
    return True


def _paths(node, path=()):
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


def test_the_quick_check_is_in_use_and_accepts_every_shipped_file():
    assert loader._quick_check() is not None
    for path in FILES:
        data, _ = yamlsafe.parse(path.read_text(encoding="utf-8"))
        assert _quick_accepts(data), path


@pytest.mark.parametrize("section", sorted(SAMPLES))
def test_deleting_any_one_value_is_judged_alike(section):
    for item in SAMPLES[section][section]:
        doc = {"schema_version": 1, section: [item]}
        for where in [p for p in _paths(doc) if len(p) > 2]:
            mutated = copy.deepcopy(doc)
            parent = mutated
            for key in where[:-1]:
                parent = parent[key]
            del parent[where[-1]]
            assert _quick_accepts(mutated) == _full_accepts(mutated), (section, where)


@pytest.mark.parametrize("section", sorted(SAMPLES))
@settings(max_examples=120, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_mutated_document_is_accepted_by_the_quick_check_only_if_the_full_validator_accepts_it(section, data):
    item = data.draw(st.sampled_from(SAMPLES[section][section]))
    doc = {"schema_version": 1, section: [copy.deepcopy(item)]}
    for _ in range(data.draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        where = data.draw(st.sampled_from(paths))
        parent = doc
        for key in where[:-1]:
            parent = parent[key]
        action = data.draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[where[-1]] = data.draw(ODD)
        elif action == "delete":
            del parent[where[-1]]
        elif isinstance(parent, dict):
            parent[data.draw(st.sampled_from(["extra", "id", "severity", "notes", "references", "names"]))] = data.draw(ODD)
        else:
            parent.append(data.draw(ODD))
    if _quick_accepts(doc):
        assert _full_accepts(doc), doc
