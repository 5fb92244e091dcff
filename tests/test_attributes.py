"""Behaviour of the attribute reader: what a report states, in every style, and how two compare."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.attributes import ATTRIBUTES, compare, read_facts
from matcher.romanize import similarity


def verdicts(lost: str, found: str) -> dict[str, str]:
    return compare(read_facts(lost), read_facts(found)).verdicts


def said(lost: str, found: str) -> dict[str, str]:
    return {a: v for a, v in verdicts(lost, found).items() if v != "unsaid"}


# --- reading, per style --------------------------------------------------------------------------

SAME_LAPTOP = [
    "Lost my black Toshiba laptop in the library",
    "library eke kalu Toshiba laptop ekak nathi una",
    "පුස්තකාලයේ කළු පාට ටොෂිබා ලැප්ටොප් එකක් නැති වුණා",
    "library එකේ black ටොෂිබා laptop එකක් නැති වුණා",
]


@pytest.mark.parametrize("text", SAME_LAPTOP)
def test_the_same_laptop_reads_the_same_in_every_style(text: str) -> None:
    facts = read_facts(text)
    assert (facts.items, facts.colours, facts.brands, facts.places) == (
        {"laptop"}, {"black"}, {"toshiba"}, {"library"},
    )
    assert facts.category == "Laptop"


@pytest.mark.parametrize(
    ("text", "brand"),
    [
        ("සැම්සුන් ෆෝන් එකක් හම්බුණා", "samsung"),
        ("ඩෙල් ලැප්ටොප් එකක්", "dell"),
        ("ලෙනොවෝ ලැප්ටොප් එක", "lenovo"),
        ("කැසියෝ ඔරලෝසුවක්", "casio"),
        ("එච්පී ලැප්ටොප් එකක්", "hp"),
        ("ඇපල් ඔරලෝසුවක්", "apple"),
        ("අයිෆෝන් එකක් නැති වුණා", "apple"),
        ("toshibha laptop ekak", "toshiba"),
    ],
)
def test_brands_are_read_in_sinhala_script_and_misspelt(text: str, brand: str) -> None:
    assert brand in read_facts(text).brands


@pytest.mark.parametrize(
    ("text", "item"),
    [
        ("black backpack left in the lab", "backpack"),
        ("Lost my laptop bag", "laptop bag"),
        ("Dell laptop left in the library", "laptop"),
        ("JBL earbuds ekak hambuna", "earbuds"),
        ("laptop charger eka nathi una", "charger"),
        ("පවර් බෑන්ක් එකක් හම්බුණා", "power bank"),
        ("mage airpods tika nathi una", "earbuds"),
        ("Mata phone eka haruna", "phone"),
        ("kalu pasumbiyak hambuna", "wallet"),
    ],
)
def test_item_type_at_a_useful_grain(text: str, item: str) -> None:
    assert read_facts(text).items == {item}


def test_a_colour_of_an_accessory_is_not_the_items_colour() -> None:
    facts = read_facts("black phone with a blue cover")
    assert facts.items == {"phone"}
    assert facts.colours == {"black"}


def test_a_colour_of_a_part_is_not_the_items_colour() -> None:
    assert read_facts("clear umbrella, the handle is pink").colours == {"transparent"}
    assert read_facts("grey umbrella with a black strap").colours == {"grey"}
    assert read_facts("රිදී පාට ඔරලෝසුවක්, කළු පාට පටියක්").colours == {"silver"}


def test_what_is_said_to_be_absent_is_not_read() -> None:
    assert read_facts("black bottle, no sticker").marks == set()
    assert read_facts("කළු බෝතලයක්, ස්ටිකර් නෑ").marks == set()
    assert "money" not in read_facts("wallet without cash, has my NIC").contents


def test_several_colours_of_one_item() -> None:
    assert read_facts("black and white backpack").colours == {"black", "white"}
    assert read_facts("කළු-රතු පාට පසුම්බියක්").colours == {"black", "red"}


def test_contents_of_a_container() -> None:
    facts = read_facts("wallet with my NIC, an ATM card and Rs. 2000 inside")
    assert facts.items == {"wallet"}
    assert {"id card", "bank card", "money"} <= facts.contents


@pytest.mark.parametrize(
    ("text", "sizes"),
    [
        ("iPhone 13, 128GB, blue", {"128gb"}),
        ("Anker power bank 20,000 mAh", {"20000mah"}),
        ("1 litre steel bottle", {"1000ml"}),
        ("500ml bottle", {"500ml"}),
        ('15.6" laptop', {"15.6in"}),
        ("pen drive 1TB", {"1000gb"}),
        ("phone 8GB RAM 256GB", {"8gb ram", "256gb"}),
    ],
)
def test_sizes_are_normalised(text: str, sizes: set[str]) -> None:
    assert read_facts(text).sizes == sizes


def test_models() -> None:
    assert {"iphone 13"} <= read_facts("iPhone 13 pro eka nathi una").models
    assert "a14" in read_facts("Samsung Galaxy A14 found").models
    assert "thinkpad" in read_facts("Lenovo ThinkPad laptop").models


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("black backpack with Kasun written on it", "kasun"),
        ("backpack, name tag says Kasun", "kasun"),
        ("Kasun's blue bottle", "kasun"),
        ("kasunge bag eka", "kasun"),
        ("කසුන්ගේ බෑග් එක", "kasun"),
        ("බෑග් එකේ කසුන් කියලා ලියලා තියෙනවා", "kasun"),
        ("cover eke 'MA1013' kiyala", "ma1013"),
        ("passport eka watila, Name: Tharindu Wickramasinghe", "wickramasinghe"),
    ],
)
def test_names_and_marks_are_read_and_romanized(text: str, name: str) -> None:
    assert name in read_facts(text).marks


def test_stickers_and_scratches_are_marks() -> None:
    marks = read_facts("Milton bottle with a NASA sticker and a dent").marks
    assert {"sticker", "nasa", "dent"} <= marks


def test_day_is_read() -> None:
    assert read_facts("lost it yesterday evening").day == "yesterday"
    assert read_facts("ada udee library eke").day == "today"
    assert read_facts("ඊයේ රෑ නැති වුණා").day == "yesterday"
    assert read_facts("Black wallet").day is None


def test_stated_lists_what_the_report_says() -> None:
    assert read_facts("Lost my black wallet").stated() == {"item", "colour"}
    assert read_facts("").stated() == set()


# --- comparing -----------------------------------------------------------------------------------


def test_seed_example_short_report_against_a_detailed_one() -> None:
    result = compare(read_facts("Lost my black wallet"),
                     read_facts("Black leather wallet with credit cards found near library"))
    assert result.differ == ()
    assert result.verdicts["item"] == result.verdicts["colour"] == "agree"
    assert {"black", "wallet"} <= set(result.agree)


def test_seed_example_in_singlish() -> None:
    assert said("Mata kalu pata wallet eka haruna", "Black wallet found") == {
        "item": "agree", "colour": "agree"}
    assert said("Mata kalu pata wallet eka haruna", "Blue bag found")["item"] == "contradict"
    assert said("Mata kalu pata wallet eka haruna", "Black jacket found")["item"] == "contradict"


def test_seed_example_a_phone_without_details_meets_a_samsung() -> None:
    assert said("Mata phone eka haruna", "Samsung Galaxy mobile phone found in canteen") == {
        "item": "agree"}


@pytest.mark.parametrize(
    ("lost", "found", "attribute"),
    [
        ("Lost my black wallet with credit cards", "Brown wallet found", "colour"),
        ("Lost my black wallet with credit cards", "red purse found", "colour"),
        ("Lost my Dell laptop", "HP laptop found in the lab", "brand"),
        ("සැම්සුන් ෆෝන් එකක් නැති වුණා", "Found an iPhone near the canteen", "brand"),
        ("Lost a 64GB pen drive", "Found a 32GB pen drive", "size"),
        ("Anker power bank 20000mAh lost", "Anker power bank 10000mAh found", "size"),
        ("Lost my iPhone 11", "iPhone 13 found", "model"),
        ("Lost my laptop in the library", "Laptop bag found in the library", "item"),
        ("Lost my earbuds", "Found a charger", "item"),
        ("Lost my power bank", "Found a charger", "item"),
        ("Bag with Kasun written on it", "Bag with Nimal written on it", "marks"),
        ("Lost my HNB ATM card", "සම්පත් බැංකුවේ ATM කාඩ් එකක් හම්බුණා", "issuer"),
    ],
)
def test_contradictions_are_detected(lost: str, found: str, attribute: str) -> None:
    result = compare(read_facts(lost), read_facts(found))
    assert result.verdicts[attribute] == "contradict"
    assert attribute in result.differ


@pytest.mark.parametrize(
    ("lost", "found"),
    [
        ("Lost my Toshiba laptop", "ටොෂිබා ලැප්ටොප් එකක් හම්බුණා"),
        ("Lost my Samsung phone", "සැම්සුන් ෆෝන් එකක් හම්බුණා"),
        ("kasunge kalu bag eka", "කසුන්ගේ කළු බෑග් එකක් හම්බුණා"),
        ("Lost my black backpack", "Found a black bag in the gym"),
        ("Lost my iPhone", "Found an Apple iPhone 13"),
        ("Lost my black and white bag", "Found a black bag"),
    ],
)
def test_the_same_thing_across_scripts_and_grains_has_no_contradiction(
    lost: str, found: str
) -> None:
    result = compare(read_facts(lost), read_facts(found))
    assert result.differ == ()
    assert result.verdicts["item"] == "agree"


def test_what_only_one_report_says_is_unsaid() -> None:
    result = verdicts("Lost my phone", "Blue Samsung phone, 128GB, cracked screen, canteen")
    assert result["item"] == "agree"
    assert all(result[a] == "unsaid" for a in ATTRIBUTES if a != "item")


def test_features_reflect_the_verdicts() -> None:
    good = compare(read_facts("Lost my black Dell laptop"), read_facts("Black Dell laptop found"))
    bad = compare(read_facts("Lost my black Dell laptop"), read_facts("Silver HP laptop found"))
    f_good, f_bad = good.features(), bad.features()
    assert set(f_good) == set(f_bad)
    assert all(isinstance(v, float) for v in f_good.values())
    assert f_good["lost_confirmed"] == 1.0 and f_good["n_contradict_strong"] == 0
    assert f_bad["attr_brand"] == -1.0 and f_bad["n_contradict_strong"] == 2


def test_names_sound_alike_across_scripts() -> None:
    assert similarity("Kasun", "කසුන්") == 100
    assert similarity("Chamod", "චමෝද්") == 100
    assert similarity("Dilshan", "ඩිල්ෂාන්") == 100
    assert similarity("toshiba", "ටොෂිබා") == 100
    assert similarity("Kasun", "Nimal") < 50


@pytest.mark.parametrize("text", ["", "😀🎉", "x" * 5000, "කළු " * 500, "\u202e\x00", "12345"])
def test_odd_input_never_raises(text: str) -> None:
    facts = read_facts(text)
    assert compare(facts, facts).differ == ()


SINHALA_AND_LATIN = st.text(
    alphabet=st.sampled_from(
        [chr(c) for c in range(0x0D80, 0x0E00)] + list("abcdekns gbMAH0123456789'\".,/-\u200d")
    ),
    max_size=60,
)


@settings(max_examples=200, deadline=None)
@given(SINHALA_AND_LATIN, SINHALA_AND_LATIN)
def test_any_text_reads_and_compares(lost: str, found: str) -> None:
    a, b = read_facts(lost), read_facts(found)
    assert compare(a, a).differ == ()
    assert set(compare(a, b).verdicts) == set(ATTRIBUTES)
    assert all(isinstance(w, str) and w.strip() for w in a.marks | a.brands | a.words)
