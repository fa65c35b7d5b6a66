"""The published rule-file schema is what the loader enforces, and it matches what the compiler reads."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from interactions import loader
from interactions.errors import InvalidRulesError
from interactions.evidence import EVIDENCE
from interactions.kb import compile_dirs
from interactions.severity import SEVERITIES

ROOT = Path(__file__).parent.parent
SCHEMA = ROOT / "interactions" / "schema" / "rules.schema.json"


def schema() -> dict:
    return json.loads(SCHEMA.read_text(encoding="utf-8"))


def declared_properties(node) -> set[str]:
    """Every property name the schema declares, at any depth."""
    out: set[str] = set()
    if isinstance(node, dict):
        out.update(node.get("properties", {}))
        for v in node.values():
            out |= declared_properties(v)
    elif isinstance(node, list):
        for v in node:
            out |= declared_properties(v)
    return out


def keys_read(path: Path) -> set[str]:
    """String keys a module reads: x["k"], x.get("k"), x.setdefault("k"), x.pop("k")."""
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant) and isinstance(node.slice.value, str):
            out.add(node.slice.value)
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("get", "setdefault", "pop")
            and node.args
            and isinstance(node.args[0], ast.Constant)
            and isinstance(node.args[0].value, str)
        ):
            out.add(node.args[0].value)
    return out


def test_schema_is_a_valid_draft_2020_12_schema():
    import jsonschema

    doc = schema()
    assert doc["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(doc)
    jsonschema.Draft202012Validator.check_schema(json.loads((ROOT / "interactions" / "schema" / "result.schema.json").read_text()))


def test_every_key_the_loader_and_compiler_read_is_declared_and_every_declared_key_is_read():
    read = keys_read(ROOT / "interactions" / "loader.py") | keys_read(ROOT / "interactions" / "compiler.py")
    declared = declared_properties(schema())
    # 'path' and 'digest' are what the loader itself records about a directory
    assert read - declared == {"path", "digest"}
    # ids are read through loader._ID_FIELD; schema_version is enforced by the schema's const
    assert declared - read <= set(loader._ID_FIELD.values()) | {"schema_version"}
    assert set(loader.SECTIONS) == set(schema()["properties"]) - {"schema_version", "knowledge_base"}


def test_enums_match_the_code():
    defs = schema()["$defs"]
    assert defs["severity"]["enum"] == list(SEVERITIES)
    assert defs["evidence"]["enum"] == list(EVIDENCE)


def test_a_schema_change_is_seen_by_the_loader(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "kb.yaml").write_text(
        "schema_version: 1\n"
        "knowledge_base: {name: t, version: '1'}\n"
        "references: [{id: R, citation: c}]\n"
        "classes: [{id: x, name: X, description: d, sources: [R]}]\n"
        "drugs: [{id: alpha, classes: [x], note: A local note.}]\n"
    )
    compile_dirs([(str(rules), True)])  # valid under the published schema
    changed = schema()
    del changed["$defs"]["drug"]["properties"]["note"]
    (tmp_path / "rules.schema.json").write_text(json.dumps(changed))
    monkeypatch.setattr(loader, "schema_path", lambda: str(tmp_path / "rules.schema.json"))
    monkeypatch.setattr(loader, "_validator", None)
    monkeypatch.setattr(loader, "_quick", None)
    with pytest.raises(InvalidRulesError) as info:
        compile_dirs([(str(rules), True)])
    assert [str(p) for p in info.value.problems] == [
        "rules/kb.yaml:5: drug 'alpha': Additional properties are not allowed ('note' was unexpected)"
    ]


def test_rules_schema_command_prints_the_file_the_loader_uses(capsys):
    import cli

    assert cli.run(["rules", "schema"]) == 0
    assert json.loads(capsys.readouterr().out) == schema()
    assert cli.run(["rules", "schema", "--path"]) == 0
    assert Path(capsys.readouterr().out.strip()) == SCHEMA
