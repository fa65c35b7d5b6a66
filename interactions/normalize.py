"""Resolve a medication string, as typed or exported, to knowledge-base drugs without ever guessing."""

# Policy (docs/input-formats.md says the same for users):
# - A string resolves only if what is left after setting aside dose, form,
#   route and frequency text is exactly a known name (generic, synonym, salt
#   form, brand, unambiguous abbreviation, RxNorm code), a known name plus salt
#   words, or a combination notation whose parts are known single drugs and
#   together form a combination product the knowledge base knows.
# - Dose text is set aside only at the end (and form words such as "Tab" at the
#   start), only when it starts with an unmistakable dose token; words that can
#   also end a product name (night, PM, #2, a lone digit) are set aside only
#   after such a token, so "Panadol Night" or "Tylenol #2" are never cut short.
# - Bracketed text must be dose text, salt words, or a name that agrees with the
#   rest; a disagreement is reported as ambiguous.
# - Anything else is unrecognised: suggestions are offered elsewhere, never
#   applied. A name declared ambiguous is reported with its candidates.

from __future__ import annotations

import re
from typing import Any, Iterator

from .kb import MEMO_KEY_MAX, RESOLVED_LIMIT
from .text import display, key

# ---- vocabulary of dose text ------------------------------------------------
# STRONG words can start the dose text after a name; WEAK words only continue it.
_STRONG = frozenset(
    """
    tab tabs tablet tablets tablt tbl tbs cap caps capsule capsules caplet caplets softgel softgels gelcap gelcaps
    liquigel liquigels pill pills lozenge lozenges troche troches wafer wafers
    solution soln sol suspension susp syrup syr syp elixir liquid liq drops gtt gtts injection injectable inj infusion
    cream crm ointment oint gel lotion spray sprays foam patch patches film films
    inhaler inhalers inh inhalation inhaled neb nebs nebulizer nebuliser nebule nebules respules aerosol hfa mdi dpi
    diskus handihaler respimat ellipta evohaler accuhaler turbohaler
    powder pwd granules packet packets sachet sachets suppository suppositories supp supps enema
    pen pens prefilled syringe syringes vial vials ampule ampules ampoule ampoules cartridge cartridges autoinjector
    auto-injector injector pen-injector kit system metered solostar flexpen kwikpen flextouch
    chewable chew chewing dispersible effervescent orodispersible odt disintegrating
    oral orally po sublingual sublingually sl buccal topical topically transdermal td intravenous iv ivp ivpb im
    intramuscular sc subq subcut sq sub-q subcutaneous intrathecal intranasal nasal ophthalmic ophth otic rectal
    rectally pr vaginal vaginally pv
    er xr sr cr la xl dr ec ir sa cd xt mr er24 xl24 ext ext-rel extended delayed sustained controlled modified
    immediate release released enteric enteric-coated film-coated coated prolonged retard sprinkle ds gastro-resistant
    modified-release prolonged-release extended-release delayed-release cfc cfc-f cfc-free hfa-free
    ud sa oph opth top rtl vag otic inhl chew effervsc effervescent soluble liqd lozg grnl gran pkt aer emul conc
    eye eyes eyedrops ear ears ou os au intraocular oromucosal cutaneous pessary pessaries pre-filled pressurised
    breath-actuated linctus mixture mouthwash shampoo emollient pwdr pump inject injects dosepack dosepak dose-pak
    dose-pack z-pak tri-pak d/r
    pf preservative-free actuat implant implants intrauterine medicated dental rinse mouthrinse insert inserts emulsion
    otc
    tb12 tb24 tbcr tbec tbdp tbef tbpk cp12 cp24 cpcr cpdr cpep cpsp subl aers aero aepb sopn sosy soaj solr susr
    crea lotn ptch pt24 pt72 pttw ptwk nebu sham enem powd elix syrp lozg troc
    blister blisters non-aerosol semiweekly inhal
    controlled-release sustained-release immediate-release slow-release viscous lingual translingual intensol m-tab
    filmtab
    qd od bid bd tid tds qid qds qhs hs qam qpm qod qad qow qwk prn stat daily nightly weekly biweekly monthly hourly
    mane nocte om once twice thrice every q
    rx take takes taking apply use inhale instil instill give sig disp dispense qty quantity refill refills
    needed directed bedtime
    mg mcg μg ug gm gms gram grams microgram micrograms milligram milligrams kg ml mls cc meq mmol iu ius units unit
    unt % mmhg mm cm
    """.split()
)
_WEAK = frozenset(
    """
    ac pc achs by mouth as with without food meals meal water milk breakfast lunch dinner supper night nights nighttime morning
    mornings evening evenings noon am pm day days week weeks wk wks month months hour hours hr hrs h min mins minute
    minutes a an the of in on to up then and or for at if when until before after while per each x
    one two three four half quarter
    pain sleep anxiety nausea vomiting spasm spasms muscle itching itch cough fever headache migraine insomnia agitation
    bp blood pressure sbp hypertension htn angina chest heart rate
    max maximum dose doses total not exceed hold do more than times time only regular extra strength
    generic brand rf gum g l u d free drink drinks glass glasses puff puffs low actuation actuations
    left right both affected base sugar sugar-free sf npf paediatric pediatric adult adults dose-pack pack packs
    ct count box boxes pk pcs ea gauge ga drop test tests testing check checking monitor monitoring
    nostril nostrils into under skin part cryst crystals particles microencapsulated drug macrocrystals macrocrystalline
    dry human osm osmotic mod
    device oil adhesive reconstitution nebulization nebulisation
    cup cups mug mugs can cans bottle bottles pint pints shot shots serving servings ppd
    breath actuated gluten lactose follow package directions instructions
    cii ciii civ cv c-ii c-iii c-iv c-v delivery emulsified microsphere microspheres
    """.split()
)
# salt and ester words: "metoprolol succinate", "sodium valproate"
_SALT_WORDS = frozenset(
    """
    hydrochloride hcl hydrobromide hbr sodium potassium calcium magnesium succinate tartrate bitartrate maleate mesylate
    mesilate besylate besilate fumarate hemifumarate citrate sulfate sulphate bisulfate phosphate acetate bromide
    hyclate monohydrate dihydrate trihydrate sesquihydrate anhydrous disodium dipotassium propionate dipropionate
    furoate valerate xinafoate carbonate gluconate lactate napsylate pamoate embonate oxalate salicylate stearate
    benzoate tosylate camsylate edisylate decanoate enanthate cypionate monosodium trometamol tromethamine
    lysine arginine meglumine erbumine tert-butylamine olamine hemihydrate
    dihydrochloride chloride nitrate axetil cilexetil medoxomil mofetil dimesylate hippurate acetonide butyrate
    ethylsuccinate estolate palmitate aspartate
    besy besyl tart succ sod na k pot ca bit bitart hyc medox fum prop dipro diprop mal mes cit so4 sulf phos acet
    bisulf pam carb ox fur hydrobr br mag cl human cyp
    2hcl dihcl hci
    """.split()
)
# cations: stripping the anion from "potassium citrate" must not leave "potassium"
_CATIONS = frozenset("sodium potassium calcium magnesium disodium dipotassium monosodium sod na k pot ca mag".split())

_NUM = r"(?:\d+(?:[.,]\d+)*|[.,]\d+)"
_UNIT = (
    r"(?:mg|mcg|μg|ug|g|gm|gms|grams?|micrograms?|milligrams?|kg|ml|mls|cc|l|dl|meq|mmol|iu|units?|unt|u|%|hrs?|"
    r"hours?|days?|d|wks?|weeks?|mins?|m2|actuations?|actuat|act|doses?|drinks?|glass(?:es)?|puffs?|drops?|gtts?|"
    r"sprays?|tabs?|tablets?|caps?|capsules?|patch(?:es)?|vials?|ampoules?|packets?|sachets?|mg-?eq|mg/kg|mcg/kg|"
    r"mm|cm|mmhg|inch(?:es)?|ct|cups?|mugs?|cans?|bottles?|pints?|shots?|servings?|ppd)"
)
# Short names pharmacy systems use for an ingredient of a combination ("GUAIFENESIN 100MG/DM
# 10MG/5ML", "APAP/DM/PE", "Levonorgestrel/EE 0.15/0.03", "Amox/Clav 875/125"). They are read
# only as a part of a combination notation: alone, "DM" is as often diabetes mellitus, "PE" a
# pulmonary embolism, "EE" and "clav" no drug at all, so a bare one stays unknown.
_PART_ONLY = {"dm": "dextromethorphan", "pe": "phenylephrine", "ee": "ethinyl estradiol", "amox": "amoxicillin",
              "clav": "clavulanic acid"}
_NUMBER_WORDS = frozenset("one two three four half quarter".split())
_PHRASES = frozenset(
    {
        ("long", "acting"), ("short", "acting"), ("extra", "strength"), ("maximum", "strength"), ("max", "strength"),
        ("regular", "strength"), ("by", "mouth"), ("at", "bedtime"), ("at", "night"), ("every", "night"),
        ("in", "the"), ("as", "needed"), ("as", "directed"), ("as", "required"), ("per", "day"), ("a", "day"),
        ("for", "pain"), ("for", "sleep"), ("for", "anxiety"), ("for", "nausea"), ("for", "spasm"), ("for", "spasms"),
        ("for", "cough"), ("for", "fever"), ("for", "headache"), ("for", "insomnia"), ("for", "agitation"),
        ("for", "muscle"), ("for", "angina"), ("for", "chest"), ("for", "bp"), ("for", "blood"), ("for", "itching"),
        ("with", "food"), ("with", "meals"), ("with", "water"), ("with", "milk"), ("before", "meals"),
        ("after", "meals"), ("low", "dose"),
        # USP titles of products made up before use: "Oseltamivir Phosphate for Oral Suspension"
        ("for", "oral"), ("for", "injection"), ("for", "injectable"), ("for", "inhalation"), ("for", "suspension"),
        ("for", "solution"), ("for", "topical"), ("for", "ophthalmic"), ("for", "intravenous"), ("for", "infusion"),
    }
)
_EDGE = "()[]{},;:.'\"*"
_SEP_WORDS = frozenset({"and", "with", "w/", "&", "+", "/", ",", ";"})
_PATTERNS = {
    # a token made of numbers and units: 10mg, 0.5, 5/325, 20-12.5, 100units/ml, 24hr, q4-6h, x7, 2x, 1/2, u-100
    "numeric": rf"^(?:[x~@]|q|u-?|<|>)?{_NUM}(?:{_UNIT}|h|x)?(?:(?:/|-|x|to|:)(?:{_NUM})?(?:{_UNIT}|h)?)*$",
    "unit_word": rf"^{_UNIT}$",
    "unit_only": rf"^{_UNIT}(?:/{_NUM}?{_UNIT}?)+$",  # mg/ml, units/ml, mcg/hr, mg/5ml
    "small_bare": r"^(?:#|no\.?)?\d$|^#\d+$",  # "Tylenol 3", "Tylenol #2": a product number, not a dose
    "frequency": r"^q\d+(?:-\d+)?(?:h|hr|hrs|d|w|wk|min)?$",
    "dotted": r"^[a-z.]+$",
    "code": r"^(?:rx ?cui|rx ?norm(?: ?cui)?|rxn)(?: ?code)?\s*[:#=]?\s*(\d{1,10})$",
    "list_mark": r"^(?:\d{1,2}[.)]|[-*•·>]+)$",
    "strong_sep": r"(?<![a-z])w/|/|\+|&|,|;",
    "hyphen": r"-",
    "items": r"[^,;]+",
    "compound": r"[,/]",
    "release_suffix": r"^(.*[a-z])-(xr|xl|sr|er|cr|la|cd|dr|ec|odt|xt)$",
    "strength": rf"^{_NUM}([a-zμ%]+)(?:/.*)?$",
    "route_split": r"[\s,/()\[\]{}]+",
    "brackets": r"[(\[{]([^()\[\]{}]*)[)\]}]",
    # "baclofen10mg" -> "baclofen 10mg"; "APAP w/codeine" -> "APAP w/ codeine"; "Tylenol#3" -> "Tylenol #3"
    "glued": r"(?<=[a-z])(?=\d+(?:[.,]\d+)?(?:mg|mcg|ml|g|units?|iu|meq|%)\b)|(?<=\bw/)(?=[a-z])|(?<=[a-z])(?=#\d)",
    # what every "glued" place has: a letter before a digit or '#', or 'w/' before a letter; most
    # strings have none, and one search for it is cheaper than trying "glued" at every position
    "glued_hint": r"[a-z][\d#]|w/[a-z]",
}


class _Patterns:
    """The regular expressions, compiled on first use: a run that meets only exact names never pays for them."""

    def __getattr__(self, name: str) -> re.Pattern:
        pattern = re.compile(_PATTERNS[name])
        setattr(self, name, pattern)
        return pattern


_rx = _Patterns()

MAX_LENGTH = 1000  # characters; a longer string is not one medication, and would be slow to take apart
UNKNOWN_NAME = "Not a name the knowledge base knows"

_kinds: dict[str, int] = {}  # token -> 0 (not dose), 1 (weak), 2 (strong); memo


class Resolution:
    """How one input string resolved."""

    __slots__ = (
        "input", "status", "drugs", "product", "method", "matched", "removed", "candidates", "reason", "confirmed", "query"
    )

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
        confirmed: tuple[str, ...] = (),
        query: str = "",
    ) -> None:
        self.input = input  # the string exactly as given
        self.status = status  # "ok" | "unknown" | "ambiguous" | "non_medication"
        self.drugs = drugs  # canonical ingredient ids, sorted
        self.product = product  # combination product id, if it was one (for a non-medication: its id)
        self.method = method  # generic | synonym | salt | brand | abbreviation | code | product | combination
        self.matched = matched  # the normalised name(s) that matched
        self.removed = removed  # dose/form text that was set aside, as typed
        self.candidates = candidates  # for "ambiguous"
        self.reason = reason  # for "unknown"/"ambiguous"
        self.confirmed = confirmed  # bracketed names that agreed with the name, as typed
        self.query = query  # for "unknown": the name part to base suggestions on

    @property
    def ok(self) -> bool:
        """A medication the knowledge base knows."""
        return self.status == "ok"

    @property
    def settled(self) -> bool:
        """Nothing left unknown: a known medication, or an entry known not to be one (test strips)."""
        return self.status == "ok" or self.status == "non_medication"


def resolve(text: str, kb: Any) -> Resolution:
    """Resolve one string against a knowledge base.

    A string seen before costs one dictionary look-up (the memo lives on the
    knowledge base).

    Args:
        text: the medication string exactly as given.
        kb: a loaded :class:`~interactions.kb.KnowledgeBase`.

    Returns:
        The :class:`Resolution`; ``status`` is "ok", "unknown" or "ambiguous".
    """
    memo = kb.resolved
    hit = memo.get(text)
    if hit is None:
        hit = _resolve(text, kb)
        if hit.method == "non-medication":  # a device, a supply, "no known medications"
            hit.status = "non_medication"
        if len(memo) < RESOLVED_LIMIT and len(text) <= MEMO_KEY_MAX:
            memo[text] = hit
    return hit


# ---- internal results: ("ok", hit, matched, removed spans, confirmed)
#                        ("ambiguous", candidates, reason) | ("unknown", reason, query)


def _resolve(text: str, kb: Any) -> Resolution:
    if len(text) > MAX_LENGTH:
        return Resolution(text, "unknown", reason=f"Longer than {MAX_LENGTH} characters: not one medication")
    k = key(text)
    if not k:
        return Resolution(text, "unknown", reason="Empty medication name")
    hit = kb.names.get(k)
    if hit is not None:
        return Resolution(text, "ok", drugs=hit[1], product=hit[2], method=hit[0], matched=k)
    amb = kb.ambiguous.get(k)
    if amb is not None:
        return Resolution(text, "ambiguous", candidates=amb["candidates"], reason=amb["reason"])
    shown = display(text)
    if len(shown) != len(k):
        shown = k
    if _rx.glued_hint.search(k):
        for m in reversed(list(_rx.glued.finditer(k))):  # the same space goes into both strings
            cut = m.start()
            k, shown = k[:cut] + " " + k[cut:], shown[:cut] + " " + shown[cut:]
    out = _whole(k, kb)
    if out[0] == "ok":
        _, hit, matched, spans, confirmed = out
        if hit[0] == "non-medication" and spans:
            strength = _strength(_render(k, spans))
            if strength:
                return Resolution(text, "unknown", query=matched, reason=(
                    f"{matched!r} is not a medication, but {strength!r} is the strength of one; name the "
                    "medication, or leave the strength out"))
        elif spans:
            hit, matched = _local_form(hit, matched, _render(k, spans), kb)
        return Resolution(
            text, "ok", drugs=hit[1], product=hit[2], method=hit[0], matched=matched,
            removed=_render(shown, spans), confirmed=tuple(shown[s:e] for s, e in confirmed),
        )
    if out[0] == "ambiguous":
        return Resolution(text, "ambiguous", candidates=out[1], reason=out[2])
    return Resolution(text, "unknown", reason=out[1], query=out[2])


# words set aside that say where a medicine is used: "timolol 0.5% eye drops" is the eye
# drop entry where the knowledge base has one. Release words and "OD" (once daily in
# British use, right eye in American) say nothing about the route.
_ROUTE_WORDS = {
    "ophthalmic": ("eye", "eyes", "eyedrops", "ophthalmic", "ophth", "oph", "opth", "ou", "os", "intraocular"),
    "otic": ("ear", "ears", "otic", "au"),
    "nasal": ("nasal", "intranasal", "nose", "nostril", "nostrils"),
    "topical": ("topical", "topically", "top", "cutaneous"),
    "rectal": ("rectal", "rectally", "rtl", "suppository", "suppositories", "supp", "supps", "enema", "enem"),
    "vaginal": ("vaginal", "vaginally", "vag", "pv", "pessary", "pessaries"),
}
_ROUTE_OF = {w: r for r, ws in _ROUTE_WORDS.items() for w in ws}
# skin forms say "topical" only when no other route is named: an eye ointment is not for the skin
_SKIN_FORMS = frozenset("cream creams crm crea ointment oint lotion lotn gel shampoo sham".split())
# the names local forms are listed under: "timolol ophthalmic", "timolol eye drops"; ear entries may be
# "<generic> auricular", since "otic" and "ear" are one letter from the dose words "otc" and "er"
_ROUTE_NAMES = {
    "ophthalmic": ("ophthalmic", "eye drops"), "otic": ("otic", "ear drops", "auricular"),
    "nasal": ("nasal", "nasal spray"),
    "topical": ("topical", "cream"), "rectal": ("rectal",), "vaginal": ("vaginal",),
}
_STRENGTH = frozenset("mg mcg μg ug microgram micrograms milligram milligrams meq mmol %".split())


def _local_form(hit: tuple, matched: str, removed: str, kb: Any) -> tuple[tuple, str]:
    """The route-specific entry the text set aside points to, if exactly one exists.

    A form word may name its own entry ("ketoconazole 2% cream" is "ketoconazole
    cream"), and route words (eye, OU, SOLN,OPH, ear, nasal, TOP) lead to the
    entry of that route ("timolol ophthalmic"). When the words point to two
    different entries, or to none, the name keeps the entry it named: the
    systemic entry carries every class a local form could carry.
    """
    words = [w for w in _rx.route_split.split(removed.casefold()) if w]
    routes = sorted({_ROUTE_OF[w] for w in words if w in _ROUTE_OF})
    if not routes and _SKIN_FORMS.intersection(words):
        routes = ["topical"]
    found: dict[tuple, str] = {}
    if not hit[2] and len(hit[1]) == 1:
        for route in routes:
            for base in dict.fromkeys((matched, hit[1][0])):
                for suffix in _ROUTE_NAMES[route]:
                    form = kb.names.get(f"{base} {suffix}")
                    if form is not None and not form[2] and len(form[1]) == 1 and form[1] != hit[1]:
                        found.setdefault(form[1], f"{base} {suffix}")
    if len(found) == 1:
        name = next(iter(found.values()))
        return kb.names[name], name
    if found or (routes and routes != ["topical"]):
        # two routes with an entry each, or a route without one: the entry as named
        return hit, matched
    for w in words:
        form = kb.names.get(f"{matched} {w}")
        if form is not None:
            return form, f"{matched} {w}"
    return hit, matched


def _strength(removed: str) -> str:
    """A strength of a medicine in the text set aside ('10 mg', '2%'), or ''."""
    words = [w.strip(_EDGE).casefold() for w in removed.split()]
    for i, w in enumerate(words):
        m = _rx.strength.match(w)
        if m and m.group(1) in _STRENGTH:
            return w
        if w.split("/")[0] in _STRENGTH:  # "10 mg", "50 mcg/hr"
            return f"{words[i - 1]} {w}" if i and _rx.numeric.match(words[i - 1]) else w
    return ""


def _whole(k: str, kb: Any) -> tuple:
    """Resolve the whole key: bracketed groups, then the text around them."""
    groups = [(m.start(), m.end(), m.start(1), m.end(1)) for m in _rx.brackets.finditer(k)]
    if groups and _bracketed_names(kb).intersection(k[s:e] for s, e, _, _ in groups):
        # "antihemophilic factor (recombinant) 250 units": the brackets are part of a name
        toks = _tokens(k, 0, len(k))
        words = [k[a:b] for a, b in toks]
        for lo, hi in _candidates(words):
            if "(" in _name(k, toks, lo, hi):
                res = _lookup(k, toks, lo, hi, kb, True)
                if res is not None and res[0] == "ok":
                    return res
    main = k
    for s, e, _, _ in groups:
        main = main[:s] + " " * (e - s) + main[e:]
    toks = _tokens(main, 0, len(main))
    spans: list[tuple[int, int]] = []
    inner_hits: list[tuple] = []
    for s, e, s1, e1 in groups:
        if _dose_only(k, _tokens(k, s1, e1)) or (not k[e:].strip() and _supplier(k[s1:e1])):
            spans.append((s, e))  # "(as hydrochloride)", "(5 mg)", "(Teva UK Ltd)"
            continue
        # "(PRINIVIL,ZESTRIL)": each item must be dose text or a name that agrees
        for m in _rx.items.finditer(k[s1:e1]):
            a, b = m.start() + s1, m.end() + s1
            itoks = _tokens(k, a, b)
            if _dose_only(k, itoks):
                spans.append((a, b))
                continue
            res = _tokens_resolve(k, itoks, kb, products=True)
            if res[0] == "ambiguous":
                return res
            if res[0] != "ok":
                why = f"The text in brackets {k[s:e]!r} is neither dose text nor a known name"
                return ("unknown", why, k[a:b].strip())
            inner_hits.append((res, (itoks[0][0], itoks[-1][1])))
    if not toks or all(_kind(k[a:b]) for a, b in toks):
        if not inner_hits:
            for hi in range(len(toks), 0, -1):  # "syringes", "syringe 1 mL": a supply whose name is a form word
                name = _name(k, toks, 0, hi)
                hit = kb.names.get(name)
                if hit is not None and hit[0] == "non-medication":
                    return ("ok", hit, name, sorted(spans + toks[hi:]), [])
            if toks and k.isdigit():
                return ("unknown", f"A bare number is not read as an RxNorm code (write rxcui:{k})", "")
            return ("unknown", "No medication name, only dose or form text", "")
        res = inner_hits[0][0]
        spans += [(a, b) for a, b in toks]
        confirmed = [sp for _, sp in inner_hits[1:]]
        rest = inner_hits[1:]
    else:
        res = _tokens_resolve(k, toks, kb, products=True)
        if res[0] != "ok":
            return res
        confirmed = [sp for _, sp in inner_hits]
        rest = inner_hits
    _, hit, matched, rspans, _ = res
    for other, sp in rest:
        ohit = other[1]
        a, b = set(hit[1]), set(ohit[1])
        if b <= a:
            continue
        if a < b:  # "hydrocodone (Norco)": the bracket names more ingredients; keep them all
            hit, matched = ohit, other[2]
            continue
        if _form_of(ohit, kb) == hit[1]:  # "timolol (TIMOPTIC)": the brand of its eye-drop entry
            hit, matched = ohit, other[2]
            continue
        # "cyclosporine (RESTASIS) 0.05 % ophthalmic emulsion": the name with its form words is the
        # entry the bracket names
        if _local_form(hit, matched, _render(k, sorted(spans + rspans)), kb)[0][1] == ohit[1]:
            hit, matched = ohit, other[2]
            continue
        why = f"The name {matched!r} and the name in brackets {k[sp[0]:sp[1]]!r} are different drugs"
        return ("ambiguous", tuple(sorted(a | b)), why)
    return ("ok", hit, matched, sorted(spans + rspans), confirmed)


def _form_of(hit: tuple, kb: Any) -> tuple[str, ...]:
    """The base drug of a single route-specific entry ("timolol ophthalmic" -> timolol), else ()."""
    if hit[2] or len(hit[1]) != 1:
        return ()
    base = kb.drugs.get(hit[1][0], {}).get("form_of")
    return (base,) if base else ()


# the last word of a company's name: UK dm+d product names end with their supplier in brackets,
# "Zestril 10mg tablets (AstraZeneca UK Ltd)"
_COMPANY = frozenset("ltd limited plc inc llc gmbh pty".split())


def _supplier(inner: str) -> bool:
    """A supplier's name in closing brackets: '(Accord Healthcare Ltd)', '(A A H Pharmaceuticals Ltd)'."""
    words = inner.split()
    return len(words) > 1 and words[-1].strip(".,") in _COMPANY


def _dose_only(k: str, toks: list[tuple[int, int]]) -> bool:
    """Dose, form or salt words only: '(as hydrochloride)', '(5 mg)', '(monohydrate/macrocrystals)'."""
    for a, b in toks:
        w = k[a:b].strip(_EDGE)
        if _kind(k[a:b]) or w in _SALT_WORDS:
            continue
        if "/" in w and all(_kind(p) or p in _SALT_WORDS for p in w.split("/") if p):
            continue
        return False
    return True


def _tokens(s: str, lo: int, hi: int) -> list[tuple[int, int]]:
    """The (start, end) of each run of non-space characters in ``s[lo:hi]`` (what ``\\S+`` finds there)."""
    out = []
    find = s.find
    pos = lo
    for w in s[lo:hi].split():  # split() and \\s agree on what a space is
        a = find(w, pos)  # only spaces lie between pos and the word, so this is where it starts
        pos = a + len(w)
        out.append((a, pos))
    return out


def _tokens_resolve(k: str, toks: list[tuple[int, int]], kb: Any, products: bool) -> tuple:
    """A name with dose text, or failing that a combination notation."""
    words = [k[a:b] for a, b in toks]
    cands = _candidates(words)
    longest = _longest_name(kb) + 4  # room for salt words and "RxNorm CUI 1292"
    for lo, hi in cands:
        if hi - lo <= longest:
            res = _lookup(k, toks, lo, hi, kb, products)
            if res is not None:
                return res
    # a combination's parts set their own dose text aside: only the whole and the barest core need trying
    for lo, hi in _outermost(cands):
        res = _combination(k, toks[lo:hi], kb)
        if res is not None:
            if res[0] == "ok":
                _, hit, matched, spans, conf = res
                spans = spans + toks[:lo] + toks[hi:]
                return ("ok", hit, matched, spans, conf)
            return res
    return _explain_unknown(k, toks, cands, kb)


def _outermost(cands: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """For each start, the longest and the shortest candidate, in that order."""
    out: dict[tuple[int, int], None] = {}
    for lo in sorted({c[0] for c in cands}):
        his = [hi for start, hi in cands if start == lo]
        out[(lo, max(his))] = None
        out[(lo, min(his))] = None
    return list(out)


def _bracketed_names(kb: Any) -> frozenset[str]:
    """The bracketed parts of known names, "(recombinant)" (computed once per knowledge base)."""
    b = getattr(kb, "_bracketed_names", None)
    if b is None:
        b = kb._bracketed_names = frozenset(m.group(0) for n in kb.names if "(" in n for m in _rx.brackets.finditer(n))
    return b


def _longest_name(kb: Any) -> int:
    """How many words the longest known name has (computed once per knowledge base)."""
    n = getattr(kb, "_longest_name", None)
    if n is None:
        n = kb._longest_name = max((k.count(" ") + 1 for k in kb.names), default=1)
    return n


def _candidates(words: list[str]) -> list[tuple[int, int]]:
    """(lo, hi) token ranges that may hold the name, longest first.

    ``words[hi:]`` is dose text that starts with a strong token; ``words[:lo]``
    are form words or list markers written before the name.
    """
    n = len(words)
    kinds = [_kind(w) for w in words]
    if n > 2 and "in" in words:
        _vehicle(words, kinds)
    starts = [False] * n
    for i in range(n):
        if kinds[i] == 2:
            starts[i] = True
        elif kinds[i] == 1 and i + 1 < n:
            w, nxt = words[i].strip(_EDGE), words[i + 1].strip(_EDGE)
            if (w, nxt) in _PHRASES:
                starts[i] = True
            elif w == "x" and _rx.numeric.match(nxt):
                starts[i] = True  # "x 100": a quantity
            elif (_rx.small_bare.match(w) or w in _NUMBER_WORDS) and (
                _rx.unit_word.match(nxt) or _kind(nxt) == 2 and not _rx.numeric.match(nxt)
            ):
                starts[i] = True  # "1 tab", "one tablet", "2 puffs"
    cuts = [n]
    for i in range(n - 1, 0, -1):
        if not kinds[i]:
            break
        if starts[i]:
            cuts.append(i)
    los = [0]
    i = 1 if n > 1 and _rx.list_mark.match(words[0]) else 0
    if i:
        los.append(1)
    if i < n - 1 and starts[i]:  # "Tab Baclofen", "24 HR metoprolol", "Take ..."
        while i < n - 1 and kinds[i]:
            i += 1
            los.append(i)
    out = [(lo, hi) for lo in los for hi in cuts if hi > lo]
    out.sort(key=lambda c: (c[0] - c[1], c[0]))
    return out


# the fluid an infusion is made up in: "vancomycin 1 g in sodium chloride 0.9% 250 mL IVPB",
# "heparin 25,000 units in dextrose 5%", "fluconazole in sodium chloride". Read as dose text
# only after "in", so "sodium chloride" or "dextrose" listed on their own stay medications.
_VEHICLE_CORE = frozenset("dextrose d5w d10w d5ns d5lr ns nacl saline water swfi ringer's ringers lr".split())
_VEHICLE_WORDS = _VEHICLE_CORE | frozenset(
    "sodium chloride normal half sterile for injection lactated percent plastic container bag premix premixed".split()
)


def _vehicle(words: list[str], kinds: list[int]) -> None:
    """Mark an "in <infusion fluid>" phrase as dose text in ``kinds`` (in place)."""
    n = len(words)
    for i in range(1, n - 1):
        if words[i] != "in":
            continue
        j, core = i + 1, False
        while j < n:
            w = words[j].strip(_EDGE)
            if w in _VEHICLE_WORDS:
                core = core or w in _VEHICLE_CORE or (w == "chloride" and words[j - 1].strip(_EDGE) == "sodium")
            elif not (_rx.numeric.match(w) or _rx.unit_word.match(w)):
                break
            j += 1
        if core:
            kinds[i] = 2
            for t in range(i + 1, j):
                kinds[t] = kinds[t] or 1


def _kind(tok: str) -> int:
    """0: not dose text; 1: weak (continues dose text); 2: strong (may start it)."""
    k = _kinds.get(tok)
    if k is None:
        k = _classify(tok)
        if len(_kinds) < 16_384:  # tokens of dose text: a few thousand in practice
            _kinds[tok] = k
    return k


def _classify(tok: str) -> int:
    w = tok.strip(_EDGE)
    if not w or w in "-–/+&":
        return 1
    if w in _STRONG:
        return 2
    if w in _WEAK:
        return 1
    if "." in w and _rx.dotted.match(w):  # p.o., b.i.d., q.h.s.
        d = w.replace(".", "")
        return 2 if d in _STRONG else 1 if d in _WEAK else 0
    if _rx.small_bare.match(w):
        return 2 if w[0] == "#" and len(w) > 2 else 1  # "#30" is a quantity; "#3" may be a product's number
    if _rx.numeric.match(w) or _rx.unit_only.match(w):
        return 2
    if _rx.frequency.match(w):
        return 2
    if "," in w or "/" in w:  # pharmacy-system forms: "TAB,EC", "SOLN,OPH", "DR/EC", "INHL,ORAL"
        kinds = [_kind(p) for p in _rx.compound.split(w)]
        if all(kinds):
            return max(kinds)
    return 0


def _lookup(k: str, toks: list[tuple[int, int]], lo: int, hi: int, kb: Any, products: bool) -> tuple | None:
    """Look the name in ``toks[lo:hi]`` up: exact, ambiguous, code, or with salt words."""
    name = _name(k, toks, lo, hi)
    if not name:
        return None
    hit = kb.names.get(name)
    if hit is None and "-" in name:  # "Calcichew-D3 Forte" is listed as "Calcichew D3 Forte"
        hit = kb.names.get(name.replace("-", " "))
    if hit is None and ("#" in name or "no. " in name or " w" in name):
        for alt in _spellings(name):  # "Tylenol with Codeine #4" is "Tylenol w/ Codeine #4"
            hit = kb.names.get(alt)
            if hit is not None:
                name = alt
                break
    if hit is None and not products:
        drug = _PART_ONLY.get(name)
        if drug is None and " " in name:  # with its salt word: "AMOX/K CLAV", "Clav K"
            core = [w for w in name.split() if w not in _SALT_WORDS]
            drug = _PART_ONLY.get(core[0]) if len(core) == 1 else None
        if drug is not None and drug in kb.drug_classes:
            hit = ("abbreviation", (drug,), "")
    if hit is None:
        amb = kb.ambiguous.get(name)
        if amb is not None:
            return ("ambiguous", amb["candidates"], amb["reason"])
        # a code starts with "rx"; a release suffix follows a hyphen: most names try neither pattern
        m = _rx.code.match(name) if name.startswith("rx") else None
        if m is None and "-" in name and (m := _rx.release_suffix.match(name)):
            # "glucophage-xr" is "Glucophage XR", or Glucophage with XR set aside
            hit = kb.names.get(f"{m.group(1)} {m.group(2)}") or kb.names.get(m.group(1))
            if hit is None:
                return None
        elif m:
            hit = kb.names.get("rxcui:" + m.group(1))
            if hit is None:
                return ("unknown", f"RxNorm code {m.group(1)} is not in the knowledge base", "")
            name = "rxcui:" + m.group(1)
        else:
            hit = _salt(name, kb)
            if hit is None:
                return None
    if not products and (hit[2] or len(hit[1]) != 1):
        return None
    numbered = _numbered_variants(kb).get(name) if hi < len(toks) else None
    if numbered:
        # "Humulin 7/30": text after a name that known products extend with a number ("Humulin 70/30" holds
        # two insulins) and that is a typing slip or two from that number is a mistyped product, not dose text
        nxt = k[toks[hi][0]:toks[hi][1]]
        if any(other[1:] != hit[1:] and _near(nxt, num) for num, other in numbered):
            why = f"{k[toks[lo][0]:toks[hi][1]]!r} is not a known product, and products named {name!r} with a number hold other ingredients"
            return ("unknown", why, k[toks[lo][0]:toks[hi][1]])
    return ("ok", hit, name, toks[:lo] + toks[hi:], [])


def _near(text: str, number: str) -> bool:
    """``text`` may be ``number`` mistyped: any unitless ratio, or the number's digits with a slip."""
    if "/" in text and not any(c.isalpha() for c in text):
        return True  # "Tylenol 300/30" holds two strengths: not one of plain Tylenol
    if ("/" in text) != ("/" in number) or not any(c.isdigit() for c in text):
        return False  # "Tylenol 325" is a strength, not a slip of "Tylenol 3"
    a, b = (re.sub(r"[^\d./]", "", t) for t in (text, number))
    if a == b:
        return False  # "Os-Cal 500" beside "Os-Cal 500+D": the product without the letters
    from rapidfuzz.distance import OSA  # imported only for names that products extend with a number

    slips = 1 if len(b) <= 3 else 2
    return OSA.distance(a, b, score_cutoff=slips) <= slips


def _numbered_variants(kb: Any) -> dict[str, tuple]:
    """Known names made of another known name and a number ("humulin 70/30"), by that name (once per knowledge base)."""
    v = getattr(kb, "_numbered_variants", None)
    if v is None:
        found: dict[str, list] = {}
        for n, hit in kb.names.items():
            base, _, last = n.rpartition(" ")
            if base and last[:1].isdigit() and base in kb.names:
                found.setdefault(base, []).append((last, hit))
        v = kb._numbered_variants = {b: tuple(h) for b, h in found.items()}
    return v


def _spellings(name: str) -> list[str]:
    """Equivalent spellings of a product name: '#3' / 'no. 3', 'with' / 'w/'."""
    out = [name]
    for a, b in ((r"#(\d)", r"no. \1"), (r"\bno\. ?(\d)", r"#\1"), (r" with ", " w/ "), (r" w/ ", " with ")):
        out += [re.sub(a, b, x) for x in out]
    return [x for x in dict.fromkeys(out) if x != name]


def _name(k: str, toks: list[tuple[int, int]], lo: int, hi: int) -> str:
    return " ".join([k[a:b] for a, b in toks[lo:hi]]).strip(" .,;:-*")


def _salt(name: str, kb: Any) -> tuple | None:
    """A known name with salt words after or before it: 'metoprolol tartrate', 'sodium valproate'."""
    # the words of a name are single-spaced: without a salt word at either end there is none to set aside
    if name.rpartition(" ")[2] not in _SALT_WORDS and name.partition(" ")[0] not in _SALT_WORDS:
        return None
    words = name.split()
    if len(words) < 2:
        return None
    lo, hi = 0, len(words)
    while hi > lo + 1 and words[hi - 1] in _SALT_WORDS:
        hi -= 1
    while lo < hi - 1 and words[lo] in _SALT_WORDS:
        lo += 1
    if (lo, hi) == (0, len(words)) or all(w in _CATIONS for w in words[lo:hi]):
        return None
    core = " ".join(words[lo:hi])
    hit = kb.names.get(core)
    if hit is None:
        return None
    if hit[0] not in ("generic", "synonym", "salt"):
        return _brand_salt(core, hit, words[:lo] + words[hi:], kb)
    return ("salt", hit[1], hit[2])


# salt abbreviations a brand may carry: "Cleocin HCl"; the others ("Tart", "Na") stay generic-only
_BRAND_SALT_ABBREVIATIONS = {"hcl": "hydrochloride", "hci": "hydrochloride"}


def _brand_salt(brand: str, hit: tuple, salt: list[str], kb: Any) -> tuple | None:
    """A brand with the salt its own drug is made as: 'Cleocin Phosphate', 'Vibramycin Hyclate'.

    The salt must be one the knowledge base lists for the brand's single drug, so "Lopressor
    Tartrate" reads as metoprolol and "Lopressor HCL" (metoprolol is no hydrochloride) does not.
    "HCl" after a brand that also has an "HCT" product is as likely a slip for the product with
    hydrochlorothiazide: it stays unresolved ("Lotensin HCL").
    """
    if hit[0] != "brand" or hit[2] or len(hit[1]) != 1:
        return None
    abbreviated = any(w in _BRAND_SALT_ABBREVIATIONS for w in salt)
    if any(w not in _SALT_WORDS or (len(w) < 5 and w not in _BRAND_SALT_ABBREVIATIONS) for w in salt):
        return None
    if abbreviated and f"{brand} hct" in kb.names:
        return None
    spelled = [_BRAND_SALT_ABBREVIATIONS.get(w, w) for w in salt]
    drug = hit[1][0]
    listed = kb.names.get(f"{drug} {' '.join(spelled)}")
    if listed is None or listed[0] != "salt" or listed[1] != hit[1]:
        return None
    return ("brand", hit[1], hit[2])


def _combination(k: str, toks: list[tuple[int, int]], kb: Any) -> tuple | None:
    """'hydrocodone/APAP', 'lisinopril-HCTZ', 'amlodipine and benazepril': a known product's ingredients."""
    parts = _split(k, toks, _rx.strong_sep)
    if len(parts) < 2 and not any("-" in k[a:b] for a, b in toks):
        return _juxtaposed(k, toks, kb)
    found: list[tuple] = []
    for part in parts:
        res = _part(k, part, kb)
        if res is None:
            sub = _split(k, part, _rx.hyphen)
            if len(sub) < 2:
                # "butalbital acetaminophen and caffeine": two names side by side in one part; the
                # whole must still be a known product's ingredients (checked below)
                pair = next(_side_by_side(k, part, kb), None)
                if pair is None:
                    return None
                found.extend(pair)
                continue
            for sp in sub:
                r = _part(k, sp, kb)
                if r is None:
                    return None
                found.append(r)
        else:
            found.append(res)
    names = [r for r in found if r[0] != "dose"]
    if len(names) < 2:
        return None
    for r in names:
        if r[0] == "ambiguous":
            return r
    drugs = tuple(sorted({d for r in names for d in r[1][1]}))
    matched = " + ".join(r[2] for r in names)
    spans = [sp for r in found for sp in r[3]]
    if len(drugs) == 1:  # "cholecalciferol, vitamin D3": one drug under two of its names
        return ("ok", names[0][1], matched, spans, [])
    product, drugs = _product_of(drugs, kb)
    if product is None:
        shown = ", ".join(r[2] for r in names)
        return ("unknown", f"Names several medications ({shown}) that the knowledge base does not know as one "
                "combination product; list each medication separately", "")
    return ("ok", ("combination", drugs, product), matched, spans, [])


def _juxtaposed(k: str, toks: list[tuple[int, int]], kb: Any) -> tuple | None:
    """'Hydrocodone Acetaminophen 5-325', 'Cleocin Phosphate': two names side by side, no separator.

    Read as one medication only when the two parts are single drugs that together are the
    ingredients of a combination product the knowledge base knows; two names that form no known
    product stay unrecognised (a list pasted into one field must be checked drug against drug).
    """
    for left, right in _side_by_side(k, toks, kb):
        drugs = tuple(sorted({*left[1][1], *right[1][1]}))
        product, drugs = _product_of(drugs, kb) if len(drugs) > 1 else (None, drugs)
        if product is not None:
            return ("ok", ("combination", drugs, product), f"{left[2]} + {right[2]}", left[3] + right[3], [])
    return None


def _side_by_side(k: str, toks: list[tuple[int, int]], kb: Any) -> Iterator[tuple[tuple, tuple]]:
    """Each way to read ``toks`` as two single drugs side by side, with no dose text between them."""
    if len(toks) < 2 or len(toks) > 12:
        return
    for cut in range(len(toks) - 1, 0, -1):  # salt words go with the name before them
        left, right = _part(k, toks[:cut], kb), _part(k, toks[cut:], kb)
        if left is None or right is None or left[0] != "ok" or right[0] != "ok":
            continue
        if left[1][2] or right[1][2] or left[3] or toks[cut] in right[3]:
            continue  # no dose text between the names: "paracetamol 500mg or ibuprofen 200mg" is two
        yield left, right


def _split(k: str, toks: list[tuple[int, int]], sep: re.Pattern) -> list[list[tuple[int, int]]]:
    """Split tokens into parts at separators; dose tokens such as 5/325 are never split."""
    parts: list[list[tuple[int, int]]] = [[]]
    for a, b in toks:
        w = k[a:b]
        if w in _SEP_WORDS:
            parts.append([])
            continue
        if _kind(w) == 2 and any(c.isdigit() for c in w):
            parts[-1].append((a, b))
            continue
        pos = a
        for m in sep.finditer(w):
            if m.start() + a > pos:
                parts[-1].append((pos, m.start() + a))
            parts.append([])
            pos = m.end() + a
        if pos < b:
            parts[-1].append((pos, b))
    return [p for p in parts if p]


def _part(k: str, toks: list[tuple[int, int]], kb: Any) -> tuple | None:
    """One part of a combination: a single drug with its own dose text, or dose text alone."""
    words = [k[a:b] for a, b in toks]
    if all(_kind(w) for w in words):
        return ("dose", None, "", toks, [])
    for lo, hi in _candidates(words):
        res = _lookup(k, toks, lo, hi, kb, products=False)
        if res is not None:
            return res if res[0] != "unknown" else None
    return None


def _product_by_ingredients(kb: Any) -> dict[tuple[str, ...], str]:
    table = getattr(kb, "_products_by_ingredients", None)
    if table is None:
        table = {}
        for pid, p in sorted(kb.products.items()):
            table.setdefault(tuple(sorted(p["ingredients"])), pid)
        kb._products_by_ingredients = table
    return table


def _product_of(drugs: tuple[str, ...], kb: Any) -> tuple[str | None, tuple[str, ...]]:
    """The product made of ``drugs``, and its ingredients; or a product made with a route-specific
    entry of them ("brimonidine/timolol 0.2/0.5% eye drops" is Combigan, made with timolol's eye-drop
    entry), with that product's own ingredients."""
    product = _product_by_ingredients(kb).get(drugs)
    if product is None:
        product = _product_by_base(kb).get(drugs)
        if product is not None:
            drugs = tuple(sorted(kb.products[product]["ingredients"]))
    return product, drugs


def _product_by_base(kb: Any) -> dict[tuple[str, ...], str]:
    """Products made with a route-specific entry, by the base drugs of their ingredients.

    Combigan is brimonidine with timolol's eye-drop entry, but "brimonidine/timolol" names the
    base drugs. A set of base drugs that two such products share, or that a product made with the
    base drugs themselves has, is left out: which one was meant cannot be told.
    """
    table = getattr(kb, "_products_by_base", None)
    if table is None:
        direct = _product_by_ingredients(kb)
        found: dict[tuple[str, ...], list[str]] = {}
        for pid, p in sorted(kb.products.items()):
            bases = tuple(sorted((kb.drugs.get(d) or {}).get("form_of") or d for d in p["ingredients"]))
            if bases != tuple(sorted(p["ingredients"])) and len(set(bases)) == len(bases):
                found.setdefault(bases, []).append(pid)
        table = {b: pids[0] for b, pids in found.items() if len(pids) == 1 and b not in direct}
        kb._products_by_base = table
    return table


def _explain_unknown(k: str, toks: list[tuple[int, int]], cands: list[tuple[int, int]], kb: Any) -> tuple:
    """Say why a string did not resolve, naming a known name it starts with, if any."""
    lo = max((c[0] for c in cands), default=0)
    hi_min = min((c[1] for c in cands if c[0] == lo), default=len(toks))
    words = [k[a:b] for a, b in toks]
    query = " ".join(words[lo:hi_min])
    for hi in range(len(toks) - 1, lo, -1):
        res = _lookup(k, toks, lo, hi, kb, products=True)
        if res is None or res[0] != "ok":
            continue
        unknown = [w for w in words[hi:] if not _kind(w)]
        others = [w.strip(_EDGE) for w in unknown if w.strip(_EDGE) in kb.names]
        if others:
            why = f"{', '.join(others)!r} is a known name too: list each medication separately"
        elif unknown:
            why = f"{' '.join(unknown)!r} is neither dose text nor part of a known name"
        else:
            why = f"{' '.join(w for w in words[hi:] if _kind(w) == 1)!r} may be part of a product name"
        return ("unknown", f"{res[2]!r} is a known name, but {why}; nothing typed is ignored, so the entry is "
                "not resolved", query)
    return ("unknown", UNKNOWN_NAME, query)


def _render(shown: str, spans: list[tuple[int, int]]) -> str:
    """The text set aside, as typed: adjacent pieces joined, separate pieces with '; '."""
    pieces: list[list[int]] = []
    for a, b in sorted(spans):
        if pieces and not shown[pieces[-1][1]:a].strip():
            pieces[-1][1] = max(pieces[-1][1], b)
        else:
            pieces.append([a, b])
    texts = (shown[a:b].strip() for a, b in pieces)
    return "; ".join(t for t in texts if t.strip("()[]{}-*•·>,;:. "))  # stray brackets and list marks say nothing
