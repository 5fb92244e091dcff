"""Attribute reader: what a report says, as facts, and how two reports' facts compare.

`read_facts(text)` turns a report in English, Sinhala script, Singlish or a mix into `Facts`: the
item type at a useful grain (a laptop bag is not a laptop), its colours, brand, model, material,
sizes, contents, identifying marks, place and day. It reads through `matcher.lexicon` (one table of
words in three scripts); Sinhala words the lexicon does not know are romanized
(`matcher.romanize`) and looked up again, so ටොෂිබා is Toshiba and කසුන් is Kasun.

`compare(lost, found)` gives, per attribute, "agree", "contradict" or "unsaid". What only one
report (or neither) says is never a contradiction: a short true report must not lose to a detailed
one. Names, brands and marks are compared by sound across scripts (rapidfuzz on `sound_key`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from matcher import lexicon
from matcher.lexicon import PRODUCT_LINES, Hit, analyse, clean_text, detect_category, tokens
from matcher.romanize import has_sinhala, romanize_words, similarity, sound_key

ATTRIBUTES: tuple[str, ...] = (
    "item", "colour", "brand", "model", "material", "size", "contents", "marks", "place",
)
# A contradiction of one of these is something a student sees at once.
STRONG: frozenset[str] = frozenset({"item", "colour", "brand", "model", "size", "marks"})
_FIELD = {"item": "items", "colour": "colours", "brand": "brands", "model": "models",
          "material": "materials", "size": "sizes", "contents": "contents", "marks": "marks",
          "place": "places"}
FUZZY_SAME = 85.0  # similarity (0-100) from which two names or brands are the same

# --- item grain ----------------------------------------------------------------------------------

# Words for the whole category rather than one kind of thing: they agree with any item of it.
GENERIC_ITEMS: frozenset[str] = frozenset({
    "bag", "card", "box", "clothes", "jewellery", "stationery", "documents", "computer", "file",
})
# Different words that may name the same thing.
_COMPATIBLE: frozenset[frozenset[str]] = frozenset(frozenset(p) for p in (
    ("backpack", "laptop bag"), ("handbag", "sling bag"), ("bag", "pouch"), ("wallet", "pouch"),
    ("earphones", "earbuds"), ("earphones", "headphones"), ("charger", "cable"),
    ("book", "notebook"), ("notebook", "notes"), ("book", "notes"), ("jacket", "sweater"),
    ("shirt", "t-shirt"), ("glasses", "sunglasses"), ("pencil case", "pouch"),
    ("laptop", "computer"), ("tablet", "computer"), ("file", "documents"), ("letter", "documents"),
    ("certificate", "birth certificate"), ("certificate", "documents"), ("passbook", "book"),
    ("box", "lunch box"), ("box", "pencil case"), ("chain", "jewellery"), ("key", "keychain"),
))
# Accessories: when another item of the category is named, these belong to it.
ACCESSORIES: frozenset[str] = frozenset({"phone cover", "sim card", "charger", "cable", "card"})
# Items that are usually inside or attached to something else.
CONTAINERS: frozenset[str] = frozenset({
    "wallet", "bag", "backpack", "laptop bag", "handbag", "sling bag", "pouch", "pencil case",
    "file", "box", "phone cover", "laptop",
})

# --- marks, days, sizes --------------------------------------------------------------------------

_NAME_CUES_BEFORE = frozenset({  # "name X", "written X", "initials X"
    "name", "named", "names", "initials", "initial", "written", "engraved", "says", "saying",
    "labelled", "labeled", "label", "nama", "namak", "නම", "නමක්", "නමත්",
})
_NAME_CUES_AFTER = frozenset({  # "X kiyala", "X written", "X කියලා"
    "kiyala", "kiyla", "kiyalaa", "kiyana", "kiyna", "liyala", "liyapu", "written", "engraved",
    "කියලා", "කියල", "කියන", "ලියලා", "ලියපු", "ලියා", "ලියල",
})
_MARK_WORDS: dict[str, str] = {  # generic identifying marks, any script
    "sticker": "sticker", "stickers": "sticker", "stikar": "sticker", "ස්ටිකර්": "sticker",
    "ස්ටිකරයක්": "sticker", "ස්ටිකර": "sticker",
    "scratch": "scratch", "scratches": "scratch", "scratched": "scratch", "scratchy": "scratch",
    " සීරීම්": "scratch", "ඉරීම්": "scratch", "crack": "crack", "cracked": "crack",
    "cracks": "crack", "broken": "crack", "dent": "dent", "dented": "dent", "stain": "stain",
    "stained": "stain", "keytag": "tag", "tag": "tag", "keychain": "keychain", "engraving": "engraved",
    "engraved": "engraved", "initials": "initials", "tape": "tape", "torn": "torn",
}
_MARK_STOP = frozenset({
    "a", "an", "the", "my", "his", "her", "on", "in", "it", "is", "and", "with", "of", "to", "as",
    "eka", "ekak", "eke", "ekka", "එක", "එකක්", "එකේ", "අර", "මේ", "එකෙක්",
})
_CUE_WORDS = frozenset(
    {"nama", "namak", "liyapu", "liyala", "kiyala", "written", "engraved", "says", "name"}
)
_SINGLISH_POSSESSIVE_RE = re.compile(r"^([a-z]{3,})(?:ge|gee|ghe)$")
_SINHALA_POSSESSIVE = "ගේ"
_NUMBER_RE = re.compile(r"(?<![\w.])(\d[\d\s-]{2,}\d|\d{3,})(?![\w.])")
_QUOTED_RE = re.compile(r"[\"'‘’“”]([^\"'‘’“”\n]{2,30})[\"'‘’“”]")
_INITIALS_RE = re.compile(r"\b((?:[A-Z]\s?\.\s?){2,4})")
_CODE_RE = re.compile(r"^(?=.*\d)(?=.*[a-z])[a-z0-9]{2,10}$")

_DAYS: dict[str, str] = {}
for _day, _spellings in {
    "today": "today, tonight, ada, adha, අද, අදම",
    "yesterday": "yesterday, iye, ee, iyee, ඊයේ, ඊයෙ",
    "day before yesterday": "pereda, පෙරේදා",
    "monday": "monday, mon, sanduda, saduda, සඳුදා, සදුදා",
    "tuesday": "tuesday, tue, tues, angaharuwada, anghruwada, අඟහරුවාදා, අගහරුවාදා",
    "wednesday": "wednesday, wed, badada, බදාදා",
    "thursday": "thursday, thu, thurs, brahaspathinda, brahaspatinda, බ්‍රහස්පතින්දා",
    "friday": "friday, fri, sikurada, sikuradha, සිකුරාදා",
    "saturday": "saturday, sat, senasurada, senasuradha, සෙනසුරාදා",
    "sunday": "sunday, sun, irida, iridha, ඉරිදා",
    "last week": "last week, giya sathiye, giya sumane, ගිය සතියේ",
}.items():
    for _spelling in _spellings.split(","):
        _DAYS[" ".join(tokens(_spelling.strip()))] = _day
_AMBIGUOUS_DAYS = frozenset({"sun", "sat", "wed", "ee", "mon"})  # only in a clear day phrase
_DATE_RE = re.compile(r"(?<![\d.])(\d{1,2})\s?[/-]\s?(\d{1,2})(?:\s?[/-]\s?(\d{2,4}))?(?![\d.])")
_AMOUNT_RE = re.compile(
    r"(?:\b(?:rs|lkr|rupees|rupiyal|රුපියල්|රු)\.?\s?\d[\d,]*(?:\.\d+)?)"
    r"|(?:\d[\d,]*\s?(?:/=|rupees|rupiyal|රුපියල්|ක්\s?රුපියල්))",
    re.IGNORECASE,
)

_UNITS: dict[str, tuple[str, str]] = {  # unit as written -> (canonical unit, dimension)
    "gb": ("gb", "storage"), "gig": ("gb", "storage"), "tb": ("tb", "storage"),
    "mb": ("mb", "storage"), "mah": ("mah", "battery"), "ml": ("ml", "volume"),
    "l": ("l", "volume"), "ltr": ("l", "volume"), "litre": ("l", "volume"),
    "liter": ("l", "volume"), "litres": ("l", "volume"), "liters": ("l", "volume"),
    "inch": ("in", "length"), "inches": ("in", "length"), "in": ("in", "length"),
    '"': ("in", "length"), "”": ("in", "length"), "cm": ("cm", "length"),
    "w": ("w", "power"), "watt": ("w", "power"), "watts": ("w", "power"),
}
_SIZE_RE = re.compile(
    r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?"
    r"(gb|gig|tb|mb|mah|ml|ltr|litres?|liters?|inch(?:es)?|watts?|cm|\"|”|(?<=\d)(?:l|in|w))"
    r"(?![a-z])(\s*ram)?",
    re.IGNORECASE,
)
_CLOTH_SIZE_RE = re.compile(r"\bsize\s*[:-]?\s*(\d{1,2}|xxl|xl|xs|s|m|l)\b", re.IGNORECASE)


# --- facts ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What one report states. Empty sets and None mean "not said"."""

    items: frozenset[str]
    category: str
    colours: frozenset[str]
    brands: frozenset[str]
    models: frozenset[str]
    materials: frozenset[str]
    sizes: frozenset[str]
    contents: frozenset[str]
    marks: frozenset[str]
    places: frozenset[str]
    day: str | None
    names: frozenset[str] = field(default=frozenset())  # personal names and initials among marks
    words: frozenset[str] = field(default=frozenset())  # other unknown words (proper nouns...)

    def stated(self) -> set[str]:
        """The attribute names this report states ("item", "colour", ..., "day")."""
        said = {a for a in ATTRIBUTES if getattr(self, _FIELD[a])}
        return said | ({"day"} if self.day else set())


def _size(number: str, unit: str, ram: str | None) -> tuple[str, str]:
    value = float(number.replace(",", ""))
    name, dimension = _UNITS[unit.casefold()]
    if name == "l":
        value, name = value * 1000, "ml"
    if name == "tb":
        value, name = value * 1000, "gb"
    text = f"{value:g}{name}"
    return (f"{text} ram", "ram") if ram else (text, dimension)


def _sizes(text: str) -> set[str]:
    found = {_size(m[1], m[2], m[3])[0] for m in _SIZE_RE.finditer(text)}
    found |= {f"size {m[1].casefold()}" for m in _CLOTH_SIZE_RE.finditer(text)}
    return found


def size_dimension(size: str) -> str:
    if size.startswith("size "):
        return "clothing"
    if size.endswith(" ram"):
        return "ram"
    unit = re.sub(r"^[\d.]+", "", size)
    return {"gb": "storage", "mb": "storage", "mah": "battery", "ml": "volume", "in": "length",
            "cm": "length", "w": "power"}.get(unit, unit)


def _day(words: list[str], text: str) -> str | None:
    for size in (3, 2, 1):
        for i in range(len(words) - size + 1):
            phrase = " ".join(words[i : i + size])
            day = _DAYS.get(phrase)
            if day and phrase not in _AMBIGUOUS_DAYS:
                return day
    match = _DATE_RE.search(text)
    if match and 1 <= int(match[1]) <= 31 and 1 <= int(match[2]) <= 31:
        return f"{int(match[1])}/{int(match[2])}"
    return None


def _latin_key(word: str) -> str:
    return romanize_words([word])[0] if has_sinhala(word) else word


def _marks(text: str, words: list[str], hits: tuple[Hit, ...],
           known: set[int]) -> tuple[set[str], set[str]]:
    """(marks, names): generic marks (sticker, scratch...), names and codes after a cue
    ("name Kasun", "Kasun kiyala", "කසුන් කියලා ලියලා"), possessives (Kasun's, kasunge, කසුන්ගේ),
    quoted words, initials and long numbers."""
    marks: set[str] = set()
    names: set[str] = set()

    def add_name(word: str) -> None:
        if word in _MARK_STOP or word in _NAME_CUES_AFTER or word in _NAME_CUES_BEFORE:
            return
        key = _latin_key(word)
        if len(key) >= 2:
            (marks if _CODE_RE.match(key) else names).add(key)

    for i, word in enumerate(words):
        if word in _MARK_WORDS:
            marks.add(_MARK_WORDS[word])
        if word in _NAME_CUES_BEFORE and i + 1 < len(words):
            nxt = i + 2 if words[i + 1] in ("is", "as", "eka", "එක") and i + 2 < len(words) else i + 1
            if nxt not in known:
                add_name(words[nxt])
        if word in _NAME_CUES_AFTER and i > 0:
            j = i - 1
            while j > 0 and words[j] in _NAME_CUES_AFTER | _MARK_STOP:
                j -= 1
            if j not in known:
                add_name(words[j])
        if word.endswith(_SINHALA_POSSESSIVE) and len(word) > 3 and i not in known:
            stem = word[: -len(_SINHALA_POSSESSIVE)]
            if lexicon.analyse(stem) and lexicon.analyse(stem)[0].kind == "word":
                add_name(stem)
        possessive = _SINGLISH_POSSESSIVE_RE.match(word)
        if possessive and i not in known and word not in ("mage", "magee", "oyage", "eyage"):
            stem_hits = lexicon.analyse(possessive[1])
            if stem_hits and stem_hits[0].kind == "word":
                names.add(possessive[1])
        if word in _MARK_WORDS and _MARK_WORDS[word] == "sticker" and i > 0:
            before = words[i - 1]
            if before not in _MARK_STOP and (i - 1) not in known and not before.isdigit():
                marks.add(_latin_key(before))
    for m in re.finditer(r"\b([A-Z][a-z]{2,})'s\b", text):
        word = m[1].casefold()
        hit = lexicon.analyse(word)
        if hit and hit[0].kind == "word":
            names.add(word)
    for m in _QUOTED_RE.finditer(text):
        for word in tokens(m[1]):
            if word not in _MARK_STOP:
                key = _latin_key(word)
                (marks if _CODE_RE.match(key) or key.isdigit() else names).add(key)
    for m in _INITIALS_RE.finditer(text):
        names.add(re.sub(r"[\s.]", "", m[1]).casefold())
    for m in _NUMBER_RE.finditer(text):
        digits = re.sub(r"\D", "", m[1])
        if len(digits) >= 4:
            marks.add(digits)
    return marks | names, names


@lru_cache(maxsize=8192)
def read_facts(text: str) -> Facts:
    """The facts one report states, in any of the four styles (cached)."""
    text = clean_text(text)
    words = tokens(text)
    hits = analyse(text)
    category = detect_category(text)
    items_all = [h for h in hits if h.kind == "item"]
    # a word directly followed by another item word modifies it ("phone charger", "laptop bag")
    starts = {h.start for h in items_all}
    heads = [h for h in items_all if h.end not in starts]
    main = [h for h in heads if h.category == category]
    if any(h.canonical not in ACCESSORIES for h in main):
        main = [h for h in main if h.canonical not in ACCESSORIES]
    main_ids = {id(h) for h in main}
    items = {h.canonical for h in main}
    contents = {h.canonical for h in heads if id(h) not in main_ids} - items
    if not items & CONTAINERS:  # no container named: other items are more items ("phone and
        items |= contents - ACCESSORIES - {"money"}  # charger"), accessories stay attached
        contents &= ACCESSORIES | {"money"}
    marks_text = _AMOUNT_RE.sub(" ", text)
    if marks_text != text:
        contents.add("money")

    brands: set[str] = set()
    models: set[str] = set()
    for h in hits:
        if h.kind != "brand":
            continue
        maker, item = PRODUCT_LINES.get(h.canonical, (None, None))
        if maker:
            brands.add(maker)
            models.add(h.canonical)
            if item and not items and item not in contents:
                items.add(item)
        else:
            brands.add(h.canonical)
        # a model number right after the brand or line: "galaxy a14", "iphone 13 pro", "x1 carbon"
        nxt = h.end
        if nxt < len(words) and words[nxt] in ("galaxy", "note", "redmi", "pro"):
            nxt += 1
        if nxt < len(words) and _CODE_RE.match(words[nxt]) or (
            nxt < len(words) and words[nxt].isdigit() and len(words[nxt]) <= 3
        ):
            number = words[nxt]
            models.add(f"{h.canonical} {number}" if maker or number.isdigit() else number)
    for w in words:  # model codes anywhere ("a14", "s21", "5s"), not sizes or long codes
        if _CODE_RE.match(w) and len(w) <= 5 and not _SIZE_RE.fullmatch(w) and w not in models:
            if any(m.endswith(" " + w) for m in models):
                continue
            if re.fullmatch(r"[a-z]{1,2}\d{1,3}[a-z]?", w):
                models.add(w)

    # colours of the item: a colour directly before a content word or accessory belongs to it
    colours: set[str] = set()
    skip = {"colour", "attribute", "material"}
    for i, h in enumerate(hits):
        if h.kind != "colour":
            continue
        owner = next((o for o in hits[i + 1 :] if o.kind not in skip), None)
        if (owner is not None and owner.kind == "item" and id(owner) not in main_ids
                and owner.canonical not in items):
            continue
        colours.add(h.canonical)

    known = {i for h in hits if h.kind != "word" for i in range(h.start, h.end)}
    marks, names = _marks(marks_text, words, hits, known)
    models -= marks
    unknown = {h.canonical for h in hits if h.kind == "word" and not h.canonical.isdigit()}
    return Facts(
        items=frozenset(items),
        category=category,
        colours=frozenset(colours),
        brands=frozenset(brands),
        models=frozenset(models),
        materials=frozenset(h.canonical for h in hits if h.kind == "material"),
        sizes=frozenset(_sizes(text)),
        contents=frozenset(contents),
        marks=frozenset(marks),
        places=frozenset(h.canonical for h in hits if h.kind == "place"),
        day=_day(words, text),
        names=frozenset(names),
        words=frozenset(w for w in unknown if len(w) >= 3 and not any(c.isdigit() for c in w)
                        and w not in _CUE_WORDS and not _SINGLISH_POSSESSIVE_RE.match(w))
        - marks - models,
    )


# --- comparison ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Comparison:
    verdicts: dict[str, str]  # attribute -> "agree" | "contradict" | "unsaid"
    agree: tuple[str, ...]  # the words that agree, for "same: black · wallet · NIC"
    differ: tuple[str, ...]  # the attributes that contradict, for "differs: brand"
    brand_similarity: float = 0.0  # best sound-alike score of the two reports' brands (0-100)
    name_similarity: float = 0.0  # best sound-alike score of their marks and names (0-100)
    word_overlap: float = 0.0  # share of the shorter report's unknown words found in the other
    lost_stated: int = 0
    found_stated: int = 0

    def features(self) -> dict[str, float]:
        """Numeric features for a learned scorer: per attribute agree 1 / contradict -1 /
        unsaid 0, counts of strong agreements and contradictions, the share of the lost report's
        stated attributes the found one confirms, and the fuzzy similarities."""
        value = {"agree": 1.0, "contradict": -1.0, "unsaid": 0.0}
        out = {f"attr_{a}": value[self.verdicts[a]] for a in ATTRIBUTES}
        said = [a for a in ATTRIBUTES if self.verdicts[a] != "unsaid"]
        out["n_agree"] = float(sum(self.verdicts[a] == "agree" for a in ATTRIBUTES))
        out["n_contradict"] = float(len(self.differ))
        out["n_agree_strong"] = float(sum(self.verdicts[a] == "agree" for a in STRONG))
        out["n_contradict_strong"] = float(sum(self.verdicts[a] == "contradict" for a in STRONG))
        out["any_contradict_strong"] = float(out["n_contradict_strong"] > 0)
        out["lost_confirmed"] = (
            sum(self.verdicts[a] == "agree" for a in said) / self.lost_stated
            if self.lost_stated else 0.0
        )
        out["lost_stated"] = float(self.lost_stated)
        out["found_stated"] = float(self.found_stated)
        out["brand_similarity"] = self.brand_similarity / 100.0
        out["name_similarity"] = self.name_similarity / 100.0
        out["word_overlap"] = self.word_overlap
        return out


def _best(a: frozenset[str], b: frozenset[str]) -> float:
    return max((similarity(x, y) for x in a for y in b), default=0.0)


def _items_match(a: str, b: str) -> bool:
    if a == b or frozenset((a, b)) in _COMPATIBLE:
        return True
    return (a in GENERIC_ITEMS or b in GENERIC_ITEMS) and _item_category(a) == _item_category(b)


@lru_cache(maxsize=1024)
def _item_category(item: str) -> str | None:
    return next((c for c, items in lexicon.ITEMS.items() if item in items), None)


def _compare_items(a: frozenset[str], b: frozenset[str]) -> str:
    if not a or not b:
        return "unsaid"
    return "agree" if any(_items_match(x, y) for x in a for y in b) else "contradict"


def _compare_sets(a: frozenset[str], b: frozenset[str]) -> str:
    if not a or not b:
        return "unsaid"
    return "agree" if a & b else "contradict"


def _compare_fuzzy(a: frozenset[str], b: frozenset[str], best: float) -> str:
    if not a or not b:
        return "unsaid"
    return "agree" if a & b or best >= FUZZY_SAME else "contradict"


def _compare_models(a: frozenset[str], b: frozenset[str]) -> str:
    numbered_a = {m for m in a if any(ch.isdigit() for ch in m)}
    numbered_b = {m for m in b if any(ch.isdigit() for ch in m)}
    if numbered_a and numbered_b:
        return "agree" if numbered_a & numbered_b else "contradict"
    lines_a, lines_b = a - numbered_a, b - numbered_b
    if lines_a and lines_b:
        return "agree" if lines_a & lines_b else "contradict"
    if lines_a & {m.split()[0] for m in numbered_b} or lines_b & {m.split()[0] for m in numbered_a}:
        return "agree"
    return "unsaid"


def _compare_sizes(a: frozenset[str], b: frozenset[str]) -> str:
    verdict = "unsaid"
    for dimension in {size_dimension(s) for s in a} & {size_dimension(s) for s in b}:
        da = {s for s in a if size_dimension(s) == dimension}
        db = {s for s in b if size_dimension(s) == dimension}
        if not da & db:
            return "contradict"
        verdict = "agree"
    return verdict


def _compare_marks(lost: Facts, found: Facts, best: float) -> str:
    """Agree when a mark or name matches; contradict only when both give a name, or both a long
    number, and none matches (two reports may well notice different stickers)."""
    if not lost.marks or not found.marks:
        return "unsaid"
    if lost.marks & found.marks or best >= FUZZY_SAME:
        return "agree"
    numbers_a = {m for m in lost.marks if m.isdigit()}
    numbers_b = {m for m in found.marks if m.isdigit()}
    if (lost.names and found.names) or (numbers_a and numbers_b):
        return "contradict"
    return "unsaid"


_SHOW = {"id card": "ID card", "nic": "NIC", "bank card": "bank card"}


@lru_cache(maxsize=65536)
def compare(lost: Facts, found: Facts) -> Comparison:
    """Per attribute, do the two reports agree, contradict each other, or does one not say?"""
    brand_sim = _best(lost.brands, found.brands)
    mark_sim = _best(lost.marks, found.marks)
    verdicts = {
        "item": _compare_items(lost.items, found.items),
        "colour": _compare_sets(lost.colours, found.colours),
        "brand": _compare_fuzzy(lost.brands, found.brands, brand_sim),
        "model": _compare_models(lost.models, found.models),
        "material": _compare_sets(lost.materials, found.materials),
        "size": _compare_sizes(lost.sizes, found.sizes),
        "contents": _compare_items(lost.contents, found.contents),
        "marks": _compare_marks(lost, found, mark_sim),
        "place": _compare_sets(lost.places, found.places),
    }
    agree: list[str] = []
    for attribute in ATTRIBUTES:
        if verdicts[attribute] != "agree":
            continue
        mine = getattr(lost, _FIELD[attribute])
        theirs = getattr(found, _FIELD[attribute])
        shared = sorted(mine & theirs) or sorted(mine)[:1]
        agree.extend(_SHOW.get(word, word) for word in shared)
    shorter, longer = sorted((lost.words, found.words), key=len)
    overlap = (
        sum(1 for w in shorter if any(similarity(w, v) >= FUZZY_SAME for v in longer)) / len(shorter)
        if shorter and longer else 0.0
    )
    return Comparison(
        verdicts=verdicts,
        agree=tuple(dict.fromkeys(agree)),
        differ=tuple(a for a in ATTRIBUTES if verdicts[a] == "contradict"),
        brand_similarity=brand_sim,
        name_similarity=mark_sim,
        word_overlap=overlap,
        lost_stated=len(lost.stated() - {"day"}),
        found_stated=len(found.stated() - {"day"}),
    )


__all__ = ["ATTRIBUTES", "STRONG", "Comparison", "Facts", "compare", "read_facts", "sound_key"]
