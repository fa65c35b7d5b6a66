"""The rule-authoring guide stays true: its definitions come from the code, its worked example is the tested fixture."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from interactions.evidence import EVIDENCE
from interactions.severity import DEFINITIONS

ROOT = Path(__file__).parent.parent
GUIDE = (ROOT / "docs" / "rule-authoring.md").read_text(encoding="utf-8")


def test_severity_and_evidence_tables_match_the_code():
    for name, text in (*DEFINITIONS.items(), *EVIDENCE.items()):
        assert f"| `{name}` | {text} |" in GUIDE, name


def test_the_worked_example_is_the_sample_site_rule_set():
    worked = GUIDE.split("## A worked example", 1)[1].split("\n## ", 1)[0]
    blocks = [yaml.safe_load(b) for b in re.findall(r"```yaml\n(.*?)```", worked, re.S)]
    site: dict[str, list] = {}
    for f in sorted((ROOT / "tests" / "fixtures" / "site").glob("*.yaml")):
        for section, value in yaml.safe_load(f.read_text(encoding="utf-8")).items():
            site.setdefault(section, []).append(value)
    assert len(blocks) >= 4
    for block in blocks:
        for section, value in block.items():
            if section == "schema_version":
                continue
            if isinstance(value, list):
                items = [i for v in site[section] for i in v]
                assert all(item in items for item in value), section
            else:
                assert value in site[section], section
