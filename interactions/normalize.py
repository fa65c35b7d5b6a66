"""Resolve a medication string, as typed or exported, to knowledge-base drugs.

Resolution never guesses. A string resolves only if, after removing dose,
form, route and frequency text it recognises, what remains is exactly a known
name (generic, synonym, salt form, brand, unambiguous abbreviation, code), a
known name plus salt words, or a combination whose every part is a known
name. Anything else is *unrecognised* and gets ranked suggestions, never a
replacement; a name declared ambiguous (MS: morphine or magnesium sulfate?) is
reported as ambiguous with its candidates.
"""

from __future__ import annotations

import re
from typing import Any

from .text import key

# ---- vocabulary of dose text: units, forms, routes, release, frequencies ----
_UNITS = (
    "mg|mcg|µg|ug|g|gm|gram|grams|kg|ml|mls|l|meq|mmol|mol|iu|units?|unt|%|mg/ml|mcg/ml|mcg/hr|mcg/h|mg/hr|"
    "mg/5ml|mg/g|mg/actuation|mcg/actuation|mcg/dose|mg/dose|puffs?|drops?|sprays?|gtts?|tabs?|caps?"
)
_NUM = r"(?:\d+(?:[.,]\d+)?|\.\d+)"
_DOSE_RE = re.compile(
    rf"^(?:#?{_NUM}(?:\s*(?:{_UNITS}))?(?:\s*(?:[/-]|per)\s*{_NUM}?\s*(?:{_UNITS})?)*(?:\s*(?:{_UNITS}))?|x\d+|\d+x|q\d+h|q\d+hr?s?|\d+hr|\d+h|\d+-hour|\d+-hr|\d+/\d+|#\d+)$"
)
_UNIT_RE = re.compile(rf"^(?:{_UNITS})$")  # a unit standing alone: '10 MG/ML', '5 mg/5ml'
_DOSE_WORDS = frozenset(
    """
    tab tabs tablet tablets tablt cap caps capsule capsules caplet caplets softgel softgels gelcap gelcaps pill pills
    oral orally po by mouth sublingual sl buccal topical top transdermal td patch patches inhaler inhalation inhaled
    inh neb nebulizer nebuliser nebules solution soln sol suspension susp syrup elixir liquid drops drop gtt gtts
    injection injectable inj iv im sc subq subcut sq intravenous intramuscular subcutaneous intrathecal
    cream ointment oint gel lotion spray nasal ns ophthalmic ophth eye ear otic rectal pr suppository supp vaginal pv
    powder granules packet sachet lozenge troche chewable chew chewing gum film strip pen prefilled syringe vial ampule
    ampoule cartridge kit pack dispersible effervescent orodispersible odt disintegrating lozenges
    er xr sr cr la xl dr ec ir sa cd xt mr pr hs ds es 24hr 12hr 24h 12h extended delayed sustained controlled
    modified immediate release released enteric coated film-coated long acting short acting
    qd od bid bd tid tds qid qds qhs qam qpm qod prn q4h q6h q8h q12h q24h stat daily nightly weekly monthly
    once twice three four times a day per week month at bedtime night morning evening noon with meals food
    as needed required directed for pain sleep take every hours hour x1 x2 max maximum dose doses
    mg mcg g ml unit units iu meq % each of and the
    generic brand
    """.split()
)
# words that may follow a name but are not part of it: a sentence of directions
_SALT_WORDS = frozenset(
    """
    hydrochloride hcl hydrobromide hbr sodium potassium calcium magnesium succinate tartrate bitartrate maleate mesylate
    mesilate besylate besilate fumarate hemifumarate citrate sulfate sulphate bisulfate phosphate acetate bromide
    hyclate monohydrate dihydrate trihydrate sesquihydrate anhydrous disodium dipotassium propionate dipropionate
    furoate valerate xinafoate carbonate gluconate lactate napsylate pamoate embonate oxalate salicylate stearate
    benzoate tosylate camsylate edisylate decanoate enanthate cypionate hyclate monosodium trometamol tromethamine
    lysine arginine meglumine erbumine tert-butylamine olamine hemihydrate
    """.split()
)
_CODE_RE = re.compile(r"^(?:rxcui|rxnorm|rx ?norm|rxn)\s*[:#=]?\s*(\d{1,10})$")
_SPLIT_RE = re.compile(r"\s*(?:/|\+|&|\bwith\b|\bw/|\band\b|,|;|-)\s*")
_PAREN_RE = re.compile(r"\s*[(\[][^)\]]*[)\]]\s*")


class Resolution:
    """How one input string resolved."""

    __slots__ = ("input", "status", "drugs", "product", "method", "matched", "removed", "candidates", "reason")

    def __init__(
        self,
        input: str,
        status: str,
        drugs: tuple[str, ...] = (),
        product: str = "",
        method: str = "",
        matched: str = "",
        removed: str = "",
        candidates: tuple[str, ...] = (),
        reason: str = "",
    ) -> None:
        self.input = input
        self.status = status  # "ok" | "unknown" | "ambiguous"
        self.drugs = drugs  # canonical ingredient ids, sorted
        self.product = product  # combination product id, if it was one
        self.method = method  # generic | synonym | salt | brand | abbreviation | code | product | combination
        self.matched = matched  # the normalised name that matched
        self.removed = removed  # dose/form text that was set aside, as typed
        self.candidates = candidates  # for "ambiguous"
        self.reason = reason  # for "unknown"/"ambiguous"

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def resolve(text: str, kb: Any) -> Resolution:
    """Resolve one string against a knowledge base (memoised per knowledge base)."""
    memo = kb.resolved
    hit = memo.get(text)
    if hit is None:
        hit = _resolve(text, kb)
        if len(memo) < 1_000_000:
            memo[text] = hit
    return hit


def _resolve(text: str, kb: Any) -> Resolution:
    k = key(text)
    if not k:
        return Resolution(text, "unknown", reason="empty medication name")
    direct = _lookup(k, kb)
    if direct is not None:
        return _done(text, direct, k, "")
    amb = kb.ambiguous.get(k)
    if amb is not None:
        return Resolution(text, "ambiguous", candidates=amb["candidates"], reason=amb["reason"])
    m = _CODE_RE.match(k)
    if m:
        hit = kb.names.get("rxcui:" + m.group(1))
        if hit is not None:
            return _done(text, hit, "rxcui:" + m.group(1), "")
        return Resolution(text, "unknown", reason=f"RxNorm code {m.group(1)} is not in the knowledge base")

    core, removed = _strip_dose(k)
    if core and core != k:
        hit = _lookup(core, kb)
        if hit is not None:
            return _done(text, hit, core, removed)
        amb = kb.ambiguous.get(core)
        if amb is not None:
            return Resolution(text, "ambiguous", candidates=amb["candidates"], reason=amb["reason"])
        longer = _name_with_dose_words(k, core, kb)
        if longer is not None:
            return _done(text, longer[0], longer[1], longer[2])
    name = core or k
    hit = _lookup_salt(name, kb)
    if hit is not None:
        return _done(text, hit, name, removed)
    combo = _combination(name, kb)
    if combo is not None:
        return _combo_done(text, combo, name, removed)
    return Resolution(text, "unknown", reason="not a name the knowledge base knows")


def _lookup(k: str, kb: Any) -> tuple | None:
    return kb.names.get(k)


def _lookup_salt(name: str, kb: Any) -> tuple | None:
    """A known name with salt words before or after it: 'metoprolol tartrate', 'sodium valproate'."""
    words = name.split()
    if len(words) < 2:
        return None
    lo, hi = 0, len(words)
    while hi > lo + 1 and words[hi - 1] in _SALT_WORDS:
        hi -= 1
    while lo < hi - 1 and words[lo] in _SALT_WORDS:
        lo += 1
    if (lo, hi) == (0, len(words)):
        return None
    hit = kb.names.get(" ".join(words[lo:hi]))
    if hit is None or hit[0] == "abbreviation":
        return None
    return ("salt", hit[1], hit[2])


def _strip_dose(k: str) -> tuple[str, str]:
    """Split 'baclofen 10mg tablets' into ('baclofen', '10mg tablets').

    Only text made entirely of dose vocabulary is removed; otherwise the
    string is returned whole so that nothing the user wrote is ignored.
    """
    s = _PAREN_RE.sub(" ", k).strip()
    words = s.split()
    if not words:
        return "", ""
    # find the first word from which every remaining word is dose text
    cut = len(words)
    for i in range(len(words) - 1, 0, -1):
        if _is_dose_word(words[i]):
            cut = i
        else:
            break
    if cut == len(words) and s == k:
        return k, ""
    core = " ".join(words[:cut])
    removed = " ".join(words[cut:])
    if s != k:
        removed = (removed + " " + " ".join(_PAREN_RE.findall(k)).strip()).strip()
    return core, removed


def _name_with_dose_words(k: str, core: str, kb: Any) -> tuple[tuple, str, str] | None:
    """A name that itself ends in dose vocabulary: 'Toprol XL 50 mg' is Toprol XL, not 'toprol' + 'xl 50 mg'.

    Returns (hit, matched name, removed text) for the longest known name
    ``core`` + following words, or None.
    """
    words = _PAREN_RE.sub(" ", k).split()
    n = len(core.split())
    for end in range(len(words) - 1, n, -1):
        name = " ".join(words[:end])
        hit = kb.names.get(name)
        if hit is not None:
            removed = " ".join(words[end:])
            paren = " ".join(_PAREN_RE.findall(k)).strip()
            return hit, name, f"{removed} {paren}".strip() if paren else removed
    return None


strip_dose = _strip_dose  # public name: also used to match suggestions on the name alone


def _is_dose_word(w: str) -> bool:
    w = w.strip(",;:.")
    if not w:
        return True
    return w in _DOSE_WORDS or _DOSE_RE.match(w) is not None or _UNIT_RE.match(w) is not None


def _combination(name: str, kb: Any) -> tuple[tuple[str, ...], list[str]] | None:
    parts = [p for p in _SPLIT_RE.split(name) if p]
    if len(parts) < 2:
        return None
    ingredients: set[str] = set()
    matched = []
    for part in parts:
        hit = kb.names.get(part)
        if hit is None:
            hit = _lookup_salt(part, kb)
        if hit is None:
            return None
        ingredients.update(hit[1])
        matched.append(part)
    if len(ingredients) < 2:
        return None
    return tuple(sorted(ingredients)), matched


def _done(text: str, hit: tuple, matched: str, removed: str) -> Resolution:
    method, drugs, product = hit
    return Resolution(text, "ok", drugs=drugs, product=product, method=method, matched=matched, removed=removed)


def _combo_done(text: str, combo: tuple, name: str, removed: str) -> Resolution:
    drugs, _parts = combo
    return Resolution(text, "ok", drugs=drugs, method="combination", matched=name, removed=removed)
