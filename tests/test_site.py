"""Site rule sets: a local drug and rule, a severity override and a disabled rule, each visible in the output."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from interactions.errors import InvalidRulesError
from interactions.kb import KnowledgeBase, cache_dir, compile_dirs, load_knowledge_base, rule_dirs

ROOT = Path(__file__).parent.parent
SITE = "tests/fixtures/site"
CHANGED = "antihypertensive-hypotensive-drug"  # moderate, lowered to minor by the site
DISABLED = "alpha-blocker-pde5-inhibitor"


def rules_fired(doc: dict) -> set[str]:
    return {f["rule"] for f in doc["findings"]} | {g["rule"] for f in doc["findings"] for g in f["related"]}


def test_the_site_drug_resolves_by_brand_and_its_rule_fires(run_cli):
    code, out, _ = run_cli("Zurzuvae 50 mg", "clarithromycin", "--rules", SITE, "--format", "json")
    doc = json.loads(out)
    assert code == 1 and doc["summary"]["complete"]
    assert doc["medications"][0]["drug"] == "zuranolone"
    assert "neuroactive-steroid-cyp3a4-strong-inhibitor" in rules_fired(doc)
    # without the site the same list is incomplete, never silently clean
    code, out, _ = run_cli("Zurzuvae 50 mg", "clarithromycin", "--format", "json")
    assert code == 4 and json.loads(out)["unrecognized"][0]["input"] == "Zurzuvae 50 mg"


def test_the_site_drug_inherits_shipped_rules_through_its_class(run_cli):
    _, out, _ = run_cli("zuranolone", "alcohol", "--rules", SITE, "--format", "json")
    assert "alcohol-cns-depressant" in rules_fired(json.loads(out))


def test_a_severity_override_is_shown_with_its_reason(run_cli):
    _, shipped, _ = run_cli("baclofen", "lisinopril", "--format", "json")
    assert json.loads(shipped)["findings"][0]["severity"] == "moderate"
    code, out, _ = run_cli("baclofen", "lisinopril", "--rules", SITE, "--format", "json")
    (f,) = json.loads(out)["findings"]
    assert f["rule"] == CHANGED and f["severity"] == "minor"
    assert f["site_change"]["severity_from"] == "moderate" and "P&T committee" in f["site_change"]["reason"]
    assert f["site_change"]["origin"].startswith(f"{SITE}/committee.yaml:")
    assert code == 1  # --fail-on minor (the default) still fails on it
    _, text, _ = run_cli("baclofen", "lisinopril", "--rules", SITE)
    assert " MINOR " in text and "Site change: severity moderate -> minor: P&T committee" in text


def test_a_disabled_rule_never_fires_and_is_listed(run_cli):
    _, shipped, _ = run_cli("tamsulosin", "tadalafil", "--format", "json")
    assert DISABLED in rules_fired(json.loads(shipped))
    _, out, _ = run_cli("tamsulosin", "tadalafil", "--rules", SITE, "--format", "json")
    doc = json.loads(out)
    assert DISABLED not in rules_fired(doc)
    (off,) = doc["knowledge_base"]["disabled_rules"]
    assert off["rule"] == DISABLED and "urology" in off["reason"] and off["origin"].startswith(f"{SITE}/committee.yaml:")
    _, text, _ = run_cli("tamsulosin", "tadalafil", "--rules", SITE)
    assert f"rules disabled by site configuration: {DISABLED}" in text


def test_the_site_is_named_in_every_json_result(run_cli):
    for args in (["baclofen"], ["info"], ["explain", "baclofen"], ["rules", "list"], ["rules", "test", SITE]):
        extra = [] if args[0] == "rules" and args[1] == "test" else ["--rules", SITE]
        _, out, _ = run_cli(*args, *extra, "--format", "json")
        (site,) = json.loads(out)["knowledge_base"]["site_rules"]
        assert (site["name"], site["version"], site["path"]) == ("st-example-hospital", "2026.02", SITE), args
        assert site["digest"].startswith("sha256:") and len(site["digest"]) == 71


def test_min_severity_hides_site_lowered_findings_but_json_counts_them(run_cli):
    _, out, _ = run_cli("baclofen", "lisinopril", "--rules", SITE, "--min-severity", "moderate", "--format", "json")
    doc = json.loads(out)
    assert doc["findings"] == [] and doc["summary"]["findings"] == 1 and doc["summary"]["findings_shown"] == 0
    _, text, _ = run_cli("baclofen", "lisinopril", "--rules", SITE, "--min-severity", "moderate")
    assert "1 below --min-severity not shown" in text and "No interactions found" not in text


def test_environment_variable_and_config_file_load_the_site(run_cli, monkeypatch, tmp_path):
    monkeypatch.setenv("CHECK_MEDS_RULES", SITE)
    _, out, _ = run_cli("Zurzuvae", "--format", "json")
    assert json.loads(out)["medications"][0]["drug"] == "zuranolone"
    monkeypatch.delenv("CHECK_MEDS_RULES")
    config = tmp_path / "config.toml"
    config.write_text(f'rules = ["{ROOT / SITE}"]\n')
    monkeypatch.setenv("CHECK_MEDS_CONFIG", str(config))
    _, out, _ = run_cli("Zurzuvae", "--format", "json")
    assert json.loads(out)["knowledge_base"]["site_rules"][0]["name"] == "st-example-hospital"


def test_later_directories_sit_on_top_of_earlier_ones(tmp_path, run_cli, monkeypatch):
    """Config, then environment, then --rules: a later directory may replace an id with override: true."""
    top = tmp_path / "top"
    top.mkdir()
    (top / "r.yaml").write_text(
        "schema_version: 1\n"
        "drugs:\n"
        "  - {id: zuranolone, brands: [Zurzuvae, Zuran], classes: [neuroactive-steroid], override: true}\n"
    )
    monkeypatch.setenv("CHECK_MEDS_RULES", SITE)
    _, out, _ = run_cli("Zuran", "--rules", str(top), "--format", "json")
    doc = json.loads(out)
    assert doc["medications"][0]["drug"] == "zuranolone"
    assert [s["path"] for s in doc["knowledge_base"]["site_rules"]] == [SITE, str(top)]
    # the other order: the replacement comes first, so the site's own entry clashes with it
    monkeypatch.setenv("CHECK_MEDS_RULES", str(top))
    code, _, err = run_cli("Zuran", "--rules", SITE)
    assert code == 3 and "duplicate drug id 'zuranolone'" in err and err.startswith(f"{SITE}/formulary.yaml:")


def test_an_override_of_an_unknown_rule_is_an_error(tmp_path):
    (tmp_path / "o.yaml").write_text("schema_version: 1\noverrides:\n  - {rule: no-such-rule, disabled: true, reason: r}\n")
    with pytest.raises(InvalidRulesError) as info:
        compile_dirs(rule_dirs([str(tmp_path)]))
    assert [str(p) for p in info.value.problems] == [f"{tmp_path / 'o.yaml'}:3: override of unknown rule 'no-such-rule'"]


def test_an_override_needs_a_reason(tmp_path):
    (tmp_path / "o.yaml").write_text(f"schema_version: 1\noverrides:\n  - {{rule: {DISABLED}, disabled: true}}\n")
    with pytest.raises(InvalidRulesError) as info:
        compile_dirs(rule_dirs([str(tmp_path)]))
    assert [str(p) for p in info.value.problems] == [f"{tmp_path / 'o.yaml'}:3: override of {DISABLED!r}: 'reason' is a required property"]


def _site(tmp_path: Path, name: str, brand: str) -> Path:
    d = tmp_path / name
    d.mkdir()
    (d / "drugs.yaml").write_text(f"schema_version: 1\ndrugs:\n  - {{id: {name}, brands: [{brand}], classes: [opioid-agonist]}}\n")
    return d


def test_the_compiled_cache_is_per_site_and_invalidated_by_an_edit(tmp_path, monkeypatch):
    monkeypatch.setenv("CHECK_MEDS_CACHE_DIR", str(tmp_path / "cache"))
    a, b = _site(tmp_path, "alpha", "Alphabrand"), _site(tmp_path, "beta", "Betabrand")
    assert "alphabrand" in load_knowledge_base([str(a)]).names
    assert "betabrand" in load_knowledge_base([str(b)]).names
    assert len(os.listdir(cache_dir())) == 2  # one compiled file per set of directories
    assert "alphabrand" in load_knowledge_base([str(a)]).names  # and each is read back as its own

    f = a / "drugs.yaml"
    st = f.stat()
    f.write_text(f.read_text().replace("Alphabrand", "Alphanewbr"))  # same size
    os.utime(f, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    names = load_knowledge_base([str(a)]).names
    assert "alphanewbr" in names and "alphabrand" not in names

    (a / "more.yaml").write_text("schema_version: 1\ndrugs:\n  - {id: gamma, classes: [opioid-agonist]}\n")
    assert "gamma" in load_knowledge_base([str(a)]).drugs


def test_a_valid_site_is_reported_by_validate_and_its_examples_pass(run_cli):
    code, out, _ = run_cli("rules", "validate", SITE)
    assert code == 0 and out.startswith(f"Valid: rules + {SITE}: ") and "1 rule(s) disabled" in out
    code, out, _ = run_cli("rules", "test", SITE)
    assert code == 0 and "all passed; 1 disabled rule(s) not run." in out
    kb = KnowledgeBase(compile_dirs(rule_dirs([SITE])))
    assert "neuroactive-steroid-cyp3a4-strong-inhibitor" in kb.rules and DISABLED not in kb.rules
