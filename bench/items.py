"""Realistic lost and found reports for the large benchmark runs.

Every report is built from the project's own lexicon (matcher/lexicon.py): a category and one of
its items, a colour, sometimes a brand of that category, a campus place and a detail, written in
one of the four styles students use (English, Sinhala script, Singlish, and the mixed Sinhala +
English of real chats), with the spelling variants the lexicon knows. Deterministic for a seed.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from matcher.lexicon import BRANDS, COLOURS, ITEMS, PLACES

BRANDLESS_OK = ("Phone", "Electronics", "Laptop", "Jewellery & Watches")  # Apple, Sony, Casio
STYLES = ("en", "si", "singlish", "mixed")
STYLE_WEIGHTS = (0.40, 0.20, 0.25, 0.15)
UNIVERSITIES = ("Peradeniya", "Moratuwa", "Colombo", "Kelaniya", "Sri Jayewardenepura", "Ruhuna",
                "Jaffna", "Rajarata", "Sabaragamuwa", "Wayamba", "Uva Wellassa", "SLIIT")
NAMED_PLACES = ("Goda canteen", "Wala canteen", "Science canteen", "Arts canteen", "NLH",
                "New Arts Theatre", "Sumanadasa building", "E-block", "Akbar hall", "Marrs hall",
                "main library", "medical faculty", "Senate building", "Hela Bojun", "IT faculty",
                "swimming pool", "main gate bus halt", "Sarasavi Uyana station", "boys' hostel",
                "girls' hostel", "LH 1", "LH 2", "chemistry lab", "physics lab", "CS lab 3",
                "library 2nd floor", "gymnasium", "open air theatre", "bookshop", "car park")
DETAILS_EN = ("with my NIC inside", "with a small scratch on the back", "name written inside",
              "has a sticker on it", "with a keytag", "around Rs. 1500 inside", "cracked screen",
              "brand new", "with a blue cover", "reg no S/19/512 on it", "with a green label",
              "near the notice board", "after the 2pm lecture", "during the exam", "last evening",
              "this morning", "on Monday", "handed over to security", "at the front row",
              "in a plastic bag", "with two keys", "has my initials K.P.")
DETAILS_SINGLISH = ("NIC eka athule thiyenawa", "pitipassa scratch ekak thiyenawa",
                    "nama liyala thiyenawa", "sticker ekak gahala", "keytag ekak ekka",
                    "salli tikak thibba", "screen eka kadila", "aluth eka", "ada ude",
                    "iye hawasa", "lecture eken passe", "security ekata dunna",
                    "front row eke", "exam eka welawe")
DETAILS_SI = ("ඇතුළේ NIC එක තියෙනවා", "පිටිපස්සේ සීරීමක් තියෙනවා", "ඇතුළේ නම ලියලා තියෙනවා",
              "ස්ටිකර් එකක් ගහලා", "කී ටැග් එකක් එක්ක", "සල්ලි ටිකක් තිබ්බා", "අද උදේ", "ඊයේ හවස",
              "ලෙක්චර් එකෙන් පස්සේ", "ආරක්ෂක අංශයට දුන්නා", "විභාගය වෙලාවේ")


@dataclass(frozen=True)
class Report:
    kind: str  # "lost" or "found"
    text: str
    category: str
    style: str


def _spellings(column: str) -> list[str]:
    return [s.strip() for s in column.split(",") if s.strip()]


def _pick(rng: random.Random, column: str, fallback: str) -> str:
    options = _spellings(column)
    # the first spelling is the common one: favour it, keep the variants
    if not options:
        return fallback
    return options[0] if rng.random() < 0.6 else rng.choice(options)


class ReportGenerator:
    """`next(kind)` gives one report; `many(n)` alternates kinds (or keeps one)."""

    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        self.catalogue = {category: list(items.items()) for category, items in ITEMS.items()}
        self.categories = list(self.catalogue)
        self.brands: dict[str, list[str]] = {}
        for spellings, hint in BRANDS.values():
            latin = [s for s in _spellings(spellings) if s.isascii()]
            if latin:
                self.brands.setdefault(hint or "*", []).append(latin[0].title()
                                                               if len(latin[0]) > 3
                                                               else latin[0].upper())
        self.colours = list(COLOURS.items())
        self.places = list(PLACES.items())

    def _parts(self, style: str) -> dict:
        rng = self.rng
        category = rng.choice(self.categories)  # categories evenly, their common item first
        items = self.catalogue[category]
        canonical, (en, sl, si) = items[0] if rng.random() < 0.4 else rng.choice(items)
        colour_key, (c_en, c_sl, c_si) = rng.choice(self.colours)
        place_key, (p_en, p_sl, p_si) = rng.choice(self.places)
        brand = ""
        pool = self.brands.get(category, []) + (
            self.brands["*"] if category in BRANDLESS_OK and rng.random() < 0.3 else [])
        if pool and rng.random() < 0.45:
            brand = rng.choice(pool)
        named = rng.choice(NAMED_PLACES) if rng.random() < 0.45 else None
        return {
            "category": category,
            "item_en": _pick(rng, en, canonical), "item_sl": _pick(rng, sl, _pick(rng, en, canonical)),
            "item_si": _pick(rng, si, _pick(rng, en, canonical)),
            "colour_en": _pick(rng, c_en, colour_key), "colour_sl": _pick(rng, c_sl, colour_key),
            "colour_si": _pick(rng, c_si, colour_key),
            "place_en": named or _pick(rng, p_en, place_key),
            "place_sl": named or _pick(rng, p_sl, _pick(rng, p_en, place_key)),
            "place_si": _pick(rng, p_si, place_key) if not named or rng.random() < 0.5 else named,
            "brand": brand, "uni": rng.choice(UNIVERSITIES),
            "detail_en": rng.choice(DETAILS_EN), "detail_sl": rng.choice(DETAILS_SINGLISH),
            "detail_si": rng.choice(DETAILS_SI),
        }

    def next(self, kind: str, style: str | None = None) -> Report:
        style = style or self.rng.choices(STYLES, STYLE_WEIGHTS)[0]
        p = self._parts(style)
        b = f"{p['brand']} " if p["brand"] else ""
        rng = self.rng
        if style == "en":
            lost = [f"Lost my {p['colour_en']} {b}{p['item_en']} near the {p['place_en']}, {p['detail_en']}.",
                    f"Has anyone seen a {p['colour_en']} {b}{p['item_en']}? I left it at the {p['place_en']} {p['detail_en']}.",
                    f"Missing: {p['colour_en']} {b}{p['item_en']} ({p['detail_en']}), probably dropped at {p['place_en']}, Uni of {p['uni']}.",
                    f"pls help, my {b}{p['item_en']} is missing. {p['colour_en']} colour, {p['detail_en']}. last seen {p['place_en']}"]
            found = [f"Found a {p['colour_en']} {b}{p['item_en']} at the {p['place_en']}, {p['detail_en']}.",
                     f"{p['colour_en'].capitalize()} {b}{p['item_en']} found near {p['place_en']}. Owner pls contact to claim.",
                     f"Someone left a {p['colour_en']} {b}{p['item_en']} in the {p['place_en']} ({p['detail_en']}).",
                     f"picked up a {b}{p['item_en']}, {p['colour_en']}, {p['detail_en']}, at {p['place_en']} Uni of {p['uni']}"]
        elif style == "singlish":
            lost = [f"mage {p['colour_sl']} pata {b}{p['item_sl']} eka {p['place_sl']} eke nathi una, {p['detail_sl']}.",
                    f"{p['place_sl']} eke {p['colour_sl']} {b}{p['item_sl']} ekak amathaka wela, kauru hari dakkada?",
                    f"ane mage {b}{p['item_sl']} eka haruna {p['place_sl']} langadi, {p['colour_sl']} pata. {p['detail_sl']}",
                    f"{p['colour_sl']} {p['item_sl']} ekak {p['place_sl']} eke dala awa, {p['detail_sl']}, hambunoth kiyanna"]
            found = [f"{p['place_sl']} eke {p['colour_sl']} pata {b}{p['item_sl']} ekak hambuna, {p['detail_sl']}.",
                     f"{p['colour_sl']} {b}{p['item_sl']} ekak thibuna {p['place_sl']} langa. ayithikaraya kiyanna.",
                     f"{p['place_sl']} eken {b}{p['item_sl']} ekak hambuna, {p['colour_sl']} pata, {p['detail_sl']}"]
        elif style == "si":
            lost = [f"{p['place_si']} දී මගේ {p['colour_si']} පාට {b}{p['item_si']} නැති වුණා. {p['detail_si']}.",
                    f"මගේ {p['colour_si']} {b}{p['item_si']} එක {p['place_si']} එකේ අමතක වුණා, කවුරුහරි දැක්කද?",
                    f"අනේ {p['place_si']} ළඟදී {p['colour_si']} පාට {p['item_si']} එකක් නැතිවුණා, {p['detail_si']}."]
            found = [f"{p['place_si']} එකෙන් {p['colour_si']} පාට {b}{p['item_si']} එකක් හම්බුණා. {p['detail_si']}.",
                     f"{p['colour_si']} {b}{p['item_si']} එකක් {p['place_si']} ළඟ තිබුණා, අයිතිකාරයා කියන්න.",
                     f"{p['place_si']} එකේ {p['item_si']} එකක් හම්බුණා, {p['colour_si']} පාටයි."]
        else:  # mixed: Sinhala grammar, English nouns
            lost = [f"අනේ මගේ {p['colour_en']} {b}{p['item_en']} එක {p['place_en']} එකේ දාලා ආවා, {p['detail_si']}.",
                    f"{p['place_en']} එකේදී මගේ {b}{p['item_en']} එක නැති වුණා, {p['colour_en']} colour. කවුරුහරි දැක්කද?",
                    f"{p['colour_en']} {p['item_en']} එකක් {p['place_en']} එකේ අමතක වුණා, {p['detail_en']}."]
            found = [f"{p['place_en']} එකේ {p['colour_en']} {b}{p['item_en']} එකක් හම්බුණා, {p['detail_si']}.",
                     f"{p['colour_en']} colour {b}{p['item_en']} එකක් {p['place_en']} ළඟ තිබුණා. owner contact කරන්න.",
                     f"{p['place_en']} එකෙන් {b}{p['item_en']} එකක් හම්බුණා, {p['detail_en']}."]
        text = rng.choice(lost if kind == "lost" else found)
        return Report(kind, " ".join(text.replace("..", ".").split()), p["category"], style)

    def many(self, n: int, kind: str | None = None) -> list[Report]:
        kinds = ("lost", "found")
        return [self.next(kind or kinds[i % 2]) for i in range(n)]


def unique_reports(n: int, kind: str, seed: int = 0) -> list[Report]:
    """n reports of one kind with n different texts (duplicates regenerated)."""
    generator = ReportGenerator(seed)
    seen: set[str] = set()
    out: list[Report] = []
    attempts = 0
    while len(out) < n:
        report = generator.next(kind)
        attempts += 1
        if report.text not in seen or attempts > 50 * n:
            seen.add(report.text)
            out.append(report)
    return out
