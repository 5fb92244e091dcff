"""Behaviour of the trilingual lexicon: English, Singlish and Sinhala script."""

from __future__ import annotations

import unicodedata

import pytest

from matcher import lexicon
from matcher.categories import DISPLAY_NAMES
from matcher.lexicon import (
    CATEGORIES,
    clean_text,
    detect_category,
    is_sensitive,
    keywords,
    language_style,
    normalize,
    parse_category,
    tokens,
)

ZWJ = "\u200d"
LIBRARY_SI = f"ලයිබ්{ZWJ}රරි"  # ලයිබ්‍රරි with its ZWJ (rakaransaya)


# --- keywords ------------------------------------------------------------------------------------

SAME_WALLET = [
    "Found a black wallet in the library",
    "library eke kalu wallet ekak hambuna",
    "පුස්තකාලයේ කළු පසුම්බියක් හම්බුණා",
    f"{LIBRARY_SI} එකේ black wallet එකක් හම්බුණා",
]


@pytest.mark.parametrize("text", SAME_WALLET)
def test_same_wallet_in_every_language_gives_the_same_keywords(text: str) -> None:
    assert keywords(text) == {"black", "wallet", "library"}


def test_same_wallet_keywords_overlap_across_languages() -> None:
    common = set.intersection(*(keywords(text) for text in SAME_WALLET))
    assert common == {"black", "wallet", "library"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I lost my black wallet yesterday, please help!", {"black", "wallet"}),
        ("mage kalu pata wallet eka nathi una machan", {"black", "wallet"}),
        ("ane mata kudayak hambuna da", {"umbrella"}),
        ("මගේ කළු පාට පසුම්බිය නැති වුණා", {"black", "wallet"}),
        ("මට කුඩයක් හම්බුණා", {"umbrella"}),
    ],
)
def test_filler_and_stop_words_are_dropped(text: str, expected: set[str]) -> None:
    assert keywords(text) == expected


@pytest.mark.parametrize(
    ("text", "place"),
    [
        ("පුස්තකාලයේ", "library"),
        ("පුස්තකාලයෙදි", "library"),
        ("library eke", "library"),
        ("libraryeke", "library"),
        ("කැන්ටිමේ", "canteen"),
        ("කැන්ටිමේදී", "canteen"),
        (f"{LIBRARY_SI} එකේ", "library"),
        ("ලයිබ්රරි එකේ", "library"),  # typed without the ZWJ
        ("නේවාසිකාගාරයේ", "hostel"),
        ("bus halt eke", "bus stop"),
        ("බස් නැවතුම්පොළේ", "bus stop"),
        ("LH eke", "lecture hall"),
        ("ක්\u200dරීඩාංගනයේ", "playground"),
        ("computer lab", "lab"),
    ],
)
def test_places_with_case_endings_map_to_one_form(text: str, place: str) -> None:
    assert keywords(text) == {place}


@pytest.mark.parametrize(
    ("words", "canonical"),
    [
        (["black", "blk", "kalu", "කළු", "කලු"], "black"),
        (["wallet", "purse", "pasumbiya", "පසුම්බිය"], "wallet"),
        (["umbrella", "umbrela", "kudaya", "කුඩය", "කුඩේ"], "umbrella"),
        (["grey", "gray", "ash", "alu", "අළු"], "grey"),
        (["kannadi", "කණ්ණාඩි", "කන්නාඩි", "specs", "spectacles"], "glasses"),
        (["yathura", "yathuru", "යතුර", "යතුරු", "keys"], "key"),
        (["sapaththu", "sapattu", "සපත්තු", "shoes"], "shoes"),
    ],
)
def test_synonyms_and_misspellings_share_one_canonical_form(
    words: list[str], canonical: str
) -> None:
    assert [keywords(w) for w in words] == [{canonical}] * len(words)


def test_brands_and_unknown_words_are_kept_normalized() -> None:
    assert keywords("Samsung Galaxy phone with a Pikachu sticker") == {
        "samsung",
        "phone",
        "pikachu",
        "sticker",
    }


def test_ran_is_gold_only_in_singlish() -> None:
    assert "gold" not in keywords("I ran to the library")
    assert keywords("ran malayak hambuna") == {"gold", "chain"}


# --- tokens --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("walletek", ["wallet"]),
        ("bageke", ["bag"]),
        ("phoneeka hambuna", ["phone", "hambuna"]),
        ("kalupata", ["kalu"]),
        ("ATMකාඩ්", ["atm", "කාඩ්"]),
        ("Black-Wallet!!", ["black", "wallet"]),
        ("කළු පසුම්බිය", ["කළු", "පසුම්බිය"]),
        ("ekak wallet", ["ekak", "wallet"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


def test_tokens_do_not_split_known_or_english_words() -> None:
    assert tokens("golden token often green") == ["golden", "token", "often", "green"]


# --- detect_category -----------------------------------------------------------------------------

CATEGORY_CASES = [
    ("Wallet", "Lost my brown leather wallet near the canteen"),
    ("Wallet", "kalu pasumbiyak hambuna bus halt eke"),
    ("Wallet", "රතු පසුම්බියක් නැති වුණා"),
    ("Wallet", "wallet with my NIC inside"),
    ("Phone", "Found a Samsung phone in the gym"),
    ("Phone", "mage fone eka nathi una"),
    ("Phone", "ජංගම දුරකථනයක් හම්බුණා"),
    ("Phone", "phone cover"),
    ("Phone", "phone"),
    ("Keys", "bunch of keys with a red tag"),
    ("Keys", "yathuru kattuwa hambuna"),
    ("Keys", "යතුරු පොකුරක් හම්බුණා"),
    ("Keys", "bike key eka nathi una"),
    ("Bag", "black backpack left in the lab"),
    ("Bag", "laptop bag"),
    ("Bag", "school bag ekak hambuna"),
    ("Bag", "කොළ පාට බෑගයක්"),
    ("ID Card", "NIC card"),
    ("ID Card", "student ID found near LH"),
    ("ID Card", "NIC eka nathi una"),
    ("ID Card", "ජාතික හැඳුනුම්පත නැතිවුණා"),
    ("Laptop", "Dell laptop left in the library"),
    ("Laptop", "lap eka hostel eke"),
    ("Laptop", "ලැප්ටොප් එකක් හම්බුණා"),
    ("Electronics", "phone charger"),
    ("Electronics", "earphones ekak hambuna"),
    ("Electronics", "පවර් බෑන්ක් එකක්"),
    ("Electronics", "කැල්කියුලේටරයක් හම්බුණා"),
    ("Books & Stationery", "Calculus text book"),
    ("Books & Stationery", "CR book ekak"),
    ("Books & Stationery", "පොතක් හම්බුණා"),
    ("Books & Stationery", "පෑනක්"),
    ("Clothing", "grey hoodie left in the gym"),
    ("Clothing", "sapaththu deka"),
    ("Clothing", "කමිසයක් හම්බුණා"),
    ("Clothing", "lab coat"),
    ("Jewellery & Watches", "silver ring near the canteen"),
    ("Jewellery & Watches", "ran malayak"),
    ("Jewellery & Watches", "ඔරලෝසුවක් හම්බුණා"),
    ("Umbrella", "black umbrella"),
    ("Umbrella", "kudayak hambuna"),
    ("Umbrella", "කුඩයක් තිබුණා"),
    ("Water Bottle", "steel water bottle"),
    ("Water Bottle", "wathura bottle ekak"),
    ("Water Bottle", "වතුර බෝතලයක්"),
    ("Glasses", "spectacles with a black frame"),
    ("Glasses", "awu kannadi"),
    ("Glasses", "කණ්ණාඩියක් හම්බුණා"),
    ("Documents", "birth certificate in a file"),
    ("Documents", "sahathikaya"),
    ("Documents", "උප්පැන්න සහතිකය"),
    ("Other", "helmet ekak"),
    ("Other", "hello there"),
    ("Other", "නිල් පාට"),
]


@pytest.mark.parametrize(("category", "text"), CATEGORY_CASES)
def test_detect_category(category: str, text: str) -> None:
    assert detect_category(text) == category


def test_category_cases_cover_every_category_three_times() -> None:
    counts = {c: sum(1 for case, _ in CATEGORY_CASES if case == c) for c in CATEGORIES}
    assert min(counts.values()) >= 3


# --- is_sensitive --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "found an NIC near the library",
        "ATM card ekak hambuna",
        "බැංකු කාඩ්පතක් හම්බුණා",
        "credit card",
        "black wallet with my student ID inside",
        "birth certificate",
        "passbook eka",
    ],
)
def test_sensitive_words_in_any_language(text: str) -> None:
    assert is_sensitive(text, "Other")


@pytest.mark.parametrize("text", ["black umbrella", "phone charger", "sim card", "කළු කුඩයක්"])
def test_ordinary_items_are_not_sensitive(text: str) -> None:
    assert not is_sensitive(text, detect_category(text))


def test_sensitive_by_category() -> None:
    assert is_sensitive("blue folder", "Documents")
    assert is_sensitive("something", "ID Card")
    assert is_sensitive("something", "හැඳුනුම්පත")
    assert not is_sensitive("something", "Umbrella")


# --- language_style ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "style"),
    [
        ("I lost my black wallet in the library", "en"),
        ("Lost phone, call 0771234567", "en"),
        ("library eke kalu wallet ekak hambuna", "singlish"),
        ("ane mage phone eka nathi una", "singlish"),
        ("පුස්තකාලයේ කළු පසුම්බියක් හම්බුණා", "si"),
        ("මගේ iPhone එක නැති වුණා", "si"),
        (f"{LIBRARY_SI} එකේ black wallet එකක් හම්බුණා", "mixed"),
    ],
)
def test_language_style(text: str, style: str) -> None:
    assert language_style(text) == style


# --- clean_text and normalize --------------------------------------------------------------------


def test_clean_text_removes_control_characters() -> None:
    assert clean_text("bl\x00ack\x07 wal\x1blet\x7f\x85") == "black wallet"


def test_clean_text_keeps_sinhala_conjuncts_and_emoji() -> None:
    text = f"ශ්{ZWJ}රී ලංකා {LIBRARY_SI} 👨{ZWJ}👩{ZWJ}👧 Wallet"
    assert clean_text(text) == text


def test_clean_text_drops_stray_invisible_characters() -> None:
    assert clean_text(f"wal{ZWJ}let පසු\u200bම්බිය \u202eevil\ufeff") == "wallet පසුම්බිය evil"


def test_clean_text_collapses_whitespace_but_keeps_lines() -> None:
    assert (
        clean_text("  Black \t  wallet \r\n\r\n\r\n\r\n near   LH  ") == "Black wallet\n\nnear LH"
    )


def test_clean_text_composes_sinhala_vowel_signs() -> None:
    assert clean_text("ප\u0dd9\u0dcfත") == "පොත"


def test_normalize() -> None:
    assert normalize("Black-Wallet!! ＷＡＬＬＥＴ 👍🏽") == "black wallet wallet"
    assert normalize(LIBRARY_SI) == normalize("ලයිබ්රරි") == "ලයිබ්රරි"


# --- parse_category ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("wallet", "Wallet"),
        ("WALLET", "Wallet"),
        ("id", "ID Card"),
        ("books", "Books & Stationery"),
        ("jewellery", "Jewellery & Watches"),
        ("Jewelry and Watches", "Jewellery & Watches"),
        ("ID කාඩ්", "ID Card"),
        ("ලියකියවිලි", "Documents"),
        ("🔑 Keys", "Keys"),
        ("කුඩය", "Umbrella"),
        ("spaceship", None),
        ("", None),
    ],
)
def test_parse_category(name: str, category: str | None) -> None:
    assert parse_category(name) == category


@pytest.mark.parametrize("lang", sorted(DISPLAY_NAMES))
def test_every_displayed_category_name_reads_back(lang: str) -> None:
    assert list(DISPLAY_NAMES[lang]) == list(CATEGORIES)
    assert [parse_category(DISPLAY_NAMES[lang][c]) for c in CATEGORIES] == list(CATEGORIES)


def test_canonical_names_and_old_spellings_read_back() -> None:
    assert [parse_category(c) for c in CATEGORIES] == list(CATEGORIES)
    assert parse_category("Jewelry & Watches") == "Jewellery & Watches"
    assert parse_category("jewelry") == "Jewellery & Watches"
    assert parse_category("පොත් සහ ලිපි ද්\u200dරව්\u200dය") == "Books & Stationery"
    assert parse_category("ලේඛන") == parse_category("ලියකියවිලි") == "Documents"


# --- lexicon data --------------------------------------------------------------------------------


def test_no_spelling_is_claimed_by_two_canonical_forms() -> None:
    assert lexicon._TABLES.conflicts == []


def test_item_categories_are_known() -> None:
    assert set(lexicon.ITEMS) <= set(CATEGORIES)
    assert {c for _, c in lexicon.BRANDS.values() if c} <= set(CATEGORIES)


def test_sinhala_spellings_are_clean_nfc_sinhala() -> None:
    domains = [lexicon.COLOURS, lexicon.ATTRIBUTES, lexicon.MATERIALS, lexicon.ISSUERS,
               lexicon.PLACES,
               *lexicon.ITEMS.values()]
    columns = [v[2] for d in domains for v in d.values()] + [lexicon.STOP_WORDS[2]]
    spellings = [s.strip() for col in columns for s in col.split(",")]
    spellings += [n for n in DISPLAY_NAMES["si"].values() if "&" not in n and "ID" not in n]
    bad = [
        s
        for s in spellings
        if unicodedata.normalize("NFC", s) != s
        or not all("\u0d80" <= ch <= "\u0dff" or ch in f" {ZWJ}" for ch in s)
        or any(ch == ZWJ and prev != "\u0dca" for prev, ch in zip(s, s[1:], strict=False))
    ]
    assert bad == []


# --- robustness ----------------------------------------------------------------------------------

ODD_INPUTS = [
    "",
    "   \n\t ",
    "😀🎉👍🏽",
    "x" * 10_000,
    "library eke kalu wallet ekak hambuna " * 270,
    "කළු පසුම්බියක් " * 700,
    "محفظة سوداء في المكتبة",
    "ארנק שחור בספרייה",
    "\u202e\u200f\x00\ud800",
]


@pytest.mark.parametrize("text", ODD_INPUTS, ids=range(len(ODD_INPUTS)))
def test_odd_input_never_raises(text: str) -> None:
    cleaned = clean_text(text)
    assert cleaned == cleaned.strip()
    assert isinstance(normalize(text), str)
    assert all(isinstance(t, str) and t for t in tokens(text))
    assert isinstance(keywords(text), set)
    assert detect_category(text) in CATEGORIES
    assert isinstance(is_sensitive(text, "Other"), bool)
    assert language_style(text) in {"en", "si", "singlish", "mixed"}


def test_empty_and_emoji_only_have_no_keywords() -> None:
    assert [keywords(""), keywords("😀🎉")] == [set(), set()]
    assert [detect_category(""), detect_category("😀🎉")] == ["Other", "Other"]
