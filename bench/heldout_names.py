"""Export-style medication strings written from the FDA NDC product list, resolved, scored per style.

The strings are not tuned to the normaliser: they are written from the NDC directory's proprietary
names and substance fields (products whose substances are all known drugs, at least one of them
among the most prescribed), in the styles exports use:

  rxnorm    RxNorm SCD/SBD names: "Losartan Potassium 50 MG Oral Tablet [Cozaar]"
  va        VA / pharmacy-system upper case: "DILTIAZEM HCL 120MG CAP,SA", "OXYCODONE 5MG/APAP 325MG TAB"
  label     pharmacy-label shorthand: "Amlodipine Besy 10mg tab", "Hydrocodone Bit/APAP 5/325"
  ehr       EHR "generic (BRAND) strength form": "omeprazole (PRILOSEC) 20 mg capsule,delayed release(DR/EC)"
  dmd       UK dm+d names: "Bisoprolol 2.5mg tablets", "Co-codamol 30mg/500mg tablets"

The expected ingredients come from the NDC substance names looked up exactly in the knowledge
base (never through the normaliser). Each string is scored: resolved to exactly the expected
ingredients, resolved WRONGLY (another drug: the worst outcome), ambiguous, or unrecognised.

    python bench/heldout_names.py --data DIR [--show wrong,unknown] [--limit 40]

The data files are read at run time and never copied into the repository.
"""

from __future__ import annotations

import argparse
import collections
import csv
import random
import re
import sys
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interactions.kb import load_knowledge_base  # noqa: E402
from interactions.normalize import resolve  # noqa: E402
from interactions.text import key  # noqa: E402

STYLES = ("rxnorm", "va", "label", "ehr", "dmd")

# ---- salts: the NDC substance field spells them out; exports abbreviate them -----------------
# full salt word -> (VA / pharmacy-system abbreviation, pharmacy-label abbreviation); None: written out
SALTS = {
    "hydrochloride": ("HCL", "HCl"),
    "dihydrochloride": ("2HCL", "DiHCl"),
    "hydrobromide": ("HBR", "HBr"),
    "sodium": ("NA", "Sod"),
    "potassium": ("K", "Pot"),
    "calcium": ("CA", None),
    "magnesium": (None, None),
    "succinate": ("SUCC", "Succ"),
    "tartrate": ("TART", "Tart"),
    "bitartrate": ("BIT", "Bit"),
    "besylate": ("BESY", "Besy"),
    "maleate": ("MAL", "Mal"),
    "fumarate": ("FUM", "Fum"),
    "hyclate": ("HYC", "Hyc"),
    "mesylate": ("MES", "Mes"),
    "sulfate": ("SO4", "Sulf"),
    "citrate": ("CIT", "Cit"),
    "phosphate": ("PHOS", "Phos"),
    "acetate": ("ACET", "Acet"),
    "propionate": ("PROP", "Prop"),
    "dipropionate": ("DIPROP", "Diprop"),
    "bromide": ("BR", "Br"),
    "medoxomil": ("MEDOX", "Medox"),
    "furoate": ("FUR", "Fur"),
    "oxalate": (None, None),
    "bisulfate": ("BISULF", "Bisulf"),
    "xinafoate": (None, None),
    "acetonide": (None, None),
    "cilexetil": (None, None),
    "tromethamine": (None, None),
    "valerate": (None, None),
    "cypionate": (None, None),
    "carbonate": ("CARB", "Carb"),
    "gluconate": (None, None),
    "lactate": (None, None),
    "benzoate": (None, None),
    "erbumine": (None, None),
    "trifenatate": (None, None),
    "aspartate": (None, None),
    "saccharate": (None, None),
    "pamoate": (None, None),
    "decanoate": (None, None),
    "mononitrate": (None, None),
    "nitrate": (None, None),
}
HYDRATES = {"monohydrate", "dihydrate", "trihydrate", "hemihydrate", "sesquihydrate", "anhydrous"}
# salts that exports keep, because the base name alone is another product or dose
KEEP_SALT = {"metoprolol", "diclofenac", "potassium", "insulin"}

# ---- ingredient short names pharmacy systems write in combinations --------------------------
SHORT = {"acetaminophen": "APAP", "hydrochlorothiazide": "HCTZ", "aspirin": "ASA"}
# UK (BAN/INN) names dm+d writes; the NDC writes US names
UK = {
    "acetaminophen": "paracetamol", "albuterol": "salbutamol", "glyburide": "glibenclamide",
    "epinephrine": "adrenaline", "norepinephrine": "noradrenaline", "cyclosporine": "ciclosporin",
    "cephalexin": "cefalexin", "rifampin": "rifampicin", "dicyclomine": "dicycloverine",
    "beclomethasone": "beclometasone", "chlorthalidone": "chlortalidone", "meperidine": "pethidine",
    "dextroamphetamine": "dexamfetamine", "amphetamine": "amfetamine", "lidocaine": "lidocaine",
    "valproic acid": "valproic acid", "sulfamethoxazole": "sulfamethoxazole", "cefuroxime": "cefuroxime",
    "levothyroxine": "levothyroxine", "estradiol": "estradiol", "thiamine": "thiamine",
    "acyclovir": "aciclovir", "valacyclovir": "valaciclovir", "norethindrone": "norethisterone",
}
# dm+d's compound names, with the order its strengths are written in
UK_COMBOS = {
    ("acetaminophen", "codeine"): ("Co-codamol", ("codeine", "acetaminophen")),
    ("amoxicillin", "clavulanic acid"): ("Co-amoxiclav", ("amoxicillin", "clavulanic acid")),
    ("sulfamethoxazole", "trimethoprim"): ("Co-trimoxazole", ("trimethoprim", "sulfamethoxazole")),
    ("carbidopa", "levodopa"): ("Co-careldopa", ("carbidopa", "levodopa")),
    ("amiloride", "hydrochlorothiazide"): ("Co-amilozide", ("amiloride", "hydrochlorothiazide")),
    ("atenolol", "chlorthalidone"): ("Co-tenidone", ("atenolol", "chlorthalidone")),
    ("acetaminophen", "dihydrocodeine"): ("Co-dydramol", ("dihydrocodeine", "acetaminophen")),
}
UK_SUPPLIERS = ("Accord Healthcare Ltd", "Teva UK Ltd", "Zentiva Pharma UK Ltd", "A A H Pharmaceuticals Ltd",
                "Sandoz Ltd", "Aurobindo Pharma - Milpharm Ltd", "Viatris UK Healthcare Ltd", "Aspire Pharma Ltd")
# drugs not marketed in the UK: a dm+d name for them would be invented
NOT_UK = {
    "hydrocodone", "carisoprodol", "benzonatate", "phentermine", "butalbital", "cyclobenzaprine", "guaifenesin",
    "pseudoephedrine", "dextromethorphan", "phenylephrine", "chlorpheniramine", "brompheniramine", "pyrilamine",
    "doxylamine", "triprolidine", "chlophedianol", "dexbrompheniramine", "dexchlorpheniramine", "pheniramine",
    "hydroxyzine", "docusate", "sennosides", "methocarbamol", "clavulanic acid", "meclizine", "divalproex",
    "prednisone", "valproic acid",
}
# RxNorm names precise ingredients with their salt for these (it names the base for most)
RX_SALT = {"metoprolol", "losartan", "hydrocodone", "oxycodone", "diltiazem", "fluticasone", "doxycycline",
           "potassium", "insulin", "diclofenac", "naproxen", "morphine", "tramadol", "hydromorphone"}

# ---- dose forms -----------------------------------------------------------------------------
# form kind | RxNorm | VA | pharmacy label | EHR | dm+d
_FORMS = """
tab | Oral Tablet | TAB | tab | tablet | tablets
cap | Oral Capsule | CAP,ORAL | cap | capsule | capsules
tab_er | 24 HR Extended Release Oral Tablet | TAB,SA | ER tab | 24 hr tablet | modified-release tablets
cap_er | 24 HR Extended Release Oral Capsule | CAP,SA | ER cap | 24 hr capsule | modified-release capsules
tab_dr | Delayed Release Oral Tablet | TAB,EC | DR tab | tablet,delayed release (DR/EC) | gastro-resistant tablets
cap_dr | Delayed Release Oral Capsule | CAP,EC | DR cap | capsule,delayed release(DR/EC) | gastro-resistant capsules
soln | Oral Solution | SOLN,ORAL | oral soln | oral solution | oral solution
susp | Oral Suspension | SUSP,ORAL | oral susp | suspension | oral suspension
inj | Injectable Solution | INJ,SOLN | inj | injection | solution for injection
pen | Pen Injector | INJ,PEN | pen | injection pen | solution for injection 3ml pre-filled pens
mdi | Metered Dose Inhaler | INHL,ORAL | HFA inhaler | HFA aerosol inhaler | inhaler
nasal | Metered Dose Nasal Spray | SPRAY,NASAL | nasal spray | nasal spray | nasal spray
cream | Topical Cream | CREAM,TOP | cream | cream | cream
oint | Topical Ointment | OINT,TOP | oint | ointment | ointment
eye | Ophthalmic Solution | SOLN,OPH | eye drops | ophthalmic solution | eye drops
patch | 24 HR Transdermal System | PATCH | patch | patch 24 hr | transdermal patches
sl | Sublingual Tablet | TAB,SUBLINGUAL | SL tab | SL tablet | sublingual tablets
chew | Chewable Tablet | TAB,CHEW | chew tab | chewable tablet | chewable tablets
odt | Disintegrating Oral Tablet | TAB,ORAL DISINTEGRATING | ODT | disintegrating tablet | orodispersible tablets
neb | Inhalation Solution | INHL SOLN | neb soln | solution for nebulization | nebuliser liquid unit dose vials
oil | Injectable Solution | INJ,OIL | inj (in oil) | intramuscular oil | solution for injection
blister | Dry Powder Inhaler | INHL,ORAL | inhal powder | blister with device | inhalation powder
"""
FORMS = {
    row[0]: dict(zip(("rxnorm", "va", "label", "ehr", "dmd"), row[1:]))
    for row in ([c.strip() for c in ln.split(" | ")] for ln in _FORMS.strip().splitlines())
}
# a second presentation of some ingredients, written in every third variant
ALT_FORMS = {"albuterol": ("neb", "0.83"), "ipratropium": ("neb", "0.2"), "budesonide": ("neb", "0.25"),
             "testosterone": ("oil", "200"), "estradiol": ("oil", "5"), "umeclidinium": ("blister", "62.5"),
             "vilanterol": ("blister", "25"), "salmeterol": ("blister", "50"), "fluticasone": ("blister", "250")}
# the short dose-form codes of drug databases that e-prescriptions and pharmacy labels print
# ("omeprazole 20 MG CPDR", "metoprolol succinate ER 50 MG TB24")
FORM_CODES = {"neb": "NEBU", "oil": "SOLN", "blister": "AEPB", "tab": "TABS", "cap": "CAPS", "tab_er": "TB24", "cap_er": "CP24", "tab_dr": "TBEC", "cap_dr": "CPDR",
              "soln": "SOLN", "susp": "SUSR", "inj": "SOLN", "pen": "SOPN", "mdi": "AERS", "nasal": "SUSP",
              "cream": "CREA", "oint": "OINT", "eye": "SOLN", "patch": "PTCH", "sl": "SUBL", "chew": "CHEW",
              "odt": "TBDP"}
# unit kind of a form: weight per unit, or concentration
CONC_UNIT = {"soln": "MG/ML", "susp": "MG/ML", "inj": "MG/ML", "pen": "UNT/ML", "mdi": "MCG/ACTUAT",
             "nasal": "MCG/ACTUAT", "cream": "%", "oint": "%", "eye": "%", "patch": "MG/HR", "neb": "MG/ML",
             "oil": "MG/ML", "blister": "MCG/ACTUAT"}

# form and usual strengths of the most prescribed ingredients (the products' own labels, from
# memory of the common presentations): "name|form|strength,strength"; strengths of weight
# forms are in mg, of concentration forms in the form's unit (CONC_UNIT)
_TYPICAL = """
acetaminophen|tab|325,500 acyclovir|tab|400,800 adalimumab|pen|40 adapalene|cream|0.1 albuterol|mdi|90
alendronate|tab|35,70 allopurinol|tab|100,300 alprazolam|tab|0.25,0.5,1 amiodarone|tab|200,400 amitriptyline|tab|10,25,50
amlodipine|tab|2.5,5,10 amoxicillin|cap|250,500 amphetamine|tab|5,10,20 anastrozole|tab|1 apixaban|tab|2.5,5
aripiprazole|tab|2,5,10 ascorbic acid|tab|500 aspirin|tab|81,325 atenolol|tab|25,50,100 atomoxetine|cap|18,40
atorvastatin|tab|10,20,40,80 atropine|eye|1 azelastine|nasal|137 azithromycin|tab|250,500 baclofen|tab|5,10,20
benazepril|tab|10,20,40 benzonatate|cap|100,200 benzoyl peroxide|cream|5 betamethasone|cream|0.05 bimatoprost|eye|0.01
bisoprolol|tab|2.5,5,10 brimonidine|eye|0.2 brompheniramine|tab|4 budesonide|mdi|80,160 bupropion|tab_er|150,300
buspirone|tab|5,10,15 butalbital|tab|50 caffeine|tab|40 calcitriol|cap|0.00025 calcium|tab|600
calcium phosphate|tab|500 carbidopa|tab|25 carvedilol|tab|3.125,6.25,12.5,25 cefdinir|cap|300 cefuroxime|tab|250,500
celecoxib|cap|100,200 cephalexin|cap|250,500 cetirizine|tab|10 chlorhexidine|soln|1.2 chlorpheniramine|tab|4
chlorthalidone|tab|25,50 cholecalciferol|cap|0.025 ciclopirox|cream|0.77 ciprofloxacin|tab|250,500 citalopram|tab|10,20,40
clavulanate|tab|125 clavulanic acid|tab|125 clindamycin|cap|150,300 clobetasol|cream|0.05 clonazepam|tab|0.5,1,2 clonidine|tab|0.1,0.2
clopidogrel|tab|75 clotrimazole|cream|1 codeine|tab|30 colchicine|tab|0.6 cyanocobalamin|tab|1 cyclobenzaprine|tab|5,10
cyclosporine|cap|25,100 cyproheptadine|tab|4 dapagliflozin|tab|5,10 desogestrel|tab|0.15 desvenlafaxine|tab_er|50,100
dexamethasone|tab|0.5,4 dexlansoprazole|cap_dr|30,60 dexmethylphenidate|cap_er|10,20 dextroamphetamine|tab|5,10
dextromethorphan|tab|15 diazepam|tab|2,5,10 diclofenac|tab_dr|50,75 dicyclomine|cap|10 diltiazem|cap_er|120,180,240
diphenhydramine|cap|25,50 diphenoxylate|tab|2.5 docusate|cap|100 donepezil|tab|5,10 dorzolamide|eye|2
doxazosin|tab|1,2,4 doxepin|cap|10,25 doxycycline|cap|50,100 drospirenone|tab|3 dulaglutide|pen|1.5 duloxetine|cap_dr|20,30,60
empagliflozin|tab|10,25 enalapril|tab|5,10,20 epinephrine|inj|1 ergocalciferol|cap|1.25 erythromycin|tab|250,500
escitalopram|tab|5,10,20 esomeprazole|cap_dr|20,40 estradiol|tab|0.5,1,2 ethinyl estradiol|tab|0.02,0.035
ethynodiol|tab|1 etonogestrel|tab|0.12 ezetimibe|tab|10 famotidine|tab|20,40 fenofibrate|tab|48,145 ferrous sulfate|tab|325
fexofenadine|tab|60,180 finasteride|tab|1,5 fluconazole|tab|150,200 fluocinonide|cream|0.05 fluorouracil|cream|5
fluoxetine|cap|10,20,40 fluticasone|nasal|50 folic acid|tab|1 formoterol|mdi|4.5 furosemide|tab|20,40,80
gabapentin|cap|100,300,400 gemfibrozil|tab|600 glimepiride|tab|1,2,4 glipizide|tab|5,10 guaifenesin|tab|400
guanfacine|tab|1,2 hydralazine|tab|25,50 hydrochlorothiazide|tab|12.5,25 hydrocodone|tab|5,7.5,10
hydrocortisone|cream|1,2.5 hydromorphone|tab|2,4 hydroquinone|cream|4 hydroxychloroquine|tab|200 hydroxyzine|tab|10,25
ibuprofen|tab|200,400,800 icosapent ethyl|cap|1000 indomethacin|cap|25,50 insulin aspart|pen|100 insulin degludec|pen|100
insulin detemir|pen|100 insulin glargine|pen|100 insulin human|inj|100 insulin lispro|pen|100 ipratropium|nasal|21
irbesartan|tab|150,300 ketoconazole|cream|2 ketorolac|tab|10 ketotifen|eye|0.025 labetalol|tab|100,200 lactulose|soln|667
lamotrigine|tab|25,100 lansoprazole|cap_dr|15,30 latanoprost|eye|0.005 levetiracetam|tab|500,750 levocetirizine|tab|5
levodopa|tab|100 levofloxacin|tab|500,750 levomefolate|tab|15 levonorgestrel|tab|0.15 levothyroxine|tab|0.025,0.05,0.1
lidocaine|patch|5 linaclotide|cap|0.145,0.29 liothyronine|tab|0.005,0.025 liraglutide|pen|6 lisdexamfetamine|cap|30,50
lisinopril|tab|5,10,20,40 loperamide|cap|2 loratadine|tab|10 lorazepam|tab|0.5,1 losartan|tab|25,50,100 lovastatin|tab|20,40
meclizine|tab|12.5,25 medroxyprogesterone|tab|2.5,10 melatonin|tab|3 meloxicam|tab|7.5,15 memantine|tab|5,10
metformin|tab|500,850,1000 methocarbamol|tab|500,750 methotrexate|tab|2.5 methylphenidate|tab_er|18,36
methylprednisolone|tab|4 metoclopramide|tab|5,10 metoprolol|tab_er|25,50,100 metronidazole|tab|250,500
minocycline|cap|50,100 mirabegron|tab_er|25,50 mirtazapine|tab|15,30 montelukast|tab|10 morphine|tab_er|15,30
moxifloxacin|eye|0.5 mupirocin|oint|2 mycophenolate mofetil|cap|250 nabumetone|tab|500,750 naproxen|tab|250,500
nebivolol|tab|5,10 neomycin|tab|500 nifedipine|tab_er|30,60 nirmatrelvir|tab|150 nitrofurantoin|cap|100
nitroglycerin|sl|0.4 norethindrone|tab|0.35 norgestimate|tab|0.25 norgestrel|tab|0.075 nortriptyline|cap|10,25
nystatin|cream|100000 ofloxacin|eye|0.3 olanzapine|tab|5,10 olmesartan|tab|20,40 olopatadine|eye|0.1
omega-3-acid ethyl esters|cap|1000 omeprazole|cap_dr|20,40 ondansetron|odt|4,8 oseltamivir|cap|75 oxcarbazepine|tab|300,600
oxybutynin|tab_er|5,10 oxycodone|tab|5,10 pantoprazole|tab_dr|20,40 paroxetine|tab|10,20 penicillin v|tab|250,500
phentermine|cap|37.5 pioglitazone|tab|15,30 polyethylene glycol 3350|soln|17 polymyxin b|eye|10000 potassium chloride|tab_er|10,20
pramipexole|tab|0.25,0.5 pravastatin|tab|20,40 prednisolone|eye|1 prednisone|tab|5,10,20 pregabalin|cap|25,75,150
progesterone|cap|100,200 promethazine|tab|12.5,25 propranolol|tab|10,20,40 pseudoephedrine|tab|30,120 quetiapine|tab|25,50,100
ramipril|cap|2.5,5,10 ranolazine|tab_er|500 risperidone|tab|0.5,1,2 ritonavir|tab|100 rivaroxaban|tab|10,20 rizatriptan|odt|10
ropinirole|tab|0.5,1 rosuvastatin|tab|5,10,20 sacubitril|tab|49 salmeterol|mdi|21 semaglutide|pen|2 sennosides|tab|8.6
sertraline|tab|25,50,100 sildenafil|tab|20,50 silver sulfadiazine|cream|1 simvastatin|tab|10,20,40 sitagliptin|tab|50,100
sodium fluoride|tab|1.1 solifenacin|tab|5,10 spironolactone|tab|25,50 sucralfate|tab|1000 sulfacetamide|eye|10
sulfamethoxazole|tab|400,800 sumatriptan|tab|50,100 tadalafil|tab|5,20 tamsulosin|cap|0.4 telmisartan|tab|40,80
terbinafine|tab|250 testosterone|inj|200 thiamine|tab|100 ticagrelor|tab|90 timolol|eye|0.5 tiotropium|mdi|2.5
tizanidine|tab|2,4 tobramycin|eye|0.3 topiramate|tab|25,50,100 torsemide|tab|10,20 tramadol|tab|50 trazodone|tab|50,100
tretinoin|cream|0.025,0.05 triamcinolone|cream|0.1 triamterene|cap|37.5 trimethoprim|tab|100,160 umeclidinium|mdi|62.5
valacyclovir|tab|500,1000 valproate|cap|250 valsartan|tab|80,160 venlafaxine|cap_er|37.5,75,150 verapamil|tab_er|120,240
vilanterol|mdi|25 vitamin e|cap|400 warfarin|tab|1,2,5 zolpidem|tab|5,10
"""
TYPICAL: dict[str, tuple[str, tuple[str, ...]]] = {
    name: (form, tuple(nums.split(","))) for name, form, nums in re.findall(r"([a-z][a-z0-9 -]*)\|(\w+)\|([\d.,]+)", _TYPICAL)
}
# ingredients whose strength is not written in the form's usual unit
UNIT_OF = {"nystatin": "UNT/GM", "polymyxin b": "UNT/ML", "lidocaine": "%", "adalimumab": "MG/ML",
           "dulaglutide": "MG/ML", "semaglutide": "MG/ML", "liraglutide": "MG/ML"}
# extended-release products made as osmotic tablets, which pharmacy systems mark "(OSM)"
OSMOTIC = {"nifedipine", "methylphenidate", "metformin", "oxybutynin", "paliperidone"}
SERIES = ("5", "10", "20", "25", "50", "100")

STORE_WORDS = set(
    """cvs walgreens equate leader kroger sunmark topcare rite aid health mart good neighbor up members mark
    quality choice basic care family wellness smart sense harris teeter meijer publix signature rexall assured dg
    premier value target amazon select pharmacy pain relief reliever allergy cold sleep tablets caplets extra strength
    children childrens infant infants junior adult night day formula acid reducer antacid laxative nighttime daytime
    severe sinus congestion cough flu mucus headache migraine arthritis multi symptom and with plus regular
    pm am maximum max relief softgels gelcaps liquid gels film coated chewable solution injection usp kit""".split()
)


def _pick(seq, *seed):
    """A deterministic choice: the same product gets the same strength and variant on every run."""
    return seq[zlib.crc32("|".join(map(str, seed)).encode()) % len(seq)]


def load_data(data: Path, kb):
    """The most prescribed ingredients (as knowledge-base drug ids), the NDC product rows and the UNII brand names."""
    top = set()
    for ln in (data / "top300" / "ingredients.txt").read_text().splitlines():
        hit = kb.names.get(key(ln.strip())) if ln.strip() and not ln.startswith("#") else None
        if hit and len(hit[1]) == 1:
            top.add(hit[1][0])
            if ln.strip() in TYPICAL:
                TYPICAL.setdefault(hit[1][0], TYPICAL[ln.strip()])
    with open(data / "fda" / "fda_ndc2019_proprietary_names.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    with open(data / "fda" / "unii_brand_and_official_names.tsv", encoding="utf-8") as fh:
        brands = {key(r["name"]) for r in csv.DictReader(fh, delimiter="\t") if r["type"] == "bn"}
    return top, rows, brands


class Substance:
    """One NDC substance: the drug it is, its base name and its salt words."""

    def __init__(self, text: str, drug: str, base: str, salt: list[str]):
        self.text, self.drug, self.base, self.salt = text, drug, base, salt


def substance(text: str, kb) -> Substance | None:
    hit = kb.names.get(key(text))
    if hit is None or len(hit[1]) != 1 or hit[2]:
        return None
    words = text.lower().split()
    salt = []
    while len(words) > 1 and (words[-1] in SALTS or words[-1] in HYDRATES):
        w = words.pop()
        if w in SALTS:
            salt.insert(0, w)
    base = " ".join(words)
    b = kb.names.get(key(base))
    if b is None or b[1] != hit[1]:
        base, salt = text.lower(), []  # "potassium chloride": the salt is the drug
    if base.split()[0] in SALTS and len(base.split()) > 1:  # "sodium fluoride": not a salt of fluoride
        base, salt = text.lower(), []
    return Substance(text, hit[1][0], base, salt)


def products(rows, top, unii_brands, kb, max_parts: int = 3):
    """(substances, brand or '') for each distinct product: one generic entry per set of drugs, spelt
    with the salts most NDC rows give it, plus each brand whose NDC name belongs to one product alone."""
    by_set: dict[tuple, list[Substance]] = {}
    spellings: dict[tuple, collections.Counter] = collections.defaultdict(collections.Counter)
    brands: dict[str, set] = collections.defaultdict(set)
    for r in rows:
        names = tuple(sorted({s.strip() for s in r["substances"].split(";") if s.strip()}))
        if not names or len(names) > max_parts:
            continue
        subs = [substance(s, kb) for s in names]
        if any(s is None for s in subs) or len({s.drug for s in subs}) != len(subs):
            continue
        if not all(s.drug in top for s in subs):
            continue  # the most prescribed ingredients: their forms and strengths are known below
        if len(subs) > 1 and "PRESCRIPTION" not in r["product_types"] and len(subs) > 2:
            continue
        by_set[names] = subs
        spellings[tuple(sorted(s.drug for s in subs))][names] += 1
        brands[r["proprietary_name"].strip()].add((names, r["product_types"]))
    out = [(by_set[c.most_common(1)[0][0]], "") for c in spellings.values()]
    for brand, sets in sorted(brands.items()):
        if len({s for s, _ in sets}) != 1:
            continue  # one NDC name for several products ("Advil" and "Advil PM" aside): not a brand to test
        names, ptype = next(iter(sets))
        # a brand the UNII list also names as one: labeler and store names ("Darby", "Burkhart") are not
        if "PRESCRIPTION" in ptype and key(brand) in unii_brands and _is_brand(brand, by_set[names]):
            out.append((by_set[names], brand))
    return out


def _is_brand(name: str, subs: list[Substance]) -> bool:
    words = key(name).replace("-", " ").split()
    if not words or len(words) > 2 or any(w in STORE_WORDS for w in words) or any(c.isdigit() for c in name):
        return False
    base_words = {w for s in subs for w in s.text.lower().replace("-", " ").split()}
    if any(w in base_words for w in words):
        return False  # a generic name written as the proprietary name
    return True


# ---- writing strings ------------------------------------------------------------------------

def form_of(subs: list[Substance]) -> str:
    """The form of the first ingredient with a known one; a combination takes a non-oral form if any part has one
    (dexamethasone with tobramycin is an eye product)."""
    forms = [t[0] for s in subs if (t := TYPICAL.get(s.drug) or TYPICAL.get(s.base))]
    local = [f for f in forms if f in ("eye", "nasal", "mdi", "cream", "oint", "inj", "pen")]
    return (local or forms or ["tab"])[0]


def strength(s: Substance, form: str, seed: str) -> str:
    alt = ALT_FORMS.get(s.drug)
    if alt and alt[0] == form:
        return alt[1]
    t = TYPICAL.get(s.drug) or TYPICAL.get(s.base)
    if t and t[0] == form:
        return _pick(t[1], s.drug, seed)
    return _pick(SERIES, s.drug, seed)


def _fmt(n: str) -> str:
    return n


def _num(x: float) -> str:
    return f"{x:.4f}".rstrip("0").rstrip(".")


def _unit(drug: str, form: str, n: str, style: str) -> tuple[str, str]:
    """(number, unit) in a style's spelling."""
    u = UNIT_OF.get(drug) or CONC_UNIT.get(form, "MG")
    if u == "MG" and style in ("ehr", "label", "dmd") and float(n) < (1 if style == "dmd" else 0.1):
        n, u = _num(float(n) * 1000), "MCG"  # 0.05 mg is written 50 mcg, in dm+d any strength below 1 mg
    if u == "%" and style == "rxnorm":  # RxNorm writes concentrations: 0.5 % is 5 MG/ML
        n, u = _num(float(n) * 10), ("MG/ML" if form in ("eye", "soln") else "MG/G")
    if u == "UNT/GM" and style == "rxnorm":
        u = "UNT/G"
    return n, u


def _salt(s: Substance, style: str, keep: bool) -> str:
    if not s.salt or not keep:
        return ""
    out = []
    for w in s.salt:
        va, lab = SALTS[w]
        if style == "va":
            out.append(va or w.upper())
        elif style == "label":
            out.append(lab or w.title())
        else:
            out.append(w)
    return " " + " ".join(out)


# the form a brand of a route-specific entry comes in
ROUTE_FORM = {"ophthalmic": "eye", "topical": "cream", "nasal": "nasal", "otic": "eye"}


def brand_form(brand: str, kb) -> str | None:
    """The form of a brand the knowledge base lists under a local entry (Restasis: eye drops), else None."""
    hit = kb.names.get(key(brand)) if brand else None
    if hit is None or len(hit[1]) != 1:
        return None
    for route, form in ROUTE_FORM.items():
        if hit[1][0].endswith(" " + route) or (kb.drugs.get(hit[1][0]) or {}).get("route") == route:
            return form
    return None


def write(subs: list[Substance], brand: str, style: str, variant: int, form: str | None = None) -> str | None:
    alts = {ALT_FORMS[s.drug][0] for s in subs if s.drug in ALT_FORMS}
    if not form and not brand and variant % 3 == 2 and len(alts) == 1 and all(s.drug in ALT_FORMS for s in subs):
        form = alts.pop()  # "albuterol ... solution for nebulization", "testosterone ... intramuscular oil"
    form = form or form_of(subs)
    seed = f"{brand}|{variant}"
    if len(subs) > 1 and form not in ("tab", "cap", "tab_er", "cap_er", "mdi", "inj", "cream", "oint", "eye", "nasal",
                                      "neb", "blister"):
        form = "tab"
    strengths = [_unit(s.drug, form, strength(s, form, seed), style) for s in subs]
    f = FORMS[form][style]
    keep = bool(variant % 2)  # odd variants keep the salt words, even ones drop them
    if style == "rxnorm":
        order = sorted(range(len(subs)), key=lambda i: subs[i].base)
        parts = []
        for i in order:
            s = subs[i]
            name = s.base.title() if variant % 3 else s.base
            name += _salt(s, style, s.base in RX_SALT or keep).title()
            n, u = strengths[i]
            parts.append(f"{name} {n} {u.replace('%', 'MG/ML') if u == '%' else u}")
        text = " / ".join(parts) + " " + f
        if form == "tab_er" and variant % 4 == 0:
            text = "24 HR " + text.replace("24 HR ", "")
        return text + (f" [{brand.title()}]" if brand else "")
    if style == "va":
        if len(subs) == 1:
            s = subs[0]
            n, u = strengths[0]
            sep = " " if u not in ("MG", "MCG", "%") else ""
            text = f"{s.base.upper()}{_salt(s, style, keep or s.base in KEEP_SALT)} {n}{sep}{u.replace('UNT', 'UNIT')} {f}"
        else:
            parts = []
            for s, (n, u) in zip(subs, strengths):
                nm = SHORT.get(s.drug, s.base.upper()) if variant % 2 else s.base.upper()
                parts.append(f"{nm} {n}{u}")
            text = "/".join(parts) + " " + f
        return text + (" PO" if variant % 3 == 2 and form in ("tab", "cap", "tab_er", "cap_er", "tab_dr", "cap_dr") else "")
    if style == "label":
        names = []
        for s in subs:
            nm = SHORT.get(s.drug) if len(subs) > 1 and s.drug in SHORT else s.base.title()
            names.append(nm + _salt(s, style, keep or s.base in KEEP_SALT))
        nums = [n for n, _ in strengths]
        u = strengths[0][1].lower().replace("unt", "units")
        if len(subs) == 1:
            if form == "tab_er" and subs[0].drug in OSMOTIC and variant % 3 == 1:  # "Nifedipine ER (OSM) 30mg tab"
                return f"{names[0]} ER (OSM) {nums[0]}{u} tab"
            if variant % 3 == 2:  # e-prescription: "Omeprazole 20 MG CPDR"
                return f"{names[0]} {nums[0]} {u.upper()} {FORM_CODES[form]}"
            return f"{names[0]} {nums[0]}{u} {f}"
        sep = "/" if variant % 2 else "-"
        tail = "" if variant % 3 == 0 else f" {f}"
        return f"{sep.join(names)} {sep.join(nums)}{u if variant % 3 == 1 else ''}{tail}"
    if style == "ehr":
        if len(subs) == 1:
            s = subs[0]
            n, u = strengths[0]
            name = s.base + _salt(s, style, keep and s.base in RX_SALT)
            u = u.replace("UNT", "unit").replace("ACTUAT", "actuation")
            u = u if variant % 2 else u.lower().replace("ml", "mL")
            b = f" ({brand.upper()})" if brand else ""
            return f"{name}{b} {n} {u} {f}"
        name = "-".join(s.base for s in subs)
        nums = "-".join(n for n, _ in strengths)
        b = f" ({brand.upper()})" if brand else ""
        if form in ("tab", "cap", "tab_er", "cap_er"):
            return f"{name}{b} {nums} {'mg' if variant % 2 else 'MG'} per {f.split()[-1]}"
        if form in ("neb", "blister", "mdi"):  # one unit for all parts: "62.5-25 mcg/actuation"
            return f"{name}{b} {nums} {strengths[0][1].lower().replace('actuat', 'actuation')} {f}"
        units = "-".join(u.lower().replace("actuat", "actuation") for _, u in strengths)
        return f"{name}{b} {nums} {units} {f}"
    if style == "dmd":
        if any(s.drug in NOT_UK or s.base in NOT_UK for s in subs):
            return None
        f = FORMS[form]["dmd"]
        # an actual medicinal product's name ends with its supplier: "... tablets (Teva UK Ltd)"
        supplier = f" ({_pick(UK_SUPPLIERS, seed, subs[0].drug)})" if variant % 3 == 2 else ""
        def uk(s: Substance) -> str:
            return UK.get(s.base, s.base)

        def dose(n: str, u: str) -> str:
            if u == "MCG":
                return f"{n}microgram"
            if u == "MCG/ACTUAT":
                return f"{n}micrograms/dose"
            if u in ("UNT/ML", "UNT/GM"):
                return f"{n}units/{u[4:].lower()}"
            return f"{n}{u.lower()}"

        combo = UK_COMBOS.get(tuple(sorted(s.drug for s in subs)))
        if combo:
            by_drug = {s.drug: x for s, x in zip(subs, strengths)}
            return f"{combo[0]} {'/'.join(dose(*by_drug[d]) for d in combo[1])} {f}{supplier}"
        if len(subs) == 1:
            s = subs[0]
            name = uk(s) + (" " + " ".join(s.salt) if s.salt and keep and s.base in RX_SALT else "")
            return f"{name[0].upper()}{name[1:]} {dose(*strengths[0])} {f}{supplier}"
        parts = [f"{uk(s)} {dose(*x)}" for s, x in zip(subs, strengths)]
        text = " / ".join(parts)
        return f"{text[0].upper()}{text[1:]} {f}{supplier}"
    raise ValueError(style)


def generate(rows, top, brands, kb, variants: int = 3):
    """(style, string, expected drugs) for every product and variant; duplicates written once."""
    seen = set()
    for subs, brand in products(rows, top, brands, kb):
        expected = tuple(sorted(s.drug for s in subs))
        for style in STYLES:
            if brand and style in ("va", "label", "dmd"):
                continue  # these styles write generic names; the brand is tested in rxnorm and ehr
            for v in range(variants):
                text = write(subs, brand, style, v + (1 if brand else 0), brand_form(brand, kb))
                if text and (style, text) not in seen:
                    seen.add((style, text))
                    yield style, text, expected


ROUTES = (" topical", " ophthalmic", " otic", " nasal", " rectal", " vaginal", " inhaled", " oral-local")


def _systemic(drugs, kb) -> tuple[str, ...]:
    """A route-specific entry ("timolol ophthalmic", "ketoconazole topical") counts as the drug it is a form of."""
    out = set()
    for d in drugs:
        base = (kb.drugs.get(d) or {}).get("form_of") or d
        for r in ROUTES:
            if base.endswith(r) and base[: -len(r)] in kb.drugs:
                base = base[: -len(r)]
        out.add(base)
    return tuple(sorted(out))


def failure_class(res) -> str:
    """Why a string stayed unrecognised, in the classes the fixes address."""
    r = res.reason
    if r.startswith("Names several medications"):
        return "combination the knowledge base does not know as a product"
    if "text in brackets" in r:
        return "bracketed brand not known"
    if "is a known name too" in r:
        return "a second known name in the string"
    if "is a known name, but" in r:
        return "known name followed by words neither dose text nor name"
    return "name not known"


def score(items, kb):
    counts = {s: collections.Counter() for s in (*STYLES, "classes")}
    examples = collections.defaultdict(list)
    for style, text, expected in items:
        res = resolve(text, kb)
        if res.ok:
            outcome = "ok" if _systemic(res.drugs, kb) == _systemic(expected, kb) else "wrong"
        else:
            outcome = "ambiguous" if res.status == "ambiguous" else "unrecognised"
        counts[style][outcome] += 1
        counts[style]["n"] += 1
        if outcome == "unrecognised":
            counts["classes"][failure_class(res)] += 1
        if outcome != "ok":
            examples[outcome].append((style, text, expected, res))
    return counts, examples


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="folder holding fda/ and top300/")
    ap.add_argument("--variants", type=int, default=3, help="strings per product and style")
    ap.add_argument("--show", default="wrong", help="outcomes to list: wrong,unrecognised,ambiguous")
    ap.add_argument("--limit", type=int, default=30, help="strings listed per outcome")
    ap.add_argument("--style", default="", help="list only this style's strings")
    ap.add_argument("--cause", default="", help="list only unrecognised strings whose cause contains this")
    ap.add_argument("--sample", type=int, default=0, help="print this many generated strings per style and stop")
    args = ap.parse_args(argv)

    kb = load_knowledge_base()
    top, rows, brands = load_data(args.data, kb)
    items = list(generate(rows, top, brands, kb, args.variants))
    if args.sample:
        rng = random.Random(7)
        for style in STYLES:
            mine = [i for i in items if i[0] == style]
            for _, text, exp in rng.sample(mine, min(args.sample, len(mine))):
                print(f"{style:7} {text}  -> {'+'.join(exp)}")
        return 0
    counts, examples = score(items, kb)
    print(f"{'style':8} {'strings':>8} {'exact':>14} {'WRONG':>6} {'ambiguous':>10} {'unrecognised':>13}")
    total = collections.Counter()
    for style in STYLES:
        c = counts[style]
        total.update(c)
        n = c["n"] or 1
        print(f"{style:8} {c['n']:>8} {c['ok']:>7} {100 * c['ok'] / n:5.1f}% {c['wrong']:>6} "
              f"{c['ambiguous']:>10} {c['unrecognised']:>13}")
    n = total["n"] or 1
    print(f"{'all':8} {total['n']:>8} {total['ok']:>7} {100 * total['ok'] / n:5.1f}% {total['wrong']:>6} "
          f"{total['ambiguous']:>10} {total['unrecognised']:>13}")
    print("\nunrecognised, by cause:")
    for cls, n in counts["classes"].most_common():
        print(f"  {n:>5}  {cls}")
    for outcome in [o.strip() for o in args.show.split(",") if o.strip()]:
        mine = [e for e in examples.get(outcome, []) if not args.style or e[0] == args.style]
        if args.cause:
            mine = [e for e in mine if args.cause in failure_class(e[3])]
        print(f"\n{outcome}: {len(mine)}")
        for style, text, exp, res in mine[: args.limit]:
            got = "+".join(res.drugs) if res.ok else res.reason[:90]
            print(f"  {style:7} {text!r}: expected {'+'.join(exp)}; got {got}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
