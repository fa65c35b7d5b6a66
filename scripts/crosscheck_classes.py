#!/usr/bin/env python3
"""Cross-check class memberships against FDA and DrugCentral pharmacologic classes.

A development tool, not part of the package. Usage:

    python scripts/crosscheck_classes.py DATA_DIR [--rules DIR] [--all]

DATA_DIR holds the public vocabulary data (fda/fda_ndc2019_single_substance_pharm_classes.tsv
and drugcentral_2016/pharm_class.tsv). For each class of the knowledge base that has a
counterpart in the FDA established pharmacologic classes (EPC) or mechanism-of-action (MoA)
index, it lists:

  * drugs the external source puts in the class but the knowledge base does not
    ("missing here"), and
  * drugs the knowledge base puts in the class that the external source knows but does not
    classify that way ("missing there").

A drug whose `note` mentions one of the mapping's keywords is taken to explain its deviation
and is left out of both lists (use --all to see them too). "Missing there" is listed in full
only when the membership cites nothing but FDA-EPC or DRUGCENTRAL16 (then the data should show
it); memberships that also rest on other cited sources (ANSM, ONC, Beers, labels) are only
named on one summary line. Exit status: 0, or 1 if an unexplained "missing here" remains.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections import defaultdict

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Knowledge-base classes (a drug counts if it has any of them, parents included)
# against FDA class labels (EPC or MoA, as written in the FDA file; DrugCentral
# carries the same FDA labels without the bracketed type). `keywords`: words in a
# drug's note that explain a deliberate deviation.
MAPPING = [
    {"classes": ["opioid-agonist"], "fda": ["Opioid Agonist [EPC]", "mu-Opioid Receptor Agonist [EPC]"], "keywords": ["opioid"]},
    {"classes": ["opioid-partial-agonist"], "fda": ["Partial Opioid Agonist [EPC]", "Opioid Agonist/Antagonist [EPC]", "Partial Opioid Agonist/Antagonist [EPC]"], "keywords": ["opioid"]},
    {"classes": ["benzodiazepine"], "fda": ["Benzodiazepine [EPC]"], "keywords": ["benzodiazepine"]},
    {"classes": ["barbiturate"], "fda": ["Barbiturate [EPC]"], "keywords": ["barbiturate"]},
    {"classes": ["ssri"], "fda": ["Serotonin Reuptake Inhibitor [EPC]"], "keywords": ["SSRI", "serotonin reuptake"]},
    {"classes": ["snri"], "fda": ["Serotonin and Norepinephrine Reuptake Inhibitor [EPC]"], "keywords": ["SNRI"]},
    {"classes": ["tca"], "fda": ["Tricyclic Antidepressant [EPC]"], "keywords": ["tricyclic", "tetracyclic"]},
    {"classes": ["maoi"], "fda": ["Monoamine Oxidase Inhibitor [EPC]", "Monoamine Oxidase Type B Inhibitor [EPC]"], "keywords": ["MAO"]},
    {"classes": ["antipsychotic"], "fda": ["Atypical Antipsychotic [EPC]", "Typical Antipsychotic [EPC]", "Phenothiazine [EPC]"], "keywords": ["antipsychotic", "neuroleptic"]},
    {"classes": ["antiepileptic"], "fda": ["Anti-epileptic Agent [EPC]", "Decreased Central Nervous System Disorganized Electrical Activity [PE]"], "keywords": ["antiepileptic", "anticonvulsant", "epilep"]},
    {"classes": ["muscle-relaxant"], "fda": ["Muscle Relaxant [EPC]", "Skeletal Muscle Relaxant [EPC]"], "keywords": ["muscle relaxant", "relaxant"]},
    {"classes": ["triptan"], "fda": ["Serotonin-1b and Serotonin-1d Receptor Agonist [EPC]"], "keywords": ["triptan"]},
    {"classes": ["cholinesterase-inhibitor"], "fda": ["Cholinesterase Inhibitor [EPC]"], "keywords": ["cholinesterase"]},
    {"classes": ["anticholinergic-strong"], "fda": ["Anticholinergic [EPC]", "Cholinergic Muscarinic Antagonist [EPC]"], "keywords": ["anticholinergic", "atropinic", "antimuscarinic"]},
    {"classes": ["sympathomimetic"], "fda": ["Central Nervous System Stimulant [EPC]", "Sympathomimetic Amine Anorectic [EPC]", "Norepinephrine Reuptake Inhibitor [EPC]", "alpha-Adrenergic Agonist [EPC]"], "keywords": ["sympathomimetic", "stimulant", "decongestant"]},
    {"classes": ["ace-inhibitor"], "fda": ["Angiotensin Converting Enzyme Inhibitor [EPC]"], "keywords": ["ACE inhibitor"]},
    {"classes": ["arb"], "fda": ["Angiotensin 2 Receptor Blocker [EPC]"], "keywords": ["ARB", "angiotensin"]},
    {"classes": ["beta-blocker"], "fda": ["beta-Adrenergic Blocker [EPC]"], "keywords": ["beta blocker", "beta-blocker"]},
    {"classes": ["calcium-channel-blocker"], "fda": ["Calcium Channel Blocker [EPC]", "Dihydropyridine Calcium Channel Blocker [EPC]"], "keywords": ["calcium channel"]},
    {"classes": ["thiazide-diuretic"], "fda": ["Thiazide Diuretic [EPC]", "Thiazide-like Diuretic [EPC]"], "keywords": ["thiazide"]},
    {"classes": ["loop-diuretic"], "fda": ["Loop Diuretic [EPC]"], "keywords": ["loop diuretic"]},
    {"classes": ["potassium-sparing-diuretic"], "fda": ["Potassium-sparing Diuretic [EPC]", "Aldosterone Antagonist [EPC]"], "keywords": ["potassium-sparing", "mineralocorticoid"]},
    {"classes": ["alpha-blocker"], "fda": ["alpha-Adrenergic Blocker [EPC]"], "keywords": ["alpha blocker", "alpha-blocker", "alpha-adrenergic"]},
    {"classes": ["central-alpha2-agonist"], "fda": ["Central alpha-2 Adrenergic Agonist [EPC]"], "keywords": ["alpha-2"]},
    {"classes": ["nitrate"], "fda": ["Nitrate Vasodilator [EPC]"], "keywords": ["nitrate"]},
    {"classes": ["pde5-inhibitor"], "fda": ["Phosphodiesterase 5 Inhibitor [EPC]"], "keywords": ["PDE5", "phosphodiesterase"]},
    {"classes": ["sgc-stimulator"], "fda": ["Soluble Guanylate Cyclase Stimulator [EPC]"], "keywords": ["guanylate"]},
    {"classes": ["nsaid"], "fda": ["Nonsteroidal Anti-inflammatory Drug [EPC]"], "keywords": ["NSAID"]},
    {"classes": ["anticoagulant"], "fda": ["Anti-coagulant [EPC]", "Factor Xa Inhibitor [EPC]", "Direct Thrombin Inhibitor [EPC]", "Vitamin K Antagonist [EPC]", "Low Molecular Weight Heparin [EPC]"], "keywords": ["anticoagulant"]},
    {"classes": ["vitamin-k-antagonist"], "fda": ["Vitamin K Antagonist [EPC]"], "keywords": ["vitamin K"]},
    {"classes": ["antiplatelet"], "fda": ["Platelet Aggregation Inhibitor [EPC]", "P2Y12 Platelet Inhibitor [EPC]", "Protease-activated Receptor-1 Antagonist [EPC]"], "keywords": ["platelet", "antiplatelet"]},
    {"classes": ["hypoglycaemic"], "fda": ["Sulfonylurea [EPC]", "Glinide [EPC]", "Insulin [EPC]", "Insulin Analog [EPC]"], "keywords": ["hypoglyc", "sulfonylurea"]},
    {"classes": ["statin"], "fda": ["HMG-CoA Reductase Inhibitor [EPC]"], "keywords": ["statin"]},
    {"classes": ["ppi"], "fda": ["Proton Pump Inhibitor [EPC]"], "keywords": ["proton-pump", "PPI"]},
    {"classes": ["fluoroquinolone"], "fda": ["Fluoroquinolone Antibacterial [EPC]", "Quinolone Antimicrobial [EPC]"], "keywords": ["quinolone"]},
    {"classes": ["penicillin"], "fda": ["Penicillin-class Antibacterial [EPC]"], "keywords": ["penicillin"]},
    {"classes": ["tetracycline-class"], "fda": ["Tetracycline-class Drug [EPC]", "Tetracycline-class Antimicrobial [EPC]"], "keywords": ["tetracycline"]},
    {"classes": ["bisphosphonate"], "fda": ["Bisphosphonate [EPC]"], "keywords": ["bisphosphonate"]},
    {"classes": ["ergot-alkaloid"], "fda": ["Ergotamine Derivative [EPC]", "Ergot Derivative [EPC]"], "keywords": ["ergot"]},
    {"classes": ["corticosteroid-systemic"], "fda": ["Corticosteroid [EPC]"], "keywords": ["corticosteroid", "glucocorticoid", "topical", "inhaled"]},
    {"classes": ["protease-inhibitor-hiv"], "fda": ["HIV Protease Inhibitors [MoA]"], "keywords": ["protease inhibitor"]},
    {"classes": ["cyp3a4-strong-inhibitor", "cyp3a4-moderate-inhibitor"], "fda": ["Cytochrome P450 3A4 Inhibitors [MoA]", "Cytochrome P450 3A Inhibitors [MoA]", "Cytochrome P450 3A Inhibitor [EPC]"], "keywords": ["CYP3A"]},
    {"classes": ["cyp3a4-strong-inducer"], "fda": ["Cytochrome P450 3A4 Inducers [MoA]", "Cytochrome P450 3A Inducers [MoA]"], "keywords": ["CYP3A", "inducer"]},
    {"classes": ["cyp1a2-strong-inhibitor", "cyp1a2-inhibitor"], "fda": ["Cytochrome P450 1A2 Inhibitors [MoA]"], "keywords": ["CYP1A2"]},
    {"classes": ["cyp2c19-inhibitor"], "fda": ["Cytochrome P450 2C19 Inhibitors [MoA]"], "keywords": ["CYP2C19"]},
    {"classes": ["cyp2d6-strong-inhibitor"], "fda": ["Cytochrome P450 2D6 Inhibitors [MoA]", "Cytochrome P450 2D6 Inhibitor [EPC]"], "keywords": ["CYP2D6"]},
    {"classes": ["pgp-inhibitor"], "fda": ["P-Glycoprotein Inhibitors [MoA]"], "keywords": ["P-glycoprotein"]},
]

# Salt and ester words stripped from FDA substance names when the full name is
# not a knowledge-base name ("LOSARTAN POTASSIUM" -> "LOSARTAN").
SALT_WORDS = {
    "HYDROCHLORIDE", "HCL", "DIHYDROCHLORIDE", "HYDROBROMIDE", "SODIUM", "POTASSIUM", "CALCIUM",
    "MAGNESIUM", "MALEATE", "MESYLATE", "BESYLATE", "TARTRATE", "BITARTRATE", "CITRATE", "SULFATE",
    "SUCCINATE", "FUMARATE", "HEMIFUMARATE", "ACETATE", "PHOSPHATE", "BROMIDE", "CHLORIDE",
    "MONOHYDRATE", "DIHYDRATE", "TRIHYDRATE", "HYDRATE", "ANHYDROUS", "ERBUMINE", "MEDOXOMIL",
    "CILEXETIL", "DIPROPIONATE", "PROPIONATE", "VALERATE", "MALATE", "NITRATE", "OXALATE",
    "PAMOATE", "DECANOATE", "LACTATE", "GLUCONATE", "TROMETHAMINE", "DISODIUM", "SESQUIHYDRATE",
    "BISULFATE", "MONOHYDROCHLORIDE", "XINAFOATE", "FUROATE", "TOSYLATE", "SALICYLATE",
}


def load_kb(rules_dir: str | None):
    sys.path.insert(0, ROOT)
    from interactions.kb import KnowledgeBase, compile_dirs, rule_dirs

    dirs = [(rules_dir, True)] if rules_dir else rule_dirs()
    return KnowledgeBase(compile_dirs(dirs))


def split_label(label: str) -> tuple[str, str]:
    m = re.match(r"^(.*) \[(EPC|MoA|PE|CS|Chemical/Ingredient)\]$", label.strip())
    return (m.group(1), m.group(2)) if m else (label.strip(), "")


def index_names(kb) -> dict[str, str]:
    """Upper-cased generic, international and salt names -> drug id."""
    out: dict[str, str] = {}
    for did, d in kb.drugs.items():
        for n in [did, *d.get("names", []), *d.get("salts", [])]:
            out.setdefault(n.upper(), did)
    return out


def resolve_substance(name: str, names: dict[str, str]) -> str | None:
    key = name.strip().upper()
    if key in names:
        return names[key]
    words = key.split()
    while len(words) > 1 and words[-1] in SALT_WORDS:
        words = words[:-1]
        if " ".join(words) in names:
            return names[" ".join(words)]
    return None


def read_fda(path: str, names: dict[str, str]) -> tuple[dict[str, set[str]], set[str]]:
    """drug id -> FDA class labels; and the drug ids the FDA file knows."""
    classes: dict[str, set[str]] = defaultdict(set)
    known: set[str] = set()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            did = resolve_substance(row["substance"], names)
            if did is None:
                continue
            labels = [x.strip() for x in (row.get("pharm_classes") or "").split("|") if x.strip()]
            if labels:
                known.add(did)
            classes[did].update(labels)
    return classes, known


def read_drugcentral(path: str, names: dict[str, str]) -> tuple[dict[str, set[str]], set[str]]:
    """drug id -> FDA class labels as carried by DrugCentral; and the drug ids it classifies."""
    classes: dict[str, set[str]] = defaultdict(set)
    known: set[str] = set()
    with open(path, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            did = names.get(row["DRUG_NAME"].strip().upper())
            if did is None:
                continue
            if row.get("SOURCE") == "FDA" and row.get("TYPE") in ("EPC", "MoA"):
                known.add(did)
                classes[did].add(f"{row['CLASS'].strip()} [{row['TYPE']}]")
    return classes, known


DATA_SOURCES = {"FDA-EPC", "DRUGCENTRAL16"}


def membership_sources(kb, drug: dict, ours: set[str]) -> set[str]:
    """The references behind a drug's membership of any of `ours` (own class_sources, else the class's)."""
    cited: set[str] = set()
    for c in ours & set(drug["all_classes"]):
        cited |= set(drug["class_sources"].get(c) or kb.classes[c]["sources"])
    return cited


def explained(drug: dict, keywords: list[str]) -> bool:
    note = (drug.get("note") or "").lower()
    return any(k.lower() in note for k in keywords)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", help="directory holding fda/ and drugcentral_2016/")
    ap.add_argument("--rules", help="a rules directory to check instead of the shipped one")
    ap.add_argument("--all", action="store_true", help="also list deviations that a drug's note explains")
    args = ap.parse_args(argv)

    fda_path = os.path.join(args.data_dir, "fda", "fda_ndc2019_single_substance_pharm_classes.tsv")
    dc_path = os.path.join(args.data_dir, "drugcentral_2016", "pharm_class.tsv")
    for p in (fda_path, dc_path):
        if not os.path.isfile(p):
            print(f"not found: {p}", file=sys.stderr)
            return 2

    kb = load_kb(args.rules)
    names = index_names(kb)
    sources = {"FDA": read_fda(fda_path, names), "DrugCentral": read_drugcentral(dc_path, names)}

    unexplained_missing = 0
    for m in MAPPING:
        ours = set(m["classes"])
        labels = set(m["fda"])
        members = {d for d, x in kb.drugs.items() if ours & set(x["all_classes"])}
        lines = []
        for src, (classes, known) in sources.items():
            theirs = {d for d, ls in classes.items() if ls & labels}
            for d in sorted(theirs - members):
                note = explained(kb.drugs[d], m["keywords"])
                if note and not args.all:
                    continue
                unexplained_missing += 0 if note else 1
                lines.append(f"  missing here  ({src}): {d}{'  [note]' if note else ''}")
            elsewhere = []
            for d in sorted((members & known) - theirs):
                drug = kb.drugs[d]
                if explained(drug, m["keywords"]) and not args.all:
                    continue
                cited = membership_sources(kb, drug, ours)
                if cited <= DATA_SOURCES:
                    lines.append(f"  missing there ({src}): {d}  [cites only {', '.join(sorted(cited))}]")
                else:
                    elsewhere.append(d)
            if elsewhere:
                lines.append(f"  not so classed by {src}, membership rests on other cited sources: {', '.join(elsewhere)}")
        head = f"{' + '.join(m['classes'])}: {len(members)} members <-> {'; '.join(m['fda'])}"
        print(head)
        print("\n".join(lines) if lines else "  consistent")
    print(f"\nunexplained drugs missing from a class here: {unexplained_missing}")
    return 1 if unexplained_missing else 0


if __name__ == "__main__":
    sys.exit(main())
