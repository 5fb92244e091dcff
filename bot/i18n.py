"""Text lookup: `t(lang, key, **values)`. Values are inserted as given (escape user text first)."""

from __future__ import annotations

from bot.texts import en, si

LANGUAGES = {"en": en, "si": si}
DEFAULT = "en"


def t(lang: str | None, key: str, **values: object) -> str:
    module = LANGUAGES.get(lang or DEFAULT, en)
    template = module.TEXTS.get(key) or en.TEXTS[key]
    return template.format(**values) if values else template


def category_name(lang: str | None, category: str) -> str:
    module = LANGUAGES.get(lang or DEFAULT, en)
    return module.CATEGORY_NAMES.get(category) or en.CATEGORY_NAMES.get(category, category)


def language_name(lang: str) -> str:
    return LANGUAGES[lang].LANGUAGE_NAME


def item_word(lang: str | None, category: str | None, item: str | None = None) -> str:
    """How running text names a student's item: the item word read from an English report
    ("earbuds"), else its category in the interface language ("water bottle"), else "item"."""
    name = category_name(lang, category) if category and category != "Other" else None
    if name and name[1:2].islower():
        name = name[0].lower() + name[1:]
    if item and (lang or DEFAULT) == "en" and not (name and name.lower().startswith(item)):
        return item  # "earbuds" rather than "electronics"; "keys" rather than "key"
    return name or t(lang, "notify_what_other")
