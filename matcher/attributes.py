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
    "issuer",
)
# A contradiction of one of these is something a student sees at once.
STRONG: frozenset[str] = frozenset({"item", "colour", "brand", "model", "size", "marks"})
_FIELD = {"item": "items", "colour": "colours", "brand": "brands", "model": "models",
          "material": "materials", "size": "sizes", "contents": "contents", "marks": "marks",
          "place": "places", "issuer": "issuers"}
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
    ("box", "lunch box"), ("box", "pencil case"), ("pencil", "pencil case"), ("cover", "bag"),
    ("cover", "laptop bag"), ("cover", "phone cover"), ("pouch", "cover"), ("cover", "letter"),
    ("jacket", "tracksuit"), ("t-shirt", "tracksuit"), ("trousers", "tracksuit"),
    ("letter", "transcript"), ("certificate", "transcript"), ("admission card", "card"),
    ("glasses", "goggles"), ("shoes", "slippers"), ("remote", "key"), ("chain", "jewellery"), ("key", "keychain"),
))
# Accessories: when another item of the category is named, these belong to it.
ACCESSORIES: frozenset[str] = frozenset({
    "phone cover", "cover", "sim card", "charger", "cable", "card", "box", "pouch",
})
CASES: frozenset[str] = frozenset({"box", "cover", "pouch", "phone cover"})
# Parts whose colour is theirs, not the item's ("pink handle", "lens blue", "red laces"); a frame
# or a dial is left out: its colour is the colour people give for glasses and watches.
PARTS: frozenset[str] = frozenset({
    "handle", "handles", "strap", "straps", "lid", "zip", "zipper", "zips", "sole", "soles",
    "lace", "laces", "wheel", "wheels", "grip", "tubing", "buckle", "button", "buttons", "logo",
    "logos", "print", "stripe", "stripes", "ribbon", "string", "rope", "sleeve", "sleeves",
    "collar", "pocket", "pockets", "hood", "border", "trim", "design", "text", "letters",
    "writing", "ink", "pages", "spine", "binding", "bead", "beads", "stone", "stones", "lens",
    "lenses", "tip", "cord", "patiya", "patiyak", "lanuva", "mita", "les", "sip", "stiker",
    "stikar", "sticker", "stickers", "tape", "tag", "keytag", "thread", "embroidery", "flowers",
    "spots", "dots", "pattern", "checks", "light", "led", "screen", "buds", "cap",
})
_PART_STEMS = ("piyan", "patiy", "lanuv", "handl", "strap", "lace", "zip", "sticker", "stikar")


def _is_part(word: str) -> bool:
    return word in PARTS or word.startswith(_PART_STEMS)

# Sub-locations inside any building: they agree when shared, never contradict.
SUBPLACES: frozenset[str] = frozenset({
    "table", "stairs", "corridor", "counter", "locker", "room", "gate", "security", "washroom",
    "shop",
})
# The item a category's brand names when no item word is given ("a Samsung A14" is a phone).
CATEGORY_ITEM: dict[str, str] = {"Phone": "phone", "Laptop": "laptop"}
# Items that are usually inside or attached to something else.
CONTAINERS: frozenset[str] = frozenset({
    "wallet", "bag", "backpack", "laptop bag", "handbag", "sling bag", "pouch", "pencil case",
    "file", "box", "phone cover", "laptop",
})

# --- marks, days, sizes --------------------------------------------------------------------------

_EXPLICIT_NAME_CUES = frozenset({"name", "named", "names", "nama", "namak", "නම", "නමක්", "නමත්"})
_NAME_CUES_BEFORE = _EXPLICIT_NAME_CUES | {  # "name Kasun", "written: Kasun", "says NASA"
    "written", "engraved", "printed", "says", "saying", "labelled", "labeled", "label",
}
_WRITING_WORDS = frozenset({
    "liyala", "liyapu", "written", "engraved", "printed", "ලියලා", "ලියපු", "ලියා",
    "ලියල", "akura", "akuru", "අකුර", "අකුරු",
})
_NAME_CUES_AFTER = _WRITING_WORDS | {"kiyala", "kiyla", "kiyana", "kiyna", "කියලා", "කියල", "කියන"}
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
_CUE_WORDS = frozenset(_NAME_CUES_BEFORE | _NAME_CUES_AFTER | {"kiyala", "liyala"})
_SINGLISH_POSSESSIVE_RE = re.compile(r"^([a-z]{3,})(?:ge|gee|ghe)$")
_ENGLISH_GE_RE = re.compile(r"(?:age|dge|rge|ege|ige|uge|oge)$")
_ENGLISH_GE = frozenset({
    "change", "orange", "range", "strange", "lounge", "sponge", "challenge", "exchange",
    "arrange", "hinge", "fringe", "plunge", "binge", "cringe", "revenge", "syringe", "mage",
    "magee", "mge", "oyage", "eyage", "apege", "kaage", "kage", "kageda",
})
_NOT_NAMES = frozenset({
    "people", "someone", "somebody", "everyone", "nobody", "today", "yesterday", "mother",
    "father", "friend", "friends", "brother", "sister", "children", "women", "men", "ladies",
    "girls", "boys", "world", "owner", "student", "students", "amma", "ammage", "thaththa",
    "appachchi", "ammi", "akka", "ayya", "malli", "nangi", "yaluwa", "kauru", "mama", "mata",
    "api", "oya", "eya", "ekak", "eka", "uncle", "aunty", "sir", "madam", "miss",
})
_CAPITAL_RE = re.compile(r"(?<![.!?\n]\s)(?<!^)\b([A-Z][a-zA-Z]+)")
_EN_POSSESSIVE_RE = re.compile(r"\b([A-Z][a-z]{2,})['’]s\b")
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
    names: frozenset[str] = field(default=frozenset())  # the personal names among the marks
    initials: frozenset[str] = field(default=frozenset())  # initials among the marks ("kp")
    issuers: frozenset[str] = field(default=frozenset())  # bank of a card, network of a SIM
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


def _is_plain_word(word: str) -> bool:
    """Not a stop word and not a word the lexicon knows (item, colour, place...)."""
    found = lexicon.analyse(word)
    return bool(found) and all(h.kind == "word" for h in found)


def _singlish_possessive(word: str) -> str | None:
    match = _SINGLISH_POSSESSIVE_RE.match(word)
    if not match or word in _ENGLISH_GE or _ENGLISH_GE_RE.search(word):
        return None
    return match[1]


class _Marks:
    def __init__(self) -> None:
        self.marks: set[str] = set()
        self.names: set[str] = set()
        self.initials: set[str] = set()

    def add(self, word: str, name: bool) -> None:
        """A written word: a name (compared strictly) or just a mark (agreement only)."""
        if word in _CUE_WORDS or word in _MARK_STOP or not _is_plain_word(word):
            return
        key = _latin_key(word)
        if len(key) < 2 or key in _NOT_NAMES:
            return
        if _CODE_RE.match(key) or key.isdigit() or not name:
            self.marks.add(key)
        else:
            self.names.add(key)


_NEGATE_NEXT = frozenset({"no", "without", "not", "never", "nothing", "minus"})
_NEGATE_PREVIOUS = frozenset({
    "nae", "naa", "naha", "nehe", "nehae", "nha", "නෑ", "නැහැ", "නැත", "හිස්", "hiss", "his",
    "missing",
})


def _negated(words: list[str]) -> set[int]:
    """Positions of words said to be absent: "no sticker", "without cash", "ස්ටිකර් නෑ"."""
    out: set[int] = set()
    for i, word in enumerate(words):
        if word in _NEGATE_NEXT:
            out.update(range(i + 1, min(i + 4, len(words))))
        elif word in _NEGATE_PREVIOUS and i > 0:
            out.update(range(max(0, i - 2), i))
    return out


def _marks(text: str, words: list[str], english: bool, negated: set[int]) -> _Marks:
    """Identifying marks: generic ones (sticker, scratch...), what is written ("name Kasun",
    "Kasun written", "කසුන් කියලා ලියලා", quoted words), possessives (Kasun's, kasunge, කසුන්ගේ),
    initials (K.P.) and long numbers. Names are kept apart: only they can contradict."""
    found = _Marks()
    capitals = {m.casefold() for m in _CAPITAL_RE.findall(text)}
    for i, word in enumerate(words):
        if i in negated:
            continue
        if word in _MARK_WORDS:
            found.marks.add(_MARK_WORDS[word])
            if _MARK_WORDS[word] == "sticker" and i > 0 and not words[i - 1].isdigit():
                found.add(words[i - 1], name=False)
        if word in _NAME_CUES_BEFORE and i + 1 < len(words):
            j = i + 1
            while j + 1 < len(words) and not _is_plain_word(words[j]):
                j += 1
            if j - i <= 3:
                explicit = word in _EXPLICIT_NAME_CUES
                found.add(words[j], name=explicit or words[j] in capitals)
                # a full name: the capitalised words that follow ("Name: Tharindu Perera")
                k = j + 1
                while k < len(words) and k - j <= 2 and words[k] in capitals:
                    found.add(words[k], name=True)
                    k += 1
        if word in _NAME_CUES_AFTER and i > 0:
            written = word in _WRITING_WORDS or (i + 1 < len(words)
                                                 and words[i + 1] in _WRITING_WORDS)
            j = i - 1
            while j > 0 and words[j] in _NAME_CUES_AFTER:
                j -= 1
            before = words[j]
            found.add(before, name=before in capitals
                      or (written and (has_sinhala(before) or not english)))
        if word.endswith(_SINHALA_POSSESSIVE) and len(word) > 3:
            found.add(word[: -len(_SINHALA_POSSESSIVE)], name=True)
        stem = _singlish_possessive(word) if not english and word not in capitals else None
        if stem:  # "kasunge"; a capitalised "Wickramasinghe" is a surname, not a possessive
            found.add(stem, name=True)
    for m in _EN_POSSESSIVE_RE.finditer(text):
        found.add(m[1].casefold(), name=True)
    for m in _QUOTED_RE.finditer(text):
        for word in tokens(m[1]):
            found.add(word, name=False)
    for m in _INITIALS_RE.finditer(text):
        found.initials.add(re.sub(r"[\s.]", "", m[1]).casefold())
    for m in _NUMBER_RE.finditer(text):
        digits = re.sub(r"\D", "", m[1])
        if len(digits) >= 4:
            found.marks.add(digits)
    return found


def _items(hits: tuple[Hit, ...], category: str,
           negated: set[int]) -> tuple[set[str], set[str], set[int]]:
    """(items, contents, positions of the item words): the thing the report is about, at the
    grain the words give, and what is inside or attached to it."""
    found = [(h.canonical, h.category, h.start, h.end) for h in hits if h.kind == "item"]
    starts = {start for _, _, start, _ in found}
    for h in hits:  # a product line names its item: "iPhone 13" is a phone, "AirPods" earbuds
        line = PRODUCT_LINES.get(h.canonical) if h.kind == "brand" else None
        if line and line[1] and h.end not in starts:
            found.append((line[1], _item_category(line[1]), h.start, h.start))
    # a word directly followed by another item word modifies it ("phone charger", "laptop bag"),
    # except before a case: "earbuds box" and "spectacle case" are the earbuds and the glasses
    heads = [f for f in found if f[3] not in starts or f[3] == f[2]]
    heads += [f for f in found if f not in heads
              and any(g[2] == f[3] and g[0] in CASES for g in found)]
    main = [f for f in heads if f[1] == category]
    if not main or all(f[0] in ACCESSORIES for f in main):
        head = CATEGORY_ITEM.get(category)
        brand_says = any(h.kind == "brand" and h.category == category for h in hits)
        if head and brand_says:
            main = main + [(head, category, -1, -1)]
    if any(f[0] not in ACCESSORIES for f in main):
        main = [f for f in main if f[0] not in ACCESSORIES]
    items = {f[0] for f in main}
    contents = {f[0] for f in heads if f not in main and f[2] not in negated} - items
    if category != "Clothing":  # a bottle's or a pen's cap
        contents.discard("cap")
    if not items & CONTAINERS:  # no container named: other items are more items ("phone and
        items |= contents - ACCESSORIES - {"money"}  # charger"); accessories stay attached
        contents &= ACCESSORIES | {"money"}
    return items, contents, {f[2] for f in main}


@lru_cache(maxsize=8192)
def read_facts(text: str) -> Facts:
    """The facts one report states, in any of the four styles (cached)."""
    text = clean_text(text)
    words = tokens(text)
    hits = analyse(text)
    category = detect_category(text)
    negated = _negated(words)
    items, contents, main_starts = _items(hits, category, negated)
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
        if (owner is not None and owner.kind == "item" and owner.start not in main_starts
                and owner.canonical not in items):
            continue
        if owner is not None and _is_part(owner.canonical) and owner.start - h.end <= 3:
            continue  # "pink handle", "රිදී පාට ලෝහ පටියක්"
        before = next((o for o in reversed(hits[:i]) if o.kind not in skip), None)
        if (before is not None and _is_part(before.canonical) and h.start - before.end <= 1
                and (owner is None or owner.kind != "item")):
            continue  # "handle is pink", "lens blue"
        colours.add(h.canonical)

    found_marks = _marks(marks_text, words, lexicon.language_style(text) == "en", negated)
    names, initials = found_marks.names, found_marks.initials
    marks = found_marks.marks | names | initials
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
        initials=frozenset(initials),
        issuers=frozenset(h.canonical for h in hits if h.kind == "issuer"),
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


def _inside(one: Facts, other: Facts) -> frozenset[str]:
    """What one report carries that is the other's item: a lost laptop may be handed in inside
    the laptop bag that was found ("laptop bag with a Lenovo laptop inside")."""
    return frozenset(c for c in one.contents if c in other.items and c not in GENERIC_ITEMS)


def _own(contents: frozenset[str], other_items: frozenset[str]) -> frozenset[str]:
    """Contents that are not the other report's item (a bag the lost laptop was in)."""
    return frozenset(c for c in contents if not any(_items_match(c, i) for i in other_items))


def _compare_places(a: frozenset[str], b: frozenset[str]) -> str:
    if a & b:
        return "agree"
    sites_a, sites_b = a - SUBPLACES, b - SUBPLACES
    return "contradict" if sites_a and sites_b else "unsaid"


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


def _same_mark(a: str, b: str) -> bool:
    if a == b:
        return True
    if a.isdigit() or b.isdigit():  # numbers: the same digits, or one the tail of the other
        return a.isdigit() and b.isdigit() and min(len(a), len(b)) >= 4 and (
            a.endswith(b) or b.endswith(a))
    for x, y in ((a, b), (sound_key(a), sound_key(b))):
        shorter, longer = sorted((x, y), key=len)
        if len(shorter) >= 3 and longer.startswith(shorter):  # "soc" / "society"
            return True
    return similarity(a, b) >= FUZZY_SAME


def _compare_marks(lost: Facts, found: Facts) -> str:
    """Agree when a mark or name matches (fuzzily, across scripts); contradict only when both
    give a name, both initials or both a long number and none matches (two reports may well
    notice different stickers)."""
    if not lost.marks or not found.marks:
        return "unsaid"
    if any(_same_mark(a, b) for a in lost.marks for b in found.marks):
        return "agree"
    numbers = [{m for m in f.marks if m.isdigit()} for f in (lost, found)]
    if (lost.names and found.names) or (lost.initials and found.initials) or all(numbers):
        return "contradict"
    return "unsaid"


_SHOW = {"id card": "ID card", "nic": "NIC", "bank card": "bank card"}


@lru_cache(maxsize=65536)
def compare(lost: Facts, found: Facts) -> Comparison:
    """Per attribute, do the two reports agree, contradict each other, or does one not say?"""
    brand_sim = _best(lost.brands, found.brands)
    mark_sim = _best(lost.marks, found.marks)
    verdicts = {
        "item": _compare_items(lost.items | _inside(lost, found), found.items | _inside(found, lost)),
        "colour": _compare_sets(lost.colours, found.colours),
        "brand": _compare_fuzzy(lost.brands, found.brands, brand_sim),
        "model": _compare_models(lost.models, found.models),
        "material": _compare_sets(lost.materials, found.materials),
        "size": _compare_sizes(lost.sizes, found.sizes),
        "contents": _compare_items(_own(lost.contents, found.items), _own(found.contents, lost.items)),
        "marks": _compare_marks(lost, found),
        "place": _compare_places(lost.places, found.places),
        "issuer": _compare_sets(lost.issuers, found.issuers),
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
