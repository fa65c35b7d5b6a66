"""The start-up floor: the least a process can do to answer `check-meds baclofen alcohol --format json`.

Loads the compiled knowledge base (the same cache check-meds reads), looks the
two names up, asks the pair table which rules they fire, and prints the same
JSON document. No command line, no normaliser, no engine: what is left is the
interpreter, the cache and json. bench/startup.py checks that its output is
byte for byte what check-meds prints, and times both.
"""

import json
import sys

from interactions import __version__
from interactions.kb import load_knowledge_base

kb = load_knowledge_base()
names = sys.argv[1:] or ["baclofen", "alcohol"]
meds = []
for n in names:
    _method, drugs, _product = kb.names[n]
    meds.append({"classes": sorted(kb.drug_classes[drugs[0]]), "drug": drugs[0], "ingredients": list(drugs), "input": n,
                 "matched": n, "resolved_by": "generic", "status": "recognized"})
a, b = (kb.med(kb.names[n][1]) for n in names)
findings = [{"drugs": list(ds), "effect": r["effect"], "evidence": r["evidence"], "inputs": sorted(names), "kind": r["kind"],
             "management": r["management"], "mechanism": r["mechanism"], "references": [{"id": x, **kb.references[x]} for x in r["references"]],
             "related": [], "rule": rid, "severity": r["severity"], "title": r["title"]} for rid, r, ds in kb.pair(a, b)]
by_sev = dict.fromkeys(("minor", "moderate", "major", "contraindicated"), 0)
for f in findings:
    by_sev[f["severity"]] += 1
c = kb.counts
doc = {"check_meds_version": __version__, "findings": findings,
       "knowledge_base": {"counts": {k: c[k] for k in ("drugs", "names", "products", "classes", "rules", "rules_by_severity")},
                          "disabled_rules": [], "name": kb.info["name"], "site_rules": kb.info["site_rules"], "version": kb.info["version"]},
       "medications": meds, "patient": {"age": None}, "schema_version": 1, "skipped_rules": [],
       "summary": {"by_severity": by_sev, "complete": True, "findings": len(findings), "findings_shown": len(findings),
                   "highest_severity": findings[0]["severity"] if findings else None, "medications": len(meds), "not_medications": 0,
                   "recognized": len(meds), "skipped_rules": 0, "unrecognized": 0},
       "unrecognized": []}
sys.stdout.write(json.dumps(doc, sort_keys=True, indent=2, ensure_ascii=False) + "\n")
