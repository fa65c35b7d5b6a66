"""List names that denote an eye, ear, nose, skin, mouth, vaginal or inhaled product but resolve
to a systemic entry (one with classes and no local route).

    python scripts/local_forms_sweep.py            # candidates from the vocabulary and the list below
    python scripts/local_forms_sweep.py --all      # also local entries, unresolved names and kept ones

A development tool, not part of the package. It reads the compiled knowledge base and prints one
line per candidate: the name, the entry it resolves to, and that entry's classes.
"""

from __future__ import annotations

import re
import sys

from interactions import load_knowledge_base
from interactions.normalize import resolve

# words in a name that say it is a local product
LOCAL_WORDS = re.compile(
    r"\b(eye|eyes|ophthalmic|ophth|oph|otic|ear|nasal|intranasal|cream|ointment|gel|lotion|topical|"
    r"shampoo|foam|vaginal|pessary|ovule|mouthwash|rinse|troche|lozenge|inhal\w*|nebul\w*|drops|"
    r"intravitreal|implant|insert|paste|swab|pledget|patch|enema|suppository)\b"
)
# local products whose brand says nothing of the route, and strings as lists write them
LISTED = """
Vigamox|Moxeza|moxifloxacin eye drops|moxifloxacin 0.5% eye drops|MOXIFLOXACIN 0.5% SOLN,OPH|Vigamox 1 drop OU
Zymar|Zymaxid|gatifloxacin eye drops
Ciloxan|Cetraxal|Otiprio|Ciprodex|Cipro HC|ciprofloxacin eye drops|ciprofloxacin ear drops|ciprofloxacin otic
Ocuflox|Floxin Otic|ofloxacin eye drops|ofloxacin ear drops|ofloxacin otic
levofloxacin eye drops|Quixin|Iquix|Oftaquix
Besivance|besifloxacin
erythromycin eye ointment|Ilotycin|Romycin|erythromycin gel|erythromycin topical|Erygel|Akne-Mycin
AzaSite|azithromycin eye drops
Genoptic|Gentak|gentamicin eye drops|gentamicin cream|gentamicin ointment
Tobrex|TobraDex|TobraDex ST|Zylet|tobramycin eye drops|TOBI|TOBI Podhaler|Bethkis|Kitabis Pak|tobramycin inhalation
Maxitrol|Neosporin|Neosporin Ophthalmic|Polysporin|Cortisporin|Poly-Pred|Polytrim|neomycin cream
Pred Forte|Maxidex|Acular|Voltaren Ophthalmic|Prolensa|Bromday|Xibrom|Nevanac|Ilevro
Voltaren Arthritis Pain|Voltaren Gel|Pennsaid|Flector
Cleocin T|Clindagel|Evoclin|ClindaMax|Clindesse|Cleocin Vaginal|clindamycin gel|clindamycin cream|clindamycin vaginal
MetroGel|MetroCream|MetroLotion|Noritate|Rosadan|MetroGel-Vaginal|Vandazole|Nuvessa|metronidazole gel|metronidazole vaginal gel
lidocaine cream|lidocaine patch|Lidoderm|EMLA|LMX 4|Xylocaine Jelly|lidocaine viscous|lidocaine ointment
ketoconazole shampoo|Nizoral A-D|miconazole cream|Monistat|Monistat 7|Monistat 3|Micatin|Oravig|miconazole vaginal
Lamisil AT|terbinafine cream|Lamisil cream|Zonalon|Prudoxin|doxepin cream
clotrimazole troche|Mycelex|clotrimazole cream|Lotrimin|Gyne-Lotrimin|Lotrisone|Canesten
nystatin|Mycostatin|Bio-Statin|nystatin cream|nystatin suspension
Vagifem|Estrace cream|Estrace vaginal cream|Estring|Imvexxy|Premarin vaginal cream|estradiol vaginal|Yuvafem
Flonase|Nasonex|Rhinocort|Qvar|Flovent|Pulmicort|Asmanex|Alvesco|Arnuity
Peridex|chlorhexidine mouthwash|Xylocaine Viscous|Kenalog in Orabase
mupirocin|Bactroban|fusidic acid cream|Fucidin|silver sulfadiazine|Silvadene|bacitracin
acyclovir cream|Zovirax cream|Sitavig|ganciclovir gel|Zirgan|Viroptic|trifluridine eye drops
Elidel|Protopic|Restasis|Cequa|Xiidra|cyclosporine eye drops
atropine eye drops|Isopto Atropine|cyclopentolate|Cyclogyl|phenylephrine eye drops|tropicamide|Mydriacyl
brimonidine|Alphagan|Combigan|Cosopt|Azopt|Trusopt|apraclonidine|Iopidine|pilocarpine eye drops|Vuity
Azelex|Finacea|dapsone gel|Aczone|Differin|tretinoin cream|Retin-A|Tazorac|Aklief
testosterone gel|AndroGel|Testim|Evamist|Divigel|EstroGel|Elestrin
nitroglycerin ointment|Nitro-Bid|Rectiv|clonidine patch|Catapres-TTS
capsaicin|Qutenza|Zostrix|menthol|methyl salicylate|Bengay|Salonpas
ivermectin cream|Soolantra|Sklice|permethrin|Elimite|Nix
selenium sulfide|Selsun|ciclopirox|Penlac|Jublia|Kerydin
fluorouracil cream|Efudex|Carac|imiquimod|Aldara|Zyclara
ipratropium nasal|Atrovent Nasal|azelastine|Astelin|Astepro|olopatadine nasal|Patanase|oxymetazoline|Afrin
Dymista|cromolyn eye drops|Opticrom|Crolom|ketotifen|Zaditor|Pataday|Lastacaft|Bepreve
Xylocaine|Akten|tetracaine eye drops
"""

# entries whose local-sounding names stay on purpose (docs/local-forms.md, "Left on the systemic
# entry on purpose"): printed as "kept", not as open candidates
KEPT = {
    "tobramycin": "inhaled tobramycin keeps the aminoglycoside rules (TOBI label)",
    "miconazole": "Oravig and the oral gel keep the warfarin class",
    "metronidazole topical": "skin entry; its only rule is the label's minor warfarin caution",
    "clotrimazole": "one entry for troches, creams and pessaries; no class",
    "doxepin": "the cream's label warns of absorbed drug (drowsiness)",
    "estradiol": "vaginal and transdermal estrogens carry the estrogen class warnings",
    "conjugated estrogens": "vaginal cream carries the estrogen class warnings",
    "nitroglycerin": "ointment and patches are systemic nitrates",
    "clonidine": "patches are systemic",
    "rivastigmine": "patches are systemic",
    "selegiline": "the Emsam patch is systemic",
    "testosterone": "gels are systemic",
    "dorzolamide": "eye-drop carbonic anhydrase inhibitors have their own rules",
    "brinzolamide": "eye-drop carbonic anhydrase inhibitors have their own rules",
    "atropine": "eye drops are absorbed (anticholinergic effects)",
    "phenylephrine": "eye drops are absorbed (pressor effects)",
    "tetracaine": "local-anaesthetic class only",
    "silver sulfadiazine": "its only rule is about the skin (collagenase)",
    "fluticasone": "inhaled and nasal corticosteroid class, used by the ritonavir rules",
    "budesonide": "inhaled and nasal corticosteroid class",
    "mometasone": "inhaled and nasal corticosteroid class",
    "beclomethasone": "inhaled and nasal corticosteroid class",
    "ciclesonide": "inhaled and nasal corticosteroid class",
    "ipratropium": "inhaled antimuscarinic class",
    "albuterol": "inhaled short-acting beta agonist",
    "zolmitriptan": "the nasal spray is systemic",
    "sodium picosulfate": "oral drops",
    "brimonidine": "the eye-drop label itself contraindicates MAO inhibitors",
    "fusidic acid": "Fucidin alone names tablets and creams",
    "lidocaine": "Xylocaine names injections and jellies too",
    "prilocaine": "local-anaesthetic class only (EMLA)",
    "oxymetazoline": "nasal decongestant labels warn about MAO inhibitors",
    "influenza vaccine live intranasal": "a vaccine given in the nose",
}


def named_by_rules(kb) -> set[str]:
    """Drugs a rule names directly (a '@drug' selector in a slot)."""
    return {t[1:] for r in kb.rules.values() for tags, _x, _n in r["slots"] for t in tags if t.startswith("@")}


def local(kb, drug: str, named: set[str]) -> bool:
    """True if the entry carries no systemic fact: a local route, or no class and no rule naming it."""
    e = kb.drugs[drug]
    if e.get("route") and e["route"] != "systemic":
        return True
    return not kb.drug_classes.get(drug) and drug not in named


def main(show_all: bool) -> int:
    kb = load_knowledge_base()
    named = named_by_rules(kb)
    rows: dict[str, tuple[str, tuple]] = {}
    for did, e in kb.drugs.items():
        if local(kb, did, named):
            continue
        for n in [*e.get("names", []), *e.get("brands", []), *e.get("salts", [])]:
            if LOCAL_WORDS.search(n.casefold()):
                rows[n] = (did, kb.drug_classes[did])
    for line in LISTED.strip().splitlines():
        for n in line.split("|"):
            res = resolve(n, kb)
            if not res.ok:
                if show_all:
                    rows.setdefault(n, ("(not resolved)", ()))
                continue
            for d in res.drugs:
                if show_all or not local(kb, d, named):
                    rows.setdefault(n, (d, kb.drug_classes.get(d, ())))
    open_rows = 0
    for n, (d, classes) in sorted(rows.items(), key=lambda r: (r[1][0], r[0].casefold())):
        if d in KEPT:
            if show_all:
                print(f"{n}\t-> {d}\tkept: {KEPT[d]}")
            continue
        open_rows += 1
        print(f"{n}\t-> {d}\t[{', '.join(classes)}]")
    print(f"{open_rows} open candidates", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main("--all" in sys.argv[1:]))
