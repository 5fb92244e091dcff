"""Checks on user input. Each error carries a code (the bot translates it) and a plain message."""

from __future__ import annotations

import re
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


# What a lost report may say that only its owner should read: shown to a finder, these go.
_HIDDEN = "•••"
_PERSONAL = [
    re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"),                          # e-mail
    re.compile(r"(?<!\w)(?:\+|00)?(?:94[\s-]?|0)7\d(?:[\s-]?\d){7}(?!\w)"),  # mobile number
    re.compile(r"(?<!\w)\d{9}[vVxX](?!\w)|(?<!\w)(?:19|20)\d{10}(?!\w)"),   # NIC, old and new
    re.compile(r"(?<!\w)[A-Za-z]{0,4}/?\d{2,4}/[A-Za-z]{0,5}/?\d{2,6}(?!\w)"),  # E/19/123
    re.compile(r"(?<!\w)[A-Za-z]{2,3}\d{6,8}(?!\w)"),                    # IT21034567
    re.compile(r"(?<!\d)\d{7,}(?!\d)"),                                  # any long number
]
_NAME_CUE = re.compile(
    r"(?P<cue>\b(?:my\s+name\s+is|name\s+is|names?\s*[:\-]|named|called|mage\s+nama|mge\s+nama|"
    r"nama)\s*|නම\s*[:\-]?\s*)(?P<name>(?:[^\s.,;:!?()]+\s*){1,3})", re.IGNORECASE)
_NOT_A_NAME = {"is", "on", "in", "inside", "written", "was", "the", "and", "with", "tag", "card",
               "eka", "ekak", "eke", "thiyenawa", "tiyenawa", "liyala", "liyapu", "එක", "තියෙනවා"}


def _hide_name(found: re.Match) -> str:
    """The words after a name cue, up to the first that cannot be part of a name, go."""
    name = found["name"]
    words = name.split()
    hidden = next((i for i, word in enumerate(words) if word.lower() in _NOT_A_NAME), len(words))
    if hidden == 0:
        return found[0]
    rest = " ".join(words[hidden:])
    return found["cue"] + _HIDDEN + (" " + rest if rest else "") + name[len(name.rstrip()):]


def redact_personal(text: str) -> str:
    """A lost report as its finder may read it: e-mail addresses, phone, NIC and student
    numbers, and the name after "my name is" / "nama" / "නම" are hidden."""
    for pattern in _PERSONAL:
        text = pattern.sub(_HIDDEN, text)
    return _NAME_CUE.sub(_hide_name, text)
