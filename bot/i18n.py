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
