"""Every interface text exists in every language, with the same placeholders and markup."""

from __future__ import annotations

import re
import string

import pytest

from bot.i18n import LANGUAGES
from bot.keyboards import categories
from bot.texts import en
from matcher.lexicon import CATEGORIES, parse_category

TAGS = re.compile(r"</?[a-z]+")


def placeholders(text: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


@pytest.mark.parametrize("code", [c for c in LANGUAGES if c != "en"])
def test_languages_have_the_same_keys_placeholders_and_tags(code: str) -> None:
    other = LANGUAGES[code]
    assert set(other.TEXTS) == set(en.TEXTS)
    assert set(other.CATEGORY_NAMES) == set(en.CATEGORY_NAMES)
    for key, text in en.TEXTS.items():
        assert placeholders(other.TEXTS[key]) == placeholders(text), key
        assert sorted(TAGS.findall(other.TEXTS[key])) == sorted(TAGS.findall(text)), key


def test_sinhala_texts_are_in_sinhala() -> None:
    si = LANGUAGES["si"]
    def words(text: str) -> str:
        return re.sub(r"\{[^}]*\}", "", TAGS.sub("", text))

    worded = [k for k, v in en.TEXTS.items() if re.search(r"[A-Za-z]{3}", words(v))
              and k not in ("retrain_epoch", "model_line")]
    untranslated = [k for k in worded if not re.search("[\u0d80-\u0dff]", si.TEXTS[k])]
    assert untranslated == []


def test_buttons_fit_on_a_phone() -> None:
    for module in LANGUAGES.values():
        for key, text in module.TEXTS.items():
            if key.startswith("btn_"):
                assert len(text) <= 30, (key, text)


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_every_category_button_reads_back_as_its_category(code: str) -> None:
    buttons = [b for row in categories(code).inline_keyboard for b in row]
    shown = {b.callback_data: b.text for b in buttons}
    assert [parse_category(shown[f"cat:{i}"]) for i in range(len(CATEGORIES))] == list(CATEGORIES)
