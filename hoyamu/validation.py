"""Checks on user input. Each error carries a code (the bot translates it) and a plain message."""

from __future__ import annotations

import unicodedata

from matcher.index import KINDS
from matcher.lexicon import clean_text, parse_category


class InvalidInput(ValueError):
    """Bad input, with a message the bot or API can show as it is."""

    def __init__(self, code: str, message: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.params = params


class RateLimited(InvalidInput):
    pass


def _letters(text: str) -> int:
    return sum(1 for ch in text if unicodedata.category(ch)[0] in "LN")


def clean_description(text: str | None, max_length: int) -> str:
    """The description as it will be stored, or InvalidInput saying what is wrong."""
    cleaned = clean_text(text or "")
    if not cleaned:
        raise InvalidInput("empty", "Please describe the item in a few words.")
    if len(cleaned) > max_length:
        raise InvalidInput("too_long", f"That is {len(cleaned)} characters; please keep it under "
                           f"{max_length}.", length=len(cleaned), limit=max_length)
    if _letters(cleaned) < 2:
        raise InvalidInput("no_words", "Please describe the item in words (emoji alone are not "
                           "enough to find it).")
    return cleaned


def clean_optional(text: str | None, max_length: int = 200) -> str | None:
    """A short optional field (place, question, answer): cleaned and cut to length, or None."""
    cleaned = clean_text(text or "")
    return cleaned[:max_length] or None


def check_kind(kind: str) -> str:
    if kind not in KINDS:
        raise InvalidInput("bad_kind", f"Unknown kind {kind!r}: use 'lost' or 'found'.")
    return kind


def check_category(name: str | None) -> str | None:
    """Canonical category name, None when not given; InvalidInput when unknown."""
    if name is None or not name.strip():
        return None
    category = parse_category(name)
    if category is None:
        raise InvalidInput("bad_category", f"Unknown category {name!r}.", category=name)
    return category
