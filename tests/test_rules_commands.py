"""check-meds rules list / validate / test: filters, every problem with file:line, examples as tests."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from interactions.severity import RANK

ROOT = Path(__file__).parent.parent


def listed(run_cli, *filters) -> list[dict]:
    code, out, _ = run_cli("rules", "list", *filters, "--format", "json")
    assert code == 0
    return json.loads(out)["rules"]


def test_list_is_every_rule_most_severe_first(run_cli, kb):
    rows = listed(run_cli)
    assert sorted(r["id"] for r in rows) == sorted(kb.rules)
    ranks = [RANK[r["severity"]] for r in rows]
    assert ranks == sorted(ranks, reverse=True)
    code, out, _ = run_cli("rules", "list")
    assert code == 0 and out.startswith(f"{len(kb.rules)} of {len(kb.rules)} rules:")
    assert all(rid in out for rid in kb.rules)


def test_list_filters_combine(run_cli, kb):
    major = listed(run_cli, "--severity", "major")
    assert major and {r["severity"] for r in major} == {"major"}
    two = listed(run_cli, "-s", "major", "-s", "contraindicated")
    assert {r["severity"] for r in two} == {"major", "contraindicated"}
    opioid = {r["id"] for r in listed(run_cli, "--class", "opioid")}
    assert "opioid-benzodiazepine" in opioid and "maoi-tca" not in opioid
    assert "alcohol-cns-depressant" in opioid  # an opioid is a CNS depressant
    xanax = {r["id"] for r in listed(run_cli, "--drug", "Xanax 0.5 mg")}
    assert "opioid-benzodiazepine" in xanax and "opioid-gabapentinoid" not in xanax
    both = {r["id"] for r in listed(run_cli, "--drug", "Xanax", "--class", "opioid")}
    assert both == xanax & opioid
    text = listed(run_cli, "--text", "SEROTONIN")
    assert text and all("serotonin" in json.dumps(kb.rules[r["id"]]).lower() for r in text)
    assert listed(run_cli, "--text", "no rule says this") == []


def test_list_refuses_unknown_filters(run_cli):
    code, out, err = run_cli("rules", "list", "--drug", "xanaxx")
    assert code == 4 and out == "" and "did you mean Xanax (alprazolam)" in err
    code, out, err = run_cli("rules", "list", "--class", "opiod")
    assert code == 2 and out == "" and "unknown class 'opiod'; did you mean opioid" in err
    code, _, err = run_cli("rules", "list", "--severity", "severe")
    assert code == 2 and "severe" in err


def test_validate_the_shipped_knowledge_base(run_cli):
    code, out, err = run_cli("rules", "validate")
    assert code == 0 and err == ""
    assert out.startswith("Valid: rules: ") and " rules, " in out


def test_validate_lists_every_problem_with_file_and_line(run_cli):
    expected = (ROOT / "tests" / "golden" / "broken_rules.txt").read_text(encoding="utf-8").splitlines()
    code, out, err = run_cli("rules", "validate", "tests/fixtures/broken_rules")
    lines = out.splitlines()
    assert code == 3 and err == ""
    assert lines[:-1] == expected
    assert lines[-1] == f"{len(expected)} problems in rules + tests/fixtures/broken_rules."
    code, out, _ = run_cli("rules", "validate", "tests/fixtures/broken_rules", "--format", "json")
    doc = json.loads(out)
    assert code == 3 and doc["valid"] is False
    assert [f"{p['path']}:{p['line']}: {p['message']}" for p in doc["problems"]] == expected


def test_validate_a_missing_directory(run_cli):
    code, out, err = run_cli("rules", "validate", "no/such/dir")
    assert code == 2 and out == "" and err == "check-meds: no/such/dir: rule directory not found; nothing was checked\n"


def _site_with_examples(tmp_path: Path, match: str, no_match: str) -> Path:
    (tmp_path / "r.yaml").write_text(
        "schema_version: 1\n"
        "references: [{id: LOCAL, citation: Local protocol.}]\n"
        "rules:\n"
        "  - id: local-opioid-ssri\n"
        "    title: Opioid with an SSRI\n"
        "    severity: minor\n"
        "    slots: [{class: opioid}, {class: ssri}]\n"
        "    effect: e\n"
        "    mechanism: m\n"
        "    management: g\n"
        "    evidence: theoretical\n"
        "    references: [LOCAL]\n"
        "    examples:\n"
        f"      match: [{match}]\n"
        f"      no_match:\n        - {no_match}\n"
    )
    return tmp_path


def test_rules_test_passes_on_the_shipped_examples(run_cli, kb):
    code, out, _ = run_cli("rules", "test")
    n = sum(len(r["examples"]["match"]) + len(r["examples"]["no_match"]) for r in kb.rules.values())
    assert code == 0 and out == f"{n} examples of {len(kb.rules)} rules: all passed.\n"


def test_rules_test_reports_each_failing_example_at_its_line(run_cli, tmp_path):
    site = _site_with_examples(tmp_path, "[tramadol, sertraline], [tramadol, lisinopril], [tramadol, sertralin]", "[oxycodone, citalopram]")
    code, out, _ = run_cli("rules", "test", str(site))
    path = site / "r.yaml"
    assert code == 1
    assert out.splitlines()[:-1] == [
        f"{path}:14: rule 'local-opioid-ssri': match example [tramadol, lisinopril] did not fire; fired: nothing",
        f"{path}:14: rule 'local-opioid-ssri': match example [tramadol, sertralin]: names not in the knowledge base: sertralin",
        f"{path}:16: rule 'local-opioid-ssri': no_match example [oxycodone, citalopram] fired",
    ]
    assert out.splitlines()[-1].endswith(": 3 failed.")
    code, out, _ = run_cli("rules", "test", str(site), "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["passed"] is False and len(doc["failures"]) == 3


def test_rules_test_on_invalid_rules_exits_3(run_cli):
    code, out, err = run_cli("rules", "test", "tests/fixtures/broken_rules")
    assert code == 3 and out == "" and "c-rules.yaml:5:" in err


def test_real_process_validate_broken_directory(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "cli", "rules", "validate", str(ROOT / "tests" / "fixtures" / "broken_rules")],
        capture_output=True, text=True, cwd=ROOT, env={"PATH": "", "CHECK_MEDS_CACHE_DIR": str(tmp_path), "CHECK_MEDS_CONFIG": ""},
    )
    assert proc.returncode == 3 and proc.stderr == ""
    expected = (ROOT / "tests" / "golden" / "broken_rules.txt").read_text(encoding="utf-8").splitlines()
    assert proc.stdout.replace(f"{ROOT}/", "").splitlines()[:-1] == expected
