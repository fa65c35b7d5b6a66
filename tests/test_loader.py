"""Rule-file validation: every problem reported together, each as path:line: message."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from interactions.errors import InvalidRulesError
from interactions.kb import compile_dirs
from interactions.loader import _read_file

ROOT = Path(__file__).parent.parent


def problems(directory: str) -> list[str]:
    with pytest.raises(InvalidRulesError) as info:
        compile_dirs([(directory, False)])
    return [str(p) for p in info.value.problems]


def test_broken_directory_lists_every_problem_with_file_and_line(monkeypatch, golden):
    monkeypatch.chdir(ROOT)
    golden("broken_rules.txt", "\n".join(problems("tests/fixtures/broken_rules")) + "\n")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("tag.yaml", "tag.yaml:3: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed"),
        ("bomb.yaml", "bomb.yaml:2: anchors and aliases are not allowed in rule files"),
        ("deep.yaml", "deep.yaml:2: invalid YAML: exceeded maximum nesting depth"),
        ("binary.yaml", "binary.yaml:3: not valid UTF-8"),
        ("notmapping.yaml", "notmapping.yaml:1: a rule file must be a mapping with schema_version: 1"),
    ],
)
def test_hostile_files_are_refused_quickly(name, expected):
    found = []
    start = time.perf_counter()
    _read_file(str(ROOT / "tests" / "fixtures" / "hostile" / name), name, found)
    assert [str(p) for p in found] == [expected]
    assert time.perf_counter() - start < 2.0


def test_name_collision_between_drugs(tmp_path):
    (tmp_path / "kb.yaml").write_text(
        "schema_version: 1\n"
        "references: [{id: R, citation: c}]\n"
        "classes: [{id: x, name: X, description: d, sources: [R]}]\n"
        "drugs:\n"
        "  - {id: alpha, brands: [Samename], classes: [x]}\n"
        "  - {id: beta, brands: [SAMENAME], classes: [x]}\n"
    )
    msgs = problems(str(tmp_path))
    assert len(msgs) == 1
    assert msgs[0].endswith("kb.yaml:6: name 'SAMENAME' would resolve to both drug 'alpha' (" + str(tmp_path / "kb.yaml") + ":5) and drug 'beta'; list it under ambiguous: instead")


def test_site_directory_cannot_redefine_a_shipped_id_without_override(tmp_path):
    from interactions.kb import rule_dirs

    (tmp_path / "site.yaml").write_text("schema_version: 1\ndrugs:\n  - {id: baclofen, classes: []}\n")
    with pytest.raises(InvalidRulesError) as info:
        compile_dirs(rule_dirs([str(tmp_path)]))
    (msg,) = [str(p) for p in info.value.problems]
    assert "duplicate drug id 'baclofen'" in msg and "override: true" in msg and msg.startswith(str(tmp_path / "site.yaml") + ":3:")


def test_missing_directory_is_reported():
    assert problems("no/such/dir") == ["no/such/dir:1: rule directory not found"]


def test_shipped_knowledge_base_is_valid(kb):
    assert kb.counts["rules"] > 0 and kb.counts["drugs"] > 0
